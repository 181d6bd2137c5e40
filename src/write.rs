//! Writing files safely: every file is written to a temporary file beside it and renamed into
//! place, so nothing is ever left half-written; an existing statement with other content is
//! never replaced without `--force`, and an identical one is left untouched (SPEC §5).

use crate::error::{Error, Result};
use crate::input::Reject;
use crate::render::{self, csv::escape_text};
use crate::statement::Statement;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What happened to one target file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// Created or replaced.
    Written,
    /// Already held exactly these bytes.
    Unchanged,
}

/// Writes `bytes` to `path` atomically (temporary file in the same folder, then rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(|e| Error::io(&dir, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// The files of one statement under `--out DIR`: `DIR/<month>/<vendor>/statement.{json,csv,md}`.
pub fn statement_files(out: &Path, s: &Statement) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = out.join(&s.month).join(&s.vendor.id);
    vec![
        (dir.join("statement.json"), render::json_one(s).into_bytes()),
        (
            dir.join("statement.csv"),
            render::csv::render(std::slice::from_ref(s)).into_bytes(),
        ),
        (
            dir.join("statement.md"),
            render::markdown::render_one(s).into_bytes(),
        ),
    ]
}

/// Writes every form of every statement under `out`. All targets are checked before any is
/// written, so a refusal leaves every file as it was.
pub fn write_statements(
    out: &Path,
    statements: &[Statement],
    force: bool,
) -> Result<Vec<(PathBuf, Written)>> {
    let planned: Vec<(PathBuf, Vec<u8>)> = statements
        .iter()
        .flat_map(|s| statement_files(out, s))
        .collect();
    let mut unchanged = Vec::with_capacity(planned.len());
    for (path, bytes) in &planned {
        let same = match std::fs::read(path) {
            Ok(existing) if existing == *bytes => true,
            Ok(_) if force => false,
            Ok(_) => return Err(Error::Refused { path: path.clone() }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(e) => return Err(Error::io(path, e)),
        };
        unchanged.push(same);
    }
    let mut done = Vec::with_capacity(planned.len());
    for ((path, bytes), same) in planned.into_iter().zip(unchanged) {
        if same {
            done.push((path, Written::Unchanged));
        } else {
            write_atomic(&path, &bytes)?;
            done.push((path, Written::Written));
        }
    }
    Ok(done)
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
