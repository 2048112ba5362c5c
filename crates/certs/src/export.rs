//! Export formats as Windows writes them, and which PFX encryption a CRM server can read.

use crate::pem;
use crate::pfx::PfxEncryption;

/// "Base-64 encoded X.509 (.CER)": PEM with CRLF line endings, no private key.
pub fn cer_base64(certificate_der: &[u8]) -> String {
    pem::encode("CERTIFICATE", certificate_der, "\r\n")
}

/// "DER encoded binary X.509 (.CER)": the certificate bytes themselves.
pub fn cer_der(certificate_der: &[u8]) -> Vec<u8> {
    certificate_der.to_vec()
}

/// Windows version of the Dynamics 365 (CRM) server that will import the PFX.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WindowsVersion {
    Server2012,
    Server2012R2,
    Server2016,
    Server2019,
    Server2022,
    Server2025,
    /// Not known: choose what every version reads.
    Unknown,
}

/// The PFX encryption to use, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PfxChoice {
    pub encryption: PfxEncryption,
    pub reason: String,
}

impl WindowsVersion {
    /// Server 2019 and later read AES-256 PFX files; older ones need TripleDES-SHA1.
    pub fn pfx_choice(self) -> PfxChoice {
        let name = self.name();
        match self {
            WindowsVersion::Server2019 | WindowsVersion::Server2022 | WindowsVersion::Server2025 => PfxChoice {
                encryption: PfxEncryption::Aes256,
                reason: format!("{name} imports AES-256 encrypted PFX files (supported since Windows Server 2019), the strongest option"),
            },
            WindowsVersion::Server2012 | WindowsVersion::Server2012R2 | WindowsVersion::Server2016 => PfxChoice {
                encryption: PfxEncryption::TripleDesSha1,
                reason: format!("{name} cannot import AES-256 PFX files (it reports a misleading \"wrong password\"), so the PFX uses TripleDES with a SHA-1 MAC"),
            },
            WindowsVersion::Unknown => PfxChoice {
                encryption: PfxEncryption::TripleDesSha1,
                reason: "the CRM server's Windows version is not known, so the PFX uses TripleDES with a SHA-1 MAC, which every Windows Server version imports".into(),
            },
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            WindowsVersion::Server2012 => "Windows Server 2012",
            WindowsVersion::Server2012R2 => "Windows Server 2012 R2",
            WindowsVersion::Server2016 => "Windows Server 2016",
            WindowsVersion::Server2019 => "Windows Server 2019",
            WindowsVersion::Server2022 => "Windows Server 2022",
            WindowsVersion::Server2025 => "Windows Server 2025",
            WindowsVersion::Unknown => "an unknown Windows version",
        }
    }
}
