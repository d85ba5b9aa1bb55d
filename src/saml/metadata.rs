//! SAML Metadata (SAML Metadata 2.x): reading and writing the IdP and SP
//! descriptors that connect the two sides.
//!
//! Reading is strict about what it uses and tolerant of what it does not:
//! unknown roles (Entra's WS-Federation `RoleDescriptor`s), `Organization`,
//! `ContactPerson`, extensions and a metadata `ds:Signature` are skipped.
//! Metadata signatures are not verified: trust comes from how the file
//! reached the SP (uploaded by an admin or fetched over TLS from a URL the
//! admin typed), so a signature would add nothing we check. Signing
//! certificates are loaded at once and weak keys refused (SECURITY.md
//! KEY8): a connection never starts with a key it would refuse later.
//!
//! Metadata files are supplied by admins, not by peers mid-protocol, and
//! editors on Windows often save them with a UTF-8 byte-order mark: one
//! leading BOM is dropped before the strict parse (protocol messages still
//! refuse it, `bom-forbidden`).
//!
//! Both parsers accept an `EntityDescriptor` root, or an
//! `EntitiesDescriptor` holding exactly one descriptor with the wanted
//! role (or, with the `_for` variants, the one with a given entityID).

use crate::saml::dsig::DSIG_NS;
use crate::saml::escape::{check_xml_text, xml_attr, xml_text};
use crate::saml::keys::{TrustedKey, TrustedKeys};
use crate::saml::reason::SamlError;
use crate::saml::request::{xs_boolean, BINDING_POST, BINDING_REDIRECT};
use crate::saml::xml::{Document, NodeId};
use crate::saml::{SAML_METADATA_NS, SAML_PROTOCOL_NS};

/// An IdP as an SP sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdpMetadata {
    pub entity_id: String,
    /// SingleSignOnService Location for HTTP-Redirect.
    pub sso_redirect: Option<String>,
    /// SingleSignOnService Location for HTTP-POST.
    pub sso_post: Option<String>,
    /// DER certificates of signing keys, in document order (rotation
    /// publishes two).
    pub signing_certs_der: Vec<Vec<u8>>,
    pub want_authn_requests_signed: bool,
    /// NameIDFormat elements, in document order.
    pub name_id_formats: Vec<String>,
}

impl IdpMetadata {
    /// The signing certificates as pinned keys for an [`SpConfig`](crate::saml::validate::SpConfig).
    pub fn trusted_keys(&self) -> Result<TrustedKeys, SamlError> {
        keys_of(&self.entity_id, &self.signing_certs_der)
    }
}

/// One AssertionConsumerService endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcsEndpoint {
    pub index: u32,
    pub binding: String,
    pub location: String,
    pub is_default: bool,
}

/// An SP as an IdP sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpMetadata {
    pub entity_id: String,
    pub acs: Vec<AcsEndpoint>,
    pub authn_requests_signed: bool,
    pub want_assertions_signed: bool,
    pub signing_certs_der: Vec<Vec<u8>>,
    pub name_id_formats: Vec<String>,
}

impl SpMetadata {
    /// The SP's AuthnRequest-signing keys, pinned.
    pub fn trusted_keys(&self) -> Result<TrustedKeys, SamlError> {
        keys_of(&self.entity_id, &self.signing_certs_der)
    }

    /// SAML Metadata 2.2.3 default endpoint: the first with
    /// `isDefault="true"`, else the first without `isDefault="false"`
    /// (we record absent as false, so: else the first), else none.
    pub fn default_acs(&self) -> Option<&AcsEndpoint> {
        self.acs
            .iter()
            .find(|a| a.is_default)
            .or_else(|| self.acs.first())
    }

    /// The endpoint with `index`.
    pub fn acs_by_index(&self, index: u32) -> Option<&AcsEndpoint> {
        self.acs.iter().find(|a| a.index == index)
    }

    /// True when `url` is one of the registered ACS locations, compared
    /// exactly (SECURITY.md IDP1: never reflect an unregistered URL).
    pub fn has_acs_url(&self, url: &str) -> bool {
        self.acs.iter().any(|a| a.location == url)
    }
}

fn keys_of(entity: &str, certs: &[Vec<u8>]) -> Result<TrustedKeys, SamlError> {
    let mut keys = TrustedKeys::default();
    for (i, der) in certs.iter().enumerate() {
        keys.push(TrustedKey::from_cert_der(
            &format!("{entity} signing cert {}", i + 1),
            der,
        )?);
    }
    Ok(keys)
}

/// Drops one leading UTF-8 byte-order mark (see the module header).
fn strip_bom(xml: &[u8]) -> &[u8] {
    xml.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(xml)
}

fn meta(detail: impl Into<String>) -> SamlError {
    SamlError::Metadata(detail.into())
}

/// The EntityDescriptor to read: the root, or the one child of an
/// EntitiesDescriptor that has `role` (and `entity_id`, when given).
fn pick_entity(doc: &Document, role: &str, entity_id: Option<&str>) -> Result<NodeId, SamlError> {
    let root = doc.root();
    let has_role = |e: NodeId| doc.first_child_named(e, SAML_METADATA_NS, role).is_some();
    let wanted = |e: NodeId| entity_id.is_none_or(|id| doc.attribute(e, "entityID") == Some(id));
    if doc.is_named(root, SAML_METADATA_NS, "EntityDescriptor") {
        if !wanted(root) {
            return Err(meta(format!(
                "the EntityDescriptor is for {:?}, not {:?}",
                doc.attribute(root, "entityID").unwrap_or(""),
                entity_id.unwrap_or("")
            )));
        }
        return Ok(root);
    }
    if !doc.is_named(root, SAML_METADATA_NS, "EntitiesDescriptor") {
        return Err(meta(format!(
            "the root is {}, not md:EntityDescriptor or md:EntitiesDescriptor",
            doc.describe(root)
        )));
    }
    // Nested EntitiesDescriptors are walked too (SAML Metadata 2.3.1).
    let found: Vec<NodeId> = doc
        .descendants(root)
        .filter(|e| doc.is_named(*e, SAML_METADATA_NS, "EntityDescriptor"))
        .filter(|e| has_role(*e) && wanted(*e))
        .collect();
    match found.as_slice() {
        [one] => Ok(*one),
        [] => Err(meta(format!("no EntityDescriptor with an {role}"))),
        _ => Err(meta(format!(
            "{} EntityDescriptors have an {role}; name the entityID you want",
            found.len()
        ))),
    }
}

fn entity_id_of(doc: &Document, e: NodeId) -> Result<String, SamlError> {
    let id = doc
        .attribute(e, "entityID")
        .ok_or_else(|| meta("the EntityDescriptor has no entityID"))?;
    // SAML Metadata 2.3.2: entityID is an anyURI of at most 1024 characters.
    if id.is_empty() || id.len() > 1024 {
        return Err(meta(format!("entityID {id:?} is empty or too long")));
    }
    Ok(id.to_string())
}

/// The one role descriptor supporting SAML 2.0 (SAML Metadata 2.4.1:
/// protocolSupportEnumeration lists the protocol URI).
fn role_of(doc: &Document, e: NodeId, role: &str) -> Result<NodeId, SamlError> {
    doc.children_named(e, SAML_METADATA_NS, role)
        .find(|r| {
            doc.attribute(*r, "protocolSupportEnumeration")
                .is_some_and(|p| p.split_whitespace().any(|u| u == SAML_PROTOCOL_NS))
        })
        .ok_or_else(|| {
            meta(format!(
                "no {role} supporting SAML 2.0 ({SAML_PROTOCOL_NS})"
            ))
        })
}

fn flag(doc: &Document, el: NodeId, name: &str) -> Result<bool, SamlError> {
    match doc.attribute(el, name) {
        None => Ok(false),
        Some(v) => xs_boolean(v).ok_or_else(|| meta(format!("{name} {v:?} is not an xs:boolean"))),
    }
}

/// Certificates of KeyDescriptors whose `use` is `signing` or absent
/// (SAML Metadata 2.4.1.1: no `use` means both signing and encryption),
/// each checked as a pinnable key (KEY8).
fn signing_certs(doc: &Document, role: NodeId) -> Result<Vec<Vec<u8>>, SamlError> {
    let mut out = Vec::new();
    for kd in doc.children_named(role, SAML_METADATA_NS, "KeyDescriptor") {
        match doc.attribute(kd, "use") {
            None | Some("signing") => {}
            Some("encryption") => continue,
            Some(other) => {
                return Err(meta(format!(
                    "KeyDescriptor use {other:?} is neither signing nor encryption"
                )))
            }
        }
        for ki in doc.children_named(kd, DSIG_NS, "KeyInfo") {
            for xd in doc.children_named(ki, DSIG_NS, "X509Data") {
                for c in doc.children_named(xd, DSIG_NS, "X509Certificate") {
                    let text: String = doc
                        .text(c)
                        .chars()
                        .filter(|ch| !ch.is_ascii_whitespace())
                        .collect();
                    let der = crate::saml::b64::decode(text.as_bytes())
                        .map_err(|e| meta(format!("an X509Certificate is not base64 ({e})")))?;
                    TrustedKey::from_cert_der("metadata", &der)?;
                    out.push(der);
                }
            }
        }
    }
    Ok(out)
}

fn name_id_formats(doc: &Document, role: NodeId) -> Vec<String> {
    doc.children_named(role, SAML_METADATA_NS, "NameIDFormat")
        .map(|n| doc.text(n).trim().to_string())
        .collect()
}

/// Reads IdP metadata (see the module header).
pub fn parse_idp_metadata(xml: &[u8]) -> Result<IdpMetadata, SamlError> {
    parse_idp_metadata_for(xml, None)
}

/// Reads IdP metadata, picking `entity_id` out of an aggregate.
pub fn parse_idp_metadata_for(
    xml: &[u8],
    entity_id: Option<&str>,
) -> Result<IdpMetadata, SamlError> {
    let doc = Document::parse(strip_bom(xml))?;
    let e = pick_entity(&doc, "IDPSSODescriptor", entity_id)?;
    let entity_id = entity_id_of(&doc, e)?;
    let role = role_of(&doc, e, "IDPSSODescriptor")?;
    let mut sso_redirect = None;
    let mut sso_post = None;
    for s in doc.children_named(role, SAML_METADATA_NS, "SingleSignOnService") {
        let (Some(b), Some(l)) = (doc.attribute(s, "Binding"), doc.attribute(s, "Location")) else {
            return Err(meta("a SingleSignOnService lacks Binding or Location"));
        };
        match b {
            BINDING_REDIRECT => {
                sso_redirect.get_or_insert_with(|| l.to_string());
            }
            BINDING_POST => {
                sso_post.get_or_insert_with(|| l.to_string());
            }
            _ => {} // SOAP, Artifact, SimpleSign: not offered by our SP.
        }
    }
    let signing_certs_der = signing_certs(&doc, role)?;
    if signing_certs_der.is_empty() {
        return Err(meta(
            "the IDPSSODescriptor has no signing certificate, so nothing it sends could verify",
        ));
    }
    Ok(IdpMetadata {
        entity_id,
        sso_redirect,
        sso_post,
        signing_certs_der,
        want_authn_requests_signed: flag(&doc, role, "WantAuthnRequestsSigned")?,
        name_id_formats: name_id_formats(&doc, role),
    })
}

/// Reads SP metadata (see the module header).
pub fn parse_sp_metadata(xml: &[u8]) -> Result<SpMetadata, SamlError> {
    parse_sp_metadata_for(xml, None)
}

/// Reads SP metadata, picking `entity_id` out of an aggregate.
pub fn parse_sp_metadata_for(xml: &[u8], entity_id: Option<&str>) -> Result<SpMetadata, SamlError> {
    let doc = Document::parse(strip_bom(xml))?;
    let e = pick_entity(&doc, "SPSSODescriptor", entity_id)?;
    let entity_id = entity_id_of(&doc, e)?;
    let role = role_of(&doc, e, "SPSSODescriptor")?;
    let mut acs = Vec::new();
    for a in doc.children_named(role, SAML_METADATA_NS, "AssertionConsumerService") {
        let (Some(b), Some(l), Some(i)) = (
            doc.attribute(a, "Binding"),
            doc.attribute(a, "Location"),
            doc.attribute(a, "index"),
        ) else {
            return Err(meta(
                "an AssertionConsumerService lacks Binding, Location or index",
            ));
        };
        let index = i
            .parse::<u16>()
            .map_err(|_| meta(format!("ACS index {i:?} is not an unsignedShort")))?;
        if acs
            .iter()
            .any(|x: &AcsEndpoint| x.index == u32::from(index))
        {
            return Err(meta(format!(
                "two AssertionConsumerServices have index {index}"
            )));
        }
        acs.push(AcsEndpoint {
            index: u32::from(index),
            binding: b.to_string(),
            location: l.to_string(),
            is_default: flag(&doc, a, "isDefault")?,
        });
    }
    if acs.is_empty() {
        return Err(meta("the SPSSODescriptor has no AssertionConsumerService"));
    }
    Ok(SpMetadata {
        entity_id,
        acs,
        authn_requests_signed: flag(&doc, role, "AuthnRequestsSigned")?,
        want_assertions_signed: flag(&doc, role, "WantAssertionsSigned")?,
        signing_certs_der: signing_certs(&doc, role)?,
        name_id_formats: name_id_formats(&doc, role),
    })
}

fn key_descriptors(out: &mut String, certs: &[Vec<u8>]) {
    for der in certs {
        out.push_str(&format!(
            "    <md:KeyDescriptor use=\"signing\">\n      <ds:KeyInfo>\n        <ds:X509Data>\n          \
             <ds:X509Certificate>{}</ds:X509Certificate>\n        </ds:X509Data>\n      </ds:KeyInfo>\n    \
             </md:KeyDescriptor>\n",
            crate::saml::b64::encode(der)
        ));
    }
}

fn check_meta_text(fields: &[(&str, &str)]) -> Result<(), SamlError> {
    for (what, v) in fields {
        check_xml_text(what, v)?;
    }
    Ok(())
}

/// Writes IdP metadata that [`parse_idp_metadata`] reads back unchanged.
pub fn write_idp_metadata(m: &IdpMetadata) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <md:EntityDescriptor xmlns:md=\"{SAML_METADATA_NS}\" xmlns:ds=\"{DSIG_NS}\" entityID=\"{}\">\n  \
         <md:IDPSSODescriptor WantAuthnRequestsSigned=\"{}\" protocolSupportEnumeration=\"{SAML_PROTOCOL_NS}\">\n",
        xml_attr(&m.entity_id),
        m.want_authn_requests_signed
    );
    key_descriptors(&mut out, &m.signing_certs_der);
    for f in &m.name_id_formats {
        out.push_str(&format!(
            "    <md:NameIDFormat>{}</md:NameIDFormat>\n",
            xml_text(f)
        ));
    }
    if let Some(l) = &m.sso_redirect {
        out.push_str(&format!(
            "    <md:SingleSignOnService Binding=\"{BINDING_REDIRECT}\" Location=\"{}\"/>\n",
            xml_attr(l)
        ));
    }
    if let Some(l) = &m.sso_post {
        out.push_str(&format!(
            "    <md:SingleSignOnService Binding=\"{BINDING_POST}\" Location=\"{}\"/>\n",
            xml_attr(l)
        ));
    }
    out.push_str("  </md:IDPSSODescriptor>\n</md:EntityDescriptor>\n");
    out
}

/// Like [`write_idp_metadata`] but refuses text XML cannot carry.
pub fn try_write_idp_metadata(m: &IdpMetadata) -> Result<String, SamlError> {
    let mut fields = vec![("entity_id", m.entity_id.as_str())];
    fields.extend(m.sso_redirect.as_deref().map(|l| ("sso_redirect", l)));
    fields.extend(m.sso_post.as_deref().map(|l| ("sso_post", l)));
    fields.extend(
        m.name_id_formats
            .iter()
            .map(|f| ("name_id_format", f.as_str())),
    );
    check_meta_text(&fields)?;
    Ok(write_idp_metadata(m))
}

/// Writes SP metadata that [`parse_sp_metadata`] reads back unchanged.
pub fn write_sp_metadata(m: &SpMetadata) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <md:EntityDescriptor xmlns:md=\"{SAML_METADATA_NS}\" xmlns:ds=\"{DSIG_NS}\" entityID=\"{}\">\n  \
         <md:SPSSODescriptor AuthnRequestsSigned=\"{}\" WantAssertionsSigned=\"{}\" \
         protocolSupportEnumeration=\"{SAML_PROTOCOL_NS}\">\n",
        xml_attr(&m.entity_id),
        m.authn_requests_signed,
        m.want_assertions_signed
    );
    key_descriptors(&mut out, &m.signing_certs_der);
    for f in &m.name_id_formats {
        out.push_str(&format!(
            "    <md:NameIDFormat>{}</md:NameIDFormat>\n",
            xml_text(f)
        ));
    }
    for a in &m.acs {
        out.push_str(&format!(
            "    <md:AssertionConsumerService Binding=\"{}\" Location=\"{}\" index=\"{}\"{}/>\n",
            xml_attr(&a.binding),
            xml_attr(&a.location),
            a.index,
            if a.is_default {
                " isDefault=\"true\""
            } else {
                ""
            }
        ));
    }
    out.push_str("  </md:SPSSODescriptor>\n</md:EntityDescriptor>\n");
    out
}
