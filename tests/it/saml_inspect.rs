//! `ssosim saml inspect`, file-driven: each `tests/data/inspect/NAME.args`
//! holds the command line (one argument per line, paths relative to that
//! folder), and `NAME.out` the expected standard output, standard error and
//! exit code (0 accepted, 1 refused, 2 unusable input).
//!
//! The generated inputs (signed responses, encodings of them, the IdP
//! metadata) are rebuilt here from the committed PKI on a fixed clock and
//! seed, and must equal the committed files: `SSOSIM_WRITE_FIXTURES=1`
//! rewrites them, `SSOSIM_BLESS=1` rewrites the `.out` files.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;

use ssosim::saml::binding::redirect_url;
use ssosim::saml::metadata::{write_idp_metadata, IdpMetadata};
use ssosim::saml::request::{build_authn_request, AuthnRequestParams};
use ssosim::saml::response::{build_response, Grant, ResponseParams, ResponseShape};
use ssosim::sim::{Rng, DEFAULT_EPOCH};

use crate::saml_support::{pki, signing_key};

const IDP: &str = "https://idp.test/saml/metadata";
const ENTITY: &str = "https://sp.test/saml/metadata";
const ACS: &str = "https://sp.test/saml/acs";

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/inspect")
}

fn signed_response(seed: u64, in_response_to: Option<&str>) -> String {
    build_response(
        &ResponseShape::generic(IDP),
        &ResponseParams {
            destination: ACS.into(),
            audience: ENTITY.into(),
            in_response_to: in_response_to.map(str::to_string),
        },
        &Grant {
            name_id: "alice@acme.test".into(),
            attributes: vec![
                ("email".into(), vec!["alice@acme.test".into()]),
                ("groups".into(), vec!["eng".into(), "ops".into()]),
            ],
            session_index: None,
        },
        DEFAULT_EPOCH,
        &mut Rng::new(seed),
        &signing_key("idp-generic", "idp-generic.crt.pem"),
    )
    .unwrap()
    .xml
}

fn wrap76(s: &str) -> String {
    s.as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Every generated input, by file name.
fn generated() -> Vec<(&'static str, String)> {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let cert = openssl::x509::X509::from_pem(&pki("idp-generic.crt.pem")).unwrap();
    let metadata = write_idp_metadata(&IdpMetadata {
        entity_id: IDP.into(),
        sso_redirect: Some("https://idp.test/sso".into()),
        sso_post: None,
        signing_certs_der: vec![cert.to_der().unwrap()],
        want_authn_requests_signed: false,
        name_id_formats: vec![],
    });
    let signed = signed_response(1, Some("_req1"));
    let tampered = signed.replacen(
        "<saml:NameID Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\">alice@acme.test",
        "<saml:NameID Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\">admin@acme.test",
        1,
    );
    assert_ne!(tampered, signed, "the NameID to tamper with was not found");
    let doctype = format!(
        "<!DOCTYPE r [<!ENTITY x \"y\">]>{}",
        signed_response(2, None)
    );
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("SAMLResponse", &b64(&signed_response(3, None)))
        .append_pair("RelayState", "/home")
        .finish();
    let (_, authn) = build_authn_request(
        &AuthnRequestParams {
            issuer: ENTITY.into(),
            acs_url: ACS.into(),
            destination: "https://idp.test/sso".into(),
            force_authn: false,
            name_id_policy: None,
        },
        DEFAULT_EPOCH,
        &mut Rng::new(4),
    );
    let url = redirect_url(
        "https://idp.test/sso",
        "SAMLRequest",
        &authn,
        Some("/after"),
        None,
    );
    vec![
        ("idp-metadata.xml", metadata),
        ("signed.xml", signed.clone()),
        ("signed.b64", wrap76(&b64(&signed))),
        ("tampered.xml", tampered),
        ("doctype.xml", doctype),
        ("form-body.txt", form + "\n"),
        ("authn-request-url.txt", url + "\n"),
        ("not-saml.xml", "<html><body>hello</body></html>\n".into()),
        (
            "garbage.txt",
            "hello world, this is no SAML message!\n".into(),
        ),
    ]
}

#[test]
fn generated_inputs_are_reproducible() {
    let write = std::env::var_os("SSOSIM_WRITE_FIXTURES").is_some();
    for (name, content) in generated() {
        let path = dir().join(name);
        if write {
            fs::create_dir_all(dir()).unwrap();
            fs::write(&path, &content).unwrap();
            continue;
        }
        let committed = fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (SSOSIM_WRITE_FIXTURES=1 writes it)",
                path.display()
            )
        });
        assert_eq!(
            committed, content,
            "{name} differs from what the generator builds"
        );
    }
}

#[test]
fn inspect_cases() {
    let bless = std::env::var_os("SSOSIM_BLESS").is_some();
    let mut names: Vec<String> = fs::read_dir(dir())
        .unwrap()
        .filter_map(|e| {
            let n = e.unwrap().file_name().into_string().unwrap();
            n.strip_suffix(".args").map(str::to_string)
        })
        .collect();
    names.sort();
    assert!(names.len() >= 10, "{names:?}");
    let mut failures = vec![];
    for name in &names {
        let args_text = fs::read_to_string(dir().join(format!("{name}.args"))).unwrap();
        let args: Vec<&str> = args_text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .collect();
        let out = Command::new(env!("CARGO_BIN_EXE_ssosim"))
            .args(&args)
            .current_dir(dir())
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let mut got = String::from_utf8_lossy(&out.stdout).into_owned();
        let err = String::from_utf8_lossy(&out.stderr);
        if !err.is_empty() {
            got.push_str("--- stderr\n");
            got.push_str(&err);
        }
        got.push_str(&format!("--- exit {}\n", out.status.code().unwrap_or(-1)));
        let path = dir().join(format!("{name}.out"));
        if bless {
            fs::File::create(&path)
                .unwrap()
                .write_all(got.as_bytes())
                .unwrap();
            continue;
        }
        let want = fs::read_to_string(&path).unwrap_or_default();
        if want != got {
            failures.push(format!(
                "{name}.out differs (SSOSIM_BLESS=1 rewrites it); got:\n{got}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Exit codes by case, so that a bless cannot silently flip a verdict.
#[test]
fn exit_codes_are_pinned() {
    let expect = [
        ("accepted-post-base64", 0),
        ("accepted-assumed", 0),
        ("accepted-json", 0),
        ("form-body", 0),
        ("authn-request-url", 0),
        ("stdin-empty", 2),
        ("no-metadata", 1),
        ("wrong-audience", 1),
        ("expired", 1),
        ("tampered", 1),
        ("doctype", 1),
        ("not-saml", 2),
        ("garbage", 2),
        ("bad-now", 2),
    ];
    for (name, code) in expect {
        let out = fs::read_to_string(dir().join(format!("{name}.out")))
            .unwrap_or_else(|e| panic!("{name}.out: {e}"));
        assert!(
            out.ends_with(&format!("--- exit {code}\n")),
            "{name}: expected exit {code}:\n{out}"
        );
    }
}
