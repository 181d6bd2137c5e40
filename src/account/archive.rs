//! Reading the statement archive that `settle --out` and `rescore --out` write
//! (`DIR/<month>/<vendor>/statement.json`) for `slatement account` (SPEC §11).
//!
//! Of a statement only the fields §11 names are read — `schema`, `month`, `vendor`, `currency`,
//! `totals.net`, `deadlines.payment_by` and, in `terms`, `timezone`, `money`,
//! `settlement.method`, `late_payment` and `termination` — plus, optionally, the pending work
//! counts (for the warning of a final settlement) and any `signatures`. Every other field is
//! ignored, so a statement of a later version of the tool with more fields is still read.

use crate::base::money::Rounding;
use crate::base::timestamp::Month;
use crate::base::word::Word;
use crate::error::{Error, Result};
use crate::input::hex;
use chrono::NaiveDate;
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The only statement schema `account` reads.
pub const STATEMENT_SCHEMA: &str = "slatement.statement.v1";

/// How a vendor's debt of a month is settled (`terms.settlement.method`): deducted from the
/// platform's payments (001 §4.6.1) or wired by the vendor.
pub type Method = crate::contract::terms::SettlementMethod;

/// `terms.late_payment` of a statement (SPEC §11).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatePayment {
    /// Per day, of the unpaid amount, on what the platform owes.
    pub platform_daily_rate: Decimal,
    /// Per day, of the unpaid amount, on what the vendor owes (default 0).
    pub vendor_daily_rate: Decimal,
    /// The vendor may suspend service after this many late days.
    pub suspend_after_days: u32,
    /// The vendor may terminate after this many late days.
    pub terminate_after_days: u32,
}

/// One signature found on a statement (the seal feature): who signed and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The signer's name, or their public key when no name is recorded.
    pub signer: String,
    /// The signature algorithm, when recorded.
    pub algorithm: Option<String>,
}

/// What `account` knows of one statement.
#[derive(Debug, Clone)]
pub struct StatementRecord {
    /// The file, as found under the archive folder.
    pub path: PathBuf,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
    /// The statement's month.
    pub month: Month,
    /// Vendor id.
    pub vendor_id: String,
    /// Vendor name.
    pub vendor_name: String,
    /// `vendor.contract_start`, when recorded.
    pub contract_start: Option<NaiveDate>,
    /// `vendor.contract_end` (the last day of service), when recorded.
    pub contract_end: Option<NaiveDate>,
    /// Currency code.
    pub currency: String,
    /// `totals.net`: positive, the platform owes the vendor; negative, the vendor owes.
    pub net: Decimal,
    /// `deadlines.payment_by`.
    pub payment_by: NaiveDate,
    /// The contract time zone.
    pub timezone: Tz,
    /// `money.scale`.
    pub scale: u32,
    /// `money.rounding`.
    pub rounding: Rounding,
    /// `settlement.method`.
    pub method: Method,
    /// `late_payment`, when the terms hold it.
    pub late_payment: Option<LatePayment>,
    /// `termination.settle_within_days` (default 30).
    pub settle_within_days: u32,
    /// Pending work orders the statement still holds.
    pub pending_work_orders: u64,
    /// Pending repairs (response or resolution) the statement still holds.
    pub pending_repairs: u64,
    /// Signatures on the statement, in file order.
    pub signatures: Vec<Signature>,
}

#[derive(Deserialize)]
struct RawStatement {
    schema: String,
    month: String,
    vendor: RawVendor,
    currency: String,
    totals: RawTotals,
    deadlines: RawDeadlines,
    terms: RawTerms,
    #[serde(default)]
    work_orders: Option<Value>,
    #[serde(default)]
    repairs: Option<Value>,
    #[serde(default)]
    signatures: Option<Vec<Value>>,
}

#[derive(Deserialize)]
struct RawVendor {
    id: String,
    name: String,
    #[serde(default)]
    contract_start: Option<String>,
    #[serde(default)]
    contract_end: Option<String>,
}

#[derive(Deserialize)]
struct RawTotals {
    net: Value,
}

#[derive(Deserialize)]
struct RawDeadlines {
    payment_by: String,
}

#[derive(Deserialize)]
struct RawTerms {
    timezone: String,
    money: RawMoney,
    settlement: RawSettlement,
    #[serde(default)]
    late_payment: Option<Value>,
    #[serde(default)]
    termination: Option<Value>,
}

#[derive(Deserialize)]
struct RawMoney {
    scale: u32,
    rounding: String,
}

#[derive(Deserialize)]
struct RawSettlement {
    method: String,
}

/// A decimal recorded as a JSON string (the statement's form) or number.
fn decimal(v: &Value, key: &str) -> std::result::Result<Decimal, String> {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return Err(format!("`{key}` is not a decimal")),
    };
    Decimal::from_str(text.trim()).map_err(|_| format!("`{key}` = `{text}` is not a decimal"))
}

/// A whole number of days recorded as a JSON integer (or a string of digits).
fn days(v: &Value, key: &str) -> std::result::Result<u32, String> {
    let n = match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    n.and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n <= 36_500)
        .ok_or_else(|| format!("`{key}` is not a whole number of days"))
}

fn date(s: &str, key: &str) -> std::result::Result<NaiveDate, String> {
    let t = s.trim();
    if t.len() == 10 {
        if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            return Ok(d);
        }
    }
    Err(format!("`{key}` = `{s}` is not a date (YYYY-MM-DD)"))
}

fn late_payment(v: &Value) -> std::result::Result<LatePayment, String> {
    let t = v.as_object().ok_or("`terms.late_payment` is not a table")?;
    let get = |k: &str| {
        t.get(k)
            .ok_or_else(|| format!("`terms.late_payment.{k}` is missing"))
    };
    let rate = |k: &str, v: &Value| -> std::result::Result<Decimal, String> {
        let d = decimal(v, &format!("terms.late_payment.{k}"))?;
        if d.is_sign_negative() && !d.is_zero() {
            return Err(format!("`terms.late_payment.{k}` is negative"));
        }
        Ok(d)
    };
    Ok(LatePayment {
        platform_daily_rate: rate("platform_daily_rate", get("platform_daily_rate")?)?,
        vendor_daily_rate: match t.get("vendor_daily_rate") {
            Some(v) => rate("vendor_daily_rate", v)?,
            None => Decimal::ZERO,
        },
        suspend_after_days: days(
            get("suspend_after_days")?,
            "terms.late_payment.suspend_after_days",
        )?,
        terminate_after_days: days(
            get("terminate_after_days")?,
            "terms.late_payment.terminate_after_days",
        )?,
    })
}

fn count(block: &Option<Value>, key: &str) -> u64 {
    block
        .as_ref()
        .and_then(|b| b.get(key))
        .and_then(Value::as_u64)
        .unwrap_or(0)
}

fn signature(v: &Value) -> Option<Signature> {
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let signer = text("signer")
        .or_else(|| text("signed_by"))
        .or_else(|| text("name"))
        .or_else(|| text("public_key"))
        .or_else(|| text("key_id"))?;
    Some(Signature {
        signer,
        algorithm: text("algorithm"),
    })
}

/// Parses a statement's bytes; the error says what is wrong, naming the key.
pub fn parse_statement(bytes: &[u8], path: &Path) -> std::result::Result<StatementRecord, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON ({e})"))?;
    match value.get("schema").and_then(Value::as_str) {
        Some(STATEMENT_SCHEMA) => {}
        Some(other) => {
            return Err(format!(
                "schema is `{other}`, expected `{STATEMENT_SCHEMA}`"
            ))
        }
        None if value.is_array() => {
            return Err(format!(
                "a JSON array, not one statement of schema `{STATEMENT_SCHEMA}` (write statements with settle --out)"
            ))
        }
        None => return Err(format!("no `schema`; expected `{STATEMENT_SCHEMA}`")),
    }
    let raw: RawStatement = serde_json::from_value(value).map_err(|e| format!("{e}"))?;
    debug_assert_eq!(raw.schema, STATEMENT_SCHEMA);
    let month = Month::parse(raw.month.trim())
        .ok_or_else(|| format!("`month` = `{}` is not YYYY-MM", raw.month))?;
    let timezone = Tz::from_str(raw.terms.timezone.trim()).map_err(|_| {
        format!(
            "`terms.timezone` = `{}` is not an IANA time zone",
            raw.terms.timezone
        )
    })?;
    let written = raw.terms.money.rounding.trim();
    let Some(rounding) = Rounding::ALL.into_iter().find(|r| r.as_str() == written) else {
        return Err(format!(
            "`terms.money.rounding` = `{written}` is not {}",
            crate::base::word::one_of(Rounding::ALL.iter().map(|r| r.as_str()))
        ));
    };
    if raw.terms.money.scale > 10 {
        return Err(format!(
            "`terms.money.scale` = {} is out of range (0–10)",
            raw.terms.money.scale
        ));
    }
    let written = raw.terms.settlement.method.trim();
    let Some(method) = Method::ALL.into_iter().find(|m| m.as_str() == written) else {
        return Err(format!(
            "`terms.settlement.method` = `{written}` is not {}",
            crate::base::word::one_of(Method::ALL.iter().map(|m| m.as_str()))
        ));
    };
    let late_payment = match &raw.terms.late_payment {
        None | Some(Value::Null) => None,
        Some(v) => Some(late_payment(v)?),
    };
    let settle_within_days = match raw
        .terms
        .termination
        .as_ref()
        .and_then(|t| t.get("settle_within_days"))
    {
        Some(v) => days(v, "terms.termination.settle_within_days")?,
        None => 30,
    };
    let optional_date = |s: &Option<String>, key: &str| {
        s.as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| date(s, key))
            .transpose()
    };
    let signatures = raw
        .signatures
        .iter()
        .flatten()
        .filter_map(signature)
        .collect();
    Ok(StatementRecord {
        path: path.to_path_buf(),
        sha256: hex(&Sha256::digest(bytes)),
        month,
        vendor_id: raw.vendor.id.trim().to_string(),
        vendor_name: raw.vendor.name,
        contract_start: optional_date(&raw.vendor.contract_start, "vendor.contract_start")?,
        contract_end: optional_date(&raw.vendor.contract_end, "vendor.contract_end")?,
        currency: raw.currency,
        net: decimal(&raw.totals.net, "totals.net")?,
        payment_by: date(&raw.deadlines.payment_by, "deadlines.payment_by")?,
        timezone,
        scale: raw.terms.money.scale,
        rounding,
        method,
        late_payment,
        settle_within_days,
        pending_work_orders: count(&raw.work_orders, "pending"),
        pending_repairs: count(&raw.repairs, "response_pending")
            .max(count(&raw.repairs, "resolution_pending")),
        signatures,
    })
}

/// Reads every `DIR/<month>/<vendor>/statement.json` under `dir`, ordered by vendor id then
/// month. Folders whose name is not a month (such as `account/`) are passed over, and so are
/// vendor folders without a statement. A statement that does not parse, is of another schema,
/// or disagrees with its folder is [`Error::NotAStatement`] (exit 65); a missing folder is
/// [`Error::MissingInput`] (exit 66).
pub fn read_archive(dir: &Path) -> Result<Vec<StatementRecord>> {
    if !dir.is_dir() {
        return Err(Error::MissingInput {
            role: "statements",
            path: dir.to_path_buf(),
            hint: "give the folder that settle --out wrote (DIR/<month>/<vendor>/statement.json)"
                .to_string(),
        });
    }
    let mut out = Vec::new();
    for month_dir in sorted_dirs(dir)? {
        let name = month_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some(folder_month) = Month::parse(&name) else {
            continue;
        };
        for vendor_dir in sorted_dirs(&month_dir)? {
            let path = vendor_dir.join("statement.json");
            if !path.is_file() {
                continue;
            }
            let folder_vendor = vendor_dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
            let bad = |message: String| Error::NotAStatement {
                path: path.clone(),
                message,
            };
            let s = parse_statement(&bytes, &path).map_err(bad)?;
            let misplaced = |message: String| Error::MisplacedStatement {
                path: path.clone(),
                message,
            };
            if s.month != folder_month {
                return Err(misplaced(format!(
                    "it is the statement of {} but sits in the folder of {folder_month}; move it to {}/{}/",
                    s.month, s.month, s.vendor_id
                )));
            }
            if s.vendor_id != folder_vendor {
                return Err(misplaced(format!(
                    "it is the statement of vendor `{}` but sits in the folder of `{folder_vendor}`; move it to {}/{}/",
                    s.vendor_id, s.month, s.vendor_id
                )));
            }
            out.push(s);
        }
    }
    out.sort_by(|a, b| (&a.vendor_id, a.month).cmp(&(&b.vendor_id, b.month)));
    Ok(out)
}

fn sorted_dirs(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut dirs = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        if path.is_dir() {
            dirs.push(path);
        }
    }
    dirs.sort();
    Ok(dirs)
}
