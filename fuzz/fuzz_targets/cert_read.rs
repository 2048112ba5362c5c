//! Certificate readers: PEM, DER, bare base64 and PFX, with and without a password.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let now = time::macros::datetime!(2026-01-01 0:00 UTC);
    let _ = hybridsync_certs::inspect(data, Some("fuzz.pfx"), Some("password"), now);
    let _ = hybridsync_certs::inspect(data, None, None, now);
    let _ = hybridsync_certs::certificate_der(data, Some("password"));
});
