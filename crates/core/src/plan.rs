//! What the admin chose, saved as TOML. A plan never holds a secret: secrets live in the OS keychain.
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::atomic::{self, FileAccess};
use crate::ErrorPayload;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    #[serde(default)]
    pub tenant: Option<TenantPlan>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TenantPlan {
    /// A domain of the organisation or its tenant ID.
    pub domain: String,
    /// `worldwide`, `usgov`, `china` or an https URL.
    #[serde(default)]
    pub authority: Option<String>,
    /// A PEM file of extra CAs to trust (TLS inspection, the practice tenant).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

impl Plan {
    pub fn load(path: &Path) -> Result<Plan, ErrorPayload> {
        let bytes = hybridsync_files::read_limited(path, hybridsync_files::MAX_SMALL_FILE);
        let text = bytes
            .and_then(|b| {
                String::from_utf8(b).map_err(|_| {
                    std::io::Error::new(std::io::ErrorKind::InvalidData, "it is not UTF-8 text")
                })
            })
            .map_err(|e| {
                ErrorPayload::new(
                    "plan_unreadable",
                    format!("cannot read the plan {}: {e}", path.display()),
                    Some("plan.check-file"),
                )
            })?;
        Plan::parse(&text, path)
    }

    /// Reads a plan from its TOML text. The error names the line and what is wrong with it, and
    /// never quotes the file: a value typed by mistake (a password) stays out of errors and logs.
    pub fn parse(text: &str, path: &Path) -> Result<Plan, ErrorPayload> {
        toml::from_str(text).map_err(|e| {
            let place = e
                .span()
                .map(|span| {
                    let line = text.get(..span.start).map_or(0, |before| before.matches('\n').count()) + 1;
                    format!(" at line {line}")
                })
                .unwrap_or_default();
            ErrorPayload::new(
                "plan_invalid",
                format!(
                    "the plan {} is not valid{place}: {}; fix that line (the plan holds only the keys shown in the README, never a secret)",
                    path.display(),
                    crate::redact::parse_error(e.message())
                ),
                Some("plan.check-file"),
            )
        })
    }

    pub fn save(&self, path: &Path) -> Result<(), ErrorPayload> {
        let text =
            toml::to_string_pretty(self).map_err(|e| ErrorPayload::internal(e.to_string()))?;
        atomic::write(path, text.as_bytes(), FileAccess::Public).map_err(|e| {
            ErrorPayload::new(
                "plan_write_failed",
                format!("cannot write the plan {}: {e}", path.display()),
                Some("files.check-permissions"),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_toml_and_rejects_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("plan.toml");
        let plan = Plan {
            tenant: Some(TenantPlan {
                domain: "contoso.com".into(),
                authority: Some("usgov".into()),
                ca_file: None,
            }),
        };
        plan.save(&p).unwrap();
        assert_eq!(Plan::load(&p).unwrap(), plan);

        std::fs::write(&p, "[tenant]\ndomain = \"contoso.com\"\npassword = \"x\"\n").unwrap();
        let e = Plan::load(&p).unwrap_err();
        assert_eq!(e.code, "plan_invalid");
        assert!(e.message.contains("password"), "{}", e.message);
    }

    /// Issue 18 item 2: the plan's error names the line and the key, never the value typed.
    #[test]
    fn a_refused_plan_never_quotes_its_values() {
        let p = Path::new("plan.toml");
        for text in [
            "[tenant]\ndomain = \"contoso.com\"\npassword = \"Hunter2-Plan-Secret\"\n",
            "[tenant]\ndomain = \"Hunter2-Plan-Secret\"\nauthority = 7\n",
            "[tenant]\ndomain = 5\nauthority = \"Hunter2-Plan-Secret\"\n",
            "[tenant]\ndomain = \"Hunter2-Plan-Secret\n",
            "[tenant]\ndomain = [\"Hunter2-Plan-Secret\"]\n",
        ] {
            let e = Plan::parse(text, p).unwrap_err();
            assert_eq!(e.code, "plan_invalid");
            assert!(!e.message.contains("Hunter2"), "{}", e.message);
            assert!(e.message.contains("at line"), "{}", e.message);
        }
    }
}
