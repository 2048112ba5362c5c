//! Integration tests for hybridsync-directory (one binary, several modules).

mod fix_scripts;
mod hostile;
mod ldif_csv;
mod reader_props;
mod rules_props;
mod rules_table;
mod scan_dups;
