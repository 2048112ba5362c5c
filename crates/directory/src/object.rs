//! The common directory object every reader produces.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

/// One directory object, as read from an export file.
///
/// `dn`, `objectClass` and `isCriticalSystemObject` are lifted out of
/// `attributes`; every other attribute is stored under its lower-case LDAP
/// name with all its values in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirObject {
    /// Distinguished name, e.g. `CN=Jane Doe,OU=Staff,DC=contoso,DC=local`.
    pub dn: String,
    /// Values of `objectClass`, most general first as AD returns them
    /// (`top`, `person`, `organizationalPerson`, `user`). Empty when the
    /// export did not include the attribute.
    pub object_class: Vec<String>,
    /// Lower-case attribute name → values.
    pub attributes: BTreeMap<String, Vec<String>>,
    /// `isCriticalSystemObject: TRUE`.
    pub is_critical_system_object: bool,
}

impl DirObject {
    /// An object with a DN and no attributes.
    pub fn new(dn: impl Into<String>) -> Self {
        DirObject {
            dn: dn.into(),
            ..DirObject::default()
        }
    }

    /// Builder-style: add one value of `name` (any case).
    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.push(name, value.into());
        self
    }

    /// Builder-style: add an `objectClass` value.
    pub fn with_class(mut self, class: impl Into<String>) -> Self {
        self.object_class.push(class.into());
        self
    }

    /// Add one value of `name`. `objectClass` and `isCriticalSystemObject`
    /// go to their own fields.
    pub fn push(&mut self, name: &str, value: String) {
        with_lower(name, |key| match key {
            "objectclass" => self.object_class.push(value),
            "iscriticalsystemobject" => {
                self.is_critical_system_object = value.trim().eq_ignore_ascii_case("true")
            }
            _ => match self.attributes.entry(key.to_string()) {
                Entry::Occupied(mut e) => e.get_mut().push(value),
                Entry::Vacant(e) => {
                    e.insert(vec![value]);
                }
            },
        })
    }

    /// All values of an attribute (name in any case); empty if absent.
    pub fn values(&self, name: &str) -> &[String] {
        with_lower(name, |key| self.attributes.get(key).map(Vec::as_slice)).unwrap_or(&[])
    }

    /// The first value of an attribute, if present.
    pub fn first(&self, name: &str) -> Option<&str> {
        self.values(name).first().map(String::as_str)
    }

    /// True if any `objectClass` value equals `class` (case-insensitive).
    pub fn has_class(&self, class: &str) -> bool {
        self.object_class
            .iter()
            .any(|c| c.eq_ignore_ascii_case(class))
    }

    /// A user account (not a computer, which AD also gives class `user`).
    pub fn is_user(&self) -> bool {
        (self.has_class("user") || self.has_class("inetOrgPerson")) && !self.has_class("computer")
    }

    /// A group.
    pub fn is_group(&self) -> bool {
        self.has_class("group")
    }

    /// Objects directory synchronization considers: users, contacts and
    /// groups. An object without `objectClass` (a CSV export that dropped the
    /// column) is assumed to be a user.
    pub fn is_sync_candidate(&self) -> bool {
        if self.object_class.is_empty() {
            return true;
        }
        if self.has_class("computer") {
            return false;
        }
        self.is_user() || self.has_class("contact") || self.is_group() || self.has_class("person")
    }

    /// The value of the first RDN (`CN=Jane Doe,...` → `Jane Doe`), with
    /// DN escapes (`\,`, `\2C`) undone; falls back to the `cn` attribute.
    pub fn cn(&self) -> String {
        if let Some(cn) = self.first("cn") {
            return cn.to_string();
        }
        first_rdn_value(&self.dn)
    }
}

/// Call `f` with the ASCII-lower-cased `name`, without allocating for
/// ordinary attribute names.
fn with_lower<T>(name: &str, f: impl FnOnce(&str) -> T) -> T {
    let mut buf = [0u8; 64];
    if name.len() <= buf.len() {
        let b = &mut buf[..name.len()];
        b.copy_from_slice(name.as_bytes());
        b.make_ascii_lowercase();
        // Lower-casing ASCII bytes keeps the string valid UTF-8.
        if let Ok(s) = std::str::from_utf8(b) {
            return f(s);
        }
    }
    f(&name.to_ascii_lowercase())
}

/// The unescaped value of the first RDN of a DN.
pub fn first_rdn_value(dn: &str) -> String {
    let Some(eq) = dn.find('=') else {
        return String::new();
    };
    let rest = &dn[eq + 1..];
    let mut out = Vec::new();
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if i + 1 < bytes.len() => {
                let hex = bytes.get(i + 1..i + 3).and_then(|h| {
                    std::str::from_utf8(h)
                        .ok()
                        .and_then(|s| u8::from_str_radix(s, 16).ok())
                });
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(bytes[i + 1]);
                        i += 2;
                    }
                }
            }
            b',' | b'+' => break,
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
