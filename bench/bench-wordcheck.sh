#!/bin/sh
# bench-wordcheck.sh — the wording check against 10,000 patterns and 100 MB
# of generated Chinese text (issue 7).  Run from the repository root after
# `make`:  sh bench/bench-wordcheck.sh [patterns [megabytes]]
set -e

BUILD=${MEDIAWATCH_BUILD:-build}
PKGS="libcurl jansson sqlite3 libconfig libsystemd libxml-2.0"

if [ ! -f "$BUILD/libmediawatch.a" ]; then
	echo "bench-wordcheck: $BUILD/libmediawatch.a is missing; run make first" >&2
	exit 1
fi
mkdir -p "$BUILD/bench"
${CC:-cc} -std=gnu11 -O2 -g -Idaemon $(pkg-config --cflags $PKGS) \
	-o "$BUILD/bench/wordcheck_bench" bench/wordcheck_bench.c \
	"$BUILD/libmediawatch.a" $(pkg-config --libs $PKGS) -lm
echo "== wordcheck: ${1:-10000} patterns, ${2:-100} MB of text, one core"
"$BUILD/bench/wordcheck_bench" "$@"
