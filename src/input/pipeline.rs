//! Reading the exports on every core (SPEC §7). Each file is cut into chunks of about
//! [`Parallel::chunk_bytes`] that begin and end on record boundaries; worker threads parse the
//! chunks side by side, and the results are taken back in file order, so every report (rejects,
//! evidence, dispute decisions, the duplicate check) is exactly what one thread reading the file
//! from start to end gives.
//!
//! One thread per file reads it: it feeds every byte to the file's SHA-256 in the same pass, cuts
//! the chunks and counts the line ends before each, so that rows are reported on their physical
//! line. At most a few chunks per file are in flight, so memory does not grow with the file. A
//! chunk's result is taken back by the worker that finished the chunk next in order, one worker
//! at a time ([`read_chunks`]).

use super::delimited::{Fed, RecordParser};
use super::fields::Fields;
use super::{csv_error, csv_reader, hex};
use crate::base::progress;
use crate::base::word::Word;
use crate::error::{Error, Result};
use crate::input::ingest::{read_file_on, read_foreign, FileResult, Setup, Sinks};
use crate::input::source::InputFile;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex, PoisonError};

/// Environment variable setting how many threads parse the inputs (default: one per core).
/// `1` reads everything on the calling thread. The output is the same whatever the count.
pub const THREADS_VAR: &str = "SLATEMENT_THREADS";
/// Environment variable setting the chunk size in bytes (default [`DEFAULT_CHUNK_BYTES`]); small
/// values exercise the chunk boundaries in tests.
pub const CHUNK_VAR: &str = "SLATEMENT_CHUNK_BYTES";
/// The default chunk size: large enough that handing chunks between threads costs nothing
/// measurable, small enough that a chunk and its judged rows stay in a core's cache (2 MiB here)
/// from the reader's hashing to its own judging of it (1 MiB chunks ran 3-7% slower).
pub const DEFAULT_CHUNK_BYTES: usize = 512 << 10;
/// Bytes read at a time when a row is read back from its file: a lone row (an id whose hash
/// bits another id shares, or a repeat far from the last) costs a small read; reads that go on
/// where the last block ended (a file exported twice) double it, up to the largest.
const READ_BACK_BYTES: std::ops::RangeInclusive<usize> = (1 << 12)..=(1 << 16);

/// How the inputs are read: how many threads, and in what chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parallel {
    /// Threads that parse chunks; 1 reads everything on the calling thread.
    pub threads: usize,
    /// Target chunk size in bytes (a chunk grows to hold at least one whole record).
    pub chunk_bytes: usize,
}

impl Default for Parallel {
    fn default() -> Self {
        Parallel {
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            chunk_bytes: DEFAULT_CHUNK_BYTES,
        }
    }
}

impl Parallel {
    /// The defaults, overridden by [`THREADS_VAR`] and [`CHUNK_VAR`] when set. A value that is
    /// not a whole number above 0 is a usage error.
    pub fn from_env() -> Result<Parallel> {
        let mut p = Parallel::default();
        if let Some(n) = positive_var(THREADS_VAR)? {
            p.threads = n;
        }
        if let Some(n) = positive_var(CHUNK_VAR)? {
            p.chunk_bytes = n;
        }
        Ok(p)
    }
}

fn positive_var(var: &str) -> Result<Option<usize>> {
    match std::env::var(var) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "{var}={v}: expected a whole number above 0 (or leave it unset)"
                ))
            }),
        _ => Ok(None),
    }
}

/// Reads every input file, in parallel as `parallel` says, handing each file's accepted rows to
/// a sink from `sinks`, and returns their results in the order of `files`.
pub fn read_files<K: Sinks>(
    files: &[InputFile],
    setup: &Setup,
    sinks: &K,
    parallel: Parallel,
) -> Result<Vec<FileResult<K::Sink>>> {
    with_workers(parallel.threads, |workers| match workers {
        Workers::Inline => files
            .iter()
            .map(|input| read_input(input, setup, sinks, workers, parallel.chunk_bytes))
            .collect(),
        Workers::Pool { .. } => std::thread::scope(|scope| {
            // A mapped export is read on threads of its own, beside the rest. Canonical files are
            // read one after another, each on every worker: the month's first file keeps both
            // cores busy alone, and only one file's duplicate index and chunks are held at a
            // time, so the memory the run asks the system for is the largest file's, not the sum.
            let mapped = files
                .iter()
                .map(|input| {
                    input
                        .profile
                        .as_ref()
                        .map(|_| {
                            named(format!("take-{}", input.role.as_str())).spawn_scoped(
                                scope,
                                move || {
                                    read_input(input, setup, sinks, workers, parallel.chunk_bytes)
                                },
                            )
                        })
                        .transpose()
                })
                .collect::<std::io::Result<Vec<_>>>()
                .map_err(|e| Error::io(Path::new("(threads)"), e))?;
            let mut canonical = Vec::new();
            for input in files.iter().filter(|input| input.profile.is_none()) {
                let read = read_input(input, setup, sinks, workers, parallel.chunk_bytes);
                let failed = read.is_err();
                canonical.push(read);
                if failed {
                    // No later file's error could come before this one.
                    break;
                }
            }
            let mut canonical = canonical.into_iter();
            mapped
                .into_iter()
                .map(|handle| match handle {
                    Some(h) => h.join().expect("file thread panicked"),
                    None => canonical
                        .next()
                        .expect("a canonical file read before an error"),
                })
                .collect()
        }),
    })
}

/// Reads one input: a canonical CSV in chunks on `workers`, a mapped export through its profile
/// on the calling thread.
fn read_input<'e, K: Sinks>(
    input: &'e InputFile,
    setup: &'e Setup<'e>,
    sinks: &K,
    workers: &Workers<'e>,
    chunk_bytes: usize,
) -> Result<FileResult<K::Sink>>
where
    K::Sink: 'e,
{
    match &input.profile {
        None => read_file_on(input.role, &input.path, setup, sinks, workers, chunk_bytes),
        Some(profile) => read_foreign(input, profile, setup, sinks),
    }
}

/// A thread builder with a name, so profiles and debuggers tell the threads apart: `read-…`
/// reads and hashes a file (and judges chunks while the workers have enough queued), `parse`
/// judges chunks and takes them back in order, `take-…` waits for a file's chunks (and reads a
/// mapped export).
fn named(name: String) -> std::thread::Builder {
    std::thread::Builder::new().name(name)
}

/// A unit of work for a worker thread.
type Job<'env> = Box<dyn FnOnce() + Send + 'env>;

/// Where chunks are parsed.
pub enum Workers<'env> {
    /// On the thread reading the file, one chunk after another.
    Inline,
    /// On a pool of worker threads.
    Pool {
        /// Where jobs are queued.
        jobs: mpsc::Sender<Job<'env>>,
        /// How many workers take jobs.
        threads: usize,
    },
}

impl Workers<'_> {
    /// How many threads parse chunks (1: the reading thread).
    pub fn threads(&self) -> usize {
        match self {
            Workers::Inline => 1,
            Workers::Pool { threads, .. } => *threads,
        }
    }
}

/// Runs `f` with `threads` threads judging chunks (none but the reading thread for 1): the thread
/// reading each file is one of them, so `threads - 1` workers are started, which stop when `f`
/// returns.
pub fn with_workers<'env, T>(threads: usize, f: impl FnOnce(&Workers<'env>) -> T) -> T {
    if threads <= 1 {
        return f(&Workers::Inline);
    }
    let (jobs, queue) = mpsc::channel::<Job<'env>>();
    let queue = Mutex::new(queue);
    std::thread::scope(|scope| {
        // The thread reading a file judges chunks too ([`read_chunks`]): it is one of `threads`.
        for _ in 1..threads {
            let worker = || loop {
                let job = queue.lock().expect("job queue").recv();
                match job {
                    Ok(job) => job(),
                    Err(_) => return,
                }
            };
            // As `std::thread::spawn` does, a thread that cannot be started stops the run.
            named("parse".into())
                .spawn_scoped(scope, worker)
                .expect("start a parse thread");
        }
        let workers = Workers::Pool { jobs, threads };
        let result = f(&workers);
        drop(workers);
        result
    })
}

/// A run of whole records of a file.
pub struct Chunk {
    /// Position of the chunk in the file, from 0.
    pub seq: u64,
    /// Byte offset of the chunk's first byte in the file.
    pub offset: u64,
    /// Line ends in the file before the chunk.
    pub lines: u64,
    /// Whether the byte before the chunk is a CR (the chunk may start with the LF of a CRLF).
    pub after_cr: bool,
    /// Whether the reader found no quote and no CR in the bytes while cutting the chunk and
    /// counting its lines, so they split on commas and line feeds without a look for either.
    pub clean: bool,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// Physical line numbers of records within a chunk, by the rule of
/// [`super::HashingReader::line_of`]: the parser places a record's start before any line-end
/// bytes (the LF of a CRLF, blank lines) that precede its first cell, so those are skipped.
pub struct LineCounter<'a> {
    after_cr: bool,
    bytes: &'a [u8],
    counted: usize,
    lines: u64,
}

impl<'a> LineCounter<'a> {
    /// Counts lines in `chunk`.
    pub fn new(chunk: &'a Chunk) -> Self {
        LineCounter {
            after_cr: chunk.after_cr,
            bytes: &chunk.bytes,
            counted: 0,
            lines: chunk.lines,
        }
    }

    /// The line (1-based) of the record the parser says starts at chunk byte `start`. Calls must
    /// come in increasing `start` order.
    pub fn line_of(&mut self, start: usize) -> u64 {
        let mut at = start.min(self.bytes.len());
        while at < self.bytes.len() && matches!(self.bytes[at], b'\n' | b'\r') {
            at += 1;
        }
        if at > self.counted {
            let after_cr = match self.counted {
                0 => self.after_cr,
                n => self.bytes[n - 1] == b'\r',
            };
            self.lines += count_line_ends(&self.bytes[self.counted..at], after_cr);
            self.counted = at;
        }
        self.lines + 1
    }
}

/// Line ends in `bytes`: each LF, CRLF and lone CR once. `after_cr` says whether the byte
/// before `bytes` is a CR.
pub fn count_line_ends(bytes: &[u8], after_cr: bool) -> u64 {
    line_ends_and_cr(bytes, after_cr).0
}

/// [`count_line_ends`], and whether `bytes` hold a CR.
fn line_ends_and_cr(bytes: &[u8], after_cr: bool) -> (u64, bool) {
    if memchr::memchr(b'\r', bytes).is_none() {
        // No CR: every LF ends a line (but the LF of a CRLF cut after its CR), counted a
        // vector at a time.
        let lf = bytecount::count(bytes, b'\n') as u64;
        return (
            lf - u64::from(after_cr && bytes.first() == Some(&b'\n')),
            false,
        );
    }
    let ends = memchr::memchr2_iter(b'\n', b'\r', bytes)
        .filter(|&at| {
            let prev_cr = match at {
                0 => after_cr,
                n => bytes[n - 1] == b'\r',
            };
            bytes[at] == b'\r' || !prev_cr
        })
        .count() as u64;
    (ends, true)
}

/// Where a record lies in the file, and whether its quotes balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// The physical line the record starts on.
    pub line: u64,
    /// The physical line it ends on: later than `line` when a quoted cell holds line ends.
    pub last_line: u64,
    /// An odd number of quote characters: a quoted cell that never closes, or a stray quote.
    pub unbalanced: bool,
}

impl Shape {
    /// The shape of a record read whole by the CSV reader, starting on `line`: the line ends
    /// its cells hold are the lines it runs over (the reader hides its quotes, so their balance
    /// is not judged here).
    pub fn of_record(line: u64, record: &csv::ByteRecord) -> Shape {
        let mut inside: u64 = record.iter().map(|f| count_line_ends(f, false)).sum();
        // A quote left open at the end of the file takes the last line end into its cell; that
        // line end starts no further line (as the chunked reader counts).
        if record
            .iter()
            .next_back()
            .is_some_and(|f| matches!(f.last(), Some(b'\n' | b'\r')))
        {
            inside = inside.saturating_sub(1);
        }
        Shape {
            line,
            last_line: line + inside,
            unbalanced: false,
        }
    }

    /// A record on one line with balanced quotes.
    pub fn one_line(line: u64) -> Shape {
        Shape {
            line,
            last_line: line,
            unbalanced: false,
        }
    }
}

/// The records of a chunk, each with the chunk byte where the parser places its start and its
/// physical line.
///
/// A chunk with no quote, and no CR other than one ending a line, is split on line feeds and
/// commas directly, in one pass over the chunk that finds both: for such bytes that is exactly
/// what the CSV parser reads (CRLF and LF both end a record, blank lines are skipped), only
/// faster, and the fields stay where they lie in the chunk. Any other chunk goes through the
/// parser.
pub struct ChunkRecords<'a> {
    bytes: &'a [u8],
    mode: Mode<'a>,
    /// The fields of the last plain record, as ranges of `bytes`.
    bounds: Vec<(usize, usize)>,
    /// The last record the parser read.
    record: csv::ByteRecord,
}

enum Mode<'a> {
    Plain {
        /// Where the next line starts.
        at: usize,
        /// Line feeds before `at`, and before the chunk.
        lines: u64,
        /// The commas and line feeds of the chunk from where the first line starts.
        seps: Separators<'a>,
        /// Where in the chunk `seps` starts.
        base: usize,
    },
    Csv {
        reader: csv::Reader<&'a [u8]>,
        lines: LineCounter<'a>,
    },
}

/// Whether `bytes` can be split without the CSV parser: no quote, and every CR ends a line.
fn plain(bytes: &[u8]) -> bool {
    memchr::memchr2_iter(b'"', b'\r', bytes)
        .all(|at| bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n'))
}

/// The commas and line feeds of some bytes, in order, each with whether it ends a line; found
/// sixty-four bytes at a time, as one bit mask of each: a record of a quote-free chunk is a few
/// dozen bytes with a separator every dozen, where a block-wide test beats a vector search
/// restarted at every field, and a bit says which separator it is without reading it again.
pub struct Separators<'a> {
    bytes: &'a [u8],
    /// Where the block of the masks starts.
    at: usize,
    /// A bit for each comma of the block at `at` not yet handed out.
    commas: u64,
    /// A bit for each line feed of the block at `at` not yet handed out.
    ends: u64,
}

/// Eight copies of the byte `b`, one per byte of a word.
pub const fn broadcast(b: u8) -> u64 {
    u64::from_le_bytes([b; 8])
}

/// The high bit of each byte equal to zero in `x`, exactly (no borrow crosses bytes): with
/// `x = word ^ broadcast(b)`, the bytes of `word` that are `b`.
#[inline]
pub fn zero_bytes(x: u64) -> u64 {
    const LOW7: u64 = broadcast(0x7f);
    !(((x & LOW7).wrapping_add(LOW7)) | x) & broadcast(0x80)
}

/// Bytes a block of [`Separators`] spans: one bit of a mask each.
const BLOCK: usize = 64;

/// The commas and the line feeds of a block, as masks: bit `i` for byte `i`.
#[cfg(target_arch = "x86_64")]
#[inline]
fn block_masks(block: &[u8; BLOCK]) -> (u64, u64) {
    use safe_arch::{
        cmp_eq_mask_i8_m128i, load_unaligned_m128i, move_mask_i8_m128i, set_splat_i8_m128i,
    };
    let comma = set_splat_i8_m128i(b',' as i8);
    let line_feed = set_splat_i8_m128i(b'\n' as i8);
    let (mut commas, mut ends) = (0u64, 0u64);
    for (k, part) in block.chunks_exact(16).enumerate() {
        let v = load_unaligned_m128i(part.try_into().expect("sixteen bytes"));
        let c = move_mask_i8_m128i(cmp_eq_mask_i8_m128i(v, comma)) as u32 & 0xffff;
        let e = move_mask_i8_m128i(cmp_eq_mask_i8_m128i(v, line_feed)) as u32 & 0xffff;
        commas |= u64::from(c) << (16 * k);
        ends |= u64::from(e) << (16 * k);
    }
    (commas, ends)
}

/// The commas and the line feeds of a block, as masks: bit `i` for byte `i`; a word at a time,
/// where the processor has no vector compare this crate uses.
#[cfg(any(test, not(target_arch = "x86_64")))]
#[inline]
fn block_masks_by_words(block: &[u8; BLOCK]) -> (u64, u64) {
    // The high bit of each byte of a word, gathered into its low eight bits.
    fn gather(high: u64) -> u64 {
        ((high >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
    }
    let (mut commas, mut ends) = (0u64, 0u64);
    for (k, part) in block.chunks_exact(8).enumerate() {
        let w = u64::from_le_bytes(part.try_into().expect("eight bytes"));
        commas |= gather(zero_bytes(w ^ broadcast(b','))) << (8 * k);
        ends |= gather(zero_bytes(w ^ broadcast(b'\n'))) << (8 * k);
    }
    (commas, ends)
}

#[cfg(not(target_arch = "x86_64"))]
use block_masks_by_words as block_masks;

impl<'a> Separators<'a> {
    /// The separators of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        let mut s = Separators {
            bytes,
            at: 0,
            commas: 0,
            ends: 0,
        };
        s.load();
        s
    }

    /// Fills the masks with the block at `at` (shorter at the end, the rest read as zero).
    #[inline]
    fn load(&mut self) {
        (self.commas, self.ends) = match self.bytes.get(self.at..self.at + BLOCK) {
            Some(block) => block_masks(block.try_into().expect("a block")),
            None => {
                let mut block = [0u8; BLOCK];
                let tail = self.bytes.get(self.at..).unwrap_or_default();
                block[..tail.len()].copy_from_slice(tail);
                block_masks(&block)
            }
        };
    }
}

impl Iterator for Separators<'_> {
    /// Where the separator is, and whether it is a line feed.
    type Item = (usize, bool);

    #[inline]
    fn next(&mut self) -> Option<(usize, bool)> {
        loop {
            let both = self.commas | self.ends;
            if both != 0 {
                let lowest = both & both.wrapping_neg();
                let line_end = self.ends & lowest != 0;
                self.commas &= !lowest;
                self.ends &= !lowest;
                return Some((self.at + both.trailing_zeros() as usize, line_end));
            }
            self.at += BLOCK;
            if self.at >= self.bytes.len() {
                return None;
            }
            self.load();
        }
    }
}

impl<'a> ChunkRecords<'a> {
    /// The records of `chunk`.
    pub fn new(chunk: &'a Chunk) -> Self {
        let bytes = &chunk.bytes[..];
        let mode = if chunk.clean || plain(bytes) {
            // The LF of a CRLF cut after its CR ends no further line.
            let at = usize::from(chunk.after_cr && bytes.first() == Some(&b'\n'));
            Mode::Plain {
                at,
                lines: chunk.lines,
                seps: Separators::new(&bytes[at..]),
                base: at,
            }
        } else {
            Mode::Csv {
                reader: csv_reader(bytes),
                lines: LineCounter::new(chunk),
            }
        };
        ChunkRecords {
            bytes,
            mode,
            bounds: Vec::with_capacity(32),
            record: csv::ByteRecord::new(),
        }
    }

    /// The next record: where it starts, its shape and its fields; `None` at the end.
    pub fn next(&mut self, path: &Path) -> Result<Option<(usize, Shape, Fields<'_>)>> {
        match &mut self.mode {
            Mode::Csv { reader, lines } => {
                let record = &mut self.record;
                if !reader
                    .read_byte_record(record)
                    .map_err(|e| csv_error(path, e))?
                {
                    return Ok(None);
                }
                let start = record.position().map_or(0, |p| p.byte()) as usize;
                let end = (reader.position().byte() as usize).min(self.bytes.len());
                let line = lines.line_of(start);
                // Line ends can only sit inside a record within quoted cells.
                let mut inside: u64 = record.iter().map(|f| count_line_ends(f, false)).sum();
                let quotes = memchr::memchr_iter(b'"', &self.bytes[start.min(end)..end]).count();
                let unbalanced = quotes % 2 == 1;
                // A quote left open at the end of the file takes the last line end into its
                // cell; that line end starts no further line.
                let open_tail = record
                    .iter()
                    .next_back()
                    .is_some_and(|f| matches!(f.last(), Some(b'\n' | b'\r')));
                if unbalanced && open_tail {
                    inside = inside.saturating_sub(1);
                }
                let shape = Shape {
                    line,
                    last_line: line + inside,
                    unbalanced,
                };
                Ok(Some((start, shape, Fields::Record(&self.record))))
            }
            Mode::Plain {
                at,
                lines,
                seps,
                base,
            } => loop {
                let bytes = self.bytes;
                if *at >= bytes.len() {
                    return Ok(None);
                }
                let start = *at;
                let bounds = &mut self.bounds;
                bounds.clear();
                let mut field = start;
                let end = loop {
                    match seps.next() {
                        Some((p, false)) => {
                            bounds.push((field, *base + p));
                            field = *base + p + 1;
                        }
                        Some((p, true)) => break *base + p,
                        None => break bytes.len(),
                    }
                };
                let line = *lines + 1;
                *at = end + 1;
                *lines += u64::from(end < bytes.len());
                // A CR here can only be the first half of a CRLF.
                let last = if end > field && bytes[end - 1] == b'\r' {
                    end - 1
                } else {
                    end
                };
                if bounds.is_empty() && last == start {
                    // A blank line.
                    continue;
                }
                bounds.push((field, last));
                let fields = Fields::Split {
                    bytes,
                    bounds: &self.bounds,
                };
                return Ok(Some((start, Shape::one_line(line), fields)));
            },
        }
    }
}

/// Reads a file from start to end once: hashes every byte, reads the header, and cuts the rest
/// into chunks of whole records.
struct Chunker {
    path: PathBuf,
    file: File,
    /// `None` when the file's bytes are not hashed ([`Hashing::Skip`]).
    hasher: Option<Sha256>,
    /// Bytes read but not yet handed out: the start of a record cut by the last read.
    carry: Vec<u8>,
    /// Offset in the file of `carry[0]`.
    offset: u64,
    /// Line ends before `offset`.
    lines: u64,
    /// Whether the byte before `offset` is a CR.
    after_cr: bool,
    /// Whether the last byte handed out ends no line (a last line without a line end).
    tail_open: bool,
    eof: bool,
    seq: u64,
    chunk_bytes: usize,
}

impl Chunker {
    fn open(path: &Path, chunk_bytes: usize) -> Result<Chunker> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        Ok(Chunker {
            path: path.to_path_buf(),
            file,
            hasher: Some(Sha256::new()),
            carry: Vec::new(),
            offset: 0,
            lines: 0,
            after_cr: false,
            tail_open: false,
            eof: false,
            seq: 0,
            chunk_bytes: chunk_bytes.max(1),
        })
    }

    /// The file's size, as a hint for sizing the duplicate check.
    fn len(&self) -> u64 {
        self.file.metadata().map_or(0, |m| m.len())
    }

    /// Appends up to `want` more bytes of the file to `buf`, hashing them.
    fn fill(&mut self, buf: &mut Vec<u8>, want: usize) -> Result<()> {
        let before = buf.len();
        let n = (&mut self.file)
            .take(want as u64)
            .read_to_end(buf)
            .map_err(|e| Error::io(&self.path, e))?;
        if let Some(hasher) = &mut self.hasher {
            hasher.update(&buf[before..]);
        }
        progress::add_bytes(n as u64);
        if n < want {
            self.eof = true;
        }
        Ok(())
    }

    /// The header: the file's first record. `None` when the file holds no record at all.
    fn header(&mut self) -> Result<Option<csv::ByteRecord>> {
        let mut buf = Vec::new();
        let mut record = csv::ByteRecord::new();
        loop {
            if !self.eof {
                let want = self.chunk_bytes.max(buf.len()).max(*READ_BACK_BYTES.end());
                self.fill(&mut buf, want)?;
            }
            let mut reader = csv_reader(&buf[..]);
            let got = reader
                .read_byte_record(&mut record)
                .map_err(|e| csv_error(&self.path, e))?;
            let end = reader.position().byte() as usize;
            if got && (end < buf.len() || self.eof) {
                self.lines = count_line_ends(&buf[..end], false);
                self.after_cr = end > 0 && buf[end - 1] == b'\r';
                self.tail_open = end > 0 && !matches!(buf[end - 1], b'\n' | b'\r');
                self.offset = end as u64;
                self.carry = buf.split_off(end);
                return Ok(Some(record));
            }
            if self.eof {
                return Ok(None);
            }
        }
    }

    /// The next chunk, in `buf` (a buffer handed back for reuse); `None` at the end of the file.
    fn next(&mut self, mut buf: Vec<u8>) -> Result<Option<Chunk>> {
        buf.clear();
        buf.reserve(self.chunk_bytes.max(self.carry.len()));
        buf.append(&mut self.carry);
        loop {
            if !self.eof && buf.len() < self.chunk_bytes {
                let want = self.chunk_bytes - buf.len();
                self.fill(&mut buf, want)?;
            }
            if buf.is_empty() {
                return Ok(None);
            }
            // Where the chunk ends, and whether it holds no quote.
            let cut = if self.eof {
                Some((buf.len(), memchr::memchr(b'"', &buf).is_none()))
            } else {
                record_boundary(&buf)
            };
            match cut {
                Some((cut, unquoted)) => {
                    self.carry.extend_from_slice(&buf[cut..]);
                    buf.truncate(cut);
                    let (ends, cr) = line_ends_and_cr(&buf, self.after_cr);
                    let chunk = Chunk {
                        seq: self.seq,
                        offset: self.offset,
                        lines: self.lines,
                        after_cr: self.after_cr,
                        clean: unquoted && !cr,
                        bytes: buf,
                    };
                    self.seq += 1;
                    self.offset += cut as u64;
                    self.lines += ends;
                    self.after_cr = chunk.bytes.last() == Some(&b'\r');
                    self.tail_open = chunk
                        .bytes
                        .last()
                        .is_some_and(|b| !matches!(b, b'\n' | b'\r'));
                    return Ok(Some(chunk));
                }
                // Not one whole record yet: read as much again.
                None => {
                    let want = buf.len().max(self.chunk_bytes);
                    self.fill(&mut buf, want)?;
                }
            }
        }
    }

    /// The SHA-256 of the bytes read and the physical lines handed out (a last line without
    /// a line end counts).
    fn finish(&self) -> FileRead {
        FileRead {
            sha256: self
                .hasher
                .as_ref()
                .map_or(String::new(), |h| hex(&h.clone().finalize())),
            lines: self.lines + u64::from(self.tail_open),
        }
    }
}

/// What reading a file through once tells besides its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRead {
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// Physical lines in the file.
    pub lines: u64,
}

/// Where the last whole record of `bytes` ends, `bytes` starting on a record boundary, and
/// whether the bytes before it hold no quote; `None` when no record is known to be whole.
/// Without a quote before the last line feed, every line feed ends a record (or a blank line);
/// otherwise the CSV parser itself finds the end, so a line feed inside a quoted cell never cuts
/// a record.
fn record_boundary(bytes: &[u8]) -> Option<(usize, bool)> {
    // A lone CR ends a line too (old Mac exports); a CRLF cut after its CR leaves the LF to
    // the next chunk, where the parser skips it as an empty line.
    let last_lf = memchr::memrchr2(b'\n', b'\r', bytes)?;
    if memchr::memchr(b'"', &bytes[..last_lf]).is_none() {
        return Some((last_lf + 1, true));
    }
    // The same parser settings as `csv_reader`.
    let mut parser = csv_core::Reader::new();
    let mut out = vec![0u8; 1 << 16];
    let mut ends = [0usize; 256];
    let (mut at, mut last) = (0, None);
    loop {
        let (result, read, _, _) = parser.read_record(&bytes[at..], &mut out, &mut ends);
        at += read;
        match result {
            csv_core::ReadRecordResult::Record => last = Some(at),
            csv_core::ReadRecordResult::OutputFull | csv_core::ReadRecordResult::OutputEndsFull => {
            }
            csv_core::ReadRecordResult::InputEmpty | csv_core::ReadRecordResult::End => {
                return last.filter(|&n| n > 0).map(|n| (n, false))
            }
        }
    }
}

/// How many chunks of one file may be read ahead of the one being taken back: enough that the
/// workers still find chunks queued while one of them takes results back (with six, both cores
/// of the headline month sat idle about a tenth of the time; sixteen bought nothing more).
fn in_flight(threads: usize) -> usize {
    4 * threads + 2
}

/// Chunks queued per worker at which the thread reading a file judges the chunk it has just
/// read itself rather than queue it too: enough that no worker runs dry while it does.
const HELP_QUEUED: usize = 2;

/// Whether [`read_chunks`] feeds every byte of the file to its SHA-256.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hashing {
    /// The file's SHA-256 is computed as it is read (a file read for the month).
    Sha256,
    /// It is not ([`FileRead::sha256`] is empty): a second look through a file read and hashed
    /// already, e.g. a search for a few ids.
    Skip,
}

/// Takes a file's chunk results in file order ([`read_chunks`]): the duplicate check and the
/// tally of a file, or whatever else keeps state across its chunks. It is handed between threads
/// (whichever finished the chunk next in order takes it), so it owns what it keeps.
pub trait Absorb<C, O>: Send {
    /// Takes the result of the next chunk in file order.
    fn absorb(&mut self, ctx: &C, out: O) -> Result<()>;
}

impl<C, O, F: FnMut(&C, O) -> Result<()> + Send> Absorb<C, O> for F {
    fn absorb(&mut self, ctx: &C, out: O) -> Result<()> {
        self(ctx, out)
    }
}

/// Reads the file at `path` once: `prepare` turns its header (and the file's size) into what
/// `scan` needs; `scan` judges each chunk, on a worker thread (or on the reading thread, when
/// [`HELP_QUEUED`] chunks per worker wait already); `absorb` takes each chunk's result
/// in file order. Returns the SHA-256 of the file's bytes (as `hashing` says) and its physical
/// lines, and `absorb` with everything it took.
///
/// On the pool, a chunk's result is taken by the worker that scanned it when every chunk before
/// it has been taken, while its accepted rows are still in that core's cache; otherwise it waits,
/// and the worker taking the chunk before it takes it too. One worker takes at a time; a worker
/// that finds another taking leaves its result and goes on scanning.
pub fn read_chunks<'env, C, O, A>(
    path: &Path,
    workers: &Workers<'env>,
    chunk_bytes: usize,
    hashing: Hashing,
    prepare: impl FnOnce(&csv::ByteRecord, u64) -> Result<C>,
    scan: fn(&C, &Chunk) -> O,
    mut absorb: A,
) -> Result<(FileRead, A)>
where
    C: Send + Sync + 'env,
    O: Send + 'env,
    A: Absorb<C, O> + 'env,
{
    let mut chunker = Chunker::open(path, chunk_bytes)?;
    if hashing == Hashing::Skip {
        chunker.hasher = None;
    }
    let header = chunker.header()?.ok_or_else(|| Error::BadFile {
        path: path.display().to_string(),
        line: 1,
        message: "the file is empty: it needs at least a header row".into(),
    })?;
    let ctx = prepare(&header, chunker.len())?;
    let (jobs, threads) = match workers {
        Workers::Inline => {
            let mut buf = Vec::new();
            while let Some(chunk) = chunker.next(buf)? {
                let out = scan(&ctx, &chunk);
                absorb.absorb(&ctx, out)?;
                buf = chunk.bytes;
            }
            return Ok((chunker.finish(), absorb));
        }
        Workers::Pool { jobs, threads } => (jobs, *threads),
    };
    let (free_tx, free_rx) = mpsc::channel::<Vec<u8>>();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let taking = Arc::new(Taking::new(ctx, absorb, free_tx));
    let read = std::thread::scope(|scope| {
        let role = path
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into());
        let reader = {
            let taking = Arc::clone(&taking);
            named(format!("read-{role}"))
                .spawn_scoped(scope, move || -> Result<FileRead> {
                    let mut made = 0;
                    loop {
                        let buf = if made < in_flight(threads) {
                            made += 1;
                            Vec::new()
                        } else {
                            match free_rx.recv() {
                                Ok(buf) => buf,
                                Err(_) => return Ok(chunker.finish()),
                            }
                        };
                        // A chunk failed or a take stopped on an error: stop reading.
                        if taking.stop.load(Ordering::Acquire) {
                            return Ok(chunker.finish());
                        }
                        let Some(chunk) = chunker.next(buf)? else {
                            return Ok(chunker.finish());
                        };
                        // With chunks queued for the workers already, the reader judges this
                        // one itself, while its bytes are in its cache from the hashing; it reads
                        // on once the queue runs short.
                        let queued = taking.queued.fetch_add(1, Ordering::AcqRel);
                        let help = queued >= HELP_QUEUED * (threads - 1);
                        let (taking, done) = (Arc::clone(&taking), done_tx.clone());
                        let job: Job<'env> = Box::new(move || {
                            taking.queued.fetch_sub(1, Ordering::AcqRel);
                            // A panic is kept for the caller, which raises it once every chunk
                            // is back, rather than leaving a hole in the file order.
                            let out =
                                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                    scan(&taking.ctx, &chunk)
                                }));
                            let out = match out {
                                Ok(out) => Some(out),
                                Err(payload) => {
                                    taking.panicked(payload);
                                    None
                                }
                            };
                            taking.arrive(chunk.seq, out, chunk.bytes);
                            // The share of the state goes before the signal, so the caller
                            // finds it alone once every signal is in.
                            drop(taking);
                            drop(done);
                        });
                        if help {
                            job();
                        } else if jobs.send(job).is_err() {
                            return Ok(chunker.finish());
                        }
                    }
                })
                .map_err(|e| Error::io(path, e))
        }?;
        // Every job holds a sender: the channel closes once the reader and every chunk are done.
        for () in done_rx {}
        reader.join().expect("reader thread panicked")
    });
    // The worker that took the last result found no other waiting.
    debug_assert!(taking.lock_waiting().results.is_empty());
    let taking = match Arc::try_unwrap(taking) {
        Ok(taking) => taking,
        Err(_) => unreachable!("every chunk's job has ended"),
    };
    let taker = taking
        .taker
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(payload) = taker.panicked {
        std::panic::resume_unwind(payload);
    }
    let read = read?;
    if let Some(e) = taker.failed {
        return Err(e);
    }
    Ok((read, taker.absorb))
}

/// What the workers share while a file is read on the pool: the chunk results waiting for
/// their turn, and the state that takes them in file order.
struct Taking<C, O, A> {
    ctx: C,
    waiting: Mutex<Waiting<O>>,
    /// Locked by the one worker taking (`Waiting::taking`), so never waited for but on a failure.
    taker: Mutex<Taker<A>>,
    /// Set once a chunk failed: the reader stops, and later results are not taken.
    stop: AtomicBool,
    /// Chunks handed to the workers and not yet started.
    queued: AtomicUsize,
    /// Buffers handed back to the reader once their chunk is taken.
    free: mpsc::Sender<Vec<u8>>,
}

/// The results that wait for their turn.
struct Waiting<O> {
    /// Results by chunk number, with the chunk's buffer (`None`: its scan panicked).
    results: BTreeMap<u64, (Option<O>, Vec<u8>)>,
    /// The chunk to take next.
    next: u64,
    /// Whether a worker is taking results: it looks for the next one under this lock before it
    /// stops, so a result left while it takes is never left behind.
    taking: bool,
}

struct Taker<A> {
    absorb: A,
    /// The first error a take returned.
    failed: Option<Error>,
    /// The first panic, of a scan or a take.
    panicked: Option<Box<dyn std::any::Any + Send>>,
}

impl<C, O, A: Absorb<C, O>> Taking<C, O, A> {
    fn new(ctx: C, absorb: A, free: mpsc::Sender<Vec<u8>>) -> Self {
        Taking {
            ctx,
            waiting: Mutex::new(Waiting {
                results: BTreeMap::new(),
                next: 0,
                taking: false,
            }),
            taker: Mutex::new(Taker {
                absorb,
                failed: None,
                panicked: None,
            }),
            stop: AtomicBool::new(false),
            queued: AtomicUsize::new(0),
            free,
        }
    }

    /// Records the first panic of a scan and stops the reading.
    fn panicked(&self, payload: Box<dyn std::any::Any + Send>) {
        let mut taker = self.taker.lock().unwrap_or_else(PoisonError::into_inner);
        taker.panicked.get_or_insert(payload);
        self.stop.store(true, Ordering::Release);
    }

    /// Leaves chunk `seq`'s result, then, unless another worker is taking (it takes this one
    /// too), takes every result whose turn has come, in order.
    fn arrive(&self, seq: u64, out: Option<O>, bytes: Vec<u8>) {
        let mut waiting = self.lock_waiting();
        waiting.results.insert(seq, (out, bytes));
        if waiting.taking {
            return;
        }
        waiting.taking = true;
        loop {
            let next = waiting.next;
            let Some((out, bytes)) = waiting.results.remove(&next) else {
                waiting.taking = false;
                return;
            };
            waiting.next += 1;
            drop(waiting);
            if let Some(out) = out.filter(|_| !self.stop.load(Ordering::Acquire)) {
                self.take(out);
            }
            // After a failure too, so a reader waiting for a buffer sees the stop.
            let _ = self.free.send(bytes);
            waiting = self.lock_waiting();
        }
    }

    /// Takes one result; a failure or a panic is kept, and stops the reading.
    fn take(&self, out: O) {
        let mut taker = self.taker.lock().unwrap_or_else(PoisonError::into_inner);
        let taker = &mut *taker;
        let took = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            taker.absorb.absorb(&self.ctx, out)
        }));
        match took {
            Ok(Ok(())) => return,
            Ok(Err(e)) => {
                taker.failed.get_or_insert(e);
            }
            Err(p) => {
                taker.panicked.get_or_insert(p);
            }
        }
        self.stop.store(true, Ordering::Release);
    }

    fn lock_waiting(&self) -> std::sync::MutexGuard<'_, Waiting<O>> {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Reads single records back from a file by their byte offset (for the exact comparison of the
/// duplicate check). Two blocks are kept, the one used last and the one before: a repeat is
/// compared with its first row, far back in the file, and with itself, where the reading is, so
/// both runs of reads stay in a block and a file exported twice costs no more than once.
pub struct RecordAt {
    path: PathBuf,
    file: Option<File>,
    /// The blocks, the one used last first.
    blocks: [Block; 2],
    /// One parser for every read (building a parser costs more than reading a record).
    parser: RecordParser,
}

#[derive(Default)]
struct Block {
    bytes: Vec<u8>,
    start: u64,
    eof: bool,
}

impl RecordAt {
    /// Reads from `path`, opened on first use.
    pub fn new(path: &Path) -> Self {
        Self::with_parser(path, csv_core::Reader::new())
    }

    /// Reads from `path` records separated by `delimiter`, with cells quoted by `quote` (none:
    /// quotes are text), as a mapped export is read.
    pub fn delimited(path: &Path, delimiter: u8, quote: Option<u8>) -> Self {
        Self::with_parser(path, super::delimited::parser(delimiter, quote))
    }

    fn with_parser(path: &Path, parser: csv_core::Reader) -> Self {
        RecordAt {
            path: path.to_path_buf(),
            file: None,
            blocks: Default::default(),
            parser: RecordParser::new(parser),
        }
    }

    /// Parses the record at the start of `bytes` into `record`: the bytes it took, or `None`
    /// when `bytes` end before the record does (the caller then reads more).
    fn parse_one(
        &mut self,
        bytes: &[u8],
        eof: bool,
        record: &mut csv::ByteRecord,
    ) -> Option<usize> {
        self.parser.start();
        let mut read = 0;
        loop {
            // At the end of the file the parser is fed no bytes, which it reads as the end.
            let (fed, took) = self.parser.feed(&bytes[read..]);
            read += took;
            match fed {
                Fed::More if eof && took > 0 => {}
                Fed::More => return None,
                Fed::Record => {
                    record.clear();
                    for cell in self.parser.cells() {
                        record.push_field(cell);
                    }
                    return Some(read);
                }
                Fed::End => return None,
            }
        }
    }

    /// Reads the record the parser placed at byte `offset` into `record`.
    pub fn read(&mut self, offset: u64, record: &mut csv::ByteRecord) -> Result<()> {
        let mut want = self.block_size(offset);
        loop {
            let held = self.blocks.iter().position(|b| {
                !b.bytes.is_empty() && (b.start..b.start + b.bytes.len() as u64).contains(&offset)
            });
            if let Some(i) = held {
                if i == 1 {
                    self.blocks.swap(0, 1);
                }
                let from = (offset - self.blocks[0].start) as usize;
                let block = std::mem::take(&mut self.blocks[0].bytes);
                let eof = self.blocks[0].eof;
                let took = self.parse_one(&block[from..], eof, record);
                self.blocks[0].bytes = block;
                let b = &self.blocks[0];
                match took {
                    Some(n) if from + n < b.bytes.len() || b.eof => return Ok(()),
                    _ if b.eof => return Err(self.changed()),
                    // The record runs past the block: read it again, more at once.
                    _ => want = want.max(2 * (b.bytes.len() - from)),
                }
            } else {
                // The block used before last makes way.
                self.blocks.swap(0, 1);
            }
            self.load(offset, want)?;
            if self.blocks[0].bytes.is_empty() {
                return Err(self.changed());
            }
        }
    }

    /// How many bytes to read for the row at `offset`: twice a block that ends where the row
    /// starts (the reads run on through the file), the smallest read otherwise.
    fn block_size(&self, offset: u64) -> usize {
        let (small, large) = (*READ_BACK_BYTES.start(), *READ_BACK_BYTES.end());
        self.blocks
            .iter()
            .filter(|b| !b.bytes.is_empty() && !b.eof)
            .filter(|b| {
                let end = b.start + b.bytes.len() as u64;
                (end..end + b.bytes.len() as u64).contains(&offset)
            })
            .map(|b| (2 * b.bytes.len()).clamp(small, large))
            .max()
            .unwrap_or(small)
    }

    /// Reads `want` bytes from `offset` into the block used last.
    fn load(&mut self, offset: u64, want: usize) -> Result<()> {
        let path = &self.path;
        let file = match &mut self.file {
            Some(f) => f,
            None => self
                .file
                .insert(File::open(path).map_err(|e| Error::io(path, e))?),
        };
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| Error::io(path, e))?;
        let b = &mut self.blocks[0];
        b.bytes.clear();
        let n = file
            .take(want as u64)
            .read_to_end(&mut b.bytes)
            .map_err(|e| Error::io(path, e))?;
        b.start = offset;
        b.eof = n < want;
        Ok(())
    }

    /// The error when a row read back is not the row read before.
    pub fn changed(&self) -> Error {
        Error::io(
            &self.path,
            std::io::Error::other(
                "the file changed while it was being read; settle again once it is complete",
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record of `bytes` as (start, line, fields), through `ChunkRecords`.
    fn records(bytes: &[u8], lines: u64) -> Vec<(usize, u64, Vec<Vec<u8>>)> {
        let chunk = Chunk {
            seq: 0,
            offset: 0,
            lines,
            after_cr: false,
            clean: false,
            bytes: bytes.to_vec(),
        };
        let mut all = Vec::new();
        let mut it = ChunkRecords::new(&chunk);
        while let Some((start, shape, fields)) = it.next(Path::new("x")).unwrap() {
            all.push((
                start,
                shape.line,
                fields.iter().map(<[u8]>::to_vec).collect(),
            ));
        }
        all
    }

    #[test]
    fn line_ends_count_each_lf_crlf_and_lone_cr_once() {
        let naive = |bytes: &[u8], after_cr: bool| {
            let mut prev_cr = after_cr;
            let mut n = 0;
            for &b in bytes {
                n += u64::from(b == b'\r' || (b == b'\n' && !prev_cr));
                prev_cr = b == b'\r';
            }
            n
        };
        let mut x: u32 = 11;
        for len in 0..200 {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    // Mostly without a CR, so both ways of counting are exercised.
                    [b'\n', b'a', b',', b'\n', b'x', b'\r']
                        [(x >> 16) as usize % if len % 3 == 0 { 6 } else { 5 }]
                })
                .collect();
            for after_cr in [false, true] {
                assert_eq!(
                    count_line_ends(&bytes, after_cr),
                    naive(&bytes, after_cr),
                    "{bytes:?} {after_cr}"
                );
            }
        }
        assert_eq!(count_line_ends(b"\nab\n", true), 1);
        assert_eq!(count_line_ends(b"\nab\n", false), 2);
    }

    #[test]
    fn a_blocks_masks_are_the_same_by_vector_and_by_words() {
        let mut x: u32 = 3;
        for _ in 0..2000 {
            let mut block = [0u8; BLOCK];
            for b in &mut block {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                *b = [b',', b'\n', b'a', 0, 0x80, 0xac, 0x8a, b'\r', 0xff][(x >> 16) as usize % 9];
            }
            let (commas, ends) = block_masks_by_words(&block);
            for (i, &b) in block.iter().enumerate() {
                assert_eq!(commas >> i & 1 == 1, b == b',', "{block:?} at {i}");
                assert_eq!(ends >> i & 1 == 1, b == b'\n', "{block:?} at {i}");
            }
            assert_eq!(block_masks(&block), (commas, ends));
        }
    }

    #[test]
    fn separators_are_every_comma_and_line_feed_in_order() {
        let mut bytes = Vec::new();
        let mut x: u32 = 7;
        for len in 0..400 {
            let all = bytes.clone();
            let expected: Vec<(usize, bool)> = memchr::memchr2_iter(b',', b'\n', &all)
                .map(|at| (at, all[at] == b'\n'))
                .collect();
            assert_eq!(
                Separators::new(&all).collect::<Vec<_>>(),
                expected,
                "{len} bytes"
            );
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let b = [
                b',',
                b'\n',
                b'a',
                0,
                0x80,
                0xac,
                0x2c ^ 0x80,
                b'\r',
                b'.',
                0xff,
            ][(x >> 16) as usize % 10];
            bytes.push(b);
        }
    }

    #[test]
    fn plain_chunks_split_as_the_csv_parser_reads_them() {
        let cases: [&[u8]; 7] = [
            b"a,b\nc,d\n",
            b"a,b\r\nc,,d\r\n\r\n\n e ,f\n,\n",
            b"\n\na,b",
            b"a\r\n\r\n\r\nb\n",
            b" , \n\t\n",
            b"x,\xE5\xAE\xB6,1\ny",
            b"",
        ];
        for bytes in cases {
            assert!(plain(bytes));
            let fast = records(bytes, 7);
            // The same bytes with a quoted cell after them go through the parser.
            let mut quoted = bytes.to_vec();
            if !quoted.is_empty() && !quoted.ends_with(b"\n") {
                quoted.push(b'\n');
            }
            quoted.extend_from_slice(b"\"q\"\n");
            assert!(!plain(&quoted));
            let mut parsed = records(&quoted, 7);
            assert_eq!(parsed.pop().map(|r| r.2), Some(vec![b"q".to_vec()]));
            let lines = |r: &[(usize, u64, Vec<Vec<u8>>)]| {
                r.iter().map(|x| (x.1, x.2.clone())).collect::<Vec<_>>()
            };
            assert_eq!(
                lines(&fast),
                lines(&parsed),
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
        assert!(!plain(b"a\rb\n"));
        assert!(!plain(b"a\r"));
    }

    #[test]
    fn a_boundary_never_cuts_a_quoted_cell() {
        assert_eq!(record_boundary(b"a,b\nc,d\ne"), Some((8, true)));
        assert_eq!(record_boundary(b"a,b\r\nc,d\r\ne"), Some((10, true)));
        assert_eq!(record_boundary(b"a,b"), None);
        // The line feed inside the quotes is not a record end.
        assert_eq!(record_boundary(b"a,\"x\ny\"\nc,\"p\nq"), Some((8, false)));
        assert_eq!(record_boundary(b"a,\"x\ny"), None);
    }

    /// A chunk is marked clean exactly when it holds no quote and no CR: only then do its
    /// records split without the parser's look for either.
    #[test]
    fn a_chunk_is_clean_when_the_reader_saw_no_quote_and_no_cr() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mixed.csv");
        let mut text = String::from("id,note\n");
        // Beyond the first read (the header's, of the largest read-back block).
        for i in 0..20_000 {
            match i % 4999 {
                13 => text.push_str(&format!("{i},\"a, b\"\n")),
                2041 => text.push_str(&format!("{i},crlf\r\n")),
                3077 => text.push_str(&format!("{i},lone\r")),
                _ => text.push_str(&format!("{i},plain\n")),
            }
        }
        text.push_str("20000,\"last"); // an open quote at the end of the file
        std::fs::write(&path, &text).unwrap();
        for size in [1, 7, 300, 4096, 1 << 20] {
            let mut chunker = Chunker::open(&path, size).unwrap();
            chunker.header().unwrap();
            let (mut clean, mut all) = (0, 0);
            while let Some(chunk) = chunker.next(Vec::new()).unwrap() {
                let expected = !chunk.bytes.iter().any(|&b| b == b'"' || b == b'\r');
                assert_eq!(chunk.clean, expected, "chunk {} of {size}", chunk.seq);
                assert!(!chunk.clean || plain(&chunk.bytes));
                clean += usize::from(chunk.clean);
                all += 1;
            }
            assert!(
                size == 1 << 20 || (clean > 0 && clean < all),
                "{size}: {clean} of {all}"
            );
        }
    }

    /// Rows read back one at a time, in any order, with blocks of any size: each is the record
    /// the parser read at its offset, whether the reads go on through the file (the blocks
    /// double), jump about, or meet a record longer than a block.
    #[test]
    fn a_row_is_read_back_as_the_parser_read_it_at_its_offset() {
        let mut text = String::from("id,note\n");
        for i in 0..3000u32 {
            let note = match i % 500 {
                7 => "x".repeat(70_000),
                8 => "\"quoted, with a line\nend\"".to_string(),
                _ => format!("row {i}"),
            };
            text.push_str(&format!("r{i},{note}\n"));
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.csv");
        std::fs::write(&path, &text).unwrap();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        let rows: Vec<(u64, csv::ByteRecord)> = reader
            .byte_records()
            .map(|r| {
                let r = r.unwrap();
                (r.position().unwrap().byte(), r)
            })
            .collect();
        let mut at = RecordAt::new(&path);
        let mut got = csv::ByteRecord::new();
        let mut check = |i: usize| {
            at.read(rows[i].0, &mut got).unwrap();
            assert_eq!(got, rows[i].1, "row {i} at byte {}", rows[i].0);
        };
        // On through the file, then leaping back and forth, then backwards.
        (0..rows.len()).for_each(&mut check);
        (0..rows.len())
            .map(|i| (i * 7919) % rows.len())
            .for_each(&mut check);
        (0..rows.len()).rev().for_each(&mut check);
    }

    /// A file of `rows` one-line records after a header, in a fresh folder.
    fn numbered_file(rows: usize) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.csv");
        let mut text = String::from("n\n");
        for i in 0..rows {
            text.push_str(&format!("{i}\n"));
        }
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    /// The numbers of a chunk's records, and a panic on the record `boom` when it holds it.
    fn numbers(boom: &Option<u64>, chunk: &Chunk) -> Vec<u64> {
        let text = std::str::from_utf8(&chunk.bytes).unwrap();
        let numbers: Vec<u64> = text.lines().map(|l| l.parse().unwrap()).collect();
        if boom.is_some_and(|b| numbers.contains(&b)) {
            panic!("record {boom:?}");
        }
        numbers
    }

    /// Reads `path` in 16-byte chunks on `threads`, taking each chunk's numbers in order; the
    /// take fails on the chunk holding `fail_at`, the scan panics on the one holding `boom`.
    fn take_numbers(
        path: &Path,
        threads: usize,
        boom: Option<u64>,
        fail_at: Option<u64>,
    ) -> Result<Vec<u64>> {
        let mut all = Vec::new();
        let lines = with_workers(threads, |workers| {
            read_chunks(
                path,
                workers,
                16,
                Hashing::Sha256,
                |_, _| Ok(boom),
                numbers,
                |_: &Option<u64>, numbers: Vec<u64>| {
                    if fail_at.is_some_and(|f| numbers.contains(&f)) {
                        return Err(Error::Usage("stop".into()));
                    }
                    all.extend(numbers);
                    Ok(())
                },
            )
            .map(|(read, _)| read.lines)
        })?;
        // The header's line too.
        assert_eq!(lines, all.len() as u64 + 1);
        Ok(all)
    }

    #[test]
    fn chunks_are_taken_back_in_file_order_by_whichever_worker_finished_them() {
        let (_dir, path) = numbered_file(3000);
        for threads in [1, 2, 3, 8] {
            let all = take_numbers(&path, threads, None, None).unwrap();
            assert_eq!(all, (0..3000).collect::<Vec<_>>(), "{threads} threads");
        }
        // Many small chunks on many workers: a result that arrives while another worker takes
        // is taken by the workers all the same (a debug build checks that none is left).
        let (_dir, path) = numbered_file(40_000);
        for _ in 0..4 {
            let all = take_numbers(&path, 8, None, None).unwrap();
            assert_eq!(all.len(), 40_000);
        }
    }

    #[test]
    fn the_reader_judges_chunks_itself_while_the_workers_are_behind() {
        // Chunks slow to judge: the one worker of two threads falls behind the reader.
        fn slow(_: &(), chunk: &Chunk) -> (Vec<u64>, bool) {
            std::thread::sleep(std::time::Duration::from_millis(2));
            let by_reader = std::thread::current()
                .name()
                .is_some_and(|n| n.starts_with("read-"));
            (numbers(&None, chunk), by_reader)
        }
        // Past the header's first read (64 KiB), in chunks of 4 KiB.
        let (_dir, path) = numbered_file(60_000);
        let (mut all, mut by) = (Vec::new(), [0, 0]);
        with_workers(2, |workers| {
            read_chunks(
                &path,
                workers,
                4096,
                Hashing::Sha256,
                |_, _| Ok(()),
                slow,
                |_: &(), (numbers, by_reader): (Vec<u64>, bool)| {
                    all.extend(numbers);
                    by[usize::from(by_reader)] += 1;
                    Ok(())
                },
            )
            .map(|(read, _)| read.lines)
        })
        .unwrap();
        assert_eq!(all, (0..60_000).collect::<Vec<_>>());
        assert!(
            by[0] > 0 && by[1] > 0,
            "chunks by worker, by reader: {by:?}"
        );
    }

    #[test]
    fn a_failed_take_stops_the_reading_and_is_returned() {
        let (_dir, path) = numbered_file(3000);
        for threads in [1, 2, 4] {
            let e = take_numbers(&path, threads, None, Some(1234)).unwrap_err();
            assert!(e.to_string().contains("stop"), "{threads} threads: {e}");
        }
    }

    #[test]
    fn a_panic_in_a_chunk_is_raised_once_every_chunk_is_back() {
        let (_dir, path) = numbered_file(3000);
        for threads in [2, 4] {
            let caught =
                std::panic::catch_unwind(|| take_numbers(&path, threads, Some(2222), None));
            let payload = caught.expect_err("the panic is raised");
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_default();
            assert_eq!(message, "record Some(2222)", "{threads} threads");
        }
    }
}
