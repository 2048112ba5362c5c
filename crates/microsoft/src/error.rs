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
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
