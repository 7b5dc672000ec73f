//! Endpoint validation, with the reference SDK's rules.

use url::Url;

use crate::error::Error;

/// The longest endpoint accepted, in characters (after trimming).
pub const MAX_ENDPOINT_LEN: usize = 300;

/// Checks a Portal GraphQL endpoint the way the reference does: trimmed of
/// surrounding white space, then rejected when empty, longer than 300 characters,
/// containing `?` or `#`, not `http`/`https`, or without a host.
pub fn parse_endpoint(raw: &str) -> Result<Url, Error> {
    let trimmed = raw.trim();
    let fail = |why: &str| {
        Err(Error::config(format!(
            "endpoint {}: {why} (expected the Portal's GraphQL URL, e.g. https://portal.example.com/graphql)",
            shown(trimmed)
        )))
    };
    if trimmed.is_empty() {
        return Err(Error::config(
            "the endpoint is empty: pass the Portal's GraphQL URL, e.g. https://portal.example.com/graphql",
        ));
    }
    let length = trimmed.chars().count();
    if length > MAX_ENDPOINT_LEN {
        return fail(&format!("is {length} characters long, at most {MAX_ENDPOINT_LEN} are allowed"));
    }
    if trimmed.contains('?') || trimmed.contains('#') {
        return fail("must not contain a query (`?`) or a fragment (`#`)");
    }
    let url = match Url::parse(trimmed) {
        Ok(url) => url,
        Err(url::ParseError::EmptyHost) => return fail("has no host"),
        Err(url::ParseError::RelativeUrlWithoutBase) => return fail("is not an absolute http(s) URL"),
        Err(e) => return fail(&format!("is not a valid URL ({e})")),
    };
    if url.scheme() != "http" && url.scheme() != "https" {
        return fail(&format!("has scheme `{}`, only http and https are supported", url.scheme()));
    }
    // The URL parser fills in a host for `https:///graphql` or `https:/host`
    // (WHATWG rules); the reference SDK sees no host there, and neither do we.
    let authority = trimmed.split_once(':').and_then(|(_, rest)| rest.strip_prefix("//"));
    if authority.is_none_or(|a| a.is_empty() || a.starts_with(['/', '\\'])) || url.host_str().is_none_or(str::is_empty)
    {
        return fail("has no host");
    }
    if !url.username().is_empty() || url.password().is_some() {
        // Not echoed: the text may hold a password.
        return Err(Error::config(
            "the endpoint contains credentials (`user:password@`): remove them; the Portal authenticates with a token",
        ));
    }
    Ok(url)
}

fn shown(endpoint: &str) -> String {
    const SHOWN: usize = 80;
    if endpoint.chars().count() > SHOWN {
        format!("{:?}…", endpoint.chars().take(SHOWN).collect::<String>())
    } else {
        format!("{endpoint:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_table() {
        let long = format!("https://portal.example.com/{}", "a".repeat(300));
        let exactly_300 = format!("https://portal.example.com/{}", "a".repeat(300 - 27));
        assert_eq!(exactly_300.len(), 300);
        for (input, ok, reason) in [
            ("https://portal.example.com/graphql", true, ""),
            ("  http://127.0.0.1:8080/graphql \n", true, ""),
            ("http://[::1]:1/graphql", true, ""),
            (exactly_300.as_str(), true, ""),
            ("", false, "empty"),
            ("   ", false, "empty"),
            (long.as_str(), false, "at most 300"),
            ("https://portal.example.com/graphql?x=1", false, "query"),
            ("https://portal.example.com/graphql#frag", false, "fragment"),
            ("ftp://portal.example.com/graphql", false, "scheme `ftp`"),
            ("file:///etc/passwd", false, "scheme `file`"),
            ("portal.example.com/graphql", false, "absolute"),
            ("https:///graphql", false, "host"),
            ("https:/portal.example.com/graphql", false, "host"),
            ("https:\\\\portal.example.com\\graphql", false, "host"),
            ("HTTPS://portal.example.com/graphql", true, ""),
            ("http://", false, "host"),
            ("https://exa mple.com/", false, "valid URL"),
            ("https://me:secret@portal.example.com/graphql", false, "contains credentials"),
            ("https://me@portal.example.com/graphql", false, "contains credentials"),
        ] {
            let result = parse_endpoint(input);
            assert_eq!(result.is_ok(), ok, "{input:?}: {result:?}");
            if let Err(e) = result {
                assert!(e.is_config());
                assert!(e.to_string().contains(reason), "{input:?}: {e}");
            }
        }
    }
}
