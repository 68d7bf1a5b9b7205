#!/bin/sh
# bench-scale.sh — the evaluation and the admin commands at N accounts
# with a year of history, and mail delivery after an evaluation that
# alerts 500 units (issue 12).  Run from the repository root after `make`:
#
#     sh bench/bench-scale.sh          (or: make bench-scale)
#
# Environment: BENCH_SCALE_SIZES (default "10000 100000"; BENCH_HUGE=1 adds
# 500000) registry sizes; BENCH_SCALE_RUNS (default 3) runs of each admin
# command, the median counts; BENCH_MAIL_UNITS (default 500) units alerted
# in the mail run, BENCH_SMTP_DELAY (default 0.05) seconds the loopback
# SMTP server takes per message; BENCH_KEEP=1 keeps the temporary
# directory; BENCH_STRICT=1 makes a missed target fail the script;
# BENCH_SCALE_PREBUILT=DIR uses DIR/scale-N.db, built before by
# `scale.py build DB N 1795140000`, instead of building it (a 500,000
# account history takes about 25 minutes and 37 GB; the run evaluates
# it, so build it again for a next run).  A run
# that fails, or a daemon run that logs a warning or an error or skips its
# evaluation, always fails it.
#
# For each size, bench/scale.py builds the database a year of hourly
# polling and evaluation would leave (posts under the default retention,
# state changes, thousands of problems opened and closed, a year of mail
# and monthly notices).  Then, with the clock set to an hour after the
# last evaluation (MEDIAWATCH_NOW): the cold evaluation (`mediawatchd
# --once`: reminders, transitions, the daily digest; nothing is due for
# polling) and the warm one 30 s later (nothing changes), then each admin
# command.
set -eu

BUILD=${MEDIAWATCH_BUILD:-build}
SIZES=${BENCH_SCALE_SIZES:-10000 100000}
[ "${BENCH_HUGE:-0}" = 1 ] && SIZES="$SIZES 500000"
RUNS=${BENCH_SCALE_RUNS:-3}
MAIL_UNITS=${BENCH_MAIL_UNITS:-500}
SMTP_DELAY=${BENCH_SMTP_DELAY:-0.05}
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
SCALE="$PY $HERE/scale.py"
CTL=$BUILD/mediawatchctl
DAEMON=$BUILD/mediawatchd
# 2026-11-20 10:00 in Asia/Shanghai: a Friday, the daily digest due
NOW=1795140000

# Targets of issue 12 on the 2-core reference machine.
EVAL_MAX_PER_100K=1.0   # s of evaluation per 100,000 accounts
CMD_MAX=1.0             # s per admin command at 100,000 accounts
CMD_MAX_HUGE=3.0        # at 500,000
MAIL_MIN=20             # messages/s

say() { printf '%s\n' "$*"; }
die() { printf 'bench-scale: %s\n' "$*" >&2; exit 1; }

for f in "$CTL" "$DAEMON"; do
	[ -x "$f" ] || die "$f is missing; run make first"
done
[ -x "$PY" ] || die "$PY is missing"
$PY -c 'import aiosmtpd' 2>/dev/null ||
	die "aiosmtpd is missing (apt-get install python3-aiosmtpd)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/mediawatch-scale.XXXXXX")
SMTP_PID=
cleanup() {
	rc=$?
	trap - EXIT INT TERM
	if [ -n "$SMTP_PID" ]; then
		kill "$SMTP_PID" 2>/dev/null || true
		wait "$SMTP_PID" 2>/dev/null || true
	fi
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		say "bench-scale: kept $TMP"
	else
		rm -rf "$TMP"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

MISSED=
# failures are noted in a file: most happen in command substitutions
failed() { : > "$TMP/failed"; }

write_conf() {   # FILE DATABASE [MAIL BLOCK]
	cat > "$1" <<EOF
database = "$2";
state_dir = "$TMP/state";
timezone = "Asia/Shanghai";
mail = {
	from = "mediawatch@example.gov.cn";
	admins = [ "dzzw@example.gov.cn" ];
	${3:-}
};
EOF
}
mkdir -p "$TMP/state"

# q DB SQL: the first column of the first row
q() { $PY -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$1" "$2"; }

# A daemon run counts only if it did its whole job: no warning or error
# logged, and its evaluation ran.  Prints the evaluation's seconds.
eval_seconds() { # LOG
	bad=$(grep -E ': (warning|error|fatal): ' "$1" || true)
	if [ -n "$bad" ]; then
		printf '%s\n' "$bad" | head -5 | sed 's/^/   LOGGED: /' >&2
		failed
	fi
	s=$(sed -n 's/.*evaluation: .* in \([0-9.]*\) s$/\1/p' "$1" | tail -1)
	if [ -z "$s" ]; then
		say "   $1: the evaluation did not run" >&2
		failed
		s=-
	fi
	printf '%s' "$s"
}

evaluate() {     # NAME CONF NOW
	if MEDIAWATCH_NOW=$3 "$DAEMON" -c "$2" -d -v --once \
	    2>"$TMP/$1.log" >/dev/null; then :; else
		tail -5 "$TMP/$1.log" >&2
		say "   $1: mediawatchd exited with an error" >&2
		failed
	fi
	grep -o 'evaluation: .*' "$TMP/$1.log" | tail -1 | sed 's/^/   /' >&2
	eval_seconds "$TMP/$1.log"
}

# timed NAME CMD…: the median of RUNS runs, in seconds, or "-" on failure
timed() {
	name=$1
	shift
	if MEDIAWATCH_NOW=$NOW $SCALE time "$TMP/$name.time" "$RUNS" "$@" \
	    2>"$TMP/$name.err"; then
		cut -d' ' -f1 "$TMP/$name.time"
	else
		sed 's/^/   /' "$TMP/$name.err" >&2
		failed
		printf -- -
	fi
}

check() {        # LABEL VALUE OP LIMIT UNIT
	if [ "$2" != - ] && awk -v v="$2" -v l="$4" "BEGIN { exit !(v $3 l) }"; then
		printf '   %-36s %10s %s (target %s %s)  ok\n' "$1" "$2" "$5" "$3" "$4"
	else
		printf '   %-36s %10s %s (target %s %s)  MISSED\n' "$1" "$2" "$5" "$3" "$4"
		MISSED="$MISSED $1;"
	fi
}

COMMANDS="status problem_list account_list account_show report bulletin notice_issue export"
ROWS=
say "== scale: sizes $SIZES, $RUNS runs per command ($(uname -m), $(nproc) cores)"
for N in $SIZES; do
	db=$TMP/scale-$N.db
	prebuilt=${BENCH_SCALE_PREBUILT:+$BENCH_SCALE_PREBUILT/scale-$N.db}
	[ -n "$prebuilt" ] && [ -f "$prebuilt" ] && db=$prebuilt || prebuilt=
	conf=$TMP/scale-$N.conf
	write_conf "$conf" "$db"
	if [ -n "$prebuilt" ]; then
		say "== $N accounts: the year of history built before in $db"
	else
		"$CTL" -c "$conf" status >/dev/null
		say "== $N accounts: building a year of history"
		$SCALE build "$db" "$N" "$NOW" > "$TMP/build-$N" ||
			die "building $N accounts failed"
		sed 's/^/   /' "$TMP/build-$N"
	fi
	$SCALE sizes "$db" "$N" > "$TMP/sizes-$N" || die "sizes failed"
	sed 's/^/   /' "$TMP/sizes-$N"
	bpa=$(sed -n 's/.*bytes, \([0-9]*\) bytes per account/\1/p' "$TMP/sizes-$N")
	open=$(q "$db" "SELECT count(*) FROM problem WHERE closed_at IS NULL")
	say "   $open problems open"

	say "== $N accounts: evaluation"
	cold=$(evaluate "cold-$N" "$conf" "$NOW")
	warm=$(evaluate "warm-$N" "$conf" "$((NOW + 30))")
	say "   cold $cold s, warm $warm s"

	say "== $N accounts: admin commands (median of $RUNS)"
	unit=$(q "$db" "SELECT u.code FROM unit u JOIN problem p ON p.unit_id = u.id AND p.closed_at IS NULL GROUP BY u.id ORDER BY count(*) DESC LIMIT 1")
	acct=$((N / 2))
	c=$CTL
	t_status=$(timed "status-$N" "$c" -c "$conf" status)
	t_problem_list=$(timed "plist-$N" "$c" -c "$conf" problem list)
	t_account_list=$(timed "alist-$N" "$c" -c "$conf" account list --unit "$unit")
	t_account_show=$(timed "ashow-$N" "$c" -c "$conf" account show "$acct")
	t_report=$(timed "report-$N" "$c" -c "$conf" report --out "$TMP/report-$N.html")
	t_bulletin=$(timed "bulletin-$N" "$c" -c "$conf" bulletin preview --previous-month --format html --out "$TMP/bulletin-$N.html")
	t_notice_issue=$(timed "notice-$N" "$c" -c "$conf" notice issue --unit "$unit" --format docx --out "$TMP/notice-$N.docx")
	t_export=$(timed "export-$N" "$c" -c "$conf" account export --out "$TMP/export-$N.csv")
	for k in $COMMANDS; do
		eval "v=\$t_$k"
		printf '   %-14s %s s\n' "$k" "$v"
	done
	say "   report $(wc -c < "$TMP/report-$N.html") bytes, bulletin $(wc -c < "$TMP/bulletin-$N.html") bytes"
	ROWS="$ROWS$N $cold $warm $t_status $t_problem_list $t_account_list $t_account_show $t_report $t_bulletin $t_notice_issue $t_export $bpa
"
	[ "${BENCH_KEEP:-0}" = 1 ] || [ -n "$prebuilt" ] ||
		rm -f "$db" "$db-wal" "$db-shm"
done

# --- mail: an evaluation alerting MAIL_UNITS units, delivered over SMTP -----
say "== mail: $MAIL_UNITS units alerted, SMTP on loopback (${SMTP_DELAY} s per message)"
$SCALE smtp "$TMP/smtp.port" "$TMP/smtp.stats" "$SMTP_DELAY" &
SMTP_PID=$!
i=0
until [ -s "$TMP/smtp.port" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] && kill -0 "$SMTP_PID" 2>/dev/null || die "the SMTP server did not start"
	sleep 0.1
done
write_conf "$TMP/mail.conf" "$TMP/mail.db" "transport = \"smtp\";
	url = \"smtp://127.0.0.1:$(cat "$TMP/smtp.port")\";"
"$CTL" -c "$TMP/mail.conf" status >/dev/null
$SCALE quiet "$TMP/mail.db" "$MAIL_UNITS" 2 "$NOW"
MAIL_RATE=-
if MEDIAWATCH_NOW=$NOW $SCALE deliver "$TMP/mail.out" "$DAEMON" \
    -c "$TMP/mail.conf" -d -v --once; then
	MAIL_RATE=$(cut -d' ' -f3 "$TMP/mail.out")
	say "   $(cut -d' ' -f1 "$TMP/mail.out") messages in $(cut -d' ' -f2 "$TMP/mail.out") s: $MAIL_RATE messages/s"
else
	failed
fi
kill -USR1 "$SMTP_PID"
i=0
until [ -s "$TMP/smtp.stats" ] || [ $i -ge 50 ]; do i=$((i + 1)); sleep 0.1; done
set -- $(cat "$TMP/smtp.stats" 2>/dev/null || echo "- - - -")
say "   the server took $1 messages over $2 connections, at most $3 open and $4 in transfer at once"
queued=$(q "$TMP/mail.db" "SELECT count(*) FROM outbox WHERE status != 'sent'")
[ "$queued" = 0 ] || { say "   $queued messages were not sent"; failed; }

# --- the table and the verdict -------------------------------------------------
say "== summary (seconds; median of $RUNS runs for the commands)"
printf '%8s %6s %6s %6s %7s %7s %7s %6s %8s %6s %6s %9s\n' N "eval" "eval" \
    status problem account account report bulletin notice export "DB bytes"
printf '%8s %6s %6s %6s %7s %7s %7s %6s %8s %6s %6s %9s\n' "" cold warm \
    "" list "list -u" show "" month issue "" "/account"
printf '%s' "$ROWS" | while read -r n cold warm s1 s2 s3 s4 s5 s6 s7 s8 b; do
	printf '%8s %6s %6s %6s %7s %7s %7s %6s %8s %6s %6s %9s\n' \
	    "$n" "$cold" "$warm" "$s1" "$s2" "$s3" "$s4" "$s5" "$s6" "$s7" "$s8" "$b"
done
say "   mail delivery after alerting $MAIL_UNITS units: $MAIL_RATE messages/s"

printf '%s' "$ROWS" > "$TMP/rows"
while read -r n cold warm s1 s2 s3 s4 s5 s6 s7 s8 b; do
	lim=$(awk -v n="$n" -v l="$EVAL_MAX_PER_100K" 'BEGIN { printf "%.2f", l * (n > 100000 ? n : 100000) / 100000 }')
	check "evaluation cold, $n" "$cold" "<=" "$lim" s
	check "evaluation warm, $n" "$warm" "<=" "$lim" s
	[ "$n" -ge 100000 ] || continue
	cmax=$CMD_MAX
	[ "$n" -lt 500000 ] || cmax=$CMD_MAX_HUGE
	set -- $s1 $s2 $s3 $s4 $s5 $s6 $s7 $s8
	for k in $COMMANDS; do
		check "$k, $n" "$1" "<=" "$cmax" s
		shift
	done
done < "$TMP/rows"
check "mail delivery" "$MAIL_RATE" ">=" "$MAIL_MIN" "msg/s"

if [ -e "$TMP/failed" ]; then
	say "bench-scale: FAILED: a run failed or logged warnings or errors (see above)"
	exit 1
fi
if [ -n "$MISSED" ]; then
	say "bench-scale: targets missed:$MISSED"
	[ "${BENCH_STRICT:-0}" = 1 ] && exit 1
fi
exit 0
