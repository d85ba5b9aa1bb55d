//! Domain verification through DNS TXT records (DOM-1 … DOM-5).
//!
//! Harness decisions, documented in the rule catalogue:
//! - **Record name** (DOM-2): `_acme-challenge.<domain>` for apex domains and
//!   subdomains alike; a record at the apex never verifies a subdomain.
//! - **Record value** (DOM-1): `verification_token=<token>` — 24 characters
//!   from the seeded stream. Several strings in one TXT record are joined
//!   before comparing (RFC 7208 §3.3 style); any one matching record verifies.
//! - **Re-checks** (DOM-3): besides Refresh, the SP re-checks a pending
//!   domain every 5 minutes during the first hour after it was added, then
//!   every hour until a day has passed, then daily; a domain still pending 30
//!   days after it was added is marked `failed` (remove and add it again for
//!   a new token).

use std::time::Duration;

use super::{CheckResult, Code, Domain, DomainStatus, Effect, Sp, SpError, SpResult};
use crate::sp::views::DomainView;
use uuid::Uuid;

pub const RECORD_PREFIX: &str = "_acme-challenge";
pub const TOKEN_PREFIX: &str = "verification_token=";
const TOKEN_LEN: usize = 24;
const FAST_INTERVAL: Duration = Duration::from_secs(5 * 60);
const FAST_PHASE: Duration = Duration::from_secs(60 * 60);
const HOURLY_INTERVAL: Duration = Duration::from_secs(60 * 60);
const HOURLY_PHASE: Duration = Duration::from_secs(24 * 60 * 60);
const DAILY_INTERVAL: Duration = Duration::from_secs(24 * 60 * 60);
const GIVE_UP_AFTER: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// Domains nobody can own for a company (WorkOS refuses common consumer domains).
const CONSUMER_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "yahoo.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
];

/// A DNS check the core asks its shell to perform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsCheck {
    pub parent: Uuid,
    pub domain: String,
    /// The name to query for TXT records.
    pub record_name: String,
    pub generation: u64,
}

/// What the shell's TXT lookup found, as data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TxtAnswer {
    /// One string per TXT record, its character-strings joined.
    Records(Vec<String>),
    /// NXDOMAIN or NODATA.
    NoRecord,
    /// The lookup itself failed (timeout, refused, …).
    Failed(String),
}

/// When the next scheduled check after `now` is due, for a domain added at
/// `added`; `None` once the 30-day window is over.
pub fn check_schedule(added: Duration, now: Duration) -> Option<Duration> {
    let since = now.saturating_sub(added);
    let interval = if since < FAST_PHASE {
        FAST_INTERVAL
    } else if since < HOURLY_PHASE {
        HOURLY_INTERVAL
    } else {
        DAILY_INTERVAL
    };
    let next = added + interval * (since.as_secs() / interval.as_secs() + 1) as u32;
    let deadline = added + GIVE_UP_AFTER;
    if since >= GIVE_UP_AFTER {
        None
    } else {
        Some(next.min(deadline))
    }
}

/// Lowercases, drops a trailing dot and checks hostname syntax.
fn normalize_domain(raw: &str) -> SpResult<String> {
    let d = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let bad = |why: &str| {
        Err(SpError::new(
            Code::InvalidDomain,
            format!("`{raw}` is not a domain name: {why}"),
        ))
    };
    if d.is_empty() || d.len() > 253 {
        return bad("it must have 1 to 253 characters");
    }
    let labels: Vec<&str> = d.split('.').collect();
    if labels.len() < 2 {
        return bad("it needs at least two labels, like example.com");
    }
    for l in &labels {
        if l.is_empty() || l.len() > 63 {
            return bad("each label has 1 to 63 characters");
        }
        if !l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return bad("only letters, digits and hyphens are allowed");
        }
        if l.starts_with('-') || l.ends_with('-') {
            return bad("a label cannot start or end with a hyphen");
        }
    }
    if CONSUMER_DOMAINS.contains(&d.as_str()) {
        return Err(SpError::new(
            Code::InvalidDomain,
            format!("{d} is a consumer email domain and cannot be verified by an organization"),
        ));
    }
    Ok(d)
}

impl Sp {
    /// DOM-1: adding a domain makes it Pending and yields the TXT record.
    pub fn add_domain(
        &mut self,
        actor: &str,
        org: Uuid,
        domain: &str,
        now: Duration,
    ) -> SpResult<DomainView> {
        self.require_identity_admin(org, actor)?;
        let parent = self.parent_for_identity(org)?;
        let name = normalize_domain(domain)?;
        // DOM-4: a domain verified by one parent cannot be claimed by another.
        if let Some(holder) = self.verified_holder(&name) {
            if holder != parent {
                return Err(self.held_error(&name, holder));
            }
        }
        let token = self.rng.token(TOKEN_LEN);
        self.generation_next += 1;
        let generation = self.generation_next;
        let p = self
            .parents
            .get_mut(&parent)
            .ok_or_else(|| SpError::new(Code::NoParent, "parent vanished"))?;
        if let Some(existing) = p.domains.get(&name) {
            return Err(SpError::new(
                Code::AlreadyExists,
                format!(
                    "{name} is already on this parent organization ({:?})",
                    existing.status
                )
                .to_lowercase(),
            ));
        }
        let d = Domain {
            record_name: format!("{RECORD_PREFIX}.{name}"),
            record_value: format!("{TOKEN_PREFIX}{token}"),
            name: name.clone(),
            status: DomainStatus::Pending,
            added_at: now,
            verified_at: None,
            last_check: None,
            checks: 0,
            generation,
        };
        p.domains.insert(name.clone(), d);
        self.schedule_next_check(parent, &name, now);
        self.domain_view(parent, &name)
    }

    /// Refresh (DOM-3): which DNS check to run now for this domain.
    pub fn begin_refresh(&self, actor: &str, org: Uuid, domain: &str) -> SpResult<DnsCheck> {
        self.require_identity_admin(org, actor)?;
        let parent = self.parent_for_identity(org)?;
        let name = normalize_domain(domain)?;
        let d = self.domain(parent, &name)?;
        // DOM-4: verifying what another parent holds is refused outright.
        if let Some(holder) = self.verified_holder(&name).filter(|h| *h != parent) {
            return Err(self.held_error(&name, holder));
        }
        Ok(DnsCheck {
            parent,
            domain: name,
            record_name: d.record_name.clone(),
            generation: d.generation,
        })
    }

    /// A scheduled re-check, if it is still wanted (the domain may have
    /// been verified, removed or re-added since it was scheduled).
    pub fn due_check(&self, check: &DnsCheck) -> Option<DnsCheck> {
        let d = self
            .parents
            .get(&check.parent)?
            .domains
            .get(&check.domain)?;
        (d.status == DomainStatus::Pending && d.generation == check.generation)
            .then(|| check.clone())
    }

    /// Applies what DNS said. `scheduled` checks also plan the next one.
    pub fn complete_check(
        &mut self,
        check: &DnsCheck,
        answer: &TxtAnswer,
        now: Duration,
        scheduled: bool,
    ) -> SpResult<DomainView> {
        let holder = self.verified_holder(&check.domain);
        let d = self.domain(check.parent, &check.domain)?;
        if d.generation != check.generation {
            return self.domain_view(check.parent, &check.domain);
        }
        let result = if d.status == DomainStatus::Verified {
            CheckResult::Verified
        } else if holder.is_some_and(|h| h != check.parent) {
            CheckResult::HeldByAnotherParent
        } else {
            match answer {
                TxtAnswer::Failed(message) => CheckResult::DnsError {
                    message: message.clone(),
                },
                TxtAnswer::NoRecord => CheckResult::NoRecord,
                TxtAnswer::Records(found) if found.iter().any(|v| v == &d.record_value) => {
                    CheckResult::Verified
                }
                TxtAnswer::Records(found) => CheckResult::WrongValue {
                    found: found.iter().map(|f| format!("\"{f}\"")).collect(),
                },
            }
        };
        let pending_before = d.status == DomainStatus::Pending;
        let added_at = d.added_at;
        let p = self
            .parents
            .get_mut(&check.parent)
            .ok_or_else(|| SpError::new(Code::NoParent, "parent vanished"))?;
        if let Some(d) = p.domains.get_mut(&check.domain) {
            d.checks += 1;
            if pending_before && result == CheckResult::Verified {
                d.status = DomainStatus::Verified;
                d.verified_at = Some(now);
            }
            d.last_check = Some(result.clone());
        }
        let still_pending = pending_before && result != CheckResult::Verified;
        if still_pending && scheduled {
            if check_schedule(added_at, now).is_none() {
                if let Some(d) = p.domains.get_mut(&check.domain) {
                    d.status = DomainStatus::Failed;
                }
            } else {
                self.schedule_next_check(check.parent, &check.domain, now);
            }
        }
        if result == CheckResult::HeldByAnotherParent && !scheduled {
            let holder = holder.unwrap_or(check.parent);
            return Err(self.held_error(&check.domain, holder));
        }
        self.domain_view(check.parent, &check.domain)
    }

    pub fn remove_domain(&mut self, actor: &str, org: Uuid, domain: &str) -> SpResult<()> {
        self.require_identity_admin(org, actor)?;
        let parent = self.parent_for_identity(org)?;
        let name = normalize_domain(domain)?;
        self.domain(parent, &name)?;
        if let Some(p) = self.parents.get_mut(&parent) {
            p.domains.shift_remove(&name);
            if !p
                .domains
                .values()
                .any(|d| d.status == DomainStatus::Verified)
            {
                // DOM-7's toggle needs a verified domain; it cannot outlive the last one.
                p.disable_org_creation = false;
            }
        }
        Ok(())
    }

    /// The parent's domains, for anyone who may see identity settings.
    pub fn list_domains(&self, actor: &str, org: Uuid) -> SpResult<Vec<DomainView>> {
        self.require_identity_admin(org, actor)?;
        let parent = self.parent_for_identity(org)?;
        let p = self
            .parents
            .get(&parent)
            .ok_or_else(|| SpError::new(Code::NoParent, "parent vanished"))?;
        p.domains
            .keys()
            .map(|name| self.domain_view(parent, name))
            .collect()
    }

    fn schedule_next_check(&mut self, parent: Uuid, name: &str, now: Duration) {
        let Some(d) = self.parents.get(&parent).and_then(|p| p.domains.get(name)) else {
            return;
        };
        if let Some(at) = check_schedule(d.added_at, now) {
            self.effects.push(Effect::CheckDomain {
                at,
                check: DnsCheck {
                    parent,
                    domain: name.to_string(),
                    record_name: d.record_name.clone(),
                    generation: d.generation,
                },
            });
        }
    }

    fn domain(&self, parent: Uuid, name: &str) -> SpResult<&Domain> {
        self.parents
            .get(&parent)
            .and_then(|p| p.domains.get(name))
            .ok_or_else(|| {
                SpError::new(
                    Code::UnknownDomain,
                    format!("{name} has not been added to this parent organization"),
                )
            })
    }

    /// The parent that has verified `domain`, if any.
    pub(crate) fn verified_holder(&self, domain: &str) -> Option<Uuid> {
        self.parents.values().find_map(|p| {
            p.domains
                .get(domain)
                .filter(|d| d.status == DomainStatus::Verified)
                .map(|_| p.id)
        })
    }

    fn held_error(&self, domain: &str, holder: Uuid) -> SpError {
        let orgs: Vec<String> = self
            .parents
            .get(&holder)
            .map(|p| {
                p.orgs
                    .iter()
                    .filter_map(|o| self.orgs.get(o))
                    .map(|o| o.handle.clone())
                    .collect()
            })
            .unwrap_or_default();
        SpError::new(
            Code::DomainHeldByAnotherParent,
            format!(
                "{domain} is already verified by another parent organization (the one of {}); \
                 to share SSO across it, an owner there must invite this organization to merge",
                orgs.join(", ")
            ),
        )
    }

    pub(crate) fn domain_view(&self, parent: Uuid, name: &str) -> SpResult<DomainView> {
        let d = self.domain(parent, name)?;
        Ok(DomainView::new(d, |e| self.instant(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn min(m: u64) -> Duration {
        Duration::from_secs(m * 60)
    }

    #[test]
    fn rechecks_every_five_minutes_then_hourly_then_daily_then_give_up() {
        assert_eq!(check_schedule(min(0), min(0)), Some(min(5)));
        assert_eq!(check_schedule(min(0), min(7)), Some(min(10)));
        assert_eq!(check_schedule(min(0), min(55)), Some(min(60)));
        assert_eq!(check_schedule(min(0), min(60)), Some(min(120)));
        assert_eq!(check_schedule(min(3), min(63)), Some(min(123)));
        let day = 24 * 60;
        assert_eq!(check_schedule(min(0), min(day - 60)), Some(min(day)));
        assert_eq!(check_schedule(min(0), min(day)), Some(min(2 * day)));
        assert_eq!(
            check_schedule(min(0), min(30 * day - 30)),
            Some(min(30 * day))
        );
        assert_eq!(check_schedule(min(0), min(30 * day)), None);
    }

    #[test]
    fn domain_syntax_and_consumer_domains() {
        assert_eq!(normalize_domain("Eng.Acme.Test.").unwrap(), "eng.acme.test");
        assert_eq!(
            normalize_domain("localhost").unwrap_err().code,
            Code::InvalidDomain
        );
        assert_eq!(
            normalize_domain("-x.test").unwrap_err().code,
            Code::InvalidDomain
        );
        assert_eq!(
            normalize_domain("gmail.com").unwrap_err().code,
            Code::InvalidDomain
        );
    }
}
