//! Jobs due at virtual instants, run in `(due, seq)` order.

use std::collections::BTreeMap;
use std::time::Duration;

/// A time-ordered queue of jobs. Two jobs due at the same instant run in the
/// order they were scheduled (`seq`), so the order is total and reproducible.
#[derive(Debug)]
pub struct Scheduler<J> {
    queue: BTreeMap<(Duration, u64), J>,
    seq_next: u64,
}

impl<J> Default for Scheduler<J> {
    fn default() -> Self {
        Scheduler {
            queue: BTreeMap::new(),
            seq_next: 0,
        }
    }
}

impl<J> Scheduler<J> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Schedules `job` at `due` (elapsed virtual time since the epoch).
    pub fn schedule(&mut self, due: Duration, job: J) {
        self.queue.insert((due, self.seq_next), job);
        self.seq_next += 1;
    }

    /// Removes and returns the earliest job due at or before `until`.
    pub fn pop_due(&mut self, until: Duration) -> Option<(Duration, J)> {
        let (&(due, seq), _) = self.queue.first_key_value()?;
        if due > until {
            return None;
        }
        self.queue.remove(&(due, seq)).map(|job| (due, job))
    }

    /// Removes every job for which `keep` is false.
    pub fn retain(&mut self, mut keep: impl FnMut(&J) -> bool) {
        self.queue.retain(|_, job| keep(job));
    }

    /// When the next job is due, if any.
    pub fn next_due(&self) -> Option<Duration> {
        self.queue.keys().next().map(|&(due, _)| due)
    }

    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_run_in_due_then_seq_order() {
        let mut s = Scheduler::new();
        s.schedule(Duration::from_secs(20), "b");
        s.schedule(Duration::from_secs(10), "a");
        s.schedule(Duration::from_secs(20), "c");
        s.schedule(Duration::from_secs(30), "d");
        let until = Duration::from_secs(25);
        let mut got = vec![];
        while let Some((_, j)) = s.pop_due(until) {
            got.push(j);
        }
        assert_eq!(got, ["a", "b", "c"]);
        assert_eq!(s.next_due(), Some(Duration::from_secs(30)));
    }
}
