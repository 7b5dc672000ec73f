//! The canonical SDL printer: parity between a file and a server's
//! introspection, determinism, and what is kept and dropped.

mod common;

use portal_cli::schema::{sdl, SchemaError};
use serde_json::json;

fn canonical(sdl_text: &str) -> String {
    sdl::canonicalize(sdl_text, "test.graphql").expect("valid test SDL")
}

fn via_introspection(sdl_text: &str) -> String {
    sdl::from_introspection(&common::introspect(sdl_text)).expect("introspection reads back")
}

#[test]
fn vendored_schema_prints_the_same_from_the_file_and_from_introspection() {
    let vendored = common::vendored_schema();
    assert_eq!(canonical(&vendored), via_introspection(&vendored));
}

#[test]
fn canonical_form_is_a_fixed_point() {
    let once = canonical(&common::vendored_schema());
    assert_eq!(canonical(&once), once);
}

#[test]
fn vendored_schema_keeps_descriptions_and_deprecations_and_drops_comments() {
    let printed = canonical(&common::vendored_schema());
    assert!(printed.starts_with("schema {\n  query: Query\n  mutation: Mutation\n}\n"), "{printed}");
    assert!(!printed.contains('#'), "comments are not part of a schema");
    assert!(printed
        .contains("  \"\"\"Former name of `title`.\"\"\"\n  name: String! @deprecated(reason: \"Use `title`.\")\n"));
    assert!(
        printed.contains("\"\"\"\nA UUID in its canonical hyphenated form.\n\"\"\"\nscalar UUID\n")
            || printed.contains("\"\"\"A UUID in its canonical hyphenated form.\"\"\"\nscalar UUID\n")
    );
    for built_in in ["scalar String", "scalar Boolean", "__Schema", "directive @deprecated", "directive @skip"] {
        assert!(!printed.contains(built_in), "built-in `{built_in}` printed");
    }
}

#[test]
fn types_are_sorted_by_name_whatever_the_source_order() {
    let forwards = "type Query { b: B a: A }\ntype A { x: Int }\ntype B { y: Int }\nenum Z { ONE TWO }\nscalar M\n";
    let backwards = "scalar M\nenum Z { ONE TWO }\ntype B { y: Int }\ntype A { x: Int }\ntype Query { b: B a: A }\n";
    let printed = canonical(forwards);
    assert_eq!(printed, canonical(backwards));
    let positions: Vec<usize> =
        ["type A ", "type B ", "scalar M", "type Query", "enum Z"].iter().map(|t| printed.find(t).expect(t)).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{printed}");
    // Fields keep their declaration order.
    assert!(printed.contains("type Query {\n  b: B\n  a: A\n}"), "{printed}");
}

#[test]
fn unordered_sets_are_sorted() {
    let one = "type Query { u: U }\ninterface I { id: ID }\ninterface J { id: ID }\n\
               type A implements J & I { id: ID }\ntype B implements I { id: ID }\nunion U = B | A\n\
               directive @tag(name: String) repeatable on OBJECT | FIELD_DEFINITION\n";
    let two = "type Query { u: U }\ninterface I { id: ID }\ninterface J { id: ID }\n\
               type A implements I & J { id: ID }\ntype B implements I { id: ID }\nunion U = A | B\n\
               directive @tag(name: String) repeatable on FIELD_DEFINITION | OBJECT\n";
    let printed = canonical(one);
    assert_eq!(printed, canonical(two));
    assert!(printed.contains("type A implements I & J {"), "{printed}");
    assert!(printed.contains("union U = A | B"), "{printed}");
    assert!(printed.contains("directive @tag(name: String) repeatable on FIELD_DEFINITION | OBJECT"), "{printed}");
}

/// Everything introspection can express survives the trip through a server.
const RICH: &str = r#"
schema { query: Root mutation: Change }

"Marks a field as costly."
directive @cost(
  "Relative weight."
  weight: Int! = 1
) repeatable on FIELD_DEFINITION | FIELD

interface Node { id: ID! }
interface Named implements Node { id: ID! name: String }

"""
A thing with a name.
  Indented second line, and a "quote".
"""
type Thing implements Named & Node {
  id: ID!
  name: String
  old: String @deprecated
  older: String @deprecated(reason: "Use `name`.")
  grid(size: [[Int!]]! = [[1, 2], [3]], mode: Mode = FAST @deprecated(reason: "Always FAST now.")): [[Int]!]
}

type Other implements Node { id: ID! }
union Either = Thing | Other

enum Mode { FAST SLOW @deprecated(reason: "Too slow.") }

input Options {
  mode: Mode = SLOW
  limit: Int = 10
  tags: [String!] = ["a", "b"]
  nested: Nested = { depth: 2, label: "x" }
  legacy: Boolean @deprecated(reason: "Ignored.")
}
input Nested { depth: Int! label: String }

scalar JSON

type Root { thing(id: ID!): Thing either: [Either!]! node(options: Options): Node json: JSON }
type Change { rename(id: ID!, name: String!): Thing }
"#;

#[test]
fn everything_introspection_can_express_round_trips() {
    let printed = canonical(RICH);
    assert_eq!(printed, via_introspection(RICH));
    for expected in [
        "schema {\n  query: Root\n  mutation: Change\n}",
        "directive @cost(",
        "repeatable on FIELD | FIELD_DEFINITION",
        "interface Named implements Node {",
        "old: String @deprecated\n",
        "older: String @deprecated(reason: \"Use `name`.\")",
        "mode: Mode = FAST @deprecated(reason: \"Always FAST now.\")",
        "size: [[Int!]]! = [[1, 2], [3]]",
        "): [[Int]!]",
        "SLOW @deprecated(reason: \"Too slow.\")",
        "nested: Nested = {depth: 2, label: \"x\"}",
        "tags: [String!] = [\"a\", \"b\"]",
        "legacy: Boolean @deprecated(reason: \"Ignored.\")",
        "  Indented second line, and a \"quote\".",
    ] {
        assert!(printed.contains(expected), "missing `{expected}` in:\n{printed}");
    }
}

#[test]
fn awkward_descriptions_keep_their_exact_text() {
    let descriptions = [
        "ends with a quote\"",
        "has \"\"\" triple quotes",
        "back\\slash and \\\"\"\" escaped triple",
        "  leading spaces on the only line",
        "  every line\n  is indented",
        "trailing newline\n",
        "\nleading newline",
        "carriage\r\nreturn",
        "tab\tand unicode: äöü ✓ \u{1F600}",
        "",
        "a line that is quite a bit longer than seventy characters so that the printer wraps it",
    ];
    for description in descriptions {
        let sdl_text = format!("type Query {{\n  {}\n  a: Int\n}}\n", serde_json::to_string(description).unwrap());
        let printed = canonical(&sdl_text);
        assert_eq!(printed, via_introspection(&sdl_text), "for {description:?}");
        let reparsed = sdl::parse(&printed, "printed.graphql").expect("printed SDL parses");
        let field = &reparsed.get_object("Query").expect("Query").fields["a"];
        assert_eq!(field.description.as_deref(), Some(description), "printed:\n{printed}");
    }
}

#[test]
fn invalid_sdl_is_an_error_naming_its_origin() {
    let error = sdl::canonicalize("type Query { a: Missing }", "broken.graphql").unwrap_err();
    assert!(matches!(error, SchemaError::Invalid { .. }));
    let message = error.to_string();
    assert!(message.contains("broken.graphql") && message.contains("Missing"), "{message}");
}

fn introspection_error(data: serde_json::Value) -> String {
    match sdl::from_introspection(&data) {
        Err(SchemaError::Introspection(message)) => message,
        other => panic!("expected an introspection error, got {other:?}"),
    }
}

fn with_query_type(types: serde_json::Value) -> serde_json::Value {
    json!({ "__schema": {
        "queryType": { "name": "Query" }, "mutationType": null, "subscriptionType": null,
        "types": types, "directives": []
    }})
}

fn field(name: &str, ty: serde_json::Value, args: serde_json::Value) -> serde_json::Value {
    json!({ "name": name, "description": null, "args": args, "type": ty, "isDeprecated": false, "deprecationReason": null })
}

fn object(name: &str, fields: serde_json::Value) -> serde_json::Value {
    json!({ "kind": "OBJECT", "name": name, "description": null, "fields": fields, "inputFields": null,
            "interfaces": [], "enumValues": null, "possibleTypes": null })
}

fn int() -> serde_json::Value {
    json!({ "kind": "SCALAR", "name": "Int", "ofType": null })
}

#[test]
fn hostile_introspection_results_are_errors() {
    assert!(introspection_error(json!({})).contains("__schema"));
    assert!(introspection_error(json!([1, 2])).contains("unexpected shape"));
    assert!(introspection_error(json!({ "__schema": { "types": "no" } })).contains("__schema"));

    let injected_name =
        with_query_type(json!([object("Query { x: Int } type Evil", json!([field("a", int(), json!([]))]))]));
    assert!(introspection_error(injected_name).contains("not a GraphQL name"));

    let arg = |default: &str| {
        json!([{ "name": "n", "description": null, "type": int(), "defaultValue": default,
                 "isDeprecated": false, "deprecationReason": null }])
    };
    for default in ["1) { a } query Evil($y: Int = 2", "", "{", "$var"] {
        let data = with_query_type(json!([object("Query", json!([field("a", int(), arg(default))]))]));
        let message = introspection_error(data);
        assert!(message.contains("default value"), "{default:?}: {message}");
    }

    let double_non_null =
        json!({ "kind": "NON_NULL", "name": null, "ofType": { "kind": "NON_NULL", "name": null, "ofType": int() } });
    let data = with_query_type(json!([object("Query", json!([field("a", double_non_null, json!([]))]))]));
    assert!(introspection_error(data).contains("NON_NULL"));

    let unwrapped_list = json!({ "kind": "LIST", "name": null, "ofType": null });
    let data = with_query_type(json!([object("Query", json!([field("a", unwrapped_list, json!([]))]))]));
    assert!(introspection_error(data).contains("ofType"));

    let mut deep = int();
    for _ in 0..100 {
        deep = json!({ "kind": "LIST", "name": null, "ofType": deep });
    }
    let data = with_query_type(json!([object("Query", json!([field("a", deep, json!([]))]))]));
    assert!(introspection_error(data).contains("too deeply"));

    let no_fields = json!([{ "kind": "OBJECT", "name": "Query", "fields": null }]);
    assert!(introspection_error(with_query_type(no_fields)).contains("fields"));

    let odd_kind = json!([{ "kind": "LIST", "name": "Query" }]);
    assert!(introspection_error(with_query_type(odd_kind)).contains("kind"));

    let no_root = json!({ "__schema": { "queryType": null, "types": [], "directives": [] } });
    assert!(introspection_error(no_root).contains("no query type"));
}

#[test]
fn an_introspection_result_that_is_not_a_valid_schema_is_an_error() {
    let data = with_query_type(json!([object(
        "Query",
        json!([field("a", json!({ "kind": "OBJECT", "name": "Nowhere", "ofType": null }), json!([]))])
    )]));
    match sdl::from_introspection(&data) {
        Err(SchemaError::Invalid { origin, diagnostics }) => {
            assert_eq!(origin, "the introspection result");
            assert!(diagnostics.contains("Nowhere"), "{diagnostics}");
        }
        other => panic!("expected an invalid schema, got {other:?}"),
    }
}
