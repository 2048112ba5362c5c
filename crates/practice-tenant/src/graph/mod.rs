//! Microsoft Graph routes (graph.microsoft.com/v1.0 paths) and Graph's token checks.
pub mod auth;
pub mod domains;
pub mod me;
pub mod service_principals;
pub mod skus;
pub mod users;
