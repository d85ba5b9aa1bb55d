//! `ssosim bench login`: complete SP-initiated logins per second through
//! the browser agent, the mock IdP (auto-login) and the standalone SP, all
//! in one process on one core (a current-thread runtime), next to the
//! RSA-2048 PKCS#1 v1.5 SHA-256 signing rate of the IdP's own key, which
//! bounds it: every login costs the IdP one signature per signed element.
//!
//! One login is: `GET /login` on the SP → 302 with an AuthnRequest
//! (Redirect binding) → the IdP's `/sso` → a signed Response in an
//! auto-submitting form → `POST /saml/acs` → validation (signature, c14n,
//! conditions, replay cache) → session cookie. The clock is fixed (the
//! default epoch) so every login is judged at the same virtual instant;
//! elapsed wall time is measured with `Instant` for the figures only.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use openssl::hash::MessageDigest;
use openssl::sign::Signer;
use tokio::net::TcpListener;

use crate::agent::browser::Browser;
use crate::agent::HttpClient;
use crate::idp::{new_idp, Directory, IdpServer, IdpSettings, IdpShared, ProfileOptions, Vendor};
use crate::saml::response::SignWhat;
use crate::sim::{Clock, Rng, DEFAULT_EPOCH};
use crate::spsaml::{SamlSp, SamlSpServer, SamlSpShared, SpSettings};

#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchSign {
    /// The Response only (Okta's default): one RSA signature per login.
    Response,
    /// The Assertion only (Entra's and Google's default).
    Assertion,
    /// Both (the generic profile): two RSA signatures per login.
    Both,
}

/// `ssosim bench login` flags.
#[derive(clap::Args, Debug, Clone)]
pub struct BenchLoginArgs {
    /// How many logins to time (after a short warm-up).
    #[arg(long, default_value_t = 500)]
    pub n: usize,
    /// What the IdP signs.
    #[arg(long, value_enum, default_value_t = BenchSign::Response)]
    pub sign: BenchSign,
    #[arg(long, value_enum, default_value_t = super::RulesFormat::Text)]
    pub format: super::RulesFormat,
}

/// The measured figures.
#[derive(Clone, Debug)]
pub struct LoginBench {
    pub logins: usize,
    pub logins_per_s: f64,
    pub rsa2048_sign_per_s: f64,
    pub signatures_per_login: u32,
    /// Microseconds per call of the two SAML steps, measured alone with the
    /// same key and message shape: where a login's time goes.
    pub build_response_us: f64,
    pub validate_response_us: f64,
    pub rsa_sign_us: f64,
}

impl LoginBench {
    /// Logins per RSA signature the same core can make.
    pub fn ratio(&self) -> f64 {
        self.logins_per_s / self.rsa2048_sign_per_s
    }
}

pub fn bench_login(args: &BenchLoginArgs) -> i32 {
    if args.n == 0 {
        eprintln!("error: --n must be at least 1");
        return 2;
    }
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start a runtime: {e}");
            return 3;
        }
    };
    match rt.block_on(run(args.n, args.sign)) {
        Ok(b) => {
            match args.format {
                super::RulesFormat::Json => println!(
                    "{}",
                    serde_json::json!({
                        "logins_per_s": round1(b.logins_per_s),
                        "rsa2048_sign_per_s": round1(b.rsa2048_sign_per_s),
                        "ratio": (b.ratio() * 1000.0).round() / 1000.0,
                        "logins": b.logins,
                        "signatures_per_login": b.signatures_per_login,
                        "breakdown_us": {
                            "login": round1(1e6 / b.logins_per_s),
                            "idp_build_response": round1(b.build_response_us),
                            "sp_validate_response": round1(b.validate_response_us),
                            "rsa2048_sign": round1(b.rsa_sign_us),
                        },
                    })
                ),
                super::RulesFormat::Text => {
                    println!(
                        "logins: {} complete SP-initiated logins, {:.1}/s on one core",
                        b.logins, b.logins_per_s
                    );
                    println!(
                        "rsa-2048 PKCS#1 v1.5 SHA-256 signing: {:.1}/s ({} per login)",
                        b.rsa2048_sign_per_s, b.signatures_per_login
                    );
                    println!(
                        "ratio: {:.3} logins per signature (ceiling {:.3}; target >= 0.5)",
                        b.ratio(),
                        1.0 / f64::from(b.signatures_per_login)
                    );
                    println!(
                        "per login: {:.0} µs; the IdP's build_response {:.0} µs (RSA signing {:.0} µs of it), the SP's validate_response {:.0} µs",
                        1e6 / b.logins_per_s,
                        b.build_response_us,
                        b.rsa_sign_us * f64::from(b.signatures_per_login),
                        b.validate_response_us
                    );
                }
            }
            0
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            3
        }
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Login and signing rounds, alternating.
const ROUNDS: usize = 10;
/// Signing time per round: 0.5 s in all.
const SIGN_ROUND: Duration = Duration::from_millis(50);

/// Starts the IdP and the SP on 127.0.0.1 and times `n` logins.
pub async fn run(n: usize, sign: BenchSign) -> anyhow::Result<LoginBench> {
    let clock = Clock::new(DEFAULT_EPOCH);
    let rng = Rng::new(1);
    let idp_listener = TcpListener::bind("127.0.0.1:0").await?;
    let sp_listener = TcpListener::bind("127.0.0.1:0").await?;
    let idp_base = format!("http://{}", idp_listener.local_addr()?);
    let sp_base = format!("http://{}", sp_listener.local_addr()?);

    let mut settings = IdpSettings::new(&idp_base);
    settings.auto_login = Some("ada@acme.test".to_string());
    let options = ProfileOptions {
        sign: Some(match sign {
            BenchSign::Response => SignWhat::Response,
            BenchSign::Assertion => SignWhat::Assertion,
            BenchSign::Both => SignWhat::Both,
        }),
        ..ProfileOptions::default()
    };
    let directory = Directory::builtin(&mut rng.fork("idp-directory"));
    let mut idp = new_idp(Vendor::Generic, settings, directory, &options, &rng)?;
    let sp = SamlSp::new(
        SpSettings::new(&sp_base, idp.metadata()),
        rng.fork("sp-saml"),
    )?;
    idp.add_sp(crate::idp::SpConfig::from_metadata_xml(
        sp.metadata_xml().as_bytes(),
    )?);
    let key = idp.signing_key().pkey().clone();
    let idp_key = idp.signing_key().clone();
    let sp_config = sp.config().clone();

    let idp_server = IdpServer::serve(
        IdpShared::new(idp, rng.fork("idp"), clock.clone()),
        idp_listener,
    )?;
    let sp_server = SamlSpServer::serve(SamlSpShared::new(sp, clock.clone(), None), sp_listener)?;
    let mut browser = Browser::new(HttpClient::new(), clock.clone());
    // The transcript peek re-parses every message; a benchmark of the
    // protocol leaves it out.
    browser.summarize_saml = false;
    let login_url = format!("{sp_base}/login");

    let warmup = n.clamp(1, 20);
    for _ in 0..warmup {
        one_login(&mut browser, &login_url).await?;
    }
    // The two rates are taken in alternating rounds, so that a slow spell
    // of a shared machine weighs on both alike rather than on whichever
    // happened to run then.
    let rounds = n.clamp(1, ROUNDS);
    let mut login_time = Duration::ZERO;
    let mut sign_time = Duration::ZERO;
    let mut signs = 0u64;
    // The same key, the same kind of input (a SignedInfo is ~600 bytes).
    let data = vec![0x5a_u8; 600];
    for round in 0..rounds {
        let logins = n / rounds + usize::from(round < n % rounds);
        let t0 = Instant::now();
        for _ in 0..logins {
            one_login(&mut browser, &login_url).await?;
        }
        login_time += t0.elapsed();

        let t1 = Instant::now();
        let mut round_signs = 0u64;
        while t1.elapsed() < SIGN_ROUND || round_signs < 5 {
            let mut s = Signer::new(MessageDigest::sha256(), &key).context("openssl signer")?;
            s.update(&data)?;
            let sig = s.sign_to_vec()?;
            std::hint::black_box(sig);
            round_signs += 1;
        }
        sign_time += t1.elapsed();
        signs += round_signs;
    }

    sp_server.shutdown().await;
    idp_server.shutdown().await;
    let (build_response_us, validate_response_us) =
        saml_steps(&idp_key, &sp_config, sign, n.min(300))?;
    Ok(LoginBench {
        build_response_us,
        validate_response_us,
        rsa_sign_us: sign_time.as_secs_f64() * 1e6 / signs as f64,
        logins: n,
        logins_per_s: n as f64 / login_time.as_secs_f64(),
        rsa2048_sign_per_s: signs as f64 / sign_time.as_secs_f64(),
        signatures_per_login: if sign == BenchSign::Both { 2 } else { 1 },
    })
}

async fn one_login(browser: &mut Browser, login_url: &str) -> anyhow::Result<()> {
    // Each login is a fresh browser: no SP or IdP session carried over.
    browser.jar_mut().clear();
    let page = browser.navigate("GET", login_url, None).await?;
    let hops = browser.take_hops();
    if page.status != 200 || !page.body.contains("accepted: ") {
        let trail: Vec<String> = hops.iter().flat_map(|h| h.describe()).collect();
        anyhow::bail!(
            "a login did not succeed ({}):\n{}\n{}",
            page.status,
            trail.join("\n"),
            page.body
        );
    }
    Ok(())
}

/// Times the IdP's `build_response` and the SP's `validate_response` alone
/// (`iterations` each, same key, same shape), in microseconds per call.
fn saml_steps(
    key: &crate::saml::keys::SigningKey,
    cfg: &crate::saml::validate::SpConfig,
    sign: BenchSign,
    iterations: usize,
) -> anyhow::Result<(f64, f64)> {
    use crate::saml::response::{build_response, Grant, ResponseParams, ResponseShape};
    use crate::saml::validate::{validate_response, InResponseToCheck, Pending};
    let mut shape = ResponseShape::generic(&cfg.idp_entity_id);
    shape.sign = match sign {
        BenchSign::Response => SignWhat::Response,
        BenchSign::Assertion => SignWhat::Assertion,
        BenchSign::Both => SignWhat::Both,
    };
    let params = ResponseParams {
        destination: cfg.acs_url.clone(),
        audience: cfg.entity_id.clone(),
        in_response_to: Some("_bench".to_string()),
    };
    let grant = Grant {
        name_id: "ada@acme.test".to_string(),
        attributes: vec![
            ("email".to_string(), vec!["ada@acme.test".to_string()]),
            ("groups".to_string(), vec!["Engineering".to_string()]),
        ],
        session_index: None,
    };
    let mut rng = Rng::new(2);
    let iterations = iterations.max(1);
    let mut built = vec![];
    let t = Instant::now();
    for _ in 0..iterations {
        built.push(build_response(&shape, &params, &grant, DEFAULT_EPOCH, &mut rng, key)?.xml);
    }
    let build_us = t.elapsed().as_secs_f64() * 1e6 / iterations as f64;
    let pending = Pending {
        request_id: "_bench".to_string(),
    };
    let t = Instant::now();
    for xml in &built {
        // No replay cache: every message is validated as if first seen.
        validate_response(
            cfg,
            DEFAULT_EPOCH,
            xml.as_bytes(),
            InResponseToCheck::Pending(Some(&pending)),
            None,
        )
        .map_err(|r| anyhow::anyhow!("the bench response was refused: {r}"))?;
    }
    let validate_us = t.elapsed().as_secs_f64() * 1e6 / iterations as f64;
    Ok((build_us, validate_us))
}
