//! `portal query FILE|-`: the ad-hoc escape hatch.
//!
//! Sends the document with the SDK's retries, timeouts and limits (`--timeout`
//! is the overall deadline of the call). `data` goes to stdout as pretty JSON;
//! GraphQL errors go to stderr, one per line as `message (GLOSOMCODE)`, with exit
//! code 1, and any partial `data` is still printed.

use std::io::Read as _;
use std::process::ExitCode;

use clap::Args;
use serde_json::{Map, Value};

use crate::connection::GlobalOptions;
use crate::error::{CliError, EXIT_FOUND};
use crate::output;

/// Arguments of `portal query`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  portal query issues.graphql --var first=5 --var after='\"\"'
  echo '{ auth_user { username } }' | portal query -
  portal query issue.graphql --vars-json '{\"id\": \"3be13d5f-1556-4edf-a243-e7ea4db67f2e\"}'")]
pub struct QueryArgs {
    /// The GraphQL document: a file, or `-` for standard input
    #[arg(value_name = "FILE|-")]
    pub document: String,

    /// The `--var NAME=VALUE` variables, values parsed.
    #[arg(
        long = "var",
        value_name = "NAME=VALUE",
        value_parser = parse_var,
        help = "A variable: VALUE is taken as JSON when it parses (5, true, null, [1], {\"a\": 1}, \"quoted\"), \
                else as a string. Repeatable; wins over --vars-json"
    )]
    pub vars: Vec<(String, Value)>,

    /// All variables as one JSON object
    #[arg(long, value_name = "JSON")]
    pub vars_json: Option<String>,
}

impl QueryArgs {
    /// Runs the query.
    pub async fn run(&self, global: &GlobalOptions) -> Result<ExitCode, CliError> {
        let document = self.read_document()?;
        let variables = self.variables()?;
        let client = global.client()?;
        match client.execute_graphql(&document, variables.as_ref(), &[]).await {
            Ok(data) => {
                output::print_json(&data)?;
                Ok(ExitCode::SUCCESS)
            }
            Err(error) => match error.graphql_errors() {
                Some(errors) => {
                    if let Some(data) = errors.data() {
                        output::print_json(data)?;
                    }
                    for error in errors {
                        eprintln!("{error}");
                    }
                    Ok(ExitCode::from(EXIT_FOUND))
                }
                None => Err(error.into()),
            },
        }
    }

    fn read_document(&self) -> Result<String, CliError> {
        let mut text = String::new();
        let read = if self.document == "-" {
            std::io::stdin().read_to_string(&mut text).map(drop)
        } else {
            std::fs::read_to_string(&self.document).map(|content| text = content)
        };
        read.map_err(|source| CliError::Io {
            action: "read",
            path: if self.document == "-" { "standard input".into() } else { self.document.clone() },
            source,
        })?;
        if text.trim().is_empty() {
            return Err(CliError::Usage(format!(
                "the GraphQL document in {} is empty",
                if self.document == "-" { "standard input" } else { &self.document }
            )));
        }
        Ok(text)
    }

    /// `--vars-json`, then each `--var` on top; `None` when there are none.
    fn variables(&self) -> Result<Option<Value>, CliError> {
        let mut variables = match &self.vars_json {
            None => Map::new(),
            Some(text) => match serde_json::from_str(text) {
                Ok(Value::Object(map)) => map,
                Ok(_) => {
                    return Err(CliError::Usage("--vars-json must be a JSON object, e.g. '{\"first\": 5}'".into()))
                }
                Err(e) => return Err(CliError::Usage(format!("--vars-json is not valid JSON: {e}"))),
            },
        };
        for (name, value) in &self.vars {
            variables.insert(name.clone(), value.clone());
        }
        Ok((!variables.is_empty() || self.vars_json.is_some()).then_some(Value::Object(variables)))
    }
}

/// `name=value`, the value as JSON when it parses, else as a string.
fn parse_var(text: &str) -> Result<(String, Value), String> {
    let (name, value) =
        text.split_once('=').ok_or_else(|| format!("`{text}` is not NAME=VALUE (e.g. --var first=5)"))?;
    let name = name.trim().trim_start_matches('$');
    let mut chars = name.chars();
    let is_name = chars.next().is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric());
    if !is_name {
        return Err(format!("`{name}` is not a GraphQL variable name"));
    }
    let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()));
    Ok((name.to_owned(), value))
}

#[cfg(test)]
mod tests {
    use super::parse_var;
    use serde_json::json;

    #[test]
    fn var_values_are_json_when_they_parse_else_strings() {
        assert_eq!(parse_var("first=5"), Ok(("first".into(), json!(5))));
        assert_eq!(parse_var("ok=true"), Ok(("ok".into(), json!(true))));
        assert_eq!(parse_var("none=null"), Ok(("none".into(), json!(null))));
        assert_eq!(parse_var("ids=[1, 2]"), Ok(("ids".into(), json!([1, 2]))));
        assert_eq!(parse_var("f={\"a\": 1}"), Ok(("f".into(), json!({"a": 1}))));
        assert_eq!(parse_var("id=\"5\""), Ok(("id".into(), json!("5"))));
        assert_eq!(parse_var("name=alice"), Ok(("name".into(), json!("alice"))));
        assert_eq!(parse_var("eq=a=b"), Ok(("eq".into(), json!("a=b"))));
        assert_eq!(parse_var("empty="), Ok(("empty".into(), json!(""))));
        assert_eq!(parse_var("$after="), Ok(("after".into(), json!(""))));
    }

    #[test]
    fn var_needs_a_name_and_an_equals_sign() {
        assert!(parse_var("first").is_err());
        assert!(parse_var("=5").is_err());
        assert!(parse_var("1st=5").is_err());
        assert!(parse_var("a-b=5").is_err());
    }
}
