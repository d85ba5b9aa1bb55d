//! The one strict XML parser (SECURITY.md I1, I7) and the owned tree it builds.
//!
//! quick-xml only tokenises; this file applies the strict profile on top:
//! UTF-8 only, no DOCTYPE (so no entity of any kind beyond the five
//! predefined ones), no processing instructions, no CDATA, one root,
//! nothing but whitespace and comments outside it, bound prefixes, no
//! duplicate or namespace-equivalent attributes, valid names and
//! characters, and depth and size limits. Every refusal is an
//! [`XmlError`] whose [`XmlError::reason`] is a stable kebab-case name.
//!
//! The tree is a `Vec` of nodes indexed by [`NodeId`], in document order,
//! with every node's children in one shared list. Elements carry their
//! resolved namespace URI, prefix and local name (the URI and prefix shared,
//! not copied, from the declaration that binds them), their attributes in
//! source order (values already normalised per XML 1.0 §3.3.3), and the
//! namespace declarations they make. Text is stored after end-of-line
//! normalisation (XML 1.0 §2.11) and reference expansion. Comments are kept
//! as nodes so that c14n can drop them and [`Document::text`] can join the
//! text around them (`ali<!---->ce` is `alice`, SECURITY.md TXT1).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::sync::{Arc, LazyLock};

mod parse;
mod write;

pub use parse::{is_ncname, is_xml_char};
pub(crate) use write::TreeWriter;

/// The namespace bound to the `xml` prefix (Namespaces in XML 1.0 §3).
pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// The namespace of `xmlns` attributes, which may never be declared.
pub const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// Limits of the strict profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseOptions {
    /// Deepest element nesting accepted (the root is depth 1). The tree
    /// algorithms recurse once per level, so keep this in the hundreds.
    pub max_depth: usize,
    /// Largest document accepted, in bytes.
    pub max_bytes: usize,
    /// Most attributes (namespace declarations included) on one element.
    pub max_attributes: usize,
    /// Most namespace bindings in scope at any element. With
    /// `max_attributes` this keeps prefix lookups and c14n linear in the
    /// input (SECURITY.md X5, width bombs).
    pub max_namespaces: usize,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            max_depth: 64,
            max_bytes: 1 << 20,
            max_attributes: 256,
            max_namespaces: 128,
        }
    }
}

/// Why a document was refused. [`XmlErrorKind::reason`] is the stable name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum XmlErrorKind {
    TooLarge,
    NotUtf8,
    BomForbidden,
    InvalidChar,
    DoctypeForbidden,
    ProcessingInstructionForbidden,
    CdataForbidden,
    XmlDeclarationInvalid,
    NoRoot,
    MultipleRoots,
    ContentOutsideRoot,
    MismatchedEndTag,
    UnboundPrefix,
    DuplicateAttribute,
    InvalidName,
    InvalidNamespace,
    UndefinedEntity,
    InvalidComment,
    TooDeep,
    TooManyAttributes,
    TooManyNamespaces,
    Malformed,
}

impl XmlErrorKind {
    /// The stable kebab-case name shown in transcripts and asserted by tests.
    pub fn reason(self) -> &'static str {
        match self {
            XmlErrorKind::TooLarge => "too-large",
            XmlErrorKind::NotUtf8 => "not-utf8",
            XmlErrorKind::BomForbidden => "bom-forbidden",
            XmlErrorKind::InvalidChar => "invalid-char",
            XmlErrorKind::DoctypeForbidden => "doctype-forbidden",
            XmlErrorKind::ProcessingInstructionForbidden => "processing-instruction-forbidden",
            XmlErrorKind::CdataForbidden => "cdata-forbidden",
            XmlErrorKind::XmlDeclarationInvalid => "xml-declaration-invalid",
            XmlErrorKind::NoRoot => "no-root-element",
            XmlErrorKind::MultipleRoots => "multiple-roots",
            XmlErrorKind::ContentOutsideRoot => "content-outside-root",
            XmlErrorKind::MismatchedEndTag => "mismatched-end-tag",
            XmlErrorKind::UnboundPrefix => "unbound-prefix",
            XmlErrorKind::DuplicateAttribute => "duplicate-attribute",
            XmlErrorKind::InvalidName => "invalid-name",
            XmlErrorKind::InvalidNamespace => "invalid-namespace",
            XmlErrorKind::UndefinedEntity => "undefined-entity",
            XmlErrorKind::InvalidComment => "invalid-comment",
            XmlErrorKind::TooDeep => "too-deep",
            XmlErrorKind::TooManyAttributes => "too-many-attributes",
            XmlErrorKind::TooManyNamespaces => "too-many-namespaces",
            XmlErrorKind::Malformed => "malformed-xml",
        }
    }
}

/// A refused document: what (kind), where (byte offset) and a human detail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XmlError {
    pub kind: XmlErrorKind,
    /// Byte offset in the input where the problem was found (best effort).
    pub offset: usize,
    pub detail: String,
}

impl XmlError {
    fn new(kind: XmlErrorKind, offset: usize, detail: impl Into<String>) -> XmlError {
        XmlError {
            kind,
            offset,
            detail: detail.into(),
        }
    }

    /// The stable kebab-case name of the refusal.
    pub fn reason(&self) -> &'static str {
        self.kind.reason()
    }
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} (at byte {})",
            self.reason(),
            self.detail,
            self.offset
        )
    }
}

impl std::error::Error for XmlError {}

/// Index of a node in its [`Document`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(usize);

impl NodeId {
    pub fn index(self) -> usize {
        self.0
    }
}

/// One node of the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub parent: Option<NodeId>,
    pub kind: NodeKind,
    /// Where the node's children sit in [`Document`]'s shared list.
    children: Range<usize>,
}

impl Node {
    fn new(parent: Option<NodeId>, kind: NodeKind) -> Node {
        Node {
            parent,
            kind,
            children: 0..0,
        }
    }
}

/// The `xml` prefix and its namespace, which every document binds
/// implicitly: shared by the elements and attributes that use them.
static XML_PREFIX: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from("xml"));
static XML_NS_NAME: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from(XML_NS));

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Element(Element),
    /// Character data, EOL-normalised with references expanded. Adjacent
    /// text and references form one node; a comment splits text in two.
    Text(String),
    /// A comment's content (between `<!--` and `-->`).
    Comment(String),
}

/// An element with its names resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Element {
    pub prefix: Option<Arc<str>>,
    pub local: String,
    /// Namespace URI; `None` when the element is in no namespace.
    pub namespace: Option<Arc<str>>,
    /// Attributes other than namespace declarations, in source order.
    pub attributes: Vec<Attribute>,
    /// Namespace declarations made on this element, in source order.
    pub namespace_decls: Vec<NamespaceDecl>,
    pub span: ElementSpan,
}

impl Element {
    /// The name as written (`prefix:local` or `local`).
    pub fn qname(&self) -> String {
        match &self.prefix {
            Some(p) => format!("{p}:{}", self.local),
            None => self.local.clone(),
        }
    }
}

/// An attribute. Its value is normalised (XML 1.0 §3.3.3, CDATA type: each
/// literal TAB, CR, LF or CRLF becomes one space; character references are
/// kept as the characters they name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    pub prefix: Option<Arc<str>>,
    pub local: String,
    /// `None` for unprefixed attributes: the default namespace never
    /// applies to attributes (Namespaces in XML 1.0 §6.2).
    pub namespace: Option<Arc<str>>,
    pub value: String,
}

/// `xmlns="uri"` (prefix `None`) or `xmlns:p="uri"`. An empty `uri` is only
/// possible for the default namespace (`xmlns=""`, undeclaring it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamespaceDecl {
    pub prefix: Option<Arc<str>>,
    pub uri: Arc<str>,
}

/// Where an element sits in the source bytes, so that a signer can splice
/// a `ds:Signature` into the original text without re-serialising it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElementSpan {
    /// The start tag (`<a …>` or `<a …/>`).
    pub start_tag: Range<usize>,
    /// One past the end of the element (after its end tag).
    pub end: usize,
    pub self_closing: bool,
}

/// A parsed document: the tree and the source it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    nodes: Vec<Node>,
    /// Every node's children, node after node: [`Node::children`] ranges
    /// over it.
    child_ids: Vec<NodeId>,
    source: String,
}

impl Document {
    /// Parses `input` under the strict profile with default limits.
    pub fn parse(input: &[u8]) -> Result<Document, XmlError> {
        Document::parse_with(input, &ParseOptions::default())
    }

    /// Parses `input` under the strict profile with the given limits.
    pub fn parse_with(input: &[u8], options: &ParseOptions) -> Result<Document, XmlError> {
        parse::Parser::run(input, options)
    }

    /// The root element: always the first node.
    pub fn root(&self) -> NodeId {
        NodeId(0)
    }

    /// The exact text that was parsed.
    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0]
    }

    /// The element at `id`, or `None` for text and comments.
    pub fn element(&self, id: NodeId) -> Option<&Element> {
        match &self.nodes[id.0].kind {
            NodeKind::Element(e) => Some(e),
            _ => None,
        }
    }

    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        self.nodes[id.0].parent
    }

    pub fn children(&self, id: NodeId) -> &[NodeId] {
        let r = &self.nodes[id.0].children;
        &self.child_ids[r.clone()]
    }

    /// Child elements of `id`, in document order.
    pub fn child_elements(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        self.children(id)
            .iter()
            .copied()
            .filter(|c| self.element(*c).is_some())
    }

    /// True when `id` is an element named (`ns`, `local`). Names are
    /// compared by namespace URI, never by prefix (SECURITY.md PD5).
    pub fn is_named(&self, id: NodeId, ns: &str, local: &str) -> bool {
        self.element(id)
            .is_some_and(|e| e.local == local && e.namespace.as_deref() == Some(ns))
    }

    /// Child elements named (`ns`, `local`), in document order.
    pub fn children_named<'a>(
        &'a self,
        id: NodeId,
        ns: &'a str,
        local: &'a str,
    ) -> impl Iterator<Item = NodeId> + 'a {
        self.child_elements(id)
            .filter(move |c| self.is_named(*c, ns, local))
    }

    /// The first child element named (`ns`, `local`).
    pub fn first_child_named(&self, id: NodeId, ns: &str, local: &str) -> Option<NodeId> {
        self.children_named(id, ns, local).next()
    }

    /// The value of the unqualified attribute `local` (no prefix, no
    /// namespace). `x:ID` or `xml:id` never answer for `ID`.
    pub fn attribute(&self, id: NodeId, local: &str) -> Option<&str> {
        self.element(id)?
            .attributes
            .iter()
            .find(|a| a.namespace.is_none() && a.local == local)
            .map(|a| a.value.as_str())
    }

    /// The value of the attribute (`ns`, `local`).
    pub fn attribute_ns(&self, id: NodeId, ns: &str, local: &str) -> Option<&str> {
        self.element(id)?
            .attributes
            .iter()
            .find(|a| a.namespace.as_deref() == Some(ns) && a.local == local)
            .map(|a| a.value.as_str())
    }

    /// The element's `ID`: only the unqualified `ID` attribute counts
    /// (SECURITY.md I4, REF6): not `Id`, `id`, `xml:id` nor `x:ID`.
    pub fn id_of(&self, id: NodeId) -> Option<&str> {
        self.attribute(id, "ID")
    }

    /// The text content of an element: all its text children joined, so a
    /// comment between two text parts never truncates the value
    /// (SECURITY.md TXT1). Child elements contribute nothing.
    pub fn text(&self, id: NodeId) -> String {
        let mut out = String::new();
        for c in self.children(id) {
            if let NodeKind::Text(t) = &self.nodes[c.0].kind {
                out.push_str(t);
            }
        }
        out
    }

    /// True when the element has a comment child (callers may refuse
    /// comments inside values they read).
    pub fn has_comment_child(&self, id: NodeId) -> bool {
        self.children(id)
            .iter()
            .any(|c| matches!(self.nodes[c.0].kind, NodeKind::Comment(_)))
    }

    /// True when `node` is `ancestor` or inside it: a consumer holding a
    /// verified element uses this to keep to the signed subtree (I2).
    pub fn is_within(&self, node: NodeId, ancestor: NodeId) -> bool {
        let mut cur = Some(node);
        while let Some(n) = cur {
            if n == ancestor {
                return true;
            }
            cur = self.parent(n);
        }
        false
    }

    /// The tree of `nodes`, which are in document order (every node after
    /// its parent, siblings in order) with the root first: the children
    /// lists are laid out here, by a counting pass, so that building a
    /// tree allocates no list per node.
    fn from_nodes(mut nodes: Vec<Node>, source: String) -> Document {
        // `root` and `all_nodes` (and so the duplicate-ID check) rely on this.
        debug_assert!(
            nodes.first().is_some_and(|n| n.parent.is_none())
                && nodes.iter().skip(1).all(|n| n.parent.is_some()),
            "a tree is its root, first, and the root's descendants"
        );
        // Each node's children start where the previous node's end.
        let mut counts = vec![0usize; nodes.len()];
        for n in &nodes {
            if let Some(p) = n.parent {
                counts[p.0] += 1;
            }
        }
        let mut next = 0usize;
        for (n, count) in nodes.iter_mut().zip(&counts) {
            n.children = next..next;
            next += count;
        }
        let mut child_ids = vec![NodeId(0); next];
        for i in 0..nodes.len() {
            if let Some(p) = nodes[i].parent {
                let r = &mut nodes[p.0].children;
                child_ids[r.end] = NodeId(i);
                r.end += 1;
            }
        }
        Document {
            nodes,
            child_ids,
            source,
        }
    }

    /// Adds text `s` under `parent` to `nodes` (a tree being built):
    /// appended to the parent's last child if that is text (`a&amp;b` is
    /// one text node), else as a new text node. The last node added is the
    /// parent's last child, or inside it, so only it needs looking at.
    fn push_text(nodes: &mut Vec<Node>, parent: NodeId, s: &str) {
        match nodes.last_mut() {
            Some(Node {
                parent: Some(p),
                kind: NodeKind::Text(t),
                ..
            }) if *p == parent => t.push_str(s),
            _ => nodes.push(Node::new(Some(parent), NodeKind::Text(s.to_string()))),
        }
    }

    /// `id` and all its descendants, in document order.
    pub fn descendants(&self, id: NodeId) -> Descendants<'_> {
        Descendants {
            doc: self,
            stack: vec![id],
        }
    }

    /// Every node, in document order: the root and its descendants (the
    /// tree keeps nothing outside the root element).
    fn all_nodes(&self) -> impl Iterator<Item = NodeId> {
        (0..self.nodes.len()).map(NodeId)
    }

    /// All elements whose unqualified `ID` equals `value`.
    pub fn elements_with_id(&self, value: &str) -> Vec<NodeId> {
        self.all_nodes()
            .filter(|n| self.id_of(*n) == Some(value))
            .collect()
    }

    /// The element whose `ID` is `value`, if exactly one element has it.
    pub fn element_by_id(&self, value: &str) -> Option<NodeId> {
        match self.elements_with_id(value).as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    /// The first `ID` value carried by two or more elements anywhere in the
    /// document (including `ds:Object`, `Extensions`, `Advice` and
    /// `StatusDetail`): SECURITY.md I4.
    pub fn find_duplicate_id(&self) -> Option<&str> {
        let mut seen = BTreeSet::new();
        for n in self.all_nodes() {
            if let Some(v) = self.id_of(n) {
                if !seen.insert(v) {
                    return Some(v);
                }
            }
        }
        None
    }

    /// The namespaces in scope at element `id`: prefix (`""` for the
    /// default namespace) → URI, borrowed from the declarations, sorted by
    /// prefix. An undeclared default namespace (`xmlns=""`) is absent. The
    /// `xml` prefix is implicit and not listed.
    pub fn in_scope_namespaces(&self, id: NodeId) -> Vec<(&str, &str)> {
        let mut chain = vec![];
        let mut cur = Some(id);
        while let Some(n) = cur {
            chain.push(n);
            cur = self.parent(n);
        }
        let mut scope: BTreeMap<&str, &str> = BTreeMap::new();
        for n in chain.into_iter().rev() {
            if let Some(e) = self.element(n) {
                for d in &e.namespace_decls {
                    let p = d.prefix.as_deref().unwrap_or_default();
                    if d.uri.is_empty() {
                        scope.remove(p);
                    } else {
                        scope.insert(p, &d.uri);
                    }
                }
            }
        }
        scope.into_iter().collect()
    }

    /// A short description of an element for error messages:
    /// `{ns}local` plus its `ID` when it has one.
    pub fn describe(&self, id: NodeId) -> String {
        match self.element(id) {
            Some(e) => {
                let mut s = match &e.namespace {
                    Some(ns) => format!("{{{ns}}}{}", e.local),
                    None => e.local.clone(),
                };
                if let Some(v) = self.id_of(id) {
                    s.push_str(&format!(" ID={v:?}"));
                }
                s
            }
            None => "non-element node".to_string(),
        }
    }
}

/// Preorder walk of a subtree.
pub struct Descendants<'a> {
    doc: &'a Document,
    stack: Vec<NodeId>,
}

impl Iterator for Descendants<'_> {
    type Item = NodeId;

    fn next(&mut self) -> Option<NodeId> {
        let n = self.stack.pop()?;
        self.stack
            .extend(self.doc.children(n).iter().rev().copied());
        Some(n)
    }
}
