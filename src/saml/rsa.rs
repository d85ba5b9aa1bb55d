//! RSA PKCS#1 v1.5 signing and verification over OpenSSL, with each
//! thread keeping one prepared context per (key, hash).
//!
//! `Signer::new`/`Verifier::new` look up the digest and the signature
//! implementation in OpenSSL's provider store and build a fresh context
//! on every call. Here the digest is fetched once per process and a
//! context is initialised once per thread, key and hash, then reused:
//! the same PKCS#1 v1.5 operation (deterministic, so the same bytes),
//! without the lookups. Nothing about a message is kept between calls;
//! only key material and algorithm choices are.
//!
//! Contexts are found by the key's DER SubjectPublicKeyInfo. Two private
//! keys with the same public key give the same RSA signatures (the unique
//! e-th root modulo n), so the lookup cannot sign with the wrong key.

use std::cell::RefCell;
use std::sync::OnceLock;

use openssl::error::ErrorStack;
use openssl::md::Md;
use openssl::md_ctx::MdCtx;
use openssl::pkey::{PKey, Private, Public};
use openssl::pkey_ctx::PkeyCtx;
use openssl::rsa::Padding;

use super::dsig::Hash;

/// How many contexts a thread keeps per kind before starting over. A
/// process uses a handful of keys; this only bounds a pathological one.
const CONTEXTS_MAX: usize = 32;

/// The provider's implementation of `hash`, fetched once.
fn md(hash: Hash) -> Result<&'static Md, ErrorStack> {
    static MDS: [OnceLock<Md>; 4] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
    let (slot, name) = match hash {
        Hash::Sha1 => (&MDS[0], "SHA1"),
        Hash::Sha256 => (&MDS[1], "SHA256"),
        Hash::Sha384 => (&MDS[2], "SHA384"),
        Hash::Sha512 => (&MDS[3], "SHA512"),
    };
    if let Some(md) = slot.get() {
        return Ok(md);
    }
    let md = Md::fetch(None, name, None)?;
    Ok(slot.get_or_init(|| md))
}

/// The digest of `data` (at most 64 bytes, SHA-512). Each thread keeps
/// one digest context; `digest_init` starts it afresh for every call.
pub(crate) fn digest(hash: Hash, data: &[u8]) -> Result<Vec<u8>, ErrorStack> {
    thread_local! {
        static CTX: RefCell<Option<MdCtx>> = const { RefCell::new(None) };
    }
    let md = md(hash)?;
    let run = |ctx: &mut MdCtx| -> Result<Vec<u8>, ErrorStack> {
        ctx.digest_init(md)?;
        ctx.digest_update(data)?;
        let mut out = vec![0u8; md.size()];
        let n = ctx.digest_final(&mut out)?;
        out.truncate(n);
        Ok(out)
    };
    CTX.with(|cell| match cell.try_borrow_mut() {
        Ok(mut slot) => {
            let ctx = match slot.as_mut() {
                Some(ctx) => ctx,
                None => slot.insert(MdCtx::new()?),
            };
            let result = run(ctx);
            if result.is_err() {
                // Not reused after an OpenSSL error.
                *slot = None;
            }
            result
        }
        Err(_) => run(&mut MdCtx::new()?),
    })
}

struct Cached<T> {
    spki_der: Vec<u8>,
    hash: Hash,
    ctx: PkeyCtx<T>,
}

thread_local! {
    static SIGNERS: RefCell<Vec<Cached<Private>>> = const { RefCell::new(Vec::new()) };
    static VERIFIERS: RefCell<Vec<Cached<Public>>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on this thread's context for (`spki_der`, `hash`), making it
/// with `make` the first time.
fn with_context<T, R>(
    cache: &'static std::thread::LocalKey<RefCell<Vec<Cached<T>>>>,
    spki_der: &[u8],
    hash: Hash,
    make: impl FnOnce() -> Result<PkeyCtx<T>, ErrorStack>,
    f: impl FnOnce(&mut PkeyCtx<T>) -> Result<R, ErrorStack>,
) -> Result<R, ErrorStack> {
    cache.with(|cell| {
        let mut contexts = cell.borrow_mut();
        let found = contexts
            .iter()
            .position(|c| c.hash == hash && c.spki_der == spki_der);
        let i = match found {
            Some(i) => i,
            None => {
                let ctx = make()?;
                if contexts.len() >= CONTEXTS_MAX {
                    contexts.clear();
                }
                contexts.push(Cached {
                    spki_der: spki_der.to_vec(),
                    hash,
                    ctx,
                });
                contexts.len() - 1
            }
        };
        let result = f(&mut contexts[i].ctx);
        if result.is_err() {
            // An OpenSSL error may leave the context half-used: drop it.
            contexts.remove(i);
        }
        result
    })
}

/// An RSA PKCS#1 v1.5 signature with `hash` over `data`, the bytes
/// `Signer::new(hash, pkey)` + `sign_oneshot_to_vec(data)` give.
pub(crate) fn sign(
    pkey: &PKey<Private>,
    spki_der: &[u8],
    hash: Hash,
    data: &[u8],
) -> Result<Vec<u8>, ErrorStack> {
    let digest = digest(hash, data)?;
    with_context(
        &SIGNERS,
        spki_der,
        hash,
        || {
            let mut ctx = PkeyCtx::new(pkey)?;
            ctx.sign_init()?;
            ctx.set_rsa_padding(Padding::PKCS1)?;
            ctx.set_signature_md(md(hash)?)?;
            Ok(ctx)
        },
        |ctx| {
            let mut sig = Vec::new();
            ctx.sign_to_vec(&digest, &mut sig)?;
            Ok(sig)
        },
    )
}

/// Whether `signature` is an RSA PKCS#1 v1.5 signature with `hash` over
/// `data` under `pkey`, as `Verifier::new(hash, pkey)` + `verify_oneshot`
/// judges it (an error is a failure).
pub(crate) fn verify(
    pkey: &PKey<Public>,
    spki_der: &[u8],
    hash: Hash,
    data: &[u8],
    signature: &[u8],
) -> bool {
    let Ok(digest) = digest(hash, data) else {
        return false;
    };
    with_context(
        &VERIFIERS,
        spki_der,
        hash,
        || {
            let mut ctx = PkeyCtx::new(pkey)?;
            ctx.verify_init()?;
            ctx.set_rsa_padding(Padding::PKCS1)?;
            ctx.set_signature_md(md(hash)?)?;
            Ok(ctx)
        },
        |ctx| ctx.verify(&digest, signature),
    )
    .unwrap_or(false)
}
