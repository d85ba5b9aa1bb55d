//! Scenario files: the YAML front end (a spanned tree, diagnostics that point
//! at `file:line:col`, and helpers that decode the tree into typed values).
//!
//! **Architecture Invariant:** nothing here does IO. Callers hand in bytes and
//! get back a tree or a [`diag::Diagnostic`] they can render.

pub mod decode;
pub mod diag;
pub mod yaml;
