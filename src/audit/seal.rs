//! The seal of a statement: Ed25519 signatures over its canonical bytes.
//!
//! A statement records every input's and the rates' SHA-256, so a signature over the statement
//! binds the figures to the exact files they were settled from. The **canonical bytes** of a
//! statement are the statement object without its `signatures` key, printed as
//! `settle --out` prints `statement.json` (JSON, two-space indentation, keys in the order
//! written, a final newline): for an unsigned statement, exactly the bytes of its
//! `statement.json`. Each entry of `signatures` is `{"signer", "algorithm", "signature"}`: the
//! signer's public key (64 lowercase hex digits), `ed25519`, and the signature (128 hex digits)
//! over the canonical bytes. Entries keep the order they were added in; signing again with the
//! same key replaces that key's entry in place. `signatures` is always the statement's last key
//! and is absent from an unsigned statement.
//!
//! Key files are two lines of text: a header saying what the file holds, then 64 hex digits —
//! the 32-byte Ed25519 secret key (`slatement ed25519 secret key`, file mode 0600) or public key
//! (`slatement ed25519 public key`).

use crate::error::{Error, Result};
use crate::input::hex;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};

use serde_json::Value;
use std::path::{Path, PathBuf};

/// The only algorithm a signature entry names.
pub const ALGORITHM: &str = "ed25519";

/// The first line of a secret key file.
pub const SECRET_HEADER: &str = "slatement ed25519 secret key";

/// The first line of a public key file.
pub const PUBLIC_HEADER: &str = "slatement ed25519 public key";

pub use crate::statement::Signature;

/// A secret key, read from its file or just made.
pub struct SecretKey(SigningKey);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKey(public {})", self.public_hex())
    }
}

impl SecretKey {
    /// A new key from the operating system's random source.
    pub fn generate() -> Result<SecretKey> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| {
            Error::io(
                "<random source>",
                std::io::Error::other(format!("no random bytes for a key: {e}")),
            )
        })?;
        Ok(SecretKey(SigningKey::from_bytes(&seed)))
    }

    /// The public key, as hex.
    pub fn public_hex(&self) -> String {
        hex(self.0.verifying_key().as_bytes())
    }

    /// The secret key file's text.
    pub fn secret_file_text(&self) -> String {
        format!("{SECRET_HEADER}\n{}\n", hex(&self.0.to_bytes()))
    }

    /// The public key file's text.
    pub fn public_file_text(&self) -> String {
        format!("{PUBLIC_HEADER}\n{}\n", self.public_hex())
    }

    /// Reads a secret key file. A missing file is exit 66; a file that holds no secret key
    /// (a public key given by mistake, a damaged file) is exit 78. The second value is a
    /// warning when others may read the file.
    pub fn load(path: &Path) -> Result<(SecretKey, Option<String>)> {
        let text = read_key_file(path, "secret key", "--sign KEY")?;
        let bytes = parse_key_text(&text, SECRET_HEADER).map_err(|m| Error::Config {
            path: path.to_path_buf(),
            message: m,
        })?;
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|e| Error::io(path, e))?
            .permissions()
            .mode();
        let warning = (mode & 0o077 != 0).then(|| {
            format!(
                "{}: the secret key can be read by others (mode {:o}); `chmod 600` it",
                path.display(),
                mode & 0o777
            )
        });
        Ok((SecretKey(SigningKey::from_bytes(&bytes)), warning))
    }

    /// Signs a statement's canonical bytes.
    pub fn sign(&self, canonical: &[u8]) -> Signature {
        Signature {
            signer: self.public_hex(),
            algorithm: ALGORITHM.to_string(),
            signature: hex(&self.0.sign(canonical).to_bytes()),
        }
    }
}

/// A public key trusted by `verify --trust`, with the name it was given by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    /// 64 lowercase hex digits.
    pub hex: String,
    /// The key file as given, or None for a key given as hex.
    pub file: Option<PathBuf>,
}

impl PublicKey {
    /// A key given as 64 hex digits, or the path of a public key file. A missing file is exit
    /// 66; anything that is not a public key is exit 78.
    pub fn load(given: &str) -> Result<PublicKey> {
        if given.len() == 64 && given.bytes().all(|b| b.is_ascii_hexdigit()) {
            let hex = given.to_ascii_lowercase();
            verifying_key(&hex).map_err(|m| Error::Config {
                path: PathBuf::from(given),
                message: m,
            })?;
            return Ok(PublicKey { hex, file: None });
        }
        let path = Path::new(given);
        let text = read_key_file(path, "public key", "--trust PUBKEY")?;
        let bytes = parse_key_text(&text, PUBLIC_HEADER).map_err(|m| Error::Config {
            path: path.to_path_buf(),
            message: m,
        })?;
        let hex = hex(&bytes);
        verifying_key(&hex).map_err(|m| Error::Config {
            path: path.to_path_buf(),
            message: m,
        })?;
        Ok(PublicKey {
            hex,
            file: Some(path.to_path_buf()),
        })
    }

    /// How a report names the key: its file, else its hex.
    pub fn shown(&self) -> String {
        match &self.file {
            Some(p) => p.display().to_string(),
            None => self.hex.clone(),
        }
    }
}

fn read_key_file(path: &Path, what: &str, flag: &str) -> Result<String> {
    let bytes = crate::base::files::read_regular(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::MissingInput {
                role: if what == "secret key" {
                    "secret key"
                } else {
                    "public key"
                },
                path: path.to_path_buf(),
                hint: format!(
                    "make a key pair with `slatement keygen --out NAME`, or check {flag}"
                ),
            }
        } else {
            Error::io(path, e)
        }
    })?;
    String::from_utf8(bytes).map_err(|_| Error::Config {
        path: path.to_path_buf(),
        message: format!("not a slatement {what} file (not text)"),
    })
}

/// The 32 key bytes of a key file's text with the given header.
fn parse_key_text(text: &str, header: &str) -> std::result::Result<[u8; 32], String> {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or_default();
    if first != header {
        let what = if first == SECRET_HEADER {
            "it holds a secret key, where a public key (NAME.pub) belongs; never hand the secret key out"
                .to_string()
        } else if first == PUBLIC_HEADER {
            "it holds a public key, where the secret key (NAME.key) belongs".to_string()
        } else {
            format!("expected the first line `{header}`")
        };
        return Err(format!("not a key file of this kind: {what}"));
    }
    let key = lines.next().unwrap_or_default();
    let bytes = unhex(key)
        .filter(|b| b.len() == 32)
        .ok_or_else(|| "the second line must be the key as 64 hex digits".to_string())?;
    if lines.next().is_some() {
        return Err("unexpected text after the key".to_string());
    }
    Ok(bytes.try_into().expect("32 bytes"))
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

fn verifying_key(hex: &str) -> std::result::Result<VerifyingKey, String> {
    let bytes: [u8; 32] = unhex(hex)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| "a public key is 64 hex digits".to_string())?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| "not a valid Ed25519 public key".to_string())
}

// ---------------------------------------------------------------------------------------------
// Statements

/// The canonical bytes of a statement (a JSON object): without `signatures`, printed as
/// `statement.json` is.
pub fn canonical(statement: &Value) -> Vec<u8> {
    let mut body = statement.clone();
    if let Some(o) = body.as_object_mut() {
        o.shift_remove("signatures");
    }
    let mut text = serde_json::to_string_pretty(&body).expect("JSON serializes");
    text.push('\n');
    text.into_bytes()
}

/// Adds `sig` to a statement's `signatures` (replacing the same signer's entry in place), which
/// stays the statement's last key.
pub fn add_signature(statement: &mut Value, sig: &Signature) {
    let Some(o) = statement.as_object_mut() else {
        return;
    };
    let mut list = match o.shift_remove("signatures") {
        Some(Value::Array(a)) => a,
        _ => Vec::new(),
    };
    let entry = serde_json::to_value(sig).expect("a signature serializes");
    match list.iter_mut().find(|e| e["signer"] == sig.signer.as_str()) {
        Some(e) => *e = entry,
        None => list.push(entry),
    }
    o.insert("signatures".to_string(), Value::Array(list));
}

/// One signature of a statement, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureCheck {
    /// The signer as recorded.
    pub signer: String,
    /// The trusted key it matches, when one does.
    pub trusted: Option<PublicKey>,
    /// None when the signature holds; otherwise why not.
    pub problem: Option<String>,
}

/// A statement's seal, checked against the trusted keys.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SealCheck {
    /// Each signature, in recorded order.
    pub signatures: Vec<SignatureCheck>,
    /// Trusted keys with no valid signature on the statement.
    pub missing: Vec<PublicKey>,
    /// `signatures` itself is malformed (not an array of entries).
    pub malformed: Option<String>,
}

impl SealCheck {
    /// True when every signature holds and every trusted key signed.
    pub fn holds(&self) -> bool {
        self.malformed.is_none()
            && self.missing.is_empty()
            && self.signatures.iter().all(|s| s.problem.is_none())
    }
}

/// Checks every signature of a statement over its canonical bytes, and that each key of
/// `trusted` is among the valid signers.
pub fn check(statement: &Value, trusted: &[PublicKey]) -> SealCheck {
    let mut out = SealCheck::default();
    let entries: Vec<Value> = match statement.get("signatures") {
        None => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(_) => {
            out.malformed = Some("`signatures` is not an array".to_string());
            Vec::new()
        }
    };
    let message = canonical(statement);
    for e in &entries {
        let signer = e["signer"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let problem = check_entry(e, &message);
        let trusted_key = trusted.iter().find(|k| k.hex == signer).cloned();
        out.signatures.push(SignatureCheck {
            signer: if signer.is_empty() {
                e["signer"].to_string()
            } else {
                signer
            },
            trusted: trusted_key,
            problem,
        });
    }
    for k in trusted {
        let signed = out
            .signatures
            .iter()
            .any(|s| s.problem.is_none() && s.signer == k.hex);
        if !signed && !out.missing.contains(k) {
            out.missing.push(k.clone());
        }
    }
    out
}

fn check_entry(e: &Value, message: &[u8]) -> Option<String> {
    let (Some(signer), Some(algorithm), Some(signature)) = (
        e["signer"].as_str(),
        e["algorithm"].as_str(),
        e["signature"].as_str(),
    ) else {
        return Some("the entry lacks signer, algorithm or signature".to_string());
    };
    if algorithm != ALGORITHM {
        return Some(format!("algorithm `{algorithm}` is not {ALGORITHM}"));
    }
    let key = match verifying_key(&signer.to_ascii_lowercase()) {
        Ok(k) => k,
        Err(m) => return Some(format!("signer: {m}")),
    };
    let Some(bytes) = unhex(signature).and_then(|b| <[u8; 64]>::try_from(b).ok()) else {
        return Some("the signature is not 128 hex digits".to_string());
    };
    let sig = ed25519_dalek::Signature::from_bytes(&bytes);
    match key.verify_strict(message, &sig) {
        Ok(()) => None,
        Err(_) => Some("does not match: the statement was changed after it was signed".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn statement() -> Value {
        json!({"schema": "slatement.statement.v1", "month": "2026-10", "totals": {"net": "10.00"}})
    }

    #[test]
    fn a_signature_holds_until_one_byte_changes() {
        let key = SecretKey::generate().unwrap();
        let mut s = statement();
        let sig = key.sign(&canonical(&s));
        add_signature(&mut s, &sig);
        assert_eq!(
            s.as_object().unwrap().keys().next_back().unwrap(),
            "signatures"
        );
        let trusted = PublicKey::load(&key.public_hex()).unwrap();
        assert!(check(&s, std::slice::from_ref(&trusted)).holds());
        s["totals"]["net"] = json!("10.01");
        let c = check(&s, &[trusted]);
        assert!(!c.holds());
        assert!(c.signatures[0]
            .problem
            .as_deref()
            .unwrap()
            .contains("changed"));
        assert_eq!(c.missing.len(), 1);
    }

    #[test]
    fn a_trusted_key_must_have_signed() {
        let issuer = SecretKey::generate().unwrap();
        let vendor = SecretKey::generate().unwrap();
        let mut s = statement();
        let sig = issuer.sign(&canonical(&s));
        add_signature(&mut s, &sig);
        let both = [
            PublicKey::load(&issuer.public_hex()).unwrap(),
            PublicKey::load(&vendor.public_hex()).unwrap(),
        ];
        let c = check(&s, &both);
        assert!(!c.holds());
        assert_eq!(c.missing, vec![both[1].clone()]);
        // The countersignature is over the same canonical bytes; the first entry stays first.
        let sig = vendor.sign(&canonical(&s));
        add_signature(&mut s, &sig);
        assert!(check(&s, &both).holds());
        assert_eq!(s["signatures"][0]["signer"], issuer.public_hex().as_str());
        // Signing again with a key replaces its entry.
        let sig = issuer.sign(&canonical(&s));
        add_signature(&mut s, &sig);
        assert_eq!(s["signatures"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn key_files_say_what_they_hold() {
        let key = SecretKey::generate().unwrap();
        let secret = parse_key_text(&key.secret_file_text(), SECRET_HEADER).unwrap();
        assert_eq!(
            hex(SigningKey::from_bytes(&secret).verifying_key().as_bytes()),
            key.public_hex()
        );
        let e = parse_key_text(&key.secret_file_text(), PUBLIC_HEADER).unwrap_err();
        assert!(e.contains("secret key"), "{e}");
        let e = parse_key_text(&format!("{PUBLIC_HEADER}\nabc\n"), PUBLIC_HEADER).unwrap_err();
        assert!(e.contains("64 hex"), "{e}");
    }

    #[test]
    fn a_forged_entry_is_named() {
        let mut s = statement();
        s["signatures"] = json!([{"signer": "00", "algorithm": "rsa", "signature": "11"}]);
        let c = check(&s, &[]);
        assert!(!c.holds());
        assert!(c.signatures[0].problem.as_deref().unwrap().contains("rsa"));
        s["signatures"] = json!("x");
        assert!(check(&s, &[]).malformed.is_some());
    }
}
