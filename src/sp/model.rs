//! The SP's nouns: organizations, parents, members, roles, domains.
//!
//! Plain data; the rules that change it live in `orgs.rs` and `domains.rs`.

use std::fmt;
use std::time::Duration;

use indexmap::IndexMap;
use serde::Serialize;
use uuid::Uuid;

/// The three kinds of organization (ORG-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OrgKind {
    Team,
    Enterprise,
    Console,
}

impl OrgKind {
    pub const NAMES: [&'static str; 3] = ["team", "enterprise", "console"];

    pub fn parse(s: &str) -> Option<OrgKind> {
        match s {
            "team" => Some(OrgKind::Team),
            "enterprise" => Some(OrgKind::Enterprise),
            "console" => Some(OrgKind::Console),
            _ => None,
        }
    }

    pub fn surface(self) -> Surface {
        match self {
            OrgKind::Team | OrgKind::Enterprise => Surface::Claude,
            OrgKind::Console => Surface::Console,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Team => "team",
            OrgKind::Enterprise => "enterprise",
            OrgKind::Console => "console",
        }
    }
}

impl fmt::Display for OrgKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The two product surfaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Surface {
    Claude,
    Console,
}

impl Surface {
    /// The virtual host name of the surface, as transcripts show it.
    pub fn host(self) -> &'static str {
        match self {
            Surface::Claude => "claude.ai",
            Surface::Console => "platform.claude.com",
        }
    }

    pub fn from_host(host: &str) -> Option<Surface> {
        match host {
            "claude.ai" => Some(Surface::Claude),
            "platform.claude.com" | "console.anthropic.com" => Some(Surface::Console),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Surface::Claude => "claude",
            Surface::Console => "console",
        }
    }
}

/// Roles (ORG-6). claude.ai: primary owner > owner > admin > user.
/// Console: admin > member. The derived order is the rank within a surface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    // claude.ai roles, lowest first.
    User,
    Admin,
    Owner,
    PrimaryOwner,
    // Console roles, lowest first.
    Member,
    ConsoleAdmin,
}

impl Role {
    pub fn names_for(kind: OrgKind) -> &'static [&'static str] {
        match kind.surface() {
            Surface::Claude => &["user", "admin", "owner", "primary_owner"],
            Surface::Console => &["member", "admin"],
        }
    }

    /// Parses a role name as the admin pages of `kind` call it.
    pub fn parse(kind: OrgKind, s: &str) -> Option<Role> {
        match (kind.surface(), s) {
            (Surface::Claude, "user") => Some(Role::User),
            (Surface::Claude, "admin") => Some(Role::Admin),
            (Surface::Claude, "owner") => Some(Role::Owner),
            (Surface::Claude, "primary_owner") => Some(Role::PrimaryOwner),
            (Surface::Console, "member") => Some(Role::Member),
            (Surface::Console, "admin") => Some(Role::ConsoleAdmin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Admin | Role::ConsoleAdmin => "admin",
            Role::Owner => "owner",
            Role::PrimaryOwner => "primary_owner",
            Role::Member => "member",
        }
    }

    /// May change identity settings: domains, SSO, org creation (ORG-6).
    pub fn manages_identity(self) -> bool {
        matches!(self, Role::Owner | Role::PrimaryOwner | Role::ConsoleAdmin)
    }

    /// May add and remove members (PRV-2: admins and above).
    pub fn manages_members(self) -> bool {
        matches!(
            self,
            Role::Admin | Role::Owner | Role::PrimaryOwner | Role::ConsoleAdmin
        )
    }

    /// May change other members' roles (claude.ai: owners; Console: admins).
    pub fn changes_roles(self) -> bool {
        self.manages_identity()
    }
}

/// Roles are shown as each surface names them (a Console admin is `admin`).
impl Serialize for Role {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Member {
    pub email: String,
    pub role: Role,
}

#[derive(Clone, Debug)]
pub struct Org {
    pub id: Uuid,
    /// The scenario's name for the org (`acme`); unique within a world.
    pub handle: String,
    pub name: String,
    pub kind: OrgKind,
    pub parent: Option<Uuid>,
    /// Members in the order they joined.
    pub members: IndexMap<String, Member>,
}

impl Org {
    /// The first 8 hex characters of the id, as used in group names (ORG-1).
    pub fn org8(&self) -> String {
        self.id.simple().to_string()[..8].to_string()
    }

    pub fn role_of(&self, email: &str) -> Option<Role> {
        self.members.get(email).map(|m| m.role)
    }
}

/// Why a parent organization exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ParentOrigin {
    /// Enterprise orgs are created with one (ORG-2).
    EnterpriseDefault,
    /// A Team org's first SSO setup created it (ORG-3).
    SsoSetup,
    /// An operator created it for a Console org (ORG-4, sales request).
    Operator,
}

#[derive(Clone, Debug)]
pub struct Parent {
    pub id: Uuid,
    pub origin: ParentOrigin,
    /// Linked organizations, in the order they joined.
    pub orgs: Vec<Uuid>,
    pub domains: IndexMap<String, Domain>,
    /// DOM-7: "Disable new organization creation".
    pub disable_org_creation: bool,
    /// SSO setup state (ORG-3); the IdP connection itself arrives with SAML.
    pub sso: SsoState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SsoState {
    NotStarted,
    /// "Setup SSO" was clicked; the parent waits for the IdP's metadata.
    AwaitingIdpMetadata,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DomainStatus {
    Pending,
    Verified,
    Failed,
}

#[derive(Clone, Debug)]
pub struct Domain {
    pub name: String,
    pub status: DomainStatus,
    /// Where the TXT record must be published.
    pub record_name: String,
    /// The exact TXT value expected there.
    pub record_value: String,
    pub added_at: Duration,
    pub verified_at: Option<Duration>,
    /// The outcome of the most recent check, in words.
    pub last_check: Option<CheckResult>,
    pub checks: u32,
    /// Bumped on every (re-)add so that stale scheduled re-checks are ignored.
    pub generation: u64,
}

/// What one DNS check of a pending domain found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "result")]
pub enum CheckResult {
    Verified,
    /// No TXT record at all at the record name (NXDOMAIN or NODATA).
    NoRecord,
    /// TXT records exist at the name, none with the expected value.
    WrongValue {
        found: Vec<String>,
    },
    /// Another parent verified the domain first (DOM-4), whatever DNS says.
    HeldByAnotherParent,
    /// The DNS server could not be asked.
    DnsError {
        message: String,
    },
}

impl CheckResult {
    pub fn describe(&self) -> String {
        match self {
            CheckResult::Verified => "verified".into(),
            CheckResult::NoRecord => "no TXT record at the record name yet".into(),
            CheckResult::WrongValue { found } => {
                format!(
                    "TXT found but not the expected value (found {})",
                    found.join(", ")
                )
            }
            CheckResult::HeldByAnotherParent => {
                "another parent organization has already verified this domain".into()
            }
            CheckResult::DnsError { message } => format!("DNS lookup failed: {message}"),
        }
    }
}
