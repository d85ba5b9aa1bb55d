//! What the IdP says about a user: the NameID and the attribute statement,
//! computed from the directory and a profile's [`ClaimRules`]. Pure data in,
//! data out; the SAML writer (samlmsg) turns it into XML.
//!
//! The group rules are where vendors differ most and where most tickets
//! come from (VENDORS.md §2.1.2, §2.2.1, §2.3.1, §6 cases 1, 2, 11, 16):
//! Entra sends object-id GUIDs and, past 150 groups, only a `groups.link`
//! overage claim; Okta sends names through a filter and omits the
//! attribute when the filter matches nothing; Google sends at most 75 names.

use indexmap::IndexMap;
use openssl::sha::sha256;
use uuid::Uuid;

use super::directory::{Directory, Group, User};
use super::profile::{ClaimRules, GroupFilter, GroupScope, GroupValue, GroupsClaim, NameIdSource};

/// The subject and attributes of one assertion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claims {
    pub name_id: String,
    /// Attribute name → values, in emission order.
    pub attributes: IndexMap<String, Vec<String>>,
    /// Set when the Entra overage rule replaced the groups claim: how many
    /// groups the user had (for transcripts).
    pub overage: Option<usize>,
}

/// Computes the claims for `user` at the SP `sp_entity_id` (used only for
/// pairwise persistent NameIDs).
pub fn claims_for(dir: &Directory, user: &User, rules: &ClaimRules, sp_entity_id: &str) -> Claims {
    let name_id = match rules.name_id {
        NameIdSource::Email => user.email.clone(),
        NameIdSource::Upn => user.upn().to_string(),
        NameIdSource::Pairwise => pairwise_id(&user.object_id, sp_entity_id),
    };
    let mut attributes: IndexMap<String, Vec<String>> = IndexMap::new();
    let mut put = |name: &Option<String>, value: &str| {
        if let Some(name) = name {
            if !value.is_empty() {
                attributes.insert(name.clone(), vec![value.to_string()]);
            }
        }
    };
    put(&rules.email, &user.email);
    put(&rules.first_name, &user.first_name);
    put(&rules.last_name, &user.last_name);
    put(&rules.display_name, &user.display_name);
    put(&rules.upn, user.upn());
    put(&rules.object_id, &user.object_id.to_string());
    for (name, value) in &rules.constants {
        attributes.insert(name.clone(), vec![value.clone()]);
    }
    let mut overage = None;
    if let Some(g) = &rules.groups {
        match group_values(dir, user, g) {
            GroupOutcome::Values(values) => {
                if !values.is_empty() || !g.omit_when_empty {
                    attributes.insert(g.name.clone(), values);
                }
            }
            GroupOutcome::Overage { count } => {
                overage = Some(count);
                if let Some((name, template)) = &g.overage_link {
                    let url = template.replace("{user}", &user.object_id.to_string());
                    attributes.insert(name.clone(), vec![url]);
                }
            }
        }
    }
    Claims {
        name_id,
        attributes,
        overage,
    }
}

enum GroupOutcome {
    Values(Vec<String>),
    Overage { count: usize },
}

fn group_values(dir: &Directory, user: &User, g: &GroupsClaim) -> GroupOutcome {
    let mut groups: Vec<&Group> = match g.scope {
        GroupScope::All => dir.groups_of(user, g.nested),
        // Entra "Groups assigned to the application": direct members only,
        // nested groups are not expanded (VENDORS.md 2.1.2).
        GroupScope::AssignedToApp => dir
            .groups_of(user, false)
            .into_iter()
            .filter(|grp| grp.assigned)
            .collect(),
    };
    // Entra: the limit counts every group the user is in, nested included,
    // and is checked before any filter (a filter only applies to users in
    // at most 1,000 groups; VENDORS.md 2.1.2).
    if let Some(limit) = g.overage_threshold {
        if groups.len() > limit {
            return GroupOutcome::Overage {
                count: groups.len(),
            };
        }
    }
    groups.retain(|grp| g.filter.matches(&grp.name));
    if let Some(cap) = g.cap {
        groups.truncate(cap);
    }
    GroupOutcome::Values(
        groups
            .iter()
            .map(|grp| match g.value {
                GroupValue::Name => grp.name.clone(),
                GroupValue::ObjectId => grp.object_id.to_string(),
            })
            .collect(),
    )
}

impl GroupFilter {
    /// Okta's filters are case-sensitive \[UNVERIFIED, VENDORS.md 2.2.1\]:
    /// `Starts with anthropic-` does not match `Anthropic-Users`.
    pub fn matches(&self, name: &str) -> bool {
        match self {
            GroupFilter::All => true,
            GroupFilter::StartsWith(p) => name.starts_with(p.as_str()),
            GroupFilter::Equals(p) => name == p,
            GroupFilter::Contains(p) => name.contains(p.as_str()),
            GroupFilter::Listed(names) => names.iter().any(|n| n == name),
        }
    }
}

/// Entra's default NameID: a persistent, pairwise, opaque value (VENDORS.md
/// 2.1.1, e.g. `m_H3naDei2LNxUmEcWd0BZlNi_jVET1pMLR6iQSuYmo`): here the
/// unpadded base64url SHA-256 of the object id and the SP's entity id, so
/// it is stable per user and SP and differs between SPs.
pub fn pairwise_id(object_id: &Uuid, sp_entity_id: &str) -> String {
    use base64::Engine as _;
    let mut input = object_id.as_bytes().to_vec();
    input.extend_from_slice(sp_entity_id.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha256(&input))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::idp::directory::NewUser;
    use crate::idp::profile::{claim_rules, names, ProfileOptions, Vendor, VendorIds};
    use crate::sim::Rng;

    fn dir_with(groups: &[&str]) -> (Directory, User) {
        let mut rng = Rng::new(3);
        let mut d = Directory::new();
        let u = d
            .add_user(NewUser::new("ada@acme.test").groups(groups), &mut rng)
            .clone();
        (d, u)
    }

    fn rules(v: Vendor, opts: ProfileOptions) -> ClaimRules {
        claim_rules(v, &VendorIds::draw(&mut Rng::new(1)), &opts)
    }

    #[test]
    fn okta_starts_with_filter_is_case_sensitive_and_omits_empty() {
        let (d, u) = dir_with(&["Anthropic-Users", "Engineering"]);
        let r = rules(
            Vendor::Okta,
            ProfileOptions {
                okta_group_filter: Some(GroupFilter::StartsWith("anthropic-".into())),
                ..Default::default()
            },
        );
        let c = claims_for(&d, &u, &r, "sp");
        assert!(!c.attributes.contains_key("groups"));
        assert_eq!(c.attributes["email"], ["ada@acme.test"]);
    }

    #[test]
    fn entra_sends_guids_then_overage_link_past_150() {
        let (d, u) = dir_with(&["Eng"]);
        let c = claims_for(&d, &u, &rules(Vendor::Entra, Default::default()), "sp");
        let guid = d.group("Eng").unwrap().object_id.to_string();
        assert_eq!(c.attributes[names::ENTRA_GROUPS], [guid]);
        let many: Vec<String> = (0..151).map(|i| format!("g{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let (d, u) = dir_with(&many);
        let c = claims_for(&d, &u, &rules(Vendor::Entra, Default::default()), "sp");
        assert!(!c.attributes.contains_key(names::ENTRA_GROUPS));
        assert_eq!(c.overage, Some(151));
        let link = &c.attributes[names::ENTRA_GROUPS_LINK][0];
        assert!(link.ends_with(&format!("/users/{}/getMemberObjects", u.object_id)));
    }

    #[test]
    fn google_caps_at_75_and_sends_only_listed_groups() {
        let many: Vec<String> = (0..80).map(|i| format!("g{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let (d, u) = dir_with(&many);
        let c = claims_for(&d, &u, &rules(Vendor::Google, Default::default()), "sp");
        assert_eq!(c.attributes["groups"].len(), 75);
        let r = rules(
            Vendor::Google,
            ProfileOptions {
                google_groups: Some(vec!["g3".into(), "absent".into()]),
                ..Default::default()
            },
        );
        assert_eq!(claims_for(&d, &u, &r, "sp").attributes["groups"], ["g3"]);
    }

    #[test]
    fn pairwise_ids_differ_per_sp_and_are_stable() {
        let id = Uuid::from_u128(7);
        assert_eq!(pairwise_id(&id, "a"), pairwise_id(&id, "a"));
        assert_ne!(pairwise_id(&id, "a"), pairwise_id(&id, "b"));
        assert_eq!(pairwise_id(&id, "a").len(), 43);
    }
}
