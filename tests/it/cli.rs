//! The `ssosim` binary as CI and people use it: exit codes, report formats,
//! snapshot review (`.snap.new`, `--accept`, nothing overwritten without it),
//! and the reproduce line.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ssosim(dir: &Path, args: &[&str], ci: bool) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ssosim"));
    c.args(args)
        .current_dir(dir)
        .env_remove("CI")
        .env("NO_COLOR", "1");
    if ci {
        c.env("CI", "true");
    }
    c.output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A scratch project: `scenarios/demo/<name>.yaml` with the given body.
fn project(test: &str, scenarios: &[(&str, &str)]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("cli")
        .join(test);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("scenarios/demo")).unwrap();
    for (name, body) in scenarios {
        fs::write(dir.join(format!("scenarios/demo/{name}.yaml")), body).unwrap();
    }
    dir
}

const PASSING: &str = "name: An enterprise owner adds a domain
world:
  orgs: [{ id: acme, kind: enterprise, owner: ada@acme.test }]
  dns: { zones: [acme.test] }
steps:
  - as: ada@acme.test
    domain.add: { org: acme, domain: acme.test }
    expect: { status: pending }
";

#[test]
fn snapshots_are_written_only_with_accept_and_changes_show_a_diff() {
    let dir = project("accept", &[("add", PASSING)]);
    let snap = dir.join("snapshots/demo__add.snap");
    // No snapshot yet: the run fails and proposes one beside it.
    let o = ssosim(&dir, &["run"], false);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("no snapshot at snapshots/demo__add.snap"),
        "{}",
        text(&o)
    );
    assert!(dir.join("snapshots/demo__add.snap.new").exists());
    assert!(!snap.exists());
    // --accept takes it, and removes the pending file.
    let o = ssosim(&dir, &["run", "--accept"], false);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(snap.exists() && !dir.join("snapshots/demo__add.snap.new").exists());
    let accepted = fs::read_to_string(&snap).unwrap();
    assert!(accepted.starts_with("---\nsource: tests/it/scenarios.rs\nexpression: transcript\ninput_file: scenarios/demo/add.yaml\n---\n"));
    assert_eq!(ssosim(&dir, &["run"], false).status.code(), Some(0));
    // A change in behaviour: a diff, a .snap.new, and the stored snapshot untouched.
    fs::write(
        dir.join("scenarios/demo/add.yaml"),
        PASSING.replace("world:\n", "world:\n  seed: 9\n"),
    )
    .unwrap();
    let o = ssosim(&dir, &["run"], false);
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o);
    assert!(
        out.contains("--- stored snapshot")
            && out.contains("+++ this run")
            && out.contains("+seed: 9"),
        "{out}"
    );
    assert!(
        out.contains("reproduce: ssosim run scenarios/demo/add.yaml --seed 9"),
        "{out}"
    );
    assert_eq!(fs::read_to_string(&snap).unwrap(), accepted);
    // CI never writes snapshot files.
    fs::remove_file(dir.join("snapshots/demo__add.snap.new")).unwrap();
    assert_eq!(ssosim(&dir, &["run"], true).status.code(), Some(1));
    assert!(!dir.join("snapshots/demo__add.snap.new").exists());
}

#[test]
fn a_failed_expectation_exits_1_and_points_at_the_line() {
    let body = PASSING.replace(
        "expect: { status: pending }",
        "expect: { status: verified }",
    );
    let dir = project("expect", &[("add", &body)]);
    let o = ssosim(&dir, &["run", "--accept"], false);
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o);
    assert!(
        out.contains("step 1: `status`: expected \"verified\", got \"pending\""),
        "{out}"
    );
    assert!(out.contains("--> scenarios/demo/add.yaml:8:13"), "{out}");
}

#[test]
fn an_invalid_scenario_exits_2_with_a_caret_and_a_suggestion() {
    let body = PASSING.replace("domain.add", "domain.ad");
    let dir = project("invalid", &[("add", &body)]);
    let o = ssosim(&dir, &["run"], false);
    assert_eq!(o.status.code(), Some(2));
    let out = text(&o);
    assert!(out.contains("unknown key `domain.ad` in a step"), "{out}");
    assert!(out.contains("did you mean `domain.add`?"), "{out}");
    assert!(
        out.contains("reproduce: ssosim check scenarios/demo/add.yaml"),
        "{out}"
    );
    let o = ssosim(&dir, &["check"], false);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("scenarios/demo/add.yaml:7:5"),
        "{}",
        text(&o)
    );
}

#[test]
fn an_unknown_organization_in_a_step_is_a_scenario_error() {
    let body = PASSING.replace("{ org: acme,", "{ org: acmee,");
    let dir = project("unknown-org", &[("add", &body)]);
    let o = ssosim(&dir, &["run"], false);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains(
            "no organization `acmee` exists at this point of the scenario (did you mean `acme`?)"
        ),
        "{}",
        text(&o)
    );
}

#[test]
fn passing_the_virtual_time_limit_exits_4() {
    let body = "name: Time runs out\nworld: { time_limit: 1h }\nsteps:\n  - advance: 2h\n";
    let dir = project("timeout", &[("slow", body)]);
    let o = ssosim(&dir, &["run", "--accept"], false);
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    assert!(
        text(&o).contains("would pass the scenario's virtual time limit"),
        "{}",
        text(&o)
    );
}

#[test]
fn json_and_junit_reports_describe_every_scenario() {
    let bad = PASSING.replace("status: pending", "status: verified");
    let dir = project(
        "formats",
        &[("good", PASSING), ("bad", &bad), ("broken", "name: [\n")],
    );
    let o = ssosim(
        &dir,
        &["run", "--format", "json", "--report", "report.xml"],
        false,
    );
    assert_eq!(o.status.code(), Some(2));
    let report = ssosim::report::parse_json(&String::from_utf8_lossy(&o.stdout)).unwrap();
    let statuses: Vec<_> = report
        .scenarios
        .iter()
        .map(|s| (s.file.as_str(), s.status))
        .collect();
    use ssosim::report::Status::*;
    assert_eq!(
        statuses,
        [
            ("scenarios/demo/bad.yaml", Failed),
            ("scenarios/demo/broken.yaml", Error),
            ("scenarios/demo/good.yaml", Failed)
        ]
    );
    assert_eq!(
        (report.passed(), report.failed(), report.errors()),
        (0, 2, 1)
    );
    let junit = fs::read_to_string(dir.join("report.xml")).unwrap();
    assert!(
        junit.contains("<testsuites name=\"ssosim\" tests=\"3\" failures=\"2\" errors=\"1\""),
        "{junit}"
    );
    // --filter narrows by path or name.
    let o = ssosim(
        &dir,
        &["run", "--filter", "GOOD", "--accept", "--format", "json"],
        false,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        ssosim::report::parse_json(&String::from_utf8_lossy(&o.stdout))
            .unwrap()
            .scenarios
            .len(),
        1
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = project("usage", &[]);
    assert_eq!(
        ssosim(&dir, &["run", "nowhere/"], false).status.code(),
        Some(2)
    );
    assert_eq!(
        ssosim(&dir, &["run", "--format", "xml"], false)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(ssosim(&dir, &["frobnicate"], false).status.code(), Some(2));
}

#[test]
fn rules_json_lists_each_rule_with_its_scenarios() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = ssosim(root, &["rules", "--format", "json"], false);
    assert_eq!(o.status.code(), Some(0));
    let rules: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rules = rules.as_array().unwrap();
    assert_eq!(rules.len(), ssosim::rules::RULES.len());
    let dom2 = rules.iter().find(|r| r["id"] == "DOM-2").unwrap();
    assert!(dom2["title"].as_str().unwrap().contains("subdomain"));
    assert!(dom2["harness_decision"]
        .as_str()
        .unwrap()
        .contains("_acme-challenge"));
    assert!(dom2["scenarios"].as_array().unwrap().iter().any(|s| s
        .as_str()
        .unwrap()
        .ends_with("subdomain-record-on-apex-does-not-verify.yaml")));
}

#[test]
fn names_with_slashes_pluses_and_spaces_reach_the_sp_intact() {
    let body = r#"name: Odd names
world:
  orgs: [{ id: acme, kind: enterprise, owner: ada@acme.test, members: [{ email: "bob+x@acme.test", role: user }] }]
steps:
  - as: ada@acme.test
    domain.add: { org: acme, domain: "a b/../c?.test" }
    expect: { error: invalid-domain }
  - as: ada@acme.test
    domain.refresh: { org: acme, domain: "x/y" }
    expect: { error: invalid-domain }
  - as: ada@acme.test
    member.remove: { org: acme, email: "bob+x@acme.test" }
    expect: { members: [{ email: ada@acme.test }] }
"#;
    let dir = project("odd-names", &[("odd", body)]);
    let o = ssosim(&dir, &["run", "--accept"], false);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
#[cfg(unix)]
fn a_reader_that_goes_away_ends_the_output_quietly() {
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    // `ssosim rules | head -0`: the read end is closed before ssosim
    // writes, so its first write meets a closed pipe. Without SIGPIPE's
    // default action restored, println! panics (exit 101).
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_ssosim"))
        .args(["rules"])
        .current_dir(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        out.status.success() || out.status.signal() == Some(libc::SIGPIPE),
        "{:?}",
        out.status
    );
}

#[test]
fn saml_reasons_lists_every_refusal_name_once() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = ssosim(root, &["saml", "reasons", "--format", "json"], false);
    assert_eq!(o.status.code(), Some(0));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
    let all: Vec<&str> = ssosim::saml::Reason::ALL.iter().map(|r| r.name()).collect();
    assert_eq!(names, all);
    assert!(rows
        .iter()
        .all(|r| !r["description"].as_str().unwrap().is_empty()));
    assert!(names.contains(&"audience-mismatch") && names.contains(&"replayed-assertion"));
}
