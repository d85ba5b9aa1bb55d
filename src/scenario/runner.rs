//! Runs a scenario: builds its world, takes each step through the same HTTP
//! surfaces a person would use, checks inline `expect:`s, and returns the
//! transcript.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use super::ast::{Action, Expect, ReportFormat, Scenario, Step};
use super::yaml::Span;
use crate::agent::Exchange;
use crate::sim::format_elapsed;
use crate::sp::Surface;
use crate::transcript::Transcript;
use crate::world::{World, WorldError, WorldErrorKind};

/// One path segment, percent-encoded (RFC 3986 `pchar` minus sub-delims),
/// so that whatever a scenario names reaches the SP intact.
fn seg(s: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'@');
    percent_encoding::utf8_percent_encode(s, SEGMENT).to_string()
}

/// TTL of records published by steps; the resolver caches nothing, so it
/// only shows in answers.
const PUBLISHED_TTL: u32 = 300;

/// An `expect:` that did not hold.
#[derive(Clone, Debug)]
pub struct StepFailure {
    pub span: Span,
    pub step: usize,
    pub message: String,
}

/// Why a run stopped early.
#[derive(Clone, Debug)]
pub struct RunError {
    pub kind: WorldErrorKind,
    pub message: String,
    pub span: Option<Span>,
}

#[derive(Debug)]
pub struct RunOutcome {
    pub transcript: String,
    pub failures: Vec<StepFailure>,
    pub error: Option<RunError>,
}

/// Runs `scenario` with `seed` on a fresh single-threaded runtime.
/// `scenario_dir` anchors relative paths (zone files).
pub fn run(scenario: &Scenario, scenario_dir: &Path, seed: u64) -> RunOutcome {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return RunOutcome {
                transcript: String::new(),
                failures: vec![],
                error: Some(RunError {
                    kind: WorldErrorKind::Internal,
                    message: format!("cannot start a runtime: {e}"),
                    span: None,
                }),
            }
        }
    };
    rt.block_on(run_async(scenario, scenario_dir, seed))
}

fn header(scenario: &Scenario, seed: u64) -> Transcript {
    let mut t = Transcript::new();
    t.line(&format!("scenario: {}", scenario.name));
    if !scenario.covers.is_empty() {
        t.line(&format!("covers: {}", scenario.covers.join(", ")));
    }
    let start = scenario
        .world
        .start
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    t.line(&format!("seed: {seed}"));
    t.line(&format!("start: {start}"));
    t
}

async fn run_async(scenario: &Scenario, scenario_dir: &Path, seed: u64) -> RunOutcome {
    let mut world =
        match World::build(&scenario.world, seed, scenario_dir, header(scenario, seed)).await {
            Ok(w) => w,
            Err(e) => {
                return RunOutcome {
                    transcript: String::new(),
                    failures: vec![],
                    error: Some(RunError {
                        kind: e.kind,
                        message: e.message,
                        span: None,
                    }),
                }
            }
        };
    world.transcript.section("steps");
    let mut failures = vec![];
    let mut error = None;
    for (i, step) in scenario.steps.iter().enumerate() {
        match run_step(&mut world, i + 1, step).await {
            Ok(Some(ex)) => {
                if let Some(exp) = &step.expect {
                    for message in check_expect(exp, &ex) {
                        failures.push(StepFailure {
                            span: exp.span,
                            step: i + 1,
                            message,
                        });
                    }
                }
            }
            Ok(None) => {}
            Err(e) => {
                world
                    .transcript
                    .event(world.clock.elapsed(), "error", &e.message, &[]);
                error = Some(RunError {
                    kind: e.kind,
                    message: e.message,
                    span: Some(step.span),
                });
                break;
            }
        }
    }
    world.final_state();
    let transcript = world.shutdown().await.finish();
    RunOutcome {
        transcript,
        failures,
        error,
    }
}

/// Renders one HTTP exchange under its step.
fn exchange_lines(ex: &Exchange) -> Vec<String> {
    let mut out = vec![format!("{} {} → {}", ex.method, ex.url, ex.status)];
    if ex.content_type.starts_with("application/json") {
        match serde_json::from_str::<Value>(&ex.body) {
            Ok(v) => out.push(serde_json::to_string_pretty(&v).unwrap_or_else(|_| ex.body.clone())),
            Err(_) => out.push(ex.body.clone()),
        }
    } else if !ex.body.is_empty() {
        out.push(ex.body.replace("\r\n", "\n"));
    }
    out
}

/// Writes a step's exchange, with the DNS traffic it caused beneath it.
fn log_exchange(world: &mut World, headline: &str, ex: &Exchange) {
    let at = world.clock.elapsed();
    let mut detail = exchange_lines(ex);
    detail.extend(world.take_dns_lines());
    world.transcript.event(at, "step", headline, &detail);
}

/// Takes one step; returns the HTTP exchange its `expect:` is checked against.
async fn run_step(
    world: &mut World,
    n: usize,
    step: &Step,
) -> Result<Option<Exchange>, WorldError> {
    let who = step
        .actor
        .as_deref()
        .map(|a| format!("{a} · "))
        .unwrap_or_default();
    let headline = format!("{n} · {who}{} {}", step.keyword, step.args);
    let at = world.clock.elapsed();
    let json = |pairs: Value| Some(pairs);
    // Who acts, and where: an org's admin pages are on its own surface.
    let org_path = |world: &World, org: &str| -> Result<(String, String), WorldError> {
        let o = world.org(org)?;
        Ok((
            o.kind.surface().host().to_string(),
            format!("/api/organizations/{}", o.id),
        ))
    };
    let (method, host, path, body): (&str, String, String, Option<Value>) = match &step.action {
        Action::Advance(d) => {
            let to = format_elapsed(at.saturating_add(*d));
            world.transcript.event(
                at,
                "step",
                &format!("{n} · advance {} → {to}", step.args),
                &[],
            );
            world.advance(*d).await?;
            return Ok(None);
        }
        Action::Login { user, surface } => {
            let ex = world.login(user, surface.host()).await?;
            log_exchange(world, &headline, &ex);
            return Ok(Some(ex));
        }
        Action::Signup { email } => {
            let ex = world
                .anonymous(
                    "POST",
                    Surface::Claude.host(),
                    "/auth/signup",
                    json(serde_json::json!({"email": email})),
                )
                .await?;
            log_exchange(world, &headline, &ex);
            return Ok(Some(ex));
        }
        Action::ParentCreate { org } => {
            let (host, _) = org_path(world, org)?;
            let id = world.org(org)?.id;
            let ex = world
                .operator(
                    "POST",
                    &host,
                    &format!("/operator/organizations/{id}/parent"),
                )
                .await?;
            log_exchange(
                world,
                &format!("{n} · operator · {} {}", step.keyword, step.args),
                &ex,
            );
            return Ok(Some(ex));
        }
        Action::DnsPublish {
            domain,
            org,
            name,
            value,
            delay,
            split,
        } => {
            let expected = world.expected_record(domain, org.as_deref())?;
            let (record_name, record_value) = match (name, value, expected) {
                (Some(n), Some(v), _) => (n.clone(), v.clone()),
                (n, v, Some((en, ev))) => (n.clone().unwrap_or(en), v.clone().unwrap_or(ev)),
                (_, _, None) => {
                    return Err(WorldError::scenario(format!(
                        "the SP has not asked for a TXT record for {domain}: add the domain first (domain.add), or give both `name` and `value`"
                    )))
                }
            };
            let strings = match (split, record_value.split_once('=')) {
                (true, Some((k, v))) => vec![format!("{k}="), v.to_string()],
                _ => vec![record_value],
            };
            publish(world, n, &step.keyword, &record_name, strings, *delay)?;
            return Ok(None);
        }
        Action::DnsTxt {
            name,
            strings,
            delay,
        } => {
            publish(world, n, &step.keyword, name, strings.clone(), *delay)?;
            return Ok(None);
        }
        Action::DnsWithdraw { name, delay } => {
            let until = at.saturating_add(delay.unwrap_or(world.propagation));
            let removed = world
                .dns()
                .withdraw_txt(name, until)
                .map_err(|e| WorldError::scenario(format!("dns.withdraw {name}: {e}")))?;
            world.transcript.event(
                at,
                "step",
                &format!("{n} · dns.withdraw {name}"),
                &[format!(
                    "{removed} TXT record(s) disappear at {}",
                    format_elapsed(until)
                )],
            );
            return Ok(None);
        }
        Action::OrgCreate { handle, kind, name } => (
            "POST",
            kind.surface().host().to_string(),
            "/api/organizations".to_string(),
            json(serde_json::json!({"kind": kind.as_str(), "handle": handle, "name": name})),
        ),
        Action::OrgShow { org } => {
            let (h, p) = org_path(world, org)?;
            ("GET", h, p, None)
        }
        Action::MemberAdd { org, email, role } => {
            let (h, p) = org_path(world, org)?;
            (
                "POST",
                h,
                format!("{p}/members"),
                json(serde_json::json!({"email": email, "role": role})),
            )
        }
        Action::MemberRole { org, email, role } => {
            let (h, p) = org_path(world, org)?;
            (
                "PATCH",
                h,
                format!("{p}/members/{}", seg(email)),
                json(serde_json::json!({"role": role})),
            )
        }
        Action::MemberRemove { org, email } => {
            let (h, p) = org_path(world, org)?;
            ("DELETE", h, format!("{p}/members/{}", seg(email)), None)
        }
        Action::TransferPrimary { org, to } => {
            let (h, p) = org_path(world, org)?;
            (
                "POST",
                h,
                format!("{p}/primary-owner"),
                json(serde_json::json!({"email": to})),
            )
        }
        Action::SsoSetup { org } => {
            let (h, p) = org_path(world, org)?;
            ("POST", h, format!("{p}/sso/setup"), None)
        }
        Action::IdentityShow { org } => {
            let (h, p) = org_path(world, org)?;
            ("GET", h, format!("{p}/identity"), None)
        }
        Action::DomainAdd { org, domain } => {
            let (h, p) = org_path(world, org)?;
            (
                "POST",
                h,
                format!("{p}/domains"),
                json(serde_json::json!({"domain": domain})),
            )
        }
        Action::DomainRefresh { org, domain } => {
            let (h, p) = org_path(world, org)?;
            (
                "POST",
                h,
                format!("{p}/domains/{}/refresh", seg(domain)),
                None,
            )
        }
        Action::DomainRemove { org, domain } => {
            let (h, p) = org_path(world, org)?;
            ("DELETE", h, format!("{p}/domains/{}", seg(domain)), None)
        }
        Action::DomainList { org } => {
            let (h, p) = org_path(world, org)?;
            ("GET", h, format!("{p}/domains"), None)
        }
        Action::DomainReport { org, format } => {
            let (h, p) = org_path(world, org)?;
            let f = match format {
                ReportFormat::Json => "json",
                ReportFormat::Csv => "csv",
            };
            ("GET", h, format!("{p}/domain-memberships?format={f}"), None)
        }
        Action::OrgCreation { org, disabled } => {
            let (h, p) = org_path(world, org)?;
            (
                "PUT",
                h,
                format!("{p}/identity/org-creation"),
                json(serde_json::json!({"disabled": disabled})),
            )
        }
    };
    let actor = step
        .actor
        .as_deref()
        .ok_or_else(|| WorldError::internal(format!("step {n} has no actor")))?;
    if !world.has_session(actor, &host) {
        let ex = world.login(actor, &host).await?;
        let at = world.clock.elapsed();
        world.transcript.event(
            at,
            "login",
            &format!("{actor} signs in on {host} (email)"),
            &[format!("{} {} → {}", ex.method, ex.url, ex.status)],
        );
    }
    let ex = world.as_user(actor, method, &host, &path, body).await?;
    log_exchange(world, &headline, &ex);
    Ok(Some(ex))
}

/// Publishes a TXT record; strings over 255 octets are split into
/// 255-octet character-strings as DNS requires (RFC 1035 3.3.14).
fn publish(
    world: &mut World,
    n: usize,
    keyword: &str,
    name: &str,
    strings: Vec<String>,
    delay: Option<Duration>,
) -> Result<(), WorldError> {
    let at = world.clock.elapsed();
    let from = at.saturating_add(delay.unwrap_or(world.propagation));
    let mut wire: Vec<Vec<u8>> = vec![];
    for s in &strings {
        let b = s.as_bytes();
        if b.is_empty() {
            wire.push(vec![]);
        }
        for chunk in b.chunks(255) {
            wire.push(chunk.to_vec());
        }
    }
    world
        .dns()
        .publish_txt(name, wire, PUBLISHED_TTL, from)
        .map_err(|e| WorldError::scenario(format!("{keyword} {name}: {e}")))?;
    let shown: Vec<String> = strings.iter().map(|s| format!("\"{s}\"")).collect();
    world.transcript.event(
        at,
        "step",
        &format!("{n} · {keyword} TXT {name} {}", shown.join(" ")),
        &[format!("visible from {}", format_elapsed(from))],
    );
    Ok(())
}

/// Checks an exchange against an `expect:`; returns what did not hold.
pub fn check_expect(exp: &Expect, ex: &Exchange) -> Vec<String> {
    let mut out = vec![];
    let body: Value = serde_json::from_str(&ex.body).unwrap_or(Value::Null);
    let refused = ex.status >= 400;
    let code = body["error"]["code"].as_str().unwrap_or("");
    match (&exp.error, refused) {
        (Some(want), true) if want != code => out.push(format!(
            "expected refusal `{want}`, got `{code}` ({}): {}",
            ex.status,
            body["error"]["message"].as_str().unwrap_or("")
        )),
        (Some(want), false) => out.push(format!(
            "expected refusal `{want}`, but it succeeded ({})",
            ex.status
        )),
        (None, true)
            if !exp.fields.is_empty() || !exp.contains.is_empty() || exp.list.is_some() =>
        {
            out.push(format!(
                "expected success, got `{code}` ({}): {}",
                ex.status,
                body["error"]["message"].as_str().unwrap_or("")
            ))
        }
        _ => {}
    }
    if let Some(want) = &exp.list {
        match_value("response", want, &body, &mut out);
    }
    for (k, want) in &exp.fields {
        match_value(k, want, &body[k.as_str()], &mut out);
    }
    // Match the body as sent and as the transcript shows it (pretty JSON).
    let pretty = serde_json::to_string_pretty(&body).unwrap_or_default();
    for text in &exp.contains {
        if !ex.body.contains(text.as_str()) && !pretty.contains(text.as_str()) {
            out.push(format!("expected the response to contain {text:?}"));
        }
    }
    out
}

/// Subset match: maps match key by key, lists element-wise with equal
/// length, scalars by value (a number and its string form are equal).
fn match_value(path: &str, want: &Value, got: &Value, out: &mut Vec<String>) {
    match (want, got) {
        (Value::Object(w), Value::Object(_)) => {
            for (k, v) in w {
                match_value(&format!("{path}.{k}"), v, &got[k.as_str()], out);
            }
        }
        (Value::Array(w), Value::Array(g)) => {
            if w.len() != g.len() {
                out.push(format!(
                    "`{path}`: expected {} items, got {}: {}",
                    w.len(),
                    g.len(),
                    compact(got)
                ));
                return;
            }
            for (i, (wi, gi)) in w.iter().zip(g).enumerate() {
                match_value(&format!("{path}[{i}]"), wi, gi, out);
            }
        }
        (Value::String(w), Value::Number(g)) if *w == g.to_string() => {}
        (Value::Number(w), Value::String(g)) if w.to_string() == *g => {}
        (w, g) if w == g => {}
        (w, g) => out.push(format!(
            "`{path}`: expected {}, got {}",
            compact(w),
            compact(g)
        )),
    }
}

fn compact(v: &Value) -> String {
    match v {
        Value::Null => "nothing".to_string(),
        other => other.to_string(),
    }
}
