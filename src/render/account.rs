//! The forms of an account (SPEC §11): a table per vendor (a month per row, the position under
//! it), JSON (an array of accounts ordered by vendor id), CSV and Markdown. Every form formats
//! the same [`Account`] through one row model, so the forms cannot disagree.

use super::csv::escape_text;
use super::html::{self, DocBalance, DocTable, Document};
use super::lang::Lang;
use super::view::{capitals_words, signed};
use crate::account::{Account, Due, Party, Status};
use crate::base::money::grouped;
use crate::base::text::{message, shown};
use crate::base::word::Word;
use comfy_table::{presets::UTF8_FULL_CONDENSED, CellAlignment, ContentArrangement, Table};

/// Column heads of the dues, in every human form.
const DUE_HEAD: [&str; 10] = [
    "month",
    "net",
    "who owes",
    "due by",
    "due",
    "paid",
    "outstanding",
    "late days",
    "late charge",
    "status",
];

fn who(d: &Due) -> String {
    d.payer.map_or("—", Party::as_str).to_string()
}

fn status_words(d: &Due) -> String {
    match d.status {
        Status::Overpaid => format!("overpaid by {}", grouped(-d.outstanding)),
        s => s.as_str().to_string(),
    }
}

/// The column heads of the dues in `lang`.
fn due_head(lang: Lang) -> [&'static str; 10] {
    match lang {
        Lang::En => DUE_HEAD,
        Lang::Zh => [
            "month",
            "net",
            "who_owes",
            "due_by",
            "due",
            "paid",
            "outstanding",
            "late_days",
            "late_charge",
            "status",
        ]
        .map(|k| lang.t(k)),
    }
}

/// Who owes a due and its status, in Chinese.
fn who_and_status_zh(d: &Due) -> (String, String) {
    let l = |k: &str| Lang::Zh.t(k).to_string();
    let who = d.payer.map_or_else(
        || "—".to_string(),
        |p| l(&format!("party_word.{}", p.as_str())),
    );
    let status = match d.status {
        Status::Overpaid => format!("{} {}", l("status.overpaid"), grouped(-d.outstanding)),
        s => l(&format!("status.{}", s.as_str())),
    };
    (who, status)
}

/// One due as the cells of a human table.
fn due_row(d: &Due, lang: Lang) -> [String; 10] {
    let (who, status) = match lang {
        Lang::En => (who(d), status_words(d)),
        Lang::Zh => who_and_status_zh(d),
    };
    [
        d.month.clone(),
        grouped(d.net),
        who,
        d.due_by.clone(),
        grouped(d.due),
        grouped(d.paid),
        grouped(d.outstanding),
        d.late_days.to_string(),
        grouped(d.late_charge),
        status,
    ]
}

fn rights_lines(a: &Account) -> Vec<String> {
    a.dues
        .iter()
        .flat_map(|d| {
            d.rights.iter().map(move |r| {
                let what = match r.right {
                    "suspend" => "may suspend service",
                    _ => "may terminate the contract",
                };
                format!("{}: the vendor {what} from {} (002 §5.1)", d.month, r.from)
            })
        })
        .collect()
}

fn position_rows(a: &Account, lang: Lang) -> Vec<[String; 2]> {
    let p = &a.position;
    let l = |k: &str| lang.t(k).to_string();
    let mut rows = vec![
        [l("pos.platform_owes"), grouped(p.platform_owes)],
        [l("pos.vendor_owes"), grouped(p.vendor_owes)],
        [
            l("pos.late_platform"),
            grouped(p.late_charges_platform_owes),
        ],
        [l("pos.late_vendor"), grouped(p.late_charges_vendor_owes)],
    ];
    if a.final_settlement.is_some() {
        rows.push([l("pos.deductions"), signed(p.deductions, true)]);
    }
    rows.push([l("balance"), grouped(p.balance)]);
    rows
}

/// The balance in words: the account's own summary in English; in Chinese who pays whom, and
/// (CNY) the amount in capitals.
fn balance_lines(a: &Account, lang: Lang) -> Vec<String> {
    match lang {
        Lang::En => vec![a.position.summary.clone()],
        Lang::Zh => {
            let b = a.position.balance;
            let mut out = vec![format!(
                "{}: {} {} 元",
                lang.t("balance"),
                balance_who(b, lang),
                crate::base::money::grouped(b.abs())
            )];
            out.extend(
                capitals_words(b, &a.currency, lang)
                    .map(|c| format!("{}: {c}", lang.t("in_capitals"))),
            );
            out
        }
    }
}

fn title(a: &Account, lang: Lang) -> String {
    if lang == Lang::Zh {
        let kind = if a.final_settlement.is_some() {
            "doc.final"
        } else {
            "doc.account"
        };
        return format!(
            "{} {} ({}) · {} {} · {}",
            lang.t(kind),
            shown(&a.vendor.name),
            shown(&a.vendor.id),
            lang.t("as_of"),
            a.as_of,
            shown(&a.currency)
        );
    }
    let kind = if a.final_settlement.is_some() {
        "Final settlement"
    } else {
        "Account"
    };
    format!(
        "{kind} of {} ({}) as of {}, in {}",
        shown(&a.vendor.name),
        shown(&a.vendor.id),
        a.as_of,
        shown(&a.currency)
    )
}

fn final_line(a: &Account) -> Option<String> {
    a.final_settlement.as_ref().map(|f| {
        format!(
            "last day of service {}; the final balance is settled by {}",
            f.contract_end, f.due_by
        )
    })
}

fn signed_lines(a: &Account) -> Vec<String> {
    a.inputs
        .iter()
        .filter(|i| !i.signed_by.is_empty())
        .map(|i| {
            let by: Vec<String> = i
                .signed_by
                .iter()
                .map(|s| match &s.algorithm {
                    Some(alg) => format!("{} ({alg})", s.signer),
                    None => s.signer.clone(),
                })
                .collect();
            format!(
                "statement of {} is signed by {}",
                i.month.as_deref().unwrap_or(""),
                by.join(", ")
            )
        })
        .collect()
}

fn table(header: &[&str], right: &[usize]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(132)
        .set_header(header.to_vec());
    for &i in right {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

fn table_one(a: &Account, lang: Lang) -> String {
    let mut out = format!("{}\n", title(a, lang));
    if let Some(f) = final_line(a) {
        out.push_str(&format!("{f}\n"));
    }
    out.push('\n');
    let mut t = table(&due_head(lang), &[1, 4, 5, 6, 7, 8]);
    for d in &a.dues {
        t.add_row(due_row(d, lang).to_vec());
    }
    out.push_str(&format!("{t}\n"));
    for r in rights_lines(a) {
        out.push_str(&format!("{r}\n"));
    }
    if !a.deductions.is_empty() {
        let mut t = table(
            &[lang.t("deduction_id"), lang.t("amount"), lang.t("reason")],
            &[1],
        );
        for d in &a.deductions {
            t.add_row(vec![
                shown(&d.deduction_id),
                grouped(d.amount),
                shown(&d.reason),
            ]);
        }
        out.push_str(&format!("{t}\n"));
    }
    let mut p = table(&[lang.t("position"), lang.t("amount")], &[1]);
    for r in position_rows(a, lang) {
        p.add_row(r.to_vec());
    }
    out.push_str(&format!("{p}\n"));
    for b in balance_lines(a, lang) {
        out.push_str(&format!("{b}\n"));
    }
    for s in signed_lines(a) {
        out.push_str(&format!("{s}\n"));
    }
    for w in &a.warnings {
        out.push_str(&format!("warning: {}\n", message(w)));
    }
    out
}

/// The table form in `lang`: a section per vendor.
pub fn table_all(accounts: &[Account], lang: Lang) -> String {
    accounts
        .iter()
        .map(|a| table_one(a, lang))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The JSON form: an array with one account per vendor, ending in a newline.
pub fn json_all(accounts: &[Account]) -> String {
    let mut s = serde_json::to_string_pretty(accounts).expect("accounts serialize");
    s.push('\n');
    s
}

/// One account as JSON (the file `--out` writes), ending in a newline.
pub fn json_one(account: &Account) -> String {
    let mut s = serde_json::to_string_pretty(account).expect("account serializes");
    s.push('\n');
    s
}

/// The CSV form: the dues with a vendor column, then (after an empty line) the deductions,
/// then the position of each vendor. Text cells are escaped against formulas; numbers are
/// written as numbers.
pub fn csv_all(accounts: &[Account]) -> String {
    let new = || csv::WriterBuilder::new().from_writer(Vec::new());
    let finish = |w: csv::Writer<Vec<u8>>| {
        String::from_utf8(w.into_inner().expect("memory")).expect("UTF-8")
    };
    let t = |s: &str| escape_text(s);
    let mut w = new();
    w.write_record([
        "vendor",
        "month",
        "net",
        "payer",
        "method",
        "due_by",
        "due",
        "paid",
        "outstanding",
        "late_days",
        "late_charge",
        "status",
        "payments",
        "suspend_from",
        "terminate_from",
    ])
    .expect("memory");
    for a in accounts {
        for d in &a.dues {
            let right = |name: &str| {
                d.rights
                    .iter()
                    .find(|r| r.right == name)
                    .map_or(String::new(), |r| r.from.clone())
            };
            w.write_record([
                t(&a.vendor.id),
                d.month.clone(),
                d.net.to_string(),
                d.payer.map_or("", Party::as_str).to_string(),
                d.method.as_str().to_string(),
                d.due_by.clone(),
                d.due.to_string(),
                d.paid.to_string(),
                d.outstanding.to_string(),
                d.late_days.to_string(),
                d.late_charge.to_string(),
                d.status.as_str().to_string(),
                t(&d.payments.join(" ")),
                right("suspend"),
                right("terminate"),
            ])
            .expect("memory");
        }
    }
    let dues = finish(std::mem::replace(&mut w, new()));
    w.write_record(["vendor", "deduction_id", "amount", "reason"])
        .expect("memory");
    for a in accounts {
        for d in &a.deductions {
            w.write_record([
                t(&a.vendor.id),
                t(&d.deduction_id),
                d.amount.to_string(),
                t(&d.reason),
            ])
            .expect("memory");
        }
    }
    let deductions = finish(std::mem::replace(&mut w, new()));
    w.write_record([
        "vendor",
        "currency",
        "as_of",
        "contract_end",
        "final_due_by",
        "platform_owes",
        "vendor_owes",
        "late_charges_platform_owes",
        "late_charges_vendor_owes",
        "deductions",
        "balance",
        "summary",
    ])
    .expect("memory");
    for a in accounts {
        let p = &a.position;
        let f = a.final_settlement.as_ref();
        w.write_record([
            t(&a.vendor.id),
            t(&a.currency),
            a.as_of.clone(),
            f.map_or(String::new(), |f| f.contract_end.clone()),
            f.map_or(String::new(), |f| f.due_by.clone()),
            p.platform_owes.to_string(),
            p.vendor_owes.to_string(),
            p.late_charges_platform_owes.to_string(),
            p.late_charges_vendor_owes.to_string(),
            p.deductions.to_string(),
            p.balance.to_string(),
            t(&p.summary),
        ])
        .expect("memory");
    }
    format!("{dues}\n{deductions}\n{}", finish(w))
}

fn md_cell(s: &str) -> String {
    message(s).replace('|', "\\|").replace('\n', " ")
}

fn md_one(a: &Account, lang: Lang) -> String {
    let mut out = format!("## {}\n\n", md_cell(&title(a, lang)));
    if let Some(f) = final_line(a) {
        out.push_str(&format!("{}\n\n", md_cell(&f)));
    }
    out.push_str(&format!("| {} |\n", due_head(lang).join(" | ")));
    out.push_str("|---|---:|---|---|---:|---:|---:|---:|---:|---|\n");
    for d in &a.dues {
        let cells: Vec<String> = due_row(d, lang).iter().map(|c| md_cell(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out.push('\n');
    let rights = rights_lines(a);
    if !rights.is_empty() {
        for r in rights {
            out.push_str(&format!("- {}\n", md_cell(&r)));
        }
        out.push('\n');
    }
    if !a.deductions.is_empty() {
        out.push_str(&format!(
            "| {} | {} | {} |\n|---|---:|---|\n",
            lang.t("deduction_id"),
            lang.t("amount"),
            lang.t("reason")
        ));
        for d in &a.deductions {
            out.push_str(&format!(
                "| {} | {} | {} |\n",
                md_cell(&d.deduction_id),
                grouped(d.amount),
                md_cell(&d.reason)
            ));
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "| {} | {} |\n|---|---:|\n",
        lang.t("position"),
        lang.t("amount")
    ));
    for [k, v] in position_rows(a, lang) {
        out.push_str(&format!("| {k} | {v} |\n"));
    }
    let balance: Vec<String> = balance_lines(a, lang)
        .iter()
        .map(|b| format!("**{}**\n", md_cell(b)))
        .collect();
    out.push_str(&format!("\n{}", balance.join("\n")));
    let signed = signed_lines(a);
    if !signed.is_empty() {
        out.push('\n');
        for s in signed {
            out.push_str(&format!("- {}\n", md_cell(&s)));
        }
    }
    if !a.warnings.is_empty() {
        out.push_str("\nWarnings:\n\n");
        for w in &a.warnings {
            out.push_str(&format!("- {}\n", md_cell(w)));
        }
    }
    out
}

/// The Markdown form in `lang`: one document with a section per vendor.
pub fn md_all(accounts: &[Account], lang: Lang) -> String {
    let head = match lang {
        Lang::En => "Account",
        Lang::Zh => lang.t("doc.account"),
    };
    let mut out = format!("# {head}\n\n");
    out.push_str(
        &accounts
            .iter()
            .map(|a| md_one(a, lang))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    out
}

/// One vendor's account as Markdown in `lang` (the file `--out` writes).
pub fn md_single(account: &Account, lang: Lang) -> String {
    md_all(std::slice::from_ref(account), lang)
}

/// One account as a printable sheet (SPEC §13): the dues, deductions and position as tables, and
/// the balance boxed with who pays whom (in Chinese also in capitals).
fn document(a: &Account, lang: Lang) -> Document {
    let l = |k: &str| lang.t(k).to_string();
    let kind = if a.final_settlement.is_some() {
        l("doc.final")
    } else {
        l("doc.account")
    };
    let heads = [
        "month",
        "net",
        "who_owes",
        "due_by",
        "due",
        "paid",
        "outstanding",
        "late_days",
        "late_charge",
        "status",
    ];
    let dues = a.dues.iter().map(|d| due_row(d, lang).to_vec()).collect();
    let mut tables = vec![DocTable {
        heading: l("dues"),
        head: heads.iter().map(|k| l(k)).collect(),
        figures: vec![1, 3, 4, 5, 6, 7, 8],
        rows: dues,
    }];
    if !a.deductions.is_empty() {
        tables.push(DocTable {
            heading: l("deduction_id"),
            head: vec![l("deduction_id"), l("amount"), l("reason")],
            figures: vec![1],
            rows: a
                .deductions
                .iter()
                .map(|d| vec![shown(&d.deduction_id), grouped(d.amount), shown(&d.reason)])
                .collect(),
        });
    }
    tables.push(DocTable {
        heading: l("position"),
        head: vec![l("position"), l("amount")],
        figures: vec![1],
        rows: position_rows(a, lang)
            .into_iter()
            .map(|r| r.to_vec())
            .collect(),
    });
    let balance = a.position.balance;
    let words = match lang {
        Lang::En => message(&a.position.summary),
        Lang::Zh => format!(
            "{} {} 元",
            balance_who(balance, lang),
            grouped(balance.abs())
        ),
    };
    let mut notes: Vec<String> = final_line(a).into_iter().collect();
    notes.extend(rights_lines(a));
    notes.extend(signed_lines(a));
    notes.extend(a.warnings.iter().map(|w| message(w)));
    Document {
        title: kind,
        subtitle: format!(
            "{} ({}) · {} {} · {}",
            shown(&a.vendor.name),
            shown(&a.vendor.id),
            l("as_of"),
            a.as_of,
            shown(&a.currency)
        ),
        parties: vec![
            [l("party.platform"), l("platform")],
            [
                l("party.vendor"),
                format!("{} ({})", shown(&a.vendor.name), shown(&a.vendor.id)),
            ],
            [l("as_of"), a.as_of.clone()],
        ],
        balance: Some(DocBalance {
            label: l("balance"),
            amount: format!("{} {}", grouped(balance), shown(&a.currency)),
            words,
            capitals: capitals_words(balance, &a.currency, lang),
        }),
        tables,
        notes,
    }
}

/// Who pays whom for a balance (positive: the platform pays the vendor).
fn balance_who(balance: rust_decimal::Decimal, lang: Lang) -> &'static str {
    if balance > rust_decimal::Decimal::ZERO {
        lang.t("capitals.platform")
    } else if balance < rust_decimal::Decimal::ZERO {
        lang.t("capitals.vendor")
    } else {
        lang.t("capitals.nothing")
    }
}

/// The HTML form: one printable page, a sheet per vendor, in `lang`.
pub fn html_all(accounts: &[Account], lang: Lang) -> String {
    let docs: Vec<Document> = accounts.iter().map(|a| document(a, lang)).collect();
    html::documents(lang.t("doc.account"), &docs, lang)
}

/// One vendor's account as HTML (the file `--out` writes).
pub fn html_single(account: &Account, lang: Lang) -> String {
    html_all(std::slice::from_ref(account), lang)
}
