//! Fresh, genuine messages from the mock IdP that every attack starts
//! from: a real AuthnRequest (`build_authn_request`, HTTP-Redirect) to
//! `Idp::sso`, the login form, and the Response the IdP answers with; or
//! an IdP-initiated `Idp::launch`. Also the SP configuration that judges
//! them (from the IdP's own metadata, SP-initiated only).

use ssosim::idp::{Decision, Directory, Idp, LaunchRelayState, ProfileOptions, Vendor};
use ssosim::saml::dsig::{sign_by_id, SignOptions};
use ssosim::saml::keys::SigningKey;
use ssosim::saml::response::SignWhat;
use ssosim::saml::validate::SpConfig;
use ssosim::sim::Rng;

use crate::idp_support::{idp_with, now, users_yaml, validator, ACS};
use crate::idp_vendors::sign_in;

/// The user every attack starts as (the low-privilege victim identity).
pub const USER: &str = "ada@acme.test";
/// Who the attacker wants to be.
pub const EVIL: &str = "admin@acme.test";

/// A genuine response and the IdP that made it.
pub struct Fresh {
    pub idp: Idp,
    /// The SP's outstanding AuthnRequest ID (`None` when IdP-initiated).
    pub request_id: Option<String>,
    pub xml: String,
    pub response_id: String,
    pub assertion_id: String,
}

impl Fresh {
    /// The IdP's signing key (what the IdP itself would sign with).
    pub fn key(&self) -> &SigningKey {
        self.idp.signing_key()
    }

    /// Its private key, for re-signing edited SignedInfos.
    pub fn pkey(&self) -> openssl::pkey::PKey<openssl::pkey::Private> {
        crate::saml_attacks::surgery::private_key(self.idp.vendor().key_pem().0)
    }

    /// The SP that judges this IdP's responses: configured from the IdP's
    /// metadata, SP-initiated only, defaults otherwise.
    pub fn sp(&self) -> SpConfig {
        let mut cfg = validator(&self.idp, ACS);
        cfg.allow_idp_initiated = false;
        cfg
    }

    /// `x` with every signature removed, then signed again by this IdP
    /// the way `sign` says: "an edit the IdP itself signed".
    pub fn signed(&self, x: &str, sign: SignWhat) -> String {
        sign_as(x, sign, self.key())
    }
}

/// Removes every signature of `x` and signs it with `key`: the Assertion
/// first (so the Response signature covers the signed Assertion), then
/// the Response.
pub fn sign_as(x: &str, sign: SignWhat, key: &SigningKey) -> String {
    use crate::saml_attacks::surgery::{attr, strip_signatures};
    let mut x = strip_signatures(x);
    let opts = SignOptions::default();
    if matches!(sign, SignWhat::Assertion | SignWhat::Both) {
        let id = attr(&x, &["Assertion"], "ID");
        x = sign_by_id(x.as_bytes(), &id, key, &opts).unwrap();
    }
    if matches!(sign, SignWhat::Response | SignWhat::Both) {
        let id = attr(&x, &[], "ID");
        x = sign_by_id(x.as_bytes(), &id, key, &opts).unwrap();
    }
    x
}

fn directory(yaml: &str) -> Directory {
    ssosim::idp::users_file::parse_users_file(yaml.as_bytes(), &mut Rng::new(1)).unwrap()
}

/// SP-initiated: the SP's AuthnRequest, the IdP's login page, `email`
/// signs in, the IdP answers.
pub fn fresh_for(vendor: Vendor, opts: &ProfileOptions, yaml: &str, email: &str) -> Fresh {
    let mut idp = idp_with(vendor, directory(yaml), opts);
    let (request_id, answer) = sign_in(&mut idp, email);
    let x = answer.xml.clone();
    let assertion_id = crate::saml_attacks::surgery::attr(&x, &["Assertion"], "ID");
    Fresh {
        idp,
        request_id: Some(request_id),
        xml: x,
        response_id: answer.response_id,
        assertion_id,
    }
}

/// SP-initiated login of [`USER`] at `vendor`, with the signing mode
/// overridden when `sign` is given.
pub fn fresh(vendor: Vendor, sign: Option<SignWhat>) -> Fresh {
    let opts = ProfileOptions {
        sign,
        ..ProfileOptions::default()
    };
    let yaml = String::from_utf8(users_yaml()).unwrap();
    fresh_for(vendor, &opts, &yaml, USER)
}

/// The generic IdP, Response and Assertion both signed (its default).
pub fn generic() -> Fresh {
    fresh(Vendor::Generic, None)
}

/// The generic IdP signing only `sign`.
pub fn generic_signing(sign: SignWhat) -> Fresh {
    fresh(Vendor::Generic, Some(sign))
}

/// IdP-initiated (a tile click): an unsolicited Response to the SP.
pub fn launched(vendor: Vendor) -> Fresh {
    let yaml = String::from_utf8(users_yaml()).unwrap();
    let mut idp = idp_with(vendor, directory(&yaml), &ProfileOptions::default());
    let Decision::Respond(a) =
        idp.launch(USER, None, LaunchRelayState::None, now(), &mut Rng::new(3))
    else {
        panic!("launch did not answer");
    };
    let assertion_id = crate::saml_attacks::surgery::attr(&a.xml, &["Assertion"], "ID");
    Fresh {
        idp,
        request_id: None,
        xml: a.xml.clone(),
        response_id: a.response_id.clone(),
        assertion_id,
    }
}
