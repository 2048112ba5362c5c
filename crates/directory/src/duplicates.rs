//! Duplicate detection across objects.
//!
//! Values are compared case-insensitively. mail, proxyAddresses,
//! userPrincipalName and targetAddress share one key space (an SMTP address
//! used as one object's UPN and another's proxy address is a conflict in
//! Microsoft Entra ID); mailNickname and sAMAccountName each have their own.
//! The same value twice on one object is not a duplicate.
//!
//! Every member of a duplicate set gets a finding that names the others, so
//! both sides are visible (IdFix showed only one).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::finding::{Finding, Rule, Severity};
use crate::object::DirObject;
use crate::rules::{split_proxy, ProxyKind};

/// At most this many other members are named in one finding's message.
pub const MAX_LISTED: usize = 20;

const ATTRS: &[&str] = &[
    "mail",
    "proxyAddresses",
    "userPrincipalName",
    "targetAddress",
    "mailNickname",
    "sAMAccountName",
];

struct Occ {
    obj: u32,
    attr: u8,
    /// Next occurrence with the same key hash (u32::MAX: none).
    next: u32,
    value: Box<str>,
}

/// Collects keys object by object; [`DuplicateIndex::finish`] reports.
///
/// To keep 100,000 objects well inside the memory goal, keys are not stored:
/// the map holds a 64-bit hash of each normalized key and the head of a list
/// of occurrences, each keeping only its original value. Sets that share a
/// hash are split by their real keys at the end, so a hash collision cannot
/// produce a false duplicate.
#[derive(Default)]
pub struct DuplicateIndex {
    dns: Vec<Box<str>>,
    /// Key hash → (first, last) occurrence index.
    heads: HashMap<u64, (u32, u32), BuildHasherDefault<PassThrough>>,
    occs: Vec<Occ>,
}

/// Write the normalized key of a value of attribute `attr` (index into
/// ATTRS) into `buf`: the key space as a prefix, then the value
/// case-folded. False when the value has no key (blank, no prefix).
fn key_into(attr: usize, value: &str, buf: &mut String) -> bool {
    buf.clear();
    let t = value.trim();
    if t.is_empty() {
        return false;
    }
    let body = match ATTRS[attr] {
        "mail" | "userPrincipalName" => {
            buf.push_str("smtp:");
            t
        }
        "proxyAddresses" | "targetAddress" => {
            let Some((prefix, addr, kind)) = split_proxy(t) else {
                return false;
            };
            let addr = addr.trim();
            if addr.is_empty() {
                return false;
            }
            match kind {
                ProxyKind::Smtp => buf.push_str("smtp"),
                _ => buf.extend(prefix.chars().map(|c| c.to_ascii_lowercase())),
            }
            buf.push(':');
            addr
        }
        "mailNickname" => {
            buf.push_str("alias:");
            t
        }
        _ => {
            buf.push_str("sam:");
            t
        }
    };
    for c in body.chars() {
        if c.is_ascii() {
            buf.push(c.to_ascii_lowercase());
        } else {
            buf.extend(c.to_lowercase());
        }
    }
    true
}

fn key(attr: usize, value: &str) -> Option<String> {
    let mut buf = String::new();
    key_into(attr, value, &mut buf).then_some(buf)
}

/// FNV-1a: fast, and good enough because sets sharing a hash are split by
/// their real keys in `finish`.
fn hash(key: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in key.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The map's keys are already hashes: use them as they are.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl DuplicateIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// Record the keys of one (non-skipped) object.
    pub fn add(&mut self, obj: &DirObject) {
        let idx = self.dns.len() as u32;
        let mut keys: Vec<(u64, u8, &str)> = Vec::new();
        let mut buf = String::new();
        for (a, name) in ATTRS.iter().enumerate() {
            for v in obj.values(name) {
                if key_into(a, v, &mut buf) {
                    let h = hash(&buf);
                    if !keys.iter().any(|(h2, a2, _)| *h2 == h && *a2 == a as u8) {
                        keys.push((h, a as u8, v));
                    }
                }
            }
        }
        if keys.is_empty() {
            return;
        }
        self.dns.push(obj.dn.as_str().into());
        for (h, attr, v) in keys {
            let at = self.occs.len() as u32;
            self.occs.push(Occ {
                obj: idx,
                attr,
                next: u32::MAX,
                value: v.into(),
            });
            match self.heads.get_mut(&h) {
                Some((_, last)) => {
                    self.occs[*last as usize].next = at;
                    *last = at;
                }
                None => {
                    self.heads.insert(h, (at, at));
                }
            }
        }
    }

    /// One finding per member of every duplicate set, in order of the
    /// members' first appearance.
    pub fn finish(self) -> Vec<Finding> {
        let DuplicateIndex { dns, heads, occs } = self;
        // Sets of occurrence indexes sharing a real key.
        let mut groups: Vec<Vec<u32>> = Vec::new();
        for (_, (first, last)) in heads {
            if first == last {
                continue;
            }
            let mut chain = Vec::new();
            let mut i = first;
            while i != u32::MAX {
                chain.push(i);
                i = occs[i as usize].next;
            }
            if chain
                .iter()
                .all(|&i| occs[i as usize].obj == occs[first as usize].obj)
            {
                continue;
            }
            let mut by_key: Vec<(String, Vec<u32>)> = Vec::new();
            for i in chain {
                let o = &occs[i as usize];
                let k = key(o.attr as usize, &o.value).unwrap_or_default();
                match by_key.iter_mut().find(|(k2, _)| *k2 == k) {
                    Some((_, v)) => v.push(i),
                    None => by_key.push((k, vec![i])),
                }
            }
            for (_, members) in by_key {
                let first_obj = occs[members[0] as usize].obj;
                if members.iter().any(|&i| occs[i as usize].obj != first_obj) {
                    groups.push(members);
                }
            }
        }
        groups.sort_unstable_by_key(|g| g[0]);
        let mut findings = Vec::new();
        for members in groups {
            let sam = ATTRS[occs[members[0] as usize].attr as usize] == "sAMAccountName";
            for &m in &members {
                let o = &occs[m as usize];
                let others: Vec<&Occ> = members
                    .iter()
                    .map(|&x| &occs[x as usize])
                    .filter(|x| x.obj != o.obj)
                    .collect();
                let mut named: Vec<String> = others
                    .iter()
                    .take(MAX_LISTED)
                    .map(|x| format!("{} ({})", dns[x.obj as usize], ATTRS[x.attr as usize]))
                    .collect();
                if others.len() > MAX_LISTED {
                    named.push(format!("and {} more", others.len() - MAX_LISTED));
                }
                let what = if sam {
                    "sAMAccountName must be unique"
                } else {
                    "with duplicates only the first object synchronizes"
                };
                findings.push(Finding {
                    dn: dns[o.obj as usize].to_string(),
                    attribute: ATTRS[o.attr as usize].to_string(),
                    value: o.value.to_string(),
                    rule: Rule::Duplicate,
                    severity: if sam {
                        Severity::Warning
                    } else {
                        Severity::Error
                    },
                    message: format!("{what}; the same value is also on: {}", named.join("; ")),
                    suggestion: None,
                });
            }
        }
        findings
    }
}
