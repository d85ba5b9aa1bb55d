//! Exclusive XML Canonicalization 1.0, without comments
//! (<http://www.w3.org/2001/10/xml-exc-c14n#>), over the strict tree.
//!
//! Input is always an element subtree (the signed element, or SignedInfo)
//! minus at most one omitted descendant (the enveloped `ds:Signature`,
//! XML-DSig 6.6.4). Proven byte for byte against lxml and against
//! `xmlsec1 --store-references` by the corpus in `fixtures/saml/c14n/`
//! (see `interop/saml/gen_c14n.py`).
//!
//! The rules, with where they come from:
//! - Exc-C14N §3: a namespace declaration is output on an element only if
//!   its prefix is *visibly utilised* there (the element's own prefix, or
//!   the default namespace for an unprefixed element, or an attribute's
//!   prefix) or listed in the InclusiveNamespaces PrefixList, and the
//!   nearest output ancestor did not already output the same binding.
//!   An unprefixed element with no default namespace gets `xmlns=""` only
//!   when an output ancestor output a non-empty default.
//! - Exc-C14N §1.1: `xml:*` attributes of ancestors are not inherited.
//! - C14N 1.0 §2.2 ("Document Order"): namespace declarations first,
//!   sorted by prefix (the default namespace first), then attributes sorted
//!   by (namespace URI, local name), unqualified ones first.
//! - C14N 1.0 §2.3: empty elements become start/end pairs; text escapes
//!   `& < >` and CR; attribute values escape `& < "` TAB LF CR. Line
//!   endings were already normalised by the parser (XML 1.0 §2.11).
//! - Comments are dropped (the "without comments" variant).

use std::collections::BTreeSet;

use crate::saml::escape::{escape_into, push_xml_text};
use crate::saml::xml::{Attribute, Document, NodeId, NodeKind};

/// Algorithm URI of Exclusive XML Canonicalization 1.0 (without comments).
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";

/// Splits an InclusiveNamespaces `PrefixList` (Exc-C14N §3: a
/// whitespace-separated list; `#default` names the default namespace).
pub fn parse_prefix_list(list: &str) -> Vec<String> {
    list.split([' ', '\t', '\r', '\n'])
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// Canonicalises the subtree rooted at element `apex`, leaving out the
/// subtree rooted at `omit` (if any), with the given inclusive prefixes
/// (`#default` for the default namespace). Returns the UTF-8 octets.
pub fn exc_c14n(
    doc: &Document,
    apex: NodeId,
    omit: Option<NodeId>,
    inclusive_prefixes: &[String],
) -> String {
    // The canonical form is about as long as the source of the subtree.
    let capacity = doc
        .element(apex)
        .map_or(0, |e| e.span.end.saturating_sub(e.span.start_tag.start));
    let mut out = String::with_capacity(capacity + capacity / 8 + 64);
    let in_scope: Scope<'_> = doc.in_scope_namespaces(apex);
    let c = Canon {
        doc,
        omit,
        inclusive: bound_inclusive_prefixes(doc, apex, &in_scope, inclusive_prefixes),
    };
    // The apex's in-scope namespaces include its own declarations; the
    // walk re-applies them, which is harmless (same values).
    c.element(
        &mut out,
        apex,
        &in_scope,
        &Scope::new(),
        &mut Scratch::default(),
    );
    out
}

/// The inclusive prefixes that can matter, each once, with `""` for
/// `#default`: those bound at the apex or declared inside it. The rest
/// never name a binding, so leaving them out changes nothing, and each
/// element's work stays bounded by the document's declarations however
/// long a (hostile) PrefixList is.
fn bound_inclusive_prefixes<'a>(
    doc: &'a Document,
    apex: NodeId,
    in_scope: &Scope<'a>,
    inclusive_prefixes: &'a [String],
) -> Vec<&'a str> {
    if inclusive_prefixes.is_empty() {
        return vec![];
    }
    let mut declared: BTreeSet<&str> = in_scope.iter().map(|&(p, _)| p).collect();
    for n in doc.descendants(apex) {
        if let Some(e) = doc.element(n) {
            declared.extend(
                e.namespace_decls
                    .iter()
                    .map(|d| d.prefix.as_deref().unwrap_or_default()),
            );
        }
    }
    let wanted: BTreeSet<&str> = inclusive_prefixes
        .iter()
        .map(|p| if p == "#default" { "" } else { p.as_str() })
        .filter(|p| declared.contains(p))
        .collect();
    wanted.into_iter().collect()
}

struct Canon<'a> {
    doc: &'a Document,
    omit: Option<NodeId>,
    /// Inclusive prefixes, with `""` standing for `#default`.
    inclusive: Vec<&'a str>,
}

/// Working space shared by the whole walk: each element is done with it
/// before its children use it, so one allocation serves every element.
#[derive(Default)]
struct Scratch<'s> {
    /// (prefix, URI) of the namespaces an element may need to declare.
    candidates: Vec<(&'s str, &'s str)>,
    /// An element's attributes, when they need sorting.
    attributes: Vec<&'s Attribute>,
}

/// Prefix → URI, one entry per prefix; `""` is the default namespace.
/// Keys and values borrow from the document (or from the caller's scope),
/// so the walk copies no strings. Usually a handful of bindings (never
/// more than the parser's `max_namespaces`), so a vector searched by
/// [`same`] (pointer first: the parser shares one string per declaration)
/// beats a map.
type Scope<'s> = Vec<(&'s str, &'s str)>;

/// The URI `scope` binds to `prefix`.
fn lookup<'s>(scope: &Scope<'s>, prefix: &str) -> Option<&'s str> {
    scope
        .iter()
        .find(|(p, _)| same(p, prefix))
        .map(|&(_, uri)| uri)
}

/// Binds `prefix` to `uri` in `scope`, replacing an earlier binding.
fn bind<'s>(scope: &mut Scope<'s>, prefix: &'s str, uri: &'s str) {
    match scope.iter_mut().find(|(p, _)| same(p, prefix)) {
        Some(entry) => entry.1 = uri,
        None => scope.push((prefix, uri)),
    }
}

/// String equality, answered without reading the bytes when both are the
/// same string.
fn same(a: &str, b: &str) -> bool {
    std::ptr::eq(a, b) || a == b
}

impl<'a> Canon<'a> {
    /// `in_scope`: prefix → URI in scope at the parent (`""` = default).
    /// `rendered`: prefix → URI as output by the nearest output ancestors.
    fn element<'s>(
        &self,
        out: &mut String,
        id: NodeId,
        parent_scope: &Scope<'s>,
        rendered: &Scope<'s>,
        scratch: &mut Scratch<'s>,
    ) where
        'a: 's,
    {
        let Some(e) = self.doc.element(id) else {
            return;
        };
        // Copy the scope only where it changes (most elements declare
        // nothing), so the walk stays linear in the document.
        let changed;
        let scope = if e.namespace_decls.is_empty() {
            parent_scope
        } else {
            let mut s = parent_scope.clone();
            for d in &e.namespace_decls {
                let p = d.prefix.as_deref().unwrap_or_default();
                if d.uri.is_empty() {
                    s.retain(|(bound, _)| !same(bound, p));
                } else {
                    bind(&mut s, p, &d.uri);
                }
            }
            changed = s;
            &changed
        };

        // Candidate namespace nodes: visibly utilised prefixes and the
        // inclusive ones in scope. An absent default namespace is "".
        // The `xml` prefix is never declared (C14N 1.0 §2.3, libxml2's
        // xmlC14NIsXmlNs), even on an element named `xml:…`.
        // Sorted by prefix, one entry per prefix, the last one added
        // winning (as a map insert would; a prefix has one URI in scope,
        // so they agree anyway). Most elements have one candidate.
        let candidates = &mut scratch.candidates;
        candidates.clear();
        if e.prefix.as_deref() != Some("xml") {
            candidates.push((
                e.prefix.as_deref().unwrap_or_default(),
                e.namespace.as_deref().unwrap_or_default(),
            ));
        }
        for a in &e.attributes {
            if let (Some(p), Some(ns)) = (&a.prefix, &a.namespace) {
                if &**p != "xml" {
                    candidates.push((p, ns));
                }
            }
        }
        for &p in &self.inclusive {
            if p == "xml" {
                continue;
            }
            if let Some(uri) = lookup(scope, p) {
                candidates.push((p, uri));
            }
        }
        candidates.sort_by(|a, b| a.0.cmp(b.0));
        candidates.dedup_by(|later, kept| {
            let same_prefix = later.0 == kept.0;
            if same_prefix {
                *kept = *later;
            }
            same_prefix
        });

        // Declarations output here; the rest is inherited from `rendered`.
        let mut output_here: Vec<(&'s str, &'s str)> = Vec::new();
        out.push('<');
        push_qname(out, e.prefix.as_deref(), &e.local);
        for &(p, uri) in candidates.iter() {
            let current = match lookup(rendered, p) {
                Some(u) => Some(u),
                None if p.is_empty() => Some(""),
                None => None,
            };
            if current.is_some_and(|c| same(c, uri)) {
                continue;
            }
            if p.is_empty() {
                out.push_str(" xmlns=\"");
            } else {
                out.push_str(" xmlns:");
                out.push_str(p);
                out.push_str("=\"");
            }
            escape_attribute(out, uri);
            out.push('"');
            output_here.push((p, uri));
        }

        let write_attribute = |out: &mut String, a: &Attribute| {
            out.push(' ');
            if let Some(p) = &a.prefix {
                out.push_str(p);
                out.push(':');
            }
            out.push_str(&a.local);
            out.push_str("=\"");
            escape_attribute(out, &a.value);
            out.push('"');
        };
        // Attributes already in canonical order (the usual case) need no
        // sorted copy; the order written is the same either way.
        if e.attributes
            .windows(2)
            .all(|w| attr_key(&w[0]) <= attr_key(&w[1]))
        {
            for a in &e.attributes {
                write_attribute(out, a);
            }
        } else {
            let attrs = &mut scratch.attributes;
            attrs.clear();
            attrs.extend(e.attributes.iter());
            attrs.sort_by(|a, b| attr_key(a).cmp(&attr_key(b)));
            for a in attrs.iter() {
                write_attribute(out, a);
            }
        }
        out.push('>');

        let extended;
        let now_rendered = if output_here.is_empty() {
            rendered
        } else {
            let mut r = rendered.clone();
            for (p, uri) in output_here {
                bind(&mut r, p, uri);
            }
            extended = r;
            &extended
        };
        for &c in self.doc.children(id) {
            if Some(c) == self.omit {
                continue;
            }
            match &self.doc.node(c).kind {
                NodeKind::Element(_) => self.element(out, c, scope, now_rendered, scratch),
                NodeKind::Text(t) => escape_text(out, t),
                NodeKind::Comment(_) => {}
            }
        }

        out.push_str("</");
        push_qname(out, e.prefix.as_deref(), &e.local);
        out.push('>');
    }
}

/// C14N 1.0 §2.2: attributes sort by (namespace URI, local name), the
/// unqualified ones (no URI) first.
fn attr_key(a: &Attribute) -> (&str, &str) {
    (a.namespace.as_deref().unwrap_or(""), a.local.as_str())
}

fn push_qname(out: &mut String, prefix: Option<&str>, local: &str) {
    if let Some(p) = prefix {
        out.push_str(p);
        out.push(':');
    }
    out.push_str(local);
}

/// C14N 1.0 §2.3 text nodes: `&` `<` `>` and CR are replaced, exactly
/// the escaping our writers use for character data.
fn escape_text(out: &mut String, s: &str) {
    push_xml_text(out, s);
}

/// C14N 1.0 §2.3 attribute nodes: `&` `<` `"` TAB LF CR are replaced
/// (`>` is not).
fn escape_attribute(out: &mut String, s: &str) {
    let special = |b: u8| {
        (b == b'&') | (b == b'<') | (b == b'"') | (b == b'\t') | (b == b'\n') | (b == b'\r')
    };
    escape_into(out, s, special, |b| match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'"' => Some("&quot;"),
        b'\t' => Some("&#x9;"),
        b'\n' => Some("&#xA;"),
        b'\r' => Some("&#xD;"),
        _ => None,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte-by-byte rule of C14N 1.0 §2.3, for comparison.
    fn naive(s: &str, table: &[(char, &str)]) -> String {
        s.chars()
            .map(|c| match table.iter().find(|(k, _)| *k == c) {
                Some((_, r)) => r.to_string(),
                None => c.to_string(),
            })
            .collect()
    }

    /// The 16-byte fast path must neither skip a character to replace nor
    /// split a multi-byte character, at any offset around the chunk edges.
    #[test]
    fn escaping_matches_the_rule_at_every_offset() {
        let text = [
            ('&', "&amp;"),
            ('<', "&lt;"),
            ('>', "&gt;"),
            ('\r', "&#xD;"),
        ];
        let attr = [
            ('&', "&amp;"),
            ('<', "&lt;"),
            ('"', "&quot;"),
            ('\t', "&#x9;"),
            ('\n', "&#xA;"),
            ('\r', "&#xD;"),
        ];
        for len in [0usize, 1, 15, 16, 17, 33, 48] {
            for at in 0..len.max(1) {
                for c in ['&', '<', '>', '"', '\t', '\n', '\r', 'é', '𝄞', 'x'] {
                    let mut s: String = "a".repeat(len);
                    if len > 0 {
                        s.replace_range(at..at + 1, &c.to_string());
                    }
                    let mut t = String::new();
                    escape_text(&mut t, &s);
                    assert_eq!(t, naive(&s, &text), "text {s:?}");
                    let mut a = String::new();
                    escape_attribute(&mut a, &s);
                    assert_eq!(a, naive(&s, &attr), "attribute {s:?}");
                }
            }
        }
    }

    /// A PrefixList is cut to the prefixes that are bound: unbound and
    /// repeated tokens change nothing, and a hostile list of 100,000 of
    /// them costs one pass, not one pass per element.
    #[test]
    fn unbound_and_repeated_inclusive_prefixes_change_nothing() {
        let doc = Document::parse(
            br#"<a:R xmlns:a="urn:a" xmlns:b="urn:b" xmlns="urn:d"><a:S><c:T xmlns:c="urn:c"/><U/></a:S></a:R>"#,
        )
        .unwrap();
        let apex = doc.child_elements(doc.root()).next().unwrap();
        let list = |tokens: &[&str]| tokens.iter().map(|t| t.to_string()).collect::<Vec<_>>();
        let plain = exc_c14n(&doc, apex, None, &list(&["b", "c", "#default"]));
        assert_eq!(
            plain,
            r#"<a:S xmlns="urn:d" xmlns:a="urn:a" xmlns:b="urn:b"><c:T xmlns:c="urn:c"></c:T><U></U></a:S>"#
        );
        let mut hostile = list(&["#default", "c", "b", "b", "c"]);
        hostile.extend((0..100_000).map(|i| format!("p{i}")));
        assert_eq!(exc_c14n(&doc, apex, None, &hostile), plain);
        assert_eq!(
            bound_inclusive_prefixes(&doc, apex, &doc.in_scope_namespaces(apex), &hostile),
            vec!["", "b", "c"]
        );
    }
}
