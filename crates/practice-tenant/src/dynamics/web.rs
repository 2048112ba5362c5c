//! The HTTP side: the route, the bearer check, the load knobs (latency, capacity, faults) and
//! `$batch` execution with changeset rollback.
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;

use super::batch::{self, Answer, Group, Part};
use super::errors::{DvError, CODE_THROTTLED, CODE_UNAUTHORIZED};
use super::store::{Ok200, Req, Tx, PRACTICE_ORG};
use crate::server::AppState;
use crate::state::lock;

/// ms-api.md §6.5 (P-LIM): a `$batch` holds at most 1000 requests.
pub const MAX_BATCH_OPERATIONS: usize = 1000;

/// The Dynamics routes, with the load knobs around them (ms-api.md §6).
pub fn routes(state: Arc<AppState>) -> Router<Arc<AppState>> {
    Router::new()
        // ms-api.md §6 (D-WEBAUTH): https://<server>/<org>/api/data/v9.0/ (and v9.1).
        .route("/{tenant}/api/data/{version}/{*rest}", any(dispatch))
        .route_layer(middleware::from_fn_with_state(state, load))
}

fn reason(status: u16) -> &'static str {
    StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

fn error_response(e: &DvError) -> Response {
    let mut resp = (e.status, axum::Json(e.body())).into_response();
    resp.headers_mut()
        .insert("OData-Version", "4.0".parse().expect("static header"));
    resp
}

/// A response whose body fails: the client sees the connection drop mid-answer.
fn reset() -> Response {
    let stream = futures::stream::iter(vec![Err::<Bytes, std::io::Error>(std::io::Error::new(
        std::io::ErrorKind::ConnectionReset,
        "connection reset by the practice tenant (injected fault)",
    ))]);
    Response::new(Body::from_stream(stream))
}

// The knobs: round-trip latency, injected faults, then a capacity slot for the handler.
async fn load(State(app): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let dy = &app.sim.dynamics;
    let knobs = dy.knobs();
    if !knobs.latency.is_zero() {
        tokio::time::sleep(knobs.latency).await;
    }
    let mut reset_after = false;
    let burst = dy.take_throttle();
    let rates = knobs.faults;
    if burst || rates.total() > 0.0 {
        let r = if burst { 0.0 } else { dy.roll() };
        let (t, u, x) = (
            rates.throttled,
            rates.throttled + rates.unavailable,
            rates.throttled + rates.unavailable + rates.reset,
        );
        if burst || r < t {
            lock(&dy.faults).throttled += 1;
            // ms-api.md §8 (P-LIM): 429 + Retry-After.
            let e = DvError::new(
                StatusCode::TOO_MANY_REQUESTS,
                CODE_THROTTLED,
                "Number of requests exceeded the limit of 6000 over time window of 300 seconds.",
            );
            let mut resp = error_response(&e);
            resp.headers_mut()
                .insert(header::RETRY_AFTER, knobs.retry_after_secs.into());
            return resp;
        } else if r < u {
            lock(&dy.faults).unavailable += 1;
            return (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response();
        } else if r < x {
            // Half before the work, half after it (the answer is lost on the way back).
            if r < u + (x - u) / 2.0 {
                lock(&dy.faults).reset_before += 1;
                return reset();
            }
            lock(&dy.faults).reset_after += 1;
            reset_after = true;
        } else if r < rates.total() {
            lock(&dy.faults).timed_out += 1;
            tokio::time::sleep(knobs.stall).await;
            return reset();
        }
    }
    let slots = lock(&dy.slots).clone();
    let mut metered = Metered::queued(dy);
    let permit = match &slots {
        Some(s) => s.acquire().await.ok(),
        None => None,
    };
    metered.started();
    let mut resp = next.run(req).await;
    drop(metered);
    drop(permit);
    if let Some(hint) = knobs.dop_hint {
        // Dataverse's recommended degree of parallelism (ms-api.md §6.5), when the knob sets one.
        resp.headers_mut().insert("x-ms-dop-hint", hint.into());
    }
    if reset_after {
        // The server did the work; the answer is lost on the way back.
        let _ = axum::body::to_bytes(resp.into_body(), usize::MAX).await;
        return reset();
    }
    resp
}

/// A request in the server's queue, then served; counted out when it ends or is dropped.
struct Metered<'a> {
    dy: &'a super::Dynamics,
    served: bool,
}

impl<'a> Metered<'a> {
    fn queued(dy: &'a super::Dynamics) -> Self {
        lock(&dy.meter).queued();
        Metered { dy, served: false }
    }

    fn started(&mut self) {
        lock(&self.dy.meter).started();
        self.served = true;
    }
}

impl Drop for Metered<'_> {
    fn drop(&mut self) {
        let mut m = lock(&self.dy.meter);
        if self.served {
            m.finished();
        } else {
            m.dequeued();
        }
    }
}

fn caller(app: &AppState, headers: &HeaderMap) -> Result<String, DvError> {
    let unauthorized = |m: &str| DvError::new(StatusCode::UNAUTHORIZED, CODE_UNAUTHORIZED, m);
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .unwrap_or("");
    if token.is_empty() {
        return Err(unauthorized(
            "HTTP Error 401 - Unauthorized: Access is denied (no bearer token).",
        ));
    }
    let claims = app
        .keys
        .verify(token)
        .map_err(|_| unauthorized("The access token's signature is not valid."))?;
    let aud = claims["aud"].as_str().unwrap_or("").trim_end_matches('/');
    if aud != app.base_url.trim_end_matches('/') {
        return Err(unauthorized(&format!(
            "The access token is for {aud}, not for this Dynamics server ({}). Ask for a token whose resource is the server's URL.",
            app.base_url
        )));
    }
    if claims["exp"].as_i64().unwrap_or(0) <= time::OffsetDateTime::now_utc().unix_timestamp() {
        return Err(unauthorized("The access token has expired."));
    }
    Ok(claims["oid"].as_str().unwrap_or("").to_string())
}

fn respond(ok: Ok200) -> Response {
    let mut resp = match ok.body {
        Some(b) => (ok.status, axum::Json(b)).into_response(),
        None => ok.status.into_response(),
    };
    for (k, v) in ok.headers {
        if let (Ok(k), Ok(v)) = (header::HeaderName::try_from(k), v.parse()) {
            resp.headers_mut().insert(k, v);
        }
    }
    resp.headers_mut()
        .insert("OData-Version", "4.0".parse().expect("static header"));
    resp
}

async fn dispatch(
    State(app): State<Arc<AppState>>,
    Path((org, version, rest)): Path<(String, String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = tokio::time::Instant::now();
    if version != "v9.0" && version != "v9.1" {
        return error_response(&DvError::new(
            StatusCode::NOT_FOUND,
            super::errors::CODE_BAD_REQUEST,
            format!("The Web API version {version} is not served here: use v9.0 or v9.1."),
        ));
    }
    if !org.eq_ignore_ascii_case(PRACTICE_ORG) {
        return error_response(&DvError::new(StatusCode::NOT_FOUND, super::errors::CODE_BAD_REQUEST, format!("The organization '{org}' does not exist on this server (the practice organization is '{PRACTICE_ORG}').")));
    }
    let oid = match caller(&app, &headers) {
        Ok(o) => o,
        Err(e) => return error_response(&e),
    };
    let dy = &app.sim.dynamics;
    let knobs = dy.knobs();
    // Joined before the store is locked: it reads the CRM deployment and the service principal.
    let effective = app.sim.effective_deployment();
    {
        let mut s = lock(&dy.store);
        s.ensure_seeded();
        s.effective = Some(effective);
        s.run_due_jobs();
    }
    let service_root = format!("{}/{org}/api/data/{version}/", app.base_url);
    let header_list: Vec<(String, String)> = headers
        .iter()
        .filter_map(|(k, v)| {
            v.to_str()
                .ok()
                .map(|v| (k.as_str().to_string(), v.to_string()))
        })
        .collect();
    let text = String::from_utf8_lossy(&body).to_string();
    if rest == "$batch" && method == Method::POST {
        let ct = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        return run_batch(&app, &text, ct, &service_root, &oid, &knobs, started).await;
    }
    let req = Req {
        method: method.as_str(),
        path: &rest,
        query: uri.query().unwrap_or(""),
        headers: &header_list,
        body: &text,
        service_root: &service_root,
        caller_oid: &oid,
        test_delay: knobs.test_delay,
    };
    let mut tx = Tx {
        id: dy.next_tx(),
        undo: Vec::new(),
    };
    let result = lock(&dy.store).execute(&req, &mut tx);
    tokio::time::sleep_until(started + knobs.op_time).await;
    match result {
        Ok(ok) => respond(ok),
        Err(e) => error_response(&e),
    }
}

fn answer_of(result: Result<Ok200, DvError>, content_id: Option<String>) -> Answer {
    match result {
        Ok(ok) => Answer {
            status: ok.status.as_u16(),
            reason: reason(ok.status.as_u16()),
            headers: ok.headers,
            body: ok.body.map(|b| b.to_string()).unwrap_or_default(),
            content_id,
        },
        Err(e) => Answer {
            status: e.status.as_u16(),
            reason: reason(e.status.as_u16()),
            headers: Vec::new(),
            body: e.body().to_string(),
            content_id,
        },
    }
}

/// The path of a batch operation's URL after the service root (absolute, host-relative or relative).
fn op_path(url: &str) -> (String, String) {
    let after = match url.find("/api/data/") {
        Some(i) => {
            let rest = &url[i + "/api/data/".len()..];
            rest.split_once('/').map(|(_, r)| r).unwrap_or("")
        }
        None => url.trim_start_matches('/'),
    };
    match after.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (after.to_string(), String::new()),
    }
}

// ms-api.md §6.5 (P-LIM): `$batch`, at most 1000 operations; a changeset's writes succeed or fail
// together; processing stops at the first failure unless `Prefer: odata.continue-on-error`.
#[allow(clippy::too_many_arguments)]
async fn run_batch(
    app: &AppState,
    body: &str,
    content_type: &str,
    root: &str,
    oid: &str,
    knobs: &super::Knobs,
    started: tokio::time::Instant,
) -> Response {
    let parts = match batch::parse(body, content_type) {
        Ok(p) => p,
        Err(e) => {
            return error_response(&DvError::bad_request(format!(
                "The $batch body is not valid multipart/mixed: {e}."
            )))
        }
    };
    let total: usize = parts.iter().map(Part::op_count).sum();
    if total > MAX_BATCH_OPERATIONS {
        return error_response(&DvError::bad_request(format!(
            "The number of requests in the batch ({total}) exceeds the maximum of {MAX_BATCH_OPERATIONS}."
        )));
    }
    let dy = &app.sim.dynamics;
    // The server time of the operations runs from the request's arrival (parsing included).
    let mut done_ops: u32 = 0;
    let mut groups = Vec::new();
    for part in parts {
        let ops = match &part {
            Part::Single(op) => vec![op.clone()],
            Part::Changeset(ops) => ops.clone(),
        };
        let mut tx = Tx {
            id: dy.next_tx(),
            undo: Vec::new(),
        };
        let mut answers = Vec::new();
        let mut failed = None;
        for op in ops {
            let (path, query) = op_path(&op.url);
            let req = Req {
                method: &op.method,
                path: &path,
                query: &query,
                headers: &op.headers,
                body: &op.body,
                service_root: root,
                caller_oid: oid,
                test_delay: knobs.test_delay,
            };
            let result = lock(&dy.store).execute(&req, &mut tx);
            done_ops += 1;
            tokio::time::sleep_until(started + knobs.op_time * done_ops).await;
            let ok = result.is_ok();
            let a = answer_of(result, op.content_id.clone());
            if !ok {
                failed = Some(a);
                break;
            }
            answers.push(a);
        }
        let changeset = matches!(part, Part::Changeset(_));
        match failed {
            Some(a) => {
                if changeset {
                    lock(&dy.store).rollback(tx);
                }
                groups.push(Group::Single(a));
                break;
            }
            None if changeset => groups.push(Group::Changeset(answers)),
            None => groups.extend(answers.into_iter().map(Group::Single)),
        }
    }
    let boundary = format!("batchresponse_{}", uuid::Uuid::new_v4());
    let text = batch::render(&groups, &boundary);
    let mut resp = (StatusCode::OK, text).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        format!("multipart/mixed; boundary={boundary}")
            .parse()
            .unwrap_or(header::HeaderValue::from_static("multipart/mixed")),
    );
    resp.headers_mut()
        .insert("OData-Version", "4.0".parse().expect("static header"));
    resp
}
