//! The practice tenant: Microsoft's identity endpoints (and, as the product grows, Graph and the
//! Dynamics Web API) simulated over real TLS on a loopback port. Routes mirror Microsoft's paths;
//! each cites its source in the project's reference (`shared/reference/ms-api.md`).
pub mod crm;
pub mod dns;
pub mod dynamics;
mod graph;
mod identity;
mod server;
pub mod state;
mod tls;

pub use crm::{CrmDeployment, CrmDeploymentState};
pub use dns::{PracticeDns, Servers};
pub use dynamics::{Deployment, Dynamics, FaultRates, Knobs, LoadStats};
/// The Graph domains routes' error bodies and assumptions (ms-api.md §3).
pub use graph::domains as graph_domains;
pub use graph::domains::{DomainEntry, Domains};
pub use graph::service_principals::{ServicePrincipal, ServicePrincipals, StoredKey, CRM_APP_ID};
pub use graph::skus::{Skus, HYBRID_CONNECTOR_SKU};
pub use identity::users::{
    DirectoryRole, TestUser, DOMAIN_NAME_ADMINISTRATOR, GLOBAL_ADMINISTRATOR, PRACTICE_PASSWORD,
};
pub use server::{Options, Running, StartError};
pub use state::{Faults, RequestRecord, Sim, Tenant};
