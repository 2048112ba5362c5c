//! The UPN suffix table: which sign-in domains the directory uses, how many
//! users each, and whether the tenant can accept them (the same view as
//! Microsoft Entra Connect's "Microsoft Entra sign-in configuration" page).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::domain;

/// Counts UPN suffixes (lower-cased) as objects are scanned.
#[derive(Debug, Default, Clone)]
pub struct SuffixCounter {
    counts: BTreeMap<String, u64>,
}

impl SuffixCounter {
    /// Count the suffix of one UPN (the text after the last `@`). Values
    /// without `@` are not counted.
    pub fn add_upn(&mut self, upn: &str) {
        if let Some(i) = upn.rfind('@') {
            let s = upn[i + 1..].trim().to_lowercase();
            if !s.is_empty() {
                *self.counts.entry(s).or_default() += 1;
            }
        }
    }

    /// Suffixes with their counts, most used first (ties by name).
    pub fn counts(&self) -> Vec<SuffixCount> {
        let mut v: Vec<SuffixCount> = self
            .counts
            .iter()
            .map(|(s, &n)| SuffixCount {
                suffix: s.clone(),
                count: n,
            })
            .collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.suffix.cmp(&b.suffix)));
        v
    }
}

/// One UPN suffix and how many objects use it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SuffixCount {
    /// Lower-case domain after the `@`.
    pub suffix: String,
    /// Number of UPNs with this suffix.
    #[ts(type = "number")]
    pub count: u64,
}

/// A domain as the tenant knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TenantDomain {
    /// The domain name.
    pub name: String,
    /// Whether its ownership has been verified.
    pub verified: bool,
}

/// How a suffix stands against the tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum SuffixState {
    /// Verified in the tenant (or a subdomain of a verified domain, which
    /// Microsoft 365 verifies with its parent).
    Verified,
    /// Added to the tenant but not yet verified.
    Unverified,
    /// Routable, but not added to the tenant: add and verify it.
    NotAdded,
    /// `.local`, single-label and the like: can never be verified; change
    /// the users' UPN suffix.
    NonRoutable,
}

/// One row of the suffix table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SuffixRow {
    /// Lower-case domain after the `@`.
    pub suffix: String,
    /// Number of UPNs with this suffix.
    #[ts(type = "number")]
    pub count: u64,
    /// Its state in the tenant.
    pub state: SuffixState,
}

fn is_same_or_sub(suffix: &str, domain: &str) -> bool {
    suffix == domain || suffix.ends_with(&format!(".{domain}"))
}

/// The state of one suffix given the tenant's domains.
pub fn classify(suffix: &str, tenant: &[TenantDomain]) -> SuffixState {
    let s = suffix.trim().trim_end_matches('.').to_lowercase();
    if domain::is_non_routable(&s) {
        return SuffixState::NonRoutable;
    }
    let norm = |d: &TenantDomain| d.name.trim().trim_end_matches('.').to_lowercase();
    if tenant
        .iter()
        .any(|d| d.verified && is_same_or_sub(&s, &norm(d)))
    {
        return SuffixState::Verified;
    }
    if tenant.iter().any(|d| !d.verified && norm(d) == s) {
        return SuffixState::Unverified;
    }
    SuffixState::NotAdded
}

/// The suffix table: each counted suffix with its state, in the order of
/// `counts`.
pub fn suffix_table(counts: &[SuffixCount], tenant: &[TenantDomain]) -> Vec<SuffixRow> {
    counts
        .iter()
        .map(|c| SuffixRow {
            suffix: c.suffix.clone(),
            count: c.count,
            state: classify(&c.suffix, tenant),
        })
        .collect()
}
