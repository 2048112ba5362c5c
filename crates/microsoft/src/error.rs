use std::time::Duration;

/// Everything that can go wrong talking to a Microsoft endpoint, phrased for the admin who reads it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    InvalidInput(String),

    #[error("cannot use the CA file {path}: {detail}. Give a PEM file holding the certificate of the CA that signs your network's TLS traffic.")]
    CaFile { path: String, detail: String },

    #[error("no Microsoft 365 tenant found for {input}: the authority {authority} answered \"{detail}\". Check the spelling, and that the domain has been added to the tenant, or use the tenant's .onmicrosoft.com domain.")]
    TenantNotFound {
        input: String,
        authority: String,
        detail: String,
    },

    #[error("{input} is not a single tenant: the authority answered with the multi-tenant placeholder issuer {issuer}. Enter one of your organisation's domains or its tenant ID.")]
    NotATenant { input: String, issuer: String },

    #[error("the TLS certificate of {host} is not trusted ({detail}). If your network inspects TLS, pass the inspecting CA's certificate as a trusted CA file; verification is never turned off.")]
    TlsUntrusted { host: String, detail: String },

    #[error("{url} did not answer within {} s. Check the network path (proxy, firewall) to the authority, then try again.", .timeout.as_secs_f32())]
    Timeout { url: String, timeout: Duration },

    #[error("could not reach {url}: {detail}")]
    Network { url: String, detail: String },

    #[error("{url} answered HTTP {status}: {detail}")]
    Http {
        url: String,
        status: u16,
        detail: String,
    },

    #[error("{url} did not return a valid OpenID configuration: {detail}. If a proxy rewrote the answer, fix the proxy or pass the authority URL directly.")]
    Malformed { url: String, detail: String },

    #[error("the sign-in was cancelled before it finished")]
    Cancelled,

    #[error("could not open the system browser ({detail}). Open this address yourself, or use the device code sign-in (--device-code): {url}")]
    BrowserOpen { url: String, detail: String },

    #[error("no sign-in came back to the app within {} s. Finish the sign-in in the browser window sooner, or use the device code sign-in.", .timeout.as_secs())]
    SignInTimedOut { timeout: Duration },

    #[error("the sign-in answer carried a different state value than the app sent, so it was refused (it may be a forged or stale redirect). Start the sign-in again from the app.")]
    StateMismatch,

    #[error("the sign-in was declined{}. Start it again and approve it, with an account of the tenant.", .detail.as_ref().map(|d| format!(" ({d})")).unwrap_or_default())]
    SignInDeclined { detail: Option<String> },

    #[error("the device code expired before the sign-in was approved. Start again and enter the new code within {} minutes.", .minutes)]
    DeviceCodeExpired { minutes: u64 },

    #[error("the identity platform refused the sign-in: {error}{}: {detail}", .aadsts.map(|c| format!(" (AADSTS{c})")).unwrap_or_default())]
    SignInRejected {
        error: String,
        aadsts: Option<u32>,
        detail: String,
    },

    #[error("the saved sign-in is no longer valid ({detail}). Sign in again (hybridsync signin).")]
    SessionExpired { detail: String },

    #[error("Microsoft Graph refused the access token for {path} (HTTP 401 {code}: {message}), also after renewing it. Sign in again; if it persists, check the authority and that the app registration is for Microsoft Graph.")]
    GraphUnauthorized {
        path: String,
        code: String,
        message: String,
    },

    #[error("Microsoft Graph refused {path} (HTTP 403 {code}: {message}). The sign-in lacks a permission: it needs {needs}. Grant it to the app registration (with admin consent) and sign in again.")]
    GraphForbidden {
        path: String,
        code: String,
        message: String,
        needs: String,
    },

    #[error("{user} cannot {action}: that needs the {needed} role{}, and the account has {}. Sign in with an account that holds it, or ask a Global Administrator to assign it (Entra admin center > Roles and administrators). Nothing was changed.", .alternatives, roles_text(.has))]
    MissingRole {
        user: String,
        action: String,
        needed: String,
        alternatives: String,
        has: Vec<String>,
    },

    #[error("Microsoft 365 did not verify {domain} (HTTP {status}): {message} Check that the TXT record is published on every name server of the domain's zone, then verify again.")]
    DomainNotVerified {
        domain: String,
        status: u16,
        message: String,
    },
}

fn roles_text(has: &[String]) -> String {
    if has.is_empty() {
        "no directory role".into()
    } else {
        format!("only {}", has.join(", "))
    }
}

impl Error {
    /// A stable code the UI and the CLI key on (also the knowledge base's key).
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidInput(_) => "invalid_input",
            Error::CaFile { .. } => "ca_file_invalid",
            Error::TenantNotFound { .. } => "tenant_not_found",
            Error::NotATenant { .. } => "not_a_tenant",
            Error::TlsUntrusted { .. } => "tls_untrusted",
            Error::Timeout { .. } => "timeout",
            Error::Network { .. } => "network",
            Error::Http { .. } => "http_error",
            Error::Malformed { .. } => "malformed_response",
            Error::Cancelled => "cancelled",
            Error::BrowserOpen { .. } => "browser_open_failed",
            Error::SignInTimedOut { .. } => "signin_timeout",
            Error::StateMismatch => "signin_state_mismatch",
            Error::SignInDeclined { .. } => "signin_declined",
            Error::DeviceCodeExpired { .. } => "device_code_expired",
            Error::SignInRejected { .. } => "signin_rejected",
            Error::SessionExpired { .. } => "session_expired",
            Error::GraphUnauthorized { .. } => "graph_unauthorized",
            Error::GraphForbidden { .. } => "graph_forbidden",
            Error::MissingRole { .. } => "role_missing",
            Error::DomainNotVerified { .. } => "domain_not_verified",
        }
    }

    /// The remediation id: the troubleshooting entry that explains the fix.
    pub fn remediation(&self) -> &'static str {
        match self {
            Error::InvalidInput(_) => "input.fix-value",
            Error::CaFile { .. } => "tls.custom-ca",
            Error::TenantNotFound { .. } => "tenant.check-domain",
            Error::NotATenant { .. } => "tenant.use-own-domain",
            Error::TlsUntrusted { .. } => "tls.custom-ca",
            Error::Timeout { .. } | Error::Network { .. } => "network.check-path",
            Error::Http { .. } => "network.http-status",
            Error::Malformed { .. } => "network.proxy-rewrite",
            Error::Cancelled => "run.cancelled",
            Error::BrowserOpen { .. } | Error::SignInTimedOut { .. } => "signin.use-device-code",
            Error::StateMismatch => "signin.restart",
            Error::SignInDeclined { .. } | Error::DeviceCodeExpired { .. } => "signin.restart",
            Error::SignInRejected { .. } => "signin.aadsts",
            Error::SessionExpired { .. } | Error::GraphUnauthorized { .. } => {
                "signin.sign-in-again"
            }
            Error::GraphForbidden { .. } => "signin.grant-permission",
            Error::MissingRole { .. } => "signin.role-missing",
            Error::DomainNotVerified { .. } => "domains.verify-failed",
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
