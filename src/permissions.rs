//! Who a user is and what they may do: the `User` and `Permissions` operations.

use std::collections::{BTreeMap, BTreeSet};
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use crate::client::Client;
use crate::error::Error;
use crate::operations::{permissions, user, Permissions as PermissionsOp, User as UserOp};

/// The permission slug of a TDH coordinator (manages who in the organization has
/// TDH access).
///
/// ```no_run
/// # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
/// let coordinator = client.permissions().await?.has(dcso_portal::TDH_COORDINATOR);
/// # let _ = coordinator;
/// # Ok(()) }
/// ```
pub const TDH_COORDINATOR: &str = "tdh-access-admin";

/// A user's permissions (RBAC), each an (id, slug, service code) triple.
///
/// `Debug` shows ids, slugs and service codes; there is nothing secret in it.
///
/// ```no_run
/// # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
/// let permissions = client.permissions().await?;
/// for p in &permissions {
///     println!("{} {} ({})", p.service(), p.slug(), p.id());
/// }
/// if permissions.has("tdh-access") {
///     println!("may read TDH issues");
/// }
/// println!("TDH coordinator: {}", permissions.is_tdh_coordinator());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permissions {
    user_id: String,
    organization_short_code: String,
    items: Vec<Permission>,
}

/// One permission of a user.
///
/// ```no_run
/// # fn show(p: &dcso_portal::Permission) {
/// println!("{} {} {}", p.id(), p.slug(), p.service());
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Permission {
    id: String,
    slug: String,
    service: String,
}

impl Permission {
    /// The permission's id.
    ///
    /// ```no_run
    /// # fn show(p: &dcso_portal::Permission) { println!("{}", p.id()); }
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The permission's stable name, e.g. `tdh-access-admin`.
    ///
    /// ```no_run
    /// # fn show(p: &dcso_portal::Permission) { println!("{}", p.slug()); }
    /// ```
    pub fn slug(&self) -> &str {
        &self.slug
    }

    /// The code of the service the permission belongs to, e.g. `tdh`.
    ///
    /// ```no_run
    /// # fn show(p: &dcso_portal::Permission) { println!("{}", p.service()); }
    /// ```
    pub fn service(&self) -> &str {
        &self.service
    }
}

impl Permissions {
    /// The id of the user these permissions belong to.
    ///
    /// ```no_run
    /// # fn show(p: &dcso_portal::Permissions) { println!("{}", p.user_id()); }
    /// ```
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// The short code of the user's organization.
    ///
    /// ```no_run
    /// # fn show(p: &dcso_portal::Permissions) { println!("{}", p.organization_short_code()); }
    /// ```
    pub fn organization_short_code(&self) -> &str {
        &self.organization_short_code
    }

    /// True when any permission has this id or this slug.
    ///
    /// ```no_run
    /// # fn show(p: &dcso_portal::Permissions) { assert_eq!(p.has("tdh-access-admin"), p.is_tdh_coordinator()); }
    /// ```
    pub fn has(&self, id_or_slug: &str) -> bool {
        self.items.iter().any(|p| p.id == id_or_slug || p.slug == id_or_slug)
    }

    /// True for a TDH coordinator (the [`TDH_COORDINATOR`] permission, `tdh-access-admin`).
    ///
    /// ```no_run
    /// # fn show(p: &dcso_portal::Permissions) { println!("coordinator: {}", p.is_tdh_coordinator()); }
    /// ```
    pub fn is_tdh_coordinator(&self) -> bool {
        self.items.iter().any(|p| p.slug == TDH_COORDINATOR)
    }

    /// The slugs of each service, by service code.
    ///
    /// ```no_run
    /// # fn show(p: &dcso_portal::Permissions) {
    /// for (service, slugs) in p.by_service() {
    ///     println!("{service}: {}", slugs.into_iter().collect::<Vec<_>>().join(", "));
    /// }
    /// # }
    /// ```
    pub fn by_service(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut map: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for p in &self.items {
            map.entry(p.service.clone()).or_default().insert(p.slug.clone());
        }
        map
    }

    /// The permissions, in the Portal's order.
    ///
    /// ```no_run
    /// # fn show(p: &dcso_portal::Permissions) { let slugs: Vec<&str> = p.iter().map(|p| p.slug()).collect(); }
    /// ```
    pub fn iter(&self) -> std::slice::Iter<'_, Permission> {
        self.items.iter()
    }

    /// How many permissions there are.
    ///
    /// ```no_run
    /// # fn show(p: &dcso_portal::Permissions) { println!("{} permissions", p.len()); }
    /// ```
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when there are none.
    ///
    /// ```no_run
    /// # fn show(p: &dcso_portal::Permissions) { if p.is_empty() { println!("no permissions"); } }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn from_answer(user: permissions::PermissionsAuthUser) -> Permissions {
        let items = user
            .access_control
            .service_permissions
            .into_iter()
            .flat_map(|sp| {
                let service = sp.service.code;
                sp.permissions.into_iter().map(move |p| Permission { id: p.id, slug: p.slug, service: service.clone() })
            })
            .collect();
        Permissions { user_id: user.id, organization_short_code: user.organization.short_code, items }
    }
}

impl<'a> IntoIterator for &'a Permissions {
    type Item = &'a Permission;
    type IntoIter = std::slice::Iter<'a, Permission>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl IntoIterator for Permissions {
    type Item = Permission;
    type IntoIter = std::vec::IntoIter<Permission>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// A permissions request: await it, or narrow it to some services first. Get one
/// from [`Client::permissions`] or [`Client::permissions_of`].
///
/// ```no_run
/// # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
/// let tdh_only = client.permissions().services(["tdh"]).await?;
/// assert!(tdh_only.iter().all(|p| p.service() == "tdh"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a permissions request does nothing until awaited"]
pub struct PermissionsRequest<'a> {
    client: &'a Client,
    user_id: Option<String>,
    services: Vec<String>,
}

impl<'a> PermissionsRequest<'a> {
    /// Only the permissions of these services (by code, e.g. `tdh`). Calling it
    /// again adds to the list; an empty list means every service.
    ///
    /// ```no_run
    /// # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
    /// let permissions = client.permissions().services(["tdh", "portal"]).await?;
    /// # let _ = permissions;
    /// # Ok(()) }
    /// ```
    pub fn services<I, S>(mut self, codes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.services.extend(codes.into_iter().map(Into::into));
        self
    }

    /// Sends the request (what `.await` on the request does).
    ///
    /// ```no_run
    /// # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
    /// let permissions = client.permissions().send().await?;
    /// # let _ = permissions;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Permissions, Error> {
        if self.user_id.as_ref().is_some_and(|id| id.trim().is_empty()) {
            return Err(Error::config("the user id is empty"));
        }
        let id = self.user_id.clone();
        let variables =
            permissions::Variables { id: self.user_id, services: (!self.services.is_empty()).then_some(self.services) };
        let data = self.client.query::<PermissionsOp>(variables).await?;
        let user = data.auth_user.ok_or_else(|| no_such_user(id.as_deref()))?;
        Ok(Permissions::from_answer(user))
    }
}

impl<'a> IntoFuture for PermissionsRequest<'a> {
    type Output = Result<Permissions, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// A Portal user: id, name and organization (the `User` operation).
///
/// ```no_run
/// # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
/// let me = client.current_user().await?;
/// println!("{} ({}) of {}", me.username(), me.id(), me.organization().short_code());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserProfile {
    id: String,
    username: String,
    organization: Organization,
}

/// A user's organization.
///
/// ```no_run
/// # fn show(org: &dcso_portal::Organization) { println!("{} {} {}", org.id(), org.name(), org.short_code()); }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    id: String,
    name: String,
    short_code: String,
}

impl UserProfile {
    /// The user's id.
    ///
    /// ```no_run
    /// # fn show(u: &dcso_portal::UserProfile) { println!("{}", u.id()); }
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The user's name.
    ///
    /// ```no_run
    /// # fn show(u: &dcso_portal::UserProfile) { println!("{}", u.username()); }
    /// ```
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The user's organization.
    ///
    /// ```no_run
    /// # fn show(u: &dcso_portal::UserProfile) { println!("{}", u.organization().name()); }
    /// ```
    pub fn organization(&self) -> &Organization {
        &self.organization
    }
}

impl Organization {
    /// The organization's id.
    ///
    /// ```no_run
    /// # fn show(o: &dcso_portal::Organization) { println!("{}", o.id()); }
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The organization's name.
    ///
    /// ```no_run
    /// # fn show(o: &dcso_portal::Organization) { println!("{}", o.name()); }
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The organization's short code, e.g. `DEMO`.
    ///
    /// ```no_run
    /// # fn show(o: &dcso_portal::Organization) { println!("{}", o.short_code()); }
    /// ```
    pub fn short_code(&self) -> &str {
        &self.short_code
    }
}

impl Client {
    /// The permissions of the signed-in user (or of the machine token's account), for
    /// every service unless narrowed with [`PermissionsRequest::services`].
    ///
    /// ```no_run
    /// # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
    /// let permissions = client.permissions().await?;
    /// println!("{:?}", permissions.by_service());
    /// # Ok(()) }
    /// ```
    pub fn permissions(&self) -> PermissionsRequest<'_> {
        PermissionsRequest { client: self, user_id: None, services: Vec::new() }
    }

    /// The permissions of the user with this id (of the caller's organization). An
    /// unknown id is an error.
    ///
    /// ```no_run
    /// # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
    /// let theirs = client.permissions_of("6f1a2c3e-0a1b-4c2d-8e3f-b0b000000002").services(["tdh"]).await?;
    /// # let _ = theirs;
    /// # Ok(()) }
    /// ```
    pub fn permissions_of(&self, user_id: impl Into<String>) -> PermissionsRequest<'_> {
        PermissionsRequest { client: self, user_id: Some(user_id.into()), services: Vec::new() }
    }

    /// The signed-in user (or the machine token's account), with their organization.
    ///
    /// ```no_run
    /// # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
    /// let me = client.current_user().await?;
    /// println!("organization: {}", me.organization().short_code());
    /// # Ok(()) }
    /// ```
    pub async fn current_user(&self) -> Result<UserProfile, Error> {
        self.user_profile(None).await
    }

    /// The user with this id (of the caller's organization). An unknown id is an
    /// error.
    ///
    /// ```no_run
    /// # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
    /// let bob = client.user("6f1a2c3e-0a1b-4c2d-8e3f-b0b000000002").await?;
    /// println!("{}", bob.username());
    /// # Ok(()) }
    /// ```
    pub async fn user(&self, id: &str) -> Result<UserProfile, Error> {
        if id.trim().is_empty() {
            return Err(Error::config("the user id is empty"));
        }
        self.user_profile(Some(id)).await
    }

    async fn user_profile(&self, id: Option<&str>) -> Result<UserProfile, Error> {
        let data = self.query::<UserOp>(user::Variables { id: id.map(str::to_owned) }).await?;
        let user = data.auth_user.ok_or_else(|| no_such_user(id))?;
        Ok(UserProfile {
            id: user.id,
            username: user.username,
            organization: Organization {
                id: user.organization.id,
                name: user.organization.name,
                short_code: user.organization.short_code,
            },
        })
    }
}

/// `auth_user` answered `null`.
fn no_such_user(id: Option<&str>) -> Error {
    Error::invalid_response(match id {
        Some(id) => {
            format!("the Portal knows no user with id {id:?} in the caller's organization (`auth_user` is null)")
        }
        None => "the Portal returned no user for the token sent (`auth_user` is null): sign in first".to_owned(),
    })
}
