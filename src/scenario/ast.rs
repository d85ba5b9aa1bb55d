//! A scenario, typed: the world it starts from and the steps it takes.
//! Every step keeps its source span so failures point at the line.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;
use time::OffsetDateTime;

use super::yaml::Span;
use crate::sp::{OrgKind, Surface};

#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub covers: Vec<String>,
    pub description: String,
    pub world: WorldSpec,
    pub steps: Vec<Step>,
}

#[derive(Clone, Debug)]
pub struct WorldSpec {
    pub seed: u64,
    pub start: OffsetDateTime,
    /// The scenario fails with exit code 4 if virtual time would pass this.
    pub time_limit: Duration,
    pub orgs: Vec<OrgSpec>,
    pub dns: DnsSpec,
}

#[derive(Clone, Debug)]
pub struct OrgSpec {
    pub handle: String,
    pub kind: OrgKind,
    pub name: String,
    /// (email, role name) in order; the first is the owner.
    pub members: Vec<(String, String)>,
    /// Shares this earlier org's parent from the start (`parent: acme`).
    pub shares_parent_of: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct DnsSpec {
    /// Default delay before a published record becomes visible.
    pub propagation: Duration,
    pub zones: Vec<ZoneSpec>,
}

#[derive(Clone, Debug)]
pub enum ZoneSpec {
    /// An empty zone for this origin (SOA and NS synthesised).
    Empty { origin: String, span: Span },
    /// A zone read from an RFC 1035 master file (path relative to the scenario).
    File { path: PathBuf, span: Span },
}

#[derive(Clone, Debug)]
pub struct Step {
    pub span: Span,
    /// The step's action key as written (`domain.add`), for transcripts.
    pub keyword: String,
    /// The step's arguments as written, in flow style (`{org: acme, domain: acme.test}`).
    pub args: String,
    pub actor: Option<String>,
    pub action: Action,
    pub expect: Option<Expect>,
}

/// What a step does. Admin actions act through the SP's admin API as `actor`.
#[derive(Clone, Debug)]
pub enum Action {
    Advance(Duration),
    Login {
        user: String,
        surface: Surface,
    },
    Signup {
        email: String,
    },
    OrgCreate {
        handle: String,
        kind: OrgKind,
        name: String,
    },
    OrgShow {
        org: String,
    },
    MemberAdd {
        org: String,
        email: String,
        role: String,
    },
    MemberRole {
        org: String,
        email: String,
        role: String,
    },
    MemberRemove {
        org: String,
        email: String,
    },
    TransferPrimary {
        org: String,
        to: String,
    },
    SsoSetup {
        org: String,
    },
    /// Operator action standing for a sales request (ORG-4).
    ParentCreate {
        org: String,
    },
    IdentityShow {
        org: String,
    },
    DomainAdd {
        org: String,
        domain: String,
    },
    DomainRefresh {
        org: String,
        domain: String,
    },
    DomainRemove {
        org: String,
        domain: String,
    },
    DomainList {
        org: String,
    },
    DomainReport {
        org: String,
        format: ReportFormat,
    },
    OrgCreation {
        org: String,
        disabled: bool,
    },
    /// Publish the TXT record the SP asked for `domain` (asked of `org`'s
    /// parent, when several parents added it) — at its record name,
    /// or at `name` (a placement mistake), with `value` (a wrong token).
    /// `split` publishes the value as two character-strings, cut after the
    /// `verification_token=` prefix (a DNS console's way of quoting).
    DnsPublish {
        domain: String,
        org: Option<String>,
        name: Option<String>,
        value: Option<String>,
        delay: Option<Duration>,
        split: bool,
    },
    /// Publish an arbitrary TXT record (one or several strings).
    DnsTxt {
        name: String,
        strings: Vec<String>,
        delay: Option<Duration>,
    },
    /// Remove every TXT record at a name (after the propagation delay).
    DnsWithdraw {
        name: String,
        delay: Option<Duration>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    Json,
    Csv,
}

/// What a step's outcome must look like.
#[derive(Clone, Debug)]
pub struct Expect {
    pub span: Span,
    /// `error: <code>`: the step must be refused with this code.
    pub error: Option<String>,
    /// `contains: text`: the response body must contain this text.
    pub contains: Vec<String>,
    /// Every other key: a subset pattern over the response JSON.
    pub fields: serde_json::Map<String, Value>,
    /// `expect: [ … ]`: a pattern for a response that is a list.
    pub list: Option<Value>,
}
