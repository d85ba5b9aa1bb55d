//! The one integration-test binary: every module below is a file of tests
//! named for what it proves.

mod saml_xml_profile;
