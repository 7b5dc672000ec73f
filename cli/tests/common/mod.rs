//! What the tests share: the repository's schema and queries, variants of the
//! schema, and a local introspection of any SDL.
#![allow(dead_code)]

use std::path::PathBuf;

use apollo_compiler::response::JsonMap;
use apollo_compiler::{ExecutableDocument, Schema};
use portal_cli::schema::introspection;

/// The workspace root (the parent of `cli/`).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("cli/ has a parent").to_path_buf()
}

/// `schema/portal.graphql`, as vendored.
pub fn vendored_schema() -> String {
    std::fs::read_to_string(repo_root().join("schema/portal.graphql")).expect("the vendored schema is readable")
}

/// The vendored schema with `from` replaced by `to`; panics when `from` does not
/// occur exactly once, so a variant cannot silently stop being a variant.
pub fn variant(from: &str, to: &str) -> String {
    let schema = vendored_schema();
    assert_eq!(schema.matches(from).count(), 1, "`{from}` must occur exactly once in schema/portal.graphql");
    schema.replacen(from, to, 1)
}

/// What a server serving `sdl` answers to the introspection query, computed by
/// apollo-compiler's own introspection executor.
pub fn introspect(sdl: &str) -> serde_json::Value {
    let schema = Schema::parse_and_validate(sdl, "schema.graphql").expect("test schema is valid");
    let document = ExecutableDocument::parse_and_validate(&schema, introspection::QUERY, "introspection.graphql")
        .expect("the introspection query validates");
    let operation = document.operations.get(None).expect("one operation");
    let variables =
        apollo_compiler::request::coerce_variable_values(&schema, operation, &JsonMap::new()).expect("no variables");
    let response = apollo_compiler::introspection::partial_execute(
        &schema,
        &schema.implementers_map(),
        &document,
        operation,
        &variables,
    )
    .expect("introspection executes");
    let mut json = serde_json::to_value(&response).expect("a response serializes");
    json["data"].take()
}
