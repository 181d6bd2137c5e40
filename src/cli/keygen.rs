//! `slatement keygen --out NAME`: make an Ed25519 key pair for sealing statements — the secret
//! key `NAME.key` (mode 0600, for `settle --sign` and `slatement sign`) and the public key
//! `NAME.pub` (for `verify --trust`, to hand to the other company). An existing key is never
//! replaced.

use super::print_stdout;
use crate::audit::seal::SecretKey;
use crate::error::Error;
use crate::error::ExitCode;
use crate::write::create_new;
use clap::Args;
use std::path::PathBuf;

/// `slatement keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where to write the pair: NAME.key (the secret key, mode 0600) and NAME.pub (the public key).
    #[arg(long, value_name = "NAME")]
    pub out: PathBuf,
    /// No messages on stderr except errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `NAME` with `ext` appended (`acme` → `acme.key`; `keys/acme.v2` → `keys/acme.v2.key`).
fn with_ext(name: &std::path::Path, ext: &str) -> PathBuf {
    let mut s = name.as_os_str().to_os_string();
    s.push(ext);
    PathBuf::from(s)
}

/// Runs `keygen`: writes both files and prints the public key (64 hex digits) on stdout.
pub fn run(a: KeygenArgs) -> anyhow::Result<ExitCode> {
    let secret_path = with_ext(&a.out, ".key");
    let public_path = with_ext(&a.out, ".pub");
    for p in [&secret_path, &public_path] {
        if p.symlink_metadata().is_ok() {
            return Err(Error::Refused {
                path: p.clone(),
                reason: "a key is already there and is never replaced; choose another NAME"
                    .to_string(),
            }
            .into());
        }
    }
    let key = SecretKey::generate()?;
    create_new(&secret_path, key.secret_file_text().as_bytes(), 0o600)?;
    if let Err(e) = create_new(&public_path, key.public_file_text().as_bytes(), 0o666) {
        // Half a pair is no pair: the secret key goes too.
        let _ = std::fs::remove_file(&secret_path);
        return Err(e.into());
    }
    if !a.quiet {
        crate::say!(
            "wrote {} (secret: keep it, mode 0600) and {} (public: give it to whoever verifies)",
            secret_path.display(),
            public_path.display()
        );
    }
    print_stdout(&format!("{}\n", key.public_hex()))?;
    Ok(ExitCode::Success)
}
