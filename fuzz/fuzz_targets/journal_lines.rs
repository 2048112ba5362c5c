//! The run journal's JSON lines, torn or edited.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = hybridsync_core::journal::read_records(&text);
});
