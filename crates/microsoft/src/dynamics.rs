//! A client for the Dynamics 365 on-premises Web API (OData v4, ms-api.md §6): WhoAmI and
//! RetrieveVersion first; paging by `@odata.nextLink` with `Prefer: odata.maxpagesize`; `$batch`
//! with changesets (at most 1000 operations) sent at the pace the server shows ([`crate::bulk`]);
//! 429/503 and lost connections retried per [`RetryPolicy`] (only requests that are safe to repeat:
//! reads, and PATCHes of a row by id with `If-Match: *`).
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::stream::{FuturesUnordered, StreamExt};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::bulk::{BulkOptions, MAX_BATCH_OPERATIONS};
use crate::bulk::{Controller, Observation, Signal};
use crate::dynamics_batch::{self, BatchAnswer, BatchOp};
use crate::retry::{parse_retry_after, RetryCause, RetryPolicy};
use crate::{Error, Result, Secret, Transport};

/// ms-api.md §6.5 (P-LIM): at most 5,000 rows per page.
pub const MAX_PAGE_SIZE: usize = 5000;

/// How the client authenticates. On-premises servers use Windows authentication (NTLM/Negotiate)
/// or, for IFD addresses, AD FS OAuth (ms-api.md §6, D-WEBAUTH). Only the bearer token of AD FS
/// OAuth is implemented: Negotiate needs a Windows domain to run against (the sspi crate on
/// `cfg(windows)`), which the practice tenant cannot provide, so it is not built yet.
#[derive(Debug, Clone)]
pub enum DynamicsAuth {
    /// An access token whose resource is the CRM server's URL (AD FS OAuth, IFD).
    Bearer(Secret),
}

/// What WhoAmI and RetrieveVersion said.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ServerInfo {
    pub user_id: String,
    pub business_unit_id: String,
    pub organization_id: String,
    pub version: String,
}

/// One row update of a bulk run.
#[derive(Debug, Clone)]
pub struct Update {
    pub set: &'static str,
    pub id: String,
    pub body: Value,
}

/// After each answer of a bulk run.
#[derive(Debug, Clone, Serialize)]
pub struct BulkProgress {
    pub done: usize,
    pub failed: usize,
    pub total: usize,
    /// Requests in flight now, and what the controller allows.
    pub in_flight: usize,
    pub window: usize,
    /// Seconds left at the pace so far (after the first answers).
    pub eta_seconds: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct BulkOutcome {
    pub succeeded: Vec<String>,
    /// `(id, Dataverse's error message)`.
    pub failed: Vec<(String, String)>,
    /// `$batch` requests sent (resends without a failed row included).
    pub batches: usize,
    /// The most requests the run had in flight at once.
    pub peak_in_flight: usize,
}

/// How one request went, for the bulk controller.
#[derive(Debug, Clone, Copy, Default)]
struct Attempts {
    /// The worst thing a retried attempt met.
    overloaded: Option<Option<Duration>>,
    lost: bool,
    /// The round trip of the last attempt.
    rtt: Duration,
    dop_hint: Option<usize>,
}

impl Attempts {
    fn observation(&self, ops: usize) -> Observation {
        let signal = match (self.overloaded, self.lost) {
            (Some(ra), _) => Signal::Overloaded(ra),
            (None, true) => Signal::Lost,
            (None, false) => Signal::Answered,
        };
        Observation {
            ops,
            rtt: self.rtt,
            signal,
            dop_hint: self.dop_hint,
        }
    }
}

/// One `$batch` of a bulk run, answered.
struct Sent {
    ok: Vec<String>,
    failed: Vec<(String, String)>,
    /// Rows of a changeset rolled back because another row failed: sent again.
    again: Vec<Update>,
    observation: Observation,
}

#[derive(Deserialize, Default)]
struct DvErrorBody {
    #[serde(default)]
    error: DvErrorInner,
}

#[derive(Deserialize, Default)]
struct DvErrorInner {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

/// Dataverse's `{"error":{"code","message"}}` as one line.
pub fn error_text(body: &[u8]) -> String {
    let e: DvErrorBody = serde_json::from_slice(body).unwrap_or_default();
    if e.error.message.is_empty() {
        String::from_utf8_lossy(body).chars().take(300).collect()
    } else {
        format!("{} ({})", e.error.message, e.error.code)
    }
}

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

pub struct Dynamics {
    transport: Transport,
    /// `https://server/org/api/data/v9.x/`.
    root: String,
    auth: DynamicsAuth,
    pub retry: RetryPolicy,
    requests: AtomicU64,
    retries: AtomicU64,
}

impl Dynamics {
    /// A client for `server_url` (`https://crm.contoso.com/contoso`) and API `version` (`v9.0`).
    pub fn new(
        transport: Transport,
        server_url: &str,
        version: &str,
        auth: DynamicsAuth,
    ) -> Result<Dynamics> {
        let url = url::Url::parse(server_url.trim())
            .map_err(|e| Error::InvalidInput(format!("\"{server_url}\" is not a URL ({e}). Give the organization's address, e.g. https://crm.contoso.com/contoso.")))?;
        if url.scheme() != "https" {
            return Err(Error::InvalidInput(format!(
                "\"{server_url}\" is not an https address. The Dynamics Web API is reached over HTTPS with a valid certificate."
            )));
        }
        if version != "v9.0" && version != "v9.1" {
            return Err(Error::InvalidInput(format!(
                "the Web API version \"{version}\" is not supported: use v9.0 or v9.1."
            )));
        }
        Ok(Dynamics {
            transport,
            root: format!(
                "{}/api/data/{version}/",
                server_url.trim().trim_end_matches('/')
            ),
            auth,
            retry: RetryPolicy::default(),
            requests: AtomicU64::new(0),
            retries: AtomicU64::new(0),
        })
    }

    pub fn service_root(&self) -> &str {
        &self.root
    }

    /// HTTP requests sent so far (retries included).
    pub fn request_count(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    pub fn retry_count(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }

    /// WhoAmI, then RetrieveVersion; refuses a server older than 9.0 (ms-api.md §6).
    pub async fn server_info(&self) -> Result<ServerInfo> {
        let who = self.get_json("WhoAmI").await?;
        let ver = self.get_json("RetrieveVersion()").await?;
        let version = ver["Version"].as_str().unwrap_or("").to_string();
        let major: u32 = version
            .split('.')
            .next()
            .and_then(|m| m.parse().ok())
            .unwrap_or(0);
        if major < 9 {
            return Err(Error::Http {
                url: format!("{}RetrieveVersion()", self.root),
                status: 200,
                detail: format!("the server runs Dynamics version \"{version}\"; server-side sync with Exchange Online through this wizard needs version 9.0 or later (Web API v9.0)"),
            });
        }
        let s = |k: &str| who[k].as_str().unwrap_or("").to_string();
        Ok(ServerInfo {
            user_id: s("UserId"),
            business_unit_id: s("BusinessUnitId"),
            organization_id: s("OrganizationId"),
            version,
        })
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("https://") {
            path.to_string()
        } else {
            format!("{}{}", self.root, path.trim_start_matches('/'))
        }
    }

    /// One request with retries. `repeatable`: the request may be sent again after a lost
    /// connection (the server may have done it already). `seen` learns what the attempts met (for
    /// the bulk controller).
    async fn send(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, String)],
        body: Option<(&str, String)>,
        repeatable: bool,
        seen: &mut Attempts,
    ) -> Result<Answer> {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            self.requests.fetch_add(1, Ordering::Relaxed);
            let mut req = self
                .transport
                .client
                .request(method.clone(), url)
                .header("OData-MaxVersion", "4.0")
                .header("OData-Version", "4.0")
                .header("Accept", "application/json");
            match &self.auth {
                DynamicsAuth::Bearer(t) => req = req.bearer_auth(t.expose()),
            }
            for (k, v) in headers {
                req = req.header(*k, v);
            }
            if let Some((ct, b)) = &body {
                req = req.header("Content-Type", *ct).body(b.clone());
            }
            let sent = Instant::now();
            let outcome = match req.send().await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let headers = resp.headers().clone();
                    match resp.bytes().await {
                        Ok(b) => Ok(Answer {
                            status,
                            headers,
                            body: b.to_vec(),
                        }),
                        Err(e) => Err(e),
                    }
                }
                Err(e) => Err(e),
            };
            seen.rtt = sent.elapsed();
            let (cause, retry_after) = match outcome {
                Ok(a) if a.status == 429 || a.status == 503 => {
                    let ra = parse_retry_after(
                        a.headers.get("retry-after").and_then(|v| v.to_str().ok()),
                    );
                    let cause = if a.status == 429 {
                        RetryCause::Throttled
                    } else {
                        RetryCause::Unavailable
                    };
                    seen.overloaded = Some(ra.or(seen.overloaded.flatten()));
                    match self.retry.delay(attempt, ra) {
                        Some(_) => (cause, ra),
                        None => {
                            return Err(Error::Http {
                                url: url.to_string(),
                                status: a.status,
                                detail: format!("{}; still refused after {attempt} attempts. The server is overloaded: run again later, or set a lower ceiling of requests at once.", error_text(&a.body)),
                            })
                        }
                    }
                }
                Ok(a) => {
                    // Dataverse's recommended degree of parallelism (ms-api.md §6.5), when sent.
                    seen.dop_hint = a
                        .headers
                        .get("x-ms-dop-hint")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse().ok());
                    return Ok(a);
                }
                Err(e) => {
                    seen.lost = true;
                    let err = self.transport.explain(url, e);
                    if !repeatable
                        || matches!(err, Error::TlsUntrusted { .. })
                        || self.retry.delay(attempt, None).is_none()
                    {
                        return Err(err);
                    }
                    (RetryCause::ConnectionLost, None)
                }
            };
            let wait = self.retry.delay(attempt, retry_after).unwrap_or_default();
            self.retries.fetch_add(1, Ordering::Relaxed);
            tracing::info!(
                ?cause,
                attempt,
                wait_ms = wait.as_millis() as u64,
                url,
                "Dynamics: sending again"
            );
            tokio::time::sleep(wait).await;
        }
    }

    fn check(&self, url: &str, a: Answer) -> Result<Answer> {
        if (200..300).contains(&a.status) {
            return Ok(a);
        }
        let mut detail = error_text(&a.body);
        if a.status == 401 {
            detail.push_str(". Sign in again with an account of the CRM organization (AD FS for IFD addresses).");
        }
        Err(Error::Http {
            url: url.to_string(),
            status: a.status,
            detail,
        })
    }

    /// GET a JSON document (a row, an action's answer, one page).
    pub async fn get_json(&self, path: &str) -> Result<Value> {
        self.get_with(path, None).await.map(|(v, _)| v)
    }

    async fn get_with(&self, path: &str, page_size: Option<usize>) -> Result<(Value, u16)> {
        let url = self.url(path);
        let headers: Vec<(&str, String)> = match page_size {
            Some(n) => vec![(
                "Prefer",
                format!("odata.maxpagesize={}", n.clamp(1, MAX_PAGE_SIZE)),
            )],
            None => Vec::new(),
        };
        let a = self
            .send(
                Method::GET,
                &url,
                &headers,
                None,
                true,
                &mut Attempts::default(),
            )
            .await?;
        let a = self.check(&url, a)?;
        let v = serde_json::from_slice(&a.body).map_err(|e| Error::Http {
            url: url.clone(),
            status: a.status,
            detail: format!("the answer is not the documented JSON ({e})"),
        })?;
        Ok((v, a.status))
    }

    /// Every row of a query, page by page (`Prefer: odata.maxpagesize`, `@odata.nextLink`);
    /// also the number of pages (requests) it took.
    pub async fn get_all(&self, path: &str, page_size: usize) -> Result<(Vec<Value>, usize)> {
        let mut rows = Vec::new();
        let mut pages = 0;
        let mut next = Some(path.to_string());
        while let Some(p) = next.take() {
            let (page, _) = self.get_with(&p, Some(page_size)).await?;
            pages += 1;
            if let Some(v) = page["value"].as_array() {
                rows.extend(v.iter().cloned());
            }
            if let Some(link) = page["@odata.nextLink"].as_str() {
                if !link.starts_with(&self.root) {
                    return Err(Error::Http {
                        url: link.to_string(),
                        status: 200,
                        detail: "the @odata.nextLink points outside this organization's Web API; refusing to follow it".into(),
                    });
                }
                next = Some(link.to_string());
            }
        }
        Ok((rows, pages))
    }

    /// POST a new row; its id (from `OData-EntityId`). Not repeated after a lost connection
    /// (it might create a second row): the caller looks it up again instead.
    pub async fn create(&self, set: &str, body: &Value) -> Result<String> {
        let url = self.url(set);
        let a = self
            .send(
                Method::POST,
                &url,
                &[],
                Some(("application/json", body.to_string())),
                false,
                &mut Attempts::default(),
            )
            .await?;
        let a = self.check(&url, a)?;
        let id = a
            .headers
            .get("OData-EntityId")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.rsplit_once('(')
                    .map(|(_, r)| r.trim_end_matches(')').to_string())
            })
            .ok_or_else(|| Error::Http {
                url: url.clone(),
                status: a.status,
                detail: "the answer has no OData-EntityId header".into(),
            })?;
        Ok(id)
    }

    /// PATCH an existing row by id (`If-Match: *`: never creates one); safe to repeat.
    pub async fn patch(&self, set: &str, id: &str, body: &Value) -> Result<()> {
        let url = self.url(&format!("{set}({id})"));
        let a = self
            .send(
                Method::PATCH,
                &url,
                &[("If-Match", "*".into())],
                Some(("application/json", body.to_string())),
                true,
                &mut Attempts::default(),
            )
            .await?;
        self.check(&url, a)?;
        Ok(())
    }

    /// One `$batch`: the ops in one changeset (`changeset`) or as separate requests. Repeated after
    /// a lost connection only when every op is a GET or a PATCH with `If-Match: *`.
    pub async fn batch(&self, ops: &[BatchOp], changeset: bool) -> Result<Vec<BatchAnswer>> {
        self.batch_seen(ops, changeset, &mut Attempts::default())
            .await
    }

    async fn batch_seen(
        &self,
        ops: &[BatchOp],
        changeset: bool,
        seen: &mut Attempts,
    ) -> Result<Vec<BatchAnswer>> {
        if ops.len() > MAX_BATCH_OPERATIONS {
            return Err(Error::InvalidInput(format!(
                "a $batch may hold at most {MAX_BATCH_OPERATIONS} operations, not {}",
                ops.len()
            )));
        }
        let boundary = format!("batch_{}", uuid_like());
        let body = dynamics_batch::render(ops, &self.root, &boundary, changeset);
        let repeatable = ops
            .iter()
            .all(|o| o.method == "GET" || (o.method == "PATCH" && o.if_match_any));
        let url = self.url("$batch");
        let a = self
            .send(
                Method::POST,
                &url,
                &[],
                Some((&format!("multipart/mixed; boundary={boundary}"), body)),
                repeatable,
                seen,
            )
            .await?;
        let a = self.check(&url, a)?;
        let ct = a
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        dynamics_batch::parse(&String::from_utf8_lossy(&a.body), &ct).map_err(|detail| {
            Error::Http {
                url,
                status: a.status,
                detail: format!("the $batch answer is not valid multipart/mixed: {detail}"),
            }
        })
    }

    /// Updates many rows: one changeset per `$batch`, as many batches at once and as large as the
    /// server shows it can take ([`crate::bulk::Controller`]), never more at once than the
    /// admin's ceiling. A changeset that fails on one row is sent again without that row (the row
    /// is reported).
    pub async fn bulk_patch<F>(
        self: &Arc<Self>,
        updates: Vec<Update>,
        opts: &BulkOptions,
        progress: F,
    ) -> BulkOutcome
    where
        F: Fn(BulkProgress) + Sync,
    {
        let total = updates.len();
        let mut pending: VecDeque<Update> = updates.into();
        let mut ctl = Controller::new(opts);
        let mut running = FuturesUnordered::new();
        let mut out = BulkOutcome::default();
        let started = Instant::now();
        loop {
            while ctl.hold_until(Instant::now()).is_none() {
                let Some(ticket) = ctl.next_batch(pending.len()) else {
                    break;
                };
                let chunk: Vec<Update> = pending.drain(..ticket.ops).collect();
                let ids: Vec<String> = chunk.iter().map(|u| u.id.clone()).collect();
                let client = self.clone();
                let task = tokio::spawn(async move { client.send_chunk(chunk).await });
                running.push(async move { (ticket, ids, task.await) });
                out.batches += 1;
                out.peak_in_flight = out.peak_in_flight.max(running.len());
            }
            let next = match (running.is_empty(), ctl.hold_until(Instant::now())) {
                (true, None) if pending.is_empty() => break,
                (true, Some(until)) => {
                    tokio::time::sleep_until(until.into()).await;
                    continue;
                }
                (false, Some(until)) => tokio::select! {
                    n = running.next() => n,
                    _ = tokio::time::sleep_until(until.into()) => continue,
                },
                _ => running.next().await,
            };
            let Some((ticket, ids, joined)) = next else {
                continue;
            };
            match joined {
                Ok(sent) => {
                    ctl.observe(ticket, sent.observation, Instant::now());
                    out.succeeded.extend(sent.ok);
                    out.failed.extend(sent.failed);
                    for u in sent.again.into_iter().rev() {
                        pending.push_front(u);
                    }
                }
                Err(e) => {
                    ctl.observe(
                        ticket,
                        Observation {
                            ops: ticket.ops,
                            rtt: Duration::ZERO,
                            signal: Signal::Lost,
                            dop_hint: None,
                        },
                        Instant::now(),
                    );
                    out.failed.extend(
                        ids.into_iter()
                            .map(|id| (id, format!("a batch task stopped: {e}"))),
                    );
                }
            }
            let finished = out.succeeded.len() + out.failed.len();
            let elapsed = started.elapsed().as_secs_f64();
            progress(BulkProgress {
                done: out.succeeded.len(),
                failed: out.failed.len(),
                total,
                in_flight: running.len(),
                window: ctl.window(),
                eta_seconds: (finished > 0 && elapsed > 0.0)
                    .then(|| (total - finished) as f64 * elapsed / finished as f64),
            });
        }
        out
    }

    /// One `$batch` of a bulk run: its changeset; on a failed row, that row is reported and the
    /// others (rolled back with it) are handed back to be sent again.
    async fn send_chunk(&self, mut chunk: Vec<Update>) -> Sent {
        let ops: Vec<BatchOp> = chunk
            .iter()
            .map(|u| BatchOp {
                method: "PATCH",
                path: format!("{}({})", u.set, u.id),
                body: Some(u.body.clone()),
                if_match_any: true,
            })
            .collect();
        let mut seen = Attempts::default();
        let result = self.batch_seen(&ops, true, &mut seen).await;
        let observation = seen.observation(ops.len());
        match result {
            Ok(answers) => match answers.iter().find(|a| a.status >= 400) {
                None => Sent {
                    ok: chunk.into_iter().map(|u| u.id).collect(),
                    failed: Vec::new(),
                    again: Vec::new(),
                    observation,
                },
                Some(bad) => {
                    let idx = bad
                        .content_id
                        .unwrap_or(1)
                        .saturating_sub(1)
                        .min(chunk.len() - 1);
                    let u = chunk.remove(idx);
                    Sent {
                        ok: Vec::new(),
                        failed: vec![(u.id, error_text(bad.body.as_bytes()))],
                        again: chunk,
                        observation,
                    }
                }
            },
            Err(e) => {
                let msg = e.to_string();
                Sent {
                    ok: Vec::new(),
                    failed: chunk.into_iter().map(|u| (u.id, msg.clone())).collect(),
                    again: Vec::new(),
                    observation,
                }
            }
        }
    }
}

/// A boundary token: unique enough within one process (time and a counter).
fn uuid_like() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{nanos:x}{:x}", N.fetch_add(1, Ordering::Relaxed))
}
