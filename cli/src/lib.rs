//! `portal`: the DCSO Portal from a terminal, and the maintainer tooling that keeps
//! the SDK's vendored schema and operations in step with the live Portal.
//!
//! The binary is a thin layer over this library so that the schema tooling can be
//! tested without a process in between. See `MAINTAINING.md` for the workflow.
#![warn(missing_docs)]

pub mod schema;
