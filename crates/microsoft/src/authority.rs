//! The identity platform's hosts per cloud (ms-api.md §1.1, §2.1; national clouds per Microsoft's
//! "national cloud authentication endpoints" page).
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use url::Url;

use crate::{Error, Result};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, TS)]
#[ts(export)]
pub struct AuthorityPreset {
    pub id: String,
    pub label: String,
    pub url: String,
}

/// The clouds the wizard knows by name, plus any URL (a practice tenant or a future cloud).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authority {
    Worldwide,
    UsGovernment,
    China,
    Custom(Url),
}

impl Authority {
    pub const WORLDWIDE: &'static str = "https://login.microsoftonline.com";
    pub const US_GOVERNMENT: &'static str = "https://login.microsoftonline.us";
    pub const CHINA: &'static str = "https://login.chinacloudapi.cn";

    /// Accepts a preset name (`worldwide`, `usgov`, `china`) or an https URL.
    pub fn parse(text: &str) -> Result<Authority> {
        let t = text.trim();
        match t.to_ascii_lowercase().as_str() {
            "" | "worldwide" | "global" | "public" => return Ok(Authority::Worldwide),
            "usgov" | "us_government" | "us-government" | "gcchigh" | "gcc-high" => {
                return Ok(Authority::UsGovernment)
            }
            "china" | "21vianet" => return Ok(Authority::China),
            _ => {}
        }
        let url = Url::parse(t).map_err(|e| {
            Error::InvalidInput(format!(
                "the authority \"{t}\" is neither a cloud name (worldwide, usgov, china) nor a URL ({e})"
            ))
        })?;
        if url.scheme() != "https" {
            return Err(Error::InvalidInput(format!(
                "the authority {url} must use https: tokens and tenant facts are never fetched over plain http"
            )));
        }
        match url.as_str().trim_end_matches('/') {
            Self::WORLDWIDE => Ok(Authority::Worldwide),
            Self::US_GOVERNMENT => Ok(Authority::UsGovernment),
            Self::CHINA => Ok(Authority::China),
            _ => Ok(Authority::Custom(url)),
        }
    }

    /// The base URL without a trailing slash.
    pub fn base(&self) -> String {
        match self {
            Authority::Worldwide => Self::WORLDWIDE.to_string(),
            Authority::UsGovernment => Self::US_GOVERNMENT.to_string(),
            Authority::China => Self::CHINA.to_string(),
            Authority::Custom(u) => u.as_str().trim_end_matches('/').to_string(),
        }
    }

    pub fn presets() -> Vec<AuthorityPreset> {
        [
            (
                "worldwide",
                "Worldwide (login.microsoftonline.com)",
                Self::WORLDWIDE,
            ),
            (
                "us_government",
                "US Government (login.microsoftonline.us)",
                Self::US_GOVERNMENT,
            ),
            (
                "china",
                "China, operated by 21Vianet (login.chinacloudapi.cn)",
                Self::CHINA,
            ),
        ]
        .into_iter()
        .map(|(id, label, url)| AuthorityPreset {
            id: id.into(),
            label: label.into(),
            url: url.into(),
        })
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_urls_resolve_to_the_same_cloud() {
        assert_eq!(Authority::parse("usgov").unwrap(), Authority::UsGovernment);
        assert_eq!(
            Authority::parse("https://login.microsoftonline.us/").unwrap(),
            Authority::UsGovernment
        );
        assert_eq!(Authority::parse("").unwrap().base(), Authority::WORLDWIDE);
        let custom = Authority::parse("https://127.0.0.1:8443/").unwrap();
        assert_eq!(custom.base(), "https://127.0.0.1:8443");
    }

    #[test]
    fn plain_http_and_garbage_are_refused_with_a_reason() {
        let e = Authority::parse("http://login.example").unwrap_err();
        assert!(e.to_string().contains("must use https"), "{e}");
        let e = Authority::parse("not a url").unwrap_err();
        assert!(e.to_string().contains("neither a cloud name"), "{e}");
    }
}
