//! Shared helpers for the SAML tests: fixture paths and the test PKI.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use ssosim::saml::keys::{SigningKey, TrustedKey, TrustedKeys};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

pub fn pki(file: &str) -> Vec<u8> {
    fs::read(fixtures().join("pki").join(file))
        .unwrap_or_else(|e| panic!("fixtures/pki/{file}: {e}"))
}

/// The signing key `NAME.key.pem` with the certificate `cert` (usually
/// `NAME.crt.pem`).
pub fn signing_key(name: &str, cert: &str) -> SigningKey {
    SigningKey::from_pem(&pki(&format!("{name}.key.pem")), &pki(cert)).unwrap()
}

/// A pinned set holding the certificates `names` (`NAME.crt.pem`).
pub fn pinned(names: &[&str]) -> TrustedKeys {
    TrustedKeys::new(
        names
            .iter()
            .map(|n| TrustedKey::from_cert_pem(n, &pki(&format!("{n}.crt.pem"))).unwrap())
            .collect(),
    )
}

/// `key: value` lines of a `.args` file (see interop/saml/gen_c14n.py).
pub fn read_args(path: &Path) -> BTreeMap<String, String> {
    let mut args = BTreeMap::new();
    if let Ok(text) = fs::read_to_string(path) {
        for line in text.lines() {
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let (k, v) = line.split_once(':').expect("key: value");
            args.insert(k.trim().to_string(), v.trim_matches(' ').to_string());
        }
    }
    args
}

/// Names of the `*.xml` files in `dir`, sorted, without the extension.
pub fn xml_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".xml").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}
