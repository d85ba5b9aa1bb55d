//! The domain memberships report (DOM-6), as JSON and CSV.
//!
//! For each verified domain of the parent: every organization in the product
//! with at least one member whose email is on that exact domain, with the
//! count and the members. Organizations outside the parent are listed too —
//! finding them is the point of the report (they are merge candidates).

use serde::Serialize;
use uuid::Uuid;

use super::orgs::email_domain;
use super::{DomainStatus, OrgKind, Role, Sp, SpResult};

#[derive(Clone, Debug, Serialize)]
pub struct MembershipReport {
    pub domains: Vec<DomainMemberships>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DomainMemberships {
    pub domain: String,
    pub organizations: Vec<OrgMemberships>,
}

#[derive(Clone, Debug, Serialize)]
pub struct OrgMemberships {
    pub id: Uuid,
    pub name: String,
    pub kind: OrgKind,
    /// Whether the organization already shares this parent.
    pub in_this_parent: bool,
    pub member_count: usize,
    pub members: Vec<ReportMember>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReportMember {
    pub email: String,
    pub role: Role,
}

impl Sp {
    pub fn memberships_report(&self, actor: &str, org: Uuid) -> SpResult<MembershipReport> {
        self.require_identity_admin(org, actor)?;
        let parent_id = self.parent_for_identity(org)?;
        let Some(parent) = self.parent(parent_id) else {
            return Ok(MembershipReport { domains: vec![] });
        };
        let domains = parent
            .domains
            .values()
            .filter(|d| d.status == DomainStatus::Verified)
            .map(|d| DomainMemberships {
                domain: d.name.clone(),
                organizations: self
                    .orgs()
                    .filter_map(|o| {
                        let members: Vec<ReportMember> = o
                            .members
                            .values()
                            .filter(|m| email_domain(&m.email).as_deref() == Some(d.name.as_str()))
                            .map(|m| ReportMember {
                                email: m.email.clone(),
                                role: m.role,
                            })
                            .collect();
                        (!members.is_empty()).then(|| OrgMemberships {
                            id: o.id,
                            name: o.name.clone(),
                            kind: o.kind,
                            in_this_parent: o.parent == Some(parent_id),
                            member_count: members.len(),
                            members,
                        })
                    })
                    .collect(),
            })
            .collect();
        Ok(MembershipReport { domains })
    }
}

impl MembershipReport {
    pub const CSV_HEADER: &'static str =
        "domain,organization_id,organization_name,organization_kind,in_this_parent,member_count,member_email,member_role";

    /// One row per (domain, organization, member), RFC 4180 quoting.
    pub fn to_csv(&self) -> String {
        let mut out = String::from(Self::CSV_HEADER);
        out.push_str("\r\n");
        for d in &self.domains {
            for o in &d.organizations {
                for m in &o.members {
                    let row = [
                        d.domain.clone(),
                        o.id.to_string(),
                        o.name.clone(),
                        o.kind.to_string(),
                        o.in_this_parent.to_string(),
                        o.member_count.to_string(),
                        m.email.clone(),
                        m.role.to_string(),
                    ];
                    let cells: Vec<String> = row.iter().map(|c| csv_cell(c)).collect();
                    out.push_str(&cells.join(","));
                    out.push_str("\r\n");
                }
            }
        }
        out
    }
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_commas_and_quotes() {
        assert_eq!(csv_cell("Acme, Inc. \"HQ\""), "\"Acme, Inc. \"\"HQ\"\"\"");
        assert_eq!(csv_cell("plain"), "plain");
    }
}
