# mk/service.mk — systemd units, sysusers/tmpfiles snippets and man pages.
#
# Included by the Makefile after PREFIX, BINDIR, SBINDIR, MANDIR, UNITDIR,
# SYSUSERSDIR, TMPFILESDIR and BUILD are set; honours DESTDIR.
#
#   install-service    man pages, units, sysusers.d and tmpfiles.d snippets
#                      (the binaries come from `make install`)
#   uninstall-service  removes what install-service installed
#   lint-service       mandoc -Tlint on the man pages, systemd-analyze verify
#                      on the units, and an exposure score of at most
#                      SECURITY_MAX for every service

SERVICE_SRC   := contrib/systemd
SERVICE_UNITS := mediawatchd.service mediawatch-bulletin.service \
                 mediawatch-bulletin.timer mediawatch-web.service \
                 mediawatch-web.socket
MAN_PAGES     := man/mediawatchctl.1 man/mediawatch.conf.5 man/mediawatchd.8 \
                 man/mediawatch-web.8
SECURITY_MAX  ?= 1.5
SERVICE_LINT  := $(BUILD)/service-lint

# Fills in the install paths of the binaries (@SBINDIR@, @BINDIR@).
unit_subst = sed -e 's|@SBINDIR@|$(1)|g' -e 's|@BINDIR@|$(2)|g'

.PHONY: install-service uninstall-service lint-service

install-service:
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
	    $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	set -e; for u in $(SERVICE_UNITS); do \
	    $(call unit_subst,$(SBINDIR),$(BINDIR)) $(SERVICE_SRC)/$$u \
	        > $(DESTDIR)$(UNITDIR)/$$u.tmp; \
	    chmod 0644 $(DESTDIR)$(UNITDIR)/$$u.tmp; \
	    mv $(DESTDIR)$(UNITDIR)/$$u.tmp $(DESTDIR)$(UNITDIR)/$$u; \
	done
	install -m 0644 $(SERVICE_SRC)/mediawatch.sysusers \
	    $(DESTDIR)$(SYSUSERSDIR)/mediawatch.conf
	install -m 0644 $(SERVICE_SRC)/mediawatch.tmpfiles \
	    $(DESTDIR)$(TMPFILESDIR)/mediawatch.conf
	install -m 0644 man/mediawatchctl.1 $(DESTDIR)$(MANDIR)/man1/mediawatchctl.1
	install -m 0644 man/mediawatch.conf.5 $(DESTDIR)$(MANDIR)/man5/mediawatch.conf.5
	install -m 0644 man/mediawatchd.8 $(DESTDIR)$(MANDIR)/man8/mediawatchd.8
	install -m 0644 man/mediawatch-web.8 $(DESTDIR)$(MANDIR)/man8/mediawatch-web.8

uninstall-service:
	rm -f $(addprefix $(DESTDIR)$(UNITDIR)/,$(SERVICE_UNITS))
	rm -f $(DESTDIR)$(SYSUSERSDIR)/mediawatch.conf \
	    $(DESTDIR)$(TMPFILESDIR)/mediawatch.conf
	rm -f $(DESTDIR)$(MANDIR)/man1/mediawatchctl.1 \
	    $(DESTDIR)$(MANDIR)/man5/mediawatch.conf.5 \
	    $(DESTDIR)$(MANDIR)/man8/mediawatchd.8 \
	    $(DESTDIR)$(MANDIR)/man8/mediawatch-web.8

# systemd-analyze verify insists that ExecStart= names an executable file,
# so the units are checked with the paths of the binaries just built; it
# needs no running systemd (works as root in a container).  --man=no: the
# pages are not installed yet; mandoc checks them instead.
lint-service: $(BUILD)/mediawatchd $(BUILD)/mediawatchctl $(BUILD)/mediawatch-web
	mandoc -Tlint -W warning $(MAN_PAGES)
	rm -rf $(SERVICE_LINT) && mkdir -p $(SERVICE_LINT)
	set -e; for u in $(SERVICE_UNITS); do \
	    $(call unit_subst,$(abspath $(BUILD)),$(abspath $(BUILD))) \
	        $(SERVICE_SRC)/$$u > $(SERVICE_LINT)/$$u; \
	done
	systemd-analyze verify --man=no $(addprefix $(SERVICE_LINT)/,$(SERVICE_UNITS))
	@set -e; for u in $(filter %.service,$(SERVICE_UNITS)); do \
	    out=$$(systemd-analyze security --offline=true --no-pager \
	        $(SERVICE_LINT)/$$u); \
	    score=$$(printf '%s\n' "$$out" | sed -n \
	        's/.*Overall exposure level for [^:]*: \([0-9][0-9.]*\).*/\1/p'); \
	    if [ -z "$$score" ]; then \
	        printf '%s\n' "$$out"; \
	        echo "lint-service: no exposure level for $$u" >&2; exit 1; \
	    fi; \
	    if awk -v s="$$score" -v m="$(SECURITY_MAX)" 'BEGIN { exit !(s > m) }'; then \
	        printf '%s\n' "$$out" | grep -v '^✓' || true; \
	        echo "lint-service: $$u exposure $$score is above $(SECURITY_MAX)" >&2; \
	        exit 1; \
	    fi; \
	    echo "$$u: exposure $$score (at most $(SECURITY_MAX))"; \
	done
