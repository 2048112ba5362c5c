//! Findings and the pure classification of a per-server table: which mistake
//! the admin made, and whether the authoritative servers are ready.

use std::collections::{BTreeMap, BTreeSet};

use hickory_proto::rr::Name;
use serde::Serialize;

use crate::authority::{AuthorityTable, ServerRow};
use crate::name::display_name;
use crate::values::{is_ms_value, normalize, similar};

/// What a finding is about. Serialised in snake_case (`txt_missing`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingCode {
    /// Every authoritative server returns the expected value.
    Ready,
    /// No server has the value, nor anything resembling it.
    TxtMissing,
    /// An `MS=` value (or a near miss) is published, but not the expected one.
    TxtWrongValue,
    /// The value is published with quotes or surrounding/inner whitespace.
    TxtQuotedOrWhitespace,
    /// The value is published at another name (`contoso.com.contoso.com`, `www.…`).
    TxtWrongLabel,
    /// Several different `MS=` values at the name.
    TxtSeveralMsValues,
    /// The domain does not exist: NXDOMAIN under a public suffix, or no zone at all.
    ZoneMissing,
    /// A name server does not answer authoritatively (REFUSED, SERVFAIL, timeout, no AA).
    LameDelegation,
    /// Some authoritative servers have the value, others do not yet.
    ServersDisagree,
    /// The authoritative servers have the value; the resolver still returns an old answer.
    ResolverStale,
    /// The resolver could not be used to find the zone.
    LookupFailed,
}

impl FindingCode {
    /// The snake_case code.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingCode::Ready => "ready",
            FindingCode::TxtMissing => "txt_missing",
            FindingCode::TxtWrongValue => "txt_wrong_value",
            FindingCode::TxtQuotedOrWhitespace => "txt_quoted_or_whitespace",
            FindingCode::TxtWrongLabel => "txt_wrong_label",
            FindingCode::TxtSeveralMsValues => "txt_several_ms_values",
            FindingCode::ZoneMissing => "zone_missing",
            FindingCode::LameDelegation => "lame_delegation",
            FindingCode::ServersDisagree => "servers_disagree",
            FindingCode::ResolverStale => "resolver_stale",
            FindingCode::LookupFailed => "lookup_failed",
        }
    }
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Ok,
    Info,
    Warning,
    Error,
}

/// One finding: a code, a plain message and the evidence behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: FindingCode,
    pub severity: Severity,
    pub message: String,
    pub evidence: Vec<String>,
}

/// The expected value seen at another name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LabelProbe {
    /// The name where it was seen.
    pub name: String,
    /// The values seen there.
    pub values: Vec<String>,
}

fn row_label(r: &ServerRow) -> String {
    match r.address {
        Some(a) => format!("{} ({a})", r.server_name),
        None => r.server_name.clone(),
    }
}

fn row_seen(r: &ServerRow) -> String {
    let seen = if r.values.is_empty() {
        if r.no_data {
            "no TXT record".to_string()
        } else {
            r.answer_code.clone()
        }
    } else {
        r.values
            .iter()
            .map(|v| format!("{v:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let ttl = r.ttl.map(|t| format!(", ttl {t}s")).unwrap_or_default();
    format!("{}: {seen}{ttl}", row_label(r))
}

fn finding(
    code: FindingCode,
    severity: Severity,
    message: String,
    evidence: Vec<String>,
) -> Finding {
    Finding {
        code,
        severity,
        message,
        evidence,
    }
}

/// True when `zone` is a public suffix (or the root): a domain missing under it
/// is not registered or not delegated.
fn is_public_suffix(zone: &str) -> bool {
    zone.is_empty() || !zone.contains('.') || psl::suffix_str(zone) == Some(zone)
}

/// Turns a table (and the wrong-label probes) into findings, and decides readiness.
/// Pure: no network.
pub fn classify(
    domain: &Name,
    expected: &str,
    table: &AuthorityTable,
    wrong_labels: &[LabelProbe],
) -> (Vec<Finding>, bool) {
    let domain_text = display_name(domain);
    let mut findings = Vec::new();
    let Some(zone) = &table.zone else {
        if let Some(err) = &table.zone_error {
            findings.push(finding(
                FindingCode::LookupFailed,
                Severity::Error,
                format!(
                    "Could not find the DNS zone of {domain_text}: the resolver did not answer."
                ),
                vec![err.clone()],
            ));
        } else {
            findings.push(finding(
                FindingCode::ZoneMissing,
                Severity::Error,
                format!("No DNS zone exists for {domain_text}. Check the spelling, that the domain is registered, and that its name servers are set at the registrar."),
                vec!["no name with NS records found up to the root".into()],
            ));
        }
        return (findings, false);
    };

    let auth: Vec<&ServerRow> = table.authoritative_rows().collect();
    let good: Vec<&ServerRow> = auth
        .iter()
        .copied()
        .filter(|r| r.answered_authoritatively())
        .collect();

    // Lame name servers: none of their addresses answered with the AA bit.
    let mut by_ns: BTreeMap<&str, Vec<&ServerRow>> = BTreeMap::new();
    for r in &auth {
        by_ns.entry(r.server_name.as_str()).or_default().push(r);
    }
    let lame: Vec<&ServerRow> = by_ns
        .values()
        .filter(|rows| !rows.iter().any(|r| r.answered_authoritatively()))
        .flatten()
        .copied()
        .collect();
    if !lame.is_empty() {
        let evidence = lame
            .iter()
            .map(|r| match &r.error {
                Some(e) => format!("{}: {} ({e})", row_label(r), r.answer_code),
                None => format!(
                    "{}: {} without the authoritative (AA) flag",
                    row_label(r),
                    r.answer_code
                ),
            })
            .collect();
        findings.push(finding(
            FindingCode::LameDelegation,
            Severity::Error,
            format!("Name server(s) listed for {} do not answer for the zone. Fix them at the DNS host or remove them from the delegation at the registrar.", zone.name),
            evidence,
        ));
    }

    let nx_everywhere = !good.is_empty() && good.iter().all(|r| r.answer_code == "NXDOMAIN");
    if (nx_everywhere || (good.is_empty() && zone.name_nxdomain))
        && zone.apex != *domain
        && is_public_suffix(&zone.name)
    {
        findings.push(finding(
            FindingCode::ZoneMissing,
            Severity::Error,
            format!("{domain_text} does not exist in DNS ({} says NXDOMAIN). Check the spelling and that the domain is registered and delegated.", zone.name),
            good.iter().map(|r| row_seen(r)).collect(),
        ));
        return (sorted(findings), false);
    }
    if good.is_empty() {
        return (sorted(findings), false);
    }

    let with: Vec<&ServerRow> = good
        .iter()
        .copied()
        .filter(|r| r.values.iter().any(|v| v == expected))
        .collect();
    let without: Vec<&ServerRow> = good
        .iter()
        .copied()
        .filter(|r| !r.values.iter().any(|v| v == expected))
        .collect();

    let seen: BTreeSet<&str> = good
        .iter()
        .flat_map(|r| r.values.iter().map(String::as_str))
        .collect();
    let ms_values: BTreeSet<String> = seen
        .iter()
        .filter(|v| is_ms_value(v))
        .map(|v| normalize(v))
        .collect();
    if ms_values.len() > 1 {
        findings.push(finding(
            FindingCode::TxtSeveralMsValues,
            if with.is_empty() { Severity::Error } else { Severity::Warning },
            format!("{domain_text} has several MS= values. Keep only {expected:?} and delete the others (old attempts or other tenants)."),
            ms_values.iter().map(|v| format!("{v:?}")).collect(),
        ));
    }

    if with.is_empty() {
        let quoted: Vec<&str> = seen
            .iter()
            .copied()
            .filter(|v| *v != expected && normalize(v) == expected)
            .collect();
        let wrong: Vec<&str> = seen
            .iter()
            .copied()
            .filter(|v| {
                normalize(v) != expected && (is_ms_value(v) || similar(&normalize(v), expected))
            })
            .collect();
        if !quoted.is_empty() {
            findings.push(finding(
                FindingCode::TxtQuotedOrWhitespace,
                Severity::Error,
                format!("The record has quotes or spaces around the value. Edit it to exactly {expected} with no quotes and no spaces."),
                quoted.iter().map(|v| format!("seen {v:?}")).collect(),
            ));
        }
        if !wrong.is_empty() {
            findings.push(finding(
                FindingCode::TxtWrongValue,
                Severity::Error,
                format!("The TXT record at {domain_text} has a different value. Replace it with {expected} (copy it again from Microsoft 365)."),
                wrong.iter().map(|v| format!("seen {v:?}, expected {expected:?}")).collect(),
            ));
        }
        if !wrong_labels.is_empty() {
            findings.push(finding(
                FindingCode::TxtWrongLabel,
                Severity::Error,
                format!("The record is published at another name. Create it at {domain_text} itself (host `@` or blank at most DNS hosts)."),
                wrong_labels.iter().map(|p| format!("found at {}", p.name)).collect(),
            ));
        }
        if quoted.is_empty() && wrong.is_empty() && wrong_labels.is_empty() && ms_values.len() <= 1
        {
            findings.push(finding(
                FindingCode::TxtMissing,
                Severity::Error,
                format!("No authoritative server for {} has the TXT record {expected} at {domain_text} yet. Add it (host `@` or blank), save, and publish the zone.", zone.name),
                good.iter().map(|r| row_seen(r)).collect(),
            ));
        }
    } else if !without.is_empty() {
        let mut evidence: Vec<String> = with
            .iter()
            .map(|r| format!("has it: {}", row_label(r)))
            .collect();
        evidence.extend(without.iter().map(|r| format!("not yet: {}", row_seen(r))));
        findings.push(finding(
            FindingCode::ServersDisagree,
            Severity::Warning,
            format!("{} of {} authoritative servers have the record: the change is still propagating between the DNS host's servers. Checking again.", with.len(), good.len()),
            evidence,
        ));
    }

    let ready = !with.is_empty() && without.is_empty() && lame.is_empty();

    if !with.is_empty() {
        if let Some(resolver) = table.resolver_row() {
            if resolver.answered() && !resolver.values.iter().any(|v| v == expected) {
                let wait = resolver
                    .ttl
                    .map(|t| format!(" It may keep the old answer for up to {t} s."))
                    .unwrap_or_default();
                findings.push(finding(
                    FindingCode::ResolverStale,
                    Severity::Info,
                    format!("The {} still returns the old answer (cached). This does not affect Microsoft's check, which is decided by the authoritative servers.{wait}", resolver.server_name),
                    vec![row_seen(resolver)],
                ));
            }
        }
    }
    if ready {
        findings.push(finding(
            FindingCode::Ready,
            Severity::Ok,
            format!(
                "Every authoritative server for {} returns {expected}. Verification can go ahead.",
                zone.name
            ),
            with.iter().map(|r| row_seen(r)).collect(),
        ));
    }
    (sorted(findings), ready)
}

fn sorted(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    findings
}

#[cfg(test)]
mod tests {
    use super::is_public_suffix;

    #[test]
    fn public_suffixes_are_recognised() {
        for zone in ["", "com", "test", "co.uk", "com.au"] {
            assert!(is_public_suffix(zone), "{zone}");
        }
        for zone in ["contoso.com", "contoso.co.uk", "contoso.test"] {
            assert!(!is_public_suffix(zone), "{zone}");
        }
    }
}
