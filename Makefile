# mediawatch — build, test, install.
# Honours CFLAGS, LDFLAGS, PREFIX, DESTDIR.  DEVELOPER=1 adds -Werror and extra
# warnings; SAN=1 builds with AddressSanitizer and UndefinedBehaviorSanitizer,
# TSAN=1 with ThreadSanitizer.

PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
SBINDIR   ?= $(PREFIX)/sbin
MANDIR    ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR   ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d

CC        ?= cc
PKGS      := libcurl libcrypto jansson sqlite3 libconfig libsystemd libxml-2.0 libzip \
             xlsxwriter libmicrohttpd libargon2 gnutls
CFLAGS    ?= -O2 -g
PYTHON    := /usr/bin/python3
PYTEST    := $(PYTHON) -m pytest

MW_CFLAGS := -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wshadow -Wformat=2 \
             -Idaemon -Ibuild $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
MW_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -lpthread

ifeq ($(DEVELOPER),1)
MW_CFLAGS += -Werror -Wstrict-prototypes -Wmissing-prototypes
endif
ifeq ($(SAN),1)
SANFLAGS  := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
MW_CFLAGS += $(SANFLAGS)
LDFLAGS   += $(SANFLAGS)
BUILD     := build-san
# libconfig 1.5 leaks a token on some syntax errors; nothing of ours
export LSAN_OPTIONS := suppressions=$(CURDIR)/tests/lsan.supp
export UBSAN_OPTIONS := print_stacktrace=1:halt_on_error=1
else ifeq ($(TSAN),1)
# ThreadSanitizer, for the threads (poll/parse_worker.c, the SMTP workers,
# store/side.c); not part of `make check`: run it on the poll or the
# document tests, e.g.
#   make TSAN=1 integration-test TESTS=tests/integration/test_poller.py
# a race makes the program exit 66 and print the report on its stderr
SANFLAGS  := -fsanitize=thread -fno-omit-frame-pointer
MW_CFLAGS += $(SANFLAGS)
LDFLAGS   += $(SANFLAGS)
BUILD     := build-tsan
export TSAN_OPTIONS := halt_on_error=1:second_deadlock_stack=1
else
BUILD     := build
endif

LIB_SRC   := $(wildcard daemon/*/*.c)
HEADERS   := $(wildcard daemon/*/*.h)
LIB_OBJ   := $(patsubst daemon/%.c,$(BUILD)/obj/%.o,$(LIB_SRC)) \
             $(BUILD)/obj/sql_migrations.o $(BUILD)/obj/templates_builtin.o \
             $(BUILD)/obj/holidays_builtin.o $(BUILD)/obj/web_files.o
LIB       := $(BUILD)/libmediawatch.a
PROGS     := $(BUILD)/mediawatchd $(BUILD)/mediawatchctl $(BUILD)/mediawatch-web
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
# drivers the integration tests run (docx_sample); never installed
TEST_TOOLS := $(patsubst tests/tools/%.c,$(BUILD)/tests/%,$(wildcard tests/tools/*.c))
MIGRATIONS := $(sort $(wildcard sql/[0-9][0-9][0-9][0-9]_*.sql))
TEMPLATES := $(sort $(wildcard conf/templates/*.txt conf/templates/*.html conf/templates/chat-*.md))
# The console's page templates, style sheet and script, built in.
WEB_FILES := $(sort $(wildcard daemon/web/templates/*.html daemon/web/static/*))
HOLIDAYS  := $(sort $(wildcard conf/holidays/[0-9][0-9][0-9][0-9].txt))
EMBED_HOLIDAYS := awk -v header=base/holidays.h -v type=holiday_file \
             -v array=holiday_builtins -f mk/c_string.awk -f conf/templates/embed.awk

.PHONY: all deps check check-layout unit-test integration-test check-config-docs \
        demo bench bench-scale install uninstall clean

all: $(PROGS)

deps:
	@sh contrib/deps.sh

$(BUILD)/obj/%.o: daemon/%.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(MW_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/obj/sql_migrations.o: $(BUILD)/sql_migrations.c | $(BUILD)/obj
	$(CC) $(MW_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The list of migration files, rewritten only when it changes: a renamed
# or removed migration keeps its old time, so the files alone would not
# make the embedded list again.
$(BUILD)/sql_migrations.list: FORCE | $(BUILD)/obj
	@echo $(MIGRATIONS) | cmp -s - $@ || echo $(MIGRATIONS) > $@

$(BUILD)/sql_migrations.c: $(MIGRATIONS) $(BUILD)/sql_migrations.list sql/embed.awk mk/c_string.awk | $(BUILD)/obj
	awk -f mk/c_string.awk -f sql/embed.awk $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

# The default message templates, built in (mail.templates only overrides).
$(BUILD)/obj/templates_builtin.o: $(BUILD)/templates_builtin.c daemon/base/template.h | $(BUILD)/obj
	$(CC) $(MW_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/templates_builtin.c: $(TEMPLATES) conf/templates/embed.awk mk/c_string.awk | $(BUILD)/obj
	awk -f mk/c_string.awk -f conf/templates/embed.awk $(TEMPLATES) > $@.tmp && mv $@.tmp $@

# The holiday calendars, built in (calendar.dir only replaces or adds years).
$(BUILD)/obj/holidays_builtin.o: $(BUILD)/holidays_builtin.c daemon/base/holidays.h daemon/base/workdays.h | $(BUILD)/obj
	$(CC) $(MW_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/holidays_builtin.c: $(HOLIDAYS) conf/templates/embed.awk mk/c_string.awk | $(BUILD)/obj
	$(EMBED_HOLIDAYS) $(HOLIDAYS) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/web_files.o: $(BUILD)/web_files.c daemon/base/template.h | $(BUILD)/obj
	$(CC) $(MW_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/web_files.c: $(WEB_FILES) conf/templates/embed.awk mk/c_string.awk | $(BUILD)/obj
	awk -v array=web_files -f mk/c_string.awk -f conf/templates/embed.awk $(WEB_FILES) > $@.tmp && \
	    mv $@.tmp $@

$(BUILD)/obj $(BUILD)/tests:
	mkdir -p $@

$(LIB): $(LIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/%: $(BUILD)/obj/%.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB) $(MW_LIBS)

$(BUILD)/tests/test_%: tests/unit/test_%.c $(LIB) | $(BUILD)/tests
	$(CC) $(MW_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(MW_LIBS) -lcmocka

$(TEST_TOOLS): $(BUILD)/tests/%: tests/tools/%.c $(LIB) | $(BUILD)/tests
	$(CC) $(MW_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(MW_LIBS)

unit-test: $(UNIT_BIN)
	@failed=""; for t in $(UNIT_BIN); do echo "== $$t"; \
	    MEDIAWATCH_SRCDIR=$(CURDIR) $$t || failed="$$failed $$t"; done; \
	    if [ -n "$$failed" ]; then echo "failed:$$failed"; exit 1; fi

# TESTS narrows the integration tests (a file, or file::test); PYTEST_ARGS
# adds pytest options (-k, -x, …).
TESTS ?= tests/integration

# VALGRIND=1 runs the programs under valgrind (memcheck; any error or
# definite leak fails the test) on VALGRIND_TESTS, a subset that finishes
# in reasonable time.
VALGRIND_TESTS ?= tests/integration/test_registry.py tests/integration/test_poller.py \
	tests/integration/test_alerts.py -k "suspend_resume_close or \
	legacy_chinese_encodings or conditional_and_a_304 or gzip_encoded or \
	redirect_to_a_file or retry_after_sets or one_email_per_unit or \
	fresh_warning_stale or smtp_down_keeps or maildir_transport"
ifeq ($(VALGRIND),1)
integration-test: $(PROGS) $(TEST_TOOLS)
	rm -rf $(BUILD)/valgrind && mkdir -p $(BUILD)/valgrind
	for p in mediawatchd mediawatchctl; do \
	    printf '#!/bin/sh\nexec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --track-fds=no %s "$$@"\n' \
	        $(CURDIR)/$(BUILD)/$$p > $(BUILD)/valgrind/$$p; chmod +x $(BUILD)/valgrind/$$p; done
	MEDIAWATCH_TEST_TIMEOUT=600 MEDIAWATCH_BUILD=$(CURDIR)/$(BUILD)/valgrind \
	    $(PYTEST) -q $(VALGRIND_TESTS) $(PYTEST_ARGS)
else
integration-test: $(PROGS) $(TEST_TOOLS)
	MEDIAWATCH_BUILD=$(CURDIR)/$(BUILD) $(PYTEST) -q $(TESTS) $(PYTEST_ARGS)
endif

# The table of configuration keys (daemon/config/config.c), as
# `mediawatchctl --json check-config --defaults` prints it, against
# man/mediawatch.conf.5 and conf/mediawatch.conf: a key missing or unknown,
# or another default, fails naming the key.  tests/docs/ also shows that
# the comparison fails when it should.
check-config-docs: $(BUILD)/mediawatchctl
	$(BUILD)/mediawatchctl -c /dev/null --json check-config --defaults \
	    > $(BUILD)/config-keys.json
	$(PYTHON) tests/docs/check_config_docs.py $(BUILD)/config-keys.json \
	    conf/mediawatch.conf man/mediawatch.conf.5
	MEDIAWATCH_BUILD=$(CURDIR)/$(BUILD) $(PYTEST) -q tests/docs

check: deps
	$(MAKE) check-layout
	$(MAKE) check-po
	$(MAKE) all
	$(MAKE) check-config-docs
	$(MAKE) unit-test
	$(MAKE) integration-test
	$(MAKE) lint-service
	$(MAKE) fuzz-regress

# The layering of daemon/ (README "Code layout") and one owner per table.
check-layout:
	$(PYTHON) tests/layout/check-layers.py
	$(PYTHON) tests/layout/check-owners.py

demo: deps
	$(MAKE) all
	MEDIAWATCH_BUILD=$(CURDIR)/$(BUILD) $(PYTHON) contrib/demo.py

bench: deps
	$(MAKE) all
	MEDIAWATCH_BUILD=$(CURDIR)/$(BUILD) sh bench/run.sh

# The evaluation and the admin commands at 10,000 and 100,000 accounts
# with a year of history, and SMTP delivery (also part of `make bench`).
bench-scale: deps
	$(MAKE) all
	MEDIAWATCH_BUILD=$(CURDIR)/$(BUILD) sh bench/bench-scale.sh

# install also puts the units, sysusers/tmpfiles snippets and man pages in
# place (install-service, mk/service.mk)
install: $(PROGS) install-service
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(SYSCONFDIR)/mediawatch
	install -m 0755 $(BUILD)/mediawatchctl $(DESTDIR)$(BINDIR)/mediawatchctl
	install -m 0755 $(BUILD)/mediawatchd $(DESTDIR)$(SBINDIR)/mediawatchd
	install -m 0755 $(BUILD)/mediawatch-web $(DESTDIR)$(SBINDIR)/mediawatch-web
	# an admin's configuration is never overwritten
	[ -e $(DESTDIR)$(SYSCONFDIR)/mediawatch/mediawatch.conf ] || \
	    install -m 0644 conf/mediawatch.conf $(DESTDIR)$(SYSCONFDIR)/mediawatch/mediawatch.conf
	install -d $(DESTDIR)$(PREFIX)/share/mediawatch/templates $(DESTDIR)$(PREFIX)/share/mediawatch/wordlists \
	    $(DESTDIR)$(PREFIX)/share/mediawatch/holidays
	install -m 0644 $(TEMPLATES) conf/templates/README.md \
	    $(DESTDIR)$(PREFIX)/share/mediawatch/templates
	install -m 0644 $(HOLIDAYS) conf/holidays/README.md \
	    $(DESTDIR)$(PREFIX)/share/mediawatch/holidays
	install -m 0644 conf/wordlists/* $(DESTDIR)$(PREFIX)/share/mediawatch/wordlists

uninstall: uninstall-service
	rm -f $(DESTDIR)$(BINDIR)/mediawatchctl $(DESTDIR)$(SBINDIR)/mediawatchd \
	    $(DESTDIR)$(SBINDIR)/mediawatch-web
	rm -rf $(DESTDIR)$(PREFIX)/share/mediawatch

clean:
	rm -rf build build-san build-fuzz

# Fragments for the service files and the fuzzers.
-include $(wildcard mk/*.mk)

.PHONY: FORCE
FORCE:
