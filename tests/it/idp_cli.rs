//! `ssosim idp serve`: the committed example SP metadata is current, a bad
//! users file exits 2 with a diagnostic pointing at the line, and a real
//! run prints its one line and serves metadata on 127.0.0.1.

use std::io::{BufRead, BufReader, Read as _, Write as _};
use std::process::{Command, Stdio};

use crate::idp_support::sp_metadata_xml;
use crate::saml_support::fixtures;

#[test]
fn example_sp_metadata_fixture_is_current() {
    let path = fixtures().join("idp/sp-metadata.xml");
    if std::env::var_os("SSOSIM_WRITE_FIXTURES").is_some() {
        std::fs::write(&path, sp_metadata_xml()).unwrap();
    }
    let stored = std::fs::read_to_string(&path).expect("rerun with SSOSIM_WRITE_FIXTURES=1");
    assert_eq!(stored, sp_metadata_xml());
}

#[test]
fn idp_serve_with_a_bad_users_file_exits_2_and_points_at_the_line() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new(env!("CARGO_BIN_EXE_ssosim"))
        .current_dir(root)
        .args([
            "idp",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--sp-metadata",
            "fixtures/idp/sp-metadata.xml",
            "--users",
            "fixtures/idp/err/unknown-key.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--> fixtures/idp/err/unknown-key.yaml:3:29"),
        "{err}"
    );
    assert!(err.contains("did you mean `groups`?"), "{err}");
}

#[test]
fn idp_serve_refuses_to_listen_beyond_loopback() {
    let out = Command::new(env!("CARGO_BIN_EXE_ssosim"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "idp",
            "serve",
            "--listen",
            "0.0.0.0:0",
            "--sp-metadata",
            "fixtures/idp/sp-metadata.xml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("loopback only"));
}

#[test]
fn idp_serve_prints_its_address_and_serves_metadata() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ssosim"))
        .current_dir(root)
        .args([
            "idp",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--sp-metadata",
            "fixtures/idp/sp-metadata.xml",
            "--vendor",
            "okta",
            "--auto-login",
            "ada@acme.test",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .strip_prefix("idp listening on http://")
        .and_then(|r| r.split_once(' '))
        .map(|(a, _)| a.to_string())
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    assert!(line
        .trim_end()
        .ends_with(&format!("(metadata: http://{addr}/metadata)")));
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "GET /metadata HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    // This process was started here; end it by its handle.
    child.kill().unwrap();
    let _ = child.wait();
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(
        resp.contains("entityID=\"http://www.okta.com/exk"),
        "{resp}"
    );
}
