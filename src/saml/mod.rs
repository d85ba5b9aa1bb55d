//! SAML 2.0 protocol module: the strict XML profile, exclusive
//! canonicalisation and XML-DSig enveloped signatures.
//!
//! This module knows nothing of orgs, scenarios or the world: bytes, keys
//! and `now` go in, trees, signatures and named refusals come out.
//!
//! Architecture Invariant: there is exactly one XML parser ([`xml::Document::parse`]).
//! Signature verification and value extraction read the same tree; nothing
//! re-parses a verified message (SECURITY.md I1, I2).

pub mod c14n;
pub mod dsig;
pub mod keys;
pub mod xml;

/// SAML 2.0 assertion namespace (SAML Core 2.2).
pub const SAML_ASSERTION_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
/// SAML 2.0 protocol namespace (SAML Core 3.1).
pub const SAML_PROTOCOL_NS: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
/// SAML 2.0 metadata namespace (SAML Metadata 2.1).
pub const SAML_METADATA_NS: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
