//! Diagnostics: one error at a [`Span`], with what was expected, a help line
//! and notes, rendered like rustc and hurl:
//!
//! ```text
//! error: unknown key `domain.refrsh`
//!   --> scenarios/dom/pending.yaml:12:26
//!    |
//! 12 |   - { as: ada@acme.test, domain.refrsh: acme.test }
//!    |                          ^^^^^^^^^^^^^ expected one of `domain.add`, `domain.refresh`
//!    |
//!    = help: did you mean `domain.refresh`?
//!    = note: first defined at 4:3
//! ```
//!
//! Rendering never panics: spans past the end are clamped, invalid UTF-8 is
//! shown lossily, tabs are expanded, and very long lines are cut around the
//! column.

use std::fmt;

use anstyle::{AnsiColor, Style};

use super::yaml::Span;

/// One error in a scenario file.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub span: Span,
    pub message: String,
    /// Shown after the carets: "expected …".
    pub expected: Option<String>,
    pub help: Option<String>,
    pub notes: Vec<Note>,
}

/// Extra context. A note with a span renders as "`message` at line:col".
#[derive(Clone, Debug)]
pub struct Note {
    pub span: Option<Span>,
    pub message: String,
}

/// Widest source excerpt shown, in characters.
const MAX_LINE_CHARS: usize = 100;
/// Characters kept before the caret when a long line is cut.
const KEEP_BEFORE_CHARS: usize = 40;
/// Bytes of a line examined around the caret (a line may be megabytes).
const WINDOW_BYTES: usize = 1024;
const TAB_WIDTH: usize = 4;

impl Diagnostic {
    pub fn new(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            span,
            message: message.into(),
            expected: None,
            help: None,
            notes: Vec::new(),
        }
    }

    /// What would have been accepted here (rendered as "expected …").
    pub fn expected(mut self, what: impl Into<String>) -> Diagnostic {
        self.expected = Some(what.into());
        self
    }

    pub fn help(mut self, text: impl Into<String>) -> Diagnostic {
        self.help = Some(text.into());
        self
    }

    /// Adds a note; with a span it renders as "`text` at line:col".
    pub fn note(mut self, span: Option<Span>, text: impl Into<String>) -> Diagnostic {
        self.notes.push(Note {
            span,
            message: text.into(),
        });
        self
    }

    /// Renders like rustc/hurl. `color` adds ANSI styles via anstyle.
    pub fn render(&self, file: &str, source: &[u8], color: bool) -> String {
        let styles = Styles::new(color);
        let excerpt = Excerpt::new(source, self.span);
        let line_no = self.span.line.max(1).to_string();
        let pad = " ".repeat(line_no.len());
        let bar = styles.gutter.paint("|");
        let mut out = String::new();

        out.push_str(&styles.error.paint("error"));
        out.push_str(&styles.bold.paint(&format!(": {}", self.message)));
        out.push('\n');
        out.push_str(&format!(
            "{pad}{} {file}:{}:{}\n",
            styles.gutter.paint("-->"),
            self.span.line,
            self.span.col
        ));
        out.push_str(&format!("{pad} {bar}\n"));
        let gap = if excerpt.text.is_empty() { "" } else { " " };
        out.push_str(&format!(
            "{} {bar}{gap}{}\n",
            styles.gutter.paint(&line_no),
            excerpt.text
        ));
        let mut marker = format!(
            "{}{}",
            " ".repeat(excerpt.caret_col),
            styles.error.paint(&"^".repeat(excerpt.caret_len))
        );
        if let Some(expected) = &self.expected {
            marker.push(' ');
            marker.push_str(&styles.error.paint(&format!("expected {expected}")));
        }
        out.push_str(&format!("{pad} {bar} {marker}\n"));
        if self.help.is_some() || !self.notes.is_empty() {
            out.push_str(&format!("{pad} {bar}\n"));
        }
        if let Some(help) = &self.help {
            out.push_str(&format!("{pad} = {}: {help}\n", styles.bold.paint("help")));
        }
        for note in &self.notes {
            let at = note
                .span
                .map(|s| format!(" at {}:{}", s.line, s.col))
                .unwrap_or_default();
            out.push_str(&format!(
                "{pad} = {}: {}{at}\n",
                styles.bold.paint("note"),
                note.message
            ));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    /// One line: `line:col: message`, for logs and `anyhow` chains; use
    /// [`Diagnostic::render`] for people.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.span.line, self.span.col, self.message)
    }
}

impl std::error::Error for Diagnostic {}

struct Styles {
    error: Paint,
    gutter: Paint,
    bold: Paint,
}

struct Paint(Option<Style>);

impl Paint {
    fn paint(&self, text: &str) -> String {
        match self.0 {
            Some(style) => format!("{}{text}{}", style.render(), style.render_reset()),
            None => text.to_string(),
        }
    }
}

impl Styles {
    fn new(color: bool) -> Styles {
        let on = |s: Style| Paint(color.then_some(s));
        Styles {
            error: on(Style::new().bold().fg_color(Some(AnsiColor::Red.into()))),
            gutter: on(Style::new().bold().fg_color(Some(AnsiColor::Blue.into()))),
            bold: on(Style::new().bold()),
        }
    }
}

/// The source line shown under the header, made safe to print, and where
/// the carets go on it.
struct Excerpt {
    text: String,
    caret_col: usize,
    caret_len: usize,
}

impl Excerpt {
    fn new(source: &[u8], span: Span) -> Excerpt {
        let offset = span.offset.min(source.len());
        let line_start = source[..offset]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line_end = source[offset..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(source.len(), |i| offset + i);
        let mut line_start = line_start;
        if line_start == 0 && source.starts_with(b"\xef\xbb\xbf") && offset >= 3 {
            line_start = 3;
        }
        let line_end = if line_end > line_start && source[line_end - 1] == b'\r' {
            line_end - 1
        } else {
            line_end
        };
        let offset = offset.clamp(line_start, line_end);
        let span_end = span.offset.saturating_add(span.len).clamp(offset, line_end);

        // Look only at a window of bytes around the caret, snapped to
        // character boundaries, so a 50 MB line costs nothing.
        let win_start = snap_back(
            source,
            offset.saturating_sub(WINDOW_BYTES).max(line_start),
            line_start,
        );
        let win_end =
            snap_back(source, line_end.min(span_end + WINDOW_BYTES), line_start).max(span_end);
        let cut_left = win_start > line_start;
        let cut_right = win_end < line_end;

        let before = display(&source[win_start..offset]);
        let inside = display(&source[offset..span_end]);
        let after = display(&source[span_end..win_end]);

        let mut chars: Vec<char> = Vec::new();
        chars.extend(before.iter());
        let caret_col = chars.len();
        chars.extend(inside.iter());
        let caret_len = inside.len().max(1);
        chars.extend(after.iter());

        // Cut to MAX_LINE_CHARS around the caret.
        let mut first = 0;
        let mut left_marker = cut_left;
        if chars.len() > MAX_LINE_CHARS && caret_col > KEEP_BEFORE_CHARS {
            first = caret_col - KEEP_BEFORE_CHARS;
            left_marker = true;
        }
        let last = (first + MAX_LINE_CHARS).min(chars.len());
        let right_marker = cut_right || last < chars.len();
        let mut text = String::new();
        if left_marker {
            text.push('…');
        }
        text.extend(&chars[first..last]);
        if right_marker {
            text.push('…');
        }
        let shift = usize::from(left_marker);
        let caret_col = caret_col - first + shift;
        let room = (last - first + shift + 1).saturating_sub(caret_col).max(1);
        Excerpt {
            text: text.trim_end().to_string(),
            caret_col,
            caret_len: caret_len.min(room),
        }
    }
}

/// Moves `at` back to the start of a UTF-8 character (at most 3 bytes).
fn snap_back(source: &[u8], mut at: usize, floor: usize) -> usize {
    let mut steps = 0;
    while at > floor && at < source.len() && (source[at] & 0xc0) == 0x80 && steps < 3 {
        at -= 1;
        steps += 1;
    }
    at
}

/// Bytes to printable characters: lossy UTF-8, tabs expanded, other
/// control characters shown as `�`.
fn display(bytes: &[u8]) -> Vec<char> {
    let mut out = Vec::new();
    for c in String::from_utf8_lossy(bytes).chars() {
        match c {
            '\t' => out.extend(std::iter::repeat_n(' ', TAB_WIDTH)),
            '\u{feff}' => {}
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}
