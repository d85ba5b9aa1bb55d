//! The scripted browser: a cookie jar on the virtual clock, redirect
//! following, auto-submission of SAML binding forms, and a record of every
//! hop for the transcript.
//!
//! A login is one [`Browser::navigate`] call: `GET /login` on the SP, a 302
//! to the IdP carrying an AuthnRequest (Redirect binding), the IdP's page
//! with an auto-submitting form, the POST of the SAMLResponse to the SP's
//! ACS, and the SP's answer. Each request is a [`Hop`]; the SAML message a
//! hop carries is summarised by a non-validating peek ([`peek`]).
//!
//! The browser acts like one where it matters to SSO: `Set-Cookie` is
//! stored and sent back per RFC 6265 (SameSite included: the ACS POST is
//! cross-site), 303 and POST-after-301/302 become GET, 307/308 keep the
//! method and body, and a relative `Location` is resolved against the
//! current URL.
//!
//! ## Transcript lines ([`Hop::describe`])
//!
//! ```text
//! GET https://sp.test/login?relay_state=%2Fwelcome → 302 Location: https://idp.test/sso?SAMLRequest=…
//!   cookies set: ssosim_sp_pending
//! GET https://idp.test/sso?SAMLRequest=…&RelayState=%2Fwelcome → 200
//!   SAML AuthnRequest (HTTP-Redirect), issuer https://sp.test/saml/metadata, unsigned, RelayState "/welcome"
//! POST https://sp.test/saml/acs → 200
//!   SAML Response (HTTP-POST), issuer https://idp.test/…, status Success, subject alice@acme.test, 2 attributes (2 groups), signed: Response+Assertion, RelayState "/welcome"
//!   cookies sent: ssosim_sp_pending
//!   cookies set: ssosim_sp_session, ssosim_sp_pending (deleted)
//! ```
//!
//! One unindented request line per hop (method, URL with SAML parameter
//! values abbreviated to `…`, status, `Location` when there is one), then
//! indented details: the peeked SAML message (kind, binding, issuer,
//! status, subject, attribute and group counts, which elements carry a
//! signature — not whether it verifies — and RelayState), the cookie names
//! sent, and the cookies set (`(deleted)` for an expired one, `(ignored:
//! why)` for a refused one). Virtual hosts show as `https://`, never a port.

pub mod peek;

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use url::Url;

use super::cookies::{site_of, CookieJar, RequestContext};
use super::html;
use super::{AgentError, HttpClient};
use crate::sim::{format_elapsed, Clock};
use peek::SamlSummary;

/// How many requests one navigation may make before giving up (Chrome and
/// Firefox stop at 20 redirects).
pub const DEFAULT_MAX_HOPS: usize = 20;

/// Why a request was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HopCause {
    /// The script asked for it.
    Navigate,
    /// A 3xx `Location` from the previous hop.
    Redirect,
    /// A form submitted: a SAML form auto-submitted, or [`Browser::submit`].
    FormPost,
}

impl HopCause {
    pub fn name(self) -> &'static str {
        match self {
            HopCause::Navigate => "navigate",
            HopCause::Redirect => "redirect",
            HopCause::FormPost => "form",
        }
    }
}

/// One request and its response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hop {
    /// Virtual time when the request was made.
    pub at: Duration,
    pub cause: HopCause,
    pub method: String,
    pub url: String,
    pub status: u16,
    pub location: Option<String>,
    pub content_type: String,
    /// Names of the cookies sent with the request.
    pub cookies_sent: Vec<String>,
    /// `name` for each stored cookie, `name (ignored: why)` for refused ones.
    pub cookies_set: Vec<String>,
    /// The SAML message the request carried (query or form body).
    pub saml: Option<SamlSummary>,
    /// What an ssosim SP decided about it (`SAML_VERDICT_HEADER`).
    pub sp_verdict: Option<String>,
}

impl Hop {
    /// Transcript lines for this hop: the request line, then details.
    pub fn describe(&self) -> Vec<String> {
        let mut head = format!("{} {} → {}", self.method, self.url, self.status);
        if let Some(l) = &self.location {
            head.push_str(&format!(" Location: {l}"));
        }
        let mut out = vec![head];
        if let Some(s) = &self.saml {
            out.push(format!("  {}", s.line()));
        }
        if let Some(v) = &self.sp_verdict {
            out.push(format!("  SP verdict: {v}"));
        }
        if !self.cookies_sent.is_empty() {
            out.push(format!("  cookies sent: {}", self.cookies_sent.join(", ")));
        }
        if !self.cookies_set.is_empty() {
            out.push(format!("  cookies set: {}", self.cookies_set.join(", ")));
        }
        out
    }
}

impl fmt::Display for Hop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}",
            format_elapsed(self.at),
            self.describe().join("\n")
        )
    }
}

/// Lines for a whole list of hops.
pub fn describe_hops(hops: &[Hop]) -> Vec<String> {
    hops.iter().flat_map(Hop::describe).collect()
}

/// Where a navigation ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    pub url: String,
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    #[error("not a usable URL {url:?}: {message}")]
    BadUrl { url: String, message: String },
    #[error("{0}")]
    Http(#[from] AgentError),
    #[error("gave up after {limit} requests (redirect loop?); the last was {last_url}")]
    TooManyHops { limit: usize, last_url: String },
    #[error("a {status} from {url} has no usable Location header")]
    BadRedirect { status: u16, url: String },
}

/// The next request a navigation makes.
struct Pending {
    cause: HopCause,
    method: String,
    url: Url,
    /// A form-urlencoded body (shared with the client, never copied).
    body: Option<Bytes>,
}

/// A scripted browser on the virtual clock.
pub struct Browser {
    client: HttpClient,
    clock: Clock,
    jar: CookieJar,
    hops: Vec<Hop>,
    /// Requests per navigation before [`BrowserError::TooManyHops`].
    pub max_hops: usize,
    /// Whether SAML binding forms are submitted automatically (as the
    /// page's `onload` script would); off to stop at the form.
    pub auto_submit: bool,
    /// Headers sent with every request (`accept`, `user-agent`).
    pub headers: Vec<(String, String)>,
    /// Whether hops carry a [`SamlSummary`] (one more parse of each SAML
    /// message; `bench login` turns it off to time the protocol alone).
    pub summarize_saml: bool,
}

impl Browser {
    pub fn new(client: HttpClient, clock: Clock) -> Browser {
        Browser {
            client,
            clock,
            jar: CookieJar::new(),
            hops: vec![],
            max_hops: DEFAULT_MAX_HOPS,
            auto_submit: true,
            headers: vec![],
            summarize_saml: true,
        }
    }

    pub fn jar(&self) -> &CookieJar {
        &self.jar
    }

    pub fn jar_mut(&mut self) -> &mut CookieJar {
        &mut self.jar
    }

    pub fn client_mut(&mut self) -> &mut HttpClient {
        &mut self.client
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Every hop since the browser was made (or last drained).
    pub fn hops(&self) -> &[Hop] {
        &self.hops
    }

    /// Takes the hops recorded so far, leaving none.
    pub fn take_hops(&mut self) -> Vec<Hop> {
        std::mem::take(&mut self.hops)
    }

    /// Loads `url` with `method` (and, for POST, a form-urlencoded `body`),
    /// following redirects and auto-submitting SAML forms until a page
    /// that is neither. Every request is recorded as a [`Hop`].
    pub async fn navigate(
        &mut self,
        method: &str,
        url: &str,
        body: Option<String>,
    ) -> Result<Page, BrowserError> {
        let url = Url::parse(url).map_err(|e| BrowserError::BadUrl {
            url: url.to_string(),
            message: e.to_string(),
        })?;
        let next = Pending {
            cause: HopCause::Navigate,
            method: method.to_ascii_uppercase(),
            url,
            body: body.map(Bytes::from),
        };
        self.run(next, vec![]).await
    }

    /// Submits the first form on `page` whose fields include every name in
    /// `fill` (or, with an empty `fill`, the first form), with those fields
    /// set, as a person pressing its submit button would: POST forms send
    /// a form-urlencoded body, GET forms a query. The page's site is the
    /// initiator (SameSite).
    pub async fn submit(
        &mut self,
        page: &Page,
        fill: &[(&str, &str)],
    ) -> Result<Page, BrowserError> {
        let bad = |message: &str| BrowserError::BadUrl {
            url: page.url.clone(),
            message: message.to_string(),
        };
        let base = Url::parse(&page.url).map_err(|e| bad(&e.to_string()))?;
        let mut form = html::forms(&page.body)
            .into_iter()
            .find(|f| fill.iter().all(|(n, _)| f.field(n).is_some()))
            .ok_or_else(|| bad("the page has no form with those fields"))?;
        for (name, value) in fill {
            for (n, v) in form.fields.iter_mut() {
                if n == name {
                    *v = value.to_string();
                }
            }
        }
        let mut url = base
            .join(form.action.as_deref().unwrap_or(""))
            .map_err(|e| bad(&e.to_string()))?;
        let body = if form.method == "POST" {
            Some(Bytes::from(form.urlencoded()))
        } else {
            url.set_query(Some(&form.urlencoded()));
            None
        };
        let next = Pending {
            cause: HopCause::FormPost,
            method: form.method.clone(),
            url,
            body,
        };
        self.run(next, vec![site_of(&base)]).await
    }

    /// Follows one navigation to its end. `chain_sites` holds the site of
    /// the page that started it (none when the script did) and then every
    /// site in the redirect chain: a request is cross-site if any of them
    /// differs from its target's site (RFC 6265bis §5.2.1, redirect chains).
    async fn run(
        &mut self,
        mut next: Pending,
        mut chain_sites: Vec<String>,
    ) -> Result<Page, BrowserError> {
        let mut count = 0;
        loop {
            if count >= self.max_hops {
                return Err(BrowserError::TooManyHops {
                    limit: self.max_hops,
                    last_url: next.url.to_string(),
                });
            }
            count += 1;
            let target_site = site_of(&next.url);
            let ctx = if next.cause == HopCause::Navigate && chain_sites.is_empty() {
                RequestContext::Direct
            } else {
                RequestContext::Navigation {
                    cross_site: chain_sites.iter().any(|s| *s != target_site),
                    safe_method: next.method == "GET" || next.method == "HEAD",
                }
            };
            chain_sites.push(target_site);
            let (hop, body) = self.request(&next, ctx).await?;
            let current = next.url.clone();
            let status = hop.status;
            let location = hop.location.clone();
            let content_type = hop.content_type.clone();
            self.hops.push(hop);

            if matches!(status, 301 | 302 | 303 | 307 | 308) {
                let to = location
                    .as_deref()
                    .and_then(|l| current.join(l.trim()).ok())
                    .filter(|u| matches!(u.scheme(), "http" | "https"))
                    .ok_or_else(|| BrowserError::BadRedirect {
                        status,
                        url: current.to_string(),
                    })?;
                // Fetch §4.4 step 12: 303 (any method but HEAD) and
                // POST after 301/302 become GET without a body.
                let keep = matches!(status, 307 | 308)
                    || (next.method != "POST" && status != 303)
                    || next.method == "HEAD";
                next = Pending {
                    cause: HopCause::Redirect,
                    method: if keep {
                        next.method.clone()
                    } else {
                        "GET".to_string()
                    },
                    url: to,
                    body: if keep { next.body.take() } else { None },
                };
                continue;
            }
            if self.auto_submit && content_type.to_ascii_lowercase().contains("html") {
                if let Some(form) = html::saml_form(&body) {
                    let action = form.action.as_deref().unwrap_or("");
                    let to = current.join(action).map_err(|e| BrowserError::BadUrl {
                        url: action.to_string(),
                        message: e.to_string(),
                    })?;
                    // A form submission starts a new navigation whose
                    // initiator is the page holding the form.
                    chain_sites = vec![site_of(&current)];
                    next = Pending {
                        cause: HopCause::FormPost,
                        method: "POST".to_string(),
                        url: to,
                        body: Some(Bytes::from(form.urlencoded())),
                    };
                    continue;
                }
            }
            return Ok(Page {
                url: current.to_string(),
                status,
                content_type,
                body,
            });
        }
    }

    /// Makes one request with the jar's cookies; stores what comes back.
    async fn request(
        &mut self,
        p: &Pending,
        ctx: RequestContext,
    ) -> Result<(Hop, String), BrowserError> {
        let now = self.clock.now();
        let host = match (p.url.host_str(), p.url.port()) {
            (Some(h), Some(port)) => format!("{h}:{port}"),
            (Some(h), None) => h.to_string(),
            (None, _) => {
                return Err(BrowserError::BadUrl {
                    url: p.url.to_string(),
                    message: "no host".to_string(),
                })
            }
        };
        let path_and_query = match p.url.query() {
            Some(q) => format!("{}?{q}", p.url.path()),
            None => p.url.path().to_string(),
        };
        let sent = self.jar.matching(&p.url, now, ctx);
        let cookies_sent: Vec<String> = sent.iter().map(|c| c.name.clone()).collect();
        let cookie_header = self.jar.header_for(&p.url, now, ctx);
        let mut headers: Vec<(&str, String)> = self
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        if let Some(c) = cookie_header {
            headers.push(("cookie", c));
        }
        if p.body.is_some() {
            headers.push((
                "content-type",
                "application/x-www-form-urlencoded".to_string(),
            ));
        }
        let at = self.clock.elapsed();
        let ex = self
            .client
            .send_bytes(&p.method, &host, &path_and_query, &headers, p.body.clone())
            .await?;
        let mut cookies_set = vec![];
        for sc in &ex.set_cookies {
            let name = sc.split('=').next().unwrap_or_default().trim().to_string();
            let now = self.clock.now();
            match self.jar.store(sc, &p.url, now) {
                // An already-expired cookie deletes the one it replaces.
                Ok(())
                    if self
                        .jar
                        .get(p.url.host_str().unwrap_or(""), &name, now)
                        .is_none() =>
                {
                    cookies_set.push(format!("{name} (deleted)"))
                }
                Ok(()) => cookies_set.push(name),
                Err(e) => cookies_set.push(format!("{name} (ignored: {e})")),
            }
        }
        let saml = match (&p.body, p.url.query()) {
            _ if !self.summarize_saml => None,
            (Some(b), _) => {
                let fields: Vec<(String, String)> =
                    url::form_urlencoded::parse(b).into_owned().collect();
                peek::peek_form(&fields)
            }
            (None, Some(q)) => peek::peek_query(q),
            (None, None) => None,
        };
        let hop = Hop {
            at,
            cause: p.cause,
            method: p.method.clone(),
            url: display_url(&p.url),
            status: ex.status,
            location: ex.location.clone(),
            content_type: ex.content_type.clone(),
            cookies_sent,
            cookies_set,
            saml,
            sp_verdict: ex.saml_verdict.clone(),
        };
        Ok((hop, ex.body))
    }
}

/// The URL as the transcript shows it: a SAML query value is long and
/// unreadable, so the message parameters are abbreviated (the peek line
/// says what they held).
fn display_url(url: &Url) -> String {
    let Some(q) = url.query() else {
        return url.to_string();
    };
    // The URL without its query (the fragment, if any, stays).
    let mut out = String::with_capacity(url.as_str().len().min(256));
    out.push_str(&url[..url::Position::AfterPath]);
    out.push('?');
    // Pairs as `application/x-www-form-urlencoded` splits them; a SAML
    // message's value is not decoded only to be left out.
    for (i, raw) in q.split('&').filter(|p| !p.is_empty()).enumerate() {
        if i > 0 {
            out.push('&');
        }
        let (raw_key, raw_value) = raw.split_once('=').unwrap_or((raw, ""));
        let key = form_component(raw_key);
        out.push_str(&key);
        out.push('=');
        match key.as_ref() {
            "SAMLRequest" | "SAMLResponse" | "Signature" => out.push('…'),
            _ => out.extend(url::form_urlencoded::byte_serialize(
                form_component(raw_value).as_bytes(),
            )),
        }
    }
    out.push_str(&url[url::Position::AfterQuery..]);
    out
}

/// One decoded name or value of a form-urlencoded string: `+` is a space,
/// then percent-decoding, then UTF-8 with replacement characters (what
/// `url::form_urlencoded::parse` gives for it).
fn form_component(raw: &str) -> std::borrow::Cow<'_, str> {
    if !raw.contains(['+', '%']) {
        return std::borrow::Cow::Borrowed(raw);
    }
    let spaced = raw.replace('+', " ");
    std::borrow::Cow::Owned(
        percent_encoding::percent_decode_str(&spaced)
            .decode_utf8_lossy()
            .into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `display_url` as it was first written: every pair decoded by
    /// `form_urlencoded::parse`, the base re-serialised by `url`.
    fn reference(url: &Url) -> String {
        let Some(q) = url.query() else {
            return url.to_string();
        };
        let pairs: Vec<String> = url::form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| match k.as_ref() {
                "SAMLRequest" | "SAMLResponse" | "Signature" => format!("{k}=…"),
                _ => {
                    let v: String = url::form_urlencoded::byte_serialize(v.as_bytes()).collect();
                    format!("{k}={v}")
                }
            })
            .collect();
        let mut base = url.clone();
        base.set_query(None);
        format!("{base}?{}", pairs.join("&"))
    }

    #[test]
    fn saml_values_are_abbreviated_and_the_rest_shown_as_form_encoding_writes_it() {
        for u in [
            "https://idp.test/sso?SAMLRequest=fZJda%2B%2F&RelayState=%2Fwelcome%3Fa%3D1&SigAlg=x&Signature=abc%3D",
            "https://sp.test/login?relay_state=%2Fwelcome",
            "https://sp.test/login?a+b=c+d&&e&=f&g=h=i&%C3%A9=%FF&x=%zz",
            "https://sp.test/p?",
            "http://127.0.0.1:8080/sso?SAMLRequest=%2B%2F%3D",
            "https://sp.test/no-query",
        ] {
            let url = Url::parse(u).unwrap();
            assert_eq!(display_url(&url), reference(&url), "{u}");
        }
        // A fragment stays at the end (the first version put the query
        // after it).
        let url = Url::parse("https://sp.test/p?SAMLResponse=1&b=2#frag").unwrap();
        assert_eq!(
            display_url(&url),
            "https://sp.test/p?SAMLResponse=…&b=2#frag"
        );
    }
}
