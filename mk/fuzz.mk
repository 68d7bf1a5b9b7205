# mk/fuzz.mk — libFuzzer targets for the parsers that read hostile input.
#
# Included by the Makefile after PKGS, LIB_SRC and MIGRATIONS are set.
# Builds with clang into its own tree (FUZZ_BUILD), never touching build/ or
# build-san/: the library with -fsanitize=fuzzer-no-link,address,undefined,
# each target in tests/fuzz/ linked with -fsanitize=fuzzer.
#
#   fuzz           fuzzes every target for FUZZ_SECONDS (default 60) on a
#                  copy of its seed corpus; fails when any target crashes,
#                  leaks, trips a sanitizer or hangs.  `make -k -j2 fuzz`
#                  runs two at a time and reports every failing target.
#   fuzz-<name>    the same for one target (fuzz-feed, fuzz-date, …)
#   fuzz-regress   runs each target once over its seed corpus and
#                  tests/fuzz/regressions/<name>/, without fuzzing
#   fuzz-build     only builds the targets
#
# See tests/fuzz/README.md for reproducing a crash.

FUZZ_CC       ?= clang
FUZZ_SECONDS  ?= 60
FUZZ_TIMEOUT  ?= 10
# A fixed seed makes a CI run repeat the runs made before a commit, so a
# finding shows up on a developer's machine first; FUZZ_SEED=0 explores.
FUZZ_SEED     ?= 1
FUZZ_BUILD    := build-fuzz
FUZZ_DIR      := tests/fuzz
FUZZ_NAMES    := $(patsubst $(FUZZ_DIR)/fuzz_%.c,%,$(wildcard $(FUZZ_DIR)/fuzz_*.c))
FUZZ_BINS     := $(patsubst %,$(FUZZ_BUILD)/fuzz_%,$(FUZZ_NAMES))

FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all \
                 -fno-omit-frame-pointer
FUZZ_CFLAGS   := -std=gnu11 -g -O1 -Wall -Wextra -Wno-unused-parameter \
                 -Idaemon -I$(FUZZ_BUILD) \
                 $(shell pkg-config --cflags $(PKGS) 2>/dev/null) \
                 -DMW_SRCDIR='"$(CURDIR)"' $(FUZZ_SAN)
FUZZ_LIBS     := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
FUZZ_LIB_OBJ  := $(patsubst daemon/%.c,$(FUZZ_BUILD)/obj/%.o,$(LIB_SRC)) \
                 $(FUZZ_BUILD)/obj/sql_migrations.o \
                 $(FUZZ_BUILD)/obj/templates_builtin.o \
                 $(FUZZ_BUILD)/obj/holidays_builtin.o
FUZZ_LIB      := $(FUZZ_BUILD)/libmediawatch.a
# Leaks are failures; a hang longer than FUZZ_TIMEOUT seconds is one too.
FUZZ_RUN_ENV  := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
                 UBSAN_OPTIONS=print_stacktrace=1
FUZZ_FLAGS    := -timeout=$(FUZZ_TIMEOUT) -rss_limit_mb=2048 -print_final_stats=1

.PHONY: fuzz fuzz-build fuzz-regress $(addprefix fuzz-,$(FUZZ_NAMES))

fuzz-build: $(FUZZ_BINS)

$(FUZZ_BUILD)/obj/%.o: daemon/%.c $(HEADERS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_BUILD)/obj/sql_migrations.o: $(FUZZ_BUILD)/sql_migrations.c | $(FUZZ_BUILD)/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_BUILD)/sql_migrations.c: $(MIGRATIONS) sql/embed.awk mk/c_string.awk | $(FUZZ_BUILD)/obj
	awk -f mk/c_string.awk -f sql/embed.awk $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(FUZZ_BUILD)/obj/templates_builtin.o: $(FUZZ_BUILD)/templates_builtin.c | $(FUZZ_BUILD)/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_BUILD)/templates_builtin.c: $(TEMPLATES) conf/templates/embed.awk mk/c_string.awk | $(FUZZ_BUILD)/obj
	awk -f mk/c_string.awk -f conf/templates/embed.awk $(TEMPLATES) > $@.tmp && mv $@.tmp $@

$(FUZZ_BUILD)/obj/holidays_builtin.o: $(FUZZ_BUILD)/holidays_builtin.c | $(FUZZ_BUILD)/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_BUILD)/holidays_builtin.c: $(HOLIDAYS) conf/templates/embed.awk mk/c_string.awk | $(FUZZ_BUILD)/obj
	$(EMBED_HOLIDAYS) $(HOLIDAYS) > $@.tmp && mv $@.tmp $@

$(FUZZ_BUILD)/obj:
	mkdir -p $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_DIR)/fuzz_%.c $(FUZZ_DIR)/fuzz.h $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) $(FUZZ_LIBS)

fuzz: $(addprefix fuzz-,$(FUZZ_NAMES))

# A fresh copy of the seeds each time: what a run discovers stays in
# $(FUZZ_BUILD)/corpus/<name>, the seeds in git stay small.  The last lines
# of the log say how it went; a crash leaves its input in
# $(FUZZ_BUILD)/artifacts/<name>/ (copy it to tests/fuzz/regressions/<name>/).
$(addprefix fuzz-,$(FUZZ_NAMES)): fuzz-%: $(FUZZ_BUILD)/fuzz_%
	@rm -rf $(FUZZ_BUILD)/corpus/$* $(FUZZ_BUILD)/artifacts/$*
	@mkdir -p $(FUZZ_BUILD)/corpus/$* $(FUZZ_BUILD)/artifacts/$* $(FUZZ_BUILD)/logs
	@cp $(FUZZ_DIR)/corpus/$*/* $(FUZZ_BUILD)/corpus/$*/
	@echo "fuzz $*: $(FUZZ_SECONDS) s, log in $(FUZZ_BUILD)/logs/$*.log"
	@if $(FUZZ_RUN_ENV) $< $(FUZZ_FLAGS) -seed=$(FUZZ_SEED) -max_total_time=$(FUZZ_SECONDS) \
	    -artifact_prefix=$(FUZZ_BUILD)/artifacts/$*/ \
	    $(FUZZ_BUILD)/corpus/$* $(wildcard $(FUZZ_DIR)/regressions/$*) \
	    > $(FUZZ_BUILD)/logs/$*.log 2>&1; then \
	    grep -E '^#[0-9]+.*DONE' $(FUZZ_BUILD)/logs/$*.log | \
	        sed -E 's/^#([0-9]+).*(cov: [0-9]+ ft: [0-9]+).*/fuzz $*: ok, \1 runs, \2/'; \
	else \
	    tail -n 60 $(FUZZ_BUILD)/logs/$*.log; \
	    echo "fuzz $*: FAILED, input in $(FUZZ_BUILD)/artifacts/$*/" >&2; \
	    exit 1; \
	fi

# -runs=0 reads every input of the given folders once and stops.
fuzz-regress: $(FUZZ_BINS)
	@set -e; for n in $(FUZZ_NAMES); do \
	    dirs="$(FUZZ_DIR)/corpus/$$n"; \
	    [ -d $(FUZZ_DIR)/regressions/$$n ] && dirs="$$dirs $(FUZZ_DIR)/regressions/$$n"; \
	    mkdir -p $(FUZZ_BUILD)/artifacts/$$n $(FUZZ_BUILD)/logs; \
	    if $(FUZZ_RUN_ENV) $(FUZZ_BUILD)/fuzz_$$n $(FUZZ_FLAGS) -runs=0 \
	        -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$n/ $$dirs \
	        > $(FUZZ_BUILD)/logs/$$n-regress.log 2>&1; then \
	        echo "fuzz-regress $$n: ok, $$(find $$dirs -type f | wc -l) inputs"; \
	    else \
	        tail -n 40 $(FUZZ_BUILD)/logs/$$n-regress.log; \
	        echo "fuzz-regress $$n: FAILED" >&2; exit 1; \
	    fi; \
	done
