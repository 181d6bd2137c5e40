//! A data folder's `manifest.toml`: which file holds each input and the profile it is read
//! through, so a month of foreign exports settles with no options beyond `--data`.
//!
//! ```toml
//! [calls]
//! file = "Master.csv"
//! profile = "asterisk-cdr"
//! vendor = "acme"
//! ```

use super::profile::{read, Table, Tabled};
use super::Role;
use crate::error::{Error, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The name of the manifest in a data folder.
pub const FILE_NAME: &str = "manifest.toml";

/// One input named by a manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The file, relative to the manifest's folder.
    pub file: Option<String>,
    /// A built-in profile name or a profile file relative to the manifest's folder.
    pub profile: Option<String>,
    /// The vendor of every row, for a profile that maps none.
    pub vendor: Option<String>,
}

/// A parsed manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// Where it was read.
    pub path: PathBuf,
    /// The entry of each role, in role order.
    pub entries: [Option<Entry>; 4],
}

impl Manifest {
    /// Reads `dir/manifest.toml` when there is one.
    pub fn find(dir: &Path) -> Result<Option<Manifest>> {
        let path = dir.join(FILE_NAME);
        if !path.is_file() {
            return Ok(None);
        }
        let text = crate::base::files::read_text(&path).map_err(|e| Error::io(&path, e))?;
        Self::parse(&text, path).map(Some)
    }

    /// The folder relative paths are read against.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// The entry of `role`, if the manifest names it.
    pub fn entry(&self, role: Role) -> Option<&Entry> {
        self.entries[role as usize].as_ref()
    }

    fn parse(text: &str, path: PathBuf) -> Result<Manifest> {
        let err = |message: String| Error::Config {
            path: path.clone(),
            message,
        };
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| err(format!("not valid TOML: {e}")))?;
        let s: Sections = read(table, |key| match key.iter().count() {
            1 => format!(
                "unknown section `{key}` (a manifest has [calls], [tickets], [surveys], [orders])"
            ),
            _ => format!("unknown key `{key}` (an input has file, profile, vendor)"),
        })
        .map_err(err)?;
        Ok(Manifest {
            path: path.clone(),
            entries: [s.calls, s.tickets, s.surveys, s.orders].map(|e| e.map(|e| e.0)),
        })
    }
}

/// The manifest as written: a section per role, in [`Role::ALL`] order.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Sections {
    calls: Option<Table<Entry>>,
    tickets: Option<Table<Entry>>,
    surveys: Option<Table<Entry>>,
    orders: Option<Table<Entry>>,
}

impl Tabled for Entry {
    const TABLE: &'static str = "a table";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_read_by_role_and_unknown_keys_named() {
        let m = Manifest::parse(
            "[calls]\nfile = \"Master.csv\"\nprofile = \"asterisk-cdr\"\nvendor = \"acme\"\n",
            PathBuf::from("d/manifest.toml"),
        )
        .unwrap();
        let e = m.entry(Role::Calls).unwrap();
        assert_eq!(e.file.as_deref(), Some("Master.csv"));
        assert_eq!(e.vendor.as_deref(), Some("acme"));
        assert!(m.entry(Role::Tickets).is_none());
        assert_eq!(m.dir(), Path::new("d"));
        let e = Manifest::parse("[calls]\nfiles = \"x\"\n", PathBuf::from("manifest.toml"))
            .unwrap_err();
        assert!(e.to_string().contains("unknown key `calls.files`"), "{e}");
        let e = Manifest::parse("[call]\n", PathBuf::from("manifest.toml")).unwrap_err();
        assert_eq!(e.exit_code().code(), 78);
    }

    #[test]
    fn a_refusal_names_the_section_or_key() {
        for (text, says) in [
            (
                "[call]\n",
                "unknown section `call` (a manifest has [calls], [tickets], [surveys], [orders])",
            ),
            ("calls = [\"x\"]\n", "`calls` must be a table"),
            (
                "[calls]\nfile = 2026-10-01\n",
                "`calls.file` must be a string",
            ),
        ] {
            let e = Manifest::parse(text, PathBuf::from("manifest.toml")).unwrap_err();
            assert_eq!(e.to_string(), format!("manifest.toml: {says}"), "{text}");
        }
    }
}
