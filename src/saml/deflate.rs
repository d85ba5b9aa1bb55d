//! Raw DEFLATE encoder (RFC 1951) for the Redirect binding: one final
//! block with the fixed Huffman codes (§3.2.6) and greedy LZ77 over a
//! 4096-entry table of last positions. The output depends on the input
//! only.
//!
//! It replaces a reused flate2 (miniz_oxide) encoder, whose `reset`
//! zeroed ~160 KiB of hash tables per message (evicting the CPU cache)
//! before it built dynamic Huffman tables. On a 645-byte AuthnRequest
//! (release, interleaved A/B): deflate 20 → 2.1 µs, `redirect_url` 21 →
//! 3.2 µs. The price is size: 434 bytes instead of 369, where zlib's
//! fixed-code output (lazy matching, hash chains) is 431.
//!
//! Decoding is our own too (`saml::inflate`, all three block types,
//! strict); the length and distance tables below serve both.

/// The farthest a match may reach back (§3.2.5: distances 1..=32768).
const WINDOW: usize = 32 * 1024;
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;
/// 4096 last positions, 16 KiB zeroed per call. 8192 gave the same
/// AuthnRequest output; 1024 cost 3 bytes of it.
const HASH_BITS: u32 = 12;

/// Length codes 257..=285: base length and extra bits (§3.2.5). Shared
/// with the decoder (`saml::inflate`).
pub(super) const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
pub(super) const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
/// Distance codes 0..=29: base distance and extra bits (§3.2.5). Shared
/// with the decoder.
pub(super) const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
pub(super) const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

/// Fixed literal/length codes (§3.2.6) as (code, bit count), the code's
/// bits reversed so the LSB-first writer sends its most significant bit
/// first (§3.1.1).
const FIXED_LITLEN: [(u16, u8); 288] = {
    let mut t = [(0u16, 0u8); 288];
    let mut sym: u16 = 0;
    while sym < 288 {
        let (code, len): (u16, u32) = match sym {
            0..=143 => (0x30 + sym, 8),
            144..=255 => (0x190 + sym - 144, 9),
            256..=279 => (sym - 256, 7),
            _ => (0xc0 + sym - 280, 8),
        };
        t[sym as usize] = ((code.reverse_bits() >> (16 - len)), len as u8);
        sym += 1;
    }
    t
};

/// Index into `LENGTH_BASE` for every match length, by `len - 3`.
const LENGTH_INDEX: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 29 {
        let first = LENGTH_BASE[i] as usize;
        // 258 has its own code (285), not 284's last extra value.
        let last = if i + 1 < 29 {
            LENGTH_BASE[i + 1] as usize - 1
        } else {
            MAX_MATCH
        };
        let mut len = first;
        while len <= last {
            t[len - MIN_MATCH] = i as u8;
            len += 1;
        }
        i += 1;
    }
    t
};

/// Raw DEFLATE of `data`: a single final block with fixed Huffman codes,
/// for any length (a block with Huffman codes has no size limit).
pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
    let mut w = BitWriter {
        out: Vec::with_capacity(data.len() / 2 + 16),
        acc: 0,
        n: 0,
    };
    // BFINAL = 1, BTYPE = 01 (fixed Huffman codes), §3.2.3.
    w.put(0b011, 3);
    lz77(data, &mut w);
    w.symbol(256);
    w.finish()
}

/// Where LZ77 sends its output: the bit writer, or a recorder in tests.
trait Sink {
    fn literal(&mut self, byte: u8);
    /// Copy `len` (3..=258) bytes from `dist` (1..=32768) back.
    fn copy(&mut self, len: usize, dist: usize);
}

/// Greedy LZ77: at each position the most recent earlier position with
/// the same 3-byte hash is the only candidate; it is taken when it lies
/// within the window and at least 3 bytes really match.
fn lz77(data: &[u8], sink: &mut impl Sink) {
    let mut head = [0u32; 1 << HASH_BITS];
    let mut pos = 0;
    while pos < data.len() {
        let rest = &data[pos..];
        let [a, b, c, ..] = *rest else {
            // Fewer than 3 bytes left: nothing to match.
            rest.iter().for_each(|&byte| sink.literal(byte));
            return;
        };
        let h = hash(a, b, c);
        // Empty slots name position 0, and positions are kept mod 2^32
        // (inputs over 4 GiB): either way the candidate is used only if
        // its bytes really match.
        let dist = (pos as u32).wrapping_sub(head[h]) as usize;
        head[h] = pos as u32;
        let len = match pos.checked_sub(dist) {
            Some(from) if (1..=WINDOW).contains(&dist) => match_len(&data[from..], rest),
            _ => 0,
        };
        if len < MIN_MATCH {
            sink.literal(a);
            pos += 1;
            continue;
        }
        sink.copy(len, dist);
        // Remember the positions inside the match too.
        for (p, w) in rest.windows(MIN_MATCH).enumerate().take(len).skip(1) {
            head[hash(w[0], w[1], w[2])] = (pos + p) as u32;
        }
        pos += len;
    }
}

fn hash(a: u8, b: u8, c: u8) -> usize {
    let key = u32::from_le_bytes([a, b, c, 0]);
    (key.wrapping_mul(0x9e37_79b1) >> (32 - HASH_BITS)) as usize
}

/// How many leading bytes `earlier` and `here` share, at most 258.
fn match_len(earlier: &[u8], here: &[u8]) -> usize {
    earlier
        .iter()
        .zip(here)
        .take(MAX_MATCH)
        .take_while(|(x, y)| x == y)
        .count()
}

/// LSB-first bit packing (§3.1.1).
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    /// Bits pending in `acc`, always < 32 between calls.
    n: u32,
}

impl BitWriter {
    /// Appends the low `len` (≤ 32) bits of `bits`, least significant first.
    fn put(&mut self, bits: u32, len: u32) {
        self.acc |= u64::from(bits) << self.n;
        self.n += len;
        if self.n >= 32 {
            self.out.extend_from_slice(&(self.acc as u32).to_le_bytes());
            self.acc >>= 32;
            self.n -= 32;
        }
    }

    fn symbol(&mut self, sym: usize) {
        let (code, len) = FIXED_LITLEN[sym];
        self.put(u32::from(code), u32::from(len));
    }

    fn finish(mut self) -> Vec<u8> {
        let tail = self.acc.to_le_bytes();
        self.out
            .extend_from_slice(&tail[..self.n.div_ceil(8) as usize]);
        self.out
    }
}

impl Sink for BitWriter {
    fn literal(&mut self, byte: u8) {
        self.symbol(usize::from(byte));
    }

    fn copy(&mut self, len: usize, dist: usize) {
        let li = usize::from(LENGTH_INDEX[len - MIN_MATCH]);
        self.symbol(257 + li);
        let extra = len - usize::from(LENGTH_BASE[li]);
        self.put(extra as u32, u32::from(LENGTH_EXTRA[li]));
        // dist ≥ 1 = DIST_BASE[0], so the partition point is ≥ 1.
        let di = DIST_BASE.partition_point(|&b| usize::from(b) <= dist) - 1;
        // Distance codes are 5 bits, sent most significant bit first.
        self.put((di as u32).reverse_bits() >> 27, 5);
        let extra = dist - usize::from(DIST_BASE[di]);
        self.put(extra as u32, u32::from(DIST_EXTRA[di]));
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeSet;
    use std::io::Read;

    use super::{deflate, lz77, Sink, MAX_MATCH, MIN_MATCH, WINDOW};
    use crate::saml::binding::inflate;

    /// An AuthnRequest as `build_authn_request` writes it (645 bytes).
    pub(crate) const AUTHN_REQUEST: &str = concat!(
        "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ",
        "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ",
        "ID=\"_3f9c2a7b1e4d8065a1c3b5d7e9f0a2c4b6d8e0f1\" Version=\"2.0\" ",
        "IssueInstant=\"2025-03-14T09:26:53Z\" ",
        "Destination=\"https://idp.okta.example.com/app/acme_ssosim_1/exk1a2b3c4d5e6f7g8h9/sso/saml\" ",
        "AssertionConsumerServiceURL=\"https://sp.acme-corp.example.com/saml/acs\" ",
        "ProtocolBinding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\">",
        "<saml:Issuer>https://sp.acme-corp.example.com/saml/metadata</saml:Issuer>",
        "<samlp:NameIDPolicy Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\" ",
        "AllowCreate=\"true\"/></samlp:AuthnRequest>",
    );

    /// LCG bytes: every value occurs, repeats are short and rare.
    pub(crate) fn pseudo_random(len: usize, seed: u32) -> Vec<u8> {
        let mut x = seed;
        (0..len)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                (x >> 16) as u8
            })
            .collect()
    }

    /// Deflates `data` and checks that flate2's decoder (independent of
    /// this encoder) and `binding::inflate` both give it back.
    fn round_trip(data: &[u8]) -> Vec<u8> {
        let d = deflate(data);
        let mut back = Vec::new();
        flate2::read::DeflateDecoder::new(&d[..])
            .read_to_end(&mut back)
            .expect("flate2 inflates it");
        assert!(back == data, "flate2 round trip of {} bytes", data.len());
        let back = inflate(&d, data.len()).expect("binding::inflate accepts it");
        assert!(back == data, "inflate round trip of {} bytes", data.len());
        d
    }

    /// What LZ77 chose: literal count and every (length, distance).
    #[derive(Default)]
    struct Tokens {
        literals: usize,
        copies: Vec<(usize, usize)>,
    }

    impl Sink for Tokens {
        fn literal(&mut self, _: u8) {
            self.literals += 1;
        }
        fn copy(&mut self, len: usize, dist: usize) {
            self.copies.push((len, dist));
        }
    }

    fn tokens(data: &[u8]) -> Tokens {
        let mut t = Tokens::default();
        lz77(data, &mut t);
        t
    }

    #[test]
    fn round_trips_through_flate2_and_inflate() {
        let random = pseudo_random(70_000, 7);
        // Bytes 144..=255 have 9-bit codes (§3.2.6).
        assert_eq!(random.iter().collect::<BTreeSet<_>>().len(), 256);
        let many = AUTHN_REQUEST.repeat(300);
        let long = AUTHN_REQUEST.repeat(10 * 1024 * 1024 / AUTHN_REQUEST.len() + 1);
        let inputs: [&[u8]; 7] = [
            b"",
            b"x",
            AUTHN_REQUEST.as_bytes(),
            many.as_bytes(),
            &random,
            &[b'z'; 100_000],
            long.as_bytes(),
        ];
        for input in inputs {
            round_trip(input);
        }
    }

    /// Bit strings written out from the tables of RFC 1951 §3.2.5–3.2.6 and
    /// checked with Python's `zlib.decompressobj(-15)`.
    #[test]
    fn small_inputs_give_the_hand_encoded_bytes() {
        // 1 (BFINAL), 10 (BTYPE=01, LSB first), 0000000 (EOB).
        assert_eq!(deflate(b""), [0x03, 0x00]);
        // 'a' = 0x61 has the 8-bit code 0x91 = 10010001.
        assert_eq!(deflate(b"a"), [0x4b, 0x04, 0x00]);
        // 0xff has the 9-bit code 111111111.
        assert_eq!(deflate(&[0xff]), [0xfb, 0x0f, 0x00]);
        // 'a', then length 3 (code 257 = 0000001) from distance 1 (00000).
        assert_eq!(deflate(b"aaaa"), [0x4b, 0x04, 0x02, 0x00]);
        // 'a', then length 258 (code 285 = 11000101) from distance 1.
        assert_eq!(deflate(&[b'a'; 259]), [0x4b, 0x1c, 0x05, 0x00]);
        // Six literals, then length 5 (code 259 = 0000011) from distance 6
        // (code 4 = 00100, one extra bit: 1).
        assert_eq!(
            deflate(b"abcdeXabcde"),
            [0x4b, 0x4c, 0x4a, 0x4e, 0x49, 0x8d, 0x00, 0x93, 0x00]
        );
    }

    /// 32768 bytes whose 3-byte substrings are all distinct: 16384 pairs
    /// (hi, lo) counting up, hi in 0..128 and lo in 128..256.
    fn distinct_triples() -> Vec<u8> {
        (0..16384u16)
            .flat_map(|k| [(k >> 7) as u8, 128 | (k & 127) as u8])
            .collect()
    }

    #[test]
    fn every_match_length_occurs_and_round_trips() {
        // For each length L a run of L + 1 bytes, each run of its own byte
        // value: one literal, then L bytes from distance 1.
        let mut data = Vec::new();
        for (len, byte) in (MIN_MATCH..=MAX_MATCH).zip(0..=u8::MAX) {
            data.resize(data.len() + len + 1, byte);
        }
        let t = tokens(&data);
        assert_eq!(t.literals, MAX_MATCH - MIN_MATCH + 1);
        let expected: Vec<(usize, usize)> = (MIN_MATCH..=MAX_MATCH).map(|l| (l, 1)).collect();
        assert_eq!(t.copies, expected);
        round_trip(&data);
    }

    #[test]
    fn distances_reach_exactly_the_window() {
        // A run of one byte: distance 1, length 258.
        let t = tokens(&[b'z'; 100_000]);
        assert_eq!(t.literals, 1);
        let (last, full) = t.copies.split_last().unwrap();
        assert!(full.iter().all(|&c| c == (MAX_MATCH, 1)));
        assert_eq!(*last, (99_999 % MAX_MATCH, 1));

        // 600 bytes with no repeated 3 bytes and no zero, zeros, then the
        // 600 bytes again starting exactly 32768 bytes after the first.
        let part = &distinct_triples()[1000..1600];
        let mut data = part.to_vec();
        data.resize(WINDOW, 0);
        data.extend_from_slice(part);
        let t = tokens(&data);
        assert!(t.copies.contains(&(MAX_MATCH, WINDOW)));
        assert!(t
            .copies
            .iter()
            .all(|&(_, dist)| dist == 1 || dist == WINDOW));
        round_trip(&data);

        // One zero more: the repeat is out of reach and goes as literals.
        let mut data = part.to_vec();
        data.resize(WINDOW + 1, 0);
        data.extend_from_slice(part);
        let t = tokens(&data);
        assert_eq!(t.literals, 2 * part.len() + 1);
        assert!(t.copies.iter().all(|&(_, dist)| dist == 1));
        round_trip(&data);
    }

    #[test]
    fn repeats_farther_than_the_window_are_not_matched() {
        // Twice, one zero apart, so every repeat is 32769 bytes back.
        let block = distinct_triples();
        let mut data = block.clone();
        data.push(0);
        data.extend_from_slice(&block);
        let t = tokens(&data);
        assert!(
            t.copies.is_empty(),
            "{:?}",
            &t.copies[..t.copies.len().min(5)]
        );
        // Literals only: 8 bits for bytes below 144, 9 above, 3 + 7 for
        // the block header and EOB.
        let bits: usize = 10
            + data
                .iter()
                .map(|&b| if b < 144 { 8 } else { 9 })
                .sum::<usize>();
        assert_eq!(round_trip(&data).len(), bits.div_ceil(8));
    }

    #[test]
    fn an_authn_request_compresses() {
        let d = round_trip(AUTHN_REQUEST.as_bytes());
        // Measured: 645 → 434 bytes (0.67). zlib's fixed-code output is 431
        // bytes, its default (dynamic codes) 369.
        assert!(
            d.len() * 100 < AUTHN_REQUEST.len() * 72,
            "{} bytes",
            d.len()
        );
        // Repeats compress far better. Measured: 193500 → 5367 bytes.
        let many = AUTHN_REQUEST.repeat(300);
        assert!(round_trip(many.as_bytes()).len() * 25 < many.len());
    }

    #[test]
    fn same_input_same_bytes() {
        for input in [AUTHN_REQUEST.as_bytes().to_vec(), pseudo_random(70_000, 3)] {
            assert_eq!(deflate(&input), deflate(&input));
        }
    }
}
