//! A real OpenLDAP slapd for the LDAP tests: started on 127.0.0.1 (random
//! ports, LDAP with StartTLS and LDAPS) from a temporary folder with a
//! generated slapd.conf, the mdb backend, a small Active-Directory-like
//! schema, a generated TLS certificate and users loaded with slapadd. The
//! bind account is limited to 100 entries per search, so reading more needs
//! the paged results control.

use std::fmt::Write as _;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, SanType};

pub const BASE: &str = "DC=contoso,DC=local";
pub const BIND_DN: &str = "CN=svc-sync,OU=Service,DC=contoso,DC=local";
pub const PASSWORD: &str = "Bind-Passw0rd!";
/// The server's size limit for the bind account (below the user count).
pub const SIZE_LIMIT: usize = 100;

/// Attribute types and the `user` class as Active Directory defines them
/// (AD's own OIDs), enough for the rules' attributes.
const AD_SCHEMA: &str = r#"
attributetype ( 1.2.840.113556.1.4.656 NAME 'userPrincipalName'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.2.210 NAME 'proxyAddresses'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
attributetype ( 1.2.840.113556.1.2.447 NAME 'mailNickname'
  EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.4.221 NAME 'sAMAccountName'
  EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.2.352 NAME 'targetAddress'
  EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )
attributetype ( 1.2.840.113556.1.0.9 NAME 'isCriticalSystemObject'
  EQUALITY booleanMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.7 SINGLE-VALUE )
objectclass ( 1.2.840.113556.1.5.9 NAME 'user' SUP organizationalPerson STRUCTURAL
  MAY ( userPrincipalName $ proxyAddresses $ mail $ mailNickname $ sAMAccountName $
        targetAddress $ displayName $ givenName $ isCriticalSystemObject ) )
"#;

const INSTALL: &str = "the LDAP tests need OpenLDAP's slapd and slapadd (Debian packages slapd and ldap-utils): run scripts/install-deps.sh";

pub struct Slapd {
    pub dir: tempfile::TempDir,
    child: Child,
    /// `ldap://127.0.0.1:PORT` (StartTLS).
    pub ldap_url: String,
    /// `ldaps://127.0.0.1:PORT`.
    pub ldaps_url: String,
    /// The CA that issued the server certificate.
    pub ca_file: PathBuf,
    /// A CA that did not.
    pub other_ca_file: PathBuf,
}

impl Drop for Slapd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find(name: &str) -> PathBuf {
    for dir in [
        "/usr/sbin",
        "/usr/local/sbin",
        "/usr/bin",
        "/usr/local/libexec",
        "/usr/libexec",
    ] {
        let p = Path::new(dir).join(name);
        if p.exists() {
            return p;
        }
    }
    panic!("{name} not found: {INSTALL}");
}

fn schema_dir() -> PathBuf {
    for dir in [
        "/etc/ldap/schema",
        "/etc/openldap/schema",
        "/usr/local/etc/openldap/schema",
    ] {
        if Path::new(dir).join("inetorgperson.schema").exists() {
            return PathBuf::from(dir);
        }
    }
    panic!("OpenLDAP's schema files (core, cosine, inetorgperson) not found: {INSTALL}");
}

/// The folder holding back_mdb, when mdb is a loadable module.
fn mdb_module_dir() -> Option<PathBuf> {
    [
        "/usr/lib/ldap",
        "/usr/lib64/openldap",
        "/usr/lib/openldap",
        "/usr/local/libexec/openldap",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|d| d.join("back_mdb.so").exists() || d.join("back_mdb.la").exists())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One test user.
pub struct User {
    pub cn: String,
    pub upn: String,
    pub proxies: Vec<String>,
}

/// `count` ordinary users plus the special cases the tests look for.
pub fn users(count: usize) -> Vec<User> {
    let mut v: Vec<User> = (1..=count)
        .map(|i| User {
            cn: format!("User {i:03}"),
            upn: format!("user{i:03}@contoso.com"),
            proxies: vec![
                format!("SMTP:user{i:03}@contoso.com"),
                format!("smtp:user{i:03}@contoso.mail.onmicrosoft.com"),
            ],
        })
        .collect();
    // A diacritic in the UPN.
    v.push(User {
        cn: "Jos\u{e9} Garc\u{ed}a".into(),
        upn: "jos\u{e9}.garcia@contoso.com".into(),
        proxies: vec!["SMTP:jose.garcia@contoso.com".into()],
    });
    // A non-routable UPN suffix.
    v.push(User {
        cn: "Legacy Account".into(),
        upn: "legacy@contoso.local".into(),
        proxies: vec!["SMTP:legacy@contoso.com".into()],
    });
    // A proxy address another user already has (user001's).
    v.push(User {
        cn: "Shared Mailbox Owner".into(),
        upn: "shared.owner@contoso.com".into(),
        proxies: vec![
            "SMTP:shared.owner@contoso.com".into(),
            "smtp:user001@contoso.com".into(),
        ],
    });
    v
}

fn ldif(users: &[User]) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "dn: {BASE}\nobjectClass: dcObject\nobjectClass: organization\ndc: contoso\no: Contoso\n\n\
         dn: OU=Staff,{BASE}\nobjectClass: organizationalUnit\nou: Staff\n\n\
         dn: OU=Service,{BASE}\nobjectClass: organizationalUnit\nou: Service\n\n\
         dn: {BIND_DN}\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: user\n\
         cn: svc-sync\nsn: sync\nuserPassword: {PASSWORD}\nsAMAccountName: svc-sync\n\n\
         dn: CN=krbtgt,OU=Service,{BASE}\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n\
         objectClass: user\ncn: krbtgt\nsn: krbtgt\nsAMAccountName: krbtgt\nisCriticalSystemObject: TRUE\n\n"
    );
    for u in users {
        let nick = u.upn.split('@').next().unwrap_or_default();
        let _ = write!(
            s,
            "dn: CN={},OU=Staff,{BASE}\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n\
             objectClass: user\ncn: {}\nsn: {}\ngivenName: {}\ndisplayName: {}\nuserPrincipalName: {}\n\
             mail: {}\nmailNickname: {}\nsAMAccountName: {}\n",
            u.cn,
            u.cn,
            u.cn,
            u.cn,
            u.cn,
            u.upn,
            u.proxies[0].trim_start_matches("SMTP:"),
            nick,
            nick.chars().filter(|c| c.is_ascii()).take(20).collect::<String>(),
        );
        for p in &u.proxies {
            let _ = writeln!(s, "proxyAddresses: {p}");
        }
        s.push('\n');
    }
    s
}

struct Certs {
    ca: String,
    other_ca: String,
    cert: String,
    key: String,
}

fn certs() -> Certs {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name
        .push(DnType::CommonName, "test directory CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);

    let other_key = KeyPair::generate().unwrap();
    let mut other = CertificateParams::new(Vec::<String>::new()).unwrap();
    other
        .distinguished_name
        .push(DnType::CommonName, "some other CA");
    other.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let other_cert = other.self_signed(&other_key).unwrap();

    let key = KeyPair::generate().unwrap();
    let mut leaf = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    leaf.subject_alt_names
        .push(SanType::IpAddress("127.0.0.1".parse().unwrap()));
    leaf.distinguished_name
        .push(DnType::CommonName, "dc1.contoso.local");
    let leaf_cert = leaf.signed_by(&key, &issuer).unwrap();
    Certs {
        ca: ca_cert.pem(),
        other_ca: other_cert.pem(),
        cert: leaf_cert.pem(),
        key: key.serialize_pem(),
    }
}

impl Slapd {
    /// Start a directory holding `users`.
    pub fn start(users: &[User]) -> Slapd {
        let slapd = find("slapd");
        let slapadd = find("slapadd");
        let schema = schema_dir();
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("db")).unwrap();
        let c = certs();
        std::fs::write(d.join("ca.pem"), &c.ca).unwrap();
        std::fs::write(d.join("other-ca.pem"), &c.other_ca).unwrap();
        std::fs::write(d.join("cert.pem"), &c.cert).unwrap();
        write_private(&d.join("key.pem"), &c.key);
        std::fs::write(d.join("ad.schema"), AD_SCHEMA).unwrap();
        std::fs::write(d.join("data.ldif"), ldif(users)).unwrap();
        let module = match mdb_module_dir() {
            Some(m) => format!("modulepath {}\nmoduleload back_mdb\n", m.display()),
            None => String::new(),
        };
        let conf = format!(
            "include {s}/core.schema\ninclude {s}/cosine.schema\ninclude {s}/inetorgperson.schema\n\
             include {d}/ad.schema\npidfile {d}/slapd.pid\n{module}\
             TLSCACertificateFile {d}/ca.pem\nTLSCertificateFile {d}/cert.pem\nTLSCertificateKeyFile {d}/key.pem\n\
             database mdb\nmaxsize 104857600\nsuffix \"{BASE}\"\ndirectory {d}/db\n\
             limits users size.soft={SIZE_LIMIT} size.hard={SIZE_LIMIT} size.pr={SIZE_LIMIT} size.prtotal=unlimited\n\
             limits anonymous size=0\n\
             access to attrs=userPassword by anonymous auth by * none\n\
             access to * by users read by * none\n",
            s = schema.display(),
            d = d.display(),
        );
        std::fs::write(d.join("slapd.conf"), conf).unwrap();
        let out = Command::new(&slapadd)
            .arg("-q")
            .arg("-f")
            .arg(d.join("slapd.conf"))
            .arg("-l")
            .arg(d.join("data.ldif"))
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}; {INSTALL}", slapadd.display()));
        assert!(
            out.status.success(),
            "slapadd failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );

        for _attempt in 0..5 {
            let (plain, tls) = (free_port(), free_port());
            let log = std::fs::File::create(d.join("slapd.log")).unwrap();
            let mut child = Command::new(&slapd)
                .arg("-d")
                .arg("0")
                .arg("-f")
                .arg(d.join("slapd.conf"))
                .arg("-h")
                .arg(format!(
                    "ldap://127.0.0.1:{plain}/ ldaps://127.0.0.1:{tls}/"
                ))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run {}: {e}; {INSTALL}", slapd.display()));
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                if let Ok(Some(_)) = child.try_wait() {
                    break; // exited: most likely a port taken meanwhile; try others
                }
                let up = |p: u16| TcpStream::connect(("127.0.0.1", p)).is_ok();
                if up(plain) && up(tls) {
                    return Slapd {
                        ldap_url: format!("ldap://127.0.0.1:{plain}"),
                        ldaps_url: format!("ldaps://127.0.0.1:{tls}"),
                        ca_file: d.join("ca.pem"),
                        other_ca_file: d.join("other-ca.pem"),
                        dir,
                        child,
                    };
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let log = std::fs::read_to_string(d.join("slapd.log")).unwrap_or_default();
        panic!("slapd did not start: {log}");
    }
}

fn write_private(path: &Path, text: &str) {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    }
    #[cfg(not(unix))]
    std::fs::write(path, text).unwrap();
}
