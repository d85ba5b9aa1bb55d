//! The `ssosim` binary: everything lives in the library; see `cli`.

fn main() {
    // `ssosim … | head` must end quietly when the reader goes away, as Unix
    // tools do, not panic in println!: restore SIGPIPE's default action
    // (Rust's runtime ignores it).
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists;
    // SIG_DFL for SIGPIPE is always a valid disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    std::process::exit(ssosim::cli::main());
}

/// mimalloc instead of glibc's malloc: a login allocates a few thousand
/// small blocks (XML trees, strings, HTTP buffers), and glibc spent about
/// 9% of `ssosim bench login` in malloc/free. Measured with 5 interleaved
/// runs each: median 662 → 606 µs per login. mimalloc's version 2 (the
/// `v2` feature) rather than 3: v3 took a fresh arena page for each
/// buffer of a few KiB (under perf, 2% of the bench in page set-up); v2
/// raised the bench ratio by 0.008 on average over four interleaved
/// comparisons of 5–10 runs each (+0.007, +0.019, +0.008, −0.002).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
