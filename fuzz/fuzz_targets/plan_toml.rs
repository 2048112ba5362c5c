//! The plan's TOML and its error message, which must never quote a value.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = hybridsync_core::Plan::parse(text, std::path::Path::new("plan.toml"));
    }
});
