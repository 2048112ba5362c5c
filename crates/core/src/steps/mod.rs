//! One module per wizard step.
pub mod signin;
pub mod tenant;
// Dynamics 365 (issue 7).
pub mod crm;
pub mod defaults;
pub mod mailboxes;
pub mod profile;
