//! ssosim: a whole single-sign-on world on one machine.
//!
//! See `ARCHITECTURE.md` for the code map and the invariants every module keeps.

pub mod saml;
pub mod sim;
