//! The three report projections, driven by data files.
//!
//! Every `tests/data/report/<case>.json` is a JSON report (the format of
//! `ssosim run --format json`, pretty-printed). Each case proves:
//! - JSON round-trips: parsing it and rendering again gives the same document
//!   (keys in the documented order), and the output decodes into typed structs;
//! - `<case>.pretty` is exactly what `render_pretty(_, false)` prints;
//! - `<case>.junit.xml` is exactly what `render_junit` prints, and it parses
//!   back with quick-xml into the right counts and structure;
//! - `<case>.exit` holds the exit code the run must give.
//!
//! Set `SSOSIM_BLESS=1` to rewrite the expected `.pretty`/`.junit.xml` files
//! after an intended change (never in CI), then review the diff.

use std::fs;
use std::path::{Path, PathBuf};

use quick_xml::events::Event;
use serde::Deserialize;
use ssosim::report::{
    parse_json, render_json, render_junit, render_pretty, Failure, FailureKind, RunReport,
    ScenarioOutcome, SnapshotState, Status,
};

fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/report");
    let mut cases: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 5,
        "expected report cases in {}",
        dir.display()
    );
    cases
}

fn sibling(case: &Path, ext: &str) -> PathBuf {
    case.with_extension(ext)
}

/// Compares with an expected file, or rewrites it when blessing.
fn check(expected_file: &Path, actual: &str) {
    if std::env::var_os("SSOSIM_BLESS").is_some() {
        fs::write(expected_file, actual).unwrap();
        return;
    }
    let expected = fs::read_to_string(expected_file)
        .unwrap_or_else(|e| panic!("{}: {e}", expected_file.display()));
    if expected != actual {
        panic!(
            "{} differs (SSOSIM_BLESS=1 rewrites it):\n{}",
            expected_file.display(),
            ssosim::snapshot::unified_diff(&expected, actual, false, 3)
        );
    }
}

fn load(case: &Path) -> RunReport {
    let text = fs::read_to_string(case).unwrap();
    parse_json(&text).unwrap_or_else(|e| panic!("{}: {e}", case.display()))
}

#[test]
fn json_round_trips_in_documented_key_order() {
    for case in cases() {
        let input = fs::read_to_string(&case).unwrap();
        let out = render_json(&load(&case));
        assert!(out.ends_with('\n') && !out.trim_end().contains('\n'));
        // preserve_order keeps keys as rendered, so this compares key order too.
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        let pretty = serde_json::to_string_pretty(&value).unwrap() + "\n";
        assert_eq!(pretty, input, "{}", case.display());
    }
}

// Typed view of the JSON format, written from the module docs (ripgrep style).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonReport {
    scenarios: Vec<JsonScenario>,
    passed: usize,
    failed: usize,
    errors: usize,
    duration_ms: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // Fields are decoded to prove the shape; not all are read.
struct JsonScenario {
    file: String,
    name: String,
    status: String,
    covers: Vec<String>,
    duration_ms: u64,
    seed: u64,
    reproduce: String,
    snapshot: String,
    failures: Vec<JsonFailure>,
    error_kind: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct JsonFailure {
    kind: String,
    message: String,
    location: Option<String>,
    detail: Option<String>,
}

#[test]
fn json_decodes_into_typed_structs() {
    for case in cases() {
        let report = load(&case);
        let out = render_json(&report);
        let decoded: JsonReport = serde_json::from_str(&out).unwrap();
        assert_eq!(decoded.scenarios.len(), report.scenarios.len());
        assert_eq!(decoded.passed, report.passed());
        assert_eq!(decoded.failed, report.failed());
        assert_eq!(decoded.errors, report.errors());
        assert_eq!(decoded.duration_ms, report.duration_ms);
        for (s, model) in decoded.scenarios.iter().zip(&report.scenarios) {
            assert!(["passed", "failed", "error"].contains(&s.status.as_str()));
            let timeout = model.status == Status::Timeout;
            assert_eq!(s.error_kind.as_deref() == Some("timeout"), timeout);
            assert_eq!(s.error_kind.is_some(), s.status == "error");
            assert!(["matched", "differs", "missing", "written", "not_compared"]
                .contains(&s.snapshot.as_str()));
            for f in &s.failures {
                assert!(
                    ["expectation", "snapshot", "scenario", "internal"].contains(&f.kind.as_str())
                );
            }
            assert_eq!(s.file, model.file);
            assert_eq!(s.seed, model.seed);
        }
        // The counts add up, and status counts match the typed view.
        let n = |st: &str| decoded.scenarios.iter().filter(|s| s.status == st).count();
        assert_eq!(
            (n("passed"), n("failed"), n("error")),
            (decoded.passed, decoded.failed, decoded.errors)
        );
    }
}

#[test]
fn pretty_matches_expected_files() {
    for case in cases() {
        let out = render_pretty(&load(&case), false);
        check(&sibling(&case, "pretty"), &out);
        let last = out.lines().last().unwrap();
        let report = load(&case);
        assert_eq!(
            last,
            format!(
                "{} passed, {} failed",
                report.passed(),
                report.scenarios.len() - report.passed()
            )
        );
        // User text cannot smuggle escape sequences into a terminal.
        assert!(!out.contains('\u{1b}'), "{}", case.display());
    }
}

#[test]
fn pretty_colour_only_when_asked_and_last_line_stays_plain() {
    let report = load(&cases_named("mixed"));
    let plain = render_pretty(&report, false);
    let colored = render_pretty(&report, true);
    assert!(!plain.contains('\u{1b}'));
    assert!(colored.contains("\u{1b}[32mPASS\u{1b}[0m"));
    assert!(colored.contains("\u{1b}[31mFAIL\u{1b}[0m"));
    let (last_plain, last_colored) = (
        plain.lines().last().unwrap(),
        colored.lines().last().unwrap(),
    );
    assert_eq!(last_plain, last_colored);
    assert_eq!(last_colored, "1 passed, 3 failed");
    let breakdown = colored.lines().rev().nth(1).unwrap();
    assert!(breakdown.ends_with("1 passed, 1 failed, 1 error, 1 timeout"));
}

fn cases_named(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/report")
        .join(format!("{name}.json"))
}

#[test]
fn junit_matches_expected_files() {
    for case in cases() {
        check(&sibling(&case, "junit.xml"), &render_junit(&load(&case)));
    }
}

#[test]
fn exit_codes_match_expected_files() {
    for case in cases() {
        let expected: i32 = fs::read_to_string(sibling(&case, "exit"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert_eq!(load(&case).exit_code(), expected, "{}", case.display());
    }
}

/// What a JUnit consumer sees, parsed back with quick-xml.
#[derive(Debug, Default)]
struct Junit {
    suites_attrs: Vec<(String, String)>,
    suite_count: usize,
    cases: Vec<JunitCase>,
}

#[derive(Debug, Default)]
struct JunitCase {
    attrs: Vec<(String, String)>,
    /// (element name, type attribute, message attribute, body)
    problem: Vec<(String, String, String, String)>,
    system_out: String,
}

fn attrs(e: &quick_xml::events::BytesStart) -> Vec<(String, String)> {
    e.attributes()
        .map(|a| {
            let a = a.unwrap();
            (
                a.key.as_ref().to_string(),
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .unwrap()
                    .into_owned(),
            )
        })
        .collect()
}

fn get<'a>(attrs: &'a [(String, String)], key: &str) -> &'a str {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("missing attribute {key} in {attrs:?}"))
}

fn parse_junit(xml: &str) -> Junit {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Junit::default();
    let mut stack: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut pending: Option<(String, String, String)> = None;
    loop {
        match reader.read_event().unwrap() {
            Event::Decl(_) => {}
            Event::Start(e) => {
                let name = e.name().as_ref().to_string();
                let a = attrs(&e);
                match name.as_str() {
                    "testsuites" => out.suites_attrs = a,
                    "testsuite" => out.suite_count += 1,
                    "testcase" => out.cases.push(JunitCase {
                        attrs: a,
                        ..Default::default()
                    }),
                    "failure" | "error" => {
                        pending = Some((
                            name.clone(),
                            get(&a, "type").to_string(),
                            get(&a, "message").to_string(),
                        ))
                    }
                    "system-out" => {}
                    other => panic!("unexpected element <{other}>"),
                }
                stack.push(name);
                text.clear();
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let name = r.to_string();
                let c = match name.as_str() {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    _ => r.resolve_char_ref().unwrap().unwrap(),
                };
                text.push(c);
            }
            Event::End(e) => {
                let name = e.name().as_ref().to_string();
                assert_eq!(stack.pop().as_deref(), Some(name.as_str()));
                let case = out.cases.last_mut();
                match name.as_str() {
                    "failure" | "error" => {
                        let (n, ty, msg) = pending.take().unwrap();
                        case.unwrap().problem.push((n, ty, msg, text.clone()));
                    }
                    "system-out" => case.unwrap().system_out = text.clone(),
                    _ => {}
                }
                text.clear();
            }
            Event::Empty(e) => panic!("unexpected empty element {:?}", e.name()),
            Event::Eof => break,
            other => panic!("unexpected XML event {other:?}"),
        }
    }
    assert!(stack.is_empty());
    out
}

#[test]
fn junit_parses_back_with_the_right_counts_and_mapping() {
    for case in cases() {
        let report = load(&case);
        let xml = render_junit(&report);
        let junit = parse_junit(&xml);
        let a = &junit.suites_attrs;
        assert_eq!(get(a, "name"), "ssosim");
        assert_eq!(get(a, "tests"), report.scenarios.len().to_string());
        assert_eq!(get(a, "failures"), report.failed().to_string());
        assert_eq!(get(a, "errors"), report.errors().to_string());
        assert_eq!(junit.suite_count, 1);
        assert_eq!(junit.cases.len(), report.scenarios.len());
        for (jc, s) in junit.cases.iter().zip(&report.scenarios) {
            // Attribute values come back exactly, after escaping.
            assert_eq!(get(&jc.attrs, "name"), s.name);
            assert_eq!(get(&jc.attrs, "file"), xml_safe(&s.file));
            assert_eq!(
                get(&jc.attrs, "time"),
                format!("{}.{:03}", s.duration_ms / 1000, s.duration_ms % 1000)
            );
            assert_eq!(
                jc.system_out,
                format!("reproduce: {}", xml_safe(&s.reproduce))
            );
            match s.status {
                Status::Passed => assert!(jc.problem.is_empty()),
                Status::Failed => {
                    assert_eq!(jc.problem.len(), 1);
                    assert_eq!(jc.problem[0].0, "failure");
                    assert!(["expectation", "snapshot"].contains(&jc.problem[0].1.as_str()));
                }
                Status::Error | Status::Timeout => {
                    assert_eq!(jc.problem.len(), 1);
                    assert_eq!(jc.problem[0].0, "error");
                    let expected = s.error_kind().unwrap().as_str();
                    assert_eq!(jc.problem[0].1, expected);
                }
            }
            for (_, _, message, body) in &jc.problem {
                if let Some(first) = s.failures.first() {
                    assert!(message.starts_with(&xml_safe(&first.message)));
                    for f in &s.failures {
                        assert!(body.contains(&xml_safe(&f.message)), "{body:?}");
                    }
                }
            }
        }
    }
}

/// The text a reader gets back for `s`: forbidden characters shown as
/// control pictures, CR kept.
fn xml_safe(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap(),
            '\u{fffe}' | '\u{ffff}' => '\u{fffd}',
            c => c,
        })
        .collect()
}

#[test]
fn junit_classname_is_the_area_folder() {
    use ssosim::report::junit::classname;
    for (file, expected) in [
        ("scenarios/dom/apex-record.yaml", "scenarios.dom"),
        ("scenarios/x.yaml", "scenarios"),
        ("./scenarios/sso/okta/x.yaml", "scenarios.sso.okta"),
        ("/home/ci/scenarios/agm/x.yaml", "scenarios.agm"),
        ("/a/scenarios/b/scenarios/c/x.yaml", "scenarios.c"),
        ("local/area/x.yml", "local.area"),
        ("case.yaml", "."),
    ] {
        assert_eq!(classname(file), expected, "{file}");
    }
}

fn outcome(status: Status, kinds: &[FailureKind]) -> ScenarioOutcome {
    ScenarioOutcome {
        file: "scenarios/x/y.yaml".into(),
        name: "y".into(),
        covers: vec![],
        status,
        duration_ms: 0,
        seed: 0,
        failures: kinds
            .iter()
            .map(|&kind| Failure {
                kind,
                message: "m".into(),
                location: None,
                detail: None,
            })
            .collect(),
        reproduce: "ssosim run scenarios/x/y.yaml --seed 0".into(),
        snapshot: SnapshotState::NotCompared,
    }
}

#[test]
fn exit_code_precedence_is_3_then_2_then_4_then_1() {
    use FailureKind::*;
    use Status::*;
    let passed = outcome(Passed, &[]);
    let failed = outcome(Failed, &[Expectation]);
    let snapshot = outcome(Failed, &[Snapshot]);
    let file_error = outcome(Error, &[Scenario]);
    let internal = outcome(Error, &[Internal]);
    let unexplained = outcome(Error, &[]);
    let timeout = outcome(Timeout, &[]);
    let run = |s: &[&ScenarioOutcome]| RunReport {
        scenarios: s.iter().map(|&o| o.clone()).collect(),
        duration_ms: 0,
    };
    let table: &[(&[&ScenarioOutcome], i32)] = &[
        (&[], 0),
        (&[&passed], 0),
        (&[&passed, &failed], 1),
        (&[&snapshot], 1),
        (&[&failed, &timeout], 4),
        (&[&timeout, &file_error], 2),
        (&[&failed, &file_error, &timeout], 2),
        (&[&file_error, &internal], 3),
        (&[&internal, &timeout, &failed], 3),
        (&[&unexplained], 3),
        (&[&timeout], 4),
    ];
    for (scenarios, code) in table {
        assert_eq!(run(scenarios).exit_code(), *code, "{scenarios:?}");
    }
    let all = run(&[&passed, &failed, &file_error, &internal, &timeout]);
    assert_eq!(
        (all.passed(), all.failed(), all.errors(), all.timeouts()),
        (1, 1, 3, 1)
    );
}

#[test]
fn malformed_json_is_an_error_not_a_panic() {
    for bad in [
        "",
        "{}",
        r#"{"scenarios":[],"passed":0,"failed":0,"errors":0}"#,
        r#"{"scenarios":[{"status":"timeout"}],"passed":0,"failed":0,"errors":0,"duration_ms":0}"#,
    ] {
        assert!(parse_json(bad).is_err(), "{bad}");
    }
}
