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

/// Copies `s` into a new string, replacing each ASCII byte that
/// `replace` names. Every replaced character is ASCII, so the runs between
/// them are copied whole (a UTF-8 continuation byte is never ASCII).
pub(crate) fn escape_bytes(s: &str, replace: impl Fn(u8) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 16);
    escape_into(&mut out, s, |b| replace(b).is_some(), &replace);
    out
}

/// Appends `s` to `out`, replacing each ASCII byte `replace` names
/// (`special` says which bytes those are, as plain comparisons). Runs of
/// 16 bytes with nothing to replace (most of any value) are passed over
/// with one branch-free test.
pub(crate) fn escape_into(
    out: &mut String,
    s: &str,
    special: impl Fn(u8) -> bool,
    replace: impl Fn(u8) -> Option<&'static str>,
) {
    let bytes = s.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(chunk) = bytes.get(i..i + 16) {
            if !chunk.iter().fold(false, |any, &b| any | special(b)) {
                i += 16;
                continue;
            }
        }
        if let Some(r) = replace(bytes[i]) {
            out.push_str(&s[run..i]);
            out.push_str(r);
            run = i + 1;
        }
        i += 1;
    }
    out.push_str(&s[run..]);
}

/// Escapes character data: `&`, `<`, `>` (the last so `]]>` never appears).
pub fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    push_xml_text(&mut out, s);
    out
}

/// [`xml_text`], appended to `out`.
pub fn push_xml_text(out: &mut String, s: &str) {
    escape_into(
        out,
        s,
        |b| (b == b'&') | (b == b'<') | (b == b'>') | (b == b'\r'),
        |b| match b {
            b'&' => Some("&amp;"),
            b'<' => Some("&lt;"),
            b'>' => Some("&gt;"),
            b'\r' => Some("&#xD;"),
            _ => None,
        },
    );
}

/// Escapes a double-quoted attribute value. TAB, LF and CR become
/// character references so attribute-value normalisation (XML 1.0
/// §3.3.3) gives back exactly `s`.
pub fn xml_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    push_xml_attr(&mut out, s);
    out
}

/// [`xml_attr`], appended to `out`.
pub fn push_xml_attr(out: &mut String, s: &str) {
    escape_into(
        out,
        s,
        |b| {
            (b == b'&')
                | (b == b'<')
                | (b == b'>')
                | (b == b'"')
                | (b == b'\t')
                | (b == b'\n')
                | (b == b'\r')
        },
        |b| match b {
            b'&' => Some("&amp;"),
            b'<' => Some("&lt;"),
            b'>' => Some("&gt;"),
            b'"' => Some("&quot;"),
            b'\t' => Some("&#x9;"),
            b'\n' => Some("&#xA;"),
            b'\r' => Some("&#xD;"),
            _ => None,
        },
    );
}

/// Escapes text or a double- or single-quoted attribute value for HTML
/// (SECURITY.md IDP4: the ACS URL, the message and RelayState all go
/// through this before reaching the auto-submit form).
pub fn html(s: &str) -> String {
    // Long values with nothing to escape (a base64 message in a form) are
    // copied after two vectorised scans for the five special bytes.
    let b = s.as_bytes();
    if memchr::memchr3(b'&', b'<', b'>', b).is_none() && memchr::memchr2(b'"', b'\'', b).is_none() {
        return s.to_string();
    }
    escape_bytes(s, |b| match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#39;"),
        _ => None,
    })
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// `%XX` with uppercase hex digits.
fn push_percent(out: &mut String, b: u8) {
    out.push('%');
    out.push(char::from(HEX_UPPER[usize::from(b >> 4)]));
    out.push(char::from(HEX_UPPER[usize::from(b & 0x0f)]));
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
            push_percent(&mut out, b);
        }
    }
    out
}

/// Encodes a value as `application/x-www-form-urlencoded` (WHATWG URL
/// §5.2, the urlencoded byte serializer): ASCII alphanumerics and `*-._`
/// stay, a space is `+`, every other byte is `%XX` with uppercase hex.
/// Byte for byte what `url::form_urlencoded::byte_serialize` gives.
pub fn form_encode_into(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    // Start of the pending run of bytes that stay as they are. A
    // non-empty run holds only ASCII, so both its ends are char boundaries.
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        // The common case (base64 messages) is long runs of kept bytes:
        // skip them with one table lookup per byte.
        while i < bytes.len() && FORM_KEPT[usize::from(bytes[i])] {
            i += 1;
        }
        if i == bytes.len() {
            break;
        }
        let b = bytes[i];
        if run < i {
            out.push_str(&s[run..i]);
        }
        if b == b' ' {
            out.push('+');
        } else {
            push_percent(out, b);
        }
        i += 1;
        run = i;
    }
    if run < bytes.len() {
        out.push_str(&s[run..]);
    }
}

/// The bytes `application/x-www-form-urlencoded` leaves as they are.
const FORM_KEPT: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] =
            matches!(b as u8, b'*' | b'-' | b'.' | b'0'..=b'9' | b'A'..=b'Z' | b'_' | b'a'..=b'z');
        b += 1;
    }
    t
};

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
                let (hi, lo) = (hex_value(hex[0])?, hex_value(hex[1])?);
                out.push(hi << 4 | lo);
                i += 3;
            }
            _ => {
                // Copy the run up to the next `+` or `%` at once.
                let run = memchr::memchr2(b'+', b'%', &b[i..]).map_or(b.len(), |n| i + n);
                out.extend_from_slice(&b[i..run]);
                i = run;
            }
        }
    }
    Some(out)
}

/// The value of one ASCII hex digit.
fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding_matches_the_url_crate_for_every_byte() {
        let all: Vec<u8> = (0..=255u8).collect();
        // Every byte alone and in a run, through a string that holds them
        // (bytes above 0x7F as the UTF-8 of U+0080…U+00FF).
        let text: String = all.iter().map(|&b| char::from(b)).collect();
        let mut ours = String::new();
        form_encode_into(&mut ours, &text);
        let theirs: String = url::form_urlencoded::byte_serialize(text.as_bytes()).collect();
        assert_eq!(ours, theirs);
        assert_eq!(form_decode(&ours).as_deref(), Some(text.as_bytes()));
    }

    #[test]
    fn form_decode_refuses_what_it_refused_before() {
        for bad in ["%", "%4", "%+1", "%-1", "%g0", "a%0"] {
            assert_eq!(form_decode(bad), None, "{bad}");
        }
        assert_eq!(form_decode("a+b%41%7e").as_deref(), Some(&b"a bA~"[..]));
    }
}
