//! What a sandbox has seen: requests, operations, refreshes, connections.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// The live counters of one sandbox.
#[derive(Default)]
pub(crate) struct Counters {
    http_requests: AtomicU64,
    graphql_requests: AtomicU64,
    operations: Mutex<HashMap<String, u64>>,
    refreshes: AtomicU64,
    connections: AtomicU64,
}

impl Counters {
    pub fn http_request(&self) {
        self.http_requests.fetch_add(1, Ordering::Relaxed);
    }

    /// A GraphQL request, by operation name when it has one.
    pub fn graphql_request(&self, operation: Option<&str>) {
        self.graphql_requests.fetch_add(1, Ordering::Relaxed);
        if let Some(name) = operation {
            let mut ops = self.operations.lock().unwrap_or_else(|e| e.into_inner());
            *ops.entry(name.to_owned()).or_default() += 1;
        }
    }

    pub fn refresh(&self) {
        self.refreshes.fetch_add(1, Ordering::Relaxed);
    }

    pub fn connection(&self) {
        self.connections.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> Stats {
        let ops = self.operations.lock().unwrap_or_else(|e| e.into_inner());
        Stats {
            http_requests: self.http_requests.load(Ordering::Relaxed),
            graphql_requests: self.graphql_requests.load(Ordering::Relaxed),
            operations: ops.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            refreshes: self.refreshes.load(Ordering::Relaxed),
            connections: self.connections.load(Ordering::Relaxed),
        }
    }
}

/// A snapshot of a sandbox's counters, from
/// [`Sandbox::stats`](crate::Sandbox::stats).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    http_requests: u64,
    graphql_requests: u64,
    operations: BTreeMap<String, u64>,
    refreshes: u64,
    connections: u64,
}

impl Stats {
    /// HTTP requests received, on any path and method, good or bad.
    pub fn http_requests(&self) -> u64 {
        self.http_requests
    }

    /// Well-formed GraphQL requests (a JSON body with a `query`), whether or
    /// not they succeeded.
    pub fn graphql_requests(&self) -> u64 {
        self.graphql_requests
    }

    /// GraphQL requests for the operation named `operation`: the request's
    /// `operationName`, or else the name of the document's only operation.
    pub fn requests_for(&self, operation: &str) -> u64 {
        self.operations.get(operation).copied().unwrap_or(0)
    }

    /// Every operation name seen, with its count, in name order.
    pub fn operations(&self) -> impl Iterator<Item = (&str, u64)> + '_ {
        self.operations.iter().map(|(k, v)| (k.as_str(), *v))
    }

    /// Token refreshes performed (successful refresh steps).
    pub fn refreshes(&self) -> u64 {
        self.refreshes
    }

    /// TCP connections accepted.
    pub fn connections(&self) -> u64 {
        self.connections
    }
}
