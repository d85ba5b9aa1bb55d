//! The rule catalogue: every rule id of the product spec, stated in our own
//! words, with the harness decisions we made where the admin guide is silent.
//! `ssosim rules` joins it with the scenarios whose `covers:` name each id.

/// One rule of the catalogue.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub id: &'static str,
    pub title: &'static str,
    /// Where the guide is silent: what ssosim decided, and so models.
    pub harness_decision: Option<&'static str>,
}

const fn rule(id: &'static str, title: &'static str) -> Rule {
    Rule {
        id,
        title,
        harness_decision: None,
    }
}

const fn decided(id: &'static str, title: &'static str, decision: &'static str) -> Rule {
    Rule {
        id,
        title,
        harness_decision: Some(decision),
    }
}

pub const RULES: &[Rule] = &[
    rule("ORG-1", "Organizations are Team, Enterprise (claude.ai) or Console; each has a seeded UUID whose first 8 hex characters (org8) name its groups."),
    rule("ORG-2", "An Enterprise organization has a parent from the moment it is created."),
    decided("ORG-3", "A Team organization gets its parent when an owner first sets up SSO; until then it has no identity settings.",
        "\"Setup SSO\" (sso.setup) is the act that creates a Team org's parent. Domain actions before it are refused with no-parent-organization, naming sso.setup as the way forward."),
    decided("ORG-4", "A Console organization never gets a parent by itself: an operator (standing for a sales request) creates one, or it merges into an existing parent. Until then identity actions are refused, saying why and what to do.",
        "The operator action is parent.create; it applies only to Console orgs without a parent."),
    rule("ORG-5", "The parent holds the SSO settings and the verified domains; every organization linked to it shares them."),
    decided("ORG-6", "claude.ai roles: primary owner > owner > admin > user, with exactly one primary owner; Console roles: admin > member. Only owners/primary owners (claude.ai) or admins (Console) change identity settings.",
        "Role changes are for owners (claude.ai) or admins (Console); the primary owner changes only by transfer, made by the primary owner; a Console org keeps at least one admin."),
    decided("DOM-1", "Adding a domain to a parent makes it Pending and yields the TXT record to publish: its name and a random token value.",
        "The value is `verification_token=<24 characters>` from the seeded stream; consumer domains (gmail.com, …) and malformed names are refused."),
    decided("DOM-2", "A subdomain's record must be published under that subdomain; a record under the apex does not verify it.",
        "One naming scheme for apex and subdomains alike: `_acme-challenge.<domain>`."),
    decided("DOM-3", "Verification queries DNS; changes take time to become visible. A domain stays Pending until a check sees the record; Refresh checks now and the SP re-checks on its own schedule.",
        "Re-checks every 5 minutes during the first hour after the domain was added, then hourly until a day has passed, then daily; a domain still pending 30 days after it was added becomes `failed`. Several strings in one TXT record are joined before comparing; any matching record verifies."),
    decided("DOM-4", "Once one parent has verified a domain, no other parent can claim or verify it; sharing SSO across it means merging into that parent.",
        "Adding a domain another parent verified is refused (domain-held-by-another-parent); a second parent's pending entry never verifies and its Refresh is refused with the same code."),
    rule("DOM-5", "Verifying a domain changes no one's access by itself."),
    decided("DOM-6", "The domain memberships report lists, for each verified domain, the organizations with members on it, with counts and members, as CSV or JSON.",
        "A member is on a domain when their email's domain equals it exactly; organizations outside the parent are listed (with in_this_parent: false) since finding them is the report's purpose."),
    decided("DOM-7", "With a verified domain, an owner may disable new organization creation: nobody on a verified domain can then create a Team, Enterprise or Console org, or a personal account.",
        "Exact domain match on the creator's email; removing the parent's last verified domain switches the toggle off."),
    rule("MRG-1", "An owner of a Team or Enterprise org proposes that another org join its parent; the proposer's parent needs a verified domain."),
    rule("MRG-2", "Every member of the invited org must be on one of those verified domains, else the proposal is refused naming them; the proposal shows the member count."),
    rule("MRG-3", "The proposal goes to the invited org's owners (claude.ai) or admins (Console); one of each invited org must approve."),
    rule("MRG-4", "A proposal not approved within 14 days expires."),
    rule("MRG-5", "A proposer who is also an admin/owner of the invited org approves it by proposing."),
    rule("MRG-6", "A Console org that joins a parent gains identity settings (SSO options, group mappings)."),
    rule("MRG-7", "After a merge the invited org shares the parent's SSO settings and domains."),
    rule("SSO-1", "Setting up SSO connects one SAML IdP to the parent; users on its verified domains can then sign in through it."),
    rule("SSO-2", "Enforcement is switched on separately for claude.ai and for the Console."),
    rule("SSO-3", "On an enforced surface non-SSO login is refused and users the IdP does not let in are locked out; a pre-flight lists who would be."),
    rule("SSO-4", "SP-initiated login works on both surfaces and lands on the surface where it started."),
    rule("SSO-5", "IdP-initiated login does not reach the Console when its parent is shared with a Team/Enterprise org; a bookmark to the Console login with sso=true is the workaround."),
    rule("SSO-6", "IdP-initiated login works where the parent is not shared that way."),
    rule("PRV-1", "Provisioning is Manual, JIT or SCIM; SCIM only for Enterprise orgs and Console orgs with their own or an Enterprise-shared parent."),
    decided("PRV-2", "Manual provisioning: admins add, re-role and remove members.",
        "Admins and above add and remove members (an admin cannot remove someone ranked above them, nor add owners); owners (claude.ai) or admins (Console) change roles; the primary owner is never added, removed or re-roled except by transfer."),
    rule("PRV-3", "JIT creates a user assigned to the IdP app at login, with the user (Console: member) role."),
    rule("PRV-4", "Under JIT a user removed from the app cannot log in but stays listed until they try (then removed) or an admin removes them."),
    rule("PRV-5", "Under SCIM the IdP's pushes create and remove users; roles change manually."),
    rule("PRV-6", "SCIM timing is the IdP's: Entra pushes every 40 minutes, so a removed user keeps access until the next cycle."),
    rule("AGM-1", "Advanced group mappings need JIT or SCIM; only owners can enable them."),
    rule("AGM-2", "Predefined groups per org and role: anthropic-claudeai-<org8>-<role> and anthropic-console-<org8>-<role>."),
    rule("AGM-3", "Custom groups start with the org's prefix and grant nothing until associated with a role."),
    rule("AGM-4", "A user gets the highest role among their mapped groups; in no mapped group, no access."),
    rule("AGM-5", "JIT + mappings: provisioned at login when in a mapped group, role recomputed at every login, denied once out of the groups."),
    rule("AGM-6", "SCIM + mappings: provisioned when pushed if in a mapped group; role follows group pushes; removals automatic."),
    rule("AGM-7", "Each group shows whether the SP has seen it: from an assertion (JIT) or a push (SCIM)."),
    rule("AGM-8", "Enabling mappings while groups are unseen is allowed with a warning, and can lock everyone out."),
    rule("AGM-9", "Separate groups for the claude.ai and Console orgs under one parent provision each independently."),
];

/// Every rule id, in catalogue order.
pub fn ids() -> Vec<&'static str> {
    RULES.iter().map(|r| r.id).collect()
}

pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let ids = ids();
        for (i, id) in ids.iter().enumerate() {
            assert!(!ids[i + 1..].contains(id), "{id} twice");
            let (area, n) = id.split_once('-').unwrap();
            assert!(["ORG", "DOM", "MRG", "SSO", "PRV", "AGM"].contains(&area));
            assert!(n.parse::<u32>().is_ok());
        }
    }
}
