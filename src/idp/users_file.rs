//! The users file of `ssosim idp serve --users FILE`: a YAML list of users
//! (and optionally groups) read with the scenario front end, so mistakes
//! are reported at `file:line:col` with a "did you mean".
//!
//! ```yaml
//! users:
//!   - { email: ada@acme.test, first_name: Ada, last_name: Lovelace, groups: [anthropic-claudeai-1a2b3c4d-owner, Engineering] }
//!   - { email: bob@acme.test, assigned: false }
//!   - { email: eve@acme.test, upn: eve@acme.onmicrosoft.test, status: suspended }
//! groups:                       # optional: only to assign, nest or pin a group's id
//!   - { name: Engineering, assigned: true }
//!   - { name: Eng-Leads, member_of: [Engineering], object_id: 5b3c1e9a-2f4d-4c8e-9a1b-0c2d3e4f5a6b }
//! ```
//!
//! User keys: `email` (required), `first_name`, `last_name`, `display_name`
//! (default: from the email's local part), `status` (`active` or
//! `suspended`), `groups`, `upn` (Entra userPrincipalName when it differs
//! from the email), `assigned` (directly assigned to the app; default
//! `true` — a user with `assigned: false` can still be assigned through an
//! assigned group), `object_id` (Entra object id; default drawn from the
//! seed). Group keys: `name` (required), `assigned` (default `false`),
//! `member_of`, `object_id`.
//!
//! An optional `settings:` mapping turns the profile's knobs, so a support
//! case can be reproduced from one file:
//!
//! ```yaml
//! settings:
//!   okta_group_filter: { starts_with: anthropic- }   # or `all`, { equals: … }, { contains: … }
//!   google_groups: [Engineering]      # Google: only listed groups are sent
//!   entra_group_names: true           # Entra: names instead of object-id GUIDs
//!   entra_assigned_groups_only: true  # Entra: "Groups assigned to the application"
//!   name_id: upn                      # email | upn | persistent
//!   default_relay_state: /home        # IdP-initiated launches
//!   sign: both                        # response | assertion | both
//!   assertion_lifetime: 5m
//!   clock_offset_seconds: -90         # the IdP's clock minus the real one
//!   legacy_sha1: false
//! ```
//!
//! Like the scenario format, this module does no IO: bytes in, a
//! [`Directory`] or a [`Diagnostic`] out.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::directory::{Directory, NewUser};
use super::profile::{GroupFilter, NameIdSource, ProfileOptions};
use crate::saml::response::SignWhat;
use crate::scenario::decode::{one_of, DResult, MapReader};
use crate::scenario::diag::Diagnostic;
use crate::scenario::yaml::{self, Limits, Node, Span};
use crate::sim::Rng;

/// A users file: the directory, and the profile settings it carries.
#[derive(Clone, Debug)]
pub struct UsersFile {
    pub directory: Directory,
    pub options: ProfileOptions,
}

/// Parses a users file into a directory (ignoring its `settings`).
pub fn parse_users_file(source: &[u8], rng: &mut Rng) -> Result<Directory, Diagnostic> {
    parse_users_file_with_settings(source, rng).map(|f| f.directory)
}

/// Parses a users file. Group object ids and user object ids not given in
/// the file are drawn from `rng`, groups section first, then users, each in
/// file order.
pub fn parse_users_file_with_settings(
    source: &[u8],
    rng: &mut Rng,
) -> Result<UsersFile, Diagnostic> {
    let root = yaml::parse(source, &Limits::default())?;
    if root.is_null() {
        return Err(Diagnostic::new(Span::START, "the users file is empty")
            .expected("a mapping with a `users:` list"));
    }
    let mut top = MapReader::new(&root, "the users file")?;
    let users = top.req("users")?;
    let groups = top.opt("groups");
    let settings = top.opt("settings");
    top.finish()?;

    let options = match settings {
        Some(n) => read_settings(n)?,
        None => ProfileOptions::default(),
    };
    let mut dir = Directory::new();
    if let Some(groups) = groups {
        read_groups(groups, &mut dir, rng)?;
    }
    let mut seen: BTreeMap<String, Span> = BTreeMap::new();
    for node in users.as_seq("`users`")? {
        let new = read_user(node)?;
        let key = new.email.to_ascii_lowercase();
        if let Some(first) = seen.get(&key) {
            return Err(Diagnostic::new(
                node.span,
                format!("the user `{}` is listed twice", new.email),
            )
            .note(Some(*first), "first listed")
            .help("emails are compared without regard to case"));
        }
        seen.insert(key, node.span);
        dir.add_user(new, rng);
    }
    Ok(UsersFile {
        directory: dir,
        options,
    })
}

/// The `settings:` mapping: profile knobs (see [`ProfileOptions`]).
fn read_settings(node: &Node) -> DResult<ProfileOptions> {
    let mut m = MapReader::new(node, "`settings`")?;
    let mut o = ProfileOptions::default();
    if let Some(n) = m.opt("okta_group_filter") {
        o.okta_group_filter = Some(group_filter(n)?);
    }
    if let Some(n) = m.opt("google_groups") {
        o.google_groups = Some(strings(n, "`google_groups`")?);
    }
    if let Some(n) = m.opt("entra_group_names") {
        o.entra_group_names = n.as_bool("`entra_group_names`")?;
    }
    if let Some(n) = m.opt("entra_assigned_groups_only") {
        o.entra_assigned_groups_only = n.as_bool("`entra_assigned_groups_only`")?;
    }
    if let Some(n) = m.opt("name_id") {
        o.name_id = Some(
            match one_of(n, &["email", "upn", "persistent"], "a NameID source")? {
                "email" => NameIdSource::Email,
                "upn" => NameIdSource::Upn,
                _ => NameIdSource::Pairwise,
            },
        );
    }
    if let Some(n) = m.opt("default_relay_state") {
        o.default_relay_state = Some(n.as_str("`default_relay_state`")?.to_string());
    }
    if let Some(n) = m.opt("sign") {
        o.sign = Some(
            match one_of(n, &["response", "assertion", "both"], "what to sign")? {
                "response" => SignWhat::Response,
                "assertion" => SignWhat::Assertion,
                _ => SignWhat::Both,
            },
        );
    }
    if let Some(n) = m.opt("assertion_lifetime") {
        o.assertion_lifetime = Some(n.as_duration("`assertion_lifetime`")?);
    }
    if let Some(n) = m.opt("clock_offset_seconds") {
        let text = n.as_str("`clock_offset_seconds`")?;
        o.clock_offset_s = Some(text.trim().parse::<i64>().map_err(|_| {
            Diagnostic::new(n.span, format!("`{text}` is not a whole number of seconds"))
                .expected("a whole number such as `300` or `-90`")
        })?);
    }
    if let Some(n) = m.opt("legacy_sha1") {
        o.legacy_sha1 = n.as_bool("`legacy_sha1`")?;
    }
    m.finish()?;
    Ok(o)
}

/// `all`, or `{ starts_with: X }`, `{ equals: X }`, `{ contains: X }`
/// (Okta's filter types, VENDORS.md 2.2.1).
fn group_filter(node: &Node) -> DResult<GroupFilter> {
    if node.as_str("x").is_ok() {
        one_of(node, &["all"], "a group filter")?;
        return Ok(GroupFilter::All);
    }
    let mut m = MapReader::new(node, "`okta_group_filter`")?;
    let found = [
        ("starts_with", m.opt("starts_with")),
        ("equals", m.opt("equals")),
        ("contains", m.opt("contains")),
    ];
    m.finish()?;
    let given: Vec<_> = found
        .iter()
        .filter_map(|(k, v)| v.map(|v| (*k, v)))
        .collect();
    let [(kind, value)] = given.as_slice() else {
        return Err(Diagnostic::new(node.span, "give exactly one filter")
            .expected("one of `starts_with`, `equals`, `contains`"));
    };
    let value = value.as_str(&format!("`{kind}`"))?.to_string();
    Ok(match *kind {
        "starts_with" => GroupFilter::StartsWith(value),
        "equals" => GroupFilter::Equals(value),
        _ => GroupFilter::Contains(value),
    })
}

fn read_groups(node: &Node, dir: &mut Directory, rng: &mut Rng) -> DResult<()> {
    let mut seen: BTreeMap<String, Span> = BTreeMap::new();
    for g in node.as_seq("`groups`")? {
        let mut m = MapReader::new(g, "a group")?;
        let name_node = m.req("name")?;
        let name = nonempty(name_node, "the group `name`")?;
        let assigned = match m.opt("assigned") {
            Some(n) => n.as_bool("`assigned`")?,
            None => false,
        };
        let member_of = match m.opt("member_of") {
            Some(n) => strings(n, "`member_of`")?,
            None => Vec::new(),
        };
        let object_id = m.opt("object_id").map(guid).transpose()?;
        m.finish()?;
        if let Some(first) = seen.get(&name) {
            return Err(Diagnostic::new(
                name_node.span,
                format!("the group `{name}` is listed twice"),
            )
            .note(Some(*first), "first listed"));
        }
        seen.insert(name.clone(), name_node.span);
        let group = dir.add_group_with_id(&name, assigned, object_id, rng);
        group.member_of = member_of;
    }
    Ok(())
}

fn read_user(node: &Node) -> DResult<NewUser> {
    let mut m = MapReader::new(node, "a user")?;
    let email_node = m.req("email")?;
    let email = nonempty(email_node, "the user's `email`")?;
    let valid = email
        .split_once('@')
        .is_some_and(|(l, d)| !l.is_empty() && !d.is_empty() && !d.contains('@'));
    if !valid || email.chars().any(char::is_whitespace) {
        return Err(Diagnostic::new(
            email_node.span,
            format!("`{email}` is not an email address"),
        )
        .expected("an address such as `ada@acme.test`"));
    }
    let text = |m: &mut MapReader, key: &str| -> DResult<Option<String>> {
        m.opt(key)
            .map(|n| n.as_str(&format!("`{key}`")).map(str::to_string))
            .transpose()
    };
    let first_name = text(&mut m, "first_name")?;
    let last_name = text(&mut m, "last_name")?;
    let display_name = text(&mut m, "display_name")?;
    let suspended = match m.opt("status") {
        Some(n) => one_of(n, &["active", "suspended"], "a user status")? == "suspended",
        None => false,
    };
    let groups = match m.opt("groups") {
        Some(n) => strings(n, "`groups`")?,
        None => Vec::new(),
    };
    let upn = text(&mut m, "upn")?;
    let assigned = m
        .opt("assigned")
        .map(|n| n.as_bool("`assigned`"))
        .transpose()?;
    let object_id = m.opt("object_id").map(guid).transpose()?;
    m.finish()?;
    Ok(NewUser {
        email,
        first_name,
        last_name,
        display_name,
        suspended,
        groups,
        upn,
        assigned,
        object_id,
    })
}

fn nonempty(node: &Node, what: &str) -> DResult<String> {
    let s = node.as_str(what)?.trim();
    if s.is_empty() {
        return Err(Diagnostic::new(node.span, format!("{what} is empty")));
    }
    Ok(s.to_string())
}

/// A list of non-empty strings (a single string is refused: `groups: Eng`
/// is almost always a missing pair of brackets).
fn strings(node: &Node, what: &str) -> DResult<Vec<String>> {
    let items = node.as_seq(what).map_err(|d| {
        if node.as_str(what).is_ok() {
            d.help(format!(
                "write a list: `[{}]`",
                node.as_str(what).unwrap_or("")
            ))
        } else {
            d
        }
    })?;
    items
        .iter()
        .map(|n| nonempty(n, &format!("an item of {what}")))
        .collect()
}

fn guid(node: &Node) -> DResult<Uuid> {
    let s = node.as_str("`object_id`")?;
    Uuid::parse_str(s.trim()).map_err(|_| {
        Diagnostic::new(node.span, format!("`{s}` is not a GUID"))
            .expected("a GUID such as `5b3c1e9a-2f4d-4c8e-9a1b-0c2d3e4f5a6b`")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::idp::directory::{Access, UserStatus};

    fn parse(src: &str) -> Result<Directory, Diagnostic> {
        parse_users_file(src.as_bytes(), &mut Rng::new(1))
    }

    #[test]
    fn reads_users_groups_and_assignment() {
        let d = parse(
            "users:\n  - { email: ada@acme.test, first_name: Ada, last_name: Lovelace, groups: [Eng] }\n  - { email: bob@acme.test, assigned: false, groups: [Eng] }\n  - { email: eve@acme.test, assigned: false, status: suspended, upn: eve@t.onmicrosoft.test }\ngroups:\n  - { name: Eng, assigned: true }\n",
        )
        .unwrap();
        assert_eq!(
            d.user("ada@acme.test").unwrap().display_name,
            "Ada Lovelace"
        );
        assert_eq!(d.access("bob@acme.test"), Access::ViaGroup("Eng".into()));
        let eve = d.user("eve@acme.test").unwrap();
        assert_eq!(eve.status, UserStatus::Suspended);
        assert_eq!(eve.upn(), "eve@t.onmicrosoft.test");
    }

    #[test]
    fn errors_point_at_the_line() {
        let err = parse("users:\n  - { email: ada@acme.test }\n  - { emial: bob@acme.test }\n")
            .unwrap_err();
        assert_eq!(err.span.line, 3);
        assert_eq!(err.message, "missing key `email` in a user");
        let err = parse("users:\n  - { email: a@x.test, gropus: [x] }\n").unwrap_err();
        assert_eq!((err.span.line, err.span.col), (2, 24));
        assert_eq!(err.help.as_deref(), Some("did you mean `groups`?"));
        let err = parse("users:\n  - { email: a@x.test, status: suspnded }\n").unwrap_err();
        assert_eq!(err.help.as_deref(), Some("did you mean `suspended`?"));
        let err = parse("users:\n  - { email: a@x.test }\n  - { email: A@x.test }\n").unwrap_err();
        assert_eq!(err.span.line, 3);
        assert!(parse("users:\n  - { email: not-an-email }\n").is_err());
        assert!(parse("users:\n  - { email: a@x.test, groups: Eng }\n").is_err());
        assert!(parse("").is_err());
    }
}
