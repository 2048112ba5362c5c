//! Directory readiness checks against Microsoft's directory-synchronization
//! attribute rules: the successor to IdFix.
//!
//! - Read an export: [`LdifReader`] (ldifde) or [`CsvReader`]
//!   (`Get-ADUser … | Export-Csv`), both streaming iterators of
//!   [`DirObject`].
//! - Check it: [`Scanner`] / [`scan_ldif`] / [`scan_csv`] apply the rules of
//!   Microsoft's "Prepare for directory synchronization" page (see
//!   [`rules`]), skip system objects ([`skip::skip_reason`]) and find
//!   duplicates across objects ([`duplicates`]), giving [`Finding`]s.
//! - See which UPN suffixes the tenant must verify: [`suffix::suffix_table`].
//! - Turn accepted suggestions into a PowerShell fix script and its undo
//!   script: [`fix::fix_scripts`]. This crate never writes to a directory.
//!
//! ```
//! use hybridsync_directory::{scan_ldif, Rule, RuleOptions, TenantDomain, SuffixState};
//!
//! let ldif = "dn: CN=Jos\u{e9},OU=Staff,DC=contoso,DC=local\n\
//!             objectClass: user\n\
//!             userPrincipalName: jos\u{e9}@contoso.local\n";
//! let opts = RuleOptions { upn_suffix_replacement: Some("contoso.com".into()) };
//! let report = scan_ldif(ldif.as_bytes(), opts).unwrap();
//! let rules: Vec<Rule> = report.findings.iter().map(|f| f.rule).collect();
//! assert_eq!(rules, [Rule::Diacritic, Rule::NonRoutableSuffix]);
//! assert_eq!(report.findings[0].suggestion.as_deref(), Some("jose@contoso.com"));
//!
//! let tenant = [TenantDomain { name: "contoso.com".into(), verified: true }];
//! assert_eq!(report.suffix_table(&tenant)[0].state, SuffixState::NonRoutable);
//! ```

pub mod domain;
pub mod duplicates;
pub mod fix;
pub mod fold;
pub mod ldap;
pub mod request;
pub mod rules;
pub mod skip;
pub mod suffix;

mod csvfile;
mod error;
mod finding;
mod ldif;
mod object;
mod scan;
mod text;

pub use csvfile::CsvReader;
pub use error::ReadError;
pub use finding::{Finding, Rule, Severity};
pub use ldif::LdifReader;
pub use object::DirObject;
pub use rules::{check_object, RuleOptions};
pub use scan::{scan_csv, scan_ldif, scan_objects, ScanReport, Scanner};
pub use suffix::{SuffixCount, SuffixRow, SuffixState, TenantDomain};
