//! The troubleshooting card for any failed item (knowledge base in crates/diagnosis).
use hybridsync_core::troubleshoot::{card, Card, TroubleshootRequest};

/// The card for a failure, or `null` when the knowledge base does not know it.
#[tauri::command]
pub fn troubleshoot(request: TroubleshootRequest) -> Option<Card> {
    card(&request)
}
