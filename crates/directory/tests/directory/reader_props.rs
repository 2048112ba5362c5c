//! Property tests of the readers: no panic on any input, and round trips of
//! generated files (folded lines, base64, quoting).

use base64::Engine as _;
use hybridsync_directory::{CsvReader, DirObject, LdifReader};
use proptest::prelude::*;

/// Drain a reader, checking it stops (an error ends the iteration) and
/// every error names a line within the input.
fn drain<I: Iterator<Item = Result<DirObject, hybridsync_directory::ReadError>>>(
    it: I,
    input: &[u8],
) {
    let lines = input.split(|&b| b == b'\n').count() as u64 + 1;
    let mut n = 0u64;
    for r in it {
        n += 1;
        assert!(n <= lines + 1, "more objects than lines");
        if let Err(e) = r {
            assert!(
                e.line <= lines,
                "error line {} beyond {} lines",
                e.line,
                lines
            );
        }
    }
}

fn ldif_like() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just(String::new()),
        Just("version: 1".to_string()),
        "dn:{1,2} ?[A-Za-z0-9=,+/ ]{0,12}",
        "[a-zA-Z;-]{1,8}:{1,2} ?[A-Za-z0-9=+/ \\x00-\\x7f]{0,12}",
        " [^\n]{0,10}",
        "#[^\n]{0,10}",
        "changetype: (add|modify|delete)",
        "[^\n]{0,12}",
    ];
    prop::collection::vec((line, prop_oneof![Just("\n"), Just("\r\n")]), 0..40)
        .prop_map(|v| v.into_iter().map(|(l, e)| format!("{l}{e}")).collect())
}

fn csv_like() -> impl Strategy<Value = String> {
    let field = prop_oneof![
        "[A-Za-z0-9 ,;:=@.]{0,10}",
        "\"[^\"]{0,10}\"",
        "\"[A-Za-z\"]{0,10}",
        Just("DistinguishedName".to_string()),
        Just("Microsoft.ActiveDirectory.Management.ADPropertyValueCollection".to_string()),
    ];
    let row = prop::collection::vec(field, 0..5).prop_map(|f| f.join(","));
    (any::<bool>(), prop::collection::vec(row, 0..12)).prop_map(|(ty, rows)| {
        let mut s = if ty {
            "#TYPE x\n".to_string()
        } else {
            String::new()
        };
        s.push_str("DistinguishedName,mail,proxyAddresses\n");
        s.push_str(&rows.join("\n"));
        s
    })
}

fn needs_base64(v: &str) -> bool {
    v.starts_with([' ', ':', '<']) || v.bytes().any(|b| !(0x20..0x7f).contains(&b))
}

/// Write LDIF the way ldifde would, folding every 76 bytes (even inside a
/// UTF-8 sequence, which is legal: folds are octet-based).
fn write_ldif(objs: &[(String, Vec<(String, String)>)], crlf: bool) -> Vec<u8> {
    let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
    let mut out = b"version: 1".to_vec();
    out.extend_from_slice(eol);
    for (dn, attrs) in objs {
        out.extend_from_slice(eol);
        let mut lines = vec![("dn".to_string(), dn.clone())];
        lines.extend(attrs.iter().cloned());
        for (name, value) in lines {
            let logical = if needs_base64(&value) {
                format!(
                    "{name}:: {}",
                    base64::engine::general_purpose::STANDARD.encode(value)
                )
            } else {
                format!("{name}: {value}")
            };
            let bytes = logical.as_bytes();
            out.extend_from_slice(&bytes[..bytes.len().min(76)]);
            for chunk in bytes.get(76..).unwrap_or(&[]).chunks(75) {
                out.extend_from_slice(eol);
                out.push(b' ');
                out.extend_from_slice(chunk);
            }
            out.extend_from_slice(eol);
        }
    }
    out
}

const NAMES: &[&str] = &[
    "cn",
    "mail",
    "displayName",
    "proxyAddresses",
    "userPrincipalName",
    "objectClass",
    "description",
];

fn objects() -> impl Strategy<Value = Vec<(String, Vec<(String, String)>)>> {
    let attr = (0..NAMES.len(), any::<String>()).prop_map(|(i, v)| (NAMES[i].to_string(), v));
    let obj = ("[^\r\n]{1,90}", prop::collection::vec(attr, 0..6));
    prop::collection::vec(obj, 0..6)
}

proptest! {
    #[test]
    fn ldif_reader_never_panics_on_bytes(input in prop::collection::vec(any::<u8>(), 0..400)) {
        drain(LdifReader::new(input.as_slice()), &input);
    }

    #[test]
    fn ldif_reader_never_panics_on_ldif_like_text(input in ldif_like()) {
        drain(LdifReader::new(input.as_bytes()), input.as_bytes());
    }

    #[test]
    fn csv_reader_never_panics_on_bytes(input in prop::collection::vec(any::<u8>(), 0..400)) {
        drain(CsvReader::new(input.as_slice()), &input);
    }

    #[test]
    fn csv_reader_never_panics_on_csv_like_text(input in csv_like()) {
        drain(CsvReader::new(input.as_bytes()), input.as_bytes());
    }

    #[test]
    fn ldif_round_trip(objs in objects(), crlf in any::<bool>()) {
        let objs: Vec<_> = objs.into_iter().filter(|(dn, _)| !dn.trim().is_empty()).collect();
        let file = write_ldif(&objs, crlf);
        let read: Vec<DirObject> = LdifReader::new(file.as_slice()).collect::<Result<_, _>>().unwrap();
        let want: Vec<DirObject> = objs
            .iter()
            .map(|(dn, attrs)| {
                let mut o = DirObject::new(dn.clone());
                for (n, v) in attrs {
                    o.push(n, v.clone());
                }
                o
            })
            .collect();
        prop_assert_eq!(read, want);
    }

    #[test]
    fn csv_round_trip(
        rows in prop::collection::vec(
            ("[A-Za-z][^\r\n]{0,30}[A-Za-z]", "[^\u{feff}]{0,20}", "[^\u{feff}]{0,20}", prop::collection::vec("[a-z]{1,8}", 0..4)),
            0..8,
        ),
        type_line in any::<bool>(),
    ) {
        let mut w = csv::WriterBuilder::new().quote_style(csv::QuoteStyle::Always).from_writer(Vec::new());
        w.write_record(["DistinguishedName", "displayName", "description", "proxyAddresses"]).unwrap();
        for (dn, display, desc, proxies) in &rows {
            let joined: Vec<String> = proxies.iter().map(|p| format!("smtp:{p}@contoso.com")).collect();
            w.write_record([dn.as_str(), display, desc, &joined.join(";")]).unwrap();
        }
        let mut file = if type_line { b"#TYPE Selected.Microsoft.ActiveDirectory.Management.ADUser\r\n".to_vec() } else { Vec::new() };
        file.extend(w.into_inner().unwrap());
        let read: Vec<DirObject> = CsvReader::new(file.as_slice()).collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(read.len(), rows.len());
        for (o, (dn, display, desc, proxies)) in read.iter().zip(&rows) {
            prop_assert_eq!(&o.dn, dn);
            let want = |v: &String| if v.is_empty() { vec![] } else { vec![v.clone()] };
            prop_assert_eq!(o.values("displayName").to_vec(), want(display));
            prop_assert_eq!(o.values("description").to_vec(), want(desc));
            prop_assert_eq!(o.values("proxyAddresses").len(), proxies.len());
        }
    }
}
