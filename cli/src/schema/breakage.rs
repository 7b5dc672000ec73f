//! Which of our operations a schema change breaks.
//!
//! An operation in `queries/` breaks when
//!
//! - it no longer validates against the new schema (a removed field, a new
//!   required argument, ...), or
//! - it uses an element that changed in a breaking way although the document
//!   still validates: a selected field that may now be null (its generated
//!   type cannot hold null), an input field or enum value that its variables
//!   can carry but the server no longer accepts.
//!
//! "Uses" is read from each operation validated against the old schema: the
//! fields it selects and the arguments it passes (`Type.field`,
//! `Type.field(arg:)`), the types it names, every input field and enum value
//! reachable from its variables' types, the input fields and enum values
//! written as literals, and the directives it applies.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

use apollo_compiler::ast::{Type, Value};
use apollo_compiler::executable::{Selection, SelectionSet};
use apollo_compiler::parser::LineColumn;
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Node, Schema};
use serde::Serialize;

use super::diff::Change;
use super::error::SchemaError;

// The build script's validator: the same rules `cargo build` applies to queries/.
#[allow(dead_code)]
#[path = "../../../build/validate.rs"]
mod validate;

/// One operation file, read.
#[derive(Debug, Clone)]
pub struct QueryFile {
    /// The path as shown in reports (e.g. `queries/tdh.graphql`).
    pub path: String,
    /// Its GraphQL source.
    pub text: String,
}

/// An operation, by file and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct OperationRef {
    /// The file that defines it.
    pub file: String,
    /// Its name.
    pub operation: String,
}

/// A validation error, located in its file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Located {
    /// The file.
    pub file: String,
    /// 1-based; 0 when apollo-compiler gave no location.
    pub line: usize,
    /// 1-based; 0 when apollo-compiler gave no location.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// An operation of ours that the new schema breaks, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenOperation {
    /// The file that defines it.
    pub file: String,
    /// Its name.
    pub operation: String,
    /// The paths of the breaking changes it uses.
    pub changes: Vec<String>,
    /// Its validation errors against the new schema (empty when it still
    /// validates but uses a changed element).
    pub errors: Vec<Located>,
}

/// What the changes do to the operations in `queries/`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Breakage {
    /// For each change given to [`analyse`], in the same order, the operations it
    /// breaks (always empty for changes that are not breaking).
    pub per_change: Vec<Vec<OperationRef>>,
    /// Every broken operation, by file and name.
    pub broken: Vec<BrokenOperation>,
}

/// Reads every `*.graphql` file of `queries_dir`, after checking them against
/// the old schema with the build script's own rules.
///
/// Paths are relative to the current directory unless absolute.
pub fn load_queries(schema_file: &str, queries_dir: &str) -> Result<Vec<QueryFile>, SchemaError> {
    let root = Path::new("");
    let files = validate::query_files(root, queries_dir)
        .map_err(|source| SchemaError::Io { path: queries_dir.to_owned(), source })?;
    if let Err(report) = validate::validate(root, schema_file, &files) {
        let problems: Vec<String> = report.problems.iter().map(|problem| format!("  {problem}")).collect();
        return Err(SchemaError::OperationsInvalid { schema: schema_file.to_owned(), problems: problems.join("\n") });
    }
    files
        .iter()
        .map(|file| {
            let path = file.to_string_lossy().replace('\\', "/");
            let text =
                std::fs::read_to_string(file).map_err(|source| SchemaError::Io { path: path.clone(), source })?;
            Ok(QueryFile { path, text })
        })
        .collect()
}

/// Finds the operations in `files` that `changes` (from `old` to `new`) break.
///
/// `files` must validate against `old` (as [`load_queries`] ensures).
pub fn analyse(
    old: &Valid<Schema>,
    new: &Valid<Schema>,
    changes: &[Change],
    files: &[QueryFile],
) -> Result<Breakage, SchemaError> {
    let mut operations = Vec::new();
    let mut errors: BTreeMap<OperationRef, BTreeSet<Located>> = BTreeMap::new();
    for file in files {
        let document = ExecutableDocument::parse_and_validate(old, &file.text, &file.path).map_err(|with_errors| {
            SchemaError::OperationsInvalid { schema: "the old schema".into(), problems: with_errors.errors.to_string() }
        })?;
        let in_file = uses(old, &document, &file.path);

        if let Err(with_errors) = ExecutableDocument::parse_and_validate(new, &file.text, &file.path) {
            for diagnostic in with_errors.errors.iter() {
                let start = diagnostic.line_column_range().map(|range| range.start);
                let located = Located {
                    file: file.path.clone(),
                    line: start.map_or(0, |s| s.line),
                    column: start.map_or(0, |s| s.column),
                    message: diagnostic.error.to_string(),
                };
                for operation in culprits(&document, &in_file, start) {
                    errors.entry(operation.reference.clone()).or_default().insert(located.clone());
                }
            }
        }
        operations.extend(in_file);
    }

    let mut per_change = Vec::with_capacity(changes.len());
    let mut causes: BTreeMap<OperationRef, Vec<String>> = BTreeMap::new();
    for change in changes {
        let broken: Vec<OperationRef> = if change.needs.is_empty() {
            Vec::new()
        } else {
            operations
                .iter()
                .filter(|operation| change.needs.iter().all(|need| operation.uses.contains(need)))
                .map(|operation| operation.reference.clone())
                .collect()
        };
        for operation in &broken {
            causes.entry(operation.clone()).or_default().push(change.path.clone());
        }
        per_change.push(broken);
    }

    let names: BTreeSet<&OperationRef> = causes.keys().chain(errors.keys()).collect();
    let broken = names
        .into_iter()
        .map(|reference| BrokenOperation {
            file: reference.file.clone(),
            operation: reference.operation.clone(),
            changes: causes.get(reference).cloned().unwrap_or_default(),
            errors: errors.get(reference).map(|set| set.iter().cloned().collect()).unwrap_or_default(),
        })
        .collect();
    Ok(Breakage { per_change, broken })
}

/// One operation and everything of the schema it uses.
struct Operation {
    reference: OperationRef,
    uses: BTreeSet<String>,
    fragments: BTreeSet<String>,
}

fn uses(schema: &Schema, document: &ExecutableDocument, file: &str) -> Vec<Operation> {
    document
        .operations
        .iter()
        .map(|operation| {
            let mut walk = Walk {
                schema,
                document,
                uses: BTreeSet::new(),
                fragments: BTreeSet::new(),
                input_types: HashSet::new(),
            };
            walk.uses.insert(format!("schema.{}", operation.operation_type));
            for variable in &operation.variables {
                walk.input_type(variable.ty.inner_named_type().as_str());
                walk.directives(&variable.directives);
            }
            walk.directives(&operation.directives);
            walk.selection_set(&operation.selection_set);
            Operation {
                reference: OperationRef {
                    file: file.to_owned(),
                    operation: operation
                        .name
                        .as_ref()
                        .map_or_else(|| "(anonymous)".to_owned(), |name| name.to_string()),
                },
                uses: walk.uses,
                fragments: walk.fragments,
            }
        })
        .collect()
}

/// The operations a validation error at `start` belongs to: the one it is in,
/// or every one using the fragment it is in, or (when that cannot be told)
/// every one in the file.
fn culprits<'a>(
    document: &ExecutableDocument,
    in_file: &'a [Operation],
    start: Option<LineColumn>,
) -> Vec<&'a Operation> {
    let key = |at: &LineColumn| (at.line, at.column);
    let contains = |range: Option<std::ops::Range<LineColumn>>| match (range, &start) {
        (Some(range), Some(start)) => key(&range.start) <= key(start) && key(start) <= key(&range.end),
        _ => false,
    };
    if let Some(operation) = document.operations.iter().find(|op| contains(op.line_column_range(&document.sources))) {
        let name = operation.name.as_ref().map_or("(anonymous)", |name| name.as_str());
        return in_file.iter().filter(|op| op.reference.operation == name).collect();
    }
    if let Some(fragment) = document.fragments.values().find(|f| contains(f.line_column_range(&document.sources))) {
        return in_file.iter().filter(|op| op.fragments.contains(fragment.name.as_str())).collect();
    }
    in_file.iter().collect()
}

struct Walk<'a> {
    schema: &'a Schema,
    document: &'a ExecutableDocument,
    uses: BTreeSet<String>,
    fragments: BTreeSet<String>,
    input_types: HashSet<String>,
}

impl Walk<'_> {
    fn selection_set(&mut self, set: &SelectionSet) {
        let parent = &set.ty;
        for selection in &set.selections {
            match selection {
                Selection::Field(field) => {
                    self.directives(&field.directives);
                    if field.name.starts_with("__") {
                        continue;
                    }
                    self.uses.insert(format!("{parent}.{}", field.name));
                    for argument in &field.arguments {
                        self.uses.insert(format!("{parent}.{}({}:)", field.name, argument.name));
                        if let Some(definition) = field.definition.argument_by_name(&argument.name) {
                            self.value(&argument.value, &definition.ty);
                        }
                    }
                    self.uses.insert(field.definition.ty.inner_named_type().to_string());
                    self.selection_set(&field.selection_set);
                }
                Selection::FragmentSpread(spread) => {
                    self.directives(&spread.directives);
                    if self.fragments.insert(spread.fragment_name.to_string()) {
                        if let Some(fragment) = self.document.fragments.get(&spread.fragment_name) {
                            self.uses.insert(fragment.type_condition().to_string());
                            self.selection_set(&fragment.selection_set);
                        }
                    }
                }
                Selection::InlineFragment(inline) => {
                    self.directives(&inline.directives);
                    if let Some(condition) = &inline.type_condition {
                        self.uses.insert(condition.to_string());
                    }
                    self.selection_set(&inline.selection_set);
                }
            }
        }
    }

    /// A literal argument value of type `ty`: the input fields and enum values it
    /// spells out. Variables in it are covered by their declared types.
    fn value(&mut self, value: &Node<Value>, ty: &Type) {
        let named = ty.inner_named_type();
        self.uses.insert(named.to_string());
        match &**value {
            Value::List(items) => {
                for item in items {
                    self.value(item, ty.item_type());
                }
            }
            Value::Object(fields) => {
                if let Some(input) = self.schema.get_input_object(named) {
                    for (name, field_value) in fields {
                        self.uses.insert(format!("{named}.{name}"));
                        if let Some(definition) = input.fields.get(name) {
                            self.value(field_value, &definition.ty);
                        }
                    }
                }
            }
            Value::Enum(value) => {
                self.uses.insert(format!("{named}.{value}"));
            }
            _ => {}
        }
    }

    /// A type a variable can carry: everything inside it can be sent, so all its
    /// input fields and enum values are used.
    fn input_type(&mut self, name: &str) {
        if !self.input_types.insert(name.to_owned()) {
            return;
        }
        self.uses.insert(name.to_owned());
        if let Some(input) = self.schema.get_input_object(name) {
            for (field_name, field) in &input.fields {
                self.uses.insert(format!("{name}.{field_name}"));
                self.input_type(field.ty.inner_named_type().as_str());
            }
        } else if let Some(enumeration) = self.schema.get_enum(name) {
            for value in enumeration.values.keys() {
                self.uses.insert(format!("{name}.{value}"));
            }
        }
    }

    fn directives(&mut self, directives: &apollo_compiler::executable::DirectiveList) {
        for directive in directives.iter() {
            self.uses.insert(format!("@{}", directive.name));
            for argument in &directive.arguments {
                self.uses.insert(format!("@{}({}:)", directive.name, argument.name));
            }
        }
    }
}
