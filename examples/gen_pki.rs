//! Generates the committed test PKI in `fixtures/pki/` (see its README).
//!
//! `cargo run --example gen_pki` rewrites every certificate. Keys are read
//! back when their file exists and only generated when missing, so a rerun
//! is byte-for-byte idempotent: certificates are deterministic given the
//! keys (fixed subjects, serials and validity 2025-01-01 → 2045-01-01, and
//! RSA PKCS#1 v1.5 signatures). Generating a *new* key draws on OpenSSL's
//! RNG; that happens only here, never in the simulator, and the result is
//! committed. Delete a key file to roll it.
//!
//! rcgen is used without its ring/aws-lc backends: [`OpensslRsa`]
//! implements rcgen's `SigningKey` over an OpenSSL RSA key.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::sign::Signer;
use rcgen::{
    CertificateParams, DistinguishedName, DnType, KeyIdMethod, KeyUsagePurpose, PublicKeyData,
    SerialNumber, SignatureAlgorithm, SigningKey,
};
use time::macros::datetime;

/// rcgen signing over an OpenSSL RSA key (RSASSA-PKCS1-v1_5 with SHA-256).
struct OpensslRsa {
    pkey: PKey<Private>,
    /// RSAPublicKey (PKCS#1) DER: the subjectPublicKey bits of the SPKI.
    public_pkcs1: Vec<u8>,
}

impl OpensslRsa {
    fn new(pkey: PKey<Private>) -> Result<OpensslRsa> {
        let public_pkcs1 = pkey.rsa()?.public_key_to_der_pkcs1()?;
        Ok(OpensslRsa { pkey, public_pkcs1 })
    }

    /// RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits.
    fn key_id(&self) -> Result<Vec<u8>> {
        Ok(openssl::hash::hash(MessageDigest::sha1(), &self.public_pkcs1)?.to_vec())
    }
}

impl PublicKeyData for OpensslRsa {
    fn der_bytes(&self) -> &[u8] {
        &self.public_pkcs1
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        &rcgen::PKCS_RSA_SHA256
    }
}

impl SigningKey for OpensslRsa {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        let mut signer = Signer::new(MessageDigest::sha256(), &self.pkey)
            .map_err(|_| rcgen::Error::RemoteKeyError)?;
        signer
            .sign_oneshot_to_vec(msg)
            .map_err(|_| rcgen::Error::RemoteKeyError)
    }
}

/// Reads `NAME.key.pem`, or generates and writes it.
fn key(dir: &Path, name: &str, bits: u32, e: u32) -> Result<OpensslRsa> {
    let path = dir.join(format!("{name}.key.pem"));
    let pkey = if path.exists() {
        PKey::private_key_from_pem(&fs::read(&path)?)
            .with_context(|| format!("reading {}", path.display()))?
    } else {
        let e = openssl::bn::BigNum::from_u32(e)?;
        let pkey = PKey::from_rsa(Rsa::generate_with_e(bits, &e)?)?;
        fs::write(&path, pkey.private_key_to_pem_pkcs8()?)?;
        println!("generated {}", path.display());
        pkey
    };
    OpensslRsa::new(pkey)
}

/// Deterministic certificate parameters for `name`.
fn params(name: &str, subject: &[(DnType, &str)], key: &OpensslRsa) -> Result<CertificateParams> {
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    for (t, v) in subject {
        dn.push(t.clone(), *v);
    }
    p.distinguished_name = dn;
    p.not_before = datetime!(2025-01-01 00:00:00 UTC);
    p.not_after = datetime!(2045-01-01 00:00:00 UTC);
    // Serial: the first 16 bytes of SHA-256(name), high bit cleared so the
    // DER INTEGER stays positive.
    let mut serial = openssl::hash::hash(MessageDigest::sha256(), name.as_bytes())?[..16].to_vec();
    serial[0] &= 0x7f;
    p.serial_number = Some(SerialNumber::from_slice(&serial));
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.key_identifier_method = KeyIdMethod::PreSpecified(key.key_id()?);
    Ok(p)
}

fn write_cert(dir: &Path, file: &str, params: &CertificateParams, key: &OpensslRsa) -> Result<()> {
    let cert = params.self_signed(key)?;
    let path = dir.join(file);
    fs::write(&path, cert.pem())?;
    println!("wrote {}", path.display());
    Ok(())
}

fn main() -> Result<()> {
    let dir: PathBuf = [env!("CARGO_MANIFEST_DIR"), "fixtures", "pki"]
        .iter()
        .collect();
    fs::create_dir_all(&dir)?;
    use DnType::*;

    let idps: [(&str, Vec<(DnType, &str)>); 4] = [
        (
            "idp-generic",
            vec![
                (OrganizationName, "ssosim test PKI"),
                (CommonName, "generic.idp.test"),
            ],
        ),
        (
            "idp-okta",
            vec![
                (CountryName, "US"),
                (StateOrProvinceName, "California"),
                (LocalityName, "San Francisco"),
                (OrganizationName, "Okta"),
                (OrganizationalUnitName, "SSOProvider"),
                (CommonName, "acme-ssosim"),
            ],
        ),
        (
            "idp-entra",
            vec![(CommonName, "Microsoft Azure Federated SSO Certificate")],
        ),
        (
            "idp-google",
            vec![
                (CountryName, "US"),
                (StateOrProvinceName, "California"),
                (LocalityName, "Mountain View"),
                (OrganizationName, "Google Inc."),
                (OrganizationalUnitName, "Google For Work"),
                (CommonName, "Google"),
            ],
        ),
    ];
    let mut okta_params = None;
    for (name, subject) in &idps {
        let k = key(&dir, name, 2048, 65537)?;
        let p = params(name, subject, &k)?;
        write_cert(&dir, &format!("{name}.crt.pem"), &p, &k)?;
        if *name == "idp-okta" {
            okta_params = Some(p);
        }
    }

    let attacker = key(&dir, "attacker", 2048, 65537)?;
    let p = params(
        "attacker",
        &[
            (OrganizationName, "ssosim test PKI"),
            (CommonName, "attacker.test"),
        ],
        &attacker,
    )?;
    write_cert(&dir, "attacker.crt.pem", &p, &attacker)?;

    // SECURITY.md KEY2: every field of the Okta certificate (subject,
    // issuer, serial, validity, extensions including the key identifier)
    // with the attacker's key.
    let okta_params = okta_params.context("okta parameters")?;
    write_cert(&dir, "okta-clone.crt.pem", &okta_params, &attacker)?;

    let sp = key(&dir, "sp", 2048, 65537)?;
    let p = params(
        "sp",
        &[
            (OrganizationName, "ssosim test PKI"),
            (CommonName, "sp.ssosim.test"),
        ],
        &sp,
    )?;
    write_cert(&dir, "sp.crt.pem", &p, &sp)?;

    // SECURITY.md KEY8: refused at load.
    let weak = key(&dir, "weak-1024", 1024, 65537)?;
    let p = params(
        "weak-1024",
        &[
            (OrganizationName, "ssosim test PKI"),
            (CommonName, "weak-1024.test"),
        ],
        &weak,
    )?;
    write_cert(&dir, "weak-1024.crt.pem", &p, &weak)?;
    // Not RSA: refused at load (`unsupported-key`; the allow-list is RSA only).
    let ec_path = dir.join("ec-p256.key.pem");
    let ec = if ec_path.exists() {
        PKey::private_key_from_pem(&fs::read(&ec_path)?)?
    } else {
        let group = openssl::ec::EcGroup::from_curve_name(openssl::nid::Nid::X9_62_PRIME256V1)?;
        let pkey = PKey::from_ec_key(openssl::ec::EcKey::generate(&group)?)?;
        fs::write(&ec_path, pkey.private_key_to_pem_pkcs8()?)?;
        println!("generated {}", ec_path.display());
        pkey
    };
    fs::write(dir.join("ec-p256.pub.pem"), ec.public_key_to_pem()?)?;
    println!("wrote {}", dir.join("ec-p256.pub.pem").display());

    let e3 = key(&dir, "weak-e3", 2048, 3)?;
    let p = params(
        "weak-e3",
        &[
            (OrganizationName, "ssosim test PKI"),
            (CommonName, "weak-e3.test"),
        ],
        &e3,
    )?;
    write_cert(&dir, "weak-e3.crt.pem", &p, &e3)?;
    Ok(())
}
