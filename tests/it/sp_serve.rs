//! `ssosim sp serve` over 127.0.0.1: an SP-initiated login driven through
//! the browser agent and a hand-built IdP (the SAML layer's builder, signed
//! by `fixtures/pki/idp-generic`), hand-driven POSTs (accepted, replayed,
//! wrong audience, JSON shape), RelayState open redirects refused, and the
//! SP refusing to start without a pinned key (SECURITY.md SIG6).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use time::OffsetDateTime;
use tokio::net::TcpListener;

use ssosim::agent::browser::Browser;
use ssosim::agent::HttpClient;
use ssosim::saml::binding::{decode_redirect, post_form_html};
use ssosim::saml::metadata::{parse_sp_metadata, IdpMetadata};
use ssosim::saml::request::parse_authn_request;
use ssosim::saml::response::{build_response, Grant, ResponseParams, ResponseShape};
use ssosim::sim::{Clock, Rng, DEFAULT_EPOCH};
use ssosim::spsaml::{SamlSp, SamlSpServer, SamlSpShared, SetupError, SpSettings, SESSION_COOKIE};

use crate::saml_support::{pki, signing_key};

const IDP: &str = "https://idp.test/saml/metadata";
const SSO: &str = "https://idp.test/sso";
const BASE: &str = "https://sp.test";
const ACS: &str = "https://sp.test/saml/acs";
const ENTITY: &str = "https://sp.test/saml/metadata";

fn idp_metadata() -> IdpMetadata {
    let cert = openssl::x509::X509::from_pem(&pki("idp-generic.crt.pem")).unwrap();
    IdpMetadata {
        entity_id: IDP.to_string(),
        sso_redirect: Some(SSO.to_string()),
        sso_post: None,
        signing_certs_der: vec![cert.to_der().unwrap()],
        want_authn_requests_signed: false,
        name_id_formats: vec![],
    }
}

fn settings() -> SpSettings {
    SpSettings::new(BASE, idp_metadata())
}

struct World {
    clock: Clock,
    sp: SamlSpServer,
    shared: Arc<SamlSpShared>,
}

async fn start_sp(settings: SpSettings) -> World {
    let clock = Clock::new(DEFAULT_EPOCH);
    let core = SamlSp::new(settings, Rng::new(1).fork("sp-saml")).unwrap();
    let shared = SamlSpShared::new(core, clock.clone(), None);
    let sp = SamlSpServer::start(shared.clone(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    World { clock, sp, shared }
}

fn response(
    now: OffsetDateTime,
    audience: &str,
    in_response_to: Option<String>,
    seed: u64,
) -> String {
    let grant = Grant {
        name_id: "alice@acme.test".into(),
        attributes: vec![
            ("email".into(), vec!["alice@acme.test".into()]),
            ("groups".into(), vec!["eng".into(), "ops".into()]),
        ],
        session_index: None,
    };
    build_response(
        &ResponseShape::generic(IDP),
        &ResponseParams {
            destination: ACS.into(),
            audience: audience.into(),
            in_response_to,
        },
        &grant,
        now,
        &mut Rng::new(seed),
        &signing_key("idp-generic", "idp-generic.crt.pem"),
    )
    .unwrap()
    .xml
}

fn form(xml: &str, relay: Option<&str>) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(xml);
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    s.append_pair("SAMLResponse", &b64);
    if let Some(r) = relay {
        s.append_pair("RelayState", r);
    }
    s.finish()
}

async fn post_acs(w: &World, body: String, json: bool) -> ssosim::agent::Exchange {
    let mut c = HttpClient::new();
    c.route("sp.test", w.sp.addr());
    let mut headers = vec![(
        "content-type",
        "application/x-www-form-urlencoded".to_string(),
    )];
    if json {
        headers.push(("accept", "application/json".to_string()));
    }
    c.send("POST", "sp.test", "/saml/acs", &headers, Some(body))
        .await
        .unwrap()
}

/// A hand-built IdP: answers `/sso?SAMLRequest=…` with a signed Response
/// for alice in an auto-submitting form (and keeps the last Response).
async fn start_test_idp(clock: Clock, last: Arc<Mutex<Option<String>>>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let clock = clock.clone();
            let last = last.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<hyper::body::Incoming>| {
                    let clock = clock.clone();
                    let last = last.clone();
                    async move {
                        let q = req.uri().query().unwrap_or("").to_string();
                        let msg = decode_redirect(&q, "SAMLRequest", None).unwrap();
                        let authn = parse_authn_request(&msg.xml).unwrap();
                        assert_eq!(authn.acs_url.as_deref(), Some(ACS));
                        let xml = response(clock.now(), ENTITY, Some(authn.id), 7);
                        *last.lock().unwrap() = Some(xml.clone());
                        let page =
                            post_form_html(ACS, "SAMLResponse", &xml, msg.relay_state.as_deref());
                        Ok::<_, Infallible>(
                            Response::builder()
                                .header("content-type", "text/html; charset=utf-8")
                                .body(Full::new(Bytes::from(page)))
                                .unwrap(),
                        )
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

#[tokio::test]
async fn sp_initiated_login_through_the_browser_is_accepted() {
    let w = start_sp(settings()).await;
    let last = Arc::new(Mutex::new(None));
    let idp = start_test_idp(w.clock.clone(), last.clone()).await;
    let mut client = HttpClient::new();
    client.route("sp.test", w.sp.addr());
    client.route("idp.test", idp);
    let mut b = Browser::new(client, w.clock.clone());
    let page = b
        .navigate("GET", "https://sp.test/login?relay_state=/welcome", None)
        .await
        .unwrap();
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("<h1>accepted: alice@acme.test</h1>"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("continue to <a href=\"/welcome\">"),
        "{}",
        page.body
    );
    let lines: Vec<String> = b.hops().iter().flat_map(|h| h.describe()).collect();
    assert_eq!(lines.len(), 9, "{lines:#?}");
    assert!(lines[0].starts_with("GET https://sp.test/login?relay_state=%2Fwelcome → 302 Location: https://idp.test/sso?SAMLRequest="));
    assert!(lines[1].starts_with("  cookies set: ssosim_sp_pending"));
    assert_eq!(
        lines[2],
        "GET https://idp.test/sso?SAMLRequest=…&RelayState=%2Fwelcome → 200"
    );
    assert!(
        lines[3].starts_with(
            "  SAML AuthnRequest (HTTP-Redirect), issuer https://sp.test/saml/metadata, unsigned"
        ),
        "{}",
        lines[3]
    );
    assert_eq!(lines[4], "POST https://sp.test/saml/acs → 200");
    assert_eq!(
        lines[5],
        "  SAML Response (HTTP-POST), issuer https://idp.test/saml/metadata, status Success, subject alice@acme.test, 2 attributes (2 groups), signed: Response+Assertion, RelayState \"/welcome\""
    );
    // The SP states its verdict, and the transcript line names it.
    assert_eq!(lines[6], "  SP verdict: accepted alice@acme.test");
    // The pending cookie is SameSite=None, so it rode on the cross-site POST.
    assert_eq!(lines[7], "  cookies sent: ssosim_sp_pending");
    assert_eq!(
        lines[8],
        "  cookies set: ssosim_sp_session, ssosim_sp_pending (deleted)"
    );
    let home = b.navigate("GET", "https://sp.test/", None).await.unwrap();
    assert!(
        home.body.contains("signed in as alice@acme.test"),
        "{}",
        home.body
    );
    let token = b
        .jar()
        .get("sp.test", SESSION_COOKIE, w.clock.now())
        .unwrap()
        .value
        .clone();
    assert_eq!(
        w.shared.core().session(&token).unwrap().name_id,
        "alice@acme.test"
    );

    // The same response again, with no pending request left: refused.
    let xml = last.lock().unwrap().clone().unwrap();
    let again = post_acs(&w, form(&xml, None), true).await;
    assert_eq!(again.status, 403);
    let v: serde_json::Value = serde_json::from_str(&again.body).unwrap();
    assert_eq!(v["reason"], "unexpected-in-response-to");
}

#[tokio::test]
async fn an_idp_initiated_response_is_accepted_once_then_refused_as_a_replay() {
    let mut s = settings();
    s.allow_idp_initiated = true;
    let w = start_sp(s).await;
    let xml = response(w.clock.now(), ENTITY, None, 3);
    let first = post_acs(&w, form(&xml, None), false).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(first.body.contains("<h1>accepted: alice@acme.test</h1>"));
    assert!(first.body.contains("<li>groups: eng, ops</li>"));
    let second = post_acs(&w, form(&xml, None), true).await;
    assert_eq!(second.status, 403);
    let v: serde_json::Value = serde_json::from_str(&second.body).unwrap();
    assert_eq!(v["outcome"], "rejected");
    assert_eq!(v["reason"], "replayed-assertion");
}

#[tokio::test]
async fn an_unsolicited_response_is_refused_unless_idp_initiated_is_allowed() {
    let w = start_sp(settings()).await;
    let xml = response(w.clock.now(), ENTITY, None, 3);
    let r = post_acs(&w, form(&xml, None), true).await;
    assert_eq!(r.status, 403);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["reason"], "unsolicited-response");
}

#[tokio::test]
async fn a_wrong_audience_is_a_403_naming_the_reason_in_html_and_json() {
    let mut s = settings();
    s.allow_idp_initiated = true;
    let w = start_sp(s).await;
    let xml = response(w.clock.now(), "https://other-sp.test/", None, 4);
    let page = post_acs(&w, form(&xml, None), false).await;
    assert_eq!(page.status, 403);
    assert!(
        page.body.contains("<h1>rejected: audience-mismatch</h1>"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("https://sp.test/saml/metadata"),
        "{}",
        page.body
    );
    let xml = response(w.clock.now(), "https://other-sp.test/", None, 5);
    let r = post_acs(&w, form(&xml, None), true).await;
    assert_eq!(r.status, 403);
    assert_eq!(r.content_type, "application/json");
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "outcome",
            "reason",
            "explanation",
            "name_id",
            "attributes",
            "relay_state",
            "notes"
        ]
    );
    assert_eq!(v["outcome"], "rejected");
    assert_eq!(v["reason"], "audience-mismatch");
    assert!(v["explanation"]
        .as_str()
        .unwrap()
        .contains("https://sp.test/saml/metadata"));
    assert_eq!(v["name_id"], serde_json::Value::Null);
    assert_eq!(v["attributes"], serde_json::json!({}));
}

#[tokio::test]
async fn accepted_json_carries_the_name_id_and_attributes() {
    let mut s = settings();
    s.allow_idp_initiated = true;
    let w = start_sp(s).await;
    let xml = response(w.clock.now(), ENTITY, None, 6);
    let r = post_acs(&w, form(&xml, Some("/reports?q=1")), true).await;
    assert_eq!(r.status, 200);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        v,
        serde_json::json!({
            "outcome": "accepted",
            "reason": null,
            "explanation": null,
            "name_id": "alice@acme.test",
            "attributes": {"email": ["alice@acme.test"], "groups": ["eng", "ops"]},
            "relay_state": "/reports?q=1",
            "notes": ["no pending AuthnRequest for this browser (IdP-initiated, expired, or the pending cookie was not sent)"],
        })
    );
}

#[tokio::test]
async fn open_redirect_relay_states_are_ignored_and_reported() {
    let mut s = settings();
    s.allow_idp_initiated = true;
    let w = start_sp(s).await;
    for (i, evil) in [
        "https://evil.test/",
        "//evil.test/x",
        "/\\evil.test",
        "javascript:alert(1)",
    ]
    .iter()
    .enumerate()
    {
        let xml = response(w.clock.now(), ENTITY, None, 100 + i as u64);
        let r = post_acs(&w, form(&xml, Some(evil)), true).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["relay_state"], serde_json::Value::Null, "{evil}");
        let notes = v["notes"].to_string();
        assert!(notes.contains("ignored"), "{evil}: {notes}");
    }
    // At /login a bad relay_state is not even sent to the IdP.
    let mut c = HttpClient::new();
    c.route("sp.test", w.sp.addr());
    let ex = c
        .send(
            "GET",
            "sp.test",
            "/login?relay_state=https%3A%2F%2Fevil.test%2F",
            &[],
            None,
        )
        .await
        .unwrap();
    assert_eq!(ex.status, 302);
    let loc = ex.location.unwrap();
    assert!(
        loc.starts_with("https://idp.test/sso?SAMLRequest="),
        "{loc}"
    );
    assert!(!loc.contains("RelayState"), "{loc}");
}

#[tokio::test]
async fn metadata_names_the_entity_id_and_the_post_acs() {
    let w = start_sp(settings()).await;
    let mut c = HttpClient::new();
    c.route("sp.test", w.sp.addr());
    let ex = c
        .send("GET", "sp.test", "/saml/metadata", &[], None)
        .await
        .unwrap();
    assert_eq!(ex.status, 200);
    let m = parse_sp_metadata(ex.body.as_bytes()).unwrap();
    assert_eq!(m.entity_id, ENTITY);
    let acs = m.default_acs().unwrap();
    assert_eq!(acs.location, ACS);
    assert!(acs.binding.ends_with("HTTP-POST"));
}

#[test]
fn the_sp_refuses_to_start_without_a_pinned_idp_key() {
    let mut m = idp_metadata();
    m.signing_certs_der.clear();
    let err = SamlSp::new(SpSettings::new(BASE, m), Rng::new(1))
        .err()
        .unwrap();
    assert!(matches!(err, SetupError::NoSigningKey(_)), "{err}");
}

#[test]
fn an_undecodable_post_is_refused_by_the_core_with_a_reason() {
    let mut sp = SamlSp::new(settings(), Rng::new(1)).unwrap();
    let req = ssosim::spsaml::SpRequest {
        method: "POST".into(),
        path: "/saml/acs".into(),
        body: b"SAMLResponse=%%%not-base64".to_vec(),
        wants_json: true,
        ..Default::default()
    };
    let resp = sp.handle(&req, DEFAULT_EPOCH);
    assert_eq!(resp.status, 403);
    let v: serde_json::Value = serde_json::from_str(&resp.body).unwrap();
    assert_eq!(v["outcome"], "rejected");
    assert!(v["reason"].is_string());
}

/// `ssosim bench login` drives complete logins through the real mock IdP
/// (auto-login), this SP and the browser; only the shape is checked here
/// (no timed assertions).
#[test]
fn bench_login_completes_logins_through_the_mock_idp() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ssosim"))
        .args(["bench", "login", "--n", "3", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "logins_per_s",
            "rsa2048_sign_per_s",
            "ratio",
            "logins",
            "signatures_per_login",
            "breakdown_us"
        ]
    );
    assert_eq!(v["logins"], 3);
    assert!(v["logins_per_s"].as_f64().unwrap() > 0.0);
}

/// The mock IdP (branch `idp`) without auto-login: the browser lands on
/// its sign-in page, fills it in like a person, and the signed Response
/// it then auto-posts is accepted by this SP. Every hop is in the record.
#[tokio::test]
async fn a_person_signs_in_at_the_mock_idp_and_the_sp_accepts() {
    let (mut b, idp_server, sp_server) = mock_idp_and_sp(false).await;
    let signin = b
        .navigate("GET", "https://sp.test/login?relay_state=/projects", None)
        .await
        .unwrap();
    assert_eq!(signin.status, 200);
    assert!(
        signin
            .url
            .starts_with("https://acme.okta.test/login?pending="),
        "{}",
        signin.url
    );
    assert!(signin.body.contains("Sign in"), "{}", signin.body);
    let done = b
        .submit(
            &signin,
            &[("email", "ada@acme.test"), ("password", "hunter2")],
        )
        .await
        .unwrap();
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(
        done.body.contains("<h1>accepted: ada@acme.test</h1>"),
        "{}",
        done.body
    );
    assert!(
        done.body.contains("continue to <a href=\"/projects\">"),
        "{}",
        done.body
    );
    let lines: Vec<String> = b.hops().iter().flat_map(|h| h.describe()).collect();
    let requests: Vec<&String> = lines.iter().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(requests.len(), 5, "{lines:#?}");
    assert!(
        requests[1].starts_with(
            "GET https://acme.okta.test/sso?SAMLRequest=…&RelayState=%2Fprojects → 30"
        ),
        "{lines:#?}"
    );
    assert!(
        requests[3].starts_with("POST https://acme.okta.test/login → 200"),
        "{lines:#?}"
    );
    assert_eq!(requests[4], "POST https://sp.test/saml/acs → 200");
    let saml_lines: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("SAML Response"))
        .collect();
    assert_eq!(saml_lines.len(), 1, "{lines:#?}");
    assert!(
        saml_lines[0].contains("subject ada@acme.test"),
        "{}",
        saml_lines[0]
    );
    assert!(
        saml_lines[0].contains("signed: Response"),
        "{}",
        saml_lines[0]
    );
    idp_server.shutdown().await;
    sp_server.shutdown().await;
}

/// `ssosim sp serve` as a person runs it: one line naming the bound
/// address (port 0 picks one), metadata served there, and a missing or
/// key-less IdP metadata refused with exit 2.
#[tokio::test]
async fn the_sp_serve_command_prints_one_line_and_serves_metadata() {
    use std::io::BufRead as _;
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/inspect");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ssosim"))
        .args(["sp", "serve", "--listen", "127.0.0.1:0", "--idp-metadata"])
        .arg(data.join("idp-metadata.xml"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .strip_prefix("sp listening on http://")
        .and_then(|r| r.split(' ').next())
        .unwrap_or_else(|| panic!("{line}"))
        .to_string();
    assert_eq!(
        line.trim_end(),
        format!("sp listening on http://{addr} (metadata: http://{addr}/saml/metadata, acs: http://{addr}/saml/acs)")
    );
    let mut c = HttpClient::new();
    let ex = c.send("GET", &addr, "/saml/metadata", &[], None).await;
    // Stop the server we started, whatever the outcome.
    let _ = child.kill();
    let _ = child.wait();
    let ex = ex.unwrap();
    assert_eq!(ex.status, 200);
    let m = parse_sp_metadata(ex.body.as_bytes()).unwrap();
    assert_eq!(m.entity_id, format!("http://{addr}/saml/metadata"));

    let missing = std::process::Command::new(env!("CARGO_BIN_EXE_ssosim"))
        .args(["sp", "serve", "--idp-metadata", "/nonexistent/idp.xml"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

/// The mock IdP and this SP on virtual hosts (`acme.okta.test`, `sp.test`).
async fn mock_idp_and_sp(
    allow_idp_initiated: bool,
) -> (Browser, ssosim::idp::IdpServer, SamlSpServer) {
    use ssosim::idp::{
        new_idp, Directory, IdpServer, IdpSettings, IdpShared, ProfileOptions, Vendor,
    };
    let clock = Clock::new(DEFAULT_EPOCH);
    let rng = Rng::new(1);
    let mut idp = new_idp(
        Vendor::Okta,
        IdpSettings::new("https://acme.okta.test"),
        Directory::builtin(&mut rng.fork("idp-directory")),
        &ProfileOptions::default(),
        &rng,
    )
    .unwrap();
    let mut settings = SpSettings::new(BASE, idp.metadata());
    settings.allow_idp_initiated = allow_idp_initiated;
    let sp = SamlSp::new(settings, rng.fork("sp-saml")).unwrap();
    idp.add_sp(ssosim::idp::SpConfig::from_metadata_xml(sp.metadata_xml().as_bytes()).unwrap());
    let idp_server = IdpServer::start(IdpShared::new(idp, rng.fork("idp"), clock.clone()), None)
        .await
        .unwrap();
    let sp_server = SamlSpServer::start(
        SamlSpShared::new(sp, clock.clone(), None),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let mut client = HttpClient::new();
    client.route("sp.test", sp_server.addr());
    client.route("acme.okta.test", idp_server.addr());
    (Browser::new(client, clock), idp_server, sp_server)
}

/// IdP-initiated SSO (the IdP's `/launch`): refused as unsolicited unless
/// the SP allows it; when allowed, an absolute RelayState from the IdP is
/// not followed (SECURITY.md IR4, B2) and the page says why.
#[tokio::test]
async fn idp_initiated_launch_is_refused_by_default_and_its_open_redirect_ignored_when_allowed() {
    let launch =
        "https://acme.okta.test/launch?user=ada%40acme.test&relay_state=https%3A%2F%2Fevil.test%2F";
    let (mut b, idp, sp) = mock_idp_and_sp(false).await;
    let page = b.navigate("GET", launch, None).await.unwrap();
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(
        page.body
            .contains("<h1>rejected: unsolicited-response</h1>"),
        "{}",
        page.body
    );
    let lines: Vec<String> = b.hops().iter().flat_map(|h| h.describe()).collect();
    assert!(
        lines
            .iter()
            .any(|l| l == "  SP verdict: refused unsolicited-response"),
        "{lines:#?}"
    );
    idp.shutdown().await;
    sp.shutdown().await;

    let (mut b, idp, sp) = mock_idp_and_sp(true).await;
    let page = b.navigate("GET", launch, None).await.unwrap();
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("<h1>accepted: ada@acme.test</h1>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("continue to"), "{}", page.body);
    assert!(
        page.body
            .contains("note: RelayState &quot;https://evil.test/&quot; ignored"),
        "{}",
        page.body
    );
    let lines: Vec<String> = b.hops().iter().flat_map(|h| h.describe()).collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("RelayState \"https://evil.test/\"")),
        "{lines:#?}"
    );
    idp.shutdown().await;
    sp.shutdown().await;
}
