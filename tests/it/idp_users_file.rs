//! Users files (`ssosim idp serve --users`): the example file reads, and
//! every file in `fixtures/idp/err/` is refused with the diagnostic stored
//! beside it (`NAME.err`, rendered without colour), which points at the
//! line and says what was expected. `SSOSIM_WRITE_FIXTURES=1` rewrites the
//! `.err` files after a deliberate change.

use std::fs;

use ssosim::idp::directory::Access;
use ssosim::idp::users_file::parse_users_file;
use ssosim::sim::Rng;

use crate::saml_support::fixtures;

#[test]
fn the_example_users_file_reads() {
    let d = parse_users_file(&crate::idp_support::users_yaml(), &mut Rng::new(1)).unwrap();
    assert_eq!(d.users().count(), 5);
    assert_eq!(
        d.access("grace@acme.test"),
        Access::ViaGroup("Engineering".into())
    );
    assert_eq!(d.access("bob@acme.test"), Access::NotAssigned);
    assert_eq!(d.access("linus@acme.test"), Access::Suspended);
    assert_eq!(d.group("Eng-Leads").unwrap().member_of, ["Engineering"]);
}

#[test]
fn users_file_errors_point_at_the_line() {
    let dir = fixtures().join("idp/err");
    let write = std::env::var_os("SSOSIM_WRITE_FIXTURES").is_some();
    let mut names: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".yaml").map(str::to_string))
        .collect();
    names.sort();
    assert!(names.len() >= 8);
    for name in names {
        let path = format!("fixtures/idp/err/{name}.yaml");
        let source = fs::read(dir.join(format!("{name}.yaml"))).unwrap();
        let diag = parse_users_file(&source, &mut Rng::new(1))
            .err()
            .unwrap_or_else(|| panic!("{name}: accepted"));
        let rendered = diag.render(&path, &source, false);
        let expected_path = dir.join(format!("{name}.err"));
        if write {
            fs::write(&expected_path, &rendered).unwrap();
            continue;
        }
        let expected = fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("{name}.err missing: rerun with SSOSIM_WRITE_FIXTURES=1"));
        assert_eq!(rendered, expected, "{name}");
        assert!(rendered.contains(&format!("--> {path}:")), "{name}");
    }
}
