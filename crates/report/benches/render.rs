//! Render a 10,000-mailbox run report and print the figures as JSON (goals: HTML in ≤ 1 s in
//! release, ≤ 5 MB). Run: `cargo bench -p hybridsync-report --bench render`.
use std::time::{Duration, Instant};

use hybridsync_report::{
    render_html, render_json, render_markdown, sample::demo_report, write_all,
};

const MAILBOXES: usize = 10_000;
const RUNS: usize = 7;

fn time<T>(mut f: impl FnMut() -> T) -> (Duration, Duration, T) {
    let mut times = Vec::with_capacity(RUNS);
    let mut last = None;
    for _ in 0..RUNS {
        let t = Instant::now();
        last = Some(std::hint::black_box(f()));
        times.push(t.elapsed());
    }
    times.sort();
    (times[0], times[RUNS / 2], last.unwrap())
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

fn main() {
    let t = Instant::now();
    let report = demo_report(MAILBOXES);
    let build = t.elapsed();

    let (html_min, html_median, html) = time(|| render_html(&report).expect("html"));
    let (json_min, json_median, json) = time(|| render_json(&report).expect("json"));
    let (md_min, md_median, md) = time(|| render_markdown(&report).expect("md"));
    let dir = std::env::temp_dir().join(format!("hybridsync-report-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (write_min, write_median, written) =
        time(|| write_all(&report, &dir, "run").expect("write"));
    let _ = std::fs::remove_dir_all(&dir);

    let html_ok = html_median <= Duration::from_secs(1) && html.len() <= 5_000_000;
    let out = serde_json::json!({
        "bench": "report_render",
        "mailboxes": MAILBOXES,
        "runs": RUNS,
        "profile": if cfg!(debug_assertions) { "debug" } else { "release" },
        "build_model_ms": ms(build),
        "html": { "min_ms": ms(html_min), "median_ms": ms(html_median), "bytes": html.len(), "goal_ms": 1000, "goal_bytes": 5_000_000 },
        "json": { "min_ms": ms(json_min), "median_ms": ms(json_median), "bytes": json.len() },
        "markdown": { "min_ms": ms(md_min), "median_ms": ms(md_median), "bytes": md.len() },
        "write_all_three_with_sha256": { "min_ms": ms(write_min), "median_ms": ms(write_median), "sha256_html": written[0].sha256 },
        "goals_met": html_ok,
    });
    println!("{}", serde_json::to_string_pretty(&out).expect("json"));
}
