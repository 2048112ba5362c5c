//! The poller with real checks against in-process servers. Timing is asserted
//! as poll counts, never as wall-clock durations.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{bounded, Lab, EXPECTED};
use hybridsync_dns::verify_check::check;
use hybridsync_dns::{poll_until_ready, Backoff, FindingCode, PollStatus};
use tokio_util::sync::CancellationToken;

const INTERVAL: Duration = Duration::from_millis(50);

/// Polls `check`; right after poll number `appear_after` has looked (and not
/// found it), the record is published on the authoritative servers, so it
/// appears during the wait that follows.
async fn detect(
    appear_after: u32,
    backoff: Backoff,
) -> hybridsync_dns::PollOutcome<hybridsync_dns::CheckReport> {
    let lab = Arc::new(Lab::new(2, vec![]).await);
    let cancel = CancellationToken::new();
    let options = lab.check_options();
    bounded(poll_until_ready(
        |n| {
            let lab = lab.clone();
            let options = options.clone();
            async move {
                let report = check("contoso.test", EXPECTED, &options).await.unwrap();
                if n == appear_after {
                    assert!(!report.ready, "ready before the record was published");
                    lab.publish("@", &[EXPECTED]).await;
                }
                report
            }
        },
        INTERVAL,
        &backoff,
        &cancel,
    ))
    .await
}

#[tokio::test]
async fn a_record_appearing_mid_poll_is_detected_by_the_next_poll() {
    let out = detect(3, Backoff::fixed()).await;
    assert_eq!(out.status, PollStatus::Ready);
    // Appeared after poll 3: seen by poll 4, i.e. within one poll interval.
    assert_eq!(out.polls, 4);
    assert_eq!(out.waits, vec![INTERVAL; 3]);
    let last = out.last.unwrap();
    assert!(last.ready);
    assert!(last.has(FindingCode::Ready));
}

#[tokio::test]
async fn with_backoff_detection_is_still_one_capped_interval_away() {
    let cap = Duration::from_millis(120);
    let out = detect(5, Backoff::exponential(2.0, cap)).await;
    assert_eq!(out.status, PollStatus::Ready);
    assert_eq!(out.polls, 6);
    assert_eq!(
        out.waits,
        vec![INTERVAL, Duration::from_millis(100), cap, cap, cap]
    );
}

#[tokio::test]
async fn a_stale_resolver_does_not_hold_back_readiness() {
    // The resolver keeps answering the old value for the whole run.
    let lab = Arc::new(Lab::new(2, vec![]).await);
    lab.resolver_zone().set_txt("@", &["MS=ms00000000"]).await;
    let options = lab.check_options();
    let cancel = CancellationToken::new();
    let polls = AtomicU32::new(0);
    let out = bounded(poll_until_ready(
        |n| {
            polls.store(n, Ordering::SeqCst);
            let lab = lab.clone();
            let options = options.clone();
            async move {
                let report = check("contoso.test", EXPECTED, &options).await.unwrap();
                if n == 2 {
                    lab.publish("@", &[EXPECTED]).await;
                }
                report
            }
        },
        INTERVAL,
        &Backoff::fixed().with_max_polls(10),
        &cancel,
    ))
    .await;
    assert_eq!(out.status, PollStatus::Ready);
    assert_eq!(out.polls, 3);
    let last = out.last.unwrap();
    assert!(last.has(FindingCode::ResolverStale));
    assert_eq!(
        last.table.resolver_row().unwrap().values,
        vec!["MS=ms00000000"]
    );
}

#[tokio::test]
async fn a_resolver_that_has_it_early_does_not_make_it_ready() {
    // The resolver (a cache) says yes, the authoritative servers do not: not ready.
    let lab = Lab::new(2, vec![]).await;
    lab.resolver_zone().set_txt("@", &[EXPECTED]).await;
    let cancel = CancellationToken::new();
    let options = lab.check_options();
    let out = bounded(poll_until_ready(
        |_| check("contoso.test", EXPECTED, &options),
        Duration::from_millis(10),
        &Backoff::fixed().with_max_polls(3),
        &cancel,
    ))
    .await;
    assert_eq!(out.status, PollStatus::GaveUp);
    assert_eq!(out.polls, 3);
    let last = out.last.unwrap().unwrap();
    assert!(!last.ready);
    assert!(last.has(FindingCode::TxtMissing));
}

#[tokio::test]
async fn cancelling_stops_polling() {
    let lab = Lab::new(1, vec![]).await;
    let cancel = CancellationToken::new();
    let options = lab.check_options();
    let c = cancel.clone();
    let out = bounded(poll_until_ready(
        |n| {
            let options = options.clone();
            let c = c.clone();
            async move {
                let r = check("contoso.test", EXPECTED, &options).await;
                if n == 1 {
                    // Cancelled while the first check runs: the hour-long wait
                    // that would follow must not happen.
                    c.cancel();
                }
                r
            }
        },
        Duration::from_secs(3600),
        &Backoff::fixed(),
        &cancel,
    ))
    .await;
    assert_eq!(out.status, PollStatus::Cancelled);
    assert_eq!(out.polls, 1);
    assert!(out.waits.len() <= 1);
}
