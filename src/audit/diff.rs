//! What changed between two statements (SPEC §6 `diff`).
//!
//! Each side is a file holding one statement object (as `settle --out` writes it) or an array of
//! statements (as `settle --format json` prints it). The statements are checked against the
//! `slatement.statement.v1` schema, read into [`Statement`] (the type that writes them),
//! matched by (vendor id, month) and compared figure by figure in
//! statement order: `assessed`, metrics, scorecards (score, item points, tier), money lines,
//! totals. Decimals are compared and subtracted exactly with [`Decimal`], counts as integers.
//! The recorded inputs (SHA-256 and path of each input file and of rates.toml, the cut-off, the
//! auditor's decisions of a re-scored statement) say why the figures changed, where they can. The result is a plain [`Diff`] value, rendered as text
//! ([`render_text`]) or as the stable JSON `slatement.diff.v1` ([`render_json`]).

use crate::base::word::Word;
use crate::error::{Error, Result};
use crate::statement::{
    Decision, DisputeKind, ItemResult, Line, MetricValue, ScorecardResult, Statement, TierResult,
    Totals, SCHEMA as STATEMENT_SCHEMA,
};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::fmt;
use std::path::Path;

/// The JSON schema name of a diff.
pub const SCHEMA: &str = "slatement.diff.v1";

/// Top-level statement keys compared figure by figure or read as causes; every other key that
/// differs is listed in [`VendorDiff::also_differ`].
const COMPARED_KEYS: [&str; 11] = [
    "schema",
    "month",
    "assessed",
    "cutoff",
    "metrics",
    "scorecards",
    "lines",
    "totals",
    "inputs",
    "rates",
    "disputes",
];

/// How many hex digits of a SHA-256 the text report shows.
const SHOWN_HASH: usize = 12;

// ---------------------------------------------------------------------------------------------
// Reading

/// The statements of one file, checked against the statement schema and read into
/// [`Statement`], in file order.
#[derive(Debug, Clone)]
pub struct Statements(Vec<Entry>);

#[derive(Debug, Clone)]
struct Entry {
    /// Its place in the file's array; None when the file is one statement object.
    index: Option<usize>,
    statement: Statement,
}

impl Statements {
    /// Reads `path`: a missing file is [`Error::MissingInput`] (exit 66), an unreadable one
    /// [`Error::Io`] (74), and one that holds no statement [`Error::NotAStatement`] (65).
    pub fn read(path: &Path) -> Result<Self> {
        let bytes = read_statement_file(path)?;
        Self::parse(&bytes).map_err(|message| Error::NotAStatement {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Parses JSON text (a UTF-8 byte order mark is allowed); the error says what is wrong.
    pub fn parse(bytes: &[u8]) -> std::result::Result<Self, String> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let value: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
        Self::from_value(value)
    }

    /// Checks a parsed value: one statement object or a non-empty array of them, each of schema
    /// `slatement.statement.v1` reading as a [`Statement`], no two for the same vendor and
    /// month.
    pub fn from_value(value: Value) -> std::result::Result<Self, String> {
        let items: Vec<(Option<usize>, Value)> = match value {
            Value::Array(items) if items.is_empty() => {
                return Err("an empty array: it holds no statement".to_string())
            }
            Value::Array(items) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Some(i), v))
                .collect(),
            Value::Object(_) => vec![(None, value)],
            other => {
                return Err(format!(
                    "expected a statement object or an array of statements, found {}",
                    type_name(&other)
                ))
            }
        };
        let mut entries: Vec<Entry> = Vec::with_capacity(items.len());
        for (index, json) in items {
            let statement = read_one(json, index)?;
            let (vendor, month) = (&statement.vendor.id, &statement.month);
            if entries
                .iter()
                .any(|e| e.statement.vendor.id == *vendor && e.statement.month == *month)
            {
                return Err(format!("two statements for vendor {vendor} in {month}"));
            }
            entries.push(Entry { index, statement });
        }
        Ok(Statements(entries))
    }

    /// Statements this program settled, as they are.
    pub fn of(statements: &[Statement]) -> Self {
        Statements(
            statements
                .iter()
                .enumerate()
                .map(|(i, s)| Entry {
                    index: Some(i),
                    statement: s.clone(),
                })
                .collect(),
        )
    }

    /// Each statement with its place in the file's array (None: the file's only statement).
    pub fn entries(&self) -> impl Iterator<Item = (Option<usize>, &Statement)> {
        self.0.iter().map(|e| (e.index, &e.statement))
    }

    /// The (vendor id, month) of each statement, in file order.
    pub fn keys(&self) -> Vec<(&str, &str)> {
        self.0
            .iter()
            .map(|e| (e.statement.vendor.id.as_str(), e.statement.month.as_str()))
            .collect()
    }

    /// How many statements there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Keeps the statements whose (vendor id, month) `keep` accepts.
    pub fn retain(&mut self, keep: impl Fn(&str, &str) -> bool) {
        self.0
            .retain(|e| keep(&e.statement.vendor.id, &e.statement.month));
    }

    fn find(&self, vendor: &str, month: &str) -> Option<&Statement> {
        self.0
            .iter()
            .map(|e| &e.statement)
            .find(|s| s.vendor.id == vendor && s.month == month)
    }
}

type Checked<T> = std::result::Result<T, String>;

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads the statement `json`, the statement at `index` of an array (None: the file's only
/// statement). The error names the statement and the key: the schema first, then the vendor and
/// month that name the statement, then any key of it (`lines[2].amount`).
fn read_one(json: Value, index: Option<usize>) -> Checked<Statement> {
    let label = match index {
        Some(i) => format!("statement [{i}]"),
        None => "the statement".to_string(),
    };
    let fail = |label: &str, e: String| format!("{label}: {e}");
    if !json.is_object() {
        return Err(fail(
            &label,
            format!("{} where a statement object was expected", type_name(&json)),
        ));
    }
    let schema = match json.get("schema") {
        Some(Value::String(s)) if s == STATEMENT_SCHEMA => None,
        Some(Value::String(s)) => Some(format!(
            "schema is \"{s}\", expected \"{STATEMENT_SCHEMA}\""
        )),
        Some(other) => Some(format!(
            "`schema` is {}, expected \"{STATEMENT_SCHEMA}\"",
            type_name(other)
        )),
        None => Some(format!(
            "no `schema` key (a statement has \"schema\": \"{STATEMENT_SCHEMA}\")"
        )),
    };
    if let Some(e) = schema {
        return Err(fail(&label, e));
    }
    // The vendor and the month name the statement in every later message.
    #[derive(serde::Deserialize)]
    struct Named {
        vendor: NamedVendor,
        month: String,
    }
    #[derive(serde::Deserialize)]
    struct NamedVendor {
        id: String,
        // Read here so that a statement without a name fails before its figures.
        #[allow(dead_code)]
        name: String,
    }
    let named: Named =
        serde_path_to_error::deserialize(&json).map_err(|e| fail(&label, unreadable(&json, &e)))?;
    let label = format!("{label} ({} {})", named.vendor.id, named.month);
    let statement: Statement =
        serde_path_to_error::deserialize(&json).map_err(|e| fail(&label, unreadable(&json, &e)))?;
    for (i, line) in statement.lines.iter().enumerate() {
        if statement.lines[..i].iter().any(|l| l.item == line.item) {
            return Err(fail(
                &label,
                format!("`lines[{i}].item` repeats the line item {}", line.item),
            ));
        }
    }
    Ok(statement)
}

/// What is wrong with a statement that does not read: the key by its path (`lines[2].amount`),
/// what it is and what was expected.
fn unreadable(json: &Value, e: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let path = e.path();
    let at = path.to_string();
    let message = e.inner().to_string();
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|m| m.strip_suffix('`'))
    {
        return if path.iter().next().is_none() {
            format!("`{field}` is missing")
        } else {
            format!("`{at}.{field}` is missing")
        };
    }
    let found = path.iter().try_fold(json, |v, segment| match segment {
        serde_path_to_error::Segment::Map { key } => v.get(key),
        serde_path_to_error::Segment::Seq { index } => v.get(index),
        _ => None,
    });
    let expected = message.rsplit_once(", expected ").map(|(_, x)| x);
    let wrong = message.starts_with("invalid type: ") || message.starts_with("invalid value: ");
    match (found, expected) {
        (Some(found), Some(expected)) if wrong => {
            // The seal's keys say it as `verify` always has; a seal that is no object reads as
            // one without its first key.
            match at.as_str() {
                "tool" => return "`tool.name` is missing".to_string(),
                "arguments" => return "`arguments.month` is missing".to_string(),
                _ => {}
            }
            // The seal's keys say it as `verify` always has.
            if expected == "a string" && (at.starts_with("tool.") || at.starts_with("arguments.")) {
                return match at.as_str() {
                    "arguments.as_of" | "arguments.vendor" | "arguments.disputes" => {
                        format!("`{at}` is neither null nor a string")
                    }
                    _ => format!("`{at}` is not a string"),
                };
            }
            let expected = match expected {
                "u64" => "a count",
                "a boolean" => "true or false",
                "a sequence" => "an array",
                x if x.contains("Decimal") => "a decimal string",
                x if x.starts_with("struct ") || x.starts_with("a map") => "an object",
                x => x,
            };
            match found {
                Value::String(s) if message.starts_with("invalid value: ") => {
                    format!("`{at}` is \"{s}\", expected {expected}")
                }
                other => format!("`{at}` is {}, expected {expected}", type_name(other)),
            }
        }
        _ => format!("`{at}`: {message}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The diff

/// What changed between two sets of statements: one entry per (vendor, month) on either side,
/// ordered by vendor id, then month.
#[derive(Debug, Clone, PartialEq)]
pub struct Diff {
    /// Each vendor's month.
    pub vendors: Vec<VendorDiff>,
}

impl Diff {
    /// True when every statement is on both sides and identical.
    pub fn is_equal(&self) -> bool {
        self.vendors.iter().all(|v| v.status == Status::Equal)
    }
}

/// How one vendor's month compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The two statements are identical.
    Equal,
    /// Both sides hold a statement and they differ.
    Changed,
    /// Only the new side holds a statement.
    Added,
    /// Only the old side holds a statement.
    Removed,
}

impl Status {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Equal => "equal",
            Status::Changed => "changed",
            Status::Added => "added",
            Status::Removed => "removed",
        }
    }
}

/// What changed in one vendor's month.
#[derive(Debug, Clone, PartialEq)]
pub struct VendorDiff {
    /// Vendor id.
    pub vendor: String,
    /// Vendor name (of the new statement when there is one).
    pub name: String,
    /// `YYYY-MM`.
    pub month: String,
    /// Equal, changed, added or removed.
    pub status: Status,
    /// The figures that differ, in statement order: assessed, metrics, scorecards, lines, totals.
    pub changes: Vec<Change>,
    /// Other top-level keys of the statement that differ (`contacts`, `settlement`, `warnings` …).
    pub also_differ: Vec<String>,
    /// Why, where the recorded inputs tell; empty unless the status is [`Status::Changed`].
    pub causes: Vec<Cause>,
}

/// What a change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Whether the month is assessed (false in trial months).
    Assessed,
    /// A metric: numerator, denominator, value.
    Metric,
    /// A scorecard's score (with its tier when the whole scorecard is added or removed).
    Scorecard,
    /// A scorecard item's points; named `<scorecard>/<metric>`.
    Item,
    /// A scorecard's tier: label, penalty, improvement_period, fails_standard.
    Tier,
    /// A money line: quantity, unit_price, amount.
    Line,
    /// A total: earned, fees_charged, penalties, charged, net.
    Total,
}

impl Kind {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Assessed => "assessed",
            Kind::Metric => "metric",
            Kind::Scorecard => "scorecard",
            Kind::Item => "item",
            Kind::Tier => "tier",
            Kind::Line => "line",
            Kind::Total => "total",
        }
    }
}

/// One figure's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Figure {
    /// A count (JSON integer).
    Count(u64),
    /// An exact decimal (JSON string); compared by value, shown as written.
    Decimal(Decimal),
    /// A metric with no data (JSON null).
    Empty,
    /// A yes/no flag.
    Flag(bool),
    /// A label.
    Text(String),
}

impl Figure {
    fn to_json(&self) -> Value {
        match self {
            Figure::Count(n) => json!(n),
            Figure::Decimal(d) => Value::String(d.to_string()),
            Figure::Empty => Value::Null,
            Figure::Flag(b) => Value::Bool(*b),
            Figure::Text(s) => Value::String(s.clone()),
        }
    }
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Figure::Count(n) => write!(f, "{n}"),
            Figure::Decimal(d) => write!(f, "{d}"),
            Figure::Empty => f.write_str("none"),
            Figure::Flag(b) => write!(f, "{b}"),
            Figure::Text(s) => f.write_str(s),
        }
    }
}

/// new − old: exact for decimals, an integer for counts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Delta {
    /// Difference of two counts.
    Count(i64),
    /// Difference of two decimals.
    Decimal(Decimal),
}

impl Delta {
    /// The delta of two figures of the same numeric kind; None for labels, flags and empty
    /// metrics.
    pub fn between(old: &Figure, new: &Figure) -> Option<Delta> {
        match (old, new) {
            (Figure::Count(o), Figure::Count(n)) => i64::try_from(i128::from(*n) - i128::from(*o))
                .ok()
                .map(Delta::Count),
            (Figure::Decimal(o), Figure::Decimal(n)) => n.checked_sub(*o).map(Delta::Decimal),
            _ => None,
        }
    }

    fn to_json(self) -> Value {
        match self {
            Delta::Count(n) => json!(n),
            Delta::Decimal(d) => Value::String(d.to_string()),
        }
    }
}

/// Signed for reading: `+8.26`, `−8.26` (a real minus sign), `±0.00`.
impl fmt::Display for Delta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (sign, abs) = match self {
            Delta::Count(n) => (n.signum(), n.unsigned_abs().to_string()),
            Delta::Decimal(d) => (
                if d.is_zero() {
                    0
                } else if d.is_sign_negative() {
                    -1
                } else {
                    1
                },
                d.abs().to_string(),
            ),
        };
        let sign = match sign {
            1 => "+",
            -1 => "\u{2212}",
            _ => "±",
        };
        write!(f, "{sign}{abs}")
    }
}

/// The named figures of one thing (a metric, a line, a tier …), in statement order.
#[derive(Debug, Clone, PartialEq)]
pub struct Fields(pub Vec<(&'static str, Figure)>);

impl Fields {
    fn get(&self, name: &str) -> Option<&Figure> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, f)| f)
    }

    fn to_json(&self) -> Value {
        Value::Object(
            self.0
                .iter()
                .map(|(n, f)| (n.to_string(), f.to_json()))
                .collect(),
        )
    }
}

/// One thing that differs: both sides' figures, or one side only (added or removed).
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// What it is.
    pub kind: Kind,
    /// Its name: metric, scorecard, `<scorecard>/<metric>`, line item, total; `assessed`.
    pub name: String,
    /// The old figures; None when added.
    pub old: Option<Fields>,
    /// The new figures; None when removed.
    pub new: Option<Fields>,
}

/// One figure that differs, with new − old where both are numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange<'a> {
    /// The figure's name (`value`, `numerator`, `amount` …).
    pub field: &'static str,
    /// Old value.
    pub old: &'a Figure,
    /// New value.
    pub new: &'a Figure,
    /// new − old, for counts and decimals.
    pub delta: Option<Delta>,
}

impl Change {
    /// The figures that differ, in order; empty when the thing is on one side only.
    pub fn fields(&self) -> Vec<FieldChange<'_>> {
        let (Some(old), Some(new)) = (&self.old, &self.new) else {
            return Vec::new();
        };
        old.0
            .iter()
            .filter_map(|(field, o)| {
                let n = new.get(field)?;
                (o != n).then(|| FieldChange {
                    field,
                    old: o,
                    new: n,
                    delta: Delta::between(o, n),
                })
            })
            .collect()
    }

    /// The money effect of a line added or removed: ±its amount.
    fn one_sided_delta(&self) -> Option<Delta> {
        if self.kind != Kind::Line {
            return None;
        }
        match (&self.old, &self.new) {
            (None, Some(n)) => match n.get("amount") {
                Some(Figure::Decimal(d)) => Some(Delta::Decimal(*d)),
                _ => None,
            },
            (Some(o), None) => match o.get("amount") {
                Some(Figure::Decimal(d)) => Some(Delta::Decimal(-*d)),
                _ => None,
            },
            _ => None,
        }
    }
}

/// Why figures may have changed, read from what the two statements recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// An input file's SHA-256 differs.
    InputChanged {
        /// calls, tickets, surveys or orders.
        role: String,
        /// Old SHA-256.
        old: String,
        /// New SHA-256.
        new: String,
    },
    /// An input role is recorded only in the new statement.
    InputAdded {
        /// The role.
        role: String,
        /// Its SHA-256.
        sha256: String,
    },
    /// An input role is recorded only in the old statement.
    InputRemoved {
        /// The role.
        role: String,
        /// Its SHA-256.
        sha256: String,
    },
    /// The rates file's SHA-256 differs.
    RatesChanged {
        /// Old SHA-256.
        old: String,
        /// New SHA-256.
        new: String,
    },
    /// A file was read from another path (role `rates` for the rates file).
    PathDiffers {
        /// The role.
        role: String,
        /// Old path.
        old: String,
        /// New path.
        new: String,
    },
    /// The cut-off for pending items differs (`--as-of`).
    CutoffDiffers {
        /// Old cut-off.
        old: String,
        /// New cut-off.
        new: String,
    },
    /// The auditor's decisions differ (`slatement rescore`): applied on the new side only,
    /// withdrawn (on the old side only), or another disputes file or other decisions on both.
    Disputes {
        /// The old statement's disputes file and decisions; None when settled as recorded.
        old: Option<DisputeSet>,
        /// The new statement's; None when settled as recorded.
        new: Option<DisputeSet>,
    },
    /// A term in force differs (rates.toml, a revision or a vendor override), named by its
    /// dotted key; `None` where the key is absent on that side.
    TermChanged {
        /// Dotted key, e.g. `takeover.aftersales.package1.phone`.
        key: String,
        /// Old value as text.
        old: Option<String>,
        /// New value as text.
        new: Option<String>,
    },
    /// Nothing recorded differs, yet the statements do (another program version or rule).
    NoRecordedInputChanged,
}

/// The disputes file a statement was re-scored with and the decisions applied to its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeSet {
    /// SHA-256 of the disputes file.
    pub sha256: String,
    /// The decisions applied, in disputes-file order.
    pub decisions: Vec<DecisionRef>,
}

/// One applied decision: the record and what was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRef {
    /// The kind of record.
    pub kind: DisputeKind,
    /// The record's id.
    pub id: String,
    /// What was decided.
    pub decision: Decision,
}

impl fmt::Display for DecisionRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.kind.as_str(),
            self.id,
            self.decision.as_str()
        )
    }
}

/// The decisions of `a` that `b` does not hold.
fn decisions_not_in<'a>(a: &'a DisputeSet, b: Option<&DisputeSet>) -> Vec<&'a DecisionRef> {
    a.decisions
        .iter()
        .filter(|d| b.is_none_or(|b| !b.decisions.contains(d)))
        .collect()
}

fn decisions_count(n: usize) -> String {
    if n == 1 {
        "1 decision".to_string()
    } else {
        format!("{n} decisions")
    }
}

impl Cause {
    fn to_json(&self) -> Value {
        let (kind, role, old, new) = match self {
            Cause::InputChanged { role, old, new } => {
                ("input_changed", Some(role), Some(old), Some(new))
            }
            Cause::InputAdded { role, sha256 } => ("input_added", Some(role), None, Some(sha256)),
            Cause::InputRemoved { role, sha256 } => {
                ("input_removed", Some(role), Some(sha256), None)
            }
            Cause::RatesChanged { old, new } => ("rates_changed", None, Some(old), Some(new)),
            Cause::PathDiffers { role, old, new } => {
                ("path_differs", Some(role), Some(old), Some(new))
            }
            Cause::CutoffDiffers { old, new } => ("cutoff_differs", None, Some(old), Some(new)),
            Cause::TermChanged { key, old, new } => {
                return json!({"kind": "term_changed", "role": "terms", "key": key, "old": old, "new": new});
            }
            Cause::Disputes { old, new } => {
                let kind = match (old, new) {
                    (None, _) => "disputes_applied",
                    (_, None) => "disputes_withdrawn",
                    _ => "disputes_changed",
                };
                let listed = |set: &Option<DisputeSet>, other: &Option<DisputeSet>, change| {
                    set.as_ref().map_or_else(Vec::new, |s| {
                        decisions_not_in(s, other.as_ref())
                            .into_iter()
                            .map(|d| json!({"kind": d.kind, "id": d.id, "decision": d.decision, "change": change}))
                            .collect()
                    })
                };
                let mut decisions = listed(new, old, "applied");
                decisions.extend(listed(old, new, "withdrawn"));
                return json!({
                    "kind": kind,
                    "role": "disputes",
                    "old": old.as_ref().map(|s| &s.sha256),
                    "new": new.as_ref().map(|s| &s.sha256),
                    "decisions": decisions,
                });
            }
            Cause::NoRecordedInputChanged => ("no_recorded_input_changed", None, None, None),
        };
        json!({"kind": kind, "role": role, "old": old, "new": new})
    }
}

/// Compares two sets of statements, matched by (vendor id, month).
pub fn diff(old: &Statements, new: &Statements) -> Diff {
    let mut keys: Vec<(&str, &str)> = old
        .0
        .iter()
        .chain(new.0.iter())
        .map(|e| (e.statement.vendor.id.as_str(), e.statement.month.as_str()))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let vendors = keys
        .into_iter()
        .map(
            |(vendor, month)| match (old.find(vendor, month), new.find(vendor, month)) {
                (Some(a), Some(b)) => compare(a, b),
                (a, b) => {
                    let (statement, status) = match (a, b) {
                        (Some(a), None) => (a, Status::Removed),
                        (_, Some(b)) => (b, Status::Added),
                        (None, None) => unreachable!("every key comes from a side"),
                    };
                    VendorDiff {
                        vendor: vendor.to_string(),
                        name: statement.vendor.name.clone(),
                        month: month.to_string(),
                        status,
                        changes: Vec::new(),
                        also_differ: Vec::new(),
                        causes: Vec::new(),
                    }
                }
            },
        )
        .collect();
    Diff { vendors }
}

fn compare(o: &Statement, n: &Statement) -> VendorDiff {
    let mut d = VendorDiff {
        vendor: n.vendor.id.clone(),
        name: n.vendor.name.clone(),
        month: n.month.clone(),
        status: Status::Equal,
        changes: Vec::new(),
        also_differ: Vec::new(),
        causes: Vec::new(),
    };
    // Identical as written: a decimal written another way ("2.0", "2.00") is another statement,
    // though the same figure.
    let (a, b) = (as_written(o), as_written(n));
    if a == b {
        return d;
    }
    d.status = Status::Changed;
    d.changes = figure_changes(o, n);
    d.also_differ = other_keys(&a, &b);
    d.causes = causes(o, n);
    d
}

/// A statement as this program writes it.
fn as_written(s: &Statement) -> Value {
    serde_json::to_value(s).expect("a statement serializes")
}

/// Pairs the entries of two ordered lists by key, in statement order: common entries in the
/// order both share, an entry of one side only where that side has it.
fn merge<'a, T, K: PartialEq>(
    old: &'a [T],
    new: &'a [T],
    key: impl Fn(&'a T) -> K,
) -> Vec<(Option<&'a T>, Option<&'a T>)> {
    let in_old = |k: K| old.iter().any(|o| key(o) == k);
    let mut out = Vec::new();
    let mut j = 0;
    for o in old {
        match new.iter().position(|n| key(n) == key(o)) {
            Some(pos) => {
                if pos >= j {
                    out.extend(
                        new[j..pos]
                            .iter()
                            .filter(|n| !in_old(key(n)))
                            .map(|n| (None, Some(n))),
                    );
                    j = pos + 1;
                }
                out.push((Some(o), Some(&new[pos])));
            }
            None => out.push((Some(o), None)),
        }
    }
    out.extend(
        new[j..]
            .iter()
            .filter(|n| !in_old(key(n)))
            .map(|n| (None, Some(n))),
    );
    out
}

fn push(out: &mut Vec<Change>, kind: Kind, name: &str, old: Option<Fields>, new: Option<Fields>) {
    if old != new {
        out.push(Change {
            kind,
            name: name.to_string(),
            old,
            new,
        });
    }
}

fn metric_fields(m: &MetricValue) -> Fields {
    Fields(vec![
        ("numerator", Figure::Count(m.numerator)),
        ("denominator", Figure::Count(m.denominator)),
        ("value", m.value.map_or(Figure::Empty, Figure::Decimal)),
    ])
}

fn tier_fields(t: &TierResult) -> Fields {
    Fields(vec![
        ("label", Figure::Text(t.label.clone())),
        ("penalty", Figure::Decimal(t.penalty)),
        ("improvement_period", Figure::Flag(t.improvement_period)),
        ("fails_standard", Figure::Flag(t.fails_standard)),
    ])
}

fn card_summary(c: &ScorecardResult) -> Fields {
    Fields(vec![
        ("score", Figure::Decimal(c.score)),
        ("tier", Figure::Text(c.tier.label.clone())),
        ("penalty", Figure::Decimal(c.tier.penalty)),
    ])
}

fn line_fields(l: &Line) -> Fields {
    Fields(vec![
        ("quantity", Figure::Decimal(l.quantity)),
        ("unit_price", Figure::Decimal(l.unit_price)),
        ("amount", Figure::Decimal(l.amount)),
    ])
}

/// The totals in statement order.
fn totals_of(t: &Totals) -> [(&'static str, Decimal); 5] {
    [
        ("earned", t.earned),
        ("fees_charged", t.fees_charged),
        ("penalties", t.penalties),
        ("charged", t.charged),
        ("net", t.net),
    ]
}

fn figure_changes(o: &Statement, n: &Statement) -> Vec<Change> {
    let mut out = Vec::new();
    let one = |name: &'static str, f: Figure| Some(Fields(vec![(name, f)]));
    push(
        &mut out,
        Kind::Assessed,
        "assessed",
        one("value", Figure::Flag(o.assessed)),
        one("value", Figure::Flag(n.assessed)),
    );
    for (a, b) in merge(&o.metrics.0, &n.metrics.0, |m| m.0) {
        let name = a.or(b).expect("one side").0.as_str();
        push(
            &mut out,
            Kind::Metric,
            name,
            a.map(|m| metric_fields(&m.1)),
            b.map(|m| metric_fields(&m.1)),
        );
    }
    for (a, b) in merge(&o.scorecards, &n.scorecards, |c| c.name.as_str()) {
        let (a, b) = match (a, b) {
            (Some(a), Some(b)) => (a, b),
            (a, b) => {
                let name = &a.or(b).expect("one side").name;
                push(
                    &mut out,
                    Kind::Scorecard,
                    name,
                    a.map(card_summary),
                    b.map(card_summary),
                );
                continue;
            }
        };
        push(
            &mut out,
            Kind::Scorecard,
            &a.name,
            one("score", Figure::Decimal(a.score)),
            one("score", Figure::Decimal(b.score)),
        );
        for (x, y) in merge(&a.items, &b.items, |i| i.metric) {
            let metric = x.or(y).expect("one side").metric.as_str();
            let points = |i: &ItemResult| Fields(vec![("points", Figure::Decimal(i.points))]);
            push(
                &mut out,
                Kind::Item,
                &format!("{}/{metric}", a.name),
                x.map(points),
                y.map(points),
            );
        }
        push(
            &mut out,
            Kind::Tier,
            &a.name,
            Some(tier_fields(&a.tier)),
            Some(tier_fields(&b.tier)),
        );
    }
    for (a, b) in merge(&o.lines, &n.lines, |l| &l.item) {
        let item = &a.or(b).expect("one side").item;
        push(
            &mut out,
            Kind::Line,
            &item.to_string(),
            a.map(line_fields),
            b.map(line_fields),
        );
    }
    for ((name, a), (_, b)) in totals_of(&o.totals).into_iter().zip(totals_of(&n.totals)) {
        push(
            &mut out,
            Kind::Total,
            name,
            one("value", Figure::Decimal(a)),
            one("value", Figure::Decimal(b)),
        );
    }
    out
}

fn other_keys(a: &Value, b: &Value) -> Vec<String> {
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return Vec::new();
    };
    a.keys()
        .chain(b.keys().filter(|k| !a.contains_key(*k)))
        .filter(|k| !COMPARED_KEYS.contains(&k.as_str()) && a.get(*k) != b.get(*k))
        .cloned()
        .collect()
}

/// The disputes file of a re-scored statement: its recorded path and its decisions.
fn dispute_set(s: &Statement) -> Option<(&str, DisputeSet)> {
    s.disputes.as_ref().map(|d| {
        (
            d.path.as_str(),
            DisputeSet {
                sha256: d.sha256.clone(),
                decisions: d
                    .applied
                    .iter()
                    .map(|a| DecisionRef {
                        kind: a.kind,
                        id: a.id.clone(),
                        decision: a.decision,
                    })
                    .collect(),
            },
        )
    })
}

fn causes(o: &Statement, n: &Statement) -> Vec<Cause> {
    let mut out = Vec::new();
    let mut paths = Vec::new();
    for (a, b) in merge(&o.inputs, &n.inputs, |r| r.role) {
        match (a, b) {
            (Some(a), Some(b)) => {
                if a.sha256 != b.sha256 {
                    out.push(Cause::InputChanged {
                        role: a.role.as_str().to_string(),
                        old: a.sha256.clone(),
                        new: b.sha256.clone(),
                    });
                }
                if a.path != b.path {
                    paths.push(Cause::PathDiffers {
                        role: a.role.as_str().to_string(),
                        old: a.path.clone(),
                        new: b.path.clone(),
                    });
                }
            }
            (Some(a), None) => out.push(Cause::InputRemoved {
                role: a.role.as_str().to_string(),
                sha256: a.sha256.clone(),
            }),
            (None, Some(b)) => out.push(Cause::InputAdded {
                role: b.role.as_str().to_string(),
                sha256: b.sha256.clone(),
            }),
            (None, None) => {}
        }
    }
    if o.rates.sha256 != n.rates.sha256 {
        out.push(Cause::RatesChanged {
            old: o.rates.sha256.clone(),
            new: n.rates.sha256.clone(),
        });
    }
    if o.rates.path != n.rates.path {
        paths.push(Cause::PathDiffers {
            role: "rates".to_string(),
            old: o.rates.path.clone(),
            new: n.rates.path.clone(),
        });
    }
    out.extend(paths);
    if o.cutoff != n.cutoff {
        out.push(Cause::CutoffDiffers {
            old: o.cutoff.clone(),
            new: n.cutoff.clone(),
        });
    }
    if o.vendor.contract_end != n.vendor.contract_end {
        out.push(Cause::TermChanged {
            key: format!("vendors.{}.contract_end", n.vendor.id),
            old: o.vendor.contract_end.clone(),
            new: n.vendor.contract_end.clone(),
        });
    }
    if let (Some(a), Some(b)) = (&o.terms, &n.terms) {
        term_changes(
            &Value::Object(a.clone()),
            &Value::Object(b.clone()),
            &mut String::new(),
            &mut out,
        );
    }
    match (dispute_set(o), dispute_set(n)) {
        (None, None) => {}
        (Some((a, x)), Some((b, y))) if x == y => {
            if a != b {
                out.push(Cause::PathDiffers {
                    role: "disputes".to_string(),
                    old: a.to_string(),
                    new: b.to_string(),
                });
            }
        }
        (a, b) => out.push(Cause::Disputes {
            old: a.map(|d| d.1),
            new: b.map(|d| d.1),
        }),
    }
    if out.is_empty() {
        out.push(Cause::NoRecordedInputChanged);
    }
    out
}

/// The leaves of two recorded `terms` trees that differ, as dotted keys in document order
/// (array elements as `[i]`; an array of tables such as `scorecard` is compared element by
/// element).
fn term_changes(a: &Value, b: &Value, key: &mut String, out: &mut Vec<Cause>) {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys = x.keys().chain(y.keys().filter(|k| !x.contains_key(*k)));
            for k in keys {
                let len = key.len();
                if !key.is_empty() {
                    key.push('.');
                }
                key.push_str(k);
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => term_changes(p, q, key, out),
                    (p, q) => out.push(Cause::TermChanged {
                        key: key.clone(),
                        old: p.map(text),
                        new: q.map(text),
                    }),
                }
                key.truncate(len);
            }
        }
        (Value::Array(x), Value::Array(y))
            if x.len() == y.len() && x.iter().chain(y).all(Value::is_object) =>
        {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                let len = key.len();
                key.push_str(&format!("[{i}]"));
                term_changes(p, q, key, out);
                key.truncate(len);
            }
        }
        (p, q) if p != q => out.push(Cause::TermChanged {
            key: key.clone(),
            old: Some(text(p)),
            new: Some(text(q)),
        }),
        _ => {}
    }
}

/// The bytes of a statement file: a missing file is [`Error::MissingInput`] (exit 66), an
/// unreadable one [`Error::Io`] (74).
pub fn read_statement_file(path: &Path) -> Result<Vec<u8>> {
    match crate::base::files::read_regular(path) {
        Ok(b) => Ok(b),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => Err(Error::MissingInput {
            role: "statement",
            path: path.to_path_buf(),
            hint: format!("{e}; give a statement.json written by `settle --out`"),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::MissingInput {
            role: "statement",
            path: path.to_path_buf(),
            hint: "give a statement.json written by `settle --out` or the output of `settle --format json`".to_string(),
        }),
        Err(e) => Err(Error::io(path, e)),
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering

/// The diff as JSON (`slatement.diff.v1`): one entry per vendor and month, each change one
/// figure (`kind`, `name`, `field`, `old`, `new`, `delta`); decimals as strings, counts as
/// integers. A thing on one side only is one change with `field` `added` or `removed` and the
/// thing's figures as an object (a line's `delta` is then ±its amount).
pub fn to_json(diff: &Diff) -> Value {
    let vendors: Vec<Value> = diff
        .vendors
        .iter()
        .map(|v| {
            let mut changes = Vec::new();
            for c in &v.changes {
                match (&c.old, &c.new) {
                    (Some(_), Some(_)) => {
                        for f in c.fields() {
                            changes.push(json!({
                                "kind": c.kind.as_str(),
                                "name": c.name,
                                "field": f.field,
                                "old": f.old.to_json(),
                                "new": f.new.to_json(),
                                "delta": f.delta.map(Delta::to_json),
                            }));
                        }
                    }
                    (old, new) => changes.push(json!({
                        "kind": c.kind.as_str(),
                        "name": c.name,
                        "field": if new.is_some() { "added" } else { "removed" },
                        "old": old.as_ref().map(Fields::to_json),
                        "new": new.as_ref().map(Fields::to_json),
                        "delta": c.one_sided_delta().map(Delta::to_json),
                    })),
                }
            }
            json!({
                "vendor": v.vendor,
                "month": v.month,
                "status": v.status.as_str(),
                "changes": changes,
                "also_differ": v.also_differ,
                "causes": v.causes.iter().map(Cause::to_json).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({"schema": SCHEMA, "equal": diff.is_equal(), "vendors": vendors})
}

/// [`to_json`] pretty-printed, ending in a newline.
pub fn render_json(diff: &Diff) -> String {
    let mut s = serde_json::to_string_pretty(&to_json(diff)).expect("a diff serializes");
    s.push('\n');
    s
}

fn short(sha: &str) -> String {
    match sha.char_indices().nth(SHOWN_HASH) {
        Some((i, _)) => format!("{}…", &sha[..i]),
        None => sha.to_string(),
    }
}

fn figure_line(kind: Kind, name: &str, f: &FieldChange<'_>) -> String {
    let what = match kind {
        Kind::Assessed => "assessed".to_string(),
        Kind::Total => name.to_string(),
        _ => format!("{} {name} {}", kind.as_str(), f.field),
    };
    match f.delta {
        Some(d) => format!("  {what}: {} → {} ({d})", f.old, f.new),
        None => format!("  {what}: {} → {}", f.old, f.new),
    }
}

fn ratio(f: &Fields) -> String {
    let get = |k| f.get(k).map_or_else(|| "?".to_string(), Figure::to_string);
    format!("{}/{}", get("numerator"), get("denominator"))
}

fn change_lines(c: &Change, out: &mut Vec<String>) {
    let kind = c.kind.as_str();
    match (&c.old, &c.new) {
        (Some(old), Some(new)) if c.kind == Kind::Metric => {
            let counts = format!("[{} → {}]", ratio(old), ratio(new));
            let value = c.fields().into_iter().find(|f| f.field == "value");
            out.push(match value {
                Some(f) => match f.delta {
                    Some(d) => format!(
                        "  metric {}: {} → {} ({d})   {counts}",
                        c.name, f.old, f.new
                    ),
                    None => format!("  metric {}: {} → {}   {counts}", c.name, f.old, f.new),
                },
                None => {
                    let v = old.get("value").map_or_else(String::new, Figure::to_string);
                    format!("  metric {}: {v} (value unchanged)   {counts}", c.name)
                }
            });
        }
        (Some(_), Some(_)) => {
            for f in c.fields() {
                out.push(figure_line(c.kind, &c.name, &f));
            }
        }
        (old, new) => {
            let (how, fields) = match (old, new) {
                (_, Some(n)) => ("added", n),
                (Some(o), None) => ("removed", o),
                (None, None) => return,
            };
            let shown = match c.kind {
                Kind::Line => {
                    let get = |k| fields.get(k).map_or_else(String::new, Figure::to_string);
                    format!(
                        "{} × {} = {}",
                        get("quantity"),
                        get("unit_price"),
                        get("amount")
                    )
                }
                Kind::Metric => format!(
                    "{} [{}]",
                    fields
                        .get("value")
                        .map_or_else(String::new, Figure::to_string),
                    ratio(fields)
                ),
                _ => fields
                    .0
                    .iter()
                    .map(|(n, f)| format!("{n} {f}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            out.push(format!("  {kind} {} {how}: {shown}", c.name));
        }
    }
}

fn cause_lines(causes: &[Cause], out: &mut Vec<String>) {
    // Paths that differ are shown together, where the first of them stands.
    let paths: Vec<String> = causes
        .iter()
        .filter_map(|c| match c {
            Cause::PathDiffers { role, old, new } => Some(format!("{role}: {old} → {new}")),
            _ => None,
        })
        .collect();
    let mut paths_shown = false;
    for c in causes {
        let line = match c {
            Cause::InputChanged { role, old, new } => format!(
                "{role} input changed (sha256 {} → {})",
                short(old),
                short(new)
            ),
            Cause::InputAdded { role, sha256 } => {
                format!("{role} input added (sha256 {})", short(sha256))
            }
            Cause::InputRemoved { role, sha256 } => {
                format!("{role} input removed (was sha256 {})", short(sha256))
            }
            Cause::RatesChanged { old, new } => {
                format!(
                    "rates.toml changed (sha256 {} → {})",
                    short(old),
                    short(new)
                )
            }
            Cause::PathDiffers { .. } if paths_shown => continue,
            Cause::PathDiffers { .. } => {
                paths_shown = true;
                format!("input paths differ ({})", paths.join("; "))
            }
            Cause::CutoffDiffers { old, new } => format!("cut-off differs ({old} → {new})"),
            Cause::TermChanged { key, old, new } => {
                let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "(absent)".to_string());
                format!("term changed: {key} {} → {}", show(old), show(new))
            }
            Cause::Disputes { old, new } => {
                let head = match (old, new) {
                    (None, Some(n)) => format!(
                        "disputes applied: {} (file sha256 {})",
                        decisions_count(n.decisions.len()),
                        short(&n.sha256)
                    ),
                    (Some(o), None) => format!(
                        "disputes withdrawn: {} (file sha256 {})",
                        decisions_count(o.decisions.len()),
                        short(&o.sha256)
                    ),
                    (Some(o), Some(n)) if o.sha256 == n.sha256 => format!(
                        "disputes differ: {} → {} (file sha256 {})",
                        o.decisions.len(),
                        decisions_count(n.decisions.len()),
                        short(&n.sha256)
                    ),
                    (Some(o), Some(n)) => format!(
                        "disputes changed: {} → {} (file sha256 {} → {})",
                        o.decisions.len(),
                        decisions_count(n.decisions.len()),
                        short(&o.sha256),
                        short(&n.sha256)
                    ),
                    (None, None) => continue,
                };
                out.push(format!("  cause: {head}"));
                // One side only: every decision; both: those that differ, marked.
                let both = old.is_some() && new.is_some();
                for (set, other, mark) in [(new, old, "+ "), (old, new, "\u{2212} ")] {
                    if let Some(set) = set {
                        for d in decisions_not_in(set, other.as_ref()) {
                            out.push(format!("    {}{d}", if both { mark } else { "" }));
                        }
                    }
                }
                continue;
            }
            Cause::NoRecordedInputChanged => "no recorded input changed".to_string(),
        };
        out.push(format!("  cause: {line}"));
    }
}

/// The diff as a readable report: a section per vendor and month, one line per changed figure
/// (a metric's value with its numerator/denominator on one line), then the other parts of the
/// statement that differ and the causes. Empty when the statements are identical.
pub fn render_text(diff: &Diff) -> String {
    if diff.is_equal() {
        return String::new();
    }
    let mut sections = Vec::new();
    for v in &diff.vendors {
        let head = format!("{} ({}) · {}", v.name, v.vendor, v.month);
        let mut lines = Vec::new();
        match v.status {
            Status::Equal => lines.push(format!("{head}: identical")),
            Status::Added => lines.push(format!("{head}: added (only in the new statements)")),
            Status::Removed => lines.push(format!("{head}: removed (only in the old statements)")),
            Status::Changed => {
                lines.push(head);
                if v.changes.is_empty() {
                    lines.push("  no figure changed".to_string());
                }
                for c in &v.changes {
                    change_lines(c, &mut lines);
                }
                if !v.also_differ.is_empty() {
                    lines.push(format!("  also different: {}", v.also_differ.join(", ")));
                }
                cause_lines(&v.causes, &mut lines);
            }
        }
        sections.push(lines.join("\n") + "\n");
    }
    sections.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    const SHA_A: &str = "554e96142d9c84adb025bbe10d42194765ae39be02b6eeb1b308cd9ac4a8ac31";
    const SHA_B: &str = "606d6736c9c3aa8bbf3d2a9a4d0a59f7c4ae1e0fb7d3c5c3a4e6f1c2b9d8e7f6";
    const RATES: &str = "ae44bf3e0dd162194387654010897e3141d097f9da9ae885b567fe28fbbe1eb0";

    /// A statement shaped like the example month's `acme` (its figures abridged: two metrics,
    /// four lines, two inputs), every other part as the example settles it.
    fn statement(vendor: &str, month: &str) -> Value {
        let golden: Value =
            serde_json::from_str(include_str!("../../tests/fixtures/golden/2026-10.json")).unwrap();
        let mut s = golden[0].clone();
        let figures = abridged(vendor, month);
        for (k, v) in figures.as_object().unwrap() {
            match k.as_str() {
                "vendor" => {
                    s["vendor"]["id"] = v["id"].clone();
                    s["vendor"]["name"] = v["name"].clone();
                }
                "contacts" | "settlement" => {}
                _ => s[k] = v.clone(),
            }
        }
        s
    }

    fn abridged(vendor: &str, month: &str) -> Value {
        json!({
            "schema": "slatement.statement.v1",
            "month": month,
            "vendor": {"id": vendor, "name": format!("{vendor} Co.")},
            "currency": "CNY",
            "assessed": true,
            "assessed_from": "2026-08",
            "cutoff": "2026-11-01T00:00:00+08:00",
            "metrics": {
                "answer_rate": {"numerator": 1527, "denominator": 1657, "value": "0.9215"},
                "satisfaction": {"numerator": 377, "denominator": 487, "value": "0.7741"}
            },
            "contacts": {"offered": 1657, "answered": 1527},
            "scorecards": [{
                "name": "consulting", "score": "84.83",
                "items": [
                    {"metric": "answer_rate", "value": "0.9215", "target": "0.90", "weight": "50", "points": "50.00"},
                    {"metric": "satisfaction", "value": "0.7741", "target": "0.85", "weight": "50", "points": "34.83"}
                ],
                "tier": {"label": "meets standard", "penalty": "0.00", "improvement_period": false, "fails_standard": false}
            }],
            "lines": [
                {"section": "earn", "item": "earn/phone_effective_call", "quantity": "740", "unit_price": "2.00", "amount": "1480.00"},
                {"section": "earn", "item": "earn/commission", "quantity": "239857.61", "unit_price": "0.03", "amount": "7195.73"},
                {"section": "takeover", "item": "takeover/service_order", "quantity": "5", "unit_price": "8.26", "amount": "41.30"},
                {"section": "overdue", "item": "overdue/work_order", "quantity": "11", "unit_price": "8.26", "amount": "90.86"}
            ],
            "totals": {"earned": "8675.73", "fees_charged": "132.16", "penalties": "0.00", "charged": "132.16", "net": "8543.57"},
            "settlement": {"direction": "platform_pays_vendor", "amount": "8543.57"},
            "inputs": [
                {"role": "calls", "path": "data/2026-10/calls.csv", "sha256": SHA_A},
                {"role": "tickets", "path": "data/2026-10/tickets.csv", "sha256": SHA_A}
            ],
            "rates": {"path": "rates.toml", "sha256": RATES},
            "warnings": []
        })
    }

    fn set(v: &mut Value, pointer: &str, to: Value) {
        *v.pointer_mut(pointer)
            .unwrap_or_else(|| panic!("no {pointer}")) = to;
    }

    fn set_of(values: Vec<Value>) -> Statements {
        Statements::from_value(Value::Array(values)).expect("valid statements")
    }

    fn diff_one(old: &Value, new: &Value) -> Diff {
        diff(
            &Statements::from_value(old.clone()).unwrap(),
            &Statements::from_value(new.clone()).unwrap(),
        )
    }

    fn changes_json(d: &Diff) -> Vec<Value> {
        to_json(d)["vendors"][0]["changes"]
            .as_array()
            .unwrap()
            .clone()
    }

    #[test]
    fn identical_statements_are_equal_with_an_empty_report() {
        let a = statement("acme", "2026-10");
        let d = diff_one(&a, &a.clone());
        assert!(d.is_equal());
        assert_eq!(d.vendors.len(), 1);
        assert_eq!(d.vendors[0].status, Status::Equal);
        assert!(d.vendors[0].changes.is_empty() && d.vendors[0].causes.is_empty());
        assert_eq!(render_text(&d), "");
        assert_eq!(
            to_json(&d),
            json!({"schema": "slatement.diff.v1", "equal": true, "vendors": [{
                "vendor": "acme", "month": "2026-10", "status": "equal",
                "changes": [], "also_differ": [], "causes": []
            }]})
        );
    }

    #[test]
    fn a_changed_metric_shows_value_and_counts_with_exact_deltas() {
        let a = statement("acme", "2026-10");
        let mut b = a.clone();
        set(&mut b, "/metrics/answer_rate/numerator", json!(1541));
        set(&mut b, "/metrics/answer_rate/value", json!("0.9300"));
        set(&mut b, "/inputs/0/sha256", json!(SHA_B));
        let d = diff_one(&a, &b);
        assert!(!d.is_equal());
        let v = &d.vendors[0];
        assert_eq!(v.status, Status::Changed);
        assert_eq!(v.changes.len(), 1);
        assert_eq!(
            changes_json(&d),
            vec![
                json!({"kind": "metric", "name": "answer_rate", "field": "numerator", "old": 1527, "new": 1541, "delta": 14}),
                json!({"kind": "metric", "name": "answer_rate", "field": "value", "old": "0.9215", "new": "0.9300", "delta": "0.0085"}),
            ]
        );
        assert_eq!(
            render_text(&d),
            "acme Co. (acme) · 2026-10\n\
             \x20 metric answer_rate: 0.9215 → 0.9300 (+0.0085)   [1527/1657 → 1541/1657]\n\
             \x20 cause: calls input changed (sha256 554e96142d9c… → 606d6736c9c3…)\n"
        );
    }

    #[test]
    fn a_metric_whose_rounded_value_holds_still_shows_its_counts() {
        let a = statement("acme", "2026-10");
        let mut b = a.clone();
        set(&mut b, "/metrics/answer_rate/numerator", json!(1528));
        set(&mut b, "/metrics/answer_rate/denominator", json!(1658));
        let d = diff_one(&a, &b);
        assert!(render_text(&d).contains(
            "  metric answer_rate: 0.9215 (value unchanged)   [1527/1657 → 1528/1658]\n"
        ));
        let fields: Vec<Value> = changes_json(&d)
            .iter()
            .map(|c| c["field"].clone())
            .collect();
        assert_eq!(fields, vec![json!("numerator"), json!("denominator")]);
    }

    #[test]
    fn an_empty_metric_has_no_delta() {
        let a = statement("acme", "2026-10");
        let mut b = a.clone();
        set(
            &mut b,
            "/metrics/satisfaction",
            json!({"numerator": 0, "denominator": 0, "value": null}),
        );
        let d = diff_one(&a, &b);
        let c = changes_json(&d);
        assert_eq!(
            c[2],
            json!({"kind": "metric", "name": "satisfaction", "field": "value", "old": "0.7741", "new": null, "delta": null})
        );
        assert_eq!(c[0]["delta"], json!(-377));
        assert!(
            render_text(&d).contains("  metric satisfaction: 0.7741 → none   [377/487 → 0/0]\n")
        );
    }

    #[test]
    fn net_and_line_deltas_are_exact_decimals() {
        // A sixth platform service order: takeover 41.30 → 49.56, net 9786.47 → 9778.21.
        let mut a = statement("acme", "2026-10");
        set(&mut a, "/totals/net", json!("9786.47"));
        let mut b = a.clone();
        set(&mut b, "/lines/2/quantity", json!("6"));
        set(&mut b, "/lines/2/amount", json!("49.56"));
        set(&mut b, "/totals/fees_charged", json!("140.42"));
        set(&mut b, "/totals/charged", json!("140.42"));
        set(&mut b, "/totals/net", json!("9778.21"));
        let d = diff_one(&a, &b);
        let text = render_text(&d);
        assert_eq!(
            text,
            "acme Co. (acme) · 2026-10\n\
             \x20 line takeover/service_order quantity: 5 → 6 (+1)\n\
             \x20 line takeover/service_order amount: 41.30 → 49.56 (+8.26)\n\
             \x20 fees_charged: 132.16 → 140.42 (+8.26)\n\
             \x20 charged: 132.16 → 140.42 (+8.26)\n\
             \x20 net: 9786.47 → 9778.21 (\u{2212}8.26)\n\
             \x20 cause: no recorded input changed\n"
        );
        let net = changes_json(&d).pop().unwrap();
        assert_eq!(
            net,
            json!({"kind": "total", "name": "net", "field": "value", "old": "9786.47", "new": "9778.21", "delta": "-8.26"})
        );
        match d.vendors[0].changes.last().unwrap().fields()[0].delta {
            Some(Delta::Decimal(x)) => assert_eq!(x, Decimal::new(-826, 2)),
            ref other => panic!("{other:?}"),
        }
        assert_eq!(
            to_json(&d)["vendors"][0]["causes"],
            json!([{"kind": "no_recorded_input_changed", "role": null, "old": null, "new": null}])
        );
    }

    #[test]
    fn a_line_on_one_side_is_added_or_removed_in_statement_order() {
        let a = statement("acme", "2026-10");
        let mut b = a.clone();
        // Remove the takeover line; add a presales takeover before it and a penalty at the end.
        let lines = b["lines"].as_array_mut().unwrap();
        lines.remove(2);
        lines.insert(
            2,
            json!({"section": "takeover", "item": "takeover/presales/phone", "quantity": "5", "unit_price": "3.50", "amount": "17.50"}),
        );
        lines.push(json!({"section": "penalty", "item": "penalty/consulting", "quantity": "1", "unit_price": "2000.00", "amount": "2000.00"}));
        let d = diff_one(&a, &b);
        let c = changes_json(&d);
        let names: Vec<(&str, &str)> = c
            .iter()
            .map(|c| (c["name"].as_str().unwrap(), c["field"].as_str().unwrap()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("takeover/service_order", "removed"),
                ("takeover/presales/phone", "added"),
                ("penalty/consulting", "added"),
            ]
        );
        assert_eq!(
            c[0],
            json!({"kind": "line", "name": "takeover/service_order", "field": "removed",
                   "old": {"quantity": "5", "unit_price": "8.26", "amount": "41.30"}, "new": null, "delta": "-41.30"})
        );
        assert_eq!(c[2]["delta"], json!("2000.00"));
        let text = render_text(&d);
        assert!(text.contains("  line takeover/service_order removed: 5 × 8.26 = 41.30\n"));
        assert!(text.contains("  line takeover/presales/phone added: 5 × 3.50 = 17.50\n"));
        assert!(text.contains("  line penalty/consulting added: 1 × 2000.00 = 2000.00\n"));
    }

    #[test]
    fn scorecard_points_score_tier_and_assessed_in_statement_order() {
        let mut a = statement("acme", "2026-10");
        set(&mut a, "/assessed", json!(false));
        let mut b = statement("acme", "2026-10");
        set(&mut b, "/scorecards/0/score", json!("76.00"));
        set(&mut b, "/scorecards/0/items/1/points", json!("26.00"));
        set(&mut b, "/scorecards/0/tier/label", json!("below standard"));
        set(&mut b, "/scorecards/0/tier/penalty", json!("2000.00"));
        set(&mut b, "/scorecards/0/tier/improvement_period", json!(true));
        let d = diff_one(&a, &b);
        let kinds: Vec<(String, String)> = changes_json(&d)
            .iter()
            .map(|c| {
                (
                    format!(
                        "{} {}",
                        c["kind"].as_str().unwrap(),
                        c["name"].as_str().unwrap()
                    ),
                    c["field"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let want: Vec<(String, String)> = [
            ("assessed assessed", "value"),
            ("scorecard consulting", "score"),
            ("item consulting/satisfaction", "points"),
            ("tier consulting", "label"),
            ("tier consulting", "penalty"),
            ("tier consulting", "improvement_period"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        assert_eq!(kinds, want);
        assert_eq!(changes_json(&d)[0]["old"], json!(false));
        assert_eq!(
            render_text(&d),
            "acme Co. (acme) · 2026-10\n\
             \x20 assessed: false → true\n\
             \x20 scorecard consulting score: 84.83 → 76.00 (\u{2212}8.83)\n\
             \x20 item consulting/satisfaction points: 34.83 → 26.00 (\u{2212}8.83)\n\
             \x20 tier consulting label: meets standard → below standard\n\
             \x20 tier consulting penalty: 0.00 → 2000.00 (+2000.00)\n\
             \x20 tier consulting improvement_period: false → true\n\
             \x20 cause: no recorded input changed\n"
        );
    }

    #[test]
    fn a_scorecard_on_one_side_is_added_or_removed_with_its_tier() {
        let a = statement("acme", "2026-10");
        let mut b = a.clone();
        let mut card = b["scorecards"][0].clone();
        set(&mut card, "/name", json!("aftersales"));
        b["scorecards"].as_array_mut().unwrap().push(card);
        let d = diff_one(&a, &b);
        assert_eq!(
            changes_json(&d),
            vec![
                json!({"kind": "scorecard", "name": "aftersales", "field": "added", "old": null,
                        "new": {"score": "84.83", "tier": "meets standard", "penalty": "0.00"}, "delta": null})
            ]
        );
        assert!(render_text(&diff_one(&b, &a)).contains(
            "  scorecard aftersales removed: score 84.83, tier meets standard, penalty 0.00\n"
        ));
    }

    #[test]
    fn a_vendor_or_month_on_one_side_is_added_or_removed_ordered_by_id_then_month() {
        let acme = statement("acme", "2026-10");
        let old = set_of(vec![statement("zeta", "2026-10"), acme.clone()]);
        let new = set_of(vec![
            statement("acme", "2026-11"),
            acme,
            statement("brightline", "2026-10"),
        ]);
        let d = diff(&old, &new);
        let got: Vec<(&str, &str, Status)> = d
            .vendors
            .iter()
            .map(|v| (v.vendor.as_str(), v.month.as_str(), v.status))
            .collect();
        assert_eq!(
            got,
            vec![
                ("acme", "2026-10", Status::Equal),
                ("acme", "2026-11", Status::Added),
                ("brightline", "2026-10", Status::Added),
                ("zeta", "2026-10", Status::Removed),
            ]
        );
        assert!(!d.is_equal());
        assert_eq!(
            render_text(&d),
            "acme Co. (acme) · 2026-10: identical\n\
             \n\
             acme Co. (acme) · 2026-11: added (only in the new statements)\n\
             \n\
             brightline Co. (brightline) · 2026-10: added (only in the new statements)\n\
             \n\
             zeta Co. (zeta) · 2026-10: removed (only in the old statements)\n"
        );
        assert_eq!(to_json(&d)["vendors"][3]["status"], json!("removed"));
    }

    #[test]
    fn causes_name_each_recorded_difference() {
        let a = statement("acme", "2026-10");
        let mut b = a.clone();
        set(&mut b, "/inputs/0/sha256", json!(SHA_B));
        set(&mut b, "/inputs/1/path", json!("other/tickets.csv"));
        set(&mut b, "/rates/sha256", json!(SHA_B));
        set(&mut b, "/rates/path", json!("rates-2027.toml"));
        set(&mut b, "/cutoff", json!("2026-11-05T00:00:00+08:00"));
        b["inputs"]
            .as_array_mut()
            .unwrap()
            .push(json!({"role": "orders", "path": "data/2026-10/orders.csv", "sha256": SHA_B}));
        let d = diff_one(&a, &b);
        let v = &d.vendors[0];
        assert!(v.changes.is_empty());
        assert_eq!(
            v.causes,
            vec![
                Cause::InputChanged {
                    role: "calls".into(),
                    old: SHA_A.into(),
                    new: SHA_B.into()
                },
                Cause::InputAdded {
                    role: "orders".into(),
                    sha256: SHA_B.into()
                },
                Cause::RatesChanged {
                    old: RATES.into(),
                    new: SHA_B.into()
                },
                Cause::PathDiffers {
                    role: "tickets".into(),
                    old: "data/2026-10/tickets.csv".into(),
                    new: "other/tickets.csv".into()
                },
                Cause::PathDiffers {
                    role: "rates".into(),
                    old: "rates.toml".into(),
                    new: "rates-2027.toml".into()
                },
                Cause::CutoffDiffers {
                    old: "2026-11-01T00:00:00+08:00".into(),
                    new: "2026-11-05T00:00:00+08:00".into()
                },
            ]
        );
        assert_eq!(
            render_text(&d),
            "acme Co. (acme) · 2026-10\n\
             \x20 no figure changed\n\
             \x20 cause: calls input changed (sha256 554e96142d9c… → 606d6736c9c3…)\n\
             \x20 cause: orders input added (sha256 606d6736c9c3…)\n\
             \x20 cause: rates.toml changed (sha256 ae44bf3e0dd1… → 606d6736c9c3…)\n\
             \x20 cause: input paths differ (tickets: data/2026-10/tickets.csv → other/tickets.csv; rates: rates.toml → rates-2027.toml)\n\
             \x20 cause: cut-off differs (2026-11-01T00:00:00+08:00 → 2026-11-05T00:00:00+08:00)\n"
        );
        assert_eq!(
            to_json(&d)["vendors"][0]["causes"][0],
            json!({"kind": "input_changed", "role": "calls", "old": SHA_A, "new": SHA_B})
        );

        // An input recorded on the old side only.
        let d = diff_one(&b, &a);
        assert!(d.vendors[0].causes.contains(&Cause::InputRemoved {
            role: "orders".into(),
            sha256: SHA_B.into()
        }));
    }

    fn disputes(sha: &str, applied: &[(&str, &str, &str)]) -> Value {
        let applied: Vec<Value> = applied
            .iter()
            .enumerate()
            .map(|(i, (kind, id, decision))| {
                json!({"line": i + 2, "kind": kind, "id": id, "decision": decision,
                       "reason": "audit", "decided_by": "Li Wei"})
            })
            .collect();
        json!({"path": "disputes.csv", "sha256": sha, "applied": applied})
    }

    #[test]
    fn disputes_on_the_new_side_only_are_the_cause_and_listed() {
        let a = statement("acme", "2026-10");
        let mut b = a.clone();
        set(&mut b, "/lines/3/quantity", json!("10"));
        set(&mut b, "/lines/3/amount", json!("82.60"));
        b["disputes"] = disputes(
            SHA_B,
            &[
                ("ticket", "T0000248", "on_time"),
                ("contact", "C1", "exclude"),
            ],
        );
        let d = diff_one(&a, &b);
        let v = &d.vendors[0];
        // `disputes` is read as a cause, not listed as another part that differs.
        assert!(v.also_differ.is_empty(), "{:?}", v.also_differ);
        let on_time = DecisionRef {
            kind: DisputeKind::Ticket,
            id: "T0000248".into(),
            decision: Decision::OnTime,
        };
        let exclude = DecisionRef {
            kind: DisputeKind::Contact,
            id: "C1".into(),
            decision: Decision::Exclude,
        };
        assert_eq!(
            v.causes,
            vec![Cause::Disputes {
                old: None,
                new: Some(DisputeSet {
                    sha256: SHA_B.into(),
                    decisions: vec![on_time.clone(), exclude.clone()],
                }),
            }]
        );
        assert!(render_text(&d).ends_with(
            "  line overdue/work_order amount: 90.86 → 82.60 (\u{2212}8.26)\n\
             \x20 cause: disputes applied: 2 decisions (file sha256 606d6736c9c3…)\n\
             \x20   ticket T0000248 on_time\n\
             \x20   contact C1 exclude\n"
        ));
        assert_eq!(
            to_json(&d)["vendors"][0]["causes"],
            json!([{"kind": "disputes_applied", "role": "disputes", "old": null, "new": SHA_B,
            "decisions": [
                {"kind": "ticket", "id": "T0000248", "decision": "on_time", "change": "applied"},
                {"kind": "contact", "id": "C1", "decision": "exclude", "change": "applied"}
            ]}])
        );

        // The other way round they were withdrawn; an explicit null reads as none.
        let mut a_null = a.clone();
        a_null["disputes"] = Value::Null;
        let d = diff_one(&b, &a_null);
        assert!(render_text(&d).contains(
            "  cause: disputes withdrawn: 2 decisions (file sha256 606d6736c9c3…)\n\
             \x20   ticket T0000248 on_time\n"
        ));
        assert_eq!(
            to_json(&d)["vendors"][0]["causes"][0]["kind"],
            json!("disputes_withdrawn")
        );
    }

    #[test]
    fn disputes_on_both_sides_show_the_decisions_that_differ() {
        let mut a = statement("acme", "2026-10");
        a["disputes"] = disputes(
            SHA_A,
            &[("ticket", "T1", "on_time"), ("contact", "C1", "answered")],
        );
        let mut b = a.clone();
        b["disputes"] = disputes(
            SHA_B,
            &[("ticket", "T1", "on_time"), ("order", "O1", "exclude")],
        );
        let d = diff_one(&a, &b);
        assert_eq!(
            render_text(&d),
            "acme Co. (acme) · 2026-10\n\
             \x20 no figure changed\n\
             \x20 cause: disputes changed: 2 → 2 decisions (file sha256 554e96142d9c… → 606d6736c9c3…)\n\
             \x20   + order O1 exclude\n\
             \x20   \u{2212} contact C1 answered\n"
        );
        let decisions = &to_json(&d)["vendors"][0]["causes"][0]["decisions"];
        assert_eq!(
            decisions,
            &json!([
                {"kind": "order", "id": "O1", "decision": "exclude", "change": "applied"},
                {"kind": "contact", "id": "C1", "decision": "answered", "change": "withdrawn"}
            ])
        );

        // The same decisions from another path: only the path differs.
        let mut c = a.clone();
        set(&mut c, "/disputes/path", json!("audit/disputes.csv"));
        let d = diff_one(&a, &c);
        assert_eq!(
            d.vendors[0].causes,
            vec![Cause::PathDiffers {
                role: "disputes".into(),
                old: "disputes.csv".into(),
                new: "audit/disputes.csv".into()
            }]
        );

        // Identical disputes on both sides are no cause.
        let mut e = a.clone();
        set(&mut e, "/lines/0/amount", json!("1482.00"));
        assert_eq!(
            diff_one(&a, &e).vendors[0].causes,
            vec![Cause::NoRecordedInputChanged]
        );

        // A malformed disputes block names its key.
        let mut f = a.clone();
        set(&mut f, "/disputes/applied/1/id", json!(7));
        assert_eq!(
            parse_err(&f.to_string()),
            "the statement (acme 2026-10): `disputes.applied[1].id` is a number, expected a string"
        );
    }

    #[test]
    fn other_parts_that_differ_are_listed_and_nothing_recorded_is_said() {
        let a = statement("acme", "2026-10");
        let mut b = a.clone();
        set(&mut b, "/contacts/answered", json!(1528));
        set(&mut b, "/warnings", json!(["something new"]));
        let d = diff_one(&a, &b);
        let v = &d.vendors[0];
        assert_eq!(v.status, Status::Changed);
        assert!(v.changes.is_empty());
        assert_eq!(v.also_differ, vec!["contacts", "warnings"]);
        assert_eq!(v.causes, vec![Cause::NoRecordedInputChanged]);
        assert_eq!(
            render_text(&d),
            "acme Co. (acme) · 2026-10\n\
             \x20 no figure changed\n\
             \x20 also different: contacts, warnings\n\
             \x20 cause: no recorded input changed\n"
        );
    }

    #[test]
    fn decimals_compare_by_value() {
        let a = statement("acme", "2026-10");
        let mut b = a.clone();
        set(&mut b, "/lines/0/unit_price", json!("2.0"));
        let d = diff_one(&a, &b);
        // The text differs, so the statements do; the figure does not.
        assert!(d.vendors[0].changes.is_empty());
        assert_eq!(d.vendors[0].status, Status::Changed);
    }

    #[test]
    fn deltas_read_with_a_real_minus_sign() {
        let dec = |s: &str| Figure::Decimal(Decimal::from_str(s).unwrap());
        let show = |o: &Figure, n: &Figure| Delta::between(o, n).unwrap().to_string();
        assert_eq!(show(&dec("9786.47"), &dec("9778.21")), "\u{2212}8.26");
        assert_eq!(show(&dec("0.9215"), &dec("0.9300")), "+0.0085");
        assert_eq!(show(&dec("1.0"), &dec("1.00")), "±0.00");
        assert_eq!(show(&Figure::Count(10), &Figure::Count(7)), "\u{2212}3");
        assert_eq!(show(&Figure::Count(7), &Figure::Count(10)), "+3");
        assert_eq!(Delta::between(&Figure::Empty, &dec("0.5")), None);
        assert_eq!(
            Delta::between(&Figure::Flag(true), &Figure::Flag(false)),
            None
        );
    }

    #[test]
    fn merge_keeps_statement_order() {
        let keys = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let old = keys(&["a", "b", "d", "e"]);
        let new = keys(&["a", "c", "d", "f"]);
        let got: Vec<(Option<&str>, Option<&str>)> = merge(&old, &new, |s| s.as_str())
            .into_iter()
            .map(|(o, n)| (o.map(String::as_str), n.map(String::as_str)))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some("a"), Some("a")),
                (Some("b"), None),
                (None, Some("c")),
                (Some("d"), Some("d")),
                (Some("e"), None),
                (None, Some("f")),
            ]
        );
    }

    fn parse_err(text: &str) -> String {
        Statements::parse(text.as_bytes()).expect_err("not a statement")
    }

    #[test]
    fn files_that_hold_no_statement_say_what_is_wrong() {
        assert!(parse_err("{").starts_with("not JSON: "));
        assert_eq!(
            parse_err("{}"),
            "the statement: no `schema` key (a statement has \"schema\": \"slatement.statement.v1\")"
        );
        assert_eq!(
            parse_err(r#"{"schema": "slatement.statement.v2"}"#),
            "the statement: schema is \"slatement.statement.v2\", expected \"slatement.statement.v1\""
        );
        assert_eq!(parse_err("[]"), "an empty array: it holds no statement");
        assert_eq!(
            parse_err("\"x\""),
            "expected a statement object or an array of statements, found a string"
        );
        let mut s = statement("acme", "2026-10");
        s["totals"].as_object_mut().unwrap().remove("net");
        assert_eq!(
            parse_err(&json!([statement("brightline", "2026-10"), s]).to_string()),
            "statement [1] (acme 2026-10): `totals.net` is missing"
        );
        let mut s = statement("acme", "2026-10");
        set(&mut s, "/metrics/answer_rate/numerator", json!("1527"));
        assert_eq!(
            parse_err(&s.to_string()),
            "the statement (acme 2026-10): `metrics.answer_rate.numerator` is a string, expected a count"
        );
        let s = statement("acme", "2026-10");
        assert_eq!(
            parse_err(&json!([s, s]).to_string()),
            "two statements for vendor acme in 2026-10"
        );
    }

    #[test]
    fn every_key_of_a_statement_is_read_and_named_when_wrong() {
        let at = |edit: &dyn Fn(&mut Value)| {
            let mut s = statement("acme", "2026-10");
            edit(&mut s);
            parse_err(&s.to_string())
        };
        assert_eq!(
            at(&|s| {
                s["metrics"]["answer_rate"]
                    .as_object_mut()
                    .unwrap()
                    .remove("value");
            }),
            "the statement (acme 2026-10): `metrics.answer_rate.value` is missing"
        );
        assert_eq!(
            at(&|s| s["tool"] = Value::Null),
            "the statement (acme 2026-10): `tool.name` is missing"
        );
        assert_eq!(
            at(&|s| s["lines"][0]["section"] = json!("bonus")),
            "the statement (acme 2026-10): `lines[0].section` is \"bonus\", expected earn, takeover, overdue, penalty, incident or termination"
        );
        assert_eq!(
            at(&|s| s["lines"][0]["item"] = json!("earn/bonus")),
            "the statement (acme 2026-10): `lines[0].item` is \"earn/bonus\", expected a line item name (SPEC §5)"
        );
        assert_eq!(
            at(&|s| s["contacts"]["offered"] = json!(-1)),
            "the statement (acme 2026-10): `contacts.offered` is a number, expected a count"
        );
        assert_eq!(
            at(&|s| s["settlement"]["method"] = json!("cash")),
            "the statement (acme 2026-10): `settlement.method` is \"cash\", expected deduct or wire"
        );
    }

    #[test]
    fn one_object_or_an_array_with_a_byte_order_mark() {
        let s = statement("acme", "2026-10");
        let one = Statements::parse(format!("\u{feff}{s}").as_bytes()).unwrap();
        let many = Statements::parse(json!([s]).to_string().as_bytes()).unwrap();
        assert!(diff(&one, &many).is_equal());
    }

    #[test]
    fn the_example_statements_read_and_equal_themselves() {
        let text = include_str!("../../tests/fixtures/golden/2026-10.json");
        let a = Statements::parse(text.as_bytes()).unwrap();
        let d = diff(&a, &a);
        assert!(d.is_equal());
        assert_eq!(d.vendors.len(), 2);
    }
}
