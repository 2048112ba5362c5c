//! The OAuth 2.0 endpoints of the identity platform v2 for public clients (ms-api.md §2.1–§2.3):
//! `/authorize` (a sign-in form), `/token` (authorization code + PKCE, refresh, device code),
//! `/devicecode`, the `/devicelogin` verification page, and the JWKS.
// Handlers answer refusals as ready HTTP responses, as axum does; their size is no concern here.
#![allow(clippy::result_large_err)]
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::{Form, Json};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::errors::{aad_error, bad_request};
use super::grants::{CodeGrant, DeviceGrant, DeviceStatus, RefreshGrant};
use super::pages;
use super::users::TestUser;
use crate::server::AppState;
use crate::state::{lock, Tenant};

/// Microsoft Graph's resource URI; tokens for it carry this `aud` (ms-api.md §2.4: scope strings
/// are `https://graph.microsoft.com/<Permission>`).
pub const GRAPH_RESOURCE: &str = "https://graph.microsoft.com";
/// The OpenID Connect scopes, which name no resource (ms-api.md §2.2).
const OIDC_SCOPES: &[&str] = &["openid", "profile", "email", "offline_access"];
const ALIASES: &[&str] = &["common", "organizations", "consumers"];
/// "typically ... about 10 minutes" (ms-api.md §2.2, E-AUTH).
const CODE_LIFETIME: Duration = Duration::from_secs(600);
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

type Params = HashMap<String, String>;

/// `None` for the aliases (`organizations`, …), the tenant for a GUID or domain, otherwise
/// Microsoft's AADSTS90002 answer (ms-api.md §1.1).
fn resolve_tenant(app: &AppState, key: &str) -> Result<Option<Tenant>, Response> {
    let lower = key.to_ascii_lowercase();
    if ALIASES.contains(&lower.as_str()) {
        return Ok(None);
    }
    app.sim.find_tenant(&lower).map(Some).ok_or_else(|| {
        bad_request("invalid_tenant", 90002, &format!("Tenant '{key}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."))
    })
}

fn split_scopes(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

fn token_error(
    app: &AppState,
    status: StatusCode,
    error: &str,
    code: u32,
    message: &str,
) -> Response {
    app.sim.record_token_error(error);
    aad_error(status, error, code, message)
}

/// Checks the credentials against the test users and the tenant of the path.
fn authenticate(
    app: &AppState,
    tenant: Option<&Tenant>,
    username: &str,
    password: &str,
) -> Result<TestUser, String> {
    let user = app
        .sim
        .find_user(username)
        .filter(|u| u.password == password)
        .ok_or_else(|| {
            "AADSTS50126: Error validating credentials due to invalid username or password."
                .to_string()
        })?;
    if let Some(t) = tenant {
        if t.id != user.tenant_id {
            return Err(format!(
                "AADSTS50020: User account '{}' from identity provider does not exist in tenant '{}' and cannot access the application in that tenant.",
                user.user_principal_name, t.display_name
            ));
        }
    }
    Ok(user)
}

/// Loopback redirect URIs: `http` only for localhost (ms-api.md §2.2, E-REPLY); the port is ignored.
fn redirect_allowed(uri: &str) -> bool {
    match url::Url::parse(uri) {
        Ok(u) => match u.scheme() {
            "https" => true,
            "http" => matches!(
                u.host_str(),
                Some("localhost") | Some("127.0.0.1") | Some("[::1]")
            ),
            _ => false,
        },
        Err(_) => false,
    }
}

/// The checks every authorize request gets before a form is shown (ms-api.md §2.2).
fn check_authorize(p: &BTreeMap<String, String>) -> Result<(), Response> {
    let get = |k: &str| p.get(k).map(String::as_str).unwrap_or("");
    if get("client_id").is_empty() {
        return Err(bad_request(
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        ));
    }
    if get("response_type") != "code" {
        return Err(bad_request("unsupported_response_type", 70005, "The provided value for the input parameter 'response_type' is not allowed for this request. Expected value: 'code'."));
    }
    if !redirect_allowed(get("redirect_uri")) {
        return Err(bad_request("invalid_request", 50011, "The redirect URI specified in the request does not match the redirect URIs configured for the application. http is allowed only for localhost."));
    }
    if !get("code_challenge").is_empty()
        && !matches!(get("code_challenge_method"), "S256" | "plain" | "")
    {
        return Err(bad_request(
            "invalid_request",
            501491,
            "Invalid size of Code_Challenge parameter or unsupported code_challenge_method.",
        ));
    }
    Ok(())
}

// ms-api.md §2.2 (E-AUTH): GET /{tenant}/oauth2/v2.0/authorize shows the sign-in page.
pub async fn authorize_page(
    State(app): State<Arc<AppState>>,
    Path(tenant): Path<String>,
    Query(p): Query<BTreeMap<String, String>>,
) -> Response {
    if let Err(r) = resolve_tenant(&app, &tenant) {
        return r;
    }
    if let Err(r) = check_authorize(&p) {
        return r;
    }
    Html(pages::sign_in(
        &format!("/{tenant}/oauth2/v2.0/authorize"),
        &p,
        None,
    ))
    .into_response()
}

// ms-api.md §2.2 (E-AUTH): the sign-in form's submission; 302 to redirect_uri with code + state,
// or error=access_denied when the user cancels.
pub async fn authorize_submit(
    State(app): State<Arc<AppState>>,
    Path(tenant): Path<String>,
    Form(p): Form<BTreeMap<String, String>>,
) -> Response {
    let t = match resolve_tenant(&app, &tenant) {
        Ok(t) => t,
        Err(r) => return r,
    };
    if let Err(r) = check_authorize(&p) {
        return r;
    }
    let get = |k: &str| p.get(k).cloned().unwrap_or_default();
    let redirect = get("redirect_uri");
    let mut target = url::Url::parse(&redirect).expect("checked by check_authorize");
    if get("action") == "decline" {
        {
            let mut q = target.query_pairs_mut();
            q.append_pair("error", "access_denied");
            q.append_pair(
                "error_description",
                "AADSTS65004: User declined to consent to access the app.",
            );
            if p.contains_key("state") {
                q.append_pair("state", &get("state"));
            }
        }
        return found(target.as_str());
    }
    let user = match authenticate(&app, t.as_ref(), &get("username"), &get("password")) {
        Ok(u) => u,
        Err(msg) => {
            return (
                StatusCode::OK,
                Html(pages::sign_in(
                    &format!("/{tenant}/oauth2/v2.0/authorize"),
                    &p,
                    Some(&msg),
                )),
            )
                .into_response()
        }
    };
    let code = format!("0.practice-code.{}", uuid::Uuid::new_v4().simple());
    let method = p
        .get("code_challenge_method")
        .cloned()
        .unwrap_or_else(|| "plain".into());
    lock(&app.sim.grants).codes.insert(
        code.clone(),
        CodeGrant {
            client_id: get("client_id"),
            redirect_uri: redirect,
            code_challenge: p.get("code_challenge").cloned().filter(|c| !c.is_empty()),
            code_challenge_method: method,
            scopes: split_scopes(&get("scope")),
            user,
            expires: Instant::now() + CODE_LIFETIME,
        },
    );
    {
        let mut q = target.query_pairs_mut();
        q.append_pair("code", &code);
        if p.contains_key("state") {
            q.append_pair("state", &get("state"));
        }
    }
    found(target.as_str())
}

fn found(location: &str) -> Response {
    (
        StatusCode::FOUND,
        [(header::LOCATION, location.to_string())],
    )
        .into_response()
}

// ms-api.md §2.2 (redeem), §2.3 (poll) and RFC 6749 §6 (refresh): POST /{tenant}/oauth2/v2.0/token.
pub async fn token(
    State(app): State<Arc<AppState>>,
    Path(tenant): Path<String>,
    Form(p): Form<Params>,
) -> Response {
    let t = match resolve_tenant(&app, &tenant) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let get = |k: &str| p.get(k).cloned().unwrap_or_default();
    let client_id = get("client_id");
    if client_id.is_empty() {
        return token_error(
            &app,
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        );
    }
    match get("grant_type").as_str() {
        "authorization_code" => redeem_code(&app, &client_id, &p),
        "refresh_token" => redeem_refresh(&app, t.as_ref(), &client_id, &p),
        DEVICE_GRANT => poll_device(&app, &client_id, &get("device_code")),
        other => token_error(
            &app,
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            &format!("The app requested an unsupported grant type '{other}'."),
        ),
    }
}

fn redeem_code(app: &AppState, client_id: &str, p: &Params) -> Response {
    let get = |k: &str| p.get(k).cloned().unwrap_or_default();
    // A code is single-use: taken out whatever happens next.
    let grant = lock(&app.sim.grants).codes.remove(&get("code"));
    let Some(grant) = grant else {
        return token_error(app, StatusCode::BAD_REQUEST, "invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity, or was already redeemed. Send a new interactive authorization request for this user and resource.");
    };
    if grant.expires < Instant::now() {
        return token_error(app, StatusCode::BAD_REQUEST, "invalid_grant", 70008, "The provided authorization code has expired. Send a new interactive authorization request for this user and resource.");
    }
    if grant.client_id != client_id {
        return token_error(
            app,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            70002,
            "The client does not match the client the authorization code was issued to.",
        );
    }
    if grant.redirect_uri != get("redirect_uri") {
        return token_error(
            app,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            50011,
            "The redirect URI does not match the one in the authorization request.",
        );
    }
    if let Some(challenge) = &grant.code_challenge {
        let verifier = get("code_verifier");
        let computed = if grant.code_challenge_method == "S256" {
            URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
        } else {
            verifier.clone()
        };
        if verifier.is_empty() || computed != *challenge {
            return token_error(app, StatusCode::BAD_REQUEST, "invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.");
        }
    }
    let scopes = p
        .get("scope")
        .map(|s| split_scopes(s))
        .unwrap_or(grant.scopes);
    issue(app, &grant.user, client_id, &scopes)
}

fn redeem_refresh(
    app: &AppState,
    tenant: Option<&Tenant>,
    client_id: &str,
    p: &Params,
) -> Response {
    let rt = p.get("refresh_token").cloned().unwrap_or_default();
    let grant = lock(&app.sim.grants).refresh.get(&rt).cloned();
    let Some(grant) = grant.filter(|g| g.client_id == client_id) else {
        return token_error(app, StatusCode::BAD_REQUEST, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid: the refresh token is unknown, revoked, or was issued to another client.");
    };
    let Some(user) = app.sim.find_user_by_id(&grant.user_id) else {
        return token_error(
            app,
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            50034,
            "The user account does not exist in the directory.",
        );
    };
    if let Some(t) = tenant {
        if t.id != user.tenant_id {
            return token_error(
                app,
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                50020,
                "The refresh token was issued in another tenant.",
            );
        }
    }
    let scopes = p
        .get("scope")
        .map(|s| split_scopes(s))
        .unwrap_or(grant.scopes);
    issue(app, &user, client_id, &scopes)
}

fn poll_device(app: &AppState, client_id: &str, device_code: &str) -> Response {
    let faults = app.sim.faults();
    let now = Instant::now();
    let mut grants = lock(&app.sim.grants);
    let Some(idx) = grants
        .devices
        .iter()
        .position(|d| d.device_code == device_code && d.client_id == client_id)
    else {
        drop(grants);
        return token_error(
            app,
            StatusCode::BAD_REQUEST,
            "bad_verification_code",
            70000,
            "The device_code is not recognized.",
        );
    };
    let d = &mut grants.devices[idx];
    if d.expires <= now {
        drop(grants);
        return token_error(
            app,
            StatusCode::BAD_REQUEST,
            "expired_token",
            70019,
            "Verification code expired.",
        );
    }
    let enforced = faults
        .device_enforced_interval
        .unwrap_or_else(|| Duration::from_secs(faults.device_interval_secs.unwrap_or(5)));
    let last = d.last_poll.replace(now);
    if let Some(last) = last {
        if now.duration_since(last) < enforced {
            drop(grants);
            // RFC 8628 §3.5; Entra's own use of slow_down is UNCONFIRMED (ms-api.md §2.3).
            return token_error(
                app,
                StatusCode::BAD_REQUEST,
                "slow_down",
                70016,
                "The client is polling too quickly; add 5 seconds to the polling interval.",
            );
        }
    }
    match d.status.clone() {
        DeviceStatus::Pending => {
            drop(grants);
            token_error(
                app,
                StatusCode::BAD_REQUEST,
                "authorization_pending",
                70016,
                "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
            )
        }
        DeviceStatus::Declined => {
            grants.devices.remove(idx);
            drop(grants);
            token_error(
                app,
                StatusCode::BAD_REQUEST,
                "authorization_declined",
                70000,
                "The user declined the sign-in request on the device verification page.",
            )
        }
        DeviceStatus::Approved(user) => {
            let scopes = grants.devices.remove(idx).scopes;
            drop(grants);
            issue(app, &user, client_id, &scopes)
        }
    }
}

/// The token response (ms-api.md §2.2): an RS256 access token for one resource, and a refresh
/// token when `offline_access` was asked for.
fn issue(app: &AppState, user: &TestUser, client_id: &str, scopes: &[String]) -> Response {
    let mut resource: Option<String> = None;
    let mut scp = Vec::new();
    for s in scopes.iter().filter(|s| !OIDC_SCOPES.contains(&s.as_str())) {
        let (res, perm) = match s.rsplit_once('/') {
            Some((r, p)) if r.starts_with("https://") || r.starts_with("api://") => {
                (r.to_string(), p.to_string())
            }
            _ => (GRAPH_RESOURCE.to_string(), s.clone()),
        };
        match &resource {
            Some(r) if *r != res => {
                return token_error(app, StatusCode::BAD_REQUEST, "invalid_scope", 28000, "Provided value for the input parameter scope is not valid because it contains more than one resource. Scope is not valid.");
            }
            _ => resource = Some(res),
        }
        scp.push(perm);
    }
    if scp.is_empty() {
        scp.push("User.Read".into());
    }
    let resource = resource.unwrap_or_else(|| GRAPH_RESOURCE.to_string());
    let faults = app.sim.faults();
    let lifetime = faults
        .access_token_lifetime
        .unwrap_or(Duration::from_secs(3600))
        .as_secs();
    let iat = time::OffsetDateTime::now_utc().unix_timestamp();
    let claims = json!({
        "aud": resource,
        "iss": format!("https://sts.windows.net/{}/", user.tenant_id),
        "iat": iat,
        "nbf": iat,
        "exp": iat + lifetime as i64,
        "appid": client_id,
        "name": user.display_name,
        "oid": user.id,
        "scp": scp.join(" "),
        "sub": user.id,
        "tid": user.tenant_id,
        "upn": user.user_principal_name,
        "ver": "1.0",
    });
    let access_token = app.keys.sign(&claims);
    let mut body = json!({
        "token_type": "Bearer",
        "scope": scp.iter().map(|p| if resource == GRAPH_RESOURCE { format!("{GRAPH_RESOURCE}/{p}") } else { format!("{resource}/{p}") }).collect::<Vec<_>>().join(" "),
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access_token,
    });
    if scopes.iter().any(|s| s == "offline_access") {
        let rt = faults.refresh_token_value.clone().unwrap_or_else(|| {
            format!(
                "0.practice-rt.{}{}",
                uuid::Uuid::new_v4().simple(),
                uuid::Uuid::new_v4().simple()
            )
        });
        lock(&app.sim.grants).refresh.insert(
            rt.clone(),
            RefreshGrant {
                client_id: client_id.to_string(),
                scopes: scopes.to_vec(),
                user_id: user.id.clone(),
            },
        );
        body["refresh_token"] = json!(rt);
    }
    (
        StatusCode::OK,
        [(header::CACHE_CONTROL, "no-store")],
        Json(body),
    )
        .into_response()
}

// ms-api.md §2.3 (E-DEV): POST /{tenant}/oauth2/v2.0/devicecode.
pub async fn devicecode(
    State(app): State<Arc<AppState>>,
    Path(tenant): Path<String>,
    Form(p): Form<Params>,
) -> Response {
    let t = match resolve_tenant(&app, &tenant) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let client_id = p.get("client_id").cloned().unwrap_or_default();
    if client_id.is_empty() {
        return bad_request(
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        );
    }
    let faults = app.sim.faults();
    let lifetime = faults
        .device_code_lifetime
        .unwrap_or(Duration::from_secs(900));
    let interval = faults.device_interval_secs.unwrap_or(5);
    let user_code: String = uuid::Uuid::new_v4()
        .simple()
        .to_string()
        .to_ascii_uppercase()
        .chars()
        .take(9)
        .collect();
    let device_code = format!("DAQABAAEAAA.practice.{}", uuid::Uuid::new_v4().simple());
    lock(&app.sim.grants).devices.push(DeviceGrant {
        device_code: device_code.clone(),
        user_code: user_code.clone(),
        client_id,
        scopes: split_scopes(p.get("scope").map(String::as_str).unwrap_or("")),
        tenant_id: t.map(|t| t.id),
        expires: Instant::now() + lifetime,
        last_poll: None,
        status: DeviceStatus::Pending,
    });
    let uri = format!("{}/devicelogin", app.base_url);
    Json(json!({
        "user_code": user_code,
        "device_code": device_code,
        "verification_uri": uri,
        "expires_in": lifetime.as_secs_f64().ceil() as u64,
        "interval": interval,
        "message": format!("To sign in, use a web browser to open the page {uri} and enter the code {user_code} to authenticate."),
    }))
    .into_response()
}

// ms-api.md §2.3 (E-DEV): the verification page where the user enters the code.
pub async fn devicelogin_page() -> Response {
    Html(pages::device_login(None)).into_response()
}

// ms-api.md §2.3 (E-DEV): the verification page's submission: approve or decline the device.
pub async fn devicelogin_submit(
    State(app): State<Arc<AppState>>,
    Form(p): Form<Params>,
) -> Response {
    let get = |k: &str| p.get(k).cloned().unwrap_or_default();
    let code = get("user_code")
        .trim()
        .replace('-', "")
        .to_ascii_uppercase();
    let tenant_id = {
        let grants = lock(&app.sim.grants);
        grants
            .devices
            .iter()
            .find(|d| d.user_code == code && d.expires > Instant::now())
            .map(|d| d.tenant_id.clone())
    };
    let Some(tenant_id) = tenant_id else {
        return Html(pages::device_login(Some("AADSTS70000: That code didn't work. Check the code and try again, or ask for a new code."))).into_response();
    };
    let decline = get("action") == "decline";
    let user = if decline {
        None
    } else {
        let tenant = tenant_id.as_deref().and_then(|id| app.sim.find_tenant(id));
        match authenticate(&app, tenant.as_ref(), &get("username"), &get("password")) {
            Ok(u) => Some(u),
            Err(msg) => return Html(pages::device_login(Some(&msg))).into_response(),
        }
    };
    let mut grants = lock(&app.sim.grants);
    if let Some(d) = grants.devices.iter_mut().find(|d| d.user_code == code) {
        d.status = match user {
            Some(u) => DeviceStatus::Approved(u),
            None => DeviceStatus::Declined,
        };
    }
    drop(grants);
    if decline {
        Html(pages::done(
            "Sign-in cancelled",
            "You declined the sign-in. You can close this window.",
        ))
        .into_response()
    } else {
        Html(pages::done(
            "You're signed in",
            "You have signed in to the application on your device. You may now close this window.",
        ))
        .into_response()
    }
}

// ms-api.md §1.1: `jwks_uri` = /{tenant}/discovery/v2.0/keys.
pub async fn jwks(State(app): State<Arc<AppState>>, Path(tenant): Path<String>) -> Response {
    if let Err(r) = resolve_tenant(&app, &tenant) {
        return r;
    }
    Json(app.keys.jwks()).into_response()
}
