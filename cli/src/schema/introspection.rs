//! The introspection query, and turning its answer back into a schema.
//!
//! A server describes itself through `__schema`; this module reads that JSON
//! (the `data` of [`QUERY`]) into an apollo-compiler [`Schema`] so that a live
//! schema can be printed, compared and validated against exactly like a
//! vendored SDL file.
//!
//! Everything read from the server is checked rather than trusted: names must be
//! GraphQL names, default values must parse as one GraphQL value, type
//! references must be well formed. A malformed answer is an
//! [`SchemaError::Introspection`], never a panic or a schema that silently
//! differs from what the server said.

use apollo_compiler::ast::{self, DirectiveLocation, OperationType};
use apollo_compiler::validation::Valid;
use apollo_compiler::{Name, Node, Schema};
use serde::Deserialize;

use super::error::SchemaError;
use super::sdl::{is_built_in_directive, is_built_in_type};

/// The full introspection query.
///
/// It asks for descriptions, `isRepeatable` on directives and deprecated
/// fields, enum values, arguments and input fields (`includeDeprecated: true`),
/// with their deprecation reasons and default values. It leaves out
/// `specifiedByURL`, `isOneOf` and the schema description, which older servers
/// reject; the printed SDL therefore never carries them either (see
/// [`super::sdl`]). Type references are unwrapped nine levels deep, enough for
/// `[[[String!]!]!]!` and more.
pub const QUERY: &str = r#"query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives {
      name
      description
      isRepeatable
      locations
      args(includeDeprecated: true) { ...InputValue }
    }
  }
}

fragment FullType on __Type {
  kind
  name
  description
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
  enumValues(includeDeprecated: true) {
    name
    description
    isDeprecated
    deprecationReason
  }
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
  kind
  name
  ofType {
    kind
    name
    ofType {
      kind
      name
      ofType {
        kind
        name
        ofType {
          kind
          name
          ofType {
            kind
            name
            ofType {
              kind
              name
              ofType {
                kind
                name
                ofType {
                  kind
                  name
                }
              }
            }
          }
        }
      }
    }
  }
}
"#;

/// The reason GraphQL gives a bare `@deprecated`; servers report it as the
/// `deprecationReason` of such an element.
pub(crate) const DEFAULT_DEPRECATION_REASON: &str = "No longer supported";

/// Reads the `data` of [`QUERY`] into a validated schema.
///
/// Built-in scalars, introspection types (`__*`) and built-in directives are
/// skipped, as SDL never declares them.
pub fn to_schema(data: &serde_json::Value) -> Result<Valid<Schema>, SchemaError> {
    let document = to_document(data)?;
    document.to_schema_validate().map_err(|with_errors| SchemaError::Invalid {
        origin: "the introspection result".into(),
        diagnostics: with_errors.errors.to_string(),
    })
}

/// Reads the `data` of [`QUERY`] into SDL definitions, without validating them.
fn to_document(data: &serde_json::Value) -> Result<ast::Document, SchemaError> {
    let data: Data = serde_path_to_error::deserialize(data).map_err(|e| {
        let path = e.path().to_string();
        SchemaError::Introspection(format!("unexpected shape at `{path}`: {}", e.inner()))
    })?;
    let schema = data.schema;
    let built_in = Schema::new();

    let mut document = ast::Document::new();
    let mut root_operations = Vec::new();
    for (operation_type, root) in [
        (OperationType::Query, &schema.query_type),
        (OperationType::Mutation, &schema.mutation_type),
        (OperationType::Subscription, &schema.subscription_type),
    ] {
        if let Some(root) = root {
            root_operations.push(Node::new((operation_type, name(&root.name)?)));
        }
    }
    if root_operations.is_empty() {
        return Err(SchemaError::Introspection("the schema has no query type".into()));
    }
    document.definitions.push(ast::Definition::SchemaDefinition(Node::new(ast::SchemaDefinition {
        description: None,
        directives: ast::DirectiveList::new(),
        root_operations,
    })));

    for directive in &schema.directives {
        if is_built_in_directive(&built_in, &directive.name) {
            continue;
        }
        let locations =
            directive.locations.iter().map(|location| directive_location(location)).collect::<Result<_, _>>()?;
        document.definitions.push(ast::Definition::DirectiveDefinition(Node::new(ast::DirectiveDefinition {
            description: description(&directive.description),
            name: name(&directive.name)?,
            arguments: input_values(&directive.args)?,
            repeatable: directive.is_repeatable.unwrap_or(false),
            locations,
        })));
    }

    for ty in &schema.types {
        let type_name =
            ty.name.as_deref().ok_or_else(|| SchemaError::Introspection(format!("a {} type has no name", ty.kind)))?;
        if is_built_in_type(&built_in, type_name) {
            continue;
        }
        document.definitions.push(type_definition(ty, type_name)?);
    }
    Ok(document)
}

fn type_definition(ty: &FullType, type_name: &str) -> Result<ast::Definition, SchemaError> {
    let description = description(&ty.description);
    let type_name = name(type_name)?;
    let missing =
        |what: &str| SchemaError::Introspection(format!("{} type `{type_name}` has no `{what}` list", ty.kind));
    Ok(match ty.kind.as_str() {
        "SCALAR" => ast::Definition::ScalarTypeDefinition(Node::new(ast::ScalarTypeDefinition {
            description,
            name: type_name,
            directives: ast::DirectiveList::new(),
        })),
        "OBJECT" => ast::Definition::ObjectTypeDefinition(Node::new(ast::ObjectTypeDefinition {
            description,
            implements_interfaces: interfaces(&ty.interfaces)?,
            directives: ast::DirectiveList::new(),
            fields: fields(ty.fields.as_deref().ok_or_else(|| missing("fields"))?)?,
            name: type_name,
        })),
        "INTERFACE" => ast::Definition::InterfaceTypeDefinition(Node::new(ast::InterfaceTypeDefinition {
            description,
            implements_interfaces: interfaces(&ty.interfaces)?,
            directives: ast::DirectiveList::new(),
            fields: fields(ty.fields.as_deref().ok_or_else(|| missing("fields"))?)?,
            name: type_name,
        })),
        "UNION" => ast::Definition::UnionTypeDefinition(Node::new(ast::UnionTypeDefinition {
            description,
            directives: ast::DirectiveList::new(),
            members: ty
                .possible_types
                .as_deref()
                .ok_or_else(|| missing("possibleTypes"))?
                .iter()
                .map(named_type)
                .collect::<Result<_, _>>()?,
            name: type_name,
        })),
        "ENUM" => ast::Definition::EnumTypeDefinition(Node::new(ast::EnumTypeDefinition {
            description,
            directives: ast::DirectiveList::new(),
            values: ty
                .enum_values
                .as_deref()
                .ok_or_else(|| missing("enumValues"))?
                .iter()
                .map(|value| {
                    Ok(Node::new(ast::EnumValueDefinition {
                        description: self::description(&value.description),
                        value: name(&value.name)?,
                        directives: deprecation(value.is_deprecated, &value.deprecation_reason),
                    }))
                })
                .collect::<Result<_, SchemaError>>()?,
            name: type_name,
        })),
        "INPUT_OBJECT" => ast::Definition::InputObjectTypeDefinition(Node::new(ast::InputObjectTypeDefinition {
            description,
            directives: ast::DirectiveList::new(),
            fields: input_values(ty.input_fields.as_deref().ok_or_else(|| missing("inputFields"))?)?,
            name: type_name,
        })),
        other => {
            return Err(SchemaError::Introspection(format!(
                "type `{type_name}` has kind `{other}`, which cannot be a named type"
            )))
        }
    })
}

fn fields(fields: &[Field]) -> Result<Vec<Node<ast::FieldDefinition>>, SchemaError> {
    fields
        .iter()
        .map(|field| {
            Ok(Node::new(ast::FieldDefinition {
                description: description(&field.description),
                name: name(&field.name)?,
                arguments: input_values(&field.args)?,
                ty: type_ref(&field.ty, 0)?,
                directives: deprecation(field.is_deprecated, &field.deprecation_reason),
            }))
        })
        .collect()
}

fn input_values(values: &[InputValue]) -> Result<Vec<Node<ast::InputValueDefinition>>, SchemaError> {
    values
        .iter()
        .map(|value| {
            Ok(Node::new(ast::InputValueDefinition {
                description: description(&value.description),
                name: name(&value.name)?,
                ty: Node::new(type_ref(&value.ty, 0)?),
                default_value: value
                    .default_value
                    .as_deref()
                    .map(|text| default_value(text, &value.name))
                    .transpose()?,
                directives: deprecation(value.is_deprecated.unwrap_or(false), &value.deprecation_reason),
            }))
        })
        .collect()
}

fn interfaces(refs: &Option<Vec<TypeRef>>) -> Result<Vec<Name>, SchemaError> {
    refs.iter().flatten().map(named_type).collect()
}

fn named_type(reference: &TypeRef) -> Result<Name, SchemaError> {
    match (&reference.kind[..], &reference.name) {
        ("LIST" | "NON_NULL", _) | (_, None) => {
            Err(SchemaError::Introspection(format!("expected a named type, found a {} type reference", reference.kind)))
        }
        (_, Some(type_name)) => name(type_name),
    }
}

/// Type references nest at most this deep; [`QUERY`] asks for fewer levels, so
/// anything deeper did not come from it.
const MAX_TYPE_DEPTH: usize = 16;

fn type_ref(reference: &TypeRef, depth: usize) -> Result<ast::Type, SchemaError> {
    if depth > MAX_TYPE_DEPTH {
        return Err(SchemaError::Introspection("a type reference is nested too deeply".into()));
    }
    let inner = || {
        reference.of_type.as_deref().ok_or_else(|| {
            SchemaError::Introspection(format!(
                "a {} type reference has no `ofType` (is the type nested deeper than the query asks?)",
                reference.kind
            ))
        })
    };
    match reference.kind.as_str() {
        "NON_NULL" => match type_ref(inner()?, depth + 1)? {
            ty @ (ast::Type::Named(_) | ast::Type::List(_)) => Ok(ty.non_null()),
            _ => Err(SchemaError::Introspection("a NON_NULL type reference wraps another NON_NULL".into())),
        },
        "LIST" => Ok(type_ref(inner()?, depth + 1)?.list()),
        _ => Ok(ast::Type::Named(named_type(reference)?)),
    }
}

/// Parses a default value, which introspection gives as GraphQL source text.
///
/// The text is parsed on its own inside a variable definition, and must be
/// exactly one value: a server cannot smuggle other definitions in through it.
fn default_value(text: &str, owner: &str) -> Result<Node<ast::Value>, SchemaError> {
    let bad = || SchemaError::Introspection(format!("the default value of `{owner}` is not a GraphQL value: {text}"));
    let source = format!("query Q($v: Int = {text}) {{ __typename }}");
    let document = ast::Document::parse(source, "default value").map_err(|_| bad())?;
    match &document.definitions[..] {
        [ast::Definition::OperationDefinition(operation)] => match &operation.variables[..] {
            [variable] => variable.default_value.clone().ok_or_else(bad),
            _ => Err(bad()),
        },
        _ => Err(bad()),
    }
}

fn deprecation(is_deprecated: bool, reason: &Option<String>) -> ast::DirectiveList {
    let mut directives = ast::DirectiveList::new();
    if is_deprecated {
        let reason = reason.as_deref().unwrap_or(DEFAULT_DEPRECATION_REASON);
        directives.push(deprecated_directive(reason));
    }
    directives
}

/// `@deprecated(reason: ...)`, in the form the canonical printer uses.
pub(crate) fn deprecated_directive(reason: &str) -> ast::Directive {
    let mut directive = ast::Directive::new(Name::new_unchecked("deprecated"));
    if reason != DEFAULT_DEPRECATION_REASON {
        directive.arguments.push(Node::new(ast::Argument {
            name: Name::new_unchecked("reason"),
            value: Node::new(ast::Value::String(reason.to_owned())),
        }));
    }
    directive
}

fn description(text: &Option<String>) -> Option<Node<str>> {
    text.as_deref().map(Node::new_str)
}

fn name(text: &str) -> Result<Name, SchemaError> {
    Name::new(text).map_err(|_| SchemaError::Introspection(format!("`{text}` is not a GraphQL name")))
}

fn directive_location(text: &str) -> Result<DirectiveLocation, SchemaError> {
    use DirectiveLocation as L;
    Ok(match text {
        "QUERY" => L::Query,
        "MUTATION" => L::Mutation,
        "SUBSCRIPTION" => L::Subscription,
        "FIELD" => L::Field,
        "FRAGMENT_DEFINITION" => L::FragmentDefinition,
        "FRAGMENT_SPREAD" => L::FragmentSpread,
        "INLINE_FRAGMENT" => L::InlineFragment,
        "VARIABLE_DEFINITION" => L::VariableDefinition,
        "SCHEMA" => L::Schema,
        "SCALAR" => L::Scalar,
        "OBJECT" => L::Object,
        "FIELD_DEFINITION" => L::FieldDefinition,
        "ARGUMENT_DEFINITION" => L::ArgumentDefinition,
        "INTERFACE" => L::Interface,
        "UNION" => L::Union,
        "ENUM" => L::Enum,
        "ENUM_VALUE" => L::EnumValue,
        "INPUT_OBJECT" => L::InputObject,
        "INPUT_FIELD_DEFINITION" => L::InputFieldDefinition,
        other => return Err(SchemaError::Introspection(format!("unknown directive location `{other}`"))),
    })
}

// The shape of the answer to `QUERY`. Lists the query always asks for are
// required; `Option` marks what a server may legitimately leave null.

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "__schema")]
    schema: SchemaJson,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SchemaJson {
    query_type: Option<RootRef>,
    mutation_type: Option<RootRef>,
    subscription_type: Option<RootRef>,
    types: Vec<FullType>,
    directives: Vec<Directive>,
}

#[derive(Deserialize)]
struct RootRef {
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Directive {
    name: String,
    description: Option<String>,
    /// Absent on servers older than the 2021 spec.
    is_repeatable: Option<bool>,
    locations: Vec<String>,
    args: Vec<InputValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FullType {
    kind: String,
    name: Option<String>,
    description: Option<String>,
    fields: Option<Vec<Field>>,
    input_fields: Option<Vec<InputValue>>,
    interfaces: Option<Vec<TypeRef>>,
    enum_values: Option<Vec<EnumValue>>,
    possible_types: Option<Vec<TypeRef>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Field {
    name: String,
    description: Option<String>,
    args: Vec<InputValue>,
    #[serde(rename = "type")]
    ty: TypeRef,
    is_deprecated: bool,
    deprecation_reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InputValue {
    name: String,
    description: Option<String>,
    #[serde(rename = "type")]
    ty: TypeRef,
    default_value: Option<String>,
    /// Absent on servers that do not support deprecated arguments.
    is_deprecated: Option<bool>,
    deprecation_reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EnumValue {
    name: String,
    description: Option<String>,
    is_deprecated: bool,
    deprecation_reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TypeRef {
    kind: String,
    name: Option<String>,
    of_type: Option<Box<TypeRef>>,
}
