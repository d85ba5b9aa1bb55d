//! A non-validating look at the SAML message a browser hop carries, for the
//! transcript: what kind of message, who issued it, whose subject, how many
//! attributes and groups, and which elements carry a signature.
//!
//! It reads the message with the one strict XML parser (SECURITY.md I1) but
//! decides nothing: "signed" here means "carries a `ds:Signature`", not
//! "verifies". Verdicts belong to the SP's validation.

use crate::saml::dsig::DSIG_NS;
use crate::saml::xml::{Document, NodeId};
use crate::saml::{SAML_ASSERTION_NS, SAML_PROTOCOL_NS};

/// Largest inflated Redirect-binding message read (a DEFLATE bomb guard).
const INFLATE_LIMIT: usize = 1 << 20;

/// How the message travelled (SAML Bindings §3.4, §3.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binding {
    Redirect,
    Post,
}

impl Binding {
    pub fn name(self) -> &'static str {
        match self {
            Binding::Redirect => "HTTP-Redirect",
            Binding::Post => "HTTP-POST",
        }
    }
}

/// What the peek saw in one SAML message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SamlSummary {
    pub binding: Option<Binding>,
    /// `SAMLRequest` or `SAMLResponse`.
    pub parameter: String,
    /// The root element's local name (`AuthnRequest`, `Response`, …).
    pub kind: String,
    pub issuer: Option<String>,
    pub name_id: Option<String>,
    /// Attributes in the top-level assertion's AttributeStatements.
    pub attributes: usize,
    /// Values of attributes whose Name mentions "group".
    pub groups: usize,
    /// Elements that carry a `ds:Signature` child: `Response`, `Assertion`,
    /// `AuthnRequest`, … plus `query` for a signed Redirect binding.
    pub signed: Vec<String>,
    /// The top-level StatusCode's last URI segment (`Success`, `Requester`).
    pub status: Option<String>,
    pub in_response_to: Option<String>,
    pub relay_state: Option<String>,
    /// Oddities worth a reader's attention (several assertions, encryption).
    pub notes: Vec<String>,
    /// Why the message could not be read, when it could not.
    pub error: Option<String>,
}

impl SamlSummary {
    /// One transcript line.
    pub fn line(&self) -> String {
        let binding = self.binding.map_or("", Binding::name);
        if let Some(e) = &self.error {
            return format!("{} ({binding}): unreadable: {e}", self.parameter);
        }
        let mut parts = vec![format!("SAML {} ({binding})", self.kind)];
        if let Some(i) = &self.issuer {
            parts.push(format!("issuer {i}"));
        }
        if let Some(s) = &self.status {
            parts.push(format!("status {s}"));
        }
        if let Some(n) = &self.name_id {
            parts.push(format!("subject {n}"));
        }
        if self.kind == "Response" {
            parts.push(format!(
                "{} attribute{} ({} group{})",
                self.attributes,
                plural(self.attributes),
                self.groups,
                plural(self.groups)
            ));
        }
        parts.push(if self.signed.is_empty() {
            "unsigned".to_string()
        } else {
            format!("signed: {}", self.signed.join("+"))
        });
        parts.extend(self.notes.iter().cloned());
        if let Some(r) = &self.relay_state {
            parts.push(format!("RelayState {r:?}"));
        }
        parts.join(", ")
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Base64 as SAML bindings carry it: standard alphabet, whitespace and line
/// breaks allowed (SAML Bindings §3.5.4 lets senders wrap the value).
pub fn decode_base64(value: &str) -> Result<Vec<u8>, String> {
    let compact: String = value.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    crate::saml::b64::decode(compact.as_bytes()).map_err(|e| format!("not base64: {e}"))
}

/// Raw DEFLATE (RFC 1951), as the Redirect binding uses (SAML Bindings §3.4.4.1).
/// Bytes after the final block are ignored: the peek describes, and
/// refusing them is the receiver's verdict (`binding::inflate`).
pub fn inflate(bytes: &[u8]) -> Result<Vec<u8>, String> {
    use crate::saml::inflate::{inflate, Error};
    match inflate(bytes, INFLATE_LIMIT) {
        Ok(inflated) => Ok(inflated.out),
        Err(Error::TooLarge) => Err(format!("inflates to more than {INFLATE_LIMIT} bytes")),
        Err(e) => Err(format!("not DEFLATE data: {e}")),
    }
}

/// The message in a Redirect-binding query string, if it carries one.
pub fn peek_query(query: &str) -> Option<SamlSummary> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let (parameter, value) = ["SAMLRequest", "SAMLResponse"]
        .iter()
        .find_map(|p| get(p).map(|v| (p.to_string(), v)))?;
    let mut s = match decode_base64(&value).and_then(|b| inflate(&b)) {
        Ok(xml) => summarize(&xml),
        Err(e) => SamlSummary {
            error: Some(e),
            ..SamlSummary::default()
        },
    };
    s.binding = Some(Binding::Redirect);
    s.parameter = parameter;
    s.relay_state = get("RelayState");
    if get("Signature").is_some() {
        s.signed.push("query".to_string());
    }
    Some(s)
}

/// The message in a POST-binding form body, if it carries one.
pub fn peek_form(fields: &[(String, String)]) -> Option<SamlSummary> {
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let (parameter, value) = ["SAMLRequest", "SAMLResponse"]
        .iter()
        .find_map(|p| get(p).map(|v| (p.to_string(), v)))?;
    let mut s = match decode_base64(&value) {
        Ok(xml) => summarize(&xml),
        Err(e) => SamlSummary {
            error: Some(e),
            ..SamlSummary::default()
        },
    };
    s.binding = Some(Binding::Post);
    s.parameter = parameter;
    s.relay_state = get("RelayState");
    Some(s)
}

/// Reads one SAML message document (no verification).
pub fn summarize(xml: &[u8]) -> SamlSummary {
    let doc = match Document::parse(xml) {
        Ok(d) => d,
        Err(e) => {
            return SamlSummary {
                error: Some(format!("not acceptable XML: {}", e.reason())),
                ..SamlSummary::default()
            }
        }
    };
    let root = doc.root();
    let mut s = SamlSummary {
        kind: doc
            .element(root)
            .map(|e| e.local.clone())
            .unwrap_or_default(),
        issuer: doc
            .first_child_named(root, SAML_ASSERTION_NS, "Issuer")
            .map(|i| doc.text(i).trim().to_string()),
        in_response_to: doc.attribute(root, "InResponseTo").map(str::to_string),
        ..SamlSummary::default()
    };
    if has_signature(&doc, root) {
        s.signed.push(s.kind.clone());
    }
    if let Some(status) = doc.first_child_named(root, SAML_PROTOCOL_NS, "Status") {
        s.status = doc
            .first_child_named(status, SAML_PROTOCOL_NS, "StatusCode")
            .and_then(|c| doc.attribute(c, "Value"))
            .map(|v| v.rsplit(':').next().unwrap_or(v).to_string());
    }
    // Only top-level assertions; ones nested in Advice never count (I5).
    let assertions: Vec<NodeId> = doc
        .children_named(root, SAML_ASSERTION_NS, "Assertion")
        .collect();
    if doc
        .children_named(root, SAML_ASSERTION_NS, "EncryptedAssertion")
        .next()
        .is_some()
    {
        s.notes.push("encrypted assertion".to_string());
    }
    let subject_of = |n: NodeId| {
        doc.first_child_named(n, SAML_ASSERTION_NS, "Subject")
            .and_then(|sub| doc.first_child_named(sub, SAML_ASSERTION_NS, "NameID"))
            .map(|id| doc.text(id).trim().to_string())
    };
    if s.kind == "AuthnRequest" || s.kind == "LogoutRequest" {
        s.name_id = subject_of(root).or_else(|| {
            doc.first_child_named(root, SAML_ASSERTION_NS, "NameID")
                .map(|id| doc.text(id).trim().to_string())
        });
    }
    for &a in &assertions {
        if has_signature(&doc, a) {
            s.signed.push("Assertion".to_string());
        }
        if s.name_id.is_none() {
            s.name_id = subject_of(a);
        }
        for st in doc.children_named(a, SAML_ASSERTION_NS, "AttributeStatement") {
            for attr in doc.children_named(st, SAML_ASSERTION_NS, "Attribute") {
                s.attributes += 1;
                let name = doc.attribute(attr, "Name").unwrap_or_default();
                if name.to_ascii_lowercase().contains("group") {
                    s.groups += doc
                        .children_named(attr, SAML_ASSERTION_NS, "AttributeValue")
                        .count();
                }
            }
        }
    }
    if assertions.len() > 1 {
        s.notes
            .push(format!("{} top-level assertions", assertions.len()));
    }
    s
}

fn has_signature(doc: &Document, element: NodeId) -> bool {
    doc.children_named(element, DSIG_NS, "Signature")
        .next()
        .is_some()
}
