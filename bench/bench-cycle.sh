#!/bin/sh
# bench-cycle.sh — whole monitoring cycles (poll, evaluation, mail queued)
# of N accounts against feeds served by nginx on loopback (issue 12).  Run
# from the repository root after `make` (`make bench` does both):
#
#     sh bench/bench-cycle.sh
#
# For each size N: N accounts in BENCH_UNITS units (each unit with an email
# address) are registered in a new database; account j polls feed j mod
# BENCH_FEEDS at its own URL.  Then, measured in the same run:
#   - the ceiling: `curl --parallel --parallel-max BENCH_CONCURRENCY`
#     fetching the same N URLs to /dev/null, best of BENCH_CEILING_RUNS;
#   - the cold cycle: `mediawatchd --once` on the new database (every feed
#     new: 20 posts stored per account, problems opened, mail queued and
#     delivered to a Maildir);
#   - the warm cycle: `mediawatchctl poll`, then `mediawatchd --once` again
#     (every feed 304, the problems of the cold cycle still open).
# Each cycle gives its poll and evaluation phases (the daemon's "poll
# cycle:" and "evaluation:" log lines), its CPU and peak RSS; the database's
# bytes per account are taken after the warm cycle.  The feeds' newest
# posts are of mixed age: 60 % of the accounts fresh, 10 % warning, 20 %
# stale, 10 % dormant (bench/genfeeds.py, AGES).
#
# The script FAILS (exit 1) when a measured cycle logged a warning, an error
# or a fatal message, did not run its evaluation, exited non-zero or was
# stopped at BENCH_CYCLE_TIMEOUT, or left any account's last update other
# than the generator's.  Missed speed targets are listed; they fail the
# script only with BENCH_STRICT=1.
#
# Knobs (environment):
#   BENCH_SIZES          account counts to run (default "10000 100000")
#   BENCH_HUGE=1         adds 500000 to the sizes
#   BENCH_FEEDS          distinct feed documents served (default 10000)
#   BENCH_UNITS          units the accounts belong to (default 50)
#   BENCH_CONCURRENCY    poll.concurrency, poll.per_host and curl's
#                        --parallel-max (default 64)
#   BENCH_CEILING_RUNS   curl runs per size, the best counts (default 3)
#   BENCH_CYCLE_RUNS     cold and warm cycles per size up to 100,000
#                        accounts, the best counts, as for the ceiling
#                        (default 3; larger sizes run each cycle once)
#   BENCH_CYCLE_TIMEOUT  seconds a cycle may take before it is stopped and
#                        the run fails (default 600)
#   BENCH_ADMIN          admin commands to time after the warm cycle, each
#                        "LABEL=ARGS" (ARGS split on blanks, given to
#                        mediawatchctl -c CONF), separated by ";"; each
#                        becomes a column of the table (default: status,
#                        problem list, account list --unit, account show,
#                        report, the month's bulletin and account export;
#                        "" for none).  bench-scale.sh times them again on
#                        a registry with a year of history.
#   BENCH_ADMIN_RUNS     runs of each admin command, the median counts
#                        (default 3)
#   BENCH_NGINX_WORKERS  nginx worker_processes (default auto)
#   BENCH_BASE           Unix time the feeds' dates count back from
#                        (default yesterday 00:00 UTC; see genfeeds.py)
#   BENCH_STRICT=1       a missed target fails the script too
#   BENCH_KEEP=1         keeps the temporary directory (databases, logs)
#   MEDIAWATCH_BUILD     where mediawatchd and mediawatchctl are (build)
#   TMPDIR               where the temporary directory goes (a 100,000-
#                        account database takes about 1 GB, 500,000 5 GB)
set -eu

BUILD=${MEDIAWATCH_BUILD:-build}
SIZES=${BENCH_SIZES:-10000 100000}
[ "${BENCH_HUGE:-0}" = 1 ] && SIZES="$SIZES 500000"
FEEDS=${BENCH_FEEDS:-10000}
UNITS=${BENCH_UNITS:-50}
CONC=${BENCH_CONCURRENCY:-64}
CEILING_RUNS=${BENCH_CEILING_RUNS:-3}
CYCLE_RUNS=${BENCH_CYCLE_RUNS:-3}
ADMIN_RUNS=${BENCH_ADMIN_RUNS:-3}
TIMEOUT=${BENCH_CYCLE_TIMEOUT:-600}
WORKERS=${BENCH_NGINX_WORKERS:-auto}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
GEN="$PY $HERE/genfeeds.py"
CTL=$BUILD/mediawatchctl
DAEMON=$BUILD/mediawatchd

# Targets of issue 12 on the 2-core reference machine.
CEILING_COLD=25     # % of the curl ceiling, whole cold cycle, N = 10,000
CEILING_WARM=50     # % of the curl ceiling, whole warm cycle, N = 10,000
GROWTH_MAX=1.5      # per-account cost at 100,000 over that at 10,000
EVAL_PER_100K=1     # seconds of evaluation per 100,000 accounts
RSS_100K=64         # MB peak, 100,000 accounts
RSS_500K=128        # MB peak, 500,000 accounts
ADMIN_100K=1        # seconds per admin command, 100,000 accounts
ADMIN_500K=3        # seconds per admin command, 500,000 accounts

say() { printf '%s\n' "$*"; }
die() { printf 'bench-cycle: %s\n' "$*" >&2; exit 1; }

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
		say "bench-cycle: kept $TMP"
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

# The admin commands timed after each size's warm cycle: the registry has
# no history yet, but every problem of the cold cycle is open (30 % of the
# accounts).  The bulletin is the month in progress, which monitoring began
# in (Asia/Shanghai, the configured zone).
MONTH=$(TZ=Asia/Shanghai date +%Y-%m)
: "${BENCH_ADMIN=status=status;problem_list=problem list;account_list=account list --unit U001;account_show=account show 1;report=report --out $TMP/report.html;bulletin=bulletin preview --month $MONTH --format html --out $TMP/bulletin.html;export=account export --out $TMP/export.csv}"

PORT=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT

say "== whole cycles: $(echo "$SIZES" | sed 's/ /, /g') accounts in $UNITS units over $FEEDS feeds, concurrency $CONC"
say "   daemon $DAEMON ($(uname -m), $(nproc) cores); nginx $("$NGINX" -v 2>&1 | sed 's/.*\///'); $(date -u '+%Y-%m-%d %H:%M UTC')"

# --- feeds and nginx ------------------------------------------------------
t0=$(date +%s)
$GEN feeds "$TMP" "$FEEDS" "$BASE"
say "   generated $FEEDS feeds ($(du -sh "$TMP/www" | cut -f1)) in $(($(date +%s) - t0)) s"

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
code=$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$BASE/f/000000.rss?a=0")
[ "$code" = 304 ] || die "nginx answers $code, not 304, to a matching ETag"

# --- helpers ----------------------------------------------------------------
FAIL=0
MISSED=

# fmt_int 100000 → 100,000
fmt_int() {
	awk -v n="$1" 'BEGIN { s = sprintf("%d", n); r = ""
		while (length(s) > 3) { r = "," substr(s, length(s) - 2) r
			s = substr(s, 1, length(s) - 3) }
		print s r }'
}
calc() { awk "BEGIN { printf \"$1\", $2 }"; }

write_conf() {   # DIR
	mkdir -p "$1/state"
	cat > "$1/bench.conf" <<EOF
database = "$1/bench.db";
state_dir = "$1/state";
timezone = "Asia/Shanghai";
poll = {
	interval = "1h";
	jitter = 10;
	concurrency = $CONC;
	per_host = $CONC;
	timeout = "30s";
	connect_timeout = "10s";
};
mail = {
	transport = "maildir";
	from = "mediawatch@bench.example.gov.cn";
	admins = [ "dzzw@bench.example.gov.cn" ];
};
EOF
}

register() {     # DIR N
	t0=$(date +%s)
	tab=$(printf '\t')
	while IFS=$tab read -r ucode uname uemail; do
		"$CTL" -c "$1/bench.conf" unit add "$ucode" "$uname" \
		    --email "$uemail" >/dev/null
	done < "$1/units.tsv"
	"$CTL" -c "$1/bench.conf" account import "$1/accounts.csv" \
	    > "$1/import.log" 2>&1 || { tail -5 "$1/import.log" >&2; die "import failed"; }
	say "   registered $(fmt_int "$2") accounts in $UNITS units in $(($(date +%s) - t0)) s"
}

# measure DIR NAME LIMIT CMD…: "elapsed user sys maxrss_kb status" in
# DIR/NAME.time, the command's output in DIR/NAME.out and DIR/NAME.log
measure() {
	dir=$1 name=$2 limit=$3
	shift 3
	$GEN measure "$dir/$name.time" "$limit" "$@" >"$dir/$name.out" \
	    2>"$dir/$name.log" || true
}
field() { cut -d' ' -f"$3" "$1/$2.time"; }

# ceiling DIR N: the best of CEILING_RUNS curl runs, in feeds/s
ceiling() {
	best=0
	k=0
	while [ $k -lt "$CEILING_RUNS" ]; do
		k=$((k + 1))
		measure "$1" "curl$k" 0 curl -s --parallel --parallel-max "$CONC" \
		    -K "$1/curl.conf"
		[ "$(field "$1" "curl$k" 5)" = 0 ] || die "curl failed: $(tail -3 "$1/curl$k.log")"
		r=$(calc '%.0f' "$2 / $(field "$1" "curl$k" 1)")
		[ "$r" -le "$best" ] || best=$r
		printf '   curl run %d: %s s, %s feeds/s\n' "$k" "$(field "$1" "curl$k" 1)" "$r"
	done
	echo "$best" > "$1/ceiling"
}

# The facts of one cycle, in DIR/NAME.facts as shell assignments:
# poll_s eval_s loop_cpu reader_cpu total_s cpu rss_mb status.  A cycle
# counts only if it did the whole job: no warning or error in its log, its
# evaluation ran, it ended by itself with status 0.
cycle_facts() {  # DIR NAME
	log=$1/$2.log
	bad=$(grep -E ': (warning|error|fatal): ' "$log" || true)
	if [ -n "$bad" ]; then
		printf '%s\n' "$bad" | head -5 | sed 's/^/   LOGGED: /'
		say "   $2: the cycle logged $(printf '%s\n' "$bad" | wc -l) warnings or errors"
		FAIL=1
	fi
	pl=$(grep -o 'poll cycle: .*' "$log" | tail -1 || true)
	poll_s=$(printf '%s' "$pl" | sed -n 's/.* in \([0-9.]*\) s,.*/\1/p')
	loop_cpu=$(printf '%s' "$pl" | sed -n 's/.*CPU \([0-9.]*\) s in the loop.*/\1/p')
	reader_cpu=$(printf '%s' "$pl" | sed -n 's/.* and \([0-9.]*\) s reading feeds.*/\1/p')
	eval_s=$(sed -n 's/.*evaluation: .* in \([0-9.]*\) s$/\1/p' "$log" | tail -1)
	status=$(field "$1" "$2" 5)
	if [ "$status" = stopped ]; then
		say "   $2: stopped after $TIMEOUT s (BENCH_CYCLE_TIMEOUT)"
		FAIL=1
	elif [ "$status" != 0 ]; then
		tail -5 "$log" | sed 's/^/   /'
		say "   $2: mediawatchd exited $status"
		FAIL=1
	fi
	if [ -z "$poll_s" ]; then
		say "   $2: the poll cycle did not end"
		FAIL=1
	fi
	if [ -z "$eval_s" ]; then
		say "   $2: the cycle's evaluation did not run"
		FAIL=1
	fi
	cat > "$1/$2.facts" <<EOF
poll_s=${poll_s:--} eval_s=${eval_s:--} loop_cpu=${loop_cpu:-0} reader_cpu=${reader_cpu:-0}
total_s=$(field "$1" "$2" 1) cpu=$(calc '%.2f' "$(field "$1" "$2" 2) + $(field "$1" "$2" 3)")
rss_mb=$(calc '%.1f' "$(field "$1" "$2" 4) / 1024") status=$status
EOF
}

cycle() {        # DIR N NAME: one measured `mediawatchd --once`
	measure "$1" "$3" "$TIMEOUT" "$DAEMON" -c "$1/bench.conf" -d -v --once
	cycle_facts "$1" "$3"
	. "$1/$3.facts"
	say "   $3: $total_s s in all: poll ${poll_s} s (CPU ${loop_cpu} s loop, ${reader_cpu} s reading), evaluation ${eval_s} s; CPU $cpu s; peak RSS $rss_mb MB"
	say "   $3: $($GEN status "$1/bench.db")"
	if $GEN verify "$1/bench.db" "$1/expected.tsv" > "$1/verify.out"; then :; else FAIL=1; fi
	sed 's/^/   last update: /' "$1/verify.out"
}

# cycles DIR N NAME: the cycle NAME run RUNS times (1 above 100,000
# accounts), each on the database as registered (cold) or after
# `mediawatchctl poll` (warm); every run is checked, the fastest becomes
# NAME, as the best curl run is the ceiling.
cycles() {
	runs=$CYCLE_RUNS
	[ "$2" -le 100000 ] || runs=1
	best= k=0 all=
	while [ $k -lt "$runs" ]; do
		k=$((k + 1))
		if [ "$3" = cold ]; then
			cp "$1/registered.db" "$1/bench.db"
			rm -f "$1/bench.db-wal" "$1/bench.db-shm"
			rm -rf "$1/state" && mkdir -p "$1/state"
		else
			"$CTL" -c "$1/bench.conf" poll >/dev/null
		fi
		cycle "$1" "$2" "$3$k"
		t=$(field "$1" "$3$k" 1)
		all="$all $t"
		if [ -z "$best" ] || awk -v a="$t" -v b="$(field "$1" "$best" 1)" \
		    'BEGIN { exit !(a < b) }'; then
			best=$3$k
		fi
	done
	for f in time facts log; do cp "$1/$best.$f" "$1/$3.$f"; done
	[ "$runs" = 1 ] || say "   $3: the best of$all s is $(field "$1" "$3" 1) s (median $(printf '%s\n' $all | sort -n | sed -n "$(( (runs + 1) / 2 ))p") s)"
}

# The admin commands of BENCH_ADMIN, each run ADMIN_RUNS times after the
# warm cycle, the median counting (as in bench-scale.sh): the first run
# may find the database's pages gone from memory, which a machine shared
# with other work does to files left alone for a minute.  DIR/admin.tsv
# gets "LABEL<TAB>seconds" (or "over N s (stopped)", or "failed").
admin_commands() {   # DIR
	: > "$1/admin.tsv"
	[ -n "${BENCH_ADMIN:-}" ] || return 0
	printf '%s\n' "$BENCH_ADMIN" | tr ';' '\n' | while IFS= read -r entry; do
		[ -n "$entry" ] || continue
		label=${entry%%=*}
		args=${entry#*=}
		secs= all= k=0
		while [ $k -lt "$ADMIN_RUNS" ] && [ -z "$secs" ]; do
			k=$((k + 1))
			# shellcheck disable=SC2086  # ARGS are split on blanks
			measure "$1" "admin-$label" "$TIMEOUT" "$CTL" -c "$1/bench.conf" $args
			st=$(field "$1" "admin-$label" 5)
			if [ "$st" = 0 ]; then
				all="$all $(field "$1" "admin-$label" 1)"
			elif [ "$st" = stopped ]; then
				secs="over $TIMEOUT s (stopped)"
			else
				secs="failed"
				tail -3 "$1/admin-$label.log" | sed 's/^/   /'
			fi
		done
		[ -n "$secs" ] || secs="$(printf '%s\n' $all | sort -n | sed -n "$(( (ADMIN_RUNS + 1) / 2 ))p") s"
		printf '%s\t%s\n' "$label" "$secs" >> "$1/admin.tsv"
		say "   $label: $secs${all:+ (runs:$all s)}"
	done
	# the loop ran in a subshell: its failures are in admin.tsv
	! grep -qE '	(failed|over )' "$1/admin.tsv" || FAIL=1
}

# Mail delivery (issue 12: after an evaluation that alerts 500 units, the
# outbox delivers >= 20 messages/s to a loopback SMTP server) is measured
# here, per size, once it is written: a function mail_delivery DIR N that
# leaves "messages/s" in DIR/mail, shown in the summary below.

# --- one size ----------------------------------------------------------------
run_size() {     # N
	n=$1
	dir=$TMP/n$n
	say ""
	say "== $(fmt_int "$n") accounts"
	$GEN ledger "$dir" "$n" "$FEEDS" "$BASE" "$UNITS"
	write_conf "$dir"
	register "$dir" "$n"
	# mediawatchctl leaves no log behind: the file is the whole database
	[ ! -s "$dir/bench.db-wal" ] || die "a log was left after registering"
	cp "$dir/bench.db" "$dir/registered.db"
	ceiling "$dir" "$n"
	say "   ceiling: $(cat "$dir/ceiling") feeds/s"
	say "-- cold cycle (a new database: every feed new)"
	cycles "$dir" "$n" cold
	rm -f "$dir/registered.db"
	say "-- warm cycle (mediawatchctl poll, then every feed 304)"
	cycles "$dir" "$n" warm
	$GEN dbsize "$dir/bench.db" > "$dir/dbsize"
	say "   database $(calc '%.0f' "$(cat "$dir/dbsize") / $n") bytes per account"
	admin_commands "$dir"
	# the database goes: 500,000 accounts take 5 GB
	[ "${BENCH_KEEP:-0}" = 1 ] || rm -f "$dir/bench.db" "$dir/bench.db-wal" "$dir/bench.db-shm"
}

for n in $SIZES; do
	run_size "$n"
done

# --- the tables -----------------------------------------------------------
fact() {         # N NAME VAR
	(. "$TMP/n$1/$2.facts"; eval "printf '%s' \"\$$3\"")
}
secs() {         # N NAME VAR: a phase's seconds, or why there are none
	v=$(fact "$1" "$2" "$3")
	case $v in
	-)	if [ "$(fact "$1" "$2" status)" = stopped ]; then
			printf 'over %s s (stopped)' "$TIMEOUT"
		else
			printf '—'
		fi ;;
	*)	printf '%s s' "$v" ;;
	esac
}
whole() {        # N NAME CEILING: a whole cycle's time and rate
	if [ "$(fact "$1" "$2" status)" = stopped ]; then
		printf 'over %s s (stopped)' "$TIMEOUT"
		return
	fi
	t=$(fact "$1" "$2" total_s)
	printf '%s s, %s/s = %s %%' "$t" "$(fmt_int "$(calc '%.0f' "$1 / $t")")" \
	    "$(calc '%.0f' "100 * $1 / $t / $3")"
}
poll_cpu() {     # N NAME: the poll phase's CPU per account, in ms
	calc '%.3f' "($(fact "$1" "$2" loop_cpu) + $(fact "$1" "$2" reader_cpu)) * 1000 / $1"
}
admin_labels=$(cat "$TMP"/n*/admin.tsv 2>/dev/null | cut -f1 | awk '!seen[$0]++' | tr '\n' ' ')

say ""
say "== the table of issue 12 ($(date -u '+%Y-%m-%d'), sh bench/bench-cycle.sh)"
say ""
hdr="| accounts | poll cold | evaluation cold | poll warm | evaluation warm |"
sep="|---|---|---|---|---|"
for l in $admin_labels; do hdr="$hdr \`$l\` |"; sep="$sep---|"; done
say "$hdr"
say "$sep"
for n in $SIZES; do
	row="| $(fmt_int "$n") | $(secs "$n" cold poll_s) | $(secs "$n" cold eval_s) | $(secs "$n" warm poll_s) | $(secs "$n" warm eval_s) |"
	for l in $admin_labels; do
		v=$(awk -F'\t' -v l="$l" '$1 == l { print $2 }' "$TMP/n$n/admin.tsv")
		row="$row ${v:-—} |"
	done
	say "$row"
done
say ""
say "| accounts | curl ceiling | whole cold cycle | whole warm cycle | CPU per account, cold / warm: poll, whole | peak RSS | database per account |"
say "|---|---|---|---|---|---|---|"
for n in $SIZES; do
	ceil=$(cat "$TMP/n$n/ceiling")
	rss=$(calc '%.1f' "($(fact "$n" cold rss_mb) > $(fact "$n" warm rss_mb) ? $(fact "$n" cold rss_mb) : $(fact "$n" warm rss_mb))")
	say "| $(fmt_int "$n") | $(fmt_int "$ceil") feeds/s | $(whole "$n" cold "$ceil") | $(whole "$n" warm "$ceil") | $(poll_cpu "$n" cold) / $(poll_cpu "$n" warm) ms, $(calc '%.3f' "$(fact "$n" cold cpu) * 1000 / $n") / $(calc '%.3f' "$(fact "$n" warm cpu) * 1000 / $n") ms | $rss MB | $(fmt_int "$(calc '%.0f' "$(cat "$TMP/n$n/dbsize") / $n")") bytes |"
done

# --- verdict ----------------------------------------------------------------
check() {        # LABEL VALUE OP LIMIT UNIT
	case $2 in -|'') printf '   %-44s %10s (target %s %s %s)  MISSED\n' "$1" "—" "$3" "$4" "$5"
		MISSED="$MISSED
   $1"; return ;; esac
	if awk -v v="$2" -v l="$4" "BEGIN { exit !(v $3 l) }"; then
		printf '   %-44s %10s %s (target %s %s)  ok\n' "$1" "$2" "$5" "$3" "$4"
	else
		printf '   %-44s %10s %s (target %s %s)  MISSED\n' "$1" "$2" "$5" "$3" "$4"
		MISSED="$MISSED
   $1"
	fi
}
ratio() {        # N NAME FIELD: % of the ceiling
	v=$(fact "$1" "$2" "$3")
	[ "$(fact "$1" "$2" status)" != stopped ] || v=-
	case $v in -) printf -- '-' ;; *) calc '%.1f' "100 * $1 / $v / $(cat "$TMP/n$1/ceiling")" ;; esac
}
growth() {       # NAME FIELD: per-account cost at 100,000 over 10,000
	a=$(fact 10000 "$1" "$2") b=$(fact 100000 "$1" "$2")
	case "$a$b" in *-*) printf -- '-' ;; *) calc '%.2f' "($b / 100000) / ($a / 10000)" ;; esac
}
has_size() { case " $SIZES " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

say ""
say "== targets"
if has_size 10000; then
	check "whole cold cycle / ceiling, 10,000" "$(ratio 10000 cold total_s)" ">=" "$CEILING_COLD" "%"
	check "whole warm cycle / ceiling, 10,000" "$(ratio 10000 warm total_s)" ">=" "$CEILING_WARM" "%"
	check "poll cold / ceiling, 10,000" "$(ratio 10000 cold poll_s)" ">=" "$CEILING_COLD" "%"
	check "poll warm / ceiling, 10,000" "$(ratio 10000 warm poll_s)" ">=" "$CEILING_WARM" "%"
fi
for n in $SIZES; do
	for c in cold warm; do
		e=$(fact "$n" "$c" eval_s)
		check "evaluation $c per 100,000, $(fmt_int "$n")" "$(case $e in -) echo - ;; *) calc '%.2f' "$e * 100000 / $n" ;; esac)" "<=" "$EVAL_PER_100K" "s"
	done
done
if has_size 10000 && has_size 100000; then
	for c in cold warm; do
		check "poll $c per account, 100k / 10k" "$(growth "$c" poll_s)" "<=" "$GROWTH_MAX" "x"
		check "evaluation $c per account, 100k / 10k" "$(growth "$c" eval_s)" "<=" "$GROWTH_MAX" "x"
		check "CPU $c per account, 100k / 10k" "$(growth "$c" cpu)" "<=" "$GROWTH_MAX" "x"
	done
fi
for n in 100000 500000; do
	has_size $n || continue
	limit=$RSS_100K
	[ $n = 500000 ] && limit=$RSS_500K
	for c in cold warm; do
		check "peak RSS $c, $(fmt_int $n)" "$(fact $n $c rss_mb)" "<=" "$limit" "MB"
	done
done
# The admin commands: 1 s each at 100,000 accounts, 3 s at 500,000
for n in 100000 500000; do
	has_size $n || continue
	limit=$ADMIN_100K
	[ $n = 500000 ] && limit=$ADMIN_500K
	for l in $admin_labels; do
		v=$(awk -F'\t' -v l="$l" '$1 == l { print $2 }' "$TMP/n$n/admin.tsv" |
		    sed -n 's/^\([0-9.]*\) s$/\1/p')
		check "$l, $(fmt_int $n)" "${v:--}" "<=" "$limit" "s"
	done
done

if [ "$FAIL" = 1 ]; then
	say "bench-cycle: FAILED: a cycle logged a warning or an error, did not finish, skipped its evaluation or left a wrong last update (see above)"
	exit 1
fi
if [ -n "$MISSED" ]; then
	say "bench-cycle: targets missed:$MISSED"
	[ "${BENCH_STRICT:-0}" = 1 ] && exit 1
fi
exit 0
