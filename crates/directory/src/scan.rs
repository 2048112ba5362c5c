//! Running every rule over a stream of objects.

use std::io::Read;

use serde::Serialize;
use ts_rs::TS;

use crate::csvfile::CsvReader;
use crate::duplicates::DuplicateIndex;
use crate::error::ReadError;
use crate::finding::{Finding, Severity};
use crate::ldif::LdifReader;
use crate::object::DirObject;
use crate::rules::{check_object_into, RuleOptions};
use crate::skip::skip_reason;
use crate::suffix::{suffix_table, SuffixCount, SuffixCounter, SuffixRow, TenantDomain};

/// The result of a scan.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, rename = "DirectoryScanReport")]
pub struct ScanReport {
    /// Every finding: per-object findings in file order, then duplicates.
    pub findings: Vec<Finding>,
    /// Objects read.
    #[ts(type = "number")]
    pub objects: u64,
    /// Objects skipped (system objects, computers, OUs, …).
    #[ts(type = "number")]
    pub skipped: u64,
    /// UPN suffixes of the checked objects, most used first.
    pub upn_suffixes: Vec<SuffixCount>,
}

impl ScanReport {
    /// Number of findings with severity error.
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }

    /// The UPN suffix table against the tenant's domains.
    pub fn suffix_table(&self, tenant: &[TenantDomain]) -> Vec<SuffixRow> {
        suffix_table(&self.upn_suffixes, tenant)
    }
}

/// Accumulates a scan object by object, so callers can stream from any
/// source and report progress.
#[derive(Default)]
pub struct Scanner {
    opts: RuleOptions,
    findings: Vec<Finding>,
    duplicates: DuplicateIndex,
    suffixes: SuffixCounter,
    objects: u64,
    skipped: u64,
}

impl Scanner {
    /// A scanner with the given options.
    pub fn new(opts: RuleOptions) -> Self {
        Scanner {
            opts,
            ..Scanner::default()
        }
    }

    /// Check one object (or skip it if it is a system object).
    pub fn add(&mut self, obj: &DirObject) {
        self.objects += 1;
        if skip_reason(obj).is_some() {
            self.skipped += 1;
            return;
        }
        check_object_into(obj, &self.opts, &mut self.findings);
        self.duplicates.add(obj);
        for upn in obj.values("userPrincipalName") {
            self.suffixes.add_upn(upn);
        }
    }

    /// Objects seen so far.
    pub fn objects(&self) -> u64 {
        self.objects
    }

    /// Finish: add duplicate findings and build the report.
    pub fn finish(self) -> ScanReport {
        let mut findings = self.findings;
        findings.extend(self.duplicates.finish());
        ScanReport {
            findings,
            objects: self.objects,
            skipped: self.skipped,
            upn_suffixes: self.suffixes.counts(),
        }
    }
}

/// Scan any stream of objects; stops at the first read error.
pub fn scan_objects<I>(objects: I, opts: RuleOptions) -> Result<ScanReport, ReadError>
where
    I: IntoIterator<Item = Result<DirObject, ReadError>>,
{
    let mut scanner = Scanner::new(opts);
    for obj in objects {
        scanner.add(&obj?);
    }
    Ok(scanner.finish())
}

/// Scan an LDIF export; an export with no object at all is an error (a wrong or empty file, not
/// a clean directory).
pub fn scan_ldif<R: Read>(input: R, opts: RuleOptions) -> Result<ScanReport, ReadError> {
    not_empty(scan_objects(LdifReader::new(input), opts)?, "LDIF")
}

/// Scan a CSV export; one with no row is an error.
pub fn scan_csv<R: Read>(input: R, opts: RuleOptions) -> Result<ScanReport, ReadError> {
    not_empty(scan_objects(CsvReader::new(input), opts)?, "CSV")
}

fn not_empty(report: ScanReport, kind: &str) -> Result<ScanReport, ReadError> {
    if report.objects == 0 {
        return Err(ReadError::new(
            0,
            format!("the file holds no directory object, so nothing was checked; give the {kind} export itself (ldifde -f, or Get-ADUser … | Export-Csv)"),
        ));
    }
    Ok(report)
}
