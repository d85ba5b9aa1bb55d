//! The seeded random stream every id, token and UUID is drawn from.

use rand::rngs::ChaCha20Rng;
use rand::{Rng as _, SeedableRng};

/// A deterministic random stream (ChaCha20, seeded from a `u64`).
///
/// Subsystems take their own stream with [`Rng::fork`], keyed by a label, so
/// that drawing one more token in the SP does not shift every id the IdP
/// draws after it: transcripts stay stable as the code grows.
#[derive(Debug)]
pub struct Rng {
    seed: u64,
    inner: ChaCha20Rng,
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng {
            seed,
            inner: ChaCha20Rng::seed_from_u64(seed),
        }
    }

    /// An independent stream for one subsystem, derived from the seed and a
    /// label only (FNV-1a of the label mixed into the seed).
    pub fn fork(&self, label: &str) -> Rng {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in label.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        Rng::new(self.seed ^ h.rotate_left(17))
    }

    pub fn u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    pub fn fill(&mut self, buf: &mut [u8]) {
        self.inner.fill_bytes(buf);
    }

    /// A random version-4 UUID built from this stream.
    pub fn uuid(&mut self) -> uuid::Uuid {
        let mut b = [0u8; 16];
        self.fill(&mut b);
        uuid::Builder::from_random_bytes(b).into_uuid()
    }

    /// `bytes` random bytes as lowercase hex (2 × `bytes` characters).
    pub fn hex(&mut self, bytes: usize) -> String {
        let mut b = vec![0u8; bytes];
        self.fill(&mut b);
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(bytes * 2);
        for x in b {
            out.push(char::from(HEX[usize::from(x >> 4)]));
            out.push(char::from(HEX[usize::from(x & 0x0f)]));
        }
        out
    }

    /// A token of `len` characters from an unambiguous alphabet
    /// (lowercase letters and digits without 0/o/1/l), as verification
    /// tokens are shown to people who copy them into DNS consoles.
    pub fn token(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
        (0..len)
            .map(|_| ALPHABET[(self.u64() % ALPHABET.len() as u64) as usize] as char)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_forks_are_independent() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        assert_eq!(a.uuid(), b.uuid());
        assert_eq!(a.token(24), b.token(24));
        let mut sp1 = Rng::new(7).fork("sp");
        let mut idp = Rng::new(7).fork("idp");
        let mut sp2 = Rng::new(7).fork("sp");
        assert_eq!(sp1.hex(8), sp2.hex(8));
        assert_ne!(sp1.hex(8), idp.hex(8));
        assert_ne!(Rng::new(7).u64(), Rng::new(8).u64());
    }
}
