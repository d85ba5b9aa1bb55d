//! Domain names as the zone parser sees them: raw labels (any octets, case
//! preserved), parsed from and printed to master-file text exactly as BIND 9
//! does (`\DDD` and `\X` escapes, `@` for the origin), ordered in RFC 4034
//! §6.1 canonical order.

use std::cmp::Ordering;
use std::fmt;

use hickory_proto::rr::Name;

/// RFC 1035 §2.3.4: a label is at most 63 octets, a name at most 255 octets
/// in wire form (each label plus its length octet, plus the root octet).
const LABEL_MAX_OCTETS: usize = 63;
const NAME_MAX_OCTETS: usize = 255;

/// An absolute domain name: labels from the leftmost to the TLD (the root
/// label is implied). Equality and ordering ignore ASCII case, as DNS does.
#[derive(Clone, Debug, Default)]
pub struct DnsName {
    labels: Vec<Vec<u8>>,
}

impl DnsName {
    /// The root name `.`.
    pub fn root() -> DnsName {
        DnsName { labels: Vec::new() }
    }

    /// Builds a name from labels already known to be valid (taken from
    /// another name).
    pub(crate) fn parse_labels(labels: Vec<Vec<u8>>) -> DnsName {
        DnsName { labels }
    }

    /// The labels, leftmost first, without the root label.
    pub fn labels(&self) -> &[Vec<u8>] {
        &self.labels
    }

    /// Length in wire form, root octet included.
    pub fn wire_len(&self) -> usize {
        self.labels.iter().map(|l| l.len() + 1).sum::<usize>() + 1
    }

    /// Parses presentation text (`www`, `www.example.com.`, `@`, `a\.b`,
    /// `\065`) the way BIND's `dns_name_fromtext` does. A relative name is
    /// completed with `origin`; without an origin it is an error.
    pub fn parse(text: &[u8], origin: Option<&DnsName>) -> Result<DnsName, String> {
        if text == b"@" {
            return origin
                .cloned()
                .ok_or_else(|| "'@' used but no origin is known (add $ORIGIN first)".to_string());
        }
        if text.is_empty() {
            return Err("empty name".into());
        }
        if text == b"." {
            return Ok(DnsName::root());
        }
        let mut labels: Vec<Vec<u8>> = Vec::new();
        let mut label: Vec<u8> = Vec::new();
        let mut absolute = false;
        let mut i = 0;
        while i < text.len() {
            let c = text[i];
            match c {
                b'.' => {
                    if label.is_empty() {
                        return Err(format!(
                            "empty label in name '{}'",
                            String::from_utf8_lossy(text)
                        ));
                    }
                    labels.push(std::mem::take(&mut label));
                    if i + 1 == text.len() {
                        absolute = true;
                    }
                    i += 1;
                }
                b'\\' => {
                    let (byte, used) = unescape(&text[i..])?;
                    label.push(byte);
                    i += used;
                }
                _ => {
                    label.push(c);
                    i += 1;
                }
            }
            if label.len() > LABEL_MAX_OCTETS {
                return Err(format!(
                    "label longer than {LABEL_MAX_OCTETS} octets in name '{}'",
                    String::from_utf8_lossy(text)
                ));
            }
        }
        if !label.is_empty() {
            labels.push(label);
        }
        if !absolute {
            match origin {
                Some(o) => labels.extend(o.labels.iter().cloned()),
                None => {
                    return Err(format!(
                        "relative name '{}' but no origin is known (add $ORIGIN first, or end the name with '.')",
                        String::from_utf8_lossy(text)
                    ))
                }
            }
        }
        let name = DnsName { labels };
        if name.wire_len() > NAME_MAX_OCTETS {
            return Err(format!(
                "name '{}' is longer than {NAME_MAX_OCTETS} octets",
                String::from_utf8_lossy(text)
            ));
        }
        Ok(name)
    }

    /// True when `self` is `other` or below it.
    pub fn is_subdomain_of(&self, other: &DnsName) -> bool {
        if other.labels.len() > self.labels.len() {
            return false;
        }
        let skip = self.labels.len() - other.labels.len();
        self.labels[skip..]
            .iter()
            .zip(&other.labels)
            .all(|(a, b)| a.eq_ignore_ascii_case(b))
    }

    /// The name with its leftmost label removed (root stays root).
    pub fn parent(&self) -> DnsName {
        DnsName {
            labels: self.labels.iter().skip(1).cloned().collect(),
        }
    }

    /// Wire form with ASCII letters lowered: the RFC 4034 §6.2 canonical form.
    pub fn canonical_wire(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.wire_len());
        for l in &self.labels {
            out.push(l.len() as u8); // labels are at most 63 octets (checked on parse)
            out.extend(l.iter().map(u8::to_ascii_lowercase));
        }
        out.push(0);
        out
    }

    /// Wire form, case preserved.
    pub fn wire(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.wire_len());
        for l in &self.labels {
            out.push(l.len() as u8); // labels are at most 63 octets (checked on parse)
            out.extend_from_slice(l);
        }
        out.push(0);
        out
    }

    /// Reads one uncompressed name from wire data (used for RFC 3597 `\#`
    /// rdata of known types). Returns the name and the octets consumed.
    pub fn from_wire(data: &[u8]) -> Result<(DnsName, usize), String> {
        let mut labels = Vec::new();
        let mut i = 0;
        loop {
            let len = *data.get(i).ok_or("name runs past the end of the rdata")? as usize;
            i += 1;
            if len == 0 {
                break;
            }
            if len > LABEL_MAX_OCTETS {
                return Err("bad label length in wire-format name".into());
            }
            let label = data
                .get(i..i + len)
                .ok_or("name runs past the end of the rdata")?;
            labels.push(label.to_vec());
            i += len;
        }
        let name = DnsName { labels };
        if name.wire_len() > NAME_MAX_OCTETS {
            return Err("wire-format name longer than 255 octets".into());
        }
        Ok((name, i))
    }

    /// RFC 952/1123 host name, as BIND's `dns_name_ishostname`: every label
    /// letters, digits and inner hyphens; `wildcard` allows a leading `*`.
    pub fn is_hostname(&self, wildcard: bool) -> bool {
        let mut labels = self.labels.as_slice();
        if wildcard && labels.first().is_some_and(|l| l.as_slice() == b"*") {
            labels = &labels[1..];
        }
        labels.iter().all(|l| is_host_label(l))
    }

    /// A mailbox name (SOA RNAME), as BIND's `dns_name_ismailbox`: the first
    /// label any printable ASCII, the rest host-name labels.
    pub fn is_mailbox(&self) -> bool {
        match self.labels.split_first() {
            None => true,
            Some((first, rest)) => {
                first.iter().all(|&c| (0x21..0x7f).contains(&c))
                    && rest.iter().all(|l| is_host_label(l))
            }
        }
    }

    /// Converts to hickory's `Name` (fully qualified).
    pub fn to_hickory(&self) -> Name {
        // Every label is 1..=63 octets and the whole name at most 255 octets
        // (checked when it was built), which is all `from_labels` verifies.
        Name::from_labels(self.labels.iter().map(|l| l.as_slice())).unwrap_or_else(|_| Name::root())
    }

    /// Converts from hickory's `Name`.
    pub fn from_hickory(name: &Name) -> DnsName {
        DnsName {
            labels: name.iter().map(|l| l.to_vec()).collect(),
        }
    }
}

fn is_host_label(l: &[u8]) -> bool {
    let n = l.len();
    l.iter().enumerate().all(|(i, &c)| {
        if i == 0 || i + 1 == n {
            c.is_ascii_alphanumeric()
        } else {
            c.is_ascii_alphanumeric() || c == b'-'
        }
    })
}

/// Decodes one escape starting at `text[0] == b'\\'`: `\DDD` (exactly three
/// decimal digits, at most 255) or `\X`. Returns the octet and the number of
/// input octets used.
pub fn unescape(text: &[u8]) -> Result<(u8, usize), String> {
    match text.get(1) {
        None => Err("a backslash ends the text (nothing to escape)".into()),
        Some(d) if d.is_ascii_digit() => {
            let digits = text
                .get(1..4)
                .filter(|ds| ds.iter().all(u8::is_ascii_digit));
            match digits {
                Some(ds) => {
                    let v = ds
                        .iter()
                        .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
                    u8::try_from(v)
                        .map(|b| (b, 4))
                        .map_err(|_| format!("bad escape \\{v}: a \\DDD escape is at most \\255"))
                }
                None => Err("bad escape: \\DDD needs exactly three decimal digits".into()),
            }
        }
        Some(&c) => Ok((c, 2)),
    }
}

impl PartialEq for DnsName {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for DnsName {}

impl PartialOrd for DnsName {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for DnsName {
    /// RFC 4034 §6.1: compare labels from the rightmost, each as lowercased
    /// left-justified octet strings; a name that runs out of labels first
    /// sorts first.
    fn cmp(&self, other: &Self) -> Ordering {
        for (a, b) in self.labels.iter().rev().zip(other.labels.iter().rev()) {
            let a = a.iter().map(u8::to_ascii_lowercase);
            let b = b.iter().map(u8::to_ascii_lowercase);
            match a.cmp(b) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        self.labels.len().cmp(&other.labels.len())
    }
}

impl fmt::Display for DnsName {
    /// BIND's master-file form: absolute, with `.`, `"`, `(`, `)`, `;`, `\`,
    /// `@` and `$` backslash-escaped and octets outside `!`..`~` as `\DDD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.labels.is_empty() {
            return f.write_str(".");
        }
        for l in &self.labels {
            for &c in l {
                match c {
                    b'.' | b'"' | b'(' | b')' | b';' | b'\\' | b'@' | b'$' => {
                        write!(f, "\\{}", c as char)?
                    }
                    0x21..=0x7e => write!(f, "{}", c as char)?,
                    _ => write!(f, "\\{c:03}")?,
                }
            }
            f.write_str(".")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> DnsName {
        DnsName::parse(s.as_bytes(), None).unwrap()
    }

    #[test]
    fn escapes_round_trip_through_bind_presentation() {
        let name = n(r"a\.b\032c\@\$\000\195\169.example.");
        assert_eq!(name.labels()[0], b"a.b c@$\0\xc3\xa9");
        assert_eq!(name.to_string(), r"a\.b\032c\@\$\000\195\169.example.");
    }

    #[test]
    fn relative_names_take_the_origin() {
        let origin = n("example.com.");
        let www = DnsName::parse(b"www", Some(&origin)).unwrap();
        assert_eq!(www.to_string(), "www.example.com.");
        assert!(DnsName::parse(b"www", None).is_err());
        assert_eq!(DnsName::parse(b"@", Some(&origin)).unwrap(), origin);
    }

    #[test]
    fn bad_names_are_refused() {
        for bad in ["a..b.", ".a.", r"a\25", r"a\256.", "a\\"] {
            assert!(DnsName::parse(bad.as_bytes(), None).is_err(), "{bad}");
        }
        let long = format!("{}.", "a".repeat(64));
        assert!(DnsName::parse(long.as_bytes(), None).is_err());
    }

    #[test]
    fn canonical_order_is_rfc4034() {
        let mut names: Vec<DnsName> = [
            "z.a.example.",
            "example.",
            "a.example.",
            "Z.a.example.",
            "\\001.z.example.",
            "*.z.example.",
            "yljkjljk.a.example.",
            "zABC.a.EXAMPLE.",
            "z.example.",
            "\\200.z.example.",
        ]
        .iter()
        .map(|s| n(s))
        .collect();
        names.sort();
        let shown: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        assert_eq!(
            shown,
            [
                "example.",
                "a.example.",
                "yljkjljk.a.example.",
                "z.a.example.",
                "Z.a.example.",
                "zABC.a.EXAMPLE.",
                "z.example.",
                "\\001.z.example.",
                "*.z.example.",
                "\\200.z.example."
            ]
        );
    }
}
