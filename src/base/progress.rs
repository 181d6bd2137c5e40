//! Progress of reading the inputs (SPEC §6): bytes and rows read so far, counted by the readers,
//! and a bar on stderr that shows them while a long run goes on.
//!
//! The bar is drawn only when stderr is a terminal and `--quiet` is not given: never in a pipe, a
//! file or cron. The counters are process-wide and cost one atomic addition per chunk.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

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

/// How long a run goes before the bar appears, so short runs never show it.
const SHOW_AFTER: Duration = Duration::from_millis(500);
/// How often the bar is redrawn.
const TICK: Duration = Duration::from_millis(200);

/// Whether a bar would be drawn: stderr is a terminal and the run is not quiet.
pub fn wanted(quiet: bool) -> bool {
    !quiet && std::io::stderr().is_terminal()
}

/// A progress bar over the input bytes, drawn on stderr by its own thread until dropped.
pub struct Bar {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Bar {
    /// Starts a bar for `total` input bytes when [`wanted`], or does nothing.
    pub fn start(quiet: bool, total: u64) -> Bar {
        if !wanted(quiet) {
            return Bar {
                stop: None,
                thread: None,
            };
        }
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let (bytes0, rows0) = (BYTES.load(Ordering::Relaxed), ROWS.load(Ordering::Relaxed));
        let started = std::time::Instant::now();
        let thread = std::thread::spawn(move || {
            if !timed_out(stopped.recv_timeout(SHOW_AFTER)) {
                return;
            }
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            loop {
                let bytes = BYTES.load(Ordering::Relaxed) - bytes0;
                let rows = ROWS.load(Ordering::Relaxed) - rows0;
                let secs = started.elapsed().as_secs_f64().max(1e-3);
                bar.set_position(bytes.min(total));
                bar.set_message(format!(
                    "{:.0} MB/s, {rows} rows, {:.0} rows/s",
                    bytes as f64 / secs / 1e6,
                    rows as f64 / secs
                ));
                if !timed_out(stopped.recv_timeout(TICK)) {
                    break;
                }
            }
            bar.finish_and_clear();
        });
        Bar {
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

/// Whether waiting for the stop signal ended only because the time was up.
fn timed_out(r: Result<(), std::sync::mpsc::RecvTimeoutError>) -> bool {
    matches!(r, Err(std::sync::mpsc::RecvTimeoutError::Timeout))
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
