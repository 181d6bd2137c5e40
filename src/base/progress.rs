//! Progress of reading the inputs (SPEC §6): bytes and rows read so far, counted by the readers
//! and shown by the command line's bar (`cli/progress.rs`). The counters are process-wide and
//! cost one atomic addition per chunk.

use std::sync::atomic::{AtomicU64, Ordering};

static BYTES: AtomicU64 = AtomicU64::new(0);
static ROWS: AtomicU64 = AtomicU64::new(0);

/// Counts `n` more input bytes read.
pub fn add_bytes(n: u64) {
    BYTES.fetch_add(n, Ordering::Relaxed);
}

/// Counts `n` more data rows read.
pub fn add_rows(n: u64) {
    ROWS.fetch_add(n, Ordering::Relaxed);
}

/// The bytes and rows read so far in this process.
pub fn read_so_far() -> (u64, u64) {
    (BYTES.load(Ordering::Relaxed), ROWS.load(Ordering::Relaxed))
}
