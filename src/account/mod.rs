//! The account across the months of a contract (SPEC §11) and the final settlement at its end
//! (SPEC §12): what each statement made due, what was paid, what is late and what late payment
//! costs, the rights that late payment gives, and the balance between the parties.
//!
//! This module computes a plain [`Account`] per vendor; the renderers in
//! [`crate::render::account`] only format it. No rates.toml is read: each due is judged by the
//! terms its own statement records.

pub mod archive;
pub mod rows;

use crate::base::money::round;
use crate::base::timestamp::{parse_timestamp, Month};
use crate::base::word::Word;
use crate::error::{Error, Result};
use crate::input::cells;
use crate::input::records::{Cells, RowCells as _, RowError};
use archive::{Method, StatementRecord};
use chrono::NaiveDate;
use chrono_tz::Tz;
use rows::Parsed;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The JSON schema of an account.
pub const ACCOUNT_SCHEMA: &str = "slatement.account.v1";

/// The columns of payments.csv (SPEC §11).
pub const PAYMENT_COLUMNS: &[(&str, bool)] = &[
    ("payment_id", true),
    ("vendor", true),
    ("payer", true),
    ("month", true),
    ("paid_on", true),
    ("amount", true),
    ("note", false),
];

/// The columns of deductions.csv (SPEC §12).
pub const DEDUCTION_COLUMNS: &[(&str, bool)] = &[
    ("deduction_id", true),
    ("vendor", true),
    ("amount", true),
    ("reason", true),
    ("decided_on", false),
];

/// A party of the contract.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[strum(serialize_all = "snake_case")]
pub enum Party {
    /// The platform (甲方).
    Platform,
    /// The vendor (乙方).
    Vendor,
}

crate::base::word::serde_words!(Party);

/// One payment of payments.csv.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// `payment_id`.
    pub id: String,
    /// The vendor of the contract.
    pub vendor: String,
    /// Who paid.
    pub payer: Party,
    /// The statement the payment settles.
    pub month: Month,
    /// The day it was paid, in the contract time zone.
    pub paid_on: NaiveDate,
    /// The amount, > 0.
    pub amount: Decimal,
    /// Free text.
    pub note: String,
}

/// One deduction of deductions.csv: a loss the vendor caused (004 §3.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deduction {
    /// `deduction_id`.
    pub id: String,
    /// The vendor.
    pub vendor: String,
    /// The amount, > 0.
    pub amount: Decimal,
    /// The customer claim, compensation or cost.
    pub reason: String,
    /// When it was decided, if recorded.
    pub decided_on: Option<NaiveDate>,
}

/// Status of a due (SPEC §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Status {
    /// Net 0: nothing is due.
    NothingDue,
    /// A vendor's debt deducted from the platform's payments, at or after its due date.
    Deducted,
    /// Before the due date (or on it) and not yet fully paid.
    NotDue,
    /// Fully paid, the last payment on or before the due date.
    Paid,
    /// Fully paid after the due date.
    PaidLate,
    /// Paid more than due.
    Overpaid,
    /// After the due date, nothing paid.
    Overdue,
    /// After the due date, part paid.
    PartlyPaid,
}

crate::base::word::serde_words!(Status);

/// A right late payment gives the vendor (002 §5.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Right {
    /// `suspend` or `terminate`.
    pub right: &'static str,
    /// The day from which the vendor may exercise it.
    pub from: String,
}

/// What one statement made due and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    /// The statement's month.
    pub month: String,
    /// The statement's net.
    pub net: Decimal,
    /// Who owes: `platform`, `vendor`, or null when net = 0.
    pub payer: Option<Party>,
    /// `settlement.method` of the statement.
    pub method: Method,
    /// The statement's `payment_by`.
    pub due_by: String,
    /// |net| (0 when nothing is due).
    pub due: Decimal,
    /// The month's payments up to `as_of`.
    pub paid: Decimal,
    /// due − paid (negative when overpaid; 0 for a deducted debt).
    pub outstanding: Decimal,
    /// Late days up to `as_of`.
    pub late_days: u32,
    /// The late charge, rounded once.
    pub late_charge: Decimal,
    /// The status.
    pub status: Status,
    /// The payments counted, by id, in date order.
    pub payments: Vec<String>,
    /// Rights that have arisen, with their dates.
    pub rights: Vec<Right>,
}

/// A deduction as listed in the final settlement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeductionLine {
    /// `deduction_id`.
    pub deduction_id: String,
    /// The amount.
    pub amount: Decimal,
    /// Why.
    pub reason: String,
}

/// The position as of the date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Position {
    /// Positive outstanding amounts of the platform's dues.
    pub platform_owes: Decimal,
    /// Positive outstanding amounts of the vendor's dues (wired debts).
    pub vendor_owes: Decimal,
    /// Late charges on the platform's dues.
    pub late_charges_platform_owes: Decimal,
    /// Late charges on the vendor's dues.
    pub late_charges_vendor_owes: Decimal,
    /// Deductions (final settlement only).
    pub deductions: Decimal,
    /// platform_owes + late_charges_platform_owes − vendor_owes − late_charges_vendor_owes −
    /// deductions: positive, the platform pays the vendor.
    pub balance: Decimal,
    /// The balance in words.
    pub summary: String,
}

/// The final settlement's terms (SPEC §12).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Final {
    /// The last day of service.
    pub contract_end: String,
    /// The last day of service + `settle_within_days`.
    pub due_by: String,
}

/// The vendor of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VendorRef {
    /// Vendor id.
    pub id: String,
    /// Vendor name.
    pub name: String,
}

/// A signature on a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignedBy {
    /// Who signed (the signer's name, or the public key).
    pub signer: String,
    /// The algorithm, when recorded.
    pub algorithm: Option<String>,
}

/// A file the account was computed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputRef {
    /// `statement`, `payments` or `deductions`.
    pub role: &'static str,
    /// The statement's month (statements only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub month: Option<String>,
    /// The path as given.
    pub path: String,
    /// SHA-256 of the file, lowercase hex.
    pub sha256: String,
    /// Signatures found on a statement (present only when it is signed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub signed_by: Vec<SignedBy>,
}

/// The account of one vendor (JSON schema `slatement.account.v1`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    /// `slatement.account.v1`.
    pub schema: &'static str,
    /// The vendor.
    pub vendor: VendorRef,
    /// Currency of every amount.
    pub currency: String,
    /// The date the account is made up to.
    pub as_of: String,
    /// The final settlement's terms, with `--final`.
    #[serde(rename = "final")]
    pub final_settlement: Option<Final>,
    /// One due per statement, in month order.
    pub dues: Vec<Due>,
    /// Deductions (final settlement only).
    pub deductions: Vec<DeductionLine>,
    /// The position as of the date.
    pub position: Position,
    /// The files read.
    pub inputs: Vec<InputRef>,
    /// Warnings, in words.
    pub warnings: Vec<String>,
}

/// What `account` is asked to do.
#[derive(Debug, Clone)]
pub struct Request {
    /// The archive folder (`settle --out`).
    pub statements: PathBuf,
    /// Only this vendor.
    pub vendor: Option<String>,
    /// payments.csv.
    pub payments: Option<PathBuf>,
    /// deductions.csv (final settlement only).
    pub deductions: Option<PathBuf>,
    /// The date; default today in the contract time zone.
    pub as_of: Option<String>,
    /// The final settlement at the end of the contract.
    pub final_settlement: bool,
}

fn checked(v: Option<Decimal>, what: &str) -> Result<Decimal> {
    v.ok_or_else(|| {
        Error::Rejected(format!(
            "the {what} overflows the range of exact decimals; check the amounts"
        ))
    })
}

/// `v` shown with at least `scale` decimals, and a zero never written `-0.00`.
fn scaled(v: Decimal, scale: u32) -> Decimal {
    let mut v = v;
    if v.scale() < scale {
        v.rescale(scale);
    }
    if v.is_zero() {
        v.set_sign_positive(true);
    }
    v
}

/// Judges one statement's due as of `as_of` from its payments (SPEC §11 "Dues", "Late payment").
/// `payments` are the month's payments; those dated after `as_of` are not counted.
pub fn due_of(s: &StatementRecord, payments: &[&Payment], as_of: NaiveDate) -> Result<Due> {
    let scale = s.scale;
    let zero = scaled(Decimal::ZERO, scale);
    let (payer, due) = if s.net > Decimal::ZERO {
        (Some(Party::Platform), s.net)
    } else if s.net < Decimal::ZERO {
        (Some(Party::Vendor), -s.net)
    } else {
        (None, Decimal::ZERO)
    };
    let due = scaled(due, scale);
    let mut counted: Vec<&Payment> = payments
        .iter()
        .copied()
        .filter(|p| p.paid_on <= as_of)
        .collect();
    counted.sort_by(|a, b| (a.paid_on, &a.id).cmp(&(b.paid_on, &b.id)));
    let base = Due {
        month: s.month.to_string(),
        net: s.net,
        payer,
        method: s.method,
        due_by: s.payment_by.to_string(),
        due,
        paid: zero,
        outstanding: zero,
        late_days: 0,
        late_charge: zero,
        status: Status::NothingDue,
        payments: Vec::new(),
        rights: Vec::new(),
    };
    let Some(payer) = payer else {
        return Ok(base);
    };
    if payer == Party::Vendor && s.method == Method::Deduct {
        // 001 §4.6.1: the debt is taken off the platform's payments; nothing is outstanding.
        let status = if as_of >= s.payment_by {
            Status::Deducted
        } else {
            Status::NotDue
        };
        return Ok(Due { status, ..base });
    }
    let mut paid = zero;
    for p in &counted {
        paid = checked(paid.checked_add(p.amount), "sum of payments")?;
    }
    let paid = scaled(paid, scale);
    let outstanding = scaled(checked(due.checked_sub(paid), "outstanding amount")?, scale);

    // The unpaid amount at the start of day d: due less the payments dated before d.
    let unpaid_at_start = |d: NaiveDate| -> Result<Decimal> {
        let mut left = due;
        for p in counted.iter().filter(|p| p.paid_on < d) {
            left = checked(left.checked_sub(p.amount), "unpaid amount")?;
        }
        Ok(left)
    };
    let rate = s.late_payment.as_ref().map(|l| match payer {
        Party::Platform => l.platform_daily_rate,
        Party::Vendor => l.vendor_daily_rate,
    });
    // The unpaid amount only changes the day after a payment, so the late days are summed in
    // runs of equal unpaid amount: Σ over runs of unpaid × days × rate, the exact sum of the
    // day-by-day charge, rounded once below.
    let (late_days, charge) = late_days_and_charge(due, &counted, s.payment_by, as_of, rate)?;
    let late_charge = scaled(round(charge, scale, s.rounding), scale);

    let mut rights = Vec::new();
    if let (Party::Platform, Some(l)) = (payer, &s.late_payment) {
        for (name, after) in [
            ("suspend", l.suspend_after_days),
            ("terminate", l.terminate_after_days),
        ] {
            let Some(from) = s
                .payment_by
                .checked_add_days(chrono::Days::new(u64::from(after) + 1))
            else {
                continue;
            };
            if from <= as_of && unpaid_at_start(from)? > Decimal::ZERO {
                rights.push(Right {
                    right: name,
                    from: from.to_string(),
                });
            }
        }
    }

    let status = if paid > due {
        Status::Overpaid
    } else if paid == due {
        // The day the payments reached the due.
        let mut sum = Decimal::ZERO;
        let mut completed = s.payment_by;
        for p in &counted {
            sum = checked(sum.checked_add(p.amount), "sum of payments")?;
            if sum >= due {
                completed = p.paid_on;
                break;
            }
        }
        if completed <= s.payment_by {
            Status::Paid
        } else {
            Status::PaidLate
        }
    } else if as_of <= s.payment_by {
        Status::NotDue
    } else if paid.is_zero() {
        Status::Overdue
    } else {
        Status::PartlyPaid
    };
    Ok(Due {
        paid,
        outstanding,
        late_days,
        late_charge,
        status,
        payments: counted.iter().map(|p| p.id.clone()).collect(),
        rights,
        ..base
    })
}

/// Late days of a due (days after `due_by`, up to and including `as_of`, that start with part of
/// the due unpaid) and the unrounded late charge: Σ of the unpaid amount at the start of each
/// late day × `rate` (none: no charge). `payments` are in date order.
fn late_days_and_charge(
    due: Decimal,
    payments: &[&Payment],
    due_by: NaiveDate,
    as_of: NaiveDate,
    rate: Option<Decimal>,
) -> Result<(u32, Decimal)> {
    let mut late_days = 0u32;
    let mut charge = Decimal::ZERO;
    let Some(mut day) = due_by.succ_opt() else {
        return Ok((0, charge));
    };
    let mut left = due;
    let mut run = |from: NaiveDate, to: NaiveDate, left: Decimal| -> Result<()> {
        if left <= Decimal::ZERO || to < from {
            return Ok(());
        }
        let days = (to - from).num_days() + 1;
        late_days = late_days.saturating_add(u32::try_from(days).unwrap_or(u32::MAX));
        if let Some(rate) = rate {
            let amount = left
                .checked_mul(Decimal::from(days))
                .and_then(|v| v.checked_mul(rate));
            charge = checked(amount.and_then(|a| charge.checked_add(a)), "late charge")?;
        }
        Ok(())
    };
    for p in payments {
        if p.paid_on >= day {
            // Days `day` ..= the payment day start with `left` unpaid.
            let to = p.paid_on.min(as_of);
            run(day, to, left)?;
            match p.paid_on.succ_opt() {
                Some(next) => day = day.max(next),
                None => return Ok((late_days, charge)),
            }
        }
        left = checked(left.checked_sub(p.amount), "unpaid amount")?;
        if day > as_of {
            break;
        }
    }
    if day <= as_of {
        run(day, as_of, left)?;
    }
    Ok((late_days, charge))
}

/// The position of a vendor's dues (SPEC §11): sums of positive outstanding amounts and of
/// late charges, less deductions; a deducted debt enters no sum.
pub fn position(
    dues: &[Due],
    deductions: Decimal,
    scale: u32,
) -> Result<(Decimal, Decimal, Decimal, Decimal, Decimal)> {
    let mut owes = [scaled(Decimal::ZERO, scale); 2];
    let mut charges = [scaled(Decimal::ZERO, scale); 2];
    for d in dues {
        let i = match (d.payer, d.method) {
            (Some(Party::Platform), _) => 0,
            (Some(Party::Vendor), Method::Wire) => 1,
            _ => continue,
        };
        if d.outstanding > Decimal::ZERO {
            owes[i] = checked(owes[i].checked_add(d.outstanding), "position")?;
        }
        charges[i] = checked(charges[i].checked_add(d.late_charge), "position")?;
    }
    let deductions = scaled(deductions, scale);
    let balance = checked(
        owes[0]
            .checked_add(charges[0])
            .and_then(|v| v.checked_sub(owes[1]))
            .and_then(|v| v.checked_sub(charges[1]))
            .and_then(|v| v.checked_sub(deductions)),
        "balance",
    )?;
    Ok((
        owes[0],
        owes[1],
        charges[0],
        charges[1],
        scaled(balance, scale),
    ))
}

/// An amount with thousands separators and no sign, for sentences: `12,345.67`.
pub fn grouped(v: Decimal) -> String {
    crate::base::money::grouped(v.abs())
}

fn summary(
    name: &str,
    balance: Decimal,
    currency: &str,
    as_of: NaiveDate,
    fin: Option<&Final>,
) -> String {
    let amount = grouped(balance);
    match (fin, balance.cmp(&Decimal::ZERO)) {
        (None, std::cmp::Ordering::Greater) => {
            format!("The platform owes {name} {amount} {currency}.")
        }
        (None, std::cmp::Ordering::Less) => {
            format!("{name} owes the platform {amount} {currency}.")
        }
        (None, std::cmp::Ordering::Equal) => {
            format!("Nothing is owed either way as of {as_of}.")
        }
        (Some(f), std::cmp::Ordering::Greater) => format!(
            "Final settlement: the platform pays {name} {amount} {currency} by {}.",
            f.due_by
        ),
        (Some(f), std::cmp::Ordering::Less) => format!(
            "Final settlement: {name} pays the platform {amount} {currency} by {}.",
            f.due_by
        ),
        (Some(_), std::cmp::Ordering::Equal) => {
            "Final settlement: nothing is owed either way.".to_string()
        }
    }
}

/// Parses `--as-of`: a date, or a timestamp (its date in `tz`).
pub fn parse_as_of(s: &str, tz: Tz) -> Result<NaiveDate> {
    let t = s.trim();
    if t.len() == 10 {
        if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            return Ok(d);
        }
    }
    if let Ok(i) = parse_timestamp(t.as_bytes(), tz) {
        return Ok(i.local_date(tz));
    }
    Err(Error::Usage(format!(
        "--as-of {s}: expected a date (2026-12-31)"
    )))
}

fn date_cell(c: &[u8], tz: Tz) -> std::result::Result<NaiveDate, &'static str> {
    let s = std::str::from_utf8(c).map_err(|_| "not valid UTF-8")?;
    if s.len() == 10 {
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return Ok(d);
        }
    }
    parse_timestamp(c, tz)
        .map(|i| i.local_date(tz))
        .map_err(|_| "not a date (YYYY-MM-DD) or timestamp")
}

fn money_cell(
    cells: &Cells,
    i: usize,
    scale: Option<u32>,
) -> std::result::Result<Decimal, RowError> {
    let c = cells.required(i)?;
    let v = cells::amount(c).map_err(|r| RowError::new(cells.name(i), r))?;
    if v.is_zero() {
        return Err(RowError::new(cells.name(i), "must be greater than 0"));
    }
    if let Some(scale) = scale {
        if v.normalize().scale() > scale {
            return Err(RowError::new(
                cells.name(i),
                format!(
                    "has more decimals than the currency's smallest unit (money.scale = {scale})"
                ),
            ));
        }
    }
    Ok(v)
}

/// What the rows are judged against: the statements in force, per vendor and month.
struct Book<'a> {
    by_key: BTreeMap<(&'a str, Month), &'a StatementRecord>,
    vendors: BTreeMap<&'a str, &'a StatementRecord>,
    only: Option<&'a str>,
}

impl<'a> Book<'a> {
    fn vendor(&self, cells: &Cells, i: usize) -> std::result::Result<Option<&'a str>, RowError> {
        let v = cells.text(i)?;
        if let Some(only) = self.only {
            if v != only {
                return Ok(None);
            }
        }
        match self.vendors.get_key_value(v) {
            Some((k, _)) => Ok(Some(*k)),
            None => Err(RowError::new(
                "vendor",
                format!("`{v}` has no statement in the archive (an undeclared vendor)"),
            )),
        }
    }
}

fn parse_payment(book: &Book, cells: &Cells) -> std::result::Result<Parsed<Payment>, RowError> {
    let Some(vendor) = book.vendor(cells, 1)? else {
        return Ok(Parsed::Skip);
    };
    let id = cells.text(0)?.to_string();
    let payer: Party = cells.word(2, None)?;
    let month_text = cells.text(3)?;
    let month = Month::parse(month_text)
        .ok_or_else(|| RowError::new("month", format!("`{month_text}` is not YYYY-MM")))?;
    let Some(s) = book.by_key.get(&(vendor, month)) else {
        return Err(RowError::new(
            "month",
            format!("no statement of {vendor} for {month} is in force in the archive"),
        ));
    };
    let paid_on =
        date_cell(cells.required(4)?, s.timezone).map_err(|r| RowError::new("paid_on", r))?;
    let amount = money_cell(cells, 5, Some(s.scale))?;
    let note = cells.opt_text(6)?.to_string();
    if s.net.is_zero() {
        return Err(RowError::new(
            "payer",
            format!("the statement of {month} nets to 0: neither party owes anything"),
        ));
    }
    let owes = if s.net > Decimal::ZERO {
        Party::Platform
    } else {
        Party::Vendor
    };
    if owes == Party::Vendor && s.method == Method::Deduct {
        return Err(RowError::new(
            "month",
            format!(
                "the vendor's debt of {month} is deducted from the platform's payments (settlement.method = \"deduct\"); nothing is to be paid for it"
            ),
        ));
    }
    if payer != owes {
        return Err(RowError::new(
            "payer",
            format!(
                "the {} owes nothing for {month} (the statement's net is {}: the {} owes)",
                payer.as_str(),
                s.net,
                owes.as_str()
            ),
        ));
    }
    Ok(Parsed::Row(Payment {
        id,
        vendor: vendor.to_string(),
        payer,
        month,
        paid_on,
        amount,
        note,
    }))
}

fn parse_deduction(book: &Book, cells: &Cells) -> std::result::Result<Parsed<Deduction>, RowError> {
    let Some(vendor) = book.vendor(cells, 1)? else {
        return Ok(Parsed::Skip);
    };
    let id = cells.text(0)?.to_string();
    let scale = book.vendors.get(vendor).map(|s| s.scale);
    let amount = money_cell(cells, 2, scale)?;
    let reason = cells.text(3)?.to_string();
    let tz = book
        .vendors
        .get(vendor)
        .map_or(chrono_tz::UTC, |s| s.timezone);
    let decided_on = match cells.get(4) {
        [] => None,
        c => Some(date_cell(c, tz).map_err(|r| RowError::new("decided_on", r))?),
    };
    Ok(Parsed::Row(Deduction {
        id,
        vendor: vendor.to_string(),
        amount,
        reason,
        decided_on,
    }))
}

/// Today's date in `tz`.
pub fn today_in(tz: Tz) -> NaiveDate {
    chrono::Utc::now().with_timezone(&tz).date_naive()
}

fn input_of(s: &StatementRecord) -> InputRef {
    InputRef {
        role: "statement",
        month: Some(s.month.to_string()),
        path: s.path.display().to_string(),
        sha256: s.sha256.clone(),
        signed_by: s
            .signatures
            .iter()
            .map(|g| SignedBy {
                signer: g.signer.clone(),
                algorithm: g.algorithm.clone(),
            })
            .collect(),
    }
}

/// Computes the account of every vendor in the archive (or `--vendor`), ordered by vendor id.
pub fn account(req: &Request) -> Result<Vec<Account>> {
    if req.deductions.is_some() && !req.final_settlement {
        return Err(Error::Usage(
            "--deductions belongs to the final settlement: add --final (and --vendor)".into(),
        ));
    }
    let all = archive::read_archive(&req.statements)?;
    let mut by_vendor: BTreeMap<&str, Vec<&StatementRecord>> = BTreeMap::new();
    for s in &all {
        if req.vendor.as_deref().is_none_or(|v| v == s.vendor_id) {
            by_vendor.entry(s.vendor_id.as_str()).or_default().push(s);
        }
    }
    if by_vendor.is_empty() {
        if let (Some(v), false) = (&req.vendor, all.is_empty()) {
            let known: BTreeSet<&str> = all.iter().map(|s| s.vendor_id.as_str()).collect();
            return Err(Error::Usage(format!(
                "--vendor {v}: no statement of this vendor is in {} (it holds: {})",
                req.statements.display(),
                known.into_iter().collect::<Vec<_>>().join(", ")
            )));
        }
        return Err(Error::MissingInput {
            role: "statements",
            path: req.statements.clone(),
            hint: "no statement is in this folder (DIR/<month>/<vendor>/statement.json); settle with --out first".into(),
        });
    }

    // Per vendor: the contract's end, the statements in force (none after the end month).
    let mut warnings: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut in_force: BTreeMap<&str, Vec<&StatementRecord>> = BTreeMap::new();
    let mut ends: BTreeMap<&str, Option<NaiveDate>> = BTreeMap::new();
    for (v, list) in &by_vendor {
        let w = warnings.entry(v).or_default();
        let recorded: BTreeSet<NaiveDate> = list.iter().filter_map(|s| s.contract_end).collect();
        let end = list.iter().rev().find_map(|s| s.contract_end);
        if recorded.len() > 1 {
            let all: Vec<String> = recorded.iter().map(NaiveDate::to_string).collect();
            w.push(format!(
                "the statements record different contract ends ({}); the latest statement's, {}, is used",
                all.join(", "),
                end.map(|d| d.to_string()).unwrap_or_default()
            ));
        }
        let currency = &list[list.len() - 1].currency;
        if let Some(other) = list.iter().find(|s| &s.currency != currency) {
            return Err(Error::MisplacedStatement {
                path: other.path.clone(),
                message: format!(
                    "its currency {} differs from {currency} of the vendor's other statements; amounts of different currencies never add",
                    other.currency
                ),
            });
        }
        let mut kept = Vec::new();
        for s in list {
            match end {
                Some(e) if s.month > Month::of(e) => w.push(format!(
                    "the statement of {} is ignored: the contract ended on {e}",
                    s.month
                )),
                _ => kept.push(*s),
            }
        }
        ends.insert(v, end);
        in_force.insert(v, kept);
    }

    let latest = in_force
        .values()
        .flat_map(|l| l.last().copied())
        .next()
        .or_else(|| all.last())
        .expect("at least one statement");
    let tz = latest.timezone;
    let as_of = match &req.as_of {
        Some(s) => parse_as_of(s, tz)?,
        None => today_in(tz),
    };

    let book = Book {
        by_key: in_force
            .iter()
            .flat_map(|(v, l)| l.iter().map(move |s| ((*v, s.month), *s)))
            .collect(),
        vendors: by_vendor
            .iter()
            .map(|(v, l)| (*v, *l.last().expect("non-empty")))
            .collect(),
        only: req.vendor.as_deref(),
    };
    let payments = req
        .payments
        .as_deref()
        .map(|p| rows::read(p, "payments", PAYMENT_COLUMNS, |c| parse_payment(&book, c)))
        .transpose()?;
    let deductions = req
        .deductions
        .as_deref()
        .map(|p| {
            rows::read(p, "deductions", DEDUCTION_COLUMNS, |c| {
                parse_deduction(&book, c)
            })
        })
        .transpose()?;
    let mut rejects = Vec::new();
    rejects.extend(payments.iter().flat_map(|p| p.rejects.iter().cloned()));
    rejects.extend(deductions.iter().flat_map(|p| p.rejects.iter().cloned()));
    if !rejects.is_empty() {
        return Err(rows::rejected_error(&rejects));
    }

    // The final settlement: the contract's end and a statement for every month up to it.
    let mut finals: BTreeMap<&str, Final> = BTreeMap::new();
    if req.final_settlement {
        let mut missing = Vec::new();
        for (v, list) in &in_force {
            let Some(end) = ends[v] else {
                return Err(Error::Usage(format!(
                    "--final: the statements of `{v}` record no contract_end; set the vendor's contract_end in rates.toml and settle its last month again"
                )));
            };
            let end_month = Month::of(end);
            let end_statement = list.iter().find(|s| s.month == end_month);
            let start = end_statement
                .and_then(|s| s.contract_start)
                .or_else(|| list.iter().rev().find_map(|s| s.contract_start));
            let first = match start {
                Some(d) => Month::of(d),
                None => {
                    warnings.entry(v).or_default().push(
                        "the statements record no contract_start: months are checked from the first statement on".into(),
                    );
                    list.first().map_or(end_month, |s| s.month)
                }
            };
            let have: BTreeSet<Month> = list.iter().map(|s| s.month).collect();
            let mut m = first;
            while m <= end_month {
                if !have.contains(&m) {
                    missing.push(
                        req.statements
                            .join(m.to_string())
                            .join(v)
                            .join("statement.json"),
                    );
                }
                m = m.next();
            }
            if let Some(s) = end_statement {
                let end = s.contract_end.unwrap_or(end);
                let due_by = end
                    .checked_add_days(chrono::Days::new(u64::from(s.settle_within_days)))
                    .ok_or_else(|| Error::Usage("the final due date is out of range".into()))?;
                finals.insert(
                    v,
                    Final {
                        contract_end: end.to_string(),
                        due_by: due_by.to_string(),
                    },
                );
                let w = warnings.entry(v).or_default();
                for s in list {
                    if s.pending_work_orders + s.pending_repairs > 0 {
                        let day_e = end.succ_opt().unwrap_or(end);
                        w.push(format!(
                            "the statement of {} still holds pending work ({} work order(s), {} repair(s)): settle {} again with an --as-of at or after {day_e} so the platform's takeover is charged",
                            s.month, s.pending_work_orders, s.pending_repairs, s.month
                        ));
                    }
                }
            }
        }
        if !missing.is_empty() {
            return Err(Error::MissingStatements { paths: missing });
        }
    }

    let mut out = Vec::new();
    for (v, list) in &in_force {
        let Some(last) = list
            .last()
            .copied()
            .or_else(|| by_vendor[v].last().copied())
        else {
            continue;
        };
        let mut w = warnings.remove(v).unwrap_or_default();
        let mut inputs: Vec<InputRef> = list.iter().map(|s| input_of(s)).collect();
        let mut dues = Vec::new();
        let vendor_payments: Vec<&Payment> = payments
            .iter()
            .flat_map(|p| p.rows.iter().map(|(_, r)| r))
            .filter(|p| p.vendor == *v)
            .collect();
        if let Some(p) = &payments {
            inputs.push(InputRef {
                role: "payments",
                month: None,
                path: p.path.clone(),
                sha256: p.sha256.clone(),
                signed_by: Vec::new(),
            });
            w.extend(
                p.duplicates
                    .iter()
                    .filter(|(_, r)| r.vendor == *v)
                    .map(|(note, _)| note.clone()),
            );
        }
        let later: Vec<&&Payment> = vendor_payments
            .iter()
            .filter(|p| p.paid_on > as_of)
            .collect();
        if !later.is_empty() {
            let ids: Vec<&str> = later.iter().map(|p| p.id.as_str()).collect();
            w.push(format!(
                "{} payment(s) dated after {as_of} are not counted: {}",
                later.len(),
                ids.join(", ")
            ));
        }
        for s in list {
            let mine: Vec<&Payment> = vendor_payments
                .iter()
                .copied()
                .filter(|p| p.month == s.month)
                .collect();
            let d = due_of(s, &mine, as_of)?;
            if d.status == Status::Overpaid {
                w.push(format!(
                    "{}: paid {} against a due of {}: overpaid by {} {}; an overpayment is never moved to another month by itself",
                    d.month,
                    d.paid,
                    d.due,
                    -d.outstanding,
                    s.currency
                ));
            }
            dues.push(d);
        }
        let fin = finals.remove(v);
        let mut lines = Vec::new();
        let mut deducted = Decimal::ZERO;
        if let (Some(dd), true) = (&deductions, fin.is_some()) {
            for (_, d) in dd.rows.iter().filter(|(_, d)| d.vendor == *v) {
                deducted = checked(deducted.checked_add(d.amount), "sum of deductions")?;
                lines.push(DeductionLine {
                    deduction_id: d.id.clone(),
                    amount: scaled(d.amount, last.scale),
                    reason: d.reason.clone(),
                });
            }
            inputs.push(InputRef {
                role: "deductions",
                month: None,
                path: dd.path.clone(),
                sha256: dd.sha256.clone(),
                signed_by: Vec::new(),
            });
            w.extend(
                dd.duplicates
                    .iter()
                    .filter(|(_, d)| d.vendor == *v)
                    .map(|(note, _)| note.clone()),
            );
        }
        let scale = list.iter().map(|s| s.scale).max().unwrap_or(last.scale);
        let (po, vo, lp, lv, balance) = position(&dues, deducted, scale)?;
        let summary = summary(
            &last.vendor_name,
            balance,
            &last.currency,
            as_of,
            fin.as_ref(),
        );
        out.push(Account {
            schema: ACCOUNT_SCHEMA,
            vendor: VendorRef {
                id: v.to_string(),
                name: last.vendor_name.clone(),
            },
            currency: last.currency.clone(),
            as_of: as_of.to_string(),
            final_settlement: fin,
            dues,
            deductions: lines,
            position: Position {
                platform_owes: po,
                vendor_owes: vo,
                late_charges_platform_owes: lp,
                late_charges_vendor_owes: lv,
                deductions: scaled(deducted, scale),
                balance,
                summary,
            },
            inputs,
            warnings: w,
        });
    }
    Ok(out)
}

/// Where `--out DIR` puts a vendor's account: `DIR/account/<vendor>/`.
pub fn out_dir(out: &Path, vendor: &str) -> PathBuf {
    out.join("account").join(vendor)
}

#[cfg(test)]
mod tests {
    use super::archive::LatePayment;
    use super::*;
    use crate::base::money::Rounding;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn late(platform: &str, vendor: &str) -> Option<LatePayment> {
        Some(LatePayment {
            platform_daily_rate: d(platform),
            vendor_daily_rate: d(vendor),
            suspend_after_days: 15,
            terminate_after_days: 45,
        })
    }

    /// A statement of 2026-10 due on 2026-11-25.
    fn statement(net: &str, method: Method, late_payment: Option<LatePayment>) -> StatementRecord {
        StatementRecord {
            path: PathBuf::from("archive/2026-10/acme/statement.json"),
            sha256: String::new(),
            month: Month::parse("2026-10").unwrap(),
            vendor_id: "acme".into(),
            vendor_name: "Acme Service Co.".into(),
            contract_start: Some(day("2026-06-01")),
            contract_end: None,
            currency: "CNY".into(),
            net: d(net),
            payment_by: day("2026-11-25"),
            timezone: chrono_tz::Asia::Shanghai,
            scale: 2,
            rounding: Rounding::HalfUp,
            method,
            late_payment,
            settle_within_days: 30,
            pending_work_orders: 0,
            pending_repairs: 0,
            signatures: Vec::new(),
        }
    }

    fn pay(id: &str, on: &str, amount: &str) -> Payment {
        Payment {
            id: id.into(),
            vendor: "acme".into(),
            payer: Party::Platform,
            month: Month::parse("2026-10").unwrap(),
            paid_on: day(on),
            amount: d(amount),
            note: String::new(),
        }
    }

    fn due(s: &StatementRecord, payments: &[Payment], as_of: &str) -> Due {
        let refs: Vec<&Payment> = payments.iter().collect();
        due_of(s, &refs, day(as_of)).unwrap()
    }

    #[test]
    fn spec_11_payment_day_counts_as_a_late_day() {
        // Due the 25th, paid in full the 27th: late days the 26th and the 27th.
        // Charge 2 × 1000.00 × 0.0005 = 1.00.
        let s = statement("1000.00", Method::Deduct, late("0.0005", "0"));
        let x = due(&s, &[pay("P1", "2026-11-27", "1000.00")], "2026-12-31");
        assert_eq!(x.late_days, 2);
        assert_eq!(x.late_charge.to_string(), "1.00");
        assert_eq!(x.status.as_str(), "paid_late");
        assert_eq!(x.outstanding.to_string(), "0.00");
        assert!(x.rights.is_empty());
    }

    #[test]
    fn spec_11_a_payment_on_the_due_date_is_on_time() {
        let s = statement("1000.00", Method::Deduct, late("0.0005", "0"));
        let x = due(&s, &[pay("P1", "2026-11-25", "1000.00")], "2026-12-31");
        assert_eq!((x.late_days, x.status.as_str()), (0, "paid"));
        assert_eq!(x.late_charge.to_string(), "0.00");
        // Paid early and looked at before the due date: paid, not "not_due".
        let y = due(&s, &[pay("P1", "2026-11-20", "1000.00")], "2026-11-21");
        assert_eq!(y.status.as_str(), "paid");
    }

    #[test]
    fn spec_11_partial_payment_changes_the_daily_base() {
        // The §11 example: 9786.47 due 2026-11-25, 5000.00 paid 2026-11-30, as of 2026-12-31.
        // Late days 11-26 … 12-31 = 36. Unpaid at the start of 11-26 … 11-30 (5 days): 9786.47;
        // of 12-01 … 12-31 (31 days): 4786.47.
        // 0.0005 × (5 × 9786.47 + 31 × 4786.47) = 0.0005 × 197312.92 = 98.65646 → 98.66.
        let s = statement("9786.47", Method::Deduct, late("0.0005", "0"));
        let x = due(&s, &[pay("P-0012", "2026-11-30", "5000.00")], "2026-12-31");
        assert_eq!(x.due.to_string(), "9786.47");
        assert_eq!(x.paid.to_string(), "5000.00");
        assert_eq!(x.outstanding.to_string(), "4786.47");
        assert_eq!(x.late_days, 36);
        assert_eq!(x.late_charge.to_string(), "98.66");
        assert_eq!(x.status.as_str(), "partly_paid");
        assert_eq!(x.payments, vec!["P-0012".to_string()]);
        // Suspend from 11-25 + 15 + 1 = 12-11; terminate from 11-25 + 46 = 2027-01-10, later.
        assert_eq!(
            x.rights,
            vec![Right {
                right: "suspend",
                from: "2026-12-11".into()
            }]
        );
    }

    #[test]
    fn spec_11_rights_arise_exactly_on_their_day() {
        let s = statement("1000.00", Method::Deduct, late("0.0005", "0"));
        let on = due(&s, &[], "2026-12-11");
        assert_eq!(on.rights.len(), 1);
        assert_eq!(on.rights[0].from, "2026-12-11");
        assert_eq!(on.status.as_str(), "overdue");
        assert_eq!(on.late_days, 16);
        let before = due(&s, &[], "2026-12-10");
        assert!(before.rights.is_empty());
        let both = due(&s, &[], "2027-01-10");
        assert_eq!(
            both.rights
                .iter()
                .map(|r| r.from.as_str())
                .collect::<Vec<_>>(),
            vec!["2026-12-11", "2027-01-10"]
        );
        // Paid in full on 12-10: unpaid at the start of 12-11 is nothing, so no right.
        let paid = due(&s, &[pay("P1", "2026-12-10", "1000.00")], "2027-02-01");
        assert!(paid.rights.is_empty());
        // Paid on 12-11 itself: the right arose that morning and stays shown after payment.
        let kept = due(&s, &[pay("P1", "2026-12-11", "1000.00")], "2027-02-01");
        assert_eq!(kept.rights.len(), 1);
        assert_eq!(kept.status.as_str(), "paid_late");
        assert_eq!(kept.late_days, 16);
    }

    #[test]
    fn spec_11_late_charge_rounds_once_with_the_statement_mode() {
        // 2010.00 × 0.0005 × 1 day = 1.005: half_up 1.01, half_even 1.00.
        let mut s = statement("2010.00", Method::Deduct, late("0.0005", "0"));
        let p = [pay("P1", "2026-11-26", "2010.00")];
        assert_eq!(due(&s, &p, "2026-12-31").late_charge.to_string(), "1.01");
        s.rounding = Rounding::HalfEven;
        assert_eq!(due(&s, &p, "2026-12-31").late_charge.to_string(), "1.00");
        // Rounded once, not per day: 10.00 × 0.0005 = 0.005 a day; three days 0.015 → 0.02
        // (rounding each day first would give 0.03).
        let s = statement("10.00", Method::Deduct, late("0.0005", "0"));
        let x = due(&s, &[], "2026-11-28");
        assert_eq!(x.late_days, 3);
        assert_eq!(x.late_charge.to_string(), "0.02");
    }

    #[test]
    fn spec_11_without_late_payment_terms_days_count_but_cost_nothing() {
        let s = statement("1000.00", Method::Deduct, None);
        let x = due(&s, &[], "2027-03-01");
        assert_eq!(x.late_days, 96);
        assert_eq!(x.late_charge.to_string(), "0.00");
        assert!(x.rights.is_empty());
        assert_eq!(x.status.as_str(), "overdue");
    }

    #[test]
    fn spec_11_a_deducted_debt_is_settled_by_deduction() {
        let s = statement("-500.00", Method::Deduct, late("0.0005", "0.0005"));
        let after = due(&s, &[], "2026-12-31");
        assert_eq!(after.payer, Some(Party::Vendor));
        assert_eq!(after.method, Method::Deduct);
        assert_eq!(after.due.to_string(), "500.00");
        assert_eq!(after.paid.to_string(), "0.00");
        assert_eq!(after.outstanding.to_string(), "0.00");
        assert_eq!((after.late_days, after.status.as_str()), (0, "deducted"));
        assert_eq!(after.late_charge.to_string(), "0.00");
        assert_eq!(due(&s, &[], "2026-11-25").status.as_str(), "deducted");
        assert_eq!(due(&s, &[], "2026-11-24").status.as_str(), "not_due");
    }

    #[test]
    fn spec_11_a_wired_vendor_debt_is_charged_at_the_vendor_rate() {
        // The vendor owes 1000.00, wires it on 12-05: late days 11-26 … 12-05 = 10.
        let mut vendor_pays = pay("V1", "2026-12-05", "1000.00");
        vendor_pays.payer = Party::Vendor;
        let s = statement("-1000.00", Method::Wire, late("0.0005", "0.001"));
        let x = due(&s, std::slice::from_ref(&vendor_pays), "2026-12-31");
        assert_eq!(x.payer, Some(Party::Vendor));
        assert_eq!(x.late_days, 10);
        assert_eq!(x.late_charge.to_string(), "10.00");
        assert_eq!(x.status.as_str(), "paid_late");
        // Rights are the vendor's, against the platform's late payment: none here.
        assert!(x.rights.is_empty());
        // vendor_daily_rate left out (default 0): days counted, no charge.
        let s = statement("-1000.00", Method::Wire, late("0.0005", "0"));
        let y = due(&s, &[vendor_pays], "2026-12-31");
        assert_eq!(y.late_days, 10);
        assert_eq!(y.late_charge.to_string(), "0.00");
    }

    #[test]
    fn spec_11_statuses() {
        let s = statement("1000.00", Method::Deduct, late("0.0005", "0"));
        assert_eq!(due(&s, &[], "2026-11-01").status.as_str(), "not_due");
        assert_eq!(due(&s, &[], "2026-11-25").status.as_str(), "not_due");
        assert_eq!(due(&s, &[], "2026-11-26").status.as_str(), "overdue");
        let part = [pay("P1", "2026-11-10", "400.00")];
        assert_eq!(due(&s, &part, "2026-11-20").status.as_str(), "not_due");
        assert_eq!(due(&s, &part, "2026-11-26").status.as_str(), "partly_paid");
        let over = [
            pay("P1", "2026-11-10", "400.00"),
            pay("P2", "2026-11-30", "700.00"),
        ];
        let x = due(&s, &over, "2026-12-31");
        assert_eq!(x.status.as_str(), "overpaid");
        assert_eq!(x.outstanding.to_string(), "-100.00");
        // Late days until the day the debt was cleared: 11-26 … 11-30, on 600.00 a day.
        assert_eq!(x.late_days, 5);
        assert_eq!(x.late_charge.to_string(), "1.50");
        // A payment after as_of is not counted.
        let y = due(&s, &over, "2026-11-29");
        assert_eq!(y.paid.to_string(), "400.00");
        assert_eq!(y.payments, vec!["P1".to_string()]);
        let zero = statement("0.00", Method::Wire, late("0.0005", "0"));
        let z = due(&zero, &[], "2026-12-31");
        assert_eq!((z.payer, z.status), (None, Status::NothingDue));
        assert_eq!(z.due.to_string(), "0.00");
    }

    #[test]
    fn spec_11_position_and_balance() {
        let platform = statement("1000.00", Method::Deduct, late("0.0005", "0"));
        let a = due(&platform, &[], "2026-12-05"); // 10 days × 0.50 = 5.00
        let mut wire = statement("-300.00", Method::Wire, late("0.0005", "0.001"));
        wire.month = Month::parse("2026-11").unwrap();
        let b = due(&wire, &[], "2026-12-05"); // 10 days × 0.30 = 3.00
        let deducted = due(
            &statement("-700.00", Method::Deduct, None),
            &[],
            "2026-12-05",
        );
        let (po, vo, lp, lv, bal) = position(&[a, b, deducted], d("50.00"), 2).unwrap();
        assert_eq!(po.to_string(), "1000.00");
        assert_eq!(vo.to_string(), "300.00");
        assert_eq!(lp.to_string(), "5.00");
        assert_eq!(lv.to_string(), "3.00");
        // 1000 + 5 − 300 − 3 − 50 = 652.00; the deducted debt enters no sum.
        assert_eq!(bal.to_string(), "652.00");
    }

    use proptest::prelude::*;

    /// SPEC §11 read word for word: every day after the due date up to `as_of` on which part of
    /// the due is unpaid at its start (payments dated before it) is late, charged on that part.
    fn day_by_day(s: &StatementRecord, payments: &[Payment], as_of: NaiveDate) -> (u32, Decimal) {
        let rate = s
            .late_payment
            .as_ref()
            .map_or(Decimal::ZERO, |l| l.platform_daily_rate);
        let (mut days, mut charge) = (0, Decimal::ZERO);
        let mut d = s.payment_by.succ_opt().unwrap();
        while d <= as_of {
            let paid: Decimal = payments
                .iter()
                .filter(|p| p.paid_on < d)
                .map(|p| p.amount)
                .sum();
            let left = s.net - paid;
            if left > Decimal::ZERO {
                days += 1;
                charge += left * rate;
            }
            d = d.succ_opt().unwrap();
        }
        (days, round(charge, s.scale, s.rounding))
    }

    proptest! {
        /// The charge summed in runs equals the charge summed day by day.
        #[test]
        fn spec_11_runs_of_days_charge_what_each_day_charges(
            due_cents in 1i64..10_000_000,
            parts in proptest::collection::vec((0i64..60, 1i64..5_000_000), 0..6),
            k in 0u64..90,
        ) {
            let net = Decimal::new(due_cents, 2);
            let s = statement(&net.to_string(), Method::Deduct, late("0.0005", "0"));
            let payments: Vec<Payment> = parts
                .iter()
                .enumerate()
                .map(|(i, (offset, cents))| {
                    let on = day("2026-11-10") + chrono::Duration::days(*offset);
                    pay(&format!("P{i}"), &on.to_string(), &Decimal::new(*cents, 2).to_string())
                })
                .collect();
            let as_of = day("2026-11-20") + chrono::Days::new(k);
            let counted: Vec<Payment> = payments.iter().filter(|p| p.paid_on <= as_of).cloned().collect();
            let x = due(&s, &payments, &as_of.to_string());
            let (days, charge) = day_by_day(&s, &counted, as_of);
            prop_assert_eq!(x.late_days, days);
            prop_assert_eq!(x.late_charge, charge);
        }

        /// As the date moves on, nothing already counted is undone: late days, the late charge
        /// and the rights only grow, and once fully paid the figures stop moving.
        #[test]
        fn spec_11_the_account_only_grows_with_the_date(
            due_cents in 1i64..10_000_000,
            parts in proptest::collection::vec((0i64..60, 1i64..5_000_000), 0..5),
            a in 0u64..120,
            b in 0u64..120,
        ) {
            let net = Decimal::new(due_cents, 2);
            let s = statement(&net.to_string(), Method::Deduct, late("0.0005", "0"));
            let payments: Vec<Payment> = parts
                .iter()
                .enumerate()
                .map(|(i, (offset, cents))| {
                    let on = day("2026-11-10") + chrono::Duration::days(*offset);
                    pay(&format!("P{i}"), &on.to_string(), &Decimal::new(*cents, 2).to_string())
                })
                .collect();
            let (early, late_) = (a.min(b), a.max(b));
            let at = |k: u64| (day("2026-11-20") + chrono::Days::new(k)).to_string();
            let x = due(&s, &payments, &at(early));
            let y = due(&s, &payments, &at(late_));
            prop_assert!(x.late_days <= y.late_days);
            prop_assert!(x.late_charge <= y.late_charge);
            prop_assert!(x.rights.iter().all(|r| y.rights.contains(r)));
            prop_assert!(x.paid <= y.paid);
            // Late days never exceed the days from the due date to the date.
            let span = (day(&at(late_)) - s.payment_by).num_days().max(0);
            prop_assert!(i64::from(y.late_days) <= span);
            // The charge is at most every late day charged on the whole due.
            let most = net * Decimal::new(5, 4) * Decimal::from(y.late_days);
            prop_assert!(y.late_charge <= round(most, 2, Rounding::HalfUp));
            prop_assert_eq!(y.outstanding, y.due - y.paid);
        }
    }

    #[test]
    fn a_zero_balance_is_never_negative() {
        let platform = statement("500.50", Method::Deduct, None);
        let a = due(&platform, &[], "2026-11-01");
        let (.., bal) = position(&[a], d("500.50"), 2).unwrap();
        assert_eq!(bal.to_string(), "0.00");
    }

    #[test]
    fn amounts_in_words_are_grouped() {
        assert_eq!(grouped(d("12345.67")), "12,345.67");
        assert_eq!(grouped(d("-1234567.00")), "1,234,567.00");
        assert_eq!(grouped(d("999.99")), "999.99");
        assert_eq!(grouped(d("0.00")), "0.00");
    }
}
