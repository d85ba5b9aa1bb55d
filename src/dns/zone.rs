//! The RFC 1035 master-file ("zone file") parser, which reads files the way
//! BIND 9's `named-compilezone` does: `$ORIGIN`, `$TTL`, `$INCLUDE`, `@`,
//! relative names, blank owners, TTL and class in either order, TTL units,
//! parentheses, comments, escapes, RFC 3597 `\#` data, and the checks BIND
//! makes before it loads a zone (SOA and NS at the apex, address records for
//! in-zone name servers, CNAME exclusivity, singleton types, check-names).
//!
//! `$INCLUDE`: [`parse_zone`] works on one text and refuses it with a clear
//! error; [`parse_zone_file`] reads from disk and resolves an included path
//! relative to the directory of the including file (BIND resolves it against
//! `named`'s working directory, which is the same thing when named-compilezone
//! runs in the zone file's directory, as `interop/dns.sh` does).
//!
//! The result is checked and normalised: out-of-zone records are dropped with
//! a warning (as BIND does), each RRset takes the TTL of its first record,
//! duplicate records are merged, and RRsets are kept in BIND's dump order
//! (see [`Zone::to_bind_text`]).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use hickory_proto::rr::{Name, Record};

use super::lexer::{Lexer, Pos, Tok, Token};
use super::name::DnsName;
use super::rdata::{lookup_type, parse_ttl, type_mnemonic, Field, Rdata, TypeLookup};

/// BIND's MAXTTL (RFC 2181 §8): larger TTLs are read as 0, with a warning.
const TTL_MAX: u32 = 0x7fff_ffff;
/// Nesting limit for `$INCLUDE`, so that a file including itself fails cleanly.
const INCLUDE_DEPTH_MAX: usize = 16;

/// Why a zone file was refused: where, and what was expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{col}: {message}")]
pub struct ZoneError {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

/// Something BIND would load but mention (`named-compilezone` prints the
/// same conditions as warnings).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZoneWarning {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl fmt::Display for ZoneWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: warning: {}",
            self.file, self.line, self.col, self.message
        )
    }
}

/// The records sharing one owner and type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RRset {
    /// Owner, spelled (case) as in its first record.
    pub owner: DnsName,
    pub rtype: u16,
    pub ttl: u32,
    /// In RFC 4034 canonical order, without duplicates.
    pub rdatas: Vec<Rdata>,
}

/// A parsed and checked zone.
#[derive(Clone, Debug)]
pub struct Zone {
    origin: DnsName,
    rrsets: Vec<RRset>,
    warnings: Vec<ZoneWarning>,
}

/// Parses one zone file's text. `file` names it in errors. The origin is the
/// first `$ORIGIN` if it comes before any record, else the owner of the SOA
/// record. `$INCLUDE` is refused (see the module docs).
pub fn parse_zone(text: &str, file: &str) -> Result<Zone, ZoneError> {
    parse_zone_with(text, file, None, None)
}

/// Reads and parses a zone file, resolving `$INCLUDE` relative to the
/// including file. `origin`, when given, plays the role of BIND's zone name
/// argument (and the initial `$ORIGIN`).
pub fn parse_zone_file(path: &Path, origin: Option<&str>) -> Result<Zone, ZoneError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ZoneError {
        file: shown.clone(),
        line: 0,
        col: 0,
        message: format!("cannot read zone file: {e}"),
    })?;
    let mut loader = |including: &str, written: &str| -> Result<(String, String), String> {
        let base = Path::new(including).parent().unwrap_or(Path::new(""));
        let target: PathBuf = base.join(written);
        let shown = target.display().to_string();
        std::fs::read_to_string(&target)
            .map(|t| (shown.clone(), t))
            .map_err(|e| format!("cannot read $INCLUDE file {shown}: {e}"))
    };
    parse_zone_with(&text, &shown, origin, Some(&mut loader))
}

/// Reads an included file: given the including file's name and the path as
/// written, returns the included file's display name and text.
pub type IncludeLoader<'l> = &'l mut dyn FnMut(&str, &str) -> Result<(String, String), String>;

/// The general entry point: an optional zone origin (like BIND's zone-name
/// argument) and an optional loader for `$INCLUDE`.
pub fn parse_zone_with(
    text: &str,
    file: &str,
    origin: Option<&str>,
    include: Option<IncludeLoader<'_>>,
) -> Result<Zone, ZoneError> {
    let zone_origin = match origin {
        Some(o) => {
            let o = if o.ends_with('.') {
                o.to_string()
            } else {
                format!("{o}.")
            };
            Some(DnsName::parse(o.as_bytes(), None).map_err(|m| ZoneError {
                file: file.to_string(),
                line: 0,
                col: 0,
                message: format!("bad zone origin: {m}"),
            })?)
        }
        None => None,
    };
    let mut p = Parser {
        include,
        origin: zone_origin.clone(),
        zone_origin,
        owner: None,
        default_ttl: None,
        last_ttl: None,
        rfc1035_warned: false,
        records: Vec::new(),
        warnings: Vec::new(),
        depth: 0,
        batch: 0,
        batch_owner: None,
    };
    p.parse_text(text, file)?;
    p.finish(file)
}

/// A word of a record line: its text, whether it was quoted, where it is.
type Word = (Vec<u8>, bool, Pos);

struct Parsed {
    /// BIND loads records in batches: a run of records whose owner is
    /// spelled exactly as the previous record's, with no `$INCLUDE` in
    /// between. Within a batch an RRset keeps its first TTL; a later batch
    /// for the same RRset replaces the TTL.
    batch: u64,
    owner: DnsName,
    ttl: u32,
    rdata: Rdata,
    file: String,
    pos: Pos,
}

struct Parser<'l> {
    include: Option<IncludeLoader<'l>>,
    /// The current `$ORIGIN`.
    origin: Option<DnsName>,
    /// The zone's apex, once known.
    zone_origin: Option<DnsName>,
    /// The previous record's owner (for lines starting with white space).
    owner: Option<DnsName>,
    /// From `$TTL`.
    default_ttl: Option<u32>,
    /// The last explicit TTL: RFC 1035 §5.1 semantics when there is no `$TTL`.
    last_ttl: Option<u32>,
    rfc1035_warned: bool,
    records: Vec<Parsed>,
    warnings: Vec<ZoneWarning>,
    depth: usize,
    batch: u64,
    /// The owner of the previous record, as spelled (for batching).
    batch_owner: Option<DnsName>,
}

fn error(file: &str, pos: Pos, message: impl Into<String>) -> ZoneError {
    ZoneError {
        file: file.to_string(),
        line: pos.line,
        col: pos.col,
        message: message.into(),
    }
}

fn shown(text: &[u8]) -> String {
    String::from_utf8_lossy(text).into_owned()
}

/// `IN` or `CLASS1` is the zone's class; other class names are errors.
enum ClassWord {
    In,
    Other(String),
    No,
}

fn class_word(text: &[u8]) -> ClassWord {
    let up = String::from_utf8_lossy(text).to_ascii_uppercase();
    match up.as_str() {
        "IN" | "CLASS1" => ClassWord::In,
        "CH" | "CHAOS" | "HS" | "HESIOD" | "NONE" | "ANY" => ClassWord::Other(up),
        _ if up
            .strip_prefix("CLASS")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) =>
        {
            ClassWord::Other(up)
        }
        _ => ClassWord::No,
    }
}

impl Parser<'_> {
    fn warn(&mut self, file: &str, pos: Pos, message: impl Into<String>) {
        self.warnings.push(ZoneWarning {
            file: file.to_string(),
            line: pos.line,
            col: pos.col,
            message: message.into(),
        });
    }

    fn lex(lx: &mut Lexer<'_>, file: &str) -> Result<Token, ZoneError> {
        lx.next_token().map_err(|e| error(file, e.pos, e.message))
    }

    /// Reads the words up to the end of the line.
    fn rest_of_line(lx: &mut Lexer<'_>, file: &str) -> Result<(Vec<Word>, Pos), ZoneError> {
        let mut words = Vec::new();
        loop {
            let t = Self::lex(lx, file)?;
            match t.tok {
                Tok::Word { text, quoted } => words.push((text, quoted, t.pos)),
                Tok::Eol | Tok::Eof => return Ok((words, t.pos)),
                // Lines only start with white space.
                Tok::InitialWs => {}
            }
        }
    }

    fn parse_text(&mut self, text: &str, file: &str) -> Result<(), ZoneError> {
        let mut lx = Lexer::new(text);
        loop {
            let t = Self::lex(&mut lx, file)?;
            let (owner_word, owner_pos) = match t.tok {
                Tok::Eof => return Ok(()),
                Tok::Eol => continue,
                Tok::InitialWs => {
                    // A blank owner: the previous record's owner. Blank lines
                    // and comment-only lines are skipped.
                    if matches!(
                        lx.peek()
                            .map_err(|e| error(file, e.pos, e.message.clone()))?
                            .tok,
                        Tok::Eol | Tok::Eof
                    ) {
                        continue;
                    }
                    (None, t.pos)
                }
                Tok::Word { text, quoted } => {
                    if !quoted && text.first() == Some(&b'$') {
                        self.directive(&text, t.pos, &mut lx, file)?;
                        continue;
                    }
                    (Some(text), t.pos)
                }
            };
            self.record(owner_word, owner_pos, &mut lx, file)?;
        }
    }

    fn directive(
        &mut self,
        word: &[u8],
        pos: Pos,
        lx: &mut Lexer<'_>,
        file: &str,
    ) -> Result<(), ZoneError> {
        let name = shown(word).to_ascii_uppercase();
        let (args, end) = Self::rest_of_line(lx, file)?;
        let expect_args = |n_min: usize, n_max: usize, usage: &str| -> Result<(), ZoneError> {
            if args.len() < n_min {
                return Err(error(file, end, format!("unexpected end of line: {usage}")));
            }
            if let Some((text, _, p)) = args.get(n_max) {
                return Err(error(
                    file,
                    *p,
                    format!("extra text '{}' after the directive: {usage}", shown(text)),
                ));
            }
            Ok(())
        };
        match name.as_str() {
            "$ORIGIN" => {
                expect_args(1, 1, "expected `$ORIGIN <domain-name>`")?;
                let (text, _, p) = &args[0];
                let o = DnsName::parse(text, self.origin.as_ref())
                    .map_err(|m| error(file, *p, format!("bad $ORIGIN: {m}")))?;
                if self.zone_origin.is_none() && self.records.is_empty() {
                    self.zone_origin = Some(o.clone());
                }
                self.origin = Some(o);
            }
            "$TTL" => {
                expect_args(1, 1, "expected `$TTL <ttl>` (seconds, or units like 1h30m)")?;
                let (text, _, p) = &args[0];
                let mut ttl =
                    parse_ttl(text).map_err(|m| error(file, *p, format!("bad $TTL: {m}")))?;
                if ttl > TTL_MAX {
                    self.warn(file, *p, format!("$TTL {ttl} > MAXTTL, setting $TTL to 0"));
                    ttl = 0;
                }
                self.default_ttl = Some(ttl);
            }
            "$INCLUDE" => {
                expect_args(1, 2, "expected `$INCLUDE <file> [<origin>]`")?;
                let (path, _, p) = &args[0];
                let path = shown(path);
                let new_origin = match args.get(1) {
                    Some((text, _, op)) => Some(
                        DnsName::parse(text, self.origin.as_ref())
                            .map_err(|m| error(file, *op, format!("bad $INCLUDE origin: {m}")))?,
                    ),
                    None => None,
                };
                if self.depth >= INCLUDE_DEPTH_MAX {
                    return Err(error(file, *p, format!("$INCLUDE nested more than {INCLUDE_DEPTH_MAX} deep (does a file include itself?)")));
                }
                let Some(loader) = self.include.as_mut() else {
                    return Err(error(
                        file,
                        pos,
                        "$INCLUDE is not supported when parsing zone text (parse_zone); load the zone with parse_zone_file, which reads included files relative to the including file",
                    ));
                };
                let (inc_file, inc_text) = loader(file, &path).map_err(|m| error(file, *p, m))?;
                // RFC 1035 §5.1: $INCLUDE never changes the including file's
                // origin; BIND also restores the current owner.
                let saved_origin = self.origin.clone();
                let saved_owner = self.owner.clone();
                if let Some(o) = new_origin {
                    self.origin = Some(o);
                }
                self.depth += 1;
                self.batch += 1;
                let result = self.parse_text(&inc_text, &inc_file);
                self.batch += 1;
                self.depth -= 1;
                result?;
                self.origin = saved_origin;
                self.owner = saved_owner;
            }
            "$GENERATE" => {
                return Err(error(
                    file,
                    pos,
                    "$GENERATE is not supported by ssosim's zone parser; write the records out",
                ));
            }
            _ => {
                return Err(error(
                    file,
                    pos,
                    format!(
                        "unknown directive '{}' (expected $ORIGIN, $TTL or $INCLUDE)",
                        shown(word)
                    ),
                ));
            }
        }
        Ok(())
    }

    fn record(
        &mut self,
        owner_word: Option<Vec<u8>>,
        owner_pos: Pos,
        lx: &mut Lexer<'_>,
        file: &str,
    ) -> Result<(), ZoneError> {
        let owner = match owner_word {
            Some(text) => DnsName::parse(&text, self.origin.as_ref())
                .map_err(|m| error(file, owner_pos, format!("bad owner name: {m}")))?,
            None => self.owner.clone().ok_or_else(|| {
                error(
                    file,
                    owner_pos,
                    "no current owner name: the first record of the file starts with white space",
                )
            })?,
        };
        self.owner = Some(owner.clone());

        let (words, end) = Self::rest_of_line(lx, file)?;
        let mut i = 0;
        let mut ttl: Option<(u32, Pos)> = None;
        let mut class_seen = false;
        // BIND's order: [class] [ttl] [class] type.
        for step in 0..3 {
            let Some((text, quoted, p)) = words.get(i) else {
                break;
            };
            if *quoted {
                break;
            }
            if step != 1 && !class_seen {
                match class_word(text) {
                    ClassWord::In => {
                        class_seen = true;
                        i += 1;
                        continue;
                    }
                    ClassWord::Other(c) => {
                        return Err(error(file, *p, format!("class '{c}' != zone class 'IN'")));
                    }
                    ClassWord::No => {}
                }
            }
            if step == 1 && ttl.is_none() {
                if let Ok(t) = parse_ttl(text) {
                    ttl = Some((t, *p));
                    i += 1;
                }
            }
        }
        let Some((type_text, _, type_pos)) = words.get(i) else {
            return Err(error(
                file,
                end,
                "unexpected end of line: expected a record type (A, AAAA, NS, CNAME, MX, TXT, SOA)",
            ));
        };
        let type_shown = shown(type_text);
        let (rtype, opaque) = match lookup_type(&type_shown) {
            TypeLookup::Known(n) => (n, false),
            TypeLookup::Opaque(n) => (n, true),
            TypeLookup::Unsupported(m) => return Err(error(file, *type_pos, m)),
            TypeLookup::NotAType => {
                return Err(error(
                    file,
                    *type_pos,
                    format!(
                    "unknown RR type '{type_shown}' (expected a TTL, class IN, or a record type)"
                ),
                ))
            }
        };
        let rest = &words[i + 1..];
        let fields: Vec<Field<'_>> = rest
            .iter()
            .enumerate()
            .map(|(index, (text, quoted, _))| Field {
                text,
                quoted: *quoted,
                index,
            })
            .collect();
        let rdata = Rdata::parse(rtype, opaque, &fields, self.origin.as_ref()).map_err(|e| {
            let p = rest.get(e.index).map_or(end, |(_, _, p)| *p);
            error(file, p, e.message)
        })?;
        self.check_names(&owner, &rdata, owner_pos, rest, file)?;

        let ttl = match ttl {
            Some((mut t, p)) => {
                if t > TTL_MAX {
                    self.warn(file, p, format!("TTL {t} > MAXTTL, setting TTL to 0"));
                    t = 0;
                }
                if self.default_ttl.is_none() {
                    if !self.rfc1035_warned {
                        self.rfc1035_warned = true;
                        self.warn(file, p, "no $TTL: using RFC 1035 TTL semantics (a record without a TTL takes the last one written)");
                    }
                    self.last_ttl = Some(t);
                }
                t
            }
            None => match (self.default_ttl, self.last_ttl, &rdata) {
                (Some(t), _, _) | (None, Some(t), _) => t,
                (None, None, Rdata::Soa { minimum, .. }) => {
                    self.warn(
                        file,
                        owner_pos,
                        "no TTL specified; using SOA MINTTL instead",
                    );
                    self.last_ttl = Some(*minimum);
                    *minimum
                }
                (None, None, _) => {
                    return Err(error(file, *type_pos, "no TTL specified: add `$TTL <ttl>` at the top of the file or a TTL on this record"));
                }
            },
        };
        if self
            .batch_owner
            .as_ref()
            .is_none_or(|b| b.labels() != owner.labels())
        {
            self.batch += 1;
            self.batch_owner = Some(owner.clone());
        }
        self.records.push(Parsed {
            batch: self.batch,
            owner,
            ttl,
            rdata,
            file: file.to_string(),
            pos: owner_pos,
        });
        Ok(())
    }

    /// BIND's check-names (fail mode, as in named-compilezone): A and AAAA
    /// owners must be host names (a leading `*` allowed); NS and MX targets
    /// and the SOA primary must be host names; the SOA mailbox a mailbox.
    fn check_names(
        &self,
        owner: &DnsName,
        rdata: &Rdata,
        owner_pos: Pos,
        rest: &[Word],
        file: &str,
    ) -> Result<(), ZoneError> {
        let at = |i: usize| rest.get(i).map_or(owner_pos, |(_, _, p)| *p);
        let bad = |i: usize, what: &str, name: &DnsName| {
            Err(error(file, at(i), format!("bad name (check-names): {what} '{name}' is not a valid host name (letters, digits and inner hyphens only)")))
        };
        if rest.first().is_some_and(|(t, q, _)| t == b"\\#" && !q) {
            // Positions of \# data do not map to fields; point at the owner.
            return self.check_names_generic(owner, rdata, owner_pos, file);
        }
        match rdata {
            Rdata::A(_) | Rdata::Aaaa(_) if !owner.is_hostname(true) => Err(error(
                file,
                owner_pos,
                format!("bad owner name (check-names): '{owner}' owns an address record but is not a valid host name (letters, digits and inner hyphens only; '_' is not allowed)"),
            )),
            Rdata::Ns(n) if !n.is_hostname(false) => bad(0, "name server", n),
            Rdata::Mx { exchange, .. } if !exchange.is_hostname(false) => bad(1, "mail exchange", exchange),
            Rdata::Soa { mname, .. } if !mname.is_hostname(false) => bad(0, "SOA primary server", mname),
            Rdata::Soa { rname, .. } if !rname.is_mailbox() => Err(error(
                file,
                at(1),
                format!("bad name (check-names): SOA mailbox '{rname}' is not a valid mailbox name"),
            )),
            _ => Ok(()),
        }
    }

    fn check_names_generic(
        &self,
        owner: &DnsName,
        rdata: &Rdata,
        pos: Pos,
        file: &str,
    ) -> Result<(), ZoneError> {
        let ok = match rdata {
            Rdata::A(_) | Rdata::Aaaa(_) => owner.is_hostname(true),
            Rdata::Ns(n) => n.is_hostname(false),
            Rdata::Mx { exchange, .. } => exchange.is_hostname(false),
            Rdata::Soa { mname, rname, .. } => mname.is_hostname(false) && rname.is_mailbox(),
            _ => true,
        };
        if ok {
            Ok(())
        } else {
            Err(error(
                file,
                pos,
                "bad name (check-names) in \\# record data",
            ))
        }
    }

    fn finish(mut self, file: &str) -> Result<Zone, ZoneError> {
        let origin = match self.zone_origin.clone() {
            Some(o) => o,
            None => match self
                .records
                .iter()
                .find(|r| matches!(r.rdata, Rdata::Soa { .. }))
            {
                Some(r) => r.owner.clone(),
                None => {
                    return Err(error(file, Pos { line: 1, col: 1 }, "no SOA record: a zone starts with `@ IN SOA <primary> <mailbox> <serial> <refresh> <retry> <expire> <minimum>`"));
                }
            },
        };

        // Group into RRsets, in file order first.
        struct Set {
            owner: DnsName,
            rtype: u16,
            ttl: u32,
            rdatas: BTreeMap<Vec<u8>, Rdata>,
            batch: u64,
            first_pos: (String, Pos),
            second_pos: Option<(String, Pos)>,
        }
        let mut sets: BTreeMap<(DnsName, u32), Set> = BTreeMap::new();
        let mut types_at: BTreeMap<DnsName, Vec<(u16, String, Pos)>> = BTreeMap::new();
        let records = std::mem::take(&mut self.records);
        for r in records {
            if !r.owner.is_subdomain_of(&origin) {
                self.warn(
                    &r.file,
                    r.pos,
                    format!("ignoring out-of-zone data ({})", r.owner),
                );
                continue;
            }
            let rtype = r.rdata.rtype();
            if rtype == 6 && r.owner != origin {
                return Err(error(
                    &r.file,
                    r.pos,
                    format!(
                        "SOA record not at top of zone ({}); the zone origin is {origin}",
                        r.owner
                    ),
                ));
            }
            let key = (r.owner.clone(), dump_order(rtype));
            let set = sets.entry(key).or_insert_with(|| Set {
                owner: r.owner.clone(),
                rtype,
                ttl: r.ttl,
                rdatas: BTreeMap::new(),
                batch: r.batch,
                first_pos: (r.file.clone(), r.pos),
                second_pos: None,
            });
            let wire = r.rdata.canonical_wire();
            if set.batch != r.batch {
                set.batch = r.batch;
                set.ttl = r.ttl;
            } else if r.ttl != set.ttl && !set.rdatas.contains_key(&wire) {
                let prior = set.ttl;
                self.warnings.push(ZoneWarning {
                    file: r.file.clone(),
                    line: r.pos.line,
                    col: r.pos.col,
                    message: format!("TTL set to prior TTL ({prior})"),
                });
            }
            if set.rdatas.contains_key(&wire) {
                continue;
            }
            if !set.rdatas.is_empty() && set.second_pos.is_none() {
                set.second_pos = Some((r.file.clone(), r.pos));
            }
            set.rdatas.insert(wire, r.rdata);
            let at = types_at.entry(r.owner.clone()).or_default();
            if !at.iter().any(|(t, _, _)| *t == rtype) {
                at.push((rtype, r.file.clone(), r.pos));
            }
        }

        // Singleton types and CNAME exclusivity (RFC 1034 §3.6.2).
        for set in sets.values() {
            if matches!(set.rtype, 5 | 6) {
                if let Some((f, p)) = &set.second_pos {
                    return Err(error(
                        f,
                        *p,
                        format!(
                            "{}: multiple RRs of singleton type {}",
                            set.owner,
                            type_mnemonic(set.rtype)
                        ),
                    ));
                }
            }
        }
        for (owner, types) in &types_at {
            if types.len() > 1 && types.iter().any(|(t, _, _)| *t == 5) {
                let (_, f, p) = &types[1];
                return Err(error(f, *p, format!("{owner}: CNAME and other data (a name with a CNAME can have no other records)")));
            }
        }

        let has =
            |name: &DnsName, rtype: u16| sets.contains_key(&(name.clone(), dump_order(rtype)));
        let Some(soa) = sets.get(&(origin.clone(), dump_order(6))) else {
            return Err(error(
                file,
                Pos { line: 1, col: 1 },
                format!("no SOA record at the zone origin {origin}"),
            ));
        };
        let soa_pos = soa.first_pos.clone();
        let Some(ns) = sets.get(&(origin.clone(), dump_order(2))) else {
            return Err(error(
                &soa_pos.0,
                soa_pos.1,
                format!("zone {origin} has no NS records at its origin"),
            ));
        };
        for rd in ns.rdatas.values() {
            if let Rdata::Ns(target) = rd {
                if target.is_subdomain_of(&origin) {
                    let (f, p) = &ns.first_pos;
                    if has(target, 5) {
                        return Err(error(f, *p, format!("NS '{target}' is a CNAME (illegal)")));
                    }
                    if !has(target, 1) && !has(target, 28) {
                        return Err(error(
                            f,
                            *p,
                            format!("NS '{target}' has no address records (A or AAAA) in the zone"),
                        ));
                    }
                }
            }
        }

        let mut rrsets: Vec<RRset> = sets
            .into_values()
            .map(|s| RRset {
                owner: s.owner,
                rtype: s.rtype,
                ttl: s.ttl,
                rdatas: s.rdatas.into_values().collect(),
            })
            .collect();
        // BTreeMap order is already (owner, dump order); keep it explicit.
        rrsets
            .sort_by(|a, b| (&a.owner, dump_order(a.rtype)).cmp(&(&b.owner, dump_order(b.rtype))));
        Ok(Zone {
            origin,
            rrsets,
            warnings: self.warnings,
        })
    }
}

/// BIND's masterdump order of types at one name: SOA, then NS, then by type
/// number.
pub fn dump_order(rtype: u16) -> u32 {
    match rtype {
        6 => 0,
        2 => 1,
        t => u32::from(t) + 2,
    }
}

impl Zone {
    /// A zone with only a synthesised SOA and NS, for scenario zones that
    /// have no file: `SOA ns.<origin> hostmaster.<origin> 1 3600 900 604800
    /// 300` and `NS ns.<origin>` (TTL 300; the SOA minimum, 300 s, is the
    /// negative-caching TTL).
    pub fn empty(origin: &str) -> Result<Zone, String> {
        let o = if origin.ends_with('.') {
            origin.to_string()
        } else {
            format!("{origin}.")
        };
        let origin = DnsName::parse(o.as_bytes(), None)?;
        let ns = DnsName::parse(b"ns", Some(&origin))?;
        let rname = DnsName::parse(b"hostmaster", Some(&origin))?;
        Ok(Zone {
            rrsets: vec![
                RRset {
                    owner: origin.clone(),
                    rtype: 6,
                    ttl: 300,
                    rdatas: vec![Rdata::Soa {
                        mname: ns.clone(),
                        rname,
                        serial: 1,
                        refresh: 3600,
                        retry: 900,
                        expire: 604_800,
                        minimum: 300,
                    }],
                },
                RRset {
                    owner: origin.clone(),
                    rtype: 2,
                    ttl: 300,
                    rdatas: vec![Rdata::Ns(ns)],
                },
            ],
            origin,
            warnings: Vec::new(),
        })
    }

    /// The zone's apex.
    pub fn origin(&self) -> &DnsName {
        &self.origin
    }

    /// The apex as hickory's `Name`.
    pub fn origin_name(&self) -> Name {
        self.origin.to_hickory()
    }

    /// The RRsets in BIND's dump order.
    pub fn rrsets(&self) -> &[RRset] {
        &self.rrsets
    }

    /// Every record as a hickory `Record` (class IN), in dump order.
    pub fn records(&self) -> Vec<Record> {
        self.rrsets
            .iter()
            .flat_map(|s| {
                s.rdatas
                    .iter()
                    .map(|rd| Record::from_rdata(s.owner.to_hickory(), s.ttl, rd.to_hickory()))
            })
            .collect()
    }

    /// What BIND would have warned about while loading.
    pub fn warnings(&self) -> &[ZoneWarning] {
        &self.warnings
    }
}
