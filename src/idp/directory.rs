//! The mock IdP's directory: users, groups and who is assigned to the app.
//!
//! Assignment is the #1 cause of "I can't log in" tickets: a user who is
//! neither assigned to the app directly nor through one of their groups is
//! refused by the IdP itself, before any SAML is sent (Okta "not assigned
//! this app", Entra AADSTS50105). The directory answers that question with
//! [`Directory::access`]; the core turns the answer into a page.
//!
//! Object ids (Entra's group and user GUIDs) are drawn from the seeded
//! [`Rng`] in file order, so the same users file and seed always give the
//! same GUIDs.

use indexmap::IndexMap;
use uuid::Uuid;

use crate::sim::Rng;

/// Whether the user may sign in at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserStatus {
    Active,
    /// Okta "Suspended", Entra `accountEnabled=false`, Google "Suspended":
    /// the IdP refuses the sign-in.
    Suspended,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Suspended => "suspended",
        }
    }
}

/// One person in the directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// The primary email (Okta `user.email`, Entra `mail`, Google primary email).
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub display_name: String,
    pub status: UserStatus,
    /// Direct group memberships, by name, in the order given.
    pub groups: Vec<String>,
    /// Entra's userPrincipalName when it differs from `email` (VENDORS.md
    /// §4 "Entra SSO/SCIM email mismatch", §6 case 9). `None` means the UPN
    /// is the email.
    pub upn: Option<String>,
    /// Assigned to the app directly (not counting group assignment).
    pub assigned: bool,
    /// Entra object id (`…/claims/objectidentifier`), drawn from the rng.
    pub object_id: Uuid,
}

impl User {
    /// The user principal name: `upn` if set, else the email.
    pub fn upn(&self) -> &str {
        self.upn.as_deref().unwrap_or(&self.email)
    }
}

/// A directory group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub name: String,
    /// Entra group object id: the value of the groups claim by default
    /// (VENDORS.md 2.1.2).
    pub object_id: Uuid,
    /// Assigning a group to the app assigns its (direct) members.
    pub assigned: bool,
    /// Parent groups this group is nested in, by name.
    pub member_of: Vec<String>,
}

/// How a user reaches the app, or why they do not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Access {
    /// Assigned directly.
    Direct,
    /// Assigned through this group (the first assigned group, in the
    /// user's order).
    ViaGroup(String),
    NotAssigned,
    Suspended,
    UnknownUser,
}

impl Access {
    pub fn allowed(&self) -> bool {
        matches!(self, Access::Direct | Access::ViaGroup(_))
    }
}

/// What a caller gives to add a user; names default from the email.
#[derive(Clone, Debug, Default)]
pub struct NewUser {
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub display_name: Option<String>,
    pub suspended: bool,
    pub groups: Vec<String>,
    pub upn: Option<String>,
    /// `None` = assigned directly (the default).
    pub assigned: Option<bool>,
    pub object_id: Option<Uuid>,
}

impl NewUser {
    pub fn new(email: &str) -> NewUser {
        NewUser {
            email: email.to_string(),
            ..NewUser::default()
        }
    }

    pub fn groups(mut self, groups: &[&str]) -> NewUser {
        self.groups = groups.iter().map(|g| g.to_string()).collect();
        self
    }

    pub fn unassigned(mut self) -> NewUser {
        self.assigned = Some(false);
        self
    }
}

/// Users and groups, in the order they were added (which is the order they
/// reach output).
#[derive(Clone, Debug, Default)]
pub struct Directory {
    /// By lowercased email.
    users: IndexMap<String, User>,
    groups: IndexMap<String, Group>,
}

impl Directory {
    pub fn new() -> Directory {
        Directory::default()
    }

    /// The directory used when `ssosim idp serve` is given no `--users`:
    ///
    /// | email | groups | |
    /// |---|---|---|
    /// | ada@acme.test | anthropic-claudeai-1a2b3c4d-owner, Engineering | assigned |
    /// | grace@acme.test | Engineering | assigned through Engineering |
    /// | bob@acme.test | — | not assigned (refused at SSO) |
    /// | linus@acme.test | Engineering | suspended |
    pub fn builtin(rng: &mut Rng) -> Directory {
        let mut d = Directory::new();
        d.add_group("Engineering", true, rng);
        d.add_user(
            NewUser {
                first_name: Some("Ada".into()),
                last_name: Some("Lovelace".into()),
                ..NewUser::new("ada@acme.test")
                    .groups(&["anthropic-claudeai-1a2b3c4d-owner", "Engineering"])
            },
            rng,
        );
        d.add_user(
            NewUser {
                first_name: Some("Grace".into()),
                last_name: Some("Hopper".into()),
                ..NewUser::new("grace@acme.test")
                    .groups(&["Engineering"])
                    .unassigned()
            },
            rng,
        );
        d.add_user(NewUser::new("bob@acme.test").unassigned(), rng);
        d.add_user(
            NewUser {
                first_name: Some("Linus".into()),
                last_name: Some("Torvalds".into()),
                suspended: true,
                ..NewUser::new("linus@acme.test").groups(&["Engineering"])
            },
            rng,
        );
        d
    }

    /// Adds (or updates the assignment of) a group. A group named by a user
    /// but never declared is added unassigned.
    pub fn add_group(&mut self, name: &str, assigned: bool, rng: &mut Rng) -> &mut Group {
        self.add_group_with_id(name, assigned, None, rng)
    }

    pub fn add_group_with_id(
        &mut self,
        name: &str,
        assigned: bool,
        object_id: Option<Uuid>,
        rng: &mut Rng,
    ) -> &mut Group {
        let entry = self
            .groups
            .entry(name.to_string())
            .or_insert_with(|| Group {
                name: name.to_string(),
                object_id: object_id.unwrap_or_else(|| rng.uuid()),
                assigned: false,
                member_of: Vec::new(),
            });
        entry.assigned |= assigned;
        if let Some(id) = object_id {
            entry.object_id = id;
        }
        entry
    }

    /// Adds a user (replacing one with the same email), creating the groups
    /// it names. Missing names are derived from the email's local part.
    pub fn add_user(&mut self, new: NewUser, rng: &mut Rng) -> &User {
        let object_id = new.object_id.unwrap_or_else(|| rng.uuid());
        for g in &new.groups {
            self.add_group(g, false, rng);
        }
        let (first_guess, last_guess) = names_from_email(&new.email);
        let first_name = new.first_name.unwrap_or(first_guess);
        let last_name = new.last_name.unwrap_or(last_guess);
        let display_name = new
            .display_name
            .unwrap_or_else(|| format!("{first_name} {last_name}").trim().to_string());
        let user = User {
            email: new.email.clone(),
            first_name,
            last_name,
            display_name,
            status: if new.suspended {
                UserStatus::Suspended
            } else {
                UserStatus::Active
            },
            groups: new.groups,
            upn: new.upn,
            assigned: new.assigned.unwrap_or(true),
            object_id,
        };
        let key = new.email.to_ascii_lowercase();
        self.users.insert(key.clone(), user);
        &self.users[&key]
    }

    /// The user with this email (case-insensitive, as every IdP matches logins).
    pub fn user(&self, email: &str) -> Option<&User> {
        self.users.get(&email.trim().to_ascii_lowercase())
    }

    pub fn user_mut(&mut self, email: &str) -> Option<&mut User> {
        self.users.get_mut(&email.trim().to_ascii_lowercase())
    }

    pub fn users(&self) -> impl Iterator<Item = &User> {
        self.users.values()
    }

    pub fn group(&self, name: &str) -> Option<&Group> {
        self.groups.get(name)
    }

    pub fn group_mut(&mut self, name: &str) -> Option<&mut Group> {
        self.groups.get_mut(name)
    }

    pub fn groups(&self) -> impl Iterator<Item = &Group> {
        self.groups.values()
    }

    /// Whether `email` may use the app: assigned directly or through a
    /// group the user is a *direct* member of (Entra: "nested groups are
    /// not supported" for assignment, VENDORS.md 2.1.4; Okta assigns
    /// through direct membership too).
    pub fn access(&self, email: &str) -> Access {
        let Some(user) = self.user(email) else {
            return Access::UnknownUser;
        };
        if user.status == UserStatus::Suspended {
            return Access::Suspended;
        }
        if user.assigned {
            return Access::Direct;
        }
        user.groups
            .iter()
            .find(|g| self.groups.get(*g).is_some_and(|g| g.assigned))
            .map(|g| Access::ViaGroup(g.clone()))
            .unwrap_or(Access::NotAssigned)
    }

    /// The user's groups: direct memberships in the user's order, then, if
    /// `nested`, every ancestor group reached through `member_of`, breadth
    /// first, each once.
    pub fn groups_of(&self, user: &User, nested: bool) -> Vec<&Group> {
        let mut out: Vec<&Group> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for name in &user.groups {
            if let Some(g) = self.groups.get(name) {
                if seen.insert(g.name.as_str()) {
                    out.push(g);
                }
            }
        }
        if nested {
            let mut i = 0;
            while i < out.len() {
                for parent in &out[i].member_of {
                    if let Some(p) = self.groups.get(parent) {
                        if seen.insert(p.name.as_str()) {
                            out.push(p);
                        }
                    }
                }
                i += 1;
            }
        }
        out
    }
}

/// `ada.lovelace@x` → ("Ada", "Lovelace"); `bob@x` → ("Bob", "").
fn names_from_email(email: &str) -> (String, String) {
    let local = email.split('@').next().unwrap_or(email);
    let mut parts = local.splitn(2, ['.', '_']);
    let cap = |s: &str| {
        let mut c = s.chars();
        match c.next() {
            Some(f) => f.to_uppercase().chain(c).collect(),
            None => String::new(),
        }
    };
    let first = cap(parts.next().unwrap_or(""));
    let last = cap(parts.next().unwrap_or(""));
    (first, last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_direct_via_group_unassigned_suspended_unknown() {
        let mut rng = Rng::new(1);
        let d = Directory::builtin(&mut rng);
        assert_eq!(d.access("ada@acme.test"), Access::Direct);
        assert_eq!(
            d.access("GRACE@acme.test"),
            Access::ViaGroup("Engineering".into())
        );
        assert_eq!(d.access("bob@acme.test"), Access::NotAssigned);
        assert_eq!(d.access("linus@acme.test"), Access::Suspended);
        assert_eq!(d.access("nobody@acme.test"), Access::UnknownUser);
        assert_eq!(d.user("bob@acme.test").unwrap().display_name, "Bob");
    }

    #[test]
    fn nested_groups_are_expanded_once_in_order() {
        let mut rng = Rng::new(1);
        let mut d = Directory::new();
        d.add_user(
            NewUser::new("a@x.test").groups(&["child", "other"]),
            &mut rng,
        );
        d.group_mut("child").unwrap().member_of = vec!["parent".into()];
        d.add_group("parent", false, &mut rng).member_of = vec!["child".into()];
        let u = d.user("a@x.test").unwrap().clone();
        let names = |n| {
            d.groups_of(&u, n)
                .iter()
                .map(|g| g.name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(false), ["child", "other"]);
        assert_eq!(names(true), ["child", "other", "parent"]);
    }

    #[test]
    fn same_seed_same_object_ids() {
        let a = Directory::builtin(&mut Rng::new(9));
        let b = Directory::builtin(&mut Rng::new(9));
        assert_eq!(
            a.group("Engineering").unwrap().object_id,
            b.group("Engineering").unwrap().object_id
        );
        assert_eq!(
            names_from_email("ada.lovelace@x"),
            ("Ada".into(), "Lovelace".into())
        );
    }
}
