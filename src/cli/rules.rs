//! `ssosim rules`: the rule catalogue joined with the scenarios covering each rule.

use std::collections::BTreeMap;

use serde::Serialize;

use super::run::collect_files;
use super::{RulesArgs, RulesFormat};
use crate::rules::RULES;
use crate::scenario::parse;

#[derive(Serialize)]
struct RuleRow<'a> {
    id: &'a str,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    harness_decision: Option<&'a str>,
    scenarios: Vec<String>,
}

pub fn rules(args: &RulesArgs) -> i32 {
    let mut covered: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if args.scenarios.exists() {
        let files = match collect_files(std::slice::from_ref(&args.scenarios)) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: {e}");
                return 2;
            }
        };
        for f in files {
            let name = super::run::display(&f);
            match parse::load(&f) {
                Ok((_, s)) => {
                    for id in s.covers {
                        covered.entry(id).or_default().push(name.clone());
                    }
                }
                Err(e) => {
                    eprintln!("{}", e.render(&name, false));
                    return 2;
                }
            }
        }
    }
    let rows: Vec<RuleRow> = RULES
        .iter()
        .map(|r| RuleRow {
            id: r.id,
            title: r.title,
            harness_decision: r.harness_decision,
            scenarios: covered.get(r.id).cloned().unwrap_or_default(),
        })
        .collect();
    match args.format {
        RulesFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        ),
        RulesFormat::Text => {
            let n_covered = rows.iter().filter(|r| !r.scenarios.is_empty()).count();
            for r in &rows {
                println!("{}  {}", r.id, r.title);
                if let Some(d) = r.harness_decision {
                    println!("        harness decision: {d}");
                }
                if r.scenarios.is_empty() {
                    println!("        not yet covered");
                }
                for s in &r.scenarios {
                    println!("        covered by {s}");
                }
            }
            println!("\n{n_covered} of {} rules covered", rows.len());
        }
    }
    0
}
