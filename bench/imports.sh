#!/usr/bin/env bash
# Import benchmark: a CSV of BENCH_IMPORT_ROWS rows (default 1,000,000; 2% invalid, 5%
# repeating an earlier row's phone, 1% on the organization's DNC list) imported with
# `leadline import`, against a raw COPY of the same file into an unindexed table; the same
# file again into a second, new organization; then an XLSX of BENCH_XLSX_ROWS rows (default
# 100,000); then the first BENCH_BREAKDOWN_ROWS rows (default 200,000) once more into a third
# organization, timed statement by statement with the WAL it wrote (import_breakdown.py).
# Prints a Markdown section and, unless
# BENCH_RESULTS=-, writes it into bench/RESULTS.md between the imports markers.
# Usage: bench/imports.sh path/to/leadline
set -euo pipefail
bin=$(readlink -f "$1")
here=$(cd "$(dirname "$0")" && pwd)
rows=${BENCH_IMPORT_ROWS:-1000000}
xlsx_rows=${BENCH_XLSX_ROWS:-100000}
work=$(mktemp -d /tmp/leadline-bench-imports-XXXXXX)
chmod 755 "$work"
pid=""
log() { echo "bench imports: $*" >&2; }
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
  [ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT
unset DATABASE_URL
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

"$bin" migrate up --data-dir "$work/var" >/dev/null 2>>"$work/log"
org=$("$bin" org create --name Bench --admin-email bench@bench.test --admin-password bench-pass-1 \
  --data-dir "$work/var" 2>>"$work/log" | json '["organization_id"]')

log "generating $rows CSV rows and $xlsx_rows XLSX rows"
python3 - "$work" "$rows" "$xlsx_rows" <<'PY'
import random, sys, zipfile
work, rows, xrows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(7)
first = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "Ana", "Wei"]
last = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Nguyen", "Kim"]
def phone(i):  # distinct valid NANP numbers
    return "(%03d) %03d-%04d" % (206 + (i // 8000000) * 100, 200 + (i // 10000) % 800, i % 10000)
dnc = open(work + "/dnc.txt", "w")
with open(work + "/leads.csv", "w", newline="") as f:
    f.write("First Name,Last Name,Email,Phone Number,Company,Tags,Lead Score\r\n")
    for i in range(rows):
        r = rnd.random()
        p = phone(i)
        if r < 0.02:
            p = "555-01"  # invalid
        elif r < 0.07 and i > 10:
            p = phone(rnd.randrange(0, i))  # a duplicate of an earlier row
        elif r < 0.08:
            dnc.write("+1" + "".join(c for c in p if c.isdigit()) + "\n")
        fn, ln = rnd.choice(first), rnd.choice(last)
        f.write('%s,%s,%s.%s%d@example.com,%s,"%s, Inc",%s,%d\r\n' % (
            fn, ln, fn.lower(), ln.lower(), i, p, ln, rnd.choice(["hot", "web;fair", "referral"]),
            rnd.randrange(0, 101)))
dnc.close()
# A minimal workbook with inline strings (what exporters write when streaming).
with zipfile.ZipFile(work + "/leads.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
    z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Leads" sheetId="1" r:id="rId1"/></sheets></workbook>')
    z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
    out = ['<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
    def cell(v, num=False):
        return '<c t="n"><v>%s</v></c>' % v if num else '<c t="inlineStr"><is><t>%s</t></is></c>' % v
    out.append("<row>" + "".join(cell(h) for h in ["First Name", "Last Name", "Email", "Phone"]) + "</row>")
    for i in range(xrows):
        fn, ln = rnd.choice(first), rnd.choice(last)
        out.append("<row>" + cell(fn) + cell(ln) + cell("x%d@example.org" % i) +
                   cell("1%d" % (4252000000 + i), num=True) + "</row>")
    out.append("</sheetData></worksheet>")
    z.writestr("xl/worksheets/sheet1.xml", "".join(out))
PY
csv_mb=$(python3 -c "import os; print('%.0f' % (os.path.getsize('$work/leads.csv') / 1e6))")
xlsx_mb=$(python3 -c "import os; print('%.1f' % (os.path.getsize('$work/leads.xlsx') / 1e6))")

# Keep the cluster up for the whole run (the CLI and psql reach it through its socket).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start_server() {
  "$bin" serve --port "$port" --data-dir "$work/var" >"$work/serve.out" 2>>"$work/log" &
  pid=$!
  for _ in $(seq 1 150); do grep -q "running at" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
}
stop_server() {
  kill -TERM "$pid"
  wait "$pid" || true
  pid=""
}
start_server
"$bin" dnc load "$work/dnc.txt" --org "$org" --data-dir "$work/var" >/dev/null 2>>"$work/log"
dnc_numbers=$(wc -l <"$work/dnc.txt")

log "leadline import of $rows rows ($csv_mb MB)"
csv_json=$("$bin" import "$work/leads.csv" --org "$org" --data-dir "$work/var" 2>>"$work/log")
log "$csv_json"
log "raw COPY of the same file"
pg=(-h "$work/var/run" -p 5432 -U postgres leadline)
psql -X -q -v ON_ERROR_STOP=1 "${pg[@]}" -c \
  "CREATE TABLE raw_copy (first_name text, last_name text, email text, phone text, company text, tags text, score text)"
copy_start=$(date +%s.%N)
psql -X -q -v ON_ERROR_STOP=1 "${pg[@]}" -c "\\copy raw_copy FROM '$work/leads.csv' WITH (FORMAT csv, HEADER true)"
copy_s=$(python3 -c "print('%.2f' % ($(date +%s.%N) - $copy_start))")
# The database's own floor for what an import writes: the same rows (new phones and emails)
# inserted into leads with one INSERT ... SELECT, with its indexes and history triggers, in a
# transaction that is rolled back. FLOOR_ROWS rows, scaled to the file.
floor_rows=$(( rows < 100000 ? rows : 100000 ))
log "database floor: INSERT ... SELECT of $floor_rows rows into leads"
floor_ms=$(psql -X -q -v ON_ERROR_STOP=1 "${pg[@]}" <<SQL | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1
BEGIN;
SELECT set_config('app.organization_id', '$org', true), set_config('app.change_source', 'import', true);
\\timing on
INSERT INTO leads (organization_id, first_name, last_name, email, phone, company, tags, lead_score)
SELECT '$org', first_name, last_name, 'floor.' || lower(email), '+447' || lpad(n::text, 9, '0'),
       company, string_to_array(tags, ';'), least(greatest(score::int, 0), 100)
FROM (SELECT r.*, row_number() OVER () AS n FROM raw_copy r LIMIT $floor_rows) r;
\\timing off
ROLLBACK;
SQL
)
floor_s=$(python3 -c "print('%.2f' % ($floor_ms / 1000 * $rows / $floor_rows))")

# The same file into a second, new organization: the database now holds the first one's
# leads, and the planner's statistics have not seen the new organization yet.
org2=$("$bin" org create --name Bench2 --admin-email bench2@bench.test --admin-password bench-pass-1 \
  --data-dir "$work/var" 2>>"$work/log" | json '["organization_id"]')
log "leadline import of $rows rows into a second organization"
csv2_json=$("$bin" import "$work/leads.csv" --org "$org2" --data-dir "$work/var" 2>>"$work/log")
log "$csv2_json"

log "leadline import of $xlsx_rows XLSX rows ($xlsx_mb MB)"
xlsx_json=$("$bin" import "$work/leads.xlsx" --org "$org" --data-dir "$work/var" 2>>"$work/log")
log "$xlsx_json"

# Where the time goes: the first BENCH_BREAKDOWN_ROWS rows (default 200,000) into a third
# organization with the same DNC list, with statement statistics (pg_stat_statements, which
# needs a restart to load) and the WAL range the import wrote. A separate run, so the figures
# above are measured without the statistics' overhead.
breakdown_rows=${BENCH_BREAKDOWN_ROWS:-200000}
[ "$breakdown_rows" -le "$rows" ] || breakdown_rows=$rows
head -n $((breakdown_rows + 1)) "$work/leads.csv" >"$work/sample.csv"
stop_server
cat >>"$work/var/pgdata/postgresql.auto.conf" <<CONF
# bench/imports.sh: statement statistics and the WAL of the breakdown import
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = 'all'
wal_keep_size = '16GB'
CONF
start_server
org3=$("$bin" org create --name Bench3 --admin-email bench3@bench.test --admin-password bench-pass-1 \
  --data-dir "$work/var" 2>>"$work/log" | json '["organization_id"]')
"$bin" dnc load "$work/dnc.txt" --org "$org3" --data-dir "$work/var" >/dev/null 2>>"$work/log"
psql -X -q -v ON_ERROR_STOP=1 "${pg[@]}" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" \
  -c "SELECT pg_stat_statements_reset()" >/dev/null
wal_start=$(psql -X -At -v ON_ERROR_STOP=1 "${pg[@]}" -c "SELECT pg_current_wal_lsn()")
log "leadline import of $breakdown_rows rows with statement statistics"
# The import's own CPU: it is the child here, while PostgreSQL belongs to the server.
breakdown_out=$(python3 - "$bin" "$work/sample.csv" "$org3" "$work/var" "$work/log" <<'PY'
import resource, subprocess, sys
bin, path, org, data, log = sys.argv[1:6]
with open(log, "a") as err:
    out = subprocess.run([bin, "import", path, "--org", org, "--data-dir", data],
                         stdout=subprocess.PIPE, stderr=err, check=True, text=True).stdout
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f %s" % (usage.ru_utime + usage.ru_stime, out.strip()))
PY
)
breakdown_cpu=${breakdown_out%% *}
breakdown_json=${breakdown_out#* }
log "$breakdown_json"
wal_end=$(psql -X -At -v ON_ERROR_STOP=1 "${pg[@]}" -c "SELECT pg_current_wal_lsn()")
psql -X -At -F $'\t' -v ON_ERROR_STOP=1 "${pg[@]}" -c \
  "SELECT total_exec_time, toplevel, regexp_replace(query, '\s+', ' ', 'g') FROM pg_stat_statements" \
  >"$work/statements.tsv"
pgbin=${LEADLINE_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
"$pgbin/pg_waldump" -p "$work/var/pgdata/pg_wal" -s "$wal_start" -e "$wal_end" --stats=record \
  >"$work/walstats.txt" 2>>"$work/log" || log "pg_waldump failed; no WAL figures"
breakdown=$(python3 "$here/import_breakdown.py" "$work/statements.tsv" "$work/walstats.txt" \
  "$breakdown_json" "$breakdown_cpu")

section=$(python3 - "$csv_json" "$xlsx_json" "$csv2_json" "$copy_s" "$rows" "$xlsx_rows" "$csv_mb" "$xlsx_mb" "$dnc_numbers" "$floor_s" "$floor_rows" <<'PY'
import json, sys, datetime, os, platform, subprocess
c, x, c2 = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
copy_s, rows, xrows, csv_mb, xlsx_mb, dnc = float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), sys.argv[7], sys.argv[8], sys.argv[9]
floor_s, floor_rows = float(sys.argv[10]), int(sys.argv[11])
cpus = os.cpu_count()
mem = int(open("/proc/meminfo").readline().split()[1]) // 1024 // 1024
now = datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC")
ok = lambda b: "yes" if b else "no"
print(f"Run {now}; {cpus} CPUs, {mem} GB RAM; the import, PostgreSQL and the file share the machine.\n")
print("| import | rows | file | time | rows/s | peak RSS | created | skipped | failed | DNC-flagged | raw COPY | COPY / import | INSERT into leads | INSERT / import | target | met |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
print(f"| CSV, `leadline import` | {rows:,} | {csv_mb} MB | {c['seconds']:.1f} s | {c['rows_per_second']:,.0f} | {c['peak_rss_mb']} MB | {c['created']:,} | {c['skipped']:,} | {c['failed']:,} | {c['dnc_flagged']:,} | {copy_s:.1f} s | {100*copy_s/c['seconds']:.0f}% | {floor_s:.1f} s | {100*floor_s/c['seconds']:.0f}% | < 30 s | {ok(c['seconds'] < 30)} |")
print(f"| CSV, the same file into a second organization | {rows:,} | {csv_mb} MB | {c2['seconds']:.1f} s | {c2['rows_per_second']:,.0f} | {c2['peak_rss_mb']} MB | {c2['created']:,} | {c2['skipped']:,} | {c2['failed']:,} | {c2['dnc_flagged']:,} | | | | | < 30 s | {ok(c2['seconds'] < 30)} |")
print(f"| XLSX, `leadline import` | {xrows:,} | {xlsx_mb} MB | {x['seconds']:.1f} s | {x['rows_per_second']:,.0f} | {x['peak_rss_mb']} MB | {x['created']:,} | {x['skipped']:,} | {x['failed']:,} | {x['dnc_flagged']:,} | | | | | < 15 s | {ok(x['seconds'] < 15)} |")
print(f"\nThe CSV has 2% invalid phones, 5% rows repeating an earlier row's phone (skipped, policy `skip`) and {int(dnc):,} numbers on the organization's DNC list (flagged). Raw COPY: `\\copy` of the same file into an unindexed table of text columns, no validation. INSERT into leads: the database's own cost of writing those rows as leads (one `INSERT ... SELECT` from the copied table with new phones and emails, into `leads` with its indexes and history triggers, rolled back, on one connection; the import writes two batches at once, so it can take less), {floor_rows:,} rows timed and scaled to {rows:,}. The second organization is new beside the first one's {c['created']:,} leads (no DNC list of its own): the planner's statistics had not seen it when its import began. Peak RSS: up to three batches of 20,000 rows are in memory at once (one being read, two being written).")
PY
)
section="$section

$breakdown"
echo "$section"
results=${BENCH_RESULTS:-$here/RESULTS.md}
if [ "$results" != - ]; then
  python3 - "$results" "$section" <<'PY'
import sys, os
path, section = sys.argv[1], sys.argv[2]
text = open(path).read() if os.path.exists(path) else "# Leadline benchmark results\n"
begin, end = "<!-- imports:begin -->", "<!-- imports:end -->"
block = f"{begin}\n## Imports (`bench/imports.sh`)\n\n{section}\n{end}"
if begin in text:
    text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
else:
    text = text.rstrip("\n") + "\n\n" + block + "\n"
open(path, "w").write(text)
PY
  log "written to $results"
fi
