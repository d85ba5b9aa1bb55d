//! From a spanned YAML tree to a typed [`Scenario`], with errors that point
//! at the line and suggest the nearest valid word.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use super::ast::*;
use super::decode::{one_of, suggest, DResult, MapReader};
use super::diag::Diagnostic;
use super::yaml::{self, Limits, Node, NodeKind};
use crate::rules;
use crate::sim::DEFAULT_EPOCH;
use crate::sp::{OrgKind, Role, Surface};

/// Every action keyword, in the order `ssosim check` lists them.
pub const ACTIONS: &[&str] = &[
    "advance",
    "login",
    "signup",
    "org.create",
    "org.show",
    "member.add",
    "member.role",
    "member.remove",
    "member.transfer_primary",
    "sso.setup",
    "parent.create",
    "identity.show",
    "domain.add",
    "domain.refresh",
    "domain.remove",
    "domain.list",
    "domain.report",
    "identity.org_creation",
    "dns.publish",
    "dns.txt",
    "dns.withdraw",
];

/// Actions that are not taken by a signed-in person (`as:` is refused).
const NO_ACTOR: &[&str] = &[
    "advance",
    "login",
    "signup",
    "parent.create",
    "dns.publish",
    "dns.txt",
    "dns.withdraw",
];

const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(90 * 24 * 3600);
const MAX_TIME_LIMIT: Duration = Duration::from_secs(36_500 * 24 * 3600);

/// Parses and validates a scenario file's bytes. `file` is used only in messages.
pub fn parse_scenario(source: &[u8]) -> DResult<Scenario> {
    let root = yaml::parse(source, &Limits::default())?;
    let mut top = MapReader::new(&root, "the scenario")?;
    let name = top
        .req("name")?
        .as_str("the scenario's name")?
        .trim()
        .to_string();
    if name.is_empty() {
        return Err(Diagnostic::new(root.span, "the scenario's name is empty")
            .expected("a sentence saying what the scenario proves"));
    }
    let covers = match top.opt("covers") {
        Some(n) => parse_covers(n)?,
        None => vec![],
    };
    let description = match top.opt("description") {
        Some(n) => n.as_str("a description")?.trim().to_string(),
        None => String::new(),
    };
    let world = match top.opt("world") {
        Some(n) => parse_world(n)?,
        None => WorldSpec {
            seed: 1,
            start: DEFAULT_EPOCH,
            time_limit: DEFAULT_TIME_LIMIT,
            orgs: vec![],
            dns: DnsSpec {
                propagation: Duration::ZERO,
                zones: vec![],
            },
        },
    };
    let steps_node = top.req("steps")?;
    top.finish()?;
    let mut steps = vec![];
    for s in steps_node.as_seq("the list of steps")? {
        steps.push(parse_step(s)?);
    }
    Ok(Scenario {
        name,
        covers,
        description,
        world,
        steps,
    })
}

fn parse_covers(n: &Node) -> DResult<Vec<String>> {
    let ids = rules::ids();
    let mut out = vec![];
    for item in n.as_seq("the list of rule ids this scenario covers")? {
        let id = item.as_str("a rule id")?;
        if !ids.contains(&id) {
            let mut d = Diagnostic::new(item.span, format!("unknown rule id `{id}`"))
                .expected("a rule id from `ssosim rules`, like DOM-2 or ORG-4");
            if let Some(s) = suggest(id, &ids) {
                d = d.help(format!("did you mean `{s}`?"));
            }
            return Err(d);
        }
        if out.iter().any(|x| x == id) {
            return Err(Diagnostic::new(
                item.span,
                format!("`{id}` is listed twice in covers"),
            ));
        }
        out.push(id.to_string());
    }
    Ok(out)
}

fn parse_world(n: &Node) -> DResult<WorldSpec> {
    let mut w = MapReader::new(n, "the world")?;
    let seed = match w.opt("seed") {
        Some(s) => s.as_u64("the seed")?,
        None => 1,
    };
    let start = match w.opt("start") {
        Some(s) => s.as_timestamp("the start instant")?,
        None => DEFAULT_EPOCH,
    };
    let time_limit = match w.opt("time_limit") {
        Some(s) => {
            let limit = s.as_duration("the virtual time limit")?;
            if limit > MAX_TIME_LIMIT {
                return Err(Diagnostic::new(
                    s.span,
                    "the virtual time limit is longer than 100 years",
                )
                .expected("a limit of at most `36500d`"));
            }
            limit
        }
        None => DEFAULT_TIME_LIMIT,
    };
    // Every instant of the run must be a date the SAML and HTTP layers can
    // write (RFC 3339 years 0000-9999).
    let end =
        start.checked_add(time::Duration::try_from(time_limit).unwrap_or(time::Duration::MAX));
    if start.year() < 1970 || end.is_none_or(|e| e.year() > 9999) {
        let span = w.opt("start").map(|n| n.span).unwrap_or(n.span);
        return Err(Diagnostic::new(
            span,
            "the world's start plus its time limit must lie between 1970 and the end of 9999",
        )
        .expected("a start such as `2026-01-01T00:00:00Z`"));
    }
    let mut orgs = vec![];
    if let Some(list) = w.opt("orgs") {
        for o in list.as_seq("the list of organizations")? {
            let org = parse_org(o)?;
            if orgs.iter().any(|x: &OrgSpec| x.handle == org.handle) {
                return Err(Diagnostic::new(
                    o.span,
                    format!("organization `{}` is defined twice", org.handle),
                ));
            }
            if let Some(other) = &org.shares_parent_of {
                if !orgs.iter().any(|x: &OrgSpec| &x.handle == other) {
                    let known: Vec<&str> = orgs.iter().map(|x| x.handle.as_str()).collect();
                    let mut d = Diagnostic::new(
                        o.span,
                        format!("`parent: {other}` names no organization defined above this one"),
                    )
                    .expected("the id of an earlier organization in `world.orgs`");
                    if let Some(s) = suggest(other, &known) {
                        d = d.help(format!("did you mean `{s}`?"));
                    }
                    return Err(d);
                }
            }
            orgs.push(org);
        }
    }
    let dns = match w.opt("dns") {
        Some(d) => parse_dns(d)?,
        None => DnsSpec {
            propagation: Duration::ZERO,
            zones: vec![],
        },
    };
    w.finish()?;
    Ok(WorldSpec {
        seed,
        start,
        time_limit,
        orgs,
        dns,
    })
}

fn parse_org(n: &Node) -> DResult<OrgSpec> {
    let mut m = MapReader::new(n, "an organization")?;
    let handle = m
        .req("id")?
        .as_str("the organization's id (a short name like `acme`)")?
        .to_string();
    let kind_node = m.req("kind")?;
    let kind = OrgKind::parse(one_of(kind_node, &OrgKind::NAMES, "an organization kind")?)
        .ok_or_else(|| Diagnostic::new(kind_node.span, "unknown organization kind"))?;
    let name = match m.opt("name") {
        Some(s) => s.as_str("the organization's display name")?.to_string(),
        None => handle.clone(),
    };
    let owner_node = m.req("owner")?;
    let owner = email(owner_node, "the owner's email")?;
    let owner_role = match kind.surface() {
        Surface::Claude => "primary_owner",
        Surface::Console => "admin",
    };
    let mut members = vec![(owner, owner_role.to_string())];
    if let Some(list) = m.opt("members") {
        for mem in list.as_seq("the list of members")? {
            let mut mm = MapReader::new(mem, "a member")?;
            let e = email(mm.req("email")?, "the member's email")?;
            let role_node = mm.req("role")?;
            let role = one_of(
                role_node,
                Role::names_for(kind),
                &format!("a role in a {kind} organization"),
            )?;
            if role == "primary_owner" {
                return Err(Diagnostic::new(
                    role_node.span,
                    "the primary owner is the org's `owner:`; there is exactly one",
                )
                .help("give this member `owner` or `admin`"));
            }
            mm.finish()?;
            if members.iter().any(|(x, _)| *x == e) {
                return Err(Diagnostic::new(
                    mem.span,
                    format!("{e} is listed twice in `{handle}`"),
                ));
            }
            members.push((e, role.to_string()));
        }
    }
    let shares_parent_of = m
        .opt("parent")
        .map(|p| p.as_str("the org whose parent this one shares"))
        .transpose()?
        .map(str::to_string);
    m.finish()?;
    Ok(OrgSpec {
        handle,
        kind,
        name,
        members,
        shares_parent_of,
        span: n.span,
    })
}

fn parse_dns(n: &Node) -> DResult<DnsSpec> {
    let mut m = MapReader::new(n, "the DNS set-up")?;
    let propagation = match m.opt("propagation") {
        Some(p) => p.as_duration("the default propagation delay")?,
        None => Duration::ZERO,
    };
    let mut zones = vec![];
    if let Some(list) = m.opt("zones") {
        for z in list.as_seq("the list of zones")? {
            zones.push(match &z.kind {
                NodeKind::Scalar(_) => ZoneSpec::Empty {
                    origin: z.as_str("a zone origin")?.to_string(),
                    span: z.span,
                },
                _ => {
                    let mut zm = MapReader::new(
                        z,
                        "a zone (an origin like `acme.test`, or `{ file: zones/acme.zone }`)",
                    )?;
                    let file = zm.req("file")?.as_str("the zone file's path")?;
                    zm.finish()?;
                    ZoneSpec::File {
                        path: file.into(),
                        span: z.span,
                    }
                }
            });
        }
    }
    m.finish()?;
    Ok(DnsSpec { propagation, zones })
}

fn email(n: &Node, what: &str) -> DResult<String> {
    let s = n.as_str(what)?;
    match s.split_once('@') {
        Some((l, d)) if !l.is_empty() && d.contains('.') => Ok(s.to_ascii_lowercase()),
        _ => Err(
            Diagnostic::new(n.span, format!("`{s}` is not an email address"))
                .expected(what.to_string()),
        ),
    }
}

fn parse_step(n: &Node) -> DResult<Step> {
    let mut m = MapReader::new(n, "a step")?;
    let mut action_key: Option<&Node> = None;
    for (k, _) in m.entries() {
        let Ok(key) = k.as_str("a step key") else {
            continue;
        };
        if key == "as" || key == "expect" {
            continue;
        }
        if ACTIONS.contains(&key) {
            if let Some(first) = action_key {
                return Err(Diagnostic::new(
                    k.span,
                    format!("a step takes one action; `{key}` is a second one"),
                )
                .note(Some(first.span), "the first action is")
                .help("split it into two steps"));
            }
            action_key = Some(k);
        }
    }
    let actor = match m.opt("as") {
        Some(a) => Some(email(a, "the acting user's email")?),
        None => None,
    };
    let expect_node = m.opt("expect");
    let Some(key_node) = action_key else {
        // Let MapReader explain the unknown key, with the actions as the expected set.
        for a in ACTIONS {
            m.opt(a);
        }
        m.finish()?;
        return Err(
            Diagnostic::new(n.span, "this step has no action").expected(format!(
                "one of {}",
                ACTIONS
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        );
    };
    let keyword = key_node.as_str("an action")?.to_string();
    let value = m.req(&keyword)?;
    for a in ACTIONS {
        m.opt(a);
    }
    m.finish()?;
    let needs_actor = !NO_ACTOR.contains(&keyword.as_str());
    match (&actor, needs_actor) {
        (None, true) => {
            return Err(Diagnostic::new(
                key_node.span,
                format!("`{keyword}` is done by a signed-in person"),
            )
            .expected("`as: <email>` on this step"))
        }
        (Some(_), false) => {
            return Err(Diagnostic::new(
                key_node.span,
                format!("`{keyword}` is not done as a signed-in person"),
            )
            .help("remove `as:` from this step"))
        }
        _ => {}
    }
    let action = parse_action(&keyword, value)?;
    if let (Some(e), true) = (
        expect_node,
        matches!(
            keyword.as_str(),
            "advance" | "dns.publish" | "dns.txt" | "dns.withdraw"
        ),
    ) {
        return Err(Diagnostic::new(
            e.span,
            format!("`{keyword}` has no response to expect anything of"),
        )
        .help("put `expect:` on a step that asks the SP something, such as `domain.refresh`"));
    }
    let expect = match expect_node {
        Some(e) => Some(parse_expect(e)?),
        None => None,
    };
    Ok(Step {
        span: n.span,
        keyword,
        args: flow(value),
        actor,
        action,
        expect,
    })
}

/// `org` can be given as a scalar (`sso.setup: acme`) or as `{ org: acme }`.
fn org_only(v: &Node, what: &str) -> DResult<String> {
    if let NodeKind::Scalar(_) = v.kind {
        return Ok(v.as_str(what)?.to_string());
    }
    let mut m = MapReader::new(v, what)?;
    let org = m.req("org")?.as_str("an organization id")?.to_string();
    m.finish()?;
    Ok(org)
}

fn parse_action(key: &str, v: &Node) -> DResult<Action> {
    let what = format!("the arguments of `{key}`");
    Ok(match key {
        "advance" => Action::Advance(v.as_duration("how much virtual time passes")?),
        "signup" => Action::Signup {
            email: email(v, "the email signing up")?,
        },
        "login" => {
            if let NodeKind::Scalar(_) = v.kind {
                Action::Login {
                    user: email(v, "the user's email")?,
                    surface: Surface::Claude,
                }
            } else {
                let mut m = MapReader::new(v, &what)?;
                let user = email(m.req("user")?, "the user's email")?;
                let surface = match m.opt("surface") {
                    Some(s) => match one_of(s, &["claude", "console"], "a product surface")? {
                        "console" => Surface::Console,
                        _ => Surface::Claude,
                    },
                    None => Surface::Claude,
                };
                m.finish()?;
                Action::Login { user, surface }
            }
        }
        "org.create" => {
            let mut m = MapReader::new(v, &what)?;
            let handle = m
                .req("id")?
                .as_str("the new organization's id")?
                .to_string();
            let kn = m.req("kind")?;
            let kind = OrgKind::parse(one_of(kn, &OrgKind::NAMES, "an organization kind")?)
                .ok_or_else(|| Diagnostic::new(kn.span, "unknown organization kind"))?;
            let name = match m.opt("name") {
                Some(n) => n.as_str("the display name")?.to_string(),
                None => handle.clone(),
            };
            m.finish()?;
            Action::OrgCreate { handle, kind, name }
        }
        "org.show" => Action::OrgShow {
            org: org_only(v, &what)?,
        },
        "member.add" | "member.role" => {
            let mut m = MapReader::new(v, &what)?;
            let org = m.req("org")?.as_str("an organization id")?.to_string();
            let email = email(m.req("email")?, "the member's email")?;
            let role = m.req("role")?.as_str("a role")?.to_string();
            m.finish()?;
            if key == "member.add" {
                Action::MemberAdd { org, email, role }
            } else {
                Action::MemberRole { org, email, role }
            }
        }
        "member.remove" => {
            let mut m = MapReader::new(v, &what)?;
            let org = m.req("org")?.as_str("an organization id")?.to_string();
            let email = email(m.req("email")?, "the member's email")?;
            m.finish()?;
            Action::MemberRemove { org, email }
        }
        "member.transfer_primary" => {
            let mut m = MapReader::new(v, &what)?;
            let org = m.req("org")?.as_str("an organization id")?.to_string();
            let to = email(m.req("to")?, "the new primary owner's email")?;
            m.finish()?;
            Action::TransferPrimary { org, to }
        }
        "sso.setup" => Action::SsoSetup {
            org: org_only(v, &what)?,
        },
        "parent.create" => Action::ParentCreate {
            org: org_only(v, &what)?,
        },
        "identity.show" => Action::IdentityShow {
            org: org_only(v, &what)?,
        },
        "domain.list" => Action::DomainList {
            org: org_only(v, &what)?,
        },
        "domain.add" | "domain.refresh" | "domain.remove" => {
            let mut m = MapReader::new(v, &what)?;
            let org = m.req("org")?.as_str("an organization id")?.to_string();
            let domain = m.req("domain")?.as_str("a domain name")?.to_string();
            m.finish()?;
            match key {
                "domain.add" => Action::DomainAdd { org, domain },
                "domain.refresh" => Action::DomainRefresh { org, domain },
                _ => Action::DomainRemove { org, domain },
            }
        }
        "domain.report" => {
            let mut m = MapReader::new(v, &what)?;
            let org = m.req("org")?.as_str("an organization id")?.to_string();
            let format = match m.opt("format") {
                Some(f) => match one_of(f, &["json", "csv"], "a report format")? {
                    "csv" => ReportFormat::Csv,
                    _ => ReportFormat::Json,
                },
                None => ReportFormat::Json,
            };
            m.finish()?;
            Action::DomainReport { org, format }
        }
        "identity.org_creation" => {
            let mut m = MapReader::new(v, &what)?;
            let org = m.req("org")?.as_str("an organization id")?.to_string();
            let disabled = m
                .req("disabled")?
                .as_bool("whether new organization creation is disabled")?;
            m.finish()?;
            Action::OrgCreation { org, disabled }
        }
        "dns.publish" => {
            if let NodeKind::Scalar(_) = v.kind {
                Action::DnsPublish {
                    domain: v.as_str("a domain")?.to_string(),
                    org: None,
                    name: None,
                    value: None,
                    delay: None,
                    split: false,
                }
            } else {
                let mut m = MapReader::new(v, &what)?;
                let domain = m
                    .req("domain")?
                    .as_str("the domain whose record to publish")?
                    .to_string();
                let org = m
                    .opt("org")
                    .map(|n| n.as_str("the organization whose record to publish"))
                    .transpose()?
                    .map(str::to_string);
                let name = m
                    .opt("name")
                    .map(|n| n.as_str("the record name"))
                    .transpose()?
                    .map(str::to_string);
                let value = m
                    .opt("value")
                    .map(|n| n.as_str("the TXT value"))
                    .transpose()?
                    .map(str::to_string);
                let delay = m
                    .opt("delay")
                    .map(|n| n.as_duration("the propagation delay"))
                    .transpose()?;
                let split = m
                    .opt("split")
                    .map(|n| n.as_bool("whether to split the value into two strings"))
                    .transpose()?
                    .unwrap_or(false);
                m.finish()?;
                Action::DnsPublish {
                    domain,
                    org,
                    name,
                    value,
                    delay,
                    split,
                }
            }
        }
        "dns.txt" => {
            let mut m = MapReader::new(v, &what)?;
            let name = m.req("name")?.as_str("the record name")?.to_string();
            let strings =
                match (m.opt("value"), m.opt("strings")) {
                    (Some(val), None) => vec![val.as_str("the TXT value")?.to_string()],
                    (None, Some(list)) => list
                        .as_seq("the TXT record's strings")?
                        .iter()
                        .map(|s| s.as_str("a TXT string").map(str::to_string))
                        .collect::<DResult<_>>()?,
                    _ => return Err(Diagnostic::new(
                        v.span,
                        "`dns.txt` needs exactly one of `value` or `strings`",
                    )
                    .expected(
                        "`value: \"…\"` for one string, or `strings: [\"…\", \"…\"]` for several",
                    )),
                };
            let delay = m
                .opt("delay")
                .map(|n| n.as_duration("the propagation delay"))
                .transpose()?;
            m.finish()?;
            Action::DnsTxt {
                name,
                strings,
                delay,
            }
        }
        "dns.withdraw" => {
            if let NodeKind::Scalar(_) = v.kind {
                Action::DnsWithdraw {
                    name: v.as_str("a record name")?.to_string(),
                    delay: None,
                }
            } else {
                let mut m = MapReader::new(v, &what)?;
                let name = m.req("name")?.as_str("the record name")?.to_string();
                let delay = m
                    .opt("delay")
                    .map(|n| n.as_duration("the propagation delay"))
                    .transpose()?;
                m.finish()?;
                Action::DnsWithdraw { name, delay }
            }
        }
        other => return Err(Diagnostic::new(v.span, format!("unknown action `{other}`"))),
    })
}

fn parse_expect(n: &Node) -> DResult<Expect> {
    if let NodeKind::Seq(_) = n.kind {
        return Ok(Expect {
            span: n.span,
            error: None,
            contains: vec![],
            fields: serde_json::Map::new(),
            list: Some(to_json(n)),
        });
    }
    let mut m = MapReader::new(n, "an expectation")?;
    let mut error = None;
    let mut contains = vec![];
    let mut fields = serde_json::Map::new();
    for (k, v) in m.entries() {
        let key = k.as_str("an expectation key")?;
        match key {
            "error" => {
                let code = v.as_str("an error code")?;
                let codes: Vec<&str> = crate::sp::Code::ALL.iter().map(|c| c.as_str()).collect();
                if !codes.contains(&code) {
                    let mut d = Diagnostic::new(v.span, format!("unknown error code `{code}`"))
                        .expected(format!(
                            "one of {}",
                            codes
                                .iter()
                                .map(|c| format!("`{c}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                    if let Some(s) = suggest(code, &codes) {
                        d = d.help(format!("did you mean `{s}`?"));
                    }
                    return Err(d);
                }
                error = Some(code.to_string());
            }
            "contains" => match &v.kind {
                NodeKind::Seq(items) => {
                    for i in items {
                        contains.push(i.as_str("text the response must contain")?.to_string());
                    }
                }
                _ => contains.push(v.as_str("text the response must contain")?.to_string()),
            },
            _ => {
                fields.insert(key.to_string(), to_json(v));
            }
        }
    }
    let keys: Vec<String> = m
        .entries()
        .iter()
        .filter_map(|(k, _)| k.as_str("").ok().map(str::to_string))
        .collect();
    for k in &keys {
        m.mark_used(k);
    }
    m.finish()?;
    Ok(Expect {
        span: n.span,
        error,
        contains,
        fields,
        list: None,
    })
}

/// A node in YAML flow style, for transcripts: `{org: acme, domain: acme.test}`.
pub fn flow(n: &Node) -> String {
    match &n.kind {
        NodeKind::Null => "null".to_string(),
        NodeKind::Scalar(s)
            if s.quoted
                || s.value.is_empty()
                || s.value.contains([',', '{', '}', '[', ']', ':', '#', '\n']) =>
        {
            serde_json::to_string(&s.value).unwrap_or_default()
        }
        NodeKind::Scalar(s) => s.value.clone(),
        NodeKind::Seq(items) => format!(
            "[{}]",
            items.iter().map(flow).collect::<Vec<_>>().join(", ")
        ),
        NodeKind::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}: {}", flow(k), flow(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A YAML value as JSON: unquoted `true`/`false`/integers/null keep their
/// type; everything else is a string.
pub fn to_json(n: &Node) -> Value {
    match &n.kind {
        NodeKind::Null => Value::Null,
        NodeKind::Scalar(s) if !s.quoted => match s.value.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            v => v
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::String(v.to_string())),
        },
        NodeKind::Scalar(s) => Value::String(s.value.clone()),
        NodeKind::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        NodeKind::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| {
                    let key = match &k.kind {
                        NodeKind::Scalar(s) => s.value.clone(),
                        _ => String::new(),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
    }
}

/// Reads and parses a scenario file; errors carry the source for rendering.
pub fn load(path: &Path) -> Result<(Vec<u8>, Scenario), LoadError> {
    let bytes = std::fs::read(path)
        .map_err(|e| LoadError::Io(format!("cannot read {}: {e}", path.display())))?;
    match parse_scenario(&bytes) {
        Ok(s) => Ok((bytes, s)),
        Err(d) => Err(LoadError::Invalid {
            diagnostic: Box::new(d),
            source: bytes,
        }),
    }
}

#[derive(Debug)]
pub enum LoadError {
    Io(String),
    Invalid {
        diagnostic: Box<Diagnostic>,
        source: Vec<u8>,
    },
}

impl LoadError {
    pub fn render(&self, file: &str, color: bool) -> String {
        match self {
            LoadError::Io(m) => format!("error: {m}"),
            LoadError::Invalid { diagnostic, source } => diagnostic.render(file, source, color),
        }
    }
}
