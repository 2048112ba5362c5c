//! OData (Dataverse) error bodies turned into one line of text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = hybridsync_microsoft::dynamics::error_text(data);
});
