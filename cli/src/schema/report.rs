//! The result of `portal schema diff`, as text for people and JSON for machines.
//!
//! # JSON (`--json`), version 1
//!
//! ```json
//! {
//!   "version": 1,
//!   "schema": "schema/portal.graphql",
//!   "against": "new.graphql",
//!   "summary": { "breaking": 1, "dangerous": 0, "safe": 1, "broken_operations": 2 },
//!   "changes": [
//!     {
//!       "criticality": "breaking",
//!       "kind": "field_removed",
//!       "path": "tdh_Issue.title",
//!       "message": "Field `tdh_Issue.title` was removed",
//!       "operations": [ { "file": "queries/tdh.graphql", "operation": "AllIssues" } ]
//!     },
//!     {
//!       "criticality": "safe",
//!       "kind": "field_added",
//!       "path": "tdh_Issue.priority",
//!       "message": "Field `tdh_Issue.priority` was added",
//!       "operations": []
//!     }
//!   ],
//!   "broken_operations": [
//!     {
//!       "file": "queries/tdh.graphql",
//!       "operation": "AllIssues",
//!       "changes": [ "tdh_Issue.title" ],
//!       "errors": [
//!         { "file": "queries/tdh.graphql", "line": 7, "column": 3,
//!           "message": "type `tdh_Issue` does not have a field `title`" }
//!       ]
//!     }
//!   ]
//! }
//! ```
//!
//! - `changes` are ordered breaking, dangerous, safe; `criticality` is one of
//!   those three words and `kind` one of [`ChangeKind`]
//!   in `snake_case`; `path` is a schema coordinate.
//! - `operations` of a change lists the operations it breaks; it is empty for
//!   changes that are not breaking.
//! - `broken_operations` lists each broken operation once, with the changes that
//!   break it and its validation errors against the new schema (`line` and
//!   `column` are 1-based, 0 when unknown). An operation can be broken without
//!   errors: it still validates but uses a changed element (e.g. a field that
//!   may now be null).
//! - New keys may be added in a later version; existing ones keep their meaning.

use std::fmt::Write as _;

use apollo_compiler::validation::Valid;
use apollo_compiler::Schema;
use serde::Serialize;

use super::breakage::{self, BrokenOperation, OperationRef, QueryFile};
use super::diff::{self, Change, ChangeKind, Criticality};
use super::error::SchemaError;

/// The version of the JSON structure; it changes only when a key changes meaning.
pub const JSON_VERSION: u32 = 1;

/// Everything `schema diff` found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Always [`JSON_VERSION`].
    pub version: u32,
    /// The old (vendored) schema, as given.
    pub schema: String,
    /// What it was compared with: a file name, or the endpoint for `--live`.
    pub against: String,
    /// Counts.
    pub summary: Summary,
    /// Every change.
    pub changes: Vec<ReportedChange>,
    /// Every operation of ours the new schema breaks.
    pub broken_operations: Vec<BrokenOperation>,
}

/// The counts of a [`Report`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Breaking changes.
    pub breaking: usize,
    /// Dangerous changes.
    pub dangerous: usize,
    /// Safe changes.
    pub safe: usize,
    /// Operations in `queries/` that break.
    pub broken_operations: usize,
}

/// A [`Change`] and the operations it breaks.
#[derive(Debug, Clone, Serialize)]
pub struct ReportedChange {
    /// `breaking`, `dangerous` or `safe`.
    pub criticality: Criticality,
    /// What changed.
    pub kind: ChangeKind,
    /// The schema coordinate that changed.
    pub path: String,
    /// One sentence for humans.
    pub message: String,
    /// The operations this change breaks.
    pub operations: Vec<OperationRef>,
}

impl Report {
    /// Compares `old` (labelled `schema`) with `new` (labelled `against`) and
    /// checks the operations in `files` against `new`.
    pub fn build(
        schema: &str,
        old: &Valid<Schema>,
        against: &str,
        new: &Valid<Schema>,
        files: &[QueryFile],
    ) -> Result<Report, SchemaError> {
        let changes: Vec<Change> = diff::diff(old, new);
        let breakage = breakage::analyse(old, new, &changes, files)?;
        let count = |criticality| changes.iter().filter(|c| c.criticality == criticality).count();
        let summary = Summary {
            breaking: count(Criticality::Breaking),
            dangerous: count(Criticality::Dangerous),
            safe: count(Criticality::Safe),
            broken_operations: breakage.broken.len(),
        };
        let changes = changes
            .into_iter()
            .zip(breakage.per_change)
            .map(|(change, operations)| ReportedChange {
                criticality: change.criticality,
                kind: change.kind,
                path: change.path,
                message: change.message,
                operations,
            })
            .collect();
        Ok(Report {
            version: JSON_VERSION,
            schema: schema.to_owned(),
            against: against.to_owned(),
            summary,
            changes,
            broken_operations: breakage.broken,
        })
    }

    /// Whether an operation of ours breaks: the exit code is 1 when it does.
    pub fn breaks_operations(&self) -> bool {
        !self.broken_operations.is_empty()
    }

    /// The stable JSON form documented in the [module docs](self).
    pub fn to_json(&self) -> String {
        // A struct of strings, numbers and lists always serializes.
        serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| serde_json::json!({ "error": format!("cannot serialize the report: {e}") }).to_string())
    }

    /// The text form: changes grouped by criticality, then the broken operations
    /// with their errors as `file:line:column: message`.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Comparing {} with {}", self.schema, self.against);
        if self.changes.is_empty() {
            out.push_str("\nNo changes.\n");
        }
        for (criticality, title) in [
            (Criticality::Breaking, "Breaking changes"),
            (Criticality::Dangerous, "Dangerous changes"),
            (Criticality::Safe, "Safe changes"),
        ] {
            let group: Vec<_> = self.changes.iter().filter(|c| c.criticality == criticality).collect();
            if group.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n{title} ({}):", group.len());
            for change in group {
                let _ = writeln!(out, "  [{}] {}", change.kind, change.message);
                for operation in &change.operations {
                    let _ = writeln!(out, "      breaks {} in {}", operation.operation, operation.file);
                }
            }
        }
        if self.broken_operations.is_empty() {
            out.push_str("\nNo operation in the queries breaks.\n");
        } else {
            let _ = writeln!(out, "\nBroken operations ({}):", self.broken_operations.len());
            for operation in &self.broken_operations {
                let _ = writeln!(out, "  {} ({})", operation.operation, operation.file);
                if !operation.changes.is_empty() {
                    let _ = writeln!(out, "    uses: {}", operation.changes.join(", "));
                }
                for error in &operation.errors {
                    let _ = writeln!(out, "    {}:{}:{}: {}", error.file, error.line, error.column, error.message);
                }
            }
        }
        let s = &self.summary;
        let _ = writeln!(
            out,
            "\n{} breaking, {} dangerous, {} safe; {} broken operation(s).",
            s.breaking, s.dangerous, s.safe, s.broken_operations
        );
        out
    }
}
