//! System objects that directory synchronization ignores and that a scan
//! therefore skips (IdFix's multi-tenant skip list, with its hexadecimal
//! `msExchRecipientTypeDetails` comparison corrected to match the decimal
//! values LDAP returns).

use crate::object::DirObject;

/// CN prefixes of system and service accounts (case-insensitive).
pub const CN_PREFIXES: &[&str] = &[
    "Admini",
    "CAS_{",
    "DiscoverySearchMailbox",
    "FederatedEmail",
    "Guest",
    "HTTPConnector",
    "krbtgt",
    "iusr_",
    "iwam",
    "msol",
    "support_",
    "SystemMailbox",
    "WWIOadmini",
    "HealthMailbox",
    "Exchange Online-ApplicationAccount",
];

/// msExchRecipientTypeDetails of arbitration, discovery, monitoring and
/// similar system mailboxes: 0x1000, 0x2000, 0x4000, 0x400000, 0x800000,
/// 0x1000000, 0x20000000.
pub const SYSTEM_RECIPIENT_TYPES: &[u64] = &[
    0x1000,
    0x2000,
    0x4000,
    0x40_0000,
    0x80_0000,
    0x100_0000,
    0x2000_0000,
];

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

fn parse_number(v: &str) -> Option<u64> {
    let v = v.trim();
    match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.parse::<i64>().ok().map(|n| n as u64),
    }
}

fn is_true(v: Option<&str>) -> bool {
    v.is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// Why `obj` is skipped, or None if it should be checked.
pub fn skip_reason(obj: &DirObject) -> Option<String> {
    if !obj.is_sync_candidate() {
        return Some("not a user, contact or group".into());
    }
    if obj.is_critical_system_object {
        return Some("isCriticalSystemObject is TRUE".into());
    }
    if obj.dn.contains("\\0ACNF:") || obj.dn.contains("\nCNF:") || obj.dn.contains("\\0aCNF:") {
        return Some("replication conflict object (CNF:)".into());
    }
    let cn = obj.cn();
    if cn.ends_with('$') {
        return Some("CN ends with $".into());
    }
    if let Some(p) = CN_PREFIXES.iter().find(|p| starts_with_ci(&cn, p)) {
        return Some(format!("system account (CN starts with {p})"));
    }
    if obj.is_user() || obj.object_class.is_empty() {
        if let Some(sam) = obj.first("sAMAccountName") {
            if ["CAS_", "SUPPORT_", "MSOL_"]
                .iter()
                .any(|p| starts_with_ci(sam, p))
            {
                return Some("system account (sAMAccountName)".into());
            }
        }
        if let Some(nick) = obj.first("mailNickname") {
            if ["CAS_", "SYSTEMMAILBOX"]
                .iter()
                .any(|p| starts_with_ci(nick, p))
            {
                return Some("system mailbox (mailNickname)".into());
            }
        }
        if is_true(obj.first("msExchHideFromAddressLists"))
            && obj
                .first("displayName")
                .is_some_and(|d| starts_with_ci(d, "MSOL"))
        {
            return Some("hidden MSOL account".into());
        }
        if let Some(t) = obj
            .first("msExchRecipientTypeDetails")
            .and_then(parse_number)
        {
            if SYSTEM_RECIPIENT_TYPES.contains(&t) {
                return Some(format!("system mailbox (msExchRecipientTypeDetails {t})"));
            }
        }
    }
    if obj.is_group() {
        // groupType bit 0x80000000 marks a security group.
        let security = obj
            .first("groupType")
            .and_then(parse_number)
            .is_some_and(|g| g & 0x8000_0000 != 0);
        if security && obj.values("mail").is_empty() {
            return Some("security group without mail".into());
        }
        if !security && obj.values("proxyAddresses").is_empty() {
            return Some("distribution group without proxyAddresses".into());
        }
    }
    None
}
