//! Clients for the Microsoft services the wizard talks to. Each module follows the documented
//! contract in the project's reference (`shared/reference/ms-api.md`), cited next to the code.
pub mod authority;
pub mod discovery;
pub mod error;
pub mod http;

pub use authority::{Authority, AuthorityPreset};
pub use discovery::{discover, DiscoveryTarget, IssuerForm, OpenIdTenant};
pub use error::{Error, Result};
pub use http::{HttpOptions, Transport};
