//! The strict parser itself: quick-xml events → [`Document`], with every
//! well-formedness, namespace and profile rule applied on the way.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use quick_xml::events::Event;
use quick_xml::Reader;

use super::{
    Attribute, Document, Element, ElementSpan, NamespaceDecl, Node, NodeId, NodeKind, ParseOptions,
    XmlError, XmlErrorKind, XMLNS_NS, XML_NS, XML_NS_NAME, XML_PREFIX,
};

/// XML 1.0 §2.2 `Char`: TAB, LF, CR, and U+0020 upwards except surrogates
/// (which a Rust `char` cannot hold) and U+FFFE, U+FFFF.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// XML 1.0 (5th ed.) §2.3 `NameStartChar`, without the colon (NCName).
fn is_name_start_char(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

/// XML 1.0 (5th ed.) §2.3 `NameChar`, without the colon.
fn is_name_char(c: char) -> bool {
    is_name_start_char(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// Namespaces in XML 1.0 §3 `NCName`. ASCII bytes are judged as bytes
/// (the same rules restricted to ASCII); from the first non-ASCII byte on,
/// characters are decoded and checked.
pub fn is_ncname(s: &str) -> bool {
    let bytes = s.as_bytes();
    match bytes.first() {
        None => false,
        Some(&b) if b >= 0x80 => is_ncname_chars(s),
        Some(&b) if !(b.is_ascii_alphabetic() || b == b'_') => false,
        Some(_) => match bytes.iter().position(|&b| !ASCII_NAME_CHAR[usize::from(b)]) {
            None => true,
            Some(i) if bytes[i] >= 0x80 => s[i..].chars().all(is_name_char),
            Some(_) => false,
        },
    }
}

/// The ASCII bytes `NameChar` allows (colon aside); every byte from 0x80
/// up is `false`, so a scan stops there and decodes the rest.
const ASCII_NAME_CHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x80 {
        t[b] = matches!(b as u8, b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'.');
        b += 1;
    }
    t
};

/// `NCName` by the character rules alone.
fn is_ncname_chars(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if is_name_start_char(c) => chars.all(is_name_char),
        _ => false,
    }
}

/// Splits `p:l` into (Some(p), l), or `l` into (None, l), checking both
/// parts are NCNames.
fn split_qname(q: &str) -> Option<(Option<&str>, &str)> {
    match q.bytes().position(|b| b == b':') {
        Some(i) => {
            let (p, l) = (&q[..i], &q[i + 1..]);
            (is_ncname(p) && is_ncname(l)).then_some((Some(p), l))
        }
        None => is_ncname(q).then_some((None, q)),
    }
}

/// A namespace name must be an absolute URI (C14N 1.0 §2: canonicalising
/// a relative namespace URI fails, so such a document is refused at parse
/// time). The strict profile also refuses characters that never occur in a
/// URI reference (RFC 3986 §2; non-ASCII, controls, spaces, `"<>\^`{|}`),
/// `[` `]` (IP literals never name a namespace) and `&`, so a namespace declaration always renders the same in every
/// c14n library (libxml2 also refuses non-ASCII namespace names).
fn check_namespace_uri(uri: &str) -> Result<(), String> {
    let scheme_end = uri
        .find(':')
        .ok_or_else(|| format!("namespace name {uri:?} is not an absolute URI"))?;
    let scheme = &uri[..scheme_end];
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok {
        return Err(format!("namespace name {uri:?} is not an absolute URI"));
    }
    if let Some(c) = uri.chars().find(|c| {
        !c.is_ascii_graphic()
            || matches!(
                c,
                '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}' | '&' | '[' | ']'
            )
    }) {
        return Err(format!("namespace name {uri:?} contains {c:?}"));
    }
    // RFC 3986 §2.1 percent-encoding and §3.5: one fragment at most.
    let bytes = uri.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'%'
            && !(bytes.len() > i + 2
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit())
        {
            return Err(format!("namespace name {uri:?} has a bad percent-escape"));
        }
    }
    if uri.matches('#').count() > 1 {
        return Err(format!("namespace name {uri:?} has two fragments"));
    }
    Ok(())
}

/// The first character XML 1.0 §2.2 does not allow, with its byte
/// offset. Runs of 16 printable ASCII bytes (nearly every SAML message)
/// are passed over at once; other ASCII is judged byte by byte (only C0
/// controls other than TAB, LF and CR are out); other characters are
/// decoded and checked.
fn first_non_xml_char(text: &str) -> Option<(usize, char)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if let Some(chunk) = bytes.get(i..i + 16) {
            // No early exit, so the compiler can test all 16 at once.
            let printable = chunk
                .iter()
                .fold(true, |ok, &b| ok & (0x20..0x80).contains(&b));
            if printable {
                i += 16;
                continue;
            }
        }
        let b = bytes[i];
        if b < 0x80 {
            if b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r') {
                return Some((i, char::from(b)));
            }
            i += 1;
        } else {
            let c = text[i..].chars().next()?;
            if !is_xml_char(c) {
                return Some((i, c));
            }
            i += c.len_utf8();
        }
    }
    None
}

/// XML 1.0 §2.11: CRLF and lone CR become LF. Text without a CR (nearly
/// all of it) is returned as it is.
fn normalize_eol(s: &str) -> Cow<'_, str> {
    if !s.as_bytes().contains(&b'\r') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Resolves the body of `&…;`: the five predefined entities (XML 1.0 §4.6)
/// and character references (§4.1). Anything else names an entity that
/// only a DTD could declare, and DTDs are refused.
fn resolve_reference(name: &str) -> Result<char, (XmlErrorKind, String)> {
    let c = match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => {
            let code = if let Some(hex) = name.strip_prefix("#x") {
                if hex.is_empty() || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                    return Err((
                        XmlErrorKind::Malformed,
                        format!("bad character reference &{name};"),
                    ));
                }
                u32::from_str_radix(hex, 16).ok()
            } else if let Some(dec) = name.strip_prefix('#') {
                if dec.is_empty() || !dec.chars().all(|c| c.is_ascii_digit()) {
                    return Err((
                        XmlErrorKind::Malformed,
                        format!("bad character reference &{name};"),
                    ));
                }
                dec.parse::<u32>().ok()
            } else {
                return Err((
                    XmlErrorKind::UndefinedEntity,
                    format!("entity &{name}; is not one of the five predefined entities"),
                ));
            };
            match code.and_then(char::from_u32) {
                Some(c) if is_xml_char(c) => c,
                _ => {
                    return Err((
                        XmlErrorKind::InvalidChar,
                        format!("character reference &{name}; is not an XML Char"),
                    ))
                }
            }
        }
    };
    Ok(c)
}

/// Attribute-value normalisation for CDATA attributes (XML 1.0 §3.3.3):
/// references are expanded, each literal whitespace character (after EOL
/// normalisation, so CRLF counts once) becomes a space. `<` is forbidden.
fn normalize_attribute_value(raw: &str) -> Result<Cow<'_, str>, (XmlErrorKind, String)> {
    // Nothing to expand, replace or refuse: the value is its own result.
    // 16 bytes at a time, with no early exit inside a chunk, so the
    // compiler can test them at once.
    let acted_on = |b: u8| matches!(b, b'<' | b'&' | b'\r' | b'\n' | b'\t');
    let mut chunks = raw.as_bytes().chunks_exact(16);
    let found = chunks
        .by_ref()
        .any(|c| c.iter().fold(false, |f, &b| f | acted_on(b)))
        || chunks.remainder().iter().any(|&b| acted_on(b));
    if !found {
        return Ok(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => return Err((XmlErrorKind::Malformed, "'<' in an attribute value".into())),
            '&' => {
                let end = rest.find(';').ok_or((
                    XmlErrorKind::Malformed,
                    "unterminated reference in an attribute value".to_string(),
                ))?;
                out.push(resolve_reference(&rest[1..end])?);
                rest = &rest[end + 1..];
                continue;
            }
            '\r' => {
                out.push(' ');
                if rest[1..].starts_with('\n') {
                    rest = &rest[2..];
                    continue;
                }
            }
            '\n' | '\t' => out.push(' '),
            _ => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    Ok(Cow::Owned(out))
}

/// The parser state for one document.
pub(super) struct Parser {
    nodes: Vec<Node>,
    /// Open elements, innermost last.
    open: Vec<NodeId>,
    /// Open elements that declare namespaces, innermost last: their
    /// `namespace_decls` are the bindings in scope.
    scope: Vec<NodeId>,
    /// How many bindings the elements in `scope` make.
    bindings: usize,
    root: Option<NodeId>,
}

/// The most nodes a parse reserves room for before it starts (beyond
/// that the vector grows as usual).
const NODES_PRESIZE_MAX: usize = 4096;

impl Parser {
    pub(super) fn run(input: &[u8], options: &ParseOptions) -> Result<Document, XmlError> {
        use XmlErrorKind as K;
        if input.len() > options.max_bytes {
            return Err(XmlError::new(
                K::TooLarge,
                options.max_bytes,
                format!(
                    "{} bytes exceed the limit of {}",
                    input.len(),
                    options.max_bytes
                ),
            ));
        }
        if input.starts_with(&[0xEF, 0xBB, 0xBF]) {
            return Err(XmlError::new(
                K::BomForbidden,
                0,
                "a byte-order mark precedes the document",
            ));
        }
        if input.starts_with(&[0xFF, 0xFE])
            || input.starts_with(&[0xFE, 0xFF])
            || input.starts_with(&[0, b'<'])
            || input.starts_with(&[b'<', 0])
        {
            return Err(XmlError::new(
                K::NotUtf8,
                0,
                "the document is UTF-16, only UTF-8 is accepted",
            ));
        }
        let text = std::str::from_utf8(input).map_err(|e| {
            XmlError::new(
                K::NotUtf8,
                e.valid_up_to(),
                "the document is not valid UTF-8",
            )
        })?;
        if let Some((i, c)) = first_non_xml_char(text) {
            return Err(XmlError::new(
                K::InvalidChar,
                i,
                format!("U+{:04X} is not an XML 1.0 character", c as u32),
            ));
        }

        // A protocol message has about one node per `<` (an element's
        // start and end tags, a text node in between or none): room for
        // that many, capped, as input is untrusted; a vector of more
        // nodes grows as usual.
        let tags = memchr::memchr_iter(b'<', text.as_bytes()).count();
        let mut p = Parser {
            nodes: Vec::with_capacity((tags + 1).min(NODES_PRESIZE_MAX)),
            open: Vec::new(),
            scope: Vec::new(),
            bindings: 0,
            root: None,
        };
        let mut reader = Reader::from_str(text);
        {
            let cfg = reader.config_mut();
            cfg.check_comments = true;
            cfg.check_end_names = true;
            cfg.expand_empty_elements = false;
            cfg.allow_dangling_amp = false;
            cfg.allow_unmatched_ends = false;
            cfg.trim_text(false);
        }
        let mut first = true;
        loop {
            let pos = reader.buffer_position() as usize;
            let event = reader.read_event().map_err(|e| {
                let at = reader.error_position() as usize;
                map_quick_xml_error(&e, at)
            })?;
            let after = reader.buffer_position() as usize;
            let was_first = first;
            first = false;
            match event {
                Event::Decl(d) => {
                    if !was_first || pos != 0 {
                        return Err(XmlError::new(
                            K::XmlDeclarationInvalid,
                            pos,
                            "an XML declaration may only open the document",
                        ));
                    }
                    let _ = d;
                    check_declaration(&text[pos..after])
                        .map_err(|(k, m)| XmlError::new(k, pos, m))?;
                }
                Event::DocType(_) => {
                    return Err(XmlError::new(
                        K::DoctypeForbidden,
                        pos,
                        "a DOCTYPE (and so any entity declaration) is refused",
                    ))
                }
                Event::PI(pi) => {
                    return Err(XmlError::new(
                        K::ProcessingInstructionForbidden,
                        pos,
                        format!("processing instruction <?{}?> is refused", pi.target()),
                    ))
                }
                Event::CData(_) => {
                    return Err(XmlError::new(
                        K::CdataForbidden,
                        pos,
                        "CDATA sections are refused in protocol messages",
                    ))
                }
                Event::Comment(c) => {
                    let body = c.into_inner();
                    // XML 1.0 §2.5: "--" may not occur in a comment, and a
                    // comment may not end in "-" ("--->").
                    if body.contains("--") || body.ends_with('-') {
                        return Err(XmlError::new(
                            K::InvalidComment,
                            pos,
                            "'--' inside a comment",
                        ));
                    }
                    if let Some(&parent) = p.open.last() {
                        p.push_child(parent, NodeKind::Comment(normalize_eol(&body).into_owned()));
                    }
                }
                Event::Text(t) => {
                    let raw = t.into_inner();
                    match p.open.last() {
                        None => {
                            if !raw.chars().all(|c| matches!(c, ' ' | '\t' | '\r' | '\n')) {
                                return Err(XmlError::new(
                                    K::ContentOutsideRoot,
                                    pos,
                                    "text outside the root element",
                                ));
                            }
                        }
                        Some(&parent) => {
                            // XML 1.0 §2.4: "]]>" may not appear in content.
                            if raw.contains("]]>") {
                                return Err(XmlError::new(K::Malformed, pos, "']]>' in text"));
                            }
                            p.push_text(parent, &normalize_eol(&raw));
                        }
                    }
                }
                Event::GeneralRef(r) => {
                    let Some(&parent) = p.open.last() else {
                        return Err(XmlError::new(
                            K::ContentOutsideRoot,
                            pos,
                            "a reference outside the root element",
                        ));
                    };
                    let name = r.into_inner();
                    let c = resolve_reference(&name).map_err(|(k, d)| XmlError::new(k, pos, d))?;
                    p.push_text(parent, c.encode_utf8(&mut [0u8; 4]));
                }
                Event::Start(s) => {
                    p.start_element(&s, pos..after, false, options)?;
                }
                Event::Empty(s) => {
                    let id = p.start_element(&s, pos..after, true, options)?;
                    p.end_element(id, after);
                }
                Event::End(_) => {
                    let Some(&id) = p.open.last() else {
                        return Err(XmlError::new(
                            K::MismatchedEndTag,
                            pos,
                            "end tag without a start tag",
                        ));
                    };
                    p.end_element(id, after);
                }
                Event::Eof => break,
            }
        }
        if let Some(&open) = p.open.last() {
            let name = p.element_qname(open);
            return Err(XmlError::new(
                K::Malformed,
                text.len(),
                format!("element <{name}> is never closed"),
            ));
        }
        if p.root.is_none() {
            return Err(XmlError::new(
                K::NoRoot,
                text.len(),
                "the document has no element",
            ));
        }
        Ok(Document::from_nodes(p.nodes, text.to_string()))
    }

    fn element_qname(&self, id: NodeId) -> String {
        match &self.nodes[id.0].kind {
            NodeKind::Element(e) => e.qname(),
            _ => String::new(),
        }
    }

    fn push_child(&mut self, parent: NodeId, kind: NodeKind) -> NodeId {
        let id = NodeId(self.nodes.len());
        self.nodes.push(Node::new(Some(parent), kind));
        id
    }

    fn push_text(&mut self, parent: NodeId, s: &str) {
        Document::push_text(&mut self.nodes, parent, s);
    }

    /// The prefix and URI bound to `prefix` (`None` for the default
    /// namespace, whose URI may be empty: undeclared), shared with the
    /// declaration that binds it: the `xml` prefix's own, or one in `own`,
    /// the declarations of the element being opened, or else in the
    /// innermost open element that binds it.
    fn resolve(
        &self,
        own: &[NamespaceDecl],
        prefix: Option<&str>,
    ) -> Option<(Option<Arc<str>>, Arc<str>)> {
        if prefix == Some("xml") {
            return Some((Some(XML_PREFIX.clone()), XML_NS_NAME.clone()));
        }
        self.lookup(own, prefix.unwrap_or(""))
            .map(|d| (d.prefix.clone(), d.uri.clone()))
    }

    /// The declaration of `prefix` (`""`: the default namespace) in `own`
    /// or else in the innermost open element that makes one.
    fn lookup<'s>(&'s self, own: &'s [NamespaceDecl], prefix: &str) -> Option<&'s NamespaceDecl> {
        let binds = |d: &&NamespaceDecl| d.prefix.as_deref().unwrap_or("") == prefix;
        own.iter().rev().find(binds).or_else(|| {
            self.scope
                .iter()
                .rev()
                .filter_map(|&id| match &self.nodes[id.0].kind {
                    NodeKind::Element(e) => Some(e),
                    _ => None,
                })
                .find_map(|e| e.namespace_decls.iter().rev().find(binds))
        })
    }

    fn start_element(
        &mut self,
        s: &quick_xml::events::BytesStart<'_>,
        start_tag: Range<usize>,
        self_closing: bool,
        options: &ParseOptions,
    ) -> Result<NodeId, XmlError> {
        use XmlErrorKind as K;
        let pos = start_tag.start;
        if self.open.is_empty() && self.root.is_some() {
            return Err(XmlError::new(
                K::MultipleRoots,
                pos,
                "a second root element",
            ));
        }
        if self.open.len() + 1 > options.max_depth {
            return Err(XmlError::new(
                K::TooDeep,
                pos,
                format!("elements nest deeper than {}", options.max_depth),
            ));
        }
        let qname = s.name().0;
        let (prefix, local) = split_qname(qname).ok_or_else(|| {
            XmlError::new(
                K::InvalidName,
                pos,
                format!("invalid element name {qname:?}"),
            )
        })?;
        if prefix == Some("xmlns") {
            return Err(XmlError::new(
                K::InvalidNamespace,
                pos,
                "the xmlns prefix names no element",
            ));
        }

        // XML 1.0 §3.1 [40]: attributes are separated by whitespace, which
        // quick-xml does not insist on (`<a b="1"c="2"/>`).
        check_attribute_separators(s.attributes_raw())
            .map_err(|d| XmlError::new(K::Malformed, pos, d))?;

        // One pass over the attributes: quick-xml refuses literal
        // duplicates. Namespace declarations are collected; other
        // attributes are split into prefix and local name and resolved
        // once every declaration is known, as declarations scope over
        // this element's own name and attributes (Namespaces in XML 1.0
        // §6.1). Refusals come in the order of the checks below: every
        // attribute's syntax and value, the count, the declarations, the
        // element's prefix, then each other attribute's name, prefix and
        // expanded name in source order.
        let mut count = 0;
        let mut decls: Vec<NamespaceDecl> = Vec::new();
        let mut attributes: Vec<Attribute> = Vec::new();
        // Each attribute's prefix as written, until it is resolved.
        let mut attribute_prefixes: Vec<Option<&str>> = Vec::new();
        // The first attribute name that is not a QName: refused after the
        // attributes before it are resolved.
        let mut bad_name: Option<String> = None;
        for a in s.attributes() {
            let a = a.map_err(|e| map_attr_error(&e, pos))?;
            let value =
                normalize_attribute_value(&a.value).map_err(|(k, d)| XmlError::new(k, pos, d))?;
            count += 1;
            let key = a.key.0;
            let decl_prefix = if key == "xmlns" {
                None
            } else if let Some(p) = key.strip_prefix("xmlns:") {
                Some(p)
            } else {
                if bad_name.is_none() {
                    match split_qname(key) {
                        Some((aprefix, alocal)) => {
                            attribute_prefixes.push(aprefix);
                            attributes.push(Attribute {
                                prefix: None,
                                local: alocal.to_string(),
                                namespace: None,
                                value: value.into_owned(),
                            });
                        }
                        None => bad_name = Some(key.to_string()),
                    }
                }
                continue;
            };
            decls.push(NamespaceDecl {
                prefix: decl_prefix.map(Arc::from),
                uri: Arc::from(value),
            });
        }

        if count > options.max_attributes {
            return Err(XmlError::new(
                K::TooManyAttributes,
                pos,
                format!(
                    "more than {} attributes on one element",
                    options.max_attributes
                ),
            ));
        }

        let mut declares_xml = false;
        for NamespaceDecl { prefix, uri: value } in &decls {
            let bad = |d: String| XmlError::new(K::InvalidNamespace, pos, d);
            if let Some(p) = prefix.as_deref() {
                if !is_ncname(p) {
                    return Err(XmlError::new(
                        K::InvalidName,
                        pos,
                        format!("invalid prefix {p:?}"),
                    ));
                }
                if p == "xmlns" {
                    return Err(bad("the xmlns prefix may not be declared".into()));
                }
                if p == "xml" {
                    if **value != *XML_NS {
                        return Err(bad(
                            "the xml prefix may only be bound to its own namespace".into()
                        ));
                    }
                    declares_xml = true;
                    continue;
                }
                if value.is_empty() {
                    // Namespaces in XML 1.0 §5: a prefix cannot be undeclared.
                    return Err(bad(format!("xmlns:{p}=\"\" undeclares a prefix")));
                }
            }
            if **value == *XML_NS || **value == *XMLNS_NS {
                return Err(bad(format!("{value} may not be bound to another prefix")));
            }
            if !value.is_empty() {
                check_namespace_uri(value).map_err(bad)?;
            }
        }
        if declares_xml {
            // Declaring xml to its own URI is allowed and changes nothing.
            decls.retain(|d| d.prefix.as_deref() != Some("xml"));
        }
        if self.bindings + decls.len() > options.max_namespaces {
            return Err(XmlError::new(
                K::TooManyNamespaces,
                pos,
                format!(
                    "more than {} namespace bindings in scope",
                    options.max_namespaces
                ),
            ));
        }

        let (element_prefix, namespace) = match prefix {
            Some(p) => {
                let (bound, uri) = self.resolve(&decls, prefix).ok_or_else(|| {
                    XmlError::new(K::UnboundPrefix, pos, format!("prefix {p:?} is not bound"))
                })?;
                (bound, Some(uri))
            }
            None => (
                None,
                self.resolve(&decls, None)
                    .map(|(_, uri)| uri)
                    .filter(|u| !u.is_empty()),
            ),
        };

        // The two lists are pushed together, one entry per attribute.
        for (i, &written) in attribute_prefixes.iter().enumerate() {
            let (done, rest) = attributes.split_at_mut(i);
            let a = &mut rest[0];
            if let Some(p) = written {
                let (bound, uri) = self.resolve(&decls, Some(p)).ok_or_else(|| {
                    XmlError::new(K::UnboundPrefix, pos, format!("prefix {p:?} is not bound"))
                })?;
                a.prefix = bound;
                a.namespace = Some(uri);
            }
            // Namespaces in XML 1.0 §6.3: no two attributes with the same
            // expanded name (a:x and b:x bound to one URI).
            if done
                .iter()
                .any(|b| b.local == a.local && b.namespace == a.namespace)
            {
                return Err(XmlError::new(
                    K::DuplicateAttribute,
                    pos,
                    format!(
                        "attribute {:?} repeats an attribute of the same expanded name",
                        qname_of(a)
                    ),
                ));
            }
        }
        if let Some(key) = bad_name {
            return Err(XmlError::new(
                K::InvalidName,
                pos,
                format!("invalid attribute name {key:?}"),
            ));
        }

        let element = Element {
            prefix: element_prefix,
            local: local.to_string(),
            namespace,
            attributes,
            namespace_decls: decls,
            span: ElementSpan {
                start_tag: start_tag.clone(),
                end: start_tag.end,
                self_closing,
            },
        };
        let declares = !element.namespace_decls.is_empty();
        self.bindings += element.namespace_decls.len();
        let id = match self.open.last() {
            Some(&parent) => self.push_child(parent, NodeKind::Element(element)),
            None => {
                let id = NodeId(self.nodes.len());
                self.nodes.push(Node::new(None, NodeKind::Element(element)));
                self.root = Some(id);
                id
            }
        };
        if declares {
            self.scope.push(id);
        }
        self.open.push(id);
        Ok(id)
    }

    fn end_element(&mut self, id: NodeId, end: usize) {
        self.open.pop();
        if let NodeKind::Element(e) = &mut self.nodes[id.0].kind {
            e.span.end = end;
            if self.scope.last() == Some(&id) {
                self.scope.pop();
                self.bindings -= e.namespace_decls.len();
            }
        }
    }
}

/// XML 1.0 §2.8 [23]–[25], [80], [32]: `<?xml version="1.0"` then
/// optionally `encoding` and `standalone`, in that order, nothing else
/// (quick-xml lets unknown pseudo-attributes through). Only version 1.0
/// and the UTF-8 encoding are accepted.
fn check_declaration(decl: &str) -> Result<(), (XmlErrorKind, String)> {
    let bad = |m: &str| (XmlErrorKind::XmlDeclarationInvalid, m.to_string());
    let body = decl
        .strip_prefix("<?xml")
        .and_then(|b| b.strip_suffix("?>"))
        .ok_or_else(|| bad("not an XML declaration"))?;
    let is_space = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n');
    let mut rest = body;
    let mut seen = Vec::new();
    loop {
        let trimmed = rest.trim_start_matches(is_space);
        if trimmed.is_empty() {
            break;
        }
        if trimmed.len() == rest.len() {
            return Err(bad("pseudo-attributes must be separated by whitespace"));
        }
        let name_end = trimmed
            .find(|c: char| !c.is_ascii_lowercase())
            .unwrap_or(trimmed.len());
        let name = &trimmed[..name_end];
        let after_name = trimmed[name_end..].trim_start_matches(is_space);
        let after_eq = after_name
            .strip_prefix('=')
            .ok_or_else(|| bad("expected '=' in the XML declaration"))?
            .trim_start_matches(is_space);
        let quote = after_eq
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'')
            .ok_or_else(|| bad("expected a quoted value in the XML declaration"))?;
        let value_end = after_eq[1..]
            .find(quote)
            .ok_or_else(|| bad("unterminated value in the XML declaration"))?;
        let value = &after_eq[1..1 + value_end];
        rest = &after_eq[value_end + 2..];
        seen.push(name);
        match (seen.as_slice(), name) {
            (["version"], _) => {
                if value != "1.0" {
                    return Err(bad(&format!("XML version {value:?} is not 1.0")));
                }
            }
            (["version", "encoding"], _) => {
                let well_formed = value
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
                    && value
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
                if !well_formed {
                    return Err(bad(&format!("encoding name {value:?} is malformed")));
                }
                if !value.eq_ignore_ascii_case("UTF-8") {
                    return Err((
                        XmlErrorKind::NotUtf8,
                        format!("declared encoding {value:?}: only UTF-8 is accepted"),
                    ));
                }
            }
            (["version", "standalone"] | ["version", "encoding", "standalone"], _) => {
                if value != "yes" && value != "no" {
                    return Err(bad(&format!("standalone {value:?} is not yes or no")));
                }
            }
            _ => return Err(bad(&format!("unexpected {name:?} in the XML declaration"))),
        }
    }
    if seen.first() != Some(&"version") {
        return Err(bad("the XML declaration has no version"));
    }
    Ok(())
}

/// Requires whitespace (or the end of the tag) after every quoted value.
/// Quotes and separators are ASCII, so the scan is over bytes (a UTF-8
/// continuation byte never equals one of them): from each opening quote
/// to the same quote closing it.
fn check_attribute_separators(raw: &str) -> Result<(), String> {
    let bytes = raw.as_bytes();
    let mut i = 0;
    while let Some(open) = memchr::memchr2(b'"', b'\'', &bytes[i..]) {
        let open = i + open;
        let Some(close) = memchr::memchr(bytes[open], &bytes[open + 1..]) else {
            break;
        };
        i = open + 1 + close + 1;
        if let Some(&next) = bytes.get(i) {
            if !matches!(next, b' ' | b'\t' | b'\r' | b'\n' | b'/') {
                let next = raw[i..].chars().next().unwrap_or('\u{FFFD}');
                return Err(format!(
                    "no whitespace before {next:?} after an attribute value"
                ));
            }
        }
    }
    Ok(())
}

/// An attribute's name as written.
fn qname_of(a: &Attribute) -> String {
    match &a.prefix {
        Some(p) => format!("{p}:{}", a.local),
        None => a.local.clone(),
    }
}

fn map_attr_error(e: &quick_xml::events::attributes::AttrError, pos: usize) -> XmlError {
    use quick_xml::events::attributes::AttrError;
    match e {
        AttrError::Duplicated(..) => {
            XmlError::new(XmlErrorKind::DuplicateAttribute, pos, e.to_string())
        }
        _ => XmlError::new(XmlErrorKind::Malformed, pos, e.to_string()),
    }
}

fn map_quick_xml_error(e: &quick_xml::Error, at: usize) -> XmlError {
    use quick_xml::errors::IllFormedError;
    use quick_xml::Error;
    let kind = match e {
        Error::IllFormed(IllFormedError::MismatchedEndTag { .. })
        | Error::IllFormed(IllFormedError::UnmatchedEndTag(_))
        | Error::IllFormed(IllFormedError::MissingEndTag(_)) => XmlErrorKind::MismatchedEndTag,
        Error::IllFormed(IllFormedError::DoubleHyphenInComment) => XmlErrorKind::InvalidComment,
        Error::IllFormed(IllFormedError::MissingDeclVersion(_))
        | Error::IllFormed(IllFormedError::UnknownVersion) => XmlErrorKind::XmlDeclarationInvalid,
        Error::IllFormed(IllFormedError::MissingDoctypeName) => XmlErrorKind::DoctypeForbidden,
        Error::InvalidAttr(quick_xml::events::attributes::AttrError::Duplicated(..)) => {
            XmlErrorKind::DuplicateAttribute
        }
        Error::Encoding(_) => XmlErrorKind::NotUtf8,
        _ => XmlErrorKind::Malformed,
    };
    XmlError::new(kind, at, e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_values_are_normalised_per_xml_1_0_s3_3_3() {
        assert_eq!(
            normalize_attribute_value("a\r\nb\tc&#xA;d&amp;").unwrap(),
            "a b c\nd&"
        );
    }

    /// The 16-byte scan finds a byte to normalise at every offset around
    /// the chunk edges.
    #[test]
    fn attribute_values_are_normalised_at_every_offset() {
        for len in [1usize, 15, 16, 17, 31, 32, 33, 70] {
            let clean = "a".repeat(len);
            assert!(matches!(
                normalize_attribute_value(&clean),
                Ok(Cow::Borrowed(_))
            ));
            for at in 0..len {
                for (raw, want) in [("\t", " "), ("\n", " "), ("\r", " "), ("&#x41;", "A")] {
                    let mut t = clean.clone();
                    t.replace_range(at..at + 1, raw);
                    let mut w = clean.clone();
                    w.replace_range(at..at + 1, want);
                    assert_eq!(
                        normalize_attribute_value(&t).unwrap(),
                        w,
                        "len {len} at {at}"
                    );
                }
                let mut t = clean.clone();
                t.replace_range(at..at + 1, "<");
                assert!(normalize_attribute_value(&t).is_err(), "len {len} at {at}");
            }
        }
    }

    /// The 16-byte fast path must not hide a bad character anywhere in
    /// or after a chunk, nor report a wrong offset.
    #[test]
    fn non_xml_characters_are_found_at_every_offset() {
        for len in [0usize, 1, 15, 16, 17, 31, 32, 33, 70] {
            let clean = "a".repeat(len);
            assert_eq!(first_non_xml_char(&clean), None, "len {len}");
            for at in 0..len {
                for bad in ['\u{1}', '\u{1F}', '\u{FFFE}'] {
                    let mut t = clean.clone();
                    t.replace_range(at..at + 1, &bad.to_string());
                    assert_eq!(first_non_xml_char(&t), Some((at, bad)), "len {len} at {at}");
                }
                // Allowed controls and non-ASCII characters pass.
                for good in ['\t', '\n', '\r', '\u{7F}', 'é', '\u{10000}'] {
                    let mut t = clean.clone();
                    t.replace_range(at..at + 1, &good.to_string());
                    assert_eq!(first_non_xml_char(&t), None, "len {len} at {at} {good:?}");
                }
            }
        }
    }

    /// The byte fast path of `is_ncname` agrees with the character rules.
    #[test]
    fn ncname_fast_path_matches_char_rules() {
        for b in 0u8..0x80 {
            let c = char::from(b);
            for s in [
                c.to_string(),
                format!("a{c}"),
                format!("a{c}b"),
                format!("{c}é"),
                format!("é{c}"),
            ] {
                assert_eq!(is_ncname(&s), is_ncname_chars(&s), "{s:?}");
            }
        }
        for s in [
            "é",
            "aé",
            "éa",
            "a\u{B7}",
            "\u{B7}a",
            "a\u{300}",
            "\u{300}",
            "a\u{2040}b",
            "\u{2070}",
            "a\u{D7}",
            "\u{D7}",
            "x\u{10000}",
            "\u{F0000}",
            "a b",
            "a\u{A0}",
            "_\u{37E}",
            "\u{37F}-",
            "a.é-1",
        ] {
            assert_eq!(is_ncname(s), is_ncname_chars(s), "{s:?}");
        }
        assert_eq!(split_qname("a:b"), Some((Some("a"), "b")));
        assert_eq!(split_qname("é:b"), Some((Some("é"), "b")));
        assert_eq!(split_qname("a:b:c"), None);
        assert_eq!(split_qname(":b"), None);
        assert_eq!(split_qname("a:"), None);
    }

    #[test]
    fn ncname_rules() {
        assert!(is_ncname("_a1"));
        assert!(!is_ncname("1a"));
        assert!(!is_ncname("a:b"));
        assert!(!is_ncname(""));
    }
}
