//! SAML bindings: HTTP-POST (Bindings 3.5) and HTTP-Redirect with DEFLATE
//! (Bindings 3.4), both directions, sans-IO (strings and bytes in and out).
//!
//! Decisions, pinned by tests (SECURITY.md §1.J):
//! - **POST** (B1): the field is standard base64 (RFC 4648 §4, padding
//!   required); CR and LF between characters are accepted (line-wrapped
//!   encoders), anything else (URL-safe `-_`, spaces, junk, bad padding)
//!   is `base64-invalid`. A field given twice is `duplicate-parameter`.
//! - **Redirect DEFLATE** (B5): raw RFC 1951 only, as Bindings 3.4.4.1
//!   requires. A zlib (RFC 1950) or gzip (RFC 1952) wrapper is refused
//!   (`deflate-wrapper-forbidden`) rather than tolerated, so every SP in
//!   the world agrees on what was sent; trailing bytes after the final
//!   block are `inflate-failed`. Inflation stops at [`INFLATE_MAX`]
//!   (`inflate-too-large`, X7). Sending uses our own small encoder
//!   (`saml::deflate`, fixed Huffman codes, ~2 µs per AuthnRequest);
//!   receiving uses our own strict decoder (`saml::inflate`), which
//!   refuses what zlib refuses.
//! - **Redirect signature** (B3): verified over the octets exactly as
//!   received, `SAMLRequest=…&RelayState=…&SigAlg=…` in the spec's order
//!   whatever order the query had, never re-encoded. A proxy that changes
//!   `%2F` into `%2f` therefore breaks the signature; we do not offer
//!   python3-saml's `lowercase_urlencoding` retry (ADFS quirk) because no
//!   personality here needs it. SigAlg is an exact allow-list (B4):
//!   rsa-sha256/384/512; rsa-sha1 is `sha1-forbidden`.
//! - Query and form values decode as `application/x-www-form-urlencoded`
//!   (`+` is a space), so an unencoded `+` in base64 is caught as
//!   `base64-invalid` instead of silently changing bytes.
//! - RelayState is passed through opaque. Bindings 3.4.3/3.5.3 cap it at
//!   80 bytes for senders; checking it against an allow-list (no open
//!   redirect, B2) is the SP's job, not the binding's.

use crate::saml::b64;
use crate::saml::deflate::deflate;
use crate::saml::dsig::{Hash, RSA_SHA1, RSA_SHA256, RSA_SHA384, RSA_SHA512};
use crate::saml::escape::{form_decode, html, percent_encode};
use crate::saml::keys::{SigningKey, TrustedKeys};
use crate::saml::reason::{Reason, Rejection};

/// Largest inflated Redirect message, in bytes (X7).
pub const INFLATE_MAX: usize = 256 * 1024;
/// Largest POST body or Redirect query accepted before decoding (X6).
pub const ENCODED_MAX: usize = 2 * 1024 * 1024;

/// A message taken off the POST binding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostMessage {
    pub xml: Vec<u8>,
    pub relay_state: Option<String>,
}

/// A message taken off the Redirect binding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedirectMessage {
    pub xml: Vec<u8>,
    pub relay_state: Option<String>,
    /// True only when a query-string signature verified under a pinned key.
    pub signed: bool,
}

/// The HTML page that auto-submits `xml` (base64) to `action` as
/// `field`, with an optional RelayState. Every value is HTML-escaped
/// (SECURITY.md IDP4); a visible Continue button and a `<noscript>` note
/// cover browsers without JavaScript (Bindings 3.5.4).
pub fn post_form_html(action: &str, field: &str, xml: &str, relay_state: Option<&str>) -> String {
    let encoded = b64::encode(xml.as_bytes());
    let mut out = String::with_capacity(encoded.len() + 1024);
    out.push_str(
        "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>Signing in…</title></head>\n\
         <body onload=\"document.forms[0].submit()\">\n\
         <noscript><p>JavaScript is off, so press Continue to finish signing in.</p></noscript>\n",
    );
    // Piece by piece: the message is the bulk of the page, copied once.
    out.push_str("<form method=\"post\" action=\"");
    out.push_str(&html(action));
    out.push_str("\">\n<input type=\"hidden\" name=\"");
    out.push_str(&html(field));
    out.push_str("\" value=\"");
    out.push_str(&html(&encoded));
    out.push_str("\"/>\n");
    if let Some(rs) = relay_state {
        out.push_str(&format!(
            "<input type=\"hidden\" name=\"RelayState\" value=\"{}\"/>\n",
            html(rs)
        ));
    }
    out.push_str("<input type=\"submit\" value=\"Continue\"/>\n</form>\n</body>\n</html>\n");
    out
}

/// Splits `a=b&c=d` into raw (still encoded) pairs. Empty segments (a
/// trailing `&`) are skipped.
fn raw_pairs(s: &str) -> Vec<(&str, &str)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .collect()
}

fn decode_text(raw: &str, what: &str) -> Result<String, Rejection> {
    let bytes = form_decode(raw).ok_or_else(|| {
        Rejection::new(
            Reason::FormEncodingInvalid,
            format!("{what} has a malformed %-escape"),
        )
    })?;
    String::from_utf8(bytes).map_err(|_| {
        Rejection::new(
            Reason::FormEncodingInvalid,
            format!("{what} is not UTF-8 after decoding"),
        )
    })
}

/// The single raw value of `name`, refusing duplicates. Names are
/// compared after decoding, so `SAML%52equest` is still SAMLRequest.
fn single<'a>(pairs: &[(&str, &'a str)], name: &str) -> Result<Option<&'a str>, Rejection> {
    let mut found = None;
    for (k, v) in pairs {
        if form_decode(k).as_deref() == Some(name.as_bytes()) {
            if found.is_some() {
                return Err(Rejection::new(
                    Reason::DuplicateParameter,
                    format!("{name} appears more than once"),
                ));
            }
            found = Some(*v);
        }
    }
    Ok(found)
}

/// Standard base64 with padding; CR/LF allowed between characters.
fn decode_base64_lines(text: &str, what: &str) -> Result<Vec<u8>, Rejection> {
    // Unwrapped base64 (the usual case) is decoded in place.
    let compact: std::borrow::Cow<'_, [u8]> =
        if memchr::memchr2(b'\r', b'\n', text.as_bytes()).is_some() {
            text.bytes()
                .filter(|b| !matches!(b, b'\r' | b'\n'))
                .collect::<Vec<u8>>()
                .into()
        } else {
            text.as_bytes().into()
        };
    b64::decode(&compact).map_err(|e| {
        Rejection::new(
            Reason::Base64Invalid,
            format!("{what} is not standard base64 ({e})"),
        )
    })
}

/// Reads `field` (SAMLResponse or SAMLRequest) and RelayState from an
/// `application/x-www-form-urlencoded` POST body.
pub fn decode_post_form(body: &[u8], field: &str) -> Result<PostMessage, Rejection> {
    if body.len() > ENCODED_MAX {
        return Err(Rejection::new(
            Reason::MessageTooLarge,
            format!(
                "the form body is {} bytes; at most {ENCODED_MAX} are accepted",
                body.len()
            ),
        ));
    }
    let body = std::str::from_utf8(body).map_err(|_| {
        Rejection::new(
            Reason::FormEncodingInvalid,
            "the form body is not ASCII/UTF-8",
        )
    })?;
    let pairs = raw_pairs(body);
    let raw = single(&pairs, field)?.ok_or_else(|| {
        Rejection::new(
            Reason::ParameterMissing,
            format!("the form has no {field} field"),
        )
    })?;
    let text = decode_text(raw, field)?;
    let xml = decode_base64_lines(&text, field)?;
    let relay_state = match single(&pairs, "RelayState")? {
        Some(v) => Some(decode_text(v, "RelayState")?),
        None => None,
    };
    Ok(PostMessage { xml, relay_state })
}

/// Inflates raw DEFLATE (`saml::inflate`), refusing more than `max` bytes
/// of output and any bytes after the final block.
pub fn inflate(data: &[u8], max: usize) -> Result<Vec<u8>, Rejection> {
    use crate::saml::inflate::{Error, Inflated};
    match crate::saml::inflate::inflate(data, max) {
        Ok(Inflated { out, end }) if end == data.len() => Ok(out),
        Ok(Inflated { end, .. }) => Err(Rejection::new(
            Reason::InflateFailed,
            format!(
                "{} bytes follow the end of the DEFLATE stream",
                data.len() - end
            ),
        )),
        Err(Error::TooLarge) => Err(Rejection::new(
            Reason::InflateTooLarge,
            format!("the message inflates to more than {max} bytes"),
        )),
        Err(why) => Err(match looks_wrapped(data) {
            Some(w) => Rejection::new(
                Reason::DeflateWrapperForbidden,
                format!(
                    "the message is {w}-wrapped; SAML Bindings 3.4.4.1 requires raw DEFLATE \
                     (RFC 1951) with no header"
                ),
            ),
            None => Rejection::new(
                Reason::InflateFailed,
                format!("not a valid raw DEFLATE stream ({why})"),
            ),
        }),
    }
}

/// `Some("zlib")` / `Some("gzip")` when `data` starts like those wrappers.
fn looks_wrapped(data: &[u8]) -> Option<&'static str> {
    match data {
        [0x1f, 0x8b, ..] => Some("gzip"),
        // RFC 1950 §2.2: CM = 8 (deflate), CINFO ≤ 7, (CMF·256 + FLG) % 31 == 0.
        [cmf, flg, ..] if cmf & 0x0f == 8 && cmf >> 4 <= 7 => {
            ((u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0).then_some("zlib")
        }
        _ => None,
    }
}

fn sig_alg_digest(uri: &str) -> Result<Hash, Rejection> {
    match uri {
        RSA_SHA256 => Ok(Hash::Sha256),
        RSA_SHA384 => Ok(Hash::Sha384),
        RSA_SHA512 => Ok(Hash::Sha512),
        RSA_SHA1 => Err(Rejection::new(
            Reason::Sha1Forbidden,
            "SigAlg is rsa-sha1; only rsa-sha256/384/512 are accepted",
        )),
        other => Err(Rejection::new(
            Reason::AlgorithmForbidden,
            format!("SigAlg {other:?} is not allowed"),
        )),
    }
}

/// The Redirect-binding URL carrying `xml` as `field`: raw DEFLATE, then
/// base64, then percent-encoding (Bindings 3.4.4.1). When `sign_with` is
/// given, SigAlg is rsa-sha256 and Signature covers the exact octets
/// `field=…&RelayState=…&SigAlg=…`.
pub fn redirect_url(
    endpoint: &str,
    field: &str,
    xml: &str,
    relay_state: Option<&str>,
    sign_with: Option<&SigningKey>,
) -> String {
    let encoded = b64::encode(&deflate(xml.as_bytes()));
    let mut query = format!("{field}={}", percent_encode(&encoded));
    if let Some(rs) = relay_state {
        query.push_str(&format!("&RelayState={}", percent_encode(rs)));
    }
    if let Some(key) = sign_with {
        query.push_str(&format!("&SigAlg={}", percent_encode(RSA_SHA256)));
        let sig = key.sign(Hash::Sha256, query.as_bytes());
        // A loaded 2048+-bit RSA key always signs; an empty Signature
        // would simply fail verification downstream.
        let sig = sig.unwrap_or_default();
        query.push_str(&format!(
            "&Signature={}",
            percent_encode(&b64::encode(&sig))
        ));
    }
    let sep = if endpoint.contains('?') { '&' } else { '?' };
    format!("{endpoint}{sep}{query}")
}

/// Reads `field` from a Redirect-binding query (with or without the
/// leading `?`). With `verify_with`, a Signature and SigAlg are required
/// and must verify under one of the pinned keys over the raw received
/// octets; without it, any signature is left unchecked (`signed: false`).
pub fn decode_redirect(
    raw_query: &str,
    field: &str,
    verify_with: Option<&TrustedKeys>,
) -> Result<RedirectMessage, Rejection> {
    let raw_query = raw_query.strip_prefix('?').unwrap_or(raw_query);
    if raw_query.len() > ENCODED_MAX {
        return Err(Rejection::new(
            Reason::MessageTooLarge,
            format!(
                "the query is {} bytes; at most {ENCODED_MAX} are accepted",
                raw_query.len()
            ),
        ));
    }
    let pairs = raw_pairs(raw_query);
    let raw_msg = single(&pairs, field)?.ok_or_else(|| {
        Rejection::new(
            Reason::ParameterMissing,
            format!("the query has no {field} parameter"),
        )
    })?;
    let raw_relay = single(&pairs, "RelayState")?;
    let raw_sig_alg = single(&pairs, "SigAlg")?;
    let raw_sig = single(&pairs, "Signature")?;

    let mut signed = false;
    if let Some(keys) = verify_with {
        if keys.is_empty() {
            return Err(Rejection::new(
                Reason::NoTrustedKeys,
                "no key is pinned for this peer; nothing can verify",
            ));
        }
        let (Some(raw_sig_alg), Some(raw_sig)) = (raw_sig_alg, raw_sig) else {
            return Err(Rejection::new(
                Reason::SignatureMissing,
                "the query carries no Signature and SigAlg, and this peer must sign",
            ));
        };
        let digest = sig_alg_digest(&decode_text(raw_sig_alg, "SigAlg")?)?;
        let sig = decode_base64_lines(&decode_text(raw_sig, "Signature")?, "Signature")?;
        // Bindings 3.4.4.1: the signed octets, in this order, as received.
        let mut octets = format!("{field}={raw_msg}");
        if let Some(rs) = raw_relay {
            octets.push_str(&format!("&RelayState={rs}"));
        }
        octets.push_str(&format!("&SigAlg={raw_sig_alg}"));
        let ok = keys
            .iter()
            .any(|k| k.verifies(digest, octets.as_bytes(), &sig));
        if !ok {
            return Err(Rejection::new(
                Reason::SignatureInvalid,
                "the query-string Signature does not verify under any pinned key over the octets \
                 as received",
            ));
        }
        signed = true;
    }

    let b64 = decode_text(raw_msg, field)?;
    let deflated = decode_base64_lines(&b64, field)?;
    let xml = inflate(&deflated, INFLATE_MAX)?;
    let relay_state = match raw_relay {
        Some(v) => Some(decode_text(v, "RelayState")?),
        None => None,
    };
    Ok(RedirectMessage {
        xml,
        relay_state,
        signed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::saml::deflate::deflate;
    use crate::saml::deflate::tests::pseudo_random;

    /// Every call starts clean: a message that failed half-way, or was too
    /// large, leaves nothing behind.
    #[test]
    fn every_call_is_independent_of_earlier_failures() {
        let good = b"<samlp:AuthnRequest ID=\"_1\"/>".repeat(20);
        let d = deflate(&good);
        let mut trailing = d.clone();
        trailing.push(0);
        let big = deflate(&vec![b'x'; 10_000]);
        for bad in [&d[..d.len() / 2], &trailing[..], b"\xff\xff\xff", &big[..]] {
            assert!(inflate(bad, 1024).is_err());
            assert_eq!(inflate(&d, 1024).map_err(|e| (bad.len(), e)).unwrap(), good);
        }
    }

    /// Output grows in steps and never past `max` bytes: every size around
    /// the cap and across several growth steps comes out whole, or is
    /// refused as too large, never truncated.
    #[test]
    fn output_sizes_around_the_cap() {
        for n in [0usize, 1, 255, 256, 257, 1000, 4096, 70_000, 200_000] {
            let data = pseudo_random(n, 11);
            let d = deflate(&data);
            assert_eq!(inflate(&d, n).unwrap(), data, "n {n} at cap");
            assert_eq!(inflate(&d, n + 1).unwrap(), data, "n {n} under cap");
            if n > 0 {
                let r = inflate(&d, n - 1).unwrap_err();
                assert_eq!(r.reason, Reason::InflateTooLarge, "n {n} over cap");
            }
        }
    }
}
