//! `hybridsync`: the wizard's steps for scripts and servers. Thin glue over hybridsync-core.
mod cmd;
mod exit;
mod progress;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

const AFTER_HELP: &str = "\
Exit status:
  0   success
  1   the check ran and found problems (directory scan: any finding; cert inspect: an error)
  2   bad input: a wrong argument, or a file that cannot be read
  3   not found (no tenant for the domain, no such DNS record)
  4   a TLS certificate is not trusted (pass --ca-file for TLS inspection)
  5   network: timeout, refused, unreachable
  6   the service answered something unexpected
  7   cancelled, or another bulk run holds the organization
  8   sign-in failed or refused, not signed in, or the account lacks the role a step needs
  9   the OS keychain is unavailable or locked (tokens are never written to a file)
  10  internal error (please report it with the log file)

Output: human-readable by default; --json prints one JSON object on stdout for scripts.
Errors go to stderr. Logs roll daily in the log folder (`hybridsync paths`).";

#[derive(Parser)]
#[command(name = "hybridsync", version, about = "Hybrid Sync Wizard: set up server-side sync between Dynamics 365 (on-premises) and Exchange Online", after_help = AFTER_HELP, propagate_version = true)]
struct Cli {
    /// Also print log lines on stderr.
    #[arg(long, short, global = true)]
    verbose: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Find a Microsoft 365 tenant from one of its domains, without signing in.
    #[command(subcommand, after_help = AFTER_HELP)]
    Tenant(cmd::tenant::TenantCommand),
    /// Look up DNS records directly at a name server, with no cache.
    #[command(subcommand, after_help = AFTER_HELP)]
    Dns(cmd::dns::DnsCommand),
    /// Add a custom domain to the tenant, check its TXT record on every name server, verify it.
    #[command(subcommand, after_help = AFTER_HELP)]
    Domain(cmd::domain::DomainCommand),
    /// Check a directory export against Microsoft's directory-synchronization rules (the successor to IdFix).
    #[command(subcommand, after_help = AFTER_HELP)]
    Directory(cmd::directory::DirectoryCommand),
    /// Run the practice tenant (a simulated Microsoft 365 + Dynamics over TLS on 127.0.0.1) until Ctrl-C.
    #[command(after_help = AFTER_HELP)]
    Sim(cmd::sim::SimArgs),
    /// Run the steps of a saved plan, resuming from its journal.
    #[command(after_help = AFTER_HELP)]
    Run(cmd::run::RunArgs),
    /// Sign in as a tenant administrator (system browser, or --device-code); the sign-in is kept in the OS keychain.
    #[command(after_help = AFTER_HELP)]
    Signin(cmd::signin::SigninArgs),
    /// Sign out: delete the saved sign-in from the OS keychain.
    #[command(after_help = AFTER_HELP)]
    Signout(cmd::signin::SignoutArgs),
    /// Show who is signed in, the tenant and the directory roles.
    #[command(after_help = AFTER_HELP)]
    Whoami(cmd::signin::WhoamiArgs),
    /// Read and check the S2S certificate (.pfx/.p12, .cer/.crt/.pem) for server-to-server trust.
    #[command(subcommand, after_help = AFTER_HELP)]
    Cert(cmd::cert::CertCommand),
    /// Explain a failure: an error code, alert text, script output or a 401's WWW-Authenticate header.
    #[command(after_help = AFTER_HELP)]
    Diagnose(cmd::diagnose::DiagnoseArgs),
    /// Upload the S2S certificate to the Dynamics CRM service principal (plan shows the diff; apply changes it).
    #[command(subcommand, after_help = AFTER_HELP)]
    Trust(cmd::trust::TrustCommand),
    /// Write the CRM-server PowerShell script (--out FILE), or import its result file (import RESULT.json).
    #[command(name = "crm-script", after_help = AFTER_HELP)]
    CrmScript(cmd::crm_script::CrmScriptArgs),
    /// Show where hybridsync keeps its logs, journals and settings.
    Paths(cmd::paths::PathsArgs),
    /// Check hybrid connectivity (Autodiscover DNS and HTTPS, EWS, TLS certificates, SMTP, outbound HTTPS) as a pass/fail tree.
    #[command(after_help = AFTER_HELP)]
    Probe(cmd::probe::ProbeArgs),
    /// The Dynamics email server profile "Exchange Online (Hybrid)": plan or apply (and the defaults).
    #[command(subcommand, after_help = AFTER_HELP)]
    Profile(cmd::dynamics::ProfileCommand),
    /// Dynamics mailboxes: list, configure, approve, test (Test & Enable) and watch, in bulk.
    #[command(subcommand, after_help = AFTER_HELP)]
    Mailboxes(cmd::dynamics::MailboxesCommand),
    /// Measure the Dynamics bulk path against an in-process practice tenant.
    #[command(subcommand, after_help = AFTER_HELP)]
    Bench(cmd::bench::BenchCommand),
}

/// `hybridsync … | head`: once the reader closes the output, the command ends quietly with the
/// status for "cancelled" (the standard library reports a failed print as a panic; this is the one
/// place that turns it into an exit). Any other panic is a bug: one line, status 10.
fn exit_quietly_on_closed_output() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let text = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if text.starts_with("failed printing to std") && closed_pipe(text) {
            std::process::exit(exit::CANCELLED.into());
        }
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = hybridsync_core::redact::text(text).into_owned();
        let _ = writeln!(
            std::io::stderr(),
            "error: internal error{place}: {message} (please report it with the log file)"
        );
        tracing::error!(code = "internal", "internal error{place}: {message}");
        std::process::exit(exit::INTERNAL.into());
    }));
}

/// A print failed because the reading end went away (EPIPE on Unix, ERROR_NO_DATA on Windows).
fn closed_pipe(text: &str) -> bool {
    text.contains("Broken pipe") || text.contains("os error 32)") || text.contains("os error 232)")
}

fn main() -> ExitCode {
    exit_quietly_on_closed_output();
    let logs = format!(
        "{AFTER_HELP}\nLog folder: {}",
        hybridsync_core::paths::log_dir().display()
    );
    let matches = Cli::command().after_help(logs).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    let _guard = hybridsync_core::logging::init(progress::stderr_layer(cli.verbose));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::INTERNAL);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Tenant(c) => cmd::tenant::run(c).await,
            Command::Dns(c) => cmd::dns::run(c).await,
            Command::Domain(c) => cmd::domain::run(c).await,
            Command::Directory(c) => cmd::directory::run(c),
            Command::Sim(a) => cmd::sim::run(a).await,
            Command::Run(a) => cmd::run::run(a).await,
            Command::Signin(a) => cmd::signin::signin(a).await,
            Command::Signout(a) => cmd::signin::signout(a),
            Command::Whoami(a) => cmd::signin::whoami(a).await,
            Command::Cert(c) => cmd::cert::run(c),
            Command::Diagnose(a) => cmd::diagnose::run(a),
            Command::Paths(a) => cmd::paths::run(a),
            Command::Probe(a) => cmd::probe::run(a).await,
            Command::Trust(c) => cmd::trust::run(c).await,
            Command::CrmScript(a) => cmd::crm_script::run(a),
            Command::Bench(c) => cmd::bench::run(c).await,
            Command::Profile(c) => cmd::dynamics::profile(c).await,
            Command::Mailboxes(c) => cmd::dynamics::mailboxes(c).await,
        }
    });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            // Errors reach the terminal and the log only through the redaction.
            let message = hybridsync_core::redact::text(&e.message).into_owned();
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "error: {message}");
            if let Some(r) = &e.remediation {
                for line in cmd::diagnose::hint(&e) {
                    let _ = writeln!(err, "{}", hybridsync_core::redact::text(&line));
                }
                let _ = writeln!(err, "  (troubleshooting: {r}; code {})", e.code);
            }
            drop(err);
            tracing::error!(code = %e.code, "{message}");
            ExitCode::from(exit::for_code(&e.code))
        }
    }
}
