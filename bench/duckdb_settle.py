#!/usr/bin/env python3
"""Run bench/settle.sql with DuckDB over one month's CSV files and print the figures as JSON.

    duckdb_settle.py --data DIR [--sql FILE] [--threads N]

DIR holds calls.csv, tickets.csv, surveys.csv and orders.csv (as `slatement settle --data` finds
them: DIR/2026-10/ when it exists, otherwise DIR). Prints one JSON object on stdout:
{"engine": {...}, "vendors": {vendor id: {figure path: value}}}; a figure path names the figure's
place in slatement's JSON statement (`contacts.offered`, `lines.takeover/service_order` …).
Counts are integers, amounts decimal strings. The database is in memory; DuckDB's spill folder
is a temporary directory outside the repository, removed on exit.

This is the timed DuckDB side of bench/compare.sh: one fresh process per run, so every run pays
for starting Python, importing duckdb and reading the CSV files, as `slatement settle` does.
"""

import argparse
import decimal
import json
import os
import shutil
import sys
import tempfile

import duckdb

MONTH = "2026-10"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="data folder (DIR or DIR/2026-10)")
    parser.add_argument(
        "--sql",
        default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "settle.sql"),
        help="the script to run (default: settle.sql beside this file)",
    )
    parser.add_argument("--threads", type=int, help="DuckDB threads (default: all cores)")
    args = parser.parse_args()

    data = args.data
    if os.path.isdir(os.path.join(data, MONTH)):
        data = os.path.join(data, MONTH)
    for name in ("calls.csv", "tickets.csv", "surveys.csv", "orders.csv"):
        if not os.path.isfile(os.path.join(data, name)):
            print(f"duckdb_settle: {os.path.join(data, name)} is missing", file=sys.stderr)
            return 66
    with open(args.sql, encoding="utf-8") as f:
        script = f.read()

    spill = tempfile.mkdtemp(prefix="duckdb-settle-")
    try:
        con = duckdb.connect(":memory:")
        con.execute("SET temp_directory = ?", [spill])
        if args.threads:
            con.execute(f"SET threads = {int(args.threads)}")
        con.execute("SET VARIABLE data_dir = ?", [os.path.abspath(data)])
        result = con.sql(script)  # runs every statement; the last one's rows are the figures
        columns = result.columns
        rows = result.fetchall()
        threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
        con.close()
    finally:
        shutil.rmtree(spill, ignore_errors=True)

    vendors = {}
    for row in rows:
        figures = dict(zip(columns, row))
        vendor = figures.pop("vendor")
        vendors[vendor] = {k: jsonable(v) for k, v in figures.items()}
    out = {
        "engine": {"duckdb": duckdb.__version__, "threads": threads, "data": data},
        "vendors": vendors,
    }
    json.dump(out, sys.stdout, indent=1, sort_keys=True, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def jsonable(value):
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    return value


if __name__ == "__main__":
    sys.exit(main())
