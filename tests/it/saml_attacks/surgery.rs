//! Text surgery on SAML messages, located through our own parser's element
//! spans (so an edit touches exactly the bytes of one element), and
//! re-signing helpers: recompute a Reference's digest, recompute a
//! SignatureValue over the (edited) SignedInfo with any key, HMAC it.
//!
//! Paths name elements by local name from the root: `&["Assertion",
//! "Subject", "NameID"]`; `"Transform#1"` is the second `Transform` child.
//! The root itself is `&[]`.

use std::ops::Range;

use base64::Engine as _;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::sign::Signer;

use ssosim::saml::c14n::exc_c14n;
use ssosim::saml::xml::{Document, NodeId, ParseOptions};

/// Parses with generous limits: attack messages may be large (bombs are
/// refused by the SP, not by the generator).
pub fn parse(x: &str) -> Document {
    let options = ParseOptions {
        max_bytes: 1 << 24,
        ..ParseOptions::default()
    };
    Document::parse_with(x.as_bytes(), &options)
        .unwrap_or_else(|e| panic!("surgery on an unparsable message: {e}\n{x}"))
}

/// The element at `path`.
pub fn node(doc: &Document, path: &[&str]) -> NodeId {
    let mut cur = doc.root();
    for step in path {
        let (local, nth) = match step.split_once('#') {
            Some((l, n)) => (l, n.parse::<usize>().unwrap()),
            None => (*step, 0),
        };
        cur = doc
            .child_elements(cur)
            .filter(|c| doc.element(*c).is_some_and(|e| e.local == local))
            .nth(nth)
            .unwrap_or_else(|| panic!("no element at {path:?} (step {step})"));
    }
    cur
}

/// Byte range of the whole element at `path`.
pub fn span(x: &str, path: &[&str]) -> Range<usize> {
    let doc = parse(x);
    let e = doc.element(node(&doc, path)).unwrap();
    e.span.start_tag.start..e.span.end
}

/// Byte range of the element's start tag.
fn start_tag(x: &str, path: &[&str]) -> Range<usize> {
    let doc = parse(x);
    doc.element(node(&doc, path))
        .unwrap()
        .span
        .start_tag
        .clone()
}

/// Byte range of the element's content (between its tags); empty at the
/// end of the start tag for `<x/>`.
pub fn inner(x: &str, path: &[&str]) -> Range<usize> {
    let doc = parse(x);
    let e = doc.element(node(&doc, path)).unwrap();
    if e.span.self_closing {
        return e.span.start_tag.end..e.span.start_tag.end;
    }
    let end_tag = e.qname().len() + 3;
    e.span.start_tag.end..e.span.end - end_tag
}

/// The element's text (as written).
pub fn get(x: &str, path: &[&str]) -> String {
    x[span(x, path)].to_string()
}

fn splice(x: &str, r: Range<usize>, with: &str) -> String {
    format!("{}{}{}", &x[..r.start], with, &x[r.end..])
}

pub fn remove(x: &str, path: &[&str]) -> String {
    splice(x, span(x, path), "")
}

pub fn replace(x: &str, path: &[&str], with: &str) -> String {
    splice(x, span(x, path), with)
}

pub fn insert_before(x: &str, path: &[&str], s: &str) -> String {
    let at = span(x, path).start;
    splice(x, at..at, s)
}

pub fn insert_after(x: &str, path: &[&str], s: &str) -> String {
    let at = span(x, path).end;
    splice(x, at..at, s)
}

/// Appends `s` as the element's last child (the element must not be
/// self-closing).
pub fn append_child(x: &str, path: &[&str], s: &str) -> String {
    let at = inner(x, path).end;
    splice(x, at..at, s)
}

/// Replaces the element's content.
pub fn set_inner(x: &str, path: &[&str], s: &str) -> String {
    splice(x, inner(x, path), s)
}

/// Sets attribute `name` (written unprefixed, `name="…"`) of the element's
/// start tag, adding it when absent.
pub fn set_attr(x: &str, path: &[&str], name: &str, value: &str) -> String {
    let tag = start_tag(x, path);
    let text = &x[tag.clone()];
    let marker = format!(" {name}=\"");
    match text.find(&marker) {
        Some(i) => {
            let from = tag.start + i + marker.len();
            let to = from + x[from..].find('"').unwrap();
            splice(x, from..to, value)
        }
        None => {
            let close = if text.ends_with("/>") { 2 } else { 1 };
            let at = tag.end - close;
            splice(x, at..at, &format!(" {name}=\"{value}\""))
        }
    }
}

pub fn attr(x: &str, path: &[&str], name: &str) -> String {
    let doc = parse(x);
    doc.attribute(node(&doc, path), name)
        .unwrap_or_else(|| panic!("no {name} at {path:?}"))
        .to_string()
}

/// Every `ds:Signature` removed, wherever it is.
pub fn strip_signatures(x: &str) -> String {
    let mut out = x.to_string();
    loop {
        let doc = parse(&out);
        let Some(sig) = ssosim::saml::dsig::find_signatures(&doc).first().copied() else {
            return out;
        };
        let e = doc.element(sig).unwrap();
        let r = e.span.start_tag.start..e.span.end;
        out = splice(&out, r, "");
    }
}

pub fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// The digest of the element at `signed` without its `ds:Signature`
/// child (the enveloped transform), base64.
pub fn digest_of(x: &str, signed: &[&str]) -> String {
    let doc = parse(x);
    let el = node(&doc, signed);
    let sig = doc
        .children_named(el, ssosim::saml::dsig::DSIG_NS, "Signature")
        .next();
    let canonical = exc_c14n(&doc, el, sig, &[]);
    b64(&openssl::hash::hash(MessageDigest::sha256(), canonical.as_bytes()).unwrap())
}

/// Rewrites the DigestValue of the signature at `sig` to the digest of
/// its parent as it now is (enveloped, exc-c14n, SHA-256).
pub fn redigest(x: &str, sig: &[&str]) -> String {
    let parent = &sig[..sig.len() - 1];
    let dv = digest_of(x, parent);
    let mut path = sig.to_vec();
    path.extend(["SignedInfo", "Reference", "DigestValue"]);
    set_inner(x, &path, &dv)
}

/// A private key from `fixtures/pki` (or a vendor's embedded PEM).
pub fn private_key(pem: &[u8]) -> PKey<Private> {
    PKey::private_key_from_pem(pem).unwrap()
}

/// Rewrites the SignatureValue of the signature at `sig` to an RSA-SHA256
/// signature by `key` over exc-c14n(SignedInfo) as it now is: whatever the
/// SignedInfo says, its owner really signed it.
pub fn resign(x: &str, sig: &[&str], key: &PKey<Private>) -> String {
    let doc = parse(x);
    let mut si = sig.to_vec();
    si.push("SignedInfo");
    let canonical = exc_c14n(&doc, node(&doc, &si), None, &[]);
    let mut signer = Signer::new(MessageDigest::sha256(), key).unwrap();
    let value = signer.sign_oneshot_to_vec(canonical.as_bytes()).unwrap();
    let mut sv = sig.to_vec();
    sv.push("SignatureValue");
    set_inner(x, &sv, &b64(&value))
}

/// `redigest` then `resign`: the signature at `sig` is whole again, made
/// by `key`.
pub fn reseal(x: &str, sig: &[&str], key: &PKey<Private>) -> String {
    resign(&redigest(x, sig), sig, key)
}

/// HMAC-SHA256 over exc-c14n(SignedInfo) keyed with `secret` (KEY5: the
/// IdP's public certificate as the HMAC secret).
pub fn hmac_sign(x: &str, sig: &[&str], secret: &[u8]) -> String {
    let doc = parse(x);
    let mut si = sig.to_vec();
    si.push("SignedInfo");
    let canonical = exc_c14n(&doc, node(&doc, &si), None, &[]);
    let key = PKey::hmac(secret).unwrap();
    let mut signer = Signer::new(MessageDigest::sha256(), &key).unwrap();
    let value = signer.sign_oneshot_to_vec(canonical.as_bytes()).unwrap();
    let mut sv = sig.to_vec();
    sv.push("SignatureValue");
    set_inner(x, &sv, &b64(&value))
}
