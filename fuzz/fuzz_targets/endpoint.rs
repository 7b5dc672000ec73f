//! Endpoint validation: any text; what is accepted keeps the reference's rules.
#![no_main]

use dcso_portal::fuzzing::parse_endpoint;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(url) = parse_endpoint(&text) {
        let trimmed = text.trim();
        assert!(url.scheme() == "http" || url.scheme() == "https", "{text:?}");
        assert!(url.host_str().is_some_and(|h| !h.is_empty()), "{text:?}");
        assert!(trimmed.chars().count() <= dcso_portal::MAX_ENDPOINT_LEN);
        assert!(!trimmed.contains('?') && !trimmed.contains('#'), "{text:?}");
    }
});
