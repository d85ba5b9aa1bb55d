//! The scripted browser: cookie-jar rules on the virtual clock (expiry,
//! domain and path matching, SameSite on the cross-site ACS POST), redirect
//! following with a hop limit, and SAML form extraction from messy HTML.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use url::Url;

use ssosim::agent::browser::{Browser, BrowserError, HopCause};
use ssosim::agent::cookies::{CookieJar, CookieRejected, RequestContext};
use ssosim::agent::html::{forms, saml_form};
use ssosim::agent::HttpClient;
use ssosim::sim::{Clock, DEFAULT_EPOCH};

fn u(s: &str) -> Url {
    Url::parse(s).unwrap()
}

// ---- cookie jar -------------------------------------------------------

#[test]
fn max_age_and_expires_are_judged_on_the_virtual_clock() {
    let clock = Clock::new(DEFAULT_EPOCH);
    let mut jar = CookieJar::new();
    let url = u("https://claude.ai/");
    jar.store("a=1; Max-Age=600", &url, clock.now()).unwrap();
    jar.store(
        "b=2; Expires=Thu, 01 Jan 2026 00:20:00 GMT",
        &url,
        clock.now(),
    )
    .unwrap();
    jar.store("c=3", &url, clock.now()).unwrap();
    let h =
        |jar: &CookieJar, clock: &Clock| jar.header_for(&url, clock.now(), RequestContext::Direct);
    assert_eq!(h(&jar, &clock).as_deref(), Some("a=1; b=2; c=3"));
    clock.advance(Duration::from_secs(600));
    // Max-Age=600 is gone at exactly +600s.
    assert_eq!(h(&jar, &clock).as_deref(), Some("b=2; c=3"));
    clock.advance(Duration::from_secs(600));
    assert_eq!(h(&jar, &clock).as_deref(), Some("c=3"));
    // Max-Age wins over Expires (RFC 6265 §5.3 step 3).
    jar.store(
        "d=4; Max-Age=60; Expires=Fri, 01 Jan 2027 00:00:00 GMT",
        &url,
        clock.now(),
    )
    .unwrap();
    clock.advance(Duration::from_secs(61));
    assert_eq!(h(&jar, &clock).as_deref(), Some("c=3"));
}

#[test]
fn max_age_zero_deletes_an_existing_cookie() {
    let clock = Clock::new(DEFAULT_EPOCH);
    let mut jar = CookieJar::new();
    let url = u("https://claude.ai/");
    jar.store("s=1; Path=/", &url, clock.now()).unwrap();
    jar.store("s=gone; Path=/; Max-Age=0", &url, clock.now())
        .unwrap();
    assert!(jar.all().is_empty());
}

#[test]
fn host_only_and_domain_cookies_match_as_rfc_6265_says() {
    let now = DEFAULT_EPOCH;
    let mut jar = CookieJar::new();
    jar.store("host=1", &u("https://acme.okta.test/"), now)
        .unwrap();
    jar.store(
        "dom=2; Domain=.okta.test",
        &u("https://acme.okta.test/"),
        now,
    )
    .unwrap();
    let at = |s: &str| jar.header_for(&u(s), now, RequestContext::Direct);
    assert_eq!(
        at("https://acme.okta.test/").as_deref(),
        Some("host=1; dom=2")
    );
    assert_eq!(at("https://other.okta.test/").as_deref(), Some("dom=2"));
    assert_eq!(at("https://okta.test/").as_deref(), Some("dom=2"));
    assert_eq!(at("https://evilokta.test/"), None);
    assert_eq!(at("https://sub.acme.okta.test/").as_deref(), Some("dom=2"));
    // A host may not set a cookie for a sibling or a bare TLD.
    assert!(matches!(
        jar.store("x=1; Domain=claude.ai", &u("https://acme.okta.test/"), now),
        Err(CookieRejected::DomainMismatch { .. })
    ));
    assert!(matches!(
        jar.store("x=1; Domain=test", &u("https://acme.okta.test/"), now),
        Err(CookieRejected::DomainMismatch { .. })
    ));
}

#[test]
fn paths_match_on_segment_boundaries_and_longer_paths_come_first() {
    let now = DEFAULT_EPOCH;
    let mut jar = CookieJar::new();
    let base = u("https://claude.ai/saml/acs");
    jar.store("root=1; Path=/", &base, now).unwrap();
    jar.store("saml=2; Path=/saml", &base, now).unwrap();
    // No Path: the default path is the request path's directory, /saml.
    jar.store("dflt=3", &base, now).unwrap();
    let at = |s: &str| jar.header_for(&u(s), now, RequestContext::Direct);
    assert_eq!(
        at("https://claude.ai/saml/acs").as_deref(),
        Some("saml=2; dflt=3; root=1")
    );
    assert_eq!(at("https://claude.ai/samlx").as_deref(), Some("root=1"));
    assert_eq!(at("https://claude.ai/").as_deref(), Some("root=1"));
}

#[test]
fn secure_cookies_ride_on_virtual_https_and_loopback_only() {
    let now = DEFAULT_EPOCH;
    let mut jar = CookieJar::new();
    jar.store("s=1; Secure", &u("https://claude.ai/"), now)
        .unwrap();
    assert!(jar
        .header_for(&u("http://claude.ai/"), now, RequestContext::Direct)
        .is_none());
    assert!(jar
        .header_for(&u("https://claude.ai/"), now, RequestContext::Direct)
        .is_some());
    assert_eq!(
        jar.store("t=1; Secure", &u("http://claude.ai/"), now),
        Err(CookieRejected::SecureOverHttp)
    );
    // Browsers treat http://127.0.0.1 as a secure context.
    jar.store("l=1; Secure", &u("http://127.0.0.1:8080/"), now)
        .unwrap();
}

#[test]
fn samesite_lax_cookies_stay_home_on_a_cross_site_post() {
    let now = DEFAULT_EPOCH;
    let mut jar = CookieJar::new();
    let sp = u("https://claude.ai/saml/acs");
    jar.store("lax=1; Path=/", &sp, now).unwrap();
    jar.store("none=2; Path=/; SameSite=None; Secure", &sp, now)
        .unwrap();
    jar.store("strict=3; Path=/; SameSite=Strict", &sp, now)
        .unwrap();
    let post = RequestContext::Navigation {
        cross_site: true,
        safe_method: false,
    };
    let get = RequestContext::Navigation {
        cross_site: true,
        safe_method: true,
    };
    assert_eq!(jar.header_for(&sp, now, post).as_deref(), Some("none=2"));
    assert_eq!(
        jar.header_for(&sp, now, get).as_deref(),
        Some("lax=1; none=2")
    );
    assert_eq!(
        jar.store("bad=1; SameSite=None", &sp, now),
        Err(CookieRejected::SameSiteNoneWithoutSecure)
    );
}

// ---- HTML forms ---------------------------------------------------------

#[test]
fn saml_forms_are_found_in_messy_html() {
    let page = r#"<!DOCTYPE html><HTML><HEAD><TITLE>Working&hellip; <form></TITLE>
<script>document.write('<form method="post" action="/evil">')</script>
<!-- <form method=post action=/commented><input name=SAMLResponse value=x> -->
</HEAD><BODY onload="document.forms[0].submit()">
<FORM METHOD=Post ACTION='https://claude.ai/saml/acs?x=1&amp;y=2'>
 <INPUT TYPE=hidden NAME=SAMLResponse VALUE="PHNhbWxwOlJlc3BvbnNlLz4=&#10;QUJD&#x2B;">
 <input type='hidden' name='RelayState' value='/after?a=1&amp;b=&quot;2&quot;'>
 <input type=submit value=Continue>
 <input name=unchecked type=checkbox value=1>
 <input name = spaced value = "v" disabled>
 <noscript><input type="submit" value="Go"/></noscript>
</FORM></BODY></HTML>"#;
    let f = saml_form(page).expect("a SAML form");
    assert_eq!(f.method, "POST");
    assert_eq!(
        f.action.as_deref(),
        Some("https://claude.ai/saml/acs?x=1&y=2")
    );
    assert_eq!(
        f.fields,
        vec![
            (
                "SAMLResponse".into(),
                "PHNhbWxwOlJlc3BvbnNlLz4=\nQUJD+".into()
            ),
            ("RelayState".into(), "/after?a=1&b=\"2\"".into()),
        ]
    );
}

#[test]
fn forms_without_saml_fields_or_with_get_are_not_auto_submitted() {
    let page = r#"<form action=/search><input name=SAMLResponse value=x></form>
<form method="post" action="/login"><input name="user"><textarea name=note>
a &lt; b</textarea></form>"#;
    let all = forms(page);
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].method, "GET");
    assert_eq!(all[1].field("note"), Some("a < b"));
    assert_eq!(all[1].field("user"), Some(""));
    assert!(saml_form(page).is_none());
}

#[test]
fn unquoted_values_and_attributes_without_values() {
    let f = forms("<form method=POST action=/acs><input type=hidden name=SAMLRequest value=a+b/c= checked></form>");
    assert_eq!(f[0].field("SAMLRequest"), Some("a+b/c="));
}

// ---- navigation over real sockets --------------------------------------

type Handler = dyn Fn(&str, &str, &str, Option<&str>, &str) -> (u16, Vec<(&'static str, String)>, String)
    + Send
    + Sync;

/// A loopback server answering with `handler(method, host, path_and_query, cookie, body)`.
async fn serve(handler: Arc<Handler>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let handler = handler.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<hyper::body::Incoming>| {
                    let handler = handler.clone();
                    async move {
                        let method = req.method().to_string();
                        let host = req
                            .headers()
                            .get("host")
                            .map(|h| h.to_str().unwrap().to_string())
                            .unwrap_or_default();
                        let pq = req.uri().to_string();
                        let cookie = req
                            .headers()
                            .get("cookie")
                            .map(|h| h.to_str().unwrap().to_string());
                        let body = req.into_body().collect().await.unwrap().to_bytes();
                        let (status, headers, body) = handler(
                            &method,
                            &host,
                            &pq,
                            cookie.as_deref(),
                            std::str::from_utf8(&body).unwrap(),
                        );
                        let mut b = Response::builder().status(status);
                        for (k, v) in headers {
                            b = b.header(k, v);
                        }
                        Ok::<_, Infallible>(b.body(Full::new(Bytes::from(body))).unwrap())
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    addr
}

fn browser_for(routes: &[(&str, SocketAddr)]) -> Browser {
    let mut client = HttpClient::new();
    for (h, a) in routes {
        client.route(h, *a);
    }
    Browser::new(client, Clock::new(DEFAULT_EPOCH))
}

#[tokio::test]
async fn redirects_relative_and_absolute_are_followed_and_303_becomes_get() {
    let addr = serve(Arc::new(|m, _h, pq, cookie, body| match (m, pq) {
        ("POST", "/start") => {
            assert_eq!(body, "a=1");
            (
                303,
                vec![
                    ("location", "next?x=1".into()),
                    ("set-cookie", "k=v; Path=/".into()),
                ],
                String::new(),
            )
        }
        ("GET", "/next?x=1") => (
            302,
            vec![("location", "https://other.test/end".into())],
            String::new(),
        ),
        ("GET", "/end") => {
            assert_eq!(cookie, None, "host-only cookie must not cross hosts");
            (
                200,
                vec![("content-type", "text/plain".into())],
                "done".into(),
            )
        }
        _ => (404, vec![], format!("{m} {pq}")),
    }))
    .await;
    let mut b = browser_for(&[("claude.ai", addr), ("other.test", addr)]);
    let page = b
        .navigate("POST", "https://claude.ai/start", Some("a=1".into()))
        .await
        .unwrap();
    assert_eq!((page.status, page.body.as_str()), (200, "done"));
    assert_eq!(page.url, "https://other.test/end");
    let lines: Vec<String> = b.hops().iter().flat_map(|h| h.describe()).collect();
    assert_eq!(
        lines,
        vec![
            "POST https://claude.ai/start → 303 Location: next?x=1",
            "  cookies set: k",
            "GET https://claude.ai/next?x=1 → 302 Location: https://other.test/end",
            "  cookies sent: k",
            "GET https://other.test/end → 200",
        ]
    );
    assert_eq!(b.hops()[1].cause, HopCause::Redirect);
}

#[tokio::test]
async fn a_307_keeps_the_method_and_body() {
    let addr = serve(Arc::new(|m, _h, pq, _c, body| match (m, pq) {
        ("POST", "/a") => (307, vec![("location", "/b".into())], String::new()),
        ("POST", "/b") => (200, vec![], format!("got {body}")),
        _ => (404, vec![], String::new()),
    }))
    .await;
    let mut b = browser_for(&[("sp.test", addr)]);
    let page = b
        .navigate("POST", "https://sp.test/a", Some("z=9".into()))
        .await
        .unwrap();
    assert_eq!(page.body, "got z=9");
}

#[tokio::test]
async fn a_redirect_loop_stops_at_the_hop_limit_with_a_clear_error() {
    let addr = serve(Arc::new(|_m, _h, _pq, _c, _b| {
        (302, vec![("location", "/loop".into())], String::new())
    }))
    .await;
    let mut b = browser_for(&[("sp.test", addr)]);
    b.max_hops = 5;
    let err = b
        .navigate("GET", "https://sp.test/loop", None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, BrowserError::TooManyHops { limit: 5, .. }),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "gave up after 5 requests (redirect loop?); the last was https://sp.test/loop"
    );
    assert_eq!(b.hops().len(), 5);
}

#[tokio::test]
async fn a_redirect_without_location_is_an_error() {
    let addr = serve(Arc::new(|_m, _h, _pq, _c, _b| (302, vec![], String::new()))).await;
    let mut b = browser_for(&[("sp.test", addr)]);
    let err = b
        .navigate("GET", "https://sp.test/x", None)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "a 302 from https://sp.test/x has no usable Location header"
    );
}

/// A small SAML-looking Response (unsigned; the peek does not verify).
const RESPONSE_XML: &str = r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z" InResponseTo="_req1"><saml:Issuer>https://idp.test/</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion ID="_a1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z"><saml:Issuer>https://idp.test/</saml:Issuer><saml:Subject><saml:NameID>alice@acme.test</saml:NameID></saml:Subject><saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue>alice@acme.test</saml:AttributeValue></saml:Attribute><saml:Attribute Name="groups"><saml:AttributeValue>eng</saml:AttributeValue><saml:AttributeValue>ops</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion></samlp:Response>"#;

#[tokio::test]
async fn a_saml_post_form_is_auto_submitted_across_sites_with_only_samesite_none_cookies() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(RESPONSE_XML);
    let idp = serve(Arc::new(move |_m, _h, _pq, _c, _b| {
        let page = format!(
            "<html><body onload=\"document.forms[0].submit()\"><form method=\"post\" action=\"https://claude.ai/saml/acs\"><input type=\"hidden\" name=\"SAMLResponse\" value=\"{b64}\"/><input type=\"hidden\" name=\"RelayState\" value=\"/home\"/></form></body></html>"
        );
        (200, vec![("content-type", "text/html; charset=utf-8".into())], page)
    }))
    .await;
    let sp = serve(Arc::new(|m, _h, pq, cookie, body| match (m, pq) {
        ("GET", "/login") => (
            302,
            vec![
                ("location", "https://idp.test/sso".into()),
                ("set-cookie", "lax=1; Path=/".into()),
                (
                    "set-cookie",
                    "pending=2; Path=/; SameSite=None; Secure".into(),
                ),
            ],
            String::new(),
        ),
        ("POST", "/saml/acs") => {
            let ok = body.contains("SAMLResponse=") && body.contains("RelayState=%2Fhome");
            (
                200,
                vec![],
                format!("cookies={} ok={ok}", cookie.unwrap_or("")),
            )
        }
        _ => (404, vec![], String::new()),
    }))
    .await;
    let mut b = browser_for(&[("claude.ai", sp), ("idp.test", idp)]);
    let page = b
        .navigate("GET", "https://claude.ai/login", None)
        .await
        .unwrap();
    assert_eq!(page.body, "cookies=pending=2 ok=true");
    let hops = b.hops();
    assert_eq!(hops.len(), 3);
    assert_eq!(hops[2].cause, HopCause::FormPost);
    assert_eq!(
        hops[2].describe(),
        vec![
            "POST https://claude.ai/saml/acs → 200",
            "  SAML Response (HTTP-POST), issuer https://idp.test/, status Success, subject alice@acme.test, 2 attributes (2 groups), unsigned, RelayState \"/home\"",
            "  cookies sent: pending",
        ]
    );
}

#[tokio::test]
async fn a_loopback_address_is_reachable_without_a_route_and_shown_as_http() {
    let addr = serve(Arc::new(|_m, _h, _pq, _c, _b| (200, vec![], "hi".into()))).await;
    let mut b = browser_for(&[]);
    let page = b
        .navigate("GET", &format!("http://{addr}/x"), None)
        .await
        .unwrap();
    assert_eq!(page.body, "hi");
    assert_eq!(b.hops()[0].url, format!("http://{addr}/x"));
}

#[test]
fn an_expires_in_the_past_deletes_and_ip_hosts_take_no_domain_cookies() {
    let now = DEFAULT_EPOCH;
    let mut jar = CookieJar::new();
    let url = u("https://claude.ai/");
    jar.store("s=1", &url, now).unwrap();
    jar.store("s=2; Expires=Wed, 31 Dec 2025 23:59:59 GMT", &url, now)
        .unwrap();
    assert!(jar.all().is_empty());
    // A Domain attribute on an IP host must equal the host exactly.
    let ip = u("http://127.0.0.1:9/");
    jar.store("a=1; Domain=127.0.0.1", &ip, now).unwrap();
    assert!(matches!(
        jar.store("b=1; Domain=0.0.1", &ip, now),
        Err(CookieRejected::DomainMismatch { .. })
    ));
}

#[test]
fn a_session_cookie_outlives_any_clock_advance_until_cleared() {
    let clock = Clock::new(DEFAULT_EPOCH);
    let mut jar = CookieJar::new();
    let url = u("https://claude.ai/");
    jar.store("sid=1; Path=/; HttpOnly", &url, clock.now())
        .unwrap();
    clock.advance(Duration::from_secs(86_400 * 365));
    assert_eq!(
        jar.header_for(&url, clock.now(), RequestContext::Direct)
            .as_deref(),
        Some("sid=1")
    );
    assert!(jar.get("claude.ai", "sid", clock.now()).unwrap().http_only);
}

/// A raw loopback server: each accepted connection answers the given
/// number of requests (each with `reply`), then closes. Returns the
/// address, how many connections were accepted, and a channel that hears
/// of each close once it is done (the FIN is on its way to the client).
async fn closing_server(
    requests_per_connection: usize,
    reply: &'static str,
) -> (
    SocketAddr,
    Arc<std::sync::atomic::AtomicUsize>,
    tokio::sync::mpsc::UnboundedReceiver<()>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = accepted.clone();
    let (closed_tx, closed) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let closed_tx = closed_tx.clone();
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut buf = [0u8; 1024];
                for _ in 0..requests_per_connection {
                    // A GET without a body ends at its blank line.
                    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => seen.extend_from_slice(&buf[..n]),
                        }
                    }
                    let end = seen.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                    seen.drain(..end);
                    if stream.write_all(reply.as_bytes()).await.is_err() {
                        return;
                    }
                }
                drop(stream);
                let _ = closed_tx.send(());
            });
        }
    });
    (addr, accepted, closed)
}

const KEEP_ALIVE_REPLY: &str = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";

#[tokio::test]
async fn a_kept_alive_connection_serves_the_next_request() {
    let (addr, accepted, _) = closing_server(3, KEEP_ALIVE_REPLY).await;
    let mut client = HttpClient::new();
    let host = addr.to_string();
    for _ in 0..3 {
        let ex = client.send("GET", &host, "/", &[], None).await.unwrap();
        assert_eq!((ex.status, ex.body.as_str()), (200, "ok"));
    }
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_connection_the_server_closed_is_replaced_by_a_new_one() {
    // The server closes after each reply without saying so: the client
    // finds out on the next request and sends it again on a new connection.
    let (addr, accepted, mut closed) = closing_server(1, KEEP_ALIVE_REPLY).await;
    let mut client = HttpClient::new();
    let host = addr.to_string();
    for _ in 0..3 {
        let ex = client.send("GET", &host, "/", &[], None).await.unwrap();
        assert_eq!((ex.status, ex.body.as_str()), (200, "ok"));
        // The next request goes out only once the server has hung up.
        closed.recv().await.unwrap();
    }
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 3);
}

#[tokio::test]
async fn connection_close_is_honoured() {
    let (addr, accepted, _) = closing_server(
        1,
        "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok",
    )
    .await;
    let mut client = HttpClient::new();
    let host = addr.to_string();
    for _ in 0..2 {
        let ex = client.send("GET", &host, "/", &[], None).await.unwrap();
        assert_eq!(ex.body, "ok");
    }
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_server_that_hangs_up_without_answering_is_an_error() {
    let (addr, accepted, _) = closing_server(0, "").await;
    let mut client = HttpClient::new();
    let err = client
        .send("GET", &addr.to_string(), "/", &[], None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("closed"), "{err}");
    // Either the hang-up is seen before the request goes out (a new
    // connection is tried, and hung up on too) or after (hyper reports the
    // message cut short): which one depends on task order.
    let tries = accepted.load(std::sync::atomic::Ordering::SeqCst);
    assert!((1..=2).contains(&tries), "{tries} connections");
}
