//! `slatement completions` and `slatement man` through the binary (SPEC §13): they come from the
//! same definitions as `--help`, name every command and flag, and document the environment.

use crate::common;

use common::{root, run_in};

#[test]
fn completions_for_every_shell_name_the_commands_and_flags() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = run_in(&root(), &["completions", shell]);
        out.expect(0);
        for want in ["settle", "reconcile", "account", "lang", "format", "html"] {
            assert!(out.stdout.contains(want), "{shell}: no {want}");
        }
        assert!(out.stderr.is_empty(), "{shell}: {}", out.stderr);
    }
    run_in(&root(), &["completions", "tcsh"]).expect(2);
}

#[test]
fn man_page_lists_commands_exit_codes_and_environment() {
    let out = run_in(&root(), &["man"]);
    out.expect(0);
    assert!(out.stdout.contains(".TH slatement 1"), "{}", out.stdout);
    for want in [
        "settle",
        "completions",
        "Exit codes:",
        "SLATEMENT_THREADS",
        "SLATEMENT_CHUNK_BYTES",
        "NO_COLOR",
    ] {
        assert!(out.stdout.contains(want), "no {want} in the man page");
    }
    let settle = run_in(&root(), &["man", "settle"]);
    settle.expect(0);
    assert!(settle.stdout.contains(".TH slatement-settle 1"));
    assert!(settle.stdout.contains("\\-\\-lang") && settle.stdout.contains("html"));
    run_in(&root(), &["man", "nosuch"]).expect(2);
}

#[test]
fn every_command_help_shows_an_example_and_its_exit_codes() {
    for cmd in [
        "settle",
        "check",
        "rescore",
        "diff",
        "verify",
        "explain",
        "account",
        "reconcile",
        "keygen",
        "sign",
        "completions",
        "man",
    ] {
        let out = run_in(&root(), &[cmd, "--help"]);
        out.expect(0);
        for want in [
            "Example",
            &format!("slatement {cmd}"),
            "Exit codes:",
            "SLATEMENT_THREADS",
        ] {
            assert!(out.stdout.contains(want), "{cmd} --help: no {want}");
        }
    }
}
