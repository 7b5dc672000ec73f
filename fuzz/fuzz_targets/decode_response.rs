//! An HTTP answer (status from the first two bytes, the rest as the body) through
//! the SDK's decoder: as JSON (`execute_graphql`) and as a generated type with
//! UUIDs, enums and DateTimes (`query::<AllIssues>`). Any result is fine; a panic is not.
#![no_main]

use dcso_portal::fuzzing::{decode_response, decode_response_as};
use dcso_portal::operations::all_issues;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (status, body) = match data {
        [a, b, rest @ ..] => (100 + u16::from_be_bytes([*a, *b]) % 500, rest),
        _ => (200, data),
    };
    if let Ok(value) = decode_response(status, Some("application/json"), body) {
        assert!(!value.is_null(), "null data must be an error");
    }
    if let Err(error) = decode_response_as::<all_issues::ResponseData>(status, None, body) {
        let _ = (error.to_string(), error.glosom(), error.partial_data());
    }
});
