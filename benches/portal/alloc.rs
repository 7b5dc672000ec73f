//! A counting global allocator that only counts on threads that opt in, so the
//! in-process servers (on their own threads) never show in the client's figures.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};

pub struct Counting;

static LIVE: AtomicI64 = AtomicI64::new(0);
static PEAK: AtomicI64 = AtomicI64::new(0);
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static ALLOCATED: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static COUNTED: Cell<bool> = const { Cell::new(false) };
}

fn counted() -> bool {
    COUNTED.try_with(Cell::get).unwrap_or(false)
}

fn grow(size: usize) {
    let live = LIVE.fetch_add(size as i64, Relaxed) + size as i64;
    PEAK.fetch_max(live, Relaxed);
    ALLOCATIONS.fetch_add(1, Relaxed);
    ALLOCATED.fetch_add(size as u64, Relaxed);
}

fn shrink(size: usize) {
    LIVE.fetch_sub(size as i64, Relaxed);
}

// SAFETY: every call is forwarded unchanged to the system allocator; the counters
// are plain atomics and the thread-local is const-initialised without a destructor,
// so nothing here allocates or can re-enter the allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() && counted() {
            grow(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() && counted() {
            grow(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        if counted() {
            shrink(layout.size());
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() && counted() {
            shrink(layout.size());
            grow(new_size);
        }
        new
    }
}

/// Counts this thread's allocations from now on.
pub fn count_this_thread() {
    COUNTED.with(|c| c.set(true));
}

/// What the counted threads have allocated so far.
#[derive(Debug, Clone, Copy)]
pub struct Snapshot {
    /// Bytes allocated and not yet freed (on counted threads).
    pub live: i64,
    pub allocations: u64,
    pub allocated: u64,
}

pub fn snapshot() -> Snapshot {
    Snapshot { live: LIVE.load(Relaxed), allocations: ALLOCATIONS.load(Relaxed), allocated: ALLOCATED.load(Relaxed) }
}

/// Starts a new peak measurement at the current live size.
pub fn reset_peak() {
    PEAK.store(LIVE.load(Relaxed), Relaxed);
}

/// The highest live size since the last [`reset_peak`].
pub fn peak() -> i64 {
    PEAK.load(Relaxed)
}
