//! Writing files safely (SPEC §5 `--out`): statements are evidence between two companies, so a
//! run's files are published whole and one run at a time.
//!
//! - **One writer per folder.** A run takes an advisory lock ([`FolderLock`], the file
//!   `DIR/.slatement.lock`) on the folders it writes to (`--out`, `--evidence`) while it writes;
//!   a second run waits for it and says so. The kernel releases the lock when the process ends,
//!   however it ends.
//! - **Published whole.** [`publish`] first decides every target (an existing statement with
//!   other content is refused without `--force`, so a refusal writes nothing; an identical file is
//!   left untouched), then writes every changed file to a temporary beside its target
//!   (`.slatement-tmp-<pid>-<n>`) and flushes it, records the renames to do in a journal in each
//!   locked folder and flushes it, renames every file into place and flushes the folders. The
//!   next run to lock a folder first completes a killed run's journal ([`recover`]), then removes
//!   every other leftover ([`remove_leftovers`]).
//! - **Modes.** A new file gets the user's umask (created with mode 0666, which the kernel masks);
//!   a replaced file keeps the mode it had.

use crate::error::{Error, Result};
use crate::input::Reject;
use crate::render::{self, csv::escape_text};
use crate::statement::Statement;
use std::collections::BTreeSet;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Every temporary file of a run starts with this name, so that leftovers of a killed run are
/// recognised and removed by the next run.
pub const TEMP_PREFIX: &str = ".slatement-tmp-";

/// The lock file a run holds in each folder it writes to.
pub const LOCK_FILE: &str = ".slatement.lock";

/// How deep below a locked folder leftovers are looked for: `DIR/<month>/<vendor>/`.
const LEFTOVER_DEPTH: usize = 2;

/// What happened to one target file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// Created or replaced.
    Written,
    /// Already held exactly these bytes.
    Unchanged,
}

/// How an existing target is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A statement: another content is replaced only with `--force` (exit 73 otherwise).
    Statement,
    /// Derived data (evidence, rejected rows): replaced freely.
    Derived,
}

/// One file a run will write.
#[derive(Debug, Clone)]
pub struct Planned {
    /// Where it goes.
    pub path: PathBuf,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// How an existing file there is treated.
    pub kind: Kind,
}

impl Planned {
    /// A statement file.
    pub fn statement(path: PathBuf, bytes: Vec<u8>) -> Planned {
        Planned {
            path,
            bytes,
            kind: Kind::Statement,
        }
    }

    /// A derived file.
    pub fn derived(path: PathBuf, bytes: Vec<u8>) -> Planned {
        Planned {
            path,
            bytes,
            kind: Kind::Derived,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// One writer per folder

/// An advisory lock on a folder, held until dropped (or until the process ends).
#[derive(Debug)]
pub struct FolderLock {
    _file: File,
    dir: PathBuf,
}

impl FolderLock {
    /// Locks `dir` (created when missing). When another run holds it, `waiting` is called once
    /// with the folder, then the call blocks until the lock is free.
    pub fn acquire(dir: &Path, waiting: &mut dyn FnMut(&Path)) -> Result<FolderLock> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let path = dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o666)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                waiting(dir);
                file.lock().map_err(|e| Error::io(&path, e))?;
            }
            Err(TryLockError::Error(e)) => return Err(Error::io(&path, e)),
        }
        Ok(FolderLock {
            _file: file,
            dir: dir.to_path_buf(),
        })
    }

    /// The folder locked.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Locks every folder of `dirs` once, in a fixed order (their canonical paths, sorted), so two
/// runs writing to the same folders never wait for each other in a circle; then removes the
/// leftovers of killed runs under each. Returns the held locks.
pub fn lock_folders(dirs: &[PathBuf], waiting: &mut dyn FnMut(&Path)) -> Result<Vec<FolderLock>> {
    // Each folder by its canonical path, told by the name it was given.
    let mut canonical = std::collections::BTreeMap::new();
    for d in dirs {
        std::fs::create_dir_all(d).map_err(|e| Error::io(d, e))?;
        let c = std::fs::canonicalize(d).map_err(|e| Error::io(d, e))?;
        canonical.entry(c).or_insert_with(|| d.clone());
    }
    let mut locks = Vec::with_capacity(canonical.len());
    for (d, given) in canonical {
        let lock = FolderLock::acquire(&d, &mut |_| waiting(&given))?;
        recover(&d)?;
        remove_leftovers(&d, LEFTOVER_DEPTH)?;
        locks.push(lock);
    }
    Ok(locks)
}

/// Removes the temporaries ([`TEMP_PREFIX`]) that killed runs left in `dir` and in its folders
/// down to `depth` levels below, except in a folder with a lock file of its own (another
/// folder's run may be writing there). Call only while holding the folder's lock. Returns how
/// many were removed.
pub fn remove_leftovers(dir: &Path, depth: usize) -> Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| Error::io(&path, e))?;
        if kind.is_dir() {
            if depth > 0 && !path.join(LOCK_FILE).exists() {
                removed += remove_leftovers(&path, depth - 1)?;
            }
        } else if kind.is_file()
            && entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(TEMP_PREFIX))
        {
            match std::fs::remove_file(&path) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(&path, e)),
            }
        }
    }
    Ok(removed)
}

// ---------------------------------------------------------------------------------------------
// Publishing a run whole

/// The folder a file goes in (`.` for a bare name).
fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Creates `dir` and its missing ancestors, noting each folder whose listing changed (the
/// parent of every folder created), so that it is flushed after the renames.
fn make_dir(dir: &Path, changed: &mut BTreeSet<PathBuf>) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let parent = parent_of(dir);
    if parent != dir {
        make_dir(&parent, changed)?;
    }
    match std::fs::create_dir(dir) {
        Ok(()) => {
            changed.insert(parent);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(Error::io(dir, e)),
    }
}

/// Flushes a folder's listing to disk, so a rename or a new entry in it survives a crash.
fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(dir, e))
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Creates a new temporary file in `dir`, named `.slatement-tmp-<pid>-<n><suffix>`, with
/// `mode` less the umask (the kernel applies it).
fn create_temp(dir: &Path, suffix: &str, mode: u32) -> Result<(PathBuf, File)> {
    loop {
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!("{TEMP_PREFIX}{}-{n}{suffix}", std::process::id()));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&path)
        {
            Ok(f) => return Ok((path, f)),
            // A leftover of an earlier process with the same id: take the next number.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::io(dir, e)),
        }
    }
}

/// What an existing target holds, as far as publishing is concerned.
enum Existing {
    None,
    Same,
    /// Other bytes, kept only when they may be refused (a statement without `--force`): the
    /// derived files of a large month are not held in memory.
    Differs {
        mode: u32,
        bytes: Option<Vec<u8>>,
    },
}

fn existing(path: &Path, bytes: &[u8], keep: bool) -> Result<Existing> {
    match crate::base::files::read_regular(path) {
        Ok(old) if old == bytes => Ok(Existing::Same),
        Ok(old) => {
            let mode = std::fs::metadata(path)
                .map_err(|e| Error::io(path, e))?
                .permissions()
                .mode();
            Ok(Existing::Differs {
                mode: mode & 0o7777,
                bytes: keep.then_some(old),
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Existing::None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Publishes every planned file as one run (see the module documentation): returns what
/// happened to each, in plan order. A statement that differs from the one on disk is
/// [`Error::Refused`] (exit 73) unless `force`, and then nothing at all is written.
///
/// Under each held folder of `locks`, the renames still to do are first recorded in a journal
/// (`.slatement-tmp-<pid>-<n>.publish`, flushed): a run killed among its renames is completed
/// by the next run that locks the folder ([`recover`]), so a folder never keeps half of a
/// run's set.
pub fn publish(
    planned: Vec<Planned>,
    force: bool,
    locks: &[FolderLock],
) -> Result<Vec<(PathBuf, Written)>> {
    publish_steps(planned, force, locks, false)
}

/// [`publish`], stopping after the journals when `killed` (as a run killed then would).
fn publish_steps(
    planned: Vec<Planned>,
    force: bool,
    locks: &[FolderLock],
    killed: bool,
) -> Result<Vec<(PathBuf, Written)>> {
    // 1. Decide every target before touching any.
    let mut decided = Vec::with_capacity(planned.len());
    for p in planned {
        let refusable = p.kind == Kind::Statement && !force;
        let old = existing(&p.path, &p.bytes, refusable)?;
        if let (Existing::Differs { bytes, .. }, true) = (&old, refusable) {
            return Err(Error::Refused {
                path: p.path.clone(),
                reason: refusal_reason(bytes.as_deref().unwrap_or_default(), &p.bytes),
            });
        }
        decided.push((p, old));
    }

    // 2. Every changed file to a temporary beside its target, flushed.
    let mut changed_dirs = BTreeSet::new();
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let result = (|| -> Result<()> {
        let mut opened = Vec::new();
        for (p, old) in &decided {
            let mode = match old {
                Existing::Same => continue,
                Existing::None => None,
                Existing::Differs { mode, .. } => Some(*mode),
            };
            let dir = parent_of(&p.path);
            make_dir(&dir, &mut changed_dirs)?;
            let (tmp, file) = create_temp(&dir, "", 0o666)?;
            staged.push((tmp, p.path.clone()));
            changed_dirs.insert(dir);
            opened.push((p, mode, file));
        }
        // Written and flushed side by side: a month's evidence runs to hundreds of MB, and each
        // flush waits on the disk by itself. The first failure in plan order is reported.
        side_by_side(opened, |(p, mode, mut file)| {
            file.write_all(&p.bytes)
                .map_err(|e| Error::io(&p.path, e))?;
            if let Some(mode) = mode {
                file.set_permissions(std::fs::Permissions::from_mode(mode))
                    .map_err(|e| Error::io(&p.path, e))?;
            }
            file.sync_all().map_err(|e| Error::io(&p.path, e))
        })
        .into_iter()
        .collect()
    })();
    if let Err(e) = result {
        for (tmp, _) in &staged {
            let _ = std::fs::remove_file(tmp);
        }
        return Err(e);
    }

    // 3. The renames to do, recorded under each held folder.
    let mut journals = Vec::new();
    for lock in locks {
        let mut entries = Vec::new();
        for (tmp, target) in &staged {
            let dir = std::fs::canonicalize(parent_of(target)).map_err(|e| Error::io(target, e))?;
            if let (Ok(rel), Some(t), Some(f)) = (
                dir.strip_prefix(lock.dir()),
                tmp.file_name(),
                target.file_name(),
            ) {
                entries.push((rel.join(t), rel.join(f)));
            }
        }
        if let Some(j) = write_journal(lock.dir(), &entries)? {
            journals.push(j);
        }
    }
    if killed {
        return Ok(Vec::new());
    }

    // 4. Into place, then the folders to disk; the journals are done with.
    for (tmp, target) in &staged {
        std::fs::rename(tmp, target).map_err(|e| Error::io(target, e))?;
    }
    for dir in &changed_dirs {
        sync_dir(dir)?;
    }
    for j in &journals {
        match std::fs::remove_file(j) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(j, e)),
        }
    }
    Ok(decided
        .into_iter()
        .map(|(p, old)| {
            let w = match old {
                Existing::Same => Written::Unchanged,
                _ => Written::Written,
            };
            (p.path, w)
        })
        .collect())
}

/// `work` done on every item, on as many threads as the machine has cores (at most one per
/// item), each taking the next item not yet taken; the results in the items' order.
fn side_by_side<T: Send, R: Send>(items: Vec<T>, work: impl Fn(T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(items.len());
    if threads <= 1 {
        return items.into_iter().map(work).collect();
    }
    let count = items.len();
    let queue = std::sync::Mutex::new(items.into_iter().enumerate());
    let done = std::sync::Mutex::new(Vec::with_capacity(count));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
                let Some((i, item)) = next else { break };
                let r = work(item);
                done.lock().unwrap_or_else(|e| e.into_inner()).push((i, r));
            });
        }
    });
    let mut done = done.into_inner().unwrap_or_else(|e| e.into_inner());
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// How a journal's name ends (it starts with [`TEMP_PREFIX`], like every temporary).
const JOURNAL_SUFFIX: &str = ".publish";
/// A journal's first line.
const JOURNAL_HEADER: &str = "slatement publish v1";
/// A journal's last line: a journal without it was never complete, and no rename was done.
const JOURNAL_END: &str = "end";

/// Records in `root` the renames still to do (temporary and target, relative to `root`, one
/// pair a line) and flushes it. None when there is nothing to record, or a name a line cannot
/// hold (then the run is published without a journal).
fn write_journal(root: &Path, entries: &[(PathBuf, PathBuf)]) -> Result<Option<PathBuf>> {
    if entries.is_empty() {
        return Ok(None);
    }
    let mut text = format!("{JOURNAL_HEADER}\n");
    for (tmp, target) in entries {
        match (tmp.to_str(), target.to_str()) {
            (Some(t), Some(f)) if !(t.contains(['\t', '\n']) || f.contains(['\t', '\n'])) => {
                text.push_str(&format!("{t}\t{f}\n"));
            }
            _ => return Ok(None),
        }
    }
    text.push_str(JOURNAL_END);
    text.push('\n');
    let (path, mut f) = create_temp(root, JOURNAL_SUFFIX, 0o666)?;
    f.write_all(text.as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| Error::io(&path, e))?;
    sync_dir(root)?;
    Ok(Some(path))
}

/// Completes the publications that killed runs recorded in `root` and did not finish: every
/// temporary a complete journal names is renamed to its target (one already renamed is
/// skipped). Call only while holding the folder's lock, before [`remove_leftovers`]. Returns
/// how many files were put in place.
pub fn recover(root: &Path) -> Result<usize> {
    let entries = match std::fs::read_dir(root) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(Error::io(root, e)),
    };
    let mut journals: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(root, e))?;
        let name = entry.file_name();
        let is_journal = name
            .to_str()
            .is_some_and(|n| n.starts_with(TEMP_PREFIX) && n.ends_with(JOURNAL_SUFFIX));
        if is_journal && entry.file_type().is_ok_and(|t| t.is_file()) {
            journals.push(entry.path());
        }
    }
    journals.sort();
    let mut done = 0;
    for journal in journals {
        let text = crate::base::files::read_regular(&journal)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let complete =
            lines.len() >= 2 && lines[0] == JOURNAL_HEADER && lines[lines.len() - 1] == JOURNAL_END;
        if complete {
            let mut dirs = BTreeSet::new();
            for line in &lines[1..lines.len() - 1] {
                let Some((tmp, target)) = line.split_once('\t') else {
                    continue;
                };
                let (tmp, target) = (root.join(tmp), root.join(target));
                // Only a temporary of ours, beside its target.
                let ours = tmp
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(TEMP_PREFIX))
                    && tmp.parent() == target.parent();
                if !ours {
                    continue;
                }
                // Already renamed (or the target's place is taken by something that is not a
                // file): nothing more to complete; the temporary, if any, is a leftover.
                if std::fs::rename(&tmp, &target).is_ok() {
                    done += 1;
                    dirs.insert(parent_of(&target));
                }
            }
            for d in &dirs {
                sync_dir(d)?;
            }
        }
        match std::fs::remove_file(&journal) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&journal, e)),
        }
    }
    Ok(done)
}

/// Creates `path` with `bytes` and file mode `mode` (less the umask), never replacing anything:
/// written whole to a temporary, flushed, then linked into place, which fails when the name is
/// taken (exit 73).
pub fn create_new(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    let dir = parent_of(path);
    let mut changed = BTreeSet::new();
    make_dir(&dir, &mut changed)?;
    let (tmp, mut f) = create_temp(&dir, "", mode)?;
    if let Err(e) = f.write_all(bytes).and_then(|_| f.sync_all()) {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(Error::Refused {
                path: path.to_path_buf(),
                reason: "the file exists; choose another name or move it away".to_string(),
            })
        }
        Err(e) => return Err(Error::io(path, e)),
    }
    changed.insert(dir);
    for d in &changed {
        sync_dir(d)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Why a statement is refused

/// Why an existing statement is not replaced: when only recorded paths, arguments or
/// signatures differ, say that the figures are identical and name what differs.
pub fn refusal_reason(on_disk: &[u8], new: &[u8]) -> String {
    let generic = "it holds a different statement; pass --force to replace it".to_string();
    let (Ok(old), Ok(new)) = (
        serde_json::from_slice::<serde_json::Value>(on_disk),
        serde_json::from_slice::<serde_json::Value>(new),
    ) else {
        return generic;
    };
    let (old_rest, old_rec) = split_record(&old);
    let (new_rest, new_rec) = split_record(&new);
    if old_rest != new_rest {
        return generic;
    }
    let mut differs: Vec<String> = Vec::new();
    let keys: BTreeSet<&String> = old_rec.keys().chain(new_rec.keys()).collect();
    for key in keys {
        let (a, b) = (old_rec.get(key), new_rec.get(key));
        if a != b {
            let show = |v: Option<&serde_json::Value>| match v {
                None => "(none)".to_string(),
                Some(v) => v.to_string(),
            };
            differs.push(format!("{key}: {} → {}", show(a), show(b)));
        }
    }
    let signed_only = differs.iter().all(|d| d.starts_with("signatures"));
    let what = if signed_only {
        "only its signatures differ, which replacing would change"
    } else {
        "only the recorded paths, arguments or signatures differ"
    };
    format!(
        "the figures are identical; {what} ({}); pass --force to replace it",
        differs.join("; ")
    )
}

/// Splits a statement into its figures and its record of where and how it was settled (input,
/// rates and disputes paths, arguments, signatures), the latter keyed by a readable name.
fn split_record(
    statement: &serde_json::Value,
) -> (
    serde_json::Value,
    std::collections::BTreeMap<String, serde_json::Value>,
) {
    let mut rest = statement.clone();
    let mut record = std::collections::BTreeMap::new();
    let Some(obj) = rest.as_object_mut() else {
        return (rest, record);
    };
    if let Some(inputs) = obj.get_mut("inputs").and_then(|v| v.as_array_mut()) {
        for input in inputs.iter_mut() {
            let role = input["role"].as_str().unwrap_or("input").to_string();
            if let Some(p) = input.as_object_mut().and_then(|o| o.shift_remove("path")) {
                record.insert(format!("inputs.{role}.path"), p);
            }
        }
    }
    for key in ["rates", "disputes"] {
        if let Some(p) = obj
            .get_mut(key)
            .and_then(|v| v.as_object_mut())
            .and_then(|o| o.shift_remove("path"))
        {
            record.insert(format!("{key}.path"), p);
        }
    }
    if let Some(serde_json::Value::Object(args)) = obj.shift_remove("arguments") {
        for (k, v) in args {
            record.insert(format!("arguments.{k}"), v);
        }
    }
    if let Some(sigs) = obj.shift_remove("signatures") {
        let signers: Vec<serde_json::Value> = sigs
            .as_array()
            .map(|a| a.iter().map(|s| s["signer"].clone()).collect())
            .unwrap_or_default();
        record.insert("signatures".to_string(), serde_json::Value::Array(signers));
    }
    // The disputes path is also quoted in the warning that names the decisions applied.
    if let (Some(p), Some(w)) = (
        record.get("disputes.path").and_then(|v| v.as_str()),
        obj.get_mut("warnings").and_then(|v| v.as_array_mut()),
    ) {
        for line in w.iter_mut() {
            if let Some(s) = line.as_str() {
                *line = serde_json::Value::String(s.replace(p, "<disputes>"));
            }
        }
    }
    (rest, record)
}

// ---------------------------------------------------------------------------------------------
// What a run writes

/// The files of one statement under `--out DIR`: `DIR/<month>/<vendor>/statement.{json,csv,md,html}`, the human forms in `lang`.
pub fn statement_files(out: &Path, s: &Statement, lang: render::Lang) -> Vec<Planned> {
    let dir = out.join(&s.month).join(&s.vendor.id);
    vec![
        Planned::statement(dir.join("statement.json"), render::json_one(s).into_bytes()),
        Planned::statement(
            dir.join("statement.csv"),
            render::csv::render(std::slice::from_ref(s)).into_bytes(),
        ),
        Planned::statement(
            dir.join("statement.md"),
            render::markdown::render_one(s, lang).into_bytes(),
        ),
        Planned::statement(
            dir.join("statement.html"),
            render::html::statement_one(s, lang).into_bytes(),
        ),
    ]
}

/// The rejects file: `file,line,column,reason,row`, one line per rejected row.
pub fn rejects_csv(rejects: &[Reject]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["file", "line", "column", "reason", "row"])
        .expect("memory");
    for r in rejects {
        w.write_record([
            escape_text(&r.file),
            r.line.to_string(),
            escape_text(&r.column),
            escape_text(&r.reason),
            escape_text(&r.raw),
        ])
        .expect("memory");
    }
    w.into_inner().expect("memory")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn work_side_by_side_comes_back_in_the_items_order() {
        // Later items finish first: the results still follow the items.
        let items: Vec<u64> = (0..12).collect();
        let out = side_by_side(items, |i| {
            std::thread::sleep(std::time::Duration::from_millis(12 - i));
            i * 10
        });
        assert_eq!(out, (0..12).map(|i| i * 10).collect::<Vec<_>>());
        assert_eq!(side_by_side(Vec::<u8>::new(), |i| i), Vec::<u8>::new());
    }

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_run_is_published_whole_or_not_at_all() {
        let dir = tempfile::TempDir::new().unwrap();
        let a = dir.path().join("m/acme/statement.json");
        let b = dir.path().join("m/brightline/statement.json");
        let e = dir.path().join("m/acme/contacts.csv");
        let done = publish(
            vec![
                Planned::statement(a.clone(), b"{\"n\": 1}\n".to_vec()),
                Planned::statement(b.clone(), b"{\"n\": 2}\n".to_vec()),
                Planned::derived(e.clone(), b"id\n".to_vec()),
            ],
            false,
            &[],
        )
        .unwrap();
        assert!(done.iter().all(|(_, w)| *w == Written::Written));
        assert_eq!(
            names(&dir.path().join("m/acme")),
            ["contacts.csv", "statement.json"]
        );
        // The same again: nothing renamed.
        let done = publish(
            vec![Planned::statement(a.clone(), b"{\"n\": 1}\n".to_vec())],
            false,
            &[],
        )
        .unwrap();
        assert_eq!(done[0].1, Written::Unchanged);
        // One refusal: not even the evidence or the other vendor is written.
        let err = publish(
            vec![
                Planned::derived(e.clone(), b"id\nx\n".to_vec()),
                Planned::statement(b.clone(), b"{\"n\": 2}\n".to_vec()),
                Planned::statement(a.clone(), b"{\"n\": 3}\n".to_vec()),
            ],
            false,
            &[],
        )
        .unwrap_err();
        assert_eq!(err.exit_code().code(), 73);
        assert_eq!(std::fs::read(&e).unwrap(), b"id\n");
        assert_eq!(std::fs::read(&a).unwrap(), b"{\"n\": 1}\n");
        assert_eq!(
            names(&dir.path().join("m/acme")),
            ["contacts.csv", "statement.json"]
        );
        // --force replaces and keeps the mode.
        std::fs::set_permissions(&a, std::fs::Permissions::from_mode(0o640)).unwrap();
        publish(
            vec![Planned::statement(a.clone(), b"{\"n\": 3}\n".to_vec())],
            true,
            &[],
        )
        .unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), b"{\"n\": 3}\n");
        assert_eq!(mode(&a), 0o640);
    }

    #[test]
    fn a_run_killed_among_its_renames_is_completed_by_the_next() {
        let dir = tempfile::TempDir::new().unwrap();
        let out = dir.path().join("out");
        let a = out.join("2026-10/acme/statement.json");
        let b = out.join("2026-10/brightline/statement.json");
        let plan = || {
            vec![
                Planned::statement(a.clone(), b"A\n".to_vec()),
                Planned::statement(b.clone(), b"B\n".to_vec()),
            ]
        };
        {
            let locks = lock_folders(std::slice::from_ref(&out), &mut |_| {}).unwrap();
            publish_steps(plan(), false, &locks, true).unwrap();
        }
        // Killed after the journal: nothing in place yet, temporaries and the journal left.
        assert!(!a.exists() && !b.exists());
        // One rename done before the kill.
        let tmp_a = std::fs::read_dir(a.parent().unwrap())
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        std::fs::rename(&tmp_a, &a).unwrap();
        // The next run to lock the folder completes the set, then removes the leftovers.
        let locks = lock_folders(std::slice::from_ref(&out), &mut |_| {}).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), b"A\n");
        assert_eq!(std::fs::read(&b).unwrap(), b"B\n");
        assert_eq!(names(&out), [".slatement.lock", "2026-10"]);
        assert_eq!(names(b.parent().unwrap()), ["statement.json"]);
        // And publishes as usual: nothing to write.
        let done = publish(plan(), false, &locks).unwrap();
        assert!(done.iter().all(|(_, w)| *w == Written::Unchanged));
        assert_eq!(names(&out), [".slatement.lock", "2026-10"]);
    }

    #[test]
    fn an_incomplete_journal_is_dropped_with_its_temporaries() {
        let dir = tempfile::TempDir::new().unwrap();
        let d = dir.path().join("2026-10/acme");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join(".slatement-tmp-9-1"), "half").unwrap();
        std::fs::write(
            dir.path().join(".slatement-tmp-9-2.publish"),
            "slatement publish v1\n2026-10/acme/.slatement-tmp-9-1\t2026-10/acme/statement.json\n",
        )
        .unwrap();
        lock_folders(&[dir.path().to_path_buf()], &mut |_| {}).unwrap();
        assert!(!d.join("statement.json").exists());
        assert!(names(&d).is_empty());
        assert_eq!(names(dir.path()), [".slatement.lock", "2026-10"]);
    }

    #[test]
    fn leftovers_of_killed_runs_go_and_nothing_else() {
        let dir = tempfile::TempDir::new().unwrap();
        let deep = dir.path().join("2026-10/acme");
        std::fs::create_dir_all(&deep).unwrap();
        for p in [
            dir.path().join(".slatement-tmp-1-0"),
            deep.join(".slatement-tmp-77-3"),
            deep.join("statement.json"),
            deep.join(".tmpXYZ"),
        ] {
            std::fs::write(p, "x").unwrap();
        }
        let too_deep = deep.join("x/y");
        std::fs::create_dir_all(&too_deep).unwrap();
        std::fs::write(too_deep.join(".slatement-tmp-5-5"), "x").unwrap();
        // A folder locked on its own is another run's to clean.
        let other = dir.path().join("other");
        std::fs::create_dir_all(&other).unwrap();
        std::fs::write(other.join(LOCK_FILE), "").unwrap();
        std::fs::write(other.join(".slatement-tmp-8-8"), "x").unwrap();
        assert_eq!(remove_leftovers(dir.path(), LEFTOVER_DEPTH).unwrap(), 2);
        assert_eq!(names(&other), [".slatement-tmp-8-8", LOCK_FILE]);
        assert_eq!(names(&deep), [".tmpXYZ", "statement.json", "x"]);
        assert_eq!(names(&too_deep), [".slatement-tmp-5-5"]);
    }

    #[test]
    fn a_held_folder_makes_the_next_writer_wait() {
        let dir = tempfile::TempDir::new().unwrap();
        let first = FolderLock::acquire(dir.path(), &mut |_| panic!("free")).unwrap();
        let path = dir.path().to_path_buf();
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let mut told = false;
            let lock = FolderLock::acquire(&path, &mut |_| {
                told = true;
                tx.send(()).unwrap();
            })
            .unwrap();
            (told, lock.dir().to_path_buf())
        });
        rx.recv().unwrap();
        drop(first);
        let (told, locked) = waiter.join().unwrap();
        assert!(told);
        assert_eq!(locked, dir.path());
    }

    #[test]
    fn a_refusal_says_when_the_figures_are_the_same() {
        let old = br#"{"inputs": [{"role": "calls", "path": "./d/calls.csv", "sha256": "a"}], "rates": {"path": "r.toml", "sha256": "b"}, "arguments": {"month": "2026-10", "vendor": null}, "totals": {"net": "1.00"}}"#;
        let moved = br#"{"inputs": [{"role": "calls", "path": "e/calls.csv", "sha256": "a"}], "rates": {"path": "r.toml", "sha256": "b"}, "arguments": {"month": "2026-10", "vendor": "acme"}, "totals": {"net": "1.00"}}"#;
        let r = refusal_reason(old, moved);
        assert!(r.starts_with("the figures are identical"), "{r}");
        assert!(
            r.contains(r#"inputs.calls.path: "./d/calls.csv" → "e/calls.csv""#),
            "{r}"
        );
        assert!(r.contains(r#"arguments.vendor: null → "acme""#), "{r}");
        let other = br#"{"inputs": [{"role": "calls", "path": "./d/calls.csv", "sha256": "c"}], "rates": {"path": "r.toml", "sha256": "b"}, "arguments": {"month": "2026-10", "vendor": null}, "totals": {"net": "1.00"}}"#;
        assert!(refusal_reason(old, other).starts_with("it holds a different statement"));
        assert!(refusal_reason(b"a,b\n", b"a,c\n").starts_with("it holds a different"));
    }

    #[test]
    fn new_files_take_the_umask_and_keys_stay_private() {
        let dir = tempfile::TempDir::new().unwrap();
        let k = dir.path().join("k.key");
        create_new(&k, b"secret", 0o600).unwrap();
        assert_eq!(mode(&k), 0o600);
        let err = create_new(&k, b"other", 0o600).unwrap_err();
        assert_eq!(err.exit_code().code(), 73);
        assert_eq!(std::fs::read(&k).unwrap(), b"secret");
        assert_eq!(names(dir.path()), ["k.key"]);
    }
}
