//! `portal whoami`: who the token belongs to, their organization, and what they
//! may do.

use std::collections::BTreeMap;
use std::process::ExitCode;

use clap::Args;
use dcso_portal::{Permissions, Token, UserProfile};
use secrecy::ExposeSecret as _;
use serde::Serialize;

use crate::connection::GlobalOptions;
use crate::error::CliError;
use crate::output::{self, OutputFormat};
use crate::records;

/// Arguments of `portal whoami` (none of its own).
#[derive(Debug, Args)]
#[command(after_help = "\
Shows the user (or machine account) the token belongs to, its organization (name and short
code), its permissions per service, whether it is a TDH coordinator, and when the token
expires.")]
pub struct WhoamiArgs {}

impl WhoamiArgs {
    /// Asks the Portal and prints the answer.
    pub async fn run(&self, global: &GlobalOptions) -> Result<ExitCode, CliError> {
        let client = global.client()?;
        // The client accepted the token, so it parses; only its kind and expiry are shown.
        let token = Token::parse_allow_expired(global.token()?.expose_secret().to_owned()).ok();
        let (user, permissions) = futures_util::future::try_join(client.current_user(), client.permissions().send())
            .await
            .map_err(CliError::answer)?;
        let identity = Identity::new(&user, &permissions, token.as_ref());
        match OutputFormat::resolve(global.output) {
            OutputFormat::Json => output::print_json(&identity)?,
            OutputFormat::Table => output::print_table(&mut identity.table())?,
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// What `portal whoami` prints (JSON keys documented in cli/README.md).
#[derive(Debug, Serialize)]
struct Identity<'a> {
    user: User<'a>,
    organization: Organization<'a>,
    /// Service code -> permission slugs, both sorted.
    permissions: BTreeMap<String, Vec<String>>,
    tdh_coordinator: bool,
    token: Option<TokenInfo>,
}

#[derive(Debug, Serialize)]
struct User<'a> {
    id: &'a str,
    username: &'a str,
}

#[derive(Debug, Serialize)]
struct Organization<'a> {
    id: &'a str,
    name: &'a str,
    short_code: &'a str,
}

#[derive(Debug, Serialize)]
struct TokenInfo {
    /// `user` (a JWT from signing in) or `machine` (an API token).
    kind: &'static str,
    expires_at: Option<String>,
    #[serde(skip)]
    expires: Option<dcso_portal::DateTime>,
}

impl<'a> Identity<'a> {
    fn new(user: &'a UserProfile, permissions: &Permissions, token: Option<&Token>) -> Self {
        let organization = user.organization();
        Identity {
            user: User { id: user.id(), username: user.username() },
            organization: Organization {
                id: organization.id(),
                name: organization.name(),
                short_code: organization.short_code(),
            },
            permissions: permissions
                .by_service()
                .into_iter()
                .map(|(service, slugs)| (service, slugs.into_iter().collect()))
                .collect(),
            tdh_coordinator: permissions.is_tdh_coordinator(),
            token: token.map(|token| TokenInfo {
                kind: if token.is_machine() { "machine" } else { "user" },
                expires_at: token.expires_at().map(|t| t.to_string()),
                expires: token.expires_at(),
            }),
        }
    }

    fn table(&self) -> comfy_table::Table {
        let mut table = output::table(&[]);
        table.add_row(vec!["user".to_owned(), self.user.username.to_owned()]);
        table.add_row(vec![
            "organization".to_owned(),
            format!("{} ({})", self.organization.name, self.organization.short_code),
        ]);
        let permissions = if self.permissions.is_empty() {
            "none".to_owned()
        } else {
            self.permissions
                .iter()
                .map(|(service, slugs)| format!("{service}: {}", slugs.join(", ")))
                .collect::<Vec<_>>()
                .join("\n")
        };
        table.add_row(vec!["permissions".to_owned(), permissions]);
        table.add_row(vec!["TDH coordinator".to_owned(), if self.tdh_coordinator { "yes" } else { "no" }.to_owned()]);
        if let Some(token) = &self.token {
            let text = match token.expires {
                Some(_) => format!("{} token, expires {}", token.kind, records::expiry(token.expires)),
                None => format!("{} token, no expiry", token.kind),
            };
            table.add_row(vec!["token".to_owned(), text]);
        }
        table
    }
}
