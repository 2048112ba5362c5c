//! `hybridsync paths`: where logs, journals and settings live.
use clap::Args;
use hybridsync_core::{paths, ErrorPayload};

#[derive(Args)]
pub struct PathsArgs {
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: PathsArgs) -> Result<u8, ErrorPayload> {
    let (logs, data, config) = (paths::log_dir(), paths::data_dir(), paths::config_dir());
    if a.json {
        super::print_json(&serde_json::json!({"logs": logs, "data": data, "config": config}))?;
    } else {
        println!("Logs     {}", logs.display());
        println!("Data     {}", data.display());
        println!("Settings {}", config.display());
    }
    Ok(crate::exit::OK)
}
