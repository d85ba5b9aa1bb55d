//! `ssosim bench login`: complete SP-initiated logins per second through
//! the browser agent, the mock IdP and the standalone SP on one core, next
//! to the RSA-2048 signing rate that bounds them.

/// `ssosim bench login` flags.
#[derive(clap::Args, Debug, Clone)]
pub struct BenchLoginArgs {
    /// How many logins to time.
    #[arg(long, default_value_t = 200)]
    pub n: usize,
    #[arg(long, value_enum, default_value_t = super::RulesFormat::Text)]
    pub format: super::RulesFormat,
}

pub fn bench_login(_args: &BenchLoginArgs) -> i32 {
    eprintln!("error: bench login needs the mock IdP (branch idp), not merged yet");
    3
}
