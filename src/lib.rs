//! ssosim: a whole single-sign-on world on one machine.
//!
//! See `ARCHITECTURE.md` for the code map and the invariants every module keeps.

<<<<<<< HEAD
pub mod agent;
pub mod rules;
pub mod scenario;
pub mod sim;
pub mod sp;
pub mod transcript;
=======
pub mod report;
pub mod sim;
pub mod snapshot;
>>>>>>> report
