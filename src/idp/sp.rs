//! An SP as this IdP knows it: its metadata (entity id, ACS endpoints,
//! request-signing certificates), pinned keys, and a name for pages.
//!
//! Only HTTP-POST ACS endpoints count: the IdP answers over POST only
//! (a Response carrying an Assertion must not use Redirect, SECURITY.md
//! B7), so an endpoint with another binding is never chosen.

use crate::saml::keys::TrustedKeys;
use crate::saml::metadata::{parse_sp_metadata, SpMetadata};
use crate::saml::reason::SamlError;
use crate::saml::request::BINDING_POST;

/// One registered SP.
#[derive(Clone, Debug)]
pub struct SpConfig {
    pub entity_id: String,
    /// Shown on the sign-in page ("to continue to …").
    pub name: Option<String>,
    pub metadata: SpMetadata,
    /// The SP's AuthnRequest-signing certificates, pinned.
    pub signing_keys: TrustedKeys,
    /// The SP's metadata says `AuthnRequestsSigned="true"`.
    pub authn_requests_signed: bool,
}

impl SpConfig {
    pub fn from_metadata(metadata: SpMetadata) -> Result<SpConfig, SamlError> {
        Ok(SpConfig {
            entity_id: metadata.entity_id.clone(),
            name: None,
            signing_keys: metadata.trusted_keys()?,
            authn_requests_signed: metadata.authn_requests_signed,
            metadata,
        })
    }

    /// Parses SP metadata XML.
    pub fn from_metadata_xml(xml: &[u8]) -> Result<SpConfig, SamlError> {
        SpConfig::from_metadata(parse_sp_metadata(xml)?)
    }

    pub fn with_name(mut self, name: &str) -> SpConfig {
        self.name = Some(name.to_string());
        self
    }

    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.entity_id)
    }

    fn post_endpoints(&self) -> impl Iterator<Item = &crate::saml::metadata::AcsEndpoint> {
        self.metadata
            .acs
            .iter()
            .filter(|a| a.binding == BINDING_POST)
    }

    /// SAML Metadata 2.2.3 among the POST endpoints: the first with
    /// `isDefault="true"`, else the first.
    pub fn default_acs(&self) -> Option<&str> {
        self.post_endpoints()
            .find(|a| a.is_default)
            .or_else(|| self.post_endpoints().next())
            .map(|a| a.location.as_str())
    }

    /// The POST endpoint with this index.
    pub fn acs_by_index(&self, index: u32) -> Option<&str> {
        self.post_endpoints()
            .find(|a| a.index == index)
            .map(|a| a.location.as_str())
    }

    /// Exact comparison with every POST endpoint (IDP1).
    pub fn has_acs(&self, url: &str) -> bool {
        self.post_endpoints().any(|a| a.location == url)
    }
}
