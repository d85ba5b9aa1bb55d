//! What the admin API shows: serializable views of the core's state.

use std::time::Duration;

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    CheckResult, Domain, DomainStatus, Member, Org, OrgKind, Parent, ParentOrigin, SsoState,
};

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

#[derive(Clone, Debug, Serialize)]
pub struct TxtRecordView {
    #[serde(rename = "type")]
    pub rtype: &'static str,
    pub name: String,
    pub value: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct DomainView {
    pub domain: String,
    pub status: DomainStatus,
    pub record: TxtRecordView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_at: Option<String>,
    pub checks: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_check: Option<String>,
}

impl DomainView {
    pub fn new(d: &Domain, instant: impl Fn(Duration) -> OffsetDateTime) -> DomainView {
        DomainView {
            domain: d.name.clone(),
            status: d.status,
            record: TxtRecordView {
                rtype: "TXT",
                name: d.record_name.clone(),
                value: d.record_value.clone(),
            },
            verified_at: d.verified_at.map(|t| rfc3339(instant(t))),
            checks: d.checks,
            last_check: d.last_check.as_ref().map(CheckResult::describe),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct OrgView {
    pub id: Uuid,
    pub handle: String,
    pub name: String,
    pub kind: OrgKind,
    pub org8: String,
    pub parent: Option<Uuid>,
    pub members: Vec<Member>,
}

impl OrgView {
    pub fn new(o: &Org) -> OrgView {
        OrgView {
            id: o.id,
            handle: o.handle.clone(),
            name: o.name.clone(),
            kind: o.kind,
            org8: o.org8(),
            parent: o.parent,
            members: o.members.values().cloned().collect(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ParentView {
    pub id: Uuid,
    pub origin: ParentOrigin,
    pub organizations: Vec<String>,
    pub sso: SsoState,
    pub disable_org_creation: bool,
}

impl ParentView {
    pub fn new(p: &Parent, handle_of: impl Fn(Uuid) -> String) -> ParentView {
        ParentView {
            id: p.id,
            origin: p.origin,
            organizations: p.orgs.iter().map(|o| handle_of(*o)).collect(),
            sso: p.sso,
            disable_org_creation: p.disable_org_creation,
        }
    }
}
