//! The IdP's HTTP server end to end over 127.0.0.1 with a real hyper
//! client: metadata, Redirect SSO with auto-login answered by an
//! auto-submit form, the sign-in page flow with its session cookie, and
//! IdP-initiated launch. The clock is a fixed virtual one: no sleeps.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};

use ssosim::idp::{new_idp, IdpServer, IdpSettings, IdpShared, ProfileOptions, SpConfig, Vendor};
use ssosim::saml::metadata::parse_idp_metadata;
use ssosim::sim::{Clock, Rng};

use crate::idp_support::*;

struct Reply {
    status: u16,
    headers: hyper::HeaderMap,
    body: String,
}

async fn http(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    body: &[u8],
    cookie: Option<&str>,
) -> Reply {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string());
    if method == "POST" {
        req = req.header("content-type", "application/x-www-form-urlencoded");
    }
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let resp = send
        .send_request(req.body(Full::new(Bytes::copy_from_slice(body))).unwrap())
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// An IdP on 127.0.0.1:0 whose base URL is its real address.
async fn start(vendor: Vendor, auto_login: Option<&str>) -> IdpServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut settings = IdpSettings::new(&format!("http://{addr}"));
    settings.auto_login = auto_login.map(str::to_string);
    let dir = ssosim::idp::users_file::parse_users_file(&users_yaml(), &mut Rng::new(1)).unwrap();
    let mut idp = new_idp(
        vendor,
        settings,
        dir,
        &ProfileOptions::default(),
        &Rng::new(1),
    )
    .unwrap();
    idp.add_sp(
        SpConfig::from_metadata_xml(sp_metadata_xml().as_bytes())
            .unwrap()
            .with_name("Acme Claude"),
    );
    IdpServer::serve(
        IdpShared::new(idp, Rng::new(2), Clock::new(now())),
        listener,
    )
    .unwrap()
}

#[tokio::test]
async fn metadata_names_the_entity_sso_endpoints_and_signing_cert() {
    let server = start(Vendor::Entra, None).await;
    let r = http(server.addr(), "GET", "/metadata", b"", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["content-type"], "application/samlmetadata+xml");
    let md = parse_idp_metadata(r.body.as_bytes()).unwrap();
    assert!(md.entity_id.starts_with("https://sts.windows.net/"));
    let sso = format!("http://{}/sso", server.addr());
    assert_eq!(md.sso_redirect.as_deref(), Some(sso.as_str()));
    assert_eq!(md.sso_post.as_deref(), Some(sso.as_str()));
    let cert =
        openssl::x509::X509::from_pem(&crate::saml_support::pki("idp-entra.crt.pem")).unwrap();
    assert_eq!(md.signing_certs_der, vec![cert.to_der().unwrap()]);
    server.shutdown().await;
}

#[tokio::test]
async fn redirect_sso_with_auto_login_answers_with_an_auto_submit_form() {
    let server = start(Vendor::Okta, Some("ada@acme.test")).await;
    let (id, query) = redirect_request(&request_params(ACS), Some("rs"), false);
    let r = http(server.addr(), "GET", &format!("/sso?{query}"), b"", None).await;
    assert_eq!(r.status, 200);
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(r.body.contains("document.forms[0].submit()") && r.body.contains("value=\"Continue\""));
    assert_eq!(form_action(&r.body).as_deref(), Some(ACS));
    assert_eq!(form_field(&r.body, "RelayState").as_deref(), Some("rs"));
    let md = parse_idp_metadata(
        http(server.addr(), "GET", "/metadata", b"", None)
            .await
            .body
            .as_bytes(),
    )
    .unwrap();
    let mut v =
        ssosim::saml::validate::SpConfig::new(SP, ACS, &md.entity_id, md.trusted_keys().unwrap());
    v.allowed_skew = std::time::Duration::from_secs(180);
    let pending = ssosim::saml::validate::Pending { request_id: id };
    let login = ssosim::saml::validate::validate_response(
        &v,
        now(),
        response_xml(&r.body).as_bytes(),
        ssosim::saml::validate::InResponseToCheck::Pending(Some(&pending)),
        None,
    )
    .unwrap();
    assert_eq!(login.name_id, "ada@acme.test");
    server.shutdown().await;
}

#[tokio::test]
async fn sign_in_page_flow_sets_a_session_that_skips_the_page_next_time() {
    let server = start(Vendor::Generic, None).await;
    let addr = server.addr();
    let (_, query) = redirect_request(&request_params(ACS), None, false);
    let r = http(addr, "GET", &format!("/sso?{query}"), b"", None).await;
    assert_eq!(r.status, 303);
    let location = r.headers["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/login?pending="));
    let page = http(addr, "GET", &location, b"", None).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Acme Claude") && page.body.contains("type=\"password\""));
    let pending = location.trim_start_matches("/login?pending=");
    let form = format!("pending={pending}&email=ada%40acme.test&password=anything");
    let r = http(addr, "POST", "/login", form.as_bytes(), None).await;
    assert_eq!(r.status, 200);
    assert!(form_field(&r.body, "SAMLResponse").is_some());
    let set_cookie = r.headers["set-cookie"].to_str().unwrap();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"));
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    // Used up: the same pending id is now an expired sign-in.
    assert_eq!(
        http(addr, "POST", "/login", form.as_bytes(), None)
            .await
            .status,
        400
    );
    let (_, query) = redirect_request(&request_params(ACS), None, false);
    let r = http(addr, "GET", &format!("/sso?{query}"), b"", Some(&cookie)).await;
    assert_eq!(r.status, 200);
    assert!(form_field(&r.body, "SAMLResponse").is_some());
    // POST binding with the same session.
    let (_, body) = post_request(&request_params(ACS), None);
    let r = http(addr, "POST", "/sso", &body, Some(&cookie)).await;
    assert!(form_field(&r.body, "SAMLResponse").is_some());
    server.shutdown().await;
}

#[tokio::test]
async fn launch_unassigned_and_unknown_routes_over_http() {
    let server = start(Vendor::Google, None).await;
    let addr = server.addr();
    let r = http(
        addr,
        "GET",
        "/launch?user=ada%40acme.test&relay_state=%2Fhome",
        b"",
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    let xml = response_xml(&r.body);
    assert!(!xml.contains("InResponseTo"));
    assert_eq!(form_field(&r.body, "RelayState").as_deref(), Some("/home"));
    let r = http(addr, "GET", "/launch?user=bob%40acme.test", b"", None).await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("app_not_configured_for_user"));
    assert_eq!(http(addr, "GET", "/nope", b"", None).await.status, 404);
    assert_eq!(http(addr, "GET", "/", b"", None).await.status, 200);
    server.shutdown().await;
}
