//! The command line: arguments (clap), one module per command, and the mapping of errors to
//! exit codes (SPEC §6). `main.rs` only calls [`run`].

/// The environment variables slatement reads, shown in every `--help` and in the man page.
macro_rules! environment_help {
    () => {
        "Environment:\n  SLATEMENT_THREADS      threads that parse the inputs (default: one per core; 1 reads on one thread); the output is the same whatever the count\n  SLATEMENT_CHUNK_BYTES  bytes handed to a parsing thread at a time (default 1048576)\n  NO_COLOR               honoured: slatement never writes colour, so output is the same with or without it"
    };
}

/// The exit codes every command shares (SPEC §6).
macro_rules! exit_help {
    ($own:literal) => {
        concat!(
            "Exit codes:\n",
            $own,
            "  2   usage: a bad flag or value\n  65  bad input data (rejected rows, a malformed file)\n  66  a required input is missing\n  73  refused to overwrite a different file without --force\n  74  I/O error\n  78  bad configuration (rates.toml)\n\n",
            environment_help!()
        )
    };
}

pub mod account;
pub mod check;
pub mod diff;
pub mod docs;
pub mod explain;
pub mod keygen;
pub mod progress;
pub mod reconcile;
pub mod rescore;
pub mod settle;
pub mod sign;
pub mod verify;

use crate::base::timestamp::{parse_timestamp, start_of_day, Instant, Month};
use crate::error::Error;
use crate::error::ExitCode;
use crate::month::InputOptions;
use chrono_tz::Tz;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Settle one month of an outsourced customer-service contract.
#[derive(Debug, Parser)]
#[command(
    name = "slatement",
    version,
    about,
    long_about = None,
    after_help = concat!(
        "Example:\n  slatement settle --month 2026-10 --data examples/data\n  slatement settle --month 2026-10 --data examples/data --format html --lang zh > notice.html\n\n",
        exit_help!("  0   done\n  1   a difference found (diff, verify, reconcile); a seal that does not hold (verify, sign)\n")
    )
)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Score and price a month, and print or write the statements.
    #[command(after_help = concat!(
        "Examples:\n  slatement settle --month 2026-10 --data examples/data\n  slatement settle --month 2026-10 --data examples/data --out statements --format html --lang zh > notice.html\n\n",
        exit_help!("  0   the statements were printed (and written); a failing score is a result, not an error\n")
    ))]
    Settle(SettleArgs),
    /// Validate rates.toml and the inputs, listing every bad row; settles nothing.
    #[command(after_help = concat!(
        "Example:\n  slatement check --month 2026-10 --data examples/data\n\n",
        exit_help!("  0   every row is accepted (65 when any is rejected)\n")
    ))]
    Check(CheckArgs),
    /// Re-score a month with an auditor's decisions (--disputes) and show what changed against the original statements.
    #[command(after_help = concat!(
        "Example:\n  slatement rescore --month 2026-10 --data examples/data --disputes disputes.csv --against statements/2026-10/acme/statement.json\n\n",
        exit_help!("  0   the statements and the changes were printed (a change is the expected outcome)\n")
    ))]
    Rescore(rescore::RescoreArgs),
    /// What changed between two statements: metrics, points, tier, each money line, net.
    #[command(after_help = concat!(
        "Example:\n  slatement diff old/2026-10/acme/statement.json new/2026-10/acme/statement.json\n\n",
        exit_help!("  0   the statements are identical\n  1   they differ\n")
    ))]
    Diff(diff::DiffArgs),
    /// Settle a statement's month again from its recorded inputs; say whether every input hash and figure still matches.
    #[command(after_help = concat!(
        "Example:\n  slatement verify statements/2026-10/acme/statement.json\n\n",
        exit_help!("  0   every seal holds, every input and figure matches\n  1   a seal does not hold, or anything differs\n")
    ))]
    Verify(verify::VerifyArgs),
    /// The rows behind each figure: overdue and pending work orders, failed and pending repairs, unanswered contacts, takeovers, rejected rows; or trace one ticket's deadline (--ticket).
    #[command(after_help = concat!(
        "Example:\n  slatement explain --month 2026-10 --data examples/data --vendor acme --what work-orders\n\n",
        exit_help!("  0   the rows or the trace were printed (2 when --ticket names no work order or repair of the month)\n")
    ))]
    Explain(explain::ExplainArgs),
    /// Dues, payments, late-payment charges and the balance across the months of a contract; --final for the settlement at its end.
    #[command(after_help = concat!(
        "Examples:\n  slatement account --statements examples/account/statements --payments examples/account/payments.csv --as-of 2026-12-31\n  slatement account --statements examples/account/statements --vendor acme --as-of 2026-12-31 --format html --lang zh > account.html\n\n",
        exit_help!("  0   the account was printed (and written)\n")
    ))]
    Account(account::AccountArgs),
    /// Compare the vendor's settlement list (and the records behind it) with the statement, naming the reason for every difference.
    Reconcile(reconcile::ReconcileArgs),
    /// Make an Ed25519 key pair for sealing statements: NAME.key (secret, mode 0600) and NAME.pub.
    #[command(after_help = concat!(
        "Example:\n  slatement keygen --out finance\n\n",
        exit_help!("  0   the key pair was written (73: a key of that name exists and is never replaced)\n")
    ))]
    Keygen(keygen::KeygenArgs),
    /// Add a signature (a countersignature: the vendor's acceptance) to a sealed statement, changing nothing else.
    #[command(after_help = concat!(
        "Example:\n  slatement sign statements/2026-10/acme/statement.json --key vendor.key\n\n",
        exit_help!("  0   the signature was added\n  1   the statement's existing signatures no longer match: not signed\n")
    ))]
    Sign(sign::SignArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) on stdout.
    #[command(after_help = concat!(
        "Examples:\n  slatement completions bash > ~/.local/share/bash-completion/completions/slatement\n  slatement completions zsh > ~/.zfunc/_slatement\n  slatement completions fish > ~/.config/fish/completions/slatement.fish\n\n",
        exit_help!("  0   the script was printed\n")
    ))]
    Completions(docs::CompletionsArgs),
    /// Print the man page (roff) on stdout: slatement's, or one command's.
    #[command(after_help = concat!(
        "Examples:\n  slatement man > slatement.1 && man ./slatement.1\n  slatement man settle | man -l -\n\n",
        exit_help!("  0   the page was printed\n")
    ))]
    Man(docs::ManArgs),
}

/// Where the inputs and terms are.
#[derive(Debug, Args, Clone)]
pub struct InputArgs {
    /// Folder holding calls.csv, tickets.csv, surveys.csv and orders.csv (or a <month>/ folder of them).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// calls.csv to read instead of the data folder's.
    #[arg(long, value_name = "FILE")]
    pub calls: Option<PathBuf>,
    /// tickets.csv to read instead of the data folder's.
    #[arg(long, value_name = "FILE")]
    pub tickets: Option<PathBuf>,
    /// surveys.csv to read instead of the data folder's.
    #[arg(long, value_name = "FILE")]
    pub surveys: Option<PathBuf>,
    /// orders.csv to read instead of the data folder's (optional input).
    #[arg(long, value_name = "FILE")]
    pub orders: Option<PathBuf>,
    /// The incident register (default: incidents.csv of the month's folder, else of the data folder).
    #[arg(long, value_name = "FILE")]
    pub incidents: Option<PathBuf>,
    /// Read the calls file through this mapping profile: a built-in name (asterisk-cdr, asterisk-cdr-db, asterisk-cdr-custom, asterisk-queue-log, asterisk-queue-log-db, freeswitch-cdr, amazon-connect-calls, twilio-calls, genesys-cloud-calls, cisco-cucm-calls, cn-excel) or a profile file.
    #[arg(long, value_name = "NAME|FILE")]
    pub calls_profile: Option<String>,
    /// Read the tickets file through this mapping profile (zendesk-tickets, zendesk-explore-tickets, freshdesk-tickets, cn-excel, or a file).
    #[arg(long, value_name = "NAME|FILE")]
    pub tickets_profile: Option<String>,
    /// Read the surveys file through this mapping profile (zendesk-satisfaction, freshdesk-satisfaction, cn-excel, or a file).
    #[arg(long, value_name = "NAME|FILE")]
    pub surveys_profile: Option<String>,
    /// Read the orders file through this mapping profile (a file).
    #[arg(long, value_name = "NAME|FILE")]
    pub orders_profile: Option<String>,
    /// The contract terms.
    #[arg(long, value_name = "FILE", default_value = "rates.toml")]
    pub rates: PathBuf,
    /// Settle only this vendor; rows of other vendors are skipped.
    #[arg(long, value_name = "ID")]
    pub vendor: Option<String>,
    /// Settle even from an input most of whose rows belong to other months (another month's export or folder); the statements carry a warning.
    #[arg(long)]
    pub allow_outside_period: bool,
    /// No messages on stderr except errors.
    #[arg(long, short)]
    pub quiet: bool,
}

impl InputArgs {
    fn options(&self) -> InputOptions {
        InputOptions {
            data: self.data.clone(),
            files: [
                self.calls.clone(),
                self.tickets.clone(),
                self.surveys.clone(),
                self.orders.clone(),
            ],
            incidents: self.incidents.clone(),
            profiles: [
                self.calls_profile.clone(),
                self.tickets_profile.clone(),
                self.surveys_profile.clone(),
                self.orders_profile.clone(),
            ],
            vendor: self.vendor.clone(),
            named_only: false,
        }
    }
}

/// Output forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// A readable table.
    Table,
    /// JSON (an array of statements; one object for reconcile).
    Json,
    /// CSV tables.
    Csv,
    /// Markdown document.
    Md,
    /// One printable HTML page, a sheet per vendor, for A4 (SPEC §13).
    Html,
}

/// Languages of the human forms (table, md, html); JSON and CSV never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum LangArg {
    /// English.
    #[default]
    En,
    /// Chinese: the contracts' words, and amounts also in capitals (大写金额).
    Zh,
}

impl From<LangArg> for crate::render::Lang {
    fn from(l: LangArg) -> Self {
        match l {
            LangArg::En => crate::render::Lang::En,
            LangArg::Zh => crate::render::Lang::Zh,
        }
    }
}

/// `slatement settle`.
#[derive(Debug, Args)]
pub struct SettleArgs {
    /// The month to settle: YYYY-MM, or `previous` (the month before today in the contract time zone).
    #[arg(long, value_name = "YYYY-MM|previous")]
    pub month: String,
    /// Cut-off for pending work orders and repairs (RFC 3339, naive time or date); default: the start of the next month.
    #[arg(long, value_name = "TIME")]
    pub as_of: Option<String>,
    /// Also write every form to DIR/<month>/<vendor>/statement.{json,csv,md,html}.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Form printed on stdout.
    #[arg(long, value_enum, default_value = "table")]
    pub format: FormatArg,
    /// Language of the table, md and html forms (and of statement.md and statement.html under --out).
    #[arg(long, value_enum, default_value = "en")]
    pub lang: LangArg,
    /// Replace existing statements that differ.
    #[arg(long)]
    pub force: bool,
    /// Settle even though rows were rejected; they are written to the rejects file.
    #[arg(long)]
    pub allow_rejects: bool,
    /// Where to write rejected rows (default: beside the statements under --out, else rejects-<month>.csv).
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// Also write the rows behind each figure to DIR/<month>/<vendor>/{work_orders,repairs,contacts,takeovers}.csv and DIR/<month>/rejected.csv (derived data: replaced without --force).
    #[arg(long, value_name = "DIR")]
    pub evidence: Option<PathBuf>,
    /// Sign every statement with this secret key (made by `slatement keygen`): a `signatures` entry over the statement's canonical bytes.
    #[arg(long, value_name = "KEY")]
    pub sign: Option<PathBuf>,
    /// Inputs and terms.
    #[command(flatten)]
    pub input: InputArgs,
}

/// `slatement check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Check rows against this month (rows of other months are counted, not checked); without it every row is checked.
    #[arg(long, value_name = "YYYY-MM|previous")]
    pub month: Option<String>,
    /// Inputs and terms.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Parses `--month`: `YYYY-MM` or `previous`.
pub fn parse_month(s: &str, tz: Tz) -> Result<Month, Error> {
    if s.trim().eq_ignore_ascii_case("previous") {
        let today = chrono::Utc::now().with_timezone(&tz).date_naive();
        return Ok(Month::of(today).previous());
    }
    Month::parse(s.trim()).ok_or_else(|| {
        Error::Usage(format!(
            "--month {s}: expected YYYY-MM (e.g. 2026-10) or `previous`"
        ))
    })
}

/// Parses `--as-of`: an RFC 3339 or naive timestamp, or a date (its 00:00) in `tz`.
pub fn parse_as_of(s: &str, tz: Tz) -> Result<Instant, Error> {
    let t = s.trim();
    if let Ok(i) = parse_timestamp(t.as_bytes(), tz) {
        return Ok(i);
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        if t.len() == 10 {
            return Ok(start_of_day(tz, d));
        }
    }
    Err(Error::Usage(format!(
        "--as-of {s}: expected a date (2026-11-05), a local time (2026-11-05 12:00) or RFC 3339 (2026-11-05T12:00:00+08:00)"
    )))
}

/// Runs the command line and returns the exit code.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Settle(a) => settle::run(a),
        Command::Check(a) => check::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Rescore(a) => rescore::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Account(a) => account::run(a),
        Command::Reconcile(a) => reconcile::run(a),
        Command::Keygen(a) => keygen::run(a),
        Command::Sign(a) => sign::run(a),
        Command::Completions(a) => docs::completions(a),
        Command::Man(a) => docs::man(a),
    }
}

/// The exit code of an error: the library's typed errors know theirs (SPEC §6); anything else is
/// an I/O failure.
pub fn exit_code(err: &anyhow::Error) -> ExitCode {
    err.chain()
        .find_map(|e| e.downcast_ref::<Error>())
        .map_or(ExitCode::IoErr, Error::exit_code)
}

/// Writes `text` to stdout; a closed pipe (`| head`) is not an error.
pub fn print_stdout(text: &str) -> Result<(), Error> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::io("<stdout>", e)),
    }
}

/// Publishes `planned` under `dir` as one run: holding the folder's lock (saying so when another
/// run holds it), whole or not at all, an identical file left untouched and a different one
/// refused without `force` (exit 73); then says what was written, unless `quiet`.
pub(crate) fn publish_under(
    dir: &std::path::Path,
    planned: Vec<crate::write::Planned>,
    force: bool,
    quiet: bool,
) -> Result<(), Error> {
    let locks = crate::write::lock_folders(std::slice::from_ref(&dir.to_path_buf()), &mut |d| {
        if !quiet {
            crate::say!(
                "waiting for another slatement run writing to {}…",
                d.display()
            );
        }
    })?;
    let done = crate::write::publish(planned, force, &locks)?;
    if !quiet {
        for (path, how) in done {
            let what = match how {
                crate::write::Written::Written => "wrote",
                crate::write::Written::Unchanged => "unchanged",
            };
            crate::say!("{what} {}", path.display());
        }
    }
    Ok(())
}
