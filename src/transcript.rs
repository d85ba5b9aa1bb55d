//! The transcript: a stable, readable log of what happened, stamped with
//! virtual time. Its format is documented in ARCHITECTURE.md ("Transcript
//! format") and is an API: snapshots are made of it.

use std::fmt::Write as _;
use std::time::Duration;

use crate::sim::format_elapsed;

/// Width of the source column.
const SOURCE_WIDTH: usize = 6;
/// Detail lines start at this column whatever the stamp's width
/// (`+00:00:00` and `+29d 00:00:00` alike), so diffs stay aligned.
const DETAIL_INDENT: usize = 9 + 1 + SOURCE_WIDTH + 1;

#[derive(Default, Debug)]
pub struct Transcript {
    text: String,
    /// The last event, held back so that identical repeats collapse.
    pending: Option<Pending>,
}

#[derive(Debug)]
struct Pending {
    at: Duration,
    source: String,
    headline: String,
    detail: Vec<String>,
    repeats: u32,
    last_at: Duration,
}

/// Only scheduled jobs collapse: a pending domain re-checked hourly for 30
/// days is one event and a count, while every step stays visible.
const COLLAPSING_SOURCE: &str = "job";

impl Transcript {
    pub fn new() -> Transcript {
        Transcript::default()
    }

    /// A free line (headers, section titles).
    pub fn line(&mut self, s: &str) {
        self.flush();
        self.text.push_str(s);
        self.text.push('\n');
    }

    pub fn section(&mut self, title: &str) {
        self.flush();
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        let _ = writeln!(self.text, "== {title} ==");
    }

    /// One event: `+HH:MM:SS source headline`, then `detail` lines indented
    /// under the headline.
    ///
    /// Consecutive identical job events (same headline and detail) are
    /// written once, followed by `… the same N more times, the last at +T`.
    pub fn event(&mut self, at: Duration, source: &str, headline: &str, detail: &[String]) {
        if let Some(p) = &mut self.pending {
            if source == COLLAPSING_SOURCE
                && p.source == source
                && p.headline == headline
                && p.detail == detail
            {
                p.repeats += 1;
                p.last_at = at;
                return;
            }
        }
        self.flush();
        self.pending = Some(Pending {
            at,
            source: source.to_string(),
            headline: headline.to_string(),
            detail: detail.to_vec(),
            repeats: 0,
            last_at: at,
        });
    }

    fn flush(&mut self) {
        let Some(p) = self.pending.take() else { return };
        self.write_event(p.at, &p.source, &p.headline, &p.detail);
        if p.repeats > 0 {
            let times = if p.repeats == 1 { "time" } else { "times" };
            let indent = " ".repeat(DETAIL_INDENT);
            let _ = writeln!(
                self.text,
                "{indent}… the same {} more {times}, the last at {}",
                p.repeats,
                format_elapsed(p.last_at)
            );
        }
    }

    fn write_event(&mut self, at: Duration, source: &str, headline: &str, detail: &[String]) {
        let stamp = format_elapsed(at);
        let _ = writeln!(self.text, "{stamp} {source:<SOURCE_WIDTH$} {headline}");
        let indent = " ".repeat(DETAIL_INDENT);
        for d in detail {
            for l in d.lines() {
                if l.is_empty() {
                    self.text.push('\n');
                } else {
                    let _ = writeln!(self.text, "{indent}{l}");
                }
            }
        }
    }

    pub fn finish(mut self) -> String {
        self.flush();
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn min(m: u64) -> Duration {
        Duration::from_secs(60 * m)
    }

    #[test]
    fn identical_job_events_collapse_and_steps_do_not() {
        let mut t = Transcript::new();
        for m in [5, 10, 15] {
            t.event(
                min(m),
                "job",
                "sp re-checks a.test → pending",
                &["dns udp TXT x → NXDOMAIN".into()],
            );
        }
        t.event(min(20), "job", "sp re-checks a.test → verified", &[]);
        t.event(min(20), "step", "1 · advance 1m", &[]);
        t.event(min(20), "step", "1 · advance 1m", &[]);
        let out = t.finish();
        assert_eq!(
            out,
            "+00:05:00 job    sp re-checks a.test → pending\n                 dns udp TXT x → NXDOMAIN\n                 … the same 2 more times, the last at +00:15:00\n+00:20:00 job    sp re-checks a.test → verified\n+00:20:00 step   1 · advance 1m\n+00:20:00 step   1 · advance 1m\n"
        );
    }
}
