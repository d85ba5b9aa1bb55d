//! Scenario files that are valid YAML but not valid scenarios: each
//! `tests/data/scenarios/err/NAME.yaml` must be refused with exactly the
//! rendered diagnostic in `NAME.err` (file, line, column, caret, what was
//! expected, did you mean). `UPDATE_EXPECT=1` rewrites the `.err` files.

use std::fs;
use std::path::Path;

#[test]
fn invalid_scenarios_are_refused_with_their_expected_diagnostic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/scenarios/err");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 20);
    let mut mismatches = vec![];
    for f in files {
        let name = format!(
            "tests/data/scenarios/err/{}",
            f.file_name().unwrap().to_string_lossy()
        );
        let source = fs::read(&f).unwrap();
        let rendered = match ssosim::scenario::parse::parse_scenario(&source) {
            Ok(_) => {
                mismatches.push(format!("{name}: was accepted"));
                continue;
            }
            Err(d) => d.render(&name, &source, false),
        };
        let expected_path = f.with_extension("err");
        if update {
            fs::write(&expected_path, &rendered).unwrap();
            continue;
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != rendered {
            mismatches.push(format!(
                "{name}:\n--- expected\n{expected}\n--- got\n{rendered}"
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
