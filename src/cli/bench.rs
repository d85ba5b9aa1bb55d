//! `ssosim bench scenarios`: wall time of a whole suite and of each scenario,
//! measured in one run (release builds; never a timed test).

use std::path::PathBuf;
use std::time::Instant;

use serde::Serialize;

use super::run::{collect_files, default_jobs, parallel_map, run_one};
use super::RulesFormat;

#[derive(Serialize)]
struct ScenarioTiming {
    file: String,
    median_ms: f64,
    max_ms: f64,
}

#[derive(Serialize)]
struct SuiteBench {
    scenarios: usize,
    iterations: usize,
    jobs: usize,
    suite_median_ms: f64,
    suite_min_ms: f64,
    suite_max_ms: f64,
    scenario_median_ms: f64,
    slowest: Vec<ScenarioTiming>,
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        0.0
    } else {
        v[v.len() / 2]
    }
}

pub fn scenarios(
    paths: &[PathBuf],
    iterations: usize,
    format: RulesFormat,
    jobs: Option<usize>,
) -> i32 {
    let files = match collect_files(paths) {
        Ok(f) if !f.is_empty() => f,
        Ok(_) => {
            eprintln!("error: no scenario files found");
            return 2;
        }
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let jobs = default_jobs(jobs);
    let iterations = iterations.max(1);
    let mut suite = vec![];
    let mut per: Vec<Vec<f64>> = vec![vec![]; files.len()];
    for _ in 0..iterations {
        let t0 = Instant::now();
        let times = parallel_map(&files, jobs, |f| {
            let t = Instant::now();
            let ok = run_one(f, None).is_ok();
            (ok, t.elapsed().as_secs_f64() * 1000.0)
        });
        suite.push(t0.elapsed().as_secs_f64() * 1000.0);
        for (i, (ok, ms)) in times.into_iter().enumerate() {
            if !ok {
                eprintln!(
                    "error: {} does not load; run `ssosim check` first",
                    files[i].display()
                );
                return 2;
            }
            per[i].push(ms);
        }
    }
    let mut all: Vec<f64> = per.iter().flatten().copied().collect();
    let mut timings: Vec<ScenarioTiming> = files
        .iter()
        .zip(per.iter_mut())
        .map(|(f, t)| ScenarioTiming {
            file: super::run::display(f),
            max_ms: t.iter().copied().fold(0.0, f64::max),
            median_ms: median(t),
        })
        .collect();
    timings.sort_by(|a, b| b.median_ms.total_cmp(&a.median_ms));
    timings.truncate(5);
    let min = suite.iter().copied().fold(f64::INFINITY, f64::min);
    let max = suite.iter().copied().fold(0.0, f64::max);
    let b = SuiteBench {
        scenarios: files.len(),
        iterations,
        jobs,
        suite_median_ms: median(&mut suite),
        suite_min_ms: min,
        suite_max_ms: max,
        scenario_median_ms: median(&mut all),
        slowest: timings,
    };
    match format {
        RulesFormat::Json => println!("{}", serde_json::to_string_pretty(&b).unwrap_or_default()),
        RulesFormat::Text => {
            println!(
                "{} scenarios × {} iterations on {} jobs",
                b.scenarios, b.iterations, b.jobs
            );
            println!(
                "suite:    median {:.1} ms (min {:.1}, max {:.1})",
                b.suite_median_ms, b.suite_min_ms, b.suite_max_ms
            );
            println!("scenario: median {:.2} ms", b.scenario_median_ms);
            println!("slowest:");
            for t in &b.slowest {
                println!(
                    "  {:>7.2} ms median, {:>7.2} ms max  {}",
                    t.median_ms, t.max_ms, t.file
                );
            }
        }
    }
    0
}
