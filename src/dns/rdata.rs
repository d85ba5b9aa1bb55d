//! Record data for the types the zone parser supports (SOA, NS, A, AAAA,
//! CNAME, TXT, MX, and RFC 3597 `TYPEnnn \# len hex` for unassigned types):
//! parsing from master-file tokens, BIND's presentation form, the RFC 4034
//! §6.2 canonical wire form used to order and de-duplicate an RRset, and
//! conversion to hickory's `RData` for serving.

use std::net::{Ipv4Addr, Ipv6Addr};

use hickory_proto::rr::rdata::{self, NULL};
use hickory_proto::rr::{RData, RecordType};

use super::name::{unescape, DnsName};

/// The RFC 1035 §3.3 limit on one `<character-string>`.
pub const CHARACTER_STRING_MAX_OCTETS: usize = 255;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rdata {
    A(Ipv4Addr),
    Aaaa(Ipv6Addr),
    Ns(DnsName),
    Cname(DnsName),
    Mx {
        preference: u16,
        exchange: DnsName,
    },
    /// One entry per `<character-string>`, in order.
    Txt(Vec<Vec<u8>>),
    Soa {
        mname: DnsName,
        rname: DnsName,
        serial: u32,
        refresh: u32,
        retry: u32,
        expire: u32,
        minimum: u32,
    },
    /// A type this parser keeps opaque (RFC 3597), printed as `\# len hex`.
    Unknown {
        rtype: u16,
        data: Vec<u8>,
    },
}

/// Type numbers and mnemonics the parser understands.
pub const SUPPORTED: [(&str, u16); 7] = [
    ("A", 1),
    ("NS", 2),
    ("CNAME", 5),
    ("SOA", 6),
    ("MX", 15),
    ("TXT", 16),
    ("AAAA", 28),
];

/// Assigned types BIND knows but ssosim's parser does not: naming one is a
/// clear error rather than a silent `\#` blob that BIND would print otherwise.
const KNOWN_UNSUPPORTED: [(&str, u16); 80] = [
    ("MD", 3),
    ("MF", 4),
    ("MB", 7),
    ("MG", 8),
    ("MR", 9),
    ("NULL", 10),
    ("WKS", 11),
    ("PTR", 12),
    ("HINFO", 13),
    ("MINFO", 14),
    ("RP", 17),
    ("AFSDB", 18),
    ("X25", 19),
    ("ISDN", 20),
    ("RT", 21),
    ("NSAP", 22),
    ("NSAP-PTR", 23),
    ("SIG", 24),
    ("KEY", 25),
    ("PX", 26),
    ("GPOS", 27),
    ("LOC", 29),
    ("NXT", 30),
    ("EID", 31),
    ("NIMLOC", 32),
    ("SRV", 33),
    ("ATMA", 34),
    ("NAPTR", 35),
    ("KX", 36),
    ("CERT", 37),
    ("A6", 38),
    ("DNAME", 39),
    ("SINK", 40),
    ("OPT", 41),
    ("APL", 42),
    ("DS", 43),
    ("SSHFP", 44),
    ("IPSECKEY", 45),
    ("RRSIG", 46),
    ("NSEC", 47),
    ("DNSKEY", 48),
    ("DHCID", 49),
    ("NSEC3", 50),
    ("NSEC3PARAM", 51),
    ("TLSA", 52),
    ("SMIMEA", 53),
    ("HIP", 55),
    ("NINFO", 56),
    ("RKEY", 57),
    ("TALINK", 58),
    ("CDS", 59),
    ("CDNSKEY", 60),
    ("OPENPGPKEY", 61),
    ("CSYNC", 62),
    ("ZONEMD", 63),
    ("SVCB", 64),
    ("HTTPS", 65),
    ("SPF", 99),
    ("UINFO", 100),
    ("UID", 101),
    ("GID", 102),
    ("UNSPEC", 103),
    ("NID", 104),
    ("L32", 105),
    ("L64", 106),
    ("LP", 107),
    ("EUI48", 108),
    ("EUI64", 109),
    ("TKEY", 249),
    ("TSIG", 250),
    ("IXFR", 251),
    ("AXFR", 252),
    ("MAILB", 253),
    ("MAILA", 254),
    ("ANY", 255),
    ("URI", 256),
    ("CAA", 257),
    ("AVC", 258),
    ("TA", 32768),
    ("DLV", 32769),
];

/// How a type written in a zone file resolves.
pub enum TypeLookup {
    Known(u16),
    /// `TYPEnnn` for a number no standard assigns: kept opaque.
    Opaque(u16),
    Unsupported(String),
    NotAType,
}

pub fn lookup_type(text: &str) -> TypeLookup {
    let upper = text.to_ascii_uppercase();
    if let Some((_, n)) = SUPPORTED.iter().find(|(m, _)| *m == upper) {
        return TypeLookup::Known(*n);
    }
    if let Some((m, _)) = KNOWN_UNSUPPORTED.iter().find(|(m, _)| *m == upper) {
        return TypeLookup::Unsupported(format!(
            "record type {m} is not supported by ssosim's zone parser (supported: SOA, NS, A, AAAA, CNAME, TXT, MX, and TYPEnnn \\# for unassigned types)"
        ));
    }
    if let Some(num) = upper.strip_prefix("TYPE") {
        if !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(n) = num.parse::<u16>() {
                if let Some((_, n)) = SUPPORTED.iter().find(|(_, k)| *k == n) {
                    return TypeLookup::Known(*n);
                }
                // Types 0..=262 and 32768/32769 are assigned (or meta) and
                // BIND would print them under their own names; 65535 is
                // reserved.
                if n <= 262 || n == 32768 || n == 32769 || n == 65535 {
                    return TypeLookup::Unsupported(format!(
                        "record type TYPE{n} is not supported by ssosim's zone parser"
                    ));
                }
                return TypeLookup::Opaque(n);
            }
        }
    }
    TypeLookup::NotAType
}

/// The mnemonic BIND prints for a type number.
pub fn type_mnemonic(rtype: u16) -> String {
    SUPPORTED
        .iter()
        .chain(KNOWN_UNSUPPORTED.iter())
        .find(|(_, n)| *n == rtype)
        .map(|(m, _)| (*m).to_string())
        .unwrap_or_else(|| format!("TYPE{rtype}"))
}

/// One rdata field as the parser hands it over.
pub struct Field<'t> {
    pub text: &'t [u8],
    pub quoted: bool,
    /// Index of the token in the record, for error positions.
    pub index: usize,
}

/// A parse failure in field `index` (or at the end of the record if
/// `index` is the number of fields).
#[derive(Debug)]
pub struct RdataError {
    pub index: usize,
    pub message: String,
}

fn err<T>(index: usize, message: impl Into<String>) -> Result<T, RdataError> {
    Err(RdataError {
        index,
        message: message.into(),
    })
}

struct Fields<'f, 't> {
    fields: &'f [Field<'t>],
    next: usize,
    what: &'static str,
}

impl<'f, 't> Fields<'f, 't> {
    fn take(&mut self, expected: &str) -> Result<&'f Field<'t>, RdataError> {
        match self.fields.get(self.next) {
            Some(f) => {
                self.next += 1;
                Ok(f)
            }
            None => err(
                self.next,
                format!(
                    "unexpected end of {} record: expected {expected}",
                    self.what
                ),
            ),
        }
    }

    fn finish(&self) -> Result<(), RdataError> {
        match self.fields.get(self.next) {
            None => Ok(()),
            Some(f) => err(
                f.index,
                format!(
                    "extra input text '{}' after the {} record data (expected end of line)",
                    String::from_utf8_lossy(f.text),
                    self.what
                ),
            ),
        }
    }

    fn name(&mut self, expected: &str, origin: Option<&DnsName>) -> Result<DnsName, RdataError> {
        let f = self.take(expected)?;
        DnsName::parse(f.text, origin).or_else(|m| err(f.index, format!("bad {expected}: {m}")))
    }

    fn number<T: TryFrom<u64>>(&mut self, expected: &str) -> Result<T, RdataError> {
        let f = self.take(expected)?;
        let text = String::from_utf8_lossy(f.text);
        if f.text.is_empty() || !f.text.iter().all(u8::is_ascii_digit) {
            return err(
                f.index,
                format!("expected {expected} (a decimal number), found '{text}'"),
            );
        }
        text.parse::<u64>()
            .ok()
            .and_then(|v| T::try_from(v).ok())
            .map_or_else(
                || err(f.index, format!("{expected} '{text}' is out of range")),
                Ok,
            )
    }

    fn counter(&mut self, expected: &str) -> Result<u32, RdataError> {
        let f = self.take(expected)?;
        parse_ttl(f.text).or_else(|m| err(f.index, format!("bad {expected}: {m}")))
    }
}

/// BIND's `dns_ttl_fromtext`: a plain decimal number, or one or more
/// `<number><unit>` pairs with units w, d, h, m, s in any case (`1h30m`,
/// `1w`, even `1d1d`); a bare number after a unit (`1h30`) is refused. The
/// sum must fit in 32 bits.
pub fn parse_ttl(text: &[u8]) -> Result<u32, String> {
    let shown = String::from_utf8_lossy(text);
    let bad = || format!("'{shown}' is not a TTL (use seconds, or units like 1h30m, 2d, 1w)");
    if text.is_empty() || text.len() > 63 || !text[0].is_ascii_digit() {
        return Err(bad());
    }
    if text.iter().all(u8::is_ascii_digit) {
        return shown
            .parse::<u32>()
            .map_err(|_| format!("TTL '{shown}' does not fit in 32 bits"));
    }
    let mut total: u64 = 0;
    let mut i = 0;
    while i < text.len() {
        let start = i;
        while i < text.len() && text[i].is_ascii_digit() {
            i += 1;
        }
        let digits = std::str::from_utf8(&text[start..i]).map_err(|_| bad())?;
        let n: u64 = digits.parse::<u32>().map_err(|_| bad())?.into();
        let unit: u64 = match text.get(i).map(u8::to_ascii_lowercase) {
            Some(b'w') => 7 * 24 * 3600,
            Some(b'd') => 24 * 3600,
            Some(b'h') => 3600,
            Some(b'm') => 60,
            Some(b's') => 1,
            _ => return Err(bad()),
        };
        i += 1;
        total += n * unit;
    }
    u32::try_from(total).map_err(|_| format!("TTL '{shown}' does not fit in 32 bits"))
}

/// Decodes one `<character-string>` from its token (escapes processed).
pub fn txt_string(text: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'\\' {
            let (b, used) = unescape(&text[i..])?;
            out.push(b);
            i += used;
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    if out.len() > CHARACTER_STRING_MAX_OCTETS {
        return Err(format!(
            "TXT string is {} octets; one string holds at most {CHARACTER_STRING_MAX_OCTETS} (split it into several quoted strings, as BIND requires)",
            out.len()
        ));
    }
    Ok(out)
}

impl Rdata {
    /// The type number.
    pub fn rtype(&self) -> u16 {
        match self {
            Rdata::A(_) => 1,
            Rdata::Ns(_) => 2,
            Rdata::Cname(_) => 5,
            Rdata::Soa { .. } => 6,
            Rdata::Mx { .. } => 15,
            Rdata::Txt(_) => 16,
            Rdata::Aaaa(_) => 28,
            Rdata::Unknown { rtype, .. } => *rtype,
        }
    }

    /// Parses the rdata fields of a record of type `rtype` (`opaque` when
    /// the type is an unassigned `TYPEnnn`).
    pub fn parse(
        rtype: u16,
        opaque: bool,
        fields: &[Field<'_>],
        origin: Option<&DnsName>,
    ) -> Result<Rdata, RdataError> {
        let what: &'static str = match rtype {
            1 => "A",
            2 => "NS",
            5 => "CNAME",
            6 => "SOA",
            15 => "MX",
            16 => "TXT",
            28 => "AAAA",
            _ => "TYPEnnn",
        };
        if fields
            .first()
            .is_some_and(|f| f.text == b"\\#" && !f.quoted)
        {
            return Self::parse_generic(rtype, opaque, fields);
        }
        if opaque {
            return err(
                fields.first().map_or(0, |f| f.index),
                format!("TYPE{rtype} data must be written in RFC 3597 form: \\# <length> <hex>"),
            );
        }
        let mut f = Fields {
            fields,
            next: 0,
            what,
        };
        let rdata = match rtype {
            1 => {
                let field = f.take("an IPv4 address")?;
                let text = String::from_utf8_lossy(field.text);
                Rdata::A(
                    text.parse()
                        .or_else(|_| err(field.index, format!("bad IPv4 address '{text}'")))?,
                )
            }
            28 => {
                let field = f.take("an IPv6 address")?;
                let text = String::from_utf8_lossy(field.text);
                Rdata::Aaaa(
                    text.parse()
                        .or_else(|_| err(field.index, format!("bad IPv6 address '{text}'")))?,
                )
            }
            2 => Rdata::Ns(f.name("name server name", origin)?),
            5 => Rdata::Cname(f.name("canonical name", origin)?),
            15 => Rdata::Mx {
                preference: f.number("MX preference")?,
                exchange: f.name("mail exchange name", origin)?,
            },
            6 => Rdata::Soa {
                mname: f.name("SOA primary server name", origin)?,
                rname: f.name("SOA mailbox name", origin)?,
                serial: f.number("SOA serial")?,
                refresh: f.counter("SOA refresh")?,
                retry: f.counter("SOA retry")?,
                expire: f.counter("SOA expire")?,
                minimum: f.counter("SOA minimum")?,
            },
            16 => {
                if fields.is_empty() {
                    return err(
                        0,
                        "unexpected end of TXT record: expected at least one string",
                    );
                }
                let mut strings = Vec::with_capacity(fields.len());
                for field in fields {
                    strings.push(txt_string(field.text).or_else(|m| err(field.index, m))?);
                }
                f.next = fields.len();
                Rdata::Txt(strings)
            }
            _ => return err(0, format!("record type TYPE{rtype} is not supported")),
        };
        f.finish()?;
        Ok(rdata)
    }

    /// RFC 3597 §5: `\# <length> <hex>`, hex possibly split by white space.
    fn parse_generic(rtype: u16, opaque: bool, fields: &[Field<'_>]) -> Result<Rdata, RdataError> {
        let end = fields.len();
        let Some(len_field) = fields.get(1) else {
            return err(
                end,
                "unexpected end of record: expected the RFC 3597 data length after \\#",
            );
        };
        let len_text = String::from_utf8_lossy(len_field.text);
        let len: usize = match len_text.parse::<u16>() {
            Ok(n) if len_field.text.iter().all(u8::is_ascii_digit) => n.into(),
            _ => return err(len_field.index, format!("bad RFC 3597 length '{len_text}'")),
        };
        let mut hex = Vec::new();
        for f in &fields[2..] {
            hex.extend_from_slice(f.text);
        }
        if hex.len() % 2 != 0 {
            return err(
                fields.last().map_or(end, |f| f.index),
                "odd number of hex digits in \\# data",
            );
        }
        let mut data = Vec::with_capacity(hex.len() / 2);
        for pair in hex.chunks(2) {
            let s = std::str::from_utf8(pair).ok();
            match s.and_then(|s| u8::from_str_radix(s, 16).ok()) {
                Some(b) => data.push(b),
                None => {
                    return err(
                        fields.get(2).map_or(end, |f| f.index),
                        "bad hex digit in \\# data",
                    )
                }
            }
        }
        if data.len() != len {
            return err(
                len_field.index,
                format!("\\# says {len} octets but the hex gives {}", data.len()),
            );
        }
        if opaque {
            return Ok(Rdata::Unknown { rtype, data });
        }
        Self::from_wire(rtype, &data).or_else(|m| err(len_field.index, m))
    }

    /// Decodes uncompressed wire rdata of a supported type.
    pub fn from_wire(rtype: u16, d: &[u8]) -> Result<Rdata, String> {
        let whole_name = |d: &[u8]| -> Result<DnsName, String> {
            let (n, used) = DnsName::from_wire(d)?;
            if used != d.len() {
                return Err("extra octets after the name in the rdata".into());
            }
            Ok(n)
        };
        let u32_at = |d: &[u8], i: usize| -> Result<u32, String> {
            d.get(i..i + 4)
                .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
                .ok_or_else(|| "SOA rdata too short".to_string())
        };
        Ok(match rtype {
            1 => Rdata::A(Ipv4Addr::from(
                <[u8; 4]>::try_from(d).map_err(|_| "A rdata must be 4 octets")?,
            )),
            28 => Rdata::Aaaa(Ipv6Addr::from(
                <[u8; 16]>::try_from(d).map_err(|_| "AAAA rdata must be 16 octets")?,
            )),
            2 => Rdata::Ns(whole_name(d)?),
            5 => Rdata::Cname(whole_name(d)?),
            15 => {
                if d.len() < 3 {
                    return Err("MX rdata too short".into());
                }
                Rdata::Mx {
                    preference: u16::from_be_bytes([d[0], d[1]]),
                    exchange: whole_name(&d[2..])?,
                }
            }
            6 => {
                let (mname, a) = DnsName::from_wire(d)?;
                let (rname, b) = DnsName::from_wire(&d[a..])?;
                let rest = a + b;
                if d.len() != rest + 20 {
                    return Err("SOA rdata has the wrong length".into());
                }
                Rdata::Soa {
                    mname,
                    rname,
                    serial: u32_at(d, rest)?,
                    refresh: u32_at(d, rest + 4)?,
                    retry: u32_at(d, rest + 8)?,
                    expire: u32_at(d, rest + 12)?,
                    minimum: u32_at(d, rest + 16)?,
                }
            }
            16 => {
                let mut strings = Vec::new();
                let mut i = 0;
                if d.is_empty() {
                    return Err("TXT rdata must hold at least one string".into());
                }
                while i < d.len() {
                    let n = d[i] as usize;
                    let s = d
                        .get(i + 1..i + 1 + n)
                        .ok_or("TXT string runs past the rdata")?;
                    strings.push(s.to_vec());
                    i += 1 + n;
                }
                Rdata::Txt(strings)
            }
            _ => return Err(format!("TYPE{rtype} cannot be decoded")),
        })
    }

    /// RFC 4034 §6.2 canonical wire form: names in NS, CNAME, SOA and MX
    /// rdata lowercased. BIND orders an RRset by comparing these octet
    /// strings (shorter first on a common prefix) and drops duplicates.
    pub fn canonical_wire(&self) -> Vec<u8> {
        match self {
            Rdata::A(a) => a.octets().to_vec(),
            Rdata::Aaaa(a) => a.octets().to_vec(),
            Rdata::Ns(n) | Rdata::Cname(n) => n.canonical_wire(),
            Rdata::Mx {
                preference,
                exchange,
            } => {
                let mut v = preference.to_be_bytes().to_vec();
                v.extend(exchange.canonical_wire());
                v
            }
            Rdata::Txt(strings) => txt_wire(strings),
            Rdata::Soa {
                mname,
                rname,
                serial,
                refresh,
                retry,
                expire,
                minimum,
            } => {
                let mut v = mname.canonical_wire();
                v.extend(rname.canonical_wire());
                for n in [serial, refresh, retry, expire, minimum] {
                    v.extend(n.to_be_bytes());
                }
                v
            }
            Rdata::Unknown { data, .. } => data.clone(),
        }
    }

    /// Converts to hickory's `RData`.
    pub fn to_hickory(&self) -> RData {
        match self {
            Rdata::A(a) => RData::A(rdata::A(*a)),
            Rdata::Aaaa(a) => RData::AAAA(rdata::AAAA(*a)),
            Rdata::Ns(n) => RData::NS(rdata::NS(n.to_hickory())),
            Rdata::Cname(n) => RData::CNAME(rdata::CNAME(n.to_hickory())),
            Rdata::Mx {
                preference,
                exchange,
            } => RData::MX(rdata::MX::new(*preference, exchange.to_hickory())),
            Rdata::Txt(strings) => RData::TXT(rdata::TXT::from_bytes(
                strings.iter().map(Vec::as_slice).collect(),
            )),
            // hickory keeps refresh/retry/expire as i32; the wire octets are
            // the same, so reinterpret the bits.
            Rdata::Soa {
                mname,
                rname,
                serial,
                refresh,
                retry,
                expire,
                minimum,
            } => RData::SOA(rdata::SOA::new(
                mname.to_hickory(),
                rname.to_hickory(),
                *serial,
                *refresh as i32,
                *retry as i32,
                *expire as i32,
                *minimum,
            )),
            Rdata::Unknown { rtype, data } => RData::Unknown {
                code: RecordType::from(*rtype),
                // `NULL::with` insists on data; RFC 3597 allows none.
                rdata: if data.is_empty() {
                    NULL::new()
                } else {
                    NULL::with(data.clone())
                },
            },
        }
    }
}

/// TXT rdata in wire form: each string preceded by its length.
pub fn txt_wire(strings: &[Vec<u8>]) -> Vec<u8> {
    let mut v = Vec::new();
    for s in strings {
        v.push(s.len() as u8); // at most 255 octets, checked by the parser
        v.extend_from_slice(s);
    }
    v
}

/// A TXT `<character-string>` as BIND prints it: quoted, `"` and `\`
/// backslash-escaped, octets outside ` `..`~` as `\DDD`.
pub fn quote_txt(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for &c in s {
        match c {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(c as char);
            }
            0x20..=0x7e => out.push(c as char),
            _ => out.push_str(&format!("\\{c:03}")),
        }
    }
    out.push('"');
    out
}

/// BIND's `inet_ntop` for IPv6 (lib/isc/ntop.c): the longest run of two or
/// more zero words becomes `::` (the first on a tie), hex in lowercase, and
/// IPv4-compatible (`::a.b.c.d`) and IPv4-mapped (`::ffff:a.b.c.d`)
/// addresses end in dotted quad.
pub fn ipv6_text(a: &Ipv6Addr) -> String {
    let w = a.segments();
    // (start, length) of the longest and of the current run of zero words.
    type Run = Option<(usize, usize)>;
    let (mut best, mut cur): (Run, Run) = (None, None);
    for (i, &word) in w.iter().enumerate() {
        if word == 0 {
            cur = Some(match cur {
                Some((b, l)) => (b, l + 1),
                None => (i, 1),
            });
            if let Some((b, l)) = cur {
                if best.is_none_or(|(_, bl)| l > bl) {
                    best = Some((b, l));
                }
            }
        } else {
            cur = None;
        }
    }
    let best = best.filter(|&(_, l)| l >= 2);
    let mut out = String::new();
    let mut i = 0;
    while i < 8 {
        if let Some((b, l)) = best {
            if i == b {
                if i == 0 {
                    out.push(':');
                }
                out.push(':');
                i += l;
                continue;
            }
        }
        if i == 6 {
            if let Some((0, l)) = best {
                if l == 6 || (l == 5 && w[5] == 0xffff) {
                    let o = a.octets();
                    out.push_str(&format!("{}.{}.{}.{}", o[12], o[13], o[14], o[15]));
                    return out;
                }
            }
        }
        out.push_str(&format!("{:x}", w[i]));
        if i < 7 {
            out.push(':');
        }
        i += 1;
    }
    out
}

impl std::fmt::Display for Rdata {
    /// BIND's presentation form of the rdata (one line, absolute names).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rdata::A(a) => write!(f, "{a}"),
            Rdata::Aaaa(a) => f.write_str(&ipv6_text(a)),
            Rdata::Ns(n) | Rdata::Cname(n) => write!(f, "{n}"),
            Rdata::Mx {
                preference,
                exchange,
            } => write!(f, "{preference} {exchange}"),
            Rdata::Txt(strings) => {
                let parts: Vec<String> = strings.iter().map(|s| quote_txt(s)).collect();
                f.write_str(&parts.join(" "))
            }
            Rdata::Soa {
                mname,
                rname,
                serial,
                refresh,
                retry,
                expire,
                minimum,
            } => write!(
                f,
                "{mname} {rname} {serial} {refresh} {retry} {expire} {minimum}"
            ),
            Rdata::Unknown { data, .. } => {
                write!(f, "\\# {}", data.len())?;
                // BIND's full style splits the hex into 56-digit chunks.
                let hex: String = data.iter().map(|b| format!("{b:02X}")).collect();
                let bytes = hex.as_bytes();
                for chunk in bytes.chunks(56) {
                    write!(f, " {}", String::from_utf8_lossy(chunk))?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_units_follow_bind() {
        assert_eq!(parse_ttl(b"1h30m"), Ok(5400));
        assert_eq!(parse_ttl(b"1W"), Ok(604800));
        assert_eq!(parse_ttl(b"1d1d"), Ok(172800));
        assert_eq!(parse_ttl(b"00017"), Ok(17));
        assert_eq!(parse_ttl(b"4294967295"), Ok(u32::MAX));
        for bad in ["1h30", "1x", "h", "4294967296", "7102w", ""] {
            assert!(parse_ttl(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn ipv6_text_matches_bind_ntop() {
        for (input, shown) in [
            ("2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
            ("::", "::"),
            ("1::", "1::"),
            ("::1", "::1"),
            ("::1.2.3.4", "::1.2.3.4"),
            ("::ffff:1.2.3.4", "::ffff:1.2.3.4"),
            ("1:0:2:0:3:0:4:0", "1:0:2:0:3:0:4:0"),
            ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
        ] {
            assert_eq!(ipv6_text(&input.parse().unwrap()), shown, "{input}");
        }
    }

    #[test]
    fn txt_quoting_matches_bind() {
        assert_eq!(quote_txt(b"a\"b\\c\n\xff ;"), "\"a\\\"b\\\\c\\010\\255 ;\"");
    }
}
