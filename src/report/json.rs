//! The JSON projection of a [`RunReport`]: one JSON object for the whole run.
//!
//! `ssosim run --format json` prints exactly one object on one line, followed
//! by a newline. Keys always appear in the order shown; absent optional values
//! are `null`, never missing (except `error_kind`, see below).
//!
//! ```json
//! {
//!   "scenarios": [
//!     {
//!       "file": "scenarios/dom/apex-record.yaml",
//!       "name": "Apex record verifies the domain",
//!       "status": "failed",
//!       "covers": ["DOM-2"],
//!       "duration_ms": 12,
//!       "seed": 7,
//!       "reproduce": "ssosim run scenarios/dom/apex-record.yaml --seed 7",
//!       "snapshot": "differs",
//!       "failures": [
//!         {
//!           "kind": "snapshot",
//!           "message": "transcript differs from snapshots/dom__apex-record.snap",
//!           "location": null,
//!           "detail": "--- stored snapshot\n+++ this run\n..."
//!         }
//!       ]
//!     }
//!   ],
//!   "passed": 0,
//!   "failed": 1,
//!   "errors": 0,
//!   "duration_ms": 12
//! }
//! ```
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `scenarios[].file` | string | the scenario path as given, `/`-separated |
//! | `scenarios[].name` | string | the scenario's `name:` |
//! | `scenarios[].status` | `"passed"` \| `"failed"` \| `"error"` | only these three; a timeout is `"error"` |
//! | `scenarios[].covers` | array of strings | rule ids, e.g. `"DOM-2"` |
//! | `scenarios[].duration_ms` | integer | time the scenario took |
//! | `scenarios[].seed` | integer | the seed it ran with |
//! | `scenarios[].reproduce` | string | the one command that reproduces it |
//! | `scenarios[].snapshot` | `"matched"` \| `"differs"` \| `"missing"` \| `"written"` \| `"not_compared"` | what happened to its snapshot |
//! | `scenarios[].failures[].kind` | `"expectation"` \| `"snapshot"` \| `"scenario"` \| `"internal"` | kind of reason |
//! | `scenarios[].failures[].message` | string | one line |
//! | `scenarios[].failures[].location` | string or null | `file:line:col` |
//! | `scenarios[].failures[].detail` | string or null | a diff or diagnostic, ANSI-free |
//! | `scenarios[].error_kind` | `"timeout"` \| `"scenario"` \| `"internal"` | present only when `status` is `"error"`; last key of the object |
//! | `passed` | integer | scenarios with status `"passed"` |
//! | `failed` | integer | scenarios with status `"failed"` |
//! | `errors` | integer | scenarios with status `"error"` (timeouts included) |
//! | `duration_ms` | integer | time the whole run took |
//!
//! `error_kind` tells a timeout (exit code 4) apart from a scenario file error
//! (2) and an internal error (3) without widening `status`.
//!
//! [`parse_json`] reads this format back into a [`RunReport`]; rendering what
//! it parsed gives the same bytes. The counts are recomputed, not trusted.

use serde::{Deserialize, Serialize};

use super::{ErrorKind, Failure, FailureKind, RunReport, ScenarioOutcome, SnapshotState, Status};

/// Renders the report as one compact JSON object followed by a newline.
pub fn render_json(report: &RunReport) -> String {
    let wire = WireReport::from(report);
    // Serialising plain structs of strings, integers and vectors cannot fail:
    // there are no maps with non-string keys and no fallible Serialize impls.
    let mut out = serde_json::to_string(&wire).expect("a report always serialises");
    out.push('\n');
    out
}

/// Reads a JSON report (as written by [`render_json`]) back into the model.
pub fn parse_json(text: &str) -> Result<RunReport, serde_json::Error> {
    let wire: WireReport = serde_json::from_str(text)?;
    Ok(wire.into())
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireReport {
    scenarios: Vec<WireScenario>,
    passed: usize,
    failed: usize,
    errors: usize,
    duration_ms: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireScenario {
    file: String,
    name: String,
    status: WireStatus,
    covers: Vec<String>,
    duration_ms: u64,
    seed: u64,
    reproduce: String,
    snapshot: WireSnapshot,
    failures: Vec<WireFailure>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error_kind: Option<WireErrorKind>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireFailure {
    kind: WireFailureKind,
    message: String,
    location: Option<String>,
    detail: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum WireStatus {
    Passed,
    Failed,
    Error,
}

#[derive(Serialize, Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum WireErrorKind {
    Timeout,
    Scenario,
    Internal,
}

#[derive(Serialize, Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum WireFailureKind {
    Expectation,
    Snapshot,
    Scenario,
    Internal,
}

#[derive(Serialize, Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum WireSnapshot {
    Matched,
    Differs,
    Missing,
    Written,
    NotCompared,
}

impl From<&RunReport> for WireReport {
    fn from(r: &RunReport) -> Self {
        WireReport {
            scenarios: r.scenarios.iter().map(WireScenario::from).collect(),
            passed: r.passed(),
            failed: r.failed(),
            errors: r.errors(),
            duration_ms: r.duration_ms,
        }
    }
}

impl From<&ScenarioOutcome> for WireScenario {
    fn from(s: &ScenarioOutcome) -> Self {
        WireScenario {
            file: s.file.clone(),
            name: s.name.clone(),
            status: match s.status {
                Status::Passed => WireStatus::Passed,
                Status::Failed => WireStatus::Failed,
                Status::Error | Status::Timeout => WireStatus::Error,
            },
            covers: s.covers.clone(),
            duration_ms: s.duration_ms,
            seed: s.seed,
            reproduce: s.reproduce.clone(),
            snapshot: match s.snapshot {
                SnapshotState::Matched => WireSnapshot::Matched,
                SnapshotState::Differs => WireSnapshot::Differs,
                SnapshotState::Missing => WireSnapshot::Missing,
                SnapshotState::Written => WireSnapshot::Written,
                SnapshotState::NotCompared => WireSnapshot::NotCompared,
            },
            failures: s.failures.iter().map(WireFailure::from).collect(),
            error_kind: s.error_kind().map(|k| match k {
                ErrorKind::Timeout => WireErrorKind::Timeout,
                ErrorKind::Scenario => WireErrorKind::Scenario,
                ErrorKind::Internal => WireErrorKind::Internal,
            }),
        }
    }
}

impl From<&Failure> for WireFailure {
    fn from(f: &Failure) -> Self {
        WireFailure {
            kind: match f.kind {
                FailureKind::Expectation => WireFailureKind::Expectation,
                FailureKind::Snapshot => WireFailureKind::Snapshot,
                FailureKind::Scenario => WireFailureKind::Scenario,
                FailureKind::Internal => WireFailureKind::Internal,
            },
            message: f.message.clone(),
            location: f.location.clone(),
            detail: f.detail.clone(),
        }
    }
}

impl From<WireReport> for RunReport {
    fn from(w: WireReport) -> Self {
        RunReport {
            scenarios: w.scenarios.into_iter().map(ScenarioOutcome::from).collect(),
            duration_ms: w.duration_ms,
        }
    }
}

impl From<WireScenario> for ScenarioOutcome {
    fn from(w: WireScenario) -> Self {
        ScenarioOutcome {
            file: w.file,
            name: w.name,
            covers: w.covers,
            status: match (w.status, w.error_kind) {
                (WireStatus::Passed, _) => Status::Passed,
                (WireStatus::Failed, _) => Status::Failed,
                (WireStatus::Error, Some(WireErrorKind::Timeout)) => Status::Timeout,
                (WireStatus::Error, _) => Status::Error,
            },
            duration_ms: w.duration_ms,
            seed: w.seed,
            failures: w.failures.into_iter().map(Failure::from).collect(),
            reproduce: w.reproduce,
            snapshot: match w.snapshot {
                WireSnapshot::Matched => SnapshotState::Matched,
                WireSnapshot::Differs => SnapshotState::Differs,
                WireSnapshot::Missing => SnapshotState::Missing,
                WireSnapshot::Written => SnapshotState::Written,
                WireSnapshot::NotCompared => SnapshotState::NotCompared,
            },
        }
    }
}

impl From<WireFailure> for Failure {
    fn from(w: WireFailure) -> Self {
        Failure {
            kind: match w.kind {
                WireFailureKind::Expectation => FailureKind::Expectation,
                WireFailureKind::Snapshot => FailureKind::Snapshot,
                WireFailureKind::Scenario => FailureKind::Scenario,
                WireFailureKind::Internal => FailureKind::Internal,
            },
            message: w.message,
            location: w.location,
            detail: w.detail,
        }
    }
}
