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

#[test]
fn settings_turn_the_profile_knobs() {
    use ssosim::idp::profile::{GroupFilter, NameIdSource};
    use ssosim::saml::response::SignWhat;
    let src = "settings:\n  okta_group_filter: { starts_with: anthropic- }\n  google_groups: [Eng]\n  entra_group_names: true\n  entra_assigned_groups_only: true\n  name_id: persistent\n  default_relay_state: /home\n  sign: both\n  assertion_lifetime: 2m\n  clock_offset_seconds: -90\n  legacy_sha1: true\nusers: []\n";
    let f =
        ssosim::idp::users_file::parse_users_file_with_settings(src.as_bytes(), &mut Rng::new(1))
            .unwrap();
    let o = f.options;
    assert_eq!(
        o.okta_group_filter,
        Some(GroupFilter::StartsWith("anthropic-".into()))
    );
    assert_eq!(o.google_groups, Some(vec!["Eng".to_string()]));
    assert!(o.entra_group_names && o.entra_assigned_groups_only && o.legacy_sha1);
    assert_eq!(o.name_id, Some(NameIdSource::Pairwise));
    assert_eq!(o.default_relay_state.as_deref(), Some("/home"));
    assert_eq!(o.sign, Some(SignWhat::Both));
    assert_eq!(
        o.assertion_lifetime,
        Some(std::time::Duration::from_secs(120))
    );
    assert_eq!(o.clock_offset_s, Some(-90));
}

#[test]
fn the_okta_group_filter_case_file_reproduces_a_missing_groups_attribute() {
    use ssosim::idp::{Decision, Vendor};
    let src = fs::read(fixtures().join("idp/okta-group-filter-case.yaml")).unwrap();
    let f =
        ssosim::idp::users_file::parse_users_file_with_settings(&src, &mut Rng::new(1)).unwrap();
    let mut idp = crate::idp_support::idp_with(Vendor::Okta, f.directory, &f.options);
    let launch = |idp: &mut ssosim::idp::Idp, who: &str| match idp.launch(
        who,
        None,
        ssosim::idp::LaunchRelayState::None,
        crate::idp_support::now(),
        &mut Rng::new(1),
    ) {
        Decision::Respond(a) => a.claims.unwrap(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        launch(&mut idp, "ada@acme.test").attributes["groups"],
        ["anthropic-claudeai-1a2b3c4d-owner"]
    );
    assert!(!launch(&mut idp, "grace@acme.test")
        .attributes
        .contains_key("groups"));
}
