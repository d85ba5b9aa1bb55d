//! Tests of the DEFLATE decoder: streams from flate2 and from our encoder
//! inflate to their input; on thousands of mutated streams the decoder
//! gives flate2's verdict; and every refusal has a stream made by hand.

use std::io::Write as _;

use flate2::{Compression, Decompress, FlushDecompress, Status};

use super::{inflate, Error, Huffman, CODE_LENGTH_ORDER, DIST_SYMBOLS, FIXED, LITLEN_SYMBOLS};
use crate::saml::deflate::deflate;
use crate::saml::deflate::tests::{pseudo_random, AUTHN_REQUEST};

fn flate2_deflate(data: &[u8], level: u32) -> Vec<u8> {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), Compression::new(level));
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// flate2's verdict on `data`: the output and the input bytes the stream
/// used, or `None` for a refusal. `Finish` on the first call makes
/// miniz_oxide decode straight into `buf` and refuse distances before the
/// start of the output, as zlib does (its streaming mode reads zeros from a
/// cleared window instead). `buf` must hold any output `data` can give.
fn flate2_inflate(data: &[u8], buf: &mut [u8]) -> Option<(Vec<u8>, usize)> {
    let mut d = Decompress::new(false);
    match d.decompress(data, buf, FlushDecompress::Finish) {
        Ok(Status::StreamEnd) => Some((
            buf[..d.total_out() as usize].to_vec(),
            d.total_in() as usize,
        )),
        _ => None,
    }
}

/// The most a DEFLATE stream of `n` bytes can inflate to: 258 bytes for a
/// 1-bit length code and a 1-bit distance code.
fn most_output(n: usize) -> usize {
    n * 8 / 2 * 258 + 258
}

/// Our verdict in flate2's terms.
fn ours(data: &[u8], max: usize) -> Option<(Vec<u8>, usize)> {
    match inflate(data, max) {
        Ok(i) => Some((i.out, i.end)),
        Err(Error::TooLarge) => panic!("{} bytes inflate past {max}", data.len()),
        Err(_) => None,
    }
}

fn refusal(data: &[u8]) -> Error {
    match inflate(data, 1 << 20) {
        Ok(i) => panic!("accepted: {} bytes out", i.out.len()),
        Err(e) => e,
    }
}

/// Bit streams written by hand, packed least significant bit first
/// (§3.1.1).
#[derive(Default)]
struct Bits {
    bytes: Vec<u8>,
    n: usize,
}

impl Bits {
    fn bit(&mut self, bit: usize) {
        if self.n.is_multiple_of(8) {
            self.bytes.push(0);
        }
        if let Some(last) = self.bytes.last_mut() {
            *last |= ((bit & 1) as u8) << (self.n % 8);
        }
        self.n += 1;
    }

    /// A `count`-bit number, least significant bit first: header fields,
    /// extra bits.
    fn num(mut self, value: usize, count: usize) -> Self {
        (0..count).for_each(|i| self.bit(value >> i));
        self
    }

    /// A Huffman code, most significant bit first.
    fn code(mut self, code: usize, len: u8) -> Self {
        (0..len).rev().for_each(|i| self.bit(code >> i));
        self
    }

    /// A symbol of the fixed literal/length code (§3.2.6).
    fn fixed(self, sym: usize) -> Self {
        match sym {
            0..=143 => self.code(0x30 + sym, 8),
            144..=255 => self.code(0x190 + sym - 144, 9),
            256..=279 => self.code(sym - 256, 7),
            _ => self.code(0xc0 + sym - 280, 8),
        }
    }

    /// The header of a block: BFINAL, then BTYPE (§3.2.3).
    fn block(self, last: bool, btype: usize) -> Self {
        self.num(usize::from(last), 1).num(btype, 2)
    }

    /// A symbol of the code-length code that `dynamic` declares.
    fn cl(self, sym: usize) -> Self {
        self.code(canonical(&CL_LENGTHS)[sym], CL_LENGTHS[sym])
    }

    fn done(self) -> Vec<u8> {
        self.bytes
    }
}

/// The codes of the canonical Huffman code with these lengths (§3.2.2).
fn canonical(lengths: &[u8]) -> Vec<usize> {
    let mut count = [0; 16];
    lengths.iter().for_each(|&l| count[usize::from(l)] += 1);
    count[0] = 0;
    let mut next = [0; 16];
    for bits in 1..16 {
        next[bits] = (next[bits - 1] + count[bits - 1]) << 1;
    }
    lengths
        .iter()
        .map(|&l| {
            let code = next[usize::from(l)];
            next[usize::from(l)] += 1;
            code
        })
        .collect()
}

/// The code-length code of the hand-made dynamic blocks: lengths 0..=15
/// have 5-bit codes, the repeats 16, 17 and 18 have 2, 3 and 3 bits
/// (complete: 16/32 + 1/4 + 2/8).
const CL_LENGTHS: [u8; 19] = [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 2, 3, 3];

/// A final dynamic block's header declaring `hlit` literal/length and
/// `hdist` distance lengths (§3.2.7), up to its first code length.
fn dynamic(hlit: usize, hdist: usize) -> Bits {
    let mut b = Bits::default()
        .block(true, 2)
        .num(hlit - 257, 5)
        .num(hdist - 1, 5)
        .num(19 - 4, 4);
    for sym in CODE_LENGTH_ORDER {
        b = b.num(usize::from(CL_LENGTHS[sym]), 3);
    }
    b
}

/// A final dynamic block with these code lengths, each written as itself.
fn dynamic_with(litlen: &[u8], dist: &[u8]) -> Bits {
    litlen
        .iter()
        .chain(dist)
        .fold(dynamic(litlen.len(), dist.len()), |b, &l| {
            b.cl(usize::from(l))
        })
}

/// 257 literal/length lengths with `len` for each of `syms`.
fn litlen_lengths(syms: &[(usize, u8)]) -> Vec<u8> {
    let mut l = vec![0u8; 257];
    for &(sym, len) in syms {
        if sym >= l.len() {
            l.resize(sym + 1, 0);
        }
        l[sym] = len;
    }
    l
}

// ---- round trips ----

#[test]
fn streams_from_flate2_and_our_encoder_inflate_to_their_input() {
    // 64 KiB of text: matches as far back as the window, several blocks.
    let text = AUTHN_REQUEST.repeat(100);
    // Level 0 needs two stored blocks; the others find few matches.
    let random = pseudo_random(70_000, 7);
    // 20000 bytes three times: matches 20000 back, none 40000 back.
    let mut echo = pseudo_random(20_000, 8);
    echo.extend_from_within(..);
    echo.extend_from_within(..20_000);
    let inputs: [&[u8]; 7] = [
        b"",
        b"x",
        AUTHN_REQUEST.as_bytes(),
        text.as_bytes(),
        &random,
        &echo,
        &[b'z'; 100_000],
    ];
    for input in inputs {
        let mut streams = vec![("ours".to_string(), deflate(input))];
        for level in [0, 1, 6, 9] {
            streams.push((
                format!("flate2 level {level}"),
                flate2_deflate(input, level),
            ));
        }
        for (name, stream) in streams {
            let got = inflate(&stream, input.len())
                .unwrap_or_else(|e| panic!("{name}, {} bytes: {e}", input.len()));
            assert!(got.out == input, "{name}, {} bytes", input.len());
            assert_eq!(got.end, stream.len(), "{name}, {} bytes", input.len());
        }
    }
}

/// Two blocks, stored then fixed, the fixed one copying from the stored.
#[test]
fn blocks_follow_each_other_until_bfinal() {
    let mut s = vec![0b000, 3, 0, !3, !0];
    s.extend_from_slice(b"abc");
    // Length 4 (code 258) from distance 3 (code 2), then end of block.
    s.extend(
        Bits::default()
            .block(true, 1)
            .fixed(258)
            .code(2, 5)
            .fixed(256)
            .done(),
    );
    let got = inflate(&s, 100).unwrap();
    assert_eq!(got.out, b"abcabca");
    assert_eq!(got.end, s.len());
    assert_eq!(flate2_inflate(&s, &mut [0; 100]), Some((got.out, got.end)));
}

// ---- differential against flate2 on mutated streams ----

/// xorshift64: which bit, byte or length to mutate.
struct Xorshift(u64);

impl Xorshift {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

#[test]
fn mutated_streams_get_flate2s_verdict() {
    let request = AUTHN_REQUEST.as_bytes();
    let small = &request[..120];
    let mixed: Vec<u8> = pseudo_random(150, 5)
        .into_iter()
        .chain(AUTHN_REQUEST.bytes().take(200))
        .collect();
    let originals: Vec<(String, Vec<u8>)> = vec![
        ("ours, AuthnRequest".into(), deflate(request)),
        ("ours, random".into(), deflate(&pseudo_random(100, 3))),
        ("flate2 0, small".into(), flate2_deflate(small, 0)),
        ("flate2 1, AuthnRequest".into(), flate2_deflate(request, 1)),
        ("flate2 6, AuthnRequest".into(), flate2_deflate(request, 6)),
        ("flate2 9, mixed".into(), flate2_deflate(&mixed, 9)),
        ("flate2 6, small".into(), flate2_deflate(small, 6)),
    ];
    let longest = originals.iter().map(|(_, s)| s.len()).max().unwrap_or(0);
    let mut buf = vec![0u8; most_output(longest + 8)];
    let mut rng = Xorshift(0x5eed_1951);
    let (mut accepted, mut refused) = (0, 0);
    for (name, original) in &originals {
        let mut cases: Vec<(String, Vec<u8>)> = vec![];
        for cut in 0..original.len() {
            cases.push((format!("cut to {cut} bytes"), original[..cut].to_vec()));
        }
        for _ in 0..400 {
            let mut s = original.clone();
            let flips = 1 + rng.below(3);
            let mut what = vec![];
            for _ in 0..flips {
                let bit = rng.below(s.len() * 8);
                s[bit / 8] ^= 1 << (bit % 8);
                what.push(bit.to_string());
            }
            cases.push((format!("bits {} flipped", what.join(", ")), s));
        }
        // The block header and a dynamic block's counts.
        for _ in 0..50 {
            let mut s = original.clone();
            let bit = rng.below(24.min(s.len() * 8));
            s[bit / 8] ^= 1 << (bit % 8);
            cases.push((format!("bit {bit} flipped"), s));
        }
        for _ in 0..100 {
            let mut s = original.clone();
            let at = rng.below(s.len());
            s[at] = rng.below(256) as u8;
            cases.push((format!("byte {at} set to {}", s[at]), s));
        }
        for _ in 0..20 {
            let mut s = original.clone();
            let n = 1 + rng.below(3);
            s.extend((0..n).map(|_| rng.below(256) as u8));
            cases.push((format!("{n} bytes appended"), s));
        }
        for (what, case) in cases {
            let theirs = flate2_inflate(&case, &mut buf);
            let mine = ours(&case, buf.len());
            assert!(
                mine == theirs,
                "{name}, {what}: ours {:?}, flate2 {:?}; ours says {:?}",
                mine.as_ref().map(|(o, end)| (o.len(), end)),
                theirs.as_ref().map(|(o, end)| (o.len(), end)),
                inflate(&case, buf.len()).err()
            );
            if mine.is_some() {
                accepted += 1;
            } else {
                refused += 1;
            }
        }
    }
    // Not a vacuous agreement: many mutants decode, many do not.
    assert!(accepted > 1000 && refused > 2000, "{accepted} {refused}");
}

// ---- a stream for every refusal ----

#[test]
fn stored_blocks_check_len_against_nlen() {
    let ok = [0b001, 3, 0, !3, !0, b'a', b'b', b'c'];
    assert_eq!(inflate(&ok, 3).unwrap().out, b"abc");
    let bad = [0b001, 5, 0, 0xfa, 0xfe, 1, 2, 3, 4, 5];
    assert_eq!(
        refusal(&bad),
        Error::StoredLength {
            len: 5,
            nlen: 0xfefa
        }
    );
    // The block claims 3 bytes and carries 2.
    assert_eq!(refusal(&ok[..7]), Error::Truncated);
    // LEN and NLEN cut short.
    assert_eq!(refusal(&ok[..4]), Error::Truncated);
    for s in [&ok[..], &bad] {
        assert_eq!(flate2_inflate(s, &mut [0; 64]).is_some(), s == ok);
    }
}

#[test]
fn block_type_3_is_reserved() {
    assert_eq!(refusal(&[0b111, 0, 0]), Error::ReservedBlockType);
    assert_eq!(refusal(&[0b110, 0, 0]), Error::ReservedBlockType);
}

#[test]
fn the_code_length_code_must_be_complete() {
    let mut four_1_bit = Bits::default().block(true, 2).num(0, 5).num(0, 5).num(0, 4);
    for _ in 0..4 {
        four_1_bit = four_1_bit.num(1, 3);
    }
    assert_eq!(
        refusal(&four_1_bit.done()),
        Error::OverSubscribed(Huffman::CodeLength)
    );
    // One 1-bit code: zlib allows that for distances, never here.
    let one_1_bit = Bits::default()
        .block(true, 2)
        .num(0, 5)
        .num(0, 5)
        .num(0, 4)
        .num(1, 3)
        .num(0, 9)
        .num(0, 32)
        .done();
    assert_eq!(refusal(&one_1_bit), Error::Incomplete(Huffman::CodeLength));
    assert!(flate2_inflate(&one_1_bit, &mut [0; 64]).is_none());
}

#[test]
fn over_subscribed_and_incomplete_codes_are_refused_as_zlib_refuses_them() {
    // Three 1-bit literal/length codes; two 2-bit ones (half the space
    // unused); two 2-bit distance codes.
    let over = dynamic_with(&litlen_lengths(&[(0, 1), (1, 1), (256, 1)]), &[1]).done();
    let litlen_gap = dynamic_with(&litlen_lengths(&[(0, 2), (256, 2)]), &[1]).done();
    let both = litlen_lengths(&[(0, 1), (256, 1)]);
    let dist_gap = dynamic_with(&both, &[2, 2]).done();
    let dist_over = dynamic_with(&both, &[1, 1, 1]).done();
    for (s, want) in [
        (&over, Error::OverSubscribed(Huffman::LitLen)),
        (&litlen_gap, Error::Incomplete(Huffman::LitLen)),
        (&dist_gap, Error::Incomplete(Huffman::Distance)),
        (&dist_over, Error::OverSubscribed(Huffman::Distance)),
    ] {
        assert_eq!(refusal(s), want);
        assert!(flate2_inflate(s, &mut [0; 64]).is_none(), "{want}");
    }
}

#[test]
fn incomplete_codes_that_zlib_allows_are_allowed() {
    let mut buf = [0u8; 64];
    // A single 1-bit distance code: 'a', then 3 bytes from distance 1.
    let lit = litlen_lengths(&[(b'a'.into(), 1), (256, 2), (257, 2)]);
    let codes = canonical(&lit);
    let one_dist = dynamic_with(&lit, &[1])
        .code(codes[97], 1)
        .code(codes[257], 2)
        .code(0, 1)
        .code(codes[256], 2)
        .done();
    assert_eq!(inflate(&one_dist, 64).unwrap().out, b"aaaa");
    assert!(flate2_inflate(&one_dist, &mut buf).is_some());
    // The unused bit string of that distance code.
    let unused = dynamic_with(&lit, &[1])
        .code(codes[97], 1)
        .code(codes[257], 2)
        .code(1, 1)
        .code(codes[256], 2)
        .done();
    assert_eq!(refusal(&unused), Error::Unassigned(Huffman::Distance));
    assert!(flate2_inflate(&unused, &mut buf).is_none());

    // No distance code at all: fine for literals, refused at a length.
    let lit = litlen_lengths(&[(b'a'.into(), 2), (256, 2), (257, 1)]);
    let codes = canonical(&lit);
    let literals = dynamic_with(&lit, &[0])
        .code(codes[97], 2)
        .code(codes[256], 2)
        .done();
    assert_eq!(inflate(&literals, 64).unwrap().out, b"a");
    assert!(flate2_inflate(&literals, &mut buf).is_some());
    let length = dynamic_with(&lit, &[0])
        .code(codes[97], 2)
        .code(codes[257], 1)
        .code(0, 1)
        .code(codes[256], 2)
        .done();
    assert_eq!(refusal(&length), Error::Unassigned(Huffman::Distance));
    assert!(flate2_inflate(&length, &mut buf).is_none());

    // A literal/length code of one 1-bit code, the end of block.
    let only_end = dynamic_with(&litlen_lengths(&[(256, 1)]), &[0])
        .code(0, 1)
        .done();
    assert_eq!(inflate(&only_end, 64).unwrap().out, b"");
    assert!(flate2_inflate(&only_end, &mut buf).is_some());
}

#[test]
fn a_literal_length_code_needs_an_end_of_block() {
    let s = dynamic_with(&litlen_lengths(&[(0, 1), (1, 1)]), &[1]).done();
    assert_eq!(refusal(&s), Error::NoEndOfBlock);
    assert!(flate2_inflate(&s, &mut [0; 64]).is_none());
}

#[test]
fn at_most_286_literal_length_and_30_distance_codes() {
    for hlit in [287, 288] {
        let s = dynamic(hlit, 1).done();
        assert_eq!(refusal(&s), Error::TooManyLitLenCodes(hlit));
    }
    for hdist in [31, 32] {
        let s = dynamic(257, hdist).done();
        assert_eq!(refusal(&s), Error::TooManyDistCodes(hdist));
    }
    // 286 and 30 are fine.
    let mut lit = litlen_lengths(&[(256, 1), (285, 1)]);
    lit.resize(286, 0);
    let s = dynamic_with(&lit, &[0; 30]).code(0, 1).done();
    assert_eq!(inflate(&s, 64).unwrap().out, b"");
}

#[test]
fn code_length_repeats_need_a_previous_length_and_room() {
    // 16 (repeat the previous length 3 times) as the very first length.
    let s = dynamic(257, 1).cl(16).num(0, 2).done();
    assert_eq!(refusal(&s), Error::RepeatWithoutPrevious);
    assert!(flate2_inflate(&s, &mut [0; 64]).is_none());
    // 258 lengths declared; 18 gives 138 zeros twice (276).
    let s = dynamic(257, 1).cl(18).num(127, 7).cl(18).num(127, 7).done();
    assert_eq!(refusal(&s), Error::RepeatOverrun(258));
    assert!(flate2_inflate(&s, &mut [0; 64]).is_none());
    // A repeat may cross from the literal/length lengths into the
    // distance lengths: 256 zeros (138 + 118), then 1, and 16 repeats it
    // for 257 and distance codes 0 and 1.
    let s = dynamic(258, 2)
        .cl(18)
        .num(127, 7)
        .cl(18)
        .num(118 - 11, 7)
        .cl(1)
        .cl(16)
        .num(0, 2)
        // 'end of block' is the first 1-bit code.
        .code(0, 1)
        .done();
    assert_eq!(inflate(&s, 64).unwrap().out, b"");
    assert!(flate2_inflate(&s, &mut [0; 64]).is_some());
}

#[test]
fn fixed_blocks_refuse_the_symbols_without_meaning() {
    for sym in [286, 287] {
        let s = Bits::default().block(true, 1).fixed(sym).done();
        assert_eq!(refusal(&s), Error::InvalidLitLenSymbol(sym as u16));
        assert!(flate2_inflate(&s, &mut [0; 64]).is_none());
    }
    for sym in [30, 31] {
        // 'a', then length 3 from distance symbol 30 or 31.
        let s = Bits::default()
            .block(true, 1)
            .fixed(97)
            .fixed(257)
            .code(sym, 5)
            .fixed(256)
            .done();
        assert_eq!(refusal(&s), Error::InvalidDistanceSymbol(sym as u16));
        assert!(flate2_inflate(&s, &mut [0; 64]).is_none());
    }
}

#[test]
fn distances_reach_back_to_the_first_byte_and_no_further() {
    // 'a', then length 3 from distance 41 (code 10: 33 + 4 extra bits).
    let s = Bits::default()
        .block(true, 1)
        .fixed(97)
        .fixed(257)
        .code(10, 5)
        .num(8, 4)
        .fixed(256)
        .done();
    assert_eq!(refusal(&s), Error::DistanceTooFar(40));
    assert_eq!(
        Error::DistanceTooFar(40).to_string(),
        "a distance reaches 40 bytes before the start of the output"
    );
    assert!(flate2_inflate(&s, &mut [0; 64]).is_none());

    // The farthest distance, 32768 (code 29: 24577 + 8191), after 32768
    // stored bytes reaches the first; after 32767, one byte before it.
    let data = pseudo_random(32 * 1024, 4);
    for n in [32 * 1024, 32 * 1024 - 1] {
        let len = n as u16;
        let mut s = vec![0b000];
        s.extend(len.to_le_bytes());
        s.extend((!len).to_le_bytes());
        s.extend_from_slice(&data[..n]);
        s.extend(
            Bits::default()
                .block(true, 1)
                .fixed(257)
                .code(29, 5)
                .num(8191, 13)
                .fixed(256)
                .done(),
        );
        if n == 32 * 1024 {
            let out = inflate(&s, n + 3).unwrap().out;
            assert!(out[..n] == data[..] && out[n..] == data[..3]);
        } else {
            assert_eq!(refusal(&s), Error::DistanceTooFar(1));
        }
    }
}

#[test]
fn a_stream_must_reach_its_final_end_of_block() {
    assert_eq!(refusal(b""), Error::Truncated);
    // 'a' and no end of block; the byte's 5 spare bits are too few for
    // its 7 zero bits.
    let s = Bits::default().block(true, 1).fixed(97).done();
    assert_eq!(s.len(), 2);
    assert_eq!(refusal(&s), Error::Truncated);
    // A non-final block, then nothing.
    assert_eq!(refusal(&[0b000, 0, 0, 0xff, 0xff]), Error::Truncated);
    // Every prefix of a real stream, including those whose missing bits
    // would all be zeros.
    let d = deflate(AUTHN_REQUEST.as_bytes());
    for cut in 0..d.len() {
        assert_eq!(refusal(&d[..cut]), Error::Truncated, "cut at {cut}");
    }
    assert_eq!(
        Error::Truncated.to_string(),
        "the stream ends before its final block"
    );
}

#[test]
fn bytes_after_the_final_block_are_left_to_the_caller() {
    let d = deflate(b"hello");
    let mut s = d.clone();
    s.extend_from_slice(b"junk");
    let got = inflate(&s, 64).unwrap();
    assert_eq!((got.out.as_slice(), got.end), (&b"hello"[..], d.len()));
}

#[test]
fn output_stops_at_the_cap() {
    let literals = deflate(b"abcdefgh");
    let copy = deflate(&[b'z'; 300]);
    let mut stored = vec![0b001, 8, 0, !8, !0];
    stored.extend_from_slice(b"01234567");
    for (s, n) in [(&literals, 8), (&copy, 300), (&stored, 8)] {
        assert_eq!(inflate(s, n).unwrap().out.len(), n);
        assert_eq!(inflate(s, n - 1).unwrap_err(), Error::TooLarge);
    }
    assert_eq!(inflate(&deflate(b""), 0).unwrap().out, b"");
    assert_eq!(inflate(&deflate(b"a"), 0).unwrap_err(), Error::TooLarge);
}

/// Codes of up to 15 bits, longer than the first-level tables (9 bits for
/// literal/length, 8 for distance), decode through the slow path.
#[test]
fn codes_up_to_15_bits_decode() {
    // Literal/length lengths 1, 2, …, 15, 15 (complete): the end of block
    // and the length 3 code get the two longest.
    let mut syms: Vec<(usize, u8)> = (0..14)
        .map(|i| (usize::from(b'a') + i, i as u8 + 1))
        .collect();
    syms.extend([(256, 15), (257, 15)]);
    let lit = litlen_lengths(&syms);
    let lit_codes = canonical(&lit);
    // Distance lengths 1, 2, …, 14, 14: distance 1 (code 0) gets 14 bits.
    let mut dist: Vec<u8> = (1..=14).rev().collect();
    dist.insert(0, 14);
    let dist_codes = canonical(&dist);
    let mut b = dynamic_with(&lit, &dist);
    let mut want = vec![];
    for &(sym, len) in &syms[..14] {
        b = b.code(lit_codes[sym], len);
        want.push(sym as u8);
    }
    b = b.code(lit_codes[257], 15).code(dist_codes[0], 14);
    want.extend([want[13]; 3]);
    let s = b.code(lit_codes[256], 15).done();
    assert_eq!(inflate(&s, 64).unwrap().out, want);
    assert_eq!(flate2_inflate(&s, &mut [0; 64]), Some((want, s.len())));
}

/// Every symbol's fixed code (§3.2.6) decodes to that symbol.
#[test]
fn fixed_codes_build() {
    for (sym, want) in LITLEN_SYMBOLS.iter().enumerate() {
        let bits = Bits::default().fixed(sym).num(0, 16).done();
        let next = u64::from_le_bytes([bits[0], bits[1], bits[2], 0, 0, 0, 0, 0]);
        let e = FIXED.litlen.decode(next);
        let len = match sym {
            0..=143 | 280.. => 8,
            144..=255 => 9,
            _ => 7,
        };
        assert_eq!(
            (e.value, e.tag, e.bits),
            (want.value, want.tag, len),
            "{sym}"
        );
    }
    for sym in 0..32u64 {
        let e = FIXED
            .dist
            .decode(u64::from((sym as u8).reverse_bits() >> 3));
        let want = DIST_SYMBOLS[sym as usize];
        assert_eq!((e.value, e.tag, e.bits), (want.value, want.tag, 5), "{sym}");
    }
}
