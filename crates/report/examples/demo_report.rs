//! Write the demo run report (HTML, JSON, Markdown) and print each file's SHA-256.
//! `cargo run -p hybridsync-report --example demo_report -- <folder> [mailboxes]`
fn main() {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| ".".into()));
    let n = args.next().and_then(|s| s.parse().ok()).unwrap_or(25);
    let report = hybridsync_report::sample::demo_report(n);
    match hybridsync_report::write_all(&report, &dir, "hybridsync-report") {
        Ok(written) => {
            for w in written {
                println!("{}  {} ({} bytes)", w.sha256, w.path.display(), w.bytes);
            }
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
