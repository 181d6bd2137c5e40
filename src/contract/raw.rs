//! The serde mirror of `rates.toml` (SPEC §3, §8): every table the file may hold, with every key
//! optional, so the base, each revision, each vendor's overrides and every merged combination of
//! them read into the same types. Unknown keys are refused at any depth (`deny_unknown_fields`).
//!
//! A table's keys are checked when the table is read; each key's value is kept as written
//! ([`Key`]) and read into its type when validation reaches it, so a file with several mistakes
//! reports the first one in the order the terms are checked. The leaves ([`Int`], [`Dec`],
//! [`Str`], [`Bool`], [`Date`]) check the kind of value and say what was found instead; ranges,
//! choices and the rules between keys are checked by `rates`. Field order is the order the
//! allowed keys are listed in messages.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Unexpected, Visitor};
use serde::Deserialize;
use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;
use toml::Value;

/// The key under which the toml crate passes a datetime through serde.
pub(crate) const DATETIME_KEY: &str = "$__toml_private_datetime";

/// The whole file: the keys that hold for the whole file, then the terms sections (read as
/// [`Sections`] once merged).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
// The sections are named only so that they are allowed here; they are read merged.
#[allow(dead_code)]
pub(crate) struct File {
    pub timezone: Key<Str>,
    pub currency: Key<Str>,
    pub vendors: Option<IgnoredAny>,
    pub revisions: Option<IgnoredAny>,
    pub money: Option<IgnoredAny>,
    pub calendar: Option<IgnoredAny>,
    pub service_hours: Option<IgnoredAny>,
    pub contacts: Option<IgnoredAny>,
    pub work_orders: Option<IgnoredAny>,
    pub repairs: Option<IgnoredAny>,
    pub deadlines: Option<IgnoredAny>,
    pub settlement: Option<IgnoredAny>,
    pub earn: Option<IgnoredAny>,
    pub takeover: Option<IgnoredAny>,
    pub packages: Option<IgnoredAny>,
    pub scorecard: Option<IgnoredAny>,
    pub incidents: Option<IgnoredAny>,
    pub late_payment: Option<IgnoredAny>,
    pub termination: Option<IgnoredAny>,
}

/// `[vendors.<id>]`: the vendor's own keys, then its override sections (read as [`Sections`]
/// once merged).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
// The sections are named only so that they are allowed here; they are read merged.
#[allow(dead_code)]
pub(crate) struct Vendor {
    pub name: Key<Str>,
    pub contract_start: Key<Date>,
    pub trial_months: Key<Int>,
    pub contract_end: Key<Date>,
    pub money: Option<IgnoredAny>,
    pub calendar: Option<IgnoredAny>,
    pub service_hours: Option<IgnoredAny>,
    pub contacts: Option<IgnoredAny>,
    pub work_orders: Option<IgnoredAny>,
    pub repairs: Option<IgnoredAny>,
    pub deadlines: Option<IgnoredAny>,
    pub settlement: Option<IgnoredAny>,
    pub earn: Option<IgnoredAny>,
    pub takeover: Option<IgnoredAny>,
    pub packages: Option<IgnoredAny>,
    pub scorecard: Option<IgnoredAny>,
    pub incidents: Option<IgnoredAny>,
    pub late_payment: Option<IgnoredAny>,
    pub termination: Option<IgnoredAny>,
}

/// The terms sections: a revision, or a merged combination of layers.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Sections {
    pub money: Key<Tab<Money>>,
    pub calendar: Key<Tab<Calendar>>,
    pub service_hours: Key<Tab<ServiceHours>>,
    pub contacts: Key<Tab<Contacts>>,
    pub work_orders: Key<Tab<WorkOrders>>,
    pub repairs: Key<Tab<Repairs>>,
    pub deadlines: Key<Tab<Deadlines>>,
    pub settlement: Key<Tab<Settlement>>,
    pub earn: Key<Tab<Earn>>,
    pub takeover: Key<Tab<Takeover>>,
    pub packages: Key<Entries<Lazy<Vec<Str>>>>,
    pub scorecard: Key<Vec<Lazy<Tab<Scorecard>>>>,
    pub incidents: Key<Tab<Incidents>>,
    pub late_payment: Key<Tab<LatePayment>>,
    pub termination: Key<Tab<Termination>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Money {
    pub scale: Key<Int>,
    pub rounding: Key<Str>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Calendar {
    pub holidays: Key<Vec<Date>>,
    pub workdays: Key<Vec<Date>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ServiceHours {
    pub count_outside_hours: Key<Bool>,
    pub phone: Key<Tab<Schedule>>,
    pub online: Key<Tab<Schedule>>,
}

/// A channel's service hours.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Schedule {
    pub days: Key<Str>,
    pub windows: Key<Vec<Str>>,
    pub observe_holidays: Key<Bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Contacts {
    pub effective_min_talk_seconds: Key<Int>,
    pub service_level_seconds: Key<Int>,
    pub short_abandon_seconds: Key<Int>,
}

/// `[work_orders]`: the deadline, the business hours it runs in, the charge.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WorkOrders {
    pub reply_within: Key<Str>,
    pub days: Key<Str>,
    pub windows: Key<Vec<Str>>,
    pub observe_holidays: Key<Bool>,
    pub overdue_charge: Key<Dec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Repairs {
    pub respond_within: Key<Str>,
    pub resolve_working_days: Key<Tab<ResolveDays>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ResolveDays {
    pub simple: Key<Int>,
    pub complex: Key<Int>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Deadlines {
    pub notice_day: Key<Int>,
    pub results_day: Key<Int>,
    pub appeal_working_days: Key<Int>,
    pub final_day: Key<Int>,
    pub payment_day: Key<Int>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Settlement {
    pub method: Key<Str>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Earn {
    pub phone_effective_call: Key<Dec>,
    pub online_session: Key<Dec>,
    pub complaint_resolved: Key<Dec>,
    pub service_order: Key<Dec>,
    pub commission_rate: Key<Dec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Takeover {
    pub service_order: Key<Dec>,
    pub presales: Key<Tab<Channels>>,
    pub aftersales: Key<Entries<Lazy<Tab<Channels>>>>,
}

/// A price per channel.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Channels {
    pub phone: Key<Dec>,
    pub online: Key<Dec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Scorecard {
    pub name: Key<Str>,
    pub shortfall: Key<Str>,
    pub when_empty: Key<Str>,
    pub metrics: Key<Vec<Lazy<Tab<Metric>>>>,
    pub tiers: Key<Vec<Lazy<Tab<Tier>>>>,
}

/// One rubric item of a scorecard.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Metric {
    pub metric: Key<Str>,
    pub target: Key<Dec>,
    pub weight: Key<Dec>,
    pub points_per_point: Key<Dec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Tier {
    pub min: Key<Dec>,
    pub label: Key<Str>,
    pub penalty: Key<Dec>,
    pub improvement_period: Key<Bool>,
    pub fails_standard: Key<Bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Incidents {
    pub confidentiality: Key<Tab<Confidentiality>>,
    pub service_breach: Key<Tab<ServiceBreach>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Confidentiality {
    pub per_record: Key<Dec>,
    pub lump_sum: Key<Dec>,
    pub lump_after_records: Key<Int>,
    pub competitor_minimum: Key<Dec>,
    pub termination_right: Key<Bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ServiceBreach {
    pub per_incident: Key<Dec>,
    pub termination_after: Key<Int>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LatePayment {
    pub platform_daily_rate: Key<Dec>,
    pub vendor_daily_rate: Key<Dec>,
    pub suspend_after_days: Key<Int>,
    pub terminate_after_days: Key<Int>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Termination {
    pub settle_within_days: Key<Int>,
    pub work_order: Key<Dec>,
    pub service_order: Key<Dec>,
    pub repair: Key<Dec>,
}

// ------------------------------------------------------------------------------------------------
// Keys read when validation reaches them

/// A key of a table, if written. Its value is kept as written and read into `T` only when
/// validation reaches it, so errors come in the order the keys are checked: a table's unknown
/// keys first, then each key in turn (missing, wrong kind, out of range).
pub(crate) type Key<T> = Option<Lazy<T>>;

/// A value kept as written, to be read into `T` later.
pub(crate) struct Lazy<T>(pub Value, PhantomData<T>);

impl<'de, T> Deserialize<'de> for Lazy<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Value::deserialize(d).map(|v| Lazy(v, PhantomData))
    }
}

// ------------------------------------------------------------------------------------------------
// Tables

/// A table read into `T`. Serde's derived structs would also read an array positionally; a
/// rates file names every key, so anything but a table is refused.
pub(crate) struct Tab<T>(pub T);

impl<T> std::ops::Deref for Tab<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Tab<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Tab<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Tab)
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

// ------------------------------------------------------------------------------------------------
// A table keyed by names the file chooses (packages, after-sales prices), in file order

/// A table whose keys the file chooses, in file order.
pub(crate) struct Entries<T>(pub Vec<(String, T)>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Entries<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Entries<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    if key == DATETIME_KEY {
                        return Err(de::Error::invalid_type(Unexpected::Map, &self));
                    }
                    out.push((key, map.next_value()?));
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

// ------------------------------------------------------------------------------------------------
// Leaves: the kind of value is checked here, its range where it is validated

/// A whole number written without quotes.
pub(crate) struct Int(pub i64);
/// An exact decimal (SPEC §3): a plain decimal string, an integer, or a float read by its
/// shortest decimal form.
pub(crate) struct Dec(pub Decimal);
/// A string.
pub(crate) struct Str(pub String);
/// `true` or `false`, unquoted.
pub(crate) struct Bool(pub bool);
/// A date: `"YYYY-MM-DD"` or a TOML local date.
pub(crate) struct Date(pub NaiveDate);

/// Reads any TOML value and converts it with `f`, whose error is the message for the key.
fn leaf<'de, D: Deserializer<'de>, T>(
    d: D,
    f: impl FnOnce(Value) -> Result<T, String>,
) -> Result<T, D::Error> {
    f(Value::deserialize(d)?).map_err(de::Error::custom)
}

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        leaf(d, |v| match v {
            Value::Integer(i) => Ok(Int(i)),
            other => Err(format!(
                "expected a whole number written without quotes (like 5), found {}",
                describe(&other)
            )),
        })
    }
}

impl<'de> Deserialize<'de> for Str {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        leaf(d, |v| match v {
            Value::String(s) => Ok(Str(s)),
            other => Err(format!("expected a string, found {}", describe(&other))),
        })
    }
}

impl<'de> Deserialize<'de> for Bool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        leaf(d, |v| match v {
            Value::Boolean(b) => Ok(Bool(b)),
            other => Err(format!(
                "expected true or false (unquoted), found {}",
                describe(&other)
            )),
        })
    }
}

impl<'de> Deserialize<'de> for Dec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        leaf(d, |v| {
            let mut d = match v {
                Value::String(s) => parse_plain_decimal(&s).map_err(|why| {
                    format!("`{s}` is not a plain decimal ({why}); write it like \"8.26\"")
                })?,
                Value::Integer(i) => Decimal::from(i),
                Value::Float(f) => {
                    if !f.is_finite() {
                        return Err(format!(
                            "`{f}` is not a number; write a decimal like \"8.26\""
                        ));
                    }
                    // Display of an f64 is its shortest round-trip form: 8.26 reads as 8.26.
                    let s = format!("{f}");
                    parse_plain_decimal(&s).map_err(|_| {
                        format!("`{s}` is out of range; write a decimal like \"8.26\"")
                    })?
                }
                other => {
                    return Err(format!(
                        "expected a decimal written as a string like \"8.26\", found {}",
                        describe(&other)
                    ))
                }
            };
            if d.is_zero() {
                d.set_sign_positive(true);
            }
            Ok(Dec(d))
        })
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        leaf(d, |v| match v {
            Value::String(s) => parse_date_text(&s).map(Date).ok_or_else(|| {
                format!("`{s}` is not a date; write it as \"YYYY-MM-DD\", e.g. \"2026-06-01\"")
            }),
            Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => dt
                .date
                .and_then(|d| {
                    NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                })
                .map(Date)
                .ok_or_else(|| format!("`{dt}` is not a date")),
            other => Err(format!(
                "expected a date written as \"YYYY-MM-DD\", found {}",
                describe(&other)
            )),
        })
    }
}

/// What a value is, for messages.
pub(crate) fn describe(v: &Value) -> String {
    match v {
        Value::Table(_) => "a table".to_string(),
        Value::Array(_) => "an array".to_string(),
        Value::Integer(_) => format!("the integer {v}"),
        Value::Float(_) => format!("the float {v}"),
        other => format!("the {} {other}", other.type_str()),
    }
}

/// `v` as the toml crate's own deserializer hands it to serde: its `Value` deserializer passes
/// a datetime on as a plain string, so each is wrapped as the table that marks a datetime.
pub(crate) fn for_serde(v: &Value) -> Value {
    match v {
        Value::Datetime(dt) => {
            let mut t = toml::Table::new();
            t.insert(DATETIME_KEY.to_string(), Value::String(dt.to_string()));
            Value::Table(t)
        }
        Value::Array(a) => Value::Array(a.iter().map(for_serde).collect()),
        Value::Table(t) => Value::Table(t.iter().map(|(k, v)| (k.clone(), for_serde(v))).collect()),
        other => other.clone(),
    }
}

/// `[+-]digits[.digits]`: no exponent, separators or blanks.
fn parse_plain_decimal(s: &str) -> Result<Decimal, &'static str> {
    if s.is_empty() {
        return Err("it is empty");
    }
    let (negative, body) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return Err(
            "use digits with at most one decimal point and digits on both sides of it, \
             no exponent, separators or blanks",
        );
    }
    // Refuse rather than round: a value must read exactly as written.
    let d = Decimal::from_str(body).map_err(|_| "it has too many digits")?;
    if d.scale() as usize != frac.map_or(0, str::len) {
        return Err("it has too many digits");
    }
    Ok(if negative { -d } else { d })
}

/// Exactly `YYYY-MM-DD`, a real date.
pub(crate) fn parse_date_text(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    NaiveDate::from_ymd_opt(
        s[0..4].parse().ok()?,
        s[5..7].parse().ok()?,
        s[8..10].parse().ok()?,
    )
}
