//! Microsoft Graph with a signed-in user's delegated token: the call helper (a 401 for an expired
//! token renews the token once and retries), who is signed in, and the directory-role check each
//! step makes before it changes anything (ms-api.md §2.4).
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;
use ts_rs::TS;

use crate::identity::Tokens;
use crate::{Authority, Error, Identity, Result, Secret};

/// Built-in directory roles as Graph names them (`displayName`, `roleTemplateId`).
pub const GLOBAL_ADMINISTRATOR: (&str, &str) = (
    "Global Administrator",
    "62e90394-69f5-4237-9190-012177145e10",
);
pub const DOMAIN_NAME_ADMINISTRATOR: (&str, &str) = (
    "Domain Name Administrator",
    "8329153b-31d0-4727-b945-745eb3bc5f31",
);

/// The roles a step needs; holding any one is enough.
#[derive(Debug, Clone, Copy)]
pub struct RoleRequirement {
    /// What the step does, as the refusal says it ("add and verify the domain").
    pub action: &'static str,
    /// `(displayName, roleTemplateId)`, least privileged first.
    pub any_of: &'static [(&'static str, &'static str)],
}

impl RoleRequirement {
    /// Adding and verifying a domain: at least Domain Name Administrator (ms-api.md §2.4, G-DOM).
    pub const DOMAINS: RoleRequirement = RoleRequirement {
        action: "add and verify the domain",
        any_of: &[DOMAIN_NAME_ADMINISTRATOR, GLOBAL_ADMINISTRATOR],
    };
    /// The Dynamics CRM service principal's certificate: D-EXO still says Global Administrator
    /// (ms-api.md §2.4; a smaller role is UNCONFIRMED).
    pub const SERVICE_PRINCIPAL: RoleRequirement = RoleRequirement {
        action: "upload the certificate to the Dynamics CRM service principal",
        any_of: &[GLOBAL_ADMINISTRATOR],
    };
}

/// A directory role the signed-in user holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, TS)]
#[ts(export)]
pub struct RoleInfo {
    pub display_name: String,
    pub role_template_id: String,
}

/// Who is signed in: shown after sign-in and by `whoami`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, TS)]
#[ts(export)]
pub struct SignedInUser {
    pub user_principal_name: String,
    pub display_name: String,
    pub object_id: String,
    pub tenant_id: String,
    pub roles: Vec<RoleInfo>,
}

impl SignedInUser {
    pub fn role_names(&self) -> Vec<String> {
        self.roles.iter().map(|r| r.display_name.clone()).collect()
    }
}

/// Refuses up front, naming the role, when the user holds none of the roles `need` lists.
pub fn require_role(user: &SignedInUser, need: &RoleRequirement) -> Result<()> {
    let holds = need.any_of.iter().any(|(_, id)| {
        user.roles
            .iter()
            .any(|r| r.role_template_id.eq_ignore_ascii_case(id))
    });
    if holds {
        return Ok(());
    }
    let (needed, _) = need.any_of[0];
    let others: Vec<&str> = need.any_of[1..].iter().map(|(n, _)| *n).collect();
    Err(Error::MissingRole {
        user: user.user_principal_name.clone(),
        action: need.action.to_string(),
        needed: needed.to_string(),
        alternatives: if others.is_empty() {
            String::new()
        } else {
            format!(" (or {})", others.join(" or "))
        },
        has: user.role_names(),
    })
}

/// Graph's base URL per cloud (Microsoft's national cloud deployments page); a custom authority
/// (the practice tenant) serves Graph on the same host.
pub fn graph_base(authority: &Authority) -> String {
    match authority {
        Authority::Worldwide => "https://graph.microsoft.com".into(),
        Authority::UsGovernment => "https://graph.microsoft.us".into(),
        Authority::China => "https://microsoftgraph.chinacloudapi.cn".into(),
        Authority::Custom(_) => authority.base(),
    }
}

#[derive(Deserialize, Default)]
struct GraphErrorBody {
    #[serde(default)]
    error: GraphErrorInner,
}

#[derive(Deserialize, Default)]
struct GraphErrorInner {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

/// A Graph client for one signed-in user. Holds the tokens; after a refresh the (possibly
/// rotated) refresh token is available from [`Graph::refresh_token`] for the keychain.
pub struct Graph {
    identity: Identity,
    base: String,
    scopes: Vec<String>,
    tokens: Mutex<Tokens>,
}

impl Graph {
    pub fn new(identity: Identity, tokens: Tokens, scopes: &[&str]) -> Graph {
        let base = graph_base(&identity.config.authority);
        Graph {
            identity,
            base,
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            tokens: Mutex::new(tokens),
        }
    }

    /// Starts from a saved refresh token alone: redeems it first.
    pub async fn from_refresh_token(
        identity: Identity,
        refresh_token: &Secret,
        scopes: &[&str],
    ) -> Result<Graph> {
        let tokens = identity.refresh(refresh_token, scopes).await?;
        Ok(Graph::new(identity, tokens, scopes))
    }

    pub async fn refresh_token(&self) -> Option<Secret> {
        self.tokens.lock().await.refresh_token.clone()
    }

    /// Renews the access token with the refresh token.
    pub async fn refresh(&self) -> Result<()> {
        let mut tokens = self.tokens.lock().await;
        let rt = tokens.refresh_token.clone().ok_or_else(|| Error::SessionExpired {
            detail: "the access token expired and the sign-in gave no refresh token (offline_access was not granted)".into(),
        })?;
        let scopes: Vec<&str> = self.scopes.iter().map(String::as_str).collect();
        *tokens = self.identity.refresh(&rt, &scopes).await?;
        tracing::info!("access token renewed with the refresh token");
        Ok(())
    }

    /// GET `{graph}/v1.0{path}` as JSON. A 401 `InvalidAuthenticationToken` (expired token)
    /// renews the token once and retries; a 403 names the permission to grant.
    pub async fn get_json<T: DeserializeOwned>(&self, path: &str, needs: &str) -> Result<T> {
        let (url, status, bytes) = self.send(reqwest::Method::GET, path, None, needs).await?;
        parse_json(&url, status, &bytes)
    }

    /// GET every page of a collection, following `@odata.nextLink` (Graph paging).
    pub async fn get_all(&self, path: &str, needs: &str) -> Result<Vec<serde_json::Value>> {
        #[derive(Deserialize)]
        struct Page {
            #[serde(default)]
            value: Vec<serde_json::Value>,
            #[serde(rename = "@odata.nextLink")]
            next: Option<String>,
        }
        let mut out = Vec::new();
        let mut next = Some(path.to_string());
        while let Some(p) = next.take() {
            let page: Page = self.get_json(&p, needs).await?;
            out.extend(page.value);
            if let Some(link) = page.next {
                // nextLink is an absolute URL on the same Graph host; keep the part after /v1.0.
                match link.split_once("/v1.0") {
                    Some((_, rest)) => next = Some(rest.to_string()),
                    None => {
                        return Err(Error::Http {
                            url: link,
                            status: 200,
                            detail: "Graph's @odata.nextLink is not a v1.0 URL".into(),
                        })
                    }
                }
            }
        }
        Ok(out)
    }

    /// POST a JSON body; the answer's JSON (201/200), or `null` for 204.
    pub async fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
        needs: &str,
    ) -> Result<serde_json::Value> {
        let (url, status, bytes) = self
            .send(reqwest::Method::POST, path, Some(body), needs)
            .await?;
        if bytes.is_empty() {
            return Ok(serde_json::Value::Null);
        }
        parse_json(&url, status, &bytes)
    }

    /// PATCH a JSON body; Graph answers 204 No Content on success.
    pub async fn patch_json(
        &self,
        path: &str,
        body: &serde_json::Value,
        needs: &str,
    ) -> Result<()> {
        self.send(reqwest::Method::PATCH, path, Some(body), needs)
            .await?;
        Ok(())
    }

    /// DELETE; Graph answers 204 No Content on success.
    pub async fn delete(&self, path: &str, needs: &str) -> Result<()> {
        self.send(reqwest::Method::DELETE, path, None, needs)
            .await?;
        Ok(())
    }

    /// One request to `{graph}/v1.0{path}`: a 2xx gives `(url, status, body)`. A 401
    /// `InvalidAuthenticationToken` (expired token) renews the token once and retries; a 403
    /// names the permission to grant; other statuses carry Graph's `error.code` and message.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
        needs: &str,
    ) -> Result<(String, u16, Vec<u8>)> {
        let url = format!("{}/v1.0{path}", self.base);
        let mut refreshed = false;
        loop {
            let token = self.tokens.lock().await.access_token.clone();
            let mut req = self
                .identity
                .transport()
                .client
                .request(method.clone(), &url)
                .bearer_auth(token.expose());
            if let Some(b) = body {
                req = req.json(b);
            }
            let resp = req
                .send()
                .await
                .map_err(|e| self.identity.transport().explain(&url, e))?;
            let status = resp.status().as_u16();
            let bytes = resp
                .bytes()
                .await
                .map_err(|e| self.identity.transport().explain(&url, e))?;
            if (200..300).contains(&status) {
                return Ok((url, status, bytes.to_vec()));
            }
            let err: GraphErrorBody = serde_json::from_slice(&bytes).unwrap_or_default();
            match status {
                401 if !refreshed && err.error.code == "InvalidAuthenticationToken" => {
                    tracing::info!(
                        path,
                        "Graph answered 401 {}: renewing the token once",
                        err.error.code
                    );
                    self.refresh().await?;
                    refreshed = true;
                }
                401 => {
                    return Err(Error::GraphUnauthorized {
                        path: path.to_string(),
                        code: err.error.code,
                        message: err.error.message,
                    })
                }
                403 => {
                    return Err(Error::GraphForbidden {
                        path: path.to_string(),
                        code: err.error.code,
                        message: err.error.message,
                        needs: needs.to_string(),
                    })
                }
                _ => {
                    return Err(Error::Http {
                        url,
                        status,
                        detail: format!("{}: {}", err.error.code, err.error.message),
                    })
                }
            }
        }
    }

    /// `/me` plus the directoryRole entries of `/me/transitiveMemberOf`, and the tenant ID.
    pub async fn signed_in_user(&self) -> Result<SignedInUser> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Me {
            id: String,
            #[serde(default)]
            display_name: Option<String>,
            user_principal_name: String,
        }
        let me: Me = self.get_json("/me", "User.Read").await?;
        let memberships = self
            .get_all(
                "/me/transitiveMemberOf",
                "RoleManagement.Read.Directory (or Directory.Read.All)",
            )
            .await?;
        let roles = memberships
            .iter()
            .filter(|v| v["@odata.type"] == "#microsoft.graph.directoryRole")
            .map(|v| RoleInfo {
                display_name: v["displayName"].as_str().unwrap_or("").to_string(),
                role_template_id: v["roleTemplateId"].as_str().unwrap_or("").to_string(),
            })
            .collect();
        let tenant_id = {
            let t = self.tokens.lock().await;
            token_claim(t.access_token.expose(), "tid").unwrap_or_default()
        };
        Ok(SignedInUser {
            user_principal_name: me.user_principal_name,
            display_name: me.display_name.unwrap_or_default(),
            object_id: me.id,
            tenant_id,
            roles,
        })
    }
}

fn parse_json<T: DeserializeOwned>(url: &str, status: u16, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| Error::Http {
        url: url.to_string(),
        status,
        detail: format!("Graph's answer is not the documented JSON ({e})"),
    })
}

/// A claim of a JWT access token, read without verifying it (Graph verifies; this only labels).
pub fn token_claim(token: &str, claim: &str) -> Option<String> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    v[claim].as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(roles: &[(&str, &str)]) -> SignedInUser {
        SignedInUser {
            user_principal_name: "someone@contoso.onmicrosoft.com".into(),
            display_name: "Someone".into(),
            object_id: "x".into(),
            tenant_id: "t".into(),
            roles: roles
                .iter()
                .map(|(n, id)| RoleInfo {
                    display_name: n.to_string(),
                    role_template_id: id.to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_role_in_the_list_passes_and_a_missing_one_is_named() {
        assert!(require_role(&user(&[GLOBAL_ADMINISTRATOR]), &RoleRequirement::DOMAINS).is_ok());
        assert!(require_role(
            &user(&[DOMAIN_NAME_ADMINISTRATOR]),
            &RoleRequirement::DOMAINS
        )
        .is_ok());
        let e = require_role(
            &user(&[DOMAIN_NAME_ADMINISTRATOR]),
            &RoleRequirement::SERVICE_PRINCIPAL,
        )
        .unwrap_err();
        assert_eq!(e.code(), "role_missing");
        let text = e.to_string();
        assert!(
            text.contains("needs the Global Administrator role"),
            "{text}"
        );
        assert!(text.contains("only Domain Name Administrator"), "{text}");
        let e = require_role(&user(&[]), &RoleRequirement::DOMAINS)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("Domain Name Administrator role (or Global Administrator)")
                && e.contains("no directory role"),
            "{e}"
        );
    }
}
