//! One module per wizard step.
pub mod cert_health;
pub mod crm_script;
pub mod domain;
pub mod signin;
pub mod tenant;
pub mod trust;
// Dynamics 365 (issue 7).
pub mod crm;
pub mod defaults;
pub mod mailboxes;
pub mod profile;
