//! ssosim: a whole single-sign-on world on one machine.
//!
//! See `ARCHITECTURE.md` for the code map and the invariants every module keeps.

pub mod agent;
pub mod cli;
pub mod dns;
pub mod httpd;
pub mod idp;
pub mod report;
pub mod rules;
pub mod saml;
pub mod scenario;
pub mod sim;
pub mod snapshot;
pub mod sp;
pub mod spsaml;
pub mod transcript;
pub mod world;
