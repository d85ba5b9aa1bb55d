//! The one integration-test binary: every module below is a file of tests
//! named for what it proves.

mod saml_c14n;
mod saml_dsig;
mod saml_support;
mod saml_xml_profile;
