//! Reading an ad-hoc GraphQL document just enough to know what it does.

use crate::operations::OperationKind;

/// The kind of the operation(s) in `document`: `Mutation` if any top-level
/// definition is a mutation (so it is never retried), `Subscription` if one is a
/// subscription, otherwise `Query` (including the `{ ... }` shorthand). String
/// literals, block strings and comments are skipped, so a `mutation` inside them
/// does not count. This is not a validator: the server validates.
pub(crate) fn operation_kind(document: &str) -> OperationKind {
    let bytes = document.as_bytes();
    let mut depth: usize = 0;
    let mut i = 0;
    let mut found = OperationKind::Query;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") { 4 } else { 1 };
                }
                i += 3;
                continue;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'(' | b'[' => depth += 1,
            b'}' | b')' | b']' => depth = depth.saturating_sub(1),
            c if c == b'_' || c.is_ascii_alphabetic() => {
                let start = i;
                while i < bytes.len() && (bytes[i] == b'_' || bytes[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
                if depth == 0 {
                    match &bytes[start..i] {
                        b"mutation" => return OperationKind::Mutation,
                        b"subscription" => found = OperationKind::Subscription,
                        _ => {}
                    }
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        for (doc, kind) in [
            ("{ tdh_allIssues { id } }", OperationKind::Query),
            ("query Q { a }", OperationKind::Query),
            ("  # mutation in a comment\n query { a }", OperationKind::Query),
            ("query { a(x: \"mutation {\") }", OperationKind::Query),
            ("query { a(x: \"\"\"\nmutation\n\"\"\") }", OperationKind::Query),
            ("query { mutation }", OperationKind::Query),
            ("mutation ($input: auth_AuthorizationInput!) { x }", OperationKind::Mutation),
            ("fragment F on T { a } mutation M { ...F }", OperationKind::Mutation),
            ("query A { a } mutation B { b }", OperationKind::Mutation),
            ("subscription S { a }", OperationKind::Subscription),
            ("\u{feff}mutation{a}", OperationKind::Mutation),
            ("\"unterminated", OperationKind::Query),
            ("\"\"\"unterminated", OperationKind::Query),
            ("", OperationKind::Query),
        ] {
            assert_eq!(operation_kind(doc), kind, "{doc}");
        }
    }
}
