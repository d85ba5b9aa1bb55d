//! Exclusive c14n is byte-identical to lxml and to xmlsec1's pre-digest
//! buffers over the corpus in `fixtures/saml/c14n/` (SECURITY.md PD5,
//! PD10–PD12). The expected `.c14n` files are made by
//! `interop/saml/gen_c14n.py`; no Python runs here.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use ssosim::saml::c14n::{exc_c14n, parse_prefix_list};
use ssosim::saml::dsig::DSIG_NS;
use ssosim::saml::xml::{Document, NodeId};

use crate::saml_support::{fixtures, read_args, xml_names};

fn corpus_dir() -> PathBuf {
    fixtures().join("saml/c14n")
}

fn apex(doc: &Document, args: &BTreeMap<String, String>) -> NodeId {
    if let Some(id) = args.get("apex-id") {
        return doc.element_by_id(id).expect("apex-id names one element");
    }
    if let Some(local) = args.get("apex-first") {
        return doc
            .descendants(doc.root())
            .find(|n| doc.element(*n).is_some_and(|e| &e.local == local))
            .expect("apex-first names an element");
    }
    doc.root()
}

/// Canonicalises one corpus file as its `.args` say.
fn canonicalize(name: &str) -> String {
    let dir = corpus_dir();
    let input = fs::read(dir.join(format!("{name}.xml"))).unwrap();
    let args = read_args(&dir.join(format!("{name}.args")));
    let doc = Document::parse(&input).unwrap_or_else(|e| panic!("{name}: {e}"));
    let apex = apex(&doc, &args);
    let omit = match args.get("omit").map(String::as_str) {
        Some("signature") => Some(
            doc.first_child_named(apex, DSIG_NS, "Signature")
                .expect("a ds:Signature child to omit"),
        ),
        None => None,
        Some(other) => panic!("{name}: unknown omit {other:?}"),
    };
    let prefixes = args
        .get("prefixes")
        .map(|p| parse_prefix_list(p))
        .unwrap_or_default();
    exc_c14n(&doc, apex, omit, &prefixes)
}

fn corpus_names() -> Vec<String> {
    xml_names(&corpus_dir())
}

#[test]
fn exc_c14n_matches_lxml_and_xmlsec1_byte_for_byte_on_the_corpus() {
    let names = corpus_names();
    assert!(names.len() >= 20, "the corpus shrank to {}", names.len());
    let mut failures = Vec::new();
    for name in &names {
        let expected = fs::read(corpus_dir().join(format!("{name}.c14n")))
            .unwrap_or_else(|_| panic!("{name}.c14n missing: run interop/saml/gen_c14n.py"));
        let ours = canonicalize(name);
        if ours.as_bytes() != expected.as_slice() {
            failures.push(format!(
                "{name}:\n  ours:   {:?}\n  oracle: {:?}",
                ours,
                String::from_utf8_lossy(&expected)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "c14n differs from the oracle:\n{}",
        failures.join("\n")
    );
}

#[test]
fn canonical_form_is_a_fixed_point_of_parse_then_c14n() {
    // SECURITY.md PD8: parse(c14n(x)) canonicalises to the same bytes.
    for name in corpus_names() {
        let once = canonicalize(&name);
        let doc = Document::parse(once.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let twice = exc_c14n(&doc, doc.root(), None, &[]);
        // With a PrefixList the first pass may carry extra declarations
        // that the second (without one) drops; compare only plain cases.
        if read_args(&corpus_dir().join(format!("{name}.args"))).contains_key("prefixes") {
            continue;
        }
        assert_eq!(once, twice, "{name}");
    }
}
