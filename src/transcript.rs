//! The transcript: a stable, readable log of what happened, stamped with
//! virtual time. Its format is documented in ARCHITECTURE.md ("Transcript
//! format") and is an API: snapshots are made of it.

use std::fmt::Write as _;
use std::time::Duration;

use crate::sim::format_elapsed;

/// Width of the time column (`+00:00:00 `) and of the source column.
const SOURCE_WIDTH: usize = 6;

#[derive(Default, Debug)]
pub struct Transcript {
    text: String,
}

impl Transcript {
    pub fn new() -> Transcript {
        Transcript::default()
    }

    /// A free line (headers, section titles).
    pub fn line(&mut self, s: &str) {
        self.text.push_str(s);
        self.text.push('\n');
    }

    pub fn section(&mut self, title: &str) {
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        let _ = writeln!(self.text, "== {title} ==");
    }

    /// One event: `+HH:MM:SS source headline`, then `detail` lines indented
    /// under the headline.
    pub fn event(&mut self, at: Duration, source: &str, headline: &str, detail: &[String]) {
        let stamp = format_elapsed(at);
        let _ = writeln!(self.text, "{stamp} {source:<SOURCE_WIDTH$} {headline}");
        let indent = " ".repeat(stamp.len() + 1 + SOURCE_WIDTH + 1);
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

    pub fn finish(self) -> String {
        self.text
    }
}
