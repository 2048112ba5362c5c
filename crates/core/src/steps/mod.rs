//! One module per wizard step.
pub mod domain;
pub mod signin;
pub mod tenant;
