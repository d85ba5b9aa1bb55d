//! The product under simulation: organizations, parents, members, domains
//! and (in later layers) SSO, provisioning and group mappings.
//!
//! **Architecture Invariant:** the core ([`Sp`]) is sans-IO. It holds state
//! and rules; virtual time comes in as an argument; DNS answers come in as
//! data ([`TxtAnswer`]); what must happen later comes out as [`Effect`]s.
//! `server.rs` is the only file here that touches sockets: it moves HTTP
//! bytes in and out of the core and performs the DNS lookups the core asks for.

pub mod api;
mod domains;
pub mod error;
mod membership;
pub mod model;
mod orgs;
pub mod server;
pub mod views;

use std::collections::BTreeMap;
use std::time::Duration;

use indexmap::IndexMap;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::sim::Rng;
pub use domains::{check_schedule, DnsCheck, TxtAnswer, RECORD_PREFIX, TOKEN_PREFIX};
pub use error::{Code, SpError, SpResult};
pub use membership::MembershipReport;
pub use model::*;

/// Something the core wants done later, on the virtual clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Re-check a pending domain at `at` (elapsed virtual time).
    CheckDomain { at: Duration, check: DnsCheck },
}

/// The SP's whole state.
#[derive(Debug)]
pub struct Sp {
    rng: Rng,
    epoch: OffsetDateTime,
    orgs: IndexMap<Uuid, Org>,
    handles: BTreeMap<String, Uuid>,
    parents: IndexMap<Uuid, Parent>,
    /// Personal (individual) accounts, by email, with their creation time.
    personal_accounts: IndexMap<String, Duration>,
    effects: Vec<Effect>,
    /// Source of `Domain::generation`.
    generation_next: u64,
    /// Browser sessions: token → signed-in email.
    sessions: BTreeMap<String, Session>,
}

/// A signed-in browser session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub email: String,
    pub surface: Surface,
    /// How the user signed in: `email` (non-SSO) for now; SSO comes with SAML.
    pub method: &'static str,
}

impl Sp {
    pub fn new(rng: Rng, epoch: OffsetDateTime) -> Sp {
        Sp {
            rng,
            epoch,
            orgs: IndexMap::new(),
            handles: BTreeMap::new(),
            parents: IndexMap::new(),
            personal_accounts: IndexMap::new(),
            effects: Vec::new(),
            generation_next: 0,
            sessions: BTreeMap::new(),
        }
    }

    /// Effects produced since the last call, in the order they arose.
    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    pub fn orgs(&self) -> impl Iterator<Item = &Org> {
        self.orgs.values()
    }

    pub fn parents(&self) -> impl Iterator<Item = &Parent> {
        self.parents.values()
    }

    pub fn personal_accounts(&self) -> impl Iterator<Item = &str> {
        self.personal_accounts.keys().map(String::as_str)
    }

    pub fn org(&self, id: Uuid) -> SpResult<&Org> {
        self.orgs
            .get(&id)
            .ok_or_else(|| SpError::new(Code::UnknownOrganization, format!("no organization {id}")))
    }

    pub fn org_by_handle(&self, handle: &str) -> Option<&Org> {
        self.handles.get(handle).and_then(|id| self.orgs.get(id))
    }

    pub fn parent(&self, id: Uuid) -> Option<&Parent> {
        self.parents.get(&id)
    }

    /// Non-SSO sign-in (the emailed magic link, already clicked): opens a
    /// session. SSO enforcement, when it arrives, refuses this path (SSO-3).
    pub fn login_with_email(&mut self, email: &str, surface: Surface) -> SpResult<String> {
        orgs::check_email(email)?;
        let token = self.rng.hex(16);
        self.sessions.insert(
            token.clone(),
            Session {
                email: email.to_ascii_lowercase(),
                surface,
                method: "email",
            },
        );
        Ok(token)
    }

    /// The session behind a cookie, or `not-signed-in`.
    pub fn session(&self, token: &str) -> SpResult<&Session> {
        self.sessions
            .get(token)
            .ok_or_else(|| SpError::new(Code::NotSignedIn, "no valid session: sign in first"))
    }

    /// An absolute instant for an elapsed virtual time.
    pub fn instant(&self, elapsed: Duration) -> OffsetDateTime {
        self.epoch + elapsed
    }

    fn org_mut(&mut self, id: Uuid) -> SpResult<&mut Org> {
        self.orgs
            .get_mut(&id)
            .ok_or_else(|| SpError::new(Code::UnknownOrganization, format!("no organization {id}")))
    }

    /// The acting user's role in `org`, or `not-a-member`.
    pub(crate) fn role_in(&self, org: Uuid, actor: &str) -> SpResult<Role> {
        let o = self.org(org)?;
        o.role_of(actor).ok_or_else(|| {
            SpError::new(
                Code::NotAMember,
                format!("{actor} is not a member of {} ({})", o.handle, o.name),
            )
        })
    }

    /// ORG-6: only owners and primary owners (claude.ai) or admins (Console)
    /// may change identity settings.
    pub(crate) fn require_identity_admin(&self, org: Uuid, actor: &str) -> SpResult<Role> {
        let role = self.role_in(org, actor)?;
        if role.manages_identity() {
            return Ok(role);
        }
        let o = self.org(org)?;
        let who = match o.kind.surface() {
            Surface::Claude => "an owner or the primary owner",
            Surface::Console => "an admin",
        };
        Err(SpError::new(
            Code::PermissionDenied,
            format!(
                "{actor} is {} of {}; identity settings can only be changed by {who}",
                article(role.as_str()),
                o.handle
            ),
        ))
    }

    /// The parent holding `org`'s identity settings (ORG-5), or an error that
    /// says why there is none and what to do (ORG-3, ORG-4).
    pub(crate) fn parent_for_identity(&self, org: Uuid) -> SpResult<Uuid> {
        let o = self.org(org)?;
        match (o.parent, o.kind) {
            (Some(p), _) => Ok(p),
            (None, OrgKind::Team) => Err(SpError::new(
                Code::NoParent,
                format!(
                    "team organization {} has no parent organization yet: click \"Setup SSO\" \
                     (sso.setup) to create it, then manage domains",
                    o.handle
                ),
            )),
            (None, OrgKind::Console) => Err(SpError::new(
                Code::NoParent,
                format!(
                    "console organization {} has no parent organization, so it has no identity \
                     settings: ask sales to create a parent (operator: parent.create), or have an \
                     owner of a Team or Enterprise organization invite it to merge into theirs",
                    o.handle
                ),
            )),
            // ORG-2 makes this unreachable for well-formed state; say so rather than panic.
            (None, OrgKind::Enterprise) => Err(SpError::new(
                Code::NoParent,
                format!("enterprise organization {} has lost its parent", o.handle),
            )),
        }
    }

    fn new_parent(&mut self, origin: ParentOrigin, org: Uuid) -> Uuid {
        let id = self.rng.uuid();
        self.parents.insert(
            id,
            Parent {
                id,
                origin,
                orgs: vec![org],
                domains: IndexMap::new(),
                disable_org_creation: false,
                sso: SsoState::NotStarted,
            },
        );
        id
    }
}

/// "a user", "an admin", "an owner".
pub(crate) fn article(word: &str) -> String {
    let first = word.chars().next().unwrap_or('x');
    let role = word.replace('_', " ");
    if "aeiou".contains(first) {
        format!("an {role}")
    } else {
        format!("a {role}")
    }
}
