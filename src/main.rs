//! The `ssosim` binary: everything lives in the library; see `cli`.

fn main() {
    std::process::exit(ssosim::cli::main());
}
