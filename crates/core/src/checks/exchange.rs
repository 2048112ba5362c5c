//! The Exchange Online side of failed mailboxes (SUP-401 causes 1 and 3): is each Dynamics address
//! the primary SMTP address of an Exchange Online mailbox, and does that user hold a licence with
//! an enabled Exchange Online plan? Read from Graph users and the tenant's subscriptions
//! (crates/microsoft/src/users.rs) with one `mail in (…)` request per 15 addresses, plus a
//! proxy-address lookup for at most [`PROXY_LOOKUPS`] addresses that no user has as its primary.
use hybridsync_microsoft::skus::SubscribedSku;
use hybridsync_microsoft::users::{self, MailUser};
use hybridsync_microsoft::Graph;

use super::{result, EXCHANGE_ONLINE_LICENSED, MAILBOX_ADDRESS_MATCHES_EXCHANGE};
use crate::troubleshoot::CheckResult;

/// Addresses looked up among proxy addresses (one request each) to name the mailbox they belong
/// to; the others are reported as not found as a primary address.
pub const PROXY_LOOKUPS: usize = 5;

/// What Graph said about the addresses of a card's mailboxes.
#[derive(Debug, Default)]
pub struct Seen {
    /// The card's addresses (lower case, distinct, in order).
    pub addresses: Vec<String>,
    /// Users whose primary address is one of them.
    pub by_mail: Vec<MailUser>,
    /// For addresses no user has as primary: the user holding it as a proxy address (`None`: no
    /// one), for the first [`PROXY_LOOKUPS`] of them.
    pub by_proxy: Vec<(String, Option<MailUser>)>,
}

/// Reads what the two checks need.
pub async fn read(graph: &Graph, addresses: Vec<String>) -> hybridsync_microsoft::Result<Seen> {
    let refs: Vec<&str> = addresses.iter().map(String::as_str).collect();
    let by_mail = users::by_mail(graph, &refs).await?;
    let mut by_proxy = Vec::new();
    for a in addresses
        .iter()
        .filter(|a| !by_mail.iter().any(|u| u.has_primary(a)))
        .take(PROXY_LOOKUPS)
    {
        by_proxy.push((a.clone(), users::by_proxy_address(graph, a).await?));
    }
    Ok(Seen {
        addresses,
        by_mail,
        by_proxy,
    })
}

fn primary_of<'a>(seen: &'a Seen, address: &str) -> Option<&'a MailUser> {
    seen.by_mail.iter().find(|u| u.has_primary(address))
}

/// `mailbox_address_matches_exchange`: every address is some user's primary SMTP address.
pub fn address_check(seen: &Seen) -> Option<CheckResult> {
    if seen.addresses.is_empty() {
        return None;
    }
    let missing: Vec<&String> = seen
        .addresses
        .iter()
        .filter(|a| primary_of(seen, a).is_none())
        .collect();
    if missing.is_empty() {
        let saw = match seen.addresses.as_slice() {
            [one] => format!("{one} is the primary SMTP address of an Exchange Online mailbox"),
            all => format!(
                "all {} addresses are primary SMTP addresses of Exchange Online mailboxes",
                all.len()
            ),
        };
        return Some(result(MAILBOX_ADDRESS_MATCHES_EXCHANGE, true, saw));
    }
    let named: Vec<String> = missing
        .iter()
        .map(|a| match seen.by_proxy.iter().find(|(p, _)| p == *a) {
            Some((_, Some(u))) => format!(
                "{a} is only a secondary address: the mailbox's primary address is {} (user {})",
                u.mail.as_deref().unwrap_or("none"),
                u.user_principal_name
            ),
            Some((_, None)) => format!("{a} belongs to no Exchange Online mailbox"),
            None => format!("{a} is no mailbox's primary address"),
        })
        .collect();
    let saw = format!(
        "{} of {} address(es) do not match Exchange Online: {}",
        missing.len(),
        seen.addresses.len(),
        named.join("; ")
    );
    Some(result(MAILBOX_ADDRESS_MATCHES_EXCHANGE, false, saw))
}

/// `exchange_online_licensed`: every mailbox user found holds an enabled Exchange Online plan. A
/// user with a disabled account and no licence is a shared mailbox (a queue's), which needs none.
pub fn licence_check(seen: &Seen, skus: &[SubscribedSku]) -> Option<CheckResult> {
    let found: Vec<&MailUser> = seen
        .by_mail
        .iter()
        .chain(seen.by_proxy.iter().filter_map(|(_, u)| u.as_ref()))
        .collect();
    if found.is_empty() {
        return None;
    }
    let mut without = Vec::new();
    let mut shared = 0;
    for u in &found {
        if !u.exchange_licences(skus).is_empty() {
            continue;
        }
        let who = u.mail.as_deref().unwrap_or(&u.user_principal_name);
        if u.assigned_licenses.is_empty() && u.account_enabled == Some(false) {
            shared += 1;
        } else if u.assigned_licenses.is_empty() {
            without.push(format!("{who} holds no licence"));
        } else {
            without.push(format!(
                "{who} holds {} with no enabled Exchange Online plan",
                u.licence_names(skus).join(", ")
            ));
        }
    }
    let shared_note = if shared > 0 {
        format!(" ({shared} shared mailbox(es) without a licence, which they do not need)")
    } else {
        String::new()
    };
    Some(if without.is_empty() {
        result(
            EXCHANGE_ONLINE_LICENSED,
            true,
            format!(
                "{} mailbox user(s) read, each with Exchange Online{shared_note}",
                found.len()
            ),
        )
    } else {
        result(
            EXCHANGE_ONLINE_LICENSED,
            false,
            format!("{}{shared_note}", without.join("; ")),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hybridsync_microsoft::skus::ServicePlan;
    use hybridsync_microsoft::users::AssignedLicense;

    const E3: &str = "6fd2c87f-b296-42f0-b197-1e91e994b900";
    const EXO: &str = "efb87545-963c-4e0d-99df-69c6916d9eb0";

    fn skus() -> Vec<SubscribedSku> {
        vec![SubscribedSku {
            sku_id: E3.into(),
            sku_part_number: "ENTERPRISEPACK".into(),
            capability_status: "Enabled".into(),
            service_plans: vec![ServicePlan {
                service_plan_id: EXO.into(),
                service_plan_name: "EXCHANGE_S_ENTERPRISE".into(),
            }],
        }]
    }

    fn user(mail: &str, disabled: Option<&[&str]>, enabled: bool) -> MailUser {
        MailUser {
            id: format!("id-{mail}"),
            user_principal_name: mail.into(),
            mail: Some(mail.into()),
            proxy_addresses: vec![format!("SMTP:{mail}")],
            account_enabled: Some(enabled),
            assigned_licenses: disabled
                .map(|d| {
                    vec![AssignedLicense {
                        sku_id: E3.into(),
                        disabled_plans: d.iter().map(|s| s.to_string()).collect(),
                    }]
                })
                .unwrap_or_default(),
        }
    }

    #[test]
    fn an_address_that_is_only_secondary_names_the_primary() {
        let seen = Seen {
            addresses: vec![
                "a@contoso.com".into(),
                "b@contoso.com".into(),
                "c@contoso.com".into(),
            ],
            by_mail: vec![user("a@contoso.com", Some(&[]), true)],
            by_proxy: vec![
                (
                    "b@contoso.com".into(),
                    Some(user("b@contoso.onmicrosoft.com", Some(&[]), true)),
                ),
                ("c@contoso.com".into(), None),
            ],
        };
        let r = address_check(&seen).expect("runs");
        assert!(!r.passed);
        let saw = r.saw.unwrap_or_default();
        assert!(saw.starts_with("2 of 3"), "{saw}");
        assert!(saw.contains("b@contoso.com is only a secondary address: the mailbox's primary address is b@contoso.onmicrosoft.com (user b@contoso.onmicrosoft.com)"), "{saw}");
        assert!(
            saw.contains("c@contoso.com belongs to no Exchange Online mailbox"),
            "{saw}"
        );
        let all = Seen {
            addresses: vec!["a@contoso.com".into()],
            by_mail: vec![user("A@Contoso.com", Some(&[]), true)],
            by_proxy: vec![],
        };
        assert!(address_check(&all).expect("runs").passed);
        assert!(address_check(&Seen::default()).is_none());
    }

    #[test]
    fn the_licence_check_sees_a_turned_off_plan_and_spares_shared_mailboxes() {
        let seen = |users: Vec<MailUser>| Seen {
            addresses: vec![],
            by_mail: users,
            by_proxy: vec![],
        };
        let ok = licence_check(
            &seen(vec![
                user("a@contoso.com", Some(&[]), true),
                user("q@contoso.com", None, false),
            ]),
            &skus(),
        )
        .expect("runs");
        assert!(ok.passed, "{ok:?}");
        assert!(ok.saw.unwrap_or_default().contains("1 shared mailbox"));
        let off = licence_check(
            &seen(vec![
                user("a@contoso.com", Some(&[EXO]), true),
                user("b@contoso.com", None, true),
            ]),
            &skus(),
        )
        .expect("runs");
        assert!(!off.passed);
        let saw = off.saw.unwrap_or_default();
        assert!(
            saw.contains("a@contoso.com holds ENTERPRISEPACK with no enabled Exchange Online plan"),
            "{saw}"
        );
        assert!(saw.contains("b@contoso.com holds no licence"), "{saw}");
        assert!(
            licence_check(&seen(vec![]), &skus()).is_none(),
            "no user found: not run"
        );
    }
}
