//! The one integration-test binary: every module below is a file of tests
//! named for what it proves.

mod cli;
mod dns;
mod report_formats;
mod scenario_errors;
mod scenarios;
mod snapshot_files;
mod tidy;
mod yaml_syntax;
