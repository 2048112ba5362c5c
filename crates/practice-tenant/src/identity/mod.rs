//! The identity platform's routes (login.microsoftonline.com paths).
pub mod openid;
