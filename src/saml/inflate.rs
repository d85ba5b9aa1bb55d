//! Raw DEFLATE decoder (RFC 1951) for the Redirect binding (and the
//! transcript peek and `saml inspect`): stored, fixed and dynamic Huffman
//! blocks, strict, with the output capped.
//!
//! It judges untrusted input (every SP's HTTP-Redirect AuthnRequest), so
//! it follows zlib's rules, and a differential test against flate2
//! (miniz_oxide) pins the same verdicts (accept or refuse; the reason
//! named may differ) on thousands of mutated streams:
//! - a stored block's LEN must be the complement of NLEN (§3.2.4); block
//!   type 3 is reserved (§3.2.3);
//! - a dynamic block declares at most 286 literal/length and 30 distance
//!   codes; a code-length repeat (16) needs a previous length and no
//!   repeat runs past the declared count (§3.2.7);
//! - a code set may not be over-subscribed. It may be incomplete only as
//!   zlib's `inftrees.c` allows: a literal/length or distance code with no
//!   code or one 1-bit code (and the literal/length code must hold the
//!   end of block, so that leaves an empty or one-code distance tree);
//! - symbols 286 and 287, distances 30 and 31 (reachable in fixed blocks
//!   only) and distances before the start of the output are refused;
//! - every block ends with its end-of-block code and the last one has
//!   BFINAL set; what follows the final block is the caller's to judge
//!   ([`Inflated::end`]).
//!
//! The output is the window: a match copies from the `Vec` being written,
//! so there is no 32 KiB ring buffer and nothing is zeroed per call. The
//! output never passes `max` bytes; the call stops with [`Error::TooLarge`]
//! as soon as it would. Nothing else is allocated; it never panics and
//! always ends (every step uses up input, and reading past the end is the
//! end).
//!
//! Decoding is table-driven: a 64-bit bit buffer refilled eight bytes at
//! a time, a 9-bit first-level table for literal/length codes and an 8-bit
//! one for distances; the rare longer codes are decoded canonically
//! (§3.2.2) from counts per length. The fixed-code tables (§3.2.6) are
//! built once per process; a dynamic block builds its own.
//!
//! It replaces a reused flate2 (miniz_oxide) decoder, whose `reset` zeroed
//! a 32 KiB window and ~10 KiB of tables per message, more than inflating
//! an AuthnRequest costs. On the 645-byte AuthnRequest (release,
//! interleaved rounds; callgrind instructions per call): our encoder's
//! 434-byte fixed-code stream 3.5 → 1.25 µs (72.0k → 15.3k), zlib's
//! default 369-byte dynamic stream 3.8 → 2.8 µs (74.8k → 35.2k). Unlike
//! that streaming decoder, it also refuses distances that reach before
//! the start of the output (miniz read zeros from its cleared window).

use std::fmt;
use std::sync::LazyLock;

use super::deflate::{DIST_BASE, DIST_EXTRA, LENGTH_BASE, LENGTH_EXTRA};

/// A decoded stream.
#[derive(Debug)]
pub(crate) struct Inflated {
    pub out: Vec<u8>,
    /// Input bytes the stream took, up to and including the byte that holds
    /// the final block's last bit. Whatever follows is not DEFLATE.
    pub end: usize,
}

/// Why a stream was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Error {
    /// The output would pass `max` bytes.
    #[error("the output passes the size limit")]
    TooLarge,
    #[error("the stream ends before its final block")]
    Truncated,
    #[error("a block has the reserved type 3")]
    ReservedBlockType,
    #[error("a stored block's LEN ({len}) is not the complement of its NLEN ({nlen:#06x})")]
    StoredLength { len: u16, nlen: u16 },
    #[error("a dynamic block declares {0} literal/length codes, and at most 286 exist")]
    TooManyLitLenCodes(usize),
    #[error("a dynamic block declares {0} distance codes, and at most 30 exist")]
    TooManyDistCodes(usize),
    #[error("the first code length repeats the previous one (code 16), and there is none")]
    RepeatWithoutPrevious,
    #[error("a code-length repeat runs past the {0} code lengths the block declares")]
    RepeatOverrun(usize),
    #[error("the {0} is over-subscribed (more codes than its lengths leave room for)")]
    OverSubscribed(Huffman),
    #[error("the {0} is incomplete (some bit strings decode to no symbol)")]
    Incomplete(Huffman),
    #[error("the literal/length code has no end-of-block symbol (256)")]
    NoEndOfBlock,
    #[error("a {0} decodes to no symbol")]
    Unassigned(Huffman),
    #[error("literal/length symbol {0} does not exist (the last is 285)")]
    InvalidLitLenSymbol(u16),
    #[error("distance symbol {0} does not exist (the last is 29)")]
    InvalidDistanceSymbol(u16),
    #[error("a distance reaches {0} bytes before the start of the output")]
    DistanceTooFar(usize),
}

/// The three Huffman codes of §3.2.7, for error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Huffman {
    CodeLength,
    LitLen,
    Distance,
}

impl fmt::Display for Huffman {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Huffman::CodeLength => "code-length code",
            Huffman::LitLen => "literal/length code",
            Huffman::Distance => "distance code",
        })
    }
}

/// Inflates the raw DEFLATE stream at the start of `data` into at most
/// `max` bytes.
pub(crate) fn inflate(data: &[u8], max: usize) -> Result<Inflated, Error> {
    let mut d = Decoder {
        input: Input {
            data,
            pos: 0,
            bits: 0,
            nbits: 0,
            padded: 0,
        },
        // An AuthnRequest inflates to about 1.5 times its DEFLATE size;
        // room for 4 times, so that most messages never grow the output.
        output: Output::new(data.len().saturating_mul(4).max(256), max),
    };
    let verdict = d.blocks();
    // Whatever went wrong in the zeros read past the end, the stream was
    // cut short.
    if d.input.overran() {
        return Err(Error::Truncated);
    }
    verdict?;
    Ok(Inflated {
        end: d.input.used(),
        out: d.output.out,
    })
}

/// One slot of a first-level table: what a code starting with the slot's
/// bits decodes to.
#[derive(Clone, Copy, Debug)]
struct Entry {
    /// A literal byte or code-length symbol, a base length or distance, or
    /// the number of a symbol that does not exist.
    value: u16,
    /// The code's length in bits.
    bits: u8,
    /// What `value` is: `0..=13`, a base length or distance followed by
    /// that many extra bits; otherwise one of the tags below.
    tag: u8,
}

/// `value` is the symbol itself: a literal byte, or a code-length symbol.
const SYMBOL: u8 = 16;
const END_OF_BLOCK: u8 = 17;
/// A symbol RFC 1951 reserves (literal/length 286 and 287, distance 30
/// and 31); `value` is its number.
const INVALID: u8 = 18;
/// The code is longer than the first-level table's bits.
const LONGER: u8 = 19;
/// No code starts with these bits (an incomplete code).
const UNASSIGNED: u8 = 20;

const fn entry(value: u16, tag: u8) -> Entry {
    Entry {
        value,
        bits: 0,
        tag,
    }
}

/// What each literal/length symbol means (§3.2.5), before it has a code.
static LITLEN_SYMBOLS: [Entry; 288] = {
    let mut t = [entry(0, 0); 288];
    let mut sym = 0;
    while sym < 288 {
        t[sym] = match sym {
            0..=255 => entry(sym as u16, SYMBOL),
            256 => entry(0, END_OF_BLOCK),
            257..=285 => entry(LENGTH_BASE[sym - 257], LENGTH_EXTRA[sym - 257]),
            _ => entry(sym as u16, INVALID),
        };
        sym += 1;
    }
    t
};

/// What each distance symbol means (§3.2.5).
static DIST_SYMBOLS: [Entry; 32] = {
    let mut t = [entry(0, 0); 32];
    let mut sym = 0;
    while sym < 32 {
        t[sym] = if sym < 30 {
            entry(DIST_BASE[sym], DIST_EXTRA[sym])
        } else {
            entry(sym as u16, INVALID)
        };
        sym += 1;
    }
    t
};

/// Code-length symbols 0..=18 stand for themselves (§3.2.7).
static CODE_LENGTH_SYMBOLS: [Entry; 19] = {
    let mut t = [entry(0, SYMBOL); 19];
    let mut sym = 0;
    while sym < 19 {
        t[sym] = entry(sym as u16, SYMBOL);
        sym += 1;
    }
    t
};

/// The order in which a dynamic block gives the code-length code's
/// lengths (§3.2.7).
const CODE_LENGTH_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// The longest code DEFLATE allows (§3.2.7: lengths are 0..=15).
const MAX_BITS: usize = 15;

/// A Huffman decoding table with `N` (a power of two) first-level slots.
struct Table<const N: usize> {
    first_level: [Entry; N],
    /// For codes longer than the first level, by length: how many codes
    /// there are, the first one (as a number, first bit most
    /// significant), and where their symbols start in `sorted`.
    count: [u16; MAX_BITS + 1],
    first_code: [u16; MAX_BITS + 1],
    first_index: [u16; MAX_BITS + 1],
    /// Symbols in code order (by length, then by symbol).
    sorted: [u16; 288],
    symbols: &'static [Entry],
}

/// A slot no code reaches; it counts as one bit, as zlib's marker does.
const UNASSIGNED_ENTRY: Entry = Entry {
    value: 0,
    bits: 1,
    tag: UNASSIGNED,
};

/// `code`'s low `len` bits in reverse order: Huffman codes are sent first
/// bit first (§3.1.1), and the bit buffer holds the next bit lowest.
fn reversed(code: u16, len: usize) -> usize {
    usize::from(code.reverse_bits() >> (16 - len))
}

impl<const N: usize> Table<N> {
    const BITS: usize = N.trailing_zeros() as usize;

    fn new(symbols: &'static [Entry]) -> Self {
        Table {
            first_level: [UNASSIGNED_ENTRY; N],
            count: [0; MAX_BITS + 1],
            first_code: [0; MAX_BITS + 1],
            first_index: [0; MAX_BITS + 1],
            sorted: [0; 288],
            symbols,
        }
    }

    /// Builds the canonical code (§3.2.2) in which symbol `s` has a code of
    /// `lengths[s]` bits (0: no code). Callers keep every length ≤ 15 and
    /// `lengths` no longer than `symbols`.
    fn build(&mut self, lengths: &[u8], code: Huffman) -> Result<(), Error> {
        let mut count = [0u16; MAX_BITS + 1];
        for &len in lengths {
            count[usize::from(len)] += 1;
        }
        count[0] = 0;
        // zlib's inftrees.c: `left` is how many codes of the current length
        // are still free. Below zero, the code is over-subscribed; above
        // zero at the end, incomplete, which zlib allows only when no code
        // is longer than 1 bit (no code at all, or a single one), and never
        // for the code-length code.
        let mut left: i32 = 1;
        let mut longest = 0;
        for (len, &n) in count.iter().enumerate().skip(1) {
            left = 2 * left - i32::from(n);
            if left < 0 {
                return Err(Error::OverSubscribed(code));
            }
            if n > 0 {
                longest = len;
            }
        }
        if left > 0 && (code == Huffman::CodeLength || longest > 1) {
            return Err(Error::Incomplete(code));
        }

        // §3.2.2 step 2: the first code of each length. Not over-subscribed,
        // so every code of `len` bits is below 2^len.
        let mut next_code = [0u16; MAX_BITS + 1];
        let mut next_index = [0u16; MAX_BITS + 1];
        let (mut first, mut index) = (0u16, 0u16);
        for len in 1..=MAX_BITS {
            first = (first + count[len - 1]) << 1;
            next_code[len] = first;
            next_index[len] = index;
            index += count[len];
        }
        self.count = count;
        self.first_code = next_code;
        self.first_index = next_index;

        // Step 3: consecutive codes to the symbols of each length, in
        // symbol order.
        for (sym, &len) in lengths.iter().enumerate() {
            let len = usize::from(len);
            if len == 0 {
                continue;
            }
            let code = next_code[len];
            next_code[len] += 1;
            self.sorted[usize::from(next_index[len])] = sym as u16;
            next_index[len] += 1;
            if len <= Self::BITS {
                // Every slot whose low `len` bits are this code.
                let e = Entry {
                    bits: len as u8,
                    ..self.symbols[sym]
                };
                let mut slot = reversed(code, len);
                while let Some(s) = self.first_level.get_mut(slot) {
                    *s = e;
                    slot += 1 << len;
                }
            } else {
                let prefix = reversed(code >> (len - Self::BITS), Self::BITS);
                self.first_level[prefix] = Entry {
                    value: 0,
                    bits: Self::BITS as u8,
                    tag: LONGER,
                };
            }
        }
        Ok(())
    }

    /// What the code at the start of `bits` decodes to.
    #[inline(always)]
    fn decode(&self, bits: u64) -> Entry {
        let e = self.first_level[bits as usize & (N - 1)];
        if e.tag == LONGER {
            self.decode_long(bits)
        } else {
            e
        }
    }

    /// A code longer than the first level, found length by length.
    #[cold]
    fn decode_long(&self, bits: u64) -> Entry {
        // The next 15 bits with the first one most significant.
        let next = u32::from((bits as u16).reverse_bits() >> 1);
        for len in Self::BITS + 1..=MAX_BITS {
            let code = next >> (MAX_BITS - len);
            let k = code.wrapping_sub(u32::from(self.first_code[len]));
            if k < u32::from(self.count[len]) {
                let sym = self.sorted[usize::from(self.first_index[len]) + k as usize];
                return Entry {
                    bits: len as u8,
                    ..self.symbols[usize::from(sym)]
                };
            }
        }
        UNASSIGNED_ENTRY
    }
}

const LITLEN_SLOTS: usize = 1 << 9;
const DIST_SLOTS: usize = 1 << 8;

/// The fixed codes (§3.2.6), with the two literal/length and two distance
/// symbols that have codes but no meaning.
struct Fixed {
    litlen: Table<LITLEN_SLOTS>,
    dist: Table<DIST_SLOTS>,
}

static FIXED: LazyLock<Fixed> = LazyLock::new(|| {
    let mut lengths = [0u8; 288];
    lengths[..144].fill(8);
    lengths[144..256].fill(9);
    lengths[256..280].fill(7);
    lengths[280..].fill(8);
    let mut litlen = Table::new(&LITLEN_SYMBOLS);
    let mut dist = Table::new(&DIST_SYMBOLS);
    // Both codes are complete (Kraft sums of exactly 1), which
    // `fixed_codes_build` checks.
    litlen
        .build(&lengths, Huffman::LitLen)
        .expect("the fixed literal/length code is complete");
    dist.build(&[5; 32], Huffman::Distance)
        .expect("the fixed distance code is complete");
    Fixed { litlen, dist }
});

/// The input, read as bits (§3.1.1). It is `Copy` so that the decoding
/// loop can keep it in registers.
#[derive(Clone, Copy)]
struct Input<'a> {
    data: &'a [u8],
    /// The next byte of `data` to load into `bits`.
    pos: usize,
    /// Loaded input, the next bit lowest. Above the `nbits` that count
    /// there are zeros or the same bytes that will be loaded again.
    bits: u64,
    nbits: u32,
    /// Zero bytes loaded after the end of `data`, so that a refill always
    /// gives 56 bits or more.
    padded: usize,
}

impl Input<'_> {
    /// Whether bits past the end of `data` were used.
    fn overran(&self) -> bool {
        self.padded * 8 > self.nbits as usize
    }

    /// How many bytes of `data` the bits used so far take up.
    fn used(&self) -> usize {
        self.pos + self.padded - (self.nbits / 8) as usize
    }

    /// Loads at least 56 bits: enough for a literal/length code, its extra
    /// bits, a distance code and its extra bits (15 + 5 + 15 + 13), or for
    /// three literal codes.
    #[inline(always)]
    fn refill(&mut self) -> Result<(), Error> {
        match self.data.get(self.pos..).and_then(<[u8]>::first_chunk) {
            Some(&chunk) => {
                // Giesen's branchless refill: load 8 bytes, count the whole
                // bytes that fit (the rest are loaded again next time).
                self.bits |= u64::from_le_bytes(chunk) << self.nbits;
                self.pos += ((63 - self.nbits) >> 3) as usize;
                self.nbits |= 56;
                Ok(())
            }
            _ => {
                *self = self.refill_slow()?;
                Ok(())
            }
        }
    }

    /// The last 7 bytes, then zeros: a stream may end anywhere in the
    /// buffer, and is known to be cut short only once a zero is used. By
    /// value, so that the caller's copy never needs an address.
    #[cold]
    fn refill_slow(mut self) -> Result<Self, Error> {
        if self.overran() {
            return Err(Error::Truncated);
        }
        while self.nbits < 56 {
            let byte = match self.data.get(self.pos) {
                Some(&b) => {
                    self.pos += 1;
                    b
                }
                None => {
                    self.padded += 1;
                    0
                }
            };
            self.bits |= u64::from(byte) << self.nbits;
            self.nbits += 8;
        }
        Ok(self)
    }

    /// Drops `n` bits (at most `nbits`).
    #[inline(always)]
    fn consume(&mut self, n: u32) {
        self.bits >>= n;
        self.nbits -= n;
    }

    /// The next `n` (≤ 16, at most `nbits`) bits as a number, first bit
    /// least significant (§3.1.1), consumed.
    #[inline(always)]
    fn take(&mut self, n: u8) -> usize {
        let v = self.bits as usize & ((1 << n) - 1);
        self.consume(u32::from(n));
        v
    }

    /// Like `take`, refilling first when needed.
    fn read(&mut self, n: u8) -> Result<usize, Error> {
        if self.nbits < u32::from(n) {
            self.refill()?;
        }
        Ok(self.take(n))
    }
}

/// The output, which is also the window matches copy from.
struct Output {
    out: Vec<u8>,
    max: usize,
    /// `min(out.capacity(), max)`: how far `out` may grow unchecked.
    limit: usize,
}

impl Output {
    fn new(capacity: usize, max: usize) -> Self {
        let out = Vec::with_capacity(capacity.min(max));
        let limit = out.capacity().min(max);
        Output { out, max, limit }
    }

    /// Makes room for `n` more bytes, within `max`.
    #[inline(always)]
    fn room(&mut self, n: usize) -> Result<(), Error> {
        if n <= self.limit - self.out.len() {
            Ok(())
        } else {
            self.grow(n)
        }
    }

    #[cold]
    fn grow(&mut self, n: usize) -> Result<(), Error> {
        let need = self.out.len().saturating_add(n);
        if need > self.max {
            return Err(Error::TooLarge);
        }
        let target = need
            .max(self.out.capacity().saturating_mul(2))
            .min(self.max);
        self.out.reserve_exact(target - self.out.len());
        self.limit = self.out.capacity().min(self.max);
        Ok(())
    }

    #[inline(always)]
    fn push(&mut self, byte: u8) -> Result<(), Error> {
        self.room(1)?;
        self.out.push(byte);
        Ok(())
    }

    /// Appends `len` bytes copied from `dist` (≥ 1) bytes back (§3.2.3).
    #[inline(always)]
    fn copy(&mut self, len: usize, dist: usize) -> Result<(), Error> {
        let have = self.out.len();
        if dist > have {
            return Err(Error::DistanceTooFar(dist - have));
        }
        self.room(len)?;
        let from = have - dist;
        if dist >= len {
            self.out.extend_from_within(from..from + len);
        } else if dist == 1 {
            let byte = self.out[from];
            self.out.resize(have + len, byte);
        } else {
            // The copy overlaps what it writes: the bytes from `from` on
            // repeat every `dist`, so copying from `from` stays right for
            // as many bytes as are already there, doubling each time.
            let end = have + len;
            while self.out.len() < end {
                let n = (end - self.out.len()).min(self.out.len() - from);
                self.out.extend_from_within(from..from + n);
            }
        }
        Ok(())
    }

    /// The compressed data of a Huffman block, up to its end of block
    /// (§3.2.5). Not inlined, so that the loop has the registers to
    /// itself; `input` is worked on as a local copy.
    #[inline(never)]
    fn codes<const L: usize, const D: usize>(
        &mut self,
        input: &mut Input<'_>,
        litlen: &Table<L>,
        dist: &Table<D>,
    ) -> Result<(), Error> {
        let mut r = *input;
        let verdict = self.codes_with(&mut r, litlen, dist);
        *input = r;
        verdict
    }

    #[inline(always)]
    fn codes_with<const L: usize, const D: usize>(
        &mut self,
        r: &mut Input<'_>,
        litlen: &Table<L>,
        dist: &Table<D>,
    ) -> Result<(), Error> {
        loop {
            r.refill()?;
            let mut e = litlen.decode(r.bits);
            r.consume(u32::from(e.bits));
            // A refill leaves 56 bits or more: room for three codes of up
            // to 15 bits, so up to two more literals need none.
            for _ in 0..2 {
                if e.tag != SYMBOL {
                    break;
                }
                self.push(e.value as u8)?;
                e = litlen.decode(r.bits);
                r.consume(u32::from(e.bits));
            }
            if e.tag == SYMBOL {
                self.push(e.value as u8)?;
                continue;
            }
            if e.tag < SYMBOL {
                // Length extra bits, a distance code and its extra bits.
                r.refill()?;
                let len = usize::from(e.value) + r.take(e.tag);
                let d = dist.decode(r.bits);
                r.consume(u32::from(d.bits));
                if d.tag >= SYMBOL {
                    return Err(match d.tag {
                        INVALID => Error::InvalidDistanceSymbol(d.value),
                        _ => Error::Unassigned(Huffman::Distance),
                    });
                }
                let distance = usize::from(d.value) + r.take(d.tag);
                self.copy(len, distance)?;
                continue;
            }
            return match e.tag {
                END_OF_BLOCK => Ok(()),
                INVALID => Err(Error::InvalidLitLenSymbol(e.value)),
                _ => Err(Error::Unassigned(Huffman::LitLen)),
            };
        }
    }
}

struct Decoder<'a> {
    input: Input<'a>,
    output: Output,
}

impl Decoder<'_> {
    fn blocks(&mut self) -> Result<(), Error> {
        loop {
            // §3.2.3: BFINAL, then BTYPE.
            let header = self.input.read(3)?;
            match header >> 1 {
                0 => self.stored()?,
                1 => {
                    let fixed = &*FIXED;
                    self.codes(&fixed.litlen, &fixed.dist)?;
                }
                2 => self.dynamic()?,
                _ => return Err(Error::ReservedBlockType),
            }
            if header & 1 == 1 {
                return Ok(());
            }
        }
    }

    /// A stored block (§3.2.4): to the next byte boundary, LEN and NLEN,
    /// then LEN bytes as they are.
    fn stored(&mut self) -> Result<(), Error> {
        let input = &mut self.input;
        input.consume(input.nbits % 8);
        // Whole bytes still in the buffer go back to the input.
        let at = input.used();
        (input.bits, input.nbits, input.padded) = (0, 0, 0);
        let data = input.data;
        let Some(&[l0, l1, n0, n1]) = data.get(at..at.saturating_add(4)) else {
            return Err(Error::Truncated);
        };
        let (len, nlen) = (u16::from_le_bytes([l0, l1]), u16::from_le_bytes([n0, n1]));
        if len != !nlen {
            return Err(Error::StoredLength { len, nlen });
        }
        let start = at + 4;
        let Some(body) = data.get(start..start + usize::from(len)) else {
            return Err(Error::Truncated);
        };
        input.pos = start + body.len();
        self.output.room(body.len())?;
        self.output.out.extend_from_slice(body);
        Ok(())
    }

    /// A block with dynamic Huffman codes (§3.2.7).
    fn dynamic(&mut self) -> Result<(), Error> {
        let input = &mut self.input;
        let hlit = input.read(5)? + 257;
        let hdist = input.read(5)? + 1;
        let hclen = input.read(4)? + 4;
        if hlit > 286 {
            return Err(Error::TooManyLitLenCodes(hlit));
        }
        if hdist > 30 {
            return Err(Error::TooManyDistCodes(hdist));
        }
        let mut cl_lengths = [0u8; 19];
        for &sym in &CODE_LENGTH_ORDER[..hclen] {
            cl_lengths[sym] = input.read(3)? as u8;
        }
        let mut cl = Table::<128>::new(&CODE_LENGTH_SYMBOLS);
        cl.build(&cl_lengths, Huffman::CodeLength)?;

        // The literal/length and distance code lengths are one sequence;
        // a repeat may cross from one to the other.
        let total = hlit + hdist;
        let mut lengths = [0u8; 286 + 30];
        let mut have = 0;
        while have < total {
            input.refill()?;
            let e = cl.decode(input.bits);
            input.consume(u32::from(e.bits));
            if e.tag != SYMBOL {
                // Not reached: the code-length code is complete.
                return Err(Error::Unassigned(Huffman::CodeLength));
            }
            let (len, times) = match e.value {
                0..=15 => (e.value as u8, 1),
                16 => {
                    let Some(&previous) = have.checked_sub(1).map(|i| &lengths[i]) else {
                        return Err(Error::RepeatWithoutPrevious);
                    };
                    (previous, 3 + input.take(2))
                }
                17 => (0, 3 + input.take(3)),
                _ => (0, 11 + input.take(7)),
            };
            let Some(run) = lengths[..total].get_mut(have..have + times) else {
                return Err(Error::RepeatOverrun(total));
            };
            match run {
                // Most lengths come one at a time: no call to memset.
                [one] => *one = len,
                _ => run.fill(len),
            }
            have += times;
        }
        if lengths[256] == 0 {
            return Err(Error::NoEndOfBlock);
        }
        let mut litlen = Table::<LITLEN_SLOTS>::new(&LITLEN_SYMBOLS);
        litlen.build(&lengths[..hlit], Huffman::LitLen)?;
        let mut dist = Table::<DIST_SLOTS>::new(&DIST_SYMBOLS);
        dist.build(&lengths[hlit..total], Huffman::Distance)?;
        self.codes(&litlen, &dist)
    }

    fn codes<const L: usize, const D: usize>(
        &mut self,
        litlen: &Table<L>,
        dist: &Table<D>,
    ) -> Result<(), Error> {
        self.output.codes(&mut self.input, litlen, dist)
    }
}

#[cfg(test)]
mod tests;
