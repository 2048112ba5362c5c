//! The practice tenants' test users, with known passwords and directory roles. Role names and
//! template IDs are the built-in Entra roles (`directoryRole.roleTemplateId`, ms-api.md §2.4).
use serde::Serialize;

/// A built-in directory role as `/me/transitiveMemberOf` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirectoryRole {
    pub display_name: String,
    pub role_template_id: String,
}

pub const GLOBAL_ADMINISTRATOR: (&str, &str) = (
    "Global Administrator",
    "62e90394-69f5-4237-9190-012177145e10",
);
pub const DOMAIN_NAME_ADMINISTRATOR: (&str, &str) = (
    "Domain Name Administrator",
    "8329153b-31d0-4727-b945-745eb3bc5f31",
);

impl DirectoryRole {
    pub fn builtin((name, id): (&str, &str)) -> DirectoryRole {
        DirectoryRole {
            display_name: name.into(),
            role_template_id: id.into(),
        }
    }
}

/// A user who can sign in to the practice tenant. The password is a practice password, known to
/// tests and the demo; nothing real.
#[derive(Debug, Clone, Serialize)]
pub struct TestUser {
    pub tenant_id: String,
    /// Object ID (`oid`).
    pub id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub password: String,
    pub roles: Vec<DirectoryRole>,
}

/// The password of every seeded practice user.
pub const PRACTICE_PASSWORD: &str = "Practice-Passw0rd!";

/// Per tenant: `admin@` (Global Administrator), `domains@` (Domain Name Administrator), `user@` (no role).
pub fn seed_users(tenants: &[crate::Tenant]) -> Vec<TestUser> {
    let mut out = Vec::new();
    for (ti, t) in tenants.iter().enumerate() {
        let initial = t.domains.first().cloned().unwrap_or_default();
        let people: [(&str, &str, Vec<DirectoryRole>); 3] = [
            (
                "admin",
                "Practice Global Admin",
                vec![DirectoryRole::builtin(GLOBAL_ADMINISTRATOR)],
            ),
            (
                "domains",
                "Practice Domain Admin",
                vec![DirectoryRole::builtin(DOMAIN_NAME_ADMINISTRATOR)],
            ),
            ("user", "Practice User (no role)", vec![]),
        ];
        for (ui, (local, name, roles)) in people.into_iter().enumerate() {
            out.push(TestUser {
                tenant_id: t.id.clone(),
                id: format!("0000{ti:04x}-0000-4000-8000-{ui:012x}"),
                user_principal_name: format!("{local}@{initial}"),
                display_name: name.into(),
                password: PRACTICE_PASSWORD.into(),
                roles,
            });
        }
    }
    out
}
