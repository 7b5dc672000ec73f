//! MAINTAINING.md, followed end to end in a copy of the repository's schema and
//! queries, against the sandbox. Every command run here must appear verbatim in
//! MAINTAINING.md, so the document and the test cannot drift apart.

mod common;

use std::path::Path;

use common::{portal, sandbox, stderr, stdout};
use portal_cli::schema::{breakage, sdl};

fn maintaining_md() -> String {
    std::fs::read_to_string(common::repo_root().join("MAINTAINING.md")).expect("MAINTAINING.md is readable")
}

/// Runs a `portal ...` line of MAINTAINING.md in `dir`; gives exit code, stdout, stderr.
fn step(doc: &str, dir: &Path, running: &common::Running, line: &str) -> (Option<i32>, String, String) {
    assert!(doc.lines().any(|l| l.trim() == line), "MAINTAINING.md has no line `{line}`");
    let mut words = line.split_whitespace();
    assert_eq!(words.next(), Some("portal"));
    let output = portal()
        .current_dir(dir)
        .env("DCSO_PORTAL_URL", running.sandbox.url())
        .env("DCSO_PORTAL_TOKEN", portal_sandbox::demo::MACHINE_TOKEN)
        .args(words)
        .output()
        .unwrap();
    (output.status.code(), stdout(&output), stderr(&output))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn maintaining_md_end_to_end() {
    let doc = maintaining_md();
    let running = sandbox();
    let repo = common::scratch("maintaining");
    copy_dir(&common::repo_root().join("schema"), &repo.join("schema"));
    copy_dir(&common::repo_root().join("queries"), &repo.join("queries"));

    // 1. Pull.
    let (code, out, err) = step(&doc, &repo, &running, "portal schema pull --out live.graphql");
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out, "");
    let live = std::fs::read_to_string(repo.join("live.graphql")).unwrap();

    // 2. Diff: the sandbox serves the vendored schema, so nothing changed.
    let (code, out, err) = step(&doc, &repo, &running, "portal schema diff --against live.graphql");
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("No changes."), "{out}");

    // 3. Update the vendored schema by copying the pulled one over it...
    assert!(doc.contains("cp live.graphql schema/portal.graphql"));
    std::fs::copy(repo.join("live.graphql"), repo.join("schema/portal.graphql")).unwrap();
    // ...and check it against the Portal.
    let (code, out, err) = step(&doc, &repo, &running, "portal schema diff --live");
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("No changes."), "{out}");

    // 4. What `cargo build` checks: every operation validates against the new
    // vendored schema under the build script's rules (build/validate.rs).
    let schema = repo.join("schema/portal.graphql");
    let queries = breakage::load_queries(schema.to_str().unwrap(), repo.join("queries").to_str().unwrap())
        .expect("the operations validate against the updated schema");
    assert_eq!(queries.len(), std::fs::read_dir(common::repo_root().join("queries")).unwrap().count());

    // The pulled schema is the vendored one, up to comments and order.
    assert_eq!(live, sdl::canonicalize(&common::vendored_schema(), "schema/portal.graphql").unwrap());

    // 5-7 (sandbox parity, .ci/run, CHANGELOG) are the repository's own tests and files.
    for later in ["cargo test -p portal-sandbox --test parity", "bash .ci/run", "CHANGELOG.md"] {
        assert!(doc.contains(later), "MAINTAINING.md no longer mentions `{later}`");
    }
}

#[test]
fn the_drift_job_commands_exist_and_fail_on_a_break() {
    // The CI recipe's commands, on a schema that breaks an operation: exit 1.
    let doc = maintaining_md();
    assert!(doc.contains("schema diff --against live.graphql --json > drift.json"));
    let running = sandbox();
    let repo = common::scratch("drift-job");
    copy_dir(&common::repo_root().join("schema"), &repo.join("schema"));
    copy_dir(&common::repo_root().join("queries"), &repo.join("queries"));
    let (code, _, err) = step(&doc, &repo, &running, "portal schema pull --out live.graphql");
    assert_eq!(code, Some(0), "{err}");
    // The Portal "drops" tdh_Issue.title.
    let live = std::fs::read_to_string(repo.join("live.graphql")).unwrap();
    let dropped = "  reference: String!\n  title: String!\n";
    assert_eq!(live.matches(dropped).count(), 1);
    std::fs::write(repo.join("live.graphql"), live.replacen(dropped, "  reference: String!\n", 1)).unwrap();
    let (code, out, _) = step(&doc, &repo, &running, "portal schema diff --against live.graphql");
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("queries/tdh.graphql:7:3:"), "{out}");
}
