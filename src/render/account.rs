//! The forms of an account (SPEC §11): a table per vendor (a month per row, the position under
//! it), JSON (an array of accounts ordered by vendor id), CSV and Markdown. Every form formats
//! the same [`Account`] through one row model, so the forms cannot disagree.

use super::csv::escape_text;
use super::html::{self, DocBalance, DocTable, Document};
use super::lang::Lang;
use super::view::{capitals_words, signed};
use crate::account::{Account, Due};
use crate::text::{message, shown};
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
    d.payer.unwrap_or("—").to_string()
}

fn status_words(d: &Due) -> String {
    match d.status {
        "overpaid" => format!("overpaid by {}", -d.outstanding),
        s => s.to_string(),
    }
}

/// One due as the cells of a human table.
fn due_row(d: &Due) -> [String; 10] {
    [
        d.month.clone(),
        d.net.to_string(),
        who(d),
        d.due_by.clone(),
        d.due.to_string(),
        d.paid.to_string(),
        d.outstanding.to_string(),
        d.late_days.to_string(),
        d.late_charge.to_string(),
        status_words(d),
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

fn position_rows(a: &Account) -> Vec<[String; 2]> {
    let p = &a.position;
    let mut rows = vec![
        [
            "outstanding owed by the platform".into(),
            p.platform_owes.to_string(),
        ],
        [
            "outstanding owed by the vendor".into(),
            p.vendor_owes.to_string(),
        ],
        [
            "late charges owed by the platform".into(),
            p.late_charges_platform_owes.to_string(),
        ],
        [
            "late charges owed by the vendor".into(),
            p.late_charges_vendor_owes.to_string(),
        ],
    ];
    if a.final_settlement.is_some() {
        rows.push(["deductions".into(), p.deductions.to_string()]);
    }
    rows.push(["balance".into(), p.balance.to_string()]);
    rows
}

fn title(a: &Account) -> String {
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

fn table_one(a: &Account) -> String {
    let mut out = format!("{}\n", title(a));
    if let Some(f) = final_line(a) {
        out.push_str(&format!("{f}\n"));
    }
    out.push('\n');
    let mut t = table(&DUE_HEAD, &[1, 4, 5, 6, 7, 8]);
    for d in &a.dues {
        t.add_row(due_row(d).to_vec());
    }
    out.push_str(&format!("{t}\n"));
    for r in rights_lines(a) {
        out.push_str(&format!("{r}\n"));
    }
    if !a.deductions.is_empty() {
        let mut t = table(&["deduction", "amount", "reason"], &[1]);
        for d in &a.deductions {
            t.add_row(vec![
                shown(&d.deduction_id),
                d.amount.to_string(),
                shown(&d.reason),
            ]);
        }
        out.push_str(&format!("{t}\n"));
    }
    let mut p = table(&["position", "amount"], &[1]);
    for r in position_rows(a) {
        p.add_row(r.to_vec());
    }
    out.push_str(&format!("{p}\n{}\n", a.position.summary));
    for s in signed_lines(a) {
        out.push_str(&format!("{s}\n"));
    }
    for w in &a.warnings {
        out.push_str(&format!("warning: {}\n", message(w)));
    }
    out
}

/// The table form: a section per vendor.
pub fn table_all(accounts: &[Account]) -> String {
    accounts
        .iter()
        .map(table_one)
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
                d.payer.unwrap_or("").to_string(),
                d.method.to_string(),
                d.due_by.clone(),
                d.due.to_string(),
                d.paid.to_string(),
                d.outstanding.to_string(),
                d.late_days.to_string(),
                d.late_charge.to_string(),
                d.status.to_string(),
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

fn md_one(a: &Account) -> String {
    let mut out = format!("## {}\n\n", md_cell(&title(a)));
    if let Some(f) = final_line(a) {
        out.push_str(&format!("{}\n\n", md_cell(&f)));
    }
    out.push_str(&format!("| {} |\n", DUE_HEAD.join(" | ")));
    out.push_str("|---|---:|---|---|---:|---:|---:|---:|---:|---|\n");
    for d in &a.dues {
        let cells: Vec<String> = due_row(d).iter().map(|c| md_cell(c)).collect();
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
        out.push_str("| deduction | amount | reason |\n|---|---:|---|\n");
        for d in &a.deductions {
            out.push_str(&format!(
                "| {} | {} | {} |\n",
                md_cell(&d.deduction_id),
                d.amount,
                md_cell(&d.reason)
            ));
        }
        out.push('\n');
    }
    out.push_str("| position | amount |\n|---|---:|\n");
    for [k, v] in position_rows(a) {
        out.push_str(&format!("| {k} | {v} |\n"));
    }
    out.push_str(&format!("\n**{}**\n", md_cell(&a.position.summary)));
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

/// The Markdown form: one document with a section per vendor.
pub fn md_all(accounts: &[Account]) -> String {
    let mut out = String::from("# Account\n\n");
    out.push_str(&accounts.iter().map(md_one).collect::<Vec<_>>().join("\n"));
    out
}

/// One vendor's account as Markdown (the file `--out` writes).
pub fn md_single(account: &Account) -> String {
    md_all(std::slice::from_ref(account))
}

/// One account as a printable sheet (SPEC §13): the dues, deductions and position as tables, and
/// the balance boxed with who pays whom (in Chinese also in capitals).
fn document(a: &Account, lang: Lang) -> Document {
    use crate::money::grouped;
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
    let dues = a
        .dues
        .iter()
        .map(|d| {
            let status = match d.status {
                "overpaid" => format!("{} {}", l("status.overpaid"), grouped(-d.outstanding)),
                s => l(&format!("status.{s}")),
            };
            vec![
                d.month.clone(),
                grouped(d.net),
                d.payer
                    .map_or_else(|| "—".to_string(), |p| l(&format!("party_word.{p}"))),
                d.due_by.clone(),
                grouped(d.due),
                grouped(d.paid),
                grouped(d.outstanding),
                d.late_days.to_string(),
                grouped(d.late_charge),
                status,
            ]
        })
        .collect();
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
        rows: {
            let p = &a.position;
            let mut rows = vec![
                vec![l("pos.platform_owes"), grouped(p.platform_owes)],
                vec![l("pos.vendor_owes"), grouped(p.vendor_owes)],
                vec![
                    l("pos.late_platform"),
                    grouped(p.late_charges_platform_owes),
                ],
                vec![l("pos.late_vendor"), grouped(p.late_charges_vendor_owes)],
            ];
            if a.final_settlement.is_some() {
                rows.push(vec![l("pos.deductions"), signed(p.deductions, true)]);
            }
            rows.push(vec![l("balance"), grouped(p.balance)]);
            rows
        },
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
