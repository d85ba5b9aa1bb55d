//! `ssosim::snapshot` reads and writes the very files insta writes.
//!
//! The round-trip tests run insta itself, in a child process of this test
//! binary, over a scratch world laid out like the project
//! (`scenarios/`, `snapshots/`, `tests/it/`) exactly as `tests/it/scenarios.rs`
//! does: `glob!("../../scenarios", "**/*.yaml")`, `snapshot_path =
//! "../../snapshots"`, no module prefix, no suffix, snapshot name = the path
//! below `scenarios/` without `.yaml`. The child gets its own `INSTA_*`
//! environment, so insta may write there while CI's `INSTA_UPDATE=no` still
//! governs the project's real snapshots. Then the parent compares insta's
//! bytes with ours.
//!
//! Malformed files live in `tests/data/report/snapshot-err/`: each `<x>.snap`
//! must fail to read with exactly the message in `<x>.err`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use ssosim::snapshot::{
    accept, contents_match, input_file_for, pending_path, read, render, render_with_metadata,
    snapshot_path, unified_diff, write_atomic, write_pending, SnapshotError, EXPRESSION, SOURCE,
};

/// The `source:` insta records for assertions made from this file.
const THIS_SOURCE: &str = "tests/it/snapshot_files.rs";

/// A fresh, empty directory under cargo's per-target scratch space.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("snapshot_files")
        .join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir.canonicalize().unwrap()
}

/// Transcripts chosen to exercise insta's normalisation and header quoting:
/// (path below `scenarios/`, transcript).
fn corpus() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "dom/apex-record.yaml",
            "00:00:00 admin ada@acme.test domain.add acme.test\n00:10:00 dns TXT acme.test -> verified\n",
        ),
        (
            "nested/deeper/crlf.yaml",
            "line one\r\nline two  \r\n\r\n\r\n   ",
        ),
        ("odd/it's #1, [x].yaml", "quoted path\n"),
        ("odd/colon: here.yaml", "colon in the path"),
        ("odd/tab\there.yaml", "tab in the path"),
        ("odd/ünïcödé.yaml", "ünïcödé body ✓\n"),
        (
            "leading-blank.yaml",
            "\n\n  indented after blank lines\n",
        ),
        ("ansi.yaml", "\u{1b}[31mred\u{1b}[0m and a lone \r inside\n"),
        ("empty.yaml", ""),
        ("dashes.yaml", "---\nlooks like a header\n---\n"),
    ]
}

/// Lays out `<root>/scenarios/**` from the corpus plus `<root>/tests/it/`.
fn world(name: &str) -> PathBuf {
    let root = scratch(name);
    fs::create_dir_all(root.join("tests/it")).unwrap();
    for (rel, transcript) in corpus() {
        let file = root.join("scenarios").join(rel);
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        fs::write(&file, transcript).unwrap();
    }
    root
}

/// Runs `insta_child_glob` in a child process over `root`, with only the
/// given `INSTA_*` settings. Returns whether insta passed.
fn run_insta_child(root: &Path, env: &[(&str, &str)]) -> bool {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "snapshot_files::insta_child_glob",
        "--exact",
        "--test-threads=1",
        "--nocapture",
    ])
    .current_dir(root)
    .env("SSOSIM_INSTA_CHILD", "1")
    .env("INSTA_WORKSPACE_ROOT", root)
    .env("INSTA_OUTPUT", "none");
    for (key, _) in std::env::vars() {
        if key.starts_with("INSTA_") && key != "INSTA_WORKSPACE_ROOT" && key != "INSTA_OUTPUT" {
            cmd.env_remove(key);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        log.contains("snapshot_files::insta_child_glob"),
        "the child did not run the test:\n{log}"
    );
    out.status.success()
}

/// The child half: exactly what `tests/it/scenarios.rs` does, over the
/// scratch world. Does nothing unless started by `run_insta_child`.
#[test]
fn insta_child_glob() {
    if std::env::var_os("SSOSIM_INSTA_CHILD").is_none() {
        return;
    }
    let root = PathBuf::from(std::env::var("INSTA_WORKSPACE_ROOT").unwrap());
    let base = root.join("scenarios").canonicalize().unwrap();
    insta::glob!("../../scenarios", "**/*.yaml", |path| {
        let rel = path.strip_prefix(&base).unwrap();
        let name = rel.with_extension("").to_string_lossy().into_owned();
        let transcript = fs::read_to_string(path).unwrap();
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("../../snapshots");
        settings.set_prepend_module_to_snapshot(false);
        settings.remove_snapshot_suffix();
        settings.bind(|| insta::assert_snapshot!(name, transcript));
    });
}

fn metadata_for(scenario: &Path) -> Vec<(String, String)> {
    vec![
        ("source".into(), THIS_SOURCE.into()),
        ("expression".into(), EXPRESSION.into()),
        ("input_file".into(), input_file_for(scenario)),
    ]
}

fn render_as_this_file(transcript: &str, scenario: &Path) -> String {
    let meta = metadata_for(scenario);
    let pairs: Vec<(&str, &str)> = meta.iter().map(|(k, v)| (&**k, &**v)).collect();
    render_with_metadata(&pairs, transcript)
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    out.sort();
    out
}

#[test]
fn insta_written_snap_files_are_byte_identical_to_render() {
    let root = world("insta-always");
    assert!(run_insta_child(
        &root,
        &[("INSTA_UPDATE", "always"), ("INSTA_FORCE_PASS", "1")]
    ));
    let mut expected_files = Vec::new();
    for (rel, transcript) in corpus() {
        let scenario = root.join("scenarios").join(rel);
        let snap = snapshot_path(&scenario);
        expected_files.push(snap.clone());
        let written = fs::read_to_string(&snap)
            .unwrap_or_else(|e| panic!("insta did not write {}: {e}", snap.display()));
        assert_eq!(written, render_as_this_file(transcript, &scenario), "{rel}");
        let parsed = read(&snap).unwrap().unwrap();
        assert_eq!(parsed.metadata, metadata_for(&scenario), "{rel}");
        assert!(contents_match(&parsed.contents, transcript), "{rel}");
        // `render` differs only in the `source:` line.
        assert_eq!(
            render(transcript, &input_file_for(&scenario)),
            written.replacen(THIS_SOURCE, SOURCE, 1)
        );
    }
    expected_files.sort();
    // snapshot_path names every file insta wrote, and nothing else exists.
    assert_eq!(files_under(&root.join("snapshots")), expected_files);
}

#[test]
fn insta_pending_snap_new_files_match_write_pending() {
    let root = world("insta-new");
    // INSTA_UPDATE=new writes `.snap.new` files and fails the assertions.
    assert!(!run_insta_child(&root, &[("INSTA_UPDATE", "new")]));
    let ours = scratch("ours-pending");
    for (rel, transcript) in corpus() {
        let scenario = root.join("scenarios").join(rel);
        let snap = snapshot_path(&scenario);
        let insta_new = fs::read_to_string(pending_path(&snap))
            .unwrap_or_else(|e| panic!("insta did not write {rel}.snap.new: {e}"));
        // insta records the assertion line in pending files only; ours
        // cannot know it and `cargo insta review` does not need it.
        let without_line: String = insta_new
            .split_inclusive('\n')
            .filter(|l| !l.starts_with("assertion_line: "))
            .collect();
        let target = ours.join(snap.file_name().unwrap());
        let written = write_pending(&target, transcript, &input_file_for(&scenario)).unwrap();
        assert_eq!(written.file_name(), pending_path(&snap).file_name());
        assert_eq!(
            fs::read_to_string(&written).unwrap(),
            without_line.replacen(THIS_SOURCE, SOURCE, 1),
            "{rel}"
        );
    }
}

#[test]
fn insta_accepts_files_we_write_with_full_metadata_match() {
    let root = world("insta-reads-ours");
    for (rel, transcript) in corpus() {
        let scenario = root.join("scenarios").join(rel);
        let bytes = render_as_this_file(transcript, &scenario);
        write_atomic(&snapshot_path(&scenario), bytes.as_bytes()).unwrap();
    }
    // No updates allowed, no forced pass, metadata must match too.
    assert!(run_insta_child(
        &root,
        &[
            ("INSTA_UPDATE", "no"),
            ("INSTA_FORCE_PASS", "0"),
            ("INSTA_REQUIRE_FULL_MATCH", "1"),
        ]
    ));
    // And insta left nothing pending.
    for f in files_under(&root.join("snapshots")) {
        assert!(
            f.extension().is_some_and(|e| e == "snap"),
            "{}",
            f.display()
        );
    }
}

#[test]
fn snapshot_path_follows_the_nearest_scenarios_folder() {
    for (scenario, expected) in [
        (
            "scenarios/dom/apex-record.yaml",
            "snapshots/dom__apex-record.snap",
        ),
        ("scenarios/top.yaml", "snapshots/top.snap"),
        ("scenarios/top.yml", "snapshots/top.snap"),
        (
            "/w/scenarios/sso/okta/sp-initiated.yaml",
            "/w/snapshots/sso__okta__sp-initiated.snap",
        ),
        (
            "/w/scenarios/x/scenarios/inner.yaml",
            "/w/scenarios/x/snapshots/inner.snap",
        ),
        ("./scenarios/a/b.yaml", "./snapshots/a__b.snap"),
        ("scenarios/a/v1.2.yaml", "snapshots/a__v1.2.snap"),
        ("/tmp/case.yaml", "/tmp/snapshots/case.snap"),
        ("case.yaml", "snapshots/case.snap"),
        ("cases/x.yml", "cases/snapshots/x.snap"),
    ] {
        assert_eq!(
            snapshot_path(Path::new(scenario)),
            PathBuf::from(expected),
            "{scenario}"
        );
    }
}

#[test]
fn input_file_is_relative_to_the_scenarios_parent() {
    for (scenario, expected) in [
        (
            "scenarios/dom/apex-record.yaml",
            "scenarios/dom/apex-record.yaml",
        ),
        ("/w/scenarios/dom/x.yaml", "scenarios/dom/x.yaml"),
        ("./scenarios/x.yaml", "scenarios/x.yaml"),
        ("/tmp/case.yaml", "/tmp/case.yaml"),
    ] {
        assert_eq!(input_file_for(Path::new(scenario)), expected, "{scenario}");
    }
}

#[test]
fn render_quotes_odd_header_values_like_insta() {
    let snap = render("body", "scenarios/odd/it's #1.yaml");
    assert_eq!(
        snap,
        "---\nsource: tests/it/scenarios.rs\nexpression: transcript\n\
         input_file: \"scenarios/odd/it's #1.yaml\"\n---\nbody\n"
    );
    let plain = render("a\r\nb  \n\n", "scenarios/dom/x.yaml");
    assert_eq!(
        plain,
        "---\nsource: tests/it/scenarios.rs\nexpression: transcript\n\
         input_file: scenarios/dom/x.yaml\n---\na\nb\n"
    );
    for (value, line) in [
        ("", "k: \"\""),
        ("true", "k: \"true\""),
        ("12", "k: \"12\""),
        ("1e5", "k: \"1e5\""),
        ("-x", "k: \"-x\""),
        (".hidden", "k: \".hidden\""),
        ("a\\b", "k: \"a\\\\b\""),
        ("tab\there", "k: \"tab\\there\""),
        ("nul\0", "k: \"nul\\u0000\""),
        ("y", "k: y"),
        ("with space", "k: with space"),
    ] {
        let out = render_with_metadata(&[("k", value)], "");
        assert_eq!(out.lines().nth(1), Some(line), "{value:?}");
        // What we write reads back to the same value.
        let dir = scratch("quoting");
        let f = dir.join("q.snap");
        fs::write(&f, &out).unwrap();
        assert_eq!(read(&f).unwrap().unwrap().get("k"), Some(value));
    }
}

#[test]
fn a_missing_snapshot_reads_as_none() {
    let dir = scratch("missing");
    assert!(read(&dir.join("nope.snap")).unwrap().is_none());
}

#[test]
fn a_snapshot_with_crlf_endings_matches() {
    let dir = scratch("crlf");
    let lf = render("line one\nline two\n", "scenarios/dom/x.yaml");
    let f = dir.join("x.snap");
    fs::write(&f, lf.replace('\n', "\r\n")).unwrap();
    let snap = read(&f).unwrap().unwrap();
    assert_eq!(snap.contents, "line one\nline two");
    assert_eq!(snap.get("input_file"), Some("scenarios/dom/x.yaml"));
    assert!(contents_match(&snap.contents, "line one\nline two\n"));
    assert!(contents_match("a\r\nb\r\n", "a\nb"));
    assert!(!contents_match("a\nb", "a\nc"));
    assert!(!contents_match("a\r b", "a\n b"));
    assert_eq!(
        unified_diff(&snap.contents, "line one\r\nline two", false, 3),
        ""
    );
}

#[test]
fn malformed_snapshots_give_a_clear_error() {
    let dir = Path::new("tests/data/report/snapshot-err");
    let mut seen = 0;
    for snap in files_under(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)) {
        if snap.extension().is_none_or(|e| e != "snap") {
            continue;
        }
        seen += 1;
        let rel = dir.join(snap.file_name().unwrap());
        let err = match read(&rel) {
            Err(e @ SnapshotError::Malformed { .. }) => e.to_string(),
            other => panic!(
                "{}: expected a malformed error, got {other:?}",
                rel.display()
            ),
        };
        let expected = fs::read_to_string(snap.with_extension("err")).unwrap();
        assert_eq!(err, expected.trim_end(), "{}", rel.display());
    }
    assert!(seen >= 6);
}

#[test]
fn write_atomic_creates_dirs_replaces_and_leaves_no_temp_files() {
    let dir = scratch("atomic");
    let target = dir.join("a/b/c.snap");
    write_atomic(&target, b"first").unwrap();
    write_atomic(&target, b"second").unwrap();
    assert_eq!(fs::read(&target).unwrap(), b"second");
    assert_eq!(files_under(&dir.join("a/b")), vec![target.clone()]);

    // A failing write (the target is a directory) leaves the directory as it
    // was and no temporary file behind.
    let blocker = dir.join("blocker.snap");
    fs::create_dir_all(blocker.join("inside")).unwrap();
    assert!(write_atomic(&blocker, b"x").is_err());
    assert!(blocker.join("inside").is_dir());
    assert_eq!(
        files_under(&dir),
        vec![dir.join("a"), blocker.clone()],
        "no temporary file may remain"
    );
}

#[test]
fn accept_writes_the_snap_and_removes_a_stale_pending_file() {
    let dir = scratch("accept");
    let snap = dir.join("snapshots/dom__x.snap");
    let pending = write_pending(&snap, "new outcome\n", "scenarios/dom/x.yaml").unwrap();
    assert_eq!(pending, dir.join("snapshots/dom__x.snap.new"));
    assert!(pending.exists() && !snap.exists());
    accept(&snap, "new outcome\n", "scenarios/dom/x.yaml").unwrap();
    assert!(!pending.exists());
    assert_eq!(
        fs::read_to_string(&snap).unwrap(),
        render("new outcome", "scenarios/dom/x.yaml")
    );
    // Accepting again with nothing pending is fine.
    accept(&snap, "newer", "scenarios/dom/x.yaml").unwrap();
    assert_eq!(read(&snap).unwrap().unwrap().contents, "newer");
    assert_eq!(files_under(&dir.join("snapshots")), vec![snap]);
}

#[test]
fn unified_diff_has_headers_and_colours_only_when_asked() {
    let stored = "a\nb\nc\nd\ne\nf\ng\n";
    let actual = "a\nb\nc\nD\ne\nf\ng\n";
    let plain = unified_diff(stored, actual, false, 1);
    assert_eq!(
        plain,
        "--- stored snapshot\n+++ this run\n@@ -3,3 +3,3 @@\n c\n-d\n+D\n e\n"
    );
    let colored = unified_diff(stored, actual, true, 1);
    assert!(colored.contains("\u{1b}[31m-d\u{1b}[0m"));
    assert!(colored.contains("\u{1b}[32m+D\u{1b}[0m"));
    assert_eq!(
        anstream::adapter::strip_str(&colored).to_string(),
        plain,
        "colour changes nothing but colour"
    );
    assert_eq!(unified_diff(stored, stored, true, 3), "");
    // A missing snapshot diffs against nothing.
    assert_eq!(
        unified_diff("", "x\n", false, 3),
        "--- stored snapshot\n+++ this run\n@@ -0,0 +1 @@\n+x\n"
    );
}
