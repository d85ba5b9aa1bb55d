//! SAML 2.0 protocol module: the strict XML profile, exclusive
//! canonicalisation, XML-DSig enveloped signatures, and on top of them the
//! protocol: Responses and AuthnRequests (`response`, `request`), the
//! POST and Redirect bindings (`binding`), metadata (`metadata`), the SP's
//! validation (`validate`, `replay`) and every refusal name (`reason`).
//!
//! This module knows nothing of orgs, scenarios or the world: bytes, keys
//! and `now` go in, trees, signatures and named refusals come out.
//!
//! Architecture Invariant: there is exactly one XML parser ([`xml::Document::parse`]).
//! Signature verification and value extraction read the same tree; nothing
//! re-parses a verified message (SECURITY.md I1, I2).

pub(crate) mod b64;
pub mod binding;
pub mod c14n;
mod deflate;
pub mod dsig;
pub mod escape;
pub(crate) mod inflate;
pub mod instant;
pub mod keys;
pub mod metadata;
pub mod reason;
pub mod replay;
pub mod request;
pub mod response;
mod rsa;
pub mod summary;
pub mod validate;
pub mod xml;

pub use binding::{
    decode_post_form, decode_redirect, post_form_html, redirect_url, PostMessage, RedirectMessage,
};
pub use metadata::{
    parse_idp_metadata, parse_sp_metadata, write_idp_metadata, write_sp_metadata, AcsEndpoint,
    IdpMetadata, SpMetadata,
};
pub use reason::{advice, explain, Reason, Rejection, SamlError};
pub use replay::ReplayCache;
pub use request::{
    build_authn_request, check_authn_request, parse_authn_request, resolve_acs,
    verify_post_authn_request, AuthnRequest, AuthnRequestParams,
};
pub use response::{
    build_response, build_status_response, BuiltResponse, BuiltStatusResponse, Grant, IdStyle,
    NsStyle, ResponseParams, ResponseShape, SignWhat, Status,
};
pub use summary::{summarize, AssertionSummary, MessageSummary};
pub use validate::{validate_response, InResponseToCheck, Login, Pending, SpConfig};

/// SAML 2.0 assertion namespace (SAML Core 2.2).
pub const SAML_ASSERTION_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
/// SAML 2.0 protocol namespace (SAML Core 3.1).
pub const SAML_PROTOCOL_NS: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
/// SAML 2.0 metadata namespace (SAML Metadata 2.1).
pub const SAML_METADATA_NS: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
