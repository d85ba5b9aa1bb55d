//! Helpers that turn [`Node`]s into typed values with errors that point at
//! the node: `expected … found …`, unknown keys with a "did you mean", and
//! YAML 1.1 habits (`yes`, bare-number durations) refused with a hint.

use std::time::Duration;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::diag::Diagnostic;
use super::yaml::{Node, NodeKind, Scalar, Span};

pub type DResult<T> = Result<T, Diagnostic>;

impl Node {
    /// What the node looks like, for "found …": "a mapping", "a list",
    /// "a string", "a number", "a boolean" (unquoted `true`/`false`), "null".
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Null => "null",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
            NodeKind::Scalar(Scalar { quoted: true, .. }) => "a string",
            NodeKind::Scalar(Scalar { value, .. }) => {
                if matches!(
                    value.as_str(),
                    "true" | "false" | "True" | "False" | "TRUE" | "FALSE"
                ) {
                    "a boolean"
                } else if looks_numeric(value) {
                    "a number"
                } else {
                    "a string"
                }
            }
        }
    }

    fn scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    fn mismatch(&self, what: &str, kind: &str) -> Diagnostic {
        Diagnostic::new(
            self.caret_span(),
            format!("expected {what} ({kind}), found {}", self.type_name()),
        )
    }

    /// The span to underline: a point when the node is empty.
    fn caret_span(&self) -> Span {
        self.span
    }

    /// The text of any scalar (numbers and booleans included, as written).
    pub fn as_str(&self, what: &str) -> DResult<&str> {
        match self.scalar() {
            Some(s) => Ok(&s.value),
            None => Err(self.mismatch(what, "a string")),
        }
    }

    /// A non-negative whole number written without quotes (`_` separators allowed).
    pub fn as_u64(&self, what: &str) -> DResult<u64> {
        let s = self
            .scalar()
            .ok_or_else(|| self.mismatch(what, "a whole number"))?;
        let digits: String = s.value.chars().filter(|&c| c != '_').collect();
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            if s.quoted {
                return Err(self
                    .mismatch(what, "a whole number")
                    .help(format!("remove the quotes: `{}`", s.value)));
            }
            return digits.parse::<u64>().map_err(|_| {
                Diagnostic::new(
                    self.span,
                    format!("{what} is too large: the most is {}", u64::MAX),
                )
            });
        }
        let mut diag = Diagnostic::new(
            self.span,
            format!("expected {what} (a whole number), found `{}`", s.value),
        );
        if s.value.starts_with('-') {
            diag = diag.help("it cannot be negative");
        }
        Err(diag)
    }

    /// `true` or `false` (YAML 1.2 core schema, unquoted).
    pub fn as_bool(&self, what: &str) -> DResult<bool> {
        let s = self
            .scalar()
            .ok_or_else(|| self.mismatch(what, "`true` or `false`"))?;
        let parsed = match s.value.as_str() {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            _ => None,
        };
        match (parsed, s.quoted) {
            (Some(b), false) => Ok(b),
            (Some(b), true) => Err(Diagnostic::new(
                self.span,
                format!("expected {what} (`true` or `false`), found a quoted string"),
            )
            .help(format!("remove the quotes: `{b}`"))),
            (None, _) => {
                let lower = s.value.to_ascii_lowercase();
                let meant = match lower.as_str() {
                    "yes" | "y" | "on" => Some(true),
                    "no" | "n" | "off" => Some(false),
                    _ => None,
                };
                let mut diag = Diagnostic::new(
                    self.span,
                    format!("expected {what} (`true` or `false`), found `{}`", s.value),
                )
                .expected("`true` or `false`");
                if let Some(b) = meant {
                    diag = diag.help(format!(
                        "scenario files use YAML 1.2, where `{}` is just text; write `{b}`",
                        s.value
                    ));
                }
                Err(diag)
            }
        }
    }

    /// A duration with units: `10m`, `40m`, `1h 30m`, `90s`, `14d`.
    pub fn as_duration(&self, what: &str) -> DResult<Duration> {
        let s = self
            .scalar()
            .ok_or_else(|| self.mismatch(what, "a duration"))?;
        let text = s.value.trim();
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Diagnostic::new(
                self.span,
                format!("{what} needs a unit: `{text}` alone is ambiguous"),
            )
            .expected("a duration such as `10m`, `1h 30m` or `90s`")
            .help(format!("write a unit, e.g. `{text}m` or `{text}s`")));
        }
        humantime::parse_duration(text).map_err(|e| {
            Diagnostic::new(self.span, format!("invalid {what} `{}`: {e}", s.value))
                .expected("a duration such as `10m`, `1h 30m`, `90s` or `14d`")
        })
    }

    /// An RFC 3339 timestamp, e.g. `2026-01-01T00:00:00Z`.
    pub fn as_timestamp(&self, what: &str) -> DResult<OffsetDateTime> {
        let s = self
            .scalar()
            .ok_or_else(|| self.mismatch(what, "a timestamp"))?;
        OffsetDateTime::parse(s.value.trim(), &Rfc3339).map_err(|e| {
            Diagnostic::new(self.span, format!("invalid {what} `{}`: {e}", s.value))
                .expected("an RFC 3339 timestamp such as `2026-01-01T00:00:00Z`")
        })
    }

    pub fn as_seq(&self, what: &str) -> DResult<&[Node]> {
        match &self.kind {
            NodeKind::Seq(items) => Ok(items),
            _ => Err(self.mismatch(what, "a list")),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, NodeKind::Null)
    }
}

fn looks_numeric(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    !body.is_empty()
        && body.bytes().any(|b| b.is_ascii_digit())
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'_')
        && body.bytes().filter(|&b| b == b'.').count() <= 1
}

/// Reads a mapping key by key, remembering which keys were asked for so that
/// [`MapReader::finish`] can reject the rest with a "did you mean".
pub struct MapReader<'a> {
    node: &'a Node,
    entries: &'a [(Node, Node)],
    what: String,
    /// Keys asked for, in the order asked, without repeats.
    asked: Vec<String>,
    /// One flag per entry.
    used: Vec<bool>,
}

fn key_text(key: &Node) -> &str {
    match &key.kind {
        NodeKind::Scalar(s) => &s.value,
        _ => "",
    }
}

impl<'a> MapReader<'a> {
    pub fn new(node: &'a Node, what: &str) -> DResult<MapReader<'a>> {
        match &node.kind {
            NodeKind::Map(entries) => Ok(MapReader {
                node,
                entries,
                what: what.to_string(),
                asked: Vec::new(),
                used: vec![false; entries.len()],
            }),
            _ => Err(node.mismatch(what, "a mapping")),
        }
    }

    fn lookup(&mut self, key: &str) -> Option<&'a Node> {
        if !self.asked.iter().any(|k| k == key) {
            self.asked.push(key.to_string());
        }
        let entries = self.entries;
        let i = entries.iter().position(|(k, _)| key_text(k) == key)?;
        self.used[i] = true;
        Some(&entries[i].1)
    }

    /// The value of a key that must be present.
    pub fn req(&mut self, key: &str) -> DResult<&'a Node> {
        if let Some(node) = self.lookup(key) {
            return Ok(node);
        }
        let mut diag = Diagnostic::new(
            self.node.span,
            format!("missing key `{key}` in {}", self.what),
        );
        // A misspelt key is the usual reason a required key is missing.
        let unused: Vec<(&str, Span)> = self
            .entries
            .iter()
            .zip(&self.used)
            .filter(|(_, used)| !**used)
            .map(|((k, _), _)| (key_text(k), k.span))
            .collect();
        for (name, span) in unused {
            if suggest(name, &[key]).is_some() {
                diag = diag
                    .help(format!("`{name}` looks like a misspelling of `{key}`"))
                    .note(Some(span), format!("`{name}` is"));
                break;
            }
        }
        Err(diag)
    }

    pub fn opt(&mut self, key: &str) -> Option<&'a Node> {
        self.lookup(key)
    }

    /// Raw access, for mappings whose keys are data.
    pub fn entries(&self) -> &'a [(Node, Node)] {
        self.entries
    }

    /// Marks a key consumed through [`MapReader::entries`] (also makes it a
    /// known key for the "expected one of" list).
    pub fn mark_used(&mut self, key: &str) {
        let _ = self.lookup(key);
    }

    /// Marks every entry used: for mappings whose keys are all data.
    pub fn mark_all_used(&mut self) {
        self.used.iter_mut().for_each(|u| *u = true);
    }

    /// Fails on the first key (in source order) that was never asked for.
    pub fn finish(self) -> DResult<()> {
        let Some(i) = self.used.iter().position(|u| !u) else {
            return Ok(());
        };
        let key = &self.entries[i].0;
        let name = key_text(key);
        let mut diag = Diagnostic::new(key.span, format!("unknown key `{name}` in {}", self.what));
        let known: Vec<&str> = self.asked.iter().map(String::as_str).collect();
        diag = if known.is_empty() {
            diag.expected("no keys here")
        } else {
            diag.expected(format!("one of {}", list(&known)))
        };
        if let Some(s) = suggest(name, &known) {
            diag = diag.help(format!("did you mean `{s}`?"));
        }
        Err(diag)
    }
}

/// `` `a`, `b`, `c` ``.
pub fn list(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The candidate closest to `word`, if it is close enough to be a likely
/// typo: same letters up to case and `_`/`.`/`-`/space separators, or a
/// Damerau-Levenshtein distance of at most a third of the length (at least 1).
pub fn suggest<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let norm = normalize(word);
    if let Some(c) = candidates.iter().find(|c| normalize(c) == norm) {
        return Some(c);
    }
    let w: Vec<char> = word.to_lowercase().chars().collect();
    let mut best: Option<(usize, &'c str)> = None;
    for &c in candidates {
        let cc: Vec<char> = normalize(c).chars().collect();
        let d = osa_distance(&norm.chars().collect::<Vec<_>>(), &cc).min(osa_distance(
            &w,
            &c.to_lowercase().chars().collect::<Vec<_>>(),
        ));
        let limit = (w.len().max(cc.len()) / 3).max(1);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

fn normalize(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '_' | '-' | ' ' => '.',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Optimal string alignment distance (Damerau-Levenshtein with adjacent
/// transpositions). Inputs are short keys; long ones are cut off early.
fn osa_distance(a: &[char], b: &[char]) -> usize {
    const MAX: usize = 64;
    if a.len() > MAX || b.len() > MAX {
        return usize::MAX;
    }
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[n][m]
}

/// A string that must be one of `choices`, with a "did you mean".
pub fn one_of<'c>(node: &Node, choices: &[&'c str], what: &str) -> DResult<&'c str> {
    let value = node.as_str(what)?;
    if let Some(c) = choices.iter().find(|c| **c == value) {
        return Ok(c);
    }
    let mut diag = Diagnostic::new(node.span, format!("`{value}` is not {what}"))
        .expected(format!("one of {}", list(choices)));
    if let Some(s) = suggest(value, choices) {
        diag = diag.help(format!("did you mean `{s}`?"));
    }
    Err(diag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::yaml::{parse, Limits};

    fn doc(src: &str) -> Node {
        parse(src.as_bytes(), &Limits::default()).unwrap()
    }

    #[test]
    fn suggest_catches_typos_case_and_separators() {
        let c = ["domain.add", "domain.refresh", "domain.remove"];
        assert_eq!(suggest("domain.refrsh", &c), Some("domain.refresh"));
        assert_eq!(suggest("domain_refresh", &c), Some("domain.refresh"));
        assert_eq!(suggest("Domain-Remove", &c), Some("domain.remove"));
        assert_eq!(suggest("domain.ad", &c), Some("domain.add"));
        assert_eq!(suggest("domian.add", &c), Some("domain.add"));
        assert_eq!(suggest("login", &c), None);
        assert_eq!(suggest("x", &["y"]), Some("y"));
        assert_eq!(suggest("xyz", &["abc"]), None);
        assert_eq!(suggest("anything", &[]), None);
        assert_eq!(suggest(&"a".repeat(500), &["a"]), None);
    }

    #[test]
    fn map_reader_finish_reports_first_unknown_key() {
        let node = doc("name: x\nstpes: []\nworld: {}\nextra: 1\n");
        let mut m = MapReader::new(&node, "the scenario").unwrap();
        assert!(m.req("name").is_ok());
        assert!(m.opt("world").is_some());
        assert!(m.opt("steps").is_none());
        let err = m.finish().unwrap_err();
        assert_eq!(err.message, "unknown key `stpes` in the scenario");
        assert_eq!(
            err.expected.as_deref(),
            Some("one of `name`, `world`, `steps`")
        );
        assert_eq!(err.help.as_deref(), Some("did you mean `steps`?"));
        assert_eq!((err.span.line, err.span.col), (2, 1));
    }

    #[test]
    fn map_reader_mark_used_and_missing_key() {
        let node = doc("{ a: 1, stepz: 2 }");
        let mut m = MapReader::new(&node, "the step").unwrap();
        m.mark_used("a");
        let err = m.req("steps").unwrap_err();
        assert_eq!(err.message, "missing key `steps` in the step");
        assert_eq!(
            err.help.as_deref(),
            Some("`stepz` looks like a misspelling of `steps`")
        );
        let mut m = MapReader::new(&node, "the step").unwrap();
        m.mark_used("a");
        m.mark_used("stepz");
        assert!(m.finish().is_ok());
        let err = MapReader::new(&doc("[1]"), "the world").err().unwrap();
        assert_eq!(err.message, "expected the world (a mapping), found a list");
    }

    #[test]
    fn durations_need_units() {
        let v = |s: &str| {
            let n = doc(&format!("v: {s}"));
            let mut m = MapReader::new(&n, "t").unwrap();
            m.req("v")
                .unwrap()
                .as_duration("the delay")
                .map_err(|e| (e.message, e.help))
        };
        assert_eq!(v("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(v("40m"), Ok(Duration::from_secs(2400)));
        assert_eq!(v("1h 30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(v("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(v("14d"), Ok(Duration::from_secs(14 * 86400)));
        assert_eq!(
            v("10"),
            Err((
                "the delay needs a unit: `10` alone is ambiguous".to_string(),
                Some("write a unit, e.g. `10m` or `10s`".to_string())
            ))
        );
        assert!(v("ten minutes").is_err());
        assert!(v("[10m]").is_err());
    }

    #[test]
    fn booleans_are_yaml_1_2() {
        let v = |s: &str| {
            let n = doc(&format!("v: {s}"));
            let mut m = MapReader::new(&n, "t").unwrap();
            m.req("v")
                .unwrap()
                .as_bool("`assigned`")
                .map_err(|e| (e.message, e.help))
        };
        assert_eq!(v("true"), Ok(true));
        assert_eq!(v("false"), Ok(false));
        assert_eq!(v("True"), Ok(true));
        let (msg, help) = v("yes").unwrap_err();
        assert_eq!(msg, "expected `assigned` (`true` or `false`), found `yes`");
        assert_eq!(
            help.as_deref(),
            Some("scenario files use YAML 1.2, where `yes` is just text; write `true`")
        );
        assert_eq!(
            v("off")
                .unwrap_err()
                .1
                .as_deref()
                .map(|h| h.ends_with("write `false`")),
            Some(true)
        );
        assert_eq!(
            v("'true'").unwrap_err().1.as_deref(),
            Some("remove the quotes: `true`")
        );
        assert!(v("1").is_err());
    }

    #[test]
    fn numbers_timestamps_and_choices() {
        let n = doc("{ seed: 7, q: '7', neg: -1, big: 99999999999999999999999, at: 2026-01-01T00:00:00Z, s: jit, l: [a] }");
        let mut m = MapReader::new(&n, "t").unwrap();
        assert_eq!(m.req("seed").unwrap().as_u64("the seed").unwrap(), 7);
        assert!(m.req("q").unwrap().as_u64("the seed").is_err());
        assert!(m.req("neg").unwrap().as_u64("the seed").is_err());
        assert!(m.req("big").unwrap().as_u64("the seed").is_err());
        let at = m.req("at").unwrap().as_timestamp("`start`").unwrap();
        assert_eq!(at.unix_timestamp(), 1_767_225_600);
        assert!(m.req("s").unwrap().as_timestamp("`start`").is_err());
        assert_eq!(
            one_of(m.req("s").unwrap(), &["jit", "scim"], "mode").unwrap(),
            "jit"
        );
        let err = one_of(m.req("s").unwrap(), &["jot", "scim"], "mode").unwrap_err();
        assert_eq!(err.help.as_deref(), Some("did you mean `jot`?"));
        let err = m.req("l").unwrap().as_str("the mode").unwrap_err();
        assert_eq!(err.message, "expected the mode (a string), found a list");
        assert_eq!(m.req("l").unwrap().as_seq("x").unwrap().len(), 1);
        assert!(m.finish().is_ok());
    }
}
