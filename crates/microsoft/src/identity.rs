//! Sign-in to the Microsoft identity platform v2 as a public client (ms-api.md §2): authorization
//! code + PKCE (S256) through the system browser with a loopback redirect, the device code flow,
//! and refresh. The oauth2 crate builds the PKCE pair, the state value and the authorize URL; the
//! token endpoint is called directly so that Microsoft's error body (`AADSTSnnnnn`, `error_codes`)
//! and the device-code polling rules (`slow_down` increment injectable for tests) stay in our hands.
use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

use oauth2::basic::BasicClient;
use oauth2::{AuthUrl, ClientId, CsrfToken, PkceCodeChallenge, RedirectUrl, Scope};
use serde::Deserialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::{Authority, Error, Result, Secret, Transport};

/// Delegated Graph permissions, asked per step, least privilege first (ms-api.md §2.4).
pub mod scopes {
    /// Sign-in: who the user is (ms-api.md §2.4: `User.Read`), refresh (`offline_access`, §2.2).
    pub const USER_READ: &str = "https://graph.microsoft.com/User.Read";
    /// The signed-in user's directory roles (issue 3 "directory role read"; the least-privileged
    /// permission for directoryRole entries is not in ms-api.md §2.4 — UNCONFIRMED).
    pub const ROLES_READ: &str = "https://graph.microsoft.com/RoleManagement.Read.Directory";
    /// GET /organization with all properties (ms-api.md §2.4, §4).
    pub const ORGANIZATION_READ: &str = "https://graph.microsoft.com/Organization.Read.All";
    /// POST /domains, verificationDnsRecords, verify (ms-api.md §2.4).
    pub const DOMAINS: &str = "https://graph.microsoft.com/Domain.ReadWrite.All";
    /// Other users' mail, proxy addresses and licences (Graph "List users"), for the mailbox checks.
    pub const USER_READ_ALL: &str = "https://graph.microsoft.com/User.Read.All";
    /// PATCH servicePrincipal, addKey (ms-api.md §2.4).
    pub const SERVICE_PRINCIPAL: &str = "https://graph.microsoft.com/Application.ReadWrite.All";

    /// What `signin` asks for: identity, roles and a refresh token; nothing that changes anything.
    pub const SIGN_IN: &[&str] = &["openid", "profile", "offline_access", USER_READ, ROLES_READ];
    pub const DOMAIN_STEP: &[&str] = &["offline_access", DOMAINS];
    pub const SERVICE_PRINCIPAL_STEP: &[&str] = &["offline_access", SERVICE_PRINCIPAL];
    pub const ORGANIZATION_STEP: &[&str] = &["offline_access", ORGANIZATION_READ];
}

/// Which app signs in where.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub authority: Authority,
    /// `organizations` (any work account), a tenant GUID or a domain (ms-api.md §2.1).
    pub tenant: String,
    /// The admin's own public-client app registration (ms-api.md §2.5).
    pub client_id: String,
}

impl ClientConfig {
    pub fn endpoint(&self, leaf: &str) -> String {
        format!(
            "{}/{}/oauth2/v2.0/{leaf}",
            self.authority.base(),
            self.tenant
        )
    }
}

/// What a sign-in or a refresh returned. The tokens are [`Secret`]s: `Debug` redacts them.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    pub expires_at: SystemTime,
    /// The granted scopes, space-separated.
    pub scope: String,
}

/// The loopback listener's limits.
#[derive(Debug, Clone)]
pub struct LoopbackOptions {
    /// How long to wait for the browser to come back.
    pub timeout: Duration,
}

impl Default for LoopbackOptions {
    fn default() -> Self {
        LoopbackOptions {
            timeout: Duration::from_secs(300),
        }
    }
}

/// A device code to show the user: open `verification_uri`, enter `user_code`.
#[derive(Debug, Clone)]
pub struct DeviceCode {
    pub user_code: String,
    pub verification_uri: String,
    pub message: String,
    pub expires_in: Duration,
    pub interval: Duration,
    device_code: Secret,
}

/// Device-code polling rules. `slow_down_increment` is RFC 8628 §3.5's 5 seconds (ms-api.md §2.3);
/// tests scale it down.
#[derive(Debug, Clone)]
pub struct DevicePolling {
    pub slow_down_increment: Duration,
}

impl Default for DevicePolling {
    fn default() -> Self {
        DevicePolling {
            slow_down_increment: Duration::from_secs(5),
        }
    }
}

#[derive(Deserialize)]
struct TokenBody {
    access_token: String,
    refresh_token: Option<String>,
    expires_in: Option<u64>,
    scope: Option<String>,
}

#[derive(Deserialize, Default)]
struct AadErrorBody {
    error: Option<String>,
    error_description: Option<String>,
    #[serde(default)]
    error_codes: Vec<u32>,
}

/// An error answer of the token endpoint (ms-api.md §2.2 "Error body").
#[derive(Debug)]
struct TokenError {
    error: String,
    aadsts: Option<u32>,
    detail: String,
}

impl TokenError {
    fn into_error(self) -> Error {
        if self.error == "authorization_declined" || self.error == "access_denied" {
            return Error::SignInDeclined {
                detail: Some(self.detail),
            };
        }
        Error::SignInRejected {
            error: self.error,
            aadsts: self.aadsts,
            detail: self.detail,
        }
    }
}

/// The first sentence of `error_description` without the trace/correlation tail.
fn short_description(d: &str) -> String {
    let cut = d.find(" Trace ID:").unwrap_or(d.len());
    d[..cut].trim().to_string()
}

#[derive(Debug, Clone)]
pub struct Identity {
    transport: Transport,
    pub config: ClientConfig,
}

impl Identity {
    pub fn new(transport: Transport, config: ClientConfig) -> Identity {
        Identity { transport, config }
    }

    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// POSTs a form to the token endpoint; `Err(Ok(TokenError))` is an OAuth error answer.
    async fn token_request(
        &self,
        form: &[(&str, &str)],
    ) -> Result<std::result::Result<Tokens, TokenError>> {
        let url = self.config.endpoint("token");
        let resp = self
            .transport
            .client
            .post(&url)
            .form(form)
            .send()
            .await
            .map_err(|e| self.transport.explain(&url, e))?;
        let status = resp.status();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| self.transport.explain(&url, e))?;
        if status.is_success() {
            let body: TokenBody = serde_json::from_slice(&bytes).map_err(|e| Error::Http {
                url: url.clone(),
                status: status.as_u16(),
                detail: format!("the token answer is not the documented JSON ({e})"),
            })?;
            return Ok(Ok(Tokens {
                access_token: Secret::new(body.access_token),
                refresh_token: body.refresh_token.map(Secret::new),
                expires_at: SystemTime::now()
                    + Duration::from_secs(body.expires_in.unwrap_or(3600)),
                scope: body.scope.unwrap_or_default(),
            }));
        }
        let body: AadErrorBody = serde_json::from_slice(&bytes).unwrap_or_default();
        match body.error {
            Some(error) => {
                let detail = short_description(body.error_description.as_deref().unwrap_or(""));
                let aadsts = body.error_codes.first().copied().or_else(|| {
                    detail
                        .strip_prefix("AADSTS")
                        .and_then(|r| r.split(':').next())
                        .and_then(|n| n.parse().ok())
                });
                Ok(Err(TokenError {
                    error,
                    aadsts,
                    detail,
                }))
            }
            None => Err(Error::Http {
                url,
                status: status.as_u16(),
                detail: String::from_utf8_lossy(&bytes).chars().take(300).collect(),
            }),
        }
    }

    /// Authorization code + PKCE through a browser (ms-api.md §2.2). `open` shows the authorize URL
    /// to the user: [`open_system_browser`] in the product; tests drive the practice tenant's form.
    /// The loopback listener takes one answer, checks `state`, and stops.
    pub async fn sign_in_with_browser<F, Fut>(
        &self,
        scopes: &[&str],
        open: F,
        opts: &LoopbackOptions,
        cancel: &CancellationToken,
    ) -> Result<Tokens>
    where
        F: FnOnce(String) -> Fut,
        Fut: Future<Output = std::result::Result<(), String>>,
    {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| Error::Network {
                url: "http://127.0.0.1 (loopback listener)".into(),
                detail: e.to_string(),
            })?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::Network {
                url: "http://127.0.0.1 (loopback listener)".into(),
                detail: e.to_string(),
            })?
            .port();
        // `http://localhost`, port ignored when matching (ms-api.md §2.2, E-REPLY).
        let redirect_uri = format!("http://localhost:{port}/");
        let client = BasicClient::new(ClientId::new(self.config.client_id.clone()))
            .set_auth_uri(
                AuthUrl::new(self.config.endpoint("authorize"))
                    .map_err(|e| Error::InvalidInput(e.to_string()))?,
            )
            .set_redirect_uri(
                RedirectUrl::new(redirect_uri.clone())
                    .map_err(|e| Error::InvalidInput(e.to_string()))?,
            );
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (auth_url, state) = client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(scopes.iter().map(|s| Scope::new(s.to_string())))
            .set_pkce_challenge(challenge)
            .add_extra_param("prompt", "select_account")
            .url();
        tracing::info!(
            port,
            "waiting for the browser sign-in on the loopback address"
        );
        let wait = wait_for_redirect(
            listener,
            state.secret().clone(),
            opts.timeout,
            cancel.clone(),
        );
        tokio::pin!(wait);
        let url_text = auth_url.to_string();
        let opened = tokio::select! {
            r = open(url_text.clone()) => r,
            r = &mut wait => return self.redeem(r?, &redirect_uri, verifier.secret(), scopes).await,
        };
        if let Err(detail) = opened {
            return Err(Error::BrowserOpen {
                url: url_text,
                detail,
            });
        }
        let code = wait.await?;
        self.redeem(code, &redirect_uri, verifier.secret(), scopes)
            .await
    }

    async fn redeem(
        &self,
        code: String,
        redirect_uri: &str,
        verifier: &str,
        scopes: &[&str],
    ) -> Result<Tokens> {
        let scope = scopes.join(" ");
        let form = [
            ("client_id", self.config.client_id.as_str()),
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier),
            ("scope", scope.as_str()),
        ];
        self.token_request(&form)
            .await?
            .map_err(TokenError::into_error)
    }

    /// Starts the device code flow (ms-api.md §2.3).
    pub async fn start_device_code(&self, scopes: &[&str]) -> Result<DeviceCode> {
        #[derive(Deserialize)]
        struct Body {
            device_code: String,
            user_code: String,
            verification_uri: String,
            expires_in: u64,
            interval: Option<u64>,
            message: Option<String>,
        }
        let url = self.config.endpoint("devicecode");
        let scope = scopes.join(" ");
        let resp = self
            .transport
            .client
            .post(&url)
            .form(&[
                ("client_id", self.config.client_id.as_str()),
                ("scope", scope.as_str()),
            ])
            .send()
            .await
            .map_err(|e| self.transport.explain(&url, e))?;
        let status = resp.status();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| self.transport.explain(&url, e))?;
        if !status.is_success() {
            let body: AadErrorBody = serde_json::from_slice(&bytes).unwrap_or_default();
            let detail = short_description(
                body.error_description
                    .as_deref()
                    .unwrap_or("(no description)"),
            );
            return Err(Error::SignInRejected {
                error: body
                    .error
                    .unwrap_or_else(|| format!("HTTP {}", status.as_u16())),
                aadsts: body.error_codes.first().copied(),
                detail,
            });
        }
        let b: Body = serde_json::from_slice(&bytes).map_err(|e| Error::Http {
            url,
            status: status.as_u16(),
            detail: format!("the device code answer is not the documented JSON ({e})"),
        })?;
        let message = b.message.unwrap_or_else(|| {
            format!(
                "To sign in, open {} and enter the code {}.",
                b.verification_uri, b.user_code
            )
        });
        Ok(DeviceCode {
            user_code: b.user_code,
            verification_uri: b.verification_uri,
            message,
            expires_in: Duration::from_secs(b.expires_in),
            interval: Duration::from_secs(b.interval.unwrap_or(5)),
            device_code: Secret::new(b.device_code),
        })
    }

    /// Polls the token endpoint until the user approves, declines, or the code expires. Waits
    /// `interval` before each poll; `slow_down` adds `polling.slow_down_increment` (ms-api.md §2.3).
    pub async fn wait_for_device_code(
        &self,
        code: &DeviceCode,
        polling: &DevicePolling,
        cancel: &CancellationToken,
    ) -> Result<Tokens> {
        let started = Instant::now();
        let mut interval = code.interval;
        let form_code = code.device_code.expose().to_string();
        loop {
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = cancel.cancelled() => return Err(Error::Cancelled),
            }
            let form = [
                ("client_id", self.config.client_id.as_str()),
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("device_code", form_code.as_str()),
            ];
            match self.token_request(&form).await? {
                Ok(tokens) => return Ok(tokens),
                Err(e) => match e.error.as_str() {
                    "authorization_pending" => {
                        // The server says when the code expired; this only stops a server that never does.
                        if started.elapsed() > code.expires_in + interval * 2 {
                            return Err(Error::DeviceCodeExpired {
                                minutes: code.expires_in.as_secs().div_ceil(60),
                            });
                        }
                    }
                    "slow_down" => {
                        interval += polling.slow_down_increment;
                        tracing::info!(
                            interval_ms = interval.as_millis() as u64,
                            "device code: slow_down, polling less often"
                        );
                    }
                    "expired_token" | "code_expired" => {
                        return Err(Error::DeviceCodeExpired {
                            minutes: code.expires_in.as_secs().div_ceil(60),
                        })
                    }
                    _ => return Err(e.into_error()),
                },
            }
        }
    }

    /// A new access token from a refresh token (RFC 6749 §6). An `invalid_grant` answer means the
    /// saved sign-in is gone (revoked, expired, password changed): sign in again.
    pub async fn refresh(&self, refresh_token: &Secret, scopes: &[&str]) -> Result<Tokens> {
        let scope = scopes.join(" ");
        let form = [
            ("client_id", self.config.client_id.as_str()),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose()),
            ("scope", scope.as_str()),
        ];
        match self.token_request(&form).await? {
            Ok(mut t) => {
                // Microsoft may omit a new refresh token; the old one stays valid then.
                if t.refresh_token.is_none() {
                    t.refresh_token = Some(refresh_token.clone());
                }
                Ok(t)
            }
            Err(e) if e.error == "invalid_grant" => Err(Error::SessionExpired {
                detail: match e.aadsts {
                    Some(c) => format!(
                        "AADSTS{c}: {}",
                        e.detail.trim_start_matches(&format!("AADSTS{c}: "))
                    ),
                    None => e.detail,
                },
            }),
            Err(e) => Err(e.into_error()),
        }
    }
}

/// Accepts connections on the loopback listener until the sign-in answer arrives (one answer:
/// the listener is dropped after it), the timeout passes, or the user cancels.
async fn wait_for_redirect(
    listener: TcpListener,
    expected_state: String,
    timeout: Duration,
    cancel: CancellationToken,
) -> Result<String> {
    let work = async {
        loop {
            let (mut stream, _) = listener.accept().await.map_err(|e| Error::Network {
                url: "http://localhost (loopback listener)".into(),
                detail: e.to_string(),
            })?;
            let Ok(Ok(target)) =
                tokio::time::timeout(Duration::from_secs(10), read_request_target(&mut stream))
                    .await
            else {
                continue;
            };
            let Ok(url) = url::Url::parse(&format!("http://localhost{target}")) else {
                respond(&mut stream, 400, "Bad request").await;
                continue;
            };
            if url.path() != "/" {
                respond(&mut stream, 404, "Not found").await;
                continue;
            }
            let q: std::collections::HashMap<String, String> =
                url.query_pairs().into_owned().collect();
            if !q.contains_key("code") && !q.contains_key("error") {
                respond(
                    &mut stream,
                    400,
                    "This address only takes the sign-in answer.",
                )
                .await;
                continue;
            }
            if q.get("state").map(String::as_str) != Some(expected_state.as_str()) {
                respond(&mut stream, 400, "Sign-in refused: the answer's state value does not match. Return to hybridsync and start again.").await;
                return Err(Error::StateMismatch);
            }
            if let Some(error) = q.get("error") {
                let detail = q.get("error_description").cloned().unwrap_or_default();
                respond(
                    &mut stream,
                    200,
                    "Sign-in did not finish. Return to hybridsync.",
                )
                .await;
                let detail = short_description(&detail);
                return Err(if error == "access_denied" {
                    Error::SignInDeclined {
                        detail: Some(detail),
                    }
                } else {
                    Error::SignInRejected {
                        error: error.clone(),
                        aadsts: detail
                            .strip_prefix("AADSTS")
                            .and_then(|r| r.split(':').next())
                            .and_then(|n| n.parse().ok()),
                        detail,
                    }
                });
            }
            respond(
                &mut stream,
                200,
                "Signed in. You can close this window and return to hybridsync.",
            )
            .await;
            return Ok(q["code"].clone());
        }
    };
    tokio::select! {
        r = tokio::time::timeout(timeout, work) => r.unwrap_or(Err(Error::SignInTimedOut { timeout })),
        _ = cancel.cancelled() => Err(Error::Cancelled),
    }
}

/// Reads an HTTP/1.1 request head and returns its target (`/?code=…&state=…`).
async fn read_request_target(stream: &mut tokio::net::TcpStream) -> std::io::Result<String> {
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf);
    let line = head.lines().next().unwrap_or("");
    let mut parts = line.split_whitespace();
    match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) => Ok(target.to_string()),
        _ => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "not a GET request",
        )),
    }
}

async fn respond(stream: &mut tokio::net::TcpStream, status: u16, text: &str) {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Bad Request",
    };
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>hybridsync sign-in</title></head><body><p>{text}</p></body></html>"
    );
    let resp = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(resp.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// Opens `url` in the user's default browser (std's process API on a blocking thread: tokio's
/// `process` feature is kept out of the workspace build).
pub async fn open_system_browser(url: String) -> std::result::Result<(), String> {
    tokio::task::spawn_blocking(move || {
        let mut cmd = if cfg!(target_os = "windows") {
            let mut c = std::process::Command::new("rundll32");
            c.arg("url.dll,FileProtocolHandler");
            c
        } else if cfg!(target_os = "macos") {
            std::process::Command::new("open")
        } else {
            std::process::Command::new("xdg-open")
        };
        cmd.arg(&url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        match cmd.status() {
            Ok(s) if s.success() => Ok(()),
            Ok(s) => Err(format!("the browser launcher exited with {s}")),
            Err(e) => Err(format!("no browser launcher ({e})")),
        }
    })
    .await
    .map_err(|e| e.to_string())?
}
