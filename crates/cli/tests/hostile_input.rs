//! Issue 18: the real binary over hostile input. Every case must end with its documented exit
//! status, never a panic; no planted secret may reach any output or any file the run leaves
//! (logs included, which are the owner's only); no half-written file or temporary file may stay.
//! The table it prints is the audit's figures.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Planted in the inputs; must appear in no output and no file the binary writes.
const SECRET: &str = "Hunter2-Audit-7c1f";
const TENANT: &str = "3f2a6c1e-8b4d-4e7a-9c15-2d6b8e0f4a91";

struct Case {
    name: &'static str,
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
    want: i32,
}

fn case(name: &'static str, want: i32, args: &[&str]) -> Case {
    Case {
        name,
        args: args.iter().map(|s| s.to_string()).collect(),
        env: Vec::new(),
        want,
    }
}

fn run(home: &Path, work: &Path, c: &Case) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hybridsync"))
        .args(&c.args)
        .env("HYBRIDSYNC_HOME", home)
        .env_remove("HYBRIDSYNC_CLIENT_ID")
        .envs(c.env.iter().map(|(k, v)| (*k, v.as_str())))
        .current_dir(work)
        .output()
        .unwrap()
}

/// Every file under `root` and whether it holds `needle`.
fn files(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                stack.push(e.unwrap().path());
            }
        } else if let Ok(bytes) = std::fs::read(&p) {
            out.push((p, bytes));
        }
    }
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    String::from_utf8_lossy(hay).contains(needle)
}

#[test]
fn hostile_input_ends_with_the_documented_exit_no_panic_no_secret_no_half_written_file() {
    let dir = tempfile::tempdir().unwrap();
    let (home, work, inputs) = (
        dir.path().join("home"),
        dir.path().join("work"),
        dir.path().join("inputs"),
    );
    for d in [&home, &work, &inputs] {
        std::fs::create_dir_all(d).unwrap();
    }
    let input = |name: &str, bytes: &[u8]| {
        let p = inputs.join(name);
        std::fs::write(&p, bytes).unwrap();
        p.display().to_string()
    };
    let plan_secret = input(
        "plan-secret.toml",
        format!("[tenant]\ndomain = \"contoso.com\"\npassword = \"{SECRET}\"\n").as_bytes(),
    );
    let plan_secret_value = input(
        "plan-secret-value.toml",
        format!("[tenant]\ndomain = [\"{SECRET}\"]\n").as_bytes(),
    );
    let plan_ok = input(
        "plan.toml",
        b"[tenant]\ndomain = \"contoso.com\"\nauthority = \"https://127.0.0.1:9\"\n",
    );
    let empty = input("empty.ldf", b"");
    let upn = input("upn.ldf", b"dn: CN=Bob,DC=contoso,DC=com\nobjectClass: user\nuserPrincipalName:: Ym9i/0Bjb250b3NvLmNvbQ==\n");
    let ldif = input("ok.ldf", b"dn: CN=Jos\xc3\xa9,DC=contoso,DC=local\nobjectClass: user\nuserPrincipalName: jos\xc3\xa9@contoso.local\n");
    let csv_header = input("header.csv", b"DistinguishedName,UserPrincipalName\n");
    let mut der = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "/dev/null",
            "-subj",
            "/CN=audit",
            "-days",
            "30",
            "-outform",
            "DER",
        ])
        .output()
        .expect("the openssl CLI is installed")
        .stdout;
    der.extend_from_slice(b"\x00trailing");
    let trailing = input("trailing.cer", &der);
    let dir_out = work.join("a-folder.html");
    std::fs::create_dir_all(&dir_out).unwrap();
    let pfx_env = ("PFX_PW", "Audit-Pfx-Passw0rd!".to_string());

    let mut cases = vec![
        case(
            "plan with a password key",
            2,
            &["run", "--plan", &plan_secret],
        ),
        case(
            "plan with a secret where a value belongs",
            2,
            &["run", "--plan", &plan_secret_value],
        ),
        case(
            "plan missing",
            2,
            &["run", "--plan", "/nonexistent/plan.toml"],
        ),
        case("plan is /dev/zero", 2, &["run", "--plan", "/dev/zero"]),
        case(
            "journal path unusable",
            2,
            &[
                "run",
                "--plan",
                &plan_ok,
                "--journal",
                "/dev/null/run.jsonl",
            ],
        ),
        case(
            "report path is a folder",
            2,
            &[
                "run",
                "--plan",
                &plan_ok,
                "--report",
                dir_out.to_str().unwrap(),
            ],
        ),
        case(
            "report path under a file",
            2,
            &["run", "--plan", &plan_ok, "--report", "/dev/null/r.html"],
        ),
        case(
            "LDIF is /dev/zero",
            2,
            &["directory", "scan", "--ldif", "/dev/zero"],
        ),
        case("LDIF is empty", 2, &["directory", "scan", "--ldif", &empty]),
        case(
            "LDIF UPN not UTF-8",
            2,
            &["directory", "scan", "--ldif", &upn],
        ),
        case(
            "CSV with no row",
            2,
            &["directory", "scan", "--csv", &csv_header],
        ),
        case(
            "CSV is /dev/zero",
            2,
            &["directory", "scan", "--csv", "/dev/zero"],
        ),
        case(
            "--upn-suffix not a domain",
            2,
            &[
                "directory",
                "scan",
                "--ldif",
                &ldif,
                "--upn-suffix",
                "not a domain!",
            ],
        ),
        case(
            "--upn-suffix IP address",
            2,
            &[
                "directory",
                "scan",
                "--ldif",
                &ldif,
                "--upn-suffix",
                "192.168.1.1",
            ],
        ),
        case(
            "--upn-suffix extra periods",
            2,
            &[
                "directory",
                "scan",
                "--ldif",
                &ldif,
                "--upn-suffix",
                "contoso.com..",
            ],
        ),
        case(
            "--tenant-domains is /dev/zero",
            2,
            &[
                "directory",
                "scan",
                "--ldif",
                &ldif,
                "--tenant-domains",
                "/dev/zero",
            ],
        ),
        case(
            "fix-script with a bad --upn-suffix",
            2,
            &[
                "directory",
                "fix-script",
                "--ldif",
                &ldif,
                "--upn-suffix",
                "co.uk",
                "--out",
                "fix",
            ],
        ),
        case(
            "certificate with trailing bytes",
            2,
            &["cert", "inspect", &trailing],
        ),
        case(
            "certificate is /dev/zero",
            2,
            &["cert", "inspect", "/dev/zero"],
        ),
        case(
            "CRM script result is /dev/zero",
            2,
            &["crm-script", "import", "/dev/zero"],
        ),
        case(
            "domain with extra periods",
            2,
            &["domain", "add", "contoso.com.."],
        ),
        case(
            "domain is an IP address",
            2,
            &["domain", "add", "192.168.1.1"],
        ),
        case(
            "CRM URL without organization",
            2,
            &["mailboxes", "list", "--url", "https://127.0.0.1:9"],
        ),
        case(
            "CRM URL with credentials",
            2,
            &[
                "mailboxes",
                "list",
                "--url",
                &format!("https://svc:{SECRET}@crm.contoso.com/contoso"),
            ],
        ),
        case(
            "CRM URL with a query",
            2,
            &[
                "mailboxes",
                "list",
                "--url",
                "https://crm.contoso.com/contoso?x=1",
            ],
        ),
        case(
            "CRM URL of the Web API",
            2,
            &[
                "mailboxes",
                "list",
                "--url",
                "https://crm.contoso.com/contoso/api/data/v9.0",
            ],
        ),
        case(
            "--ca-file is /dev/zero",
            2,
            &[
                "tenant",
                "discover",
                "contoso.com",
                "--authority",
                "https://127.0.0.1:9",
                "--ca-file",
                "/dev/zero",
            ],
        ),
    ];
    let mut c = case(
        "cert new",
        0,
        &[
            "cert",
            "new",
            "--common-name",
            "Audit-S2S",
            "--out-dir",
            ".",
            "--name",
            "s2s",
            "--windows-server",
            "2019",
            "--password-env",
            "PFX_PW",
        ],
    );
    c.env.push(pfx_env.clone());
    cases.push(c);
    let mut c = case(
        "cert new over an existing key",
        2,
        &[
            "cert",
            "new",
            "--common-name",
            "Audit-S2S",
            "--out-dir",
            ".",
            "--name",
            "s2s",
            "--windows-server",
            "2019",
            "--password-env",
            "PFX_PW",
        ],
    );
    c.env.push(pfx_env.clone());
    cases.push(c);
    let mut c = case(
        "CRM script: service account with a Unicode quote",
        2,
        &[
            "crm-script",
            "--out",
            "crm.ps1",
            "--certificate",
            "s2s.cer",
            "--pfx-on-server",
            "C:\\s2s\\s2s.pfx",
            "--service-account",
            "CONTOSO\\svc\u{2019}; Start-Process calc; \u{2019}",
            "--organization",
            "contoso",
            "--tenant-id",
            TENANT,
        ],
    );
    c.env.push(pfx_env.clone());
    cases.push(c);

    let mut rows = Vec::new();
    let mut outputs: Vec<Vec<u8>> = Vec::new();
    for c in &cases {
        let out = run(&home, &work, c);
        let text = [out.stdout.clone(), out.stderr.clone()].concat();
        let got = out.status.code().unwrap_or(-1);
        let panicked = contains(&text, "panicked")
            || contains(&text, "internal error")
            || got == 101
            || got == 134
            || got == 10;
        let secret = contains(&text, SECRET);
        rows.push((
            c.name,
            c.want,
            got,
            panicked,
            secret,
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .next()
                .unwrap_or("")
                .to_string(),
        ));
        outputs.push(text);
    }

    // A closed stdout (`| head`): quiet, with the documented status for "cancelled".
    let mut many = String::new();
    for i in 0..20_000 {
        many.push_str(&format!("dn: CN=Jos\u{e9} {i},DC=contoso,DC=local\nobjectClass: user\nuserPrincipalName: jos\u{e9}{i}@contoso.local\n\n"));
    }
    let many = input("many.ldf", many.as_bytes());
    let piped = Command::new("bash")
        .args(["-c", "\"$0\" directory scan --ldif \"$1\" | head -c 100 >/dev/null; echo \"status=${PIPESTATUS[0]}\"", env!("CARGO_BIN_EXE_hybridsync"), &many])
        .env("HYBRIDSYNC_HOME", &home)
        .output()
        .unwrap();
    let piped_text = [piped.stdout.clone(), piped.stderr.clone()].concat();
    let status = String::from_utf8_lossy(&piped.stdout)
        .trim()
        .strip_prefix("status=")
        .and_then(|s| s.parse().ok())
        .unwrap_or(-1);
    rows.push((
        "stdout closed (head -c 100)",
        7,
        status,
        contains(&piped_text, "panicked") || contains(&piped_text, "Broken pipe"),
        false,
        String::from_utf8_lossy(&piped.stderr).trim().to_string(),
    ));

    // Files the runs left: secrets, log modes, temporary and half-written files.
    let mut leaks = Vec::new();
    let mut half = Vec::new();
    for root in [&home, &work] {
        for (p, bytes) in files(root) {
            if contains(&bytes, SECRET) {
                leaks.push(p.display().to_string());
            }
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if name.ends_with(".tmp") {
                half.push(p.display().to_string());
            }
            #[cfg(unix)]
            if p.starts_with(home.join("logs")) {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
                assert_eq!(
                    mode,
                    0o600,
                    "the log file {} is readable by others",
                    p.display()
                );
            }
        }
    }
    if work.join("s2s.pfx").exists() != work.join("s2s.cer").exists() {
        half.push("s2s.pfx without s2s.cer".into());
    }
    for bad in ["crm.ps1", "fix/hybridsync-directory-fix.ps1"] {
        if work.join(bad).exists() {
            half.push(format!("{bad} written from refused input"));
        }
    }

    eprintln!("| input | exit wanted | exit | panic | secret in output |\n|---|---|---|---|---|");
    for (name, want, got, panicked, secret, _) in &rows {
        eprintln!(
            "| {name} | {want} | {got} | {} | {} |",
            u8::from(*panicked),
            u8::from(*secret)
        );
    }
    let wrong: Vec<_> = rows.iter().filter(|r| r.1 != r.2).collect();
    let panics = rows.iter().filter(|r| r.3).count();
    let secrets = rows.iter().filter(|r| r.4).count() + leaks.len();
    eprintln!(
        "inputs tried: {}; exits as documented: {}; panics: {panics}; secrets found in any file or output: {secrets}; half-written files: {}",
        rows.len(),
        rows.len() - wrong.len(),
        half.len()
    );
    assert!(
        wrong.is_empty(),
        "wrong exit statuses: {:#?}",
        wrong
            .iter()
            .map(|r| (r.0, r.1, r.2, &r.5))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        panics,
        0,
        "panics: {:#?}",
        rows.iter()
            .filter(|r| r.3)
            .map(|r| (r.0, &r.5))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        secrets,
        0,
        "the secret leaked into outputs {:?} and files {leaks:?}",
        rows.iter().filter(|r| r.4).map(|r| r.0).collect::<Vec<_>>()
    );
    assert!(half.is_empty(), "half-written files: {half:?}");
}
