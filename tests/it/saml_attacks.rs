//! The SAML attack suite: SECURITY.md §1.A (signature wrapping), §1.B
//! (signature presence and key trust), §1.C (reference and SignedInfo
//! confusion) and their neighbours (§1.D text splitting, §1.F algorithms,
//! §1.G semantics, §1.H XML profile), each built from a fresh response of
//! the mock IdP and refused by our SP with exactly one named reason.
//!
//! - `cases.rs` is the table (one row per attack or variant), `world.rs`
//!   makes the genuine messages through `Idp::sso`/`Idp::login`/`launch`,
//!   `surgery.rs` edits and re-signs them.
//! - `every_attack_is_refused_with_its_named_reason` runs the table.
//! - `the_catalogue_is_covered` ties the table to SECURITY.md's ids.
//! - `the_wrapping_corpus_matches_the_committed_files` keeps
//!   `fixtures/saml/attacks/` (the differential corpus that
//!   `interop/saml/attacks_differential.py` feeds to xmlsec1 and signxml)
//!   byte for byte what the generator makes; `SSOSIM_WRITE_FIXTURES=1`
//!   rewrites it.

mod cases;
mod surgery;
mod world;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::sync::OnceLock;

use ssosim::saml::replay::ReplayCache;
use ssosim::saml::validate::{validate_response, InResponseToCheck, Pending};

use cases::{Case, Expect};

fn table() -> &'static [Case] {
    static TABLE: OnceLock<Vec<Case>> = OnceLock::new();
    TABLE.get_or_init(cases::all)
}

/// Judges one case as a real SP would (with a replay cache), and says
/// what went wrong, naming the attack, when the outcome is not the one
/// expected.
fn run(c: &Case) -> Result<(), String> {
    let pending = c.pending.as_ref().map(|r| Pending {
        request_id: r.clone(),
    });
    let irt = InResponseToCheck::Pending(pending.as_ref());
    let mut cache = ReplayCache::new(1024);
    for b in &c.before {
        validate_response(&c.cfg, c.at, b.as_bytes(), irt, Some(&mut cache))
            .map_err(|e| format!("{}: the message sent first was refused: {e}", c.name()))?;
    }
    let got = validate_response(&c.cfg, c.at, c.xml.as_bytes(), irt, Some(&mut cache));
    match (&c.expect, got) {
        (Expect::Refused(want), Err(e)) if e.reason == *want => Ok(()),
        (Expect::Refused(want), Err(e)) => Err(format!(
            "{} ({}): expected {}, got {} ({})",
            c.name(),
            c.what,
            want.name(),
            e.name(),
            e.detail
        )),
        (Expect::Refused(want), Ok(login)) => Err(format!(
            "{} ({}): expected {}, got ACCEPTED as {:?} — a real bug",
            c.name(),
            c.what,
            want.name(),
            login.name_id
        )),
        (Expect::Accepted { name_id, attribute }, Ok(login)) => {
            if login.name_id != *name_id {
                return Err(format!(
                    "{} ({}): accepted as {:?}, expected exactly {name_id:?}",
                    c.name(),
                    c.what,
                    login.name_id
                ));
            }
            if let Some((name, value)) = attribute {
                let got = login.attributes.get(*name).cloned().unwrap_or_default();
                if !got.iter().any(|v| v == value) {
                    return Err(format!(
                        "{} ({}): attribute {name} is {got:?}, expected it to hold {value:?}",
                        c.name(),
                        c.what
                    ));
                }
            }
            Ok(())
        }
        (Expect::Accepted { name_id, .. }, Err(e)) => Err(format!(
            "{} ({}): expected acceptance as {name_id:?}, got {} ({})",
            c.name(),
            c.what,
            e.name(),
            e.detail
        )),
    }
}

#[test]
fn every_attack_is_refused_with_its_named_reason() {
    let table = table();
    let mut names = BTreeSet::new();
    for c in table {
        assert!(names.insert(c.name()), "case {} appears twice", c.name());
    }
    let control = table.iter().find(|c| c.name() == "CONTROL").unwrap();
    assert!(
        run(control).is_ok(),
        "the unmutated control must be accepted: {:?}",
        run(control)
    );
    let failures: Vec<String> = table.iter().filter_map(|c| run(c).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases did not get their expected outcome:\n  {}",
        failures.len(),
        table.len(),
        failures.join("\n  ")
    );
}

/// Regression: a second Subject, NameID, Issuer or SubjectConfirmationData
/// used to be ignored (the SP read the first), and an element inside NameID
/// dropped from the value; each message was accepted. See `cases.rs`.
#[test]
fn ma4_a_second_subject_identifier_or_issuer_is_refused_not_ignored() {
    for name in [
        "MA4-two-subjects",
        "MA4-two-name-ids",
        "IS1-twice",
        "IS2-twice-unsigned",
        "SC1-two-data",
        "TXT1-element-child",
    ] {
        let c = table().iter().find(|c| c.name() == name).unwrap();
        run(c).unwrap_or_else(|e| panic!("{e}"));
    }
}

/// SECURITY.md §1.A, §1.B and §1.C: every attack id, and why the few not
/// in the table are elsewhere.
const CATALOGUE: &[&str] = &[
    "XSW1",
    "XSW2",
    "XSW3",
    "XSW4",
    "XSW5",
    "XSW6",
    "XSW7",
    "XSW8",
    "XSW9",
    "XSW-ANC",
    "XSW-DONOR",
    "XSW-ADV",
    "XSW-REQ",
    "XSW-REL", // §1.A
    "SIG1",
    "SIG2",
    "SIG3",
    "SIG4",
    "SIG5",
    "SIG6",
    "KEY1",
    "KEY2",
    "KEY3",
    "KEY4",
    "KEY5",
    "KEY6",
    "KEY7",
    "KEY7b",
    "KEY8", // §1.B
    "REF1",
    "REF2",
    "REF3",
    "REF4",
    "REF5",
    "REF6",
    "REF7",
    "REF8",
    "REF9",
    "REF10",
    "REF11", // §1.C
];

/// Catalogue ids that are not SP Response attacks, with where they are
/// handled instead.
const NOT_IN_TABLE: &[(&str, &str)] = &[
    (
        "XSW-REQ",
        "wrapping of an AuthnRequest at the IdP: idp_checks (IDP3, signature not on the request root)",
    ),
    (
        "KEY7b",
        "pinned certificate outside its validity window: a policy choice; no expired certificate in fixtures/pki yet",
    ),
    (
        "KEY8",
        "weak RSA keys are refused at configuration load (saml_dsig, weak-1024/weak-e3), never reach a message",
    ),
];

#[test]
fn the_catalogue_is_covered() {
    let mut rows: BTreeMap<&str, usize> = BTreeMap::new();
    for c in table() {
        *rows.entry(c.attack).or_default() += 1;
    }
    let excused: BTreeSet<&str> = NOT_IN_TABLE.iter().map(|(id, _)| *id).collect();
    let mut problems = vec![];
    for id in CATALOGUE {
        match (rows.contains_key(id), excused.contains(id)) {
            (true, true) => problems.push(format!("{id} is in the table and excused")),
            (false, false) => problems.push(format!("{id} has no case")),
            _ => {}
        }
    }
    for id in &excused {
        if !CATALOGUE.contains(id) {
            problems.push(format!("excused {id} is not a catalogue id"));
        }
    }
    let listed: BTreeSet<&str> = CATALOGUE.iter().copied().collect();
    assert_eq!(listed.len(), CATALOGUE.len(), "an id is listed twice");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn corpus_dir() -> std::path::PathBuf {
    crate::saml_support::fixtures().join("saml/attacks")
}

/// The README table and the verdict list of the corpus.
fn corpus_index(cases: &[&Case]) -> (String, String) {
    let mut readme = String::from(
        "# Signature-wrapping differential corpus\n\n\
         Written by `SSOSIM_WRITE_FIXTURES=1 cargo test saml_attacks` from fresh responses of\n\
         the mock generic IdP (`tests/it/saml_attacks/cases.rs`); `cargo test` checks every\n\
         byte. `interop/saml/attacks_differential.py` shows, file by file, that an\n\
         independent verifier (xmlsec1 or signxml, the IdP certificate pinned) still finds a\n\
         valid IdP signature in the file while our SP refuses it: the refusal comes from\n\
         SAML-level invariants (SECURITY.md I2–I5), not from a broken signature. Two\n\
         exceptions, by design: REF1 and REF2 are refused by a correct verifier too (digest\n\
         mismatch: they attack verifiers that read DigestValue from the wrong place), and in\n\
         XSW7 and XSW8 the Reference names an ID that two elements carry, which xmlsec1 and\n\
         signxml refuse to resolve (`ambiguous`), as our SP does (`duplicate-id`). Two\n\
         sanity rows: `CONTROL` (the genuine response: accepted, and the oracles verify it)\n\
         and `KEY1` (re-signed by the attacker with their certificate in KeyInfo: the\n\
         oracles, with the IdP certificate pinned, must refuse it).\n\n\
         SP settings for `ssosim saml inspect`: `--idp-metadata idp-metadata.xml\n\
         --sp-entity-id https://sp.acme.test/saml/metadata --acs https://sp.acme.test/saml/acs\n\
         --now 2026-01-01T10:00:00Z`.\n\n\
         | File | Attack | What it does | Our SP's reason | Independent verifier |\n\
         |---|---|---|---|---|\n",
    );
    let mut tsv = String::from("# file\treason\toracle (valid: some IdP signature verifies; invalid: none does; ambiguous: the Reference names a duplicated ID)\n");
    for c in cases {
        let reason = match &c.expect {
            Expect::Refused(reason) => reason.name(),
            Expect::Accepted { .. } => "accepted",
        };
        let oracle = match c.attack {
            // A correct verifier refuses these too: they attack verifiers
            // that read DigestValue from the wrong place.
            "REF1" | "REF2" => "invalid",
            // The negative control: signed by the attacker, never by the
            // pinned IdP key, whatever KeyInfo says.
            "KEY1" => "invalid",
            // The Reference names an ID two elements carry: xmlsec1 and
            // signxml refuse to choose, as we do (I4).
            "XSW7" | "XSW8" => "ambiguous",
            _ => "valid",
        };
        // Markdown: tags and A* must show as written.
        let what = c
            .what
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('*', "\\*");
        readme.push_str(&format!(
            "| `{}.xml` | {} | {} | `{}` | {} |\n",
            c.name(),
            c.attack,
            what,
            reason,
            oracle
        ));
        tsv.push_str(&format!("{}.xml\t{}\t{}\n", c.name(), reason, oracle));
    }
    (readme, tsv)
}

#[test]
fn the_wrapping_corpus_matches_the_committed_files() {
    let cases: Vec<&Case> = table().iter().filter(|c| c.corpus).collect();
    assert!(cases.len() >= 19, "the corpus lost cases");
    let (readme, tsv) = corpus_index(&cases);
    let md = world::generic().idp.metadata_xml();
    let mut files: BTreeMap<String, String> = cases
        .iter()
        .map(|c| (format!("{}.xml", c.name()), c.xml.clone()))
        .collect();
    files.insert("README.md".into(), readme);
    files.insert("verdicts.tsv".into(), tsv);
    files.insert("idp-metadata.xml".into(), md);
    let dir = corpus_dir();
    if std::env::var_os("SSOSIM_WRITE_FIXTURES").is_some() {
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        for (name, text) in &files {
            fs::write(dir.join(name), text).unwrap();
        }
        return;
    }
    let on_disk: BTreeSet<String> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (SSOSIM_WRITE_FIXTURES=1 writes it)", dir.display()))
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    let wanted: BTreeSet<String> = files.keys().cloned().collect();
    assert_eq!(
        on_disk, wanted,
        "fixtures/saml/attacks holds other files than the generator makes (SSOSIM_WRITE_FIXTURES=1 rewrites it)"
    );
    for (name, text) in &files {
        let committed = fs::read_to_string(dir.join(name)).unwrap();
        assert!(
            committed == *text,
            "fixtures/saml/attacks/{name} differs from what the generator makes \
             (SSOSIM_WRITE_FIXTURES=1 cargo test saml_attacks rewrites it)"
        );
    }
}
