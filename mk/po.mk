# mk/po.mk — the translations of mediawatchctl's messages (gettext).
#
# Included by the Makefile after PREFIX and BUILD are set; honours DESTDIR.
#
#   (all)        BUILD/locale/LANG/LC_MESSAGES/mediawatch.mo from po/LANG.po,
#                checked by msgfmt --check (formats, header)
#   install-po   the catalogs under PREFIX/share/locale, where an installed
#                mediawatchctl (PREFIX/bin) looks: ../share/locale from its
#                own folder, not a path built in
#   update-po    for maintainers: po/mediawatch.pot from the sources
#                (xgettext), merged into each po/LANG.po (msgmerge); new
#                messages come in untranslated, changed ones fuzzy
#   check-po     fails when po/LANG.po lacks a translation (untranslated or
#                fuzzy) of a message the sources have, keeps one of a
#                message they no longer have, when po/mediawatch.pot is not
#                the sources' messages (stale), or a rule of
#                tests/po/check_po.py is broken; part of `make check`

PO_LANGS   := $(patsubst po/%.po,%,$(wildcard po/*.po))
MO_FILES   := $(foreach l,$(PO_LANGS),$(BUILD)/locale/$(l)/LC_MESSAGES/mediawatch.mo)
LOCALEDIR  := $(PREFIX)/share/locale
PO_SOURCES  = $(sort $(wildcard daemon/*.c daemon/*/*.c daemon/*/*.h))
# _() and N_() mark messages; NC_(context, word) and VOCAB_WORD (the same,
# in daemon/cli/ctl_words.c) a word of a vocabulary
XGETTEXT_OPTS := --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ \
             --keyword=NC_:1c,2 --keyword=VOCAB_WORD:1c,2 --keyword=i18n_if:2 \
             --add-comments=TRANSLATORS: \
             --add-location=file --package-name=mediawatch \
             --msgid-bugs-address=mediawatch --foreign-user \
             --flag=log_warnx:1:c-format --flag=log_warn:1:c-format \
             --flag=log_error:1:c-format --flag=log_notice:1:c-format \
             --flag=xasprintf:1:c-format --flag=set_error:2:c-format \
             --flag=ctl_usage_error:2:c-format --flag=sb_printf:2:c-format

.PHONY: install-po uninstall-po update-po check-po

all: $(MO_FILES)
unit-test integration-test: $(MO_FILES)

$(BUILD)/locale/%/LC_MESSAGES/mediawatch.mo: po/%.po
	@mkdir -p $(@D)
	msgfmt --check -o $@.tmp $< && mv $@.tmp $@

install-po: $(MO_FILES)
	set -e; for l in $(PO_LANGS); do \
	    install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES; \
	    install -m 0644 $(BUILD)/locale/$$l/LC_MESSAGES/mediawatch.mo \
	        $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/mediawatch.mo; \
	done

uninstall-po:
	rm -f $(foreach l,$(PO_LANGS),$(DESTDIR)$(LOCALEDIR)/$(l)/LC_MESSAGES/mediawatch.mo)

install: install-po
uninstall: uninstall-po

update-po:
	xgettext $(XGETTEXT_OPTS) -o po/mediawatch.pot.tmp $(PO_SOURCES)
	# no creation date: regenerating without a change changes nothing
	sed -e '1s/.*/# The messages of mediawatchctl./' \
	    -e '/^"POT-Creation-Date:/d' po/mediawatch.pot.tmp > po/mediawatch.pot
	rm -f po/mediawatch.pot.tmp
	set -e; for l in $(PO_LANGS); do \
	    msgmerge --quiet --update --backup=none --add-location=file \
	        po/$$l.po po/mediawatch.pot; \
	    msgattrib --no-obsolete -o po/$$l.po po/$$l.po; \
	    sed -i '/^"POT-Creation-Date:/d' po/$$l.po; done

check-po:
	@echo "check_po.py $(addprefix po/,$(addsuffix .po,$(PO_LANGS))) -- daemon/…"
	@$(PYTHON) tests/po/check_po.py --xgettext-opts "$(XGETTEXT_OPTS)" \
	    --pot po/mediawatch.pot $(addprefix po/,$(addsuffix .po,$(PO_LANGS))) -- $(PO_SOURCES)
	$(PYTEST) -q tests/po
