//! `ssosim check`: parse and validate scenario files (and the zone files
//! they name) without running anything.

use std::io::IsTerminal;
use std::path::Path;

use super::run::collect_files;
use super::CheckArgs;
use crate::scenario::ast::ZoneSpec;
use crate::scenario::parse;

pub fn check(args: &CheckArgs) -> i32 {
    let files = match collect_files(&args.paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let color = super::use_color(std::io::stderr().is_terminal());
    let mut bad = 0;
    for f in &files {
        let name = super::run::display(f);
        match parse::load(f) {
            Err(e) => {
                bad += 1;
                eprintln!("{}", e.render(&name, color));
            }
            Ok((_, s)) => {
                for z in &s.world.dns.zones {
                    if let ZoneSpec::File { path, .. } = z {
                        if let Err(m) = check_zone(f.parent().unwrap_or(Path::new(".")), path) {
                            bad += 1;
                            eprintln!("error: {name}: {m}");
                        }
                    }
                }
            }
        }
    }
    if files.is_empty() {
        eprintln!("error: no scenario files found");
        return 2;
    }
    println!("{} checked, {} with errors", files.len(), bad);
    if bad > 0 {
        2
    } else {
        0
    }
}

fn check_zone(dir: &Path, path: &Path) -> Result<(), String> {
    let full = dir.join(path);
    let text = std::fs::read_to_string(&full)
        .map_err(|e| format!("cannot read zone file {}: {e}", full.display()))?;
    crate::dns::parse_zone(&text, &full.display().to_string())
        .map(|_| ())
        .map_err(|e| format!("zone file error: {e}"))
}
