//! The command line: clap definitions, and one module per command.
//! Doc comments on the structs below are the `--help` text.
//!
//! Exit codes (README, DESIGN.md): 0 all passed; 1 an expectation or
//! snapshot differed; 2 usage or scenario file error; 3 internal error or
//! invariant violated; 4 a scenario did not finish within its virtual-time limit.

mod bench;
mod bench_login;
mod check;
mod rules;
mod run;
mod saml;
mod sp_serve;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use run::{collect_files, run_one, FileRun};

/// A whole single-sign-on world on one machine: mock SAML IdPs, a mock DNS,
/// and an SP's identity logic, driven by scenario files on a virtual clock.
#[derive(Parser, Debug)]
#[command(name = "ssosim", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run scenario files and compare each transcript with its snapshot.
    Run(RunArgs),
    /// Parse and validate scenario files without running them.
    Check(CheckArgs),
    /// The rule catalogue, with the scenarios that cover each rule.
    Rules(RulesArgs),
    /// The mock DNS server on its own.
    Dns {
        #[command(subcommand)]
        command: DnsCommand,
    },
    /// The standalone SAML service provider.
    Sp {
        #[command(subcommand)]
        command: SpCommand,
    },
    /// SAML tools.
    Saml {
        #[command(subcommand)]
        command: SamlCommand,
    },
    /// The mock SAML IdP on its own, for any external SP.
    Idp {
        #[command(subcommand)]
        command: IdpCommand,
    },
    /// Throughput and latency figures, measured in one run.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// Scenario files or folders (searched recursively for *.yaml).
    #[arg(default_value = "scenarios")]
    pub paths: Vec<PathBuf>,
    /// Run only scenarios whose path or name contains this text (case-insensitive).
    #[arg(long)]
    pub filter: Option<String>,
    /// Run with this seed instead of each scenario's own (snapshots are then not compared).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Take this run's transcripts as the new snapshots.
    #[arg(long)]
    pub accept: bool,
    /// Run each scenario twice and fail on any difference between the transcripts.
    #[arg(long)]
    pub check_determinism: bool,
    /// What to print on standard output.
    #[arg(long, value_enum, default_value_t = Format::Pretty)]
    pub format: Format,
    /// Also write a report to FILE: JUnit XML for *.xml, JSON for *.json.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// How many scenarios run at once (default: the number of cores).
    #[arg(long)]
    pub jobs: Option<usize>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Pretty,
    Json,
    Junit,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Scenario files or folders.
    #[arg(default_value = "scenarios")]
    pub paths: Vec<PathBuf>,
}

#[derive(Args, Debug)]
pub struct RulesArgs {
    /// Where to look for the scenarios that cover each rule.
    #[arg(long, default_value = "scenarios")]
    pub scenarios: PathBuf,
    #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum DnsCommand {
    /// Serve zone files authoritatively over UDP and TCP until interrupted.
    Serve {
        /// Address to listen on (UDP and TCP).
        #[arg(long, default_value = "127.0.0.1:5353")]
        listen: SocketAddr,
        /// An RFC 1035 master file; repeat for several zones.
        #[arg(long = "zone", required = true, value_name = "FILE")]
        zones: Vec<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum SpCommand {
    /// Serve a SAML SP (metadata, SP-initiated login, ACS) for any IdP, until interrupted.
    Serve(sp_serve::SpServeArgs),
}

#[derive(Subcommand, Debug)]
pub enum SamlCommand {
    /// Decode a SAMLResponse or AuthnRequest, show what it says, and judge it as the SP would.
    Inspect(saml::InspectArgs),
    /// Every reason the SP (or the IdP) can refuse a SAML message for, by layer.
    Reasons {
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
}

#[derive(Subcommand, Debug)]
pub enum IdpCommand {
    /// Serve a mock IdP (metadata, SP- and IdP-initiated SSO, a sign-in
    /// page where any password works) on the live clock until interrupted.
    ///
    /// Without --users the directory is built in: ada@acme.test (assigned,
    /// groups anthropic-claudeai-1a2b3c4d-owner and Engineering),
    /// grace@acme.test (assigned through Engineering), bob@acme.test (not
    /// assigned: refused) and linus@acme.test (suspended).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:7000")]
        listen: SocketAddr,
        /// The SP's metadata XML.
        #[arg(long, value_name = "FILE")]
        sp_metadata: PathBuf,
        /// A YAML users file, optionally with profile `settings:` such as an
        /// Okta group filter (see fixtures/idp/).
        #[arg(long, value_name = "FILE")]
        users: Option<PathBuf>,
        /// Answer every request as this user, without a sign-in page.
        #[arg(long, value_name = "EMAIL")]
        auto_login: Option<String>,
        /// Which IdP to behave like.
        #[arg(long, value_enum, default_value_t = IdpVendor::Generic)]
        vendor: IdpVendor,
        /// The URL browsers reach the IdP at (default http://LISTEN).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
        /// Seed for ids, vendor identifiers and group GUIDs.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Require signed AuthnRequests (WantAuthnRequestsSigned).
        #[arg(long)]
        want_authn_requests_signed: bool,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum IdpVendor {
    Generic,
    Okta,
    Entra,
    Google,
}

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Complete SP-initiated logins per second (mock IdP + SP + browser, one core), next to RSA-2048 signing.
    Login(bench_login::BenchLoginArgs),
    /// Wall time of a scenario suite and of each scenario in it.
    Scenarios {
        #[arg(default_value = "scenarios")]
        paths: Vec<PathBuf>,
        /// How many times to run the suite.
        #[arg(long, default_value_t = 10)]
        iterations: usize,
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
        /// Scenarios at once (default: the number of cores).
        #[arg(long)]
        jobs: Option<usize>,
    },
}

/// Parses the command line and runs it; returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Check(args) => check::check(&args),
        Command::Rules(args) => rules::rules(&args),
        Command::Dns {
            command: DnsCommand::Serve { listen, zones },
        } => dns_serve(listen, &zones),
        Command::Idp {
            command:
                IdpCommand::Serve {
                    listen,
                    sp_metadata,
                    users,
                    auto_login,
                    vendor,
                    base_url,
                    seed,
                    want_authn_requests_signed,
                },
        } => idp_serve(crate::idp::IdpServeOptions {
            listen,
            sp_metadata,
            users,
            auto_login,
            vendor: match vendor {
                IdpVendor::Generic => crate::idp::Vendor::Generic,
                IdpVendor::Okta => crate::idp::Vendor::Okta,
                IdpVendor::Entra => crate::idp::Vendor::Entra,
                IdpVendor::Google => crate::idp::Vendor::Google,
            },
            base_url,
            seed,
            want_authn_requests_signed,
        }),
        Command::Bench {
            command:
                BenchCommand::Scenarios {
                    paths,
                    iterations,
                    format,
                    jobs,
                },
        } => bench::scenarios(&paths, iterations, format, jobs),
        Command::Sp {
            command: SpCommand::Serve(args),
        } => sp_serve::sp_serve(&args),
        Command::Saml {
            command: SamlCommand::Inspect(args),
        } => saml::inspect_cmd(&args),
        Command::Saml {
            command: SamlCommand::Reasons { format },
        } => saml_reasons(format),
        Command::Bench {
            command: BenchCommand::Login(args),
        } => bench_login::bench_login(&args),
    }
}

/// `ssosim saml reasons`: the one list of refusal names (`Reason::ALL`).
fn saml_reasons(format: RulesFormat) -> i32 {
    use crate::saml::Reason;
    match format {
        RulesFormat::Json => {
            let rows: Vec<serde_json::Value> = Reason::ALL
                .iter()
                .map(|r| serde_json::json!({"name": r.name(), "layer": r.layer(), "description": r.describe()}))
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&rows).unwrap_or_default()
            );
        }
        RulesFormat::Text => {
            let width = Reason::ALL
                .iter()
                .map(|r| r.name().len())
                .max()
                .unwrap_or(0);
            let mut layer = "";
            for r in Reason::ALL {
                if r.layer() != layer {
                    layer = r.layer();
                    println!(
                        "{}{layer}",
                        if layer == Reason::ALL[0].layer() {
                            ""
                        } else {
                            "\n"
                        }
                    );
                }
                println!("  {:<width$}  {}", r.name(), r.describe());
            }
        }
    }
    0
}

fn dns_serve(listen: SocketAddr, files: &[PathBuf]) -> i32 {
    let mut zones = vec![];
    for f in files {
        let text = match std::fs::read_to_string(f) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", f.display());
                return 2;
            }
        };
        match crate::dns::parse_zone(&text, &f.display().to_string()) {
            Ok(z) => zones.push(z),
            Err(e) => {
                eprintln!("error: {e}");
                return 2;
            }
        }
    }
    let rt = match server_runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    match rt.block_on(crate::dns::serve_standalone(listen, zones)) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e:#}");
            3
        }
    }
}

fn idp_serve(opts: crate::idp::IdpServeOptions) -> i32 {
    let rt = match server_runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    match rt.block_on(crate::idp::serve_standalone(opts)) {
        Ok(()) => 0,
        Err(e) if e.is::<crate::idp::ConfigError>() => {
            eprint!("{e}");
            if !e.to_string().ends_with('\n') {
                eprintln!();
            }
            2
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            3
        }
    }
}

/// The runtime a standalone server (`dns`, `idp`, `sp serve`) runs on:
/// two workers, IO and timers. On failure, the message is printed and the
/// exit code (3, internal) returned.
pub(crate) fn server_runtime() -> Result<tokio::runtime::Runtime, i32> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("error: cannot start a runtime: {e}");
            3
        })
}

/// Whether to colour output written to a stream.
pub(crate) fn use_color(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
