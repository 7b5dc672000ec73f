//! The build-time validator (`build/validate.rs`, run by `build.rs`) rejects bad
//! operations with their file, line and column, and accepts ours.

#[path = "../build/validate.rs"]
#[allow(dead_code)]
mod validate;

use std::path::{Path, PathBuf};

use validate::{Kind, Problem};

const SCHEMA: &str = "schema/portal.graphql";

/// A scratch crate root holding the real schema and the given query files.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str, files: &[(&str, &str)]) -> Scratch {
        let root = std::env::temp_dir().join(format!("dcso-portal-validate-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("schema")).expect("create schema dir");
        std::fs::create_dir_all(root.join("queries")).expect("create queries dir");
        std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join(SCHEMA), root.join(SCHEMA)).expect("copy schema");
        for (file, text) in files {
            std::fs::write(root.join("queries").join(file), text).expect("write query");
        }
        Scratch(root)
    }

    fn problems(&self) -> Vec<Problem> {
        let files = validate::query_files(&self.0, "queries").expect("list queries");
        match validate::validate(&self.0, SCHEMA, &files) {
            Ok(ops) => panic!("expected problems, got operations {ops:?}"),
            Err(report) => {
                assert!(!report.problems.is_empty());
                report.problems
            }
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn assert_problem(problems: &[Problem], file: &str, line: usize, column: usize, needle: &str) {
    assert!(
        problems.iter().any(|p| p.file == file && p.line == line && p.column == column && p.message.contains(needle)),
        "no problem `{needle}` at {file}:{line}:{column} in:\n{}",
        problems.iter().map(|p| format!("  {p}\n")).collect::<String>()
    );
}

#[test]
fn our_queries_are_valid_and_all_found() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = validate::query_files(root, "queries").expect("list queries");
    let ops = validate::validate(root, SCHEMA, &files).unwrap_or_else(|r| panic!("{}", r.rendered));
    let mut names: Vec<(&str, Kind)> = ops.iter().map(|op| (op.name.as_str(), op.kind)).collect();
    names.sort();
    assert_eq!(
        names,
        [
            ("AlertsPage", Kind::Query),
            ("AllIssues", Kind::Query),
            ("CreateAuthorization", Kind::Mutation),
            ("Issue", Kind::Query),
            ("Permissions", Kind::Query),
            ("User", Kind::Query),
        ]
    );
    // The generated glue lists the same operations.
    let generated: Vec<&str> = dcso_portal::operations::ALL.iter().map(|(name, _, _)| *name).collect();
    assert_eq!(generated.len(), ops.len());
    for op in &ops {
        assert!(generated.contains(&op.name.as_str()), "{} missing from the generated glue", op.name);
    }
}

#[test]
fn unknown_field_is_reported_at_its_position() {
    let s = Scratch::new("field", &[("bad.graphql", "query Bad {\n  tdh_allIssues {\n    id\n    colour\n  }\n}\n")]);
    assert_problem(&s.problems(), "queries/bad.graphql", 4, 5, "colour");
}

#[test]
fn unknown_argument_is_reported() {
    // graphql_client's own checks accept this one; ours must not.
    let s = Scratch::new("arg", &[("bad.graphql", "query Bad {\n  tdh_allIssues(limit: 3) { id }\n}\n")]);
    assert_problem(&s.problems(), "queries/bad.graphql", 2, 17, "limit");
}

#[test]
fn wrong_argument_and_variable_types_are_reported() {
    let s = Scratch::new(
        "types",
        &[
            ("a.graphql", "query A {\n  alerts(first: \"ten\") { totalCount }\n}\n"),
            ("b.graphql", "query B($first: String) {\n  alerts(first: $first) { totalCount }\n}\n"),
        ],
    );
    let problems = s.problems();
    assert_problem(&problems, "queries/a.graphql", 2, 17, "");
    assert!(problems.iter().any(|p| p.file == "queries/b.graphql" && p.line == 2), "{problems:?}");
}

#[test]
fn unknown_input_field_is_reported() {
    let s = Scratch::new(
        "input",
        &[("bad.graphql", "query Bad {\n  tdh_allIssues(filter: { colour: \"red\" }) { id }\n}\n")],
    );
    assert_problem(&s.problems(), "queries/bad.graphql", 2, 35, "colour");
}

#[test]
fn undefined_and_unused_variables_and_fragments_are_reported() {
    let s = Scratch::new(
        "vars",
        &[
            ("undefined.graphql", "query U {\n  alerts(first: $n) { totalCount }\n}\n"),
            ("unused.graphql", "query V($n: Int) {\n  alerts { totalCount }\n}\n"),
            ("fragment.graphql", "query F {\n  tdh_allIssues {\n    ...Missing\n  }\n}\n"),
        ],
    );
    let problems = s.problems();
    assert_problem(&problems, "queries/undefined.graphql", 2, 17, "$n");
    assert_problem(&problems, "queries/unused.graphql", 1, 9, "$n");
    assert_problem(&problems, "queries/fragment.graphql", 3, 5, "Missing");
}

#[test]
fn syntax_errors_are_reported() {
    let s = Scratch::new("syntax", &[("bad.graphql", "query Bad {\n  tdh_allIssues { id \n")]);
    let problems = s.problems();
    assert!(problems.iter().all(|p| p.file == "queries/bad.graphql" && p.line >= 1), "{problems:?}");
}

#[test]
fn operations_need_unique_rust_type_names() {
    let s = Scratch::new(
        "names",
        &[
            ("a.graphql", "query Twice { alerts { totalCount } }\n"),
            ("c.graphql", "{ alerts { totalCount } }\n"),
            ("b.graphql", "query Twice { alerts { totalCount } }\nquery lower_case { alerts { totalCount } }\n"),
        ],
    );
    let problems = s.problems();
    assert_problem(&problems, "queries/c.graphql", 1, 1, "anonymous operation");
    assert_problem(&problems, "queries/b.graphql", 1, 1, "also defined in queries/a.graphql");
    assert_problem(&problems, "queries/b.graphql", 2, 1, "not a Rust type name");
}

#[test]
fn an_invalid_schema_is_reported() {
    let s = Scratch::new("schema", &[("ok.graphql", "query Ok { alerts { totalCount } }\n")]);
    std::fs::write(s.0.join(SCHEMA), "type Query { a: Missing }\n").expect("write schema");
    let problems = s.problems();
    assert!(problems.iter().any(|p| p.file == SCHEMA && p.line == 1 && p.message.contains("Missing")), "{problems:?}");
}
