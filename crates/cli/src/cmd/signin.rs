//! `hybridsync signin [--device-code]`, `hybridsync signout`, `hybridsync whoami [--json]`: the
//! Sign-in step. Tokens go to the OS keychain only; nothing here prints or logs them.
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use hybridsync_core::keychain::Keychain;
use hybridsync_core::steps::signin::{self, SignInReport, SignInRequest};
use hybridsync_core::{ErrorPayload, StepContext};
use hybridsync_microsoft::identity::{open_system_browser, DevicePolling, LoopbackOptions};

use crate::{exit, progress};

#[derive(Args)]
pub struct SigninArgs {
    /// Sign in with a code entered on another device (servers without a browser).
    #[arg(long)]
    pub device_code: bool,
    /// The tenant: organizations (any work account), a tenant ID or one of its domains.
    #[arg(long, default_value = "organizations")]
    pub tenant: String,
    /// The cloud: worldwide, usgov, china, or an https URL (a practice tenant, a proxy).
    #[arg(long, default_value = "worldwide")]
    pub authority: String,
    /// A PEM file of CA certificates to trust besides the system's (networks that inspect TLS).
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
    /// The Application (client) ID of your public-client app registration.
    #[arg(long, env = "HYBRIDSYNC_CLIENT_ID", default_value = "")]
    pub client_id: String,
    /// Print the sign-in address instead of opening a browser (open it yourself, on this machine).
    #[arg(long, conflicts_with = "device_code")]
    pub no_browser: bool,
    /// Seconds to wait for the browser sign-in.
    #[arg(long, default_value_t = 300)]
    pub timeout: u64,
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct SignoutArgs {
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct WhoamiArgs {
    /// Print one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

fn context(json: bool) -> (StepContext, Option<indicatif::ProgressBar>) {
    let (sink, bar) = progress::sink(json);
    let ctx = StepContext::new(sink);
    let cancel = ctx.cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            cancel.cancel();
        }
    });
    (ctx, bar)
}

pub async fn signin(a: SigninArgs) -> Result<u8, ErrorPayload> {
    let req = SignInRequest {
        authority: a.authority,
        tenant: a.tenant,
        client_id: a.client_id,
        ca_file: a.ca_file.map(|p| p.display().to_string()),
    };
    let keychain = Keychain::default();
    let (ctx, bar) = context(true);
    let result = if a.device_code {
        signin::sign_in_device_code(
            &req,
            &keychain,
            &ctx,
            |code| {
                let mut err = std::io::stderr().lock();
                let _ = writeln!(err, "{}", code.message);
                let _ = writeln!(err, "Code: {}", code.user_code);
                let _ = writeln!(err, "Address: {}", code.verification_uri);
                let _ = writeln!(
                    err,
                    "Waiting for the sign-in (the code expires in {} minutes)…",
                    code.expires_in.as_secs().div_ceil(60)
                );
            },
            &DevicePolling::default(),
        )
        .await
    } else {
        let no_browser = a.no_browser;
        let open = move |url: String| async move {
            if no_browser {
                eprintln!("Open this address in a browser on this machine to sign in:\n{url}");
                return Ok(());
            }
            eprintln!("Opening the browser to sign in. If it does not open, go to:\n{url}");
            if let Err(e) = open_system_browser(url).await {
                eprintln!("(could not open a browser: {e}; open the address above yourself, or use --device-code)");
            }
            Ok(())
        };
        let opts = LoopbackOptions {
            timeout: Duration::from_secs(a.timeout.max(1)),
        };
        signin::sign_in_browser(&req, &keychain, &ctx, open, &opts).await
    };
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let report = result?;
    if a.json {
        super::print_json(&report)?;
    } else {
        print_report("Signed in as", &report);
        println!("The sign-in is kept in the OS keychain (service \"{}\"); `hybridsync signout` deletes it.", keychain.service());
    }
    Ok(exit::OK)
}

pub async fn whoami(a: WhoamiArgs) -> Result<u8, ErrorPayload> {
    let report = signin::whoami(&Keychain::default()).await?;
    if a.json {
        super::print_json(&report)?;
    } else {
        print_report("Signed in as", &report);
    }
    Ok(exit::OK)
}

pub fn signout(a: SignoutArgs) -> Result<u8, ErrorPayload> {
    let keychain = Keychain::default();
    let gone = signin::sign_out(&keychain)?;
    if a.json {
        super::print_json(&serde_json::json!({
            "signed_out": gone.as_ref().map(|s| &s.saved.account),
            "tenant_id": gone.as_ref().map(|s| &s.saved.tenant_id),
            "authority": gone.as_ref().map(|s| &s.saved.authority),
            "keychain_entry": gone.as_ref().map(|s| &s.keychain_entry),
            "token_deleted": gone.as_ref().map(|s| s.token_deleted),
        }))?;
    } else {
        match gone {
            Some(s) if s.token_deleted => println!(
                "Signed out {} (tenant {}, {}); deleted its refresh token from the OS keychain (service \"{}\", entry \"{}\").",
                s.saved.account, s.saved.tenant_id, s.saved.authority, keychain.service(), s.keychain_entry
            ),
            Some(s) => println!(
                "Signed out {} (tenant {}, {}); the OS keychain held no refresh token for it (service \"{}\", entry \"{}\"), so nothing was deleted there.",
                s.saved.account, s.saved.tenant_id, s.saved.authority, keychain.service(), s.keychain_entry
            ),
            None => println!("Nobody was signed in."),
        }
    }
    Ok(exit::OK)
}

fn print_report(head: &str, r: &SignInReport) {
    let roles = r.user.role_names();
    println!(
        "{head} {} ({})",
        r.user.user_principal_name, r.user.display_name
    );
    println!("Tenant ID      {}", r.user.tenant_id);
    println!("Authority      {}", r.authority);
    println!(
        "Roles          {}",
        if roles.is_empty() {
            "(no directory role)".to_string()
        } else {
            roles.join(", ")
        }
    );
}
