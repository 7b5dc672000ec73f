//! DateTime parsing: any text; what is accepted must print as RFC 3339 and parse
//! back to the same instant.
#![no_main]

use dcso_portal::DateTime;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(t) = DateTime::parse(&text) {
        let shown = t.to_string();
        assert_eq!(DateTime::parse(&shown), Ok(t), "{text:?} printed as {shown}");
    }
});
