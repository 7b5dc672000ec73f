//! The canonical SDL printer.
//!
//! Two schemas that mean the same print the same, whether they were parsed from
//! a file ([`canonicalize`]) or read from a server ([`from_introspection`]); so
//! `canonicalize(vendored) == from_introspection(live)` is the parity check
//! between `schema/portal.graphql` and a server.
//!
//! # The canonical form
//!
//! - An explicit `schema { query: ... mutation: ... subscription: ... }` block
//!   first, then directive definitions sorted by name, then types sorted by name.
//! - Fields, arguments, input fields and enum values keep their declaration
//!   order, which is the order a server's introspection reports. Sets without an
//!   order of their own are sorted: implemented interfaces, union members,
//!   directive locations.
//! - Descriptions are kept (block strings `"""` wherever they round-trip).
//!   `#` comments are not part of a schema and disappear.
//! - `@deprecated` is kept on fields, arguments, input fields and enum values,
//!   bare when its reason is the default "No longer supported". Other applied
//!   directives, the schema description, `@specifiedBy` and `@oneOf` are dropped:
//!   introspection does not report them (see
//!   [`introspection::QUERY`](super::introspection::QUERY)), so keeping them would
//!   make a file and the server it describes print differently.
//! - Built-in scalars, introspection types and built-in directives are omitted.

use apollo_compiler::ast::{self, OperationType};
use apollo_compiler::schema::{Component, ComponentName, ExtendedType};
use apollo_compiler::{Name, Node, Schema};

use super::error::SchemaError;
use super::introspection::{self, DEFAULT_DEPRECATION_REASON};

/// Prints `schema` in the canonical form described in the [module docs](self).
pub fn print(schema: &Schema) -> String {
    // By name rather than by source location, so that a file that declares
    // `scalar String` itself still prints like a server that lists it.
    let built_in = Schema::new();
    let mut document = ast::Document::new();

    let root = &schema.schema_definition;
    let root_operations = [
        (OperationType::Query, &root.query),
        (OperationType::Mutation, &root.mutation),
        (OperationType::Subscription, &root.subscription),
    ]
    .into_iter()
    .filter_map(|(operation_type, name)| Some(Node::new((operation_type, name.as_ref()?.name.clone()))))
    .collect();
    document.definitions.push(ast::Definition::SchemaDefinition(Node::new(ast::SchemaDefinition {
        description: None,
        directives: ast::DirectiveList::new(),
        root_operations,
    })));

    let mut directives: Vec<_> = schema
        .directive_definitions
        .values()
        .filter(|definition| !built_in.directive_definitions.contains_key(&definition.name))
        .collect();
    directives.sort_by(|a, b| a.name.cmp(&b.name));
    for definition in directives {
        let mut locations = definition.locations.clone();
        locations.sort_by_key(|location| location.name());
        document.definitions.push(ast::Definition::DirectiveDefinition(Node::new(
            ast::DirectiveDefinition {
                description: definition.description.clone(),
                name: definition.name.clone(),
                arguments: definition.arguments.iter().map(input_value).collect(),
                repeatable: definition.repeatable,
                locations,
            },
        )));
    }

    let mut types: Vec<_> = schema.types.values().filter(|ty| !ty.name().starts_with("__") && !built_in.types.contains_key(ty.name())).collect();
    types.sort_by(|a, b| a.name().cmp(b.name()));
    for ty in types {
        document.definitions.push(type_definition(ty));
    }
    document.to_string()
}

/// Parses and validates any SDL and prints it in the canonical form.
///
/// `origin` names the SDL in error messages (usually its file name).
pub fn canonicalize(sdl: &str, origin: &str) -> Result<String, SchemaError> {
    Ok(print(&*parse(sdl, origin)?))
}

/// Prints the `data` of the [introspection query](introspection::QUERY) in the
/// canonical form.
pub fn from_introspection(data: &serde_json::Value) -> Result<String, SchemaError> {
    Ok(print(&*introspection::to_schema(data)?))
}

/// Parses and validates SDL; `origin` names it in error messages.
pub fn parse(sdl: &str, origin: &str) -> Result<apollo_compiler::validation::Valid<Schema>, SchemaError> {
    Schema::parse_and_validate(sdl, origin).map_err(|with_errors| SchemaError::Invalid {
        origin: origin.to_owned(),
        diagnostics: with_errors.errors.to_string(),
    })
}

fn type_definition(ty: &ExtendedType) -> ast::Definition {
    match ty {
        ExtendedType::Scalar(scalar) => ast::Definition::ScalarTypeDefinition(Node::new(ast::ScalarTypeDefinition {
            description: scalar.description.clone(),
            name: scalar.name.clone(),
            directives: ast::DirectiveList::new(),
        })),
        ExtendedType::Object(object) => ast::Definition::ObjectTypeDefinition(Node::new(ast::ObjectTypeDefinition {
            description: object.description.clone(),
            name: object.name.clone(),
            implements_interfaces: sorted_names(object.implements_interfaces.iter()),
            directives: ast::DirectiveList::new(),
            fields: object.fields.values().map(field).collect(),
        })),
        ExtendedType::Interface(interface) => {
            ast::Definition::InterfaceTypeDefinition(Node::new(ast::InterfaceTypeDefinition {
                description: interface.description.clone(),
                name: interface.name.clone(),
                implements_interfaces: sorted_names(interface.implements_interfaces.iter()),
                directives: ast::DirectiveList::new(),
                fields: interface.fields.values().map(field).collect(),
            }))
        }
        ExtendedType::Union(union) => ast::Definition::UnionTypeDefinition(Node::new(ast::UnionTypeDefinition {
            description: union.description.clone(),
            name: union.name.clone(),
            directives: ast::DirectiveList::new(),
            members: sorted_names(union.members.iter()),
        })),
        ExtendedType::Enum(enumeration) => ast::Definition::EnumTypeDefinition(Node::new(ast::EnumTypeDefinition {
            description: enumeration.description.clone(),
            name: enumeration.name.clone(),
            directives: ast::DirectiveList::new(),
            values: enumeration
                .values
                .values()
                .map(|value| {
                    Node::new(ast::EnumValueDefinition {
                        description: value.description.clone(),
                        value: value.value.clone(),
                        directives: only_deprecation(value.directives.iter()),
                    })
                })
                .collect(),
        })),
        ExtendedType::InputObject(input) => {
            ast::Definition::InputObjectTypeDefinition(Node::new(ast::InputObjectTypeDefinition {
                description: input.description.clone(),
                name: input.name.clone(),
                directives: ast::DirectiveList::new(),
                fields: input.fields.values().map(|field| input_value(field)).collect(),
            }))
        }
    }
}

fn field(field: &Component<ast::FieldDefinition>) -> Node<ast::FieldDefinition> {
    Node::new(ast::FieldDefinition {
        description: field.description.clone(),
        name: field.name.clone(),
        arguments: field.arguments.iter().map(input_value).collect(),
        ty: field.ty.clone(),
        directives: only_deprecation(field.directives.iter()),
    })
}

fn input_value(value: &Node<ast::InputValueDefinition>) -> Node<ast::InputValueDefinition> {
    Node::new(ast::InputValueDefinition {
        description: value.description.clone(),
        name: value.name.clone(),
        ty: value.ty.clone(),
        default_value: value.default_value.clone(),
        directives: only_deprecation(value.directives.iter()),
    })
}

/// The deprecation reason of an element with these directives, if it is
/// deprecated; a bare `@deprecated` has the default reason.
pub(crate) fn deprecation_reason<'a>(mut directives: impl Iterator<Item = &'a Node<ast::Directive>>) -> Option<String> {
    let deprecated = directives.find(|directive| directive.name == "deprecated")?;
    let reason = deprecated
        .specified_argument_by_name("reason")
        .and_then(|value| value.as_str())
        .unwrap_or(DEFAULT_DEPRECATION_REASON);
    Some(reason.to_owned())
}

fn only_deprecation<'a>(directives: impl Iterator<Item = &'a Node<ast::Directive>>) -> ast::DirectiveList {
    let mut list = ast::DirectiveList::new();
    if let Some(reason) = deprecation_reason(directives) {
        list.push(introspection::deprecated_directive(&reason));
    }
    list
}

fn sorted_names<'a>(names: impl Iterator<Item = &'a ComponentName>) -> Vec<Name> {
    let mut names: Vec<Name> = names.map(|name| name.name.clone()).collect();
    names.sort();
    names
}
