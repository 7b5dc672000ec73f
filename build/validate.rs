//! Validation of `queries/*.graphql` against `schema/portal.graphql`.
//!
//! Shared by `build.rs` (which fails the build on any problem) and by the test that
//! proves a bad operation is reported with its file, line and column. It depends only
//! on `std` and `apollo-compiler`, so both can include it with `#[path]`.

use std::fmt;
use std::path::{Path, PathBuf};

use apollo_compiler::executable::OperationType;
use apollo_compiler::{ExecutableDocument, Schema};

/// The kind of a GraphQL operation, as written in its document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Query,
    Mutation,
    Subscription,
}

/// One named operation found in a query file.
#[derive(Debug, Clone)]
pub struct FoundOperation {
    /// The operation's name, also the name of its generated Rust type.
    pub name: String,
    pub kind: Kind,
    /// The file it is defined in, relative to the crate root (e.g. `queries/tdh.graphql`).
    pub file: String,
}

/// One thing wrong with the schema or an operation, located in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// 1-based; 0 when the problem has no location (e.g. an unreadable file).
    pub line: usize,
    /// 1-based; 0 when the problem has no location.
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)
    }
}

/// Everything the validation found wrong, plus apollo-compiler's rendered reports
/// (with source excerpts) for humans.
#[derive(Debug, Default)]
pub struct Report {
    pub problems: Vec<Problem>,
    pub rendered: String,
}

/// The `.graphql` files of `queries_dir`, sorted, as paths relative to `root`.
pub fn query_files(root: &Path, queries_dir: &str) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(root.join(queries_dir))? {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "graphql") {
            let name = path.file_name().expect("read_dir yields named entries");
            files.push(Path::new(queries_dir).join(name));
        }
    }
    files.sort();
    Ok(files)
}

/// Validates the schema at `schema_file` and every file in `query_files` (all relative
/// to `root`) with full GraphQL validation, and lists the operations they define.
///
/// Beyond the GraphQL rules, every operation must be named with a Rust type name
/// (`UpperCamelCase`, ASCII letters and digits) that is unique across all files, since
/// each becomes a Rust type.
pub fn validate(root: &Path, schema_file: &str, query_files: &[PathBuf]) -> Result<Vec<FoundOperation>, Report> {
    let mut report = Report::default();
    let schema_text = match std::fs::read_to_string(root.join(schema_file)) {
        Ok(text) => text,
        Err(e) => {
            report.problems.push(unlocated(schema_file, format!("cannot read the schema: {e}")));
            return Err(report);
        }
    };
    let schema = match Schema::parse_and_validate(schema_text, schema_file) {
        Ok(schema) => schema,
        Err(with_errors) => {
            collect(&mut report, &with_errors.errors, schema_file);
            return Err(report);
        }
    };

    let mut found: Vec<FoundOperation> = Vec::new();
    for file in query_files {
        let shown = file.to_string_lossy().replace('\\', "/");
        let text = match std::fs::read_to_string(root.join(file)) {
            Ok(text) => text,
            Err(e) => {
                report.problems.push(unlocated(&shown, format!("cannot read: {e}")));
                continue;
            }
        };
        let doc = match ExecutableDocument::parse_and_validate(&schema, text, &shown) {
            Ok(doc) => doc,
            Err(with_errors) => {
                collect(&mut report, &with_errors.errors, &shown);
                continue;
            }
        };
        if let Some(anonymous) = &doc.operations.anonymous {
            let (line, column) = position(anonymous.line_column_range(&doc.sources));
            report.problems.push(Problem {
                file: shown.clone(),
                line,
                column,
                message: "anonymous operation: give it a name (e.g. `query AllIssues { ... }`); the name becomes its Rust type".into(),
            });
        }
        for (name, operation) in &doc.operations.named {
            let (line, column) = position(operation.line_column_range(&doc.sources));
            let name = name.as_str().to_owned();
            if !is_rust_type_name(&name) {
                report.problems.push(Problem {
                    file: shown.clone(),
                    line,
                    column,
                    message: format!(
                        "operation name `{name}` is not a Rust type name: use UpperCamelCase ASCII letters and digits"
                    ),
                });
                continue;
            }
            if let Some(first) = found.iter().find(|op| op.name == name) {
                report.problems.push(Problem {
                    file: shown.clone(),
                    line,
                    column,
                    message: format!(
                        "operation `{name}` is also defined in {}: operation names must be unique across queries/",
                        first.file
                    ),
                });
                continue;
            }
            let kind = match operation.operation_type {
                OperationType::Query => Kind::Query,
                OperationType::Mutation => Kind::Mutation,
                OperationType::Subscription => Kind::Subscription,
            };
            found.push(FoundOperation { name, kind, file: shown.clone() });
        }
    }

    if report.problems.is_empty() {
        Ok(found)
    } else {
        Err(report)
    }
}

fn collect(report: &mut Report, errors: &apollo_compiler::validation::DiagnosticList, file: &str) {
    for diagnostic in errors.iter() {
        let (line, column) = position(diagnostic.line_column_range());
        report.problems.push(Problem { file: file.to_owned(), line, column, message: diagnostic.error.to_string() });
    }
    report.rendered.push_str(&errors.to_string());
    report.rendered.push('\n');
}

fn position(range: Option<std::ops::Range<apollo_compiler::parser::LineColumn>>) -> (usize, usize) {
    range.map_or((0, 0), |r| (r.start.line, r.start.column))
}

fn unlocated(file: &str, message: String) -> Problem {
    Problem { file: file.to_owned(), line: 0, column: 0, message }
}

fn is_rust_type_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}
