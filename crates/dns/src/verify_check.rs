//! Is the domain-verification TXT record ready? Specific findings for the
//! mistakes admins make, decided by the authoritative servers only.

use futures::future::join_all;
use hickory_proto::rr::Name;
use serde::Serialize;

use crate::authority::{survey_name, AuthorityOptions, AuthorityTable};
use crate::error::DnsError;
use crate::name::{display_name, join, parse_name};
use crate::txt::lookup_name;
use crate::values::normalize;

pub use crate::findings::{classify, Finding, FindingCode, LabelProbe, Severity};
pub use crate::poll::{poll_until_ready, Backoff, PollOutcome, PollStatus, Readiness};

/// Options of [`check`].
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Resolver, name-server port and timeouts.
    pub authority: AuthorityOptions,
    /// More labels to look under when the value is not at the domain
    /// (added to `www`, `@`, `ms`, `_ms`, `verify`, `_verify`, `txt`).
    pub extra_labels: Vec<String>,
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    pub domain: String,
    pub expected: String,
    /// The per-server table (authoritative servers, then the resolver).
    pub table: AuthorityTable,
    /// Where the value was found at a wrong name.
    pub wrong_labels: Vec<LabelProbe>,
    /// Findings, most severe first.
    pub findings: Vec<Finding>,
    /// True when every authoritative server returns the expected value: the
    /// moment to call Graph `verify`.
    pub ready: bool,
}

impl CheckReport {
    /// The finding codes, in report order.
    pub fn codes(&self) -> Vec<FindingCode> {
        self.findings.iter().map(|f| f.code).collect()
    }

    /// True when a finding with `code` is present.
    pub fn has(&self, code: FindingCode) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }
}

impl Readiness for CheckReport {
    fn is_ready(&self) -> bool {
        self.ready
    }
}

const WRONG_LABELS: &[&str] = &["www", "@", "ms", "_ms", "verify", "_verify", "txt"];

/// Names where a misplaced record is commonly found for `domain` in `zone`.
pub fn wrong_label_candidates(domain: &Name, zone: Option<&Name>, extra: &[String]) -> Vec<Name> {
    let mut out: Vec<Name> = Vec::new();
    let mut push = |n: Result<Name, DnsError>| {
        if let Ok(n) = n {
            if n != *domain && !out.contains(&n) {
                out.push(n);
            }
        }
    };
    let domain_text = display_name(domain);
    push(join(&domain_text, domain));
    if let Some(zone) = zone {
        if zone != domain {
            push(Ok(zone.clone()));
            push(join(&domain_text, zone));
        }
    }
    if let Some(first) = domain_text.split('.').next() {
        push(join(first, domain));
    }
    for label in WRONG_LABELS
        .iter()
        .copied()
        .chain(extra.iter().map(String::as_str))
    {
        push(join(label, domain));
    }
    out
}

/// Checks whether `expected` is published at `domain` on every authoritative server.
/// Fails only for an invalid domain name; DNS trouble becomes findings.
pub async fn check(
    domain: &str,
    expected: &str,
    options: &CheckOptions,
) -> Result<CheckReport, DnsError> {
    let domain = parse_name(domain)?;
    let expected = expected.trim().to_string();
    let table = survey_name(&domain, &options.authority).await;

    let has_value = table
        .authoritative_rows()
        .any(|r| r.answered_authoritatively() && r.values.contains(&expected));
    let wrong_labels = if has_value {
        Vec::new()
    } else {
        probe_wrong_labels(&domain, &table, &expected, options).await
    };
    let (findings, ready) = classify(&domain, &expected, &table, &wrong_labels);
    Ok(CheckReport {
        domain: display_name(&domain),
        expected,
        table,
        wrong_labels,
        findings,
        ready,
    })
}

async fn probe_wrong_labels(
    domain: &Name,
    table: &AuthorityTable,
    expected: &str,
    options: &CheckOptions,
) -> Vec<LabelProbe> {
    let Some(zone) = &table.zone else {
        return Vec::new();
    };
    // One server that answers authoritatively is enough to look around.
    let Some(server) = table
        .authoritative_rows()
        .find(|r| r.answered_authoritatively())
        .and_then(|r| r.address)
    else {
        return Vec::new();
    };
    let q = options.authority.query.non_recursive();
    let candidates = wrong_label_candidates(domain, Some(&zone.apex), &options.extra_labels);
    let answers = join_all(candidates.iter().map(|c| lookup_name(c, Some(server), &q))).await;
    candidates
        .iter()
        .zip(answers)
        .filter_map(|(name, answer)| {
            let values = answer.ok()?.values();
            values
                .iter()
                .any(|v| normalize(v) == expected)
                .then(|| LabelProbe {
                    name: display_name(name),
                    values,
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::wrong_label_candidates;
    use crate::name::{display_name, parse_name};

    #[test]
    fn candidates_cover_the_usual_misplacements() {
        let domain = parse_name("sales.contoso.com").unwrap();
        let zone = parse_name("contoso.com").unwrap();
        let names: Vec<String> = wrong_label_candidates(&domain, Some(&zone), &["_x".into()])
            .iter()
            .map(display_name)
            .collect();
        for expected in [
            "sales.contoso.com.sales.contoso.com",
            "contoso.com",
            "sales.contoso.com.contoso.com",
            "sales.sales.contoso.com",
            "www.sales.contoso.com",
            "_ms.sales.contoso.com",
            "_x.sales.contoso.com",
        ] {
            assert!(
                names.iter().any(|n| n == expected),
                "{expected} not in {names:?}"
            );
        }
        assert!(!names.iter().any(|n| n == "sales.contoso.com"));
    }
}
