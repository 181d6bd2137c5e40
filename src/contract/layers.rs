//! The layers of `rates.toml` (SPEC §3) and where each key was written: the base sections, the
//! revisions and a vendor's overrides, how they merge (tables key by key, arrays and values
//! whole), and the errors that name a key by its dotted path as written in the layer that wrote
//! it (`vendors.acme.scorecard[0].metrics`), saying which combination failed when the path does
//! not.
//!
//! [`Cx::de`] reads a layer or a merged combination into the serde mirror of
//! [`raw`](super::raw) and turns serde's errors into these messages.

use crate::base::timestamp::Month;
use crate::contract::raw::{self, describe, Key, Lazy};
use crate::error::Error;
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde_path_to_error::Segment;
use std::path::Path;
use toml::{Table, Value};

pub(crate) fn config(path: &Path, message: impl Into<String>) -> Error {
    Error::Config {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// One step of a key path: a table key or an array index.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

pub(crate) type KeyPath = Vec<Seg>;

pub(crate) fn child(p: &[Seg], key: &str) -> KeyPath {
    let mut out = p.to_vec();
    out.push(Seg::Key(key.to_string()));
    out
}

pub(crate) fn item(p: &[Seg], i: usize) -> KeyPath {
    let mut out = p.to_vec();
    out.push(Seg::Index(i));
    out
}

/// A key as TOML would write it: bare when it can be, quoted otherwise. Keys that start with a
/// digit (revision dates) are quoted too, so they read as the strings they are.
pub(crate) fn fmt_key(k: &str) -> String {
    let bare = !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && !k.as_bytes()[0].is_ascii_digit();
    if bare {
        k.to_string()
    } else {
        let mut s = String::from("\"");
        for c in k.chars() {
            match c {
                '"' => s.push_str("\\\""),
                '\\' => s.push_str("\\\\"),
                c if c.is_control() => s.push_str(&format!("\\u{:04X}", c as u32)),
                c => s.push(c),
            }
        }
        s.push('"');
        s
    }
}

pub(crate) fn fmt_path(p: &[Seg]) -> String {
    let mut s = String::new();
    for seg in p {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(&fmt_key(k));
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// The value at `p` below `v`.
fn lookup<'v>(mut v: &'v Value, p: &[Seg]) -> Option<&'v Value> {
    for seg in p {
        v = match (seg, v) {
            (Seg::Key(k), Value::Table(t)) => t.get(k)?,
            (Seg::Index(i), Value::Array(a)) => a.get(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

fn lookup_in<'v>(table: &'v Table, p: &[Seg]) -> Option<&'v Value> {
    let (Seg::Key(k), rest) = p.split_first()? else {
        return None;
    };
    lookup(table.get(k)?, rest)
}

/// Merges `over` into `into`: tables key by key, anything else replaced whole (SPEC §3).
pub(crate) fn merge(into: &mut Table, over: &Table) {
    for (k, v) in over {
        match (into.get_mut(k), v) {
            (Some(Value::Table(a)), Value::Table(b)) => merge(a, b),
            _ => {
                into.insert(k.clone(), v.clone());
            }
        }
    }
}

/// Levenshtein distance, for "did you mean" hints.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A revision: its date (first of a month), its key as written, and its sections.
#[derive(Debug)]
pub(crate) struct Revision {
    pub date: NaiveDate,
    pub key: String,
    pub table: Table,
}

/// A layer of a terms combination, lowest priority first.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Layer {
    Base,
    Revision(usize),
    Vendor,
}

/// A value read from the file and the key path it was read from.
pub(crate) struct At<T> {
    pub v: T,
    pub p: KeyPath,
}

/// The combination being validated (base, applicable revisions, one vendor's overrides): it
/// names keys where they were written and builds the errors.
pub(crate) struct Cx<'a> {
    pub file: &'a Path,
    pub base: &'a Table,
    pub revisions: &'a [Revision],
    pub vendor: Option<(&'a str, &'a Table)>,
    pub epoch: Option<Month>,
}

impl<'a> Cx<'a> {
    pub fn new(file: &'a Path, base: &'a Table) -> Cx<'a> {
        Cx {
            file,
            base,
            revisions: &[],
            vendor: None,
            epoch: None,
        }
    }

    fn layer_table(&self, layer: Layer) -> &Table {
        match layer {
            Layer::Base => self.base,
            Layer::Revision(i) => &self.revisions[i].table,
            Layer::Vendor => self.vendor.map(|(_, t)| t).unwrap_or(self.base),
        }
    }

    /// Layers from highest priority to lowest.
    fn layers(&self) -> Vec<Layer> {
        let mut out = Vec::with_capacity(self.revisions.len() + 2);
        if self.vendor.is_some() {
            out.push(Layer::Vendor);
        }
        out.extend((0..self.revisions.len()).rev().map(Layer::Revision));
        out.push(Layer::Base);
        out
    }

    /// The layer the merged value at `p` came from. Tables merge, so each step of the path is
    /// owned by the highest layer holding it; below an array or a value, the layer that wrote it
    /// owns everything. A key that exists in no layer (a missing key) is named as in the base.
    fn owner(&self, p: &[Seg]) -> Layer {
        let layers = self.layers();
        let mut owner = Layer::Base;
        for n in 1..=p.len() {
            let found = layers
                .iter()
                .find_map(|&l| lookup_in(self.layer_table(l), &p[..n]).map(|v| (l, v)));
            match found {
                Some((l, v)) => {
                    owner = l;
                    if !v.is_table() {
                        return owner;
                    }
                }
                None => return Layer::Base,
            }
        }
        owner
    }

    fn top_layer(&self) -> Layer {
        if self.vendor.is_some() {
            Layer::Vendor
        } else if self.revisions.is_empty() {
            Layer::Base
        } else {
            Layer::Revision(self.revisions.len() - 1)
        }
    }

    /// The key at `p` as written in the file.
    pub fn name(&self, p: &[Seg]) -> String {
        self.name_in(self.owner(p), p)
    }

    fn name_in(&self, layer: Layer, p: &[Seg]) -> String {
        let rest = fmt_path(p);
        let join = |prefix: String| {
            if rest.is_empty() {
                prefix
            } else {
                format!("{prefix}.{rest}")
            }
        };
        match layer {
            Layer::Base => rest,
            Layer::Revision(i) => join(format!("revisions.{}", fmt_key(&self.revisions[i].key))),
            Layer::Vendor => join(format!(
                "vendors.{}",
                fmt_key(self.vendor.map(|(id, _)| id).unwrap_or_default())
            )),
        }
    }

    /// Which combination failed, when the key named does not already say so.
    fn context(&self, owner: Layer) -> String {
        if owner == self.top_layer() {
            return String::new();
        }
        match (self.vendor, self.epoch) {
            (Some((id, _)), Some(m)) => format!(" (in the terms of vendor `{id}` from {m} on)"),
            (Some((id, _)), None) => format!(" (in the terms of vendor `{id}`)"),
            (None, Some(m)) => format!(" (in the terms in force from {m} on)"),
            (None, None) => String::new(),
        }
    }

    /// `key `<p>`: <message>`.
    pub fn fail(&self, p: &[Seg], message: impl std::fmt::Display) -> Error {
        let owner = self.owner(p);
        config(
            self.file,
            format!(
                "key `{}`: {message}{}",
                self.name_in(owner, p),
                self.context(owner)
            ),
        )
    }

    pub fn missing(&self, p: &[Seg], hint: &str) -> Error {
        let owner = self.owner(p);
        config(
            self.file,
            format!(
                "missing key `{}`: {hint}{}",
                self.name_in(owner, p),
                self.context(owner)
            ),
        )
    }

    fn unknown(&self, p: &[Seg], allowed: &[&str]) -> Error {
        let owner = self.owner(p);
        let got = match p.last() {
            Some(Seg::Key(k)) => k.as_str(),
            _ => "",
        };
        let guess = allowed
            .iter()
            .map(|a| (edit_distance(got, a), *a))
            .filter(|(d, a)| *d <= 2 && *d < a.chars().count())
            .min()
            .map(|(_, a)| format!(" (did you mean `{a}`?)"))
            .unwrap_or_default();
        config(
            self.file,
            format!(
                "unknown key `{}`{guess}: remove it or correct its spelling; the keys allowed here are {}{}",
                self.name_in(owner, p),
                allowed.join(", "),
                self.context(owner)
            ),
        )
    }

    /// `v` (at `p`) read into the serde mirror `T`. Serde's errors become this file's messages:
    /// an unknown key lists the keys allowed beside it, a value of the wrong kind says what was
    /// found, and the leaves' own messages are kept; each names the key where it was written.
    pub fn de<T: DeserializeOwned>(&self, v: &Value, p: &[Seg]) -> Result<T, Error> {
        serde_path_to_error::deserialize(raw::for_serde(v)).map_err(|e| {
            let mut at: KeyPath = Vec::new();
            for seg in e.path().iter() {
                match seg {
                    Segment::Seq { index } => at.push(Seg::Index(*index)),
                    Segment::Map { key } => at.push(Seg::Key(key.clone())),
                    Segment::Enum { .. } | Segment::Unknown => {}
                }
            }
            let full = |rel: &[Seg]| [p, rel].concat();
            let message = e.inner().message();
            let found = |rel: &[Seg], what: &str| {
                let v = lookup(v, rel).map_or_else(|| "nothing".to_string(), describe);
                self.fail(&full(rel), format!("expected {what}, found {v}"))
            };
            if let Some(rest) = message.strip_prefix("unknown field `") {
                let parent = &at[..at.len().saturating_sub(1)];
                // A datetime reaches serde as a table with one private key.
                if !lookup(v, parent).is_some_and(Value::is_table) {
                    return found(parent, "a table");
                }
                let key = match at.last() {
                    Some(Seg::Key(k)) => k.as_str(),
                    _ => "",
                };
                let list = rest.strip_prefix(key).unwrap_or(rest);
                let allowed: Vec<&str> = list.split('`').skip(2).step_by(2).collect();
                return self.unknown(&full(&at), &allowed);
            }
            if message.starts_with("invalid type:") {
                let what = if message.ends_with("expected a sequence") {
                    "an array"
                } else {
                    "a table"
                };
                return found(&at, what);
            }
            self.fail(&full(&at), message)
        })
    }

    /// The required key `key` of the table at `p`, not yet read.
    pub fn present<'t, T>(
        &self,
        k: &'t Key<T>,
        p: &[Seg],
        key: &str,
    ) -> Result<(&'t Lazy<T>, KeyPath), Error> {
        let p = child(p, key);
        match k {
            Some(v) => Ok((v, p)),
            None => Err(self.missing(&p, "add it (rates.example.toml shows its form)")),
        }
    }

    /// The required key `key` of the table at `p`, read.
    pub fn req<T: DeserializeOwned>(
        &self,
        k: &Key<T>,
        p: &[Seg],
        key: &str,
    ) -> Result<At<T>, Error> {
        let (v, p) = self.present(k, p, key)?;
        self.open(v, p)
    }

    /// The optional key `key` of the table at `p`, read if written.
    pub fn opt<T: DeserializeOwned>(
        &self,
        k: &Key<T>,
        p: &[Seg],
        key: &str,
    ) -> Result<Option<At<T>>, Error> {
        k.as_ref().map(|v| self.open(v, child(p, key))).transpose()
    }

    /// The value `v`, written at `p`, read.
    pub fn open<T: DeserializeOwned>(&self, v: &Lazy<T>, p: KeyPath) -> Result<At<T>, Error> {
        Ok(At {
            v: self.de(&v.0, &p)?,
            p,
        })
    }

    /// A table the file keys by its own names (revisions, vendors).
    pub fn table<'v>(&self, v: &'v Value, p: &[Seg]) -> Result<&'v Table, Error> {
        v.as_table()
            .ok_or_else(|| self.fail(p, format!("expected a table, found {}", describe(v))))
    }
}
