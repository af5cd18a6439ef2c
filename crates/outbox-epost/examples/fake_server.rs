//! Serves the fake E-POSTBUSINESS API for integration tests of other programs.
//!
//! ```text
//! cargo run -p outbox-epost --features fake --example fake_server -- --port 8080
//! cargo run -p outbox-epost --features fake --example fake_server -- --port 8080 --step-seconds 10
//! ```
//!
//! Options: `--port N` (default 8080, 0 = any free port), `--step-seconds N` (each status step
//! takes N seconds instead of minutes/hours/a day), `--not-activated` (the account must first be
//! activated with smsRequest + setPassword; the SMS code is printed and served at
//! `/__fake/sms-code`), `--no-rate-limits`. Stop it with Ctrl-C.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use outbox_epost::fake::{FakeConfig, FakeEpost, StatusSchedule};

struct Options {
    port: u16,
    step: Option<Duration>,
    not_activated: bool,
    no_rate_limits: bool,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        port: 8080,
        step: None,
        not_activated: false,
        no_rate_limits: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                let v = args.next().ok_or("--port needs a number")?;
                o.port = v
                    .parse()
                    .map_err(|_| format!("--port: {v:?} is not a port"))?;
            }
            "--step-seconds" => {
                let v = args.next().ok_or("--step-seconds needs a number")?;
                let s: u64 = v
                    .parse()
                    .map_err(|_| format!("--step-seconds: {v:?} is not a number"))?;
                o.step = Some(Duration::from_secs(s));
            }
            "--not-activated" => o.not_activated = true,
            "--no-rate-limits" => o.no_rate_limits = true,
            "-h" | "--help" => {
                return Err("usage: fake_server [--port N] [--step-seconds N] \
                            [--not-activated] [--no-rate-limits]"
                    .to_owned());
            }
            other => return Err(format!("unknown option {other:?} (try --help)")),
        }
    }
    Ok(o)
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(o) => o,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };
    let mut config = if options.not_activated {
        FakeConfig::not_activated()
    } else {
        FakeConfig::default()
    };
    if let Some(step) = options.step {
        config.schedule = StatusSchedule::uniform(step);
    }
    config.rate_limits = !options.no_rate_limits;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, options.port));
    let fake = match FakeEpost::start_with_on(config, addr).await {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    println!("fake E-POST server listening on {}", fake.base_url());
    println!("  vendorID: {}", fake.vendor_id());
    println!("  ekp:      {}", fake.ekp());
    match (fake.secret(), fake.password()) {
        (Some(secret), Some(password)) => {
            println!("  secret:   {secret}");
            println!("  password: {password}");
        }
        _ => println!(
            "  account not activated: POST /api/Login/smsRequest, then GET /__fake/sms-code"
        ),
    }
    println!("  letters:  {}/__fake/letters", fake.base_url());
    println!(
        "  clock:    POST {}/__fake/advance {{\"seconds\": 3600}}",
        fake.base_url()
    );
    println!("Ctrl-C stops it.");
    std::future::pending::<()>().await;
    ExitCode::SUCCESS
}
