//! `account_example`: writes a deterministic payments.csv for a statement archive, so that
//! `slatement account` has on-time, late, partial and overpaid payments to judge (SPEC §11).
//!
//! ```text
//! cargo run --example account_example -- --statements DIR --out DIR/payments.csv
//! ```
//!
//! It reads every `DIR/<month>/<vendor>/statement.json` (the archive `settle --out` writes) and,
//! in vendor then month order, pays each of the platform's dues by the next of four patterns:
//! 1. on time: the whole due on the due date;
//! 2. late: the whole due two days after the due date (two late days);
//! 3. partly: 40 % of the due (rounded to the currency's unit) on the due date, nothing more;
//! 4. overpaid: the due + 100 on the day before the due date.
//!
//! A debt the vendor wires (`settlement.method = "wire"`) is paid in full five days late; a
//! deducted debt and a month netting to 0 get no payment. The same archive always gives the
//! same bytes. The README's worked example (three months of acme) was made with it.

use rust_decimal::Decimal;
use slatement::account::archive::{read_archive, Method};
use slatement::base::money::round;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |key: &str| {
        args.iter()
            .position(|a| a == key)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let (Some(statements), Some(out)) = (value("--statements"), value("--out")) else {
        eprintln!("usage: account_example --statements DIR --out FILE");
        return ExitCode::from(2);
    };
    let archive = match read_archive(std::path::Path::new(&statements)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(65);
        }
    };
    let mut csv = String::from("payment_id,vendor,payer,month,paid_on,amount,note\n");
    let mut n = 0usize;
    let mut pattern = 0usize;
    let mut push = |vendor: &str,
                    payer: &str,
                    month: String,
                    on: chrono::NaiveDate,
                    amount: Decimal,
                    note: &str| {
        n += 1;
        csv.push_str(&format!(
            "P-{n:04},{vendor},{payer},{month},{on},{amount},{note}\n"
        ));
    };
    for s in &archive {
        let month = s.month.to_string();
        let days = |k: i64| s.payment_by + chrono::Duration::days(k);
        if s.net > Decimal::ZERO {
            let due = s.net;
            match pattern % 4 {
                0 => push(&s.vendor_id, "platform", month, days(0), due, "on time"),
                1 => push(
                    &s.vendor_id,
                    "platform",
                    month,
                    days(2),
                    due,
                    "two days late",
                ),
                2 => {
                    let part = round(due * Decimal::new(4, 1), s.scale, s.rounding);
                    push(
                        &s.vendor_id,
                        "platform",
                        month,
                        days(0),
                        part,
                        "first instalment",
                    )
                }
                _ => {
                    let over = due + Decimal::new(100, 0);
                    push(
                        &s.vendor_id,
                        "platform",
                        month,
                        days(-1),
                        over,
                        "paid 100 too much",
                    )
                }
            }
            pattern += 1;
        } else if s.net < Decimal::ZERO && s.method == Method::Wire {
            push(
                &s.vendor_id,
                "vendor",
                month,
                days(5),
                -s.net,
                "wired five days late",
            );
        }
    }
    if let Err(e) = std::fs::write(&out, csv) {
        eprintln!("error: {out}: {e}");
        return ExitCode::from(74);
    }
    ExitCode::SUCCESS
}
