//! The virtual world's physics: a clock that moves only when told, a
//! scheduler of jobs due at virtual instants, and a seeded random stream.
//!
//! **Architecture Invariant:** this is the only module that may touch the
//! wall clock or OS randomness — and it touches neither. Every timestamp in
//! ssosim is `Clock::now()`, every id, token and UUID comes from [`Rng`].
//! Same scenario + same seed ⇒ byte-identical transcript.

mod clock;
mod rng;
mod scheduler;

pub use clock::{format_elapsed, Clock, DEFAULT_EPOCH};
pub use rng::Rng;
pub use scheduler::Scheduler;
