//! The admin API: HTTP requests as data in, responses as data out.
//!
//! No IO here either: [`route`] maps a parsed request onto the core and
//! returns either a response or a DNS lookup the shell must perform first
//! (Refresh), which [`finish_check`] then completes.
//!
//! | method | path | who |
//! |---|---|---|
//! | POST | `/auth/login` `{email}` | anyone (non-SSO sign-in; sets the `session` cookie) |
//! | POST | `/auth/signup` `{email}` | anyone (personal account; DOM-7) |
//! | POST | `/api/organizations` `{kind, handle, name}` | signed in |
//! | GET | `/api/organizations/{id}` | members |
//! | POST | `/api/organizations/{id}/members` `{email, role}` | admins+ (PRV-2) |
//! | PATCH | `/api/organizations/{id}/members/{email}` `{role}` | owners / Console admins |
//! | DELETE | `/api/organizations/{id}/members/{email}` | admins+ |
//! | POST | `/api/organizations/{id}/primary-owner` `{email}` | primary owner |
//! | GET | `/api/organizations/{id}/identity` | identity admins |
//! | POST | `/api/organizations/{id}/sso/setup` | identity admins (ORG-3) |
//! | GET, POST | `/api/organizations/{id}/domains` `{domain}` | identity admins (DOM-1) |
//! | POST | `/api/organizations/{id}/domains/{domain}/refresh` | identity admins (DOM-3) |
//! | DELETE | `/api/organizations/{id}/domains/{domain}` | identity admins |
//! | GET | `/api/organizations/{id}/domain-memberships?format=json\|csv` | identity admins (DOM-6) |
//! | PUT | `/api/organizations/{id}/identity/org-creation` `{disabled}` | identity admins (DOM-7) |
//! | POST | `/operator/organizations` `{kind, handle, name, members, share_parent_of?}` | operator token |
//! | POST | `/operator/organizations/{id}/parent` | operator token (ORG-4) |
//!
//! Errors are `{"error": {"code": "…", "message": "…"}}` with the status of
//! [`Code::http_status`].

use std::time::Duration;

use serde_json::{json, Value};
use uuid::Uuid;

use super::views::{DomainView, OrgView, ParentView};
use super::{Code, DnsCheck, OrgKind, Role, Sp, SpError, SpResult, Surface, TxtAnswer};

/// A request, already read off the wire.
#[derive(Clone, Debug)]
pub struct ApiRequest {
    pub method: String,
    pub host: String,
    /// Path without the query string, still percent-encoded: segments are
    /// decoded one by one after splitting, so `x%2Fy` stays one segment.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub session: Option<String>,
    pub operator_token: Option<String>,
    pub body: Value,
}

/// A response, to be written to the wire.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiResponse {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
    pub set_session: Option<String>,
}

impl ApiResponse {
    fn json(status: u16, v: &impl serde::Serialize) -> ApiResponse {
        ApiResponse {
            status,
            content_type: "application/json",
            body: serde_json::to_string(v).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}")),
            set_session: None,
        }
    }

    pub fn error(e: &SpError) -> ApiResponse {
        ApiResponse::json(
            e.code.http_status(),
            &json!({"error": {"code": e.code.as_str(), "message": e.message}}),
        )
    }
}

/// What routing decided.
#[derive(Debug)]
pub enum Routed {
    Done(ApiResponse),
    /// Perform this TXT lookup, then call [`finish_check`].
    Lookup(DnsCheck),
}

fn done(r: SpResult<ApiResponse>) -> Routed {
    Routed::Done(r.unwrap_or_else(|e| ApiResponse::error(&e)))
}

fn field<'a>(body: &'a Value, key: &str) -> SpResult<&'a str> {
    body.get(key).and_then(Value::as_str).ok_or_else(|| {
        SpError::new(
            Code::InvalidRequest,
            format!("the request body needs a string `{key}`"),
        )
    })
}

fn parse_kind(s: &str) -> SpResult<OrgKind> {
    OrgKind::parse(s).ok_or_else(|| {
        SpError::new(
            Code::InvalidRequest,
            format!("`{s}` is not an organization kind (team, enterprise, console)"),
        )
    })
}

fn parse_role(kind: OrgKind, s: &str) -> SpResult<Role> {
    Role::parse(kind, s).ok_or_else(|| {
        SpError::new(
            Code::InvalidRequest,
            format!(
                "`{s}` is not a role in a {kind} organization ({})",
                Role::names_for(kind).join(", ")
            ),
        )
    })
}

/// Routes one request. `now` is elapsed virtual time; `operator_token` is the
/// world's secret for the operator API.
pub fn route(sp: &mut Sp, req: &ApiRequest, now: Duration, operator_token: &str) -> Routed {
    let decoded: Vec<String> = req
        .path
        .trim_matches('/')
        .split('/')
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    let segs: Vec<&str> = decoded.iter().map(String::as_str).collect();
    let m = req.method.as_str();
    match (m, segs.as_slice()) {
        ("POST", ["auth", "login"]) => done((|| {
            let email = field(&req.body, "email")?;
            let surface = Surface::from_host(&req.host).unwrap_or(Surface::Claude);
            let token = sp.login_with_email(email, surface)?;
            let mut r = ApiResponse::json(
                200,
                &json!({"signed_in": email.to_ascii_lowercase(), "method": "email"}),
            );
            r.set_session = Some(token);
            Ok(r)
        })()),
        ("POST", ["auth", "signup"]) => done((|| {
            let email = field(&req.body, "email")?;
            sp.create_personal_account(email, now)?;
            Ok(ApiResponse::json(
                201,
                &json!({"personal_account": email.to_ascii_lowercase()}),
            ))
        })()),
        ("POST", ["operator", rest @ ..]) | ("GET", ["operator", rest @ ..]) => {
            if req.operator_token.as_deref() != Some(operator_token) {
                return done(Err(SpError::new(
                    Code::PermissionDenied,
                    "the operator API needs the operator token",
                )));
            }
            done(operator(sp, m, rest, &req.body))
        }
        (_, ["api", rest @ ..]) => {
            let actor = match req.session.as_deref().map(|t| sp.session(t)) {
                Some(Ok(s)) => s.email.clone(),
                Some(Err(e)) => return done(Err(e)),
                None => {
                    return done(Err(SpError::new(
                        Code::NotSignedIn,
                        "sign in first (no session cookie)",
                    )))
                }
            };
            api(sp, req, m, rest, &actor, now)
        }
        _ => Routed::Done(ApiResponse::json(
            404,
            &json!({"error": {"code": "not-found", "message": format!("no route for {m} {}", req.path)}}),
        )),
    }
}

fn operator(sp: &mut Sp, m: &str, rest: &[&str], body: &Value) -> SpResult<ApiResponse> {
    match (m, rest) {
        ("POST", ["organizations"]) => {
            let kind = parse_kind(field(body, "kind")?)?;
            let handle = field(body, "handle")?;
            let name = body.get("name").and_then(Value::as_str).unwrap_or(handle);
            let mut members = vec![];
            for mem in body
                .get("members")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                members.push((
                    field(mem, "email")?.to_string(),
                    parse_role(kind, field(mem, "role")?)?,
                ));
            }
            let share = match body.get("share_parent_of").and_then(Value::as_str) {
                Some(key) => Some(org_id(sp, key)?),
                None => None,
            };
            let id = sp.operator_create_org(kind, handle, name, members, share)?;
            Ok(ApiResponse::json(201, &OrgView::new(sp.org(id)?)))
        }
        ("POST", ["organizations", org, "parent"]) => {
            let org = org_id(sp, org)?;
            let p = sp.operator_create_parent(org)?;
            parent_response(sp, p, 201)
        }
        _ => Err(SpError::new(Code::InvalidRequest, "unknown operator route")),
    }
}

fn org_id(sp: &Sp, key: &str) -> SpResult<Uuid> {
    Ok(sp.org_by_id_or_handle(key)?.id)
}

fn parent_response(sp: &Sp, p: Uuid, status: u16) -> SpResult<ApiResponse> {
    let parent = sp
        .parent(p)
        .ok_or_else(|| SpError::new(Code::NoParent, "parent vanished"))?;
    let view = ParentView::new(parent, |o| {
        sp.org(o).map(|o| o.handle.clone()).unwrap_or_default()
    });
    Ok(ApiResponse::json(status, &view))
}

/// An org's admin pages live on its own surface: a Console org is managed at
/// platform.claude.com, a Team or Enterprise org at claude.ai.
fn check_surface(sp: &Sp, org: Uuid, host: &str) -> SpResult<()> {
    let o = sp.org(org)?;
    match Surface::from_host(host) {
        Some(s) if s != o.kind.surface() => Err(SpError::new(
            Code::UnknownOrganization,
            format!(
                "{} is a {} organization; its settings are on {}, not {host}",
                o.handle,
                o.kind,
                o.kind.surface().host()
            ),
        )),
        _ => Ok(()),
    }
}

fn api(
    sp: &mut Sp,
    req: &ApiRequest,
    m: &str,
    rest: &[&str],
    actor: &str,
    now: Duration,
) -> Routed {
    let body = &req.body;
    if let ("POST", ["organizations"]) = (m, rest) {
        return done((|| {
            let kind = parse_kind(field(body, "kind")?)?;
            let handle = field(body, "handle")?;
            let name = body.get("name").and_then(Value::as_str).unwrap_or(handle);
            let id = sp.create_org(actor, kind, handle, name)?;
            Ok(ApiResponse::json(201, &OrgView::new(sp.org(id)?)))
        })());
    }
    let ["organizations", org, tail @ ..] = rest else {
        return done(Err(SpError::new(
            Code::InvalidRequest,
            format!("no route for {m} {}", req.path),
        )));
    };
    let org = match org_id(sp, org).and_then(|o| check_surface(sp, o, &req.host).map(|_| o)) {
        Ok(o) => o,
        Err(e) => return done(Err(e)),
    };
    match (m, tail) {
        ("GET", []) => done((|| {
            sp.role_in(org, actor)?;
            Ok(ApiResponse::json(200, &OrgView::new(sp.org(org)?)))
        })()),
        ("POST", ["members"]) => done((|| {
            let kind = sp.org(org)?.kind;
            let role = parse_role(kind, field(body, "role")?)?;
            sp.add_member(actor, org, field(body, "email")?, role)?;
            Ok(ApiResponse::json(201, &OrgView::new(sp.org(org)?)))
        })()),
        ("PATCH", ["members", email]) => done((|| {
            let kind = sp.org(org)?.kind;
            let role = parse_role(kind, field(body, "role")?)?;
            sp.set_role(actor, org, email, role)?;
            Ok(ApiResponse::json(200, &OrgView::new(sp.org(org)?)))
        })()),
        ("DELETE", ["members", email]) => done((|| {
            sp.remove_member(actor, org, email)?;
            Ok(ApiResponse::json(200, &OrgView::new(sp.org(org)?)))
        })()),
        ("POST", ["primary-owner"]) => done((|| {
            sp.transfer_primary(actor, org, field(body, "email")?)?;
            Ok(ApiResponse::json(200, &OrgView::new(sp.org(org)?)))
        })()),
        ("POST", ["sso", "setup"]) => done((|| {
            let p = sp.setup_sso(actor, org)?;
            parent_response(sp, p, 200)
        })()),
        ("GET", ["identity"]) => done((|| {
            sp.require_identity_admin(org, actor)?;
            let p = sp.parent_for_identity(org)?;
            let mut resp = parent_response(sp, p, 200)?;
            let domains = sp.list_domains(actor, org)?;
            let mut v: Value = serde_json::from_str(&resp.body).unwrap_or(Value::Null);
            v["domains"] = serde_json::to_value(domains).unwrap_or(Value::Null);
            resp.body = v.to_string();
            Ok(resp)
        })()),
        ("GET", ["domains"]) => done(
            sp.list_domains(actor, org)
                .map(|d| ApiResponse::json(200, &d)),
        ),
        ("POST", ["domains"]) => done((|| {
            let d: DomainView = sp.add_domain(actor, org, field(body, "domain")?, now)?;
            Ok(ApiResponse::json(201, &d))
        })()),
        ("POST", ["domains", domain, "refresh"]) => match sp.begin_refresh(actor, org, domain) {
            Ok(check) => Routed::Lookup(check),
            Err(e) => done(Err(e)),
        },
        ("DELETE", ["domains", domain]) => done((|| {
            sp.remove_domain(actor, org, domain)?;
            Ok(ApiResponse::json(200, &json!({"removed": domain})))
        })()),
        ("GET", ["domain-memberships"]) => done((|| {
            let report = sp.memberships_report(actor, org)?;
            let format = req
                .query
                .iter()
                .find(|(k, _)| k == "format")
                .map(|(_, v)| v.as_str())
                .unwrap_or("json");
            match format {
                "json" => Ok(ApiResponse::json(200, &report)),
                "csv" => Ok(ApiResponse {
                    status: 200,
                    content_type: "text/csv",
                    body: report.to_csv(),
                    set_session: None,
                }),
                other => Err(SpError::new(
                    Code::InvalidRequest,
                    format!("format `{other}`: expected json or csv"),
                )),
            }
        })()),
        ("PUT", ["identity", "org-creation"]) => done((|| {
            let disabled = body
                .get("disabled")
                .and_then(Value::as_bool)
                .ok_or_else(|| {
                    SpError::new(
                        Code::InvalidRequest,
                        "the request body needs a boolean `disabled`",
                    )
                })?;
            sp.set_disable_org_creation(actor, org, disabled)?;
            let p = sp.parent_for_identity(org)?;
            parent_response(sp, p, 200)
        })()),
        _ => done(Err(SpError::new(
            Code::InvalidRequest,
            format!("no route for {m} {}", req.path),
        ))),
    }
}

/// Completes a Refresh once DNS has answered.
pub fn finish_check(
    sp: &mut Sp,
    check: &DnsCheck,
    answer: &TxtAnswer,
    now: Duration,
) -> ApiResponse {
    match sp.complete_check(check, answer, now, false) {
        Ok(view) => ApiResponse::json(200, &view),
        Err(e) => ApiResponse::error(&e),
    }
}
