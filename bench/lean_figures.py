#!/usr/bin/env python3
"""Turn the lean DuckDB query's output into figures compare_figures.py checks against slatement.

    lean_figures.py LEAN.json > FIGURES.json

LEAN.json is what `duckdb_lean.py --format json` prints (../shared/bench/duckdb_lean.py): a list
of result sets, the first one wide row per vendor. The output has compare_figures.py's shape,
{"vendors": {vendor: {path: value}}}, with a path for every figure of the lean query that means
the same thing as a figure of a statement:

  lean column                statement figure
  phone_offered              contacts.phone_offered
  phone_answered             contacts.phone_answered
  online_offered             contacts.online_offered
  online_answered            contacts.online_answered
  answered_within_20s        contacts.answered_within_service_level
  avg_speed_of_answer_s      contacts.average_speed_of_answer_seconds
  calls_outside_hours        contacts.outside_service_hours
  calls_outside_period       counts.calls.outside_period
  takeovers                  contacts.takeovers_answered + contacts.takeovers_unanswered
  survey_5 … survey_1        surveys.very_satisfied … surveys.very_dissatisfied
  service_order              work_orders.service_orders + work_orders.service_order_takeovers
                             + work_orders.service_order_takeovers_unresolved
  service_order_takeover     work_orders.service_order_takeovers
                             + work_orders.service_order_takeovers_unresolved
  orders_completed           orders.completed
  completed_amount           orders.completed_amount

Left out, because the lean query defines them otherwise than SPEC §4 does: phone_effective and
online_effective (the lean query counts them in service hours only; a statement's effective calls
and online sessions count every vendor-handled contact); complaint (it counts complaints the
platform handled too); work_order and the wo_* figures (it keeps platform-handled work orders
on the clock, which SPEC §4 leaves out, and splits overdue otherwise: a statement's `overdue`
holds late replies and unreplied overdue work orders alike, `overdue_unreplied` the latter);
and result 2
(takeovers by stage x package x channel, answered or not, where the money lines count answered
takeovers).
The lean query checks no duplicates, so on a month with repeated rows its counts are higher by
the repeats: compare on a month without them (bench/compare.sh's quick size has none).
Standard library only.
"""

import json
import sys

MAP = {
    "phone_offered": "contacts.phone_offered",
    "phone_answered": "contacts.phone_answered",
    "online_offered": "contacts.online_offered",
    "online_answered": "contacts.online_answered",
    "answered_within_20s": "contacts.answered_within_service_level",
    "avg_speed_of_answer_s": "contacts.average_speed_of_answer_seconds",
    "calls_outside_hours": "contacts.outside_service_hours",
    "calls_outside_period": "counts.calls.outside_period",
    "takeovers": "contacts.takeovers_answered+contacts.takeovers_unanswered",
    "survey_5": "surveys.very_satisfied",
    "survey_4": "surveys.satisfied",
    "survey_3": "surveys.neutral",
    "survey_2": "surveys.dissatisfied",
    "survey_1": "surveys.very_dissatisfied",
    "service_order": "work_orders.service_orders+work_orders.service_order_takeovers"
    "+work_orders.service_order_takeovers_unresolved",
    "service_order_takeover": "work_orders.service_order_takeovers"
    "+work_orders.service_order_takeovers_unresolved",
    "orders_completed": "orders.completed",
    "completed_amount": "orders.completed_amount",
}


def main(argv):
    if len(argv) != 2:
        print("usage: lean_figures.py LEAN.json", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        results = json.load(f)
    vendors = {}
    for row in results[0]:
        figures = {}
        for column, path in MAP.items():
            value = row.get(column)
            # An empty group is NULL in SQL and 0 (or absent) in a statement.
            figures[path] = 0 if value is None else value
        vendors[row["vendor"]] = figures
    json.dump({"vendors": vendors}, sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
