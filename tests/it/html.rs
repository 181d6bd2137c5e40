//! The HTML documents (SPEC §13) escape every string that came from the inputs.

use crate::common;

use common::{root, run_in};

#[test]
fn an_auditors_reason_is_shown_as_text_never_as_markup() {
    let dir = tempfile::TempDir::new().unwrap();
    let disputes = dir.path().join("disputes.csv");
    std::fs::write(
        &disputes,
        "kind,id,decision,reason,decided_by\ncontact,C00000409,exclude,<script>alert(1)</script> & more,\"<b>auditor</b>\"\n",
    )
    .unwrap();
    let out = run_in(
        &root(),
        &[
            "rescore",
            "--month",
            "2026-10",
            "--data",
            "examples/data",
            "--rates",
            "rates.toml",
            "--vendor",
            "acme",
            "--disputes",
            disputes.to_str().unwrap(),
            "--format",
            "html",
            "--quiet",
        ],
    );
    out.expect(0);
    assert!(!out.stdout.contains("<script"), "{}", out.stdout);
    assert!(!out.stdout.contains("<b>auditor"));
    assert!(out
        .stdout
        .contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt; &amp; more"));
    assert!(out.stdout.contains("&lt;b&gt;auditor&lt;&#x2f;b&gt;"));
}
