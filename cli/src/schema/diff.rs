//! Every difference between two schemas, classified for the clients of the old one.
//!
//! The classification follows graphql-inspector and graphql-js's
//! `findBreakingChanges`, with the variance of types spelled out:
//!
//! - an **output** field may become non-null (`String` -> `String!`): clients
//!   still get a string. Becoming nullable (`String!` -> `String`) is
//!   breaking: a client (or a generated type) that relied on a value gets null.
//! - an **input** (argument or input field) may become nullable
//!   (`ID!` -> `ID`): every value sent before is still accepted. Becoming
//!   non-null is breaking: requests that left it out or sent null now fail.
//! - anything that changes the named type or the list structure is breaking.
//!
//! Each [`Change`] names the element it concerns by its
//! [schema coordinate](https://github.com/graphql/graphql-wg/blob/main/rfcs/SchemaCoordinates.md)
//! (`Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`, `Input.field`,
//! `@directive`, `@directive(arg:)`), plus `schema.query`, `schema.mutation`
//! and `schema.subscription` for the root types.

use std::collections::BTreeSet;
use std::fmt;

use apollo_compiler::ast::{DirectiveDefinition, FieldDefinition, InputValueDefinition, Type};
use apollo_compiler::schema::{Component, ExtendedType};
use apollo_compiler::{Node, Schema};
use serde::Serialize;

use super::sdl::{deprecation_reason, is_built_in_directive, is_built_in_type};

/// How a change affects clients written against the old schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Criticality {
    /// Operations that were valid, or the values they receive, may now fail.
    Breaking,
    /// Valid operations stay valid, but may see values they were not written
    /// for (a new enum value, a new union member, a changed default).
    Dangerous,
    /// No client can tell, or only in ways it asked for.
    Safe,
}

impl Criticality {
    /// `breaking`, `dangerous` or `safe`.
    pub fn as_str(self) -> &'static str {
        match self {
            Criticality::Breaking => "breaking",
            Criticality::Dangerous => "dangerous",
            Criticality::Safe => "safe",
        }
    }
}

impl fmt::Display for Criticality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What changed; stable, and serialized in `snake_case` (e.g. `field_removed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChangeKind {
    /// A root operation type (`schema.query`, ...) was added.
    RootTypeAdded,
    /// A root operation type was removed.
    RootTypeRemoved,
    /// A root operation type is now a different type.
    RootTypeChanged,
    /// A type was added.
    TypeAdded,
    /// A type was removed.
    TypeRemoved,
    /// A type is now of another kind (e.g. object -> interface).
    TypeKindChanged,
    /// An object or interface field was added.
    FieldAdded,
    /// An object or interface field was removed.
    FieldRemoved,
    /// An object or interface field's type changed.
    FieldTypeChanged,
    /// A field or directive argument was added.
    ArgumentAdded,
    /// A field or directive argument was removed.
    ArgumentRemoved,
    /// A field or directive argument's type changed.
    ArgumentTypeChanged,
    /// A field or directive argument's default value changed, appeared or went away.
    ArgumentDefaultChanged,
    /// An input object field was added.
    InputFieldAdded,
    /// An input object field was removed.
    InputFieldRemoved,
    /// An input object field's type changed.
    InputFieldTypeChanged,
    /// An input object field's default value changed, appeared or went away.
    InputFieldDefaultChanged,
    /// An enum value was added.
    EnumValueAdded,
    /// An enum value was removed.
    EnumValueRemoved,
    /// A union gained a member.
    UnionMemberAdded,
    /// A union lost a member.
    UnionMemberRemoved,
    /// An object or interface now implements another interface.
    InterfaceAdded,
    /// An object or interface no longer implements an interface.
    InterfaceRemoved,
    /// A directive definition was added.
    DirectiveAdded,
    /// A directive definition was removed.
    DirectiveRemoved,
    /// A directive may be used in a new location.
    DirectiveLocationAdded,
    /// A directive may no longer be used in a location.
    DirectiveLocationRemoved,
    /// A directive became repeatable, or stopped being repeatable.
    DirectiveRepeatableChanged,
    /// A description was added, removed or reworded.
    DescriptionChanged,
    /// An element was deprecated.
    DeprecationAdded,
    /// An element is no longer deprecated.
    DeprecationRemoved,
    /// The reason given for a deprecation changed.
    DeprecationReasonChanged,
}

impl ChangeKind {
    /// The stable `snake_case` name, as in the JSON output.
    pub fn as_str(self) -> &'static str {
        use ChangeKind::*;
        match self {
            RootTypeAdded => "root_type_added",
            RootTypeRemoved => "root_type_removed",
            RootTypeChanged => "root_type_changed",
            TypeAdded => "type_added",
            TypeRemoved => "type_removed",
            TypeKindChanged => "type_kind_changed",
            FieldAdded => "field_added",
            FieldRemoved => "field_removed",
            FieldTypeChanged => "field_type_changed",
            ArgumentAdded => "argument_added",
            ArgumentRemoved => "argument_removed",
            ArgumentTypeChanged => "argument_type_changed",
            ArgumentDefaultChanged => "argument_default_changed",
            InputFieldAdded => "input_field_added",
            InputFieldRemoved => "input_field_removed",
            InputFieldTypeChanged => "input_field_type_changed",
            InputFieldDefaultChanged => "input_field_default_changed",
            EnumValueAdded => "enum_value_added",
            EnumValueRemoved => "enum_value_removed",
            UnionMemberAdded => "union_member_added",
            UnionMemberRemoved => "union_member_removed",
            InterfaceAdded => "interface_added",
            InterfaceRemoved => "interface_removed",
            DirectiveAdded => "directive_added",
            DirectiveRemoved => "directive_removed",
            DirectiveLocationAdded => "directive_location_added",
            DirectiveLocationRemoved => "directive_location_removed",
            DirectiveRepeatableChanged => "directive_repeatable_changed",
            DescriptionChanged => "description_changed",
            DeprecationAdded => "deprecation_added",
            DeprecationRemoved => "deprecation_removed",
            DeprecationReasonChanged => "deprecation_reason_changed",
        }
    }
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One difference between the old and the new schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// How it affects clients of the old schema.
    pub criticality: Criticality,
    /// What changed.
    pub kind: ChangeKind,
    /// The schema coordinate of the element that changed.
    pub path: String,
    /// One sentence for humans.
    pub message: String,
    /// The usages (see [`super::breakage`]) an operation must have, all of
    /// them, to be broken by this change; empty unless it is breaking.
    #[serde(skip)]
    pub(crate) needs: Vec<String>,
}

/// Every change from `old` to `new`, breaking first, then dangerous, then safe;
/// within each, in schema order (root types, directives, types by name).
pub fn diff(old: &Schema, new: &Schema) -> Vec<Change> {
    let mut differ = Differ { changes: Vec::new() };
    differ.roots(old, new);
    differ.directives(old, new);
    differ.types(old, new);
    let mut changes = differ.changes;
    changes.sort_by_key(|change| change.criticality);
    changes
}

struct Differ {
    changes: Vec<Change>,
}

impl Differ {
    fn push(&mut self, criticality: Criticality, kind: ChangeKind, path: impl Into<String>, message: String) {
        self.changes.push(Change { criticality, kind, path: path.into(), message, needs: Vec::new() });
    }

    fn breaking(&mut self, kind: ChangeKind, path: impl Into<String>, message: String, needs: Vec<String>) {
        self.changes.push(Change { criticality: Criticality::Breaking, kind, path: path.into(), message, needs });
    }

    fn roots(&mut self, old: &Schema, new: &Schema) {
        let (old_root, new_root) = (&old.schema_definition, &new.schema_definition);
        for (operation, old_name, new_name) in [
            ("query", &old_root.query, &new_root.query),
            ("mutation", &old_root.mutation, &new_root.mutation),
            ("subscription", &old_root.subscription, &new_root.subscription),
        ] {
            let path = format!("schema.{operation}");
            match (old_name, new_name) {
                (Some(old_name), None) => self.breaking(
                    ChangeKind::RootTypeRemoved,
                    &path,
                    format!("The schema no longer has a {operation} root type (was `{}`)", old_name.name),
                    vec![path.clone()],
                ),
                (None, Some(new_name)) => self.push(
                    Criticality::Safe,
                    ChangeKind::RootTypeAdded,
                    &path,
                    format!("The schema has a new {operation} root type `{}`", new_name.name),
                ),
                (Some(old_name), Some(new_name)) if old_name.name != new_name.name => self.breaking(
                    ChangeKind::RootTypeChanged,
                    &path,
                    format!("The {operation} root type changed from `{}` to `{}`", old_name.name, new_name.name),
                    vec![path.clone()],
                ),
                _ => {}
            }
        }
    }

    fn directives(&mut self, old: &Schema, new: &Schema) {
        let built_in = Schema::new();
        let names: BTreeSet<_> = old
            .directive_definitions
            .keys()
            .chain(new.directive_definitions.keys())
            .filter(|name| !is_built_in_directive(&built_in, name))
            .collect();
        for name in names {
            let path = format!("@{name}");
            match (old.directive_definitions.get(name), new.directive_definitions.get(name)) {
                (Some(_), None) => self.breaking(
                    ChangeKind::DirectiveRemoved,
                    &path,
                    format!("Directive `{path}` was removed"),
                    vec![path.clone()],
                ),
                (None, Some(_)) => self.push(
                    Criticality::Safe,
                    ChangeKind::DirectiveAdded,
                    &path,
                    format!("Directive `{path}` was added"),
                ),
                (Some(a), Some(b)) => self.directive(&path, a, b),
                (None, None) => {}
            }
        }
    }

    fn directive(&mut self, path: &str, old: &DirectiveDefinition, new: &DirectiveDefinition) {
        self.description(path, old.description.as_deref(), new.description.as_deref());
        for location in &old.locations {
            if !new.locations.contains(location) {
                self.breaking(
                    ChangeKind::DirectiveLocationRemoved,
                    path,
                    format!("Directive `{path}` can no longer be used on {}", location.name()),
                    vec![path.to_owned()],
                );
            }
        }
        for location in &new.locations {
            if !old.locations.contains(location) {
                self.push(
                    Criticality::Safe,
                    ChangeKind::DirectiveLocationAdded,
                    path,
                    format!("Directive `{path}` can now be used on {}", location.name()),
                );
            }
        }
        match (old.repeatable, new.repeatable) {
            (true, false) => self.breaking(
                ChangeKind::DirectiveRepeatableChanged,
                path,
                format!("Directive `{path}` is no longer repeatable"),
                vec![path.to_owned()],
            ),
            (false, true) => self.push(
                Criticality::Safe,
                ChangeKind::DirectiveRepeatableChanged,
                path,
                format!("Directive `{path}` is now repeatable"),
            ),
            _ => {}
        }
        self.arguments(path, &old.arguments, &new.arguments);
    }

    fn types(&mut self, old: &Schema, new: &Schema) {
        let built_in = Schema::new();
        let names: BTreeSet<_> =
            old.types.keys().chain(new.types.keys()).filter(|name| !is_built_in_type(&built_in, name)).collect();
        for name in names {
            let path = name.to_string();
            match (old.types.get(name), new.types.get(name)) {
                (Some(ty), None) => self.breaking(
                    ChangeKind::TypeRemoved,
                    &path,
                    format!("{} `{name}` was removed", kind_name(ty)),
                    vec![path.clone()],
                ),
                (None, Some(ty)) => self.push(
                    Criticality::Safe,
                    ChangeKind::TypeAdded,
                    &path,
                    format!("{} `{name}` was added", kind_name(ty)),
                ),
                (Some(a), Some(b)) => self.ty(&path, a, b),
                (None, None) => {}
            }
        }
    }

    fn ty(&mut self, path: &str, old: &ExtendedType, new: &ExtendedType) {
        if kind_name(old) != kind_name(new) {
            self.breaking(
                ChangeKind::TypeKindChanged,
                path,
                format!("`{path}` changed from {} to {}", kind_name(old).to_lowercase(), kind_name(new).to_lowercase()),
                vec![path.to_owned()],
            );
            return;
        }
        self.description(path, old.description().map(|d| &**d), new.description().map(|d| &**d));
        match (old, new) {
            (ExtendedType::Object(a), ExtendedType::Object(b)) => {
                self.interfaces(path, a.implements_interfaces.iter(), b.implements_interfaces.iter());
                self.fields(path, &a.fields, &b.fields);
            }
            (ExtendedType::Interface(a), ExtendedType::Interface(b)) => {
                self.interfaces(path, a.implements_interfaces.iter(), b.implements_interfaces.iter());
                self.fields(path, &a.fields, &b.fields);
            }
            (ExtendedType::Union(a), ExtendedType::Union(b)) => {
                for member in a.members.iter().filter(|m| !b.members.contains(*m)) {
                    self.breaking(
                        ChangeKind::UnionMemberRemoved,
                        path,
                        format!("`{member}` is no longer a member of union `{path}`"),
                        vec![path.to_owned(), member.to_string()],
                    );
                }
                for member in b.members.iter().filter(|m| !a.members.contains(*m)) {
                    self.push(
                        Criticality::Dangerous,
                        ChangeKind::UnionMemberAdded,
                        path,
                        format!("`{member}` is a new member of union `{path}`: clients may now receive it"),
                    );
                }
            }
            (ExtendedType::Enum(a), ExtendedType::Enum(b)) => {
                for (name, value) in &a.values {
                    let value_path = format!("{path}.{name}");
                    match b.values.get(name) {
                        None => self.breaking(
                            ChangeKind::EnumValueRemoved,
                            &value_path,
                            format!("Enum value `{value_path}` was removed"),
                            vec![value_path.clone()],
                        ),
                        Some(new_value) => {
                            self.description(
                                &value_path,
                                value.description.as_deref(),
                                new_value.description.as_deref(),
                            );
                            self.deprecation(
                                &value_path,
                                deprecation_reason(value.directives.iter()),
                                deprecation_reason(new_value.directives.iter()),
                            );
                        }
                    }
                }
                for name in b.values.keys().filter(|name| !a.values.contains_key(*name)) {
                    self.push(
                        Criticality::Dangerous,
                        ChangeKind::EnumValueAdded,
                        format!("{path}.{name}"),
                        format!("Enum value `{path}.{name}` was added: clients may now receive it"),
                    );
                }
            }
            (ExtendedType::InputObject(a), ExtendedType::InputObject(b)) => {
                self.input_values(
                    path,
                    InputKind::InputField,
                    a.fields.values().map(|f| &***f),
                    b.fields.values().map(|f| &***f),
                );
            }
            _ => {}
        }
    }

    fn interfaces<'a>(
        &mut self,
        path: &str,
        old: impl Iterator<Item = &'a apollo_compiler::schema::ComponentName> + Clone,
        new: impl Iterator<Item = &'a apollo_compiler::schema::ComponentName> + Clone,
    ) {
        for interface in old.clone().filter(|i| !new.clone().any(|n| n == *i)) {
            self.breaking(
                ChangeKind::InterfaceRemoved,
                path,
                format!("`{path}` no longer implements interface `{interface}`"),
                vec![path.to_owned(), interface.to_string()],
            );
        }
        for interface in new.filter(|i| !old.clone().any(|o| o == *i)) {
            self.push(
                Criticality::Dangerous,
                ChangeKind::InterfaceAdded,
                path,
                format!("`{path}` now implements interface `{interface}`"),
            );
        }
    }

    fn fields(
        &mut self,
        type_path: &str,
        old: &apollo_compiler::collections::IndexMap<apollo_compiler::Name, Component<FieldDefinition>>,
        new: &apollo_compiler::collections::IndexMap<apollo_compiler::Name, Component<FieldDefinition>>,
    ) {
        for (name, field) in old {
            let path = format!("{type_path}.{name}");
            let Some(new_field) = new.get(name) else {
                self.breaking(
                    ChangeKind::FieldRemoved,
                    &path,
                    format!("Field `{path}` was removed"),
                    vec![path.clone()],
                );
                continue;
            };
            if field.ty != new_field.ty {
                let message = format!("Field `{path}` changed type from `{}` to `{}`", field.ty, new_field.ty);
                if output_change_is_safe(&field.ty, &new_field.ty) {
                    self.push(Criticality::Safe, ChangeKind::FieldTypeChanged, &path, message);
                } else {
                    let only_nullability =
                        field.ty.to_string().replace('!', "") == new_field.ty.to_string().replace('!', "");
                    let hint = if only_nullability { " (it may now be null)" } else { "" };
                    self.breaking(ChangeKind::FieldTypeChanged, &path, format!("{message}{hint}"), vec![path.clone()]);
                }
            }
            self.description(&path, field.description.as_deref(), new_field.description.as_deref());
            self.deprecation(
                &path,
                deprecation_reason(field.directives.iter()),
                deprecation_reason(new_field.directives.iter()),
            );
            self.arguments(&path, &field.arguments, &new_field.arguments);
        }
        for name in new.keys().filter(|name| !old.contains_key(*name)) {
            let path = format!("{type_path}.{name}");
            self.push(Criticality::Safe, ChangeKind::FieldAdded, &path, format!("Field `{path}` was added"));
        }
    }

    fn arguments(&mut self, owner: &str, old: &[Node<InputValueDefinition>], new: &[Node<InputValueDefinition>]) {
        self.input_values(owner, InputKind::Argument, old.iter().map(|a| &**a), new.iter().map(|a| &**a));
    }

    /// Arguments of a field or directive (`owner(arg:)`), or fields of an input
    /// object (`Owner.field`): both are inputs, with the same rules.
    fn input_values<'a>(
        &mut self,
        owner: &str,
        kind: InputKind,
        old: impl Iterator<Item = &'a InputValueDefinition> + Clone,
        new: impl Iterator<Item = &'a InputValueDefinition> + Clone,
    ) {
        let (noun, added, removed, type_changed, default_changed) = match kind {
            InputKind::Argument => (
                "Argument",
                ChangeKind::ArgumentAdded,
                ChangeKind::ArgumentRemoved,
                ChangeKind::ArgumentTypeChanged,
                ChangeKind::ArgumentDefaultChanged,
            ),
            InputKind::InputField => (
                "Input field",
                ChangeKind::InputFieldAdded,
                ChangeKind::InputFieldRemoved,
                ChangeKind::InputFieldTypeChanged,
                ChangeKind::InputFieldDefaultChanged,
            ),
        };
        let path_of = |name: &str| match kind {
            InputKind::Argument => format!("{owner}({name}:)"),
            InputKind::InputField => format!("{owner}.{name}"),
        };
        for value in old.clone() {
            let path = path_of(&value.name);
            let Some(new_value) = new.clone().find(|n| n.name == value.name) else {
                self.breaking(removed, &path, format!("{noun} `{path}` was removed"), vec![path.clone()]);
                continue;
            };
            let newly_required = is_required(new_value) && !is_required(value);
            if value.ty != new_value.ty {
                let message = format!("{noun} `{path}` changed type from `{}` to `{}`", value.ty, new_value.ty);
                if input_change_is_safe(&value.ty, &new_value.ty) {
                    self.push(Criticality::Safe, type_changed, &path, message);
                } else if newly_required {
                    // Now required: every use of the owner must supply it.
                    self.breaking(
                        type_changed,
                        &path,
                        format!("{message} (it is now required)"),
                        vec![owner.to_owned()],
                    );
                } else {
                    self.breaking(type_changed, &path, message, vec![path.clone()]);
                }
            }
            let (old_default, new_default) = (
                value.default_value.as_ref().map(|v| v.to_string()),
                new_value.default_value.as_ref().map(|v| v.to_string()),
            );
            if old_default != new_default {
                let message = match (&old_default, &new_default) {
                    (Some(a), Some(b)) => {
                        format!("Default value of {} `{path}` changed from `{a}` to `{b}`", noun.to_lowercase())
                    }
                    (None, Some(b)) => format!("{noun} `{path}` now defaults to `{b}`"),
                    (Some(a), None) => format!("{noun} `{path}` no longer defaults to `{a}`"),
                    (None, None) => String::new(),
                };
                if newly_required && value.ty == new_value.ty {
                    self.breaking(
                        default_changed,
                        &path,
                        format!("{message} (it is now required)"),
                        vec![owner.to_owned()],
                    );
                } else {
                    self.push(Criticality::Dangerous, default_changed, &path, message);
                }
            }
            self.description(&path, value.description.as_deref(), new_value.description.as_deref());
            self.deprecation(
                &path,
                deprecation_reason(value.directives.iter()),
                deprecation_reason(new_value.directives.iter()),
            );
        }
        for value in new.filter(|n| !old.clone().any(|o| o.name == n.name)) {
            let path = path_of(&value.name);
            if is_required(value) {
                self.breaking(
                    added,
                    &path,
                    format!("Required {} `{path}` was added", noun.to_lowercase()),
                    vec![owner.to_owned()],
                );
            } else {
                self.push(
                    Criticality::Safe,
                    added,
                    &path,
                    format!("Optional {} `{path}` was added", noun.to_lowercase()),
                );
            }
        }
    }

    fn description(&mut self, path: &str, old: Option<&str>, new: Option<&str>) {
        let message = match (old, new) {
            (None, Some(_)) => format!("`{path}` has a new description"),
            (Some(_), None) => format!("`{path}` no longer has a description"),
            (Some(a), Some(b)) if a != b => format!("The description of `{path}` changed"),
            _ => return,
        };
        self.push(Criticality::Safe, ChangeKind::DescriptionChanged, path, message);
    }

    fn deprecation(&mut self, path: &str, old: Option<String>, new: Option<String>) {
        let (kind, message) = match (old, new) {
            (None, Some(reason)) => (ChangeKind::DeprecationAdded, format!("`{path}` was deprecated: {reason}")),
            (Some(_), None) => (ChangeKind::DeprecationRemoved, format!("`{path}` is no longer deprecated")),
            (Some(a), Some(b)) if a != b => {
                (ChangeKind::DeprecationReasonChanged, format!("The deprecation reason of `{path}` changed to: {b}"))
            }
            _ => return,
        };
        self.push(Criticality::Safe, kind, path, message);
    }
}

#[derive(Clone, Copy)]
enum InputKind {
    Argument,
    InputField,
}

/// Non-null without a default: every use must supply a value.
fn is_required(value: &InputValueDefinition) -> bool {
    value.ty.is_non_null() && value.default_value.is_none()
}

/// Whether every value a client could receive from a field of type `new` is one
/// it could have received from `old`: `new` may only be stricter.
fn output_change_is_safe(old: &Type, new: &Type) -> bool {
    match (old, new) {
        (Type::Named(a), Type::Named(b) | Type::NonNullNamed(b)) => a == b,
        (Type::NonNullNamed(a), Type::NonNullNamed(b)) => a == b,
        (Type::List(a), Type::List(b) | Type::NonNullList(b)) => output_change_is_safe(a, b),
        (Type::NonNullList(a), Type::NonNullList(b)) => output_change_is_safe(a, b),
        _ => false,
    }
}

/// Whether every value a client could send for an input of type `old` is
/// accepted by `new`: `new` may only be looser.
fn input_change_is_safe(old: &Type, new: &Type) -> bool {
    match (old, new) {
        (Type::Named(a) | Type::NonNullNamed(a), Type::Named(b)) => a == b,
        (Type::NonNullNamed(a), Type::NonNullNamed(b)) => a == b,
        (Type::List(a) | Type::NonNullList(a), Type::List(b)) => input_change_is_safe(a, b),
        (Type::NonNullList(a), Type::NonNullList(b)) => input_change_is_safe(a, b),
        _ => false,
    }
}

fn kind_name(ty: &ExtendedType) -> &'static str {
    match ty {
        ExtendedType::Scalar(_) => "Scalar",
        ExtendedType::Object(_) => "Object type",
        ExtendedType::Interface(_) => "Interface",
        ExtendedType::Union(_) => "Union",
        ExtendedType::Enum(_) => "Enum",
        ExtendedType::InputObject(_) => "Input object",
    }
}
