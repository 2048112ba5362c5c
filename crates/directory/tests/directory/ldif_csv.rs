//! LDIF and CSV readers: formats as ldifde and Export-Csv write them, and
//! errors with line numbers.

use hybridsync_directory::{CsvReader, DirObject, LdifReader, ReadError};

fn ldif(text: &str) -> Vec<Result<DirObject, ReadError>> {
    LdifReader::new(text.as_bytes()).collect()
}

fn ldif_ok(text: &str) -> Vec<DirObject> {
    ldif(text).into_iter().map(|r| r.unwrap()).collect()
}

fn ldif_err(text: &str) -> ReadError {
    ldif(text)
        .into_iter()
        .find_map(Result::err)
        .expect("an error")
}

const LDIFDE: &str = "version: 1\r\n\
# exported by ldifde\r\n\
# a folded comment\r\n \
continues here\r\n\
\r\n\
dn: CN=Jane Doe,OU=Staff,DC=contoso,DC=local\r\n\
changetype: add\r\n\
objectClass: top\r\n\
objectClass: person\r\n\
objectClass: organizationalPerson\r\n\
objectClass: user\r\n\
cn: Jane Doe\r\n\
displayName:: Sm9zw6kgTcO8bGxlcg==\r\n\
userPrincipalName: jane.doe@contoso.l\r\n \
ocal\r\n\
proxyAddresses: SMTP:jane@contoso.com\r\n\
proxyAddresses: smtp:jd@contoso.com\r\n\
proxyAddresses: X500:/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=jane\r\n\
objectGUID:: 3q2+7wAAAAAAAAAAAAAAAA==\r\n\
cn;lang-de: Jana\r\n\
description:\r\n\
\r\n\
dn:: Q049S3JidGd0LENOPVVzZXJzLERDPWNvbnRvc28sREM9bG9jYWw=\r\n\
objectClass: user\r\n\
isCriticalSystemObject: TRUE\r\n";

#[test]
fn ldif_as_ldifde_writes_it() {
    let objs = ldif_ok(LDIFDE);
    assert_eq!(objs.len(), 2);
    let jane = &objs[0];
    assert_eq!(jane.dn, "CN=Jane Doe,OU=Staff,DC=contoso,DC=local");
    assert_eq!(
        jane.object_class,
        ["top", "person", "organizationalPerson", "user"]
    );
    assert_eq!(jane.first("displayName"), Some("José Müller"));
    assert_eq!(
        jane.first("userprincipalname"),
        Some("jane.doe@contoso.local")
    );
    assert_eq!(jane.values("proxyAddresses").len(), 3);
    assert!(jane.values("proxyAddresses")[2].contains("(FYDIBOHF23SPDLT)"));
    assert_eq!(
        jane.values("objectGUID").len(),
        0,
        "binary values are skipped"
    );
    assert_eq!(jane.values("cn"), ["Jane Doe", "Jana"]);
    assert_eq!(jane.values("description"), [""]);
    assert!(!jane.is_critical_system_object);
    assert!(jane.attributes.keys().all(|k| k == &k.to_lowercase()));
    let krbtgt = &objs[1];
    assert_eq!(krbtgt.dn, "CN=Krbtgt,CN=Users,DC=contoso,DC=local");
    assert!(krbtgt.is_critical_system_object);
}

#[test]
fn ldif_lf_and_crlf_read_the_same() {
    assert_eq!(ldif_ok(LDIFDE), ldif_ok(&LDIFDE.replace("\r\n", "\n")));
}

#[test]
fn ldif_utf8_bom_and_utf16le() {
    let with_bom = format!("\u{FEFF}{LDIFDE}");
    assert_eq!(ldif_ok(&with_bom), ldif_ok(LDIFDE));
    let mut utf16 = vec![0xFF, 0xFE];
    for u in LDIFDE.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let objs: Vec<_> = LdifReader::new(utf16.as_slice())
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(objs, ldif_ok(LDIFDE));
}

#[test]
fn ldif_many_blank_lines_and_no_trailing_newline() {
    let objs = ldif_ok("\n\n\ndn: CN=A,DC=x\ncn: A\n\n\n\ndn: CN=B,DC=x\ncn: B");
    assert_eq!(objs.len(), 2);
    assert_eq!(objs[1].first("cn"), Some("B"));
}

#[test]
fn ldif_errors_carry_line_numbers() {
    let e = ldif_err("dn: CN=A,DC=x\ncn: A\nthis line has no colon\n");
    assert_eq!(e.line, 3, "{e}");
    let e = ldif_err("dn: CN=A,DC=x\ncn: A\n\ndn: CN=B,DC=x\nmail:: !!!notbase64\n");
    assert_eq!(e.line, 5, "{e}");
    assert!(e.message.contains("base64"), "{e}");
    let e = ldif_err("version: 1\n\ncn: A\n");
    assert_eq!(e.line, 3, "{e}");
    assert!(e.message.contains("dn:"), "{e}");
    let e = ldif_err(" continuation first\n");
    assert_eq!(e.line, 1, "{e}");
    let e = ldif_err("dn: CN=A,DC=x\nchangetype: modify\nreplace: mail\n");
    assert_eq!(e.line, 2, "{e}");
    let e = ldif_err("dn: CN=A,DC=x\njpegPhoto:< file:///tmp/a.jpg\n");
    assert_eq!(e.line, 2, "{e}");
    // Line numbers count physical lines, folds included.
    let e = ldif_err("dn: CN=A,\n DC=x\ncn: A\n  B\nbad line\n");
    assert_eq!(e.line, 5, "{e}");
    assert!(e.to_string().starts_with("line 5: "));
}

#[test]
fn ldif_iteration_stops_after_an_error() {
    let all = ldif("dn: CN=A,DC=x\n\nbad\n\ndn: CN=B,DC=x\n");
    assert_eq!(all.len(), 2);
    assert!(all[0].is_ok() && all[1].is_err());
}

fn csv(text: &str) -> Vec<Result<DirObject, ReadError>> {
    CsvReader::new(text.as_bytes()).collect()
}

fn csv_err(text: &str) -> ReadError {
    csv(text)
        .into_iter()
        .find_map(Result::err)
        .expect("an error")
}

const EXPORT_CSV: &str = "#TYPE Selected.Microsoft.ActiveDirectory.Management.ADUser\r\n\
\"DistinguishedName\",\"ObjectClass\",\"UserPrincipalName\",\"SAMACCOUNTNAME\",\"displayName\",\"EmailAddress\",\"proxyAddresses\",\"GivenName\"\r\n\
\"CN=Doe\\, Jane,OU=Staff,DC=contoso,DC=local\",\"user\",\"jane@contoso.local\",\"jdoe\",\"Doe, Jane \"\"JD\"\"\",\"jane@contoso.com\",\"SMTP:jane@contoso.com;smtp:jd@contoso.com;X400:C=US;A= ;P=Contoso;O=Exchange;S=Doe;G=Jane;\",\"\"\r\n\
\"CN=Bob,OU=Staff,DC=contoso,DC=local\",\"user\",\"bob@contoso.com\",\"bob\",\"Bob\",\"\",\"\",\"Bob\"\r\n";

#[test]
fn csv_as_export_csv_writes_it() {
    let objs: Vec<DirObject> = csv(EXPORT_CSV).into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(objs.len(), 2);
    let jane = &objs[0];
    assert_eq!(jane.dn, "CN=Doe\\, Jane,OU=Staff,DC=contoso,DC=local");
    assert_eq!(jane.object_class, ["user"]);
    assert_eq!(jane.cn(), "Doe, Jane");
    assert_eq!(jane.first("samaccountname"), Some("jdoe"));
    assert_eq!(jane.first("displayName"), Some("Doe, Jane \"JD\""));
    assert_eq!(
        jane.first("mail"),
        Some("jane@contoso.com"),
        "EmailAddress maps to mail"
    );
    assert_eq!(
        jane.values("proxyAddresses"),
        [
            "SMTP:jane@contoso.com",
            "smtp:jd@contoso.com",
            "X400:C=US;A= ;P=Contoso;O=Exchange;S=Doe;G=Jane;"
        ]
    );
    assert!(jane.values("givenName").is_empty(), "empty cell = not set");
    let bob = &objs[1];
    assert!(bob.values("mail").is_empty());
    assert!(bob.values("proxyAddresses").is_empty());
}

#[test]
fn csv_without_type_line_with_bom_and_lf() {
    let text = EXPORT_CSV
        .split_once("\r\n")
        .unwrap()
        .1
        .replace("\r\n", "\n");
    let a: Vec<_> = csv(&format!("\u{FEFF}{text}"))
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    let b: Vec<_> = csv(EXPORT_CSV).into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(a, b);
}

#[test]
fn csv_errors_carry_line_numbers() {
    let e = csv_err("#TYPE x\n\"Name\",\"mail\"\n\"a\",\"b\"\n");
    assert_eq!(e.line, 2, "{e}");
    assert!(e.message.contains("DistinguishedName"), "{e}");
    let e = csv_err("DistinguishedName,mail\nCN=A,a@x.com\nCN=B\n");
    assert_eq!(e.line, 3, "{e}");
    let e = csv_err("#TYPE x\nDistinguishedName,mail\nCN=A,a@x.com\nCN=B,b@x.com,extra\n");
    assert_eq!(e.line, 4, "{e}");
    let e = csv_err(
        "DistinguishedName,proxyAddresses\nCN=A,smtp:a@x.com\nCN=B,Microsoft.ActiveDirectory.Management.ADPropertyValueCollection\n",
    );
    assert_eq!(e.line, 3, "{e}");
    assert!(e.message.contains("join"), "{e}");
    let e = csv_err("DistinguishedName,mail\n,a@x.com\n");
    assert_eq!(e.line, 2, "{e}");
    let mut bad = b"DistinguishedName,mail\nCN=A,a@x.com\nCN=B,".to_vec();
    bad.extend_from_slice(&[0xC3, 0x28, b'\n']);
    let e = CsvReader::new(bad.as_slice())
        .find_map(Result::err)
        .unwrap();
    assert_eq!(e.line, 3, "{e}");
    let e = csv_err("");
    assert_eq!(e.line, 1, "{e}");
}

#[test]
fn csv_multiline_quoted_field_keeps_later_line_numbers_right() {
    let e = csv_err("DistinguishedName,description\nCN=A,\"two\nlines\"\nCN=B,x,y\n");
    assert_eq!(e.line, 4, "{e}");
}

#[test]
fn ldif_utf16be_and_a_base64_cnf_dn() {
    // ldifde writes a conflict DN (with its embedded line feed) as base64.
    let text = "dn:: Q049SmFuZQpDTkY6MTIzNCxEQz1jb250b3NvLERDPWNvbQ==\nobjectClass: user\n";
    let mut utf16 = vec![0xFE, 0xFF];
    for u in text.encode_utf16() {
        utf16.extend_from_slice(&u.to_be_bytes());
    }
    let objs: Vec<_> = LdifReader::new(utf16.as_slice())
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(objs.len(), 1);
    assert_eq!(objs[0].dn, "CN=Jane\nCNF:1234,DC=contoso,DC=com");
    assert!(hybridsync_directory::skip::skip_reason(&objs[0]).is_some());
}

#[test]
fn csv_header_only_and_isolated_columns() {
    assert!(csv("\"DistinguishedName\",\"mail\"\r\n").is_empty());
    let objs: Vec<DirObject> = csv("DN,isCriticalSystemObject,Name\nCN=x,True,Some Name\n")
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    assert!(objs[0].is_critical_system_object);
    assert_eq!(objs[0].first("cn"), Some("Some Name"), "Name maps to cn");
    let e = csv_err("DistinguishedName,mail,MAIL\nCN=x,a,b\n");
    assert_eq!(e.line, 1, "{e}");
}
