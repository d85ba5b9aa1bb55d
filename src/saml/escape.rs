//! Escaping for the XML and HTML we write, and percent-encoding for the
//! Redirect binding. Writers check their input: a character XML 1.0
//! cannot carry is refused rather than silently dropped.

use crate::saml::reason::SamlError;
use crate::saml::xml::is_xml_char;

/// Refuses text XML 1.0 cannot carry (NUL, most C0 controls, U+FFFE…).
pub fn check_xml_text(what: &str, s: &str) -> Result<(), SamlError> {
    match s.chars().find(|c| !is_xml_char(*c)) {
        Some(c) => Err(SamlError::Invalid(format!(
            "{what} holds U+{:04X}, which XML 1.0 cannot carry",
            c as u32
        ))),
        None => Ok(()),
    }
}

/// Escapes character data: `&`, `<`, `>` (the last so `]]>` never appears).
pub fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes a double-quoted attribute value. TAB, LF and CR become
/// character references so attribute-value normalisation (XML 1.0
/// §3.3.3) gives back exactly `s`.
pub fn xml_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text or a double- or single-quoted attribute value for HTML
/// (SECURITY.md IDP4: the ACS URL, the message and RelayState all go
/// through this before reaching the auto-submit form).
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Percent-encodes everything but RFC 3986 unreserved characters, with
/// uppercase hex digits (RFC 3986 §2.1 recommends uppercase). A space is
/// `%20`, never `+`.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `application/x-www-form-urlencoded` octets (WHATWG URL §5.1):
/// `+` is a space and `%XX` a byte. A `%` not followed by two hex digits
/// is refused (`None`) instead of being passed through.
pub fn form_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                // Exactly two hex digits (`from_str_radix` alone would
                // also take a sign, as in `%+1`).
                let hex = b.get(i + 1..i + 3)?;
                if !hex.iter().all(u8::is_ascii_hexdigit) {
                    return None;
                }
                out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
                i += 3;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Some(out)
}
