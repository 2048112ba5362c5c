//! Table-driven tests of the knowledge base: every entry is matched by a real sample of its error text
//! (verbatim from the seeds / ms-api.md / the support articles where one exists) and by no other entry.
use std::collections::HashSet;

use hybridsync_diagnosis::{
    CauseStatus, CheckOutcome, CheckResults, EwsPhase, KnowledgeBase, MatchKind, Symptom,
};
use proptest::prelude::*;

/// The `WWW-Authenticate` header EWS sent in the 3P thread (ms-api.md §5.1), verbatim.
const EWS_401_HEADER: &str = r#"Bearer client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="00000001-0000-0000-c000-000000000000@*", token_types="app_asserted_user_v1 service_asserted_app_v1", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="invalid_token""#;

struct Sample {
    entry: &'static str,
    /// Where the text comes from.
    source: &'static str,
    symptom: Symptom,
}

fn text(entry: &'static str, source: &'static str, t: &str) -> Sample {
    Sample {
        entry,
        source,
        symptom: Symptom::text(t),
    }
}

fn code(entry: &'static str, source: &'static str, c: &str, t: &str) -> Sample {
    Sample {
        entry,
        source,
        symptom: Symptom::code(c).with_text(t),
    }
}

fn samples() -> Vec<Sample> {
    vec![
        // --- the seeds
        text("s2s.failed-authentication", "seed 000 / D-EXO", "Error: Failed Authentication. This error can be returned when the certificate used for server-to-server authentication is missing or invalid. To resolve, update or install the certificate and try again."),
        code("s2s.failed-authentication", "wizard code", "s2s_failed_authentication", "Test Connection: Failed Authentication"),
        text("script.cer-path-invalid", "seed 002 (typographic apostrophe)", "The specified value of the certificate parameter isn’t valid. Please enter the path of the .cer file."),
        text("script.cer-path-invalid", "seed 002 (ASCII apostrophe, as PowerShell prints it)", "The specified value of the certificate parameter isn't valid. Please enter the path of the .cer file."),
        text("script.o365-credentials-invalid", "seed 002", "Office 365 Credentials are not valid. Process Failed."),
        text("hybrid-connector.missing", "seed 002", "You cannot call a method on a null-valued expression. Process Failed."),
        code("hybrid-connector.missing", "wizard code", "hybrid_connector_missing", "the tenant has no Dynamics 365 Hybrid Connector subscription"),
        // --- SUP-401 (KB 3212785), verbatim
        text("sss.http-401", "SUP-401 (send)", "The email message \"Test Message\" cannot be sent. Make sure that the credentials specified in the mailbox <Mailbox Name> are correct and have sufficient permissions for sending email. Then, enable the mailbox for email processing.\nEmail Server Error Code: Http server returned 401 Unauthorized exception."),
        text("sss.http-401", "SUP-401 (ACT)", "Appointments, contacts, and tasks can't be synchronized. Make sure that the credentials specified in the mailbox <Mailbox Name> are correct and have sufficient permissions. Then, enable the mailbox for appointments, contacts, and tasks synchronization."),
        text("sss.http-401", "SUP-401 (receive)", "Email cannot be received for the mailbox <Mailbox Name>. Make sure that the credentials specified in the mailbox are correct and have sufficient permissions for receiving email. Then, enable the mailbox for email processing."),
        text("sss.http-401", "SUP-401 cause 6", "NoUserFoundWithGivenClaims. Details: User does not exist in tenant with id '8d2b0a6c-0000-0000-0000-000000000000'"),
        code("sss.http-401", "wizard code", "mailbox_http_401", "Test & Enable: 401"),
        // --- EWS 401 invalid_token (ms-api.md §5.1, 3P thread)
        Sample { entry: "ews.token-rejected", source: "ms-api.md §5.1 header", symptom: Symptom::http(401, Some(EWS_401_HEADER)) },
        text("ews.token-rejected", "trace text carrying the header", &format!("The remote server returned an error: (401) Unauthorized. WWW-Authenticate: {EWS_401_HEADER}")),
        Sample {
            entry: "ews.token-rejected",
            source: "alert + header: the specific entry supersedes the generic 401",
            symptom: Symptom::http(401, Some(EWS_401_HEADER)).with_text("Email Server Error Code: Http server returned 401 Unauthorized exception."),
        },
        code("ews.token-rejected", "pre-flight code", "ews_not_allowed", "EWSEnabled is False and the Dynamics app is not allow-listed"),
        code("ews.token-rejected", "wizard code", "ews_token_rejected", "EWS refused the S2S token"),
        // --- D-TSS alerts, verbatim
        text("profile.autodiscover-failed", "D-TSS", "The mailbox location could not be determined while sending/receiving the email message <Message Subject>. The mailbox <Mailbox Name> has been disabled for sending/receiving email and the owner of the associated email server profile <Email Server Profile name> has been notified."),
        code("profile.autodiscover-failed", "wizard code", "mailbox_location_unknown", "Autodiscover found no location"),
        text("mailbox.approval-required", "D-TSS (requires approval)", "Email cannot be sent/received because the email address of the mailbox <User Name> requires an approval by an Office 365 administrator. The mailbox has been disabled for sending/receiving email and the owner of the email server profile Exchange Online has been notified."),
        text("mailbox.approval-required", "D-TSS (must be approved, 1)", "One or more mailboxes have been disabled for sending/receiving email because their email addresses have not been approved. Approve the email addresses, and then enable the mailboxes for sending/receiving email."),
        text("mailbox.approval-required", "D-TSS (must be approved, 2)", "Email cannot be received for the mailbox <Mailbox Name> because the email address of the mailbox <Mailbox Name> is not approved and the mailbox has been disabled. The owner of the associated email server profile <Email Server Profile name> has been notified."),
        code("mailbox.approval-required", "wizard code", "mailbox_not_approved", "emailrouteraccessapproval = 2 (Pending Approval)"),
        text("mailbox.approval-required", "ms-api.md §7 (the short form of the table)", "Email address requires approval by Office 365 administrator"),
        text("tls.secure-connection", "D-TSS (ACT)", "The mailbox has been disabled for synchronizing appointments, contacts, and tasks for the mailbox because an error occurred while establishing a secure connection to the Exchange server. The owner of the email server profile has been notified."),
        text("tls.secure-connection", "D-TSS (receive)", "Email cannot be received for the mailbox because an error occurred while establishing a secure connection to the email server. The mailbox has been disabled for receiving email and the owner of the email server profile has been notified."),
        code("tls.secure-connection", "wizard code", "mailbox_secure_connection_failed", "TLS handshake failed"),
        text("act.other-organization", "D-TSS", "Appointments, contacts, and tasks can't be synchronized because the email address of the mailbox <Mailbox Name> is configured with another Customer Engagement (on-premises) organization. The best practice is to overwrite the configuration when you test and enable the mailbox in your primary organization. Also, change the synchronization method for your mailbox in non-primary organizations to None."),
        code("act.other-organization", "wizard code", "mailbox_other_org", "another org is primary for Exchange sync"),
        text("mailbox.disabled-transient", "D-TSS (retry policy)", "For server or mailbox transient errors, delivery is retried up to 10 times with a 5 minute gap between attempts. If delivery fails after 10 attempts, the error is considered permanent and the mailbox is disabled."),
        code("mailbox.disabled-transient", "wizard code", "mailbox_disabled_transient", "disabled by the retry policy"),
        text("profile.credentials-impersonation", "D-TSS", "Email cannot be sent/received because the credentials specified in the associated email server profile are incorrect or have insufficient permissions for sending/receiving email. The mailbox <Mailbox Name> has been disabled for sending/receiving email and the owner of the email server profile <Email Server Profile name> has been notified."),
        code("profile.credentials-impersonation", "wizard code", "profile_credentials_invalid", "the profile uses credentials"),
        // --- S2S prerequisites
        text("s2s.async-certificate", ".NET CryptographicException (async service)", "System.Security.Cryptography.CryptographicException: Keyset does not exist"),
        text("s2s.async-certificate", "ms-api.md §5.3 (D-SPCERT)", "CertificateReconfiguration.ps1 : Private key not found."),
        code("s2s.async-certificate", "wizard code", "async_certificate_missing", "CRMASYNC02 has no S2STokenIssuer certificate in LocalMachine\\My"),
        code("s2s.async-certificate", "wizard code", "async_key_unreadable", "CONTOSO\\CRMAsync cannot read the key"),
        text("s2s.certificate-expired", "wizard finding message", "the S2S certificate CN=crm.contoso.com expired on 2026-03-01T00:00:00Z (NotAfter)"),
        code("s2s.certificate-expired", "wizard code", "certificate_expired", "certificate past NotAfter"),
        code("s2s.certificate-expired", "wizard code", "sp_key_expired", "every keyCredential on 00000007-… is past its endDateTime"),
        code("s2s.tenant-id-mismatch", "wizard code", "tenant_id_mismatch", "the profile's Exchange Online tenant ID 11111111-1111-1111-1111-111111111111 differs from the organization's 22222222-2222-2222-2222-222222222222"),
        // --- the product's own codes (crates/microsoft/src/error.rs messages, verbatim shapes)
        code("tenant.check-domain", "error.rs TenantNotFound", "tenant_not_found", "no Microsoft 365 tenant found for contoso.example: the authority https://login.microsoftonline.com answered \"AADSTS90002: Tenant 'contoso.example' not found.\". Check the spelling, and that the domain has been added to the tenant, or use the tenant's .onmicrosoft.com domain."),
        text("tenant.check-domain", "error.rs TenantNotFound (text only)", "no Microsoft 365 tenant found for contoso.example: the authority https://login.microsoftonline.com answered \"AADSTS90002\"."),
        code("tenant.use-own-domain", "error.rs NotATenant", "not_a_tenant", "common is not a single tenant: the authority answered with the multi-tenant placeholder issuer https://login.microsoftonline.com/{tenantid}/v2.0. Enter one of your organisation's domains or its tenant ID."),
        code("tls.custom-ca", "error.rs TlsUntrusted", "tls_untrusted", "the TLS certificate of login.microsoftonline.com is not trusted (invalid peer certificate: UnknownIssuer). If your network inspects TLS, pass the inspecting CA's certificate as a trusted CA file; verification is never turned off."),
        code("tls.custom-ca", "error.rs CaFile", "ca_file_invalid", "cannot use the CA file /etc/proxy-ca.pem: no certificate found. Give a PEM file holding the certificate of the CA that signs your network's TLS traffic."),
        text("tls.custom-ca", "error.rs TlsUntrusted (text only)", "the TLS certificate of graph.microsoft.com is not trusted (UnknownIssuer)."),
        code("network.check-path", "error.rs Timeout", "timeout", "https://login.microsoftonline.com/contoso.com/v2.0/.well-known/openid-configuration did not answer within 10 s. Check the network path (proxy, firewall) to the authority, then try again."),
        code("network.check-path", "error.rs Network", "network", "could not reach https://login.microsoftonline.com/contoso.com/v2.0/.well-known/openid-configuration: dns error: failed to lookup address information"),
        text("network.check-path", "error.rs Network (text only)", "could not reach https://graph.microsoft.com/v1.0/organization: connection refused"),
        code("network.http-status", "error.rs Http", "http_error", "https://graph.microsoft.com/v1.0/organization answered HTTP 503: Service Unavailable"),
        code("network.proxy-rewrite", "error.rs Malformed", "malformed_response", "https://login.microsoftonline.com/contoso.com/v2.0/.well-known/openid-configuration did not return a valid OpenID configuration: expected value at line 1 column 1. If a proxy rewrote the answer, fix the proxy or pass the authority URL directly."),
        text("tenant.use-own-domain", "error.rs NotATenant (text only)", "organizations is not a single tenant: the authority answered with the multi-tenant placeholder issuer https://login.microsoftonline.com/{tenantid}/v2.0."),
        text("network.http-status", "error.rs Http (text only)", "https://graph.microsoft.com/v1.0/domains answered HTTP 429: Too Many Requests"),
        text("network.proxy-rewrite", "error.rs Malformed (text only)", "https://login.microsoftonline.com/contoso.com/v2.0/.well-known/openid-configuration did not return a valid OpenID configuration: missing field `issuer`."),
        text("s2s.certificate-expired", "keyCredential wording", "keyCredential 6f1e…(CN=crm.contoso.com) on servicePrincipal 00000007-0000-0000-c000-000000000000 has expired"),
        code("input.fix-value", "error.rs InvalidInput", "invalid_input", "\"contoso..com\" is not a domain name: two dots in a row"),
        // --- sign-in, keychain, files and the run (crates/microsoft/src/error.rs, crates/core)
        code("signin.use-device-code", "error.rs BrowserOpen", "browser_open_failed", "could not open the system browser: no default browser is set"),
        code("signin.use-device-code", "error.rs SignInTimedOut", "signin_timeout", "the browser sign-in was not finished within 5 minutes"),
        code("signin.restart", "error.rs SignInDeclined", "signin_declined", "the sign-in was declined on the verification page"),
        code("signin.restart", "error.rs DeviceCodeExpired", "device_code_expired", "the code expired before it was entered"),
        code("signin.restart", "error.rs StateMismatch", "signin_state_mismatch", "the browser returned a state that does not belong to this sign-in"),
        code("signin.aadsts", "error.rs SignInRejected", "signin_rejected", "AADSTS50126: Error validating credentials due to invalid username or password."),
        code("signin.sign-in-again", "error.rs SessionExpired", "session_expired", "the access token expired and the sign-in gave no refresh token"),
        code("signin.sign-in-again", "error.rs GraphUnauthorized", "graph_unauthorized", "Graph refused the token for /me"),
        code("signin.sign-in-again", "core not signed in", "not_signed_in", "nobody is signed in to this tenant"),
        code("signin.grant-permission", "error.rs GraphForbidden", "graph_forbidden", "Graph answered 403 for /domains"),
        text("signin.grant-permission", "Graph 403 body", "Authorization_RequestDenied: Insufficient privileges to complete the operation."),
        code("signin.role-missing", "error.rs MissingRole", "role_missing", "user@contoso.com holds none of Domain Name Administrator, Global Administrator, needed to add and verify the domain"),
        code("keychain.unlock", "keychain.rs", "keychain_locked", "the keychain is locked"),
        code("keychain.unlock", "keychain.rs", "keychain_unavailable", "no Secret Service is running in this session"),
        code("keychain.unlock", "keychain.rs", "keychain_failed", "the keychain refused to store the refresh token"),
        code("files.check-permissions", "core", "file_unreadable", "could not read /tmp/x.pfx: permission denied"),
        code("files.check-permissions", "core", "file_unwritable", "could not write /root/report.html: permission denied"),
        code("files.exists", "cert_files.rs", "file_exists", "./s2s.pfx already exists, so cert new stopped before making a new key"),
        text("directory.ldap-reach", "ldap.rs Connect (text only)", "cannot reach the directory at ldaps://dc1.contoso.local:636 (Connection refused (os error 111)); check the host name"),
        code("directory.ldap-reach", "ldap.rs Connect", "network", "cannot reach the directory at ldap://127.0.0.1:1 (Connection refused (os error 111)); check the host name"),
        code("plan.check-file", "plan.rs", "plan_invalid", "plan.toml line 3: unknown field `tenent`"),
        code("plan.check-file", "plan.rs", "plan_unreadable", "could not read plan.toml: not found"),
        code("practice.start", "server.rs", "practice_start_failed", "could not listen on 127.0.0.1:0"),
        code("run.cancelled", "engine.rs", "cancelled", "the run was cancelled before it finished"),
        code("run.already-running", "org_lock.rs", "already_running", "another bulk run is already writing to this organization"),
        code("support.report-bug", "error.rs internal", "internal", "an unexpected answer"),
    ]
}

fn ids(kb: &KnowledgeBase, s: &Symptom) -> Vec<String> {
    kb.diagnose(s).iter().map(|d| d.entry.id.clone()).collect()
}

#[test]
fn every_sample_matches_its_entry_and_no_other() {
    let kb = KnowledgeBase::load();
    let mut failures = Vec::new();
    for s in samples() {
        assert!(
            kb.entry(s.entry).is_some(),
            "the table names an unknown entry {}",
            s.entry
        );
        let got = ids(kb, &s.symptom);
        if got != [s.entry] {
            failures.push(format!("{} ({}): matched {got:?}", s.entry, s.source));
        }
    }
    assert!(
        failures.is_empty(),
        "samples matched the wrong entries:\n{}",
        failures.join("\n")
    );
}

#[test]
fn text_samples_also_match_without_their_code() {
    // The raw error alone must be enough: strip the code and the entry must still be found (when the
    // entry has patterns at all).
    let kb = KnowledgeBase::load();
    for s in samples() {
        let entry = kb.entry(s.entry).unwrap();
        if s.symptom.code.is_none() || entry.patterns.is_empty() {
            continue;
        }
        let bare = Symptom {
            code: None,
            ..s.symptom.clone()
        };
        let got = ids(kb, &bare);
        // Wizard-invented messages for code-only situations need not carry a documented text.
        assert!(
            got.is_empty() || got == [s.entry],
            "{} ({}): text alone matched {got:?}",
            s.entry,
            s.source
        );
    }
}

#[test]
fn every_entry_and_every_code_has_a_sample() {
    let kb = KnowledgeBase::load();
    let samples = samples();
    let raw: HashSet<&str> = samples
        .iter()
        .filter(|s| s.symptom.code.is_none())
        .map(|s| s.entry)
        .collect();
    let codes: HashSet<&str> = samples
        .iter()
        .filter_map(|s| s.symptom.code.as_deref())
        .collect();
    for e in &kb.entries {
        if !e.patterns.is_empty() {
            assert!(
                raw.contains(e.id.as_str()),
                "entry {} has patterns but no raw-text sample",
                e.id
            );
        }
        for c in &e.codes {
            assert!(
                codes.contains(c.as_str()),
                "code {c} of entry {} has no sample",
                e.id
            );
        }
    }
}

#[test]
fn the_product_codes_resolve_to_exactly_their_remediation_ids() {
    // crates/microsoft/src/error.rs: code() → remediation().
    let pairs = [
        ("tenant_not_found", "tenant.check-domain"),
        ("tls_untrusted", "tls.custom-ca"),
        ("ca_file_invalid", "tls.custom-ca"),
        ("timeout", "network.check-path"),
        ("network", "network.check-path"),
        ("http_error", "network.http-status"),
        ("malformed_response", "network.proxy-rewrite"),
        ("not_a_tenant", "tenant.use-own-domain"),
        ("invalid_input", "input.fix-value"),
    ];
    let kb = KnowledgeBase::load();
    for (code, id) in pairs {
        assert!(kb.entry(id).is_some(), "remediation id {id} has no entry");
        let got = ids(kb, &Symptom::code(code));
        assert_eq!(got, [id], "code {code}");
        let d = &kb.diagnose(&Symptom::code(code))[0];
        assert_eq!(d.matched.kind, MatchKind::Code);
    }
}

#[test]
fn the_required_entries_exist() {
    let kb = KnowledgeBase::load();
    for id in [
        "s2s.failed-authentication",
        "script.cer-path-invalid",
        "script.o365-credentials-invalid",
        "hybrid-connector.missing",
        "sss.http-401",
        "ews.token-rejected",
        "profile.autodiscover-failed",
        "mailbox.approval-required",
        "tls.secure-connection",
        "act.other-organization",
        "mailbox.disabled-transient",
        "s2s.async-certificate",
        "s2s.certificate-expired",
        "s2s.tenant-id-mismatch",
    ] {
        assert!(kb.entry(id).is_some(), "{id} missing");
    }
    // SUP-401 lists six causes; all of them are in the entry, in the article's order.
    let e = kb.entry("sss.http-401").unwrap();
    let sup: Vec<u32> = e
        .causes
        .iter()
        .filter(|c| {
            c.source
                .as_deref()
                .unwrap_or("")
                .starts_with("SUP-401 cause")
        })
        .map(|c| c.rank)
        .collect();
    assert_eq!(sup, [1, 2, 3, 4, 5, 6]);
}

#[test]
fn the_knowledge_base_parses_and_every_entry_has_a_source_and_known_references() {
    let kb = hybridsync_diagnosis::KnowledgeBase::from_toml(hybridsync_diagnosis::KNOWLEDGE_TOML)
        .expect("parses");
    assert!(kb.entries.len() >= 21, "only {} entries", kb.entries.len());
    for e in &kb.entries {
        assert!(
            e.source.iter().any(|s| !s.trim().is_empty()),
            "{} has no source",
            e.id
        );
        assert!(
            e.fix.action.is_some() || !e.fix.instructions.is_empty(),
            "{} has no fix",
            e.id
        );
        for c in &e.causes {
            for check in &c.checks {
                assert!(kb.check(check).is_some(), "{}: unknown check {check}", e.id);
            }
        }
        if let Some(a) = &e.fix.action {
            assert!(kb.action(a).is_some(), "{}: unknown action {a}", e.id);
        }
    }
    // The check ids the issue names are all defined.
    for check in [
        "tenant_ids_match",
        "sp_has_crm_certificate",
        "mailbox_approved",
        "hybrid_connector_licensed",
        "certificate_not_expired",
        "ews_allowed",
    ] {
        assert!(kb.check(check).is_some(), "{check}");
    }
}

#[test]
fn unrelated_or_empty_symptoms_match_nothing() {
    let kb = KnowledgeBase::load();
    // A Graph 401 (the practice tenant's header) is not the EWS ACS-token rejection.
    let graph = r#"Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="invalid_token", error_description="token expired""#;
    for s in [
        Symptom::default(),
        Symptom::http(401, Some(graph)),
        Symptom::http(401, None),
        Symptom::code("no_such_code"),
        Symptom::text("The mailbox was tested and enabled successfully."),
        Symptom::text("Authentication succeeded"),
    ] {
        assert!(ids(kb, &s).is_empty(), "{s:?} matched {:?}", ids(kb, &s));
    }
    // The EWS header pattern needs the 401 status.
    assert!(ids(kb, &Symptom::http(403, Some(EWS_401_HEADER))).is_empty());
}

#[test]
fn check_results_rerank_the_causes() {
    let kb = KnowledgeBase::load();
    let alert =
        Symptom::text("Email Server Error Code: Http server returned 401 Unauthorized exception.");
    let top = |r: &CheckResults| kb.diagnose_with(&alert, r)[0].causes[0].cause.rank;

    // Nothing checked: the article's order, then seed 002's missing Hybrid Connector.
    let d = &kb.diagnose(&alert)[0];
    assert_eq!(
        d.causes.iter().map(|c| c.cause.rank).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6, 7]
    );
    assert!(d.causes.iter().all(|c| c.status == CauseStatus::Possible));

    // A failed check lifts its cause to first.
    assert_eq!(
        top(&CheckResults::new().with("exchange_online_licensed", CheckOutcome::Failed)),
        3
    );
    assert_eq!(
        top(&CheckResults::new().with("tenant_ids_match", CheckOutcome::Failed)),
        4
    );

    // A passed check drops its cause to the end, ruled out.
    let r = CheckResults::new().with("mailbox_address_matches_exchange", CheckOutcome::Passed);
    let d = &kb.diagnose_with(&alert, &r)[0];
    assert_eq!(d.causes[0].cause.rank, 2);
    let last = d.causes.last().unwrap();
    assert_eq!((last.cause.rank, last.status), (1, CauseStatus::RuledOut));

    // Unknown changes nothing.
    assert_eq!(
        top(&CheckResults::new().with("exchange_online_licensed", CheckOutcome::Unknown)),
        1
    );

    // The alert's own text points at cause 6 (re-created user).
    let d = &kb.diagnose(&Symptom::text(
        "Http server returned 401 Unauthorized exception. NoUserFoundWithGivenClaims",
    ))[0];
    assert_eq!((d.causes[0].cause.rank, d.causes[0].hinted), (6, true));
    // …but a failed check still beats a hint.
    let r = CheckResults::new().with("exchange_online_licensed", CheckOutcome::Failed);
    let d = &kb.diagnose_with(
        &Symptom::text(
            "Http server returned 401 Unauthorized exception. NoUserFoundWithGivenClaims",
        ),
        &r,
    )[0];
    assert_eq!(d.causes[0].cause.rank, 3);
    assert_eq!(d.causes[1].cause.rank, 6);
}

#[test]
fn rerank_after_a_retest_moves_the_cause() {
    let kb = KnowledgeBase::load();
    let mut d = kb
        .diagnose(&Symptom::http(401, Some(EWS_401_HEADER)))
        .remove(0);
    assert_eq!(d.top_cause().unwrap().cause.checks, ["ews_allowed"]);
    d.rerank(
        &CheckResults::new()
            .with("ews_allowed", CheckOutcome::Passed)
            .with("sp_has_crm_certificate", CheckOutcome::Failed),
    );
    let top = d.top_cause().unwrap();
    assert_eq!(top.status, CauseStatus::Confirmed);
    assert!(top
        .checks
        .contains(&("sp_has_crm_certificate".to_string(), CheckOutcome::Failed)));
    assert_eq!(
        d.causes
            .iter()
            .filter(|c| c.status == CauseStatus::RuledOut)
            .count(),
        2
    );
}

/// The issue's scenarios: the symptom the practice tenant would show plus what the wizard's checks
/// saw must name the right entry and the right cause first.
#[test]
fn scenarios_name_the_right_cause_first() {
    let kb = KnowledgeBase::load();
    let failed = |c: &str| CheckResults::new().with(c, CheckOutcome::Failed);
    let scenarios: Vec<(&str, Symptom, CheckResults, &str, &str)> = vec![
        ("no Hybrid Connector", Symptom::text("You cannot call a method on a null-valued expression. Process Failed."), failed("hybrid_connector_licensed"), "hybrid-connector.missing", "hybrid_connector_licensed"),
        ("tenant ID not set", Symptom::text("Email Server Error Code: Http server returned 401 Unauthorized exception."), failed("tenant_ids_match"), "sss.http-401", "tenant_ids_match"),
        ("certificate not on the SP", Symptom::text("Failed Authentication"), failed("sp_has_crm_certificate"), "s2s.failed-authentication", "sp_has_crm_certificate"),
        ("mailbox not approved", Symptom::text("One or more mailboxes have been disabled for sending/receiving email because their email addresses have not been approved."), failed("mailbox_approved"), "mailbox.approval-required", "mailbox_approved"),
        ("EWS not allowed", Symptom::http(401, Some(EWS_401_HEADER)), failed("ews_allowed"), "ews.token-rejected", "ews_allowed"),
        ("expired certificate", Symptom::text("Failed Authentication"), failed("certificate_not_expired"), "s2s.failed-authentication", "certificate_not_expired"),
        ("expired certificate (code)", Symptom::code("certificate_expired"), failed("certificate_not_expired"), "s2s.certificate-expired", "certificate_not_expired"),
    ];
    for (name, symptom, results, entry, check) in scenarios {
        let d = kb.diagnose_with(&symptom, &results);
        assert_eq!(d[0].entry.id, entry, "{name}");
        let top = &d[0].causes[0];
        assert_eq!(top.status, CauseStatus::Confirmed, "{name}");
        assert!(
            top.cause.checks.iter().any(|c| c == check),
            "{name}: top cause {:?}",
            top.cause.text
        );
    }
}

#[test]
fn failed_checks_reorder_entries_when_a_text_matches_several() {
    // The alerts wall often holds more than one alert; the entry with a confirmed cause comes first.
    let kb = KnowledgeBase::load();
    let wall = Symptom::text(
        "The mailbox location could not be determined while sending/receiving the email message Test.\n\
         Email cannot be sent/received because the email address of the mailbox Pat requires an approval by an Office 365 administrator.",
    );
    let order = |r: &CheckResults| {
        kb.diagnose_with(&wall, r)
            .iter()
            .map(|d| d.entry.id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        order(&CheckResults::new()),
        ["profile.autodiscover-failed", "mailbox.approval-required"]
    );
    assert_eq!(
        order(&CheckResults::new().with("mailbox_approved", CheckOutcome::Failed)),
        ["mailbox.approval-required", "profile.autodiscover-failed"]
    );
    // An entry whose every cause is ruled out sinks below one still possible.
    let r = CheckResults::new()
        .with("profile_autodiscover_off", CheckOutcome::Passed)
        .with("mailbox_address_matches_exchange", CheckOutcome::Passed);
    assert_eq!(
        order(&r),
        ["mailbox.approval-required", "profile.autodiscover-failed"]
    );
}

#[test]
fn the_ews_retirement_phase_follows_the_documented_dates() {
    use time::macros::date;
    let ews = &KnowledgeBase::load().ews_retirement;
    assert_eq!(
        ews.phase(date!(2026 - 09 - 30)),
        EwsPhase::Open {
            days_to_block: 1,
            days_to_end: 183
        }
    );
    assert_eq!(
        ews.phase(date!(2026 - 10 - 01)),
        EwsPhase::AllowListOnly {
            days_since_block: 0,
            days_to_end: 182
        }
    );
    assert_eq!(
        ews.phase(date!(2026 - 11 - 22)),
        EwsPhase::AllowListOnly {
            days_since_block: 52,
            days_to_end: 130
        }
    );
    assert_eq!(
        ews.phase(date!(2027 - 04 - 01)),
        EwsPhase::Ended { days_since_end: 0 }
    );
}

#[test]
fn a_diagnosis_serializes_for_the_ui() {
    let kb = KnowledgeBase::load();
    let d = kb.diagnose_with(
        &Symptom::text("Failed Authentication"),
        &CheckResults::new().with("crm_certificate_installed", CheckOutcome::Passed),
    );
    let json = serde_json::to_string(&d[0]).expect("serializes");
    assert!(
        json.contains("\"id\":\"s2s.failed-authentication\"") && json.contains("\"ruled_out\""),
        "{json}"
    );
}

proptest! {
    #[test]
    fn diagnose_never_panics_and_ranks_consistently(
        text in ".{0,300}",
        status in proptest::option::of(100u16..600),
        www in proptest::option::of(".{0,120}"),
        outcomes in proptest::collection::vec(0u8..3, 20),
    ) {
        let kb = KnowledgeBase::load();
        let mut results = CheckResults::new();
        for (check, o) in kb.checks.iter().zip(outcomes) {
            results.set(&check.id, [CheckOutcome::Passed, CheckOutcome::Failed, CheckOutcome::Unknown][o as usize]);
        }
        let symptom = Symptom { code: None, text: Some(text), http_status: status, www_authenticate: www };
        for d in kb.diagnose_with(&symptom, &results) {
            // The causes are a permutation of the entry's.
            let mut ranks: Vec<u32> = d.causes.iter().map(|c| c.cause.rank).collect();
            ranks.sort_unstable();
            prop_assert_eq!(ranks, (1..=d.entry.causes.len() as u32).collect::<Vec<_>>());
            // Confirmed ≤ possible ≤ ruled out, and the status follows the checks.
            prop_assert!(d.causes.windows(2).all(|w| w[0].status <= w[1].status));
            for c in &d.causes {
                let any_failed = c.cause.checks.iter().any(|k| results.get(k) == CheckOutcome::Failed);
                prop_assert_eq!(c.status == CauseStatus::Confirmed, any_failed);
            }
        }
    }

    #[test]
    fn seed_errors_are_found_inside_longer_script_output(prefix in "[a-zA-Z0-9 .:\n]{0,80}", suffix in "[a-zA-Z0-9 .:\n]{0,80}") {
        let kb = KnowledgeBase::load();
        let t = format!("{prefix}\nOffice 365 Credentials are not valid. Process Failed.\n{suffix}");
        let got = ids(kb, &Symptom::text(t));
        prop_assert!(got.contains(&"script.o365-credentials-invalid".to_string()));
    }
}
