//! Schema diff classification and the operations each breaking change breaks,
//! on variants of the vendored schema and on small schemas for the rest.

mod common;

use portal_cli::schema::breakage;
use portal_cli::schema::diff::{diff, Change, ChangeKind, Criticality};
use portal_cli::schema::report::Report;
use portal_cli::schema::sdl;

fn changes(old: &str, new: &str) -> Vec<Change> {
    diff(&sdl::parse(old, "old.graphql").unwrap(), &sdl::parse(new, "new.graphql").unwrap())
}

/// The one change between `old` and `new`, as (criticality, kind, path).
fn only_change(old: &str, new: &str) -> (Criticality, ChangeKind, String) {
    let all = changes(old, new);
    assert_eq!(all.len(), 1, "expected one change, got {all:#?}");
    (all[0].criticality, all[0].kind, all[0].path.clone())
}

/// The report for the vendored schema against `new`, with the repository's queries.
fn report(new: &str) -> Report {
    let root = common::repo_root();
    let schema_file = root.join("schema/portal.graphql");
    let queries = breakage::load_queries(schema_file.to_str().unwrap(), root.join("queries").to_str().unwrap())
        .expect("queries load");
    let old = sdl::parse(&common::vendored_schema(), "schema/portal.graphql").unwrap();
    let new = sdl::parse(new, "new.graphql").unwrap();
    Report::build("schema/portal.graphql", &old, "new.graphql", &new, &queries).expect("report builds")
}

fn broken(report: &Report) -> Vec<(String, String)> {
    report
        .broken_operations
        .iter()
        .map(|op| (op.file.rsplit('/').next().unwrap().to_owned(), op.operation.clone()))
        .collect()
}

fn op(file: &str, name: &str) -> (String, String) {
    (file.to_owned(), name.to_owned())
}

#[test]
fn the_vendored_schema_has_no_changes_against_itself() {
    let report = report(&common::vendored_schema());
    assert!(report.changes.is_empty());
    assert!(!report.breaks_operations());
}

#[test]
fn field_removed_breaks_every_operation_selecting_it_with_located_errors() {
    let new = common::variant("  title: String!\n  \"Former name", "  \"Former name");
    let report = report(&new);
    assert_eq!(report.changes.len(), 1, "{:#?}", report.changes);
    let change = &report.changes[0];
    assert_eq!(
        (change.criticality, change.kind, change.path.as_str()),
        (Criticality::Breaking, ChangeKind::FieldRemoved, "tdh_Issue.title")
    );
    assert_eq!(broken(&report), vec![op("tdh.graphql", "AllIssues"), op("tdh.graphql", "Issue")]);
    for operation in &report.broken_operations {
        assert_eq!(operation.changes, vec!["tdh_Issue.title"]);
        // The error is in the shared fragment, at `title` (line 7, column 3).
        let error = &operation.errors[0];
        assert!(error.file.ends_with("queries/tdh.graphql"), "{error:?}");
        assert_eq!((error.line, error.column), (7, 3), "{error:?}");
        assert!(error.message.contains("title"), "{error:?}");
    }
    assert!(report.breaks_operations());
}

#[test]
fn required_argument_added_breaks_the_operations_using_the_field() {
    let new = common::variant(
        "tdh_allIssues(filter: tdh_IssuesFilter): [tdh_Issue!]!",
        "tdh_allIssues(filter: tdh_IssuesFilter, tenant: ID!): [tdh_Issue!]!",
    );
    let report = report(&new);
    let change = &report.changes[0];
    assert_eq!(
        (change.criticality, change.kind, change.path.as_str()),
        (Criticality::Breaking, ChangeKind::ArgumentAdded, "Query.tdh_allIssues(tenant:)")
    );
    assert_eq!(change.operations.len(), 1);
    assert_eq!(broken(&report), vec![op("tdh.graphql", "AllIssues")]);
    let errors = &report.broken_operations[0].errors;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].message.contains("tenant"), "{errors:?}");
}

#[test]
fn optional_argument_added_is_safe() {
    let new = common::variant("alerts(first: Int, after: Cursor)", "alerts(first: Int, after: Cursor, before: Cursor)");
    let report = report(&new);
    assert_eq!(report.changes.len(), 1);
    assert_eq!((report.changes[0].criticality, report.changes[0].kind), (Criticality::Safe, ChangeKind::ArgumentAdded));
    assert!(!report.breaks_operations());
}

#[test]
fn enum_value_removed_breaks_operations_whose_variables_can_carry_it() {
    let new = common::variant("  INFO\n  LOW\n", "  INFO\n");
    let report = report(&new);
    let change = &report.changes[0];
    assert_eq!(
        (change.criticality, change.kind, change.path.as_str()),
        (Criticality::Breaking, ChangeKind::EnumValueRemoved, "tdh_Severity.LOW")
    );
    // AllIssues can send LOW in its filter; AlertsPage only receives severities.
    assert_eq!(broken(&report), vec![op("tdh.graphql", "AllIssues")]);
    assert!(report.broken_operations[0].errors.is_empty(), "the document itself still validates");
}

#[test]
fn output_nullability_loosened_is_breaking_for_operations_selecting_it() {
    let new = common::variant("  title: String!\n  \"Former", "  title: String\n  \"Former");
    let report = report(&new);
    let change = &report.changes[0];
    assert_eq!(
        (change.criticality, change.kind, change.path.as_str()),
        (Criticality::Breaking, ChangeKind::FieldTypeChanged, "tdh_Issue.title")
    );
    assert!(change.message.contains("may now be null"), "{}", change.message);
    assert_eq!(broken(&report), vec![op("tdh.graphql", "AllIssues"), op("tdh.graphql", "Issue")]);
    assert!(report.broken_operations.iter().all(|op| op.errors.is_empty()));
}

#[test]
fn field_added_is_safe_and_breaks_nothing() {
    let new = common::variant("  title: String!\n  \"Former", "  title: String!\n  priority: Int\n  \"Former");
    let report = report(&new);
    assert_eq!(report.changes.len(), 1);
    let change = &report.changes[0];
    assert_eq!(
        (change.criticality, change.kind, change.path.as_str()),
        (Criticality::Safe, ChangeKind::FieldAdded, "tdh_Issue.priority")
    );
    assert!(change.operations.is_empty());
    assert!(!report.breaks_operations());
}

#[test]
fn a_breaking_change_no_operation_uses_breaks_nothing() {
    let new = common::variant("  hasPreviousPage: Boolean!\n", "");
    let report = report(&new);
    assert_eq!(report.summary.breaking, 1);
    assert!(report.changes[0].operations.is_empty());
    assert!(!report.breaks_operations());
}

#[test]
fn type_removed_breaks_the_operations_naming_it() {
    let new = common::variant(
        "  affectedAssets: [tdh_Asset!]!\n}",
        "}",
    )
    .replace("\"\"\"\nA machine an issue concerns.\n\"\"\"\ntype tdh_Asset {\n  ip: String!\n  hostname: String\n  macAddress: String\n  operatingSystem: String\n}\n", "");
    let report = report(&new);
    let kinds: Vec<_> = report.changes.iter().map(|c| (c.kind, c.path.as_str())).collect();
    assert!(kinds.contains(&(ChangeKind::TypeRemoved, "tdh_Asset")), "{kinds:?}");
    assert!(kinds.contains(&(ChangeKind::FieldRemoved, "tdh_Issue.affectedAssets")), "{kinds:?}");
    assert_eq!(broken(&report), vec![op("tdh.graphql", "AllIssues"), op("tdh.graphql", "Issue")]);
}

#[test]
fn input_field_newly_required_breaks_operations_sending_that_input() {
    let new = common::variant("  search: String\n}", "  search: String\n  tenant: ID!\n}");
    let report = report(&new);
    assert_eq!(
        (report.changes[0].criticality, report.changes[0].kind, report.changes[0].path.as_str()),
        (Criticality::Breaking, ChangeKind::InputFieldAdded, "tdh_IssuesFilter.tenant")
    );
    assert_eq!(broken(&report), vec![op("tdh.graphql", "AllIssues")]);
}

#[test]
fn json_report_is_stable() {
    let new = common::variant("  INFO\n  LOW\n", "  INFO\n");
    let json: serde_json::Value = serde_json::from_str(&report(&new).to_json()).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(
        json["summary"],
        serde_json::json!({ "breaking": 1, "dangerous": 0, "safe": 0, "broken_operations": 1 })
    );
    let change = &json["changes"][0];
    assert_eq!(change["criticality"], "breaking");
    assert_eq!(change["kind"], "enum_value_removed");
    assert_eq!(change["path"], "tdh_Severity.LOW");
    assert!(change["message"].is_string());
    assert_eq!(change["operations"][0]["operation"], "AllIssues");
    assert_eq!(json["broken_operations"][0]["changes"], serde_json::json!(["tdh_Severity.LOW"]));
    assert_eq!(json["broken_operations"][0]["errors"], serde_json::json!([]));
}

// Classification of the rest, on small schemas.

const BASE: &str = r#"
type Query { a(x: Int, y: ID!): String, list: [Int!]!, i: I, u: U, e: E, o: O }
interface I { id: ID }
type O implements I { id: ID, name: String }
type P { id: ID }
union U = O | P
enum E { ONE TWO }
input In { f: Int, g: String = "x", h: [ID!]! }
"#;

fn with(from: &str, to: &str) -> String {
    assert_eq!(BASE.matches(from).count(), 1, "`{from}` must occur once");
    BASE.replacen(from, to, 1)
}

#[test]
fn variance_of_type_changes() {
    use ChangeKind::*;
    use Criticality::*;
    // Output fields may only get stricter.
    assert_eq!(
        only_change(BASE, &with("a(x: Int, y: ID!): String", "a(x: Int, y: ID!): String!")),
        (Safe, FieldTypeChanged, "Query.a".into())
    );
    assert_eq!(
        only_change(BASE, &with("list: [Int!]!", "list: [Int]!")),
        (Breaking, FieldTypeChanged, "Query.list".into())
    );
    assert_eq!(
        only_change(BASE, &with("list: [Int!]!", "list: [Int!]")),
        (Breaking, FieldTypeChanged, "Query.list".into())
    );
    assert_eq!(
        only_change(BASE, &with("list: [Int!]!", "list: Int!")),
        (Breaking, FieldTypeChanged, "Query.list".into())
    );
    assert_eq!(only_change(BASE, &with("name: String", "name: ID")), (Breaking, FieldTypeChanged, "O.name".into()));
    // Arguments and input fields may only get looser.
    assert_eq!(only_change(BASE, &with("y: ID!", "y: ID")), (Safe, ArgumentTypeChanged, "Query.a(y:)".into()));
    assert_eq!(
        only_change(BASE, &with("a(x: Int,", "a(x: Int!,")),
        (Breaking, ArgumentTypeChanged, "Query.a(x:)".into())
    );
    assert_eq!(only_change(BASE, &with("h: [ID!]!", "h: [ID]")), (Safe, InputFieldTypeChanged, "In.h".into()));
    assert_eq!(only_change(BASE, &with("f: Int,", "f: Int!,")), (Breaking, InputFieldTypeChanged, "In.f".into()));
    assert_eq!(only_change(BASE, &with("f: Int,", "f: [Int],")), (Breaking, InputFieldTypeChanged, "In.f".into()));
}

#[test]
fn additions_removals_and_the_rest() {
    use ChangeKind::*;
    use Criticality::*;
    assert_eq!(
        only_change(BASE, &with("a(x: Int, y: ID!)", "a(y: ID!)")),
        (Breaking, ArgumentRemoved, "Query.a(x:)".into())
    );
    assert_eq!(
        only_change(BASE, &with("a(x: Int,", "a(x: Int = 3,")),
        (Dangerous, ArgumentDefaultChanged, "Query.a(x:)".into())
    );
    assert_eq!(
        only_change(BASE, &with("g: String = \"x\"", "g: String = \"y\"")),
        (Dangerous, InputFieldDefaultChanged, "In.g".into())
    );
    assert_eq!(only_change(BASE, &with("h: [ID!]! }", "h: [ID!]!, k: Int }")), (Safe, InputFieldAdded, "In.k".into()));
    assert_eq!(
        only_change(BASE, &with("h: [ID!]! }", "h: [ID!]!, k: Int! }")),
        (Breaking, InputFieldAdded, "In.k".into())
    );
    assert_eq!(
        only_change(BASE, &with("h: [ID!]! }", "h: [ID!]!, k: Int! = 1 }")),
        (Safe, InputFieldAdded, "In.k".into())
    );
    assert_eq!(only_change(BASE, &with("f: Int, ", "")), (Breaking, InputFieldRemoved, "In.f".into()));
    assert_eq!(
        only_change(BASE, &with("enum E { ONE TWO }", "enum E { ONE TWO THREE }")),
        (Dangerous, EnumValueAdded, "E.THREE".into())
    );
    assert_eq!(
        only_change(BASE, &with("enum E { ONE TWO }", "enum E { ONE }")),
        (Breaking, EnumValueRemoved, "E.TWO".into())
    );
    assert_eq!(only_change(BASE, &with("union U = O | P", "union U = O")), (Breaking, UnionMemberRemoved, "U".into()));
    assert_eq!(only_change(&with("union U = O | P", "union U = O"), BASE), (Dangerous, UnionMemberAdded, "U".into()));
    assert_eq!(only_change(BASE, &with("type O implements I {", "type O {")), (Breaking, InterfaceRemoved, "O".into()));
    assert_eq!(
        only_change(BASE, &with("type P { id: ID }", "type P implements I { id: ID }")),
        (Dangerous, InterfaceAdded, "P".into())
    );
    assert_eq!(
        only_change(BASE, &with("name: String", "name: String @deprecated")),
        (Safe, DeprecationAdded, "O.name".into())
    );
    assert_eq!(
        only_change(&with("name: String", "name: String @deprecated"), BASE),
        (Safe, DeprecationRemoved, "O.name".into())
    );
    assert_eq!(
        only_change(&with("TWO", "TWO @deprecated"), &with("TWO", "TWO @deprecated(reason: \"Use ONE.\")")),
        (Safe, DeprecationReasonChanged, "E.TWO".into())
    );
    assert_eq!(only_change(BASE, &with("enum E", "\"Choices.\" enum E")), (Safe, DescriptionChanged, "E".into()));
    assert_eq!(only_change(BASE, &with("input In", "scalar Other input In")), (Safe, TypeAdded, "Other".into()));
    let kind_change = changes(BASE, &with("enum E { ONE TWO }", "scalar E"));
    assert_eq!(kind_change.len(), 1);
    assert_eq!((kind_change[0].criticality, kind_change[0].kind), (Breaking, TypeKindChanged));
}

#[test]
fn root_types_and_directives() {
    use ChangeKind::*;
    use Criticality::*;
    let with_mutation = format!("{BASE}\ntype Mutation {{ m: Int }}");
    let added: Vec<_> = changes(BASE, &with_mutation).into_iter().map(|c| (c.criticality, c.kind, c.path)).collect();
    assert_eq!(added, vec![(Safe, RootTypeAdded, "schema.mutation".into()), (Safe, TypeAdded, "Mutation".into())]);
    let removed: Vec<_> = changes(&with_mutation, BASE).into_iter().map(|c| (c.criticality, c.kind, c.path)).collect();
    assert_eq!(removed[0], (Breaking, RootTypeRemoved, "schema.mutation".into()));
    let explicit_old = format!("schema {{ query: Query mutation: M }}\n{BASE}\ntype M {{ m: Int }}");
    let explicit_new =
        format!("schema {{ query: Query mutation: M2 }}\n{BASE}\ntype M {{ m: Int }}\ntype M2 {{ m: Int }}");
    let all = changes(&explicit_old, &explicit_new);
    assert!(
        all.iter().any(|c| (c.criticality, c.kind, c.path.as_str()) == (Breaking, RootTypeChanged, "schema.mutation")),
        "{all:#?}"
    );

    let directive = format!("{BASE}\ndirective @cost(weight: Int) on FIELD | FIELD_DEFINITION");
    assert_eq!(only_change(BASE, &directive), (Safe, DirectiveAdded, "@cost".into()));
    assert_eq!(only_change(&directive, BASE), (Breaking, DirectiveRemoved, "@cost".into()));
    assert_eq!(
        only_change(&directive, &directive.replace(" | FIELD_DEFINITION", "")),
        (Breaking, DirectiveLocationRemoved, "@cost".into())
    );
    assert_eq!(
        only_change(&directive, &directive.replace("weight: Int", "weight: Int, unit: String!")),
        (Breaking, ArgumentAdded, "@cost(unit:)".into())
    );
}

#[test]
fn changes_are_ordered_breaking_dangerous_safe() {
    let new = with("enum E { ONE TWO }", "enum E { ONE THREE }").replace("list: [Int!]!", "list: [Int!]!, extra: Int");
    let all = changes(BASE, &new);
    let order: Vec<_> = all.iter().map(|c| c.criticality).collect();
    assert_eq!(order, vec![Criticality::Breaking, Criticality::Dangerous, Criticality::Safe]);
}
