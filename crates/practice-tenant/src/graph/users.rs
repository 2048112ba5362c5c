//! `GET /v1.0/users`: the Exchange Online side of the practice Dynamics mailboxes. Every mailbox
//! of the practice organization is a user of the practice tenant; what the deployment says about
//! Exchange (ms-api.md §7, SUP-401 causes 1 and 3) shows here, so the wizard's checks read the
//! same facts Test & Enable decides on:
//! - an address in `not_in_exchange` is only a secondary address of its user, whose mailbox has
//!   another primary address (`{local}@{initial domain}`): the slip of SUP-401 cause 1;
//! - an address in `unlicensed` belongs to a user whose Office 365 E3 has its Exchange Online plan
//!   turned off (`disabledPlans`), SUP-401 cause 3;
//! - a queue's mailbox is a shared mailbox: account disabled, no licence.
//!
//! Graph v1.0 "user resource type" and "List users": `mail` filters with `eq` and `in`,
//! `proxyAddresses` with `any(x:x eq '…')`; `proxyAddresses` and `assignedLicenses` come only with
//! `$select`; pages of 100 with `@odata.nextLink`. Other filters answer 400
//! `Request_UnsupportedQuery`, as Graph does for clauses a property does not support.
// Handlers answer refusals as ready HTTP responses, as axum does; their size is no concern here.
#![allow(clippy::result_large_err)]
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use super::auth::{caller, graph_error};
use super::skus::{E3_SKU_ID, EXCHANGE_ENTERPRISE_PLAN_ID};
use crate::dynamics::testjob::PRACTICE_TENANT_ID;
use crate::server::AppState;

/// Graph "List users" permissions (delegated), least privileged first.
const READ_USERS: &[&str] = &[
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
/// Graph's default page size for users.
const PAGE: usize = 100;
/// Properties returned without `$select` (Graph's default set; not proxyAddresses or licences).
const DEFAULT_FIELDS: &[&str] = &[
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
];
/// The practice tenant's initial domain, where a mailbox's other address lives.
const INITIAL_DOMAIN: &str = "contoso.onmicrosoft.com";

/// The tenant's users: its sign-in accounts (no mailbox), then, in the practice tenant, the
/// mailbox users in mailbox order.
fn directory(app: &AppState, tenant_id: &str) -> Vec<Map<String, Value>> {
    let mut out: Vec<Map<String, Value>> = app
        .sim
        .users()
        .into_iter()
        .filter(|u| u.tenant_id.eq_ignore_ascii_case(tenant_id))
        .filter_map(|u| {
            json!({
                "id": u.id, "displayName": u.display_name, "userPrincipalName": u.user_principal_name, "mail": null,
                "proxyAddresses": [], "accountEnabled": true, "assignedLicenses": [], "businessPhones": [], "givenName": null,
                "jobTitle": null, "mobilePhone": null, "officeLocation": null, "preferredLanguage": null, "surname": null,
            })
            .as_object()
            .cloned()
        })
        .collect();
    if !tenant_id.eq_ignore_ascii_case(PRACTICE_TENANT_ID) {
        return out;
    }
    let d = app.sim.dynamics.deployment();
    let queues: HashSet<String> = app
        .sim
        .dynamics
        .rows("queues")
        .iter()
        .filter_map(|q| q["queueid"].as_str().map(str::to_string))
        .collect();
    let mailbox_users = app
        .sim
        .dynamics
        .rows("mailboxes")
        .iter()
        .filter_map(|m| {
            let address = m["emailaddress"].as_str()?.to_ascii_lowercase();
            let owner = m["_regardingobjectid_value"].as_str().unwrap_or_default();
            let (local, _) = address.split_once('@')?;
            let other = format!("{local}@{INITIAL_DOMAIN}");
            let shared = queues.contains(owner);
            let (mail, proxies) = if d.not_in_exchange.contains(&address) {
                (other.clone(), vec![format!("SMTP:{other}"), format!("smtp:{address}")])
            } else {
                (address.clone(), vec![format!("SMTP:{address}"), format!("smtp:{other}")])
            };
            let licences = if shared {
                json!([])
            } else if d.unlicensed.contains(&address) {
                json!([{"disabledPlans": [EXCHANGE_ENTERPRISE_PLAN_ID], "skuId": E3_SKU_ID}])
            } else {
                json!([{"disabledPlans": [], "skuId": E3_SKU_ID}])
            };
            let id = format!("e{}", owner.get(1..).unwrap_or_default());
            let row = json!({
                "id": id, "displayName": m["name"], "userPrincipalName": if shared { other.clone() } else { address.clone() },
                "mail": mail, "proxyAddresses": proxies, "accountEnabled": !shared, "assignedLicenses": licences,
                "businessPhones": [], "givenName": null, "jobTitle": null, "mobilePhone": null, "officeLocation": null,
                "preferredLanguage": null, "surname": null,
            });
            row.as_object().cloned()
        })
        .collect::<Vec<_>>();
    out.extend(mailbox_users);
    out
}

/// A `$filter` the practice Graph understands.
#[derive(Debug, PartialEq)]
enum Filter {
    /// `mail eq '…'` or `mail in ('…', …)`.
    Mail(Vec<String>),
    /// `proxyAddresses/any(x:x eq '…')`.
    Proxy(String),
}

/// OData string literals of `s` in order (`''` is a quote), and what is left outside them.
fn literals(s: &str) -> Option<(Vec<String>, String)> {
    let (mut out, mut rest, mut cur, mut inside) =
        (Vec::new(), String::new(), String::new(), false);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match (inside, c) {
            (true, '\'') if chars.peek() == Some(&'\'') => {
                chars.next();
                cur.push('\'');
            }
            (true, '\'') => {
                inside = false;
                out.push(std::mem::take(&mut cur));
                rest.push('$');
            }
            (true, c) => cur.push(c),
            (false, '\'') => inside = true,
            (false, c) => rest.push(c),
        }
    }
    (!inside).then_some((out, rest))
}

fn parse(filter: &str) -> Option<Filter> {
    let (values, shape) = literals(filter.trim())?;
    let shape: String = shape.split_whitespace().collect::<Vec<_>>().join(" ");
    let lower = shape.to_ascii_lowercase();
    if lower == "mail eq $" {
        return Some(Filter::Mail(values));
    }
    if let Some(inner) = lower
        .strip_prefix("mail in (")
        .and_then(|r| r.strip_suffix(')'))
    {
        let items: Vec<&str> = inner.split(',').map(str::trim).collect();
        return (!values.is_empty()
            && items.len() == values.len()
            && items.iter().all(|i| *i == "$"))
        .then_some(Filter::Mail(values));
    }
    // proxyAddresses/any(v:v eq '…'), any variable name.
    let inner = lower
        .strip_prefix("proxyaddresses/any(")?
        .strip_suffix(')')?;
    let (var, cond) = inner.split_once(':')?;
    let var = var.trim();
    (cond.trim() == format!("{var} eq $") && values.len() == 1)
        .then(|| Filter::Proxy(values[0].clone()))
}

fn matches(f: &Filter, u: &Map<String, Value>) -> bool {
    match f {
        Filter::Mail(list) => u["mail"]
            .as_str()
            .is_some_and(|m| list.iter().any(|a| a.eq_ignore_ascii_case(m))),
        Filter::Proxy(p) => u["proxyAddresses"].as_array().is_some_and(|a| {
            a.iter()
                .any(|x| x.as_str().is_some_and(|x| x.eq_ignore_ascii_case(p)))
        }),
    }
}

// Graph v1.0 "List users": GET /users?$filter=…&$select=…, pages of 100.
pub async fn list(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let c = match caller(&app, &headers, READ_USERS) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let filter = match q.get("$filter").map(|f| parse(f).ok_or(f)) {
        None => None,
        Some(Ok(f)) => Some(f),
        Some(Err(f)) => {
            return graph_error(
                StatusCode::BAD_REQUEST,
                "Request_UnsupportedQuery",
                &format!("Unsupported or invalid query filter clause specified: {f}"),
            )
        }
    };
    let fields: Vec<String> = match q.get("$select") {
        Some(s) => s
            .split(',')
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
            .collect(),
        None => DEFAULT_FIELDS.iter().map(|f| f.to_string()).collect(),
    };
    let skip: usize = q
        .get("$skiptoken")
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let all: Vec<Map<String, Value>> = directory(&app, &c.tid)
        .into_iter()
        .filter(|u| filter.as_ref().is_none_or(|f| matches(f, u)))
        .collect();
    let page: Vec<Value> = all
        .iter()
        .skip(skip)
        .take(PAGE)
        .map(|u| {
            Value::Object(
                u.iter()
                    .filter(|(k, _)| fields.iter().any(|f| f == *k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            )
        })
        .collect();
    let mut body =
        json!({"@odata.context": format!("{}/v1.0/$metadata#users", app.base_url), "value": page});
    if skip + PAGE < all.len() {
        let mut next = url::Url::parse(&format!("{}/v1.0/users", app.base_url)).expect("base URL");
        for (k, v) in q.iter().filter(|(k, _)| k.as_str() != "$skiptoken") {
            next.query_pairs_mut().append_pair(k, v);
        }
        next.query_pairs_mut()
            .append_pair("$skiptoken", &(skip + PAGE).to_string());
        body["@odata.nextLink"] = json!(next.to_string());
    }
    Json(body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filters_graph_documents_for_mail_and_proxy_addresses_parse() {
        assert_eq!(
            parse("mail eq 'a@contoso.com'"),
            Some(Filter::Mail(vec!["a@contoso.com".into()]))
        );
        assert_eq!(
            parse("mail in ('a@contoso.com', 'o''brien@contoso.com')"),
            Some(Filter::Mail(vec![
                "a@contoso.com".into(),
                "o'brien@contoso.com".into()
            ]))
        );
        assert_eq!(
            parse("proxyAddresses/any(x:x eq 'smtp:a@contoso.com')"),
            Some(Filter::Proxy("smtp:a@contoso.com".into()))
        );
        assert_eq!(
            parse("proxyAddresses/any(p: p eq 'SMTP:a@contoso.com')"),
            Some(Filter::Proxy("SMTP:a@contoso.com".into()))
        );
    }

    #[test]
    fn other_filters_are_refused() {
        for f in [
            "mail ne 'a'",
            "proxyAddresses eq 'smtp:a'",
            "mail in ()",
            "mail eq 'a",
            "displayName eq 'x'",
            "mail in ('a', b)",
        ] {
            assert_eq!(parse(f), None, "{f}");
        }
    }
}
