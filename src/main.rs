//! The `slatement` binary: parses arguments, runs the library, maps errors to exit codes.

use clap::Parser;
use slatement::cli;

fn main() {
    let args = cli::Cli::parse();
    let code = match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            // Every error says its cause itself: the chain is not printed again.
            slatement::say!(
                "error: {}",
                slatement::base::text::message(&format!("{err}"))
            );
            cli::exit_code(&err)
        }
    };
    std::process::exit(code.code());
}
