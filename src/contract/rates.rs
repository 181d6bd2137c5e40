//! Loads and validates `rates.toml` (SPEC §3, §8): the contract terms, their revisions and each
//! vendor's overrides, checked into the [`Terms`] every later stage prices and scores by.
//!
//! The file is parsed as TOML and read through the serde mirror in `raw`: first the file's own
//! keys, each revision and each vendor's own keys, then, merged as `layers` describes, every
//! combination of base, revisions and vendor overrides, validated here key by key in a fixed
//! order: ranges, choices and the rules between keys. Every error names the key by its dotted
//! path as written in the file (`work_orders.reply_within`,
//! `revisions."2027-01-01".takeover.presales.phone`, `vendors.acme.scorecard[0].metrics`) and
//! says what to do. Unknown keys are errors at any depth: a typo must not silently change a price.
//!
//! Terms may change during a contract: the terms in force for vendor V in month M are the base
//! sections, then every revision dated on or before M's first day (in date order), then V's own
//! override sections; tables merge key by key, arrays and values are replaced whole. Every such
//! combination is built and validated at load time, so an invalid value fails the load even if
//! the month it applies to is never settled, and [`Rates::terms_for`] is a cheap lookup.

use crate::base::calendar::{self, Calendar, Schedule};
use crate::base::money::Rounding;
use crate::base::timestamp::Month;
use crate::base::word::Word;
use crate::contract::layers::{
    child, config, fmt_key, item, merge, At, Cx, KeyPath, Revision, Seg,
};
#[cfg(test)]
use crate::contract::layers::{edit_distance, fmt_path};
use crate::contract::raw::{self, parse_date_text, Bool, Dec, Int, Key, Str, Tab};
use crate::contract::terms::{
    ChannelPrices, ConfidentialityTerms, ContactTerms, DeadlineTerms, EarnRates, IncidentTerms,
    LatePaymentTerms, MetricName, MoneyTerms, Package, RepairTerms, RubricItem, Scorecard,
    ServiceBreachTerms, ServiceHours, SettlementMethod, Shortfall, TakeoverRates, TerminationTerms,
    Terms, Tier, Vendor, WhenEmpty, WorkOrderTerms,
};
use crate::error::Error;
use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use toml::{Table, Value};

/// Top-level keys that are not terms sections: they hold for the whole file.
const GLOBAL: [&str; 4] = ["timezone", "currency", "vendors", "revisions"];
/// A vendor's own keys, beside its override sections.
const VENDOR_KEYS: [&str; 4] = ["name", "contract_start", "trial_months", "contract_end"];
/// Upper bound of working-day counts (appeal, repair resolution): a year.
const MAX_WORKING_DAYS: i64 = 366;
/// Upper bound of `trial_months`: a century.
const MAX_TRIAL_MONTHS: i64 = 1200;
/// Upper bound of a price or any sum of money in the terms: 10^15, far beyond any contract and
/// far below where exact decimal arithmetic runs out of digits.
const MAX_AMOUNT: i64 = 1_000_000_000_000_000;
/// Upper bound of day counts of the account (late days, settle within): ten years.
const MAX_DAYS: i64 = 3_660;
/// Upper bound of incident counts (records, breaches).
const MAX_COUNT: i64 = 1_000_000_000;
/// Upper bound of durations (`reply_within`, `respond_within`): a year.
const MAX_DURATION_SECONDS: i64 = 366 * 86_400;
/// The loaded and validated rates file.
#[derive(Debug, Clone)]
pub struct Rates {
    /// The file, as given.
    pub path: PathBuf,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
    /// The contract time zone.
    pub timezone: Tz,
    /// The contract currency, e.g. `CNY`.
    pub currency: String,
    /// The declared vendors, sorted by id.
    pub vendors: Vec<Vendor>,
    /// Per vendor (same order as `vendors`): the terms of each epoch, the base epoch (`None`)
    /// first, then one per revision month in date order.
    terms: Vec<Vec<(Option<Month>, Terms)>>,
    /// Per vendor and epoch (same shape as `terms`): the document those terms were validated
    /// from, `timezone` and `currency` first, then the merged sections in file order.
    tables: Vec<Vec<Table>>,
}

impl Rates {
    /// Reads and validates the rates file at `path`. A missing or unreadable file is a
    /// configuration error (exit 78) that says how to supply one.
    pub fn load(path: &Path) -> Result<Rates, Error> {
        let bytes = crate::base::files::read_regular(path).map_err(|e| {
            let hint = if e.kind() == std::io::ErrorKind::NotFound {
                "create it (rates.example.toml shows every key) or pass --rates FILE"
            } else {
                "check that the file exists and is readable, or pass --rates FILE"
            };
            config(path, format!("cannot read the rates file: {e}; {hint}"))
        })?;
        let text = String::from_utf8(bytes)
            .map_err(|_| config(path, "the rates file is not UTF-8 text; save it as UTF-8"))?;
        Rates::parse(&text, path)
    }

    /// Validates the text of a rates file; `path` is recorded and used in error messages, and
    /// the hash is taken over `text`'s bytes.
    pub fn parse(text: &str, path: &Path) -> Result<Rates, Error> {
        let sha256 = Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>();
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        let doc: Table = body.parse().map_err(|e: toml::de::Error| {
            config(
                path,
                format!(
                    "not valid TOML, fix the syntax at the place shown: {}",
                    e.to_string().trim_end()
                ),
            )
        })?;

        let top = Cx::new(path, &doc);
        let file: raw::File = top.de(&Value::Table(doc.clone()), &[])?;
        let timezone = {
            let a = top.req(&file.timezone, &[], "timezone")?;
            let s = a.v.0.as_str();
            Tz::from_str(s).map_err(|_| {
                top.fail(
                    &a.p,
                    format!(
                        "`{s}` is not an IANA time zone name; write one like \"Asia/Shanghai\""
                    ),
                )
            })?
        };
        let currency = {
            let a = top.req(&file.currency, &[], "currency")?;
            let s = a.v.0.as_str();
            if s.len() != 3 || !s.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(top.fail(
                    &a.p,
                    format!(
                        "`{s}` is not a currency code; write three upper-case letters like \"CNY\""
                    ),
                ));
            }
            s.to_string()
        };
        let revisions = parse_revisions(&top, &doc)?;
        let (vendors, overrides) = parse_vendors(&top, &doc)?;

        // The terms sections of the file alone: the first layer of every combination.
        let base: Table = doc
            .iter()
            .filter(|(k, _)| !GLOBAL.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut terms: Vec<Vec<(Option<Month>, Terms)>> = vec![Vec::new(); vendors.len()];
        let mut tables: Vec<Vec<Table>> = vec![Vec::new(); vendors.len()];
        // What a statement records as the terms in force: the global keys, then the sections.
        let recorded = |sections: &Table| -> Table {
            let mut t = Table::new();
            for key in ["timezone", "currency"] {
                if let Some(v) = doc.get(key) {
                    t.insert(key.to_string(), v.clone());
                }
            }
            t.extend(sections.iter().map(|(k, v)| (k.clone(), v.clone())));
            t
        };
        let mut merged = base;
        for epoch in 0..=revisions.len() {
            let month = if epoch == 0 {
                None
            } else {
                let rev = &revisions[epoch - 1];
                merge(&mut merged, &rev.table);
                Some(Month::of(rev.date))
            };
            // The base (and its revisions) must stand on their own, whatever the vendors override.
            let cx = Cx {
                revisions: &revisions[..epoch],
                epoch: month,
                ..Cx::new(path, &doc)
            };
            let shared = build_terms(&cx, &merged)?;
            let shared_table = recorded(&merged);
            for (i, (vendor, over)) in vendors.iter().zip(&overrides).enumerate() {
                let (t, table) = if over.is_empty() {
                    (shared.clone(), shared_table.clone())
                } else {
                    let mut mine = merged.clone();
                    merge(&mut mine, over);
                    let cx = Cx {
                        vendor: Some((vendor.id.as_str(), over)),
                        revisions: &revisions[..epoch],
                        epoch: month,
                        ..Cx::new(path, &doc)
                    };
                    (build_terms(&cx, &mine)?, recorded(&mine))
                };
                terms[i].push((month, t));
                tables[i].push(table);
            }
        }

        Ok(Rates {
            path: path.to_path_buf(),
            sha256,
            timezone,
            currency,
            vendors,
            terms,
            tables,
        })
    }

    /// The vendor declared as `[vendors.<id>]`, if any.
    pub fn vendor(&self, id: &str) -> Option<&Vendor> {
        self.vendor_index(id).map(|i| &self.vendors[i])
    }

    /// The terms in force for `vendor_id` in `month`: base, revisions up to the month, then the
    /// vendor's overrides (SPEC §3). Everything was validated at load.
    ///
    /// # Panics
    /// When `vendor_id` is not declared; check with [`Rates::vendor`] first.
    pub fn terms_for(&self, vendor_id: &str, month: Month) -> &Terms {
        let (i, e) = self.epoch_of(vendor_id, month);
        &self.terms[i][e].1
    }

    /// The document the terms of [`Rates::terms_for`] were validated from, as a statement
    /// records them: `timezone` and `currency`, then every terms section after revisions and
    /// the vendor's overrides, keys in file order, values as written (decimals written as
    /// strings stay strings).
    ///
    /// # Panics
    /// When `vendor_id` is not declared; check with [`Rates::vendor`] first.
    pub fn terms_table_for(&self, vendor_id: &str, month: Month) -> &Table {
        let (i, e) = self.epoch_of(vendor_id, month);
        &self.tables[i][e]
    }

    /// The vendor's index and the index of the epoch in force in `month`.
    fn epoch_of(&self, vendor_id: &str, month: Month) -> (usize, usize) {
        let i = self.vendor_index(vendor_id).unwrap_or_else(|| {
            panic!(
                "vendor `{vendor_id}` is not declared in {}",
                self.path.display()
            )
        });
        let epochs = &self.terms[i];
        // The base epoch (`None`) sorts before every month, so at least one epoch qualifies.
        let n = epochs.partition_point(|(from, _)| *from <= Some(month));
        (i, n - 1)
    }

    fn vendor_index(&self, id: &str) -> Option<usize> {
        self.vendors
            .binary_search_by(|v| v.id.as_str().cmp(id))
            .ok()
    }
}

// ------------------------------------------------------------------------------------------------
// Values of the raw document, checked

/// A whole number in `lo..=hi`; `what` says what the range means.
fn int(cx: &Cx, a: &At<Int>, lo: i64, hi: i64, what: &str) -> Result<i64, Error> {
    let i = a.v.0;
    if i < lo || i > hi {
        return Err(cx.fail(&a.p, format!("{i} is out of range: {what}")));
    }
    Ok(i)
}

fn req_int(
    cx: &Cx,
    v: &Key<Int>,
    p: &[Seg],
    key: &str,
    lo: i64,
    hi: i64,
    what: &str,
) -> Result<i64, Error> {
    int(cx, &cx.req(v, p, key)?, lo, hi, what)
}

/// A decimal that may not be negative; `what` names it in the message.
fn non_negative(cx: &Cx, a: &At<Dec>, what: &str) -> Result<Decimal, Error> {
    let d = a.v.0;
    if d.is_sign_negative() {
        return Err(cx.fail(
            &a.p,
            format!("{what} cannot be negative (found {d}); write zero or more"),
        ));
    }
    Ok(d)
}

fn price(cx: &Cx, a: &At<Dec>) -> Result<Decimal, Error> {
    let d = non_negative(cx, a, "a price")?;
    if d > Decimal::from(MAX_AMOUNT) {
        return Err(cx.fail(
            &a.p,
            format!("{d} is beyond any contract's prices (at most 10^15); check the digits"),
        ));
    }
    Ok(d)
}

fn req_price(cx: &Cx, v: &Key<Dec>, p: &[Seg], key: &str) -> Result<Decimal, Error> {
    price(cx, &cx.req(v, p, key)?)
}

fn opt_price(cx: &Cx, v: &Key<Dec>, p: &[Seg], key: &str) -> Result<Option<Decimal>, Error> {
    cx.opt(v, p, key)?.map(|a| price(cx, &a)).transpose()
}

/// A daily rate: a share of the unpaid amount per day, 0 to 1.
fn daily_rate(cx: &Cx, a: &At<Dec>) -> Result<Decimal, Error> {
    let d = non_negative(cx, a, "a daily rate")?;
    if d > Decimal::ONE {
        return Err(cx.fail(
            &a.p,
            format!(
                "{d} is more than the whole unpaid amount each day; a rate is a share per day (\"0.0005\" is 0.05%)"
            ),
        ));
    }
    Ok(d)
}

/// An optional flag: absent is false.
fn flag(cx: &Cx, v: &Key<Bool>, p: &[Seg], key: &str) -> Result<bool, Error> {
    Ok(cx.opt(v, p, key)?.is_some_and(|b| b.v.0))
}

/// A string with visible content and no surrounding blanks.
fn text<'t>(cx: &Cx, a: &'t At<Str>, what: &str) -> Result<&'t str, Error> {
    let s = a.v.0.as_str();
    if s.trim().is_empty() {
        return Err(cx.fail(&a.p, format!("{what} cannot be empty; write one")));
    }
    if s.trim() != s {
        return Err(cx.fail(
            &a.p,
            format!("{what} `{s}` has blanks at its start or end; remove them"),
        ));
    }
    Ok(s)
}

/// One of the listed names.
fn choice<T: Copy>(cx: &Cx, a: &At<Str>, options: &[(&str, T)]) -> Result<T, Error> {
    let s = a.v.0.as_str();
    options
        .iter()
        .find(|(name, _)| *name == s)
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            let names: Vec<String> = options.iter().map(|(n, _)| format!("\"{n}\"")).collect();
            cx.fail(
                &a.p,
                format!(
                    "`{s}` is not allowed here; write one of {}",
                    names.join(", ")
                ),
            )
        })
}

/// A duration like `3h` or `1h30m`, in seconds.
fn duration(cx: &Cx, a: &At<Str>) -> Result<i64, Error> {
    let s = a.v.0.as_str();
    let secs = calendar::parse_duration(s).map_err(|m| cx.fail(&a.p, m))?;
    if secs > MAX_DURATION_SECONDS {
        return Err(cx.fail(
            &a.p,
            format!("`{s}` is longer than a year; write a shorter duration"),
        ));
    }
    Ok(secs)
}

// ------------------------------------------------------------------------------------------------
// Revisions and vendors

/// The revisions, in date order. Each is read whole here, so a key it misspells or a value of
/// the wrong kind is reported where it was written before any combination is built.
fn parse_revisions(cx: &Cx, doc: &Table) -> Result<Vec<Revision>, Error> {
    let Some(v) = doc.get("revisions") else {
        return Ok(Vec::new());
    };
    let p: KeyPath = vec![Seg::Key("revisions".into())];
    let table = cx.table(v, &p)?;
    let mut out = Vec::with_capacity(table.len());
    for (key, v) in table {
        let kp = child(&p, key);
        let date = parse_date_text(key).ok_or_else(|| {
            cx.fail(
                &kp,
                "a revision is keyed by the date it takes effect; write it as \"YYYY-MM-01\"",
            )
        })?;
        if date.day() != 1 {
            return Err(cx.fail(
                &kp,
                format!(
                    "a revision must be dated on the first of a month (a monthly settlement \
                     cannot split a month); date it \"{}\" or \"{}\"",
                    Month::of(date).first_day(),
                    Month::of(date).next().first_day()
                ),
            ));
        }
        let rt = cx.table(v, &kp)?;
        for k in rt.keys() {
            if GLOBAL.contains(&k.as_str()) {
                return Err(cx.fail(
                    &child(&kp, k),
                    format!(
                        "a revision cannot change `{k}`, which holds for the whole file; \
                         remove it from the revision"
                    ),
                ));
            }
        }
        let _: raw::Sections = cx.de(v, &kp)?;
        out.push(Revision {
            date,
            key: key.clone(),
            table: rt.clone(),
        });
    }
    out.sort_by_key(|r| r.date);
    Ok(out)
}

/// A vendor id names a statement folder: letters, digits, `-`, `_` and `.`, not starting with
/// a dot.
fn valid_vendor_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_' || c == '.')
}

/// The vendors sorted by id, each with its override sections.
fn parse_vendors(cx: &Cx, doc: &Table) -> Result<(Vec<Vendor>, Vec<Table>), Error> {
    let p: KeyPath = vec![Seg::Key("vendors".into())];
    let v = doc.get("vendors").ok_or_else(|| {
        cx.missing(
            &p,
            "declare each vendor as [vendors.<id>] with name, contract_start and trial_months",
        )
    })?;
    let table = cx.table(v, &p)?;
    let mut out: Vec<(Vendor, Table)> = Vec::with_capacity(table.len());
    for (id, v) in table {
        let vp = child(&p, id);
        if !valid_vendor_id(id) {
            return Err(cx.fail(
                &vp,
                "a vendor id must be letters, digits, `-`, `_` or `.` and not start with a dot \
                 (it names the vendor's statement folder); rename the vendor",
            ));
        }
        let vt = cx.table(v, &vp)?;
        for k in vt.keys() {
            if GLOBAL.contains(&k.as_str()) {
                return Err(cx.fail(
                    &child(&vp, k),
                    format!(
                        "a vendor cannot override `{k}`, which holds for the whole file; \
                         remove it from the vendor"
                    ),
                ));
            }
        }
        let r: raw::Vendor = cx.de(v, &vp)?;
        let name = text(cx, &cx.req(&r.name, &vp, "name")?, "a vendor name")?.to_string();
        let contract_start = cx.req(&r.contract_start, &vp, "contract_start")?.v.0;
        let trial_months = req_int(
            cx,
            &r.trial_months,
            &vp,
            "trial_months",
            0,
            MAX_TRIAL_MONTHS,
            "trial_months is a number of months, 0 or more",
        )? as u32;
        let contract_end = match cx.opt(&r.contract_end, &vp, "contract_end")? {
            None => None,
            Some(a) => {
                let end = a.v.0;
                if end < contract_start {
                    return Err(cx.fail(
                        &a.p,
                        format!(
                            "{end} is before contract_start {contract_start}; the last day of service comes after the first"
                        ),
                    ));
                }
                Some(end)
            }
        };
        let overrides: Table = vt
            .iter()
            .filter(|(k, _)| !VENDOR_KEYS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        out.push((
            Vendor {
                id: id.clone(),
                name,
                contract_start,
                trial_months,
                contract_end,
            },
            overrides,
        ));
    }
    out.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    Ok(out.into_iter().unzip())
}

// ------------------------------------------------------------------------------------------------
// One merged document → Terms

fn build_terms(cx: &Cx, doc: &Table) -> Result<Terms, Error> {
    let raw: raw::Sections = cx.de(&Value::Table(doc.clone()), &[])?;
    let root: &[Seg] = &[];

    let money = {
        let m = cx.req(&raw.money, root, "money")?;
        let scale = req_int(
            cx,
            &m.v.scale,
            &m.p,
            "scale",
            0,
            10,
            "money.scale is 0 to 10 decimal places",
        )? as u32;
        let rounding = choice(
            cx,
            &cx.req(&m.v.rounding, &m.p, "rounding")?,
            &Rounding::ALL.map(|r| (r.as_str(), r)),
        )?;
        MoneyTerms { scale, rounding }
    };

    let calendar = {
        let c = cx.req(&raw.calendar, root, "calendar")?;
        let dates = |v: &Key<Vec<raw::Date>>, key: &str| -> Result<BTreeSet<NaiveDate>, Error> {
            Ok(cx.req(v, &c.p, key)?.v.iter().map(|d| d.0).collect())
        };
        let holidays = dates(&c.v.holidays, "holidays")?;
        let workdays = dates(&c.v.workdays, "workdays")?;
        if let Some(both) = holidays.intersection(&workdays).next() {
            return Err(cx.fail(
                &child(&c.p, "workdays"),
                format!("{both} is listed both as a holiday and as a workday; keep it in one list"),
            ));
        }
        Calendar { holidays, workdays }
    };

    let service_hours = {
        let s = cx.req(&raw.service_hours, root, "service_hours")?;
        let channel = |v: &Key<Tab<raw::Schedule>>, key: &str| -> Result<Schedule, Error> {
            let a = cx.req(v, &s.p, key)?;
            schedule(cx, &a.p, &a.v.days, &a.v.windows, &a.v.observe_holidays)
        };
        ServiceHours {
            count_outside_hours: flag(cx, &s.v.count_outside_hours, &s.p, "count_outside_hours")?,
            phone: channel(&s.v.phone, "phone")?,
            online: channel(&s.v.online, "online")?,
        }
    };

    let contacts = {
        let c = cx.req(&raw.contacts, root, "contacts")?;
        let secs = "seconds cannot be negative";
        ContactTerms {
            effective_min_talk_seconds: req_int(
                cx,
                &c.v.effective_min_talk_seconds,
                &c.p,
                "effective_min_talk_seconds",
                0,
                i64::MAX,
                secs,
            )?,
            service_level_seconds: req_int(
                cx,
                &c.v.service_level_seconds,
                &c.p,
                "service_level_seconds",
                0,
                i64::MAX,
                secs,
            )?,
            short_abandon_seconds: match cx.opt(
                &c.v.short_abandon_seconds,
                &c.p,
                "short_abandon_seconds",
            )? {
                Some(a) => int(cx, &a, 0, i64::MAX, secs)?,
                None => 0,
            },
        }
    };

    let work_orders = {
        let w = cx.req(&raw.work_orders, root, "work_orders")?;
        let reply_within_seconds = duration(cx, &cx.req(&w.v.reply_within, &w.p, "reply_within")?)?;
        WorkOrderTerms {
            reply_within_seconds,
            business_hours: schedule(cx, &w.p, &w.v.days, &w.v.windows, &w.v.observe_holidays)?,
            overdue_charge: req_price(cx, &w.v.overdue_charge, &w.p, "overdue_charge")?,
        }
    };

    let repairs = {
        let r = cx.req(&raw.repairs, root, "repairs")?;
        let respond_within_seconds =
            duration(cx, &cx.req(&r.v.respond_within, &r.p, "respond_within")?)?;
        let d = cx.req(&r.v.resolve_working_days, &r.p, "resolve_working_days")?;
        let days = |v: &Key<Int>, key: &str| {
            let range = "a repair gets 1 to 366 working days";
            Ok::<u32, Error>(req_int(cx, v, &d.p, key, 1, MAX_WORKING_DAYS, range)? as u32)
        };
        RepairTerms {
            respond_within_seconds,
            resolve_simple_days: days(&d.v.simple, "simple")?,
            resolve_complex_days: days(&d.v.complex, "complex")?,
        }
    };

    let deadlines = {
        let d = cx.req(&raw.deadlines, root, "deadlines")?;
        let day = |v: &Key<Int>, key: &str| -> Result<u32, Error> {
            Ok(req_int(
                cx,
                v,
                &d.p,
                key,
                1,
                31,
                "a day of the month is 1 to 31 (a day past the month's end means its last day)",
            )? as u32)
        };
        DeadlineTerms {
            notice_day: day(&d.v.notice_day, "notice_day")?,
            results_day: day(&d.v.results_day, "results_day")?,
            appeal_working_days: req_int(
                cx,
                &d.v.appeal_working_days,
                &d.p,
                "appeal_working_days",
                0,
                MAX_WORKING_DAYS,
                "the appeal period is 0 to 366 working days",
            )? as u32,
            final_day: day(&d.v.final_day, "final_day")?,
            payment_day: day(&d.v.payment_day, "payment_day")?,
        }
    };

    let settlement = {
        let s = cx.req(&raw.settlement, root, "settlement")?;
        choice(
            cx,
            &cx.req(&s.v.method, &s.p, "method")?,
            &SettlementMethod::ALL.map(|m| (m.as_str(), m)),
        )?
    };

    let earn = match cx.opt(&raw.earn, root, "earn")? {
        None => EarnRates::default(),
        Some(e) => {
            let commission_rate = match cx.opt(&e.v.commission_rate, &e.p, "commission_rate")? {
                None => None,
                Some(a) => {
                    let rate = non_negative(cx, &a, "a commission rate")?;
                    if rate > Decimal::ONE {
                        return Err(cx.fail(
                            &a.p,
                            format!(
                                "{rate} is more than the whole order amount; a rate is a share \
                                 (\"0.03\" is 3%)"
                            ),
                        ));
                    }
                    Some(rate)
                }
            };
            let price = |v: &Key<Dec>, key: &str| opt_price(cx, v, &e.p, key);
            EarnRates {
                phone_effective_call: price(&e.v.phone_effective_call, "phone_effective_call")?,
                online_session: price(&e.v.online_session, "online_session")?,
                complaint_resolved: price(&e.v.complaint_resolved, "complaint_resolved")?,
                service_order: price(&e.v.service_order, "service_order")?,
                commission_rate,
            }
        }
    };

    let packages = packages(cx, &raw.packages)?;
    let takeover = takeover(cx, &raw.takeover, &packages)?;
    let scorecards = scorecards(cx, &raw.scorecard)?;
    let incidents = incidents(cx, &raw.incidents)?;
    let late_payment = late_payment(cx, &raw.late_payment)?;
    let termination = termination(cx, &raw.termination, &work_orders, &takeover)?;

    Ok(Terms {
        money,
        calendar,
        service_hours,
        contacts,
        work_orders,
        repairs,
        deadlines,
        settlement,
        earn,
        takeover,
        packages,
        scorecards,
        incidents,
        late_payment,
        termination,
    })
}

/// `[incidents.confidentiality]` and `[incidents.service_breach]`, each optional (SPEC §9).
fn incidents(cx: &Cx, raw: &Key<Tab<raw::Incidents>>) -> Result<IncidentTerms, Error> {
    let Some(r) = cx.opt(raw, &[], "incidents")? else {
        return Ok(IncidentTerms::default());
    };
    let confidentiality = match cx.opt(&r.v.confidentiality, &r.p, "confidentiality")? {
        None => None,
        Some(c) => {
            let (right, right_at) =
                cx.present(&c.v.termination_right, &c.p, "termination_right")?;
            Some(ConfidentialityTerms {
                per_record: req_price(cx, &c.v.per_record, &c.p, "per_record")?,
                lump_sum: req_price(cx, &c.v.lump_sum, &c.p, "lump_sum")?,
                lump_after_records: req_int(
                    cx,
                    &c.v.lump_after_records,
                    &c.p,
                    "lump_after_records",
                    0,
                    MAX_COUNT,
                    "a number of records, 0 or more",
                )? as u64,
                competitor_minimum: req_price(
                    cx,
                    &c.v.competitor_minimum,
                    &c.p,
                    "competitor_minimum",
                )?,
                termination_right: cx.open(right, right_at)?.v.0,
            })
        }
    };
    let service_breach = match cx.opt(&r.v.service_breach, &r.p, "service_breach")? {
        None => None,
        Some(b) => Some(ServiceBreachTerms {
            per_incident: req_price(cx, &b.v.per_incident, &b.p, "per_incident")?,
            termination_after: req_int(
                cx,
                &b.v.termination_after,
                &b.p,
                "termination_after",
                1,
                MAX_COUNT,
                "a number of breaches, 1 or more",
            )? as u64,
        }),
    };
    Ok(IncidentTerms {
        confidentiality,
        service_breach,
    })
}

/// `[late_payment]`, optional (SPEC §11); `vendor_daily_rate` defaults to 0.
fn late_payment(
    cx: &Cx,
    raw: &Key<Tab<raw::LatePayment>>,
) -> Result<Option<LatePaymentTerms>, Error> {
    let Some(r) = cx.opt(raw, &[], "late_payment")? else {
        return Ok(None);
    };
    let platform = cx.req(&r.v.platform_daily_rate, &r.p, "platform_daily_rate")?;
    let days = |v: &Key<Int>, key: &str| {
        let range = "a number of days, 0 to 3660";
        Ok::<u32, Error>(req_int(cx, v, &r.p, key, 0, MAX_DAYS, range)? as u32)
    };
    Ok(Some(LatePaymentTerms {
        platform_daily_rate: daily_rate(cx, &platform)?,
        vendor_daily_rate: match cx.opt(&r.v.vendor_daily_rate, &r.p, "vendor_daily_rate")? {
            Some(a) => daily_rate(cx, &a)?,
            None => Decimal::ZERO,
        },
        suspend_after_days: days(&r.v.suspend_after_days, "suspend_after_days")?,
        terminate_after_days: days(&r.v.terminate_after_days, "terminate_after_days")?,
    }))
}

/// `[termination]`, optional (SPEC §12): `settle_within_days` 30 without the table; the work
/// order and service order prices default to the overdue charge and the takeover price.
fn termination(
    cx: &Cx,
    raw: &Key<Tab<raw::Termination>>,
    work_orders: &WorkOrderTerms,
    takeover: &TakeoverRates,
) -> Result<TerminationTerms, Error> {
    let defaults = TerminationTerms {
        settle_within_days: 30,
        work_order: work_orders.overdue_charge,
        service_order: takeover.service_order,
        repair: None,
    };
    let Some(r) = cx.opt(raw, &[], "termination")? else {
        return Ok(defaults);
    };
    Ok(TerminationTerms {
        settle_within_days: req_int(
            cx,
            &r.v.settle_within_days,
            &r.p,
            "settle_within_days",
            0,
            MAX_DAYS,
            "a number of days, 0 to 3660",
        )? as u32,
        work_order: opt_price(cx, &r.v.work_order, &r.p, "work_order")?
            .unwrap_or(defaults.work_order),
        service_order: opt_price(cx, &r.v.service_order, &r.p, "service_order")?
            .unwrap_or(defaults.service_order),
        repair: opt_price(cx, &r.v.repair, &r.p, "repair")?,
    })
}

/// `days`, `windows` and optional `observe_holidays` of the table at `p`; errors name the key
/// at fault.
fn schedule(
    cx: &Cx,
    p: &[Seg],
    days: &Key<Str>,
    windows: &Key<Vec<Str>>,
    observe_holidays: &Key<Bool>,
) -> Result<Schedule, Error> {
    let d = cx.req(days, p, "days")?;
    calendar::parse_days(&d.v.0).map_err(|m| cx.fail(&d.p, m))?;
    let w = cx.req(windows, p, "windows")?;
    let windows: Vec<String> = w.v.iter().map(|s| s.0.clone()).collect();
    calendar::parse_windows(&windows).map_err(|m| cx.fail(&w.p, m))?;
    let observe = flag(cx, observe_holidays, p, "observe_holidays")?;
    Schedule::parse(&d.v.0, &windows, observe).map_err(|m| cx.fail(p, m))
}

fn channel_prices(cx: &Cx, a: &At<Tab<raw::Channels>>) -> Result<ChannelPrices, Error> {
    Ok(ChannelPrices {
        phone: req_price(cx, &a.v.phone, &a.p, "phone")?,
        online: req_price(cx, &a.v.online, &a.p, "online")?,
    })
}

fn packages(cx: &Cx, raw: &Key<raw::Entries<raw::Lazy<Vec<Str>>>>) -> Result<Vec<Package>, Error> {
    let a = cx.req(raw, &[], "packages")?;
    let p = &a.p;
    let mut owner_of: HashMap<String, &str> = HashMap::new();
    let mut out = Vec::with_capacity(a.v.0.len());
    for (name, categories) in &a.v.0 {
        let np = child(p, name);
        if name.trim().is_empty() {
            return Err(cx.fail(&np, "a package name cannot be empty; name it"));
        }
        let categories: Vec<String> = cx
            .open(categories, np.clone())?
            .v
            .into_iter()
            .map(|c| c.0)
            .collect();
        for (i, c) in categories.iter().enumerate() {
            let cp = item(&np, i);
            if c.trim().is_empty() || c.trim() != c {
                return Err(cx.fail(
                    &cp,
                    format!("category `{c}` is empty or has blanks at its start or end; fix it"),
                ));
            }
            if let Some(prev) = owner_of.insert(c.clone(), name) {
                let message = if prev == name {
                    format!("category `{c}` is listed twice in this package; remove one")
                } else {
                    format!(
                        "category `{c}` is listed in both `{}` and `{}`; every category belongs \
                         to at most one package, so remove it from one of them",
                        cx.name(&child(p, prev)),
                        cx.name(&np)
                    )
                };
                return Err(cx.fail(&np, message));
            }
        }
        out.push(Package {
            name: name.clone(),
            categories,
        });
    }
    Ok(out)
}

fn takeover(
    cx: &Cx,
    raw: &Key<Tab<raw::Takeover>>,
    packages: &[Package],
) -> Result<TakeoverRates, Error> {
    let t = cx.req(raw, &[], "takeover")?;
    let service_order = req_price(cx, &t.v.service_order, &t.p, "service_order")?;
    let presales = channel_prices(cx, &cx.req(&t.v.presales, &t.p, "presales")?)?;
    let after = cx.req(&t.v.aftersales, &t.p, "aftersales")?;
    for (key, _) in &after.v.0 {
        if !packages.iter().any(|pk| pk.name == *key) {
            return Err(cx.fail(
                &child(&after.p, key),
                format!(
                    "there is no package `{key}` in [packages]; remove this entry or declare \
                     the package"
                ),
            ));
        }
    }
    let mut aftersales = Vec::with_capacity(packages.len());
    for pk in packages {
        let p = child(&after.p, &pk.name);
        let Some((_, v)) = after.v.0.iter().find(|(k, _)| *k == pk.name) else {
            return Err(cx.missing(
                &p,
                &format!(
                    "every package needs after-sales takeover prices; add `{} = {{ phone = \
                     \"…\", online = \"…\" }}` under [takeover.aftersales]",
                    fmt_key(&pk.name)
                ),
            ));
        };
        aftersales.push(channel_prices(cx, &cx.open(v, p)?)?);
    }
    Ok(TakeoverRates {
        service_order,
        presales,
        aftersales,
    })
}

fn scorecards(
    cx: &Cx,
    raw: &Key<Vec<raw::Lazy<Tab<raw::Scorecard>>>>,
) -> Result<Vec<Scorecard>, Error> {
    let a = cx.req(raw, &[], "scorecard")?;
    if a.v.is_empty() {
        return Err(cx.fail(
            &a.p,
            "there must be at least one scorecard; add a [[scorecard]] table",
        ));
    }
    let mut out: Vec<Scorecard> = Vec::with_capacity(a.v.len());
    for (i, card) in a.v.iter().enumerate() {
        let sp = item(&a.p, i);
        let card = cx.open(card, sp.clone())?.v;
        let n = cx.req(&card.name, &sp, "name")?;
        let name = text(cx, &n, "a scorecard name")?.to_string();
        if out.iter().any(|s| s.name == name) {
            return Err(cx.fail(
                &n.p,
                format!("two scorecards are named `{name}`; give each a different name"),
            ));
        }
        let shortfall = match cx.opt(&card.shortfall, &sp, "shortfall")? {
            Some(s) => choice(
                cx,
                &s,
                &[
                    ("exact", Shortfall::Exact),
                    ("per_started_point", Shortfall::PerStartedPoint),
                    ("per_full_point", Shortfall::PerFullPoint),
                ],
            )?,
            None => Shortfall::Exact,
        };
        let when_empty = match cx.opt(&card.when_empty, &sp, "when_empty")? {
            Some(w) => choice(
                cx,
                &w,
                &[("full", WhenEmpty::Full), ("zero", WhenEmpty::Zero)],
            )?,
            None => WhenEmpty::Full,
        };
        let items = rubric_items(cx, &card.metrics, &sp)?;
        let tiers = tiers(cx, &card.tiers, &sp)?;
        out.push(Scorecard {
            name,
            shortfall,
            when_empty,
            items,
            tiers,
        });
    }
    Ok(out)
}

fn rubric_items(
    cx: &Cx,
    raw: &Key<Vec<raw::Lazy<Tab<raw::Metric>>>>,
    card: &[Seg],
) -> Result<Vec<RubricItem>, Error> {
    let a = cx.req(raw, card, "metrics")?;
    if a.v.is_empty() {
        return Err(cx.fail(
            &a.p,
            "a scorecard needs at least one metric; add { metric, target, weight, points_per_point }",
        ));
    }
    let metric_names: Vec<(&str, MetricName)> =
        MetricName::ALL.iter().map(|m| (m.as_str(), *m)).collect();
    let mut items: Vec<RubricItem> = Vec::with_capacity(a.v.len());
    for (i, m) in a.v.iter().enumerate() {
        let ip = item(&a.p, i);
        let m = cx.open(m, ip.clone())?.v;
        let name = cx.req(&m.metric, &ip, "metric")?;
        let metric = choice(cx, &name, &metric_names)?;
        if items.iter().any(|it| it.metric == metric) {
            return Err(cx.fail(
                &name.p,
                format!(
                    "`{}` is scored twice in this scorecard; keep one item per metric",
                    metric.as_str()
                ),
            ));
        }
        let t = cx.req(&m.target, &ip, "target")?;
        let target = t.v.0;
        if target < Decimal::ZERO || target > Decimal::ONE {
            return Err(cx.fail(
                &t.p,
                format!("target {target} is not between 0 and 1; write a ratio (\"0.90\" is 90%)"),
            ));
        }
        let weight = non_negative(cx, &cx.req(&m.weight, &ip, "weight")?, "a weight")?;
        let k = cx.req(&m.points_per_point, &ip, "points_per_point")?;
        let points_per_point = non_negative(cx, &k, "points_per_point")?;
        if points_per_point > Decimal::from(1_000_000) {
            return Err(cx.fail(
                &k.p,
                format!("{points_per_point} points per percentage point is beyond any rubric (at most 1000000)"),
            ));
        }
        items.push(RubricItem {
            metric,
            target,
            weight,
            points_per_point,
        });
    }
    let sum: Decimal = items.iter().map(|it| it.weight).sum();
    if sum != Decimal::from(100) {
        return Err(cx.fail(
            &a.p,
            format!("weights sum to {sum}, they must sum to 100; adjust the weights"),
        ));
    }
    Ok(items)
}

fn tiers(
    cx: &Cx,
    raw: &Key<Vec<raw::Lazy<Tab<raw::Tier>>>>,
    card: &[Seg],
) -> Result<Vec<Tier>, Error> {
    let a = cx.req(raw, card, "tiers")?;
    let mut tiers: Vec<Tier> = Vec::with_capacity(a.v.len());
    for (i, t) in a.v.iter().enumerate() {
        let tp = item(&a.p, i);
        let t = cx.open(t, tp.clone())?.v;
        let m = cx.req(&t.min, &tp, "min")?;
        let min = m.v.0;
        if min < Decimal::ZERO || min > Decimal::from(100) {
            return Err(cx.fail(
                &m.p,
                format!("tier minimum {min} is not a score between 0 and 100"),
            ));
        }
        if tiers.iter().any(|t| t.min == min) {
            return Err(cx.fail(
                &m.p,
                format!(
                    "two tiers start at {min}, so they overlap; give each tier a different min"
                ),
            ));
        }
        let label = text(cx, &cx.req(&t.label, &tp, "label")?, "a tier label")?.to_string();
        let pn = cx.req(&t.penalty, &tp, "penalty")?;
        let penalty = non_negative(cx, &pn, "a penalty")?;
        if penalty > Decimal::from(MAX_AMOUNT) {
            return Err(cx.fail(
                &pn.p,
                format!("{penalty} is beyond any contract's penalties (at most 10^15); check the digits"),
            ));
        }
        tiers.push(Tier {
            min,
            label,
            penalty,
            improvement_period: flag(cx, &t.improvement_period, &tp, "improvement_period")?,
            fails_standard: flag(cx, &t.fails_standard, &tp, "fails_standard")?,
        });
    }
    if !tiers.iter().any(|t| t.min.is_zero()) {
        let lowest = tiers
            .iter()
            .map(|t| t.min)
            .min()
            .map(|m| format!("scores below {m} fall in no tier"))
            .unwrap_or_else(|| "there are no tiers".to_string());
        return Err(cx.fail(
            &a.p,
            format!(
                "no tier starts at 0, so {lowest}; tiers must cover 0 to 100, add one with min = \"0\""
            ),
        ));
    }
    tiers.sort_by_key(|t| std::cmp::Reverse(t.min));
    Ok(tiers)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The repository's rates.toml, which is the normative example (SPEC §3).
    const EXAMPLE: &str = include_str!("../../rates.toml");

    fn parse(text: &str) -> Result<Rates, Error> {
        Rates::parse(text, Path::new("rates.toml"))
    }

    fn ok(text: &str) -> Rates {
        match parse(text) {
            Ok(r) => r,
            Err(e) => panic!("expected the file to load, got: {e}"),
        }
    }

    /// The configuration error's message for `text`.
    fn err(text: &str) -> String {
        match parse(text) {
            Err(Error::Config { message, path }) => {
                assert_eq!(path, Path::new("rates.toml"));
                message
            }
            Err(e) => panic!("expected a configuration error, got: {e}"),
            Ok(_) => panic!("expected a configuration error, the file loaded"),
        }
    }

    /// The example with the first `from` replaced by `to`.
    fn edit(from: &str, to: &str) -> String {
        assert!(EXAMPLE.contains(from), "the example has no `{from}`");
        EXAMPLE.replacen(from, to, 1)
    }

    /// The example with lines appended (new tables go after the last one).
    fn append(extra: &str) -> String {
        format!("{EXAMPLE}\n{extra}\n")
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn month(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn assert_has(message: &str, part: &str) {
        assert!(
            message.contains(part),
            "message does not contain {part:?}:\n{message}"
        );
    }

    #[test]
    fn spec_3_example_loads_with_the_seed_numbers() {
        let r = ok(EXAMPLE);
        assert_eq!(r.timezone, chrono_tz::Asia::Shanghai);
        assert_eq!(r.currency, "CNY");
        assert_eq!(r.path, Path::new("rates.toml"));
        assert_eq!(r.sha256.len(), 64);
        assert!(r
            .sha256
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));

        let ids: Vec<&str> = r.vendors.iter().map(|v| v.id.as_str()).collect();
        assert_eq!(ids, ["acme", "brightline"]);
        let acme = r.vendor("acme").unwrap();
        assert_eq!(acme.name, "Acme Service Co.");
        assert_eq!(acme.contract_start, date("2026-06-01"));
        assert_eq!(acme.trial_months, 2);
        assert_eq!(
            r.vendor("brightline").unwrap().contract_start,
            date("2026-09-01")
        );
        assert!(r.vendor("nobody").is_none());

        let t = r.terms_for("acme", month("2026-10"));
        assert_eq!(t.money.scale, 2);
        assert_eq!(t.money.rounding, Rounding::HalfUp);
        assert!(t.calendar.holidays.contains(&date("2026-10-01")));
        assert!(t.calendar.workdays.contains(&date("2026-10-10")));
        assert_eq!(t.calendar.holidays.len(), 33);
        assert_eq!(t.calendar.workdays.len(), 6);

        // 001 annex 1 §1.1: phone 09:00–18:00, online 09:00–21:00, every day.
        assert!(!t.service_hours.count_outside_hours);
        assert_eq!(t.service_hours.phone.days, [true; 7]);
        assert_eq!(t.service_hours.phone.windows_text(), "09:00-18:00");
        assert_eq!(t.service_hours.online.windows_text(), "09:00-21:00");

        assert_eq!(t.contacts.effective_min_talk_seconds, 10);
        assert_eq!(t.contacts.service_level_seconds, 20);
        assert_eq!(t.contacts.short_abandon_seconds, 0);

        // 001 §4.5.2: reply within 3 business hours, 09:00–12:00 and 13:00–18:00, every day.
        assert_eq!(t.work_orders.reply_within_seconds, 10_800);
        let w = &t.work_orders.business_hours;
        assert_eq!(w.days, [true; 7]);
        assert_eq!(
            w.windows
                .iter()
                .map(|w| (w.start, w.end))
                .collect::<Vec<_>>(),
            [(9 * 3600, 12 * 3600), (13 * 3600, 18 * 3600)]
        );
        assert!(!w.observe_holidays);
        assert_eq!(t.work_orders.overdue_charge, d("8.26"));

        // 003 §2(2): respond within 24 h; resolve in 3 / 5 working days.
        assert_eq!(t.repairs.respond_within_seconds, 86_400);
        assert_eq!(t.repairs.resolve_simple_days, 3);
        assert_eq!(t.repairs.resolve_complex_days, 5);

        assert_eq!(
            t.deadlines,
            DeadlineTerms {
                notice_day: 15,
                results_day: 7,
                appeal_working_days: 5,
                final_day: 20,
                payment_day: 25,
            }
        );
        assert_eq!(t.settlement, SettlementMethod::Deduct);

        assert_eq!(t.earn.phone_effective_call, Some(d("2.00")));
        assert_eq!(t.earn.online_session, Some(d("1.00")));
        assert_eq!(t.earn.complaint_resolved, Some(d("5.00")));
        assert_eq!(t.earn.service_order, Some(d("10.00")));
        assert_eq!(t.earn.commission_rate, Some(d("0.03")));

        // 001 §5: the takeover price list, written as in the contract.
        assert_eq!(t.takeover.service_order.to_string(), "8.26");
        assert_eq!(t.takeover.presales.phone.to_string(), "3.50");
        assert_eq!(t.takeover.presales.online.to_string(), "1.60");
        assert_eq!(t.takeover.aftersales.len(), 2);
        assert_eq!(t.takeover.aftersales[0].phone.to_string(), "14.50");
        assert_eq!(t.takeover.aftersales[0].online.to_string(), "6.30");
        assert_eq!(t.takeover.aftersales[1].phone.to_string(), "6.50");
        assert_eq!(t.takeover.aftersales[1].online.to_string(), "2.80");

        let names: Vec<&str> = t.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["package1", "package2"]);
        assert_eq!(t.packages[0].categories.len(), 14);
        assert_eq!(t.packages[0].categories[0], "家用电器");
        assert_eq!(t.packages[1].categories.len(), 20);
        assert_eq!(t.packages[1].categories[19], "票务");

        // 001 annex 1 §1.2–1.3: the consulting scorecard.
        assert_eq!(t.scorecards.len(), 1);
        let s = &t.scorecards[0];
        assert_eq!(s.name, "consulting");
        assert_eq!(s.shortfall, Shortfall::Exact);
        assert_eq!(s.when_empty, WhenEmpty::Full);
        assert_eq!(
            s.items,
            [
                RubricItem {
                    metric: MetricName::AnswerRate,
                    target: d("0.90"),
                    weight: d("50"),
                    points_per_point: d("2"),
                },
                RubricItem {
                    metric: MetricName::Satisfaction,
                    target: d("0.85"),
                    weight: d("50"),
                    points_per_point: d("2"),
                },
            ]
        );
        assert_eq!(s.items[0].target.to_string(), "0.90");
        let mins: Vec<String> = s.tiers.iter().map(|t| t.min.to_string()).collect();
        assert_eq!(mins, ["90", "80", "70", "60", "0"]);
        let penalties: Vec<String> = s.tiers.iter().map(|t| t.penalty.to_string()).collect();
        assert_eq!(penalties, ["0", "0", "2000", "5000", "10000"]);
        assert_eq!(s.tiers[0].label, "excellent");
        assert!(s.tiers[2].improvement_period && s.tiers[3].improvement_period);
        assert!(!s.tiers[1].improvement_period && !s.tiers[4].improvement_period);
        assert!(s.tiers[4].fails_standard);
        assert!(s.tiers[..4].iter().all(|t| !t.fails_standard));

        // Without revisions or overrides every vendor and month has the same terms.
        assert_eq!(r.terms_for("brightline", month("2030-01")), t);
        assert_eq!(r.terms_for("acme", month("2000-01")), t);
    }

    #[test]
    fn spec_3_repository_rates_toml_is_the_example_byte_for_byte() {
        // The repository keeps a copy of the specification's example beside rates.toml, so the
        // comparison never depends on a folder outside the checkout.
        assert_eq!(EXAMPLE, include_str!("../../rates.example.toml"));
        let shared = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/rates.example.toml");
        if let Ok(bytes) = std::fs::read(shared) {
            assert_eq!(
                EXAMPLE.as_bytes(),
                &bytes[..],
                "{shared} changed: copy it again"
            );
        }
    }

    #[test]
    fn spec_6_hash_is_sha256_of_the_text() {
        let r = ok(EXAMPLE);
        let want: String = Sha256::digest(EXAMPLE.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(r.sha256, want);
        // A byte-order mark is tolerated but is part of the hashed bytes.
        let bom = format!("\u{feff}{EXAMPLE}");
        let r2 = ok(&bom);
        assert_ne!(r2.sha256, r.sha256);
        assert_eq!(
            r2.terms_for("acme", month("2026-10")),
            r.terms_for("acme", month("2026-10"))
        );
    }

    #[test]
    fn spec_6_missing_file_is_a_configuration_error_with_a_hint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rates.toml");
        let e = Rates::load(&path).unwrap_err();
        assert_eq!(e.exit_code().code(), 78);
        let Error::Config { path: p, message } = e else {
            panic!("not a config error")
        };
        assert_eq!(p, path);
        assert_has(&message, "cannot read the rates file");
        assert_has(&message, "--rates");

        std::fs::write(&path, EXAMPLE).unwrap();
        let r = Rates::load(&path).unwrap();
        assert_eq!(r.path, path);
        assert_eq!(r.sha256, ok(EXAMPLE).sha256);

        std::fs::write(&path, b"timezone = \"\xff\"").unwrap();
        assert_has(&Rates::load(&path).unwrap_err().to_string(), "not UTF-8");
    }

    #[test]
    fn spec_3_toml_syntax_error_is_a_configuration_error() {
        let m = err(&edit("scale = 2 ", "scale = = 2 "));
        assert_has(&m, "not valid TOML");
        assert_has(&m, "line");
    }

    #[test]
    fn spec_3_unknown_key_at_top_level_is_named() {
        let m = err(&format!("colour = \"red\"\n{EXAMPLE}"));
        assert_has(&m, "unknown key `colour`");
        let m = err(&format!("timezon = \"UTC\"\n{EXAMPLE}"));
        assert_has(&m, "unknown key `timezon` (did you mean `timezone`?)");
        let m = err(&append("[bonus]\nrate = \"1\""));
        assert_has(&m, "unknown key `bonus`");
    }

    #[test]
    fn spec_3_unknown_key_deep_inside_a_table_is_named() {
        let m = err(&edit(
            "package1 = { phone = \"14.50\"",
            "package1 = { phon = \"14.50\"",
        ));
        assert_has(&m, "unknown key `takeover.aftersales.package1.phon`");
        assert_has(&m, "did you mean `phone`?");
        let m = err(&edit("scale = 2 ", "scale = 2\nscael = 2 "));
        assert_has(&m, "unknown key `money.scael`");
        let m = err(&edit(
            "{ min = \"90\", label = \"excellent\", penalty = \"0\" }",
            "{ min = \"90\", label = \"excellent\", penalty = \"0\", bonus = \"1\" }",
        ));
        assert_has(&m, "unknown key `scorecard[0].tiers[0].bonus`");
        let m = err(&edit(
            "phone = { days = \"mon-sun\"",
            "phone = { day = \"mon-sun\"",
        ));
        assert_has(&m, "unknown key `service_hours.phone.day`");
    }

    #[test]
    fn spec_3_unknown_key_inside_a_revision_is_named() {
        let m = err(&append(
            "[revisions.\"2027-01-01\".takeover.presales]\nphnoe = \"3.60\"",
        ));
        assert_has(
            &m,
            "unknown key `revisions.\"2027-01-01\".takeover.presales.phnoe`",
        );
        let m = err(&append("[revisions.\"2027-01-01\".bonus]\nrate = \"1\""));
        assert_has(&m, "unknown key `revisions.\"2027-01-01\".bonus`");
    }

    #[test]
    fn spec_3_unknown_key_inside_a_vendor_override_is_named() {
        let m = err(&append(
            "[vendors.acme.earn]\nphone_effective_cal = \"2.20\"",
        ));
        assert_has(&m, "unknown key `vendors.acme.earn.phone_effective_cal`");
        let m = err(&edit(
            "trial_months = 2\n",
            "trial_months = 2\nnmae = \"x\"\n",
        ));
        assert_has(&m, "unknown key `vendors.acme.nmae`");
        let m = err(&edit(
            "trial_months = 2\n",
            "trial_months = 2\ntimezone = \"UTC\"\n",
        ));
        assert_has(
            &m,
            "key `vendors.acme.timezone`: a vendor cannot override `timezone`",
        );
    }

    #[test]
    fn spec_8_missing_required_key_is_named() {
        let m = err(&edit(
            "overdue_charge = \"8.26\"           # example: per work order the platform had to answer instead\n",
            "",
        ));
        assert_has(&m, "missing key `work_orders.overdue_charge`");
        let m = err(&edit("currency = \"CNY\"\n", ""));
        assert_has(&m, "missing key `currency`");
        let m = err(&edit("trial_months = 2\n", ""));
        assert_has(&m, "missing key `vendors.acme.trial_months`");
        let m = err(&edit(
            "resolve_working_days = { simple = 3, complex = 5 }",
            "resolve_working_days = { simple = 3 }",
        ));
        assert_has(&m, "missing key `repairs.resolve_working_days.complex`");
        let m = err(&edit("[settlement]\nmethod = \"deduct\"", ""));
        assert_has(&m, "missing key `settlement`");
        let m = err(&edit(
            "{ min = \"80\", label = \"meets standard\", penalty = \"0\" }",
            "{ min = \"80\", label = \"meets standard\" }",
        ));
        assert_has(&m, "missing key `scorecard[0].tiers[1].penalty`");
        let m = err(&edit(
            "package2 = { phone = \"6.50\", online = \"2.80\" }",
            "",
        ));
        assert_has(&m, "missing key `takeover.aftersales.package2`");
    }

    #[test]
    fn spec_9_11_12_new_tables_load_with_the_example_numbers() {
        let r = ok(EXAMPLE);
        let t = r.terms_for("acme", month("2026-10"));
        let c = t.incidents.confidentiality.as_ref().unwrap();
        assert_eq!(c.per_record, d("1000.00"));
        assert_eq!(c.lump_sum, d("500000.00"));
        assert_eq!(c.lump_after_records, 20);
        assert_eq!(c.competitor_minimum, d("1000000.00"));
        assert!(c.termination_right);
        let b = t.incidents.service_breach.as_ref().unwrap();
        assert_eq!((b.per_incident, b.termination_after), (d("2000.00"), 3));
        let l = t.late_payment.as_ref().unwrap();
        assert_eq!(l.platform_daily_rate, d("0.0005"));
        assert_eq!(l.vendor_daily_rate, Decimal::ZERO);
        assert_eq!((l.suspend_after_days, l.terminate_after_days), (15, 45));
        // The termination prices default to the overdue charge and the takeover price.
        assert_eq!(t.termination.settle_within_days, 30);
        assert_eq!(t.termination.work_order, d("8.26"));
        assert_eq!(t.termination.service_order, d("8.26"));
        assert_eq!(t.termination.repair, None);
        assert_eq!(r.vendor("acme").unwrap().contract_end, None);
    }

    #[test]
    fn spec_8_new_tables_are_optional() {
        let mut text = EXAMPLE.to_string();
        for table in [
            "[incidents.confidentiality]",
            "[incidents.service_breach]",
            "[late_payment]",
            "[termination]",
        ] {
            let at = text.find(table).unwrap();
            let end = text[at + 1..]
                .find("\n[")
                .map_or(text.len(), |e| at + 1 + e + 1);
            text.replace_range(at..end, "");
        }
        let r = ok(&text);
        let t = r.terms_for("acme", month("2026-10"));
        assert_eq!(t.incidents, IncidentTerms::default());
        assert_eq!(t.late_payment, None);
        assert_eq!(t.termination.settle_within_days, 30);
        assert_eq!(t.termination.work_order, d("8.26"));
        // vendor_daily_rate may be left out; the other keys of a present table are required.
        let r = ok(&edit("vendor_daily_rate = \"0\"\n", ""));
        let l = r
            .terms_for("acme", month("2026-10"))
            .late_payment
            .clone()
            .unwrap();
        assert_eq!(l.vendor_daily_rate, Decimal::ZERO);
        assert_has(
            &err(&edit("suspend_after_days = 15 ", "")),
            "missing key `late_payment.suspend_after_days`",
        );
        assert_has(
            &err(&edit("termination_right = true\n", "")),
            "missing key `incidents.confidentiality.termination_right`",
        );
        assert_has(
            &err(&edit("settle_within_days = 30 ", "")),
            "missing key `termination.settle_within_days`",
        );
        // Explicit termination prices win over the defaults.
        let r = ok(&edit(
            "# repair = \"20.00\"",
            "repair = \"20.00\"\nwork_order = \"9\"",
        ));
        let t = &r.terms_for("acme", month("2026-10")).termination;
        assert_eq!((t.repair, t.work_order), (Some(d("20.00")), d("9")));
    }

    #[test]
    fn spec_12_contract_end_is_read_and_checked() {
        let r = ok(&edit(
            "# contract_end = \"2027-03-15\"",
            "contract_end = \"2027-03-15\"",
        ));
        assert_eq!(
            r.vendor("brightline").unwrap().contract_end,
            Some(date("2027-03-15"))
        );
        let m = err(&edit(
            "# contract_end = \"2027-03-15\"",
            "contract_end = \"2026-08-31\"",
        ));
        assert_has(&m, "key `vendors.brightline.contract_end`");
        assert_has(&m, "before contract_start");
        assert_has(
            &err(&edit(
                "# contract_end = \"2027-03-15\"",
                "contract_end = \"soon\"",
            )),
            "vendors.brightline.contract_end",
        );
    }

    #[test]
    fn spec_8_new_tables_reject_unknown_negative_and_absurd_values() {
        assert_has(
            &err(&edit("per_incident", "per_incidnet")),
            "unknown key `incidents.service_breach.per_incidnet`",
        );
        assert_has(
            &err(&edit(
                "[incidents.service_breach]",
                "[incidents.theft]\nx = 1\n[incidents.service_breach]",
            )),
            "unknown key `incidents.theft`",
        );
        assert_has(
            &err(&edit("per_record = \"1000.00\"", "per_record = \"-1\"")),
            "key `incidents.confidentiality.per_record`: a price cannot be negative",
        );
        assert_has(
            &err(&edit("lump_sum = \"500000.00\"", "lump_sum = \"1e9\"")),
            "incidents.confidentiality.lump_sum",
        );
        assert_has(
            &err(&edit(
                "lump_sum = \"500000.00\"",
                "lump_sum = \"99999999999999999\"",
            )),
            "at most 10^15",
        );
        assert_has(
            &err(&edit("termination_after = 3 ", "termination_after = 0 ")),
            "key `incidents.service_breach.termination_after`: 0 is out of range",
        );
        assert_has(
            &err(&edit("lump_after_records = 20", "lump_after_records = -1")),
            "incidents.confidentiality.lump_after_records",
        );
        assert_has(
            &err(&edit(
                "platform_daily_rate = \"0.0005\"",
                "platform_daily_rate = \"2\"",
            )),
            "key `late_payment.platform_daily_rate`: 2 is more than",
        );
        assert_has(
            &err(&edit(
                "suspend_after_days = 15",
                "suspend_after_days = 99999",
            )),
            "late_payment.suspend_after_days",
        );
        assert_has(
            &err(&edit("settle_within_days = 30", "settle_within_days = -3")),
            "termination.settle_within_days",
        );
        // Revised and overridden like every section; errors name the layer.
        let m = err(&append(
            "[vendors.acme.incidents.service_breach]\nper_incident = \"-5\"\ntermination_after = 2",
        ));
        assert_has(&m, "vendors.acme.incidents.service_breach.per_incident");
        let r = ok(&append("[revisions.\"2027-01-01\".incidents.service_breach]\nper_incident = \"2500.00\"\ntermination_after = 3"));
        let p = |m: &str| {
            r.terms_for("acme", month(m))
                .incidents
                .service_breach
                .clone()
                .unwrap()
                .per_incident
        };
        assert_eq!((p("2026-12"), p("2027-01")), (d("2000.00"), d("2500.00")));
    }

    #[test]
    fn spec_8_optional_keys_take_their_defaults() {
        let earn_at = EXAMPLE.find("[earn]").unwrap();
        let takeover_at = EXAMPLE.find("[takeover]").unwrap();
        let mut text = format!("{}{}", &EXAMPLE[..earn_at], &EXAMPLE[takeover_at..]);
        for line in [
            "count_outside_hours = false\n",
            "short_abandon_seconds = 0         # abandons quicker than this are left out of contact metrics\n",
            "observe_holidays = false          # this contract's business hours run every day\n",
            "shortfall = \"exact\"               # or \"per_started_point\", \"per_full_point\"\n",
            "when_empty = \"full\"               # or \"zero\"\n",
            ", improvement_period = true",
            ", improvement_period = true",
            ", fails_standard = true",
        ] {
            assert!(text.contains(line), "{line}");
            text = text.replacen(line, "", 1);
        }
        let r = ok(&text);
        let t = r.terms_for("acme", month("2026-10"));
        assert!(!t.service_hours.count_outside_hours);
        assert_eq!(t.contacts.short_abandon_seconds, 0);
        assert!(!t.work_orders.business_hours.observe_holidays);
        assert!(!t.service_hours.phone.observe_holidays);
        assert_eq!(t.earn, EarnRates::default());
        assert_eq!(t.scorecards[0].shortfall, Shortfall::Exact);
        assert_eq!(t.scorecards[0].when_empty, WhenEmpty::Full);
        assert!(t.scorecards[0]
            .tiers
            .iter()
            .all(|t| !t.improvement_period && !t.fails_standard));

        // Each [earn] key alone: the others are no line.
        let r = ok(&edit("online_session = \"1.00\"\n", ""));
        let e = &r.terms_for("acme", month("2026-10")).earn;
        assert_eq!(e.online_session, None);
        assert_eq!(e.phone_effective_call, Some(d("2.00")));

        // Optional keys, when given, are read.
        let r = ok(&edit(
            "phone = { days = \"mon-sun\", windows = [\"09:00-18:00\"] }",
            "phone = { days = \"mon-fri\", windows = [\"09:00-18:00\"], observe_holidays = true }",
        ));
        let t = r.terms_for("acme", month("2026-10"));
        assert!(t.service_hours.phone.observe_holidays);
        assert_eq!(
            t.service_hours.phone.days,
            [true, true, true, true, true, false, false]
        );
        assert!(!t.service_hours.online.observe_holidays);
    }

    #[test]
    fn spec_3_a_toml_float_reads_by_its_shortest_decimal_form() {
        let r = ok(&edit("overdue_charge = \"8.26\"", "overdue_charge = 8.26"));
        let t = r.terms_for("acme", month("2026-10"));
        assert_eq!(t.work_orders.overdue_charge, d("8.26"));
        assert_eq!(t.work_orders.overdue_charge.to_string(), "8.26");

        let r = ok(&edit("target = \"0.85\"", "target = 0.1"));
        let item = &r.terms_for("acme", month("2026-10")).scorecards[0].items[1];
        assert_eq!(item.target.to_string(), "0.1");
        assert_eq!(item.target, d("0.1"));

        // Integers are exact too.
        let r = ok(&edit("commission_rate = \"0.03\"", "commission_rate = 0"));
        assert_eq!(
            r.terms_for("acme", month("2026-10")).earn.commission_rate,
            Some(d("0"))
        );
        let r = ok(&edit("weight = \"50\"", "weight = 50"));
        assert_eq!(
            r.terms_for("acme", month("2026-10")).scorecards[0].items[0].weight,
            d("50")
        );

        let m = err(&edit("overdue_charge = \"8.26\"", "overdue_charge = nan"));
        assert_has(&m, "key `work_orders.overdue_charge`");
        let m = err(&edit("overdue_charge = \"8.26\"", "overdue_charge = inf"));
        assert_has(&m, "key `work_orders.overdue_charge`");
        let m = err(&edit("overdue_charge = \"8.26\"", "overdue_charge = 1e300"));
        assert_has(&m, "key `work_orders.overdue_charge`");
        let m = err(&edit("overdue_charge = \"8.26\"", "overdue_charge = 1e-40"));
        assert_has(&m, "key `work_orders.overdue_charge`");
    }

    #[test]
    fn spec_3_decimal_strings_are_plain() {
        for bad in [
            "0.12345678901234567890123456789",
            "",
            "8,26",
            "1,000.00",
            "8.26e0",
            "8 .26",
            " 8.26",
            "8.",
            ".5",
            "abc",
            "--1",
        ] {
            let m = err(&edit(
                "overdue_charge = \"8.26\"",
                &format!("overdue_charge = \"{bad}\""),
            ));
            assert_has(&m, "key `work_orders.overdue_charge`");
            assert_has(&m, "is not a plain decimal");
        }
        let r = ok(&edit(
            "overdue_charge = \"8.26\"",
            "overdue_charge = \"+8.260\"",
        ));
        assert_eq!(
            r.terms_for("acme", month("2026-10"))
                .work_orders
                .overdue_charge
                .to_string(),
            "8.260"
        );
        let m = err(&edit("overdue_charge = \"8.26\"", "overdue_charge = true"));
        assert_has(&m, "key `work_orders.overdue_charge`: expected a decimal");
    }

    #[test]
    fn spec_3_weights_must_sum_to_100() {
        let m = err(&edit("weight = \"50\"", "weight = \"40\""));
        assert_has(
            &m,
            "key `scorecard[0].metrics`: weights sum to 90, they must sum to 100",
        );
        let m = err(&edit("weight = \"50\"", "weight = \"-50\""));
        assert_has(
            &m,
            "key `scorecard[0].metrics[0].weight`: a weight cannot be negative",
        );
    }

    #[test]
    fn spec_3_tiers_cover_0_to_100_without_gaps_or_overlaps() {
        let m = err(&edit(
            "{ min = \"0\", label = \"fails standard\"",
            "{ min = \"50\", label = \"fails standard\"",
        ));
        assert_has(&m, "key `scorecard[0].tiers`: no tier starts at 0");
        assert_has(&m, "scores below 50 fall in no tier");
        let m = err(&edit("{ min = \"60\"", "{ min = \"80\""));
        assert_has(&m, "key `scorecard[0].tiers[3].min`: two tiers start at 80");
        let m = err(&edit("{ min = \"90\"", "{ min = \"100.5\""));
        assert_has(&m, "key `scorecard[0].tiers[0].min`");
        let m = err(&edit("penalty = \"2000\"", "penalty = \"-2000\""));
        assert_has(
            &m,
            "key `scorecard[0].tiers[2].penalty`: a penalty cannot be negative",
        );
        let m = err(&edit("label = \"poor\"", "label = \" \""));
        assert_has(&m, "key `scorecard[0].tiers[3].label`");
        // Tiers are stored highest first, whatever the file order.
        let text = edit(
            "  { min = \"90\", label = \"excellent\", penalty = \"0\" },\n",
            "",
        )
        .replacen(
            "  { min = \"0\", label = \"fails standard\", penalty = \"10000\", fails_standard = true },\n",
            "  { min = \"0\", label = \"fails standard\", penalty = \"10000\", fails_standard = true },\n  { min = \"90\", label = \"excellent\", penalty = \"0\" },\n",
            1,
        );
        let r = ok(&text);
        let mins: Vec<String> = r.terms_for("acme", month("2026-10")).scorecards[0]
            .tiers
            .iter()
            .map(|t| t.min.to_string())
            .collect();
        assert_eq!(mins, ["90", "80", "70", "60", "0"]);
    }

    #[test]
    fn spec_3_scorecard_items_are_checked() {
        let m = err(&edit("target = \"0.90\"", "target = \"90\""));
        assert_has(
            &m,
            "key `scorecard[0].metrics[0].target`: target 90 is not between 0 and 1",
        );
        let m = err(&edit(
            "metric = \"satisfaction\"",
            "metric = \"answer_rate\"",
        ));
        assert_has(
            &m,
            "key `scorecard[0].metrics[1].metric`: `answer_rate` is scored twice",
        );
        let m = err(&edit("metric = \"satisfaction\"", "metric = \"happiness\""));
        assert_has(
            &m,
            "key `scorecard[0].metrics[1].metric`: `happiness` is not allowed here",
        );
        let m = err(&edit("name = \"consulting\"", "name = \"\""));
        assert_has(&m, "key `scorecard[0].name`");
        let m = err(&append(
            "[[scorecard]]\nname = \"consulting\"\nmetrics = [{ metric = \"answer_rate\", target = \"0.9\", weight = \"100\", points_per_point = \"1\" }]\ntiers = [{ min = \"0\", label = \"all\", penalty = \"0\" }]",
        ));
        assert_has(
            &m,
            "key `scorecard[1].name`: two scorecards are named `consulting`",
        );
        let m = err(&edit("shortfall = \"exact\"", "shortfall = \"rounded\""));
        assert_has(&m, "key `scorecard[0].shortfall`");
        let m = err(&edit("when_empty = \"full\"", "when_empty = \"none\""));
        assert_has(&m, "key `scorecard[0].when_empty`");
    }

    #[test]
    fn spec_3_a_category_belongs_to_at_most_one_package() {
        let m = err(&edit(
            "package2 = [\"男装\"",
            "package2 = [\"手机\", \"男装\"",
        ));
        assert_has(&m, "key `packages.package2`");
        assert_has(
            &m,
            "`手机` is listed in both `packages.package1` and `packages.package2`",
        );
        let m = err(&edit(
            "package2 = [\"男装\"",
            "package2 = [\"女装\", \"男装\"",
        ));
        assert_has(&m, "`女装` is listed twice");
    }

    #[test]
    fn spec_3_no_negative_price() {
        let m = err(&edit(
            "presales = { phone = \"3.50\"",
            "presales = { phone = \"-3.50\"",
        ));
        assert_has(
            &m,
            "key `takeover.presales.phone`: a price cannot be negative",
        );
        let m = err(&edit(
            "complaint_resolved = \"5.00\"",
            "complaint_resolved = -5",
        ));
        assert_has(
            &m,
            "key `earn.complaint_resolved`: a price cannot be negative",
        );
        let m = err(&edit(
            "commission_rate = \"0.03\"",
            "commission_rate = \"3\"",
        ));
        assert_has(&m, "key `earn.commission_rate`");
    }

    #[test]
    fn spec_3_enumerations_are_checked() {
        let m = err(&edit("rounding = \"half_up\"", "rounding = \"half_down\""));
        assert_has(&m, "key `money.rounding`: `half_down` is not allowed here");
        assert_has(&m, "\"half_up\", \"half_even\"");
        let r = ok(&edit("rounding = \"half_up\"", "rounding = \"half_even\""));
        assert_eq!(
            r.terms_for("acme", month("2026-10")).money.rounding,
            Rounding::HalfEven
        );
        let m = err(&edit("method = \"deduct\"", "method = \"cash\""));
        assert_has(&m, "key `settlement.method`");
        let r = ok(&edit("method = \"deduct\"", "method = \"wire\""));
        assert_eq!(
            r.terms_for("acme", month("2026-10")).settlement,
            SettlementMethod::Wire
        );
    }

    #[test]
    fn spec_3_integers_are_in_range() {
        let m = err(&edit("scale = 2 ", "scale = 11 "));
        assert_has(&m, "key `money.scale`: 11 is out of range");
        let m = err(&edit("scale = 2 ", "scale = \"2\" "));
        assert_has(&m, "key `money.scale`: expected a whole number");
        let m = err(&edit("notice_day = 15", "notice_day = 32"));
        assert_has(&m, "key `deadlines.notice_day`");
        let m = err(&edit("payment_day = 25", "payment_day = 0"));
        assert_has(&m, "key `deadlines.payment_day`");
        let m = err(&edit(
            "service_level_seconds = 20",
            "service_level_seconds = -1",
        ));
        assert_has(&m, "key `contacts.service_level_seconds`");
        let m = err(&edit("simple = 3", "simple = 0"));
        assert_has(&m, "key `repairs.resolve_working_days.simple`");
        let m = err(&edit("trial_months = 2", "trial_months = -1"));
        assert_has(&m, "key `vendors.acme.trial_months`");
        let r = ok(&edit("appeal_working_days = 5", "appeal_working_days = 0"));
        assert_eq!(
            r.terms_for("acme", month("2026-10"))
                .deadlines
                .appeal_working_days,
            0
        );
    }

    #[test]
    fn spec_3_global_keys_are_checked() {
        let m = err(&edit(
            "timezone = \"Asia/Shanghai\"",
            "timezone = \"Asia/Shangai\"",
        ));
        assert_has(
            &m,
            "key `timezone`: `Asia/Shangai` is not an IANA time zone name",
        );
        let m = err(&edit("currency = \"CNY\"", "currency = \"cny\""));
        assert_has(&m, "key `currency`");
        let r = ok(&edit(
            "timezone = \"Asia/Shanghai\"",
            "timezone = \"Europe/Berlin\"",
        ));
        assert_eq!(r.timezone, chrono_tz::Europe::Berlin);
    }

    #[test]
    fn spec_3_calendar_dates() {
        let m = err(&edit(
            "\"2026-10-07\",\n]",
            "\"2026-10-07\", \"2026-10-10\",\n]",
        ));
        assert_has(
            &m,
            "key `calendar.workdays`: 2026-10-10 is listed both as a holiday and as a workday",
        );
        let m = err(&edit(
            "\"2026-10-07\",\n]",
            "\"2026-10-07\", \"2026-10-32\",\n]",
        ));
        assert_has(
            &m,
            "key `calendar.holidays[33]`: `2026-10-32` is not a date",
        );
        let m = err(&edit(
            "\"2026-10-07\",\n]",
            "\"2026-10-07\", \"2026-1-8\",\n]",
        ));
        assert_has(&m, "key `calendar.holidays[33]`");
        // TOML local dates are dates too.
        let r = ok(
            &edit("\"2026-10-07\",\n]", "\"2026-10-07\", 2026-12-31,\n]").replacen(
                "contract_start = \"2026-06-01\"",
                "contract_start = 2026-06-01",
                1,
            ),
        );
        assert!(r
            .terms_for("acme", month("2026-10"))
            .calendar
            .holidays
            .contains(&date("2026-12-31")));
        assert_eq!(r.vendor("acme").unwrap().contract_start, date("2026-06-01"));
        let m = err(&edit(
            "contract_start = \"2026-06-01\"",
            "contract_start = 2026-06-01T09:00:00",
        ));
        assert_has(&m, "key `vendors.acme.contract_start`");
    }

    #[test]
    fn spec_3_bad_window_days_or_duration_names_the_key() {
        let m = err(&edit(
            "windows = [\"09:00-12:00\", \"13:00-18:00\"]",
            "windows = [\"09:00-12:00\", \"13:00-25:00\"]",
        ));
        assert_has(
            &m,
            "key `work_orders.windows`: `13:00-25:00` is not a window",
        );
        let m = err(&edit(
            "windows = [\"09:00-12:00\", \"13:00-18:00\"]",
            "windows = [\"09:00-13:30\", \"13:00-18:00\"]",
        ));
        assert_has(&m, "key `work_orders.windows`: windows overlap");
        let m = err(&edit(
            "days = \"mon-sun\"\nwindows",
            "days = \"mon-fry\"\nwindows",
        ));
        assert_has(&m, "key `work_orders.days`: `fry` is not a day");
        let m = err(&edit("reply_within = \"3h\"", "reply_within = \"3x\""));
        assert_has(&m, "key `work_orders.reply_within`: `3x` is not a duration");
        let m = err(&edit("respond_within = \"24h\"", "respond_within = 24"));
        assert_has(&m, "key `repairs.respond_within`: expected a string");
        let m = err(&edit(
            "online = { days = \"mon-sun\", windows = [\"09:00-21:00\"] }",
            "online = { days = \"mon-sun\", windows = [\"21:00-09:00\"] }",
        ));
        assert_has(&m, "key `service_hours.online.windows`");
        let m = err(&edit(
            "phone = { days = \"mon-sun\", windows = [\"09:00-18:00\"] }",
            "phone = { days = \"sun-mon\", windows = [\"09:00-18:00\"] }",
        ));
        assert_has(&m, "key `service_hours.phone.days`");
        let m = err(&edit(
            "phone = { days = \"mon-sun\", windows = [\"09:00-18:00\"] }",
            "phone = { days = \"mon-sun\", windows = [] }",
        ));
        assert_has(&m, "key `service_hours.phone.windows`: no windows given");
        let m = err(&edit(
            "observe_holidays = false ",
            "observe_holidays = \"no\" ",
        ));
        assert_has(
            &m,
            "key `work_orders.observe_holidays`: expected true or false",
        );
    }

    #[test]
    fn spec_3_takeover_has_one_entry_per_package() {
        let m = err(&edit(
            "package2 = { phone = \"6.50\", online = \"2.80\" }",
            "package2 = { phone = \"6.50\", online = \"2.80\" }\npackage3 = { phone = \"1\", online = \"1\" }",
        ));
        assert_has(
            &m,
            "key `takeover.aftersales.package3`: there is no package `package3`",
        );
        // The order of takeover prices follows [packages], not the takeover table.
        let r = ok(&edit(
            "package1 = { phone = \"14.50\", online = \"6.30\" }\npackage2 = { phone = \"6.50\", online = \"2.80\" }",
            "package2 = { phone = \"6.50\", online = \"2.80\" }\npackage1 = { phone = \"14.50\", online = \"6.30\" }",
        ));
        let t = r.terms_for("acme", month("2026-10"));
        assert_eq!(t.packages[0].name, "package1");
        assert_eq!(t.takeover.aftersales[0].phone, d("14.50"));
    }

    #[test]
    fn spec_3_revision_must_be_dated_on_the_first_of_a_month() {
        let m = err(&append(
            "[revisions.\"2027-01-15\".earn]\nonline_session = \"1.10\"",
        ));
        assert_has(
            &m,
            "key `revisions.\"2027-01-15\"`: a revision must be dated on the first of a month",
        );
        assert_has(&m, "\"2027-01-01\" or \"2027-02-01\"");
        let m = err(&append(
            "[revisions.january.earn]\nonline_session = \"1.10\"",
        ));
        assert_has(&m, "key `revisions.january`");
        let m = err(&append(
            "[revisions.\"2027-02-30\".earn]\nonline_session = \"1.10\"",
        ));
        assert_has(&m, "key `revisions.\"2027-02-30\"`");
    }

    #[test]
    fn spec_3_revision_may_not_hold_global_keys() {
        let m = err(&append("[revisions.\"2027-01-01\"]\ntimezone = \"UTC\""));
        assert_has(
            &m,
            "key `revisions.\"2027-01-01\".timezone`: a revision cannot change `timezone`",
        );
        let m = err(&append(
            "[revisions.\"2027-01-01\".vendors.acme]\nname = \"x\"",
        ));
        assert_has(&m, "key `revisions.\"2027-01-01\".vendors`");
        let m = err(&append("[revisions.\"2027-01-01\"]\ncurrency = \"USD\""));
        assert_has(&m, "key `revisions.\"2027-01-01\".currency`");
    }

    #[test]
    fn spec_3_revision_applies_from_its_month_and_vendor_overrides_win() {
        let text = append(
            "[revisions.\"2027-01-01\".takeover.aftersales]\n\
             package1 = { phone = \"15.00\", online = \"6.50\" }\n\
             [revisions.\"2027-03-01\".money]\nscale = 0\n\
             [vendors.brightline.takeover.aftersales.package1]\nphone = \"13.00\"",
        );
        let r = ok(&text);
        let p1 = |v: &str, m: &str| r.terms_for(v, month(m)).takeover.aftersales[0];
        assert_eq!(p1("acme", "2026-12").phone, d("14.50"));
        assert_eq!(p1("acme", "2027-01").phone, d("15.00"));
        assert_eq!(p1("acme", "2027-01").online, d("6.50"));
        assert_eq!(p1("acme", "2028-06").phone, d("15.00"));
        // Tables merge key by key: the vendor's phone price wins, the revision's online stands.
        assert_eq!(p1("brightline", "2026-12").phone, d("13.00"));
        assert_eq!(p1("brightline", "2026-12").online, d("6.30"));
        assert_eq!(p1("brightline", "2027-01").phone, d("13.00"));
        assert_eq!(p1("brightline", "2027-01").online, d("6.50"));
        // Later revisions add to earlier ones.
        assert_eq!(r.terms_for("acme", month("2027-02")).money.scale, 2);
        assert_eq!(r.terms_for("acme", month("2027-03")).money.scale, 0);
        assert_eq!(p1("acme", "2027-03").phone, d("15.00"));
        // Untouched sections are the base ones.
        assert_eq!(
            r.terms_for("brightline", month("2027-03"))
                .takeover
                .aftersales[1]
                .phone,
            d("6.50")
        );
    }

    #[test]
    fn terms_table_is_the_merged_document_in_file_order() {
        let text = append(
            "[revisions.\"2027-01-01\".takeover.aftersales]\n\
             package1 = { phone = \"15.00\", online = \"6.50\" }\n\
             [vendors.brightline.takeover.aftersales.package1]\nphone = \"13.00\"",
        );
        let r = ok(&text);
        let price = |v: &str, m: &str, channel: &str| {
            r.terms_table_for(v, month(m))["takeover"]["aftersales"]["package1"][channel].clone()
        };
        assert_eq!(price("acme", "2026-12", "phone"), Value::from("14.50"));
        assert_eq!(price("acme", "2027-01", "phone"), Value::from("15.00"));
        assert_eq!(
            price("brightline", "2026-12", "phone"),
            Value::from("13.00")
        );
        assert_eq!(
            price("brightline", "2027-01", "phone"),
            Value::from("13.00")
        );
        assert_eq!(
            price("brightline", "2027-01", "online"),
            Value::from("6.50")
        );
        // The global keys first, then the sections in file order; no vendors, no revisions.
        let keys: Vec<&str> = r
            .terms_table_for("acme", month("2026-10"))
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "timezone",
                "currency",
                "money",
                "calendar",
                "service_hours",
                "contacts",
                "work_orders",
                "repairs",
                "deadlines",
                "settlement",
                "earn",
                "takeover",
                "packages",
                "incidents",
                "late_payment",
                "termination",
                "scorecard"
            ]
        );
        // Every key the statement records was validated: it loads back as a rates file.
        let mut back = r.terms_table_for("brightline", month("2027-01")).clone();
        let vendors: Table = toml::from_str(
            "[brightline]\nname = \"B\"\ncontract_start = \"2026-01-01\"\ntrial_months = 0",
        )
        .unwrap();
        back.insert("vendors".into(), Value::Table(vendors));
        let again = ok(&toml::to_string(&back).unwrap());
        assert_eq!(
            again.terms_for("brightline", month("2027-01")),
            r.terms_for("brightline", month("2027-01"))
        );
    }

    #[test]
    fn spec_3_revisions_apply_in_date_order_whatever_the_file_order() {
        let r = ok(&append(
            "[revisions.\"2027-06-01\".work_orders]\noverdue_charge = \"9.00\"\n\
             [revisions.\"2027-01-01\".work_orders]\noverdue_charge = \"8.50\"",
        ));
        let charge = |m: &str| r.terms_for("acme", month(m)).work_orders.overdue_charge;
        assert_eq!(charge("2026-12"), d("8.26"));
        assert_eq!(charge("2027-01"), d("8.50"));
        assert_eq!(charge("2027-05"), d("8.50"));
        assert_eq!(charge("2027-06"), d("9.00"));
    }

    #[test]
    fn spec_3_a_vendor_scorecard_list_replaces_the_whole_list() {
        let r = ok(&append(
            "[[vendors.acme.scorecard]]\nname = \"work orders\"\n\
             metrics = [{ metric = \"work_order_on_time_rate\", target = \"0.95\", weight = \"100\", points_per_point = \"1\" }]\n\
             tiers = [{ min = \"0\", label = \"all\", penalty = \"0\" }]",
        ));
        let acme = &r.terms_for("acme", month("2026-10")).scorecards;
        assert_eq!(acme.len(), 1);
        assert_eq!(acme[0].name, "work orders");
        assert_eq!(acme[0].items[0].metric, MetricName::WorkOrderOnTimeRate);
        assert_eq!(acme[0].shortfall, Shortfall::Exact);
        let bright = &r.terms_for("brightline", month("2026-10")).scorecards;
        assert_eq!(bright.len(), 1);
        assert_eq!(bright[0].name, "consulting");
    }

    #[test]
    fn spec_3_invalid_merged_values_name_the_key_where_written() {
        // In a vendor's overrides.
        let m = err(&append("[vendors.acme.earn]\nonline_session = \"-1\""));
        assert_has(
            &m,
            "key `vendors.acme.earn.online_session`: a price cannot be negative",
        );
        // In a revision.
        let m = err(&append(
            "[revisions.\"2027-01-01\".takeover.presales]\nphone = \"3,60\"",
        ));
        assert_has(&m, "key `revisions.\"2027-01-01\".takeover.presales.phone`");
        // Inside a vendor's replacement scorecard list.
        let m = err(&append(
            "[[vendors.brightline.scorecard]]\nname = \"wo\"\n\
             metrics = [{ metric = \"work_order_on_time_rate\", target = \"0.95\", weight = \"90\", points_per_point = \"1\" }]\n\
             tiers = [{ min = \"0\", label = \"all\", penalty = \"0\" }]",
        ));
        assert_has(
            &m,
            "key `vendors.brightline.scorecard[0].metrics`: weights sum to 90, they must sum to 100",
        );
        let m = err(&append(
            "[[vendors.brightline.scorecard]]\nname = \"wo\"\n\
             metrics = [{ metric = \"work_order_on_time_rate\", target = \"0.95\", weight = \"100\", points_per_point = \"1\" }]",
        ));
        assert_has(&m, "missing key `vendors.brightline.scorecard[0].tiers`");
        // A later revision that sets the key again is the one named.
        let m = err(&append(
            "[revisions.\"2027-01-01\".money]\nrounding = \"half_even\"\n\
             [revisions.\"2027-02-01\".money]\nrounding = \"bankers\"",
        ));
        assert_has(&m, "key `revisions.\"2027-02-01\".money.rounding`");
    }

    #[test]
    fn spec_3_combinations_are_validated_at_load() {
        // A revision adds a package but no takeover price for it: fails at load, in context.
        let m = err(&append(
            "[revisions.\"2027-01-01\".packages]\npackage3 = [\"宠物\"]",
        ));
        assert_has(&m, "missing key `takeover.aftersales.package3`");
        assert_has(&m, "in the terms in force from 2027-01 on");
        // A vendor moves a category into another package: the conflict names both keys.
        let m = err(&append("[vendors.acme.packages]\npackage2 = [\"手机\"]"));
        assert_has(
            &m,
            "`手机` is listed in both `packages.package1` and `vendors.acme.packages.package2`",
        );
        // A vendor's override clashing with a revision fails even if that month is never settled.
        let m = err(&append(
            "[revisions.\"2030-01-01\".packages]\npackage3 = [\"宠物\"]\n\
             [revisions.\"2030-01-01\".takeover.aftersales]\npackage3 = { phone = \"1\", online = \"1\" }\n\
             [vendors.acme.packages]\npackage1 = [\"宠物\"]",
        ));
        assert_has(
            &m,
            "`宠物` is listed in both `vendors.acme.packages.package1`",
        );
        assert_has(&m, "vendor `acme` from 2030-01 on");
    }

    #[test]
    fn spec_3_vendors_are_checked() {
        let m = err(&edit("name = \"Acme Service Co.\"", "name = \"\""));
        assert_has(&m, "key `vendors.acme.name`: a vendor name cannot be empty");
        let m = err(&edit("[vendors.acme]", "[vendors.\"../acme\"]"));
        assert_has(&m, "key `vendors.\"../acme\"`: a vendor id must be");
        let m = err(&edit("[vendors.acme]", "[vendors.\"\"]"));
        assert_has(&m, "key `vendors.\"\"`");
        let vendors_at = EXAMPLE.find("[vendors.acme]").unwrap();
        let scorecard_at = EXAMPLE.find("[[scorecard]]").unwrap();
        let no_vendors = format!("{}{}", &EXAMPLE[..vendors_at], &EXAMPLE[scorecard_at..]);
        let m = err(&no_vendors);
        assert_has(&m, "missing key `vendors`");
        // An empty vendor table is allowed; the base is still validated.
        let r = ok(&format!("vendors = {{}}\n{no_vendors}"));
        assert!(r.vendors.is_empty());
        let m =
            err(&format!("vendors = {{}}\n{no_vendors}").replacen("scale = 2 ", "scale = -2 ", 1));
        assert_has(&m, "key `money.scale`");
    }

    #[test]
    fn spec_3_vendors_are_sorted_by_id() {
        let r = ok(&append(
            "[vendors.aardvark]\nname = \"Aardvark\"\ncontract_start = \"2026-01-01\"\ntrial_months = 0",
        ));
        let ids: Vec<&str> = r.vendors.iter().map(|v| v.id.as_str()).collect();
        assert_eq!(ids, ["aardvark", "acme", "brightline"]);
        assert_eq!(r.terms_for("aardvark", month("2026-10")).money.scale, 2);
    }

    #[test]
    #[should_panic(expected = "not declared")]
    fn spec_3_terms_for_an_undeclared_vendor_panics() {
        ok(EXAMPLE).terms_for("nobody", month("2026-10"));
    }

    #[test]
    fn spec_3_a_table_written_as_an_array_or_a_date_is_refused() {
        let m = err(&edit(
            "presales = { phone = \"3.50\", online = \"1.60\" }",
            "presales = [\"3.50\", \"1.60\"]",
        ));
        assert_eq!(
            m,
            "key `takeover.presales`: expected a table, found an array"
        );
        let m = err(&edit(
            "trial_months = 2\n",
            "trial_months = 2\nearn = 2026-01-01\n",
        ));
        assert_has(
            &m,
            "key `vendors.acme.earn`: expected a table, found the datetime",
        );
        let m = err(&append("[vendors.acme.takeover]\naftersales = 2026-01-01"));
        assert_has(
            &m,
            "key `vendors.acme.takeover.aftersales`: expected a table, found the datetime",
        );
    }

    #[test]
    fn spec_3_of_several_mistakes_the_first_checked_is_reported() {
        // Sections are checked in a fixed order (money before termination), whatever the file
        // order; in a table, unknown keys come first, then each key in turn.
        let m = err(&edit(
            "settle_within_days = 30 ",
            "settle_within_days = 30\nbogus = 1 ",
        )
        .replacen("scale = 2 ", "scale = 11 ", 1));
        assert_has(&m, "key `money.scale`: 11 is out of range");
        let m = err(&edit("scale = 2 ", "scale = \"x\"\nscael = 2 "));
        assert_has(&m, "unknown key `money.scael`");
        let m = err(&edit(
            "notice_day = 15",
            "notice_day = 40\nresults_day2 = 1",
        ));
        assert_has(&m, "unknown key `deadlines.results_day2`");
        let m = err(&edit("notice_day = 15", "notice_day = 40").replacen(
            "final_day = 20",
            "final_day = \"x\"",
            1,
        ));
        assert_has(&m, "key `deadlines.notice_day`: 40 is out of range");
    }

    #[test]
    fn key_paths_print_as_toml_writes_them() {
        let p = vec![
            Seg::Key("revisions".into()),
            Seg::Key("2027-01-01".into()),
            Seg::Key("scorecard".into()),
            Seg::Index(0),
            Seg::Key("metrics".into()),
            Seg::Key("a b".into()),
            Seg::Key("家电".into()),
        ];
        assert_eq!(
            fmt_path(&p),
            "revisions.\"2027-01-01\".scorecard[0].metrics.\"a b\".\"家电\""
        );
        assert_eq!(edit_distance("phon", "phone"), 1);
        assert_eq!(edit_distance("", "ab"), 2);
    }
}
