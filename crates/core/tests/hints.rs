//! Issue 18 item 8: the likely cause shown under an error follows the error actually seen (the
//! knowledge base's matcher over its code and text), not a default of the command or the code.
use hybridsync_core::troubleshoot::{card, TroubleshootRequest};
use hybridsync_core::ErrorPayload;

fn top_cause(e: &ErrorPayload) -> String {
    let c = card(&TroubleshootRequest::from(e)).unwrap_or_else(|| panic!("no card for {e:?}"));
    c.causes.first().map(|c| c.text.clone()).unwrap_or_default()
}

#[test]
fn the_likely_cause_follows_the_error_seen() {
    let cases: Vec<(ErrorPayload, &str)> = vec![
        (
            ErrorPayload::new(
                "file_unreadable",
                "kc.pfx: wrong password for this PFX: its integrity check failed with the password given; enter the password that was chosen when the PFX was exported",
                Some("certificate.choose"),
            ),
            "PFX password is wrong",
        ),
        (
            ErrorPayload::new("plan_unreadable", "cannot read the plan /tmp/none.toml: No such file or directory (os error 2)", Some("plan.check-file")),
            "does not exist at that path",
        ),
        (
            ErrorPayload::new(
                "network",
                "cannot reach the directory at ldap://127.0.0.1:1 (Connection refused (os error 111)); check the host name, the port (636/3269 for LDAPS, 389/3268 for StartTLS) and the firewall",
                Some("directory.ldap-reach"),
            ),
            "domain controller",
        ),
        (
            ErrorPayload::new("http_error", "https://crm.contoso.com/contoso/api/data/v9.2/WhoAmI answered HTTP 401: ", Some("network.http-status")),
            "refused the sign-in (401)",
        ),
        (
            ErrorPayload::new("http_error", "https://crm.contoso.com/nope/api/data/v9.2/WhoAmI answered HTTP 404: Not Found", Some("network.http-status")),
            "names nothing there (404)",
        ),
        (
            ErrorPayload::new("http_error", "https://graph.microsoft.com/v1.0/domains answered HTTP 429: Too Many Requests", Some("network.http-status")),
            "throttling",
        ),
        (
            ErrorPayload::new("network", "could not reach https://127.0.0.1:9/: Connection refused (os error 111)", Some("network.check-path")),
            "Nothing listens on that host and port",
        ),
    ];
    for (e, want) in cases {
        let got = top_cause(&e);
        assert!(
            got.contains(want),
            "{}: the likely cause shown was {got:?}",
            e.message
        );
    }
}
