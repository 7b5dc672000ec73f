//! JWT claim reading: any text as a token; what is accepted must describe itself
//! without ever showing the secret.
#![no_main]

use dcso_portal::Token;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(token) = Token::parse_allow_expired(text.as_ref()) {
        let _ = (token.expires_at(), token.issued_at(), token.subject(), token.groups(), token.expires_in());
        assert_eq!(token.is_user(), token.expose_secret().contains('.'));
        let shown = format!("{token:?} {token}");
        // Long enough to be a secret rather than a word of the description.
        if token.expose_secret().len() >= 24 {
            assert!(!shown.contains(token.expose_secret()), "{shown}");
        }
    }
});
