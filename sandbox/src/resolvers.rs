//! What the fields that do more than read their parent return: the root
//! fields, and `auth_AccessControl.servicePermissions(filter)`.
//!
//! Every root field but `auth_createAuthorization` needs a valid, non-temporary
//! token; TDH issues and alerts also need the `tdh-access` permission.

use std::sync::Arc;

use async_graphql::dynamic::{FieldFuture, FieldValue, ResolverContext};
use async_graphql::Error;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::{AuthorizationInput, Step, User};
use crate::data::IssuesFilter;
use crate::glosom;
use crate::schema::ResolverEntry;
use crate::state::{Portal, RequestAuth};

/// Default page size of `alerts`.
pub const DEFAULT_PAGE_SIZE: usize = 25;
/// Largest page size of `alerts`.
pub const MAX_PAGE_SIZE: usize = 500;

/// The resolvers the schema builder installs.
pub(crate) const RESOLVERS: &[ResolverEntry] = &[
    ("Query", "tdh_allIssues", all_issues),
    ("Query", "tdh_issue", issue),
    ("Query", "auth_user", user),
    ("Query", "alerts", alerts),
    ("Mutation", "auth_createAuthorization", create_authorization),
    ("auth_AccessControl", "servicePermissions", service_permissions),
];

type Result<T> = std::result::Result<T, Error>;

fn portal<'a>(ctx: &ResolverContext<'a>) -> Result<&'a Portal> {
    ctx.ctx.data::<Arc<Portal>>().map(|p| p.as_ref())
}

/// The caller of a data request.
fn caller<'a>(ctx: &ResolverContext<'a>) -> Result<(&'a Portal, &'a User)> {
    let portal = portal(ctx)?;
    let request = ctx.ctx.data::<RequestAuth>()?;
    Ok((portal, portal.auth.authenticate(&request.credential)?))
}

/// The caller of a TDH or alerts request, who must hold `tdh-access`.
fn tdh_caller<'a>(ctx: &ResolverContext<'a>) -> Result<&'a Portal> {
    let (portal, user) = caller(ctx)?;
    if !user.tdh {
        return Err(glosom::error(
            glosom::PERMISSION_DENIED,
            "permission denied: this needs the TDH user permission (tdh-access)",
        ));
    }
    Ok(portal)
}

/// The argument `name`, decoded; `None` when absent or null.
fn argument<T: DeserializeOwned>(ctx: &ResolverContext<'_>, name: &str) -> Result<Option<T>> {
    match ctx.args.get(name) {
        None => Ok(None),
        Some(v) if v.is_null() => Ok(None),
        Some(v) => {
            let json = v.as_value().clone().into_json()?;
            serde_json::from_value(json).map(Some).map_err(|e| Error::new(format!("invalid argument {name}: {e}")))
        }
    }
}

fn required<T: DeserializeOwned>(ctx: &ResolverContext<'_>, name: &str) -> Result<T> {
    argument(ctx, name)?.ok_or_else(|| Error::new(format!("argument {name} is required")))
}

fn all_issues<'a>(ctx: ResolverContext<'a>) -> FieldFuture<'a> {
    FieldFuture::new(async move {
        let portal = tdh_caller(&ctx)?;
        let filter: IssuesFilter = argument(&ctx, "filter")?.unwrap_or_default();
        let issues = portal.data.filter_issues(&filter).map_err(Error::new)?;
        Ok(Some(FieldValue::list(issues.map(|i| FieldValue::borrowed_any(&i.value)))))
    })
}

fn issue<'a>(ctx: ResolverContext<'a>) -> FieldFuture<'a> {
    #[derive(Deserialize)]
    struct IssueFilter {
        id: String,
    }
    FieldFuture::new(async move {
        let portal = tdh_caller(&ctx)?;
        let filter: IssueFilter = required(&ctx, "filter")?;
        // Unknown id: null, and no error.
        Ok(portal.data.issue(&filter.id).map(|i| FieldValue::borrowed_any(&i.value)))
    })
}

fn user<'a>(ctx: ResolverContext<'a>) -> FieldFuture<'a> {
    FieldFuture::new(async move {
        let (portal, me) = caller(&ctx)?;
        let user = match argument::<String>(&ctx, "id")? {
            None => me,
            Some(id) => portal
                .auth
                .user_by_id(&id)
                .ok_or_else(|| glosom::error(glosom::USER_NOT_FOUND, format!("user not found: {id}")))?,
        };
        Ok(Some(FieldValue::borrowed_any(&user.value)))
    })
}

const CURSOR_PREFIX: &str = "alerts:v1:";

fn encode_cursor(index: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{index}"))
}

/// The index a cursor points at, if this server could have handed it out.
fn decode_cursor(cursor: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let index = std::str::from_utf8(&bytes).ok()?.strip_prefix(CURSOR_PREFIX)?.parse().ok()?;
    // Only the canonical spelling, so that cursors stay opaque.
    (encode_cursor(index) == cursor).then_some(index)
}

fn alerts<'a>(ctx: ResolverContext<'a>) -> FieldFuture<'a> {
    FieldFuture::new(async move {
        let portal = tdh_caller(&ctx)?;
        let first = match argument::<i64>(&ctx, "first")? {
            None => DEFAULT_PAGE_SIZE,
            Some(n) if n >= 1 && n <= MAX_PAGE_SIZE as i64 => n as usize,
            Some(n) => {
                return Err(glosom::error(
                    glosom::PAGE_SIZE_OUT_OF_RANGE,
                    format!("page size out of range: first must be 1 to {MAX_PAGE_SIZE}, not {n}"),
                ))
            }
        };
        let alerts = &portal.data.alerts;
        let total = alerts.len();
        let start = match argument::<String>(&ctx, "after")?.as_deref() {
            None | Some("") => 0,
            Some(cursor) => decode_cursor(cursor)
                .filter(|&i| i < total)
                .map(|i| i + 1)
                .ok_or_else(|| glosom::error(glosom::INVALID_CURSOR, format!("invalid cursor: {cursor:?}")))?,
        };
        let end = start.saturating_add(first).min(total);
        let edges: Vec<Value> =
            (start..end).map(|i| json!({"cursor": encode_cursor(i), "node": alerts.node(i)})).collect();
        let cursor_at = |i: Option<usize>| i.map(encode_cursor);
        let connection = json!({
            "edges": edges,
            "pageInfo": {
                "hasNextPage": end < total,
                "hasPreviousPage": start > 0,
                "startCursor": cursor_at((start < end).then_some(start)),
                "endCursor": cursor_at((start < end).then(|| end - 1)),
            },
            "totalCount": total,
        });
        Ok(Some(FieldValue::owned_any(connection)))
    })
}

fn create_authorization<'a>(ctx: ResolverContext<'a>) -> FieldFuture<'a> {
    FieldFuture::new(async move {
        let portal = portal(&ctx)?;
        let input: AuthorizationInput = required(&ctx, "input")?;
        let (answer, step) = portal.auth.authorize(&input)?;
        if step == Step::Refresh {
            portal.counters.refresh();
        }
        Ok(Some(FieldValue::owned_any(answer)))
    })
}

fn service_permissions<'a>(ctx: ResolverContext<'a>) -> FieldFuture<'a> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Filter {
        service_code: Option<Vec<String>>,
    }
    FieldFuture::new(async move {
        let parent = ctx.parent_value.try_downcast_ref::<Value>()?;
        let codes = argument::<Filter>(&ctx, "filter")?.and_then(|f| f.service_code);
        let all = parent.get("servicePermissions").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        Ok(Some(FieldValue::list(
            all.iter()
                .filter(move |sp| {
                    let code = sp.pointer("/service/code").and_then(Value::as_str);
                    codes.as_ref().is_none_or(|c| code.is_some_and(|code| c.iter().any(|w| w == code)))
                })
                .map(|sp| FieldValue::borrowed_any(sp)),
        )))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_anything_else() {
        for i in [0, 1, 41, 99_999] {
            assert_eq!(decode_cursor(&encode_cursor(i)), Some(i));
        }
        let plus = URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}+5"));
        let padded = format!("{}=", encode_cursor(5));
        for bad in ["x", "%%%", "YWxlcnRz", &plus, &padded, &URL_SAFE_NO_PAD.encode("other:1")] {
            assert_eq!(decode_cursor(bad), None, "{bad:?}");
        }
    }
}
