//! The identity platform's routes (login.microsoftonline.com paths).
pub mod errors;
pub mod grants;
pub mod keys;
pub mod oauth;
pub mod openid;
pub mod pages;
pub mod users;
