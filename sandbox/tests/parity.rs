//! The running server's introspection must describe exactly the vendored SDL.
//!
//! Both sides are flattened into one line per fact ("`tdh_Issue.name`
//! deprecated: Use `title`."), the SDL side by apollo-compiler (a parser
//! independent of the server's), the server side from the standard
//! introspection query over HTTP. Any fact on one side only, or different on
//! the two sides, is named in the failure.

mod common;

use std::collections::BTreeMap;

use apollo_compiler::schema::ExtendedType;
use apollo_compiler::Schema;
use portal_sandbox::Sandbox;
use serde_json::Value;

const INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name locations args(includeDeprecated: true) { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind
  name
  description
  specifiedByURL
  isOneOf
  fields(includeDeprecated: true) {
    name
    description
    args(includeDeprecated: true) { ...InputValue }
    type { ...TypeRef }
    isDeprecated
    deprecationReason
  }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue {
  name
  description
  type { ...TypeRef }
  defaultValue
  isDeprecated
  deprecationReason
}
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }
}
"#;

const BUILT_IN_SCALARS: [&str; 5] = ["String", "Int", "Float", "Boolean", "ID"];
const BUILT_IN_DIRECTIVES: [&str; 5] = ["include", "skip", "deprecated", "specifiedBy", "oneOf"];

type Facts = BTreeMap<String, String>;

fn text(value: Option<&str>) -> String {
    value.map_or_else(|| "-".to_owned(), str::to_owned)
}

/// Whitespace outside string literals does not matter in a default value.
fn normalize_default(value: &str) -> String {
    let mut out = String::new();
    let mut in_string = false;
    let mut escaped = false;
    for c in value.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() && c != ',' {
            out.push(c);
        }
    }
    out
}

// ---- The SDL side -------------------------------------------------------------

fn sdl_deprecation(directives: &apollo_compiler::ast::DirectiveList) -> String {
    match directives.get("deprecated") {
        None => "-".into(),
        Some(d) => {
            d.specified_argument_by_name("reason").and_then(|v| v.as_str()).unwrap_or("No longer supported").to_owned()
        }
    }
}

fn sdl_input(facts: &mut Facts, key: &str, value: &apollo_compiler::ast::InputValueDefinition) {
    facts.insert(format!("{key} type"), value.ty.to_string());
    facts.insert(format!("{key} description"), text(value.description.as_deref()));
    facts.insert(
        format!("{key} default"),
        value.default_value.as_ref().map_or_else(|| "-".into(), |v| normalize_default(&v.to_string())),
    );
    facts.insert(format!("{key} deprecated"), sdl_deprecation(&value.directives));
}

fn sdl_facts(sdl: &str) -> Facts {
    let schema =
        Schema::parse_and_validate(sdl, "portal.graphql").unwrap_or_else(|e| panic!("invalid SDL: {}", e.errors));
    let mut facts = Facts::new();
    let root = |n: &Option<apollo_compiler::schema::ComponentName>| text(n.as_ref().map(|n| n.name.as_str()));
    facts.insert("schema query".into(), root(&schema.schema_definition.query));
    facts.insert("schema mutation".into(), root(&schema.schema_definition.mutation));
    facts.insert("schema subscription".into(), root(&schema.schema_definition.subscription));
    for (name, ty) in &schema.types {
        if ty.is_built_in() || BUILT_IN_SCALARS.contains(&name.as_str()) {
            continue;
        }
        facts.insert(format!("{name} description"), text(ty.description().map(|d| &**d)));
        let kind = match ty {
            ExtendedType::Scalar(s) => {
                let url = s
                    .directives
                    .get("specifiedBy")
                    .and_then(|d| d.specified_argument_by_name("url"))
                    .and_then(|v| v.as_str());
                facts.insert(format!("{name} specifiedByURL"), text(url));
                "SCALAR"
            }
            ExtendedType::Object(_) | ExtendedType::Interface(_) => {
                let (fields, interfaces) = match ty {
                    ExtendedType::Object(o) => (&o.fields, &o.implements_interfaces),
                    ExtendedType::Interface(i) => (&i.fields, &i.implements_interfaces),
                    _ => unreachable!(),
                };
                let mut list: Vec<&str> = interfaces.iter().map(|i| i.name.as_str()).collect();
                list.sort();
                facts.insert(format!("{name} interfaces"), list.join(","));
                for (field_name, field) in fields {
                    let key = format!("{name}.{field_name}");
                    facts.insert(format!("{key} type"), field.ty.to_string());
                    facts.insert(format!("{key} description"), text(field.description.as_deref()));
                    facts.insert(format!("{key} deprecated"), sdl_deprecation(&field.directives));
                    for arg in &field.arguments {
                        sdl_input(&mut facts, &format!("{key}({})", arg.name), arg);
                    }
                }
                if matches!(ty, ExtendedType::Object(_)) {
                    "OBJECT"
                } else {
                    "INTERFACE"
                }
            }
            ExtendedType::Union(u) => {
                let mut list: Vec<&str> = u.members.iter().map(|m| m.name.as_str()).collect();
                list.sort();
                facts.insert(format!("{name} possibleTypes"), list.join(","));
                "UNION"
            }
            ExtendedType::Enum(e) => {
                for (value_name, value) in &e.values {
                    let key = format!("{name}.{value_name}");
                    facts.insert(format!("{key} description"), text(value.description.as_deref()));
                    facts.insert(format!("{key} deprecated"), sdl_deprecation(&value.directives));
                }
                "ENUM"
            }
            ExtendedType::InputObject(i) => {
                facts.insert(format!("{name} isOneOf"), i.directives.get("oneOf").is_some().to_string());
                for (field_name, field) in &i.fields {
                    sdl_input(&mut facts, &format!("{name}.{field_name}"), field);
                }
                "INPUT_OBJECT"
            }
        };
        facts.insert(format!("{name} kind"), kind.into());
    }
    for (name, directive) in &schema.directive_definitions {
        if !BUILT_IN_DIRECTIVES.contains(&name.as_str()) {
            let mut locations: Vec<String> = directive.locations.iter().map(|l| l.to_string()).collect();
            locations.sort();
            facts.insert(format!("@{name} locations"), locations.join(","));
        }
    }
    facts
}

// ---- The server side ----------------------------------------------------------

fn type_ref(t: &Value) -> String {
    match t["kind"].as_str() {
        Some("NON_NULL") => format!("{}!", type_ref(&t["ofType"])),
        Some("LIST") => format!("[{}]", type_ref(&t["ofType"])),
        _ => t["name"].as_str().unwrap_or("?").to_owned(),
    }
}

fn server_deprecation(v: &Value) -> String {
    if v["isDeprecated"] == Value::Bool(true) {
        text(v["deprecationReason"].as_str())
    } else {
        "-".into()
    }
}

fn server_input(facts: &mut Facts, key: &str, value: &Value) {
    facts.insert(format!("{key} type"), type_ref(&value["type"]));
    facts.insert(format!("{key} description"), text(value["description"].as_str()));
    facts
        .insert(format!("{key} default"), value["defaultValue"].as_str().map_or_else(|| "-".into(), normalize_default));
    facts.insert(format!("{key} deprecated"), server_deprecation(value));
}

fn names(list: &Value) -> String {
    let mut names: Vec<String> = list.as_array().map(|l| l.iter().map(type_ref).collect()).unwrap_or_default();
    names.sort();
    names.join(",")
}

fn server_facts(answer: &Value) -> Facts {
    assert!(answer.get("errors").is_none(), "introspection failed: {answer}");
    let schema = &answer["data"]["__schema"];
    let mut facts = Facts::new();
    facts.insert("schema query".into(), text(schema["queryType"]["name"].as_str()));
    facts.insert("schema mutation".into(), text(schema["mutationType"]["name"].as_str()));
    facts.insert("schema subscription".into(), text(schema["subscriptionType"]["name"].as_str()));
    for ty in schema["types"].as_array().expect("types") {
        let name = ty["name"].as_str().expect("type name");
        if name.starts_with("__") || BUILT_IN_SCALARS.contains(&name) {
            continue;
        }
        let kind = ty["kind"].as_str().expect("kind");
        facts.insert(format!("{name} kind"), kind.into());
        facts.insert(format!("{name} description"), text(ty["description"].as_str()));
        match kind {
            "SCALAR" => {
                facts.insert(format!("{name} specifiedByURL"), text(ty["specifiedByURL"].as_str()));
            }
            "OBJECT" | "INTERFACE" => {
                facts.insert(format!("{name} interfaces"), names(&ty["interfaces"]));
                for field in ty["fields"].as_array().expect("fields") {
                    let key = format!("{name}.{}", field["name"].as_str().expect("field name"));
                    facts.insert(format!("{key} type"), type_ref(&field["type"]));
                    facts.insert(format!("{key} description"), text(field["description"].as_str()));
                    facts.insert(format!("{key} deprecated"), server_deprecation(field));
                    for arg in field["args"].as_array().expect("args") {
                        server_input(&mut facts, &format!("{key}({})", arg["name"].as_str().expect("arg name")), arg);
                    }
                }
            }
            "UNION" => {
                facts.insert(format!("{name} possibleTypes"), names(&ty["possibleTypes"]));
            }
            "ENUM" => {
                for value in ty["enumValues"].as_array().expect("enumValues") {
                    let key = format!("{name}.{}", value["name"].as_str().expect("value name"));
                    facts.insert(format!("{key} description"), text(value["description"].as_str()));
                    facts.insert(format!("{key} deprecated"), server_deprecation(value));
                }
            }
            "INPUT_OBJECT" => {
                facts.insert(format!("{name} isOneOf"), (ty["isOneOf"] == Value::Bool(true)).to_string());
                for field in ty["inputFields"].as_array().expect("inputFields") {
                    server_input(&mut facts, &format!("{name}.{}", field["name"].as_str().expect("name")), field);
                }
            }
            other => panic!("unexpected kind {other} of {name}"),
        }
    }
    for directive in schema["directives"].as_array().expect("directives") {
        let name = directive["name"].as_str().expect("directive name");
        if !BUILT_IN_DIRECTIVES.contains(&name) {
            let mut locations: Vec<String> = directive["locations"]
                .as_array()
                .expect("locations")
                .iter()
                .map(|l| l.as_str().unwrap_or("?").to_owned())
                .collect();
            locations.sort();
            facts.insert(format!("@{name} locations"), locations.join(","));
        }
    }
    facts
}

/// Every difference, one line each; empty when the two agree.
fn drift(sdl: &Facts, server: &Facts) -> Vec<String> {
    let mut out = Vec::new();
    for (key, expected) in sdl {
        match server.get(key) {
            None => out.push(format!("missing from the server: {key} = {expected:?}")),
            Some(actual) if actual != expected => {
                out.push(format!("differs: {key}: SDL {expected:?}, server {actual:?}"))
            }
            Some(_) => {}
        }
    }
    for (key, actual) in server {
        if !sdl.contains_key(key) {
            out.push(format!("not in the SDL but served: {key} = {actual:?}"));
        }
    }
    out
}

async fn introspect(sandbox: &Sandbox) -> Value {
    let body = serde_json::json!({"query": INTROSPECTION, "operationName": "IntrospectionQuery"});
    let reply = common::post(sandbox.addr(), None, &body).await;
    assert_eq!(reply.status, 200);
    reply.json()
}

#[tokio::test]
async fn introspection_matches_the_vendored_sdl_both_ways() {
    let sandbox = Sandbox::start().await.unwrap();
    let server = server_facts(&introspect(&sandbox).await);
    let sdl = sdl_facts(portal_sandbox::SDL);
    let problems = drift(&sdl, &server);
    assert!(problems.is_empty(), "the server drifted from schema/portal.graphql:\n  {}", problems.join("\n  "));
    // A sanity check that the comparison looked at something.
    assert!(sdl.len() > 300, "{} facts", sdl.len());
    assert_eq!(server.get("schema query").map(String::as_str), Some("Query"));
    assert_eq!(server.get("schema mutation").map(String::as_str), Some("Mutation"));
    assert_eq!(server.get("tdh_Issue.name deprecated").map(String::as_str), Some("Use `title`."));
}

#[tokio::test]
async fn the_vendored_sdl_file_is_what_the_server_embeds() {
    let on_disk = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema/portal.graphql")).unwrap();
    assert_eq!(on_disk, portal_sandbox::SDL);
}

#[tokio::test]
async fn the_comparison_names_each_kind_of_drift() {
    let sandbox = Sandbox::start().await.unwrap();
    let server = server_facts(&introspect(&sandbox).await);
    let edited = portal_sandbox::SDL
        .replace("  title: String!\n  \"Former name", "  title: String\n  \"Former name")
        .replace("@deprecated(reason: \"Use `title`.\")", "")
        .replace("  LOW\n", "  LOW\n  NEGLIGIBLE\n")
        .replace("  search: String\n}", "  search: String\n  limit: Int = 10\n}")
        .replace("type PageInfo {", "type Extra { a: Int }\n\ntype PageInfo {")
        .replace("  totalCount: Int!\n", "");
    assert_ne!(edited, portal_sandbox::SDL);
    let problems = drift(&sdl_facts(&edited), &server).join("\n");
    for needle in [
        "differs: tdh_Issue.title type: SDL \"String\", server \"String!\"",
        "differs: tdh_Issue.name deprecated: SDL \"-\", server \"Use `title`.\"",
        "missing from the server: tdh_Severity.NEGLIGIBLE description",
        "missing from the server: tdh_IssuesFilter.limit default = \"10\"",
        "missing from the server: Extra kind = \"OBJECT\"",
        "not in the SDL but served: AlertConnection.totalCount type = \"Int!\"",
    ] {
        assert!(problems.contains(needle), "{needle}\nnot in:\n{problems}");
    }
}
