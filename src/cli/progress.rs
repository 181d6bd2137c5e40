//! The progress bar of a long run (SPEC §6): the input bytes and rows the readers count
//! ([`crate::base::progress`]), drawn on stderr while the run goes on.
//!
//! The bar is drawn only when stderr is a terminal and `--quiet` is not given: never in a pipe, a
//! file or cron.

use crate::base::progress::read_so_far;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

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
        let (bytes0, rows0) = read_so_far();
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
                let (bytes, rows) = read_so_far();
                let (bytes, rows) = (bytes - bytes0, rows - rows0);
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
