//! `portal schema pull` and `portal schema diff` end to end: against the sandbox,
//! and against crafted variants of the vendored schema.

mod common;

use std::path::{Path, PathBuf};

use common::{portal, portal_at, sandbox, stderr, stdout};
use portal_cli::schema::sdl;
use serde_json::Value;

fn canonical_vendored() -> String {
    sdl::canonicalize(&common::vendored_schema(), "schema/portal.graphql").unwrap()
}

#[test]
fn pull_prints_the_vendored_schema_in_canonical_form() {
    let running = sandbox();
    let output = portal_at(&running).args(["schema", "pull"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert_eq!(stdout(&output), canonical_vendored());

    let dir = common::scratch("pull-out");
    let out = dir.join("pulled.graphql");
    let output = portal_at(&running).args(["schema", "pull", "--out"]).arg(&out).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert_eq!(stdout(&output), "", "with --out, nothing on stdout");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), canonical_vendored());
}

#[test]
fn diff_live_against_the_sandbox_finds_no_change() {
    let running = sandbox();
    let output = portal_at(&running).args(["schema", "diff", "--live"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "stdout: {}\nstderr: {}", stdout(&output), stderr(&output));
    assert!(stdout(&output).contains("No changes."), "{}", stdout(&output));
}

/// Runs `schema diff --json` in the repository root against `sdl` written to a
/// file; gives the exit code and the parsed report.
fn diff_against(name: &str, sdl_text: &str) -> (Option<i32>, Value) {
    let dir = common::scratch(name);
    let file = dir.join("new.graphql");
    std::fs::write(&file, sdl_text).unwrap();
    let output = portal()
        .current_dir(common::repo_root())
        .args(["schema", "diff", "--json", "--against"])
        .arg(&file)
        .output()
        .unwrap();
    let report = serde_json::from_str(&stdout(&output))
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", stdout(&output), stderr(&output)));
    (output.status.code(), report)
}

/// (criticality, kind, path) of each change.
fn kinds(report: &Value) -> Vec<(String, String, String)> {
    report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let text = |key: &str| c[key].as_str().unwrap().to_owned();
            (text("criticality"), text("kind"), text("path"))
        })
        .collect()
}

/// file name and operation of each broken operation.
fn broken(report: &Value) -> Vec<String> {
    report["broken_operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|op| {
            let file = Path::new(op["file"].as_str().unwrap()).file_name().unwrap().to_string_lossy().into_owned();
            format!("{file}:{}", op["operation"].as_str().unwrap())
        })
        .collect()
}

fn change(criticality: &str, kind: &str, path: &str) -> (String, String, String) {
    (criticality.into(), kind.into(), path.into())
}

#[test]
fn diff_field_removed_exits_1_and_names_the_operations_and_locations() {
    let (code, report) = diff_against("field-removed", &common::variant("  title: String!\n  \"Former", "  \"Former"));
    assert_eq!(code, Some(1));
    assert_eq!(kinds(&report), vec![change("breaking", "field_removed", "tdh_Issue.title")]);
    assert_eq!(broken(&report), vec!["tdh.graphql:AllIssues", "tdh.graphql:Issue"]);
    let error = &report["broken_operations"][0]["errors"][0];
    assert_eq!(
        (error["file"].as_str(), error["line"].as_u64(), error["column"].as_u64()),
        (Some("queries/tdh.graphql"), Some(7), Some(3))
    );
}

#[test]
fn diff_required_argument_added_exits_1() {
    let (code, report) = diff_against(
        "required-arg",
        &common::variant("alerts(first: Int, after: Cursor)", "alerts(first: Int, after: Cursor, tenant: ID!)"),
    );
    assert_eq!(code, Some(1));
    assert_eq!(kinds(&report), vec![change("breaking", "argument_added", "Query.alerts(tenant:)")]);
    assert_eq!(broken(&report), vec!["alerts.graphql:AlertsPage"]);
    assert_eq!(report["changes"][0]["operations"][0]["operation"], "AlertsPage");
}

#[test]
fn diff_enum_value_removed_exits_1() {
    let (code, report) = diff_against("enum-value", &common::variant("  RESOLVED\n", ""));
    assert_eq!(code, Some(1));
    assert_eq!(kinds(&report), vec![change("breaking", "enum_value_removed", "tdh_IssueStatus.RESOLVED")]);
    assert_eq!(broken(&report), vec!["tdh.graphql:AllIssues"]);
}

#[test]
fn diff_nullability_loosened_on_an_output_field_exits_1() {
    let (code, report) = diff_against(
        "nullability",
        &common::variant("  username: String!\n  organization", "  username: String\n  organization"),
    );
    assert_eq!(code, Some(1));
    assert_eq!(kinds(&report), vec![change("breaking", "field_type_changed", "auth_User.username")]);
    assert_eq!(broken(&report), vec!["auth.graphql:CreateAuthorization", "user.graphql:User"]);
    assert_eq!(report["broken_operations"][0]["errors"], serde_json::json!([]), "still valid, but may now be null");
}

#[test]
fn diff_field_added_exits_0() {
    let (code, report) = diff_against(
        "field-added",
        &common::variant("  firstSeen: DateTime\n", "  firstSeen: DateTime\n  lastSeen: DateTime\n"),
    );
    assert_eq!(code, Some(0));
    assert_eq!(kinds(&report), vec![change("safe", "field_added", "tdh_Issue.lastSeen")]);
    assert_eq!(report["summary"]["broken_operations"], 0);
}

#[test]
fn diff_text_report_groups_changes_and_lists_errors() {
    let dir = common::scratch("text-report");
    let file = dir.join("new.graphql");
    let new = common::variant("  title: String!\n  \"Former", "  \"Former")
        .replace("  INFO\n  LOW\n", "  INFO\n  LOW\n  NEGLIGIBLE\n");
    std::fs::write(&file, new).unwrap();
    let output =
        portal().current_dir(common::repo_root()).args(["schema", "diff", "--against"]).arg(&file).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    for expected in [
        "Breaking changes (1):",
        "[field_removed] Field `tdh_Issue.title` was removed",
        "breaks AllIssues in queries/tdh.graphql",
        "Dangerous changes (1):",
        "[enum_value_added]",
        "queries/tdh.graphql:7:3:",
        "1 breaking, 1 dangerous, 0 safe; 2 broken operation(s).",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }
}

#[test]
fn diff_paths_default_to_the_current_directory_and_can_be_given() {
    let dir = common::scratch("diff-paths");
    let schema = dir.join("vendored.graphql");
    let queries = dir.join("ops");
    std::fs::create_dir(&queries).unwrap();
    std::fs::write(&schema, "type Query { a: Int b: String }").unwrap();
    std::fs::write(queries.join("a.graphql"), "query A { a }").unwrap();
    std::fs::write(queries.join("b.graphql"), "query B { b }").unwrap();
    std::fs::write(dir.join("new.graphql"), "type Query { a: Int }").unwrap();

    let output = portal()
        .current_dir(&dir)
        .args([
            "schema",
            "diff",
            "--against",
            "new.graphql",
            "--schema",
            "vendored.graphql",
            "--queries",
            "ops",
            "--output",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(&output));
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(broken(&report), vec!["b.graphql:B"]);

    // Without --schema and --queries: schema/portal.graphql and queries/ of the
    // current directory, which this one does not have.
    let output = portal().current_dir(&dir).args(["schema", "diff", "--against", "new.graphql"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("schema/portal.graphql"), "{}", stderr(&output));
}

#[test]
fn diff_errors_exit_2() {
    let dir = common::scratch("diff-errors");
    let broken_sdl: PathBuf = dir.join("broken.graphql");
    std::fs::write(&broken_sdl, "type Query { a: Missing }").unwrap();
    let repo = common::repo_root();

    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["--against".into(), dir.join("absent.graphql").display().to_string()], "absent.graphql"),
        (vec!["--against".into(), broken_sdl.display().to_string()], "Missing"),
        (vec!["--live".into()], "DCSO_PORTAL_URL"),
        (vec![], "--against"),
        (vec!["--live".into(), "--against".into(), "x".into()], "cannot be used with"),
    ];
    for (args, expected) in cases {
        let output = portal().current_dir(&repo).args(["schema", "diff"]).args(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).contains(expected), "{args:?}: expected `{expected}` in {}", stderr(&output));
    }

    // Operations that do not validate against the vendored schema are reported
    // as the build would report them.
    let queries = dir.join("queries");
    std::fs::create_dir(&queries).unwrap();
    std::fs::write(queries.join("bad.graphql"), "query Bad { nope }").unwrap();
    let output = portal()
        .current_dir(&repo)
        .args(["schema", "diff", "--against", "schema/portal.graphql", "--queries"])
        .arg(&queries)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("bad.graphql:1:"), "{}", stderr(&output));
}

#[test]
fn help_documents_every_command() {
    let output = portal().arg("--help").output().unwrap();
    let help = stdout(&output);
    for expected in
        ["query", "schema", "--endpoint", "--token-file", "--timeout", "--output", "--verbose", "Exit codes"]
    {
        assert!(help.contains(expected), "missing `{expected}` in:\n{help}");
    }
    let output = portal().args(["schema", "diff", "--help"]).output().unwrap();
    let help = stdout(&output);
    for expected in ["--against", "--live", "--schema", "--queries", "--json", "Exit codes"] {
        assert!(help.contains(expected), "missing `{expected}` in:\n{help}");
    }
}
