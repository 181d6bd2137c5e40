//! `gen_month`: a deterministic generator of one realistic month of `slatement` input CSVs.
//!
//! It writes `calls.csv`, `tickets.csv`, `surveys.csv` and `orders.csv` in the canonical schemas
//! of SPEC.md §2 (UTF-8, header row, LF line ends) into `--out DIR`, creating the folder. The
//! bundled example month was made with:
//!
//! ```text
//! cargo run --release --example gen_month -- --month 2026-10 --calls 3000 --tickets 600 \
//!     --surveys 800 --orders 300 --seed 2026 --out examples/data/2026-10
//! ```
//!
//! Options (`--key value` or `--key=value`):
//!
//! | option | default | meaning |
//! |---|---|---|
//! | `--month YYYY-MM` | required | the month to settle; a few % of rows fall on its neighbours |
//! | `--out DIR` | required | where the four files are written |
//! | `--calls N` | 3000 | rows of calls.csv |
//! | `--tickets N` | 600 | rows of tickets.csv |
//! | `--surveys N` | 800 | rows of surveys.csv |
//! | `--orders N` | 300 | rows of orders.csv |
//! | `--seed S` | 2026 | any u64; the same arguments always give byte-identical files |
//! | `--vendors a,b,...` | `acme,brightline` | vendor ids; each gets a different quality profile |
//! | `--bad-rows N` | 0 | malformed rows injected across the files (see below) |
//! | `--incidents N` | 0 | also write `incidents.csv`, a register of N incidents (see below) |
//! | `--claim VENDOR` | none | also write that vendor's settlement list, `claim.csv` and `claim_records.csv` (see below) |
//!
//! What the data looks like:
//! - Contacts arrive with daytime peaks (09:00–18:00, online into the evening until 21:00) and a
//!   few % outside the service hours of rates.example.toml (07:xx, 08:xx, phone after 18:00,
//!   21:xx, 22:xx). The two days before the month and the first day after it get about a third of
//!   a normal day's volume, so ~3% of the rows are "outside period".
//! - Vendors cycle through three quality profiles: the first (acme) answers ~92% and is ~79%
//!   satisfied; the second (brightline) answers ~85%, is ~64% satisfied, replies late to more
//!   work orders and has more takeovers; a third vendor gets a middling profile, and so on.
//! - Times are seconds since the epoch of the contract's local clock (Asia/Shanghai, UTC+8 with
//!   no DST), written naive (`2026-10-03 09:15:22`, ~85%) or RFC 3339 (`2026-10-03T09:15:22+08:00`).
//!   Every row's times are valid and in order; rows come in order of their first timestamp
//!   (surveys in the order of the contacts they rate, so only roughly by `submitted_at`).
//! - Ticket replies (and complaint and service-order resolutions) are placed on the business
//!   clock of `[work_orders]` in rates.example.toml (09:00–12:00 and 13:00–18:00 every day, 3 h
//!   allowance), so a late work order is late by the contract's rule; a few work orders land
//!   exactly on the 3 h limit and a few repairs exactly on the 24 h response limit.
//! - Every survey rates an answered, vendor-handled contact of calls.csv (when there is none, the
//!   surveys carry no `contact_id`). Ratings use every accepted spelling (`5`..`1`, English, 中文).
//! - Ids are unique within a file. From 2,000,000 rows of a file on, one verbatim duplicate row
//!   per 2,000,000 rows is repeated about 1000 rows later, as overlapping exports do.
//! - `--bad-rows N` adds N malformed in-period rows, spread through the files, cycling through:
//!   unparsable timestamp, unknown channel, empty vendor, answered before offered, undeclared
//!   vendor `ghost`, negative amount, a same-id row with different cells, replied before created,
//!   unknown rating, unknown status, ended before answered, unknown ticket kind. Their ids carry
//!   an `X` (`CX000001`), except the same-id rows, which repeat the id of the row they follow.
//!
//! - `--incidents N` writes the incident register (SPEC §9) beside the month: N incidents
//!   spread over the month and the three months before it, cycling through the vendors; about
//!   two in three are confidentiality incidents of 1–8 records (one in ten wide, one in twenty to
//!   a competitor), the rest service breaches; a few carry a note. Ids are `INC0001` …
//!
//! - `--claim VENDOR` writes the vendor's own settlement list for its contacts (SPEC §10): the
//!   records it counts under `earn/phone_effective_call`, `earn/online_session` and the
//!   `takeover/…` items, and one line per item at the example rate card's prices, with chosen
//!   disagreements: about half of its short calls (talk under 10 s) claimed as effective, the
//!   first three contacts of the next month claimed, the first two after-sales takeovers claimed
//!   under the other package, and one record listed twice. Lines for tickets, orders, penalties and
//!   incidents are not written (the generator does not price them).
//!
//! Only std is used: a `SplitMix64` generator seeded from `--seed`, integer arithmetic for times
//! and money, and rows streamed through a `BufWriter`, so memory stays constant (10 million
//! calls plus 5.5 million other rows: about 10 s and 6 MB).

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: gen_month --month YYYY-MM --out DIR [--calls N] [--tickets N] \
[--surveys N] [--orders N] [--seed S] [--vendors acme,brightline] [--bad-rows N] [--incidents N] \
[--claim VENDOR]";

const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;
const MINUTE: i64 = 60;

/// `[packages]` of rates.example.toml.
const PACKAGE1: [&str; 14] = [
    "家用电器",
    "手机",
    "数码",
    "电脑",
    "办公",
    "家居",
    "家具",
    "家装",
    "厨具",
    "珠宝",
    "奢侈品",
    "整车",
    "汽车用品",
    "营养保健",
];
const PACKAGE2: [&str; 20] = [
    "男装",
    "女装",
    "内衣",
    "个护化妆",
    "鞋靴",
    "箱包",
    "钟表",
    "运动户外",
    "母婴",
    "玩具乐器",
    "食品饮料",
    "酒类",
    "生鲜",
    "图书",
    "音像",
    "数字商品",
    "彩票",
    "旅行",
    "充值",
    "票务",
];

/// Relative volume per local hour 00..23: contacts peak in the day, online runs into the evening.
const CALL_HOURS: [u64; 24] = [
    0, 0, 0, 0, 0, 0, 0, 4, 10, 60, 100, 110, 70, 80, 100, 105, 95, 80, 30, 26, 22, 8, 4, 0,
];
/// Tickets are routed around the clock, mostly in office hours.
const TICKET_HOURS: [u64; 24] = [
    1, 1, 0, 0, 0, 1, 2, 5, 15, 80, 100, 100, 50, 90, 100, 100, 90, 80, 40, 30, 25, 15, 8, 3,
];
/// Orders peak late in the evening.
const ORDER_HOURS: [u64; 24] = [
    8, 4, 2, 1, 1, 1, 2, 5, 15, 40, 60, 65, 55, 50, 55, 55, 50, 45, 45, 60, 80, 90, 70, 30,
];

/// `[work_orders]` of rates.example.toml: business windows every day, and the reply allowance.
const WORK_WINDOWS: [(i64, i64); 2] = [(9 * HOUR, 12 * HOUR), (13 * HOUR, 18 * HOUR)];
const REPLY_WITHIN: i64 = 3 * HOUR;
/// `[repairs] respond_within`.
const RESPOND_WITHIN: i64 = 24 * HOUR;

const RATINGS: [[&str; 5]; 3] = [
    ["5", "4", "3", "2", "1"],
    [
        "very_satisfied",
        "satisfied",
        "neutral",
        "dissatisfied",
        "very_dissatisfied",
    ],
    ["非常满意", "满意", "一般", "不满意", "非常不满意"],
];
const STATUSES: [&str; 3] = ["completed", "refunded", "cancelled"];

/// Rows of one file per verbatim duplicate (only files this large get any).
const ROWS_PER_DUPLICATE: u64 = 2_000_000;
/// How many rows later a duplicate is repeated.
const DUPLICATE_GAP: u64 = 1_000;

// Independent random streams, so that e.g. `--bad-rows` never changes the good rows.
const S_DAYS: u64 = 1;
const S_CALL_TIMES: u64 = 2;
const S_CALLS: u64 = 3;
const S_SURVEY_PICK: u64 = 4;
const S_SURVEYS: u64 = 5;
const S_TICKET_TIMES: u64 = 6;
const S_TICKETS: u64 = 7;
const S_ORDER_TIMES: u64 = 8;
const S_ORDERS: u64 = 9;
const S_SURVEY_TIMES: u64 = 10;
const S_INCIDENTS: u64 = 11;
const S_CLAIM: u64 = 12;
const S_BAD: u64 = 20; // + file index

// ---------------------------------------------------------------------------------------------
// Randomness

/// `SplitMix64` (Steele, Lea & Flood 2014): tiny, fast, and plenty for synthetic data.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Self {
        Rng(mix(seed.wrapping_add(mix(stream.wrapping_add(0x5EED)))))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `0..n` (Lemire's multiply-shift; `n` > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below(hi.abs_diff(lo) + 1) as i64
    }

    /// True with probability `permille` / 1000.
    fn chance(&mut self, permille: u64) -> bool {
        self.below(1000) < permille
    }

    /// An index drawn with the weights whose running totals are `cumulative`.
    fn pick(&mut self, cumulative: &[u64]) -> usize {
        let total = cumulative.last().copied().unwrap_or(0);
        let r = self.below(total.max(1));
        cumulative.partition_point(|&c| c <= r)
    }

    /// An index drawn with `weights` (a short list; no running totals needed).
    fn pick_weighted(&mut self, weights: &[u64]) -> usize {
        let mut r = self.below(weights.iter().sum::<u64>().max(1));
        for (i, &w) in weights.iter().enumerate() {
            if r < w {
                return i;
            }
            r -= w;
        }
        weights.len() - 1
    }
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn cumulative(weights: &[u64]) -> Vec<u64> {
    weights
        .iter()
        .scan(0, |sum, w| {
            *sum += w;
            Some(*sum)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic on local seconds since 1970-01-01 00:00 (the contract's wall clock)

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (H. Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn is_weekend(day: i64) -> bool {
    // 1970-01-01 was a Thursday; 0 = Sunday.
    matches!((day + 4).rem_euclid(7), 0 | 6)
}

fn hour_of(t: i64) -> i64 {
    t.rem_euclid(DAY) / HOUR
}

/// `t` plus `left` seconds of business time on the work-order clock (closed time is skipped).
fn add_business(t: i64, mut left: i64) -> i64 {
    let mut day = t.div_euclid(DAY) * DAY;
    let mut sod = t - day;
    loop {
        for (open, close) in WORK_WINDOWS {
            if sod >= close {
                continue;
            }
            let from = sod.max(open);
            if left <= close - from {
                return day + from + left;
            }
            left -= close - from;
            sod = close;
        }
        day += DAY;
        sod = 0;
    }
}

/// Arrival times in order: the count is spread over days by weight, each day's share over its
/// minutes by the hour profile, and each minute's over its seconds. Only one day's minute
/// counts are held at a time, so memory does not grow with the count.
struct Schedule {
    rng: Rng,
    first_day: i64,
    day_counts: Vec<u64>,
    hour_cum: Vec<u64>,
    day: usize,
    minute_counts: Vec<u32>,
    minute: usize,
    second_counts: [u32; 60],
    second: usize,
}

impl Schedule {
    fn new(ctx: &Ctx, count: u64, hours: &[u64; 24], mut rng: Rng) -> Self {
        let mut day_counts = vec![0; ctx.day_cum.len()];
        for _ in 0..count {
            day_counts[rng.pick(&ctx.day_cum)] += 1;
        }
        let mut schedule = Schedule {
            rng,
            first_day: ctx.first_day,
            day_counts,
            hour_cum: cumulative(hours),
            day: 0,
            minute_counts: vec![0; 24 * 60],
            minute: 0,
            second_counts: [0; 60],
            second: 0,
        };
        schedule.fill_day();
        schedule.fill_minute();
        schedule
    }

    fn fill_day(&mut self) {
        self.minute_counts.fill(0);
        for _ in 0..self.day_counts[self.day] {
            let hour = self.rng.pick(&self.hour_cum);
            let minute = self.rng.below(60) as usize;
            self.minute_counts[hour * 60 + minute] += 1;
        }
    }

    fn fill_minute(&mut self) {
        self.second_counts = [0; 60];
        let count = self.minute_counts[self.minute];
        for _ in 0..count {
            self.second_counts[self.rng.below(60) as usize] += 1;
        }
        self.second = if count == 0 { 60 } else { 0 };
    }
}

impl Iterator for Schedule {
    type Item = i64;

    fn next(&mut self) -> Option<i64> {
        loop {
            if self.day >= self.day_counts.len() {
                return None;
            }
            if self.second < 60 {
                if self.second_counts[self.second] > 0 {
                    self.second_counts[self.second] -= 1;
                    let day = self.first_day + self.day as i64;
                    let sod = (self.minute * 60 + self.second) as i64;
                    return Some(day * DAY + sod);
                }
                self.second += 1;
                continue;
            }
            self.minute += 1;
            if self.minute == self.minute_counts.len() {
                self.minute = 0;
                self.day += 1;
                if self.day == self.day_counts.len() {
                    return None;
                }
                self.fill_day();
            }
            self.fill_minute();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Vendors

/// How well a vendor works; the numbers are per mille unless said otherwise.
struct Profile {
    /// Relative share of all rows.
    share: u64,
    /// Vendor-handled contacts in service hours that are answered (phone 15 ‰ less, online more).
    answer_pm: u64,
    /// Answered contacts answered within 20 s.
    fast_answer_pm: u64,
    /// Contacts the platform took over.
    takeover_pm: u64,
    /// Abandons within 1–5 s.
    quick_abandon_pm: u64,
    /// Answered contacts with under 10 s of talk.
    short_talk_pm: u64,
    /// Work orders replied after more than 3 business hours.
    late_wo_pm: u64,
    /// Work orders never replied.
    unreplied_wo_pm: u64,
    /// Repairs answered after more than 24 h.
    late_repair_pm: u64,
    /// Repairs taking 4–8 days.
    slow_repair_pm: u64,
    /// Service orders the platform took over.
    so_takeover_pm: u64,
    /// Relative weights of the ratings 5, 4, 3, 2, 1.
    ratings: [u64; 5],
}

const PROFILES: [Profile; 3] = [
    Profile {
        share: 60,
        answer_pm: 925,
        fast_answer_pm: 820,
        takeover_pm: 25,
        quick_abandon_pm: 250,
        short_talk_pm: 20,
        late_wo_pm: 50,
        unreplied_wo_pm: 25,
        late_repair_pm: 50,
        slow_repair_pm: 150,
        so_takeover_pm: 40,
        ratings: [52, 27, 11, 6, 4],
    },
    Profile {
        share: 40,
        answer_pm: 855,
        fast_answer_pm: 640,
        takeover_pm: 50,
        quick_abandon_pm: 300,
        short_talk_pm: 35,
        late_wo_pm: 160,
        unreplied_wo_pm: 45,
        late_repair_pm: 120,
        slow_repair_pm: 300,
        so_takeover_pm: 110,
        ratings: [38, 26, 17, 11, 8],
    },
    Profile {
        share: 45,
        answer_pm: 895,
        fast_answer_pm: 740,
        takeover_pm: 35,
        quick_abandon_pm: 270,
        short_talk_pm: 25,
        late_wo_pm: 90,
        unreplied_wo_pm: 30,
        late_repair_pm: 80,
        slow_repair_pm: 200,
        so_takeover_pm: 70,
        ratings: [45, 27, 14, 8, 6],
    },
];

fn profile(vendor: usize) -> &'static Profile {
    &PROFILES[vendor % PROFILES.len()]
}

// ---------------------------------------------------------------------------------------------
// Run context

struct Args {
    year: i64,
    month: i64,
    out: PathBuf,
    calls: u64,
    tickets: u64,
    surveys: u64,
    orders: u64,
    seed: u64,
    vendors: Vec<String>,
    bad_rows: u64,
    incidents: u64,
    claim: Option<String>,
}

struct Ctx {
    year: i64,
    month: i64,
    /// The month, `[start, end)` in local seconds.
    start: i64,
    end: i64,
    /// Day number of the first generated day (two days before the month).
    first_day: i64,
    /// Running totals of the daily volume weights, from `first_day` to the day after the month.
    day_cum: Vec<u64>,
    vendors: Vec<String>,
    vendor_cum: Vec<u64>,
    call_width: usize,
    ticket_width: usize,
    survey_width: usize,
    order_width: usize,
    seed: u64,
}

impl Ctx {
    fn new(args: &Args) -> Self {
        let (ny, nm) = if args.month == 12 {
            (args.year + 1, 1)
        } else {
            (args.year, args.month + 1)
        };
        let first = days_from_civil(args.year, args.month, 1);
        let next = days_from_civil(ny, nm, 1);
        let mut rng = Rng::new(args.seed, S_DAYS);
        let weights: Vec<u64> = (first - 2..=next)
            .map(|day| {
                let base: u64 = if is_weekend(day) { 88 } else { 100 };
                let w = base * rng.below(25) + base * 88;
                if (first..next).contains(&day) {
                    w
                } else {
                    w * 35 / 100
                }
            })
            .collect();
        let shares: Vec<u64> = (0..args.vendors.len()).map(|v| profile(v).share).collect();
        let width = |n: u64, min: usize| n.to_string().len().max(min);
        Ctx {
            year: args.year,
            month: args.month,
            start: first * DAY,
            end: next * DAY,
            first_day: first - 2,
            day_cum: cumulative(&weights),
            vendors: args.vendors.clone(),
            vendor_cum: cumulative(&shares),
            call_width: width(args.calls, 8),
            ticket_width: width(args.tickets, 7),
            survey_width: width(args.surveys, 7),
            order_width: width(args.orders, 7),
            seed: args.seed,
        }
    }

    fn in_period(&self, t: i64) -> bool {
        (self.start..self.end).contains(&t)
    }

    /// A mid-month, in-hours time for rows that need one.
    fn mid_month(&self) -> i64 {
        self.start + 14 * DAY + 10 * HOUR
    }
}

// ---------------------------------------------------------------------------------------------
// Writing cells

#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    /// `2026-10-03 09:15:22`, read in the contract time zone.
    Naive,
    /// `2026-10-03T09:15:22+08:00`.
    Offset,
}

fn form(rng: &mut Rng) -> Form {
    if rng.chance(150) {
        Form::Offset
    } else {
        Form::Naive
    }
}

fn push_num(buf: &mut Vec<u8>, mut n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let start = i.min(digits.len().saturating_sub(width));
    buf.extend_from_slice(&digits[start..]);
}

fn push_ts(buf: &mut Vec<u8>, t: i64, form: Form) {
    let (y, m, d) = civil_from_days(t.div_euclid(DAY));
    let sod = t.rem_euclid(DAY);
    for (value, width, sep) in [
        (y, 4, b'-'),
        (m, 2, b'-'),
        (d, 2, if form == Form::Naive { b' ' } else { b'T' }),
        (sod / HOUR, 2, b':'),
        (sod % HOUR / MINUTE, 2, b':'),
    ] {
        push_num(buf, value.unsigned_abs(), width);
        buf.push(sep);
    }
    push_num(buf, (sod % MINUTE).unsigned_abs(), 2);
    if form == Form::Offset {
        buf.extend_from_slice(b"+08:00");
    }
}

fn push_opt_ts(buf: &mut Vec<u8>, t: Option<i64>, form: Form) {
    if let Some(t) = t {
        push_ts(buf, t, form);
    }
}

fn ts_string(t: i64, form: Form) -> String {
    let mut buf = Vec::with_capacity(25);
    push_ts(&mut buf, t, form);
    String::from_utf8(buf).unwrap_or_default()
}

fn push_id(buf: &mut Vec<u8>, prefix: &str, id: u64, width: usize) {
    buf.extend_from_slice(prefix.as_bytes());
    push_num(buf, id, width);
}

fn push_cells(buf: &mut Vec<u8>, cells: &[&str]) {
    for cell in cells {
        buf.push(b',');
        buf.extend_from_slice(cell.as_bytes());
    }
}

fn handled_by(platform: bool) -> &'static str {
    if platform {
        "platform"
    } else {
        "vendor"
    }
}

fn pick_category(rng: &mut Rng) -> &'static str {
    if rng.chance(450) {
        PACKAGE1[rng.below(PACKAGE1.len() as u64) as usize]
    } else {
        PACKAGE2[rng.below(PACKAGE2.len() as u64) as usize]
    }
}

fn other_category(category: &str) -> &'static str {
    if category == PACKAGE1[1] {
        PACKAGE2[0]
    } else {
        PACKAGE1[1]
    }
}

// ---------------------------------------------------------------------------------------------
// Rows

/// A defect injected by `--bad-rows`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bad {
    Timestamp,
    Channel,
    EmptyVendor,
    AnsweredBeforeOffered,
    GhostVendor,
    NegativeAmount,
    SameIdDifferentCells,
    RepliedBeforeCreated,
    Rating,
    Status,
    EndedBeforeAnswered,
    Kind,
}

const CALLS: usize = 0;
const TICKETS: usize = 1;
const SURVEYS: usize = 2;
const ORDERS: usize = 3;

/// The order in which `--bad-rows` hands out defects: (file, defect).
const BAD_CYCLE: [(usize, Bad); 18] = [
    (CALLS, Bad::Timestamp),
    (CALLS, Bad::Channel),
    (TICKETS, Bad::EmptyVendor),
    (CALLS, Bad::AnsweredBeforeOffered),
    (SURVEYS, Bad::GhostVendor),
    (ORDERS, Bad::NegativeAmount),
    (TICKETS, Bad::SameIdDifferentCells),
    (TICKETS, Bad::RepliedBeforeCreated),
    (SURVEYS, Bad::Rating),
    (ORDERS, Bad::Status),
    (CALLS, Bad::EmptyVendor),
    (TICKETS, Bad::Timestamp),
    (CALLS, Bad::GhostVendor),
    (SURVEYS, Bad::SameIdDifferentCells),
    (CALLS, Bad::EndedBeforeAnswered),
    (TICKETS, Bad::Kind),
    (ORDERS, Bad::Timestamp),
    (CALLS, Bad::SameIdDifferentCells),
];

/// One kind of input row.
trait Row: Copy {
    const FILE: &'static str;
    const HEADER: &'static str;
    /// Id prefix; injected bad rows use `<PREFIX>X000001`...
    const PREFIX: &'static str;
    /// Column of the timestamp that decides the row's month.
    const PERIOD_COL: usize;

    fn period(&self) -> i64;
    fn write(&self, ctx: &Ctx, buf: &mut Vec<u8>);
    /// Applies a row-specific defect to `cells` (the row as written).
    fn corrupt(&self, bad: Bad, cells: &mut [String], rng: &mut Rng);
}

#[derive(Clone, Copy)]
struct Call {
    id: u64,
    vendor: usize,
    phone: bool,
    presales: bool,
    category: &'static str,
    offered: i64,
    answered: Option<i64>,
    ended: Option<i64>,
    platform: bool,
    form: Form,
}

impl Call {
    fn generate(rng: &mut Rng, id: u64, vendor: usize, offered: i64) -> Self {
        let p = profile(vendor);
        let hour = hour_of(offered);
        let phone_pm = match hour {
            9..=17 => 550,
            18..=20 => 150,
            7 | 8 => 400,
            _ => 300,
        };
        let phone = rng.chance(phone_pm);
        let presales = rng.chance(450);
        let category = pick_category(rng);
        let in_hours = (9..if phone { 18 } else { 21 }).contains(&hour);
        let platform = rng.chance(p.takeover_pm);
        let answer_pm = if platform {
            960
        } else if !in_hours {
            450
        } else if phone {
            p.answer_pm - 15
        } else {
            p.answer_pm + 15
        };
        let (answered, ended) = if rng.chance(answer_pm) {
            let wait = if rng.chance(p.fast_answer_pm) {
                rng.range(2, 20)
            } else {
                rng.range(21, 120)
            };
            let r = rng.below(1000);
            let talk = if r < p.short_talk_pm {
                rng.range(1, 9)
            } else if r < p.short_talk_pm + 200 {
                rng.range(10, 59)
            } else if r < p.short_talk_pm + 800 {
                rng.range(60, 420)
            } else {
                rng.range(421, 900)
            };
            (Some(offered + wait), Some(offered + wait + talk))
        } else if rng.chance(p.quick_abandon_pm) {
            (None, Some(offered + rng.range(1, 5)))
        } else {
            (None, Some(offered + rng.range(6, 180)))
        };
        Call {
            id,
            vendor,
            phone,
            presales,
            category,
            offered,
            answered,
            ended,
            platform,
            form: form(rng),
        }
    }

    /// Only contacts a vendor agent talked to get a survey.
    fn surveyable(&self) -> bool {
        self.answered.is_some() && !self.platform
    }
}

impl Row for Call {
    const FILE: &'static str = "calls.csv";
    const HEADER: &'static str =
        "contact_id,vendor,channel,stage,category,offered_at,answered_at,ended_at,handled_by";
    const PREFIX: &'static str = "C";
    const PERIOD_COL: usize = 5;

    fn period(&self) -> i64 {
        self.offered
    }

    fn write(&self, ctx: &Ctx, buf: &mut Vec<u8>) {
        push_id(buf, Self::PREFIX, self.id, ctx.call_width);
        push_cells(
            buf,
            &[
                &ctx.vendors[self.vendor],
                if self.phone { "phone" } else { "online" },
                if self.presales {
                    "presales"
                } else {
                    "aftersales"
                },
                self.category,
            ],
        );
        buf.push(b',');
        push_ts(buf, self.offered, self.form);
        buf.push(b',');
        push_opt_ts(buf, self.answered, self.form);
        buf.push(b',');
        push_opt_ts(buf, self.ended, self.form);
        push_cells(buf, &[handled_by(self.platform)]);
    }

    fn corrupt(&self, bad: Bad, cells: &mut [String], rng: &mut Rng) {
        match bad {
            Bad::Channel => {
                cells[2] = ["fax", "email", "wechat"][rng.below(3) as usize].to_string();
            }
            Bad::AnsweredBeforeOffered => {
                cells[6] = ts_string(self.offered - rng.range(30, 300), self.form);
                if self.ended.is_none() {
                    cells[7] = ts_string(self.offered + 60, self.form);
                }
            }
            Bad::EndedBeforeAnswered => {
                let answered = self.offered + rng.range(30, 90);
                cells[6] = ts_string(answered, self.form);
                cells[7] = ts_string(answered - rng.range(5, 25), self.form);
            }
            Bad::SameIdDifferentCells => match self.ended {
                Some(ended) => cells[7] = ts_string(ended + rng.range(60, 600), self.form),
                None => cells[4] = other_category(self.category).to_string(),
            },
            _ => cells[1] = "ghost".to_string(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    WorkOrder,
    Complaint,
    ServiceOrder,
    Repair,
}

#[derive(Clone, Copy)]
struct Ticket {
    id: u64,
    vendor: usize,
    kind: Kind,
    category: &'static str,
    complex: Option<bool>,
    created: i64,
    first_reply: Option<i64>,
    resolved: Option<i64>,
    platform: bool,
    form: Form,
}

impl Ticket {
    fn generate(rng: &mut Rng, id: u64, vendor: usize, created: i64) -> Self {
        let p = profile(vendor);
        let kind = match rng.below(1000) {
            0..=649 => Kind::WorkOrder,
            650..=769 => Kind::Complaint,
            770..=919 => Kind::ServiceOrder,
            _ => Kind::Repair,
        };
        let category = pick_category(rng);
        let complex = (kind == Kind::Repair).then(|| rng.chance(300));
        let platform = rng.chance(if kind == Kind::ServiceOrder {
            p.so_takeover_pm
        } else {
            10
        });
        let (first_reply, resolved) = match kind {
            Kind::WorkOrder => {
                let r = rng.below(1000);
                let reply = if r < p.unreplied_wo_pm {
                    None
                } else if r < p.unreplied_wo_pm + p.late_wo_pm {
                    Some(add_business(
                        created,
                        REPLY_WITHIN + rng.range(MINUTE, 8 * HOUR),
                    ))
                } else if r < p.unreplied_wo_pm + p.late_wo_pm + 10 {
                    Some(add_business(created, REPLY_WITHIN))
                } else {
                    Some(add_business(
                        created,
                        rng.range(5 * MINUTE, REPLY_WITHIN - 5 * MINUTE),
                    ))
                };
                (reply, None)
            }
            Kind::Complaint => {
                let reply = add_business(created, rng.range(10 * MINUTE, 150 * MINUTE));
                let resolved = (!rng.chance(60))
                    .then(|| add_business(reply, rng.range(30 * MINUTE, 16 * HOUR)));
                (Some(reply), resolved)
            }
            Kind::ServiceOrder => {
                let reply = add_business(created, rng.range(10 * MINUTE, 170 * MINUTE));
                let resolved =
                    (!rng.chance(80)).then(|| add_business(reply, rng.range(HOUR, 32 * HOUR)));
                (Some(reply), resolved)
            }
            Kind::Repair => {
                let r = rng.below(1000);
                let reply = if r < 20 {
                    None
                } else if r < 20 + p.late_repair_pm {
                    Some(created + rng.range(RESPOND_WITHIN + 1, 40 * HOUR))
                } else if r < 30 + p.late_repair_pm {
                    Some(created + RESPOND_WITHIN)
                } else {
                    Some(created + rng.range(30 * MINUTE, 22 * HOUR))
                };
                let resolved = match reply {
                    Some(reply) if !rng.chance(40) => {
                        let days = if rng.chance(p.slow_repair_pm) {
                            rng.range(4, 8)
                        } else {
                            rng.range(0, 3)
                        };
                        let day = created.div_euclid(DAY) + days;
                        let at = day * DAY + rng.range(9 * HOUR, 20 * HOUR - 1);
                        Some(at.max(reply + rng.range(10 * MINUTE, 2 * HOUR)))
                    }
                    _ => None,
                };
                (reply, resolved)
            }
        };
        Ticket {
            id,
            vendor,
            kind,
            category,
            complex,
            created,
            first_reply,
            resolved,
            platform,
            form: form(rng),
        }
    }
}

impl Row for Ticket {
    const FILE: &'static str = "tickets.csv";
    const HEADER: &'static str =
        "ticket_id,vendor,kind,category,complexity,created_at,first_reply_at,resolved_at,handled_by";
    const PREFIX: &'static str = "T";
    const PERIOD_COL: usize = 5;

    fn period(&self) -> i64 {
        self.created
    }

    fn write(&self, ctx: &Ctx, buf: &mut Vec<u8>) {
        push_id(buf, Self::PREFIX, self.id, ctx.ticket_width);
        push_cells(
            buf,
            &[
                &ctx.vendors[self.vendor],
                match self.kind {
                    Kind::WorkOrder => "work_order",
                    Kind::Complaint => "complaint",
                    Kind::ServiceOrder => "service_order",
                    Kind::Repair => "repair",
                },
                self.category,
                match self.complex {
                    Some(true) => "complex",
                    Some(false) => "simple",
                    None => "",
                },
            ],
        );
        buf.push(b',');
        push_ts(buf, self.created, self.form);
        buf.push(b',');
        push_opt_ts(buf, self.first_reply, self.form);
        buf.push(b',');
        push_opt_ts(buf, self.resolved, self.form);
        push_cells(buf, &[handled_by(self.platform)]);
    }

    fn corrupt(&self, bad: Bad, cells: &mut [String], rng: &mut Rng) {
        match bad {
            Bad::RepliedBeforeCreated => {
                cells[6] = ts_string(self.created - rng.range(10 * MINUTE, 2 * HOUR), self.form);
            }
            Bad::Kind => {
                cells[2] = ["inquiry", "consultation"][rng.below(2) as usize].to_string();
            }
            Bad::SameIdDifferentCells => cells[3] = other_category(self.category).to_string(),
            _ => cells[1] = "ghost".to_string(),
        }
    }
}

#[derive(Clone, Copy)]
struct Survey {
    id: u64,
    vendor: usize,
    submitted: i64,
    /// 0 = very satisfied (5) .. 4 = very dissatisfied (1).
    level: usize,
    /// Index into `RATINGS`.
    spelling: usize,
    contact: Option<u64>,
    form: Form,
}

impl Survey {
    fn generate(
        rng: &mut Rng,
        id: u64,
        vendor: usize,
        submitted: i64,
        contact: Option<u64>,
    ) -> Self {
        let level = rng.pick_weighted(&profile(vendor).ratings);
        let spelling = match rng.below(10) {
            0..=5 => 0,
            6 | 7 => 1,
            _ => 2,
        };
        Survey {
            id,
            vendor,
            submitted,
            level,
            spelling,
            contact,
            form: form(rng),
        }
    }

    /// How long after the previous moment (the contact's end) a customer answers the survey.
    fn delay(rng: &mut Rng) -> i64 {
        if rng.chance(900) {
            rng.range(30, 3 * HOUR)
        } else {
            rng.range(3 * HOUR, 30 * HOUR)
        }
    }
}

impl Row for Survey {
    const FILE: &'static str = "surveys.csv";
    const HEADER: &'static str = "survey_id,vendor,submitted_at,rating,contact_id";
    const PREFIX: &'static str = "S";
    const PERIOD_COL: usize = 2;

    fn period(&self) -> i64 {
        self.submitted
    }

    fn write(&self, ctx: &Ctx, buf: &mut Vec<u8>) {
        push_id(buf, Self::PREFIX, self.id, ctx.survey_width);
        push_cells(buf, &[&ctx.vendors[self.vendor]]);
        buf.push(b',');
        push_ts(buf, self.submitted, self.form);
        push_cells(buf, &[RATINGS[self.spelling][self.level]]);
        buf.push(b',');
        if let Some(contact) = self.contact {
            push_id(buf, Call::PREFIX, contact, ctx.call_width);
        }
    }

    fn corrupt(&self, bad: Bad, cells: &mut [String], rng: &mut Rng) {
        match bad {
            Bad::Rating => cells[3] = ["6", "good", "0"][rng.below(3) as usize].to_string(),
            Bad::SameIdDifferentCells => {
                let level = (self.level + 1 + rng.below(4) as usize) % 5;
                cells[3] = RATINGS[self.spelling][level].to_string();
            }
            _ => cells[1] = "ghost".to_string(),
        }
    }
}

#[derive(Clone, Copy)]
struct Order {
    id: u64,
    vendor: usize,
    placed: i64,
    cents: u64,
    /// Write a whole amount without decimals (`2499`).
    whole: bool,
    status: usize,
    form: Form,
}

impl Order {
    fn generate(rng: &mut Rng, id: u64, vendor: usize, placed: i64) -> Self {
        let yuan = match rng.below(1000) {
            0..=399 => rng.range(9, 99),
            400..=749 => rng.range(100, 999),
            750..=949 => rng.range(1_000, 4_999),
            _ => rng.range(5_000, 19_999),
        }
        .unsigned_abs();
        let cents = yuan * 100
            + match rng.below(10) {
                0..=3 => 90,
                4 => 99,
                5 => 50,
                _ => 0,
            };
        let status = match rng.below(1000) {
            0..=859 => 0,
            860..=939 => 1,
            _ => 2,
        };
        Order {
            id,
            vendor,
            placed,
            cents,
            whole: cents % 100 == 0 && rng.chance(700),
            status,
            form: form(rng),
        }
    }
}

impl Row for Order {
    const FILE: &'static str = "orders.csv";
    const HEADER: &'static str = "order_id,vendor,placed_at,amount,status";
    const PREFIX: &'static str = "O";
    const PERIOD_COL: usize = 2;

    fn period(&self) -> i64 {
        self.placed
    }

    fn write(&self, ctx: &Ctx, buf: &mut Vec<u8>) {
        push_id(buf, Self::PREFIX, self.id, ctx.order_width);
        push_cells(buf, &[&ctx.vendors[self.vendor]]);
        buf.push(b',');
        push_ts(buf, self.placed, self.form);
        buf.push(b',');
        push_num(buf, self.cents / 100, 1);
        if !self.whole {
            buf.push(b'.');
            push_num(buf, self.cents % 100, 2);
        }
        push_cells(buf, &[STATUSES[self.status]]);
    }

    fn corrupt(&self, bad: Bad, cells: &mut [String], rng: &mut Rng) {
        match bad {
            Bad::NegativeAmount => cells[3].insert(0, '-'),
            Bad::Status => cells[4] = ["shipped", "pending"][rng.below(2) as usize].to_string(),
            Bad::SameIdDifferentCells => {
                cells[4] = STATUSES[(self.status + 1) % STATUSES.len()].to_string();
            }
            _ => cells[1] = "ghost".to_string(),
        }
    }
}

/// An unparsable timestamp, of a few kinds.
fn bad_timestamp(ctx: &Ctx, n: u64) -> String {
    let (y, m) = (ctx.year, ctx.month);
    match n % 4 {
        0 => format!("{y:04}-{m:02}-32 10:15:00"),
        1 => format!("15/{m:02}/{y:04} 10:15"),
        2 => format!("{y:04}-{m:02}-15 25:10:00"),
        _ => "yesterday 10am".to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Output

/// One output file: writes good rows, and weaves in the planned bad rows and duplicates.
struct Sink<R: Row> {
    out: BufWriter<File>,
    buf: Vec<u8>,
    rng: Rng,
    rows: u64,
    /// (row index after which to inject, defect), in row order.
    bad_plan: Vec<(u64, Bad)>,
    next_bad: usize,
    /// Defects due but waiting for an in-period row to build on.
    pending: Vec<Bad>,
    bad_rows: u64,
    dup_plan: Vec<u64>,
    next_dup: usize,
    dup_due: bool,
    /// A line to repeat verbatim, and the row index after which to repeat it.
    dup_line: Option<(Vec<u8>, u64)>,
    dup_rows: u64,
    last_in_period: Option<R>,
}

impl<R: Row> Sink<R> {
    fn new(dir: &Path, count: u64, bads: &[Bad], rng: Rng) -> io::Result<Self> {
        let mut out = BufWriter::with_capacity(1 << 20, File::create(dir.join(R::FILE))?);
        out.write_all(R::HEADER.as_bytes())?;
        out.write_all(b"\n")?;
        let spread = |i: u64, slots: u64| {
            (u128::from(count) * u128::from(i) / u128::from(slots.max(1))) as u64
        };
        let k = bads.len() as u64;
        let bad_plan = (0..k)
            .zip(bads)
            .map(|(i, &bad)| (spread(i + 1, k + 1), bad))
            .collect();
        let dups = count / ROWS_PER_DUPLICATE;
        let dup_plan = (0..dups).map(|i| spread(2 * i + 1, 2 * dups)).collect();
        Ok(Sink {
            out,
            buf: Vec::with_capacity(256),
            rng,
            rows: 0,
            bad_plan,
            next_bad: 0,
            pending: Vec::new(),
            bad_rows: 0,
            dup_plan,
            next_dup: 0,
            dup_due: false,
            dup_line: None,
            dup_rows: 0,
            last_in_period: None,
        })
    }

    fn push(&mut self, ctx: &Ctx, row: &R) -> io::Result<()> {
        self.buf.clear();
        row.write(ctx, &mut self.buf);
        self.buf.push(b'\n');
        self.out.write_all(&self.buf)?;
        let index = self.rows;
        self.rows += 1;
        while let Some(&(at, bad)) = self.bad_plan.get(self.next_bad) {
            if at > index {
                break;
            }
            self.pending.push(bad);
            self.next_bad += 1;
        }
        while self
            .dup_plan
            .get(self.next_dup)
            .is_some_and(|&at| at <= index)
        {
            self.dup_due = true;
            self.next_dup += 1;
        }
        // Defects and duplicates only mean something in the settled month (SPEC §8 "Rows").
        if ctx.in_period(row.period()) {
            self.last_in_period = Some(*row);
            if self.dup_due && self.dup_line.is_none() {
                self.dup_line = Some((self.buf.clone(), index + DUPLICATE_GAP));
                self.dup_due = false;
            }
            for bad in std::mem::take(&mut self.pending) {
                self.write_bad(ctx, row, bad, true)?;
            }
        }
        if let Some((line, _)) = self.dup_line.take_if(|(_, at)| *at <= index) {
            self.out.write_all(&line)?;
            self.dup_rows += 1;
        }
        Ok(())
    }

    fn write_bad(&mut self, ctx: &Ctx, base: &R, bad: Bad, base_written: bool) -> io::Result<()> {
        self.bad_rows += 1;
        let bad_id = format!("{}X{:06}", R::PREFIX, self.bad_rows);
        self.buf.clear();
        base.write(ctx, &mut self.buf);
        let line = String::from_utf8_lossy(&self.buf).into_owned();
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        if bad == Bad::SameIdDifferentCells {
            if !base_written {
                cells[0] = bad_id;
                writeln!(self.out, "{}", cells.join(","))?;
            }
            base.corrupt(bad, &mut cells, &mut self.rng);
        } else {
            cells[0] = bad_id;
            match bad {
                Bad::Timestamp => cells[R::PERIOD_COL] = bad_timestamp(ctx, self.bad_rows),
                Bad::EmptyVendor => cells[1].clear(),
                Bad::GhostVendor => cells[1] = "ghost".to_string(),
                _ => base.corrupt(bad, &mut cells, &mut self.rng),
            }
        }
        writeln!(self.out, "{}", cells.join(","))
    }

    /// Writes what is still due and flushes; returns (good rows, bad rows, duplicates).
    fn finish(
        mut self,
        ctx: &Ctx,
        synth: impl FnOnce(&mut Rng) -> R,
    ) -> io::Result<(u64, u64, u64)> {
        if let Some((line, _)) = self.dup_line.take() {
            self.out.write_all(&line)?;
            self.dup_rows += 1;
        }
        let mut pending = std::mem::take(&mut self.pending);
        pending.extend(self.bad_plan[self.next_bad..].iter().map(|&(_, bad)| bad));
        if !pending.is_empty() {
            let (base, written) = match self.last_in_period {
                Some(row) => (row, true),
                None => (synth(&mut self.rng), false),
            };
            for bad in pending {
                self.write_bad(ctx, &base, bad, written)?;
            }
        }
        self.out.flush()?;
        Ok((self.rows, self.bad_rows, self.dup_rows))
    }
}

/// The contacts of the month, in order of `offered_at`; the same every time for one context.
fn calls(ctx: &Ctx, count: u64) -> impl Iterator<Item = Call> + '_ {
    let schedule = Schedule::new(ctx, count, &CALL_HOURS, Rng::new(ctx.seed, S_CALL_TIMES));
    let mut rng = Rng::new(ctx.seed, S_CALLS);
    schedule.zip(1..).map(move |(t, id)| {
        let vendor = rng.pick(&ctx.vendor_cum);
        Call::generate(&mut rng, id, vendor, t)
    })
}

fn run(args: &Args) -> io::Result<()> {
    let ctx = Ctx::new(args);
    let dir = args.out.as_path();
    fs::create_dir_all(dir)?;
    let mut plans: [Vec<Bad>; 4] = Default::default();
    for &(file, bad) in BAD_CYCLE.iter().cycle().take(args.bad_rows as usize) {
        plans[file].push(bad);
    }
    let bad_rng = |file: usize| Rng::new(args.seed, S_BAD + file as u64);
    let mut call_sink = Sink::<Call>::new(dir, args.calls, &plans[CALLS], bad_rng(CALLS))?;
    let mut ticket_sink =
        Sink::<Ticket>::new(dir, args.tickets, &plans[TICKETS], bad_rng(TICKETS))?;
    let mut survey_sink =
        Sink::<Survey>::new(dir, args.surveys, &plans[SURVEYS], bad_rng(SURVEYS))?;
    let mut order_sink = Sink::<Order>::new(dir, args.orders, &plans[ORDERS], bad_rng(ORDERS))?;

    // Calls and surveys. A first pass counts the contacts a survey can rate, so that exactly
    // `--surveys` of them are drawn (selection sampling) while the calls are written.
    let rateable = calls(&ctx, args.calls).filter(Call::surveyable).count() as u64;
    let mut pick = Rng::new(args.seed, S_SURVEY_PICK);
    let mut rng = Rng::new(args.seed, S_SURVEYS);
    let (each, mut extra) = match rateable {
        0 => (0, 0),
        n => (args.surveys / n, args.surveys % n),
    };
    let mut left = rateable;
    let mut survey_id = 0;
    for call in calls(&ctx, args.calls) {
        call_sink.push(&ctx, &call)?;
        if !call.surveyable() {
            continue;
        }
        let mut copies = each;
        if pick.below(left) < extra {
            copies += 1;
            extra -= 1;
        }
        left -= 1;
        let mut at = call.ended.unwrap_or(call.offered);
        for _ in 0..copies {
            at += Survey::delay(&mut rng);
            survey_id += 1;
            let survey = Survey::generate(&mut rng, survey_id, call.vendor, at, Some(call.id));
            survey_sink.push(&ctx, &survey)?;
        }
    }
    if rateable == 0 {
        let times = Schedule::new(
            &ctx,
            args.surveys,
            &CALL_HOURS,
            Rng::new(args.seed, S_SURVEY_TIMES),
        );
        for (at, id) in times.zip(1..) {
            let vendor = rng.pick(&ctx.vendor_cum);
            survey_sink.push(&ctx, &Survey::generate(&mut rng, id, vendor, at, None))?;
        }
    }

    let times = Schedule::new(
        &ctx,
        args.tickets,
        &TICKET_HOURS,
        Rng::new(args.seed, S_TICKET_TIMES),
    );
    let mut rng = Rng::new(args.seed, S_TICKETS);
    for (at, id) in times.zip(1..) {
        let vendor = rng.pick(&ctx.vendor_cum);
        ticket_sink.push(&ctx, &Ticket::generate(&mut rng, id, vendor, at))?;
    }

    let times = Schedule::new(
        &ctx,
        args.orders,
        &ORDER_HOURS,
        Rng::new(args.seed, S_ORDER_TIMES),
    );
    let mut rng = Rng::new(args.seed, S_ORDERS);
    for (at, id) in times.zip(1..) {
        let vendor = rng.pick(&ctx.vendor_cum);
        order_sink.push(&ctx, &Order::generate(&mut rng, id, vendor, at))?;
    }

    // Rows to build defects on when a file has no row in the month.
    let mid = ctx.mid_month();
    let counts = [
        call_sink.finish(&ctx, |rng| Call::generate(rng, 0, 0, mid))?,
        ticket_sink.finish(&ctx, |rng| Ticket::generate(rng, 0, 0, mid))?,
        survey_sink.finish(&ctx, |rng| Survey::generate(rng, 0, 0, mid, None))?,
        order_sink.finish(&ctx, |rng| Order::generate(rng, 0, 0, mid))?,
    ];
    let files = [Call::FILE, Ticket::FILE, Survey::FILE, Order::FILE];
    for (file, (rows, bad, dups)) in files.iter().zip(counts) {
        eprintln!(
            "{}: {rows} rows, {bad} bad, {dups} duplicates",
            dir.join(file).display()
        );
    }
    if let Some(vendor) = &args.claim {
        let v = ctx
            .vendors
            .iter()
            .position(|x| x == vendor)
            .ok_or_else(|| {
                io::Error::other(format!("--claim: `{vendor}` is not one of --vendors"))
            })?;
        let n = write_claim(&ctx, args.calls, v, dir)?;
        eprintln!(
            "{}, {}: {n} claimed records",
            dir.join("claim.csv").display(),
            dir.join("claim_records.csv").display()
        );
    }
    if args.incidents > 0 {
        write_incidents(&ctx, args.incidents, &dir.join("incidents.csv"))?;
        eprintln!(
            "{}: {} rows",
            dir.join("incidents.csv").display(),
            args.incidents
        );
    }
    Ok(())
}

/// The example rate card's price of a claimed contact item, in cents.
fn claim_price(item: &str) -> u64 {
    match item {
        "earn/phone_effective_call" => 200,
        "earn/online_session" => 100,
        "takeover/presales/phone" => 350,
        "takeover/presales/online" => 160,
        "takeover/aftersales/package1/phone" => 1450,
        "takeover/aftersales/package1/online" => 630,
        "takeover/aftersales/package2/phone" => 650,
        _ => 280,
    }
}

/// The vendor's settlement list for its contacts, with the disagreements the module doc names.
/// Returns how many records it lists.
fn write_claim(ctx: &Ctx, count: u64, vendor: usize, dir: &Path) -> io::Result<usize> {
    let mut rng = Rng::new(ctx.seed, S_CLAIM);
    let mut records: Vec<(String, String)> = Vec::new();
    let (mut next_month, mut wrong_package) = (0, 0);
    for call in calls(ctx, count).filter(|c| c.vendor == vendor) {
        let ch = if call.phone { "phone" } else { "online" };
        let package = |wrong: bool| {
            let one = PACKAGE1.contains(&call.category);
            if one != wrong {
                "package1"
            } else {
                "package2"
            }
        };
        let item = match (call.platform, call.answered, call.ended) {
            (true, Some(_), _) if call.presales => Some(format!("takeover/presales/{ch}")),
            (true, Some(_), _) => {
                let wrong = ctx.in_period(call.offered) && wrong_package < 2;
                wrong_package += usize::from(wrong);
                Some(format!("takeover/aftersales/{}/{ch}", package(wrong)))
            }
            (false, Some(a), Some(e)) if call.phone => {
                // About half of the short calls are claimed as effective all the same.
                (e - a >= 10 || rng.chance(500)).then(|| "earn/phone_effective_call".to_string())
            }
            (false, Some(_), _) if !call.phone => Some("earn/online_session".to_string()),
            _ => None,
        };
        let Some(item) = item else { continue };
        let claimed = if ctx.in_period(call.offered) {
            true
        } else if call.offered >= ctx.end && next_month < 3 {
            next_month += 1;
            true
        } else {
            false
        };
        if claimed {
            let mut id = Vec::new();
            push_id(&mut id, Call::PREFIX, call.id, ctx.call_width);
            records.push((item, String::from_utf8_lossy(&id).into_owned()));
        }
    }
    if let Some(first) = records
        .iter()
        .find(|r| r.0 == "earn/phone_effective_call")
        .cloned()
    {
        records.push(first);
    }
    let mut out = BufWriter::new(File::create(dir.join("claim_records.csv"))?);
    out.write_all(b"item,id\n")?;
    for (item, id) in &records {
        writeln!(out, "{item},{id}")?;
    }
    out.flush()?;
    let mut lines: Vec<(String, u64)> = Vec::new();
    for (item, _) in &records {
        match lines.iter_mut().find(|l| l.0 == *item) {
            Some(l) => l.1 += 1,
            None => lines.push((item.clone(), 1)),
        }
    }
    lines.sort();
    let mut out = BufWriter::new(File::create(dir.join("claim.csv"))?);
    out.write_all(b"item,quantity,unit_price,amount\n")?;
    for (item, n) in &lines {
        let price = claim_price(item);
        let amount = price * n;
        writeln!(
            out,
            "{item},{n},{}.{:02},{}.{:02}",
            price / 100,
            price % 100,
            amount / 100,
            amount % 100
        )?;
    }
    out.flush()?;
    Ok(records.len())
}

/// The incident register: `n` incidents over the month and the three before it, in time order.
fn write_incidents(ctx: &Ctx, n: u64, path: &Path) -> io::Result<()> {
    let mut rng = Rng::new(ctx.seed, S_INCIDENTS);
    let from = ctx.start - 3 * 30 * DAY;
    let mut times: Vec<i64> = (0..n)
        .map(|_| {
            let day = rng.range(from / DAY, ctx.end / DAY - 1);
            day * DAY + rng.range(9 * HOUR, 18 * HOUR - 1)
        })
        .collect();
    times.sort_unstable();
    let mut out = BufWriter::new(File::create(path)?);
    out.write_all(b"incident_id,vendor,kind,occurred_at,records,to_competitor,wide,note\n")?;
    for (i, t) in times.into_iter().enumerate() {
        let vendor = &ctx.vendors[i % ctx.vendors.len()];
        let mut line = format!("INC{:04},{vendor},", i + 1).into_bytes();
        if rng.chance(667) {
            let records = rng.range(1, 8);
            let competitor = if rng.chance(50) { "true" } else { "false" };
            let wide = if rng.chance(100) { "yes" } else { "no" };
            line.extend_from_slice(b"confidentiality,");
            push_ts(&mut line, t, Form::Naive);
            line.extend_from_slice(format!(",{records},{competitor},{wide},").as_bytes());
            if rng.chance(300) {
                line.extend_from_slice("customer list sent to the wrong address".as_bytes());
            }
        } else {
            line.extend_from_slice(b"service_breach,");
            push_ts(&mut line, t, Form::Naive);
            line.extend_from_slice(b",,,,");
            if rng.chance(300) {
                line.extend_from_slice(b"queue left unstaffed for an hour");
            }
        }
        line.push(b'\n');
        out.write_all(&line)?;
    }
    out.flush()
}

// ---------------------------------------------------------------------------------------------
// Command line

fn parse_args(mut argv: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut month = None;
    let mut out = None;
    let mut args = Args {
        year: 0,
        month: 0,
        out: PathBuf::new(),
        calls: 3_000,
        tickets: 600,
        surveys: 800,
        orders: 300,
        seed: 2026,
        vendors: vec!["acme".to_string(), "brightline".to_string()],
        bad_rows: 0,
        incidents: 0,
        claim: None,
    };
    while let Some(arg) = argv.next() {
        if arg == "-h" || arg == "--help" {
            return Ok(None);
        }
        let (key, value) = match arg.split_once('=') {
            Some((key, value)) if key.starts_with("--") => (key.to_string(), value.to_string()),
            _ => {
                let value = argv.next().ok_or_else(|| format!("{arg} needs a value"))?;
                (arg, value)
            }
        };
        let number = |v: &str| {
            v.parse::<u64>()
                .map_err(|_| format!("{key}: `{v}` is not a non-negative integer"))
        };
        match key.as_str() {
            "--month" => month = Some(parse_month(&value)?),
            "--out" => out = Some(PathBuf::from(value)),
            "--calls" => args.calls = number(&value)?,
            "--tickets" => args.tickets = number(&value)?,
            "--surveys" => args.surveys = number(&value)?,
            "--orders" => args.orders = number(&value)?,
            "--seed" => args.seed = number(&value)?,
            "--bad-rows" => args.bad_rows = number(&value)?,
            "--incidents" => args.incidents = number(&value)?,
            "--claim" => args.claim = Some(value.clone()),
            "--vendors" => args.vendors = parse_vendors(&value)?,
            _ => return Err(format!("unknown option {key}")),
        }
    }
    (args.year, args.month) = month.ok_or("--month is required")?;
    args.out = out.ok_or("--out is required")?;
    Ok(Some(args))
}

fn parse_month(value: &str) -> Result<(i64, i64), String> {
    let bad = || format!("--month: `{value}` is not YYYY-MM");
    let (y, m) = value.split_once('-').ok_or_else(bad)?;
    if y.len() != 4 || m.len() != 2 {
        return Err(bad());
    }
    let year: i64 = y.parse().map_err(|_| bad())?;
    let month: i64 = m.parse().map_err(|_| bad())?;
    if !(1..=12).contains(&month) || year < 1 {
        return Err(bad());
    }
    Ok((year, month))
}

fn parse_vendors(value: &str) -> Result<Vec<String>, String> {
    let vendors: Vec<String> = value.split(',').map(|v| v.trim().to_string()).collect();
    for (i, v) in vendors.iter().enumerate() {
        if v.is_empty() || v.contains(['"', '\n', '\r']) {
            return Err(format!("--vendors: `{v}` is not a usable vendor id"));
        }
        if v == "ghost" {
            return Err(
                "--vendors: `ghost` is reserved for the undeclared vendor of --bad-rows".into(),
            );
        }
        if vendors[..i].contains(v) {
            return Err(format!("--vendors: `{v}` is listed twice"));
        }
    }
    Ok(vendors)
}

fn main() -> ExitCode {
    match parse_args(std::env::args().skip(1)) {
        Ok(None) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Some(args)) => match run(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("gen_month: error: {}: {err}", args.out.display());
                ExitCode::from(74)
            }
        },
        Err(msg) => {
            eprintln!("gen_month: error: {msg}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
