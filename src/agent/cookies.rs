//! The browser agent's cookie jar, on the virtual clock.
//!
//! `Set-Cookie` values are parsed by the `cookie` crate; storage and the
//! sending rules are ours (RFC 6265 §5.3 storage model, §5.4 sending), because
//! `cookie_store` reads the wall clock. Expiry (`Max-Age`, `Expires`) is
//! judged against the instant the caller passes in, which is always
//! `Clock::now()`.
//!
//! SameSite (RFC 6265bis §5.6.7) is modelled because it decides real SAML
//! outcomes: the IdP's auto-submitted POST to the SP's ACS is a cross-site
//! request, so an SP cookie without `SameSite=None` is not sent with it.
//! A missing attribute counts as `Lax`, as in current browsers. "Site" is
//! approximated as the last two labels of the host (there is no public
//! suffix list here), or the whole host for an IP address.

use std::fmt;

use cookie::{Cookie, Expiration, SameSite};
use time::OffsetDateTime;
use url::Url;

/// One stored cookie (RFC 6265 §5.3 step 2's fields).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredCookie {
    pub name: String,
    pub value: String,
    /// Lowercase, without a leading dot.
    pub domain: String,
    /// Sent only to `domain` itself (no `Domain` attribute was given).
    pub host_only: bool,
    pub path: String,
    pub secure: bool,
    pub http_only: bool,
    pub same_site: CookieSameSite,
    /// `None` for a session cookie.
    pub expires: Option<OffsetDateTime>,
    /// Order of first creation; keeps sending order stable (§5.4 step 2).
    creation: u64,
}

/// The cookie's SameSite policy; a missing attribute is `Lax`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CookieSameSite {
    Strict,
    Lax,
    None,
}

/// Why a `Set-Cookie` was ignored (the transcript says so).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CookieRejected {
    /// The header is not a cookie.
    Unparsable(String),
    /// `Domain` does not domain-match the host that set it (§5.3 step 6).
    DomainMismatch { domain: String, host: String },
    /// `Secure` cookie set over plain http from a non-local origin.
    SecureOverHttp,
    /// `SameSite=None` without `Secure` (RFC 6265bis §5.6 step 15).
    SameSiteNoneWithoutSecure,
}

impl fmt::Display for CookieRejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CookieRejected::Unparsable(e) => write!(f, "not a cookie: {e}"),
            CookieRejected::DomainMismatch { domain, host } => {
                write!(f, "Domain={domain} does not match the host {host}")
            }
            CookieRejected::SecureOverHttp => write!(f, "Secure cookie set over http"),
            CookieRejected::SameSiteNoneWithoutSecure => {
                write!(f, "SameSite=None without Secure")
            }
        }
    }
}

/// What kind of request a cookie would ride on, for SameSite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestContext {
    /// Typed into the address bar, or started by the script: same-site.
    Direct,
    /// A top-level navigation started by a page on `initiator`'s site
    /// (a redirect, a link, a form submission), with this method.
    Navigation { cross_site: bool, safe_method: bool },
}

/// A cookie store on the virtual clock.
#[derive(Clone, Debug, Default)]
pub struct CookieJar {
    cookies: Vec<StoredCookie>,
    creation_next: u64,
}

impl CookieJar {
    pub fn new() -> CookieJar {
        CookieJar::default()
    }

    /// Stores one `Set-Cookie` header value received from `url` at `now`
    /// (RFC 6265 §5.3). A cookie that is already expired deletes any
    /// cookie it replaces and is not stored.
    pub fn store(
        &mut self,
        set_cookie: &str,
        url: &Url,
        now: OffsetDateTime,
    ) -> Result<(), CookieRejected> {
        let c = Cookie::parse(set_cookie.to_string())
            .map_err(|e| CookieRejected::Unparsable(e.to_string()))?;
        let host = canonical_host(url);
        // §5.3 step 6: an empty Domain counts as absent.
        let (domain, host_only) = match c
            .domain()
            .map(|d| d.trim_start_matches('.').to_ascii_lowercase())
        {
            Some(d) if !d.is_empty() => {
                if !domain_match(&host, &d) || (d != host && !d.contains('.')) {
                    return Err(CookieRejected::DomainMismatch { domain: d, host });
                }
                (d, false)
            }
            _ => (host.clone(), true),
        };
        // §5.3 step 7 and §5.1.4 default-path.
        let path = match c.path() {
            Some(p) if p.starts_with('/') => p.to_string(),
            _ => default_path(url.path()),
        };
        let secure = c.secure().unwrap_or(false);
        if secure && !is_secure_origin(url) {
            return Err(CookieRejected::SecureOverHttp);
        }
        let same_site = match c.same_site() {
            Some(SameSite::Strict) => CookieSameSite::Strict,
            Some(SameSite::None) => CookieSameSite::None,
            Some(SameSite::Lax) | None => CookieSameSite::Lax,
        };
        if same_site == CookieSameSite::None && !secure {
            return Err(CookieRejected::SameSiteNoneWithoutSecure);
        }
        // §5.3 step 3: Max-Age wins over Expires.
        let expires = match (c.max_age(), c.expires()) {
            (Some(age), _) => Some(if age.is_positive() {
                now.checked_add(age).unwrap_or(OffsetDateTime::new_utc(
                    time::Date::MAX,
                    time::Time::MIDNIGHT,
                ))
            } else {
                // Zero or negative: "the earliest representable date and time".
                OffsetDateTime::UNIX_EPOCH
            }),
            (None, Some(Expiration::DateTime(at))) => Some(at),
            (None, Some(Expiration::Session)) | (None, None) => None,
        };
        let mut stored = StoredCookie {
            name: c.name().to_string(),
            value: c.value().to_string(),
            domain,
            host_only,
            path,
            secure,
            http_only: c.http_only().unwrap_or(false),
            same_site,
            expires,
            creation: self.creation_next,
        };
        // §5.3 step 11: replace a cookie with the same name, domain and
        // path, keeping its creation time.
        if let Some(i) = self.cookies.iter().position(|o| {
            o.name == stored.name && o.domain == stored.domain && o.path == stored.path
        }) {
            stored.creation = self.cookies[i].creation;
            self.cookies.remove(i);
        } else {
            self.creation_next += 1;
        }
        if stored.expires.is_some_and(|at| at <= now) {
            return Ok(());
        }
        self.cookies.push(stored);
        Ok(())
    }

    /// The `Cookie` header for a request to `url` at `now` (RFC 6265 §5.4),
    /// or `None` when no cookie applies.
    pub fn header_for(
        &self,
        url: &Url,
        now: OffsetDateTime,
        ctx: RequestContext,
    ) -> Option<String> {
        let pairs: Vec<String> = self
            .matching(url, now, ctx)
            .iter()
            .map(|c| format!("{}={}", c.name, c.value))
            .collect();
        (!pairs.is_empty()).then(|| pairs.join("; "))
    }

    /// The cookies that would be sent to `url`, in sending order: longer
    /// paths first, then earlier creation (§5.4 step 2).
    pub fn matching(
        &self,
        url: &Url,
        now: OffsetDateTime,
        ctx: RequestContext,
    ) -> Vec<&StoredCookie> {
        let host = canonical_host(url);
        let mut out: Vec<&StoredCookie> = self
            .cookies
            .iter()
            .filter(|c| c.expires.is_none_or(|at| at > now))
            .filter(|c| {
                if c.host_only {
                    host == c.domain
                } else {
                    domain_match(&host, &c.domain)
                }
            })
            .filter(|c| path_match(url.path(), &c.path))
            .filter(|c| !c.secure || is_secure_origin(url))
            .filter(|c| match (c.same_site, ctx) {
                (_, RequestContext::Direct) => true,
                (
                    _,
                    RequestContext::Navigation {
                        cross_site: false, ..
                    },
                ) => true,
                (CookieSameSite::None, _) => true,
                (CookieSameSite::Lax, RequestContext::Navigation { safe_method, .. }) => {
                    safe_method
                }
                (CookieSameSite::Strict, _) => false,
            })
            .collect();
        out.sort_by(|a, b| {
            b.path
                .len()
                .cmp(&a.path.len())
                .then(a.creation.cmp(&b.creation))
        });
        out
    }

    /// One cookie by name, domain-matching `host` (for tests and transcripts).
    pub fn get(&self, host: &str, name: &str, now: OffsetDateTime) -> Option<&StoredCookie> {
        self.cookies.iter().find(|c| {
            c.name == name
                && c.expires.is_none_or(|at| at > now)
                && (c.domain == host || (!c.host_only && domain_match(host, &c.domain)))
        })
    }

    /// Drops cookies that have expired by `now` (§5.3 "remove excess").
    pub fn purge_expired(&mut self, now: OffsetDateTime) {
        self.cookies.retain(|c| c.expires.is_none_or(|at| at > now));
    }

    /// Every stored cookie (expired ones included until purged).
    pub fn all(&self) -> &[StoredCookie] {
        &self.cookies
    }

    pub fn clear(&mut self) {
        self.cookies.clear();
    }
}

/// The host as cookies see it: lowercase, no port.
fn canonical_host(url: &Url) -> String {
    url.host_str().unwrap_or_default().to_ascii_lowercase()
}

/// RFC 6265 §5.1.3 domain-match.
pub fn domain_match(host: &str, domain: &str) -> bool {
    if host == domain {
        return true;
    }
    host.ends_with(domain)
        && host.as_bytes().get(host.len() - domain.len() - 1) == Some(&b'.')
        && host.parse::<std::net::IpAddr>().is_err()
}

/// RFC 6265 §5.1.4 path-match.
pub fn path_match(request_path: &str, cookie_path: &str) -> bool {
    request_path == cookie_path
        || (request_path.starts_with(cookie_path)
            && (cookie_path.ends_with('/')
                || request_path.as_bytes().get(cookie_path.len()) == Some(&b'/')))
}

/// RFC 6265 §5.1.4 default-path: the request path up to its last `/`.
fn default_path(request_path: &str) -> String {
    match request_path.rfind('/') {
        Some(0) | None => "/".to_string(),
        Some(i) => request_path[..i].to_string(),
    }
}

/// https, or a loopback origin (browsers treat `http://127.0.0.1` and
/// `http://localhost` as potentially trustworthy).
fn is_secure_origin(url: &Url) -> bool {
    url.scheme() == "https"
        || matches!(
            url.host_str(),
            Some("127.0.0.1") | Some("localhost") | Some("[::1]")
        )
}

/// The "site" of a URL for SameSite: scheme plus registrable domain,
/// approximated as the last two labels (or the IP address itself).
pub fn site_of(url: &Url) -> String {
    let host = canonical_host(url);
    let site = if host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[') {
        host
    } else {
        let labels: Vec<&str> = host.rsplitn(3, '.').collect();
        match labels.as_slice() {
            [tld, second, _] => format!("{second}.{tld}"),
            _ => host.clone(),
        }
    };
    // Schemeful same-site treats http and https as different sites, but
    // loopback http stands in for https in standalone runs.
    let scheme = if is_secure_origin(url) {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{site}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_path_and_path_match() {
        assert_eq!(default_path("/a/b/c"), "/a/b");
        assert_eq!(default_path("/a"), "/");
        assert!(path_match("/saml/acs", "/saml"));
        assert!(path_match("/saml/", "/saml/"));
        assert!(!path_match("/samlx", "/saml"));
    }

    #[test]
    fn sites() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert_eq!(site_of(&u("https://a.b.claude.ai/x")), "https://claude.ai");
        assert_eq!(site_of(&u("http://127.0.0.1:9/")), "https://127.0.0.1");
        assert_ne!(
            site_of(&u("https://acme.okta.test/")),
            site_of(&u("https://claude.ai/"))
        );
    }
}
