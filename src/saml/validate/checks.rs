//! The individual checks of Response validation (SAML Core 2.4–2.7,
//! 3.2.2; Profiles 4.1.4.2), each returning a named [`Rejection`]; the
//! order they run in lives in the parent module.

use std::time::Duration;

use time::OffsetDateTime;

use super::SpConfig;
use crate::saml::instant::format_instant;
use crate::saml::reason::{Reason, Rejection};
use crate::saml::request::read_instant;
use crate::saml::response::{NAMEID_ENTITY, STATUS_SUCCESS};
use crate::saml::xml::{Document, NodeId};
use crate::saml::{SAML_ASSERTION_NS, SAML_PROTOCOL_NS};

pub(super) fn dur(d: Duration) -> time::Duration {
    time::Duration::try_from(d).unwrap_or(time::Duration::MAX)
}

/// True when `now` is at or past `end` + `skew`: the exclusive upper bound
/// of a NotOnOrAfter. Computed as a difference of instants so that no
/// skew, however large, can overflow the calendar.
pub(super) fn at_or_after(now: OffsetDateTime, end: OffsetDateTime, skew: Duration) -> bool {
    now - end >= dur(skew)
}

/// True when `now` is before `start` − `skew`: the inclusive lower bound
/// of a NotBefore.
pub(super) fn before(now: OffsetDateTime, start: OffsetDateTime, skew: Duration) -> bool {
    start - now > dur(skew)
}

pub(super) fn fmt_ms(t: OffsetDateTime) -> String {
    let ms = t.millisecond();
    let s = format_instant(t);
    if ms == 0 {
        s
    } else {
        format!("{}.{ms:03}Z", &s[..s.len() - 1])
    }
}

/// The status codes of a Response, or a refusal saying why not Success.
pub(super) fn check_status(doc: &Document, root: NodeId) -> Result<(), Rejection> {
    let statuses: Vec<NodeId> = doc
        .children_named(root, SAML_PROTOCOL_NS, "Status")
        .collect();
    let [status] = statuses.as_slice() else {
        return Err(Rejection::mismatch(
            Reason::StatusNotSuccess,
            format!(
                "the Response has {} Status elements; exactly 1 is required",
                statuses.len()
            ),
            STATUS_SUCCESS,
            "(no single Status)",
        ));
    };
    let codes: Vec<NodeId> = doc
        .children_named(*status, SAML_PROTOCOL_NS, "StatusCode")
        .collect();
    let [code] = codes.as_slice() else {
        return Err(Rejection::mismatch(
            Reason::StatusNotSuccess,
            format!(
                "the Status has {} StatusCode elements; exactly 1 is required",
                codes.len()
            ),
            STATUS_SUCCESS,
            "(no single StatusCode)",
        ));
    };
    let value = doc.attribute(*code, "Value").unwrap_or("");
    if value == STATUS_SUCCESS {
        return Ok(());
    }
    let mut found = value.to_string();
    if let Some(sub) = doc
        .first_child_named(*code, SAML_PROTOCOL_NS, "StatusCode")
        .and_then(|s| doc.attribute(s, "Value"))
    {
        found.push_str(&format!(" / {sub}"));
    }
    let message = doc
        .first_child_named(*status, SAML_PROTOCOL_NS, "StatusMessage")
        .map(|m| doc.text(m));
    let mut detail = format!("the IdP answered with status {found}");
    if let Some(m) = &message {
        detail.push_str(&format!(" and message {m:?}"));
        found.push_str(&format!(" ({m})"));
    }
    Err(Rejection::mismatch(
        Reason::StatusNotSuccess,
        detail,
        STATUS_SUCCESS,
        found,
    ))
}

/// An Issuer (SAML Core 2.2.5) naming the configured IdP.
pub(super) fn check_issuer(
    doc: &Document,
    issuer_el: NodeId,
    cfg: &SpConfig,
    whose: &str,
) -> Result<String, Rejection> {
    // SAML Core 8.3.6: an Issuer's Format, if any, must be the entity format.
    if let Some(f) = doc.attribute(issuer_el, "Format") {
        if f != NAMEID_ENTITY {
            return Err(Rejection::mismatch(
                Reason::IssuerMismatch,
                format!("the {whose} Issuer has Format {f:?}, not the entity format"),
                NAMEID_ENTITY,
                f,
            ));
        }
    }
    let issuer = doc.text(issuer_el).trim().to_string();
    if issuer != cfg.idp_entity_id {
        return Err(Rejection::mismatch(
            Reason::IssuerMismatch,
            format!(
                "the {whose} Issuer is {issuer:?} but this SP trusts {:?}",
                cfg.idp_entity_id
            ),
            cfg.idp_entity_id.clone(),
            issuer,
        ));
    }
    Ok(issuer)
}

/// What a bearer SubjectConfirmation yielded.
pub(super) struct Bearer {
    pub(super) not_on_or_after: OffsetDateTime,
    pub(super) in_response_to: Option<String>,
}

/// SAML Profiles 4.1.4.2: one bearer SubjectConfirmationData with
/// Recipient = ACS URL, NotOnOrAfter in the future (plus skew) and no
/// NotBefore.
pub(super) fn check_bearer(
    doc: &Document,
    sc: NodeId,
    cfg: &SpConfig,
    now: OffsetDateTime,
) -> Result<Bearer, Rejection> {
    // SAML Core 2.4.1.1: at most one SubjectConfirmationData; a second
    // one (another Recipient, say) is refused, never ignored.
    let scd = at_most_one(
        doc,
        sc,
        "SubjectConfirmationData",
        Reason::SubjectConfirmationInvalid,
    )?
    .ok_or_else(|| {
        Rejection::new(
            Reason::SubjectConfirmationInvalid,
            "the bearer SubjectConfirmation has no SubjectConfirmationData",
        )
    })?;
    let recipient = doc.attribute(scd, "Recipient").ok_or_else(|| {
        Rejection::new(
            Reason::SubjectConfirmationInvalid,
            "the bearer SubjectConfirmationData has no Recipient (SAML Profiles 4.1.4.2)",
        )
    })?;
    if recipient != cfg.acs_url {
        return Err(Rejection::mismatch(
            Reason::RecipientMismatch,
            format!(
                "SubjectConfirmationData Recipient is {recipient:?} but this SP's ACS URL is {:?}",
                cfg.acs_url
            ),
            cfg.acs_url.clone(),
            recipient,
        ));
    }
    if doc.attribute(scd, "NotBefore").is_some() {
        return Err(Rejection::new(
            Reason::SubjectConfirmationInvalid,
            "the bearer SubjectConfirmationData has a NotBefore, which SAML Profiles 4.1.4.2 forbids",
        ));
    }
    if doc.attribute(scd, "NotOnOrAfter").is_none() {
        return Err(Rejection::new(
            Reason::SubjectConfirmationInvalid,
            "the bearer SubjectConfirmationData has no NotOnOrAfter (SAML Profiles 4.1.4.2)",
        ));
    }
    let noa = read_instant(doc, scd, "NotOnOrAfter")?;
    // SAML Core 2.4.1.2: NotOnOrAfter is exclusive.
    if at_or_after(now, noa, cfg.allowed_skew) {
        return Err(Rejection::mismatch(
            Reason::SubjectConfirmationExpired,
            format!(
                "the bearer confirmation expired at {} (plus {} s skew); now is {}",
                format_instant(noa),
                cfg.allowed_skew.as_secs(),
                fmt_ms(now)
            ),
            format_instant(noa),
            fmt_ms(now),
        ));
    }
    Ok(Bearer {
        not_on_or_after: noa,
        in_response_to: doc.attribute(scd, "InResponseTo").map(str::to_string),
    })
}

/// Conditions (SAML Core 2.5): the window and the audience. Returns
/// NotOnOrAfter when present.
pub(super) fn check_conditions(
    doc: &Document,
    assertion: NodeId,
    cfg: &SpConfig,
    now: OffsetDateTime,
) -> Result<Option<OffsetDateTime>, Rejection> {
    let conds: Vec<NodeId> = doc
        .children_named(assertion, SAML_ASSERTION_NS, "Conditions")
        .collect();
    let cond =
        match conds.as_slice() {
            [] => {
                return Err(Rejection::mismatch(
                    Reason::AudienceMissing,
                    "the assertion has no Conditions, so no AudienceRestriction",
                    cfg.entity_id.clone(),
                    "(no audience)",
                ))
            }
            [one] => *one,
            _ => return Err(Rejection::new(
                Reason::UnknownCondition,
                "the assertion has more than one Conditions element (SAML Core 2.3.3 allows one)",
            )),
        };
    if doc.attribute(cond, "NotBefore").is_some() {
        let nb = read_instant(doc, cond, "NotBefore")?;
        // SAML Core 2.5.1.2: valid from NotBefore (inclusive).
        if before(now, nb, cfg.allowed_skew) {
            return Err(Rejection::mismatch(
                Reason::AssertionNotYetValid,
                format!(
                    "Conditions NotBefore is {} (minus {} s skew) but now is {}",
                    format_instant(nb),
                    cfg.allowed_skew.as_secs(),
                    fmt_ms(now)
                ),
                format_instant(nb),
                fmt_ms(now),
            ));
        }
    }
    let mut noa = None;
    if doc.attribute(cond, "NotOnOrAfter").is_some() {
        let t = read_instant(doc, cond, "NotOnOrAfter")?;
        // SAML Core 2.5.1.2: NotOnOrAfter is exclusive.
        if at_or_after(now, t, cfg.allowed_skew) {
            return Err(Rejection::mismatch(
                Reason::AssertionExpired,
                format!(
                    "Conditions NotOnOrAfter is {} (plus {} s skew) but now is {}",
                    format_instant(t),
                    cfg.allowed_skew.as_secs(),
                    fmt_ms(now)
                ),
                format_instant(t),
                fmt_ms(now),
            ));
        }
        noa = Some(t);
    }
    let mut restrictions = 0;
    for c in doc.child_elements(cond) {
        if doc.is_named(c, SAML_ASSERTION_NS, "AudienceRestriction") {
            restrictions += 1;
            // SAML Core 2.5.1.4: the SP must be named in every
            // AudienceRestriction (AND across, OR within one).
            let audiences: Vec<String> = doc
                .children_named(c, SAML_ASSERTION_NS, "Audience")
                .map(|a| doc.text(a).trim().to_string())
                .collect();
            if !audiences.contains(&cfg.entity_id) {
                return Err(Rejection::mismatch(
                    Reason::AudienceMismatch,
                    format!(
                        "the assertion's audience is {} but this SP is {:?}",
                        if audiences.is_empty() {
                            "empty".to_string()
                        } else {
                            format!("{audiences:?}")
                        },
                        cfg.entity_id
                    ),
                    cfg.entity_id.clone(),
                    audiences.join(" "),
                ));
            }
        } else if doc.is_named(c, SAML_ASSERTION_NS, "OneTimeUse")
            || doc.is_named(c, SAML_ASSERTION_NS, "ProxyRestriction")
        {
            // OneTimeUse (2.5.1.5) is honoured by the replay cache;
            // ProxyRestriction (2.5.1.6) limits onward assertions, which
            // this SP never issues.
        } else {
            // SAML Core 2.5.1: a condition that is not understood makes
            // the assertion Indeterminate; we refuse it.
            return Err(Rejection::new(
                Reason::UnknownCondition,
                format!(
                    "the Conditions hold {}, which this SP does not understand",
                    doc.describe(c)
                ),
            ));
        }
    }
    if restrictions == 0 {
        return Err(Rejection::mismatch(
            Reason::AudienceMissing,
            "the assertion's Conditions have no AudienceRestriction; this SP requires one naming it \
             (SAML Profiles 4.1.4.2)",
            cfg.entity_id.clone(),
            "(no audience)",
        ));
    }
    Ok(noa)
}

/// The only child `local` (SAML assertion namespace) of `parent`, if any.
/// The schemas allow at most one Issuer (SAML Core 2.3.3, 3.2.2), one
/// Subject (2.3.3) and one identifier in a Subject (2.4.1); reading "the
/// first" of two is how parser differentials start (SECURITY.md I1,
/// MA4), so a second one is refused with `reason`.
pub(super) fn at_most_one(
    doc: &Document,
    parent: NodeId,
    local: &str,
    reason: Reason,
) -> Result<Option<NodeId>, Rejection> {
    let found: Vec<NodeId> = doc
        .children_named(parent, SAML_ASSERTION_NS, local)
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        more => Err(Rejection::new(
            reason,
            format!(
                "{} has {} {local} elements; at most one is allowed (SAML Core 2.3.3, 2.4.1)",
                doc.describe(parent),
                more.len()
            ),
        )),
    }
}
