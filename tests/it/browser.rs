//! The printable documents in a real browser (SPEC §13): headless Chromium renders the example
//! month's statement, a reconciliation (examples/claims/) and the account (examples/account/),
//! in English and in Chinese, to PNG and to PDF. Checked: nothing is wider than an A4 page, the
//! PDF is A4 with each vendor's sheet starting a page, and the PDF's text holds the net in
//! figures and (Chinese) in capitals.
//!
//! Chromium, CJK fonts and poppler-utils are required: a missing one FAILS these tests (CI's
//! `.ci/run` installs them). `UPDATE_DOCS=1 cargo test --test browser` also refreshes the PNGs
//! the README shows, under docs/.

use crate::common;

use common::{root, run_in, Out};
use std::path::{Path, PathBuf};
use std::process::Command;
use tempfile::TempDir;

/// A4 at 96 px per inch: 210 mm × 297 mm.
const A4_PX: (u32, u32) = (794, 1123);
/// The printable width of A4 inside the page's 12 mm margins.
const A4_PRINT_PX: u32 = 703;

/// A program the browser tests need, found on PATH; panics (never skips) when it is missing.
fn tool(name: &str) -> PathBuf {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "{name} is missing: install chromium, fonts-noto-cjk and poppler-utils \
                 (apt-get install -y chromium fonts-noto-cjk poppler-utils; .ci/run does)"
            )
        })
}

/// Runs headless Chromium on `page` with `args`, in its own profile (tests run in parallel).
fn chromium(page: &Path, args: &[String]) -> std::process::Output {
    let profile = TempDir::new().unwrap();
    let out = Command::new(tool("chromium"))
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-extensions",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// One document, written to a temporary folder as `name.html`.
struct Page {
    dir: TempDir,
    name: String,
}

impl Page {
    fn new(name: &str, out: &Out) -> Page {
        assert!(
            out.code == 0 || out.code == 1,
            "exit {}: {}",
            out.code,
            out.stderr
        );
        let dir = TempDir::new().unwrap();
        std::fs::write(dir.path().join(format!("{name}.html")), &out.stdout).unwrap();
        Page {
            dir,
            name: name.to_string(),
        }
    }

    fn path(&self, ext: &str) -> PathBuf {
        self.dir.path().join(format!("{}.{ext}", self.name))
    }

    /// The width the page's content needs when the window is `width` px wide, against the
    /// width it has. The shipped page has no script; the test measures a copy with one added.
    fn widths_at(&self, width: u32) -> (u32, u32) {
        let html = std::fs::read_to_string(self.path("html")).unwrap();
        assert!(!html.contains("<script"), "the shipped page has no script");
        let probe = html.replace(
            "</body>",
            "<script>document.title = 'W' + document.documentElement.scrollWidth + 'x' + \
             document.documentElement.clientWidth + 'W';</script></body>",
        );
        let copy = self
            .dir
            .path()
            .join(format!("{}-probe-{width}.html", self.name));
        std::fs::write(&copy, probe).unwrap();
        let out = chromium(
            &copy,
            &[
                format!("--window-size={width},{}", A4_PX.1),
                "--dump-dom".to_string(),
            ],
        );
        let dom = String::from_utf8_lossy(&out.stdout);
        let start = dom.find("<title>W").expect("the probe wrote the title") + 8;
        let end = start + dom[start..].find("W</title>").unwrap();
        let (scroll, client) = dom[start..end].split_once('x').unwrap();
        (scroll.parse().unwrap(), client.parse().unwrap())
    }

    /// A screenshot of the first A4 page's height at A4 width; returns the PNG's size.
    fn screenshot(&self) -> (u32, u32) {
        let png = self.path("png");
        chromium(
            &self.path("html"),
            &[
                format!("--screenshot={}", png.display()),
                format!("--window-size={},{}", A4_PX.0, A4_PX.1),
            ],
        );
        let bytes = std::fs::read(&png).unwrap();
        assert_eq!(&bytes[1..4], b"PNG");
        let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
        (be(16), be(20))
    }

    /// Prints to PDF; returns (pages, page size line of pdfinfo, the text of each page).
    fn pdf(&self) -> (usize, String, Vec<String>) {
        let pdf = self.path("pdf");
        chromium(
            &self.path("html"),
            &[
                format!("--print-to-pdf={}", pdf.display()),
                "--no-pdf-header-footer".to_string(),
            ],
        );
        let info = Command::new(tool("pdfinfo")).arg(&pdf).output().unwrap();
        let info = String::from_utf8_lossy(&info.stdout).into_owned();
        let field = |k: &str| {
            info.lines()
                .find(|l| l.starts_with(k))
                .map(|l| l[k.len()..].trim().to_string())
                .unwrap_or_else(|| panic!("no {k} in pdfinfo:\n{info}"))
        };
        let pages: usize = field("Pages:").parse().unwrap();
        let size = field("Page size:");
        let text = Command::new(tool("pdftotext"))
            .args(["-layout", "-enc", "UTF-8"])
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap();
        let text = String::from_utf8(text.stdout).unwrap();
        let pages_text: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
        (pages, size, pages_text)
    }

    /// With UPDATE_DOCS set, keeps the screenshot under docs/ for the README.
    fn keep_for_docs(&self, file: &str) {
        if std::env::var_os("UPDATE_DOCS").is_some() {
            let docs = root().join("docs");
            std::fs::create_dir_all(&docs).unwrap();
            std::fs::copy(self.path("png"), docs.join(file)).unwrap();
        }
    }
}

/// Text without the spaces and line breaks a PDF's layout puts between characters.
fn squeezed(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The Chinese pages need a CJK font, or the PDF's text is empty boxes: fail, never skip.
fn need_cjk_font() {
    let out = Command::new(tool("fc-list"))
        .args([":lang=zh", "family"])
        .output()
        .expect("run fc-list");
    assert!(
        !out.stdout.is_empty(),
        "no CJK font: install fonts-noto-cjk (.ci/run does)"
    );
}

fn settle_page(lang: &str) -> Page {
    let out = run_in(
        &root(),
        &[
            "settle",
            "--month",
            "2026-10",
            "--data",
            "examples/data",
            "--rates",
            "rates.toml",
            "--format",
            "html",
            "--lang",
            lang,
            "--quiet",
        ],
    );
    Page::new(&format!("statement-{lang}"), &out)
}

fn reconcile_page(lang: &str) -> Page {
    let out = run_in(
        &root(),
        &[
            "reconcile",
            "--month",
            "2026-10",
            "--vendor",
            "acme",
            "--data",
            "examples/data",
            "--rates",
            "rates.toml",
            "--claim",
            "examples/claims/acme-2026-10-claim.csv",
            "--claim-records",
            "examples/claims/acme-2026-10-records.csv",
            "--format",
            "html",
            "--lang",
            lang,
            "--quiet",
        ],
    );
    Page::new(&format!("reconciliation-{lang}"), &out)
}

fn account_page(lang: &str) -> Page {
    let out = run_in(
        &root(),
        &[
            "account",
            "--statements",
            "examples/account/statements",
            "--payments",
            "examples/account/payments.csv",
            "--as-of",
            "2026-12-31",
            "--format",
            "html",
            "--lang",
            lang,
            "--quiet",
        ],
    );
    Page::new(&format!("account-{lang}"), &out)
}

/// Everything SPEC §13 asks of a printed page: fits A4's width on screen and in print, prints
/// on A4, each of `sheets` starts a page, and the PDF's text holds every string of `wants`.
fn check(page: &Page, sheets: &[&str], wants: &[&str]) {
    for width in [A4_PX.0, A4_PRINT_PX] {
        let (scroll, client) = page.widths_at(width);
        assert!(
            scroll <= client,
            "{}: {scroll} px of content in a {client} px window (A4 is {width} px)",
            page.name
        );
    }
    assert_eq!(
        page.screenshot(),
        A4_PX,
        "{}: the PNG is one A4 page",
        page.name
    );

    let (pages, size, text) = page.pdf();
    assert!(size.contains("(A4)"), "{}: page size {size}", page.name);
    // Each sheet begins a page: its title opens the text of exactly one page, in order.
    let starts: Vec<String> = text
        .iter()
        .filter_map(|p| p.split_whitespace().next().map(str::to_string))
        .collect();
    let firsts: Vec<usize> = (0..text.len())
        .filter(|&i| {
            sheets
                .iter()
                .any(|s| squeezed(&text[i]).starts_with(&squeezed(s)))
        })
        .collect();
    assert_eq!(
        firsts.len(),
        sheets.len(),
        "{}: {} page(s) beginning a sheet, expected {} ({pages} pages; first words {starts:?})",
        page.name,
        firsts.len(),
        sheets.len()
    );
    assert_eq!(firsts[0], 0, "{}: the first page opens a sheet", page.name);
    let all = squeezed(&text.join(""));
    for want in wants {
        assert!(
            all.contains(&squeezed(want)),
            "{}: the PDF's text lacks {want:?}",
            page.name
        );
    }
}

#[test]
fn statement_prints_on_a4_in_english() {
    let page = settle_page("en");
    check(
        &page,
        &[
            "Settlement notice Acme Service Co.",
            "Settlement notice Brightline Support Ltd.",
        ],
        &[
            "7,786.47 CNY",
            "2,838.40 CNY",
            "The platform pays Acme Service Co. 7,786.47 CNY by 2026-11-25.",
            "meets standard",
            "trial — not assessed",
        ],
    );
    page.keep_for_docs("statement-en.png");
}

#[test]
fn statement_prints_on_a4_in_chinese_with_capitals() {
    need_cjk_font();
    let page = settle_page("zh");
    check(
        &page,
        &[
            "结算通知单 Acme Service Co.",
            "结算通知单 Brightline Support Ltd.",
        ],
        &[
            "7,786.47 CNY",
            "人民币柒仟柒佰捌拾陆元肆角柒分（甲方付乙方）",
            "人民币贰仟捌佰叁拾捌元肆角（甲方付乙方）",
            "接起率",
            "调研满意度",
            "接管 — 售后 套餐一 电话",
        ],
    );
    page.keep_for_docs("statement-zh.png");
}

#[test]
fn reconciliation_prints_on_a4_in_both_languages() {
    let en = reconcile_page("en");
    check(
        &en,
        &["Reconciliation Acme Service Co."],
        &["7,786.47 CNY", "7,796.97"],
    );
    en.keep_for_docs("reconciliation-en.png");
    need_cjk_font();
    let zh = reconcile_page("zh");
    check(
        &zh,
        &["对账单 Acme Service Co."],
        &[
            "7,786.47 CNY",
            "人民币柒仟柒佰捌拾陆元肆角柒分（甲方付乙方）",
        ],
    );
}

#[test]
fn account_prints_on_a4_in_both_languages() {
    let en = account_page("en");
    check(
        &en,
        &[
            "Account Acme Service Co.",
            "Account Brightline Support Ltd.",
        ],
        &["7.79 CNY", "1,298.14 CNY"],
    );
    need_cjk_font();
    let zh = account_page("zh");
    check(
        &zh,
        &["往来账 Acme Service Co.", "往来账 Brightline Support Ltd."],
        &[
            "1,298.14 CNY",
            "人民币柒元柒角玖分（甲方付乙方）",
            "人民币壹仟贰佰玖拾捌元壹角肆分（甲方付乙方）",
        ],
    );
    zh.keep_for_docs("account-zh.png");
}
