//! Each admin mistake gives its own finding; readiness is decided by the
//! authoritative servers only.

mod common;

use common::{bounded, Lab, EXPECTED};
use hybridsync_dns::testing::Behaviour;
use hybridsync_dns::verify_check::check;
use hybridsync_dns::{CheckReport, FindingCode as F};

/// Where a record is put.
#[derive(Clone, Copy)]
enum At {
    /// Every good authoritative server.
    Auth,
    /// Only the first authoritative server.
    FirstAuth,
    /// Only the resolver (its cache).
    Resolver,
}

struct Case {
    name: &'static str,
    good: usize,
    lame: Vec<Behaviour>,
    records: Vec<(At, &'static str, Vec<&'static str>)>,
    domain: &'static str,
    extra_labels: Vec<&'static str>,
    expect: F,
    ready: bool,
    /// Codes that would be misleading here.
    not: Vec<F>,
}

fn case(name: &'static str, expect: F) -> Case {
    Case {
        name,
        good: 2,
        lame: vec![],
        records: vec![],
        domain: "contoso.test",
        extra_labels: vec![],
        expect,
        ready: false,
        not: vec![F::Ready],
    }
}

impl Case {
    fn put(mut self, at: At, label: &'static str, values: &[&'static str]) -> Self {
        self.records.push((at, label, values.to_vec()));
        self
    }
    fn lame(mut self, b: Behaviour) -> Self {
        self.lame.push(b);
        self
    }
    fn not(mut self, codes: &[F]) -> Self {
        self.not.extend_from_slice(codes);
        self
    }
}

async fn run(c: &Case) -> CheckReport {
    let lab = Lab::new(c.good, c.lame.clone()).await;
    for (at, label, values) in &c.records {
        match at {
            At::Auth => lab.publish(label, values).await,
            At::FirstAuth => lab.zone(0).set_txt(label, values).await,
            At::Resolver => lab.resolver_zone().set_txt(label, values).await,
        }
    }
    let mut options = lab.check_options();
    options.extra_labels = c.extra_labels.iter().map(|s| s.to_string()).collect();
    bounded(check(c.domain, EXPECTED, &options)).await.unwrap()
}

#[tokio::test]
async fn each_mistake_gives_its_own_finding() {
    let cases = vec![
        case("nothing published", F::TxtMissing).not(&[F::TxtWrongValue, F::TxtWrongLabel]),
        case("another MS= value", F::TxtWrongValue)
            .put(At::Auth, "@", &["MS=ms87654321"])
            .not(&[F::TxtMissing, F::TxtSeveralMsValues]),
        case("value with a character missing", F::TxtWrongValue)
            .put(At::Auth, "@", &["MS=ms1234567"])
            .not(&[F::TxtMissing]),
        case("only other TXT records", F::TxtMissing)
            .put(
                At::Auth,
                "@",
                &["v=spf1 include:spf.protection.outlook.com -all"],
            )
            .not(&[F::TxtWrongValue]),
        case("value pasted with quotes", F::TxtQuotedOrWhitespace)
            .put(At::Auth, "@", &["\"MS=ms12345678\""])
            .not(&[F::TxtMissing, F::TxtWrongValue]),
        case("value with surrounding spaces", F::TxtQuotedOrWhitespace)
            .put(At::Auth, "@", &[" MS=ms12345678 "])
            .not(&[F::TxtMissing, F::TxtWrongValue]),
        case("record at contoso.test.contoso.test", F::TxtWrongLabel)
            .put(At::Auth, "contoso.test.contoso.test", &[EXPECTED])
            .not(&[F::TxtMissing]),
        case("record at www", F::TxtWrongLabel)
            .put(At::Auth, "www", &[EXPECTED])
            .not(&[F::TxtMissing]),
        case("record at _ms", F::TxtWrongLabel)
            .put(At::Auth, "_ms", &[EXPECTED])
            .not(&[F::TxtMissing]),
        Case {
            extra_labels: vec!["_x"],
            ..case("record at an extra label _x", F::TxtWrongLabel)
                .put(At::Auth, "_x", &[EXPECTED])
                .not(&[F::TxtMissing])
        },
        Case {
            domain: "sales.contoso.test",
            ..case("subdomain's record put at the zone apex", F::TxtWrongLabel)
                .put(At::Auth, "@", &[EXPECTED])
                .not(&[F::TxtMissing, F::ZoneMissing])
        },
        case("two other MS= values", F::TxtSeveralMsValues)
            .put(At::Auth, "@", &["MS=ms11111111", "MS=ms22222222"])
            .not(&[F::TxtMissing]),
        Case {
            domain: "nothere.test",
            ..case("domain not registered", F::ZoneMissing).not(&[F::TxtMissing])
        },
        case("a name server refuses", F::LameDelegation)
            .lame(Behaviour::Refuse)
            .put(At::Auth, "@", &[EXPECTED]),
        case("a name server fails", F::LameDelegation)
            .lame(Behaviour::ServFail)
            .put(At::Auth, "@", &[EXPECTED]),
        case("a name server answers without authority", F::LameDelegation)
            .lame(Behaviour::non_authoritative(&[EXPECTED]))
            .put(At::Auth, "@", &[EXPECTED]),
        case("a name server is silent", F::LameDelegation)
            .lame(Behaviour::Silent)
            .put(At::Auth, "@", &[EXPECTED]),
        case("only one server has it so far", F::ServersDisagree)
            .put(At::FirstAuth, "@", &[EXPECTED])
            .not(&[F::TxtMissing]),
        Case {
            ready: true,
            not: vec![F::TxtMissing, F::ServersDisagree],
            ..case(
                "authoritative servers have it, the resolver holds the old answer",
                F::ResolverStale,
            )
            .put(At::Auth, "@", &[EXPECTED])
            .put(At::Resolver, "@", &["MS=ms00000000"])
        },
        Case {
            ready: true,
            not: vec![F::TxtMissing, F::TxtWrongValue],
            ..case("the value plus an old MS= value", F::TxtSeveralMsValues).put(
                At::Auth,
                "@",
                &[EXPECTED, "MS=ms99999999"],
            )
        },
        case("only the resolver has it", F::TxtMissing)
            .put(At::Resolver, "@", &[EXPECTED])
            .not(&[F::ResolverStale]),
    ];

    let mut failures = Vec::new();
    for c in &cases {
        let report = run(c).await;
        let codes = report.codes();
        if !report.has(c.expect) {
            failures.push(format!(
                "{}: expected {:?}, got {codes:?}",
                c.name, c.expect
            ));
        }
        if report.ready != c.ready {
            failures.push(format!(
                "{}: ready = {}, expected {}",
                c.name, report.ready, c.ready
            ));
        }
        for bad in &c.not {
            if report.has(*bad) {
                failures.push(format!("{}: unexpected {bad:?} in {codes:?}", c.name));
            }
        }
        let f = report.findings.iter().find(|f| f.code == c.expect);
        if let Some(f) = f {
            if f.message.is_empty() || f.evidence.is_empty() {
                failures.push(format!(
                    "{}: {:?} has no message or evidence",
                    c.name, c.expect
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn ready_when_every_authoritative_server_has_the_value() {
    let lab = Lab::new(3, vec![]).await;
    lab.publish_everywhere("@", &[EXPECTED, "v=spf1 -all"])
        .await;
    for domain in ["contoso.test", "CONTOSO.Test.", "contoso.test."] {
        let report = bounded(check(domain, EXPECTED, &lab.check_options()))
            .await
            .unwrap();
        assert!(report.ready, "{domain}: {:?}", report.findings);
        assert_eq!(report.codes(), vec![F::Ready], "{domain}");
        assert_eq!(report.domain, "contoso.test");
        assert_eq!(report.table.authoritative_rows().count(), 3);
        let ready = &report.findings[0];
        assert_eq!(ready.evidence.len(), 3);
    }
}

#[tokio::test]
async fn findings_serialise_with_snake_case_codes() {
    let lab = Lab::new(1, vec![Behaviour::Refuse]).await;
    let report = bounded(check("contoso.test", EXPECTED, &lab.check_options()))
        .await
        .unwrap();
    let json = serde_json::to_value(&report).unwrap();
    let codes: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"lame_delegation"), "{codes:?}");
    assert!(codes.contains(&"txt_missing"), "{codes:?}");
    assert_eq!(json["ready"], false);
    let rows = json["table"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1]["answer_code"], "REFUSED");
    for code in codes {
        assert_eq!(code, code.to_lowercase());
    }
}

#[tokio::test]
async fn an_unusable_resolver_gives_lookup_failed_quickly() {
    use hybridsync_dns::testing::ScriptedServer;
    for behaviour in [Behaviour::Silent, Behaviour::Refuse] {
        let resolver = ScriptedServer::start(behaviour.clone()).await.unwrap();
        let mut options = hybridsync_dns::CheckOptions::default();
        options.authority.resolver = Some(resolver.addr());
        options.authority.query.timeout = std::time::Duration::from_millis(300);
        let report = bounded(check("contoso.test", EXPECTED, &options))
            .await
            .unwrap();
        assert_eq!(report.codes(), vec![F::LookupFailed], "{behaviour:?}");
        assert!(!report.ready);
        assert!(!report.findings[0].evidence.is_empty());
    }
}

#[tokio::test]
async fn an_invalid_domain_is_an_error_not_a_finding() {
    let err = check(
        "not a domain",
        EXPECTED,
        &hybridsync_dns::CheckOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, hybridsync_dns::DnsError::InvalidName { .. }),
        "{err:?}"
    );
}
