//! Zones printed the way BIND prints them: the "full" master-file style of
//! `named-compilezone -o -`, byte for byte (tabs and spaces included), so
//! that the parser can be proved against BIND by comparing text.

use super::rdata::type_mnemonic;
use super::zone::Zone;

impl Zone {
    /// The zone in the text form `named-compilezone -o - ORIGIN FILE` prints
    /// (BIND's "full" master-file style): one record per line, absolute
    /// names, names in canonical order, SOA then NS then by type number, and
    /// columns made of tabs and spaces exactly as BIND's `indent()` makes
    /// them (TTL at column 46, rdata at 64, 8-column tabs).
    pub fn to_bind_text(&self) -> String {
        let mut out = String::new();
        for set in self.rrsets() {
            for rd in &set.rdatas {
                let mut line = String::new();
                let mut col = 0usize;
                let owner = set.owner.to_string();
                line.push_str(&owner);
                col += owner.chars().count();
                indent(&mut line, &mut col, 46);
                let ttl = set.ttl.to_string();
                line.push_str(&ttl);
                col += ttl.len();
                indent(&mut line, &mut col, 46);
                line.push_str("IN");
                col += 2;
                indent(&mut line, &mut col, 46);
                let ty = type_mnemonic(set.rtype);
                line.push_str(&ty);
                col += ty.len();
                indent(&mut line, &mut col, 64);
                line.push_str(&rd.to_string());
                out.push_str(&line);
                out.push('\n');
            }
        }
        out
    }
}

/// BIND masterdump.c `indent()`: at least one blank; tabs to each 8-column
/// stop up to `to`, then spaces.
fn indent(line: &mut String, col: &mut usize, to: usize) {
    let to = to.max(*col + 1);
    let tabs = to / 8 - *col / 8;
    let mut from = *col;
    if tabs > 0 {
        line.extend(std::iter::repeat_n('\t', tabs));
        from = (to / 8) * 8;
    }
    line.extend(std::iter::repeat_n(' ', to - from));
    *col = to;
}
