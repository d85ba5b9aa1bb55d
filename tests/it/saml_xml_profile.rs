//! The strict XML profile (SECURITY.md I7, X1–X9, PD1–PD4, PD9, TXT1–TXT5):
//! every hostile document in `fixtures/saml/xml/err/` is refused with the
//! reason its file name starts with (`REASON--what.xml`), every document in
//! `fixtures/saml/xml/ok/` parses, and text extraction joins the text around
//! comments.

use std::fs;
use std::time::Instant;

use ssosim::saml::xml::{Document, NodeKind, ParseOptions, XmlErrorKind};
use ssosim::saml::SAML_ASSERTION_NS;

use crate::saml_support::{fixtures, xml_names};

#[test]
fn every_hostile_document_is_refused_with_the_reason_in_its_name() {
    let dir = fixtures().join("saml/xml/err");
    let names = xml_names(&dir);
    assert!(names.len() >= 50, "only {} hostile documents", names.len());
    let mut wrong = Vec::new();
    for name in &names {
        let (expected, _) = name.split_once("--").expect("REASON--what.xml");
        let input = fs::read(dir.join(format!("{name}.xml"))).unwrap();
        match Document::parse(&input) {
            Ok(_) => wrong.push(format!("{name}: accepted")),
            Err(e) if e.reason() != expected => wrong.push(format!("{name}: refused as {e}")),
            Err(_) => {}
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_reason_name_is_triggered_by_a_hostile_document() {
    let names = xml_names(&fixtures().join("saml/xml/err"));
    let all = [
        XmlErrorKind::NotUtf8,
        XmlErrorKind::BomForbidden,
        XmlErrorKind::InvalidChar,
        XmlErrorKind::DoctypeForbidden,
        XmlErrorKind::ProcessingInstructionForbidden,
        XmlErrorKind::CdataForbidden,
        XmlErrorKind::XmlDeclarationInvalid,
        XmlErrorKind::NoRoot,
        XmlErrorKind::MultipleRoots,
        XmlErrorKind::ContentOutsideRoot,
        XmlErrorKind::MismatchedEndTag,
        XmlErrorKind::UnboundPrefix,
        XmlErrorKind::DuplicateAttribute,
        XmlErrorKind::InvalidName,
        XmlErrorKind::InvalidNamespace,
        XmlErrorKind::UndefinedEntity,
        XmlErrorKind::InvalidComment,
        XmlErrorKind::TooDeep,
        XmlErrorKind::TooManyAttributes,
        XmlErrorKind::TooManyNamespaces,
        XmlErrorKind::Malformed,
    ];
    for kind in all {
        assert!(
            names
                .iter()
                .any(|n| n.starts_with(&format!("{}--", kind.reason()))),
            "no fixture triggers {}",
            kind.reason()
        );
    }
    // too-large is exercised below (a 1 MiB file is not worth committing).
}

#[test]
fn every_document_of_the_ok_corpus_parses() {
    let dir = fixtures().join("saml/xml/ok");
    for name in xml_names(&dir) {
        let input = fs::read(dir.join(format!("{name}.xml"))).unwrap();
        Document::parse(&input).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn documents_over_the_size_limit_are_too_large() {
    let mut big = b"<a>".to_vec();
    big.resize((1 << 20) - 4, b'x');
    big.extend_from_slice(b"</a>");
    assert!(Document::parse(&big).is_ok());
    big.insert(3, b'x');
    assert_eq!(Document::parse(&big).unwrap_err().reason(), "too-large");
    let small = ParseOptions {
        max_bytes: 10,
        ..ParseOptions::default()
    };
    assert_eq!(
        Document::parse_with(b"<a>0123456789</a>", &small)
            .unwrap_err()
            .reason(),
        "too-large"
    );
}

#[test]
fn depth_limit_is_configurable() {
    let three = ParseOptions {
        max_depth: 3,
        ..ParseOptions::default()
    };
    assert!(Document::parse_with(b"<a><b><c/></b></a>", &three).is_ok());
    let e = Document::parse_with(b"<a><b><c><d/></c></b></a>", &three).unwrap_err();
    assert_eq!(e.reason(), "too-deep");
}

#[test]
fn depth_bomb_is_refused_quickly_without_recursion() {
    // SECURITY.md X4: 100k nested elements.
    let n = 100_000;
    let bomb = format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
    let started = Instant::now();
    assert_eq!(
        Document::parse(bomb.as_bytes()).unwrap_err().reason(),
        "too-deep"
    );
    assert!(started.elapsed().as_secs() < 2);
}

#[test]
fn entity_bomb_is_refused_at_the_doctype_in_linear_time() {
    // SECURITY.md X2: the DOCTYPE is refused before any entity exists.
    let input =
        fs::read(fixtures().join("saml/xml/err/doctype-forbidden--billion-laughs.xml")).unwrap();
    let started = Instant::now();
    let e = Document::parse(&input).unwrap_err();
    assert_eq!(e.reason(), "doctype-forbidden");
    assert!(started.elapsed().as_millis() < 500);
}

#[test]
fn comment_in_name_id_yields_the_full_text() {
    // SECURITY.md TXT1/TXT2: a comment never truncates a value.
    let xml = r#"<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><saml:NameID>ali<!---->ce@x</saml:NameID><saml:AttributeValue>s<!-- attack! -->mith</saml:AttributeValue></saml:Assertion>"#;
    let doc = Document::parse(xml.as_bytes()).unwrap();
    let name_id = doc
        .first_child_named(doc.root(), SAML_ASSERTION_NS, "NameID")
        .unwrap();
    assert_eq!(doc.text(name_id), "alice@x");
    // The comment is kept as its own node between two text nodes.
    let kinds: Vec<_> = doc
        .children(name_id)
        .iter()
        .map(|c| match doc.node(*c).kind {
            NodeKind::Text(_) => "text",
            NodeKind::Comment(_) => "comment",
            NodeKind::Element(_) => "element",
        })
        .collect();
    assert_eq!(kinds, ["text", "comment", "text"]);
    let value = doc
        .first_child_named(doc.root(), SAML_ASSERTION_NS, "AttributeValue")
        .unwrap();
    assert_eq!(doc.text(value), "smith");
}

#[test]
fn references_are_expanded_consistently_in_text_and_attributes() {
    // SECURITY.md TXT5 and PD10 (XML 1.0 §2.11, §3.3.3).
    let xml = "<a x=\"adm&#x69;n\tT\r\nU&#xD;\">adm&#x69;n &amp; &lt;&#x41;\r\nB\rC</a>";
    let doc = Document::parse(xml.as_bytes()).unwrap();
    assert_eq!(doc.text(doc.root()), "admin & <A\nB\nC");
    assert_eq!(doc.attribute(doc.root(), "x"), Some("admin T U\r"));
}

#[test]
fn names_are_matched_by_namespace_uri_never_by_prefix() {
    // SECURITY.md PD4/PD5: `saml` bound to the wrong URI is not SAML, and
    // any prefix (or none) bound to the right URI is.
    let wrong = r#"<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:Assertion"/>"#;
    let doc = Document::parse(wrong.as_bytes()).unwrap();
    assert!(!doc.is_named(doc.root(), SAML_ASSERTION_NS, "Assertion"));
    let other = r#"<x:Assertion xmlns:x="urn:oasis:names:tc:SAML:2.0:assertion"><Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion"/></x:Assertion>"#;
    let doc = Document::parse(other.as_bytes()).unwrap();
    assert!(doc.is_named(doc.root(), SAML_ASSERTION_NS, "Assertion"));
    assert!(doc
        .first_child_named(doc.root(), SAML_ASSERTION_NS, "Issuer")
        .is_some());
}

#[test]
fn id_lookup_counts_only_the_unqualified_id_attribute() {
    // SECURITY.md I4, REF6.
    let xml = r#"<r xmlns:x="urn:x"><a ID="_1"/><b x:ID="_1" Id="_1" id="_1" xml:id="_1"/><c ID="_2"/><d ID="_2"/></r>"#;
    let doc = Document::parse(xml.as_bytes()).unwrap();
    assert_eq!(doc.elements_with_id("_1").len(), 1);
    assert!(doc.element_by_id("_1").is_some());
    assert_eq!(doc.element_by_id("_2"), None);
    assert_eq!(doc.find_duplicate_id(), Some("_2"));
}

#[test]
fn refusals_carry_an_offset_and_a_human_message() {
    let e = Document::parse(b"<a>\n<b></c></a>").unwrap_err();
    assert_eq!(e.reason(), "mismatched-end-tag");
    assert!(e.to_string().starts_with("mismatched-end-tag: "), "{e}");
    let e = Document::parse(b"<a x:y='1'/>").unwrap_err();
    assert!(e.detail.contains("\"x\""), "{e}");
}

#[test]
fn truncated_or_corrupted_messages_never_panic() {
    // Every prefix of a signed message, and every single-byte corruption
    // with a few hostile bytes, either parses or is refused with a reason;
    // verification of what parses never panics either.
    use ssosim::saml::dsig::{find_signatures, verify_signature, VerifyOptions};
    let signed = fs::read(fixtures().join("saml/dsig/ours/okta-assertion.xml")).unwrap();
    let keys = crate::saml_support::pinned(&["idp-okta"]);
    let check = |bytes: &[u8]| {
        if let Ok(doc) = Document::parse(bytes) {
            for sig in find_signatures(&doc) {
                let _ = verify_signature(&doc, sig, &keys, &VerifyOptions::default());
            }
        }
    };
    for len in (0..signed.len()).step_by(3) {
        check(&signed[..len]);
    }
    let mut corrupted = signed.clone();
    for i in (0..signed.len()).step_by(29) {
        for b in [b'<', b'&', b'"', b'\r', 0x00, 0xC3, 0xFF] {
            corrupted[i] = b;
            check(&corrupted);
        }
        corrupted[i] = signed[i];
    }
}

#[test]
fn width_bombs_parse_and_canonicalise_in_linear_time() {
    // SECURITY.md X5: the most namespaces in scope the profile allows, then
    // as many sibling elements (each declaring one more) as fit in 1 MiB.
    use ssosim::saml::c14n::exc_c14n;
    let mut xml = String::from("<r");
    for i in 0..120 {
        xml.push_str(&format!(" xmlns:p{i}=\"urn:p{i}\""));
    }
    xml.push('>');
    let child = "<p7:e xmlns:z=\"urn:z\" p3:a=\"1\" z:b=\"2\">t&amp;</p7:e>";
    while xml.len() + child.len() + 4 < 1 << 20 {
        xml.push_str(child);
    }
    xml.push_str("</r>");
    let started = Instant::now();
    let doc = Document::parse(xml.as_bytes()).unwrap();
    let canonical = exc_c14n(&doc, doc.root(), None, &["p1".to_string(), "z".to_string()]);
    assert!(canonical.len() > 1 << 20);
    let elapsed = started.elapsed();
    assert!(elapsed.as_secs() < 10, "{elapsed:?}");
}

#[test]
fn every_mutant_libxml2_refuses_is_refused_too() {
    // fixtures/saml/xml/malformed/: seeded mutations of well-formed
    // documents that lxml (libxml2) refuses (interop/saml/gen_malformed.py).
    // The strict parser must never be more lenient than libxml2.
    let dir = fixtures().join("saml/xml/malformed");
    let names = xml_names(&dir);
    assert!(names.len() >= 300, "only {}", names.len());
    let accepted: Vec<_> = names
        .iter()
        .filter(|n| Document::parse(&fs::read(dir.join(format!("{n}.xml"))).unwrap()).is_ok())
        .collect();
    assert!(
        accepted.is_empty(),
        "accepted what libxml2 refuses: {accepted:?}"
    );
}
