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

/// A sandbox Portal running on its own runtime, so that tests can block on a
/// `portal` process while it answers.
pub struct Running {
    // Dropped first: the sandbox shuts down, then its runtime.
    pub sandbox: portal_sandbox::Sandbox,
    _runtime: tokio::runtime::Runtime,
}

/// Starts a sandbox with the demo data.
pub fn sandbox() -> Running {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime for the sandbox");
    let sandbox = runtime.block_on(portal_sandbox::Sandbox::start()).expect("the sandbox starts");
    Running { sandbox, _runtime: runtime }
}

/// The `portal` binary with none of the settings from this process's
/// environment.
pub fn portal() -> assert_cmd::Command {
    let mut command = assert_cmd::Command::new(env!("CARGO_BIN_EXE_portal"));
    for variable in ["DCSO_PORTAL_URL", "DCSO_PORTAL_TOKEN", "DCSO_PORTAL_SKIP_TLS_VERIFY", "RUST_LOG"] {
        command.env_remove(variable);
    }
    command.timeout(std::time::Duration::from_secs(60));
    command
}

/// `portal` pointed at `running` with the demo machine token, in the repository root.
pub fn portal_at(running: &Running) -> assert_cmd::Command {
    let mut command = portal();
    command
        .env("DCSO_PORTAL_URL", running.sandbox.url())
        .env("DCSO_PORTAL_TOKEN", portal_sandbox::demo::MACHINE_TOKEN)
        .current_dir(repo_root());
    command
}

/// A fresh, empty directory for one test, under cargo's per-target temp dir.
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("portal-cli").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// The process's stdout, as text.
pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 stdout")
}

/// The process's stderr, as text.
pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 stderr")
}

/// The process's stdout as one JSON document.
pub fn json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(&stdout(output)).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(output)))
}

/// The one-time code an authenticator app shows now for `secret`.
pub fn totp_now(secret: &str) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970").as_secs();
    portal_sandbox::totp::code(secret, now)
}
