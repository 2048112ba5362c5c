pub mod bench;
pub mod cert;
pub mod cert_files;
pub mod crm_script;
pub mod diagnose;
pub mod directory;
pub mod directory_fix;
pub mod directory_ldap;
pub mod dns;
pub mod domain;
pub mod dynamics;
pub mod paths;
pub mod probe;
pub mod report_file;
pub mod run;
pub mod signin;
pub mod sim;
pub mod tenant;
pub mod trust;

use hybridsync_core::ErrorPayload;

/// Prints one JSON object on stdout (the `--json` contract).
pub fn print_json(value: &impl serde::Serialize) -> Result<(), ErrorPayload> {
    let text =
        serde_json::to_string_pretty(value).map_err(|e| ErrorPayload::internal(e.to_string()))?;
    println!("{text}");
    Ok(())
}
