//! Starting and stopping the simulator: axum over rustls on a loopback port.
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use crate::graph::service_principals;
use crate::graph::{domains, me};
use crate::identity::keys::SigningKey;
use crate::identity::{oauth, openid};
use crate::state::{seed_tenants, RequestRecord, Sim};
use crate::tls;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("could not generate the practice tenant's certificates: {0}")]
    Certificates(String),
    #[error("could not write the practice tenant's CA file {path}: {source}")]
    CaFile {
        path: String,
        source: std::io::Error,
    },
    #[error("could not listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("could not set up TLS: {0}")]
    Tls(String),
    #[error("could not start the practice DNS servers: {0}")]
    Dns(std::io::Error),
}

/// Where and how to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Folder for the CA file (`practice-ca.pem`).
    pub dir: PathBuf,
    /// Loopback address to bind; the port 0 picks a free one.
    pub bind: SocketAddr,
}

impl Options {
    pub fn in_dir(dir: impl Into<PathBuf>) -> Options {
        Options {
            dir: dir.into(),
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
        }
    }
}

pub(crate) struct AppState {
    pub sim: Arc<Sim>,
    pub base_url: String,
    pub graph_host: String,
    /// Signs the access tokens (RS256); generated at every start.
    pub keys: SigningKey,
}

/// A running practice tenant. Dropping it does not stop it; call [`Running::stop`].
pub struct Running {
    pub addr: SocketAddr,
    /// `https://127.0.0.1:<port>`: the authority, Graph and Dynamics base of this simulator.
    pub base_url: String,
    /// The CA certificate (PEM) a client must trust to reach this simulator.
    pub ca_file: PathBuf,
    pub sim: Arc<Sim>,
    /// The practice DNS (issue 4): point DNS checks at `dns.resolver()`.
    pub dns: Arc<crate::dns::PracticeDns>,
    handle: axum_server::Handle<SocketAddr>,
}

impl Running {
    /// Starts a simulator with the practice tenants.
    pub async fn start(opts: Options) -> Result<Running, StartError> {
        Self::start_with(opts, Sim::new(seed_tenants())).await
    }

    pub async fn start_with(opts: Options, sim: Sim) -> Result<Running, StartError> {
        // rustls needs a process-wide provider when more than one could be linked in.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let material = tls::generate().map_err(|e| StartError::Certificates(e.to_string()))?;
        let ca_file = opts.dir.join("practice-ca.pem");
        write_file(&ca_file, material.ca_pem.as_bytes()).map_err(|source| StartError::CaFile {
            path: ca_file.display().to_string(),
            source,
        })?;
        let listener =
            std::net::TcpListener::bind(opts.bind).map_err(|source| StartError::Listen {
                addr: opts.bind,
                source,
            })?;
        listener
            .set_nonblocking(true)
            .map_err(|source| StartError::Listen {
                addr: opts.bind,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StartError::Listen {
            addr: opts.bind,
            source,
        })?;
        let base_url = format!("https://{addr}");
        let sim = Arc::new(sim);
        let zones: Vec<String> = sim
            .tenants()
            .iter()
            .flat_map(|t| t.domains.iter().skip(1).cloned())
            .collect();
        let zone_refs: Vec<&str> = zones.iter().map(String::as_str).collect();
        let dns = Arc::new(
            crate::dns::PracticeDns::start(&zone_refs)
                .await
                .map_err(StartError::Dns)?,
        );
        sim.domains.attach_dns(dns.clone());
        let state = Arc::new(AppState {
            sim: sim.clone(),
            base_url: base_url.clone(),
            graph_host: addr.to_string(),
            keys: SigningKey::generate().map_err(StartError::Certificates)?,
        });
        let config = axum_server::tls_rustls::RustlsConfig::from_pem(
            material.chain_pem.into_bytes(),
            material.key_pem.into_bytes(),
        )
        .await
        .map_err(|e| StartError::Tls(e.to_string()))?;
        let handle = axum_server::Handle::new();
        let server = axum_server::from_tcp_rustls(listener, config)
            .map_err(|e| StartError::Tls(e.to_string()))?
            .handle(handle.clone());
        let app = router(state);
        tokio::spawn(async move {
            if let Err(e) = server.serve(app.into_make_service()).await {
                tracing::error!(error = %e, "practice tenant stopped with an error");
            }
        });
        tracing::info!(%base_url, ca = %ca_file.display(), "practice tenant listening");
        Ok(Running {
            addr,
            base_url,
            ca_file,
            sim,
            dns,
            handle,
        })
    }

    /// The identity authority URL to give the client (the same host serves every tenant).
    pub fn authority(&self) -> &str {
        &self.base_url
    }

    pub fn stop(&self) {
        self.handle.shutdown();
    }
}

fn router(state: Arc<AppState>) -> Router {
    Router::new()
        // ms-api.md §1.1 (E-OIDC): the v2 document.
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(openid::v2),
        )
        // ms-api.md §1.1 (3P): the v1 document.
        .route(
            "/{tenant}/.well-known/openid-configuration",
            get(openid::v1),
        )
        // ms-api.md §2.2 (E-AUTH): the sign-in page and its form submission.
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            get(oauth::authorize_page).post(oauth::authorize_submit),
        )
        // ms-api.md §2.2, §2.3 (E-AUTH, E-DEV): code, refresh and device-code grants.
        .route("/{tenant}/oauth2/v2.0/token", post(oauth::token))
        // ms-api.md §2.3 (E-DEV): device authorization.
        .route("/{tenant}/oauth2/v2.0/devicecode", post(oauth::devicecode))
        // ms-api.md §2.3 (E-DEV): the verification page (microsoft.com/devicelogin).
        .route(
            "/devicelogin",
            get(oauth::devicelogin_page).post(oauth::devicelogin_submit),
        )
        // ms-api.md §1.1: jwks_uri.
        .route("/{tenant}/discovery/v2.0/keys", get(oauth::jwks))
        // Graph v1.0 (issue 3): the signed-in user and the directory roles.
        .route("/v1.0/me", get(me::me))
        .route("/v1.0/me/transitiveMemberOf", get(me::transitive_member_of))
        // ms-api.md §4 (G-ORG).
        .route("/v1.0/organization", get(me::organization))
        .route("/v1.0/subscribedSkus", get(crate::graph::skus::list))
        .route("/v1.0/users", get(crate::graph::users::list))
        // ms-api.md §3.1 (G-DOM): custom domains; the last route is practice-only (the demo's publish action).
        .route("/v1.0/domains", get(domains::list).post(domains::create))
        .route("/v1.0/domains/{id}", get(domains::get))
        .route(
            "/v1.0/domains/{id}/verificationDnsRecords",
            get(domains::verification_records),
        )
        .route("/v1.0/domains/{id}/verify", post(domains::verify))
        .route(
            "/v1.0/domains/{id}/serviceConfigurationRecords",
            get(domains::service_configuration_records),
        )
        .route(
            "/_practice/dns/{id}/publish",
            post(domains::practice_publish),
        )
        // ms-api.md §5.5, §5.6 (G-SP): the Dynamics CRM service principal; practice-only CRM deployment (issue 6).
        .route("/v1.0/servicePrincipals", get(service_principals::list))
        .route(
            "/v1.0/servicePrincipals/{id}",
            get(service_principals::get_one).patch(service_principals::patch),
        )
        .route("/_practice/crm/run-script", post(crate::crm::run_script))
        .route("/_practice/crm/state", get(crate::crm::state))
        // ms-api.md §6: the Dynamics 365 Web API (issue 7).
        .merge(crate::dynamics::web::routes(state.clone()))
        .layer(middleware::from_fn_with_state(state.clone(), log_request))
        .with_state(state)
}

async fn log_request(State(app): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let resp = next.run(req).await;
    app.sim.record(RequestRecord {
        method,
        path,
        status: resp.status().as_u16(),
    });
    resp
}

fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = path.with_extension("pem.tmp");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}
