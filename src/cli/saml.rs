//! `ssosim saml inspect`: decode a pasted SAML message, say what it is and
//! judge it with the SP's own validation (see `spsaml::inspect`).
//!
//! Exit codes: 0 accepted, 1 refused, 2 unusable input (not SAML, not
//! decodable, unreadable files, bad flags).

use std::io::Read as _;
use std::path::PathBuf;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::sp_serve::load_idp_metadata;
use crate::spsaml::inspect::{inspect, InspectOptions};

#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum InspectFormat {
    Text,
    Json,
}

/// `ssosim saml inspect` flags.
#[derive(clap::Args, Debug, Clone)]
pub struct InspectArgs {
    /// The message: raw XML, base64 (POST binding), a Redirect URL, or a
    /// `SAMLResponse=…` form body; `-` reads standard input.
    #[arg(default_value = "-", value_name = "FILE|-")]
    pub input: String,
    /// The IdP's metadata; without it no signature can be trusted and
    /// the verdict is "refused".
    #[arg(long, value_name = "FILE")]
    pub idp_metadata: Option<PathBuf>,
    /// This SP's entity id (the expected Audience); default: the message's.
    #[arg(long, value_name = "ID")]
    pub sp_entity_id: Option<String>,
    /// This SP's ACS URL (the expected Destination and Recipient); default: the message's.
    #[arg(long, value_name = "URL")]
    pub acs: Option<String>,
    /// Judge the message at this instant (RFC 3339); default: its IssueInstant.
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
    /// Require a signature on the Assertion itself.
    #[arg(long)]
    pub want_assertions_signed: bool,
    #[arg(long, value_enum, default_value_t = InspectFormat::Text)]
    pub format: InspectFormat,
}

pub fn inspect_cmd(args: &InspectArgs) -> i32 {
    let input = if args.input == "-" {
        let mut buf = vec![];
        if let Err(e) = std::io::stdin().read_to_end(&mut buf) {
            eprintln!("error: cannot read standard input: {e}");
            return 2;
        }
        buf
    } else {
        match std::fs::read(&args.input) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", args.input);
                return 2;
            }
        }
    };
    let idp = match &args.idp_metadata {
        Some(p) => match load_idp_metadata(p) {
            Ok(m) => Some(m),
            Err(e) => {
                eprintln!("error: {e}");
                return 2;
            }
        },
        None => None,
    };
    let now = match &args.now {
        Some(s) => match OffsetDateTime::parse(s, &Rfc3339) {
            Ok(t) => Some(t),
            Err(e) => {
                eprintln!("error: --now {s:?} is not an RFC 3339 instant: {e}");
                return 2;
            }
        },
        None => None,
    };
    let opts = InspectOptions {
        idp,
        sp_entity_id: args.sp_entity_id.clone(),
        acs_url: args.acs.clone(),
        now,
        want_assertions_signed: args.want_assertions_signed,
    };
    match inspect(&input, &opts) {
        Ok(report) => {
            match args.format {
                InspectFormat::Text => print!("{}", report.render_text()),
                InspectFormat::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&report.to_json()).unwrap_or_default()
                ),
            }
            report.exit_code()
        }
        Err(e) => {
            match args.format {
                InspectFormat::Text => eprintln!("error: unusable input: {e}"),
                InspectFormat::Json => println!(
                    "{}",
                    serde_json::json!({"verdict": "unusable", "reason": null, "explanation": e.0, "message": null})
                ),
            }
            2
        }
    }
}
