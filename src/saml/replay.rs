//! The SP's replay cache (SECURITY.md RP1, RP2): every accepted
//! assertion ID and response ID is remembered until the assertion could
//! no longer be accepted anyway (its NotOnOrAfter plus the allowed skew).
//!
//! It lives on the virtual clock: the caller passes `now`; nothing here
//! reads time. It is bounded: when it is full of live entries a new login
//! is refused (`replay-cache-full`) rather than forgetting an entry early,
//! which would reopen the replay window (fail closed).

use std::collections::BTreeMap;

use time::OffsetDateTime;

/// Default capacity: far above any simulated world's login volume.
pub const REPLAY_CACHE_CAPACITY: usize = 100_000;

/// Which kind of id an entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum IdKind {
    Assertion,
    Response,
}

/// Seen ids → the instant they may be forgotten.
#[derive(Clone, Debug)]
pub struct ReplayCache {
    entries: BTreeMap<(IdKind, String), OffsetDateTime>,
    capacity: usize,
}

impl Default for ReplayCache {
    fn default() -> Self {
        ReplayCache::new(REPLAY_CACHE_CAPACITY)
    }
}

impl ReplayCache {
    pub fn new(capacity: usize) -> ReplayCache {
        ReplayCache {
            entries: BTreeMap::new(),
            capacity,
        }
    }

    /// Forgets every entry whose expiry is at or before `now`.
    pub fn purge(&mut self, now: OffsetDateTime) {
        self.entries.retain(|_, until| *until > now);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// True when `id` of `kind` was seen and is not yet forgettable.
    pub fn contains(&self, kind: IdKind, id: &str, now: OffsetDateTime) -> bool {
        self.entries
            .get(&(kind, id.to_string()))
            .is_some_and(|until| *until > now)
    }

    /// Room for `n` more entries after purging what has expired.
    pub(crate) fn make_room(&mut self, n: usize, now: OffsetDateTime) -> bool {
        if self.entries.len() + n > self.capacity {
            self.purge(now);
        }
        self.entries.len() + n <= self.capacity
    }

    /// Remembers `id` until `until`.
    pub fn insert(&mut self, kind: IdKind, id: &str, until: OffsetDateTime) {
        let slot = self.entries.entry((kind, id.to_string())).or_insert(until);
        if *slot < until {
            *slot = until;
        }
    }
}
