//! A spanned YAML tree for scenario files, built on `saphyr-parser` events.
//!
//! Scenario files use a deliberately small subset of YAML: one document,
//! plain/quoted/block scalars, block and flow collections. Anchors, aliases,
//! merge keys, tags, complex keys and duplicate keys are refused with a
//! [`Diagnostic`] that says why, so that what a person reads is exactly what
//! ssosim runs.
//!
//! **Invariant:** [`parse`] never panics and never recurses on the input: the
//! tree is built with an explicit stack whose depth is checked against
//! [`Limits::max_depth`] before each push, and the node count against
//! [`Limits::max_nodes`], so a hostile file costs at most `max_bytes` of
//! scanning.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError};

use super::diag::Diagnostic;

/// A region of the source. `line` and `col` are 1-based, `col` counts
/// characters (a UTF-8 BOM is not counted); `offset` and `len` are bytes of
/// the source as given to [`parse`] (BOM included). `offset` is what
/// rendering uses to find the line, so it is the authoritative field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub line: u32,
    pub col: u32,
    pub offset: usize,
    pub len: usize,
}

impl Span {
    /// The empty span at the start of a file (`1:1`).
    pub const START: Span = Span {
        line: 1,
        col: 1,
        offset: 0,
        len: 0,
    };

    /// The byte just past this span.
    pub fn end(&self) -> usize {
        self.offset.saturating_add(self.len)
    }
}

/// One node of the tree, with where it was written.
#[derive(Clone, Debug)]
pub struct Node {
    pub span: Span,
    pub kind: NodeKind,
}

/// What a node is. Mappings keep source order.
#[derive(Clone, Debug)]
pub enum NodeKind {
    /// An unquoted empty value, `~`, `null`, `Null` or `NULL`.
    Null,
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// A scalar's text. `quoted` is true for every non-plain style (single or
/// double quotes, `|` and `>` blocks): such a value is certainly a string.
#[derive(Clone, Debug)]
pub struct Scalar {
    pub value: String,
    pub quoted: bool,
}

/// Bounds on what [`parse`] accepts.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest file, in bytes.
    pub max_bytes: usize,
    /// Deepest nesting of collections (the root mapping is depth 1).
    pub max_depth: usize,
    /// Most nodes (keys count as nodes).
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: 4 * 1024 * 1024,
            max_depth: 64,
            max_nodes: 200_000,
        }
    }
}

const EXPECTED_SCENARIO: &str = "a mapping with `name`, `world` and `steps`";

/// Parses one scenario file into a spanned tree.
///
/// # Errors
/// Every problem — size, encoding, YAML syntax, or a YAML feature scenario
/// files refuse — comes back as one [`Diagnostic`] pointing at the first
/// offending place.
pub fn parse(source: &[u8], limits: &Limits) -> Result<Node, Diagnostic> {
    if source.len() > limits.max_bytes {
        return Err(Diagnostic::new(
            Span::START,
            format!(
                "file is too large: {} bytes, over the limit of {} bytes",
                source.len(),
                limits.max_bytes
            ),
        )
        .help("a scenario file describes one story; split it into several files"));
    }
    let text = decode_utf8(source)?;
    check_controls(source, text)?;
    let (base, text) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (3, rest),
        None => (0, text),
    };
    let mut builder = Builder {
        pos: Positions::new(text, base),
        limits,
        stack: Vec::new(),
        nodes: 0,
        root: None,
        documents: 0,
    };
    // saphyr-parser is a third-party state machine fed untrusted input. It
    // is not known to panic, but a panic here would break the "always a
    // diagnostic" promise, so contain it.
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| builder.run(text)));
    match run {
        Ok(result) => result,
        Err(_) => Err(Diagnostic::new(
            Span::START,
            "internal error: the YAML parser failed on this file",
        )
        .help("this is a bug in ssosim; please report it with the file attached")),
    }
}

/// Checks the encoding, pointing at the first bad byte.
fn decode_utf8(source: &[u8]) -> Result<&str, Diagnostic> {
    if source.starts_with(&[0xff, 0xfe]) || source.starts_with(&[0xfe, 0xff]) {
        return Err(Diagnostic::new(
            Span {
                len: 2,
                ..Span::START
            },
            "file is UTF-16, not UTF-8",
        )
        .help("save the file as UTF-8"));
    }
    match std::str::from_utf8(source) {
        Ok(text) => Ok(text),
        Err(err) => {
            let offset = err.valid_up_to();
            let span = span_at_byte(
                source,
                offset,
                err.error_len().unwrap_or(source.len() - offset),
            );
            let byte = source[offset];
            Err(Diagnostic::new(
                span,
                format!("file is not valid UTF-8: byte 0x{byte:02x} at offset {offset}"),
            )
            .expected("UTF-8 text")
            .help("scenario files are UTF-8 text; re-save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)"))
        }
    }
}

/// Refuses control characters in the raw text (YAML allows only tab, LF
/// and CR); in a hand-written file they are always damage. Escapes such as
/// `"\x01"` inside double quotes are still allowed.
fn check_controls(source: &[u8], text: &str) -> Result<(), Diagnostic> {
    let skip = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let bad = text[skip..]
        .char_indices()
        .find(|&(_, c)| (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{feff}');
    match bad {
        Some((offset, c)) => {
            let offset = offset + skip;
            let span = span_at_byte(source, offset, c.len_utf8());
            let what = if c == '\u{feff}' {
                "byte order mark (U+FEFF) inside the file".to_string()
            } else {
                format!("control character U+{:04X} in the file", u32::from(c))
            };
            Err(Diagnostic::new(span, what)
                .help("scenario files are plain text; remove the character, or write it as an escape inside a double-quoted string"))
        }
        None => Ok(()),
    }
}

/// The span of `len` bytes at `offset`, counting line and column from the
/// start. Everything before `offset` must be valid UTF-8.
fn span_at_byte(source: &[u8], offset: usize, len: usize) -> Span {
    let before = String::from_utf8_lossy(&source[..offset.min(source.len())]);
    let before = before.strip_prefix('\u{feff}').unwrap_or(&before);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let col = before[line_start..].chars().count() + 1;
    Span {
        line: to_u32(line),
        col: to_u32(col),
        offset,
        len,
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Maps saphyr's character positions to byte offsets. Only non-ASCII
/// characters are recorded, so an ASCII file costs nothing.
struct Positions<'a> {
    text: &'a str,
    /// Bytes skipped before `text` (the BOM).
    base: usize,
    /// `(char index, extra bytes of all multi-byte chars up to and including it)`.
    wide: Vec<(usize, usize)>,
}

impl<'a> Positions<'a> {
    fn new(text: &'a str, base: usize) -> Positions<'a> {
        let mut wide = Vec::new();
        if !text.is_ascii() {
            let mut extra = 0;
            for (index, c) in text.chars().enumerate() {
                if c.len_utf8() > 1 {
                    extra += c.len_utf8() - 1;
                    wide.push((index, extra));
                }
            }
        }
        Positions { text, base, wide }
    }

    /// Byte offset in `text` of the character at `char_index`.
    fn byte_in_text(&self, char_index: usize) -> usize {
        let k = self.wide.partition_point(|&(ci, _)| ci < char_index);
        let extra = if k == 0 { 0 } else { self.wide[k - 1].1 };
        (char_index + extra).min(self.text.len())
    }

    fn span(&self, start: Marker, end: Marker) -> Span {
        let offset = self.byte_in_text(start.index());
        let end = self.byte_in_text(end.index()).max(offset);
        Span {
            line: to_u32(start.line().max(1)),
            col: to_u32(start.col() + 1),
            offset: self.base + offset,
            len: end - offset,
        }
    }

    /// A one-character span at a marker (empty at the end of the file).
    fn point(&self, at: Marker) -> Span {
        let mut span = self.span(at, at);
        let rel = span.offset - self.base;
        span.len = self.text[rel..].chars().next().map_or(0, char::len_utf8);
        span
    }

    /// The source character at a span's start, if any.
    fn char_at(&self, span: Span) -> Option<char> {
        self.text.get(span.offset - self.base..)?.chars().next()
    }
}

enum Frame {
    Seq {
        span: Span,
        flow: bool,
        items: Vec<Node>,
    },
    Map {
        span: Span,
        flow: bool,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        /// Key text → where it was first written, for duplicate detection.
        seen: BTreeMap<String, Span>,
    },
}

impl Frame {
    fn span(&self) -> Span {
        match self {
            Frame::Seq { span, .. } | Frame::Map { span, .. } => *span,
        }
    }
}

struct Builder<'a, 'l> {
    pos: Positions<'a>,
    limits: &'l Limits,
    stack: Vec<Frame>,
    nodes: usize,
    root: Option<Node>,
    documents: usize,
}

impl Builder<'_, '_> {
    fn run(&mut self, text: &str) -> Result<Node, Diagnostic> {
        let mut parser = Parser::new_from_str(text);
        while let Some(next) = parser.next_event() {
            let (event, span) = next.map_err(|e| self.scan_error(&e))?;
            let span = self.pos.span(span.start, span.end);
            match event {
                Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
                Event::StreamEnd => break,
                Event::DocumentStart(explicit) => self.document(explicit, span)?,
                Event::Alias(_) => return Err(alias_error(span)),
                Event::Scalar(value, style, anchor, tag) => {
                    self.props(anchor, tag.is_some(), span)?;
                    self.count(span)?;
                    let node = scalar_node(value.into_owned(), style, span);
                    self.complete(node)?;
                }
                Event::SequenceStart(anchor, tag) => {
                    self.props(anchor, tag.is_some(), span)?;
                    self.open(false, span)?;
                }
                Event::MappingStart(anchor, tag) => {
                    self.props(anchor, tag.is_some(), span)?;
                    self.open(true, span)?;
                }
                Event::SequenceEnd | Event::MappingEnd => self.close(span)?,
            }
        }
        match self.root.take() {
            Some(root) if !is_implicit_null(&root) => Ok(root),
            _ => {
                Err(Diagnostic::new(Span::START, "empty scenario file").expected(EXPECTED_SCENARIO))
            }
        }
    }

    fn document(&mut self, explicit: bool, span: Span) -> Result<(), Diagnostic> {
        self.documents += 1;
        if self.documents == 1 {
            return Ok(());
        }
        let span = if explicit {
            Span { len: 3, ..span }
        } else {
            span
        };
        let mut diag = Diagnostic::new(span, "a second YAML document starts here")
            .expected("one document per scenario file");
        diag = if explicit {
            diag.help("put each scenario in its own file; a `---` line separates documents")
        } else {
            diag.help("put each scenario in its own file; a `...` line ends a document")
        };
        Err(diag)
    }

    /// Refuses anchors and tags on a node.
    fn props(&self, anchor: usize, tagged: bool, span: Span) -> Result<(), Diagnostic> {
        let at = Span { len: 1, ..span };
        if anchor != 0 && self.pos.char_at(span) == Some('&') {
            return Err(anchor_error(at));
        }
        if tagged {
            return Err(tag_error(at));
        }
        if anchor != 0 {
            return Err(anchor_error(at));
        }
        Ok(())
    }

    fn count(&mut self, span: Span) -> Result<(), Diagnostic> {
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes {
            return Err(Diagnostic::new(
                span,
                format!(
                    "too many YAML nodes: more than {} in one file",
                    self.limits.max_nodes
                ),
            )
            .help("a scenario file describes one story; split it into several files"));
        }
        Ok(())
    }

    fn open(&mut self, is_map: bool, span: Span) -> Result<(), Diagnostic> {
        let flow = matches!(self.pos.char_at(span), Some('[' | '{'));
        let span = if flow { Span { len: 1, ..span } } else { span };
        if let Some(Frame::Map { key: None, .. }) = self.stack.last() {
            let what = if is_map { "a mapping" } else { "a list" };
            return Err(Diagnostic::new(
                Span {
                    len: span.len.max(1),
                    ..span
                },
                format!("{what} cannot be used as a mapping key"),
            )
            .expected("a plain or quoted string as the key"));
        }
        self.count(span)?;
        if self.stack.len() >= self.limits.max_depth {
            return Err(self.too_deep(Span {
                len: span.len.max(1),
                ..span
            }));
        }
        self.stack.push(if is_map {
            Frame::Map {
                span,
                flow,
                entries: Vec::new(),
                key: None,
                seen: BTreeMap::new(),
            }
        } else {
            Frame::Seq {
                span,
                flow,
                items: Vec::new(),
            }
        });
        Ok(())
    }

    fn close(&mut self, end: Span) -> Result<(), Diagnostic> {
        let Some(frame) = self.stack.pop() else {
            // The parser balances start and end events; an unmatched end is
            // ignored rather than trusted.
            return Ok(());
        };
        let node = match frame {
            Frame::Seq {
                mut span,
                flow,
                items,
            } => {
                span.len = extent(span, flow, end, items.last().map(|n| n.span));
                Node {
                    span,
                    kind: NodeKind::Seq(items),
                }
            }
            Frame::Map {
                mut span,
                flow,
                entries,
                ..
            } => {
                span.len = extent(span, flow, end, entries.last().map(|(_, v)| v.span));
                Node {
                    span,
                    kind: NodeKind::Map(entries),
                }
            }
        };
        self.complete(node)
    }

    fn complete(&mut self, node: Node) -> Result<(), Diagnostic> {
        match self.stack.last_mut() {
            None => {
                self.root = Some(node);
                Ok(())
            }
            Some(Frame::Seq { items, .. }) => {
                items.push(node);
                Ok(())
            }
            Some(Frame::Map {
                entries, key, seen, ..
            }) => {
                match key.take() {
                    Some(k) => entries.push((k, node)),
                    None => {
                        check_key(&node, seen)?;
                        *key = Some(node);
                    }
                }
                Ok(())
            }
        }
    }

    fn too_deep(&self, span: Span) -> Diagnostic {
        Diagnostic::new(
            span,
            format!(
                "nesting is too deep: more than {} levels",
                self.limits.max_depth
            ),
        )
        .help("scenario files need only a few levels of lists and mappings")
    }

    /// Turns a saphyr error into plain words at the right place.
    fn scan_error(&self, err: &ScanError) -> Diagnostic {
        let span = self.pos.point(*err.marker());
        if let Some(tab) = self.leading_tab(span) {
            return tab_error(tab);
        }
        if err.info() == "recursion limit exceeded" {
            return self.too_deep(span);
        }
        let mut diag = match err.info() {
            "mapping values are not allowed in this context" if !self.colon_follows_key(span) => {
                Diagnostic::new(span, "bad indentation: this line is indented deeper than the line above")
                    .expected("a `key: value` line indented like the keys above it")
                    .help("a more indented line continues the value above it; align it with the other keys")
            }
            info => translate(info, span),
        };
        if let Some(frame) = self.stack.last() {
            if let Frame::Seq { flow: true, .. } | Frame::Map { flow: true, .. } = frame {
                let (what, open, close) = match frame {
                    Frame::Seq { .. } => ("list", '[', ']'),
                    Frame::Map { .. } => ("mapping", '{', '}'),
                };
                let opened = frame.span();
                diag = diag.note(
                    Some(opened),
                    format!("inside the {what} opened by `{open}`"),
                );
                if span.line > opened.line {
                    diag = diag.help(format!(
                        "if the {what} should have ended before this line, close it with `{close}`"
                    ));
                }
            }
        }
        diag
    }

    /// Whether the line of an unexpected `:` already has a `key: ` before
    /// it (a value containing `: `), as opposed to a line that only looks
    /// like a key because it is indented too deep.
    fn colon_follows_key(&self, at: Span) -> bool {
        let text = self.pos.text;
        let rel = (at.offset - self.pos.base).min(text.len());
        let line_start = text[..rel].rfind('\n').map_or(0, |i| i + 1);
        let before = &text[line_start..rel];
        before.contains(": ") || before.trim_start().starts_with("- ")
    }

    /// The first tab in the leading whitespace of the error's line, or of
    /// the line below or above (saphyr reports some tabs at the start of
    /// the token before them, others one token late).
    fn leading_tab(&self, at: Span) -> Option<Span> {
        let text = self.pos.text;
        let rel = (at.offset - self.pos.base).min(text.len());
        let line_start = text[..rel].rfind('\n').map_or(0, |i| i + 1);
        let prev_start = if line_start == 0 {
            None
        } else {
            Some(text[..line_start - 1].rfind('\n').map_or(0, |i| i + 1))
        };
        let next_start = text[rel..].find('\n').map(|i| rel + i + 1);
        let candidates = [
            Some((line_start, at.line)),
            next_start.map(|s| (s, at.line.saturating_add(1))),
            prev_start.map(|s| (s, at.line.saturating_sub(1))),
        ];
        for (start, line) in candidates.into_iter().flatten() {
            let rest = &text[start..];
            let indent_len = rest.len() - rest.trim_start_matches([' ', '\t']).len();
            let indent = &rest[..indent_len];
            let after = rest[indent_len..].chars().next();
            if matches!(after, None | Some('\n' | '\r' | '#')) {
                continue;
            }
            if let Some(i) = indent.find('\t') {
                return Some(Span {
                    line,
                    col: to_u32(i + 1),
                    offset: self.pos.base + start + i,
                    len: 1,
                });
            }
        }
        None
    }
}

/// How far a collection's span reaches: to its closing bracket for flow
/// collections, to the end of its last child for block ones.
fn extent(start: Span, flow: bool, end: Span, last: Option<Span>) -> usize {
    let stop = if flow {
        end.end()
    } else {
        last.map_or(start.end(), |s| s.end())
    };
    stop.saturating_sub(start.offset).max(start.len)
}

fn scalar_node(value: String, style: ScalarStyle, span: Span) -> Node {
    let quoted = style != ScalarStyle::Plain;
    let kind = if !quoted && matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL") {
        NodeKind::Null
    } else {
        NodeKind::Scalar(Scalar { value, quoted })
    };
    Node { span, kind }
}

fn is_implicit_null(node: &Node) -> bool {
    matches!(node.kind, NodeKind::Null) && node.span.len == 0
}

fn check_key(key: &Node, seen: &mut BTreeMap<String, Span>) -> Result<(), Diagnostic> {
    let scalar = match &key.kind {
        NodeKind::Scalar(s) => s,
        NodeKind::Null => {
            return Err(Diagnostic::new(
                Span {
                    len: key.span.len.max(1),
                    ..key.span
                },
                "mapping key is empty or null",
            )
            .expected("a key name before the `:`")
            .help("write the key's name; if you mean the text `null`, quote it: `\"null\"`"));
        }
        // Collections are refused when they start; nothing else can arrive.
        NodeKind::Seq(_) | NodeKind::Map(_) => {
            return Err(Diagnostic::new(
                key.span,
                "a collection cannot be a mapping key",
            ))
        }
    };
    if !scalar.quoted && scalar.value == "<<" {
        return Err(Diagnostic::new(
            key.span,
            "merge keys (`<<`) are not supported in scenario files",
        )
        .help("write the keys out in full; merges hide what a step really contains"));
    }
    if let Some(first) = seen.get(&scalar.value) {
        return Err(
            Diagnostic::new(key.span, format!("duplicate key `{}`", scalar.value))
                .help("each key may appear once in a mapping; remove or merge one of them")
                .note(Some(*first), "first defined"),
        );
    }
    seen.insert(scalar.value.clone(), key.span);
    Ok(())
}

fn alias_error(span: Span) -> Diagnostic {
    Diagnostic::new(span, "aliases (`*name`) are not supported in scenario files")
        .help("write the value out in full; anchors and aliases hide what a step contains and can make a small file expand enormously")
}

fn anchor_error(span: Span) -> Diagnostic {
    Diagnostic::new(span, "anchors (`&name`) are not supported in scenario files")
        .help("write the value out in full; anchors and aliases hide what a step contains and can make a small file expand enormously")
}

fn tag_error(span: Span) -> Diagnostic {
    Diagnostic::new(
        span,
        "tags (`!name`, `!!str`) are not supported in scenario files",
    )
    .help("remove the tag; to force a string, put the value in quotes")
}

fn tab_error(span: Span) -> Diagnostic {
    Diagnostic::new(span, "tab character used for indentation")
        .expected("spaces")
        .help("YAML indents with spaces, not tabs; replace the tabs with spaces")
}

/// Plain words for saphyr's messages. Unknown messages pass through.
fn translate(info: &str, span: Span) -> Diagnostic {
    let d = |msg: &str| Diagnostic::new(span, msg);
    match info {
        "while scanning a quoted scalar, found unexpected end of stream"
        | "while scanning a quoted scalar, found unexpected document indicator"
        | "invalid indentation in quoted scalar" => d("unterminated quoted string")
            .help("close the string with the quote it opens with; a string that goes on over several lines must indent the lines after the first"),
        "mapping values are not allowed in this context" => d("unexpected `:` in a value")
            .help("if the value contains `: `, put it in quotes; if you meant a nested mapping, start it on a new, more indented line"),
        "while parsing a block mapping, did not find expected key" => {
            d("bad indentation: this line does not continue the mapping above")
                .expected("a `key: value` line indented like the keys above it")
        }
        "while parsing a block collection, did not find expected '-' indicator" => {
            d("bad indentation: this line does not continue the list above")
                .expected("a `- item` line indented like the items above it")
        }
        "invalid indentation" | "wrongly indented line in block scalar" => {
            d("bad indentation").expected("indentation that matches the lines above")
        }
        "while parsing a flow mapping, did not find expected ',' or '}'" => {
            d("unexpected content in a `{ … }` mapping").expected("`,` or `}`")
        }
        "while parsing a flow sequence, expected ',' or ']'" => {
            d("unexpected content in a `[ … ]` list").expected("`,` or `]`")
        }
        "misplaced bracket" => d("unmatched closing bracket"),
        "illegal placement of ':' indicator" => d("unexpected `:`")
            .help("if the value contains `:`, put it in quotes"),
        "while parsing a node, did not find expected node content" => d("expected a value here")
            .expected("a value: text, a list or a mapping"),
        "simple key expected" | "simple key expect ':'" | "could not find expected ':'" => {
            d("a key must be followed by `:`").expected("`:`")
        }
        "':' must be followed by a valid YAML whitespace" => {
            d("`:` must be followed by a space").expected("a space after `:`")
        }
        "'-' must be followed by a valid YAML whitespace" => {
            d("`-` must be followed by a space").expected("a space after `-`")
        }
        "unexpected eof" => d("the file ends in the middle of a value"),
        "found unprintable character" => d("control character in the file")
            .help("scenario files are text; remove the character or write it as an escape in a double-quoted string"),
        "while parsing node, found unknown anchor" => alias_error(span),
        "the handle wasn't declared" => tag_error(span),
        "tab cannot be used as indentation"
        | "tabs disallowed within this context (block indentation)"
        | "tabs disallowed in this context"
        | "while scanning a plain scalar, found a tab" => tab_error(span),
        "did not find expected <document start>" | "did not find expected <document-start>" => {
            d("unexpected content after the end of the document")
        }
        _ if info.starts_with("while scanning an anchor or alias") => {
            d("`&` and `*` (anchors and aliases) are not supported in scenario files")
                .help("put the value in quotes if it starts with `&` or `*`")
        }
        _ if info.contains("tag") => tag_error(span),
        _ if info.contains("quoted scalar") && info.contains("escape") => {
            d("invalid escape sequence in a double-quoted string")
                .help("write `\\\\` for a backslash, or use single quotes")
        }
        _ => Diagnostic::new(span, format!("YAML syntax error: {info}")),
    }
}

impl Node {
    /// A compact, stable dump of the tree, one node per line, used by tests
    /// and `--debug` output: `map 1:1@0+42`, `"key" 1:1@0+4 => plain 1:6@5+3 "abc"`.
    pub fn dump(&self) -> String {
        let mut out = String::new();
        let mut work: Vec<(usize, Option<&Node>, &Node)> = vec![(0, None, self)];
        while let Some((depth, key, node)) = work.pop() {
            let indent = "  ".repeat(depth);
            let _ = write!(out, "{indent}");
            if let Some(key) = key {
                let _ = write!(out, "{} => ", dump_one(key));
            }
            let _ = writeln!(out, "{}", dump_one(node));
            match &node.kind {
                NodeKind::Seq(items) => {
                    for item in items.iter().rev() {
                        work.push((depth + 1, None, item));
                    }
                }
                NodeKind::Map(entries) => {
                    for (k, v) in entries.iter().rev() {
                        work.push((depth + 1, Some(k), v));
                    }
                }
                NodeKind::Null | NodeKind::Scalar(_) => {}
            }
        }
        out
    }
}

fn dump_one(node: &Node) -> String {
    let s = node.span;
    let at = format!("{}:{}@{}+{}", s.line, s.col, s.offset, s.len);
    match &node.kind {
        NodeKind::Null => format!("null {at}"),
        NodeKind::Scalar(Scalar { value, quoted }) => {
            let style = if *quoted { "quoted" } else { "plain" };
            format!("{style} {at} {value:?}")
        }
        NodeKind::Seq(items) => format!("seq {at} ({} items)", items.len()),
        NodeKind::Map(entries) => format!("map {at} ({} keys)", entries.len()),
    }
}
