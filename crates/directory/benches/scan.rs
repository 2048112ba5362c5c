//! Benchmark: generate a 100,000-object LDIF (as ldifde writes it) and scan
//! it, printing the time and the peak resident memory. Goal: ≤5 s, ≤300 MB.
//!
//! `cargo bench -p hybridsync-directory --bench scan` (plain main, no
//! harness). Set `SCAN_OBJECTS` to change the count.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::time::Instant;

use hybridsync_directory::{scan_ldif, RuleOptions};

fn write_ldif(path: &std::path::Path, n: usize) -> std::io::Result<u64> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    writeln!(w, "version: 1")?;
    for i in 0..n {
        // About 2% of objects carry a problem: diacritics, .local suffixes,
        // spaces, shared addresses (duplicates); 5% are groups.
        let (first, last) = if i % 97 == 0 {
            ("Jos\u{e9}", "M\u{fc}ller")
        } else {
            ("Jane", "Doe")
        };
        let suffix = if i % 89 == 0 {
            "contoso.local"
        } else {
            "contoso.com"
        };
        let alias = if i % 83 == 0 {
            format!("{first}.{last} {i}")
        } else {
            format!("{first}.{last}{i}")
        };
        let dn = format!(
            "CN={first} {last} {i},OU=Staff {},DC=contoso,DC=local",
            i % 50
        );
        writeln!(w)?;
        if first.is_ascii() {
            writeln!(w, "dn: {dn}")?;
        } else {
            writeln!(w, "dn:: {}", b64(dn.as_bytes()))?;
        }
        writeln!(w, "changetype: add")?;
        if i % 20 == 0 {
            writeln!(w, "objectClass: top\nobjectClass: group")?;
            writeln!(w, "groupType: -2147483646")?;
            writeln!(w, "mail: group{i}@contoso.com")?;
        } else {
            writeln!(
                w,
                "objectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: user"
            )?;
        }
        writeln!(w, "cn: {first} {last} {i}")?;
        writeln!(w, "sAMAccountName: u{i:07}")?;
        let upn = format!("{alias}@{suffix}");
        if upn.is_ascii() {
            writeln!(w, "userPrincipalName: {upn}")?;
        } else {
            writeln!(w, "userPrincipalName:: {}", b64(upn.as_bytes()))?;
        }
        let display = format!("{first} {last} ({i})");
        writeln!(w, "displayName:: {}", b64(display.as_bytes()))?;
        writeln!(w, "givenName: Jane\nsn: Doe")?;
        let mail = if i % 101 == 0 {
            "shared@contoso.com".to_string()
        } else {
            format!("jane.doe{i}@contoso.com")
        };
        writeln!(w, "mail: {mail}")?;
        writeln!(w, "mailNickname: janedoe{i}")?;
        writeln!(w, "proxyAddresses: SMTP:{mail}")?;
        writeln!(w, "proxyAddresses: smtp:jd{i}@contoso.mail.onmicrosoft.com")?;
        writeln!(
            w,
            "proxyAddresses: X500:/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn={i:032x}-Jane Do\n e"
        )?;
        writeln!(w, "targetAddress: SMTP:jd{i}@contoso.mail.onmicrosoft.com")?;
        writeln!(w, "objectGUID:: {}", b64(&(i as u128).to_le_bytes()))?;
        writeln!(w, "whenCreated: 20240101120000.0Z")?;
    }
    w.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Peak resident set size in kB (VmHWM), where the OS reports it.
fn peak_rss_kb() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        return line.split_whitespace().nth(1)?.parse().ok();
    }
    #[allow(unreachable_code)]
    None
}

/// CPU time (user + system) of this process in seconds, where the OS
/// reports it (USER_HZ is 100 on Linux).
fn cpu_seconds() -> Option<f64> {
    #[cfg(target_os = "linux")]
    {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        // Fields after the command name, which is in parentheses.
        let rest = &stat[stat.rfind(')')? + 2..];
        let f: Vec<&str> = rest.split_whitespace().collect();
        let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
        return Some(ticks as f64 / 100.0);
    }
    #[allow(unreachable_code)]
    None
}

fn main() {
    let n: usize = std::env::var("SCAN_OBJECTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("export.ldf");
    let t = Instant::now();
    let bytes = write_ldif(&path, n).expect("write LDIF");
    println!(
        "generated {n} objects, {:.1} MB, in {:.2?}",
        bytes as f64 / 1e6,
        t.elapsed()
    );
    let rss_before = peak_rss_kb();

    // Parsing alone, to tell reader time from rule time.
    let t = Instant::now();
    let mut parsed = 0usize;
    for obj in hybridsync_directory::LdifReader::new(File::open(&path).expect("open")) {
        obj.expect("read");
        parsed += 1;
    }
    println!(
        "parse only: {parsed} objects in {:.3} s wall",
        t.elapsed().as_secs_f64()
    );

    let cpu_before = cpu_seconds();
    let t = Instant::now();
    let report = scan_ldif(File::open(&path).expect("open"), RuleOptions::default()).expect("scan");
    let elapsed = t.elapsed();
    println!(
        "scanned {} objects ({} skipped): {} findings ({} errors), {} UPN suffixes",
        report.objects,
        report.skipped,
        report.findings.len(),
        report.errors(),
        report.upn_suffixes.len()
    );
    println!(
        "scan time: {:.3} s wall (goal <= 5 s)",
        elapsed.as_secs_f64()
    );
    if let (Some(b), Some(a)) = (cpu_before, cpu_seconds()) {
        println!("scan CPU time: {:.2} s (user + system)", a - b);
    }
    match (rss_before, peak_rss_kb()) {
        (Some(b), Some(a)) => println!(
            "peak RSS (VmHWM): {:.1} MB (goal <= 300 MB; {:.1} MB before the scan)",
            a as f64 / 1024.0,
            b as f64 / 1024.0
        ),
        _ => println!("peak RSS: not available on this OS"),
    }
    assert_eq!(report.objects as usize, n);
}
