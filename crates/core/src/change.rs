use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// One change a step would make: the diff shown before the commit button. Never holds a secret.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
#[ts(export)]
pub struct Change {
    /// What is changed, e.g. `graph:servicePrincipals/00000007-…`.
    pub target: String,
    /// The field, e.g. `keyCredentials`.
    pub field: String,
    #[ts(type = "unknown")]
    pub before: Option<Value>,
    #[ts(type = "unknown")]
    pub after: Option<Value>,
}

impl Change {
    /// The identity the journal keys on: one record per target and field.
    pub fn key(&self) -> String {
        format!("{}#{}", self.target, self.field)
    }
}
