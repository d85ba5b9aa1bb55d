//! Key material for XML-DSig: the pinned verification keys an SP trusts
//! for an IdP, and the signing key an IdP signs with.
//!
//! Keys are compared by their DER SubjectPublicKeyInfo, never by subject,
//! issuer or serial (SECURITY.md I6, KEY2). Weak RSA keys (under 2048
//! bits, or a public exponent below 65537 such as e=3, the Bleichenbacher
//! 2006 forgery class) are refused when loaded (KEY8). Only RSA is
//! supported: the allow-list has no other signature algorithm (I8).

use std::fmt;

use openssl::pkey::{PKey, Private, Public};
use openssl::x509::X509;

use super::dsig::Hash;

/// Why key material was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyErrorKind {
    /// Not parseable as PEM/DER of the expected kind.
    InvalidKey,
    /// Not an RSA key.
    UnsupportedKey,
    /// RSA modulus under 2048 bits or public exponent under 65537.
    WeakKey,
    /// The private key does not belong to the certificate.
    KeyCertMismatch,
}

impl KeyErrorKind {
    pub fn reason(self) -> &'static str {
        match self {
            KeyErrorKind::InvalidKey => "invalid-key",
            KeyErrorKind::UnsupportedKey => "unsupported-key",
            KeyErrorKind::WeakKey => "weak-key",
            KeyErrorKind::KeyCertMismatch => "key-cert-mismatch",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyError {
    pub kind: KeyErrorKind,
    pub detail: String,
}

impl KeyError {
    fn new(kind: KeyErrorKind, detail: impl Into<String>) -> KeyError {
        KeyError {
            kind,
            detail: detail.into(),
        }
    }

    pub fn reason(&self) -> &'static str {
        self.kind.reason()
    }
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.reason(), self.detail)
    }
}

impl std::error::Error for KeyError {}

/// Smallest RSA modulus accepted, in bits.
pub const RSA_BITS_MIN: u32 = 2048;

/// Refuses anything but an RSA key of at least 2048 bits with e ≥ 65537.
fn check_rsa<T: openssl::pkey::HasPublic>(pkey: &PKey<T>) -> Result<(), KeyError> {
    let rsa = pkey
        .rsa()
        .map_err(|_| KeyError::new(KeyErrorKind::UnsupportedKey, "only RSA keys are supported"))?;
    let bits = rsa.n().num_bits();
    if bits < RSA_BITS_MIN as i32 {
        return Err(KeyError::new(
            KeyErrorKind::WeakKey,
            format!("RSA key of {bits} bits; at least {RSA_BITS_MIN} are required"),
        ));
    }
    let e = rsa.e();
    let e_small = e.num_bits() < 17 || !e.is_bit_set(0);
    if e_small {
        return Err(KeyError::new(
            KeyErrorKind::WeakKey,
            format!("RSA public exponent {e} is below 65537 or even"),
        ));
    }
    Ok(())
}

fn spki_der<T: openssl::pkey::HasPublic>(pkey: &PKey<T>) -> Result<Vec<u8>, KeyError> {
    pkey.public_key_to_der()
        .map_err(|e| KeyError::new(KeyErrorKind::InvalidKey, e.to_string()))
}

/// One pinned verification key.
#[derive(Clone)]
pub struct TrustedKey {
    /// A name for transcripts ("okta signing cert").
    pub label: String,
    spki_der: Vec<u8>,
    /// The certificate the key was pinned from, if any: a KeyInfo
    /// certificate with exactly these bytes names this key without being
    /// parsed (SECURITY.md I6: compare by SPKI or full DER).
    cert_der: Option<Vec<u8>>,
    pkey: PKey<Public>,
}

impl fmt::Debug for TrustedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrustedKey")
            .field("label", &self.label)
            .finish()
    }
}

impl TrustedKey {
    /// Pins the public key of a PEM certificate. Only the key is kept:
    /// validity dates and names play no part in verification.
    pub fn from_cert_pem(label: &str, pem: &[u8]) -> Result<TrustedKey, KeyError> {
        let cert = X509::from_pem(pem)
            .map_err(|e| KeyError::new(KeyErrorKind::InvalidKey, e.to_string()))?;
        let der = cert
            .to_der()
            .map_err(|e| KeyError::new(KeyErrorKind::InvalidKey, e.to_string()))?;
        let mut key = TrustedKey::from_x509(label, &cert)?;
        key.cert_der = Some(der);
        Ok(key)
    }

    /// Pins the public key of a DER certificate.
    pub fn from_cert_der(label: &str, der: &[u8]) -> Result<TrustedKey, KeyError> {
        let cert = X509::from_der(der)
            .map_err(|e| KeyError::new(KeyErrorKind::InvalidKey, e.to_string()))?;
        let mut key = TrustedKey::from_x509(label, &cert)?;
        key.cert_der = Some(der.to_vec());
        Ok(key)
    }

    /// Pins a PEM `PUBLIC KEY` (SubjectPublicKeyInfo).
    pub fn from_public_key_pem(label: &str, pem: &[u8]) -> Result<TrustedKey, KeyError> {
        let pkey = PKey::public_key_from_pem(pem)
            .map_err(|e| KeyError::new(KeyErrorKind::InvalidKey, e.to_string()))?;
        TrustedKey::from_pkey(label, pkey)
    }

    fn from_x509(label: &str, cert: &X509) -> Result<TrustedKey, KeyError> {
        let pkey = cert
            .public_key()
            .map_err(|e| KeyError::new(KeyErrorKind::InvalidKey, e.to_string()))?;
        TrustedKey::from_pkey(label, pkey)
    }

    fn from_pkey(label: &str, pkey: PKey<Public>) -> Result<TrustedKey, KeyError> {
        check_rsa(&pkey)?;
        Ok(TrustedKey {
            label: label.to_string(),
            spki_der: spki_der(&pkey)?,
            cert_der: None,
            pkey,
        })
    }

    /// The DER SubjectPublicKeyInfo this key is compared by.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// Whether `signature` is an RSA PKCS#1 v1.5 signature over `data`
    /// under this key.
    pub(crate) fn verifies(&self, hash: Hash, data: &[u8], signature: &[u8]) -> bool {
        super::rsa::verify(&self.pkey, &self.spki_der, hash, data, signature)
    }
}

/// The set of keys a verifier trusts (for one IdP). Empty means nothing
/// verifies: a missing configuration fails closed (SECURITY.md SIG6).
#[derive(Clone, Debug, Default)]
pub struct TrustedKeys {
    keys: Vec<TrustedKey>,
}

impl TrustedKeys {
    pub fn new(keys: Vec<TrustedKey>) -> TrustedKeys {
        TrustedKeys { keys }
    }

    pub fn push(&mut self, key: TrustedKey) {
        self.keys.push(key);
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &TrustedKey> {
        self.keys.iter()
    }

    /// The pinned key whose certificate has exactly these DER bytes: the
    /// common case of an IdP that embeds its own certificate, answered
    /// without parsing it.
    pub fn find_by_cert_der(&self, cert_der: &[u8]) -> Option<&TrustedKey> {
        self.keys
            .iter()
            .find(|k| k.cert_der.as_deref() == Some(cert_der))
    }

    /// The pinned key with exactly this SubjectPublicKeyInfo.
    pub fn find_by_spki(&self, spki_der: &[u8]) -> Option<&TrustedKey> {
        self.keys.iter().find(|k| k.spki_der == spki_der)
    }
}

/// A private RSA key and the certificate that goes into `ds:KeyInfo`.
#[derive(Clone)]
pub struct SigningKey {
    pkey: PKey<Private>,
    cert_der: Vec<u8>,
    /// `cert_der` in base64, as every signature's KeyInfo carries it.
    cert_base64: String,
    /// The public half, pinned once at load for the signer's self-check.
    trusted: TrustedKey,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey").finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Loads a PEM private key (PKCS#8 or PKCS#1) and its PEM certificate,
    /// refusing weak keys and a certificate for another key.
    pub fn from_pem(key_pem: &[u8], cert_pem: &[u8]) -> Result<SigningKey, KeyError> {
        let pkey = PKey::private_key_from_pem(key_pem)
            .map_err(|e| KeyError::new(KeyErrorKind::InvalidKey, e.to_string()))?;
        check_rsa(&pkey)?;
        let cert = X509::from_pem(cert_pem)
            .map_err(|e| KeyError::new(KeyErrorKind::InvalidKey, e.to_string()))?;
        let cert_key = cert
            .public_key()
            .map_err(|e| KeyError::new(KeyErrorKind::InvalidKey, e.to_string()))?;
        if spki_der(&cert_key)? != spki_der(&pkey)? {
            return Err(KeyError::new(
                KeyErrorKind::KeyCertMismatch,
                "the certificate carries another public key",
            ));
        }
        let cert_der = cert
            .to_der()
            .map_err(|e| KeyError::new(KeyErrorKind::InvalidKey, e.to_string()))?;
        let trusted = TrustedKey::from_cert_der("signer", &cert_der)?;
        Ok(SigningKey {
            pkey,
            cert_base64: crate::saml::b64::encode(&cert_der),
            cert_der,
            trusted,
        })
    }

    /// The DER certificate embedded in `ds:KeyInfo/ds:X509Data`.
    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// The certificate's DER in standard base64.
    pub fn cert_base64(&self) -> &str {
        &self.cert_base64
    }

    /// This key's public half, pinned, e.g. for a self-check.
    pub fn trusted(&self, label: &str) -> Result<TrustedKey, KeyError> {
        let mut key = self.trusted.clone();
        key.label = label.to_string();
        Ok(key)
    }

    pub(crate) fn pkey(&self) -> &PKey<Private> {
        &self.pkey
    }

    /// An RSA PKCS#1 v1.5 signature over `data`.
    pub(crate) fn sign(
        &self,
        hash: Hash,
        data: &[u8],
    ) -> Result<Vec<u8>, openssl::error::ErrorStack> {
        super::rsa::sign(&self.pkey, self.trusted.spki_der(), hash, data)
    }
}
