//! Snapshot files in insta's `.snap` format, read and written without cargo.
//!
//! The project's own tests run every scenario through `insta::glob!` (in
//! `tests/it/scenarios.rs`); `ssosim run` reads and writes the *same* files,
//! byte for byte, so `cargo test`, `cargo insta review` and `ssosim run
//! --accept` all agree. This module is that shared ground.
//!
//! # Where a snapshot lives
//!
//! [`snapshot_path`]: the nearest ancestor directory of the scenario named
//! `scenarios` decides. `<root>/scenarios/dom/apex-record.yaml` has its
//! snapshot at `<root>/snapshots/dom__apex-record.snap` — the path below
//! `scenarios/`, `/` turned into `__` and `.yaml`/`.yml` dropped, exactly the
//! name insta derives for the glob test. A file outside any `scenarios`
//! folder keeps its snapshot beside it: `<dir>/snapshots/<stem>.snap`.
//!
//! # The file format (insta 1.49)
//!
//! ```text
//! ---
//! source: tests/it/scenarios.rs
//! expression: transcript
//! input_file: scenarios/dom/apex-record.yaml
//! ---
//! <transcript, trailing whitespace trimmed, CRLF turned into LF>
//! ```
//!
//! The header is a YAML mapping written by insta's own emitter; [`render`]
//! reproduces its quoting rules exactly (a value is double-quoted with JSON
//! style escapes when it is empty, has surrounding spaces, starts with one of
//! `& * ? | - < > = ! % @ .`, contains one of `: { } [ ] , # `` ` `` " ' \`
//! or a control character, reads as a YAML bool/null, or parses as a number).
//! The body follows the second `---` line and ends with one newline.
//!
//! `.snap.new` files ([`write_pending`]) have the same format; insta adds an
//! `assertion_line:` key to the ones it writes, which `ssosim` cannot know
//! and `cargo insta review` does not need.
//!
//! # Matching
//!
//! [`contents_match`] follows insta: both sides are compared after trimming
//! trailing whitespace and turning CRLF into LF, so a snapshot checked out
//! with Windows line endings still matches. Like insta, a snapshot in the
//! legacy layout (leading blank lines, or a `---` line opening the body) is
//! also accepted.
//!
//! # Writing
//!
//! Every write is atomic ([`write_atomic`]): a temporary file in the same
//! directory, flushed to disk, then renamed over the target. A crash leaves
//! either the old file or the new one, never half of one.

use std::fmt::Write as _;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use anstyle::{AnsiColor, Style};
use saphyr_parser::{Event, Parser, ScanError, Span};
use similar::{ChangeTag, TextDiff};

/// The `source:` insta records for the scenario glob test.
pub const SOURCE: &str = "tests/it/scenarios.rs";
/// The `expression:` insta records for `assert_snapshot!(name, transcript)`.
pub const EXPRESSION: &str = "transcript";

/// A parsed snapshot file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// Header keys and values in file order. Scalars are given as their
    /// string value; nested values (insta's `info:`) as compact JSON.
    pub metadata: Vec<(String, String)>,
    /// The body, lines joined by `\n`, without the final newline.
    pub contents: String,
}

impl Snapshot {
    /// The value of a header key, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.metadata
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Why a snapshot file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The file exists but could not be read.
    #[error("cannot read snapshot {}: {source}", path.display())]
    Io {
        /// The snapshot file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
    /// The file is not a snapshot in insta's format.
    #[error("{}:{line}: malformed snapshot: {reason}", path.display())]
    Malformed {
        /// The snapshot file.
        path: PathBuf,
        /// The 1-based line where the problem was found.
        line: usize,
        /// What was wrong, and what was expected.
        reason: String,
    },
}

/// Where the snapshot of a scenario file lives (see the module docs).
///
/// This looks only at the path it is given. A user inside `scenarios/` may
/// type `dom/x.yaml`; pass `std::path::absolute(file)` (which, unlike
/// `canonicalize`, keeps symlinked folders as named) so the `scenarios`
/// folder is among the components.
pub fn snapshot_path(scenario_file: &Path) -> PathBuf {
    let file_name = scenario_file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match split_at_scenarios(scenario_file) {
        Some((root, rel_dirs)) => {
            let mut parts = rel_dirs;
            parts.push(strip_yaml(&file_name).to_string());
            root.join("snapshots")
                .join(format!("{}.snap", parts.join("__")))
        }
        None => {
            let stem = scenario_file
                .file_stem()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let dir = scenario_file.parent().unwrap_or(Path::new(""));
            dir.join("snapshots").join(format!("{stem}.snap"))
        }
    }
}

/// The `input_file:` insta records for a scenario: its path relative to the
/// parent of its `scenarios` folder (the workspace root), `/`-separated.
/// Without a `scenarios` ancestor, the path as given, `/`-separated.
pub fn input_file_for(scenario_file: &Path) -> String {
    let file_name = scenario_file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match split_at_scenarios(scenario_file) {
        Some((_, mut rel_dirs)) => {
            rel_dirs.insert(0, "scenarios".to_string());
            rel_dirs.push(file_name);
            rel_dirs.join("/")
        }
        None => scenario_file.to_string_lossy().replace('\\', "/"),
    }
}

/// Splits `<root>/scenarios/<dirs…>/<file>` at the `scenarios` component
/// nearest to the file: returns `<root>` and `<dirs…>`.
fn split_at_scenarios(file: &Path) -> Option<(PathBuf, Vec<String>)> {
    let dir = file.parent()?;
    let comps: Vec<Component> = dir.components().collect();
    let at = comps
        .iter()
        .rposition(|c| matches!(c, Component::Normal(n) if *n == "scenarios"))?;
    let root: PathBuf = comps[..at].iter().collect();
    let rel = comps[at + 1..]
        .iter()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some((root, rel))
}

fn strip_yaml(name: &str) -> &str {
    name.strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
        .unwrap_or(name)
}

/// Reads a snapshot file; `Ok(None)` when it does not exist.
pub fn read(path: &Path) -> Result<Option<Snapshot>, SnapshotError> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(SnapshotError::Io {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    let malformed = |line: usize, reason: String| SnapshotError::Malformed {
        path: path.to_path_buf(),
        line,
        reason,
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        malformed(line, "the file is not valid UTF-8".to_string())
    })?;
    parse(&text)
        .map_err(|(line, reason)| malformed(line, reason))
        .map(Some)
}

/// Parses the text of a snapshot file; errors carry a 1-based line.
fn parse(text: &str) -> Result<Snapshot, (usize, String)> {
    let mut lines = text.split_inclusive('\n');
    match lines.next() {
        Some(first) if first.trim_end() == "---" => {}
        Some(first) => {
            return Err((
                1,
                format!(
                    "expected the header to open with a `---` line, found `{}` \
                     (legacy insta snapshots are not supported: rewrite them with \
                     `cargo insta test --force-update-snapshots`)",
                    first.trim_end().escape_debug()
                ),
            ))
        }
        None => return Err((1, "the file is empty; expected a `---` header".to_string())),
    }
    // The header is everything up to the next `---` line (insta's reader
    // does the same); the YAML text includes the opening `---`, so YAML line
    // numbers are file line numbers.
    let mut header_len = text.split_inclusive('\n').next().map_or(0, str::len);
    let mut closed = false;
    let mut header_lines = 1;
    for line in lines {
        header_lines += 1;
        if line.trim_end() == "---" {
            closed = true;
            break;
        }
        header_len += line.len();
    }
    if !closed {
        return Err((
            header_lines,
            "the header is not closed: expected a second `---` line before the body".to_string(),
        ));
    }
    let yaml = &text[..header_len];
    let body_start = header_len + "---".len();
    let body = text[body_start..]
        .split_once('\n')
        .map_or("", |(_, rest)| rest);
    let metadata = parse_header(yaml)?;
    if metadata
        .iter()
        .any(|(k, v)| k == "snapshot_kind" && v == "binary")
    {
        return Err((
            2,
            "binary snapshots are not supported; ssosim snapshots are text".to_string(),
        ));
    }
    // Like insta's reader (`BufRead::lines`): split on LF, drop a CR before
    // it, join with LF, no final newline.
    let contents = body.lines().collect::<Vec<_>>().join("\n");
    Ok(Snapshot { metadata, contents })
}

/// Parses the YAML header into ordered `(key, value)` pairs.
fn parse_header(yaml: &str) -> Result<Vec<(String, String)>, (usize, String)> {
    let mut events = Events {
        parser: Parser::new_from_str(yaml),
    };
    // StreamStart, DocumentStart, then the document's root node.
    loop {
        let (ev, span) = events.next()?;
        match ev {
            Event::StreamStart | Event::DocumentStart(_) => continue,
            Event::MappingStart(..) => break,
            Event::Scalar(v, ..) if v.is_empty() || v == "~" || v == "null" => {
                return Err((
                    span.start.line().max(2),
                    "the header is empty; expected `key: value` lines".to_string(),
                ))
            }
            Event::DocumentEnd | Event::StreamEnd => {
                return Err((
                    2,
                    "the header is empty; expected `key: value` lines".to_string(),
                ))
            }
            _ => {
                return Err((
                    span.start.line(),
                    "the header is not a YAML mapping of `key: value` lines".to_string(),
                ))
            }
        }
    }
    let mut out = Vec::new();
    loop {
        let (ev, span) = events.next()?;
        let key = match ev {
            Event::MappingEnd => break,
            Event::Scalar(k, ..) => k.into_owned(),
            _ => {
                return Err((
                    span.start.line(),
                    "header keys must be plain strings".to_string(),
                ))
            }
        };
        let (ev, span) = events.next()?;
        let value = match events.value(ev, span)? {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        out.push((key, value));
    }
    Ok(out)
}

struct Events<'a> {
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
}

impl<'a> Events<'a> {
    fn next(&mut self) -> Result<(Event<'a>, Span), (usize, String)> {
        match self.parser.next_event() {
            Some(Ok(ev)) => Ok(ev),
            Some(Err(e)) => Err(scan_error(&e)),
            None => Err((1, "the header ended unexpectedly".to_string())),
        }
    }

    /// Reads one YAML node (whose first event is given) as a JSON value.
    fn value(&mut self, ev: Event<'a>, span: Span) -> Result<serde_json::Value, (usize, String)> {
        use serde_json::Value;
        match ev {
            Event::Scalar(v, ..) => Ok(Value::String(v.into_owned())),
            Event::SequenceStart(..) => {
                let mut items = Vec::new();
                loop {
                    let (ev, span) = self.next()?;
                    if matches!(ev, Event::SequenceEnd) {
                        return Ok(Value::Array(items));
                    }
                    items.push(self.value(ev, span)?);
                }
            }
            Event::MappingStart(..) => {
                let mut map = serde_json::Map::new();
                loop {
                    let (ev, span) = self.next()?;
                    if matches!(ev, Event::MappingEnd) {
                        return Ok(Value::Object(map));
                    }
                    let key = match self.value(ev, span)? {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    let (ev, span) = self.next()?;
                    let v = self.value(ev, span)?;
                    map.insert(key, v);
                }
            }
            _ => Err((
                span.start.line(),
                "unsupported YAML in the header (aliases are not allowed)".to_string(),
            )),
        }
    }
}

fn scan_error(e: &ScanError) -> (usize, String) {
    (
        e.marker().line(),
        format!(
            "the header is not valid YAML: {} (column {})",
            e.info(),
            e.marker().col() + 1
        ),
    )
}

/// Normalises snapshot text the way insta compares it: trailing whitespace
/// trimmed, CRLF turned into LF.
pub fn normalize(contents: &str) -> String {
    contents.trim_end().replace("\r\n", "\n")
}

/// Whether a stored snapshot body matches this run's transcript (insta's rules).
pub fn contents_match(stored: &str, actual: &str) -> bool {
    let (stored, actual) = (normalize(stored), normalize(actual));
    stored == actual || legacy(&stored) == legacy(&actual)
}

/// insta's legacy normalisation for file snapshots: leading newlines and a
/// leading `---` line are ignored.
fn legacy(normalized: &str) -> &str {
    let out = normalized.trim_start_matches(['\r', '\n']);
    out.strip_prefix("---\n").unwrap_or(out)
}

/// The bytes insta 1.49 writes for `assert_snapshot!(name, transcript)` in
/// `tests/it/scenarios.rs` with `input_file` set: the exact `.snap` file.
pub fn render(contents: &str, input_file: &str) -> String {
    render_with_metadata(
        &[
            ("source", SOURCE),
            ("expression", EXPRESSION),
            ("input_file", input_file),
        ],
        contents,
    )
}

/// Writes a snapshot file with arbitrary string metadata, in insta's layout.
pub fn render_with_metadata(metadata: &[(&str, &str)], contents: &str) -> String {
    let mut out = String::from("---\n");
    if metadata.is_empty() {
        out.push_str("{}\n");
    }
    for (key, value) in metadata {
        yaml_string(&mut out, key);
        out.push_str(": ");
        yaml_string(&mut out, value);
        out.push('\n');
    }
    out.push_str("---\n");
    out.push_str(&normalize(contents));
    out.push('\n');
    out
}

/// A YAML string as insta's vendored emitter writes it (plain or quoted).
fn yaml_string(out: &mut String, s: &str) {
    if !needs_quotes(s) {
        out.push_str(s);
        return;
    }
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\0'..='\u{1f}' | '\u{7f}' => {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// insta's `need_quotes`, rule for rule (see the module docs).
fn needs_quotes(s: &str) -> bool {
    const RESERVED: [&str; 22] = [
        "yes", "Yes", "YES", "no", "No", "NO", "True", "TRUE", "true", "False", "FALSE", "false",
        "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~",
    ];
    s.is_empty()
        || s.starts_with(' ')
        || s.ends_with(' ')
        || s.starts_with(['&', '*', '?', '|', '-', '<', '>', '=', '!', '%', '@'])
        || s.contains(|c: char| {
            matches!(c,
                ':' | '{' | '}' | '[' | ']' | ',' | '#' | '`' | '"' | '\'' | '\\'
                | '\0'..='\x06' | '\t' | '\n' | '\r' | '\x0e'..='\x1a' | '\x1c'..='\x1f')
        })
        || RESERVED.contains(&s)
        || s.starts_with('.')
        || s.starts_with("0x")
        || s.parse::<i64>().is_ok()
        || s.parse::<f64>().is_ok()
}

/// Distinguishes temporary files written concurrently by one process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// directory, fsynced, then renamed over `path`. Creates the directory. On
/// error the temporary file is removed and `path` is untouched.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} does not name a file", path.display()),
        )
    })?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}-{}.tmp",
        name.to_string_lossy(),
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        // Best effort: the write already failed, and that error is the one
        // worth reporting.
        let _ = fs::remove_file(&tmp);
        return result;
    }
    sync_dir(dir);
    Ok(())
}

/// Makes the rename durable. Some file systems refuse to fsync a directory;
/// the rename itself has already happened, so that is not an error.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// The pending path beside a snapshot: `<path>.new` (`x.snap` → `x.snap.new`).
pub fn pending_path(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(".new");
    PathBuf::from(p)
}

/// Writes this run's transcript as `<path>.new` beside the snapshot, where
/// `cargo insta review` also finds it. Returns the path written.
pub fn write_pending(path: &Path, contents: &str, input_file: &str) -> io::Result<PathBuf> {
    let pending = pending_path(path);
    write_atomic(&pending, render(contents, input_file).as_bytes())?;
    Ok(pending)
}

/// Accepts this run's transcript: atomically writes the `.snap` and removes
/// a stale `.snap.new` beside it.
pub fn accept(path: &Path, contents: &str, input_file: &str) -> io::Result<()> {
    write_atomic(path, render(contents, input_file).as_bytes())?;
    match fs::remove_file(pending_path(path)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// A unified diff from the stored snapshot to this run's transcript, with
/// headers `--- stored snapshot` / `+++ this run` and `context` lines around
/// each change. Both sides are normalised first (see [`contents_match`]);
/// the result is empty when they are equal. `color` paints removed lines
/// red, added lines green and hunk headers cyan.
pub fn unified_diff(stored: &str, actual: &str, color: bool, context: usize) -> String {
    let with_newline = |s: &str| {
        let mut n = normalize(s);
        if !n.is_empty() {
            n.push('\n');
        }
        n
    };
    let (old, new) = (with_newline(stored), with_newline(actual));
    let diff = TextDiff::from_lines(&old, &new);
    let mut udiff = diff.unified_diff();
    udiff.context_radius(context);
    let paint = |style: Style, text: &str| {
        if color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    };
    let bold = Style::new().bold();
    let red = Style::new().fg_color(Some(AnsiColor::Red.into()));
    let green = Style::new().fg_color(Some(AnsiColor::Green.into()));
    let cyan = Style::new().fg_color(Some(AnsiColor::Cyan.into()));
    let mut out = String::new();
    for (i, hunk) in udiff.iter_hunks().enumerate() {
        if i == 0 {
            out.push_str(&paint(bold, "--- stored snapshot"));
            out.push('\n');
            out.push_str(&paint(bold, "+++ this run"));
            out.push('\n');
        }
        out.push_str(&paint(cyan, &hunk.header().to_string()));
        out.push('\n');
        for change in hunk.iter_changes() {
            let line = change.value().strip_suffix('\n').unwrap_or(change.value());
            let text = format!("{}{}", change.tag(), line);
            let styled = match change.tag() {
                ChangeTag::Delete => paint(red, &text),
                ChangeTag::Insert => paint(green, &text),
                ChangeTag::Equal => text,
            };
            out.push_str(&styled);
            out.push('\n');
        }
    }
    out
}
