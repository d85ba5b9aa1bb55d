//! Standard base64 (RFC 4648 §4, with padding) for SAML messages, their
//! signatures and certificates: a login encodes and decodes about 14 KB of
//! it. SIMD (`base64-simd`) where the CPU has it; the rules are those of
//! the `base64` crate's `STANDARD` engine, which the tests below hold it
//! to: canonical padding, no whitespace, no non-zero bits after the last
//! byte. Callers strip the line breaks they allow first.

/// Base64 of `bytes`.
pub(crate) fn encode(bytes: &[u8]) -> String {
    base64_simd::STANDARD.encode_to_string(bytes)
}

/// Appends the base64 of `bytes` to `out`.
pub(crate) fn encode_into(out: &mut String, bytes: &[u8]) {
    base64_simd::STANDARD.encode_append(bytes, out);
}

/// The bytes `text` encodes. Text that is not canonical padded standard
/// base64 is refused, described by the `base64` crate (which character, at
/// which offset): the rare refusal takes the slow path. The verdict is
/// always the SIMD decoder's; the tests hold the two to the same verdicts.
pub(crate) fn decode(text: &[u8]) -> Result<Vec<u8>, base64::DecodeError> {
    use base64::Engine as _;
    base64_simd::STANDARD.decode_to_vec(text).map_err(|_| {
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .err()
            .unwrap_or(base64::DecodeError::InvalidPadding)
    })
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;

    use super::{decode, encode, encode_into};
    use crate::saml::deflate::tests::pseudo_random;

    const REFERENCE: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

    /// Every length around the SIMD block sizes, and a message-sized one.
    fn lengths() -> impl Iterator<Item = usize> {
        (0..200).chain([1021, 1024, 4096, 4567, 6000])
    }

    #[test]
    fn encodes_as_the_base64_crate_does() {
        for len in lengths() {
            let data = pseudo_random(len, len as u32 + 7);
            let expected = REFERENCE.encode(&data);
            assert_eq!(encode(&data), expected, "length {len}");
            let mut out = String::from("prefix:");
            encode_into(&mut out, &data);
            assert_eq!(out, format!("prefix:{expected}"), "length {len}");
            assert_eq!(decode(expected.as_bytes()).ok(), Some(data), "length {len}");
        }
    }

    #[test]
    fn refuses_what_the_base64_crate_refuses() {
        let alphabet = b"ABCZaz09+/=-_ \n\r.\0\x80";
        let mut seed = 1u32;
        let mut next = || {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (seed >> 8) as usize
        };
        let mut refused = 0;
        for len in lengths() {
            let good = REFERENCE
                .encode(pseudo_random(len, len as u32))
                .into_bytes();
            // One changed byte anywhere, one byte cut, one byte added.
            for _ in 0..8 {
                let mut cases = vec![];
                if !good.is_empty() {
                    let mut changed = good.clone();
                    let at = next() % changed.len();
                    changed[at] = alphabet[next() % alphabet.len()];
                    cases.push(changed);
                    let mut cut = good.clone();
                    cut.remove(next() % good.len());
                    cases.push(cut);
                }
                let mut added = good.clone();
                added.insert(next() % (good.len() + 1), alphabet[next() % alphabet.len()]);
                cases.push(added);
                for case in cases {
                    let expected = REFERENCE.decode(&case).ok();
                    refused += usize::from(expected.is_none());
                    // The SIMD decoder alone, not the fallback.
                    assert_eq!(
                        base64_simd::STANDARD.decode_to_vec(&case).ok(),
                        expected,
                        "{:?}",
                        String::from_utf8_lossy(&case)
                    );
                }
            }
        }
        // The mutations do exercise refusals, not only harmless changes.
        assert!(refused > 1000, "only {refused} refusals");
    }

    #[test]
    fn trailing_bits_and_padding_are_judged_strictly() {
        for (text, expected) in [
            ("Zg==", Some(&b"f"[..])),
            ("Zh==", None),
            ("Zm8=", Some(b"fo")),
            ("Zm9=", None),
            ("Zg", None),
            ("Zg=", None),
            ("Zg===", None),
            ("=Zg=", None),
            ("Zg==Zg==", None),
            ("Zm9v\n", None),
            ("Zm 9v", None),
            ("", Some(b"")),
        ] {
            assert_eq!(
                decode(text.as_bytes()).ok().as_deref(),
                expected,
                "{text:?}"
            );
        }
    }
}
