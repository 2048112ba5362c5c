//! The CSV reader (Export-Csv) and the directory rules over what it reads.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for object in hybridsync_directory::CsvReader::new(data).take(1000) {
        if let Ok(o) = object {
            let _ = hybridsync_directory::check_object(&o, &Default::default());
        }
    }
    let _ = hybridsync_directory::scan_csv(data, Default::default());
});
