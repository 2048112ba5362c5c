//! Issue 18: input that is not an export (an endless line, nothing at all, a text value that is
//! not text) is refused with the line and the reason, before it fills the memory.
use std::io::Read;

use hybridsync_directory::{scan_csv, scan_ldif, RuleOptions};

#[test]
fn an_endless_line_is_refused_before_it_fills_the_memory() {
    // /dev/zero: no line end, ever. 64 MiB stands in for "forever".
    let zeros = std::io::repeat(0).take(64 * 1024 * 1024);
    let e = scan_ldif(zeros, RuleOptions::default()).unwrap_err();
    assert!(e.message.contains("longer than 16 MiB"), "{e}");
    let zeros = std::io::repeat(b'a').take(64 * 1024 * 1024);
    let e = scan_csv(zeros, RuleOptions::default()).unwrap_err();
    assert!(e.message.contains("longer than 16 MiB"), "{e}");
}

#[test]
fn an_export_with_no_object_is_an_error_not_a_clean_directory() {
    for input in ["", "\n\n", "version: 1\n", "# only a comment\n"] {
        let e = scan_ldif(input.as_bytes(), RuleOptions::default()).unwrap_err();
        assert!(
            e.message.contains("holds no directory object"),
            "{input:?}: {e}"
        );
    }
    let e = scan_csv(
        "DistinguishedName,UserPrincipalName\n".as_bytes(),
        RuleOptions::default(),
    )
    .unwrap_err();
    assert!(e.message.contains("holds no directory object"), "{e}");
}

#[test]
fn a_text_attribute_that_is_not_utf8_is_reported_with_its_line() {
    // "bob\xff@contoso.com" in base64: not UTF-8.
    let ldif = "dn: CN=Bob,DC=contoso,DC=com\nobjectClass: user\nobjectGUID:: AAECAwQFBgcICQoLDA0ODw==\nuserPrincipalName:: Ym9i/0Bjb250b3NvLmNvbQ==\n";
    let e = scan_ldif(ldif.as_bytes(), RuleOptions::default()).unwrap_err();
    assert_eq!(e.line, 4, "{e}");
    assert!(
        e.message
            .contains("userPrincipalName value is base64 but not UTF-8"),
        "{e}"
    );
}
