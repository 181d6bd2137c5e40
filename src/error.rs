//! Typed errors of the library. Each error knows the exit code it maps to, so the binary decides
//! exit codes in exactly one place (SPEC §6).

use std::path::PathBuf;

/// Everything that can stop a command. The `Display` text says what is wrong and what to do next.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line asks for something impossible (exit 2).
    #[error("{0}")]
    Usage(String),
    /// rates.toml is missing, unreadable as TOML, or holds an invalid key or value (exit 78).
    #[error("{path}: {message}")]
    Config {
        /// The configuration file.
        path: PathBuf,
        /// What is wrong, naming the key.
        message: String,
    },
    /// A required input file is missing (exit 66).
    #[error("{role} input not found: {path} ({hint})")]
    MissingInput {
        /// Which input (calls, tickets, surveys, orders).
        role: &'static str,
        /// Where it was looked for.
        path: PathBuf,
        /// What to do about it.
        hint: String,
    },
    /// An input file cannot be used at all: a missing or duplicated column, or unreadable CSV (exit 65).
    #[error("{path}:{line}: {message}")]
    BadFile {
        /// The input file.
        path: String,
        /// The physical line (the header is line 1).
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A path given as an input names a folder, a device or a pipe, not a file (exit 66).
    #[error("{role} input {path} is {what}, not a file: {hint}")]
    NotAFile {
        /// Which input.
        role: &'static str,
        /// The path given.
        path: PathBuf,
        /// What it is instead (`a folder`, `a device or pipe`).
        what: &'static str,
        /// What to do about it.
        hint: String,
    },
    /// An input that looks wrong as a whole: another month's export, another encoding or
    /// delimiter (exit 65). Said once, for the file.
    #[error("{path}: {message}")]
    WrongFile {
        /// The input file.
        path: String,
        /// What it looks like, and what to do.
        message: String,
    },
    /// A file given as a statement holds none: not JSON, or not of schema
    /// `slatement.statement.v1` (exit 65).
    #[error("{path}: not a slatement statement: {message}")]
    NotAStatement {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the statement and the key.
        message: String,
    },
    /// A statement of an archive that cannot be used where it is: it sits in another month's or
    /// vendor's folder, or its currency differs from the vendor's other statements (exit 65).
    #[error("{path}: {message}")]
    MisplacedStatement {
        /// The file.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// Rows were rejected and `--allow-rejects` was not given (exit 65).
    #[error("{0}")]
    Rejected(String),
    /// Lines of a disputes file (`rescore --disputes`) that are malformed or cannot be applied
    /// to the month: one `path:line: column: reason` per line (exit 65).
    #[error("{}", dispute_lines(.path, .problems))]
    BadDisputes {
        /// The disputes file as given.
        path: String,
        /// Every line at fault, in file order.
        problems: Vec<DisputeProblem>,
    },
    /// A statement (or a key) on disk differs from the new one and `--force` was not given
    /// (exit 73).
    #[error("refusing to overwrite {path}: {reason}")]
    Refused {
        /// The existing file.
        path: PathBuf,
        /// What differs and what to do.
        reason: String,
    },
    /// Months of a contract without a statement, which a final settlement needs (exit 66).
    #[error("{}", missing_statements(.paths))]
    MissingStatements {
        /// Where each missing statement was looked for, in month order.
        paths: Vec<PathBuf>,
    },
    /// Reading or writing a file failed (exit 74).
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
}

/// How the binary exits (SPEC §6; the sysexits.h numbers): every code is named here, once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExitCode {
    /// Done; for `verify`, `diff` and `reconcile`, nothing differs.
    Success,
    /// What was checked differs: a figure (`verify`, `diff`), a seal, or the vendor's claim.
    Differs,
    /// The command line is wrong.
    Usage,
    /// An input cannot be used as data (65, EX_DATAERR).
    DataErr,
    /// An input is missing (66, EX_NOINPUT).
    NoInput,
    /// An output is refused: a locked folder or a different file in the way (73, EX_CANTCREAT).
    CantCreate,
    /// Reading or writing failed (74, EX_IOERR).
    IoErr,
    /// The configuration is wrong (78, EX_CONFIG).
    Config,
}

impl ExitCode {
    /// The number the process exits with.
    pub fn code(self) -> i32 {
        match self {
            ExitCode::Success => 0,
            ExitCode::Differs => 1,
            ExitCode::Usage => 2,
            ExitCode::DataErr => 65,
            ExitCode::NoInput => 66,
            ExitCode::CantCreate => 73,
            ExitCode::IoErr => 74,
            ExitCode::Config => 78,
        }
    }
}

impl Error {
    /// How the process exits for this error (SPEC §6).
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::Usage(_) => ExitCode::Usage,
            Error::Config { .. } => ExitCode::Config,
            Error::MissingInput { .. }
            | Error::NotAFile { .. }
            | Error::MissingStatements { .. } => ExitCode::NoInput,
            Error::BadFile { .. }
            | Error::WrongFile { .. }
            | Error::NotAStatement { .. }
            | Error::MisplacedStatement { .. }
            | Error::Rejected(_)
            | Error::BadDisputes { .. } => ExitCode::DataErr,
            Error::Refused { .. } => ExitCode::CantCreate,
            Error::Io { .. } => ExitCode::IoErr,
        }
    }

    /// Builds an I/O error for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// One line of a disputes file that cannot be used: the column at fault and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeProblem {
    /// The physical line of the dispute (the header is line 1).
    pub line: u64,
    /// The column at fault (`kind`, `id`, `decision`, `reason`, `decided_by`, or `(row)`).
    pub column: String,
    /// What is wrong, in words.
    pub reason: String,
}

fn dispute_lines(path: &str, problems: &[DisputeProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("{path}:{}: {}: {}", p.line, p.column, p.reason))
        .collect::<Vec<_>>()
        .join("\n")
}

fn missing_statements(paths: &[PathBuf]) -> String {
    let mut s = format!(
        "the final settlement needs a statement for every month of the contract; {} missing:",
        paths.len()
    );
    for p in paths {
        s.push_str(&format!("\n  {}", p.display()));
    }
    s.push_str("\nSettle each missing month with --out into the same folder, then run account --final again.");
    s
}

/// Result with the library's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
