//! The global options, and the SDK client they describe.
//!
//! Precedence, for each setting: the flag, then the environment, then the SDK's
//! default. The token is never printed, and is only read when a command needs it.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use dcso_portal::{Client, ClientBuilder, ENV_TOKEN, ENV_URL};
use secrecy::{ExposeSecret as _, SecretString};

use crate::error::CliError;
use crate::output::OutputFormat;

/// Options every command takes (they may be given before or after the command).
#[derive(Debug, Args)]
pub struct GlobalOptions {
    /// The Portal's GraphQL endpoint (`--endpoint`, else `DCSO_PORTAL_URL`).
    #[arg(
        long,
        global = true,
        value_name = "URL",
        env = ENV_URL,
        help = "The Portal's GraphQL endpoint, e.g. https://portal.example.com/graphql"
    )]
    pub endpoint: Option<String>,

    /// Read the token from FILE (trimmed) instead of DCSO_PORTAL_TOKEN
    #[arg(long, global = true, value_name = "FILE")]
    pub token_file: Option<PathBuf>,

    /// Overall deadline of each call to the Portal, retries included [default: the SDK's, 60]
    #[arg(long, global = true, value_name = "SECS", value_parser = parse_seconds)]
    pub timeout: Option<Duration>,

    /// Output format of records: `table` is the default on a terminal, `json` otherwise (`query` always prints JSON, `schema pull` SDL)
    #[arg(long, global = true, value_name = "FORMAT", value_enum)]
    pub output: Option<OutputFormat>,

    /// Log the SDK's requests to stderr (-v info, -vv debug, -vvv trace)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

impl GlobalOptions {
    /// The endpoint: `--endpoint`, else `DCSO_PORTAL_URL`.
    pub fn endpoint(&self) -> Result<&str, CliError> {
        match self.endpoint.as_deref().map(str::trim) {
            Some(endpoint) if !endpoint.is_empty() => Ok(endpoint),
            _ => Err(CliError::Usage(format!(
                "no Portal endpoint: pass --endpoint URL or set {ENV_URL} (e.g. https://portal.example.com/graphql)"
            ))),
        }
    }

    /// The token: the contents of `--token-file`, else `DCSO_PORTAL_TOKEN`.
    pub fn token(&self) -> Result<SecretString, CliError> {
        if let Some(path) = &self.token_file {
            let text = std::fs::read_to_string(path).map_err(|source| CliError::Io {
                action: "read the token file",
                path: path.display().to_string(),
                source,
            })?;
            let token = text.trim();
            if token.is_empty() {
                return Err(CliError::Usage(format!(
                    "the token file {} is empty: put the token in it, or set {ENV_TOKEN} and leave out --token-file",
                    path.display()
                )));
            }
            return Ok(SecretString::from(token.to_owned()));
        }
        match std::env::var(ENV_TOKEN) {
            Ok(token) if !token.trim().is_empty() => Ok(SecretString::from(token.trim().to_owned())),
            _ => Err(CliError::Usage(format!(
                "no token: set {ENV_TOKEN} or pass --token-file FILE (a machine token, or a user token from signing in)"
            ))),
        }
    }

    /// A client for the endpoint, with the token and the timeout.
    pub fn client(&self) -> Result<Client, CliError> {
        let endpoint = self.endpoint()?;
        let token = self.token()?;
        Ok(self.builder(endpoint).token(token.expose_secret()).build()?)
    }

    /// A client for the endpoint without a token, for signing in: the token is
    /// neither needed nor read.
    pub fn anonymous_client(&self) -> Result<Client, CliError> {
        Ok(self.builder(self.endpoint()?).build()?)
    }

    fn builder(&self, endpoint: &str) -> ClientBuilder {
        let builder = Client::builder(endpoint)
            .token_from_env(false)
            .user_agent(concat!("portal-cli/", env!("CARGO_PKG_VERSION")));
        match self.timeout {
            Some(timeout) => builder.timeout(timeout),
            None => builder,
        }
    }
}

/// A positive number of seconds, fractions allowed.
fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text.trim().parse().map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if !seconds.is_finite() || seconds <= 0.0 || seconds > 86_400.0 * 365.0 {
        return Err(format!("`{text}` is not a positive number of seconds"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::parse_seconds;
    use std::time::Duration;

    #[test]
    fn timeouts_are_positive_seconds() {
        assert_eq!(parse_seconds("5"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_seconds("0.5"), Ok(Duration::from_millis(500)));
        for bad in ["0", "-1", "abc", "NaN", "inf", "1e30", ""] {
            assert!(parse_seconds(bad).is_err(), "{bad}");
        }
    }
}
