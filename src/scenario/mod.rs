//! Scenario files: the YAML front end (a spanned tree, diagnostics that point
//! at `file:line:col`, and helpers that decode the tree into typed values).
//!
//! Then the vocabulary (`ast`, `parse`) and the `runner` that plays a
//! scenario against a world.
//!
//! **Architecture Invariant:** the format and its parser do no IO (hurl's
//! split): callers hand in bytes and get back a typed scenario or a
//! [`diag::Diagnostic`] they can render. Only `parse::load` reads a file and
//! only `runner` drives sockets, through `crate::world`.

pub mod ast;
pub mod decode;
pub mod diag;
pub mod parse;
pub mod runner;
pub mod yaml;
