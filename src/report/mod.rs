//! One outcome model for a run, and thin projections of it: pretty text for
//! people, JSON for scripts, JUnit XML for CI dashboards.
//!
//! The runner fills a [`RunReport`]; nothing here runs scenarios, reads files
//! or looks at a clock (durations arrive as numbers of milliseconds measured by
//! the caller). Every projection is a pure function of the report, so the same
//! report always renders to the same bytes.
//!
//! | projection | function | documented in |
//! |---|---|---|
//! | pretty text | [`render_pretty`] | [`pretty`] |
//! | JSON | [`render_json`] (and [`parse_json`] back) | [`json`] |
//! | JUnit XML | [`render_junit`] | [`junit`] |
//!
//! # Status and error kind
//!
//! A scenario ends in one [`Status`]. `Failed` means the scenario ran to the
//! end and something it promised did not hold (an inline `expect:` or the
//! transcript snapshot). `Error` means it could not be judged: the scenario
//! file was wrong ([`FailureKind::Scenario`]) or ssosim itself broke
//! ([`FailureKind::Internal`]). `Timeout` means it did not finish within its
//! virtual-time limit. [`ScenarioOutcome::error_kind`] names which error it was;
//! the JSON `error_kind` field and the JUnit `<error type>` use the same words.
//!
//! # Exit codes
//!
//! [`RunReport::exit_code`] gives the process exit code of `ssosim run`. Each
//! scenario is classified, and the run takes the class with the highest
//! precedence, `3 > 2 > 4 > 1 > 0`:
//!
//! | code | meaning | a scenario is in this class when |
//! |---|---|---|
//! | 0 | all passed | its status is `Passed` (also: an empty run) |
//! | 1 | an expectation or snapshot differed | its status is `Failed` |
//! | 2 | scenario file error | it has a [`FailureKind::Scenario`] failure |
//! | 3 | internal error, invariant violated | it has a [`FailureKind::Internal`] failure, or its status is `Error` with no failure explaining why (an unexplained error is ssosim's bug) |
//! | 4 | did not finish within its virtual-time limit | its status is `Timeout` |
//!
//! File errors win over failures (a broken file hides what it would have
//! tested), internal errors win over everything (nothing else can be
//! trusted), and a timeout outranks a plain failure. Usage errors (bad
//! flags) never reach a report; the CLI exits 2 for them itself.

pub mod json;
pub mod junit;
pub mod pretty;

pub use json::{parse_json, render_json};
pub use junit::render_junit;
pub use pretty::render_pretty;

/// Everything one `ssosim run` found out, in the order the scenarios were given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunReport {
    /// One outcome per scenario, in run order (the order of the report).
    pub scenarios: Vec<ScenarioOutcome>,
    /// Wall time of the whole run as measured by the caller, in milliseconds.
    pub duration_ms: u64,
}

/// How one scenario file ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioOutcome {
    /// The path as the user gave it, `/`-separated.
    pub file: String,
    /// The scenario's `name:`.
    pub name: String,
    /// Rule ids the scenario covers, like `DOM-2`.
    pub covers: Vec<String>,
    /// How it ended.
    pub status: Status,
    /// Time it took to run, in milliseconds.
    pub duration_ms: u64,
    /// The seed it ran with.
    pub seed: u64,
    /// Why it did not pass; empty when it passed. May hold several failures.
    pub failures: Vec<Failure>,
    /// The one command that reproduces this outcome,
    /// e.g. `ssosim run scenarios/dom/x.yaml --seed 7`.
    pub reproduce: String,
    /// What happened to its transcript snapshot.
    pub snapshot: SnapshotState,
}

/// How a scenario ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Every expectation held and the transcript matched its snapshot.
    Passed,
    /// An expectation or the snapshot differed.
    Failed,
    /// The scenario could not be judged: a file error or an internal error.
    Error,
    /// The scenario did not finish within its virtual-time limit.
    Timeout,
}

/// Which kind of error a non-judgeable scenario hit (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The scenario file is wrong (parse or validation error).
    Scenario,
    /// ssosim itself broke, or an invariant was violated.
    Internal,
    /// The scenario did not finish within its virtual-time limit.
    Timeout,
}

impl ErrorKind {
    /// The word used for this kind in JSON (`error_kind`) and JUnit (`<error type>`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Scenario => "scenario",
            ErrorKind::Internal => "internal",
            ErrorKind::Timeout => "timeout",
        }
    }
}

/// One reason a scenario did not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What kind of reason it is.
    pub kind: FailureKind,
    /// One line saying what went wrong.
    pub message: String,
    /// Where, as `file:line:col`, when it points into a file.
    pub location: Option<String>,
    /// More text: a rendered diff or diagnostic, free of ANSI escapes.
    pub detail: Option<String>,
}

/// The kind of a [`Failure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureKind {
    /// An inline `expect:` did not hold.
    Expectation,
    /// The transcript differed from its stored snapshot (or none was stored).
    Snapshot,
    /// The scenario file could not be read, parsed or validated.
    Scenario,
    /// ssosim broke or an invariant was violated.
    Internal,
}

impl FailureKind {
    /// The word used for this kind in JSON (`failures[].kind`) and JUnit (`type`).
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Expectation => "expectation",
            FailureKind::Snapshot => "snapshot",
            FailureKind::Scenario => "scenario",
            FailureKind::Internal => "internal",
        }
    }
}

/// What happened to a scenario's transcript snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SnapshotState {
    /// The stored snapshot matched the transcript.
    Matched,
    /// The stored snapshot differed; a `.snap.new` was written beside it.
    Differs,
    /// No snapshot was stored; a `.snap.new` was written.
    Missing,
    /// `--accept` wrote the transcript as the new snapshot.
    Written,
    /// The run never got as far as comparing (e.g. the file did not parse).
    NotCompared,
}

impl SnapshotState {
    /// The word used for this state in JSON (`snapshot`).
    pub fn as_str(self) -> &'static str {
        match self {
            SnapshotState::Matched => "matched",
            SnapshotState::Differs => "differs",
            SnapshotState::Missing => "missing",
            SnapshotState::Written => "written",
            SnapshotState::NotCompared => "not_compared",
        }
    }
}

impl ScenarioOutcome {
    /// Which error this scenario hit, if its status is `Error` or `Timeout`.
    ///
    /// `Timeout` is always [`ErrorKind::Timeout`]. For `Error`, an internal
    /// failure wins over a scenario-file failure, and an error with neither
    /// is counted as internal: ssosim should always say why.
    pub fn error_kind(&self) -> Option<ErrorKind> {
        match self.status {
            Status::Passed | Status::Failed => None,
            Status::Timeout => Some(ErrorKind::Timeout),
            Status::Error => {
                if self.has_failure(FailureKind::Internal) {
                    Some(ErrorKind::Internal)
                } else if self.has_failure(FailureKind::Scenario) {
                    Some(ErrorKind::Scenario)
                } else {
                    Some(ErrorKind::Internal)
                }
            }
        }
    }

    /// The exit code this scenario alone would give (see the module docs).
    pub fn exit_code(&self) -> i32 {
        if self.has_failure(FailureKind::Internal) {
            3
        } else if self.has_failure(FailureKind::Scenario) {
            2
        } else {
            match self.status {
                Status::Passed => 0,
                Status::Failed => 1,
                Status::Timeout => 4,
                Status::Error => 3,
            }
        }
    }

    /// What to say when a scenario did not pass but recorded no failure.
    pub(crate) fn unexplained(&self) -> &'static str {
        match self.status {
            Status::Timeout => "did not finish within its virtual-time limit",
            _ => "no reason was recorded",
        }
    }

    fn has_failure(&self, kind: FailureKind) -> bool {
        self.failures.iter().any(|f| f.kind == kind)
    }
}

/// Precedence of exit codes when scenarios disagree: `3 > 2 > 4 > 1 > 0`.
fn exit_rank(code: i32) -> u8 {
    match code {
        3 => 4,
        2 => 3,
        4 => 2,
        1 => 1,
        _ => 0,
    }
}

impl RunReport {
    /// Scenarios that passed.
    pub fn passed(&self) -> usize {
        self.count(|s| s == Status::Passed)
    }

    /// Scenarios that failed an expectation or their snapshot.
    pub fn failed(&self) -> usize {
        self.count(|s| s == Status::Failed)
    }

    /// Scenarios that could not be judged: `Error` plus `Timeout`.
    pub fn errors(&self) -> usize {
        self.count(|s| matches!(s, Status::Error | Status::Timeout))
    }

    /// Scenarios that timed out (a subset of [`RunReport::errors`]).
    pub fn timeouts(&self) -> usize {
        self.count(|s| s == Status::Timeout)
    }

    /// The process exit code for this run; see the module docs for the table.
    pub fn exit_code(&self) -> i32 {
        self.scenarios
            .iter()
            .map(ScenarioOutcome::exit_code)
            .max_by_key(|&code| exit_rank(code))
            .unwrap_or(0)
    }

    fn count(&self, pred: impl Fn(Status) -> bool) -> usize {
        self.scenarios.iter().filter(|s| pred(s.status)).count()
    }
}

/// Formats milliseconds as seconds with three decimals (`1234` → `1.234`),
/// without going through floating point so the text is exact.
pub(crate) fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}
