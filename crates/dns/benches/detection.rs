//! Detection latency: how long after the TXT record appears on the
//! authoritative servers does `poll_until_ready` report ready, compared with
//! the poll interval. Plain `main` (harness = false) printing one JSON object.
//!
//! cargo bench -p hybridsync-dns --bench detection

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Lab, EXPECTED};
use hybridsync_dns::verify_check::check;
use hybridsync_dns::{poll_until_ready, Backoff, PollStatus};
use serde_json::json;
use tokio_util::sync::CancellationToken;

const TRIALS: u32 = 12;

struct Trial {
    latency: Duration,
    check: Duration,
    wait_at_detection: Duration,
}

async fn trial(lab: &Arc<Lab>, interval: Duration, backoff: &Backoff, offset: Duration) -> Trial {
    for i in 0..lab.auth.len() {
        lab.zone(i).remove_txt("@").await;
    }
    let options = lab.check_options();
    let cancel = CancellationToken::new();
    let publisher = {
        let lab = lab.clone();
        tokio::spawn(async move {
            tokio::time::sleep(offset).await;
            lab.publish("@", &[EXPECTED]).await;
            Instant::now()
        })
    };
    let check_times = Arc::new(std::sync::Mutex::new(Vec::new()));
    let out = poll_until_ready(
        |_| {
            let options = options.clone();
            let check_times = check_times.clone();
            async move {
                let t = Instant::now();
                let r = check("contoso.test", EXPECTED, &options).await.unwrap();
                check_times.lock().unwrap().push(t.elapsed());
                r
            }
        },
        interval,
        backoff,
        &cancel,
    )
    .await;
    let detected = Instant::now();
    let published = publisher.await.unwrap();
    assert_eq!(out.status, PollStatus::Ready);
    let times = check_times.lock().unwrap();
    Trial {
        latency: detected.saturating_duration_since(published),
        check: times.iter().sum::<Duration>() / times.len() as u32,
        wait_at_detection: out.waits.last().copied().unwrap_or_default(),
    }
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx]
}

async fn run(
    lab: &Arc<Lab>,
    interval: Duration,
    backoff: Backoff,
    label: &str,
) -> serde_json::Value {
    let mut trials = Vec::new();
    for t in 0..TRIALS {
        // Spread the moment the record appears over the poll cycle.
        let offset = interval * 2 + interval.mul_f64(f64::from(t) / f64::from(TRIALS));
        trials.push(trial(lab, interval, &backoff, offset).await);
    }
    let mut lat: Vec<Duration> = trials.iter().map(|t| t.latency).collect();
    lat.sort();
    let mean = lat.iter().sum::<Duration>() / lat.len() as u32;
    let check_mean = trials.iter().map(|t| t.check).sum::<Duration>() / trials.len() as u32;
    // The bound to meet: the wait in force when the record appeared, plus one check.
    let within = trials
        .iter()
        .filter(|t| t.latency <= t.wait_at_detection.max(interval) + t.check * 2)
        .count();
    let max_wait = trials
        .iter()
        .map(|t| t.wait_at_detection)
        .max()
        .unwrap_or_default();
    json!({
        "backoff": label,
        "interval_ms": ms(interval),
        "max_wait_ms": ms(max_wait),
        "trials": TRIALS,
        "latency_ms": {
            "min": ms(lat[0]),
            "median": ms(percentile(&lat, 0.5)),
            "p95": ms(percentile(&lat, 0.95)),
            "max": ms(*lat.last().unwrap()),
            "mean": ms(mean),
        },
        "check_ms_mean": ms(check_mean),
        "max_latency_over_max_wait": (lat.last().unwrap().as_secs_f64() / max_wait.as_secs_f64() * 1000.0).round() / 1000.0,
        "within_one_wait_plus_check": within,
    })
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let report = rt.block_on(async {
        let lab = Arc::new(Lab::new(2, vec![]).await);
        let mut runs = Vec::new();
        for ms in [50u64, 100, 250] {
            let interval = Duration::from_millis(ms);
            runs.push(run(&lab, interval, Backoff::fixed(), "fixed").await);
        }
        let interval = Duration::from_millis(50);
        runs.push(
            run(&lab, interval, Backoff::exponential(2.0, Duration::from_millis(200)), "exponential x2 cap 200ms").await,
        );
        json!({
            "benchmark": "detection",
            "what": "time from the TXT record appearing on every authoritative server to poll_until_ready returning ready",
            "servers": { "authoritative": lab.auth.len(), "resolver": 1 },
            "runs": runs,
        })
    });
    println!("{}", serde_json::to_string_pretty(&report).unwrap());
}
