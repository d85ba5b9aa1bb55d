//! Organization rules: creation, parents, members and roles (ORG-*, PRV-2, DOM-7).

use indexmap::IndexMap;
use uuid::Uuid;

use super::{
    article, Code, Member, Org, OrgKind, ParentOrigin, Role, Sp, SpError, SpResult, SsoState,
};

/// The email's domain, lowercased (`ada@Acme.test` → `acme.test`).
pub(crate) fn email_domain(email: &str) -> Option<String> {
    email
        .rsplit_once('@')
        .map(|(_, d)| d.trim_end_matches('.').to_ascii_lowercase())
}

pub(crate) fn check_email(email: &str) -> SpResult<()> {
    match email.split_once('@') {
        Some((local, domain))
            if !local.is_empty() && domain.contains('.') && !domain.contains('@') =>
        {
            Ok(())
        }
        _ => Err(SpError::new(
            Code::InvalidRequest,
            format!("`{email}` is not an email address"),
        )),
    }
}

impl Sp {
    /// DOM-7: is creating an org or personal account with this email blocked?
    /// Blocked when a parent that verified the email's exact domain has
    /// switched on "disable new organization creation". (Harness decision:
    /// exact domain match; a verified `acme.test` does not cover `eng.acme.test`.)
    fn creation_blocked_by(&self, email: &str) -> Option<String> {
        let domain = email_domain(email)?;
        self.parents.values().find_map(|p| {
            let d = p.domains.get(&domain)?;
            (p.disable_org_creation && d.status == super::DomainStatus::Verified)
                .then(|| domain.clone())
        })
    }

    fn refuse_if_creation_blocked(&self, email: &str, what: &str) -> SpResult<()> {
        if let Some(domain) = self.creation_blocked_by(email) {
            return Err(SpError::new(
                Code::OrgCreationDisabled,
                format!(
                    "{email} cannot create {what}: the organization that verified {domain} has \
                     disabled new organization creation for that domain; ask its owners to add you"
                ),
            ));
        }
        Ok(())
    }

    /// A person creates an organization and becomes its primary owner
    /// (claude.ai) or admin (Console). Enterprise orgs get their parent at
    /// once (ORG-2); Team and Console orgs start without one (ORG-3, ORG-4).
    pub fn create_org(
        &mut self,
        actor: &str,
        kind: OrgKind,
        handle: &str,
        name: &str,
    ) -> SpResult<Uuid> {
        check_email(actor)?;
        self.refuse_if_creation_blocked(actor, &format!("a {kind} organization"))?;
        let role = match kind.surface() {
            super::Surface::Claude => Role::PrimaryOwner,
            super::Surface::Console => Role::ConsoleAdmin,
        };
        self.insert_org(kind, handle, name, vec![(actor.to_string(), role)], None)
    }

    /// World set-up and sales-led provisioning: an operator creates an org
    /// with its members directly. The same invariants hold (one primary owner).
    /// `share_parent_of` links the new org to an existing org's parent
    /// instead (an account structure set up by sales; merges do it in-product).
    pub fn operator_create_org(
        &mut self,
        kind: OrgKind,
        handle: &str,
        name: &str,
        members: Vec<(String, Role)>,
        share_parent_of: Option<Uuid>,
    ) -> SpResult<Uuid> {
        let shared = match share_parent_of {
            Some(other) => {
                let o = self.org(other)?;
                Some(o.parent.ok_or_else(|| {
                    SpError::new(
                        Code::NoParent,
                        format!("{} has no parent organization to share", o.handle),
                    )
                })?)
            }
            None => None,
        };
        for (email, role) in &members {
            check_email(email)?;
            if Role::parse(kind, role.as_str()) != Some(*role) {
                return Err(SpError::new(
                    Code::InvalidRequest,
                    format!("{role} is not a role in a {kind} organization"),
                ));
            }
        }
        if kind.surface() == super::Surface::Claude {
            let primaries = members
                .iter()
                .filter(|(_, r)| *r == Role::PrimaryOwner)
                .count();
            if primaries != 1 {
                return Err(SpError::new(
                    Code::InvalidRoleChange,
                    format!("a {kind} organization has exactly one primary owner, not {primaries}"),
                ));
            }
        } else if !members.iter().any(|(_, r)| *r == Role::ConsoleAdmin) {
            return Err(SpError::new(
                Code::InvalidRoleChange,
                "a console organization needs at least one admin",
            ));
        }
        self.insert_org(kind, handle, name, members, shared)
    }

    fn insert_org(
        &mut self,
        kind: OrgKind,
        handle: &str,
        name: &str,
        members: Vec<(String, Role)>,
        shared_parent: Option<Uuid>,
    ) -> SpResult<Uuid> {
        if self.handles.contains_key(handle) {
            return Err(SpError::new(
                Code::AlreadyExists,
                format!("an organization named `{handle}` already exists"),
            ));
        }
        let id = self.rng.uuid();
        let mut map = IndexMap::new();
        for (email, role) in members {
            let email = email.to_ascii_lowercase();
            if map.contains_key(&email) {
                return Err(SpError::new(
                    Code::AlreadyExists,
                    format!("{email} is listed twice"),
                ));
            }
            map.insert(email.clone(), Member { email, role });
        }
        self.orgs.insert(
            id,
            Org {
                id,
                handle: handle.to_string(),
                name: name.to_string(),
                kind,
                parent: None,
                members: map,
            },
        );
        self.handles.insert(handle.to_string(), id);
        if let Some(p) = shared_parent {
            if let Some(parent) = self.parents.get_mut(&p) {
                parent.orgs.push(id);
            }
            self.org_mut(id)?.parent = Some(p);
        } else if kind == OrgKind::Enterprise {
            let p = self.new_parent(ParentOrigin::EnterpriseDefault, id);
            self.org_mut(id)?.parent = Some(p);
        }
        Ok(id)
    }

    /// DOM-7 also covers personal accounts.
    pub fn create_personal_account(
        &mut self,
        email: &str,
        now: std::time::Duration,
    ) -> SpResult<()> {
        check_email(email)?;
        let email = email.to_ascii_lowercase();
        self.refuse_if_creation_blocked(&email, "a personal account")?;
        if self.personal_accounts.contains_key(&email) {
            return Err(SpError::new(
                Code::AlreadyExists,
                format!("{email} already has a personal account"),
            ));
        }
        self.personal_accounts.insert(email, now);
        Ok(())
    }

    /// PRV-2: admins and above add members (Manual provisioning).
    pub fn add_member(&mut self, actor: &str, org: Uuid, email: &str, role: Role) -> SpResult<()> {
        check_email(email)?;
        let actor_role = self.role_in(org, actor)?;
        self.require_member_admin(org, actor, actor_role, "add members")?;
        let o = self.org(org)?;
        if Role::parse(o.kind, role.as_str()) != Some(role) {
            return Err(SpError::new(
                Code::InvalidRequest,
                format!("{role} is not a role in a {} organization", o.kind),
            ));
        }
        if role == Role::PrimaryOwner {
            return Err(SpError::new(
                Code::InvalidRoleChange,
                "there is exactly one primary owner; use member.transfer_primary to hand it over",
            ));
        }
        // Granting a role at or above one's own needs the right to change roles.
        if role > Role::User && role != Role::Member && !actor_role.changes_roles() {
            return Err(SpError::new(
                Code::PermissionDenied,
                format!(
                    "{actor} is {}; only owners can add members as {role}",
                    article(actor_role.as_str())
                ),
            ));
        }
        let email = email.to_ascii_lowercase();
        let o = self.org_mut(org)?;
        if o.members.contains_key(&email) {
            return Err(SpError::new(
                Code::AlreadyExists,
                format!("{email} is already a member of {}", o.handle),
            ));
        }
        o.members.insert(email.clone(), Member { email, role });
        Ok(())
    }

    fn require_member_admin(&self, org: Uuid, actor: &str, role: Role, what: &str) -> SpResult<()> {
        if role.manages_members() {
            return Ok(());
        }
        let o = self.org(org)?;
        Err(SpError::new(
            Code::PermissionDenied,
            format!(
                "{actor} is {} of {}; only admins and above can {what}",
                article(role.as_str()),
                o.handle
            ),
        ))
    }

    /// PRV-2 / ORG-6: owners (claude.ai) or admins (Console) change roles.
    /// The primary owner's role changes only through a transfer.
    pub fn set_role(&mut self, actor: &str, org: Uuid, email: &str, role: Role) -> SpResult<()> {
        let actor_role = self.role_in(org, actor)?;
        let o = self.org(org)?;
        if !actor_role.changes_roles() {
            let who = match o.kind.surface() {
                super::Surface::Claude => "owners",
                super::Surface::Console => "admins",
            };
            return Err(SpError::new(
                Code::PermissionDenied,
                format!(
                    "{actor} is {} of {}; only {who} can change roles",
                    article(actor_role.as_str()),
                    o.handle
                ),
            ));
        }
        if Role::parse(o.kind, role.as_str()) != Some(role) {
            return Err(SpError::new(
                Code::InvalidRequest,
                format!("{role} is not a role in a {} organization", o.kind),
            ));
        }
        let email = email.to_ascii_lowercase();
        let current = o.role_of(&email).ok_or_else(|| {
            SpError::new(
                Code::UnknownMember,
                format!("{email} is not a member of {}", o.handle),
            )
        })?;
        if current == Role::PrimaryOwner || role == Role::PrimaryOwner {
            return Err(SpError::new(
                Code::InvalidRoleChange,
                "the primary owner changes only by transfer (member.transfer_primary, by the primary owner)",
            ));
        }
        if current == Role::ConsoleAdmin
            && role != Role::ConsoleAdmin
            && self.console_admins(org)? == 1
        {
            return Err(SpError::new(
                Code::InvalidRoleChange,
                format!(
                    "{email} is the last admin of {}; make someone else admin first",
                    o.handle
                ),
            ));
        }
        if let Some(m) = self.org_mut(org)?.members.get_mut(&email) {
            m.role = role;
        }
        Ok(())
    }

    fn console_admins(&self, org: Uuid) -> SpResult<usize> {
        Ok(self
            .org(org)?
            .members
            .values()
            .filter(|m| m.role == Role::ConsoleAdmin)
            .count())
    }

    /// PRV-2: admins and above remove members. Nobody removes the primary
    /// owner, and a Console org keeps at least one admin.
    pub fn remove_member(&mut self, actor: &str, org: Uuid, email: &str) -> SpResult<()> {
        let actor_role = self.role_in(org, actor)?;
        self.require_member_admin(org, actor, actor_role, "remove members")?;
        let email = email.to_ascii_lowercase();
        let o = self.org(org)?;
        let role = o.role_of(&email).ok_or_else(|| {
            SpError::new(
                Code::UnknownMember,
                format!("{email} is not a member of {}", o.handle),
            )
        })?;
        if role == Role::PrimaryOwner {
            return Err(SpError::new(
                Code::InvalidRoleChange,
                "the primary owner cannot be removed; transfer primary ownership first",
            ));
        }
        // An admin may not remove someone ranked above them (claude.ai).
        if role > actor_role && o.kind.surface() == super::Surface::Claude {
            return Err(SpError::new(
                Code::PermissionDenied,
                format!(
                    "{actor} is {}; they cannot remove {}",
                    article(actor_role.as_str()),
                    article(role.as_str())
                ),
            ));
        }
        if role == Role::ConsoleAdmin && self.console_admins(org)? == 1 {
            return Err(SpError::new(
                Code::InvalidRoleChange,
                format!("{email} is the last admin of {}", o.handle),
            ));
        }
        self.org_mut(org)?.members.shift_remove(&email);
        Ok(())
    }

    /// ORG-6: exactly one primary owner; only they hand the role over.
    pub fn transfer_primary(&mut self, actor: &str, org: Uuid, to: &str) -> SpResult<()> {
        let actor_role = self.role_in(org, actor)?;
        let o = self.org(org)?;
        if o.kind.surface() != super::Surface::Claude {
            return Err(SpError::new(
                Code::WrongOrgKind,
                "console organizations have no primary owner",
            ));
        }
        if actor_role != Role::PrimaryOwner {
            return Err(SpError::new(
                Code::PermissionDenied,
                format!(
                    "only the primary owner can transfer primary ownership; {actor} is {}",
                    article(actor_role.as_str())
                ),
            ));
        }
        let to = to.to_ascii_lowercase();
        if o.role_of(&to).is_none() {
            return Err(SpError::new(
                Code::UnknownMember,
                format!("{to} is not a member of {}", o.handle),
            ));
        }
        let actor = actor.to_ascii_lowercase();
        let o = self.org_mut(org)?;
        for m in o.members.values_mut() {
            if m.email == to {
                m.role = Role::PrimaryOwner;
            } else if m.email == actor {
                m.role = Role::Owner;
            }
        }
        Ok(())
    }

    /// "Setup SSO". On a Team org this first SSO act creates its parent (ORG-3).
    /// The IdP connection itself is configured by the SAML layer.
    pub fn setup_sso(&mut self, actor: &str, org: Uuid) -> SpResult<Uuid> {
        self.require_identity_admin(org, actor)?;
        let o = self.org(org)?;
        let parent = match (o.parent, o.kind) {
            (Some(p), _) => p,
            (None, OrgKind::Team) => {
                let p = self.new_parent(ParentOrigin::SsoSetup, org);
                self.org_mut(org)?.parent = Some(p);
                p
            }
            (None, _) => self.parent_for_identity(org)?,
        };
        if let Some(p) = self.parents.get_mut(&parent) {
            p.sso = SsoState::AwaitingIdpMetadata;
        }
        Ok(parent)
    }

    /// ORG-4: an operator action standing for a sales request gives a
    /// Console org its own parent.
    pub fn operator_create_parent(&mut self, org: Uuid) -> SpResult<Uuid> {
        let o = self.org(org)?;
        match (o.kind, o.parent) {
            (_, Some(_)) => Err(SpError::new(
                Code::AlreadyExists,
                format!("{} already has a parent organization", o.handle),
            )),
            (OrgKind::Console, None) => {
                let p = self.new_parent(ParentOrigin::Operator, org);
                self.org_mut(org)?.parent = Some(p);
                Ok(p)
            }
            (OrgKind::Team, None) => Err(SpError::new(
                Code::WrongOrgKind,
                format!(
                    "{} is a team organization: its parent is created when an owner sets up SSO",
                    o.handle
                ),
            )),
            (OrgKind::Enterprise, None) => Err(SpError::new(
                Code::WrongOrgKind,
                format!(
                    "{} is an enterprise organization and gets its parent at creation",
                    o.handle
                ),
            )),
        }
    }

    /// DOM-7: the "Disable new organization creation" toggle.
    pub fn set_disable_org_creation(
        &mut self,
        actor: &str,
        org: Uuid,
        disabled: bool,
    ) -> SpResult<()> {
        self.require_identity_admin(org, actor)?;
        let parent = self.parent_for_identity(org)?;
        let p = self
            .parents
            .get_mut(&parent)
            .ok_or_else(|| SpError::new(Code::NoParent, "parent organization vanished"))?;
        if disabled
            && !p
                .domains
                .values()
                .any(|d| d.status == super::DomainStatus::Verified)
        {
            return Err(SpError::new(
                Code::NoVerifiedDomain,
                "\"Disable new organization creation\" needs at least one verified domain",
            ));
        }
        p.disable_org_creation = disabled;
        Ok(())
    }

    pub(crate) fn org_by_id_or_handle(&self, key: &str) -> SpResult<&Org> {
        if let Some(o) = self.org_by_handle(key) {
            return Ok(o);
        }
        Uuid::parse_str(key)
            .ok()
            .and_then(|id| self.orgs.get(&id))
            .ok_or_else(|| {
                SpError::new(
                    Code::UnknownOrganization,
                    format!("no organization `{key}`"),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Rng, DEFAULT_EPOCH};

    #[test]
    fn email_domain_is_lowercased() {
        assert_eq!(email_domain("Ada@Acme.Test"), Some("acme.test".into()));
        assert_eq!(email_domain("nobody"), None);
    }

    #[test]
    fn only_the_primary_owner_is_never_granted_by_add() {
        let mut sp = Sp::new(Rng::new(1), DEFAULT_EPOCH);
        let org = sp
            .create_org("ada@acme.test", OrgKind::Team, "acme", "Acme")
            .unwrap();
        let err = sp
            .add_member("ada@acme.test", org, "bob@acme.test", Role::PrimaryOwner)
            .unwrap_err();
        assert_eq!(err.code, Code::InvalidRoleChange);
    }
}
