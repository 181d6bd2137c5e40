//! The integration tests: each module drives the real `slatement` binary over fixtures, as a user
//! or a cron job would, and checks what it prints, writes and exits with. One test binary, so the
//! crate and the harness are built once.

mod account;
mod browser;
mod cli;
mod common;
mod diff;
mod docs_cli;
mod evidence;
mod foreign;
mod foreign_cli;
mod golden;
mod hostile;
mod html;
mod incidents;
mod lang;
mod reconcile;
mod rescore;
mod seal;
mod threads;
mod verify;
mod writes;
