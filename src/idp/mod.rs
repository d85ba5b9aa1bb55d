//! The mock SAML identity provider: a directory of users and groups with
//! app assignment, vendor profiles (generic, Okta, Entra, Google) that
//! shape what the IdP emits, a sans-IO core that answers AuthnRequests, and
//! an HTTP shell (hyper on 127.0.0.1) a browser can use.

pub mod claims;
pub mod directory;
pub mod pages;
pub mod profile;
pub mod users_file;
