//! How much a bulk run sends at once, found from what the server shows instead of told.
//!
//! An on-premises Dynamics server shares its web and SQL servers with the people working in CRM,
//! and no client knows how many requests it can serve at once. The controller's one unknown is
//! that number, the server's *slots*. It starts small (four requests, the first of a single
//! operation) and reads every answer's round trip against a model of the idle server,
//! `rtt = fixed + ops × per_op`, fitted from the fastest answer seen per batch size, so the
//! fixed part (the network, the sign-in check) and the server's time per operation are told
//! apart. Time above the model is time the request waited in the server's queue.
//!
//! A request of `b` operations keeps a slot busy for `b × per_op` of its `fixed + b × per_op`
//! round trip, so it takes that share of a slot ("its load"); requests are sent while their loads
//! add up to no more than the slots the controller allows. Small batches therefore go out in
//! larger numbers than large ones, and the tail of a run (small batches, spread over the slots)
//! keeps the server busy to the end.
//!
//! While answers do not wait, the allowed slots grow by part of each answer's load (TCP's slow
//! start, at three quarters instead of doubling, and half once answers begin to wait), with small
//! batches and short round trips. When the smoothed waiting share passes `SLOW_START_EXIT_SHARE`,
//! the slots go back to what they were one round trip before (plus the headroom) and the batches
//! grow to their aim. From then on, once per
//! round trip (as TCP Vegas): answers that waited well over `HEADROOM` set the slots to what the
//! server served in that round; answers that waited well under it grow them a step. So about a
//! tenth of the server's time is spent queueing behind the CRM's own users, never much more.
//! 429 and 503 halve the slots and hold every new request for the `Retry-After` the server named;
//! a lost connection or a time-out takes a quarter. Dataverse's `x-ms-dop-hint` answer header,
//! when a server sends one, caps the requests in flight; the admin's ceiling caps them always.
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// ms-api.md §6.5 (P-LIM): a `$batch` holds at most 1000 requests.
pub const MAX_BATCH_OPERATIONS: usize = 1000;
/// Requests at once when the admin sets no ceiling.
pub const DEFAULT_CEILING: usize = 128;
/// The highest ceiling an admin may set.
pub const MAX_CEILING: usize = 256;
/// Requests in flight at the start: gentle on a server already busy with its own users.
pub const INITIAL_REQUESTS: f64 = 4.0;
/// Operations per batch once the first one-operation request has answered.
pub const INITIAL_BATCH: usize = 30;
/// The smallest batch after the start (the tail may send smaller ones).
pub const MIN_BATCH: usize = 10;
/// A batch's server time aims at this many times the request's fixed part.
pub const BATCH_TIME_FACTOR: f64 = 8.0;
/// No batch aims at more server time than this (progress and cancel stay responsive).
pub const MAX_BATCH_TIME: Duration = Duration::from_secs(2);
/// Slow start adds this share of each answer's load to the slots: half, so the load grows by
/// half each round trip and a server that is full by the time the first answer shows it has had
/// at most half again what it takes.
pub const SLOW_START_GROWTH: f64 = 0.5;
/// ... and this share while no answer has waited at all.
pub const SLOW_START_FAST: f64 = 0.75;
/// Waits shorter than this are timing noise (a busy client machine, the network).
pub const NOISE_WAIT: Duration = Duration::from_millis(10);
/// Waiting shares below this are measurement noise.
pub const NOISE_SHARE: f64 = 0.05;
/// Slow start ends at the first answer that waited at least this share of its server time.
pub const SLOW_START_EXIT_SHARE: f64 = 0.1;
/// The share of server time the controller lets requests queue, to keep the server busy.
pub const HEADROOM: f64 = 0.1;

/// What the admin sets for a bulk run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BulkOptions {
    /// Use at most this many requests at once (1–[`MAX_CEILING`]).
    pub ceiling: usize,
    /// Operations per batch at most (1–[`MAX_BATCH_OPERATIONS`]).
    pub max_batch: usize,
}

impl Default for BulkOptions {
    fn default() -> Self {
        BulkOptions {
            ceiling: DEFAULT_CEILING,
            max_batch: MAX_BATCH_OPERATIONS,
        }
    }
}

impl BulkOptions {
    /// The admin's ceiling, checked: a clear message when it is out of range.
    pub fn with_ceiling(ceiling: usize) -> Result<BulkOptions, String> {
        if ceiling == 0 || ceiling > MAX_CEILING {
            return Err(format!(
                "a ceiling of {ceiling} requests at once is outside 1–{MAX_CEILING}"
            ));
        }
        Ok(BulkOptions {
            ceiling,
            ..BulkOptions::default()
        })
    }
}

/// What one answer showed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Signal {
    /// Answered on the first attempt.
    Answered,
    /// 429 or 503, with the `Retry-After` the server named.
    Overloaded(Option<Duration>),
    /// The connection dropped or the request timed out.
    Lost,
}

/// One request of a bulk run, as the controller sees it.
#[derive(Debug, Clone, Copy)]
pub struct Observation {
    pub ops: usize,
    /// The round trip of the last attempt.
    pub rtt: Duration,
    pub signal: Signal,
    /// Dataverse's `x-ms-dop-hint` answer header.
    pub dop_hint: Option<usize>,
}

/// The answers of one round trip.
#[derive(Debug, Default)]
struct Round {
    /// Waiting shares of the answers to requests sent in this round: their sum and count.
    sum: f64,
    fresh: usize,
    /// Operations answered.
    ops: usize,
}

/// What the driver sends next: this many operations, taking this much of the allowed slots.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ticket {
    pub ops: usize,
    pub load: f64,
    /// Sent before the model was known (its load counted as a whole slot).
    pub early: bool,
}

#[derive(Debug)]
pub struct Controller {
    ceiling: usize,
    max_batch: usize,
    /// The server slots the requests in flight may keep busy.
    slots: f64,
    /// The loads of the requests in flight added up, their operations and their number.
    load: f64,
    in_flight_ops: usize,
    in_flight: usize,
    slow_start: bool,
    /// The fastest round trip seen per batch size.
    fastest: BTreeMap<usize, Duration>,
    /// `(fixed, per_op)` in seconds, fitted from `fastest`.
    model: Option<(f64, f64)>,
    batch: usize,
    probe_sent: bool,
    hold_until: Option<Instant>,
    last_decrease: Option<Instant>,
    /// When the slots were last made fewer.
    last_cut: Option<Instant>,
    /// The current round trip: when it started, and its answers.
    round_start: Option<Instant>,
    round: Round,
    dop_hint: Option<usize>,
    /// The waiting share of the last answers, smoothed (slow start).
    trend: f64,
    /// When slow start last grew at full speed.
    fast_at: Option<Instant>,
}

impl Controller {
    pub fn new(opts: &BulkOptions) -> Controller {
        let ceiling = opts.ceiling.clamp(1, MAX_CEILING);
        Controller {
            ceiling,
            max_batch: opts.max_batch.clamp(1, MAX_BATCH_OPERATIONS),
            slots: INITIAL_REQUESTS.min(ceiling as f64),
            load: 0.0,
            in_flight_ops: 0,
            in_flight: 0,
            slow_start: true,
            fastest: BTreeMap::new(),
            model: None,
            batch: INITIAL_BATCH.min(opts.max_batch.max(1)),
            probe_sent: false,
            hold_until: None,
            last_decrease: None,
            last_cut: None,
            round_start: None,
            round: Round::default(),
            dop_hint: None,
            trend: 0.0,
            fast_at: None,
        }
    }

    /// What the hint and the ceiling allow in flight.
    fn cap(&self) -> usize {
        self.dop_hint
            .map_or(self.ceiling, |h| h.clamp(1, self.ceiling))
    }

    /// The share of a slot a request of `ops` operations keeps busy over its round trip (a whole
    /// slot until the model is known).
    fn load_of(&self, ops: usize) -> f64 {
        match self.model {
            Some((fixed, per_op)) if per_op > 0.0 => {
                let busy = ops as f64 * per_op;
                busy / (fixed + busy)
            }
            _ => 1.0,
        }
    }

    /// About how many requests of the current batch size the allowed slots take (progress).
    pub fn window(&self) -> usize {
        ((self.slots / self.load_of(self.batch)).floor() as usize).clamp(1, self.cap())
    }

    /// The server slots the controller allows now.
    pub fn slots(&self) -> f64 {
        self.slots
    }

    /// The server asked to wait: no new request before this instant.
    pub fn hold_until(&self, now: Instant) -> Option<Instant> {
        self.hold_until.filter(|t| *t > now)
    }

    /// The next request, `remaining` being the operations not sent yet; `None` while the
    /// requests in flight take what is allowed.
    pub fn next_batch(&mut self, remaining: usize) -> Option<Ticket> {
        if remaining == 0 || self.in_flight >= self.cap() {
            return None;
        }
        let ops = if !self.probe_sent {
            // The first request carries one operation: its round trip is the fixed part.
            1
        } else if self.model.is_some() && !self.slow_start {
            // The tail: each slot's share of what is left, so they all finish together.
            let share = remaining.div_ceil((self.slots.round() as usize).max(1));
            self.batch.min(share).clamp(1, remaining)
        } else {
            self.batch.clamp(1, remaining)
        };
        let load = self.load_of(ops);
        if self.in_flight > 0 && self.load + load > self.slots + 1e-9 {
            return None;
        }
        self.probe_sent = true;
        self.load += load;
        self.in_flight_ops += ops;
        self.in_flight += 1;
        Some(Ticket {
            ops,
            load,
            early: self.model.is_none(),
        })
    }

    /// The batch size the model aims at: server time `BATCH_TIME_FACTOR` × the fixed part.
    fn target_batch(&self) -> usize {
        match self.model {
            Some((fixed, per_op)) if per_op > 0.0 => {
                let by_factor = BATCH_TIME_FACTOR * fixed / per_op;
                let by_time = MAX_BATCH_TIME.as_secs_f64() / per_op;
                (by_factor.min(by_time) as usize)
                    .clamp(MIN_BATCH.min(self.max_batch), self.max_batch)
            }
            Some(_) => self.max_batch,
            None => self.batch,
        }
    }

    /// The idle server's model from the fastest answer of the smallest and of the largest batch
    /// size seen: the widest span, so timing noise weighs least on the per-operation time (the
    /// fastest of many same-size answers is one that did not wait in the queue).
    fn refit(&mut self) {
        let (Some((&small, &rs)), Some((&large, &rl))) = (
            self.fastest.first_key_value(),
            self.fastest.last_key_value(),
        ) else {
            return;
        };
        if large < small.max(1) * 2 {
            return;
        }
        let (rs, rl) = (rs.as_secs_f64(), rl.as_secs_f64());
        let per_op = ((rl - rs) / (large - small) as f64).max(0.0);
        self.model = Some(((rs - per_op * small as f64).max(0.0), per_op));
    }

    /// The share of an answer's server time spent waiting in the queue.
    fn waited(&self, obs: &Observation) -> f64 {
        let Some((fixed, per_op)) = self.model else {
            return 0.0;
        };
        let rtt = obs.rtt.as_secs_f64();
        let server = (rtt - fixed).max(1e-6);
        let wait = rtt - fixed - per_op * obs.ops as f64 - NOISE_WAIT.as_secs_f64();
        let share = (wait / server).clamp(0.0, 1.0);
        if share < NOISE_SHARE {
            0.0
        } else {
            share
        }
    }

    /// The slots a server answering `ops_per_second` keeps busy (Little's law), with `HEADROOM`.
    fn slots_for(&self, ops_per_second: f64) -> Option<f64> {
        let (_, per_op) = self.model?;
        (per_op > 0.0 && ops_per_second > 0.0).then_some(ops_per_second * per_op * (1.0 + HEADROOM))
    }

    fn cut(&mut self, now: Instant) {
        self.last_cut = Some(now);
        self.round_start = Some(now);
        self.round = Round::default();
    }

    /// Decreases at most once per round trip: the answers of one overload all say the same.
    fn decrease(&mut self, factor: f64, now: Instant, rtt: Duration) {
        if self
            .last_decrease
            .is_some_and(|t| now.duration_since(t) < rtt)
        {
            return;
        }
        self.last_decrease = Some(now);
        self.cut(now);
        self.slow_start = false;
        self.slots = (self.slots * factor).max(self.load_of(self.batch));
    }

    /// Learns from one answer (`ticket` is what [`Controller::next_batch`] gave for it).
    pub fn observe(&mut self, ticket: Ticket, obs: Observation, now: Instant) {
        let counted = if ticket.early && self.model.is_some() {
            self.load_of(ticket.ops)
        } else {
            ticket.load
        };
        self.load = (self.load - counted).max(0.0);
        self.in_flight_ops = self.in_flight_ops.saturating_sub(ticket.ops);
        self.in_flight = self.in_flight.saturating_sub(1);
        if let Some(h) = obs.dop_hint {
            self.dop_hint = Some(h.max(1));
        }
        match obs.signal {
            Signal::Overloaded(retry_after) => {
                if let Some(wait) = retry_after {
                    let until = now + wait;
                    self.hold_until = Some(self.hold_until.map_or(until, |t| t.max(until)));
                }
                self.decrease(0.5, now, obs.rtt);
                return;
            }
            Signal::Lost => {
                self.decrease(0.75, now, obs.rtt);
                return;
            }
            Signal::Answered => {}
        }
        let fastest = self.fastest.entry(ticket.ops).or_insert(obs.rtt);
        if obs.rtt < *fastest {
            *fastest = obs.rtt;
        }
        let had_model = self.model.is_some();
        self.refit();
        if !had_model && self.model.is_some() {
            // The loads are known from now on: the slots become what was in flight.
            self.slots = self.slots.min(self.cap() as f64) * self.load_of(self.batch);
            let mean_ops = self.in_flight_ops.checked_div(self.in_flight).unwrap_or(0);
            self.load = self.in_flight as f64 * self.load_of(mean_ops);
        }
        let share = self.waited(&obs);
        let sent = now.checked_sub(obs.rtt).unwrap_or(now);
        tracing::trace!(
            ops = ticket.ops,
            rtt_ms = obs.rtt.as_millis() as u64,
            share,
            slots = self.slots,
            in_flight = self.in_flight,
            batch = self.batch,
            slow_start = self.slow_start,
            "bulk: answer"
        );
        let stale = self.last_cut.is_some_and(|cut| sent < cut);
        if self.slow_start && self.model.is_some() && !stale {
            // Timing noise makes single answers look as if they waited: slow start ends on the
            // trend of the last few.
            self.trend = self.trend * 0.6 + share * 0.4;
        }
        if self.slow_start {
            if self.model.is_none() {
                self.slots += 1.0;
            } else if stale {
                // An answer from before the last cut saw the queue the cut removed.
            } else if self.trend < SLOW_START_EXIT_SHARE {
                // Each answer adds part of its load, so the slots grow each round trip until the
                // queue shows: by three quarters while no answer waited, by half once some did.
                let growth = if self.trend > 0.0 {
                    SLOW_START_GROWTH
                } else {
                    SLOW_START_FAST
                };
                if growth == SLOW_START_FAST {
                    self.fast_at = Some(now);
                }
                self.slots += ticket.load * growth;
                // Batches that keep the server busy for less than their round trip's fixed part
                // mostly wait on the network: they double (the slots count what a request keeps
                // the server busy, so a larger batch adds no load of its own). At the cap on
                // requests, they double anyway.
                let short = self.load_of(self.batch) < 0.5;
                if ticket.ops >= self.batch && (short || self.in_flight + 1 >= self.cap()) {
                    self.batch = (self.batch * 2).min(self.target_batch()).max(1);
                }
            } else {
                // The server just filled. The load grew by half over the round trip that showed
                // it, so what it was a round trip ago is what the server takes (as TCP takes back
                // its window when slow start overshoots), with the headroom on top.
                self.slow_start = false;
                // How much it grew over that round trip: doubled if it still grew fast then.
                let grew = 1.0
                    + if self.fast_at.is_some_and(|t| t >= sent) {
                        SLOW_START_FAST
                    } else {
                        SLOW_START_GROWTH
                    };
                self.slots = (self.slots / grew * (1.0 + HEADROOM)).max(self.load_of(self.batch));
                self.batch = self.target_batch();
                self.cut(now);
            }
            return;
        }
        // Once per round trip (as TCP Vegas), from the answers to requests sent since the last
        // change.
        self.round.ops += ticket.ops;
        if self.round_start.is_none_or(|start| sent >= start) {
            self.round.sum += share;
            self.round.fresh += 1;
        }
        let start = *self.round_start.get_or_insert(sent);
        // A round lasts one idle round trip of a full batch, and holds at least one fresh answer.
        let idle = self.model.map_or(obs.rtt.as_secs_f64(), |(fixed, per_op)| {
            fixed + per_op * self.batch as f64
        });
        if self.round.fresh > 0 && now.saturating_duration_since(start).as_secs_f64() >= idle {
            let mean = self.round.sum / self.round.fresh as f64;
            let span = now.saturating_duration_since(start).as_secs_f64();
            let served = (span > 0.0)
                .then(|| self.slots_for(self.round.ops as f64 / span))
                .flatten();
            if mean > 1.5 * HEADROOM {
                let next = served.unwrap_or(self.slots * (1.0 - mean + HEADROOM));
                self.slots = next
                    .clamp(self.slots * 0.5, self.slots)
                    .max(self.load_of(self.batch));
                self.last_cut = Some(now);
            } else if mean < HEADROOM / 2.0 {
                // The answers show the slots of one round trip ago: small steps up.
                self.slots += self.slots * HEADROOM;
            }
            self.round_start = Some(now);
            self.round = Round::default();
        }
        // A full batch came back: the next ones may double, up to the model's aim.
        if ticket.ops >= self.batch {
            self.batch = (self.batch * 2).min(self.target_batch()).max(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server with `capacity` slots, a fixed `latency` outside them and `per_op` inside: each
    /// request waits for a slot, then holds it for `ops × per_op`. Time is simulated, so the
    /// tests are exact and fast. Returns (seconds, peak in flight, the share of server time
    /// spent waiting for a slot, requests).
    fn simulate(
        capacity: usize,
        latency: f64,
        per_op: f64,
        total: usize,
        opts: &BulkOptions,
        overload_every: Option<usize>,
    ) -> (f64, usize, f64, usize) {
        let base = Instant::now();
        let at = |t: f64| base + Duration::from_secs_f64(t);
        let mut ctl = Controller::new(opts);
        let mut slots = vec![0.0_f64; capacity];
        // In flight: (answer time, ticket, sent time, overloaded).
        let mut flight: Vec<(f64, Ticket, f64, bool)> = Vec::new();
        let (mut now, mut remaining, mut peak, mut requests) = (0.0_f64, total, 0, 0);
        let (mut waited, mut served) = (0.0, 0.0);
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        loop {
            while ctl.hold_until(at(now)).is_none() {
                let Some(ticket) = ctl.next_batch(remaining) else {
                    break;
                };
                let ops = ticket.ops;
                remaining -= ops;
                requests += 1;
                let overloaded = overload_every.is_some_and(|n| requests % n == 0);
                // Timing noise, as on a busy machine: up to 8 ms more on each way (fixed seed).
                let mut jitter = || {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (seed >> 33) as f64 / (1u64 << 31) as f64 * 0.008
                };
                let (up, down) = (jitter(), jitter());
                let arrive = now + latency / 2.0 + up;
                let (i, free) = slots
                    .iter()
                    .cloned()
                    .enumerate()
                    .fold((0, f64::MAX), |b, (i, f)| if f < b.1 { (i, f) } else { b });
                let start = arrive.max(free);
                let work = if overloaded { 0.0 } else { ops as f64 * per_op };
                slots[i] = start + work;
                waited += start - arrive;
                served += work;
                if overloaded {
                    remaining += ops;
                }
                flight.push((start + work + latency / 2.0 + down, ticket, now, overloaded));
                peak = peak.max(flight.len());
            }
            if flight.is_empty() {
                if remaining == 0 {
                    break;
                }
                now = (ctl.hold_until(at(now)).unwrap() - base).as_secs_f64();
                continue;
            }
            let (i, _) =
                flight.iter().enumerate().fold(
                    (0, f64::MAX),
                    |b, (i, f)| if f.0 < b.1 { (i, f.0) } else { b },
                );
            let (done, ticket, sent, overloaded) = flight.swap_remove(i);
            let ops = ticket.ops;
            now = done;
            let signal = if overloaded {
                Signal::Overloaded(Some(Duration::from_millis(200)))
            } else {
                Signal::Answered
            };
            ctl.observe(
                ticket,
                Observation {
                    ops,
                    rtt: Duration::from_secs_f64(done - sent),
                    signal,
                    dop_hint: None,
                },
                at(now),
            );
        }
        (now, peak, waited / (waited + served), requests)
    }

    fn utilization(capacity: usize, latency: f64, per_op: f64, total: usize, seconds: f64) -> f64 {
        (total as f64 * per_op / capacity as f64 + latency) / seconds
    }

    #[test]
    fn finds_the_capacity_of_small_and_large_servers_without_being_told() {
        for (capacity, total, least) in [
            (2, 10_000, 0.78),
            (4, 10_000, 0.78),
            (16, 10_000, 0.78),
            (64, 50_000, 0.65),
        ] {
            let (secs, peak, wait_share, _) =
                simulate(capacity, 0.05, 0.002, total, &BulkOptions::default(), None);
            let u = utilization(capacity, 0.05, 0.002, total, secs);
            assert!(
                u >= least,
                "capacity {capacity}: utilization {u:.2} ({secs:.2} s)"
            );
            assert!(
                wait_share <= 0.2,
                "capacity {capacity}: {wait_share:.2} of server time spent queued"
            );
            assert!(peak <= DEFAULT_CEILING, "capacity {capacity}: peak {peak}");
        }
    }

    #[test]
    fn other_servers_too_a_slow_one_near_by_and_a_fast_one_far_away() {
        // 20 ms away, 10 ms an operation, 3 at once; 150 ms away, 0.5 ms an operation, 32 at once
        // (a 1.7 s job, three of whose round trips go on finding the pace).
        for (capacity, latency, per_op, total, least) in [
            (3, 0.02, 0.01, 3_000, 0.8),
            (32, 0.15, 0.0005, 100_000, 0.5),
        ] {
            let (secs, _, wait_share, _) = simulate(
                capacity,
                latency,
                per_op,
                total,
                &BulkOptions::default(),
                None,
            );
            let u = utilization(capacity, latency, per_op, total, secs);
            assert!(u >= least, "capacity {capacity}: utilization {u:.2}");
            assert!(
                wait_share <= 0.25,
                "capacity {capacity}: {wait_share:.2} of server time spent queued"
            );
        }
    }

    #[test]
    fn the_ceiling_caps_what_is_in_flight() {
        let opts = BulkOptions::with_ceiling(4).unwrap();
        let (secs, peak, _, _) = simulate(16, 0.05, 0.002, 10_000, &opts, None);
        assert!(peak <= 4, "peak {peak}");
        assert!(utilization(16, 0.05, 0.002, 10_000, secs) <= 0.3);
    }

    #[test]
    fn overload_answers_shrink_the_window_and_hold_new_requests() {
        let mut ctl = Controller::new(&BulkOptions::default());
        let now = Instant::now();
        ctl.slots = 40.0;
        ctl.slow_start = false;
        let t = Ticket {
            ops: 10,
            load: 1.0,
            early: false,
        };
        let obs = |signal| Observation {
            ops: 10,
            rtt: Duration::from_millis(100),
            signal,
            dop_hint: None,
        };
        ctl.observe(
            t,
            obs(Signal::Overloaded(Some(Duration::from_secs(3)))),
            now,
        );
        assert_eq!(ctl.slots(), 20.0);
        assert!(ctl.hold_until(now + Duration::from_secs(2)).is_some());
        assert!(ctl.hold_until(now + Duration::from_secs(4)).is_none());
        // The other answers of the same overload do not halve it again.
        ctl.observe(
            t,
            obs(Signal::Overloaded(None)),
            now + Duration::from_millis(10),
        );
        assert_eq!(ctl.slots(), 20.0);
        ctl.observe(t, obs(Signal::Lost), now + Duration::from_millis(500));
        assert_eq!(ctl.slots(), 15.0);
    }

    #[test]
    fn a_run_with_overload_answers_still_finishes_every_operation() {
        let (_, peak, _, requests) =
            simulate(8, 0.05, 0.002, 3_000, &BulkOptions::default(), Some(7));
        assert!(peak <= DEFAULT_CEILING);
        assert!(requests > 0);
    }

    #[test]
    fn the_dop_hint_caps_the_window() {
        let mut ctl = Controller::new(&BulkOptions::default());
        let now = Instant::now();
        for i in 0..50 {
            let t = ctl.next_batch(10_000).unwrap();
            ctl.observe(
                t,
                Observation {
                    ops: t.ops,
                    rtt: Duration::from_millis(50 + 2 * t.ops as u64),
                    signal: Signal::Answered,
                    dop_hint: Some(3),
                },
                now + Duration::from_millis(i),
            );
        }
        assert_eq!(ctl.window(), 3);
        let sent: Vec<Ticket> = std::iter::from_fn(|| ctl.next_batch(10_000)).collect();
        assert_eq!(sent.len(), 3, "at most the hint's requests in flight");
    }

    #[test]
    fn the_first_request_is_one_operation_and_the_tail_spreads_over_the_window() {
        let mut ctl = Controller::new(&BulkOptions::default());
        assert_eq!(ctl.next_batch(10_000).unwrap().ops, 1);
        assert_eq!(ctl.next_batch(10_000).unwrap().ops, INITIAL_BATCH);
        ctl.model = Some((0.05, 0.002));
        ctl.slow_start = false;
        ctl.batch = 200;
        ctl.slots = 8.0;
        ctl.load = 0.0;
        assert_eq!(ctl.next_batch(80).unwrap().ops, 10);
        assert_eq!(ctl.next_batch(3).unwrap().ops, 1);
    }

    #[test]
    fn a_ceiling_out_of_range_is_refused() {
        assert!(BulkOptions::with_ceiling(0).is_err());
        assert!(BulkOptions::with_ceiling(MAX_CEILING + 1).is_err());
        assert_eq!(BulkOptions::with_ceiling(4).unwrap().ceiling, 4);
    }
}
