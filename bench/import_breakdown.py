"""Where an import's time goes: bench/imports.sh's breakdown import, summarised as Markdown.

Usage: import_breakdown.py STATEMENTS WALSTATS IMPORT_JSON CPU_SECONDS

STATEMENTS: tab-separated `total_exec_time_ms <TAB> toplevel <TAB> query` lines from
pg_stat_statements (pg_stat_statements.track = all, reset just before the import). Nested
statements (toplevel f: the history triggers, foreign-key checks, the refresh's ANALYZEs,
SQL functions) have rows of their own, and their time is also in the statement that ran
them: only the ones named in NESTED are split out of it, the rest stay where they are.
WALSTATS: `pg_waldump --stats=record` over the WAL the import wrote.
IMPORT_JSON: what `leadline import` printed. CPU_SECONDS: its user + system CPU time.
"""
import json
import re
import sys

# Statement kinds, matched on the normalised text, first match wins. NESTED: statements run
# by another, their time subtracted from it (PARENT; "the new leads" is the INSERT into leads
# less its triggers and foreign-key checks). TOP: statements the import sends.
NESTED = [
    ("audit", "create audit entries (trigger)", r"^INSERT INTO lead_audit_log"),
    ("history", "first status-history rows (trigger)", r"^INSERT INTO lead_status_history"),
    ("tags", "tag-count deltas (trigger)", r"INSERT INTO lead_tag_count_deltas"),
    ("fk", "foreign-key checks", r'^SELECT \$\d+ FROM ONLY "public"\."(organizations|users)"'),
    ("registry", "national DNC registry lookups (in the matching)", r"get_bit\("),
    ("analyze", "ANALYZE (in the statistics refresh)", r"^ANALYZE "),
]
TOP = [
    ("create", "the new leads: heap rows, 12 indexes, constraints", r"^WITH ins AS \( ?INSERT INTO leads"),
    ("match", "matching by phone, email and the DNC lists", r"^UPDATE import_stage s SET by_phone"),
    ("earlier", "repeats of rows of earlier batches", r"^UPDATE import_stage s SET outcome = \$\d+ WHERE s\.error IS NULL AND s\.outcome IS NULL AND \("),
    ("refresh", "planner statistics refresh", r"import_refresh_(dnc_)?statistics"),
    ("copy", "COPY into the staging table", r"^COPY import_stage"),
    ("keep", "skipped and failed rows kept (import_rows)", r"^INSERT INTO import_rows"),
]
OTHER = ("other", "repeats within a batch, decisions, owners, job counts, the rest")
PARENT = {"audit": "create", "history": "create", "tags": "create", "fk": "create",
          "registry": "match", "analyze": "refresh"}


def classify(query, table):
    for key, _, pattern in table:
        if re.search(pattern, query):
            return key
    return None


def main():
    statements_path, wal_path, import_json, cpu_seconds = sys.argv[1:5]
    job = json.loads(import_json)
    rows = job["total_rows"]
    ms = {}
    for line in open(statements_path):
        parts = line.rstrip("\n").split("\t", 2)
        if len(parts) != 3:
            continue
        total, toplevel, query = float(parts[0]), parts[1] == "t", parts[2].strip()
        if not toplevel:
            key = classify(query, NESTED)
            if key is not None:
                ms[key] = ms.get(key, 0.0) + total
                ms[PARENT[key]] = ms.get(PARENT[key], 0.0) - total
            continue
        key = classify(query, TOP)
        if key is None:
            # Transaction control and the tenant settings come with every statement; the rest
            # of what the import runs is bookkeeping.
            if re.match(r"^(BEGIN|COMMIT|ROLLBACK|SELECT set_config|SET |SHOW |CREATE |TRUNCATE|DISCARD)", query):
                continue
            key = OTHER[0]
        ms[key] = ms.get(key, 0.0) + total
    labels = {k: label for k, label, _ in NESTED + TOP}
    labels[OTHER[0]] = OTHER[1]
    order = ["create", "audit", "history", "tags", "fk", "match", "registry", "earlier", "copy",
             "keep", OTHER[0], "refresh", "analyze"]
    total_ms = sum(max(ms.get(k, 0.0), 0.0) for k in order)
    seconds = job["seconds"]
    print(f"Where the time of a {rows:,}-row import goes (the first {rows:,} rows of the CSV into a"
          f" third organization with the same DNC list, {job['created']:,} leads created, in"
          f" {seconds:.1f} s): the database's time by statement (`pg_stat_statements`; two batches"
          " are written at once, so it can exceed the wall time), and the importing process's"
          " own CPU.\n")
    print("| step | time | µs per row | share of the database's time |")
    print("|---|---:|---:|---:|")
    for k in order:
        v = max(ms.get(k, 0.0), 0.0)
        if v <= 0:
            continue
        print(f"| {labels[k]} | {v / 1000:.2f} s | {v * 1000 / rows:.1f} | {100 * v / total_ms:.0f}% |")
    print(f"| **the database, in all** | {total_ms / 1000:.2f} s | {total_ms * 1000 / rows:.1f} | 100% |")
    cpu = float(cpu_seconds)
    print(f"| the importing process: reading, parsing, validating (CPU) | {cpu:.2f} s |"
          f" {cpu * 1e6 / rows:.1f} | |")

    # pg_waldump --stats=record: "Type N (%) Record size (%) FPI size (%) Combined size (%)".
    groups = {}
    fpi_total = combined_total = 0
    for line in open(wal_path):
        m = re.match(r"^(\w+)/(\S+)\s+(\d+)\s+\(\s*[\d.]+\)\s+(\d+)\s+\(\s*[\d.]+\)\s+(\d+)\s+"
                     r"\(\s*[\d.]+\)\s+(\d+)", line)
        if not m:
            continue
        rmgr, kind = m.group(1), m.group(2)
        count, fpi, combined = int(m.group(3)), int(m.group(5)), int(m.group(6))
        heap = "heap records (rows, ON CONFLICT confirmations)"
        name = {"Heap": heap, "Heap2": heap, "Gin": "GIN indexes (tags, search)"}.get(rmgr)
        if rmgr == "Btree":
            name = "B-tree page splits" if kind.startswith("SPLIT") else "B-tree index entries"
        name = name or "other"
        g = groups.setdefault(name, [0, 0])
        g[0] += count
        g[1] += combined
        fpi_total += fpi
        combined_total += combined
    if combined_total:
        print(f"\nWAL written by it (`pg_waldump --stats`): {combined_total / 1e6:,.0f} MB,"
              f" {combined_total / rows:,.0f} bytes per row; full-page images"
              f" {100 * fpi_total / combined_total:.1f}% of it.\n")
        print("| WAL records | records | per row | MB | share |")
        print("|---|---:|---:|---:|---:|")
        for name, (count, size) in sorted(groups.items(), key=lambda kv: -kv[1][1]):
            print(f"| {name} | {count:,} | {count / rows:.1f} | {size / 1e6:,.0f} |"
                  f" {100 * size / combined_total:.0f}% |")


if __name__ == "__main__":
    main()
