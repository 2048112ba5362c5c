//! What the identity endpoints have handed out: authorization codes, refresh tokens, device codes.
use std::collections::HashMap;
use std::time::Instant;

use super::users::TestUser;

#[derive(Debug, Clone)]
pub struct CodeGrant {
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub code_challenge_method: String,
    pub scopes: Vec<String>,
    pub user: TestUser,
    pub expires: Instant,
}

#[derive(Debug, Clone)]
pub struct RefreshGrant {
    pub client_id: String,
    pub scopes: Vec<String>,
    pub user_id: String,
}

#[derive(Debug, Clone)]
pub enum DeviceStatus {
    Pending,
    Approved(TestUser),
    Declined,
}

#[derive(Debug, Clone)]
pub struct DeviceGrant {
    pub device_code: String,
    pub user_code: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    /// The tenant of the `/{tenant}/` path, when it named one (not an alias).
    pub tenant_id: Option<String>,
    pub expires: Instant,
    pub last_poll: Option<Instant>,
    pub status: DeviceStatus,
}

#[derive(Debug, Default)]
pub struct Grants {
    pub codes: HashMap<String, CodeGrant>,
    pub refresh: HashMap<String, RefreshGrant>,
    pub devices: Vec<DeviceGrant>,
}
