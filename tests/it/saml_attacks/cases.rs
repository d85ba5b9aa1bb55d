//! The attack table: every case starts from a fresh, genuine response of
//! the mock IdP ([`super::world`]) and applies one transform
//! ([`super::surgery`]), re-signing with the IdP's own key where the
//! attack assumes a signature the IdP really made, or with
//! `fixtures/pki/attacker.*` / `okta-clone.*` where the attacker signs.
//!
//! Each case names its SECURITY.md catalogue id (`attack`), a variant
//! slug, what it does, and the outcome our SP must give.

use std::time::Duration;

use time::OffsetDateTime;

use ssosim::idp::{ProfileOptions, Vendor};
use ssosim::saml::dsig::{sign_by_id, SignOptions, DSIG_NS};
use ssosim::saml::keys::{SigningKey, TrustedKeys};
use ssosim::saml::reason::Reason;
use ssosim::saml::response::SignWhat;
use ssosim::saml::validate::SpConfig;

mod reference;
mod semantics;
mod signature;
mod wrapping;

use super::surgery::*;
use super::world::*;
use crate::idp_support::{now, users_yaml, ACS};
use crate::saml_support::{pki, signing_key};

/// What the SP must do with a case.
#[derive(Clone, Debug)]
pub enum Expect {
    Refused(Reason),
    /// Accepted, and the identity is exactly this NameID (never a
    /// truncated or injected one); optionally one attribute's first value.
    Accepted {
        name_id: String,
        attribute: Option<(&'static str, &'static str)>,
    },
}

#[derive(Clone, Debug)]
pub struct Case {
    /// The SECURITY.md catalogue id (`XSW1`, `SIG4`, `TM4`, …).
    pub attack: &'static str,
    /// A slug telling variants of one attack apart (`""` for the main one).
    pub variant: &'static str,
    pub what: String,
    pub xml: String,
    pub cfg: SpConfig,
    pub at: OffsetDateTime,
    /// The browser's outstanding AuthnRequest ID.
    pub pending: Option<String>,
    /// Messages the SP accepted first, into the same replay cache.
    pub before: Vec<String>,
    pub expect: Expect,
    /// Part of the committed differential corpus (`fixtures/saml/attacks`).
    pub corpus: bool,
}

impl Case {
    /// `ATTACK` or `ATTACK-variant`: unique across the table, and the
    /// corpus file name.
    pub fn name(&self) -> String {
        if self.variant.is_empty() {
            self.attack.to_string()
        } else {
            format!("{}-{}", self.attack, self.variant)
        }
    }

    fn with_cfg(mut self, f: impl FnOnce(&mut SpConfig)) -> Case {
        f(&mut self.cfg);
        self
    }

    fn at(mut self, t: OffsetDateTime) -> Case {
        self.at = t;
        self
    }

    fn pending(mut self, p: Option<&str>) -> Case {
        self.pending = p.map(str::to_string);
        self
    }

    fn before(mut self, x: &str) -> Case {
        self.before.push(x.to_string());
        self
    }

    fn corpus(mut self) -> Case {
        self.corpus = true;
        self
    }
}

fn case(
    attack: &'static str,
    variant: &'static str,
    what: &str,
    base: &Fresh,
    xml: String,
    expect: Expect,
) -> Case {
    Case {
        attack,
        variant,
        what: what.to_string(),
        xml,
        cfg: base.sp(),
        at: now(),
        pending: base.request_id.clone(),
        before: vec![],
        expect,
        corpus: false,
    }
}

fn refused(
    attack: &'static str,
    variant: &'static str,
    what: &str,
    base: &Fresh,
    xml: String,
    reason: Reason,
) -> Case {
    case(attack, variant, what, base, xml, Expect::Refused(reason))
}

fn accepted(
    attack: &'static str,
    variant: &'static str,
    what: &str,
    base: &Fresh,
    xml: String,
) -> Case {
    let name_id = Expect::Accepted {
        name_id: USER.to_string(),
        attribute: None,
    };
    case(attack, variant, what, base, xml, name_id)
}

const NAME_ID: &[&str] = &["Assertion", "Subject", "NameID"];
const A_SIG: &[&str] = &["Assertion", "Signature"];
const R_SIG: &[&str] = &["Signature"];

fn path<'a>(base: &[&'a str], more: &[&'a str]) -> Vec<&'a str> {
    let mut p = base.to_vec();
    p.extend_from_slice(more);
    p
}

/// The NameID of the (first top-level) assertion changed to [`EVIL`].
fn to_evil(x: &str) -> String {
    set_inner(x, NAME_ID, EVIL)
}

/// A\*: the assertion of `x` with its signature removed, NameID changed
/// to [`EVIL`], and (when given) a new ID.
fn evil_assertion(x: &str, id: Option<&str>) -> String {
    let mut d = to_evil(&remove(x, A_SIG));
    if let Some(id) = id {
        d = set_attr(&d, &["Assertion"], "ID", id);
    }
    get(&d, &["Assertion"])
}

/// The original assertion without its signature.
fn clean_assertion(x: &str) -> String {
    get(&remove(x, A_SIG), &["Assertion"])
}

fn attacker_key() -> SigningKey {
    signing_key("attacker", "attacker.crt.pem")
}

/// The attacker's RSA public key as `ds:KeyValue` (KEY3).
fn key_value(cert_pem: &[u8]) -> String {
    let cert = openssl::x509::X509::from_pem(cert_pem).unwrap();
    let rsa = cert.public_key().unwrap().rsa().unwrap();
    format!(
        "<ds:KeyValue><ds:RSAKeyValue><ds:Modulus>{}</ds:Modulus><ds:Exponent>{}</ds:Exponent>\
         </ds:RSAKeyValue></ds:KeyValue>",
        b64(&rsa.n().to_vec()),
        b64(&rsa.e().to_vec())
    )
}

const EXC: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const ENV: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

fn transforms(algs: &[&str]) -> String {
    algs.iter()
        .map(|a| format!("<ds:Transform Algorithm=\"{a}\"></ds:Transform>"))
        .collect()
}

/// Every case of the table.
pub fn all() -> Vec<Case> {
    let mut out = vec![];
    let both = generic();
    let resp = generic_signing(SignWhat::Response);
    let assn = generic_signing(SignWhat::Assertion);
    // The control is in the corpus too: the differential script's
    // sanity row (our SP accepts it, both oracles verify it).
    out.push(
        accepted(
            "CONTROL",
            "",
            "the genuine response (generic IdP, Response and Assertion signed), unmutated",
            &both,
            both.xml.clone(),
        )
        .corpus(),
    );
    for (vendor, name) in [
        (Vendor::Okta, "okta"),
        (Vendor::Entra, "entra"),
        (Vendor::Google, "google"),
    ] {
        let f = fresh(vendor, None);
        out.push(accepted(
            "CONTROL",
            name,
            "the genuine response of this vendor profile, unmutated",
            &f,
            f.xml.clone(),
        ));
    }
    wrapping::xsw(&mut out, &both, &resp, &assn);
    wrapping::vendor_shapes(&mut out);
    wrapping::text_splitting(&mut out);
    signature::signatures(&mut out, &both, &resp, &assn);
    signature::keys(&mut out, &both, &assn);
    reference::references(&mut out, &both, &assn);
    reference::algorithms(&mut out, &assn);
    semantics::xml_profile(&mut out, &both);
    semantics::semantics(&mut out, &both);
    out
}
