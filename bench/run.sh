#!/bin/sh
# run.sh — `make bench`: every bench/bench-*.sh in turn, from the repository
# root.  One failing benchmark does not stop the others; the exit status
# says whether any failed.
cd "$(dirname "$0")/.." || exit 1
failed=
for b in bench/bench-*.sh; do
	[ -f "$b" ] || continue
	printf '\n######## %s\n' "$b"
	sh "$b" || failed="$failed $b"
done
if [ -n "$failed" ]; then
	printf '\nbench: failed:%s\n' "$failed" >&2
	exit 1
fi
printf '\nbench: all benchmarks ran\n'
