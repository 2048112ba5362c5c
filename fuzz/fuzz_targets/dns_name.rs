//! Domain names as the admin types them: the DNS parser, Graph's domain key, the directory's
//! domain checks and the replacement UPN suffix.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = hybridsync_dns::parse_name(s);
        let _ = hybridsync_microsoft::domains::normalize_domain(s);
        let _ = hybridsync_directory::domain::check(s);
        let _ = hybridsync_directory::domain::syntax_issue(s);
        let _ = hybridsync_directory::domain::is_non_routable(s);
        let _ = hybridsync_directory::domain::replacement_suffix(s);
    }
});
