//! The settle and check paths: find the inputs, read every file, merge the tallies, and build a
//! statement per vendor (SPEC §4–§6, §8 "Vendors and months").

pub mod absorb;

use crate::base::timestamp::{start_of_day, Instant, Month};
use crate::base::word::Word;
use crate::contract::rates::Rates;
use crate::contract::terms::IncidentKind;
use crate::error::{DisputeProblem, Error, Result};
use crate::input::diagnose;
use crate::input::incidents::{self, Incident, Register, RegisterVendor};
use crate::input::ingest::{FileResult, Setup};
use crate::input::manifest::{self, Manifest};
use crate::input::pipeline::{read_files, Parallel};
use crate::input::profile::{self, Format};
use crate::input::source::InputFile;
use crate::input::vendor::{VendorCtx, VendorSlot};
use crate::input::{Reject, Role};
use crate::statement::{
    self, Arguments, DisputesRef, FileRef, InputRef, ProfileRef, Statement, StatementInput,
};
use crate::tally::collect::{Collect, FileNotes};
use crate::tally::disputes::{DisputeKind, Disputes};
use crate::tally::VendorTally;
use absorb::{Absorbed, Absorbing, Decided};
use std::path::{Path, PathBuf};

/// Where each input is read from, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputPaths {
    /// Each input present, in role order.
    pub files: Vec<InputFile>,
}

impl InputPaths {
    /// The size of all inputs together, in bytes (0 for a file that cannot be read now).
    pub fn total_bytes(&self) -> u64 {
        self.files
            .iter()
            .map(|f| std::fs::metadata(&f.path).map_or(0, |m| m.len()))
            .sum()
    }
}

/// Explicit file options, each overriding the data folder and its manifest.
#[derive(Debug, Clone, Default)]
pub struct InputOptions {
    /// `--data DIR` (default: the current directory).
    pub data: Option<PathBuf>,
    /// `--calls F`, `--tickets F`, `--surveys F`, `--orders F`, in role order.
    pub files: [Option<PathBuf>; 4],
    /// `--incidents F`: the incident register (else `incidents.csv` of the data folder).
    pub incidents: Option<PathBuf>,
    /// `--calls-profile P` …, in role order: a built-in profile name or a profile file.
    pub profiles: [Option<String>; 4],
    /// `--vendor ID`: also the vendor of every row of a profile that maps none.
    pub vendor: Option<String>,
    /// Read only the files named in `files` (`check` of one export), none required.
    pub named_only: bool,
}

/// Finds the inputs (SPEC §6, §8): `DIR/<month>/` when it exists, else `DIR/`; there, a
/// `manifest.toml` may name each file and its profile; a file or profile named on the command
/// line wins. calls, tickets and surveys are required (exit 66); orders is optional.
pub fn resolve_inputs(opts: &InputOptions, month: Option<Month>) -> Result<InputPaths> {
    let data = opts.data.clone().unwrap_or_else(|| PathBuf::from("."));
    if let Some(d) = &opts.data {
        if !d.is_dir() {
            return Err(match d.exists() {
                true => Error::Usage(format!(
                    "--data {} is a file, not a folder: --data names the folder that holds calls.csv, tickets.csv …; name a single file with --calls, --tickets …",
                    d.display()
                )),
                false => Error::MissingInput {
                    role: "data folder",
                    path: d.clone(),
                    hint: "no such folder: check the path given to --data".into(),
                },
            });
        }
    }
    let dir = data_dir(&data, month);
    let manifest = Manifest::find(&dir)?;
    let mut files = Vec::new();
    for role in Role::ALL {
        let i = role as usize;
        if opts.named_only && opts.files[i].is_none() {
            continue;
        }
        let entry = manifest.as_ref().and_then(|m| m.entry(role));
        let listed = entry.and_then(|e| e.file.as_deref());
        let (path, hint) = match (&opts.files[i], listed) {
            (Some(p), _) => (
                p.clone(),
                Some(format!("check the path given to --{}", role.as_str())),
            ),
            (None, Some(f)) => (
                data_file_named(&dir, f),
                Some(format!(
                    "check `{}.file` in {}",
                    role.as_str(),
                    manifest.as_ref().expect("entry").path.display()
                )),
            ),
            (None, None) => {
                // A workbook stands in for a CSV the folder lacks (calls.xlsx for calls.csv).
                let csv = data_file(&dir, role);
                let xlsx = csv.with_extension("xlsx");
                if !csv.is_file() && xlsx.is_file() {
                    (xlsx, None)
                } else {
                    (csv, None)
                }
            }
        };
        if !path.is_file() && path.exists() {
            return Err(not_a_file(role.as_str(), &path));
        }
        if !path.is_file() {
            // A device, a FIFO or a folder where a file belongs is never read.
            if let Some(what) = crate::base::files::unusable(&path).filter(|w| w != "missing") {
                return Err(Error::MissingInput {
                    role: role.as_str(),
                    path,
                    hint: format!("it is {what}; give the export file"),
                });
            }
            if role.required() || hint.is_some() {
                let hint = hint.unwrap_or_else(|| {
                    format!(
                        "put {} in {} or name it with --{}; a vendor with nothing to report supplies a header-only file",
                        role.file_name(),
                        dir.display(),
                        role.as_str()
                    )
                });
                return Err(Error::MissingInput {
                    role: role.as_str(),
                    path,
                    hint,
                });
            }
            continue;
        }
        let named = match (&opts.profiles[i], entry.and_then(|e| e.profile.as_deref())) {
            (Some(p), _) => Some((p.as_str(), PathBuf::from("."))),
            (None, Some(p)) => Some((p, manifest.as_ref().expect("entry").dir().to_path_buf())),
            (None, None) => None,
        };
        let profile = match named {
            None => None,
            Some((value, base)) => {
                let mut p = profile::load(value, role, &base)?;
                if p.needs_vendor() {
                    let vendor = entry
                        .and_then(|e| e.vendor.as_deref())
                        .or(opts.vendor.as_deref())
                        .ok_or_else(|| Error::Config {
                            path: PathBuf::from(p.shown()),
                            message: format!(
                                "the profile maps no vendor column; name the vendor of {} with --vendor ID or `vendor = \"…\"` under [{}] in {}",
                                path.display(),
                                role.as_str(),
                                manifest::FILE_NAME
                            ),
                        })?;
                    p.set_vendor(vendor);
                }
                Some(p)
            }
        };
        files.push(InputFile::new(role, path, profile));
    }
    // The incident register (SPEC §9): named, else the month's folder's, else the data folder's.
    let register = match &opts.incidents {
        Some(p) if p.exists() && !p.is_file() => {
            return Err(not_a_file(Role::Incidents.as_str(), p))
        }
        Some(p) if !p.is_file() => {
            return Err(Error::MissingInput {
                role: Role::Incidents.as_str(),
                path: p.clone(),
                hint: "check the path given to --incidents".to_string(),
            })
        }
        Some(p) => Some(p.clone()),
        None if opts.named_only => None,
        None => Some(register_path(&data, month)).filter(|p| p.is_file()),
    };
    files.extend(register.map(|p| InputFile::new(Role::Incidents, p, None)));
    Ok(InputPaths { files })
}

/// The error for an input path that exists but is no regular file.
fn not_a_file(role: &'static str, path: &Path) -> Error {
    let what = if path.is_dir() {
        "a folder"
    } else {
        "a device or pipe"
    };
    Error::NotAFile {
        role,
        path: path.to_path_buf(),
        what,
        hint: format!("name the {role} file itself"),
    }
}

/// Where the incident register of `month` is looked for under `--data DIR` (SPEC §9):
/// `DIR/<month>/incidents.csv` when that file exists, else `DIR/incidents.csv`.
pub fn register_path(data: &Path, month: Option<Month>) -> PathBuf {
    let dir = data_dir(data, month);
    let inside = data_file(&dir, Role::Incidents);
    if inside.is_file() {
        inside
    } else {
        data_file(data, Role::Incidents)
    }
}

/// The folder a month's inputs are read from under `--data DIR` (SPEC §8): `DIR/<month>/` when
/// it exists, otherwise `DIR/`.
pub fn data_dir(data: &Path, month: Option<Month>) -> PathBuf {
    match month {
        Some(m) if data.join(m.to_string()).is_dir() => data.join(m.to_string()),
        _ => data.to_path_buf(),
    }
}

/// The file of `role` in a data folder, as a statement records it (`calls.csv`, not
/// `./calls.csv`, for the current directory).
pub fn data_file(dir: &Path, role: Role) -> PathBuf {
    data_file_named(dir, role.file_name())
}

/// A file named `name` in a data folder, as a statement records it.
fn data_file_named(dir: &Path, name: &str) -> PathBuf {
    if dir == Path::new(".") {
        PathBuf::from(name)
    } else {
        dir.join(name)
    }
}

/// A settle or check run.
pub struct Run<'a> {
    /// The contract terms.
    pub rates: &'a Rates,
    /// The month; `None` only for `check`, which then reads every row as in period.
    pub month: Option<Month>,
    /// `--as-of`, the cut-off for pending items.
    pub as_of: Option<Instant>,
    /// `--vendor`.
    pub vendor: Option<String>,
    /// The inputs.
    pub inputs: &'a InputPaths,
    /// An auditor's decisions to apply (`rescore --disputes`); `None` settles the rows as
    /// recorded.
    pub disputes: Option<&'a Disputes>,
    /// `--allow-outside-period`: settle from an input most of whose rows belong to other
    /// months (the statements then carry a warning) instead of refusing.
    pub allow_outside_period: bool,
}

/// What a file held, for the run summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummary {
    /// Role.
    pub role: Role,
    /// Path as given.
    pub path: String,
    /// SHA-256.
    pub sha256: String,
    /// Data rows.
    pub rows: u64,
    /// Rejected rows.
    pub rejected: u64,
    /// Physical lines in the file (0 when the source cannot tell, e.g. a workbook).
    pub lines: u64,
    /// Lines inside records beyond their first (quoted cells holding line ends).
    pub continued: u64,
}

impl FileSummary {
    /// Every physical line accounted for: `1,234 lines = 1 header + 1,230 rows + 3 blank`
    /// (with the lines inside quoted cells when there are any); `None` when the source cannot
    /// tell its lines.
    pub fn lines_text(&self) -> Option<String> {
        if self.lines == 0 {
            return (self.continued > 0).then(|| {
                format!(
                    "{} rows, {} line(s) inside quoted cells folded into them (multiline = true)",
                    self.rows, self.continued
                )
            });
        }
        let blank = self.lines.saturating_sub(1 + self.rows + self.continued);
        let inside = if self.continued > 0 {
            format!(" + {} inside quoted cells", self.continued)
        } else {
            String::new()
        };
        Some(format!(
            "{} lines = 1 header + {} rows{inside} + {blank} blank",
            self.lines, self.rows
        ))
    }
}

/// The result of reading and settling.
#[derive(Debug)]
pub struct Settled {
    /// One statement per settled vendor, ordered by vendor id.
    pub statements: Vec<Statement>,
    /// Every rejected row, file by file in role order.
    pub rejects: Vec<Reject>,
    /// Run-level notices for stderr (skipped vendors and rows).
    pub notices: Vec<String>,
    /// Per-file summary.
    pub files: Vec<FileSummary>,
    /// The rows kept as evidence, file by file in role order (empty unless collected, see
    /// [`settle_collecting`]).
    pub noted: Vec<FileNotes>,
    /// The incident register, when one was read: its path and every accepted incident up to
    /// the end of the month, with whether an auditor excluded it.
    pub register: Option<(String, Vec<(Incident, bool)>)>,
}

/// The latest month any terms could apply to; used by `check` without `--month`.
const LAST_MONTH: Month = Month {
    year: 9999,
    month: 12,
};

/// Reads every input and settles each selected vendor in contract.
pub fn settle(run: &Run) -> Result<Settled> {
    settle_collecting(run, Collect::Off)
}

/// [`settle`], keeping the accepted rows `collect` asks for as evidence in
/// [`Settled::noted`] (`slatement explain`, `reconcile`), or handing them on as they are taken
/// (`settle --evidence`). The statements are the same whatever is collected.
pub fn settle_collecting(run: &Run, collect: Collect) -> Result<Settled> {
    let rates = run.rates;
    let tz = rates.timezone;
    let bounds = run.month.map(|m| m.bounds(tz));
    let cutoff = match (bounds, run.as_of) {
        (Some((_, end)), Some(as_of)) if as_of < end => {
            return Err(Error::Usage(format!(
                "--as-of {} falls before the end of {}: a cut-off inside the month would judge rows that have not happened yet; give a time on or after {}",
                as_of.to_rfc3339(tz),
                run.month.expect("month"),
                end.to_rfc3339(tz)
            )))
        }
        (_, Some(as_of)) => as_of,
        (Some((_, end)), None) => end,
        (None, None) => Instant(i64::MAX),
    };
    if let Some(v) = &run.vendor {
        if rates.vendor(v).is_none() {
            let ids: Vec<&str> = rates.vendors.iter().map(|v| v.id.as_str()).collect();
            return Err(Error::Usage(format!(
                "--vendor {v}: no such vendor in {} (declared: {})",
                rates.path.display(),
                ids.join(", ")
            )));
        }
    }
    let terms_month = run.month.unwrap_or(LAST_MONTH);
    let slots: Vec<VendorSlot> = rates
        .vendors
        .iter()
        .map(|v| {
            // E: the start of the day after the last day of service (SPEC §12).
            let ends = v
                .contract_end
                .and_then(|d| d.succ_opt())
                .map(|d| start_of_day(tz, d));
            VendorSlot {
                id: &v.id,
                selected: run.vendor.as_deref().is_none_or(|f| f == v.id),
                in_contract: run.month.is_none_or(|m| {
                    m >= Month::of(v.contract_start)
                        && v.contract_end.is_none_or(|end| m <= Month::of(end))
                }),
                ends,
                ctx: VendorCtx::new(rates.terms_for(&v.id, terms_month), tz, cutoff)
                    .ending_at(ends.filter(|_| run.month.is_some())),
            }
        })
        .collect();
    let setup = Setup {
        tz,
        month: bounds,
        vendors: &slots,
        filtered: run.vendor.is_some(),
    };
    let absorbing = Absorbing {
        vendors: &slots,
        disputes: run.disputes,
        evidence: collect,
    };

    // Files are read side by side and cut into chunks parsed on every core; results are taken
    // back in file order and merged in role order, so they do not depend on the thread count.
    let (exports, registers): (Vec<InputFile>, Vec<InputFile>) = run
        .inputs
        .files
        .iter()
        .cloned()
        .partition(|f| f.role != Role::Incidents);
    for f in &exports {
        let is_xlsx = f.profile.as_ref().is_some_and(|p| p.format == Format::Xlsx);
        if !is_xlsx {
            diagnose::check(&f.path, f.role, f.profile.as_ref())?;
        }
    }
    let mut results = read_files(&exports, &setup, &absorbing, Parallel::from_env()?)?;
    let outside_warnings = match run.month {
        Some(month) => outside_period_guard(&results, month, run.allow_outside_period)?,
        None => Vec::new(),
    };
    let register_vendors: Vec<RegisterVendor> = slots
        .iter()
        .map(|s| RegisterVendor {
            id: s.id,
            settled: s.selected && s.in_contract,
            priced: IncidentKind::ALL.map(|k| s.ctx.terms.incidents.has(k)),
            ends: s.ends,
        })
        .collect();
    let register = registers
        .first()
        .map(|f| incidents::read(&f.path, tz, bounds, &register_vendors, run.vendor.is_some()))
        .transpose()?;
    // An auditor may exclude any incident counted up to the month (SPEC §9).
    let excluded: Vec<Option<usize>> = match (run.disputes, &register) {
        (Some(d), Some(reg)) => reg
            .incidents
            .iter()
            .map(|x| d.find(Role::Incidents, x.id.as_bytes()))
            .collect(),
        _ => Vec::new(),
    };

    // Every dispute must name an accepted row of the month to which its decision applies.
    // What is kept is the vendor of each dispute's row.
    let decided: Vec<Option<usize>> = match run.disputes {
        None => Vec::new(),
        Some(d) => {
            let mut by_dispute = vec![None; d.items.len()];
            let register_decided: Vec<Decided> = excluded
                .iter()
                .zip(register.iter().flat_map(|r| &r.incidents))
                .filter_map(|(at, x)| {
                    Some(Decided {
                        dispute: (*at)?,
                        vendor: x.vendor,
                        outcome: Ok(()),
                    })
                })
                .collect();
            for x in results
                .iter()
                .flat_map(|r| &r.sink.decided)
                .chain(&register_decided)
            {
                by_dispute[x.dispute] = Some(x);
            }
            check_disputes(d, &by_dispute, &results, register.as_ref(), run.month)?;
            by_dispute.iter().map(|x| x.map(|x| x.vendor)).collect()
        }
    };

    let mut tallies: Vec<VendorTally> = slots
        .iter()
        .map(|s| VendorTally::new(s.ctx.terms.packages.len()))
        .collect();
    let mut before_contract = vec![0u64; slots.len()];
    let mut undeclared_warnings = Vec::new();
    let mut after_end = vec![0u64; slots.len()];
    let mut rejects = Vec::new();
    let mut files = Vec::new();
    let mut notices = Vec::new();
    let mut noted = Vec::new();
    for r in results.iter_mut() {
        let ri = r.role.export_index().expect("a month's export");
        for (i, t) in r.sink.tallies.iter().enumerate() {
            tallies[i].merge(t);
            tallies[i].counts[ri].merge(&r.counts[i]);
            before_contract[i] += r.before_contract[i];
            after_end[i] += r.after_end[i];
        }
        files.push(FileSummary {
            role: r.role,
            path: r.path.clone(),
            sha256: r.sha256.clone(),
            rows: r.rows,
            rejected: r.rejects.len() as u64,
            lines: r.lines,
            continued: r.continued,
        });
        if r.undeclared.0 > 0 {
            let names: Vec<String> = r.undeclared.1.iter().map(|n| format!("`{n}`")).collect();
            let notice = format!(
                "{}: {} row(s) of the month name a vendor rates.toml does not declare ({}); skipped under --vendor: check the export for a misspelt vendor",
                r.path,
                r.undeclared.0,
                names.join(", ")
            );
            undeclared_warnings.push(notice);
        }
        let skipped: u64 = r.skipped.iter().map(|(_, n)| n).sum();
        if skipped > 0 {
            let reasons: Vec<String> = r
                .skipped
                .iter()
                .filter(|(_, n)| *n > 0)
                .map(|(reason, n)| format!("{reason}: {n}"))
                .collect();
            notices.push(format!(
                "{}: {skipped} record(s) set aside by the profile's filters, not contacts ({}); `check` shows every line's fate",
                r.path,
                reasons.join("; ")
            ));
        }
        let unattributed = r.rejects.iter().filter(|x| x.vendor.is_none()).count();
        if unattributed > 0 {
            notices.push(format!(
                "{}: {unattributed} rejected row(s) name no declared vendor and belong to no statement",
                r.path
            ));
        }
        rejects.append(&mut r.rejects);
        if collect.keeps_rows() {
            noted.push(FileNotes {
                role: r.role,
                path: r.path.clone(),
                rows: std::mem::take(&mut r.sink.noted),
            });
        }
    }

    if let Some(reg) = &register {
        files.push(FileSummary {
            role: Role::Incidents,
            path: reg.path.clone(),
            sha256: reg.sha256.clone(),
            rows: reg.rows,
            rejected: reg.rejects.len() as u64,
            lines: 0,
            continued: 0,
        });
        let unattributed = reg.rejects.iter().filter(|x| x.vendor.is_none()).count();
        if unattributed > 0 {
            notices.push(format!(
                "{}: {unattributed} rejected row(s) name no declared vendor and belong to no statement",
                reg.path
            ));
        }
        rejects.extend(reg.rejects.iter().cloned());
    }

    let month = match run.month {
        Some(m) => m,
        None => {
            return Ok(Settled {
                statements: Vec::new(),
                rejects,
                notices,
                files,
                noted,
                register: None,
            })
        }
    };
    let inputs: Vec<InputRef> = files
        .iter()
        .zip(&run.inputs.files)
        .map(|(f, input)| InputRef {
            role: f.role,
            path: f.path.clone(),
            sha256: f.sha256.clone(),
            profile: input.recorded_profile().map(|p| ProfileRef {
                name: p.shown(),
                sha256: p.sha256.clone(),
                vendor: p.given_vendor.clone(),
            }),
        })
        .collect();
    let roles: Vec<Role> = files.iter().map(|f| f.role).collect();
    let mut statements = Vec::new();
    for (i, (vendor, slot)) in rates.vendors.iter().zip(&slots).enumerate() {
        if !slot.selected {
            continue;
        }
        if !slot.in_contract {
            let why = match vendor.contract_end {
                Some(end) if month > Month::of(end) => {
                    format!("{month} is after its contract ended ({end})")
                }
                _ => format!(
                    "{month} is before its contract month ({})",
                    Month::of(vendor.contract_start)
                ),
            };
            notices.push(format!(
                "vendor {}: {why}; not settled{}",
                vendor.id,
                if before_contract[i] > 0 {
                    format!(", {} row(s) of it skipped", before_contract[i])
                } else {
                    String::new()
                }
            ));
            continue;
        }
        let tally = &tallies[i];
        let mut warnings = Vec::new();
        warnings.extend(outside_warnings.iter().cloned());
        warnings.extend(undeclared_warnings.iter().cloned());
        let terms = slot.ctx.terms;
        if terms.earn.commission_rate.is_some() && !roles.contains(&Role::Orders) {
            warnings.push(
                "no orders input was read while [earn] commission_rate is set: no commission is paid this month; supply orders.csv (a header-only file when the vendor brought no orders)"
                    .to_string(),
            );
        }
        for r in results.iter().filter(|r| r.minute_times[0] > 0) {
            let c = &terms.contacts;
            warnings.push(format!(
                "{}: {} of {} answer and end times carry no seconds (as spreadsheets save them): the thresholds counted in seconds cannot be judged exactly: effective talk ({} s), service level ({} s), short abandons ({} s); export the times with seconds",
                r.path,
                r.minute_times[0],
                r.minute_times[0] + r.minute_times[1],
                c.effective_min_talk_seconds,
                c.service_level_seconds,
                c.short_abandon_seconds
            ));
        }
        let register_rejected = register.as_ref().map_or(0, |r| r.counts[i].rejected);
        let rejected: Vec<String> = roles
            .iter()
            .filter(|r| **r != Role::Incidents)
            .zip(&tally.counts)
            .map(|(r, c)| (r, c.rejected))
            .chain((register_rejected > 0).then_some((&Role::Incidents, register_rejected)))
            .filter(|(_, n)| *n > 0)
            .map(|(r, n)| format!("{} {n}", r.as_str()))
            .collect();
        if !rejected.is_empty() {
            warnings.push(format!(
                "rejected rows were left out of this statement ({}); each is listed with its reason in the rejects file",
                rejected.join(", ")
            ));
        }
        if after_end[i] > 0 {
            warnings.push(format!(
                "{} row(s) dated at or after the end of the contract ({}, last day of service {}) were counted as outside the period",
                after_end[i],
                slot.ends.expect("an end").to_rfc3339(tz),
                vendor.contract_end.expect("an end")
            ));
        }
        let incidents = match &register {
            None => None,
            Some(reg) => {
                let mine: Vec<&Incident> = reg
                    .incidents
                    .iter()
                    .zip(excluded.iter().map(Some).chain(std::iter::repeat(None)))
                    .filter(|(x, ex)| x.vendor == i && ex.is_none_or(|e| e.is_none()))
                    .map(|(x, _)| x)
                    .collect();
                let (start, end) = month.bounds(tz);
                let terms = slot.ctx.terms;
                Some(
                    crate::statement::incidents::assess(&mine, &terms.incidents, terms.money, start, end)
                        .map_err(|o| Error::BadFile {
                            path: reg.path.clone(),
                            line: 1,
                            message: format!(
                                "the {} incidents to date of vendor {} are too large to price exactly; check the records column",
                                o.0.as_str(),
                                vendor.id
                            ),
                        })?,
                )
            }
        };
        let register_counts = register.as_ref().map(|reg| reg.counts[i]);
        let disputes = run.disputes.map(|d| applied_to(d, &decided, i));
        if let Some(d) = &disputes {
            warnings.push(match d.applied.len() {
                0 => format!(
                    "re-scored with the auditor's decisions of {}: none applies to this vendor's rows",
                    d.path
                ),
                n => format!(
                    "re-scored with the auditor's decisions of {}: {n} applied to this vendor's rows (listed under disputes)",
                    d.path
                ),
            });
        }
        let built = statement::build(
            StatementInput {
                month,
                vendor,
                terms: slot.ctx.terms,
                tz,
                currency: &rates.currency,
                cutoff,
                inputs: inputs.clone(),
                roles: roles.clone(),
                rates: FileRef {
                    path: crate::base::files::recorded(&rates.path),
                    sha256: rates.sha256.clone(),
                },
                warnings,
                arguments: Arguments {
                    month: month.to_string(),
                    as_of: run.as_of.map(|t| t.to_rfc3339(tz)),
                    vendor: run.vendor.clone(),
                    disputes: run.disputes.map(|d| d.path.clone()),
                    allow_outside_period: run.allow_outside_period,
                },
                terms_table: rates.terms_table_for(&vendor.id, month),
                disputes,
                incidents,
                register_counts,
                ended: slot.ctx.ended,
            },
            tally,
        );
        statements.push(
            built.map_err(|e| Error::Rejected(format!("vendor {}, {month}: {e}", vendor.id)))?,
        );
    }
    let register = register.map(|reg| {
        let incidents = reg
            .incidents
            .into_iter()
            .enumerate()
            .map(|(n, x)| (x, excluded.get(n).is_some_and(Option::is_some)))
            .collect();
        (reg.path, incidents)
    });
    Ok(Settled {
        statements,
        rejects,
        notices,
        files,
        noted,
        register,
    })
}

/// The guard against another month's export (or folder): an input with fewer rows in the month
/// than outside it is refused, naming the month most of its rows belong to, unless `allow`;
/// then each such input is a warning for every statement.
fn outside_period_guard(
    results: &[FileResult<Absorbed>],
    month: Month,
    allow: bool,
) -> Result<Vec<String>> {
    let mut warnings = Vec::new();
    for r in results {
        let outside: u64 = r.other_months.iter().map(|(_, n)| n).sum();
        if r.in_month >= outside {
            continue;
        }
        let (most, n) = r
            .other_months
            .iter()
            .copied()
            .max_by_key(|&(m, n)| (n, std::cmp::Reverse(m)))
            .expect("rows outside the month");
        let what = format!(
            "only {} of its {} dated rows fall in {month}; most belong to {most} ({n} rows)",
            r.in_month,
            r.in_month + outside
        );
        if !allow {
            return Err(Error::WrongFile {
                path: r.path.clone(),
                message: format!(
                    "{what}. Is this {month}'s export, and the right --data folder? Settle {most} with --month {most}, or pass --allow-outside-period to settle {month} from this file anyway"
                ),
            });
        }
        warnings.push(format!(
            "{}: {what}; settled anyway (--allow-outside-period)",
            r.path
        ));
    }
    Ok(warnings)
}

/// Fails with every dispute that matched no accepted in-period row of a settled vendor ("unknown
/// id") or whose decision does not apply to its record, in disputes-file order.
fn check_disputes(
    disputes: &Disputes,
    decided: &[Option<&Decided>],
    results: &[FileResult<Absorbed>],
    register: Option<&Register>,
    month: Option<Month>,
) -> Result<()> {
    let mut problems = disputes.problems.clone();
    for (d, found) in disputes.items.iter().zip(decided) {
        match found {
            Some(Decided {
                outcome: Err(reason),
                ..
            }) => problems.push(DisputeProblem {
                line: d.line,
                column: "decision".to_string(),
                reason: reason.clone(),
            }),
            Some(_) => {}
            None => {
                let role = d.kind.role();
                let file = results.iter().find(|r| r.role == role);
                let of = month.map_or_else(String::new, |m| format!(" of {m}"));
                let reason = match (file, register) {
                    (_, Some(reg)) if role == Role::Incidents => format!(
                        "unknown id: no accepted incident up to the end of the month in {} has incident_id `{}` (later, rejected and other vendors' incidents cannot be disputed)",
                        reg.path, d.id
                    ),
                    (Some(f), _) => format!(
                        "unknown id: no accepted {} row{of} in {} has {} `{}` (rows of other months, rejected rows and rows of vendors not settled cannot be disputed)",
                        role.as_str(),
                        f.path,
                        role.columns()[0].0,
                        d.id
                    ),
                    (None, _) => format!(
                        "unknown id: {} `{}` is disputed but no {} input was read",
                        DisputeKind::of_role(role).as_str(),
                        d.id,
                        role.as_str()
                    ),
                };
                problems.push(DisputeProblem {
                    line: d.line,
                    column: "id".to_string(),
                    reason,
                });
            }
        }
    }
    problems.sort_by_key(|p| p.line);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::BadDisputes {
            path: disputes.path.clone(),
            problems,
        })
    }
}

/// The decisions applied to the rows of vendor `vendor` (index into the declared vendors), in
/// disputes-file order.
fn applied_to(disputes: &Disputes, decided: &[Option<usize>], vendor: usize) -> DisputesRef {
    DisputesRef {
        path: disputes.path.clone(),
        sha256: disputes.sha256.clone(),
        applied: disputes
            .items
            .iter()
            .zip(decided)
            .filter(|(_, x)| **x == Some(vendor))
            .map(|(d, _)| d.clone())
            .collect(),
    }
}
