#!/usr/bin/env python3
"""Check that `slatement settle --format json` and bench/duckdb_settle.py agree on every figure.

    compare_figures.py [--duplicates-unchecked] SLATEMENT.json DUCKDB.json

SLATEMENT.json is the array `slatement settle --format json` prints; DUCKDB.json is what
duckdb_settle.py prints. Every figure DuckDB computed is looked up in the vendor's statement by
its path: `contacts.offered` is statement["contacts"]["offered"], `metrics.answer_rate.numerator`
is statement["metrics"]["answer_rate"]["numerator"], and `lines.<item>` is the quantity of the
money line named <item> (0 when the statement leaves the line out, as it does for quantity 0).
Values are compared exactly: integers as integers, decimal strings as decimal.Decimal (so
"36245904.04" equals "36245904.040000"). The vendor lists must be the same too.

With --duplicates-unchecked (for a query that does not drop repeated rows, such as the lean
yardstick), a count that is higher than slatement's by at most the duplicates slatement found in
that figure's input (`counts.<role>.duplicates`) is reported as explained by them, not as a
disagreement.

Prints one line per disagreement and a summary; exit 0 when everything agrees, 1 otherwise,
2 when a file cannot be read. Standard library only.
"""

import json
import sys
from decimal import Decimal, InvalidOperation


def figure(statement, path):
    """The value at `path` in a statement, or raises KeyError. `a+b` is the sum of two figures
    (integers)."""
    if "+" in path:
        return sum(int(figure(statement, part)) for part in path.split("+"))
    if path.startswith("lines."):
        item = path[len("lines."):]
        for line in statement["lines"]:
            if line["item"] == item:
                return line["quantity"]
        return 0
    value = statement
    for key in path.split("."):
        value = value[key]
    return value


ROLE_OF = {"contacts": "calls", "surveys": "surveys", "work_orders": "tickets",
           "orders": "orders", "repairs": "tickets"}


def duplicates(statement, path):
    """The duplicate rows slatement found in the input a figure counts (0 when unknown)."""
    head = path.split("+")[0].split(".")
    role = head[1] if head[0] == "counts" else ROLE_OF.get(head[0])
    return int(statement.get("counts", {}).get(role or "", {}).get("duplicates", 0))


def exact(value):
    """An exact number from an int or a decimal string (None when it is neither)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return None
    return None


def main(argv):
    unchecked = "--duplicates-unchecked" in argv
    argv = [a for a in argv if a != "--duplicates-unchecked"]
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            statements = json.load(f)
        with open(argv[2], encoding="utf-8") as f:
            duck = json.load(f)["vendors"]
    except (OSError, ValueError, KeyError) as err:
        print(f"compare_figures: {err}", file=sys.stderr)
        return 2

    by_vendor = {s["vendor"]["id"]: s for s in statements}
    problems = []
    for vendor in sorted(set(by_vendor) - set(duck)):
        problems.append(f"{vendor}: settled by slatement, absent from DuckDB's figures")
    for vendor in sorted(set(duck) - set(by_vendor)):
        problems.append(f"{vendor}: in DuckDB's figures, no statement from slatement")

    compared = 0
    explained = []
    for vendor in sorted(set(duck) & set(by_vendor)):
        statement = by_vendor[vendor]
        for role, counts in sorted(statement.get("counts", {}).items()):
            if counts.get("rejected"):
                problems.append(
                    f"{vendor}: slatement rejected {counts['rejected']} {role} rows; "
                    "settle.sql does not reject rows, so the figures are not comparable"
                )
        for path, theirs in sorted(duck[vendor].items()):
            compared += 1
            try:
                ours = figure(statement, path)
            except (KeyError, TypeError):
                problems.append(f"{vendor}: {path}: missing from slatement's statement "
                                f"(DuckDB: {theirs})")
                continue
            a, b = exact(ours), exact(theirs)
            if a is None or b is None or a != b:
                repeats = duplicates(statement, path)
                if unchecked and a is not None and b is not None and 0 < b - a <= repeats:
                    explained.append(f"{vendor}: {path}: slatement {ours}, DuckDB {theirs} "
                                     f"({repeats} duplicate row(s) in the input)")
                    continue
                problems.append(f"{vendor}: {path}: slatement {ours} != DuckDB {theirs}")

    for problem in problems:
        print(f"DISAGREE {problem}")
    for note in explained:
        print(f"DUPLICATES {note}")
    vendors = len(set(duck) & set(by_vendor))
    if problems:
        print(f"figures: {len(problems)} disagreement(s) among {compared} figures "
              f"of {vendors} vendor(s)")
        return 1
    if explained:
        print(f"figures: {compared - len(explained)} of {compared} agree exactly, "
              f"{len(explained)} differ only by the duplicate rows the query does not check "
              f"({compared // max(vendors, 1)} figures x {vendors} vendors)")
        return 0
    print(f"figures: all {compared} agree ({compared // max(vendors, 1)} figures x "
          f"{vendors} vendors)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
