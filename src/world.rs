//! The world: wires the clock, the seeded random streams, the mock DNS, the
//! SP and the scripted agents together, moves virtual time, and writes the
//! transcript.
//!
//! **Architecture Invariant:** time moves only in [`World::advance`], and
//! moving it runs every job that falls due, in `(due, seq)` order, each to
//! completion, with the clock set to the job's due instant.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::agent::{Exchange, HttpClient};
use crate::dns::{self, MockDns, Resolver, TxtLookup};
use crate::scenario::ast::{WorldSpec, ZoneSpec};
use crate::sim::{format_elapsed, Clock, Rng, Scheduler};
use crate::sp::server::{EffectSink, LookupFn, SpServer, SpShared};
use crate::sp::{Effect, OrgKind, Sp, Surface, TxtAnswer};
use crate::transcript::Transcript;

/// A job on the virtual clock.
#[derive(Clone, Debug)]
pub enum Job {
    Sp(Effect),
}

/// Why a world could not go on.
#[derive(Clone, Debug)]
pub struct WorldError {
    pub kind: WorldErrorKind,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorldErrorKind {
    /// The scenario asked for something impossible (unknown org, bad zone file).
    Scenario,
    /// ssosim itself failed (a socket would not bind, a server died).
    Internal,
    /// Virtual time would pass the scenario's limit.
    Timeout,
}

impl WorldError {
    pub fn scenario(message: impl Into<String>) -> WorldError {
        WorldError {
            kind: WorldErrorKind::Scenario,
            message: message.into(),
        }
    }
    pub fn internal(message: impl Into<String>) -> WorldError {
        WorldError {
            kind: WorldErrorKind::Internal,
            message: message.into(),
        }
    }
}

/// A guard against jobs that keep rescheduling themselves at the same instant.
const MAX_JOBS_PER_ADVANCE: usize = 100_000;

/// An organization as the world knows it from the SP's answers.
#[derive(Clone, Debug)]
pub struct KnownOrg {
    pub id: Uuid,
    pub kind: OrgKind,
}

pub struct World {
    pub clock: Clock,
    dns: MockDns,
    sp: Arc<SpShared>,
    sp_server: SpServer,
    scheduler: Arc<Mutex<Scheduler<Job>>>,
    http: HttpClient,
    /// Session cookie per (email, virtual host).
    sessions: BTreeMap<(String, String), String>,
    operator_token: String,
    orgs: BTreeMap<String, KnownOrg>,
    pub propagation: Duration,
    pub time_limit: Duration,
    pub transcript: Transcript,
}

impl World {
    /// Starts the servers on 127.0.0.1 and builds the initial world.
    pub async fn build(
        spec: &WorldSpec,
        seed: u64,
        scenario_dir: &Path,
        mut transcript: Transcript,
    ) -> Result<World, WorldError> {
        let clock = Clock::new(spec.start);
        let rng = Rng::new(seed);
        let dns = MockDns::start(clock.clone())
            .await
            .map_err(|e| WorldError::internal(format!("the mock DNS could not start: {e}")))?;
        let resolver = Arc::new(Resolver::new(dns.addr()));
        let lookup: LookupFn = Arc::new(move |name: String| {
            let resolver = resolver.clone();
            Box::pin(async move { txt_answer(resolver.lookup_txt(&name).await) })
        });
        let scheduler = Arc::new(Mutex::new(Scheduler::new()));
        let sink_sched = scheduler.clone();
        let effects: EffectSink = Arc::new(move |e: Effect| {
            let at = match &e {
                Effect::CheckDomain { at, .. } => *at,
            };
            lock(&sink_sched).schedule(at, Job::Sp(e));
        });
        let operator_token = rng.fork("operator").hex(16);
        let sp = SpShared::new(
            Sp::new(rng.fork("sp"), spec.start),
            clock.clone(),
            lookup,
            effects,
            operator_token.clone(),
        );
        let sp_server = SpServer::start(sp.clone(), None)
            .await
            .map_err(|e| WorldError::internal(format!("the SP could not start: {e}")))?;
        let mut http = HttpClient::new();
        for s in [Surface::Claude, Surface::Console] {
            http.route(s.host(), sp_server.addr());
        }
        transcript.section("world");
        let mut world = World {
            clock,
            dns,
            sp,
            sp_server,
            scheduler,
            http,
            sessions: BTreeMap::new(),
            operator_token,
            orgs: BTreeMap::new(),
            propagation: spec.dns.propagation,
            time_limit: spec.time_limit,
            transcript,
        };
        for z in &spec.dns.zones {
            world.add_zone(z, scenario_dir)?;
        }
        for o in &spec.orgs {
            let members: Vec<Value> = o
                .members
                .iter()
                .map(|(email, role)| serde_json::json!({"email": email, "role": role}))
                .collect();
            let mut body = serde_json::json!({"kind": o.kind.as_str(), "handle": o.handle, "name": o.name, "members": members});
            if let Some(other) = &o.shares_parent_of {
                body["share_parent_of"] = Value::String(other.clone());
            }
            let host = o.kind.surface().host();
            let token = world.operator_token.clone();
            let ex = world
                .send(
                    "POST",
                    host,
                    "/operator/organizations",
                    &[("x-operator-token", token)],
                    Some(body),
                )
                .await?;
            if ex.status != 201 {
                return Err(WorldError::scenario(format!(
                    "organization `{}` could not be created: {}",
                    o.handle, ex.body
                )));
            }
            let v: Value = serde_json::from_str(&ex.body).unwrap_or(Value::Null);
            world.learn_org(&v);
            let members: Vec<String> = o.members.iter().map(|(e, r)| format!("{e} {r}")).collect();
            let headline = format!(
                "org {} ({} \"{}\") id {}",
                o.handle,
                o.kind,
                o.name,
                v["id"].as_str().unwrap_or("?")
            );
            let mut detail = vec![format!("members: {}", members.join(", "))];
            if let Some(p) = v["parent"].as_str() {
                detail.push(format!("parent {p}"));
            }
            world
                .transcript
                .event(world.clock.elapsed(), "world", &headline, &detail);
        }
        Ok(world)
    }

    fn add_zone(&mut self, z: &ZoneSpec, scenario_dir: &Path) -> Result<(), WorldError> {
        let at = self.clock.elapsed();
        match z {
            ZoneSpec::Empty { origin, .. } => {
                self.dns
                    .add_empty_zone(origin)
                    .map_err(|e| WorldError::scenario(format!("zone {origin}: {e}")))?;
                self.transcript.event(
                    at,
                    "world",
                    &format!("dns zone {origin} (empty: SOA and NS only)"),
                    &[],
                );
            }
            ZoneSpec::File { path, .. } => {
                // $INCLUDE paths resolve relative to the zone file, as in BIND.
                let full = scenario_dir.join(path);
                let zone = dns::parse_zone_file(&full, None)
                    .map_err(|e| WorldError::scenario(format!("zone file error: {e}")))?;
                let headline = format!(
                    "dns zone {} from {} ({} records)",
                    zone.origin_name(),
                    path.display(),
                    zone.records().len()
                );
                self.dns.add_zone(zone);
                self.transcript.event(at, "world", &headline, &[]);
            }
        }
        Ok(())
    }

    fn learn_org(&mut self, v: &Value) {
        let (Some(handle), Some(id), Some(kind)) =
            (v["handle"].as_str(), v["id"].as_str(), v["kind"].as_str())
        else {
            return;
        };
        if let (Ok(id), Some(kind)) = (Uuid::parse_str(id), OrgKind::parse(kind)) {
            self.orgs.insert(handle.to_string(), KnownOrg { id, kind });
        }
    }

    /// The org a step names, or a scenario error with a suggestion.
    pub fn org(&self, handle: &str) -> Result<KnownOrg, WorldError> {
        self.orgs.get(handle).cloned().ok_or_else(|| {
            let known: Vec<&str> = self.orgs.keys().map(String::as_str).collect();
            let mut m = format!("no organization `{handle}` exists at this point of the scenario");
            if let Some(s) = crate::scenario::decode::suggest(handle, &known) {
                m.push_str(&format!(" (did you mean `{s}`?)"));
            } else if !known.is_empty() {
                m.push_str(&format!(" (known: {})", known.join(", ")));
            }
            WorldError::scenario(m)
        })
    }

    async fn send(
        &mut self,
        method: &str,
        host: &str,
        path: &str,
        headers: &[(&str, String)],
        body: Option<Value>,
    ) -> Result<Exchange, WorldError> {
        let ex = self
            .http
            .send(method, host, path, headers, body.map(|b| b.to_string()))
            .await
            .map_err(|e| WorldError::internal(e.to_string()))?;
        if let Ok(v) = serde_json::from_str::<Value>(&ex.body) {
            self.learn_org(&v);
        }
        Ok(ex)
    }

    /// Signs `email` in on `host` without SSO (recorded in the transcript).
    pub async fn login(&mut self, email: &str, host: &str) -> Result<Exchange, WorldError> {
        let ex = self
            .send(
                "POST",
                host,
                "/auth/login",
                &[],
                Some(serde_json::json!({"email": email})),
            )
            .await?;
        if let Some(token) = ex.set_cookie.as_deref().and_then(session_token) {
            self.sessions
                .insert((email.to_string(), host.to_string()), token);
        }
        Ok(ex)
    }

    pub fn has_session(&self, email: &str, host: &str) -> bool {
        self.sessions
            .contains_key(&(email.to_string(), host.to_string()))
    }

    /// An admin-API request as `actor` (who must have signed in on `host`).
    pub async fn as_user(
        &mut self,
        actor: &str,
        method: &str,
        host: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<Exchange, WorldError> {
        let cookie = self
            .sessions
            .get(&(actor.to_string(), host.to_string()))
            .map(|t| format!("session={t}"))
            .unwrap_or_default();
        self.send(method, host, path, &[("cookie", cookie)], body)
            .await
    }

    /// An unauthenticated request (sign-up pages).
    pub async fn anonymous(
        &mut self,
        method: &str,
        host: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<Exchange, WorldError> {
        self.send(method, host, path, &[], body).await
    }

    /// An operator request (standing for a sales or support action).
    pub async fn operator(
        &mut self,
        method: &str,
        host: &str,
        path: &str,
    ) -> Result<Exchange, WorldError> {
        let token = self.operator_token.clone();
        self.send(method, host, path, &[("x-operator-token", token)], None)
            .await
    }

    pub fn dns(&self) -> &MockDns {
        &self.dns
    }

    /// The TXT record (name, value) the SP asked `domain`'s owners to
    /// publish — of `org`'s parent when given. Several parents may have
    /// added the same pending domain; then the scenario must say which.
    pub fn expected_record(
        &self,
        domain: &str,
        org: Option<&str>,
    ) -> Result<Option<(String, String)>, WorldError> {
        let parent = match org {
            Some(h) => {
                let id = self.org(h)?.id;
                let sp = self.sp.core();
                let parent = sp.org(id).ok().and_then(|o| o.parent);
                match parent {
                    Some(p) => Some(p),
                    None => {
                        return Err(WorldError::scenario(format!(
                            "`{h}` has no parent organization, so no domains"
                        )))
                    }
                }
            }
            None => None,
        };
        let sp = self.sp.core();
        let domain = domain.trim_end_matches('.').to_ascii_lowercase();
        let found: Vec<(String, String)> = sp
            .parents()
            .filter(|p| parent.is_none_or(|id| p.id == id))
            .filter_map(|p| {
                p.domains
                    .get(&domain)
                    .map(|d| (d.record_name.clone(), d.record_value.clone()))
            })
            .collect();
        if found.len() > 1 {
            return Err(WorldError::scenario(format!(
                "{} parent organizations added {domain}: say whose record to publish with `org:`",
                found.len()
            )));
        }
        Ok(found.into_iter().next())
    }

    /// The DNS queries answered since the last call, one line each, to be
    /// listed under the event that caused them.
    pub fn take_dns_lines(&mut self) -> Vec<String> {
        let mut out = vec![];
        for q in self.dns.take_log() {
            let answers = if q.answers.is_empty() {
                String::new()
            } else {
                format!(" {}", q.answers.join(" | "))
            };
            let tc = if q.truncated { " (truncated)" } else { "" };
            let transport = match q.transport {
                dns::Transport::Udp => "udp",
                dns::Transport::Tcp => "tcp",
            };
            out.push(format!(
                "dns {transport} {} {} → {}{answers}{tc}",
                q.qtype, q.qname, q.rcode
            ));
        }
        out
    }

    /// Moves virtual time forward by `by`, running every job that falls due.
    pub async fn advance(&mut self, by: Duration) -> Result<(), WorldError> {
        let target = self.clock.elapsed().saturating_add(by);
        if target > self.time_limit {
            return Err(WorldError {
                kind: WorldErrorKind::Timeout,
                message: format!(
                    "advancing to {} would pass the scenario's virtual time limit of {} (world.time_limit)",
                    format_elapsed(target),
                    humantime::format_duration(self.time_limit)
                ),
            });
        }
        let mut ran = 0;
        loop {
            let next = lock(&self.scheduler).pop_due(target);
            let Some((due, job)) = next else { break };
            self.clock.advance_to(due);
            self.run_job(job).await;
            ran += 1;
            if ran > MAX_JOBS_PER_ADVANCE {
                return Err(WorldError::internal(format!("more than {MAX_JOBS_PER_ADVANCE} jobs fell due in one advance: a job keeps rescheduling itself")));
            }
        }
        self.clock.advance_to(target);
        Ok(())
    }

    async fn run_job(&mut self, job: Job) {
        match job {
            Job::Sp(Effect::CheckDomain { check, .. }) => {
                if let Some((view, _)) = self.sp.run_scheduled_check(&check).await {
                    let status = wire_name(&view.status);
                    let why = view.last_check.clone().unwrap_or_default();
                    let headline = if status == "pending" || status == "failed" {
                        format!("sp re-checks {} → {status}: {why}", view.domain)
                    } else {
                        format!("sp re-checks {} → {status}", view.domain)
                    };
                    let detail = self.take_dns_lines();
                    self.transcript
                        .event(self.clock.elapsed(), "job", &headline, &detail);
                }
            }
        }
    }

    /// The closing section: everything the SP holds, in a stable order.
    pub fn final_state(&mut self) {
        let now = self.clock.now().format(&Rfc3339).unwrap_or_default();
        self.transcript.section(&format!(
            "final state at {} ({now})",
            format_elapsed(self.clock.elapsed())
        ));
        let sp = self.sp.core();
        let mut lines = vec![];
        for o in sp.orgs() {
            let parent = o
                .parent
                .map(|p| format!(" parent {p}"))
                .unwrap_or_else(|| " no parent".into());
            lines.push(format!(
                "org {} ({}) {} org8 {}{parent}",
                o.handle,
                o.kind,
                o.id,
                o.org8()
            ));
            for m in o.members.values() {
                lines.push(format!("  member {} {}", m.email, m.role));
            }
        }
        for p in sp.parents() {
            let orgs: Vec<String> = p
                .orgs
                .iter()
                .filter_map(|id| sp.org(*id).ok())
                .map(|o| o.handle.clone())
                .collect();
            let origin = wire_name(&p.origin);
            let sso = wire_name(&p.sso);
            lines.push(format!(
                "parent {} ({origin}) orgs: {}",
                p.id,
                orgs.join(", ")
            ));
            lines.push(format!(
                "  sso: {sso}; disable new organization creation: {}",
                if p.disable_org_creation { "on" } else { "off" }
            ));
            for d in p.domains.values() {
                let status = wire_name(&d.status);
                let when = d
                    .verified_at
                    .map(|t| format!(" at {}", format_elapsed(t)))
                    .unwrap_or_default();
                let checks = if d.checks == 1 {
                    "1 check".to_string()
                } else {
                    format!("{} checks", d.checks)
                };
                lines.push(format!(
                    "  domain {} {status}{when}; TXT {} \"{}\"; {checks}",
                    d.name, d.record_name, d.record_value
                ));
            }
        }
        let personal: Vec<&str> = sp.personal_accounts().collect();
        if !personal.is_empty() {
            lines.push(format!("personal accounts: {}", personal.join(", ")));
        }
        drop(sp);
        let pending = lock(&self.scheduler).len();
        let next = lock(&self.scheduler).next_due().map(format_elapsed);
        if let Some(next) = next {
            lines.push(format!("scheduled jobs: {pending}, next at {next}"));
        }
        for l in lines {
            self.transcript.line(&l);
        }
    }

    pub async fn shutdown(self) -> Transcript {
        self.sp_server.shutdown().await;
        self.dns.shutdown().await;
        self.transcript
    }
}

/// A unit enum's name as the admin API spells it (`pending`, `sso-setup`).
fn wire_name(v: &impl serde::Serialize) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn session_token(set_cookie: &str) -> Option<String> {
    set_cookie
        .split(';')
        .next()
        .and_then(|kv| kv.trim().strip_prefix("session="))
        .map(str::to_string)
}

/// What the SP's DNS check sees, from the resolver's answer.
fn txt_answer(r: Result<TxtLookup, dns::DnsError>) -> TxtAnswer {
    match r {
        Ok(TxtLookup::Records(rrs)) => TxtAnswer::Records(
            rrs.iter()
                .map(|strings| String::from_utf8_lossy(&strings.concat()).into_owned())
                .collect(),
        ),
        Ok(TxtLookup::NoData) | Ok(TxtLookup::NxDomain) => TxtAnswer::NoRecord,
        Err(e) => TxtAnswer::Failed(e.to_string()),
    }
}
