//! The seal of a statement (issue 11): `keygen`, `settle --sign`, `rescore --sign`,
//! `slatement sign` (the vendor's countersignature) and `verify --trust`, over the example month
//! settled in a temporary folder. A changed byte, a re-settle with `--force` and without the key,
//! or a signature by a key nobody trusts: verify fails.

use crate::common;

use common::{run_in, Out};
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use tempfile::TempDir;

const INPUTS: [&str; 4] = ["calls.csv", "tickets.csv", "surveys.csv", "orders.csv"];
const ACME: &str = "out/2026-10/acme/statement.json";

/// The example month in `dir/data/2026-10/`, the repository's rates.toml in `dir/rates.toml`,
/// and two key pairs: `issuer` (who settles) and `vendor` (who accepts).
fn example() -> TempDir {
    let tmp = TempDir::new().unwrap();
    let root = common::root();
    let month = tmp.path().join("data/2026-10");
    std::fs::create_dir_all(&month).unwrap();
    for f in INPUTS {
        std::fs::copy(root.join("examples/data/2026-10").join(f), month.join(f)).unwrap();
    }
    std::fs::copy(root.join("rates.toml"), tmp.path().join("rates.toml")).unwrap();
    for name in ["issuer", "vendor"] {
        run_in(tmp.path(), &["keygen", "--out", name, "--quiet"]).expect(0);
    }
    tmp
}

fn settle(dir: &Path, extra: &[&str]) -> Out {
    let mut args = vec![
        "settle",
        "--month",
        "2026-10",
        "--data",
        "data",
        "--rates",
        "rates.toml",
        "--quiet",
    ];
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

fn verify(dir: &Path, statement: &str, trust: &[&str]) -> Out {
    let mut args = vec!["verify", statement];
    if !trust.is_empty() {
        args.push("--trust");
        args.extend_from_slice(trust);
    }
    run_in(dir, &args)
}

fn public_hex(dir: &Path, name: &str) -> String {
    let text = std::fs::read_to_string(dir.join(format!("{name}.pub"))).unwrap();
    text.lines().nth(1).unwrap().to_string()
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn keygen_makes_a_private_secret_key_and_never_replaces_one() {
    let dir = TempDir::new().unwrap();
    let out = run_in(dir.path(), &["keygen", "--out", "finance"]);
    out.expect(0);
    let secret = dir.path().join("finance.key");
    let public = dir.path().join("finance.pub");
    assert_eq!(mode(&secret), 0o600);
    let pub_text = std::fs::read_to_string(&public).unwrap();
    assert!(pub_text.starts_with("slatement ed25519 public key\n"));
    assert!(std::fs::read_to_string(&secret)
        .unwrap()
        .starts_with("slatement ed25519 secret key\n"));
    // stdout is the public key, as the .pub file holds it.
    assert_eq!(out.stdout.trim(), pub_text.lines().nth(1).unwrap());
    assert_eq!(out.stdout.trim().len(), 64);
    let before = std::fs::read(&secret).unwrap();
    let again = run_in(dir.path(), &["keygen", "--out", "finance"]);
    again.expect(73);
    assert!(again.stderr.contains("finance.key"), "{}", again.stderr);
    assert_eq!(std::fs::read(&secret).unwrap(), before);
    // Two pairs are two different keys.
    run_in(dir.path(), &["keygen", "--out", "other", "-q"]).expect(0);
    assert_ne!(
        std::fs::read(dir.path().join("other.pub")).unwrap(),
        pub_text.as_bytes()
    );
}

#[test]
fn a_signed_statement_verifies_against_the_trusted_key_and_names_the_signer() {
    let dir = example();
    let d = dir.path();
    settle(d, &["--out", "out", "--sign", "issuer.key"]).expect(0);
    let s = json(&d.join(ACME));
    let sigs = s["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 1);
    assert_eq!(sigs[0]["signer"], public_hex(d, "issuer").as_str());
    assert_eq!(sigs[0]["algorithm"], "ed25519");
    assert_eq!(sigs[0]["signature"].as_str().unwrap().len(), 128);
    // `signatures` is the last key, and without it the bytes are the unsigned statement's.
    assert_eq!(
        s.as_object().unwrap().keys().next_back().unwrap(),
        "signatures"
    );
    settle(d, &["--out", "plain"]).expect(0);
    let plain = std::fs::read(d.join("plain/2026-10/acme/statement.json")).unwrap();
    let mut stripped = s.clone();
    stripped.as_object_mut().unwrap().shift_remove("signatures");
    assert_eq!(
        format!("{}\n", serde_json::to_string_pretty(&stripped).unwrap()).as_bytes(),
        plain.as_slice()
    );
    assert!(
        !String::from_utf8(plain).unwrap().contains("signatures"),
        "an unsigned statement has no signatures key"
    );

    let out = verify(d, ACME, &["issuer.pub"]);
    out.expect(0);
    assert!(
        out.stdout.contains(&format!(
            "signed by {} (issuer.pub, trusted): valid",
            public_hex(d, "issuer")
        )),
        "{}",
        out.stdout
    );
    // Without --trust every signature is still checked and named.
    let out = verify(d, ACME, &[]);
    out.expect(0);
    assert!(out.stdout.contains("signed by "), "{}", out.stdout);
    // The key may be given as hex.
    verify(d, ACME, &[&public_hex(d, "issuer")]).expect(0);
    // A trusted key that did not sign: not verified.
    let out = verify(d, ACME, &["issuer.pub", "vendor.pub"]);
    out.expect(1);
    assert!(
        out.stdout.contains("trusted key vendor.pub (")
            && out.stdout.contains("no valid signature"),
        "{}",
        out.stdout
    );
    // JSON report.
    let out = run_in(
        d,
        &["verify", ACME, "--trust", "issuer.pub", "--format", "json"],
    );
    out.expect(0);
    let v = out.json();
    assert_eq!(v["statements"][0]["sealed"], true);
    assert_eq!(v["statements"][0]["signatures"][0]["valid"], true);
    assert_eq!(v["statements"][0]["signatures"][0]["trusted"], "issuer.pub");
}

#[test]
fn the_vendor_countersigns_without_changing_anything_else() {
    let dir = example();
    let d = dir.path();
    settle(d, &["--out", "out", "--sign", "issuer.key"]).expect(0);
    let before = json(&d.join(ACME));
    let out = run_in(d, &["sign", ACME, "--key", "vendor.key"]);
    out.expect(0);
    assert!(
        out.stderr.contains(&public_hex(d, "vendor")),
        "{}",
        out.stderr
    );
    let after = json(&d.join(ACME));
    let sigs = after["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 2);
    assert_eq!(
        sigs[0], before["signatures"][0],
        "the issuer's entry stays first, as it was"
    );
    assert_eq!(sigs[1]["signer"], public_hex(d, "vendor").as_str());
    let strip = |mut v: Value| {
        v.as_object_mut().unwrap().shift_remove("signatures");
        v
    };
    assert_eq!(strip(after.clone()), strip(before));
    verify(d, ACME, &["issuer.pub", "vendor.pub"]).expect(0);
    // Signing again with the same key changes nothing.
    let bytes = std::fs::read(d.join(ACME)).unwrap();
    run_in(d, &["sign", ACME, "--key", "vendor.key", "-q"]).expect(0);
    assert_eq!(std::fs::read(d.join(ACME)).unwrap(), bytes);
    // Settling again would drop the countersignature: refused, saying the figures are the same.
    let out = settle(d, &["--out", "out", "--sign", "issuer.key"]);
    out.expect(73);
    assert!(
        out.stderr.contains("the figures are identical") && out.stderr.contains("signatures"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read(d.join(ACME)).unwrap(), bytes);
    // An array printed by `settle --format json --sign` is signed statement by statement.
    let printed = settle(d, &["--format", "json", "--sign", "issuer.key"]);
    printed.expect(0);
    std::fs::write(d.join("all.json"), &printed.stdout).unwrap();
    run_in(d, &["sign", "all.json", "--key", "vendor.key", "-q"]).expect(0);
    let all = json(&d.join("all.json"));
    assert_eq!(all.as_array().unwrap().len(), 2);
    for s in all.as_array().unwrap() {
        assert_eq!(s["signatures"].as_array().unwrap().len(), 2);
    }
    verify(d, "all.json", &["issuer.pub", "vendor.pub"]).expect(0);
}

#[test]
fn one_changed_byte_breaks_the_seal() {
    let dir = example();
    let d = dir.path();
    settle(d, &["--out", "out", "--sign", "issuer.key"]).expect(0);
    let original = std::fs::read(d.join(ACME)).unwrap();
    let body_end = String::from_utf8(original.clone())
        .unwrap()
        .find("\"signatures\"")
        .unwrap();
    // Bytes spread over the whole statement body: figures, hashes, names, layout.
    let step = body_end / 37;
    let mut checked = 0;
    for at in (1..body_end).step_by(step) {
        let mut bytes = original.clone();
        bytes[at] = match bytes[at] {
            b'0'..=b'8' => bytes[at] + 1,
            b'9' => b'0',
            b' ' => b'\t',
            b'\n' => b' ',
            b'a'..=b'y' => bytes[at] + 1,
            b'z' => b'a',
            _ => b' ',
        };
        std::fs::write(d.join(ACME), &bytes).unwrap();
        let out = verify(d, ACME, &["issuer.pub"]);
        assert_ne!(
            out.code, 0,
            "byte {at} changed, yet verified:\n{}",
            out.stdout
        );
        if serde_json::from_slice::<Value>(&bytes).is_ok() {
            // Still a statement: the seal is what fails.
            assert_eq!(out.code, 1, "byte {at}:\n{}\n{}", out.stdout, out.stderr);
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} edits kept the JSON readable");
    // The figure a forger would change, with the JSON kept tidy: the signature says so.
    std::fs::write(d.join(ACME), &original).unwrap();
    let text = String::from_utf8(original.clone()).unwrap();
    let s = json(&d.join(ACME));
    let net = s["totals"]["net"].as_str().unwrap().to_string();
    let forged = text.replacen(
        &format!("\"net\": \"{net}\""),
        &format!("\"net\": \"{net}1\""),
        1,
    );
    assert_ne!(forged, text);
    std::fs::write(d.join(ACME), forged).unwrap();
    let out = verify(d, ACME, &["issuer.pub"]);
    out.expect(1);
    assert!(
        out.stdout.contains("INVALID") && out.stdout.contains("changed after it was signed"),
        "{}",
        out.stdout
    );
    let out = run_in(
        d,
        &["verify", ACME, "--trust", "issuer.pub", "--format", "json"],
    );
    out.expect(1);
    let v = out.json();
    assert_eq!(v["exit_code"], 1);
    assert_eq!(v["statements"][0]["result"], "seal_broken");
    assert_eq!(v["statements"][0]["signatures"][0]["valid"], false);
    // Signing a statement whose seal no longer holds is refused.
    let out = run_in(d, &["sign", ACME, "--key", "vendor.key"]);
    out.expect(1);
    assert!(out.stderr.contains("seal does not hold"), "{}", out.stderr);
}

#[test]
fn re_settling_changed_data_without_the_key_does_not_verify() {
    let dir = example();
    let d = dir.path();
    settle(d, &["--out", "out", "--sign", "issuer.key"]).expect(0);
    verify(d, ACME, &["issuer.pub"]).expect(0);
    // Someone who can edit the data folder changes a call and settles again with --force.
    let calls = d.join("data/2026-10/calls.csv");
    let text = std::fs::read_to_string(&calls).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let i = lines
        .iter()
        .position(|l| l.contains(",acme,") && l.contains(",phone,"))
        .unwrap();
    lines.remove(i);
    std::fs::write(&calls, lines.join("\n") + "\n").unwrap();
    settle(d, &["--out", "out", "--force"]).expect(0);
    // The recomputed statement matches the changed data, but nobody trusted signed it.
    verify(d, ACME, &[]).expect(0);
    let out = verify(d, ACME, &["issuer.pub"]);
    out.expect(1);
    assert!(out.stdout.contains("no valid signature"), "{}", out.stdout);
    // Nor does a signature by a key of their own.
    run_in(d, &["keygen", "--out", "forger", "-q"]).expect(0);
    settle(d, &["--out", "out", "--force", "--sign", "forger.key"]).expect(0);
    let out = verify(d, ACME, &["issuer.pub"]);
    out.expect(1);
    assert!(
        out.stdout
            .contains(&format!("signed by {}: valid", public_hex(d, "forger"))),
        "the untrusted signer is named: {}",
        out.stdout
    );
}

#[test]
fn a_signed_statement_whose_data_changed_fails_after_re_deriving() {
    let dir = example();
    let d = dir.path();
    settle(d, &["--out", "out", "--sign", "issuer.key"]).expect(0);
    let calls = d.join("data/2026-10/calls.csv");
    let mut text = std::fs::read_to_string(&calls).unwrap();
    text.push_str(&text.lines().nth(1).unwrap().replacen(',', "9,", 1));
    text.push('\n');
    std::fs::write(&calls, text).unwrap();
    let out = verify(d, ACME, &["issuer.pub"]);
    out.expect(1);
    assert!(
        out.stdout.contains("(issuer.pub, trusted): valid"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("changed (sha256"), "{}", out.stdout);
}

#[test]
fn rescore_signs_too() {
    let dir = example();
    let d = dir.path();
    std::fs::copy(
        common::root().join("examples/disputes-2026-10.csv"),
        d.join("disputes.csv"),
    )
    .unwrap();
    let out = run_in(
        d,
        &[
            "rescore",
            "--month",
            "2026-10",
            "--data",
            "data",
            "--rates",
            "rates.toml",
            "--disputes",
            "disputes.csv",
            "--out",
            "rescored",
            "--sign",
            "issuer.key",
            "-q",
        ],
    );
    out.expect(0);
    let path = "rescored/2026-10/acme/statement.json";
    assert_eq!(
        json(&d.join(path))["signatures"][0]["signer"],
        public_hex(d, "issuer").as_str()
    );
    verify(d, path, &["issuer.pub"]).expect(0);
}

#[test]
fn keys_in_the_wrong_place_are_refused() {
    let dir = example();
    let d = dir.path();
    // A public key where the secret key belongs, and the other way round: exit 78.
    let out = settle(d, &["--sign", "issuer.pub"]);
    out.expect(78);
    assert!(out.stderr.contains("public key"), "{}", out.stderr);
    settle(d, &["--out", "out", "--sign", "issuer.key"]).expect(0);
    let out = verify(d, ACME, &["issuer.key"]);
    out.expect(78);
    assert!(
        out.stderr.contains("never hand the secret key out"),
        "{}",
        out.stderr
    );
    // A missing key: exit 66.
    settle(d, &["--sign", "nobody.key"]).expect(66);
    verify(d, ACME, &["nobody.pub"]).expect(66);
    run_in(d, &["sign", ACME, "--key", "nobody.key"]).expect(66);
    // A secret key others can read still signs, with a warning.
    std::fs::set_permissions(d.join("issuer.key"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = run_in(d, &["sign", ACME, "--key", "issuer.key"]);
    out.expect(0);
    assert!(out.stderr.contains("chmod 600"), "{}", out.stderr);
}
