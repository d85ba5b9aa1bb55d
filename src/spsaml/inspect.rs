//! `ssosim saml inspect`, sans IO: decode whatever a support engineer
//! pasted (raw XML, a POST-binding base64 value, a Redirect URL or query,
//! a `SAMLResponse=…` form body), say what the message is, and judge it
//! with the SP's own validation, explaining the verdict.
//!
//! Nothing here reads a clock: without `--now` the message is judged at
//! its own IssueInstant, and the report says so. Without IdP metadata no
//! signature can be trusted, so the verdict is "refused" (SECURITY.md
//! SIG6, fail closed) while everything else is still shown. Every value
//! the caller did not give (audience, ACS URL, IdP entity id) and that was
//! taken from the message is listed under `assumed`.

use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::saml::dsig::{find_signatures, verify_signature, VerifyOptions};
use crate::saml::instant::{format_instant, parse_instant};
use crate::saml::keys::TrustedKeys;
use crate::saml::metadata::IdpMetadata;
use crate::saml::reason::{explain, Reason, Rejection};
use crate::saml::request::parse_authn_request;
use crate::saml::summary::summarize;
use crate::saml::validate::{validate_response, InResponseToCheck, SpConfig};
use crate::saml::xml::{Document, NodeId};
use crate::saml::{SAML_ASSERTION_NS, SAML_PROTOCOL_NS};

/// Largest inflated Redirect message read (a DEFLATE bomb guard).
const INFLATE_MAX: usize = 1 << 20;

/// How the input was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputForm {
    /// The XML itself.
    RawXml,
    /// A base64 value as the POST binding carries it (maybe line-wrapped).
    PostValue,
    /// A base64 value of raw DEFLATE, as the Redirect binding carries it.
    RedirectValue,
    /// A whole Redirect-binding URL.
    RedirectUrl,
    /// A Redirect-binding query string without the URL.
    RedirectQuery,
    /// An `application/x-www-form-urlencoded` POST body.
    FormBody,
    /// A browser's HAR export (the last SAML message in it).
    Har,
}

impl InputForm {
    pub fn describe(self) -> &'static str {
        match self {
            InputForm::RawXml => "raw XML",
            InputForm::PostValue => "base64 (HTTP-POST binding value)",
            InputForm::RedirectValue => "base64 of DEFLATE (HTTP-Redirect binding value)",
            InputForm::RedirectUrl => "HTTP-Redirect binding URL",
            InputForm::RedirectQuery => "HTTP-Redirect binding query string",
            InputForm::FormBody => "HTTP-POST form body",
            InputForm::Har => "HAR export (the last SAML message in it)",
        }
    }
}

/// The input, decoded to the message's XML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    pub form: InputForm,
    /// `SAMLResponse` or `SAMLRequest` when the input named it.
    pub field: Option<String>,
    pub xml: Vec<u8>,
    pub relay_state: Option<String>,
    /// SigAlg of a signed Redirect query (the query signature is the
    /// sender's, and is not checked here).
    pub query_sig_alg: Option<String>,
}

/// Input that cannot be inspected (exit 2).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unusable(pub String);

/// Decodes pasted input of any supported form.
pub fn decode_input(input: &[u8]) -> Result<Decoded, Unusable> {
    let trimmed = trim_ascii(input);
    if trimmed.is_empty() {
        return Err(Unusable("the input is empty".into()));
    }
    if trimmed.starts_with(b"<") {
        return Ok(Decoded {
            form: InputForm::RawXml,
            field: None,
            xml: trimmed.to_vec(),
            relay_state: None,
            query_sig_alg: None,
        });
    }
    let text = std::str::from_utf8(trimmed)
        .map_err(|_| Unusable("the input is neither XML nor text (not UTF-8)".into()))?;
    if text.starts_with('{') {
        return decode_har(text);
    }
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        let query = text.split_once('?').map(|(_, q)| q).unwrap_or("");
        let query = query.split('#').next().unwrap_or("");
        let mut d = decode_pairs(query).ok_or_else(|| {
            Unusable("the URL carries no SAMLRequest or SAMLResponse parameter".into())
        })??;
        d.decoded.form = InputForm::RedirectUrl;
        if d.xml_came_from_post {
            return Err(Unusable(
                "the URL's SAML parameter is not DEFLATE-compressed; the Redirect binding requires it (SAML Bindings 3.4.4.1)".into(),
            ));
        }
        return Ok(d.decoded);
    }
    if text.contains("SAMLResponse=") || text.contains("SAMLRequest=") {
        let d = decode_pairs(text.trim_start_matches('?'))
            .ok_or_else(|| Unusable("no SAMLRequest or SAMLResponse parameter".into()))??;
        let mut decoded = d.decoded;
        decoded.form = if d.xml_came_from_post {
            InputForm::FormBody
        } else {
            InputForm::RedirectQuery
        };
        return Ok(decoded);
    }
    // A bare value; maybe still percent-encoded (copied out of a URL).
    let value = if text.contains('%') {
        percent_decode(text)
    } else {
        text.to_string()
    };
    let (xml, from_post) = decode_value(&value)?;
    Ok(Decoded {
        form: if from_post {
            InputForm::PostValue
        } else {
            InputForm::RedirectValue
        },
        field: None,
        xml,
        relay_state: None,
        query_sig_alg: None,
    })
}

/// A HAR file (browser devtools → "Save all as HAR"): the last request
/// carrying SAMLResponse (else SAMLRequest), in its URL query or its
/// form-encoded POST body.
fn decode_har(text: &str) -> Result<Decoded, Unusable> {
    let har: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Unusable(format!("the input looks like JSON but is not: {e}")))?;
    let entries = har["log"]["entries"]
        .as_array()
        .ok_or_else(|| Unusable("JSON without log.entries: not a HAR file".into()))?;
    let mut found: Vec<Decoded> = vec![];
    for e in entries {
        let req = &e["request"];
        let url = req["url"].as_str().unwrap_or_default();
        let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
        let mut candidates = vec![query.split('#').next().unwrap_or("").to_string()];
        if let Some(t) = req["postData"]["text"].as_str() {
            candidates.push(t.to_string());
        }
        if let Some(params) = req["postData"]["params"].as_array() {
            // Devtools list params already split; rebuild a body from them.
            let body: Vec<String> = params
                .iter()
                .map(|p| {
                    format!(
                        "{}={}",
                        p["name"].as_str().unwrap_or_default(),
                        p["value"].as_str().unwrap_or_default()
                    )
                })
                .collect();
            candidates.push(body.join("&"));
        }
        for c in candidates {
            if let Some(Ok(d)) = decode_pairs(&c) {
                found.push(d.decoded);
            }
        }
    }
    let pick = found
        .iter()
        .rposition(|d| d.field.as_deref() == Some("SAMLResponse"))
        .or_else(|| found.len().checked_sub(1))
        .ok_or_else(|| Unusable("the HAR file holds no SAMLRequest or SAMLResponse".into()))?;
    let mut d = found.swap_remove(pick);
    d.form = InputForm::Har;
    Ok(d)
}

struct FromPairs {
    decoded: Decoded,
    xml_came_from_post: bool,
}

fn decode_pairs(query: &str) -> Option<Result<FromPairs, Unusable>> {
    let pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let (field, value) = ["SAMLResponse", "SAMLRequest"]
        .iter()
        .find_map(|f| get(f).map(|v| (f.to_string(), v)))?;
    Some(decode_value(&value).map(|(xml, from_post)| FromPairs {
        decoded: Decoded {
            form: InputForm::FormBody,
            field: Some(field),
            xml,
            relay_state: get("RelayState"),
            query_sig_alg: get("SigAlg"),
        },
        xml_came_from_post: from_post,
    }))
}

/// base64 → XML (POST binding) or base64 → DEFLATE → XML (Redirect).
fn decode_value(value: &str) -> Result<(Vec<u8>, bool), Unusable> {
    // SAML Bindings 3.5.4 lets senders wrap base64; '+' may have become a
    // space in a sloppy copy of a form value.
    let compact: String = value
        .chars()
        .filter(|c| !matches!(c, '\r' | '\n' | '\t'))
        .map(|c| if c == ' ' { '+' } else { c })
        .collect();
    let bytes = crate::saml::b64::decode(compact.as_bytes()).map_err(|e| {
        Unusable(format!(
            "the input is not XML, a URL, a form body or base64 ({e})"
        ))
    })?;
    if trim_ascii(&bytes).starts_with(b"<") {
        return Ok((bytes, true));
    }
    // Bytes after the final block are ignored: inspect reads what it can.
    match crate::saml::inflate::inflate(&bytes, INFLATE_MAX) {
        Err(crate::saml::inflate::Error::TooLarge) => Err(Unusable(format!(
            "the value inflates to more than {INFLATE_MAX} bytes"
        ))),
        Ok(inflated) if trim_ascii(&inflated.out).starts_with(b"<") => Ok((inflated.out, false)),
        _ => Err(Unusable(
            "the input decodes from base64, but to neither XML nor DEFLATE-compressed XML".into(),
        )),
    }
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &b[start..end]
}

/// RFC 3986 percent-decoding; `+` stays `+` (base64 uses it, and SAML
/// senders that mean a space write `%20`).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What the caller told us.
#[derive(Clone, Debug, Default)]
pub struct InspectOptions {
    pub idp: Option<IdpMetadata>,
    pub sp_entity_id: Option<String>,
    pub acs_url: Option<String>,
    pub now: Option<OffsetDateTime>,
    pub want_assertions_signed: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    Refused,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Accepted => "accepted",
            Verdict::Refused => "refused",
        }
    }
}

/// The whole answer.
#[derive(Clone, Debug)]
pub struct Report {
    pub input: InputForm,
    pub verdict: Verdict,
    pub reason: Option<String>,
    pub detail: Option<String>,
    pub explanation: String,
    /// What the message is, as JSON (also rendered as text).
    pub message: Value,
    /// Values taken from the message because the caller did not give them.
    pub assumed: Vec<String>,
}

impl Report {
    pub fn exit_code(&self) -> i32 {
        match self.verdict {
            Verdict::Accepted => 0,
            Verdict::Refused => 1,
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "verdict": self.verdict.name(),
            "reason": self.reason,
            "detail": self.detail,
            "explanation": self.explanation,
            "assumed": self.assumed,
            "message": self.message,
        })
    }

    /// The report as text, for a terminal.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!("input: {}\n", self.input.describe()));
        render_value(&mut out, "message", &self.message, 0);
        if !self.assumed.is_empty() {
            out.push_str("assumed:\n");
            for a in &self.assumed {
                out.push_str(&format!("  - {a}\n"));
            }
        }
        match &self.reason {
            Some(r) => out.push_str(&format!("verdict: {} ({r})\n", self.verdict.name())),
            None => out.push_str(&format!("verdict: {}\n", self.verdict.name())),
        }
        // The explanation repeats the detail, so text shows it once.
        out.push_str(&format!("  {}\n", self.explanation));
        out
    }
}

fn render_value(out: &mut String, key: &str, v: &Value, depth: usize) {
    let pad = "  ".repeat(depth);
    match v {
        Value::Null => {}
        Value::Object(m) => {
            out.push_str(&format!("{pad}{key}:\n"));
            for (k, v) in m {
                render_value(out, k, v, depth + 1);
            }
        }
        Value::Array(items) if items.is_empty() => {
            out.push_str(&format!("{pad}{key}: (none)\n"));
        }
        Value::Array(items) if items.iter().all(|i| !i.is_object()) => {
            let parts: Vec<String> = items.iter().map(scalar).collect();
            out.push_str(&format!("{pad}{key}: {}\n", parts.join(", ")));
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                render_value(out, &format!("{key}[{i}]"), item, depth);
            }
        }
        other => out.push_str(&format!("{pad}{key}: {}\n", scalar(other))),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Decodes, describes and judges `input`.
pub fn inspect(input: &[u8], opts: &InspectOptions) -> Result<Report, Unusable> {
    let decoded = decode_input(input)?;
    let doc = match Document::parse(&decoded.xml) {
        Ok(d) => d,
        Err(e) => {
            // A SAML message the strict profile refuses (DOCTYPE, PI, …) is
            // a refusal worth explaining; anything else is not SAML at all.
            let text = String::from_utf8_lossy(&decoded.xml);
            if !text.contains(SAML_PROTOCOL_NS) {
                return Err(Unusable(format!(
                    "the input is not a SAML protocol message (not acceptable XML: {})",
                    e.reason()
                )));
            }
            let r = Rejection::from(e);
            return Ok(Report {
                input: decoded.form,
                verdict: Verdict::Refused,
                reason: Some(r.name().to_string()),
                detail: Some(r.detail.clone()),
                explanation: explain(&r),
                message: json!({ "note": "the XML is refused by the strict profile, so nothing else is read from it" }),
                assumed: vec![],
            });
        }
    };
    let root = doc.root();
    let kind = doc
        .element(root)
        .map(|e| e.local.clone())
        .unwrap_or_default();
    if doc.element(root).and_then(|e| e.namespace.as_deref()) != Some(SAML_PROTOCOL_NS) {
        return Err(Unusable(format!(
            "the root element is {}, not a SAML protocol message",
            doc.describe(root)
        )));
    }
    let keys = match &opts.idp {
        Some(m) => m
            .trusted_keys()
            .map_err(|e| Unusable(format!("the IdP metadata's certificates are unusable: {e}")))?,
        None => TrustedKeys::new(vec![]),
    };
    let mut message = describe_message(&doc, &decoded.xml, &keys, opts.idp.is_some());
    if let Some(rs) = &decoded.relay_state {
        message["relay_state"] = json!(rs);
    }
    if let Some(alg) = &decoded.query_sig_alg {
        message["query_signature"] = json!(format!("{alg} (the sender's; not checked by inspect)"));
    }
    match kind.as_str() {
        "Response" => Ok(judge_response(&doc, &decoded, message, opts, keys)),
        "AuthnRequest" => {
            let (verdict, reason, detail, explanation) = match parse_authn_request(&decoded.xml) {
                Ok(_) => (
                    Verdict::Accepted,
                    None,
                    None,
                    "A well-formed AuthnRequest: this is what an IdP would read. (Requests are not logins; there is nothing else to validate here.)".to_string(),
                ),
                Err(r) => (
                    Verdict::Refused,
                    Some(r.name().to_string()),
                    Some(r.detail.clone()),
                    explain(&r),
                ),
            };
            Ok(Report {
                input: decoded.form,
                verdict,
                reason,
                detail,
                explanation,
                message,
                assumed: vec![],
            })
        }
        other => Err(Unusable(format!(
            "a {other}: inspect judges Response and AuthnRequest messages only"
        ))),
    }
}

fn judge_response(
    doc: &Document,
    decoded: &Decoded,
    message: Value,
    opts: &InspectOptions,
    keys: TrustedKeys,
) -> Report {
    let root = doc.root();
    let mut assumed = vec![];
    let first_assertion = doc.first_child_named(root, SAML_ASSERTION_NS, "Assertion");
    let issuer = doc
        .first_child_named(root, SAML_ASSERTION_NS, "Issuer")
        .or_else(|| {
            first_assertion.and_then(|a| doc.first_child_named(a, SAML_ASSERTION_NS, "Issuer"))
        })
        .map(|i| doc.text(i).trim().to_string());
    let idp_entity_id = match &opts.idp {
        Some(m) => m.entity_id.clone(),
        None => {
            assumed.push(format!(
                "IdP entity id: taken from the message ({}); no --idp-metadata, so no signature can be trusted",
                issuer.as_deref().unwrap_or("none")
            ));
            issuer.clone().unwrap_or_default()
        }
    };
    let audience = first_assertion.and_then(|a| {
        doc.first_child_named(a, SAML_ASSERTION_NS, "Conditions")
            .and_then(|c| doc.first_child_named(c, SAML_ASSERTION_NS, "AudienceRestriction"))
            .and_then(|r| doc.first_child_named(r, SAML_ASSERTION_NS, "Audience"))
            .map(|x| doc.text(x).trim().to_string())
    });
    let entity_id = match &opts.sp_entity_id {
        Some(e) => e.clone(),
        None => {
            assumed.push(format!(
                "SP entity id (audience): taken from the message ({}); pass --sp-entity-id to check it",
                audience.as_deref().unwrap_or("none")
            ));
            audience.unwrap_or_default()
        }
    };
    let recipient = first_assertion.and_then(|a| {
        doc.first_child_named(a, SAML_ASSERTION_NS, "Subject")
            .and_then(|s| doc.first_child_named(s, SAML_ASSERTION_NS, "SubjectConfirmation"))
            .and_then(|c| doc.first_child_named(c, SAML_ASSERTION_NS, "SubjectConfirmationData"))
            .and_then(|d| doc.attribute(d, "Recipient"))
            .map(str::to_string)
    });
    let acs = match &opts.acs_url {
        Some(a) => a.clone(),
        None => {
            let taken = doc
                .attribute(root, "Destination")
                .map(str::to_string)
                .or(recipient);
            assumed.push(format!(
                "ACS URL (Destination, Recipient): taken from the message ({}); pass --acs to check it",
                taken.as_deref().unwrap_or("none")
            ));
            taken.unwrap_or_default()
        }
    };
    let now = match opts.now {
        Some(t) => t,
        None => {
            let at = doc.attribute(root, "IssueInstant").and_then(parse_instant);
            match at {
                Some(t) => {
                    assumed.push(format!(
                        "time: judged at the message's own IssueInstant {}; pass --now to judge it at another instant",
                        format_instant(t)
                    ));
                    t
                }
                None => {
                    assumed.push(
                        "time: the message has no usable IssueInstant and --now was not given; judged at 2026-01-01T00:00:00Z".to_string(),
                    );
                    crate::sim::DEFAULT_EPOCH
                }
            }
        }
    };
    if let Some(irt) = doc.attribute(root, "InResponseTo") {
        assumed.push(format!(
            "InResponseTo {irt:?}: not checked (inspect has no pending request)"
        ));
    }
    let mut cfg = SpConfig::new(&entity_id, &acs, &idp_entity_id, keys);
    cfg.want_assertions_signed = opts.want_assertions_signed;
    cfg.allow_idp_initiated = true;
    // SECURITY.md B7; SAML Profiles 4.1.2 step 5: "the HTTP Redirect
    // binding MUST NOT be used" for the Response (POST or Artifact only).
    let over_redirect = matches!(
        decoded.form,
        InputForm::RedirectUrl | InputForm::RedirectQuery | InputForm::RedirectValue
    ) && first_assertion.is_some();
    if over_redirect {
        let r = Rejection::new(
            Reason::BindingUnsupported,
            "a Response carrying an Assertion arrived over HTTP-Redirect",
        );
        return Report {
            input: decoded.form,
            verdict: Verdict::Refused,
            reason: Some(r.name().to_string()),
            detail: Some(r.detail.clone()),
            explanation: "SAML Web SSO sends a Response with an assertion over HTTP-POST (SAML \
                          Profiles 4.1.2 forbids HTTP-Redirect for it), never in a URL: it is too \
                          long for browsers and would land in logs and history. Set the IdP \
                          app's ACS binding to HTTP-POST."
                .to_string(),
            message,
            assumed,
        };
    }
    let result = validate_response(&cfg, now, &decoded.xml, InResponseToCheck::Skip, None);
    let (verdict, reason, detail, explanation) = match result {
        Ok(login) => (
            Verdict::Accepted,
            None,
            None,
            format!(
                "The SP would sign in {} ({} attribute{}), given the assumptions above.",
                login.name_id,
                login.attributes.len(),
                if login.attributes.len() == 1 { "" } else { "s" }
            ),
        ),
        Err(r) if opts.idp.is_none() && r.name() == "no-trusted-keys" => (
            Verdict::Refused,
            Some(r.name().to_string()),
            Some(r.detail.clone()),
            "No signature can be trusted without the IdP's certificate, so the message is refused \
             (fail closed, as the SP itself would be). Pass --idp-metadata FILE with the IdP's \
             metadata to check the signatures; everything else the message says is shown above."
                .to_string(),
        ),
        Err(r) => (
            Verdict::Refused,
            Some(r.name().to_string()),
            Some(r.detail.clone()),
            explain(&r),
        ),
    };
    Report {
        input: decoded.form,
        verdict,
        reason,
        detail,
        explanation,
        message,
        assumed,
    }
}

/// What the message says (the SAML layer's unverified [`summarize`], the
/// one describer), as JSON, plus each signature checked on its own against
/// `keys`. Nothing here decides: the verdict comes from validation.
fn describe_message(doc: &Document, xml: &[u8], keys: &TrustedKeys, have_keys: bool) -> Value {
    let root = doc.root();
    let attr = |n: NodeId, a: &str| doc.attribute(n, a).map(str::to_string);
    // The strict parse already succeeded on these bytes, so the summary's
    // own parse cannot fail; an empty summary would only hide details.
    let sum = summarize(xml).unwrap_or_default();
    let mut m = json!({
        "kind": sum.kind,
        "id": sum.id,
        "issuer": sum.issuer,
        "issue_instant": sum.issue_instant,
        "destination": sum.destination,
        "in_response_to": sum.in_response_to,
    });
    if sum.kind.as_deref() == Some("AuthnRequest") {
        m["acs_url"] = json!(sum.acs_url);
        m["protocol_binding"] = json!(attr(root, "ProtocolBinding"));
        m["name_id_policy"] = json!(doc
            .first_child_named(root, SAML_PROTOCOL_NS, "NameIDPolicy")
            .and_then(|p| attr(p, "Format")));
    }
    if !sum.status.is_empty() {
        m["status"] = json!({
            "code": sum.status.first(),
            "second_level": sum.status.get(1),
            "message": sum.status_message,
        });
    }
    // Two details the shared summary leaves out, read from the same tree.
    let nodes: Vec<NodeId> = doc
        .children_named(root, SAML_ASSERTION_NS, "Assertion")
        .collect();
    let assertions: Vec<Value> = sum
        .assertions
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let node = nodes.get(i).copied();
            let method = node
                .and_then(|n| doc.first_child_named(n, SAML_ASSERTION_NS, "Subject"))
                .and_then(|s| doc.first_child_named(s, SAML_ASSERTION_NS, "SubjectConfirmation"))
                .and_then(|c| attr(c, "Method"));
            let instant = node
                .and_then(|n| doc.first_child_named(n, SAML_ASSERTION_NS, "AuthnStatement"))
                .and_then(|st| attr(st, "AuthnInstant"));
            json!({
                "id": a.id,
                "issuer": a.issuer,
                "issue_instant": a.issue_instant,
                "subject": {
                    "name_id": a.name_id,
                    "format": a.name_id_format,
                    "confirmation_method": method,
                    "recipient": a.recipient,
                    "in_response_to": a.in_response_to,
                    "not_on_or_after": a.subject_confirmation_not_on_or_after,
                },
                "conditions": {
                    "not_before": a.not_before,
                    "not_on_or_after": a.not_on_or_after,
                    "audiences": a.audiences,
                },
                "authn": {
                    "instant": instant,
                    "session_index": a.session_index,
                    "context": a.authn_context,
                },
                "attributes": a.attributes,
            })
        })
        .collect();
    if !assertions.is_empty() {
        m["assertions"] = Value::Array(assertions);
    }
    if sum.encrypted_assertions > 0 {
        m["encrypted_assertions"] = json!(sum.encrypted_assertions);
    }
    let sigs: Vec<Value> = find_signatures(doc)
        .into_iter()
        .map(|sig| {
            let on = doc
                .parent(sig)
                .map(|p| {
                    let name = doc.element(p).map(|e| e.local.clone()).unwrap_or_default();
                    match doc.id_of(p) {
                        Some(id) => format!("{name} {id}"),
                        None => name,
                    }
                })
                .unwrap_or_default();
            let verdict = if !have_keys {
                "not checked: no --idp-metadata, so there is no trusted key".to_string()
            } else {
                match verify_signature(doc, sig, keys, &VerifyOptions::default()) {
                    Ok(v) => format!("verifies with the metadata's key {}", v.key_label),
                    Err(e) => format!("does not verify: {} ({})", e.reason(), e.detail),
                }
            };
            json!({ "on": on, "result": verdict })
        })
        .collect();
    m["signatures"] = Value::Array(sigs);
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_keeps_plus() {
        assert_eq!(percent_decode("a%2Bb+c%3d%"), "a+b+c=%");
    }
}
