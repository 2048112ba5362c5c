//! One module per wizard step.
pub mod signin;
pub mod tenant;
