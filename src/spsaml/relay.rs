//! RelayState without open redirects (SECURITY.md B2, IR4).
//!
//! The standalone SP carries the page to return to in RelayState, so
//! RelayState is checked against a shape allow-list both when the SP sends
//! it and when it comes back: a same-origin absolute path (`/…`), never a
//! network-path reference (`//host`), never a backslash (browsers read
//! `/\host` as `//host`), printable ASCII only, at most 80 bytes (SAML
//! Bindings 3.4.3 and 3.5.3: "MUST NOT exceed 80 bytes"). Anything else is
//! ignored and the reason reported.

/// SAML Bindings 3.4.3 / 3.5.3.
pub const RELAY_STATE_MAX_BYTES: usize = 80;

/// Why a RelayState was not used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RelayRefused {
    TooLong(usize),
    NotARelativePath,
    NetworkPath,
    Backslash,
    ControlOrNonAscii,
}

impl RelayRefused {
    /// A sentence for the page, the JSON answer and the log.
    pub fn describe(&self, value: &str) -> String {
        let why = match self {
            RelayRefused::TooLong(n) => {
                format!("it is {n} bytes long; SAML allows at most {RELAY_STATE_MAX_BYTES}")
            }
            RelayRefused::NotARelativePath => {
                "only a path on this SP (starting with '/') is followed, never another site"
                    .to_string()
            }
            RelayRefused::NetworkPath => {
                "'//' starts a link to another host (an open redirect)".to_string()
            }
            RelayRefused::Backslash => {
                "browsers read '\\' as '/', so it could point at another host".to_string()
            }
            RelayRefused::ControlOrNonAscii => {
                "it holds control, space or non-ASCII characters".to_string()
            }
        };
        format!("RelayState {value:?} ignored: {why}")
    }
}

/// The path to continue to, if `value` is a safe same-origin path.
pub fn check_relay_state(value: &str) -> Result<&str, RelayRefused> {
    if value.len() > RELAY_STATE_MAX_BYTES {
        return Err(RelayRefused::TooLong(value.len()));
    }
    if value.bytes().any(|b| !(0x21..0x7f).contains(&b)) {
        return Err(RelayRefused::ControlOrNonAscii);
    }
    if !value.starts_with('/') {
        return Err(RelayRefused::NotARelativePath);
    }
    if value.contains('\\') {
        return Err(RelayRefused::Backslash);
    }
    if value.starts_with("//") {
        return Err(RelayRefused::NetworkPath);
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_same_origin_paths_pass() {
        assert_eq!(
            check_relay_state("/dashboard?tab=1"),
            Ok("/dashboard?tab=1")
        );
        for bad in [
            "https://evil.test/",
            "//evil.test/",
            "/\\evil.test",
            "javascript:alert(1)",
            "/a b",
            "",
            "relative/path",
        ] {
            assert!(check_relay_state(bad).is_err(), "{bad}");
        }
        assert_eq!(
            check_relay_state(&format!("/{}", "a".repeat(80))),
            Err(RelayRefused::TooLong(81))
        );
    }
}
