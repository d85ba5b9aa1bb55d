//! The pretty projection of a [`RunReport`]: text for a person at a terminal,
//! with two plain lines at the end for tools.
//!
//! ```text
//! PASS    scenarios/dom/apex-record.yaml  Apex record verifies the domain  (12 ms)
//! FAIL    scenarios/agm/enable-early.yaml  Group mappings enabled early  (31 ms)
//!   expectation: expected denied: no-mapped-group, got: allowed
//!     --> scenarios/agm/enable-early.yaml:24:5
//!   reproduce: ssosim run scenarios/agm/enable-early.yaml --seed 7
//! ERROR   scenarios/sso/typo.yaml  Typo in a step  (1 ms)
//!   scenario: unknown key `domain.ad`, did you mean `domain.add`?
//!     --> scenarios/sso/typo.yaml:9:7
//!   reproduce: ssosim run scenarios/sso/typo.yaml --seed 1
//!
//! 3 scenarios in 0.044 s: 1 passed, 1 failed, 1 error, 0 timeouts
//! 1 passed, 2 failed
//! ```
//!
//! - One line per scenario: status word padded to 7 columns (`PASS`, `FAIL`,
//!   `ERROR`, `TIMEOUT`), the file, the name, the duration. A snapshot written
//!   by `--accept` adds `, snapshot written` inside the parentheses.
//! - Under every scenario that did not pass: each failure as
//!   `  <kind>: <message>`, then `    --> <location>` when known, then the
//!   detail indented by four spaces; last, `  reproduce: <command>`.
//! - A blank line, then the breakdown line
//!   `N scenarios in S s: N passed, N failed, N error(s), N timeout(s)`.
//! - The very last line is exactly `N passed, N failed`, where *failed*
//!   counts every scenario that did not pass (failures, errors and timeouts).
//!   It is never coloured: CI tooling parses it.
//!
//! A scenario that did not pass but recorded no failure says so
//! (`  timeout: did not finish within its virtual-time limit`). Control
//! characters in names, messages and details are shown as Unicode control
//! pictures (ESC → `␛`), so report text cannot drive the terminal.
//!
//! Colour is used only when asked for: green `PASS`, red `FAIL`, bold red
//! `ERROR`, yellow `TIMEOUT`, dim locations and reproduce lines.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};

use super::{seconds, FailureKind, RunReport, ScenarioOutcome, SnapshotState, Status};

/// Renders the report for a terminal; `color` adds ANSI styles.
pub fn render_pretty(report: &RunReport, color: bool) -> String {
    let paint = Painter { color };
    let mut out = String::new();
    for s in &report.scenarios {
        scenario(&mut out, s, &paint);
    }

    let total = report.scenarios.len();
    let errors_only = report.errors() - report.timeouts();
    out.push('\n');
    // Writing to a String cannot fail; the `let _` keeps that visible.
    let _ = writeln!(
        out,
        "{} in {} s: {} passed, {} failed, {}, {}",
        plural(total, "scenario", "scenarios"),
        seconds(report.duration_ms),
        report.passed(),
        report.failed(),
        plural(errors_only, "error", "errors"),
        plural(report.timeouts(), "timeout", "timeouts"),
    );
    let _ = writeln!(
        out,
        "{} passed, {} failed",
        report.passed(),
        total - report.passed()
    );
    out
}

fn scenario(out: &mut String, s: &ScenarioOutcome, paint: &Painter) {
    let (word, style) = match s.status {
        Status::Passed => ("PASS", Style::new().fg_color(Some(AnsiColor::Green.into()))),
        Status::Failed => ("FAIL", Style::new().fg_color(Some(AnsiColor::Red.into()))),
        Status::Error => (
            "ERROR",
            Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
        ),
        Status::Timeout => (
            "TIMEOUT",
            Style::new().fg_color(Some(AnsiColor::Yellow.into())),
        ),
    };
    let written = if s.snapshot == SnapshotState::Written {
        ", snapshot written"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "{}{} {}  {}  ({}{})",
        paint.apply(style, word),
        " ".repeat(7 - word.len()),
        printable(&s.file),
        printable(&s.name),
        duration(s.duration_ms),
        written,
    );
    if s.status == Status::Passed {
        return;
    }
    let dim = Style::new().dimmed();
    if s.failures.is_empty() {
        let kind = s.error_kind().map_or("failure", |k| k.as_str());
        let _ = writeln!(
            out,
            "  {}: {}",
            paint.apply(Style::new().bold(), kind),
            s.unexplained()
        );
    }
    for f in &s.failures {
        let _ = writeln!(
            out,
            "  {}: {}",
            paint.apply(Style::new().bold(), f.kind.as_str()),
            indent_continuation(&printable(&f.message), "    ")
        );
        if let Some(loc) = &f.location {
            let _ = writeln!(
                out,
                "    {}",
                paint.apply(dim, &format!("--> {}", printable(loc)))
            );
        }
        if let Some(detail) = &f.detail {
            for line in printable(detail.trim_end()).lines() {
                if line.is_empty() {
                    out.push('\n');
                } else {
                    let _ = writeln!(out, "    {}", paint_diff_line(paint, f.kind, line));
                }
            }
        }
    }
    let _ = writeln!(
        out,
        "  {}",
        paint.apply(dim, &format!("reproduce: {}", printable(&s.reproduce)))
    );
}

/// Shows control characters from user data as control pictures (ESC → `␛`),
/// so a scenario name or message cannot restyle or rewrite the terminal.
/// Tab and newline stay; a CR before a newline is dropped.
fn printable(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .map(|c| match c {
            '\t' | '\n' => c,
            // U+2400 + code is the matching control picture (␀ … ␟); U+2421 is DEL.
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
            '\u{7f}' => '\u{2421}',
            c => c,
        })
        .collect()
}

/// Keeps a multi-line message inside its failure block.
fn indent_continuation(text: &str, indent: &str) -> String {
    text.trim_end().replace('\n', &format!("\n{indent}"))
}

fn duration(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else {
        format!("{} s", seconds(ms))
    }
}

/// Snapshot diffs are coloured like `diff --color`: removed lines red,
/// added lines green, hunk headers cyan. Other details stay plain.
fn paint_diff_line(paint: &Painter, kind: FailureKind, line: &str) -> String {
    if kind != FailureKind::Snapshot && kind != FailureKind::Internal {
        return line.to_string();
    }
    let color = if line.starts_with("+++") || line.starts_with("---") {
        None
    } else if line.starts_with('+') {
        Some(AnsiColor::Green)
    } else if line.starts_with('-') {
        Some(AnsiColor::Red)
    } else if line.starts_with("@@") {
        Some(AnsiColor::Cyan)
    } else {
        None
    };
    match color {
        Some(c) => paint.apply(Style::new().fg_color(Some(c.into())), line),
        None => line.to_string(),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

struct Painter {
    color: bool,
}

impl Painter {
    fn apply(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }
}
