//! The virtual clock: a fixed epoch plus elapsed virtual time.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use time::macros::datetime;
use time::OffsetDateTime;

/// The epoch used when a scenario does not say `start:`.
pub const DEFAULT_EPOCH: OffsetDateTime = datetime!(2026-01-01 00:00:00 UTC);

/// A shared handle on the virtual clock. Cloning shares the same time.
///
/// Time is kept as whole milliseconds since the epoch: every consumer
/// (SAML instants, DNS propagation, cookies) works at that resolution or
/// coarser, and integers make `(due, seq)` ordering exact.
#[derive(Clone, Debug)]
pub struct Clock {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    epoch: OffsetDateTime,
    elapsed_ms: AtomicU64,
}

impl Clock {
    pub fn new(epoch: OffsetDateTime) -> Clock {
        Clock {
            inner: Arc::new(Inner {
                epoch,
                elapsed_ms: AtomicU64::new(0),
            }),
        }
    }

    /// The instant the world started.
    pub fn epoch(&self) -> OffsetDateTime {
        self.inner.epoch
    }

    /// Virtual time since the epoch.
    pub fn elapsed(&self) -> Duration {
        Duration::from_millis(self.inner.elapsed_ms.load(Ordering::SeqCst))
    }

    /// The current virtual instant.
    pub fn now(&self) -> OffsetDateTime {
        self.inner.epoch + self.elapsed()
    }

    /// Moves time forward to `elapsed` since the epoch. Time never goes
    /// backwards: asking for an earlier instant leaves the clock where it is.
    pub fn advance_to(&self, elapsed: Duration) {
        let target = duration_ms(elapsed);
        self.inner.elapsed_ms.fetch_max(target, Ordering::SeqCst);
    }

    /// Moves time forward by `by`.
    pub fn advance(&self, by: Duration) {
        self.inner
            .elapsed_ms
            .fetch_add(duration_ms(by), Ordering::SeqCst);
    }
}

fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Formats elapsed virtual time for transcripts: `+00:10:00` or, past a day,
/// `+2d 03:00:00`. Milliseconds appear only when they are not zero, so the
/// common case stays short.
pub fn format_elapsed(d: Duration) -> String {
    let total_ms = duration_ms(d);
    let ms = total_ms % 1000;
    let s = total_ms / 1000;
    let (days, h, m, sec) = (s / 86_400, (s / 3600) % 24, (s / 60) % 60, s % 60);
    let mut out = String::from("+");
    if days > 0 {
        out.push_str(&format!("{days}d "));
    }
    out.push_str(&format!("{h:02}:{m:02}:{sec:02}"));
    if ms > 0 {
        out.push_str(&format!(".{ms:03}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_moves_only_when_told_and_never_backwards() {
        let clock = Clock::new(DEFAULT_EPOCH);
        assert_eq!(clock.now(), DEFAULT_EPOCH);
        clock.advance(Duration::from_secs(600));
        clock.advance_to(Duration::from_secs(60));
        assert_eq!(clock.elapsed(), Duration::from_secs(600));
        assert_eq!(clock.now(), datetime!(2026-01-01 00:10:00 UTC));
    }

    #[test]
    fn elapsed_formatting() {
        assert_eq!(format_elapsed(Duration::ZERO), "+00:00:00");
        assert_eq!(
            format_elapsed(Duration::from_millis(40 * 60_000 + 5)),
            "+00:40:00.005"
        );
        assert_eq!(
            format_elapsed(Duration::from_secs(86_400 * 30 + 3600)),
            "+30d 01:00:00"
        );
    }
}
