//! Certificate health: days left for the local S2S certificate and for every keyCredential on the
//! Dynamics CRM service principal, findings at 60/30/7 days, and the rotation plan (add the new
//! key, switch CRM to it, remove the old key after the overlap). Sync stops silently when the
//! certificate expires (issue 6), so these are raised early.
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use ts_rs::TS;

use crate::{Finding, Severity};

/// Days before NotAfter at which a finding is raised.
pub const THRESHOLDS_DAYS: [i64; 3] = [60, 30, 7];

/// Days both keys stay on the service principal during a rotation before the old one goes.
pub const DEFAULT_OVERLAP_DAYS: i64 = 7;

/// Whose certificate it is: the local file, or a key on the service principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    Local,
    ServicePrincipal,
}

/// One certificate's expiry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
#[ts(export)]
pub struct Expiry {
    /// "the local certificate CN=…" or "keyCredential <thumbprint> on the service principal".
    pub what: String,
    pub thumbprint: Option<String>,
    /// RFC 3339.
    pub not_after: String,
    /// Whole days left (negative once expired).
    pub days_left: i64,
}

pub fn days_left(not_after: OffsetDateTime, now: OffsetDateTime) -> i64 {
    (not_after - now).whole_days()
}

/// The finding for one certificate, or none when more than 60 days are left.
pub fn expiry_finding(
    holder: Holder,
    what: &str,
    not_after: OffsetDateTime,
    now: OffsetDateTime,
) -> Option<Finding> {
    let left = days_left(not_after, now);
    let date = not_after.date();
    if not_after <= now {
        let (code, severity, tail) = match holder {
            Holder::Local => (
                "certificate_expired",
                Severity::Error,
                "Server-to-server sync stops with it; generate or import a new certificate.",
            ),
            Holder::ServicePrincipal => (
                "sp_key_expired",
                Severity::Warning,
                "It no longer verifies anything; the trust step removes it when it uploads the certificate.",
            ),
        };
        return Some(
            Finding::new(code, severity, format!("{what} expired on {date}. {tail}"))
                .evidence(format!("NotAfter: {not_after}"))
                .remediation("s2s.certificate-expired"),
        );
    }
    let threshold = THRESHOLDS_DAYS.iter().rev().find(|t| left < **t)?;
    let severity = if *threshold <= 30 {
        Severity::Warning
    } else {
        Severity::Info
    };
    Some(
        Finding::new(
            &format!("certificate_expires_within_{threshold}_days"),
            severity,
            format!("{what} expires on {date} ({left} days left). Plan the rotation now: sync stops silently when it expires."),
        )
        .evidence(format!("NotAfter: {not_after}"))
        .remediation("certificate.rotate"),
    )
}

/// One step of a rotation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, TS)]
#[ts(export)]
pub struct RotationStep {
    pub order: u32,
    /// `add_new_key`, `switch_crm`, `remove_old_key`.
    pub action: String,
    pub detail: String,
    /// RFC 3339 date-time before which this step should not run, if any.
    pub not_before: Option<String>,
}

/// The certificate being replaced and its successor.
#[derive(Debug, Clone, PartialEq)]
pub struct RotationInput {
    pub old_thumbprint: String,
    pub old_not_after: OffsetDateTime,
    pub new_thumbprint: String,
    pub new_not_before: OffsetDateTime,
}

/// Add the new key (both keys valid), switch CRM to the new certificate (the generated script),
/// and remove the old key after the overlap — but not later than the old key's expiry.
pub fn rotation_plan(
    r: &RotationInput,
    now: OffsetDateTime,
    overlap_days: i64,
) -> Vec<RotationStep> {
    let start = if r.new_not_before > now {
        r.new_not_before
    } else {
        now
    };
    let remove_at = (start + Duration::days(overlap_days.max(0))).min(r.old_not_after.max(start));
    let stamp = |t: OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    vec![
        RotationStep {
            order: 1,
            action: "add_new_key".into(),
            detail: format!(
                "Upload the new certificate {} to the Dynamics CRM service principal, keeping {} (hybridsync trust apply).",
                r.new_thumbprint, r.old_thumbprint
            ),
            not_before: (r.new_not_before > now).then(|| stamp(r.new_not_before)),
        },
        RotationStep {
            order: 2,
            action: "switch_crm".into(),
            detail: format!(
                "Run the generated CRM-server script with the new certificate {} so Dynamics signs its tokens with it, then import its result.",
                r.new_thumbprint
            ),
            not_before: None,
        },
        RotationStep {
            order: 3,
            action: "remove_old_key".into(),
            detail: format!(
                "Remove the old key {} from the service principal after the {}-day overlap, once mail flows with the new certificate.",
                r.old_thumbprint, overlap_days
            ),
            not_before: Some(stamp(remove_at)),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-06-01 12:00 UTC);

    fn at(days: i64) -> OffsetDateTime {
        NOW + Duration::days(days) + Duration::hours(1)
    }

    #[test]
    fn findings_start_at_60_days_and_sharpen_at_30_and_7() {
        assert_eq!(expiry_finding(Holder::Local, "x", at(61), NOW), None);
        let f = expiry_finding(Holder::Local, "the local certificate", at(59), NOW).unwrap();
        assert_eq!(
            (f.code.as_str(), f.severity),
            ("certificate_expires_within_60_days", Severity::Info)
        );
        assert!(f.message.contains("59 days left"), "{}", f.message);
        let f = expiry_finding(Holder::Local, "x", at(29), NOW).unwrap();
        assert_eq!(
            (f.code.as_str(), f.severity),
            ("certificate_expires_within_30_days", Severity::Warning)
        );
        let f = expiry_finding(Holder::ServicePrincipal, "x", at(6), NOW).unwrap();
        assert_eq!(
            (f.code.as_str(), f.severity),
            ("certificate_expires_within_7_days", Severity::Warning)
        );
        assert_eq!(f.remediation.as_deref(), Some("certificate.rotate"));
    }

    #[test]
    fn an_expired_local_certificate_blocks_and_an_expired_key_on_the_principal_only_warns() {
        let local = expiry_finding(
            Holder::Local,
            "the local certificate",
            NOW - Duration::days(3),
            NOW,
        )
        .unwrap();
        assert_eq!(
            (local.code.as_str(), local.severity),
            ("certificate_expired", Severity::Error)
        );
        let sp = expiry_finding(
            Holder::ServicePrincipal,
            "key 11",
            NOW - Duration::days(3),
            NOW,
        )
        .unwrap();
        assert_eq!(
            (sp.code.as_str(), sp.severity),
            ("sp_key_expired", Severity::Warning)
        );
        assert_eq!(sp.remediation.as_deref(), Some("s2s.certificate-expired"));
    }

    #[test]
    fn rotation_adds_first_switches_crm_and_removes_the_old_key_after_the_overlap_but_before_it_expires(
    ) {
        let r = RotationInput {
            old_thumbprint: "OLD".into(),
            old_not_after: NOW + Duration::days(20),
            new_thumbprint: "NEW".into(),
            new_not_before: NOW - Duration::days(1),
        };
        let plan = rotation_plan(&r, NOW, DEFAULT_OVERLAP_DAYS);
        let actions: Vec<&str> = plan.iter().map(|s| s.action.as_str()).collect();
        assert_eq!(actions, ["add_new_key", "switch_crm", "remove_old_key"]);
        assert!(plan[0].detail.contains("keeping OLD"));
        assert_eq!(plan[2].not_before.as_deref(), Some("2026-06-08T12:00:00Z"));
        // An old key about to expire is removed when it expires, not after a longer overlap.
        let soon = RotationInput {
            old_not_after: NOW + Duration::days(2),
            ..r
        };
        assert_eq!(
            rotation_plan(&soon, NOW, 30)[2].not_before.as_deref(),
            Some("2026-06-03T12:00:00Z")
        );
    }
}
