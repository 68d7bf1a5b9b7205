#!/bin/sh
# bench-poll.sh — the poller against N synthetic feeds on a loopback nginx
# (issue 3).  Run from the repository root after `make`:
#
#     sh bench/bench-poll.sh
#
# Environment: BENCH_FEEDS (default 10000) feeds, a third each RSS 2.0, Atom
# 1.0 and JSON Feed; BENCH_BIG (default 100000, 0 skips) accounts for the
# memory run; BENCH_CONCURRENCY (default 64) for poll.concurrency,
# poll.per_host and curl's --parallel-max; BENCH_NGINX_WORKERS (default
# auto); BENCH_KEEP=1 keeps the temporary directory; BENCH_STRICT=1 makes a
# missed performance target fail the script (a wrong last update always
# does).
#
# Measured in one run: a cold cycle (`mediawatchd --once` on a new database:
# every feed new), a warm cycle (every account made due again: every feed
# 304), and `curl --parallel` fetching the same URLs to /dev/null as the
# ceiling; then one cycle over BENCH_BIG accounts (spread over the same
# feeds, each with its own URL) for the daemon's peak RSS.
set -eu

BUILD=${MEDIAWATCH_BUILD:-build}
N=${BENCH_FEEDS:-10000}
BIG=${BENCH_BIG:-100000}
CONC=${BENCH_CONCURRENCY:-64}
WORKERS=${BENCH_NGINX_WORKERS:-auto}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
GEN="$PY $HERE/genfeeds.py"
CTL=$BUILD/mediawatchctl
DAEMON=$BUILD/mediawatchd

# Targets of issue 3 on the 2-core reference machine with N = 10,000.
COLD_MIN=2000       # feeds/s
CEILING_MIN=25      # % of curl
WARM_MIN=5000       # feeds/s
RSS_MAX_MB=64       # with 100,000 accounts

say() { printf '%s\n' "$*"; }
die() { printf 'bench-poll: %s\n' "$*" >&2; exit 1; }

for f in "$CTL" "$DAEMON"; do
	[ -x "$f" ] || die "$f is missing; run make first"
done
[ -x "$PY" ] || die "$PY is missing"
command -v curl >/dev/null 2>&1 || die "curl is missing (apt-get install curl)"

NGINX=$(command -v nginx 2>/dev/null || true)
[ -n "$NGINX" ] || [ ! -x /usr/sbin/nginx ] || NGINX=/usr/sbin/nginx
if [ -z "$NGINX" ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		say "== installing nginx-light"
		DEBIAN_FRONTEND=noninteractive apt-get install -y nginx-light >/dev/null
		NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
	else
		die "nginx is missing; install it with: sudo apt-get install nginx-light"
	fi
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/mediawatch-bench.XXXXXX")
NGINX_PID=
cleanup() {
	rc=$?
	trap - EXIT INT TERM
	if [ -n "$NGINX_PID" ]; then
		kill -QUIT "$NGINX_PID" 2>/dev/null || true
		wait "$NGINX_PID" 2>/dev/null || true
	fi
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		say "bench-poll: kept $TMP"
	else
		rm -rf "$TMP"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# nginx's workers drop to nobody when we are root: they must reach the files
chmod 755 "$TMP"

PORT=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT

say "== poll: $N feeds, concurrency $CONC, per_host $CONC, big run $BIG accounts"
say "   daemon $DAEMON ($(uname -m), $(nproc) cores); nginx $("$NGINX" -v 2>&1 | sed 's/.*\///')"

# --- feeds and nginx ------------------------------------------------------
t0=$(date +%s)
$GEN generate "$TMP" "$N" "$BASE" "$BIG"
say "   generated $N feeds ($(du -sh "$TMP/www" | cut -f1)) in $(($(date +%s) - t0)) s"

mkdir -p "$TMP/tmp"
if [ "$(id -u)" = 0 ]; then USER_LINE="user nobody nogroup;"; else USER_LINE=; fi
sed -e "s|@PREFIX@|$TMP|g" -e "s|@PORT@|$PORT|g" -e "s|@WORKERS@|$WORKERS|g" \
    -e "s|@USER@|$USER_LINE|" "$HERE/nginx.conf.in" > "$TMP/nginx.conf"
"$NGINX" -p "$TMP" -c "$TMP/nginx.conf" -e "$TMP/error.log" &
NGINX_PID=$!
i=0
until curl -sf -o /dev/null "$BASE/f/000000.rss"; do
	i=$((i + 1))
	if [ $i -ge 50 ] || ! kill -0 "$NGINX_PID" 2>/dev/null; then
		cat "$TMP/error.log" >&2 2>/dev/null || true
		die "nginx did not start"
	fi
	sleep 0.1
done
etag=$(curl -sI "$BASE/f/000000.rss" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')
code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$BASE/f/000000.rss")
[ "$code" = 304 ] || die "nginx answers $code, not 304, to a matching ETag"

# --- the daemon's configuration and registry ------------------------------
write_conf() {   # FILE DATABASE
	cat > "$1" <<EOF
database = "$2";
state_dir = "$TMP/state";
timezone = "Asia/Shanghai";
poll = {
	interval = "1h";
	jitter = 10;
	concurrency = $CONC;
	per_host = $CONC;
	timeout = "30s";
	connect_timeout = "10s";
};
EOF
}
mkdir -p "$TMP/state"
write_conf "$TMP/bench.conf" "$TMP/bench.db"

register() {     # CONF CSV COUNT
	"$CTL" -c "$1" unit add BENCH 基准测试单位 >/dev/null
	t0=$(date +%s)
	"$CTL" -c "$1" account import "$2" >/dev/null
	say "   registered $3 accounts in $(($(date +%s) - t0)) s"
}
register "$TMP/bench.conf" "$TMP/accounts.csv" "$N"

# --- measuring ------------------------------------------------------------
# measure NAME CMD…: leaves "elapsed user sys maxrss_kb" in $TMP/NAME.time
measure() {
	name=$1
	shift
	$GEN measure "$TMP/$name.time" "$@" 2>"$TMP/$name.log" ||
		{ tail -20 "$TMP/$name.log" >&2; die "$name: $* failed"; }
}
field() { cut -d' ' -f"$2" "$TMP/$1.time"; }
rate() { awk -v n="$2" -v t="$(field "$1" 1)" 'BEGIN { printf "%.0f", n / t }'; }
cpu_ms() { awk -v n="$2" -v u="$(field "$1" 2)" -v s="$(field "$1" 3)" \
    'BEGIN { printf "%.3f", (u + s) * 1000 / n }'; }
rss_mb() { awk -v k="$(field "$1" 4)" 'BEGIN { printf "%.1f", k / 1024 }'; }
report() {       # NAME COUNT LABEL
	printf '   %-8s %7.2f s  %7s feeds/s  CPU %6s ms/feed (user %s s, sys %s s)  max RSS %6s MB\n' \
	    "$3" "$(field "$1" 1)" "$(rate "$1" "$2")" "$(cpu_ms "$1" "$2")" \
	    "$(field "$1" 2)" "$(field "$1" 3)" "$(rss_mb "$1")"
}
cycle_line() { grep -o 'poll cycle:.*' "$TMP/$1.log" | tail -1 || true; }
# A measured cycle counts only if it did the whole job: no warning or error
# in its log, and its evaluation ran.  Prints the two phases' times.
phases() {       # NAME
	bad=$(grep -E ': (warning|error|fatal): ' "$TMP/$1.log" || true)
	if [ -n "$bad" ]; then
		printf '%s\n' "$bad" | head -5 | sed 's/^/   LOGGED: /'
		say "   $1: the cycle logged $(printf '%s\n' "$bad" | wc -l) warnings or errors"
		FAIL=1
	fi
	poll_s=$(sed -n 's/.*poll cycle: .* in \([0-9.]*\) s$/\1/p' "$TMP/$1.log" | tail -1)
	eval_s=$(sed -n 's/.*evaluation: .* in \([0-9.]*\) s$/\1/p' "$TMP/$1.log" | tail -1)
	if [ -z "$eval_s" ]; then
		say "   $1: the cycle's evaluation did not run"
		FAIL=1
		eval_s=-
	fi
	say "   phases: poll ${poll_s:--} s, evaluation $eval_s s"
	eval "${1}_poll=\${poll_s:-0} ${1}_eval=\$eval_s"
}
verify() {       # DB EXPECTED: every last_update_at as the generator said
	if $GEN verify "$1" "$2" > "$TMP/verify.out"; then :; else FAIL=1; fi
	sed 's/^/   last update: /' "$TMP/verify.out"
}

FAIL=0
MISSED=

# the ceiling, before and after the daemon's cycles; the better one counts
say "== curl --parallel --parallel-max $CONC (ceiling)"
measure curl1 curl -s --parallel --parallel-max "$CONC" -K "$TMP/curl.conf"
report curl1 "$N" "curl"

say "== cold cycle (every feed new)"
measure cold "$DAEMON" -c "$TMP/bench.conf" -d -v --once
report cold "$N" "cold"
say "   $(cycle_line cold); statuses $($GEN status "$TMP/bench.db")"
phases cold
verify "$TMP/bench.db" "$TMP/expected.tsv"

say "== warm cycle (every feed 304)"
"$CTL" -c "$TMP/bench.conf" poll >/dev/null
measure warm "$DAEMON" -c "$TMP/bench.conf" -d -v --once
report warm "$N" "warm"
say "   $(cycle_line warm); statuses $($GEN status "$TMP/bench.db")"
phases warm
verify "$TMP/bench.db" "$TMP/expected.tsv"

say "== curl again"
measure curl2 curl -s --parallel --parallel-max "$CONC" -K "$TMP/curl.conf"
report curl2 "$N" "curl"
CEIL=curl1
[ "$(rate curl2 "$N")" -le "$(rate curl1 "$N")" ] || CEIL=curl2

# --- the memory run --------------------------------------------------------
if [ "$BIG" -gt 0 ]; then
	say "== $BIG accounts over the same $N feeds (cold cycle, for peak RSS)"
	write_conf "$TMP/big.conf" "$TMP/big.db"
	register "$TMP/big.conf" "$TMP/accounts-big.csv" "$BIG"
	measure big "$DAEMON" -c "$TMP/big.conf" -d -v --once
	report big "$BIG" "big"
	say "   $(cycle_line big); statuses $($GEN status "$TMP/big.db")"
	phases big
	verify "$TMP/big.db" "$TMP/expected-big.tsv"
	say "   database $(du -h "$TMP/big.db" | cut -f1)"
fi

# --- verdict ----------------------------------------------------------------
check() {        # LABEL VALUE OP LIMIT UNIT
	if awk -v v="$2" -v l="$4" "BEGIN { exit !(v $3 l) }"; then
		printf '   %-28s %10s %s (target %s %s)  ok\n' "$1" "$2" "$5" "$3" "$4"
	else
		printf '   %-28s %10s %s (target %s %s)  MISSED\n' "$1" "$2" "$5" "$3" "$4"
		MISSED="$MISSED $1"
	fi
}
COLD_RATE=$(rate cold "$N")
RATIO=$(awk -v c="$COLD_RATE" -v m="$(rate "$CEIL" "$N")" \
    'BEGIN { printf "%.1f", 100 * c / m }')
WARM_RATIO=$(awk -v c="$(rate warm "$N")" -v m="$(rate "$CEIL" "$N")" \
    'BEGIN { printf "%.1f", 100 * c / m }')
say "== summary (N = $N; ceiling $(rate "$CEIL" "$N") feeds/s)"
check "cold feeds/s" "$COLD_RATE" ">=" "$COLD_MIN" "/s"
check "cold / curl ceiling" "$RATIO" ">=" "$CEILING_MIN" "%"
say "   cold CPU $(cpu_ms cold "$N") ms/feed, max RSS $(rss_mb cold) MB"
check "warm feeds/s" "$(rate warm "$N")" ">=" "$WARM_MIN" "/s"
say "   warm CPU $(cpu_ms warm "$N") ms/feed, max RSS $(rss_mb warm) MB, $WARM_RATIO % of the ceiling"
if [ "$BIG" -gt 0 ]; then
	check "max RSS, $BIG accounts" "$(rss_mb big)" "<=" "$RSS_MAX_MB" "MB"
	say "   big cycle $(field big 1) s, $(rate big "$BIG") feeds/s, CPU $(cpu_ms big "$BIG") ms/feed"
fi
if [ "$FAIL" = 1 ]; then
	say "bench-poll: FAILED: a cycle logged errors, skipped its evaluation or left a wrong last update (see above)"
	exit 1
fi
if [ -n "$MISSED" ]; then
	say "bench-poll: targets missed:$MISSED"
	[ "${BENCH_STRICT:-0}" = 1 ] && exit 1
fi
exit 0
