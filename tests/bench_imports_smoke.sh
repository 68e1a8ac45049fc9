#!/usr/bin/env bash
# bench/imports.sh at tiny scale: the CSV and XLSX it generates import as described (2% of
# the CSV rows invalid, some repeated and skipped, some DNC-flagged; the same rows again into
# a second organization; every XLSX row created), and the report carries every figure, with
# the breakdown of a third import's database time and WAL.
set -euo pipefail
bin=$1
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(BENCH_IMPORT_ROWS=3000 BENCH_XLSX_ROWS=500 BENCH_RESULTS=- "$here/bench/imports.sh" "$bin" 2>/dev/null)
python3 - "$out" <<'PY'
import sys
rows = {}
for line in sys.argv[1].splitlines():
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    names = {"CSV, `leadline import`": "CSV", "XLSX, `leadline import`": "XLSX",
             "CSV, the same file into a second organization": "CSV2"}
    if cells and cells[0] in names:
        rows[names[cells[0]]] = cells
def num(s): return int(s.replace(",", ""))
assert set(rows) == {"CSV", "CSV2", "XLSX"}, sys.argv[1]
csv, csv2, xlsx = rows["CSV"], rows["CSV2"], rows["XLSX"]
# columns: import, rows, file, time, rows/s, peak RSS, created, skipped, failed, DNC-flagged,
# raw COPY, COPY / import, INSERT into leads, INSERT / import, target, met
assert num(csv[1]) == 3000 and num(csv[6]) + num(csv[7]) + num(csv[8]) == 3000, csv
assert 20 <= num(csv[8]) <= 120, f"failed CSV rows (about 2%): {csv}"
assert num(csv[7]) > 0 and num(csv[9]) > 0, f"skipped and DNC-flagged CSV rows: {csv}"
assert csv[10].endswith(" s") and csv[12].endswith(" s"), f"COPY and INSERT figures: {csv}"
# The second organization has no DNC list; the rest comes out the same.
assert csv2[6:9] == csv[6:9] and num(csv2[9]) == 0, f"second organization: {csv2} vs {csv}"
assert num(xlsx[1]) == 500 and num(xlsx[6]) == 500 and num(xlsx[8]) == 0, f"XLSX rows: {xlsx}"
# The breakdown import: the database's time by step, in all, and the WAL it wrote by kind.
steps = {}
for line in sys.argv[1].splitlines():
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) >= 3 and cells[1].endswith(" s"):
        steps[cells[0]] = float(cells[1][:-2])
for step in ("the new leads: heap rows, 12 indexes, constraints", "create audit entries (trigger)",
             "matching by phone, email and the DNC lists", "**the database, in all**"):
    assert steps.get(step, 0) > 0, f"breakdown step {step!r}: {steps}"
assert steps["**the database, in all**"] >= steps["the new leads: heap rows, 12 indexes, constraints"]
wal = [line for line in sys.argv[1].splitlines() if line.startswith("| B-tree index entries |")]
assert wal and int(wal[0].split("|")[2].strip().replace(",", "")) > 3000, f"WAL by kind: {wal}"
print("bench imports smoke: ok")
PY
