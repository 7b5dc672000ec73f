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
//! - Descriptions are kept, as block strings (`"""text"""` on one line, or
//!   `"""` on lines of their own around several) wherever that round-trips
//!   exactly, else as ordinary strings. `#` comments are not part of a schema
//!   and disappear.
//! - Arguments stay on the field's line, separated by `, `, unless one has a
//!   description: then each goes on a line of its own. Default values are
//!   printed on one line. Two spaces indent; one blank line between
//!   definitions; a newline at the end.
//! - `@deprecated` is kept on fields, arguments, input fields and enum values,
//!   bare when its reason is the default "No longer supported". Other applied
//!   directives, the schema description, `@specifiedBy` and `@oneOf` are dropped:
//!   introspection does not report them (see
//!   [`introspection::QUERY`]), so keeping them would
//!   make a file and the server it describes print differently.
//! - Built-in scalars, introspection types and built-in directives are omitted,
//!   including `@oneOf`, which newer servers list but apollo-compiler 1.x does not
//!   define.

use std::fmt::Write as _;

use apollo_compiler::ast::{self, InputValueDefinition};
use apollo_compiler::schema::{ComponentName, ExtendedType};
use apollo_compiler::validation::Valid;
use apollo_compiler::{Node, Schema};

use super::error::SchemaError;
use super::introspection::{self, DEFAULT_DEPRECATION_REASON};

/// Prints `schema` in the canonical form described in the [module docs](self).
pub fn print(schema: &Schema) -> String {
    // By name rather than by source location, so that a file that declares
    // `scalar String` itself still prints like a server that lists it.
    let built_in = Schema::new();
    let mut definitions = Vec::new();

    let root = &schema.schema_definition;
    let mut out = String::from("schema {\n");
    for (operation, name) in
        [("query", &root.query), ("mutation", &root.mutation), ("subscription", &root.subscription)]
    {
        if let Some(name) = name {
            let _ = writeln!(out, "  {operation}: {}", name.name);
        }
    }
    out.push('}');
    definitions.push(out);

    let mut directives: Vec<_> = schema
        .directive_definitions
        .values()
        .filter(|definition| !is_built_in_directive(&built_in, &definition.name))
        .collect();
    directives.sort_by(|a, b| a.name.cmp(&b.name));
    for definition in directives {
        let mut out = String::new();
        description(&mut out, "", definition.description.as_deref());
        let _ = write!(out, "directive @{}", definition.name);
        arguments(&mut out, "", definition.arguments.iter().map(|a| &**a));
        if definition.repeatable {
            out.push_str(" repeatable");
        }
        let mut locations: Vec<&str> = definition.locations.iter().map(|location| location.name()).collect();
        locations.sort_unstable();
        let _ = write!(out, " on {}", locations.join(" | "));
        definitions.push(out);
    }

    let mut types: Vec<_> = schema
        .types
        .values()
        .filter(|ty| !ty.name().starts_with("__") && !built_in.types.contains_key(ty.name()))
        .collect();
    types.sort_by(|a, b| a.name().cmp(b.name()));
    definitions.extend(types.into_iter().map(type_definition));

    let mut printed = definitions.join("\n\n");
    printed.push('\n');
    printed
}

/// Whether a directive is part of GraphQL itself rather than of this schema.
/// `built_in` is `Schema::new()`, passed in so it is built once.
pub(crate) fn is_built_in_directive(built_in: &Schema, name: &str) -> bool {
    // The spec's `@oneOf` (2025) postdates apollo-compiler 1.x's built-ins.
    name == "oneOf" || built_in.directive_definitions.contains_key(name)
}

/// Whether a type is part of GraphQL itself (a built-in scalar or an
/// introspection type) rather than of this schema.
pub(crate) fn is_built_in_type(built_in: &Schema, name: &str) -> bool {
    name.starts_with("__") || built_in.types.contains_key(name)
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
pub fn parse(sdl: &str, origin: &str) -> Result<Valid<Schema>, SchemaError> {
    Schema::parse_and_validate(sdl, origin).map_err(|with_errors| SchemaError::Invalid {
        origin: origin.to_owned(),
        diagnostics: with_errors.errors.to_string(),
    })
}

fn type_definition(ty: &ExtendedType) -> String {
    let mut out = String::new();
    description(&mut out, "", ty.description().map(|d| &**d));
    match ty {
        ExtendedType::Scalar(scalar) => {
            let _ = write!(out, "scalar {}", scalar.name);
        }
        ExtendedType::Object(object) => {
            let _ = write!(out, "type {}", object.name);
            implements(&mut out, object.implements_interfaces.iter());
            fields(&mut out, object.fields.values().map(|f| &***f));
        }
        ExtendedType::Interface(interface) => {
            let _ = write!(out, "interface {}", interface.name);
            implements(&mut out, interface.implements_interfaces.iter());
            fields(&mut out, interface.fields.values().map(|f| &***f));
        }
        ExtendedType::Union(union) => {
            let _ = write!(out, "union {}", union.name);
            let members = sorted(union.members.iter());
            if !members.is_empty() {
                let _ = write!(out, " = {}", members.join(" | "));
            }
        }
        ExtendedType::Enum(enumeration) => {
            let _ = write!(out, "enum {}", enumeration.name);
            block(&mut out, enumeration.values.values(), |out, value| {
                description(out, "  ", value.description.as_deref());
                let _ = write!(out, "  {}", value.value);
                deprecation(out, value.directives.iter());
            });
        }
        ExtendedType::InputObject(input) => {
            let _ = write!(out, "input {}", input.name);
            block(&mut out, input.fields.values(), |out, field| input_value(out, "  ", field));
        }
    }
    out
}

fn implements<'a>(out: &mut String, interfaces: impl Iterator<Item = &'a ComponentName>) {
    let interfaces = sorted(interfaces);
    if !interfaces.is_empty() {
        let _ = write!(out, " implements {}", interfaces.join(" & "));
    }
}

fn fields<'a>(out: &mut String, fields: impl ExactSizeIterator<Item = &'a ast::FieldDefinition>) {
    block(out, fields, |out, field| {
        description(out, "  ", field.description.as_deref());
        let _ = write!(out, "  {}", field.name);
        arguments(out, "  ", field.arguments.iter().map(|a| &**a));
        let _ = write!(out, ": {}", field.ty);
        deprecation(out, field.directives.iter());
    });
}

/// ` {`, one line (or more) per item, `}`; nothing at all for no items.
fn block<T>(out: &mut String, items: impl ExactSizeIterator<Item = T>, mut item: impl FnMut(&mut String, T)) {
    if items.len() == 0 {
        return;
    }
    out.push_str(" {\n");
    for value in items {
        item(out, value);
        out.push('\n');
    }
    out.push('}');
}

fn arguments<'a>(out: &mut String, indent: &str, arguments: impl Iterator<Item = &'a InputValueDefinition> + Clone) {
    if arguments.clone().next().is_none() {
        return;
    }
    if arguments.clone().any(|argument| argument.description.is_some()) {
        let inner = format!("{indent}  ");
        out.push_str("(\n");
        for argument in arguments {
            input_value(out, &inner, argument);
            out.push('\n');
        }
        let _ = write!(out, "{indent})");
    } else {
        out.push('(');
        for (i, argument) in arguments.enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            input_value(out, "", argument);
        }
        out.push(')');
    }
}

fn input_value(out: &mut String, indent: &str, value: &InputValueDefinition) {
    description(out, indent, value.description.as_deref());
    let _ = write!(out, "{indent}{}: {}", value.name, value.ty);
    if let Some(default) = &value.default_value {
        let _ = write!(out, " = {}", default.serialize().no_indent());
    }
    deprecation(out, value.directives.iter());
}

/// ` @deprecated` or ` @deprecated(reason: "...")`, when deprecated.
fn deprecation<'a>(out: &mut String, directives: impl Iterator<Item = &'a Node<ast::Directive>>) {
    match deprecation_reason(directives) {
        Some(reason) if reason == DEFAULT_DEPRECATION_REASON => out.push_str(" @deprecated"),
        Some(reason) => {
            let _ = write!(out, " @deprecated(reason: {})", string(&reason));
        }
        None => {}
    }
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

/// A description on the line(s) before its element, at `indent`.
fn description(out: &mut String, indent: &str, text: Option<&str>) {
    let Some(text) = text else { return };
    if !can_be_block_string(text) {
        let _ = writeln!(out, "{indent}{}", string(text));
        return;
    }
    let text = text.replace("\"\"\"", "\\\"\"\"");
    // A closing quote or backslash right before `"""` would change its meaning.
    if !text.contains('\n') && !text.ends_with('"') && !text.ends_with('\\') {
        let _ = writeln!(out, "{indent}\"\"\"{text}\"\"\"");
        return;
    }
    let _ = writeln!(out, "{indent}\"\"\"");
    for line in text.split('\n') {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "{indent}{line}");
        }
    }
    let _ = writeln!(out, "{indent}\"\"\"");
}

/// Whether a block string can hold exactly `text`: GraphQL's `BlockStringValue`
/// removes common indentation and leading and trailing blank lines, turns `\r`
/// into line breaks, and a block string cannot contain control characters.
fn can_be_block_string(text: &str) -> bool {
    if text.chars().any(|c| c < ' ' && c != '\t' && c != '\n') {
        return false;
    }
    let blank = |line: &str| line.trim_start_matches([' ', '\t']).is_empty();
    let lines: Vec<&str> = text.split('\n').collect();
    if lines.first().is_none_or(|line| blank(line)) || lines.last().is_none_or(|line| blank(line)) {
        return false;
    }
    let common_indent = lines
        .iter()
        .filter(|line| !blank(line))
        .map(|line| line.len() - line.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    common_indent == 0
}

/// A GraphQL string literal. JSON's escapes are a subset of GraphQL's, and JSON
/// escapes every control character, so a JSON string is a GraphQL string.
fn string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| String::from("\"\""))
}

fn sorted<'a>(names: impl Iterator<Item = &'a ComponentName>) -> Vec<&'a str> {
    let mut names: Vec<&str> = names.map(|name| name.name.as_str()).collect();
    names.sort_unstable();
    names
}
