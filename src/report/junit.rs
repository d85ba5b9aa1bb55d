//! The JUnit XML projection of a [`RunReport`], for CI dashboards
//! (Jenkins, GitLab, GitHub test reporters).
//!
//! The shape follows the Ant/Jenkins `junit-10.xsd` conventions: one
//! `<testsuites>` holding one `<testsuite>` holding one `<testcase>` per
//! scenario, in run order.
//!
//! ```xml
//! <?xml version="1.0" encoding="UTF-8"?>
//! <testsuites name="ssosim" tests="3" failures="1" errors="1" time="0.044">
//!   <testsuite name="ssosim" tests="3" failures="1" errors="1" skipped="0" time="0.044">
//!     <testcase classname="scenarios.dom" name="Apex record verifies the domain" file="scenarios/dom/apex-record.yaml" time="0.012">
//!       <system-out>reproduce: ssosim run scenarios/dom/apex-record.yaml --seed 7</system-out>
//!     </testcase>
//!     <testcase classname="scenarios.agm" name="Group mappings enabled early" file="scenarios/agm/enable-early.yaml" time="0.031">
//!       <failure message="expected denied: no-mapped-group, got: allowed" type="expectation">…</failure>
//!       <system-out>reproduce: ssosim run scenarios/agm/enable-early.yaml --seed 7</system-out>
//!     </testcase>
//!   </testsuite>
//! </testsuites>
//! ```
//!
//! | element / attribute | value |
//! |---|---|
//! | `testsuites@name`, `testsuite@name` | `ssosim` |
//! | `@tests` | number of scenarios |
//! | `@failures` | scenarios with status `Failed` |
//! | `@errors` | scenarios with status `Error` or `Timeout` |
//! | `testsuite@skipped` | always `0` (nothing is skipped; filtered-out scenarios are not in the report) |
//! | `@time` | seconds with three decimals, from `duration_ms` |
//! | `testcase@classname` | the *area folder* of the scenario: its directory from the last `scenarios` component on, `/` → `.` (`scenarios/dom/x.yaml` → `scenarios.dom`); without a `scenarios` component, the directory as given (`.` when none) |
//! | `testcase@name` | the scenario's `name:` |
//! | `testcase@file` | the scenario path as given |
//! | `<failure>` | for `Failed`; `type` is the kind of the first failure (`expectation` or `snapshot`) |
//! | `<error>` | for `Error`/`Timeout`; `type` is the error kind: `scenario`, `internal` or `timeout` |
//! | `@message` | the first failure's message; `… (and N more)` when there are several |
//! | element body | every failure: `kind: message`, `--> location`, then the detail |
//! | `<system-out>` | `reproduce: <command>`, for every test case |
//!
//! A test case gets at most one `<failure>` or `<error>` element: several
//! readers show only the first, so all failures go into its body.
//!
//! Escaping: attribute values escape `& < > " '` and encode tab, newline and
//! carriage return as character references, so they survive attribute
//! normalisation. Text escapes `& < >` (so `]]>` cannot appear). Characters
//! XML 1.0 forbids (C0 controls other than tab/newline/CR, and U+FFFE/U+FFFF)
//! are replaced by their Unicode control picture (ESC → `␛`) or U+FFFD, so
//! the output is always well-formed.

use std::fmt::Write as _;

use super::{seconds, RunReport, ScenarioOutcome, Status};

/// Renders the report as a JUnit XML document, ending with a newline.
pub fn render_junit(report: &RunReport) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let counts = format!(
        "tests=\"{}\" failures=\"{}\" errors=\"{}\"",
        report.scenarios.len(),
        report.failed(),
        report.errors()
    );
    let time = seconds(report.duration_ms);
    // Writing to a String cannot fail; `let _` keeps that visible.
    let _ = writeln!(out, "<testsuites name=\"ssosim\" {counts} time=\"{time}\">");
    let _ = writeln!(
        out,
        "  <testsuite name=\"ssosim\" {counts} skipped=\"0\" time=\"{time}\">"
    );
    for s in &report.scenarios {
        testcase(&mut out, s);
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn testcase(out: &mut String, s: &ScenarioOutcome) {
    let _ = writeln!(
        out,
        "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" time=\"{}\">",
        attr(&classname(&s.file)),
        attr(&s.name),
        attr(&s.file),
        seconds(s.duration_ms)
    );
    let element = match s.status {
        Status::Passed => None,
        Status::Failed => Some((
            "failure",
            s.failures
                .first()
                .map_or("expectation", |f| f.kind.as_str())
                .to_string(),
        )),
        Status::Error | Status::Timeout => Some((
            "error",
            s.error_kind()
                .map_or("internal", |k| k.as_str())
                .to_string(),
        )),
    };
    if let Some((tag, kind)) = element {
        let message = match s.failures.as_slice() {
            [] => s.unexplained().to_string(),
            [only] => only.message.clone(),
            [first, rest @ ..] => format!("{} (and {} more)", first.message, rest.len()),
        };
        let mut body = String::new();
        for f in &s.failures {
            let _ = writeln!(body, "{}: {}", f.kind.as_str(), f.message);
            if let Some(loc) = &f.location {
                let _ = writeln!(body, "--> {loc}");
            }
            if let Some(detail) = &f.detail {
                body.push_str(detail.trim_end());
                body.push('\n');
            }
        }
        let _ = writeln!(
            out,
            "      <{tag} message=\"{}\" type=\"{kind}\">{}</{tag}>",
            attr(&message),
            text(&body)
        );
    }
    let _ = writeln!(
        out,
        "      <system-out>{}</system-out>",
        text(&format!("reproduce: {}", s.reproduce))
    );
    out.push_str("    </testcase>\n");
}

/// The area folder of a scenario path, dotted: `scenarios/dom/x.yaml` →
/// `scenarios.dom`.
pub fn classname(file: &str) -> String {
    let parts: Vec<&str> = file
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let dirs = match parts.split_last() {
        Some((_, dirs)) => dirs,
        None => &[][..],
    };
    let from = dirs.iter().rposition(|d| *d == "scenarios").unwrap_or(0);
    let area = dirs[from..].join(".");
    if area.is_empty() {
        ".".to_string()
    } else {
        area
    }
}

/// Escapes text for an attribute value in double quotes.
fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(xml_char(c)),
        }
    }
    out
}

/// Escapes text for element content.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // A bare CR in text is normalised to LF by XML parsers; keep it.
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            c => out.push(xml_char(c)),
        }
    }
    out
}

/// Maps characters XML 1.0 forbids to visible stand-ins (XML 1.0 §2.2 Char).
fn xml_char(c: char) -> char {
    match c {
        // C0 controls: U+2400 + code is the matching control picture (␀ … ␟).
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
        '\u{fffe}' | '\u{ffff}' => '\u{fffd}',
        c => c,
    }
}
