//! `portal login`: sign in with a user name and password, and the one-time code
//! of the second factor when the Portal asks for one.
//!
//! Interactive by default: the user name and the code are read from the
//! terminal, the password with echo off. `--password-stdin` reads the password
//! from the first line of standard input and the code from the next one (or
//! `--totp-code`), for scripts. Only the endpoint is needed, no token.
//!
//! What it prints never contains the token, except with `--print-token`, which
//! prints the token and nothing else on stdout, everything else on stderr.

use std::io::IsTerminal as _;
use std::process::ExitCode;

use clap::Args;
use dcso_portal::{Auth, Authentication, DateTime, SignInOptions};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Serialize;

use crate::connection::GlobalOptions;
use crate::error::CliError;
use crate::output::{self, OutputFormat};
use crate::records;

/// How many one-time codes a person at the terminal may try before giving up.
const INTERACTIVE_CODE_TRIES: usize = 3;

/// Arguments of `portal login`.
#[derive(Debug, Args)]
#[command(after_help = "\
Interactive: `portal login` asks for the user name, the password (not shown) and, when the
Portal requires the second factor, the one-time code of the authenticator app.

For scripts: `--username NAME --password-stdin` reads the password from the first line of
standard input and, when the Portal asks for it, the one-time code from the next line (or
from --totp-code).

Without --print-token the result (user, token expiry, second factor) is printed as a table
or JSON (--output) and the token is not kept. With --print-token, standard output carries
only the token, for:
  export DCSO_PORTAL_TOKEN=$(portal login --print-token)
  printf '%s\\n' \"$PASSWORD\" | portal login --username alice --password-stdin --print-token

Only the endpoint is needed (--endpoint or DCSO_PORTAL_URL), no token.")]
pub struct LoginArgs {
    /// The user name (asked for when not given)
    #[arg(long, short = 'u', value_name = "NAME")]
    pub username: Option<String>,

    /// Read the password from the first line of standard input, and the one-time code (when required) from the next
    #[arg(long, requires = "username")]
    pub password_stdin: bool,

    /// The one-time code of the second factor (TOTP), used when the Portal asks for one
    #[arg(long, value_name = "CODE")]
    pub totp_code: Option<String>,

    /// Print only the token on standard output (everything else goes to stderr)
    #[arg(long)]
    pub print_token: bool,
}

/// Where the user name, the password and the one-time code come from.
enum Input {
    /// A person at the terminal: prompts on stderr, the password with echo off.
    Terminal,
    /// Lines of standard input: the password, then the one-time code.
    Stdin,
}

impl LoginArgs {
    /// Signs in and prints the result.
    pub async fn run(&self, global: &GlobalOptions) -> Result<ExitCode, CliError> {
        let client = global.anonymous_client()?;
        let input = if self.password_stdin {
            Input::Stdin
        } else if std::io::stdin().is_terminal() {
            Input::Terminal
        } else {
            return Err(CliError::Usage(
                "standard input is not a terminal, so there is nobody to ask for the password: \
                 pass --username NAME --password-stdin and give the password on the first line \
                 (and the one-time code, when required, on the next line or with --totp-code)"
                    .into(),
            ));
        };
        let username = match &self.username {
            Some(name) => name.trim().to_owned(),
            None => prompt_line("Username: ")?,
        };
        if username.is_empty() {
            return Err(CliError::Usage("the user name is empty".into()));
        }
        let password = match input {
            Input::Stdin => read_stdin_line("the password")?,
            Input::Terminal => read_password()?,
        };
        if password.expose_secret().is_empty() {
            return Err(CliError::Usage("the password is empty".into()));
        }

        let auth = client.auth();
        let options = SignInOptions::new().keep_token(false);
        let first =
            auth.authenticate_with(&username, password.expose_secret(), &options).await.map_err(CliError::answer)?;
        let authentication = if first.is_temporary() {
            if first.otp_activated().is_none() && first.otp_qr_svg().is_some() {
                eprintln!(
                    "note: your second factor is still being set up: add it to your authenticator app \
                     in the Portal first (this command does not show the QR code)"
                );
            }
            self.second_factor(&auth, &username, &first, &input, &options).await?
        } else {
            if self.totp_code.is_some() {
                eprintln!("note: the Portal did not ask for a one-time code; --totp-code is not used");
            }
            first
        };
        self.print(&authentication, global.output)?;
        Ok(ExitCode::SUCCESS)
    }

    /// The second step: the one-time code, from `--totp-code`, the next line of
    /// standard input, or the terminal (where a wrong code may be typed again).
    async fn second_factor(
        &self,
        auth: &Auth<'_>,
        username: &str,
        first: &Authentication,
        input: &Input,
        options: &SignInOptions,
    ) -> Result<Authentication, CliError> {
        let temporary = first.token();
        if let Some(code) = &self.totp_code {
            return auth.second_factor_totp_with(username, temporary, code, options).await.map_err(CliError::answer);
        }
        if let Input::Stdin = input {
            let code = read_stdin_line("the one-time code").map_err(|_| {
                CliError::Usage(
                    "the Portal asks for the one-time code of the second factor: give it on the second line \
                     of standard input, or with --totp-code CODE"
                        .into(),
                )
            })?;
            return auth
                .second_factor_totp_with(username, temporary, code.expose_secret(), options)
                .await
                .map_err(CliError::answer);
        }
        let mut tries = 0;
        loop {
            tries += 1;
            let code = prompt_line("One-time code: ")?;
            match auth.second_factor_totp_with(username, temporary, &code, options).await {
                Ok(authentication) => return Ok(authentication),
                Err(error) if error.is_graphql() && tries < INTERACTIVE_CODE_TRIES => {
                    if let Some(errors) = error.graphql_errors() {
                        for error in errors {
                            eprintln!("error: {error}");
                        }
                    }
                }
                Err(error) => return Err(CliError::answer(error)),
            }
        }
    }

    fn print(&self, authentication: &Authentication, format: Option<OutputFormat>) -> Result<(), CliError> {
        let summary = Summary::from(authentication);
        if self.print_token {
            eprintln!("{}", summary.sentence());
            let mut line = authentication.token().expose_secret().to_owned();
            line.push('\n');
            return output::print(&line);
        }
        match OutputFormat::resolve(format) {
            OutputFormat::Json => output::print_json(&summary),
            OutputFormat::Table => {
                let mut table = output::table(&[]);
                table.add_row(vec!["user".to_owned(), summary.username.to_owned()]);
                table.add_row(vec!["token expires".to_owned(), summary.expiry()]);
                table.add_row(vec!["second factor".to_owned(), summary.second_factor()]);
                output::print_table(&mut table)
            }
        }
    }
}

/// What `portal login` prints (JSON keys documented in cli/README.md); never
/// the token.
#[derive(Debug, Serialize)]
struct Summary<'a> {
    username: &'a str,
    user_id: &'a str,
    expires_at: Option<String>,
    otp_required: bool,
    otp_activated: Option<String>,
    #[serde(skip)]
    expires: Option<DateTime>,
}

impl<'a> From<&'a Authentication> for Summary<'a> {
    fn from(authentication: &'a Authentication) -> Self {
        let expires = authentication.token().expires_at();
        Summary {
            username: authentication.username(),
            user_id: authentication.user_id(),
            expires_at: expires.map(|t| t.to_string()),
            otp_required: authentication.otp_required(),
            otp_activated: authentication.otp_activated().map(|t| t.to_string()),
            expires,
        }
    }
}

impl Summary<'_> {
    fn expiry(&self) -> String {
        records::expiry(self.expires)
    }

    fn second_factor(&self) -> String {
        match (&self.otp_activated, self.otp_required) {
            (Some(since), _) => format!("active since {since}"),
            (None, true) => "required".to_owned(),
            (None, false) => "off".to_owned(),
        }
    }

    /// The summary as one line for stderr.
    fn sentence(&self) -> String {
        format!(
            "Signed in as {}; the token expires {}; second factor {}.",
            self.username,
            self.expiry(),
            self.second_factor()
        )
    }
}

/// Asks on stderr and reads one line from the terminal (standard input), trimmed.
fn prompt_line(prompt: &str) -> Result<String, CliError> {
    eprint!("{prompt}");
    let mut line = String::new();
    let read = std::io::stdin().read_line(&mut line).map_err(|source| CliError::Io {
        action: "read",
        path: "the terminal".into(),
        source,
    })?;
    if read == 0 {
        return Err(CliError::Usage("no answer: standard input ended".into()));
    }
    Ok(line.trim().to_owned())
}

/// The password, typed at the terminal without echo.
fn read_password() -> Result<SecretString, CliError> {
    rpassword::prompt_password("Password: ").map(SecretString::from).map_err(|source| CliError::Io {
        action: "read the password from",
        path: "the terminal".into(),
        source,
    })
}

/// The next line of standard input without its line ending; an error when
/// standard input has ended.
fn read_stdin_line(what: &str) -> Result<SecretString, CliError> {
    let mut line = String::new();
    let read = std::io::stdin().read_line(&mut line).map_err(|source| CliError::Io {
        action: "read",
        path: "standard input".into(),
        source,
    })?;
    if read == 0 {
        return Err(CliError::Usage(format!("standard input ended before {what}")));
    }
    let end = line.trim_end_matches(['\r', '\n']).len();
    line.truncate(end);
    Ok(SecretString::from(line))
}
