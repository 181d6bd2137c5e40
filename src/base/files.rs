//! Files as slatement reads and records them: only regular files are read (a device, a FIFO or
//! a folder given where a file belongs is refused at once, never read forever or waited on), and
//! paths are recorded in one lexical form, so `./data/calls.csv` and `data/calls.csv` record
//! the same thing.

use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};

/// What a file that is not a regular file is, in words ("a folder", "a FIFO", …).
pub fn kind_of(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        "a folder"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// Why `path` cannot be read as a file: None when it is a regular file (or a link to one);
/// otherwise "missing", or what it is instead ("a FIFO, not a regular file").
pub fn unusable(path: &Path) -> Option<String> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => None,
        Ok(m) => Some(format!("{}, not a regular file", kind_of(&m))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Some("missing".to_string()),
        Err(e) => Some(format!("unreadable ({e})")),
    }
}

/// Opens `path` for reading only if it is a regular file. The file is opened without blocking
/// (a FIFO with no writer does not hold the run) and its type is checked on the open handle, so
/// a file swapped for a device after a check is still refused. A refusal is an
/// [`io::ErrorKind::InvalidInput`] error saying what the path is.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let meta = file.metadata()?;
    if meta.is_file() {
        Ok(file)
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{}, not a regular file", kind_of(&meta)),
        ))
    }
}

/// Reads the whole of a regular file (see [`open_regular`]).
pub fn read_regular(path: &Path) -> io::Result<Vec<u8>> {
    let mut file = open_regular(path)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Reads the whole of a regular file as UTF-8 text (see [`open_regular`]); text that is not
/// UTF-8 is an [`io::ErrorKind::InvalidData`] error.
pub fn read_text(path: &Path) -> io::Result<String> {
    String::from_utf8(read_regular(path)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not UTF-8 text"))
}

/// Normalises a path lexically, without touching the file system: `.` components go, `a/..`
/// cancels, repeated separators collapse. A leading `..` of a relative path stays (it cannot be
/// resolved without the file system) and `/..` is `/`. An empty result is `.`.
pub fn lexical(path: &Path) -> PathBuf {
    let mut parts: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match parts.last() {
                Some(Component::Normal(_)) => {
                    parts.pop();
                }
                Some(Component::RootDir) | Some(Component::Prefix(_)) => {}
                _ => parts.push(c),
            },
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        return PathBuf::from(".");
    }
    parts.iter().collect()
}

/// [`lexical`] as the text a statement records.
pub fn recorded(path: &Path) -> String {
    lexical(path).display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_forms() {
        for (given, wants) in [
            ("./examples/data", "examples/data"),
            (
                "examples//data/./2026-10/calls.csv",
                "examples/data/2026-10/calls.csv",
            ),
            ("a/../b/calls.csv", "b/calls.csv"),
            ("../shared/rates.toml", "../shared/rates.toml"),
            ("a/../../x", "../x"),
            ("/../etc/x", "/etc/x"),
            ("/data/./m/../calls.csv", "/data/calls.csv"),
            ("./", "."),
            ("a/..", "."),
            ("rates.toml", "rates.toml"),
        ] {
            assert_eq!(recorded(Path::new(given)), wants, "{given}");
        }
    }

    #[test]
    fn only_regular_files_are_read() {
        let dir = tempfile::TempDir::new().unwrap();
        let f = dir.path().join("a.csv");
        std::fs::write(&f, "x\n").unwrap();
        assert_eq!(read_regular(&f).unwrap(), b"x\n");
        assert_eq!(unusable(&f), None);
        let e = read_regular(dir.path()).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert!(e.to_string().contains("a folder"), "{e}");
        let e = read_regular(Path::new("/dev/zero")).unwrap_err();
        assert!(e.to_string().contains("a device"), "{e}");
        assert_eq!(
            unusable(&dir.path().join("none.csv")).as_deref(),
            Some("missing")
        );
        assert_eq!(
            unusable(Path::new("/dev/zero")).as_deref(),
            Some("a device, not a regular file")
        );
    }
}
