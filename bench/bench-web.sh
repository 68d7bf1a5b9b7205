#!/bin/sh
# bench-web.sh — the console's dashboard and account list with 100,000
# accounts (issue 16), measured with wrk on loopback.  From the repository
# root after `make`:
#
#     sh bench/bench-web.sh
#
# Environment: BENCH_ACCOUNTS (default 100000) accounts over BENCH_UNITS
# (default 1000) units; BENCH_SECONDS (default 15) per measurement;
# BENCH_CONNECTIONS (default 8) kept open by wrk's 2 threads; BENCH_KEEP=1
# keeps the temporary directory; BENCH_STRICT=1 makes a missed target fail
# the script (an error response always does).
#
# The database is made as mediawatchd would leave it after an evaluation
# (every account with a state and a fetch result, the stale and dormant
# ones with a problem), then each page is requested for BENCH_SECONDS by a
# logged-in client: the dashboard, the first page of the ledger and a page
# deep in it (OFFSET 50,000), a search, and the dashboard and ledger again
# while a writer commits every 200 ms as mediawatchd does when it polls;
# the whole round three times.  The server's resident memory must not grow
# from the second round to the third (the first fills SQLite's and the
# allocator's caches).  The targets are for the dashboard and
# the ledger's first page; the deep page and the search are shown too.
set -eu

BUILD=${MEDIAWATCH_BUILD:-build}
N=${BENCH_ACCOUNTS:-100000}
UNITS=${BENCH_UNITS:-1000}
SECS=${BENCH_SECONDS:-15}
CONNS=${BENCH_CONNECTIONS:-8}
PY=/usr/bin/python3
WEB=$BUILD/mediawatch-web
CTL=$BUILD/mediawatchctl

RPS_MIN=200         # requests/s on the 2-core reference machine
P50_MAX_MS=50       # median latency
RSS_GROWTH_MAX_KB=4096

say() { printf '%s\n' "$*"; }
die() { printf 'bench-web: %s\n' "$*" >&2; exit 1; }

for f in "$WEB" "$CTL"; do
	[ -x "$f" ] || die "$f is missing; run make first"
done
command -v wrk >/dev/null 2>&1 || die "wrk is missing (make deps)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/mediawatch-bench-web.XXXXXX")
PID=
cleanup() {
	[ -z "$PID" ] || kill "$PID" 2>/dev/null || true
	[ -z "$PID" ] || wait "$PID" 2>/dev/null || true
	[ "${BENCH_KEEP:-0}" = 1 ] && say "kept $TMP" || rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

PORT=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$TMP/mediawatch.conf" <<CONF
database = "$TMP/mw.db";
state_dir = "$TMP";
web = { listen = "127.0.0.1:$PORT"; };
CONF

say "== a database of $N accounts in $UNITS units"
t0=$(date +%s.%N)
"$CTL" -c "$TMP/mediawatch.conf" unit add U0000 单位0000 >/dev/null
printf 'bench-password-1\n' | "$CTL" -c "$TMP/mediawatch.conf" user add bench \
    --role admin >/dev/null
$PY - "$TMP/mw.db" "$N" "$UNITS" <<'PYEOF'
import random, sqlite3, sys, time
db, n, units = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
now = int(time.time())
random.seed(16)
platforms = ["wechat", "weibo", "douyin", "toutiao", "kuaishou", "bilibili",
             "website"]
con = sqlite3.connect(db)
con.executemany("INSERT INTO unit (code, name, created_at) VALUES (?, ?, ?)",
                ((f"U{u:04d}", f"单位{u:04d}", now) for u in range(1, units)))
ids = [r[0] for r in con.execute("SELECT id FROM unit ORDER BY id")]
states = (["fresh"] * 70 + ["warning"] * 12 + ["stale"] * 8 + ["dormant"] * 5
          + ["unverified"] * 5)
accounts, st, fs, pr = [], [], [], []
for i in range(1, n + 1):
    unit = ids[i % len(ids)]
    state = random.choice(states)
    age = {"fresh": 2, "warning": 9, "stale": 20, "dormant": 120,
           "unverified": 3}[state] + random.randint(0, 3)
    accounts.append((i, unit, platforms[i % len(platforms)], f"政务账号{i:06d}",
                     f"uid{i:06d}", f"https://rss.example.gov.cn/{i}.xml",
                     now - 400 * 86400, now - age * 86400))
    st.append((i, state, now - 86400))
    failing = i % 97 == 0
    fs.append((i, now - 1800, 404 if failing else 200,
               "HTTP 404" if failing else None, 4 if failing else 0,
               int(failing)))
    if state in ("stale", "dormant"):
        pr.append((i, unit, state, f"已{age}天未更新", now - (age - 14) * 86400,
                   now - (age - 28) * 86400))
con.executemany("INSERT INTO account (id, unit_id, platform, name, platform_uid,"
                " feed_url, created_at, last_update_at) VALUES (?, ?, ?, ?, ?,"
                " ?, ?, ?)", accounts)
con.executemany("INSERT INTO account_state (account_id, state, since)"
                " VALUES (?, ?, ?)", st)
con.executemany("INSERT INTO feed_state (account_id, last_fetch_at, last_status,"
                " last_error, consecutive_failures, failing) VALUES (?, ?, ?, ?,"
                " ?, ?)", fs)
con.executemany("INSERT INTO problem (account_id, unit_id, kind, detail,"
                " opened_at, opened_by, due_at) VALUES (?, ?, ?, ?, ?,"
                " 'mediawatchd', ?)", pr)
con.commit()
con.execute("ANALYZE")
con.close()
PYEOF
t1=$(date +%s.%N)
say "   made in $(echo "$t1 - $t0" | bc 2>/dev/null || echo "?") s"

"$WEB" -c "$TMP/mediawatch.conf" > "$TMP/web.log" 2>&1 &
PID=$!
COOKIE=$($PY - "$PORT" <<'PYEOF'
import http.client, re, sys, time, urllib.parse
port = int(sys.argv[1])
for _ in range(200):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.request("GET", "/login")
        r = c.getresponse()
        page = r.read().decode()
        break
    except OSError:
        time.sleep(0.05)
login = r.getheader("Set-Cookie").split(";")[0]
token = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
c.request("POST", "/login", urllib.parse.urlencode(
    {"csrf": token, "name": "bench", "password": "bench-password-1"}),
    {"Cookie": login, "Content-Type": "application/x-www-form-urlencoded"})
r = c.getresponse()
r.read()
assert r.status == 303, r.status
print([v for k, v in r.getheaders() if k == "Set-Cookie"][0].split(";")[0])
PYEOF
)
[ -n "$COOKIE" ] || die "cannot log in"

rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$PID/status"; }

failed=0
missed=0
# run NAME PATH [shown]: a page measured against the targets, or only shown
run() {
	name=$1 path=$2 target=${3:-target}
	# warm-up, then the measurement
	wrk -t2 -c"$CONNS" -d3s -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT$path" >/dev/null
	out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -H "Cookie: $COOKIE" \
	    "http://127.0.0.1:$PORT$path")
	rps=$(printf '%s\n' "$out" | awk '/^Requests\/sec:/ { print $2 }')
	p50=$(printf '%s\n' "$out" | awk '$1 == "50%" { v = $2;
	    if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 }
	    else if (v ~ /ms$/) sub(/ms$/, "", v);
	    else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }
	    printf "%.2f", v }')
	bad=$(printf '%s\n' "$out" | awk '/Non-2xx or 3xx responses:/ { print $5 }')
	errs=$(printf '%s\n' "$out" | awk '/Socket errors:/ { print }')
	printf '%-44s %9s req/s   median %7s ms   RSS %s kB\n' "$name" "$rps" "$p50" "$(rss_kb)"
	if [ -n "$bad" ] || [ -n "$errs" ]; then
		printf '%s\n' "$out"
		say "   FAILED: error responses"
		failed=1
	fi
	if [ "$target" = target ] && awk -v r="$rps" -v m="$RPS_MIN" \
	    -v p="$p50" -v q="$P50_MAX_MS" 'BEGIN { exit !(r < m || p > q) }'; then
		say "   missed: at least $RPS_MIN req/s and at most $P50_MAX_MS ms median"
		missed=1
	fi
}

say "== $SECS s per page, $CONNS connections, logged in"
say "   target: at least $RPS_MIN requests/s with a median of at most $P50_MAX_MS ms"
rss0=$(rss_kb)
round() {
	run "dashboard /$1" "/"
	run "ledger, first page$1" "/accounts"
	run "ledger, page 1000$1" "/accounts?page=1000" shown
	run "ledger, search by name$1" "/accounts?q=%E8%B4%A6%E5%8F%B7012345" shown
	# mediawatchd commits its poll results in batches, at most 200 ms
	# apart: the dashboard counts again after them (at most every 10 s)
	$PY - "$TMP/mw.db" "$((SECS * 2 + 8))" <<'PYEOF' &
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], timeout=30)
end = time.monotonic() + float(sys.argv[2])
i = 0
while time.monotonic() < end:
    i += 1
    con.execute("UPDATE feed_state SET last_fetch_at = last_fetch_at + 1"
                " WHERE account_id = ?", (i % 1000 + 1,))
    con.commit()
    time.sleep(0.2)
PYEOF
	writer=$!
	run "dashboard /, commits every 200 ms$1" "/"
	run "ledger, first page, the same$1" "/accounts"
	wait "$writer"
}
round ""
rss1=$(rss_kb)
round " (2)"
rss2=$(rss_kb)
round " (3)"
rss3=$(rss_kb)
growth=$((rss3 - rss2))
say "== memory: $rss0 kB at start, $rss1 kB after one round, $rss2 kB after two, $rss3 kB after three (growth $growth kB from the second to the third)"
if [ "$growth" -gt "$RSS_GROWTH_MAX_KB" ]; then
	say "   FAILED: memory grows"
	failed=1
fi
grep -E "ERROR|runtime error|LeakSanitizer" "$TMP/web.log" && failed=1
[ "$failed" = 0 ] || die "failed"
if [ "$missed" = 1 ] && [ "${BENCH_STRICT:-0}" = 1 ]; then
	die "a target was missed"
fi
say "bench-web: done"
