#!/usr/bin/env python3
"""Per-second throughput and latency of a JMeter CSV results file, for the plots.

usage: timeseries.py RESULTS.csv > SERIES.dat
Columns: second since the first request, requests finished in that second, their mean and
p95 elapsed time (ms), errors in that second. Standard library only.
"""
import csv
import sys
from collections import defaultdict


def main(path):
    buckets = defaultdict(list)
    errors = defaultdict(int)
    start = None
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            ts = int(row["timeStamp"]) + int(row["elapsed"])  # when the answer arrived
            start = ts if start is None else min(start, ts)
            buckets[ts // 1000].append(int(row["elapsed"]))
            if row["success"] != "true":
                errors[ts // 1000] += 1
    if not buckets:
        return
    first = min(buckets)
    print("# second requests mean_ms p95_ms errors")
    for sec in range(first, max(buckets) + 1):
        values = sorted(buckets.get(sec, []))
        if values:
            mean = sum(values) / len(values)
            p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
        else:
            mean = p95 = 0
        print(sec - first, len(values), f"{mean:.1f}", p95, errors.get(sec, 0))


if __name__ == "__main__":
    main(sys.argv[1])
