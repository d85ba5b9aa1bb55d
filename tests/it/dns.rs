//! The mock DNS, proved against BIND and through real sockets: the zone
//! corpus in `fixtures/dns/zones` must print exactly as `named-compilezone`
//! printed it, the bad corpus must be refused, and the server and resolver
//! must honour propagation delays, negative answers and truncation.

use std::path::{Path, PathBuf};

use crate::fuzz_support::Xorshift;
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

// ---------------------------------------------------------------------
// The server and resolver, over real sockets on 127.0.0.1.
// ---------------------------------------------------------------------

mod live {
    use std::net::SocketAddr;
    use std::str::FromStr;
    use std::time::Duration;

    use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query, ResponseCode};
    use hickory_proto::rr::{Name, RData, RecordType};
    use ssosim::dns::{parse_zone, DnsError, MockDns, Resolver, Transport, TxtLookup};
    use ssosim::sim::{Clock, DEFAULT_EPOCH};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    const MIN: Duration = Duration::from_secs(60);

    const ACME: &str = "\
$ORIGIN acme.test.
$TTL 300
@ SOA ns1 hostmaster 1 3600 600 604800 60
@ NS ns1
ns1 A 127.0.0.1
www A 127.0.0.2
_acme-challenge.sso TXT \"verification_token=tok_sub\"
";

    async fn world() -> (MockDns, Resolver, Clock) {
        let clock = Clock::new(DEFAULT_EPOCH);
        let dns = MockDns::start(clock.clone()).await.unwrap();
        dns.add_zone(parse_zone(ACME, "acme.zone").unwrap());
        let resolver = Resolver::new(dns.addr());
        (dns, resolver, clock)
    }

    fn strings(lookup: TxtLookup) -> Vec<Vec<String>> {
        match lookup {
            TxtLookup::Records(rs) => rs
                .into_iter()
                .map(|r| {
                    r.into_iter()
                        .map(|s| String::from_utf8(s).unwrap())
                        .collect()
                })
                .collect(),
            other => panic!("expected records, got {other:?}"),
        }
    }

    /// Sends one query by hand, so a test can look at header bits.
    async fn raw_query(
        server: SocketAddr,
        name: &str,
        qtype: RecordType,
        tcp: bool,
        edns: Option<u16>,
    ) -> Message {
        let mut msg = Message::new(4242, MessageType::Query, OpCode::Query);
        msg.add_query(Query::query(Name::from_str(name).unwrap(), qtype));
        if let Some(payload) = edns {
            let mut e = Edns::new();
            e.set_max_payload(payload);
            msg.set_edns(e);
        }
        let bytes = msg.to_vec().unwrap();
        let reply = if tcp {
            let mut s = tokio::net::TcpStream::connect(server).await.unwrap();
            s.write_all(&(bytes.len() as u16).to_be_bytes())
                .await
                .unwrap();
            s.write_all(&bytes).await.unwrap();
            let mut len = [0u8; 2];
            s.read_exact(&mut len).await.unwrap();
            let mut buf = vec![0u8; u16::from_be_bytes(len) as usize];
            s.read_exact(&mut buf).await.unwrap();
            buf
        } else {
            let s = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
            s.send_to(&bytes, server).await.unwrap();
            let mut buf = vec![0u8; 65535];
            let (n, _) = tokio::time::timeout(Duration::from_secs(5), s.recv_from(&mut buf))
                .await
                .expect("the mock answers a local query")
                .unwrap();
            buf.truncate(n);
            buf
        };
        Message::from_vec(&reply).unwrap()
    }

    #[tokio::test]
    async fn record_invisible_until_propagation_delay_passes() {
        let (dns, resolver, clock) = world().await;
        dns.publish_txt(
            "acme.test",
            vec![b"verification_token=abc".to_vec()],
            300,
            10 * MIN,
        )
        .unwrap();
        assert_eq!(
            resolver.lookup_txt("acme.test").await.unwrap(),
            TxtLookup::NoData
        );
        clock.advance(10 * MIN - Duration::from_millis(1));
        assert_eq!(
            resolver.lookup_txt("acme.test").await.unwrap(),
            TxtLookup::NoData
        );
        clock.advance(Duration::from_millis(1));
        assert_eq!(
            strings(resolver.lookup_txt("acme.test").await.unwrap()),
            vec![vec!["verification_token=abc"]]
        );
        dns.shutdown().await;
    }

    #[tokio::test]
    async fn removed_record_lingers_until_withdrawal_propagates() {
        let (dns, resolver, clock) = world().await;
        dns.publish_txt(
            "_acme-challenge.acme.test.",
            vec![b"verification_token=t1".to_vec()],
            60,
            Duration::ZERO,
        )
        .unwrap();
        clock.advance(5 * MIN);
        let removed = dns
            .withdraw_txt("_acme-challenge.acme.test", clock.elapsed() + 15 * MIN)
            .unwrap();
        assert_eq!(removed, 1);
        clock.advance(15 * MIN - Duration::from_millis(1));
        assert_eq!(
            strings(
                resolver
                    .lookup_txt("_acme-challenge.acme.test")
                    .await
                    .unwrap()
            ),
            vec![vec!["verification_token=t1"]]
        );
        clock.advance(Duration::from_millis(1));
        // The only record at the name is gone, so the name is gone too.
        assert_eq!(
            resolver
                .lookup_txt("_acme-challenge.acme.test")
                .await
                .unwrap(),
            TxtLookup::NxDomain
        );
        // Withdrawing again touches nothing that is still to disappear later.
        assert_eq!(
            dns.withdraw_txt("_acme-challenge.acme.test", clock.elapsed() + MIN)
                .unwrap(),
            0
        );
        dns.shutdown().await;
    }

    #[tokio::test]
    async fn answer_over_512_bytes_is_truncated_over_udp_and_complete_over_tcp() {
        let (dns, resolver, _clock) = world().await;
        let mut expected = Vec::new();
        for i in 0..6 {
            let s = format!("{i}-{}", "x".repeat(200)).into_bytes();
            dns.publish_txt(
                "big.acme.test",
                vec![s.clone(), s.clone()],
                300,
                Duration::ZERO,
            )
            .unwrap();
            expected.push(vec![s.clone(), s]);
        }
        dns.take_log();
        let got = match resolver.lookup_txt("big.acme.test").await.unwrap() {
            TxtLookup::Records(mut rs) => {
                rs.sort();
                rs
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(got, expected);
        let log = dns.take_log();
        let summary: Vec<(Transport, bool, usize)> = log
            .iter()
            .map(|e| (e.transport, e.truncated, e.answers.len()))
            .collect();
        assert_eq!(
            summary,
            vec![(Transport::Udp, true, 6), (Transport::Tcp, false, 6)]
        );

        // By hand: TC set over UDP without EDNS (≤ 512 octets), not with a
        // large EDNS payload, and never over TCP.
        let udp = raw_query(dns.addr(), "big.acme.test.", RecordType::TXT, false, None).await;
        assert!(udp.metadata.truncation && udp.metadata.authoritative);
        assert!(udp.to_vec().unwrap().len() <= 512);
        let udp_edns = raw_query(
            dns.addr(),
            "big.acme.test.",
            RecordType::TXT,
            false,
            Some(4096),
        )
        .await;
        assert!(!udp_edns.metadata.truncation);
        assert_eq!(udp_edns.answers.len(), 6);
        let tcp = raw_query(dns.addr(), "big.acme.test.", RecordType::TXT, true, None).await;
        assert!(!tcp.metadata.truncation);
        assert_eq!(tcp.answers.len(), 6);
        dns.shutdown().await;
    }

    #[tokio::test]
    async fn names_outside_zones_are_refused() {
        let (dns, resolver, _clock) = world().await;
        match resolver.lookup_txt("example.org").await {
            Err(DnsError::Refused { name }) => assert_eq!(name, "example.org"),
            other => panic!("{other:?}"),
        }
        let raw = raw_query(dns.addr(), "evil.example.", RecordType::TXT, false, None).await;
        assert_eq!(raw.metadata.response_code, ResponseCode::Refused);
        assert!(!raw.metadata.authoritative);
        assert!(raw.answers.is_empty() && raw.authorities.is_empty());
        // Publishing outside every zone is a scenario error, said plainly.
        let err = dns
            .publish_txt("other.test", vec![b"x".to_vec()], 60, Duration::ZERO)
            .unwrap_err();
        assert!(matches!(err, DnsError::NotInAnyZone { .. }));
        assert_eq!(
            err.to_string(),
            "other.test is not inside any zone the mock DNS serves; declare its zone first"
        );
        dns.shutdown().await;
    }

    #[tokio::test]
    async fn nxdomain_vs_nodata() {
        let (dns, resolver, clock) = world().await;
        // A name with other data: NODATA.
        assert_eq!(
            resolver.lookup_txt("www.acme.test").await.unwrap(),
            TxtLookup::NoData
        );
        // An empty non-terminal (only _acme-challenge.sso exists below it): NODATA.
        assert_eq!(
            resolver.lookup_txt("sso.acme.test").await.unwrap(),
            TxtLookup::NoData
        );
        // Nothing at all: NXDOMAIN.
        assert_eq!(
            resolver.lookup_txt("nope.acme.test").await.unwrap(),
            TxtLookup::NxDomain
        );
        // Only a record still propagating: the name does not exist yet.
        dns.publish_txt("soon.acme.test", vec![b"x".to_vec()], 60, 10 * MIN)
            .unwrap();
        assert_eq!(
            resolver.lookup_txt("soon.acme.test").await.unwrap(),
            TxtLookup::NxDomain
        );
        clock.advance(10 * MIN);
        assert!(matches!(
            resolver.lookup_txt("soon.acme.test").await.unwrap(),
            TxtLookup::Records(_)
        ));

        // Negative answers are authoritative and carry the SOA, whose TTL is
        // min(SOA TTL, MINIMUM) (RFC 2308 §3).
        for (name, rcode) in [
            ("nope.acme.test.", ResponseCode::NXDomain),
            ("www.acme.test.", ResponseCode::NoError),
        ] {
            for tcp in [false, true] {
                let m = raw_query(dns.addr(), name, RecordType::TXT, tcp, None).await;
                assert_eq!(m.metadata.response_code, rcode, "{name}");
                assert!(m.metadata.authoritative, "{name}");
                assert!(m.answers.is_empty());
                assert_eq!(m.authorities.len(), 1);
                assert!(matches!(m.authorities[0].data, RData::SOA(_)));
                assert_eq!(m.authorities[0].ttl, 60);
            }
        }
        let log = dns.take_log();
        let rcodes: Vec<&str> = log.iter().take(3).map(|e| e.rcode.as_str()).collect();
        assert_eq!(rcodes, ["NOERROR", "NOERROR", "NXDOMAIN"]);
        dns.shutdown().await;
    }

    #[tokio::test]
    async fn multiple_txt_records_at_one_name() {
        let (dns, resolver, _clock) = world().await;
        dns.publish_txt(
            "acme.test",
            vec![b"google-site-verification=g1".to_vec()],
            300,
            Duration::ZERO,
        )
        .unwrap();
        dns.publish_txt("acme.test", vec![b"MS=ms123".to_vec()], 300, Duration::ZERO)
            .unwrap();
        dns.publish_txt(
            "acme.test",
            vec![b"verification_token=".to_vec(), b"abc".to_vec()],
            300,
            Duration::ZERO,
        )
        .unwrap();
        let mut got = strings(resolver.lookup_txt("acme.test").await.unwrap());
        got.sort();
        assert_eq!(
            got,
            vec![
                vec!["MS=ms123".to_string()],
                vec!["google-site-verification=g1".to_string()],
                vec!["verification_token=".to_string(), "abc".to_string()],
            ]
        );
        let log = dns.take_log();
        assert_eq!(log.len(), 1);
        let e = &log[0];
        assert_eq!(
            (e.qname.as_str(), e.qtype.as_str(), e.rcode.as_str()),
            ("acme.test.", "TXT", "NOERROR")
        );
        assert!(
            e.answers
                .contains(&"\"verification_token=\" \"abc\"".to_string()),
            "{:?}",
            e.answers
        );
        assert_eq!(e.transport, Transport::Udp);
        assert!(!e.truncated);
        dns.shutdown().await;
    }

    #[tokio::test]
    async fn empty_zone_answers_soa_and_ns() {
        let clock = Clock::new(DEFAULT_EPOCH);
        let dns = MockDns::start(clock).await.unwrap();
        dns.add_empty_zone("globex.test").unwrap();
        let m = raw_query(dns.addr(), "globex.test.", RecordType::SOA, false, None).await;
        assert!(m.metadata.authoritative);
        assert_eq!(m.answers.len(), 1);
        let m = raw_query(dns.addr(), "globex.test.", RecordType::NS, true, None).await;
        assert_eq!(m.answers.len(), 1);
        let resolver = Resolver::new(dns.addr());
        dns.publish_txt(
            "_acme-challenge.globex.test",
            vec![b"t".to_vec()],
            60,
            Duration::ZERO,
        )
        .unwrap();
        assert!(matches!(
            resolver
                .lookup_txt("_acme-challenge.globex.test")
                .await
                .unwrap(),
            TxtLookup::Records(_)
        ));
        dns.shutdown().await;
    }
}
