//! Clients for the Microsoft services the wizard talks to. Each module follows the documented
//! contract in the project's reference (`shared/reference/ms-api.md`), cited next to the code.
pub mod authority;
pub mod bulk;
pub mod discovery;
pub mod domains;
pub mod dynamics;
pub mod dynamics_batch;
pub mod error;
pub mod graph;
pub mod http;
pub mod identity;
pub mod retry;
pub mod secret;
pub mod service_principal;
pub mod skus;
pub mod users;

pub use authority::{Authority, AuthorityPreset};
pub use discovery::{discover, DiscoveryTarget, IssuerForm, OpenIdTenant};
pub use dynamics::{Dynamics, DynamicsAuth};
pub use error::{Error, Result};
pub use graph::{require_role, Graph, RoleRequirement, SignedInUser};
pub use http::{HttpOptions, Transport};
pub use identity::{ClientConfig, DeviceCode, DevicePolling, Identity, LoopbackOptions, Tokens};
pub use secret::Secret;
