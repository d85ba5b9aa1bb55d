//! `ssosim run`: scenarios in, transcripts compared with snapshots, one
//! report out (pretty, JSON or JUnit), and an exit code.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use super::{Format, RunArgs};
use crate::report::{
    self, Failure, FailureKind, RunReport, ScenarioOutcome, SnapshotState, Status,
};
use crate::scenario::ast::Scenario;
use crate::scenario::parse::{self, LoadError};
use crate::scenario::runner::{self, RunOutcome};
use crate::snapshot;
use crate::world::WorldErrorKind;

/// Every scenario file under `paths`, sorted, each folder searched recursively.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = vec![];
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            return Err(format!("{}: no such file or folder", p.display()));
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out)?;
        } else if matches!(p.extension().and_then(|x| x.to_str()), Some("yaml" | "yml")) {
            out.push(p);
        }
    }
    Ok(())
}

/// A scenario file, loaded and run once.
pub struct FileRun {
    pub scenario: Scenario,
    pub seed: u64,
    pub outcome: RunOutcome,
}

/// Loads and runs one file with its own seed (or `seed`).
pub fn run_one(path: &Path, seed: Option<u64>) -> Result<FileRun, LoadError> {
    let (_, scenario) = parse::load(path)?;
    let seed = seed.unwrap_or(scenario.world.seed);
    let dir = path.parent().unwrap_or(Path::new("."));
    let outcome = runner::run(&scenario, dir, seed);
    Ok(FileRun {
        scenario,
        seed,
        outcome,
    })
}

/// A path as reports show it: relative to the working directory when
/// inside it, `/`-separated.
pub(crate) fn display(path: &Path) -> String {
    let rel = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf));
    rel.as_deref()
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Whether snapshot files may be written: never in CI (insta's rule too).
fn may_write_pending() -> bool {
    std::env::var("CI")
        .map(|v| v.is_empty() || v == "false" || v == "0")
        .unwrap_or(true)
}

fn judge(path: &Path, args: &RunArgs) -> ScenarioOutcome {
    let file = display(path);
    let started = Instant::now();
    let reproduce_base = format!("ssosim run {file}");
    let mut out = ScenarioOutcome {
        file: file.clone(),
        name: String::new(),
        covers: vec![],
        status: Status::Passed,
        duration_ms: 0,
        seed: 0,
        failures: vec![],
        reproduce: reproduce_base.clone(),
        snapshot: SnapshotState::NotCompared,
    };
    let run = match run_one(path, args.seed) {
        Ok(r) => r,
        Err(e) => {
            out.status = Status::Error;
            let (message, location) = match &e {
                LoadError::Io(m) => (m.clone(), None),
                LoadError::Invalid { diagnostic, .. } => (
                    diagnostic.message.clone(),
                    Some(format!(
                        "{file}:{}:{}",
                        diagnostic.span.line, diagnostic.span.col
                    )),
                ),
            };
            out.failures.push(Failure {
                kind: FailureKind::Scenario,
                message,
                location,
                detail: Some(e.render(&file, false)),
            });
            out.reproduce = format!("ssosim check {file}");
            out.duration_ms = started.elapsed().as_millis() as u64;
            return out;
        }
    };
    out.name = run.scenario.name.clone();
    out.covers = run.scenario.covers.clone();
    out.seed = run.seed;
    out.reproduce = format!("{reproduce_base} --seed {}", run.seed);
    for f in &run.outcome.failures {
        out.failures.push(Failure {
            kind: FailureKind::Expectation,
            message: format!("step {}: {}", f.step, f.message),
            location: Some(format!("{file}:{}:{}", f.span.line, f.span.col)),
            detail: None,
        });
    }
    if let Some(e) = &run.outcome.error {
        let kind = match e.kind {
            WorldErrorKind::Scenario => FailureKind::Scenario,
            WorldErrorKind::Internal => FailureKind::Internal,
            WorldErrorKind::Timeout => FailureKind::Expectation,
        };
        if e.kind == WorldErrorKind::Timeout {
            out.status = Status::Timeout;
        }
        out.failures.push(Failure {
            kind,
            message: e.message.clone(),
            location: e.span.map(|s| format!("{file}:{}:{}", s.line, s.col)),
            detail: None,
        });
    }
    if args.check_determinism {
        let again = runner::run(
            &run.scenario,
            path.parent().unwrap_or(Path::new(".")),
            run.seed,
        );
        if again.transcript != run.outcome.transcript {
            out.failures.push(Failure {
                kind: FailureKind::Internal,
                message:
                    "invariant violated: two runs with the same seed gave different transcripts"
                        .into(),
                location: None,
                detail: Some(snapshot::unified_diff(
                    &run.outcome.transcript,
                    &again.transcript,
                    false,
                    3,
                )),
            });
            out.reproduce = format!("{} --check-determinism", out.reproduce);
        }
    }
    // Snapshots hold each scenario's own seed; another seed is an experiment.
    let compare = args.seed.is_none_or(|s| s == run.scenario.world.seed)
        && run
            .outcome
            .error
            .as_ref()
            .is_none_or(|e| e.kind != WorldErrorKind::Internal);
    if compare {
        compare_snapshot(path, &file, &run.outcome.transcript, args, &mut out);
    }
    if out.status == Status::Passed && !out.failures.is_empty() {
        let error = out
            .failures
            .iter()
            .any(|f| matches!(f.kind, FailureKind::Scenario | FailureKind::Internal));
        out.status = if error { Status::Error } else { Status::Failed };
    }
    out.duration_ms = started.elapsed().as_millis() as u64;
    out
}

fn compare_snapshot(
    path: &Path,
    file: &str,
    transcript: &str,
    args: &RunArgs,
    out: &mut ScenarioOutcome,
) {
    // Absolute, so that `dom/x.yaml` typed inside scenarios/ finds the same snapshot.
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let snap_path = snapshot::snapshot_path(&abs);
    let input_file = snapshot::input_file_for(&abs);
    let stored = match snapshot::read(&snap_path) {
        Ok(s) => s,
        Err(e) => {
            out.failures.push(Failure {
                kind: FailureKind::Scenario,
                message: e.to_string(),
                location: None,
                detail: None,
            });
            return;
        }
    };
    let matches = stored
        .as_ref()
        .is_some_and(|s| snapshot::contents_match(&s.contents, transcript));
    if matches {
        out.snapshot = SnapshotState::Matched;
        // A stale pending file from an earlier run would only confuse review.
        let _ = std::fs::remove_file(snapshot::pending_path(&snap_path));
        return;
    }
    if args.accept {
        match snapshot::accept(&snap_path, transcript, &input_file) {
            Ok(()) => out.snapshot = SnapshotState::Written,
            Err(e) => out.failures.push(Failure {
                kind: FailureKind::Internal,
                message: format!("cannot write {}: {e}", snap_path.display()),
                location: None,
                detail: None,
            }),
        }
        return;
    }
    let snap = display(&snap_path);
    let pending = if may_write_pending() {
        match snapshot::write_pending(&snap_path, transcript, &input_file) {
            Ok(p) => format!("; the new transcript is in {}", display(&p)),
            Err(e) => format!("; could not write the new transcript: {e}"),
        }
    } else {
        String::new()
    };
    let accept =
        format!("review, then accept with `ssosim run {file} --accept` (or `cargo insta review`)");
    match stored {
        Some(s) => {
            out.snapshot = SnapshotState::Differs;
            out.failures.push(Failure {
                kind: FailureKind::Snapshot,
                message: format!("transcript differs from {snap}{pending}; {accept}"),
                location: None,
                detail: Some(snapshot::unified_diff(&s.contents, transcript, false, 3)),
            });
        }
        None => {
            out.snapshot = SnapshotState::Missing;
            out.failures.push(Failure {
                kind: FailureKind::Snapshot,
                message: format!("no snapshot at {snap}{pending}; {accept}"),
                location: None,
                detail: None,
            });
        }
    }
}

fn matches_filter(path: &Path, filter: &str) -> bool {
    let f = filter.to_lowercase();
    if display(path).to_lowercase().contains(&f) {
        return true;
    }
    // The name is inside the file; a cheap parse is enough to read it.
    parse::load(path)
        .map(|(_, s)| s.name.to_lowercase().contains(&f))
        .unwrap_or(false)
}

/// Runs `f` over `items` on up to `jobs` threads; results keep input order.
pub(crate) fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    jobs: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1).min(items.len().max(1)) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(item) = items.get(i) else { break };
                let r = f(item);
                results.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(r);
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .flatten()
        .collect()
}

pub(crate) fn default_jobs(jobs: Option<usize>) -> usize {
    jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    })
}

pub fn run(args: &RunArgs) -> i32 {
    let started = Instant::now();
    let mut files = match collect_files(&args.paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    if let Some(f) = &args.filter {
        files.retain(|p| matches_filter(p, f));
    }
    if files.is_empty() {
        eprintln!(
            "error: no scenario files found in {}",
            args.paths
                .iter()
                .map(|p| display(p))
                .collect::<Vec<_>>()
                .join(", ")
        );
        return 2;
    }
    let scenarios = parallel_map(&files, default_jobs(args.jobs), |p| judge(p, args));
    let report = RunReport {
        scenarios,
        duration_ms: started.elapsed().as_millis() as u64,
    };
    let stdout = match args.format {
        Format::Pretty => {
            report::render_pretty(&report, super::use_color(std::io::stdout().is_terminal()))
        }
        Format::Json => report::render_json(&report),
        Format::Junit => report::render_junit(&report),
    };
    print!("{stdout}");
    if !stdout.ends_with('\n') {
        println!();
    }
    if let Some(path) = &args.report {
        let text = match path.extension().and_then(|e| e.to_str()) {
            Some("xml") => report::render_junit(&report),
            Some("json") => report::render_json(&report),
            _ => {
                eprintln!(
                    "error: --report {}: use a .xml (JUnit) or .json file name",
                    path.display()
                );
                return 2;
            }
        };
        if let Err(e) = snapshot::write_atomic(path, text.as_bytes()) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return 3;
        }
    }
    report.exit_code()
}
