//! The Dynamics Web API's `$batch` answers: the first line is the Content-Type, the rest the body.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (content_type, body) = text.split_once('\n').unwrap_or(("multipart/mixed; boundary=b", &text));
    let _ = hybridsync_microsoft::dynamics_batch::parse(body, content_type);
    let _ = hybridsync_microsoft::dynamics_batch::parse(&text, "multipart/mixed; boundary=batchresponse_1");
});
