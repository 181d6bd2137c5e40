//! `slatement completions` and `slatement man` (SPEC §13): the completion scripts and the man
//! page come from the same clap definitions as `--help`, so they cannot drift from it.

use super::{print_stdout, Cli};
use crate::error::ExitCode;
use clap::{Args, CommandFactory};
use clap_complete::Shell;

/// `slatement completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// `slatement man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// A command whose page to print (settle, account …); without it, slatement's own page.
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}

/// Prints the completion script of `a.shell`.
pub fn completions(a: CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "slatement", &mut out);
    print_stdout(&String::from_utf8(out)?)?;
    Ok(ExitCode::Success)
}

/// Prints the man page (roff) of slatement or of one of its commands.
pub fn man(a: ManArgs) -> anyhow::Result<ExitCode> {
    let mut cmd = Cli::command();
    cmd.build();
    let page = match &a.command {
        None => cmd,
        Some(name) => {
            let sub = cmd
                .find_subcommand(name)
                .ok_or_else(|| {
                    crate::error::Error::Usage(format!(
                        "man {name}: no such command (one of: {})",
                        Cli::command()
                            .get_subcommands()
                            .map(|c| c.get_name().to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })?
                .clone();
            sub
        }
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page).render(&mut out)?;
    print_stdout(&String::from_utf8(out)?)?;
    Ok(ExitCode::Success)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// The example lines of a help text, joined across `\` continuations, without what the
    /// shell does with the output (`> file`, `| pager`, `&& man …`).
    fn examples(help: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut pending = String::new();
        for line in help.lines() {
            let line = line.trim();
            if !line.starts_with("slatement ") && pending.is_empty() {
                continue;
            }
            match line.strip_suffix('\\') {
                Some(head) => pending.push_str(head),
                None => {
                    pending.push_str(line);
                    let cut = pending
                        .find(['>', '|', '&'])
                        .map_or(pending.as_str(), |i| &pending[..i]);
                    out.push(cut.trim().to_string());
                    pending.clear();
                }
            }
        }
        out
    }

    #[test]
    fn the_definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    /// Every command's help shows an example that parses, its exit codes and the environment.
    #[test]
    fn every_help_has_a_parsing_example_exit_codes_and_the_environment() {
        let mut cmd = Cli::command();
        cmd.build();
        let mut helps = vec![("slatement".to_string(), cmd.render_help().to_string())];
        // clap's own `help` command prints the others' help.
        for sub in cmd.get_subcommands_mut().filter(|s| s.get_name() != "help") {
            helps.push((sub.get_name().to_string(), sub.render_help().to_string()));
        }
        for (name, help) in helps {
            for want in ["Exit codes:", "SLATEMENT_THREADS", "NO_COLOR", "  0 "] {
                assert!(help.contains(want), "{name}: no {want:?} in\n{help}");
            }
            let ex = examples(&help);
            assert!(!ex.is_empty(), "{name}: no example in\n{help}");
            for e in ex {
                let words: Vec<&str> = e.split_whitespace().collect();
                if let Err(err) = Cli::try_parse_from(&words) {
                    panic!("{name}: the example `{e}` does not parse: {err}");
                }
            }
        }
    }
}
