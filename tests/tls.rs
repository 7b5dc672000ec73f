//! TLS: verified by default, with an error that names certificate verification;
//! a company CA added through the builder; `DCSO_PORTAL_SKIP_TLS_VERIFY` to turn
//! verification off, loudly.
//!
//! The certificates are made here with rcgen: a CA, and a server certificate for
//! `127.0.0.1` signed by it. The environment is process-wide, so every test that
//! sets it takes `ENV_LOCK`, and this binary holds all of them.

mod fault_server;

use std::sync::{Arc, Mutex, MutexGuard};

use dcso_portal::{Client, Error, RetryPolicy, TransportErrorKind, ENV_SKIP_TLS_VERIFY};
use fault_server::{FaultServer, Reply};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;

const QUERY: &str = "{ tdh_allIssues { id } }";
const DATA: &str = r#"{"data":{"tdh_allIssues":[]}}"#;

static ENV_LOCK: Mutex<()> = Mutex::new(());

/// Holds the environment for one test and restores it afterwards.
struct EnvGuard(#[allow(dead_code)] MutexGuard<'static, ()>);

impl EnvGuard {
    fn set(value: Option<&str>) -> EnvGuard {
        let guard = EnvGuard(ENV_LOCK.lock().unwrap_or_else(|e| e.into_inner()));
        match value {
            Some(value) => std::env::set_var(ENV_SKIP_TLS_VERIFY, value),
            None => std::env::remove_var(ENV_SKIP_TLS_VERIFY),
        }
        guard
    }
}

impl Drop for EnvGuard {
    fn drop(&mut self) {
        std::env::remove_var(ENV_SKIP_TLS_VERIFY);
    }
}

struct Pki {
    ca_pem: String,
    acceptor: TlsAcceptor,
}

/// A CA and a server certificate for 127.0.0.1 and localhost signed by it.
fn pki() -> Pki {
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::DigitalSignature];
    ca.distinguished_name.push(rcgen::DnType::CommonName, "dcso-portal test CA");
    let ca_key = KeyPair::generate().expect("CA key");
    let ca_cert = ca.self_signed(&ca_key).expect("CA certificate");
    let issuer = Issuer::new(ca, ca_key);

    let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).expect("leaf params");
    let leaf_key = KeyPair::generate().expect("leaf key");
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).expect("leaf certificate");

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(leaf_cert.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .expect("server config");
    Pki { ca_pem: ca_cert.pem(), acceptor: TlsAcceptor::from(Arc::new(config)) }
}

async fn server(pki: &Pki) -> FaultServer {
    FaultServer::start_tls(pki.acceptor.clone(), |_, _| Reply::json(200, DATA)).await
}

fn builder(url: &str) -> dcso_portal::ClientBuilder {
    Client::builder(url).token("tls-test-machine-token").retry(RetryPolicy::none())
}

async fn call(client: &Client) -> Result<serde_json::Value, Error> {
    client.execute_graphql(QUERY, None, &[]).await
}

fn assert_certificate_refused(error: &Error) {
    assert!(matches!(error, Error::Transport { kind: TransportErrorKind::TlsCertificate, .. }), "{error:?}");
    let shown = error.to_string();
    assert!(shown.contains("TLS certificate verification failed"), "{shown}");
    assert!(shown.contains("add_root_certificate_pem"), "says what to do: {shown}");
}

#[tokio::test]
async fn an_unknown_certificate_is_refused_by_default() {
    let _env = EnvGuard::set(None);
    let pki = pki();
    let server = server(&pki).await;
    let error = call(&builder(&server.url()).build().expect("client")).await.expect_err("untrusted");
    assert_certificate_refused(&error);
    assert_eq!(server.request_count(), 0, "no request went over the untrusted connection");
}

#[tokio::test]
async fn a_certificate_error_is_not_retried() {
    let _env = EnvGuard::set(None);
    let pki = pki();
    let server = server(&pki).await;
    let client = Client::builder(server.url()).token("tls-test-machine-token").build().expect("default retries");
    assert_certificate_refused(&call(&client).await.expect_err("untrusted"));
    assert_eq!(server.connection_count(), 1, "one handshake, no retry");
}

#[tokio::test]
async fn the_added_ca_is_trusted() {
    let _env = EnvGuard::set(None);
    let pki = pki();
    let server = server(&pki).await;
    let client = builder(&server.url()).add_root_certificate_pem(pki.ca_pem.clone()).build().expect("client");
    assert_eq!(call(&client).await.expect("trusted")["tdh_allIssues"], serde_json::json!([]));
    assert_eq!(server.requests()[0].header("authorization"), Some("Bearer tls-test-machine-token"));

    // Another CA does not help.
    let other = self::pki();
    let client = builder(&server.url()).add_root_certificate_pem(other.ca_pem).build().expect("client");
    assert_certificate_refused(&call(&client).await.expect_err("wrong CA"));
}

#[test]
fn a_bad_ca_is_a_config_error() {
    let _env = EnvGuard::set(None);
    for pem in ["not a certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"] {
        let error = builder("https://127.0.0.1:1/graphql").add_root_certificate_pem(pem).build().expect_err(pem);
        assert!(error.is_config() && error.to_string().contains("CA certificate"), "{error}");
    }
}

#[tokio::test]
async fn skip_tls_verify_accepts_one_and_true() {
    let pki = pki();
    let server = server(&pki).await;
    for value in ["1", "true", "TRUE", " true "] {
        let _env = EnvGuard::set(Some(value));
        let client = builder(&server.url()).build().expect(value);
        call(&client).await.unwrap_or_else(|e| panic!("{value:?}: {e:?}"));
    }
}

#[tokio::test]
async fn zero_false_or_empty_keep_verification() {
    let pki = pki();
    let server = server(&pki).await;
    for value in ["0", "false", "False", "", "  "] {
        let _env = EnvGuard::set(Some(value));
        let client = builder(&server.url()).build().expect(value);
        assert_certificate_refused(&call(&client).await.expect_err(value));
    }
    // The builder overrides the environment, both ways.
    let _env = EnvGuard::set(Some("1"));
    let client = builder(&server.url()).danger_accept_invalid_certs(false).build().expect("client");
    assert_certificate_refused(&call(&client).await.expect_err("forced on"));
    drop(_env);
    let _env = EnvGuard::set(None);
    let client = builder(&server.url()).danger_accept_invalid_certs(true).build().expect("client");
    call(&client).await.expect("forced off");
}

#[test]
fn any_other_value_is_a_config_error() {
    for value in ["yes", "2", "on", "true1", "no"] {
        let _env = EnvGuard::set(Some(value));
        let error = builder("https://127.0.0.1:1/graphql").build().expect_err(value);
        let shown = error.to_string();
        assert!(error.is_config(), "{value}: {error:?}");
        assert!(shown.contains(ENV_SKIP_TLS_VERIFY) && shown.contains("1 or true"), "{shown}");
    }
}

/// Run by `skipping_verification_prints_one_warning` in a child process, so that
/// its stderr can be read: builds one client with verification off.
#[test]
#[ignore = "run as a child process by skipping_verification_prints_one_warning"]
fn child_builds_a_client_without_verification() {
    assert_eq!(std::env::var(ENV_SKIP_TLS_VERIFY).as_deref(), Ok("1"));
    builder("https://127.0.0.1:1/graphql").build().expect("client");
}

#[test]
fn skipping_verification_prints_one_warning() {
    let output = std::process::Command::new(std::env::current_exe().expect("this test binary"))
        .args(["--exact", "child_builds_a_client_without_verification", "--ignored", "--nocapture"])
        .env(ENV_SKIP_TLS_VERIFY, "1")
        .output()
        .expect("run the child");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let warnings: Vec<_> = stderr.lines().filter(|l| l.contains("TLS certificate verification is disabled")).collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(warnings[0].starts_with("warning: ") && warnings[0].contains(ENV_SKIP_TLS_VERIFY), "{}", warnings[0]);
    assert!(!stderr.contains("tls-test-machine-token"));
}

#[test]
fn skipping_verification_logs_a_tracing_warning() {
    use std::io::Write;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);
    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("buffer").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::WARN)
        .finish();
    let _env = EnvGuard::set(Some("true"));
    tracing::subscriber::with_default(subscriber, || {
        builder("https://127.0.0.1:1/graphql").build().expect("client");
        builder("https://127.0.0.1:1/graphql").danger_accept_invalid_certs(false).build().expect("client");
    });
    let logged = String::from_utf8(captured.0.lock().expect("buffer").clone()).expect("utf-8");
    let warnings: Vec<_> = logged.lines().filter(|l| l.contains("TLS certificate verification is disabled")).collect();
    assert_eq!(warnings.len(), 1, "{logged}");
    assert!(warnings[0].contains("WARN"), "{}", warnings[0]);
}
