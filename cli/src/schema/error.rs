//! What can go wrong while reading, printing or comparing schemas.

/// A schema or operation file could not be read, parsed or trusted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// A file could not be read or written.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file, as given by the user.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// SDL that does not parse or is not a valid GraphQL schema.
    #[error("{origin} is not a valid GraphQL schema:\n{diagnostics}")]
    Invalid {
        /// Where the SDL came from (a file name, or "the introspection result").
        origin: String,
        /// apollo-compiler's report, with source locations.
        diagnostics: String,
    },
    /// An introspection result that does not describe a schema.
    #[error("the introspection result is malformed: {0}")]
    Introspection(String),
    /// The operations in `queries/` do not validate against the old schema, so
    /// they cannot be compared against a new one.
    #[error(
        "the operations do not validate against {schema} (fix them first; `cargo build` reports the same):\n{problems}"
    )]
    OperationsInvalid {
        /// The schema they were checked against.
        schema: String,
        /// One `file:line:column: message` per line.
        problems: String,
    },
}
