//! GLOSOM codes: any text as a code string, any JSON as `extensions.code`; the
//! parts of whatever is read must add up to it again.
#![no_main]

use dcso_portal::Glosom;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut codes = vec![Glosom::parse_str(&text)];
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        codes.push(Glosom::from_json(&value));
    }
    for code in codes {
        let rebuilt = Glosom::new((code.raw() >> 24) as u8, code.message_id(), code.service());
        assert_eq!(rebuilt, code);
        assert_eq!(Glosom::parse_str(&format!("0x{code}")), code);
        let _ = (code.kind(), code.group());
    }
});
