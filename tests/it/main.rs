//! The one integration-test binary: every module below is a file of tests
//! named for what it proves.

mod agent_browser;
mod cli;
mod dns;
mod fuzz_support;
mod idp_checks;
mod idp_cli;
mod idp_server;
mod idp_support;
mod idp_users_file;
mod idp_vendors;
mod report_formats;
mod saml_attacks;
mod saml_binding;
mod saml_c14n;
mod saml_dsig;
mod saml_inspect;
mod saml_metadata;
mod saml_support;
mod saml_validate;
mod saml_xml_profile;
mod scenario_errors;
mod scenarios;
mod snapshot_files;
mod sp_serve;
mod tidy;
mod yaml_syntax;
