"""Engine benchmark: a 100,000-student district, 3 assessment windows, ~5 M usage rows.

Prints the time to evaluate a contract that uses every measure, metric and tranche kind,
split into summing usage (``usage_totals``) and the rest (``evaluate_from_totals``), and the
peak memory of an evaluation. Run: ``.venv/bin/python bench/evaluate.py [--students N]``.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from typing import Any

from app.engine import evaluate_contract, evaluate_from_totals, load_definition, usage_totals
from app.synth import synthesize

CONTRACT = """
key: bench-every-kind
title: Every measure, metric and tranche kind
district: ector-isd
vendor: bright-tutors
currency: USD
term: {start: 2026-08-01, end: 2027-07-31}
max_total: "900000.00"
holdback: "0.10"
population: {grades: [3, 4, 5, 6, 7, 8]}
measures:
  minutes:     {usage: minutes, from: 2026-09-01, to: 2027-05-15}
  fall_min:    {usage: minutes, from: 2026-09-01, to: 2026-12-18}
  sessions:    {usage: sessions}
  growth:      {assessment: map_reading, from_window: fall-2026, to_window: spring-2027, value: growth}
  met_goal:    {assessment: map_reading, from_window: fall-2026, to_window: spring-2027, value: met_target}
  met_winter:  {assessment: map_reading, from_window: fall-2026, to_window: winter-2027, value: met_target, target: "3"}
  spring:      {assessment: map_reading, window: spring-2027, value: score}
eligibility:
  - {measure: minutes, at_least: 900}
  - {measure: sessions, at_least: 20}
metrics:
  dosage_rate:   {share_of: population, where: [{measure: minutes, at_least: 900}]}
  early_dosage:  {share_of: population, where: [{measure: fall_min, at_least: 300}]}
  growth_rate:   {share_of: eligible, where: [{measure: met_goal, is: true}], min_coverage: "0.80"}
  winter_rate:   {share_of: eligible, where: [{measure: met_winter, is: true}]}
  growers:       {count_of: eligible, where: [{measure: met_goal, is: true}]}
  avg_growth:    {mean_of: growth, over: eligible}
  median_growth: {median_of: growth, over: eligible, min_coverage: "0.50"}
  at_risk:       {share_of: population, where: [{measure: spring, at_most: 195}]}
tranches:
  - {key: base,      type: fixed,     amount: "250000.00", due: 2026-10-01}
  - {key: fidelity,  type: threshold, metric: dosage_rate, at_least: "0.30", amount: "50000.00", due: 2027-01-31}
  - {key: early,     type: threshold, metric: early_dosage, at_least: "0.20", amount: "10000.00", due: 2027-01-31}
  - {key: growth,    type: per_unit,  metric: growers, rate: "40.00", cap: "400000.00", due: 2027-06-30}
  - {key: reach,     type: linear,    metric: growth_rate, floor: "0.40", target: "0.60", amount: "100000.00", due: 2027-06-30}
  - {key: winter,    type: linear,    metric: winter_rate, floor: "0.30", target: "0.70", amount: "20000.00", due: 2027-02-28}
  - {key: risk,      type: linear,    metric: at_risk, floor: "0.40", target: "0.20", amount: "50000.00", due: 2027-06-30}
  - key: avg
    type: tiered
    metric: avg_growth
    due: 2027-06-30
    tiers: [{at_least: "8", pay: "40000.00"}, {at_least: "5", pay: "20000.00"}]
  - {key: median, type: threshold, metric: median_growth, at_least: "6", amount: "10000.00", due: 2027-06-30}
"""


def timed(function: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--usage-per-student", type=float, default=52.2)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    start = time.perf_counter()
    data = synthesize(students=args.students, usage_per_student=args.usage_per_student, seed=7)
    print(
        f"synthetic district: {len(data.roster):,} students, {len(data.assessments):,} assessment"
        f" rows (3 windows), {len(data.usage):,} usage rows"
        f" — generated in {time.perf_counter() - start:.1f} s"
    )
    definition = load_definition(CONTRACT)
    as_of = date(2027, 6, 30)

    totals_times, totals = timed(lambda: usage_totals(definition, data.usage), args.repeat)
    rest_times, _ = timed(
        lambda: evaluate_from_totals(definition, data.roster, data.assessments, totals, as_of),
        args.repeat,
    )
    whole_times, result = timed(
        lambda: evaluate_contract(definition, data.roster, data.assessments, data.usage, as_of),
        args.repeat,
    )

    tracemalloc.start()
    evaluate_contract(definition, data.roster, data.assessments, data.usage, as_of)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    def summary(times: list[float]) -> str:
        return f"median {statistics.median(times):.3f} s (best {min(times):.3f} s)"

    print(f"usage totals (3 usage windows over all rows): {summary(totals_times)}")
    print(f"everything else (measures, metrics, lines):   {summary(rest_times)}")
    print(f"evaluate_contract, end to end:                {summary(whole_times)}")
    print(f"peak memory allocated during one evaluation:  {peak / 2**20:.0f} MiB (tracemalloc)")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS (includes the synthetic data): {rss:.0f} MiB")
    document = result.to_json()
    print(f"totals: {document['totals']}")
    for name, metric in document["metrics"].items():
        print(f"  {name:14} {metric['value']} (coverage {metric['coverage']})")
    print(f"students detail frame: {len(result.students):,} rows")


if __name__ == "__main__":
    main()
