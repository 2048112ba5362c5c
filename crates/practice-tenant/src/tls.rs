//! A CA generated at every start (rcgen) and a server certificate it signs; the CA is written to a
//! file the client is told to trust. Nothing here is trusted by the system.
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};

pub struct Material {
    pub ca_pem: String,
    pub chain_pem: String,
    pub key_pem: String,
}

/// Host names the server certificate covers: loopback, and Microsoft's host names so a client can
/// keep the real names and be pointed at this server.
const NAMES: &[&str] = &[
    "localhost",
    "login.microsoftonline.com",
    "graph.microsoft.com",
    "practice.crm.contoso.com",
];

pub fn generate() -> Result<Material, rcgen::Error> {
    let ca_key = KeyPair::generate()?;
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.distinguished_name.push(
        DnType::CommonName,
        "hybridsync practice tenant CA (generated at start)",
    );
    ca.distinguished_name
        .push(DnType::OrganizationName, "hybridsync");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let now = time::OffsetDateTime::now_utc();
    ca.not_before = now - time::Duration::minutes(5);
    ca.not_after = now + time::Duration::days(30);
    let ca_cert = ca.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca, ca_key);

    let leaf_key = KeyPair::generate()?;
    let mut leaf = CertificateParams::new(NAMES.iter().map(|s| s.to_string()).collect::<Vec<_>>())?;
    leaf.subject_alt_names
        .push(SanType::IpAddress("127.0.0.1".parse().unwrap()));
    leaf.subject_alt_names
        .push(SanType::IpAddress("::1".parse().unwrap()));
    leaf.distinguished_name
        .push(DnType::CommonName, "practice tenant");
    leaf.is_ca = IsCa::ExplicitNoCa;
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.not_before = now - time::Duration::minutes(5);
    leaf.not_after = now + time::Duration::days(30);
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer)?;

    Ok(Material {
        ca_pem: ca_cert.pem(),
        chain_pem: format!("{}{}", leaf_cert.pem(), ca_cert.pem()),
        key_pem: leaf_key.serialize_pem(),
    })
}
