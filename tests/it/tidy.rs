//! Architecture invariants that a test can enforce (rust-analyzer's "tidy"):
//! no wall clock or OS randomness outside `src/sim/`, a `//!` header on
//! every source file, every delivered rule covered by a bundled scenario,
//! and exactly one snapshot per scenario.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, ext, out);
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
}

#[test]
fn no_wall_clock_or_os_randomness_outside_sim() {
    // Spelled in pieces so that this file does not match itself.
    let banned = [
        ["SystemTime", "::now"].concat(),
        ["thread", "_rng"].concat(),
        ["Os", "Rng"].concat(),
        ["Uuid::", "new_v4"].concat(),
        ["rand::", "random"].concat(),
    ];
    let mut srcs = vec![];
    files(&root().join("src"), "rs", &mut srcs);
    let mut hits = vec![];
    for f in srcs {
        let rel = f
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel.starts_with("src/sim/") {
            continue;
        }
        let text = fs::read_to_string(&f).unwrap();
        for (i, line) in text.lines().enumerate() {
            for b in &banned {
                if line.contains(b.as_str()) {
                    hits.push(format!("{rel}:{}: {b}", i + 1));
                }
            }
        }
    }
    assert!(
        hits.is_empty(),
        "wall clock or OS randomness outside src/sim/:\n{}",
        hits.join("\n")
    );
}

#[test]
fn every_source_file_says_what_it_is() {
    let mut srcs = vec![];
    files(&root().join("src"), "rs", &mut srcs);
    files(&root().join("tests"), "rs", &mut srcs);
    let missing: Vec<String> = srcs
        .iter()
        .filter(|f| {
            !fs::read_to_string(f)
                .unwrap()
                .trim_start()
                .starts_with("//!")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "files without a //! header:\n{}",
        missing.join("\n")
    );
}

fn scenario_files() -> Vec<PathBuf> {
    let mut out = vec![];
    files(&root().join("scenarios"), "yaml", &mut out);
    out.sort();
    out
}

/// The rules delivered so far; each needs a bundled scenario naming it.
const DELIVERED: &[&str] = &["ORG-", "DOM-", "PRV-2"];

#[test]
fn every_delivered_rule_is_covered_by_a_bundled_scenario() {
    let mut covered = BTreeSet::new();
    for f in scenario_files() {
        let (_, s) = ssosim::scenario::parse::load(&f)
            .unwrap_or_else(|e| panic!("{}", e.render(&f.display().to_string(), false)));
        covered.extend(s.covers);
    }
    let missing: Vec<&str> = ssosim::rules::RULES
        .iter()
        .map(|r| r.id)
        .filter(|id| DELIVERED.iter().any(|d| id.starts_with(d)) && !covered.contains(*id))
        .collect();
    assert!(missing.is_empty(), "rules without a scenario: {missing:?}");
}

#[test]
fn one_snapshot_per_scenario_and_none_orphaned() {
    let expected: BTreeSet<PathBuf> = scenario_files()
        .iter()
        .map(|f| ssosim::snapshot::snapshot_path(&std::path::absolute(f).unwrap()))
        .collect();
    let mut snaps = vec![];
    files(&root().join("snapshots"), "snap", &mut snaps);
    let found: BTreeSet<PathBuf> = snaps.into_iter().collect();
    let orphans: Vec<_> = found.difference(&expected).collect();
    let missing: Vec<_> = expected.difference(&found).collect();
    assert!(
        orphans.is_empty(),
        "snapshots without a scenario: {orphans:?}"
    );
    assert!(
        missing.is_empty(),
        "scenarios without a snapshot: {missing:?}"
    );
}
