//! The records the mock DNS serves, each with a window of virtual time in
//! which it is visible: `visible_from` (inclusive) and an optional
//! `visible_until` (exclusive), both measured as elapsed virtual time since
//! the scenario epoch. Publishing and withdrawing a record therefore each
//! take a propagation delay, as they do on the real Internet.
//!
//! The store answers one question — what does an authoritative server say
//! about (name, type) at instant `now` — following RFC 1034 §4.3.2 for the
//! parts ssosim needs: the most specific served zone, referrals at zone
//! cuts, CNAMEs, wildcards (RFC 4592), NXDOMAIN versus NODATA (a name whose
//! records are all invisible does not exist; an empty non-terminal does).

use std::collections::BTreeMap;
use std::time::Duration;

use super::name::DnsName;
use super::rdata::Rdata;
use super::zone::Zone;

/// One record and the window in which it can be seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRecord {
    pub owner: DnsName,
    pub ttl: u32,
    pub rdata: Rdata,
    pub visible_from: Duration,
    pub visible_until: Option<Duration>,
}

impl StoredRecord {
    pub fn visible_at(&self, now: Duration) -> bool {
        self.visible_from <= now && self.visible_until.is_none_or(|until| now < until)
    }
}

/// An answer record: owner as it should appear in the response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerRecord {
    pub owner: DnsName,
    pub ttl: u32,
    pub rdata: Rdata,
}

/// What an authoritative server says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The name is in no served zone.
    Refused,
    /// Records (possibly a CNAME chain), authoritative.
    Records(Vec<AnswerRecord>),
    /// The name exists but has no visible record of the type; the SOA goes
    /// in the authority section. `answers` holds a CNAME chain, if any.
    NoData {
        answers: Vec<AnswerRecord>,
        soa: AnswerRecord,
    },
    /// The name does not exist (at this instant).
    NxDomain {
        answers: Vec<AnswerRecord>,
        soa: AnswerRecord,
    },
    /// The name is below a zone cut: not authoritative, NS in authority.
    Referral { ns: Vec<AnswerRecord> },
}

const TYPE_NS: u16 = 2;
const TYPE_CNAME: u16 = 5;
const TYPE_SOA: u16 = 6;
const TYPE_ANY: u16 = 255;
/// RFC 1034 does not bound CNAME chains; servers do. BIND stops at 16.
const CNAME_CHAIN_MAX: usize = 16;

#[derive(Clone, Debug, Default)]
struct ZoneData {
    /// Records by owner (case-insensitive canonical order), in the order
    /// they were added.
    by_owner: BTreeMap<DnsName, Vec<StoredRecord>>,
}

/// All served zones, keyed by origin.
#[derive(Clone, Debug, Default)]
pub struct Store {
    zones: BTreeMap<DnsName, ZoneData>,
}

impl Store {
    pub fn new() -> Store {
        Store::default()
    }

    /// Serves `zone`, replacing any zone with the same origin; its records
    /// are visible from the epoch on.
    pub fn add_zone(&mut self, zone: &Zone) {
        let mut data = ZoneData::default();
        for set in zone.rrsets() {
            for rd in &set.rdatas {
                data.by_owner
                    .entry(set.owner.clone())
                    .or_default()
                    .push(StoredRecord {
                        owner: set.owner.clone(),
                        ttl: set.ttl,
                        rdata: rd.clone(),
                        visible_from: Duration::ZERO,
                        visible_until: None,
                    });
            }
        }
        self.zones.insert(zone.origin().clone(), data);
    }

    /// The origins of the served zones, in canonical order.
    pub fn origins(&self) -> Vec<DnsName> {
        self.zones.keys().cloned().collect()
    }

    /// The most specific served zone that contains `name`.
    pub fn zone_of(&self, name: &DnsName) -> Option<DnsName> {
        self.zones
            .keys()
            .filter(|origin| name.is_subdomain_of(origin))
            .max_by_key(|origin| origin.labels().len())
            .cloned()
    }

    /// Adds a record; `None` when `record.owner` is in no served zone.
    pub fn insert(&mut self, record: StoredRecord) -> Option<()> {
        let origin = self.zone_of(&record.owner)?;
        let zone = self.zones.get_mut(&origin)?;
        zone.by_owner
            .entry(record.owner.clone())
            .or_default()
            .push(record);
        Some(())
    }

    /// Makes every record of `rtype` at `owner` that would still be visible
    /// at `until` disappear at `until`. Returns how many records that
    /// touched; `None` when `owner` is in no served zone.
    pub fn withdraw(&mut self, owner: &DnsName, rtype: u16, until: Duration) -> Option<usize> {
        let origin = self.zone_of(owner)?;
        let zone = self.zones.get_mut(&origin)?;
        let mut count = 0;
        if let Some(records) = zone.by_owner.get_mut(owner) {
            for r in records.iter_mut().filter(|r| r.rdata.rtype() == rtype) {
                if r.visible_until.is_none_or(|u| u > until) {
                    r.visible_until = Some(until);
                    count += 1;
                }
            }
        }
        Some(count)
    }

    /// Every record at `owner`, visible or not (for inspection and tests).
    pub fn records_at(&self, owner: &DnsName) -> Vec<StoredRecord> {
        self.zone_of(owner)
            .and_then(|o| self.zones.get(&o))
            .and_then(|z| z.by_owner.get(owner))
            .cloned()
            .unwrap_or_default()
    }

    /// Answers (qname, qtype) as the authoritative server at instant `now`.
    pub fn lookup(&self, qname: &DnsName, qtype: u16, now: Duration) -> Answer {
        let Some(origin) = self.zone_of(qname) else {
            return Answer::Refused;
        };
        let Some(zone) = self.zones.get(&origin) else {
            return Answer::Refused;
        };
        let soa = zone
            .visible(&origin, TYPE_SOA, now)
            .into_iter()
            .next()
            .map(|r| {
                // RFC 2308 §3: the negative TTL is the smaller of the SOA's TTL
                // and its MINIMUM field.
                let minimum = match &r.rdata {
                    Rdata::Soa { minimum, .. } => *minimum,
                    _ => r.ttl,
                };
                AnswerRecord {
                    owner: r.owner,
                    ttl: r.ttl.min(minimum),
                    rdata: r.rdata,
                }
            });
        let mut chain: Vec<AnswerRecord> = Vec::new();
        let mut name = qname.clone();
        loop {
            if let Some(ns) = zone.cut_above(&origin, &name, now) {
                if chain.is_empty() {
                    return Answer::Referral { ns };
                }
                // A CNAME into a delegated child: answer with the chain.
                return Answer::Records(chain);
            }
            let (owner_records, synthesized) = match zone.visible_all(&name, now) {
                v if !v.is_empty() => (v, false),
                _ => match zone.wildcard_for(&origin, &name, now) {
                    Some(v) => (v, true),
                    None => {
                        let Some(soa) = soa else {
                            return Answer::Refused;
                        };
                        if zone.has_visible_below(&name, now) {
                            return Answer::NoData {
                                answers: chain,
                                soa,
                            };
                        }
                        return Answer::NxDomain {
                            answers: chain,
                            soa,
                        };
                    }
                },
            };
            let as_answer = |r: &StoredRecord| AnswerRecord {
                owner: if synthesized {
                    name.clone()
                } else {
                    r.owner.clone()
                },
                ttl: r.ttl,
                rdata: r.rdata.clone(),
            };
            let matching: Vec<AnswerRecord> = owner_records
                .iter()
                .filter(|r| qtype == TYPE_ANY || r.rdata.rtype() == qtype)
                .map(as_answer)
                .collect();
            if !matching.is_empty() {
                chain.extend(dedup(matching));
                return Answer::Records(chain);
            }
            let cname = owner_records.iter().find(|r| r.rdata.rtype() == TYPE_CNAME);
            match cname {
                Some(c) if chain.len() < CNAME_CHAIN_MAX => {
                    let Rdata::Cname(target) = &c.rdata else {
                        return Answer::Records(chain);
                    };
                    let target = target.clone();
                    chain.push(as_answer(c));
                    // Follow the chain only inside this zone; a resolver
                    // follows it elsewhere.
                    if !target.is_subdomain_of(&origin)
                        || self.zone_of(&target) != Some(origin.clone())
                    {
                        return Answer::Records(chain);
                    }
                    name = target;
                }
                Some(_) => return Answer::Records(chain),
                None => {
                    let Some(soa) = soa else {
                        return Answer::Refused;
                    };
                    return Answer::NoData {
                        answers: chain,
                        soa,
                    };
                }
            }
        }
    }
}

/// Drops records with the same rdata (RRsets are sets).
fn dedup(records: Vec<AnswerRecord>) -> Vec<AnswerRecord> {
    let mut seen: BTreeMap<(u16, Vec<u8>), ()> = BTreeMap::new();
    records
        .into_iter()
        .filter(|r| {
            seen.insert((r.rdata.rtype(), r.rdata.canonical_wire()), ())
                .is_none()
        })
        .collect()
}

impl ZoneData {
    fn visible_all(&self, owner: &DnsName, now: Duration) -> Vec<StoredRecord> {
        self.by_owner
            .get(owner)
            .map(|rs| rs.iter().filter(|r| r.visible_at(now)).cloned().collect())
            .unwrap_or_default()
    }

    fn visible(&self, owner: &DnsName, rtype: u16, now: Duration) -> Vec<StoredRecord> {
        let mut v = self.visible_all(owner, now);
        v.retain(|r| r.rdata.rtype() == rtype);
        v
    }

    /// True when some visible record lives strictly below `name` (so
    /// `name` is an empty non-terminal, RFC 8020 §2).
    fn has_visible_below(&self, name: &DnsName, now: Duration) -> bool {
        self.by_owner
            .range(name.clone()..)
            .skip_while(|(owner, _)| *owner == name)
            .take_while(|(owner, _)| owner.is_subdomain_of(name))
            .any(|(_, rs)| rs.iter().any(|r| r.visible_at(now)))
    }

    /// Visible NS records at a zone cut between the apex (exclusive) and
    /// `name` (inclusive), highest cut first.
    fn cut_above(
        &self,
        origin: &DnsName,
        name: &DnsName,
        now: Duration,
    ) -> Option<Vec<AnswerRecord>> {
        let extra = name.labels().len().saturating_sub(origin.labels().len());
        for keep in (0..extra).rev() {
            // The ancestor of `name` with `keep` labels fewer than `name`...
            let ancestor = DnsName::parse_labels(name.labels()[keep..].to_vec());
            let ns = self.visible(&ancestor, TYPE_NS, now);
            if !ns.is_empty() {
                return Some(
                    ns.into_iter()
                        .map(|r| AnswerRecord {
                            owner: r.owner,
                            ttl: r.ttl,
                            rdata: r.rdata,
                        })
                        .collect(),
                );
            }
        }
        None
    }

    /// RFC 4592 §3.3.1: the records of `*.<closest encloser>` when `name`
    /// does not exist and its closest encloser has a wildcard child.
    fn wildcard_for(
        &self,
        origin: &DnsName,
        name: &DnsName,
        now: Duration,
    ) -> Option<Vec<StoredRecord>> {
        let mut encloser = name.parent();
        loop {
            let exists = !self.visible_all(&encloser, now).is_empty()
                || self.has_visible_below(&encloser, now);
            if exists {
                let mut labels = vec![b"*".to_vec()];
                labels.extend(encloser.labels().iter().cloned());
                let wild = self.visible_all(&DnsName::parse_labels(labels), now);
                return if wild.is_empty() { None } else { Some(wild) };
            }
            if encloser == *origin || encloser.labels().is_empty() {
                return None;
            }
            encloser = encloser.parent();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::zone::parse_zone;

    const ZONE: &str = "\
$ORIGIN example.com.
$TTL 300
@ SOA ns hostmaster 1 2 3 4 60
@ NS ns
ns A 192.0.2.1
alias CNAME www
www A 192.0.2.2
child NS ns.child
ns.child A 192.0.2.3
*.wild TXT \"wild\"
x.y.z TXT \"deep\"
";

    fn store() -> Store {
        let mut s = Store::new();
        s.add_zone(&parse_zone(ZONE, "t.zone").unwrap());
        s
    }

    fn n(s: &str) -> DnsName {
        DnsName::parse(s.as_bytes(), None).unwrap()
    }

    fn kind(a: &Answer) -> &'static str {
        match a {
            Answer::Refused => "refused",
            Answer::Records(_) => "records",
            Answer::NoData { .. } => "nodata",
            Answer::NxDomain { .. } => "nxdomain",
            Answer::Referral { .. } => "referral",
        }
    }

    #[test]
    fn answers_follow_rfc1034_lookup() {
        let s = store();
        let t = Duration::ZERO;
        for (name, qtype, expected) in [
            ("www.example.com.", 1, "records"),
            ("WWW.EXAMPLE.COM.", 1, "records"),
            ("www.example.com.", 16, "nodata"),
            ("y.z.example.com.", 16, "nodata"),
            ("z.example.com.", 16, "nodata"),
            ("nope.example.com.", 16, "nxdomain"),
            ("a.child.example.com.", 16, "referral"),
            ("child.example.com.", 2, "referral"),
            ("anything.wild.example.com.", 16, "records"),
            ("wild.example.com.", 16, "nodata"),
            ("example.org.", 16, "refused"),
        ] {
            assert_eq!(
                kind(&s.lookup(&n(name), qtype, t)),
                expected,
                "{name} {qtype}"
            );
        }
    }

    #[test]
    fn wildcard_answers_take_the_query_name() {
        let Answer::Records(rs) = store().lookup(&n("a.wild.example.com."), 16, Duration::ZERO)
        else {
            panic!("expected records");
        };
        assert_eq!(rs[0].owner, n("a.wild.example.com."));
    }

    #[test]
    fn cname_is_followed_inside_the_zone() {
        let Answer::Records(rs) = store().lookup(&n("alias.example.com."), 1, Duration::ZERO)
        else {
            panic!("expected records");
        };
        let types: Vec<u16> = rs.iter().map(|r| r.rdata.rtype()).collect();
        assert_eq!(types, [5, 1]);
    }

    #[test]
    fn visibility_window_is_half_open() {
        let mut s = store();
        s.insert(StoredRecord {
            owner: n("t.example.com."),
            ttl: 60,
            rdata: Rdata::Txt(vec![b"x".to_vec()]),
            visible_from: Duration::from_secs(10),
            visible_until: Some(Duration::from_secs(20)),
        })
        .unwrap();
        let at = |secs| kind(&s.lookup(&n("t.example.com."), 16, Duration::from_secs(secs)));
        assert_eq!(
            [at(9), at(10), at(19), at(20)],
            ["nxdomain", "records", "records", "nxdomain"]
        );
    }
}
