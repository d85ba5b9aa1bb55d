//! What a SAML message says, for people: `saml inspect` and transcripts
//! show it next to the verdict, including for refused messages.
//!
//! **Nothing here is verified, and nothing here may be used to decide.**
//! Decisions come only from [`validate_response`](crate::saml::validate::validate_response)
//! and the binding/request readers, which read the verified subtree
//! (SECURITY.md I2). A summary reads the same strict tree (the one parser,
//! I1) but reports every top-level assertion it finds, signed or not, so a
//! support engineer can see what an attacker or a misconfigured IdP sent.

use std::collections::BTreeMap;

use crate::saml::dsig::find_signatures;
use crate::saml::reason::Rejection;
use crate::saml::xml::{Document, NodeId};
use crate::saml::{SAML_ASSERTION_NS, SAML_PROTOCOL_NS};

/// An unverified description of a SAML protocol message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageSummary {
    /// `{namespace}local` of the root, e.g. the protocol `Response`.
    pub root: String,
    /// The root's local name when it is a SAML protocol element
    /// (`Response`, `AuthnRequest`, `LogoutRequest`, …).
    pub kind: Option<String>,
    pub id: Option<String>,
    pub issuer: Option<String>,
    pub issue_instant: Option<String>,
    pub destination: Option<String>,
    pub in_response_to: Option<String>,
    /// Top-level status code, then the nested one, for responses.
    pub status: Vec<String>,
    pub status_message: Option<String>,
    /// AuthnRequest: AssertionConsumerServiceURL.
    pub acs_url: Option<String>,
    /// Elements carrying a `ds:Signature`, described (`{ns}Response ID="…"`).
    pub signed_elements: Vec<String>,
    /// Top-level assertions (Advice assertions are not listed).
    pub assertions: Vec<AssertionSummary>,
    pub encrypted_assertions: usize,
}

/// An unverified description of one top-level Assertion.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AssertionSummary {
    pub id: Option<String>,
    pub issuer: Option<String>,
    pub issue_instant: Option<String>,
    pub name_id: Option<String>,
    pub name_id_format: Option<String>,
    pub recipient: Option<String>,
    pub subject_confirmation_not_on_or_after: Option<String>,
    pub in_response_to: Option<String>,
    pub not_before: Option<String>,
    pub not_on_or_after: Option<String>,
    pub audiences: Vec<String>,
    pub session_index: Option<String>,
    pub authn_context: Option<String>,
    pub attributes: BTreeMap<String, Vec<String>>,
}

fn attr(doc: &Document, n: NodeId, name: &str) -> Option<String> {
    doc.attribute(n, name).map(str::to_string)
}

fn child(doc: &Document, n: NodeId, ns: &str, local: &str) -> Option<NodeId> {
    doc.first_child_named(n, ns, local)
}

fn assertion_summary(doc: &Document, a: NodeId) -> AssertionSummary {
    let ns = SAML_ASSERTION_NS;
    let subject = child(doc, a, ns, "Subject");
    let name_id = subject.and_then(|s| child(doc, s, ns, "NameID"));
    let scd = subject
        .and_then(|s| child(doc, s, ns, "SubjectConfirmation"))
        .and_then(|sc| child(doc, sc, ns, "SubjectConfirmationData"));
    let conditions = child(doc, a, ns, "Conditions");
    let authn = child(doc, a, ns, "AuthnStatement");
    let mut audiences = vec![];
    if let Some(c) = conditions {
        for r in doc.children_named(c, ns, "AudienceRestriction") {
            for au in doc.children_named(r, ns, "Audience") {
                audiences.push(doc.text(au).trim().to_string());
            }
        }
    }
    let mut attributes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for st in doc.children_named(a, ns, "AttributeStatement") {
        for at in doc.children_named(st, ns, "Attribute") {
            if let Some(name) = doc.attribute(at, "Name") {
                let values = attributes.entry(name.to_string()).or_default();
                for v in doc.children_named(at, ns, "AttributeValue") {
                    values.push(doc.text(v));
                }
            }
        }
    }
    AssertionSummary {
        id: doc.id_of(a).map(str::to_string),
        issuer: child(doc, a, ns, "Issuer").map(|i| doc.text(i).trim().to_string()),
        issue_instant: attr(doc, a, "IssueInstant"),
        name_id: name_id.map(|n| doc.text(n)),
        name_id_format: name_id.and_then(|n| attr(doc, n, "Format")),
        recipient: scd.and_then(|s| attr(doc, s, "Recipient")),
        subject_confirmation_not_on_or_after: scd.and_then(|s| attr(doc, s, "NotOnOrAfter")),
        in_response_to: scd.and_then(|s| attr(doc, s, "InResponseTo")),
        not_before: conditions.and_then(|c| attr(doc, c, "NotBefore")),
        not_on_or_after: conditions.and_then(|c| attr(doc, c, "NotOnOrAfter")),
        audiences,
        session_index: authn.and_then(|s| attr(doc, s, "SessionIndex")),
        authn_context: authn
            .and_then(|s| child(doc, s, ns, "AuthnContext"))
            .and_then(|c| child(doc, c, ns, "AuthnContextClassRef"))
            .map(|r| doc.text(r).trim().to_string()),
        attributes,
    }
}

/// Describes `xml` without verifying anything (see the module header).
/// Fails only when the strict XML profile refuses the document.
pub fn summarize(xml: &[u8]) -> Result<MessageSummary, Rejection> {
    let doc = Document::parse(xml)?;
    let root = doc.root();
    let mut s = MessageSummary {
        root: doc.describe(root),
        ..MessageSummary::default()
    };
    let protocol = doc
        .element(root)
        .is_some_and(|e| e.namespace.as_deref() == Some(SAML_PROTOCOL_NS));
    if protocol {
        s.kind = doc.element(root).map(|e| e.local.clone());
    }
    s.id = doc.id_of(root).map(str::to_string);
    s.issuer =
        child(&doc, root, SAML_ASSERTION_NS, "Issuer").map(|i| doc.text(i).trim().to_string());
    s.issue_instant = attr(&doc, root, "IssueInstant");
    s.destination = attr(&doc, root, "Destination");
    s.in_response_to = attr(&doc, root, "InResponseTo");
    s.acs_url = attr(&doc, root, "AssertionConsumerServiceURL");
    if let Some(st) = child(&doc, root, SAML_PROTOCOL_NS, "Status") {
        let mut code = child(&doc, st, SAML_PROTOCOL_NS, "StatusCode");
        while let Some(c) = code {
            s.status.extend(attr(&doc, c, "Value"));
            code = child(&doc, c, SAML_PROTOCOL_NS, "StatusCode");
        }
        s.status_message = child(&doc, st, SAML_PROTOCOL_NS, "StatusMessage").map(|m| doc.text(m));
    }
    s.signed_elements = find_signatures(&doc)
        .into_iter()
        .map(|sig| {
            doc.parent(sig)
                .map_or_else(String::new, |p| doc.describe(p))
        })
        .collect();
    s.assertions = doc
        .children_named(root, SAML_ASSERTION_NS, "Assertion")
        .map(|a| assertion_summary(&doc, a))
        .collect();
    s.encrypted_assertions = doc
        .children_named(root, SAML_ASSERTION_NS, "EncryptedAssertion")
        .count();
    Ok(s)
}
