//! A small, tolerant HTML scanner: just enough to find the forms a SAML
//! binding page auto-submits.
//!
//! HTML is not XML: tags and attribute names are case-insensitive, values
//! may be double-quoted, single-quoted or bare, `<input>` has no end tag,
//! and entities such as `&quot;` or `&#x2B;` appear in values. So the strict
//! XML parser (which refuses all of this, by design) is never used here.
//! The scanner never fails: whatever it cannot read it skips.

use crate::saml::escape::form_encode_into;

/// One `<form>` with its named fields, in document order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    /// Uppercase; `GET` when the attribute is missing or unknown (HTML §4.10.18.6).
    pub method: String,
    /// The action as written (entities decoded); `None` means the document's URL.
    pub action: Option<String>,
    pub fields: Vec<(String, String)>,
}

impl Form {
    /// The first field called `name` (names compared exactly, as browsers do).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether this is a SAML binding form (SAML Bindings §3.5.4): POST,
    /// carrying `SAMLResponse` or `SAMLRequest`.
    pub fn is_saml_post(&self) -> bool {
        self.method == "POST"
            && (self.field("SAMLResponse").is_some() || self.field("SAMLRequest").is_some())
    }

    /// The body a browser would send (application/x-www-form-urlencoded).
    pub fn urlencoded(&self) -> String {
        let len: usize = self.fields.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
        let mut out = String::with_capacity(len + len / 8);
        for (i, (k, v)) in self.fields.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            form_encode_into(&mut out, k);
            out.push('=');
            form_encode_into(&mut out, v);
        }
        out
    }
}

/// The first SAML auto-submit form on the page, if any.
pub fn saml_form(html: &str) -> Option<Form> {
    forms(html).into_iter().find(Form::is_saml_post)
}

/// A start or end tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tag {
    /// Lowercase.
    pub name: String,
    pub end: bool,
    /// Lowercase names, decoded values, in source order.
    pub attributes: Vec<(String, String)>,
}

impl Tag {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A piece of the page: a tag or the text between tags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Token {
    Tag(Tag),
    /// Text with entities decoded.
    Text(String),
}

/// Every form on the page. Fields are `<input name=…>` (without a
/// `disabled` attribute; unchecked checkboxes and radios are left out, and
/// so are submit buttons) and `<textarea name=…>`, between the form's start
/// tag and its end tag (or the next form, or the end of the page).
pub fn forms(html: &str) -> Vec<Form> {
    let mut out: Vec<Form> = vec![];
    let mut open = false;
    let mut textarea: Option<(String, String)> = None;
    for t in tokenize(html) {
        match t {
            Token::Tag(tag) if tag.name == "form" && !tag.end => {
                let method = match tag.attr("method").map(str::to_ascii_uppercase) {
                    Some(m) if m == "POST" => "POST".to_string(),
                    _ => "GET".to_string(),
                };
                out.push(Form {
                    method,
                    action: tag.attr("action").map(str::to_string),
                    fields: vec![],
                });
                open = true;
            }
            Token::Tag(tag) if tag.name == "form" && tag.end => open = false,
            Token::Tag(tag) if tag.name == "input" && !tag.end && open => {
                let kind = tag.attr("type").unwrap_or("text").to_ascii_lowercase();
                let skip = tag.attr("disabled").is_some()
                    || matches!(
                        kind.as_str(),
                        "submit" | "button" | "reset" | "image" | "file"
                    )
                    || (matches!(kind.as_str(), "checkbox" | "radio")
                        && tag.attr("checked").is_none());
                if let (Some(name), false) = (tag.attr("name"), skip) {
                    let name = name.to_string();
                    // The tag is ours: move its (first) value out rather
                    // than copying a possibly large SAML message.
                    let mut tag = tag;
                    let value = tag
                        .attributes
                        .iter_mut()
                        .find(|(n, _)| n == "value")
                        .map(|(_, v)| std::mem::take(v))
                        .unwrap_or_default();
                    if let Some(f) = out.last_mut() {
                        f.fields.push((name, value));
                    }
                }
            }
            Token::Tag(tag) if tag.name == "textarea" && !tag.end && open => {
                textarea = tag.attr("name").map(|n| (n.to_string(), String::new()));
            }
            Token::Text(text) => {
                if let Some((_, v)) = textarea.as_mut() {
                    v.push_str(&text);
                }
            }
            Token::Tag(tag) if tag.name == "textarea" && tag.end => {
                if let (Some((name, mut value)), Some(f)) = (textarea.take(), out.last_mut()) {
                    // HTML §13.2.6.4.7: a newline right after <textarea> is dropped.
                    if value.starts_with('\n') {
                        value.remove(0);
                    }
                    f.fields.push((name, value));
                }
            }
            Token::Tag(_) => {}
        }
    }
    out
}

/// Splits a page into tags and text. Comments, doctypes and processing
/// instructions are dropped; the content of `<script>` and `<style>` is
/// skipped (it may contain `<form` in strings); `<textarea>` and `<title>`
/// content is text up to the matching end tag.
pub fn tokenize(html: &str) -> Vec<Token> {
    let b = html.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    let mut text_start = 0;
    let flush = |out: &mut Vec<Token>, from: usize, to: usize| {
        if to > from {
            out.push(Token::Text(decode_entities(&html[from..to])));
        }
    };
    while i < b.len() {
        match memchr::memchr(b'<', &b[i..]) {
            Some(p) => i += p,
            None => break,
        }
        let rest = &html[i..];
        if rest.starts_with("<!--") {
            flush(&mut out, text_start, i);
            i = rest.find("-->").map_or(b.len(), |e| i + e + 3);
            text_start = i;
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            flush(&mut out, text_start, i);
            i = rest.find('>').map_or(b.len(), |e| i + e + 1);
            text_start = i;
            continue;
        }
        let end = rest.starts_with("</");
        let name_at = i + if end { 2 } else { 1 };
        let name_len = b[name_at..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-')
            .count();
        if name_len == 0 || !b[name_at].is_ascii_alphabetic() {
            // A lone '<' is text.
            i += 1;
            continue;
        }
        flush(&mut out, text_start, i);
        let name = html[name_at..name_at + name_len].to_ascii_lowercase();
        let (attributes, after) = scan_attributes(html, name_at + name_len);
        i = after;
        text_start = i;
        let raw = !end && matches!(name.as_str(), "script" | "style" | "textarea" | "title");
        out.push(Token::Tag(Tag {
            name: name.clone(),
            end,
            attributes,
        }));
        if raw {
            // Raw text runs to the first `</name` (case-insensitive).
            let stop = find_end_tag(&b[i..], name.as_bytes()).map_or(b.len(), |e| i + e);
            if matches!(name.as_str(), "textarea" | "title") && stop > i {
                out.push(Token::Text(decode_entities(&html[i..stop])));
            }
            i = stop;
            text_start = i;
        }
    }
    flush(&mut out, text_start, b.len());
    out
}

/// Where `</name` first starts in `b`, ASCII case-insensitively (`name`
/// is lowercase). The same answer as searching a lowercased copy, without
/// copying the rest of the page.
fn find_end_tag(b: &[u8], name: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = memchr::memchr(b'<', &b[from..]) {
        let lt = from + at;
        let rest = &b[lt + 1..];
        if rest.first() == Some(&b'/')
            && rest.len() > name.len()
            && rest[1..=name.len()].eq_ignore_ascii_case(name)
        {
            return Some(lt);
        }
        from = lt + 1;
    }
    None
}

/// Reads attributes from `at` up to and including the tag's `>`; returns
/// them with the index after the tag.
fn scan_attributes(html: &str, mut at: usize) -> (Vec<(String, String)>, usize) {
    let b = html.as_bytes();
    let mut attrs: Vec<(String, String)> = vec![];
    loop {
        while at < b.len() && (b[at].is_ascii_whitespace() || b[at] == b'/') {
            at += 1;
        }
        if at >= b.len() {
            return (attrs, at);
        }
        if b[at] == b'>' {
            return (attrs, at + 1);
        }
        let start = at;
        while at < b.len() && !b[at].is_ascii_whitespace() && !matches!(b[at], b'=' | b'>' | b'/') {
            at += 1;
        }
        // A stray '=' where a name should start is taken as part of the name.
        if at == start {
            at += 1;
        }
        let name = html[start..at].to_ascii_lowercase();
        while at < b.len() && b[at].is_ascii_whitespace() {
            at += 1;
        }
        let mut value = String::new();
        if at < b.len() && b[at] == b'=' {
            at += 1;
            while at < b.len() && b[at].is_ascii_whitespace() {
                at += 1;
            }
            if at < b.len() && (b[at] == b'"' || b[at] == b'\'') {
                let q = b[at];
                let vstart = at + 1;
                // memchr: the value may be a 6 KB base64 SAML message.
                let vend = memchr::memchr(q, &b[vstart..]).map_or(b.len(), |p| vstart + p);
                value = decode_entities(&html[vstart..vend]);
                at = (vend + 1).min(b.len());
            } else {
                let vstart = at;
                while at < b.len() && !b[at].is_ascii_whitespace() && b[at] != b'>' {
                    at += 1;
                }
                value = decode_entities(&html[vstart..at]);
            }
        }
        // HTML §13.2.5.33: a repeated attribute is dropped; the first wins.
        if !attrs.iter().any(|(n, _)| *n == name) {
            attrs.push((name, value));
        }
    }
}

/// Decodes character references: numeric (`&#43;`, `&#x2B;`) and the named
/// ones that occur in form pages. An unknown or malformed reference stays
/// as written, as browsers leave it.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        match decode_one(rest) {
            Some((c, used)) => {
                out.push_str(&c);
                rest = &rest[used..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Decodes one reference at the start of `s` (which starts with `&`).
fn decode_one(s: &str) -> Option<(String, usize)> {
    let body = &s[1..];
    if let Some(num) = body.strip_prefix('#') {
        let (digits, radix, skip) = match num.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16, 3),
            None => (num, 10, 2),
        };
        let len = digits.chars().take_while(|c| c.is_digit(radix)).count();
        if len == 0 {
            return None;
        }
        let n = u32::from_str_radix(&digits[..len], radix).ok()?;
        let c = char::from_u32(n)
            .filter(|c| *c != '\0')
            .unwrap_or('\u{FFFD}');
        let semi = usize::from(digits[len..].starts_with(';'));
        return Some((c.to_string(), skip + len + semi));
    }
    const NAMED: &[(&str, &str)] = &[
        ("amp", "&"),
        ("lt", "<"),
        ("gt", ">"),
        ("quot", "\""),
        ("apos", "'"),
        ("nbsp", "\u{a0}"),
        ("equals", "="),
        ("plus", "+"),
        ("sol", "/"),
        ("colon", ":"),
        ("num", "#"),
        ("percnt", "%"),
        ("quest", "?"),
    ];
    let len = body.chars().take_while(char::is_ascii_alphanumeric).count();
    let name = &body[..len];
    if body[len..].starts_with(';') {
        let (_, value) = NAMED.iter().find(|(n, _)| *n == name)?;
        return Some((value.to_string(), len + 2));
    }
    // Without ';', only the legacy classics are recognised, as a prefix
    // (HTML §13.2.5.73: `&ampy` is `&y`).
    let (n, value) = NAMED.iter().take(4).find(|(n, _)| name.starts_with(n))?;
    Some((value.to_string(), 1 + n.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities() {
        assert_eq!(decode_entities("a&amp;b&#43;c&#x2F;d&quot;"), "a&b+c/d\"");
        assert_eq!(decode_entities("&bogus; & &#;"), "&bogus; & &#;");
        assert_eq!(decode_entities("x&ampy"), "x&y");
    }

    #[test]
    fn script_content_is_not_a_form() {
        let f = forms("<script>var s='<form method=post>';</script><form action=/x></form>");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].action.as_deref(), Some("/x"));
    }

    #[test]
    fn raw_text_ends_at_the_first_end_tag_in_any_case() {
        let t = tokenize("<TITLE>a</b></titles</TiTlE>x<textarea>q&amp;</TEXTAREA");
        let texts: Vec<&str> = t
            .iter()
            .filter_map(|t| match t {
                Token::Text(s) => Some(s.as_str()),
                Token::Tag(_) => None,
            })
            .collect();
        // `</titles` also starts with `</title`, as a browser's scan sees it.
        assert_eq!(texts, ["a</b>", "x", "q&"]);
        assert_eq!(find_end_tag(b"ab</Ti", b"title"), None);
        assert_eq!(find_end_tag(b"<</TITLE", b"title"), Some(1));
    }

    #[test]
    fn a_saml_form_keeps_its_value() {
        let f = forms("<form method=post action=/acs><input type=hidden name=SAMLResponse value=\"a&amp;b\" value=c></form>");
        assert_eq!(
            f[0].fields,
            [("SAMLResponse".to_string(), "a&b".to_string())]
        );
    }
}
