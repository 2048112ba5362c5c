//! What a scan reports.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which rule a finding breaks. Serialised as the snake_case code that the
/// CLI contract names (`length`, `character`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "DirectoryRule")]
pub enum Rule {
    /// Too long for the attribute.
    Length,
    /// A character the attribute does not allow.
    Character,
    /// A letter with a diacritic (é, ñ, å, ü, …).
    Diacritic,
    /// Starts with a period.
    LeadingPeriod,
    /// The same value on another object.
    Duplicate,
    /// Malformed (e.g. no `@`, two `@`, a missing `type:` prefix).
    Format,
    /// The domain's top-level domain is not in the public suffix list.
    TopLevelDomain,
    /// The domain is not routable on the Internet (`.local`, single label).
    NonRoutableSuffix,
    /// Blank where a value is required.
    Blank,
}

impl Rule {
    /// The code used in JSON (`top_level_domain`, …).
    pub fn code(self) -> &'static str {
        match self {
            Rule::Length => "length",
            Rule::Character => "character",
            Rule::Diacritic => "diacritic",
            Rule::LeadingPeriod => "leading_period",
            Rule::Duplicate => "duplicate",
            Rule::Format => "format",
            Rule::TopLevelDomain => "top_level_domain",
            Rule::NonRoutableSuffix => "non_routable_suffix",
            Rule::Blank => "blank",
        }
    }
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "DirectorySeverity")]
pub enum Severity {
    /// The object or value will not synchronise, or will be rejected.
    Error,
    /// It synchronises, but changed or degraded (e.g. characters replaced).
    Warning,
}

/// One problem with one value of one attribute of one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, rename = "DirectoryFinding")]
pub struct Finding {
    /// The object's distinguished name.
    pub dn: String,
    /// The attribute, in its usual LDAP spelling (`userPrincipalName`).
    pub attribute: String,
    /// The offending value, as read (for proxyAddresses, with its prefix).
    pub value: String,
    /// The rule broken.
    pub rule: Rule,
    /// Error or warning.
    pub severity: Severity,
    /// A sentence explaining the problem.
    pub message: String,
    /// A corrected value, when one can be proposed safely.
    pub suggestion: Option<String>,
}
