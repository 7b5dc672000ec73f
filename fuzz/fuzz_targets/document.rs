//! The operation kind of an ad-hoc document (it decides whether a call may be sent
//! twice): any text, never a panic; a document that starts with `mutation` is one.
#![no_main]

use dcso_portal::fuzzing::operation_kind;
use dcso_portal::OperationKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = operation_kind(&text);
    assert_eq!(operation_kind(&format!("mutation M {{ x }}\n{text}")), OperationKind::Mutation);
});
