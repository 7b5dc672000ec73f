//! Cursor pagination over relay-style connections, as a [`Stream`].
//!
//! Any operation that takes `first`/`after` and selects
//! `pageInfo { hasNextPage endCursor }` can be paged by implementing
//! [`Paginated`] for it; [`Client::paginate`] then gives a [`Pages`] stream, and
//! [`Pages::nodes`] a stream of the nodes themselves. `AlertsPage` implements it,
//! behind [`Client::alerts`](crate::Client::alerts).
//!
//! What the streams promise:
//!
//! - They start from the beginning (the empty cursor) and follow `endCursor` while
//!   `hasNextPage` is true, then end.
//! - They are lazy: a page is requested only when the consumer polls past the
//!   previous one, so no page is requested that will not be yielded, and the
//!   memory held is one page however long the stream.
//! - The first error is yielded and ends the stream: nothing follows it.
//! - Dropping a stream cancels it: there is no background task, and a request in
//!   flight is abandoned.
//! - The page size is checked before anything is sent: 0 or more than the
//!   operation's maximum is an [`Error::Config`], yielded by the first poll.
//! - A server that claims a next page but gives no `endCursor`, the empty one, or
//!   the one the page was requested after, would make the stream loop forever:
//!   that page is yielded, then an [`Error::InvalidResponse`] ends the stream.
//!
//! ```no_run
//! use futures_util::TryStreamExt as _;
//!
//! # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
//! let mut alerts = client.alerts().stream(200);
//! while let Some(alert) = alerts.try_next().await? {
//!     println!("{} {} {}", alert.occurred_on, alert.severity, alert.title);
//! }
//! # Ok(()) }
//! ```

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_core::stream::{FusedStream, Stream};

use crate::client::Client;
use crate::error::Error;
use crate::operations::Operation;
use crate::scalars::Cursor;

/// An operation over a relay-style connection, which [`Client::paginate`] can page
/// through.
///
/// The operation must take the page size and the cursor to continue after as
/// variables (`first: Int`, `after: Cursor`) and select the connection's
/// `pageInfo { hasNextPage endCursor }`; the implementation tells the stream where
/// those are. Other variables (filters) are kept as given for every page.
///
/// Implementing it for an operation of your own:
///
/// ```no_run
/// use dcso_portal::{operations::Operation, Cursor, Page, Paginated};
///
/// /// `query AlertIds($first: Int, $after: Cursor) { alerts(first: $first, after: $after)
/// ///   { edges { node { id } } pageInfo { hasNextPage endCursor } } }`
/// struct AlertIds;
///
/// #[derive(serde::Serialize, Clone)]
/// struct Variables { first: Option<u32>, after: Option<Cursor> }
///
/// #[derive(serde::Deserialize)]
/// struct Data { alerts: Connection }
/// #[derive(serde::Deserialize)]
/// #[serde(rename_all = "camelCase")]
/// struct Connection { edges: Vec<Edge>, page_info: PageInfo }
/// #[derive(serde::Deserialize)]
/// struct Edge { node: Node }
/// #[derive(serde::Deserialize)]
/// struct Node { id: String }
/// #[derive(serde::Deserialize)]
/// #[serde(rename_all = "camelCase")]
/// struct PageInfo { has_next_page: bool, end_cursor: Option<Cursor> }
///
/// impl Operation for AlertIds {
///     type Variables = Variables;
///     type ResponseData = Data;
///     const NAME: &'static str = "AlertIds";
///     const DOCUMENT: &'static str = "query AlertIds($first: Int, $after: Cursor) { alerts(first: $first, \
///         after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }";
///     const KIND: dcso_portal::OperationKind = dcso_portal::OperationKind::Query;
/// }
///
/// impl Paginated for AlertIds {
///     type Node = String;
///     const MAX_PAGE_SIZE: u32 = 500;
///
///     fn set_page(variables: &mut Variables, first: u32, after: Cursor) {
///         variables.first = Some(first);
///         variables.after = Some(after);
///     }
///
///     fn into_page(data: Data) -> Page<String> {
///         let c = data.alerts;
///         let ids = c.edges.into_iter().map(|e| e.node.id).collect();
///         Page::new(ids, c.page_info.has_next_page, c.page_info.end_cursor)
///     }
/// }
///
/// # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
/// use futures_util::TryStreamExt as _;
/// let ids: Vec<String> = client
///     .paginate::<AlertIds>(Variables { first: None, after: None }, 500)
///     .nodes()
///     .try_collect()
///     .await?;
/// # Ok(()) }
/// ```
pub trait Paginated: Operation<Variables: Clone + 'static, ResponseData: Send + 'static> + 'static {
    /// What one page holds: the connection's nodes, in whatever form the
    /// implementation converts them to.
    type Node;

    /// The largest page size (`first`) the server accepts for this connection.
    const MAX_PAGE_SIZE: u32;

    /// Sets the page size (`first`) and the cursor to continue after (`after`).
    /// The first page is requested after the empty cursor, which means "from the
    /// beginning".
    fn set_page(variables: &mut Self::Variables, first: u32, after: Cursor);

    /// Takes the nodes and `pageInfo` out of an answer.
    fn into_page(data: Self::ResponseData) -> Page<Self::Node>;
}

/// One page of a connection: its nodes and where the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    items: Vec<T>,
    has_next_page: bool,
    end_cursor: Option<Cursor>,
}

impl<T> Page<T> {
    /// A page of `items`, with the connection's `pageInfo.hasNextPage` and
    /// `pageInfo.endCursor`.
    pub fn new(items: Vec<T>, has_next_page: bool, end_cursor: Option<Cursor>) -> Self {
        Page { items, has_next_page, end_cursor }
    }

    /// The page's nodes, in the server's order.
    pub fn items(&self) -> &[T] {
        &self.items
    }

    /// The page's nodes, taken out of the page.
    pub fn into_items(self) -> Vec<T> {
        self.items
    }

    /// How many nodes the page holds.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when the page holds no node.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether the server has another page after this one.
    pub fn has_next_page(&self) -> bool {
        self.has_next_page
    }

    /// The cursor of the page's last node, to continue after; `None` for an empty
    /// page.
    pub fn end_cursor(&self) -> Option<&Cursor> {
        self.end_cursor.as_ref()
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'p, T> IntoIterator for &'p Page<T> {
    type Item = &'p T;
    type IntoIter = std::slice::Iter<'p, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl Client {
    /// The pages of a [`Paginated`] operation, `page_size` nodes at a time, as a
    /// [`Stream`]; [`Pages::nodes`] turns it into a stream of nodes. Nothing is
    /// sent until the stream is polled. See [the module docs](crate::pagination)
    /// for what the stream promises.
    ///
    /// `variables` are sent with every page; their `first` and `after` are set by
    /// the stream. The stream holds a clone of the client, so it is `'static` and
    /// can be moved into a task.
    ///
    /// ```no_run
    /// use dcso_portal::operations::AlertsPage;
    /// use futures_util::TryStreamExt as _;
    ///
    /// # async fn run(client: dcso_portal::Client) -> Result<(), dcso_portal::Error> {
    /// let mut pages = client.paginate::<AlertsPage>(Default::default(), 100);
    /// while let Some(page) = pages.try_next().await? {
    ///     println!("{} alerts, more: {}", page.len(), page.has_next_page());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn paginate<Op: Paginated>(&self, variables: Op::Variables, page_size: u32) -> Pages<Op> {
        let state = if (1..=Op::MAX_PAGE_SIZE).contains(&page_size) {
            State::Ready(Cursor::start())
        } else {
            State::Failed(Error::config(format!(
                "page size {page_size} is out of range for {}: ask for 1 to {} nodes per page",
                Op::NAME,
                Op::MAX_PAGE_SIZE
            )))
        };
        Pages { client: self.clone(), variables, page_size, state, operation: PhantomData }
    }
}

type PageRequest<T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send>>;

/// The pages of a connection, from [`Client::paginate`]: a [`Stream`] of
/// `Result<Page<Node>, Error>`. See [the module docs](crate::pagination) for
/// its guarantees.
#[must_use = "streams do nothing unless polled"]
pub struct Pages<Op: Paginated> {
    client: Client,
    variables: Op::Variables,
    page_size: u32,
    state: State<Op>,
    operation: PhantomData<fn() -> Op>,
}

enum State<Op: Paginated> {
    /// The next page is requested after this cursor once polled.
    Ready(Cursor),
    /// A page request is in flight.
    Fetching { after: Cursor, request: PageRequest<Op::ResponseData> },
    /// The next poll yields this error, then the stream ends.
    Failed(Error),
    /// Ended.
    Done,
}

// No field is ever pinned in place: the request future is boxed.
impl<Op: Paginated> Unpin for Pages<Op> {}

impl<Op: Paginated> Pages<Op> {
    /// The nodes of these pages, one at a time: a [`Stream`] of
    /// `Result<Node, Error>` with the same guarantees.
    ///
    /// ```no_run
    /// use dcso_portal::operations::AlertsPage;
    /// use futures_util::StreamExt as _;
    ///
    /// # async fn run(client: dcso_portal::Client) {
    /// let first_ten: Vec<_> = client.paginate::<AlertsPage>(Default::default(), 10).nodes().take(10).collect().await;
    /// # }
    /// ```
    pub fn nodes(self) -> Nodes<Op> {
        Nodes { pages: self, current: Vec::new().into_iter() }
    }

    /// The page size the stream asks for.
    pub fn page_size(&self) -> u32 {
        self.page_size
    }

    fn request(&self, after: Cursor) -> PageRequest<Op::ResponseData> {
        let mut variables = self.variables.clone();
        Op::set_page(&mut variables, self.page_size, after);
        let client = self.client.clone();
        Box::pin(async move { client.query::<Op>(variables).await })
    }

    /// What follows a page: the next cursor, the end, or an error when the server's
    /// `pageInfo` would make the stream loop.
    fn after_page(page: &Page<Op::Node>, requested_after: &Cursor) -> State<Op> {
        if !page.has_next_page() {
            return State::Done;
        }
        let problem = match page.end_cursor() {
            Some(next) if !next.is_start() && next != requested_after => return State::Ready(next.clone()),
            None => "gives no endCursor".to_owned(),
            Some(next) if next.is_start() => "gives the empty endCursor (the start)".to_owned(),
            Some(next) => format!("gives the endCursor {next:?} the page was requested after"),
        };
        State::Failed(Error::invalid_response(format!(
            "{}: the Portal says there is a next page (hasNextPage) but {problem}, so paging cannot go on",
            Op::NAME
        )))
    }
}

impl<Op: Paginated> Stream for Pages<Op> {
    type Item = Result<Page<Op::Node>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match std::mem::replace(&mut this.state, State::Done) {
                State::Done => return Poll::Ready(None),
                State::Failed(error) => return Poll::Ready(Some(Err(error))),
                State::Ready(after) => {
                    let request = this.request(after.clone());
                    this.state = State::Fetching { after, request };
                }
                State::Fetching { after, mut request } => match request.as_mut().poll(cx) {
                    Poll::Pending => {
                        this.state = State::Fetching { after, request };
                        return Poll::Pending;
                    }
                    Poll::Ready(Err(error)) => return Poll::Ready(Some(Err(error))),
                    Poll::Ready(Ok(data)) => {
                        let page = Op::into_page(data);
                        tracing::debug!(
                            operation = Op::NAME,
                            nodes = page.len(),
                            has_next_page = page.has_next_page(),
                            "page received"
                        );
                        this.state = Self::after_page(&page, &after);
                        return Poll::Ready(Some(Ok(page)));
                    }
                },
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self.state {
            State::Done => (0, Some(0)),
            State::Failed(_) => (1, Some(1)),
            _ => (0, None),
        }
    }
}

impl<Op: Paginated> FusedStream for Pages<Op> {
    fn is_terminated(&self) -> bool {
        matches!(self.state, State::Done)
    }
}

impl<Op: Paginated> fmt::Debug for Pages<Op> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Ready(_) => "ready",
            State::Fetching { .. } => "fetching",
            State::Failed(_) => "failed",
            State::Done => "done",
        };
        f.debug_struct("Pages")
            .field("operation", &Op::NAME)
            .field("page_size", &self.page_size)
            .field("state", &state)
            .finish_non_exhaustive()
    }
}

/// The nodes of a connection, one at a time, from [`Pages::nodes`]: a [`Stream`]
/// of `Result<Node, Error>`. It holds at most one page; the next page is
/// requested when the current one has been consumed and the stream is polled
/// again.
#[must_use = "streams do nothing unless polled"]
pub struct Nodes<Op: Paginated> {
    pages: Pages<Op>,
    current: std::vec::IntoIter<Op::Node>,
}

impl<Op: Paginated> Unpin for Nodes<Op> {}

impl<Op: Paginated> Stream for Nodes<Op> {
    type Item = Result<Op::Node, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(node) = this.current.next() {
                return Poll::Ready(Some(Ok(node)));
            }
            // The page is used up: free its buffer now, not when the next page has
            // arrived, so that only one page is ever held.
            this.current = Vec::new().into_iter();
            match ready!(Pin::new(&mut this.pages).poll_next(cx)) {
                Some(Ok(page)) => this.current = page.into_iter(),
                Some(Err(error)) => return Poll::Ready(Some(Err(error))),
                None => return Poll::Ready(None),
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let buffered = self.current.len();
        match self.pages.size_hint() {
            (_, Some(0)) => (buffered, Some(buffered)),
            (errors, Some(n)) => (buffered + errors, Some(buffered + n)),
            _ => (buffered, None),
        }
    }
}

impl<Op: Paginated> FusedStream for Nodes<Op> {
    fn is_terminated(&self) -> bool {
        self.current.len() == 0 && self.pages.is_terminated()
    }
}

impl<Op: Paginated> fmt::Debug for Nodes<Op> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Nodes").field("pages", &self.pages).field("buffered", &self.current.len()).finish()
    }
}
