//! The served schema, built at start-up from the vendored SDL.
//!
//! Every type, field, argument, input field, enum value and scalar comes from
//! `schema/portal.graphql` with its description, deprecation and default value,
//! so introspection reproduces the SDL and a schema change needs no code
//! change here. Fields read their value from the parent object (a
//! `serde_json::Value`) by field name unless a resolver is registered for them
//! (see `resolvers.rs`).

use std::collections::{HashMap, HashSet};

use async_graphql::dynamic::{
    Enum, EnumItem, Field, FieldFuture, FieldValue, InputObject, InputValue, Object, ResolverContext, Scalar,
    SchemaBuilder, TypeRef,
};
use async_graphql::parser::types::{
    BaseType, ConstDirective, EnumType, FieldDefinition, InputValueDefinition, Type, TypeKind, TypeSystemDefinition,
};
use async_graphql::parser::Positioned;
use async_graphql::Value as GqlValue;
use serde_json::Value;

use crate::data::{is_uuid, parse_time};

/// The vendored schema, the single source of truth for what is served.
pub const SDL: &str = include_str!("../../schema/portal.graphql");

/// A field resolver.
pub(crate) type Resolver = for<'a> fn(ResolverContext<'a>) -> FieldFuture<'a>;

/// `(type, field, resolver)`
pub(crate) type ResolverEntry = (&'static str, &'static str, Resolver);

const DEFAULT_DEPRECATION: &str = "No longer supported";

/// Builds the schema described by `sdl`, with `resolvers` for the fields that
/// do more than read their parent. Fails on constructs the sandbox cannot
/// serve (interfaces, unions, custom directives, extensions) and on a resolver
/// for a field the SDL lacks.
pub(crate) fn build(sdl: &str, resolvers: &[ResolverEntry]) -> Result<SchemaBuilder, String> {
    let document = async_graphql::parser::parse_schema(sdl).map_err(|e| e.to_string())?;
    let resolvers: HashMap<(&str, &str), Resolver> = resolvers.iter().map(|(t, f, r)| ((*t, *f), *r)).collect();
    let mut used = HashSet::new();
    let mut roots = (None, None);
    for definition in &document.definitions {
        if let TypeSystemDefinition::Schema(schema) = definition {
            let schema = &schema.node;
            if schema.extend || schema.subscription.is_some() {
                return Err("schema extensions and subscriptions are not supported".into());
            }
            roots = (
                schema.query.as_ref().map(|n| n.node.to_string()),
                schema.mutation.as_ref().map(|n| n.node.to_string()),
            );
        }
    }
    let names: HashSet<String> = document
        .definitions
        .iter()
        .filter_map(|d| match d {
            TypeSystemDefinition::Type(t) => Some(t.node.name.node.to_string()),
            _ => None,
        })
        .collect();
    let query = roots.0.unwrap_or_else(|| "Query".to_owned());
    let mutation = roots.1.or_else(|| names.contains("Mutation").then(|| "Mutation".to_owned()));
    let roots = [query.as_str(), mutation.as_deref().unwrap_or_default()];
    let mut types: Vec<async_graphql::dynamic::Type> = Vec::new();
    for definition in document.definitions {
        match definition {
            TypeSystemDefinition::Schema(_) => {}
            TypeSystemDefinition::Directive(d) => {
                return Err(format!("custom directive @{} is not supported", d.node.name.node));
            }
            TypeSystemDefinition::Type(ty) => {
                let ty = ty.node;
                let name = ty.name.node.to_string();
                if ty.extend {
                    return Err(format!("type extension of {name} is not supported"));
                }
                let description = ty.description.map(|d| d.node);
                types.push(match ty.kind {
                    TypeKind::Scalar => scalar_type(&name, description, &ty.directives).into(),
                    TypeKind::Object(object) => {
                        if !object.implements.is_empty() {
                            return Err(format!("{name}: interfaces are not supported"));
                        }
                        let is_root = roots.contains(&name.as_str());
                        let mut built = Object::new(&name);
                        if let Some(d) = description {
                            built = built.description(d);
                        }
                        for field in object.fields {
                            let field = field.node;
                            let resolver = match resolvers.get(&(name.as_str(), field.name.node.as_str())) {
                                Some(r) => {
                                    used.insert((name.clone(), field.name.node.to_string()));
                                    *r
                                }
                                None if is_root => not_served,
                                None => default_resolver,
                            };
                            built = built.field(output_field(field, resolver));
                        }
                        built.into()
                    }
                    TypeKind::Enum(e) => enum_type(&name, description, e).into(),
                    TypeKind::InputObject(input) => {
                        let mut built = InputObject::new(&name);
                        if let Some(d) = description {
                            built = built.description(d);
                        }
                        if directive(&ty.directives, "oneOf").is_some() {
                            built = built.oneof();
                        }
                        for field in input.fields {
                            built = built.field(input_value(field.node));
                        }
                        built.into()
                    }
                    TypeKind::Interface(_) | TypeKind::Union(_) => {
                        return Err(format!("{name}: interfaces and unions are not supported"));
                    }
                });
            }
        }
    }
    for (t, f) in resolvers.keys() {
        if !used.contains(&(t.to_string(), f.to_string())) {
            return Err(format!("a resolver is registered for {t}.{f}, which the schema lacks"));
        }
    }
    let mut builder = async_graphql::dynamic::Schema::build(&query, mutation.as_deref(), None);
    for ty in types {
        builder = builder.register(ty);
    }
    Ok(builder)
}

fn scalar_type(name: &str, description: Option<String>, directives: &[Positioned<ConstDirective>]) -> Scalar {
    let mut built = scalar(name);
    if let Some(d) = description {
        built = built.description(d);
    }
    if let Some(url) = directive(directives, "specifiedBy").and_then(|d| string_argument(d, "url")) {
        built = built.specified_by_url(url);
    }
    built
}

fn enum_type(name: &str, description: Option<String>, definition: EnumType) -> Enum {
    let mut built = Enum::new(name);
    if let Some(d) = description {
        built = built.description(d);
    }
    for value in definition.values {
        let value = value.node;
        let mut item = EnumItem::new(value.value.node.as_str());
        if let Some(d) = value.description {
            item = item.description(d.node);
        }
        if let Some(reason) = deprecation(&value.directives) {
            item = item.deprecation(Some(&reason));
        }
        built = built.item(item);
    }
    built
}

/// A custom scalar, with a validator for the ones whose form is known.
fn scalar(name: &str) -> Scalar {
    let built = Scalar::new(name);
    match name {
        "UUID" => built.validator(|v| matches!(v, GqlValue::String(s) if is_uuid(s))),
        "DateTime" => built.validator(|v| matches!(v, GqlValue::String(s) if parse_time(s).is_some())),
        // Any string: a bad cursor is the resolver's error, with its own code.
        "Cursor" => built.validator(|v| matches!(v, GqlValue::String(_))),
        _ => built,
    }
}

fn output_field(field: FieldDefinition, resolver: Resolver) -> Field {
    let name = field.name.node.as_str();
    let ty = type_ref(&field.ty.node);
    let nullable = field.ty.node.nullable;
    let mut built = Field::new(name, ty, move |ctx| report_errors(resolver, nullable, ctx));
    if let Some(d) = field.description {
        built = built.description(d.node);
    }
    if let Some(reason) = deprecation(&field.directives) {
        built = built.deprecation(Some(&reason));
    }
    for argument in field.arguments {
        built = built.argument(input_value(argument.node));
    }
    built
}

fn input_value(value: InputValueDefinition) -> InputValue {
    let mut built = InputValue::new(value.name.node.as_str(), type_ref(&value.ty.node));
    if let Some(d) = value.description {
        built = built.description(d.node);
    }
    if let Some(default) = value.default_value {
        built = built.default_value(default.node);
    }
    if let Some(reason) = deprecation(&value.directives) {
        built = built.deprecation(Some(&reason));
    }
    built
}

fn type_ref(ty: &Type) -> TypeRef {
    let inner = match &ty.base {
        BaseType::Named(name) => TypeRef::Named(name.to_string().into()),
        BaseType::List(item) => TypeRef::List(Box::new(type_ref(item))),
    };
    if ty.nullable {
        inner
    } else {
        TypeRef::NonNull(Box::new(inner))
    }
}

fn directive<'d>(directives: &'d [Positioned<ConstDirective>], name: &str) -> Option<&'d ConstDirective> {
    directives.iter().map(|d| &d.node).find(|d| d.name.node.as_str() == name)
}

fn string_argument(directive: &ConstDirective, name: &str) -> Option<String> {
    match directive.get_argument(name).map(|v| &v.node) {
        Some(GqlValue::String(s)) => Some(s.clone()),
        _ => None,
    }
}

/// The deprecation reason, when `@deprecated` is present.
fn deprecation(directives: &[Positioned<ConstDirective>]) -> Option<String> {
    directive(directives, "deprecated")
        .map(|d| string_argument(d, "reason").unwrap_or_else(|| DEFAULT_DEPRECATION.to_owned()))
}

/// Marks the error a failed non-null field returns after reporting the real
/// one; the HTTP layer drops errors carrying this extension.
pub(crate) const ALREADY_REPORTED: &str = "sandboxAlreadyReported";

/// Runs `resolver` so that its error goes into `errors` with the field's path
/// (async-graphql's dynamic executor reports resolver errors without one). A
/// failed nullable field becomes `null`, as GraphQL asks; a failed non-null
/// field fails its parent with a marked error the answer leaves out.
fn report_errors<'a>(resolver: Resolver, nullable: bool, ctx: ResolverContext<'a>) -> FieldFuture<'a> {
    let context = ctx.ctx;
    match resolver(ctx) {
        FieldFuture::Value(value) => FieldFuture::Value(value),
        FieldFuture::Future(future) => FieldFuture::new(async move {
            match future.await {
                Ok(value) => Ok(value),
                Err(error) => {
                    let error = error.into_server_error(context.item.pos);
                    context.add_error(context.set_error_path(error));
                    if nullable {
                        Ok(None)
                    } else {
                        use async_graphql::ErrorExtensions as _;
                        Err(async_graphql::Error::new("already reported")
                            .extend_with(|_, e| e.set(ALREADY_REPORTED, true)))
                    }
                }
            }
        }),
    }
}

/// A root field the schema has but the sandbox does not implement.
fn not_served<'a>(ctx: ResolverContext<'a>) -> FieldFuture<'a> {
    let message = format!("{} is not served by the sandbox", ctx.ctx.field().name());
    FieldFuture::new(async move { Err::<Option<FieldValue<'a>>, _>(async_graphql::Error::new(message)) })
}

/// Reads the field (by its name, not its alias) from the parent object.
fn default_resolver<'a>(ctx: ResolverContext<'a>) -> FieldFuture<'a> {
    let value = ctx.parent_value.downcast_ref::<Value>().and_then(|parent| parent.get(ctx.ctx.field().name()));
    FieldFuture::Value(value.and_then(field_value))
}

/// A JSON value as a field value: objects by reference, lists item by item,
/// everything else as a GraphQL value; `None` for null.
pub(crate) fn field_value(value: &Value) -> Option<FieldValue<'_>> {
    match value {
        Value::Null => None,
        Value::Object(_) => Some(FieldValue::borrowed_any(value)),
        Value::Array(items) => {
            Some(FieldValue::list(items.iter().map(|item| field_value(item).unwrap_or(FieldValue::NULL))))
        }
        scalar => GqlValue::from_json(scalar.clone()).ok().map(FieldValue::value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendored_schema_builds() {
        let schema = build(SDL, &[]).unwrap().finish().unwrap();
        let sdl = schema.sdl();
        assert!(sdl.contains("tdh_allIssues"), "{sdl}");
    }

    #[test]
    fn a_resolver_for_a_missing_field_is_an_error() {
        fn nothing<'a>(_: ResolverContext<'a>) -> FieldFuture<'a> {
            FieldFuture::Value(None)
        }
        let err = build(SDL, &[("Query", "nope", nothing)]).err().unwrap();
        assert!(err.contains("Query.nope"), "{err}");
    }

    #[test]
    fn unsupported_constructs_are_named() {
        for (sdl, needle) in [
            ("type Query { a: Int } interface I { a: Int }", "I:"),
            ("type Query { a: Int } directive @x on FIELD", "@x"),
            ("type Query { a: Int } extend type Query { b: Int }", "Query"),
        ] {
            let err = build(sdl, &[]).err().unwrap();
            assert!(err.contains(needle), "{sdl}: {err}");
        }
    }
}
