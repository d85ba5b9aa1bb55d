//! Every bundled scenario, run through `insta::glob!`: its inline
//! expectations must hold and its transcript must match
//! `snapshots/<area>__<name>.snap`. `ssosim run` reads and writes the same
//! files (see `src/snapshot.rs`), so the two paths agree.

use std::path::Path;

#[test]
fn bundled_scenarios_match_their_snapshots() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .canonicalize()
        .unwrap();
    insta::glob!("../../scenarios", "**/*.yaml", |path| {
        let rel = path.strip_prefix(&base).unwrap();
        let name = rel.with_extension("").to_string_lossy().into_owned();
        let run = ssosim::cli::run_one(path, None)
            .unwrap_or_else(|e| panic!("{}", e.render(&name, false)));
        assert!(
            run.outcome.error.is_none(),
            "{name}: the run stopped: {:?}",
            run.outcome.error
        );
        let failed: Vec<String> = run
            .outcome
            .failures
            .iter()
            .map(|f| format!("{}:{}: step {}: {}", name, f.span.line, f.step, f.message))
            .collect();
        assert!(
            failed.is_empty(),
            "expectations did not hold:\n{}",
            failed.join("\n")
        );
        let transcript = run.outcome.transcript;
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("../../snapshots");
        settings.set_prepend_module_to_snapshot(false);
        settings.remove_snapshot_suffix();
        settings.bind(|| insta::assert_snapshot!(name, transcript));
    });
}
