#!/bin/sh
# Installs the Debian packages mediawatch needs to build, test and run its demo.
# As root it runs apt-get; otherwise it prints the command to run.
set -e
# What `make && make install` needs: the compiler and the -dev packages of
# the Makefile's pkg-config list (tests/systemd/nspawn.py installs exactly
# these in the Debian tree it boots, so keep them on these lines).
BUILD_PACKAGES="gcc libc6-dev make pkg-config tzdata
libcurl4-openssl-dev libjansson-dev libsqlite3-dev libconfig-dev
libsystemd-dev libxml2-dev libzip-dev libxlsxwriter-dev libssl-dev
libmicrohttpd-dev libgnutls28-dev libargon2-dev"
# What the tests, the demo, the fuzzers and the benchmarks need besides.
TEST_PACKAGES="libcmocka-dev sqlite3 python3 python3-pytest python3-aiosmtpd
mandoc systemd systemd-container debootstrap
chromium fonts-noto-cjk clang-14 libclang-rt-14-dev llvm-14
python3-docx libreoffice-writer-nogui poppler-utils
python3-openpyxl libreoffice-calc-nogui
postfix sasl2-bin openssl
python3-selenium chromium-driver wrk"
PACKAGES="$BUILD_PACKAGES $TEST_PACKAGES"

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = "installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "mediawatch needs these Debian packages:$missing" >&2
	echo "run: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# postfix is for the tests, which run their own instance from a private
# configuration: "No configuration" writes no /etc/postfix/main.cf, so no
# system MTA starts (postfix.service needs that file) or takes port 25
case " $missing " in
*" postfix "*)
	echo "postfix postfix/main_mailer_type select No configuration" |
	    debconf-set-selections ;;
esac
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing
