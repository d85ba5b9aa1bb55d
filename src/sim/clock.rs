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
    /// Set for a live clock: elapsed time then also follows the machine's
    /// monotonic clock from this instant (standalone servers, `serve`).
    live_since: Option<std::time::Instant>,
}

impl Clock {
    pub fn new(epoch: OffsetDateTime) -> Clock {
        Clock {
            inner: Arc::new(Inner {
                epoch,
                elapsed_ms: AtomicU64::new(0),
                live_since: None,
            }),
        }
    }

    /// A clock that follows real time, for standalone servers that talk to
    /// real IdPs and SPs (`ssosim idp serve`, `ssosim sp serve`), whose
    /// messages carry real instants. This is the only place ssosim reads the
    /// wall clock; scenario runs never use it. `advance` still works on top
    /// (fast-forward in `serve`).
    pub fn live() -> Clock {
        let epoch = OffsetDateTime::from(std::time::SystemTime::now());
        // Whole milliseconds, like every other instant here.
        let epoch = epoch
            .replace_nanosecond((epoch.nanosecond() / 1_000_000) * 1_000_000)
            .unwrap_or(epoch);
        Clock {
            inner: Arc::new(Inner {
                epoch,
                elapsed_ms: AtomicU64::new(0),
                live_since: Some(std::time::Instant::now()),
            }),
        }
    }

    /// Whether this clock follows real time.
    pub fn is_live(&self) -> bool {
        self.inner.live_since.is_some()
    }

    /// The instant the world started.
    pub fn epoch(&self) -> OffsetDateTime {
        self.inner.epoch
    }

    /// Virtual time since the epoch.
    pub fn elapsed(&self) -> Duration {
        let told = Duration::from_millis(self.inner.elapsed_ms.load(Ordering::SeqCst));
        match self.inner.live_since {
            Some(since) => told + Duration::from_millis(duration_ms(since.elapsed())),
            None => told,
        }
    }

    /// The current virtual instant.
    pub fn now(&self) -> OffsetDateTime {
        // Scenarios bound start + time limit to year 9999 at parse time; a
        // live clock cannot get there. Saturate rather than panic regardless.
        time::Duration::try_from(self.elapsed())
            .ok()
            .and_then(|d| self.inner.epoch.checked_add(d))
            .unwrap_or(time::PrimitiveDateTime::MAX.assume_utc())
    }

    /// Moves time forward to `elapsed` since the epoch. Time never goes
    /// backwards: asking for an earlier instant leaves the clock where it is.
    pub fn advance_to(&self, elapsed: Duration) {
        let now = self.elapsed();
        if elapsed > now {
            self.advance(elapsed - now);
        }
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
    fn a_live_clock_never_runs_backwards_and_can_be_fast_forwarded() {
        let clock = Clock::live();
        assert!(clock.is_live() && !Clock::new(DEFAULT_EPOCH).is_live());
        let a = clock.now();
        clock.advance(Duration::from_secs(3600));
        assert!(clock.now() >= a + Duration::from_secs(3600));
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
