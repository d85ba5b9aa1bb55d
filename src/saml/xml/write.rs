//! A writer that builds the tree of what it writes: for a signer that
//! would otherwise parse the text it has just produced (the IdP's Response
//! builder canonicalises its own output before signing it).
//!
//! The text is written with [`push_xml_attr`] and [`push_xml_text`], which the
//! parser reads back exactly, so the tree equals [`Document::parse`] of the
//! text (pinned by `written_tree_equals_the_parse_of_its_text` in
//! `saml::response`). It trusts its caller: names are not checked, and
//! nothing here is ever used on input from outside. Whatever is signed from
//! such a tree is still parsed and verified by the signer's self-check.

use std::sync::Arc;

use super::{
    Attribute, Document, Element, ElementSpan, NamespaceDecl, Node, NodeId, NodeKind, XML_NS_NAME,
    XML_PREFIX,
};
use crate::saml::escape::{push_xml_attr, push_xml_text};

#[derive(Default)]
pub(crate) struct TreeWriter {
    out: String,
    nodes: Vec<Node>,
    open: Vec<NodeId>,
    /// Declarations in scope, innermost last.
    scope: Vec<NamespaceDecl>,
    scope_marks: Vec<usize>,
}

impl TreeWriter {
    pub(crate) fn with_capacity(bytes: usize) -> TreeWriter {
        TreeWriter {
            out: String::with_capacity(bytes),
            nodes: Vec::with_capacity(64),
            ..TreeWriter::default()
        }
    }

    /// `<prefix:local xmlns:p="uri"… name="value"…>`: declarations first,
    /// then attributes, each in the order given. Attribute names may carry
    /// a prefix (`xsi:type`).
    pub(crate) fn start(
        &mut self,
        prefix: Option<&str>,
        local: &str,
        decls: &[(Option<&str>, &str)],
        attrs: &[(&str, &str)],
    ) {
        self.open_tag(prefix, local, decls, attrs, false);
    }

    /// The same as [`TreeWriter::start`] and [`TreeWriter::end`] as one
    /// self-closing tag.
    pub(crate) fn empty(
        &mut self,
        prefix: Option<&str>,
        local: &str,
        decls: &[(Option<&str>, &str)],
        attrs: &[(&str, &str)],
    ) {
        self.open_tag(prefix, local, decls, attrs, true);
        self.end();
    }

    /// An element holding only `text`.
    pub(crate) fn text_element(
        &mut self,
        prefix: Option<&str>,
        local: &str,
        attrs: &[(&str, &str)],
        text: &str,
    ) {
        self.start(prefix, local, &[], attrs);
        self.text(text);
        self.end();
    }

    pub(crate) fn text(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        push_xml_text(&mut self.out, s);
        let Some(&parent) = self.open.last() else {
            return;
        };
        Document::push_text(&mut self.nodes, parent, s);
    }

    /// Closes the innermost open element.
    pub(crate) fn end(&mut self) {
        let Some(id) = self.open.pop() else {
            return;
        };
        let n = self.scope_marks.pop().unwrap_or(0);
        self.scope.truncate(self.scope.len().saturating_sub(n));
        if let NodeKind::Element(e) = &mut self.nodes[id.0].kind {
            if !e.span.self_closing {
                self.out.push_str("</");
                if let Some(p) = &e.prefix {
                    self.out.push_str(p);
                    self.out.push(':');
                }
                self.out.push_str(&e.local);
                self.out.push('>');
            }
            e.span.end = self.out.len();
        }
    }

    /// The text and its tree; `None` while an element is still open, when
    /// nothing was written, or when more than one element was written at
    /// the top (a document has one root).
    pub(crate) fn finish(self) -> Option<Document> {
        let roots = self.nodes.iter().filter(|n| n.parent.is_none()).count();
        if !self.open.is_empty() || roots != 1 {
            return None;
        }
        Some(Document::from_nodes(self.nodes, self.out))
    }

    /// The prefix and namespace that `prefix` names here (as the parser
    /// resolves them, sharing the declaration's strings); an unbound
    /// prefix has none, and the default namespace may be undeclared.
    fn lookup(&self, prefix: Option<&str>) -> (Option<Arc<str>>, Option<Arc<str>>) {
        if prefix == Some("xml") {
            return (Some(XML_PREFIX.clone()), Some(XML_NS_NAME.clone()));
        }
        match self
            .scope
            .iter()
            .rev()
            .find(|d| d.prefix.as_deref() == prefix)
        {
            Some(d) => (
                d.prefix.clone(),
                Some(d.uri.clone()).filter(|u| !u.is_empty()),
            ),
            None => (prefix.map(Arc::from), None),
        }
    }

    fn open_tag(
        &mut self,
        prefix: Option<&str>,
        local: &str,
        decls: &[(Option<&str>, &str)],
        attrs: &[(&str, &str)],
        self_closing: bool,
    ) {
        let begin = self.out.len();
        self.out.push('<');
        if let Some(p) = prefix {
            self.out.push_str(p);
            self.out.push(':');
        }
        self.out.push_str(local);
        for (p, uri) in decls {
            match p {
                Some(p) => {
                    self.out.push_str(" xmlns:");
                    self.out.push_str(p);
                }
                None => self.out.push_str(" xmlns"),
            }
            self.out.push_str("=\"");
            push_xml_attr(&mut self.out, uri);
            self.out.push('"');
        }
        for (name, value) in attrs {
            self.out.push(' ');
            self.out.push_str(name);
            self.out.push_str("=\"");
            push_xml_attr(&mut self.out, value);
            self.out.push('"');
        }
        self.out.push_str(if self_closing { "/>" } else { ">" });

        let first_decl = self.scope.len();
        for (p, uri) in decls {
            self.scope.push(NamespaceDecl {
                prefix: p.map(Arc::from),
                uri: Arc::from(*uri),
            });
        }
        self.scope_marks.push(decls.len());
        let attributes = attrs
            .iter()
            .map(|(name, value)| {
                let (aprefix, alocal) = match name.split_once(':') {
                    Some((p, l)) => (Some(p), l),
                    None => (None, *name),
                };
                let (prefix, namespace) = match aprefix {
                    Some(p) => self.lookup(Some(p)),
                    None => (None, None),
                };
                Attribute {
                    prefix,
                    local: alocal.to_string(),
                    namespace,
                    value: value.to_string(),
                }
            })
            .collect();
        let (prefix, namespace) = self.lookup(prefix);
        let element = Element {
            prefix,
            local: local.to_string(),
            namespace,
            attributes,
            namespace_decls: self.scope[first_decl..].to_vec(),
            span: ElementSpan {
                start_tag: begin..self.out.len(),
                end: self.out.len(),
                self_closing,
            },
        };
        let parent = self.open.last().copied();
        let id = self.push(parent, NodeKind::Element(element));
        self.open.push(id);
    }

    fn push(&mut self, parent: Option<NodeId>, kind: NodeKind) -> NodeId {
        let id = NodeId(self.nodes.len());
        self.nodes.push(Node::new(parent, kind));
        id
    }
}

#[cfg(test)]
mod tests {
    use super::TreeWriter;
    use crate::saml::xml::Document;

    #[test]
    fn a_finished_tree_is_the_parse_of_its_text_and_has_one_root() {
        let mut w = TreeWriter::default();
        w.start(
            Some("a"),
            "Root",
            &[(Some("a"), "urn:example:a")],
            &[("ID", "_1")],
        );
        w.text_element(Some("a"), "Item", &[("x", "1 < 2 & \"3\"")], "one");
        w.text("tail & more");
        w.empty(None, "Plain", &[(None, "urn:example:default")], &[]);
        w.end();
        let doc = w.finish().expect("one closed root");
        assert_eq!(Document::parse(doc.source().as_bytes()).unwrap(), doc);

        let mut open = TreeWriter::default();
        open.start(None, "Root", &[], &[]);
        assert!(open.finish().is_none(), "an open element");

        let mut two = TreeWriter::default();
        two.empty(None, "One", &[], &[]);
        two.empty(None, "Two", &[], &[]);
        assert!(two.finish().is_none(), "two roots");

        assert!(TreeWriter::default().finish().is_none(), "nothing written");
    }
}
