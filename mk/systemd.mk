# mk/systemd.mk — the installed service under a real systemd.
#
#   check-systemd   boots Debian 12 (bookworm) under systemd-nspawn, builds
#                   and installs this tree inside it the way README.md's
#                   "Install as a service" says, and checks the service
#                   with systemctl and journalctl (tests/systemd/).  Needs
#                   root.  The root tree comes from debootstrap against
#                   the apt mirror of this machine and is kept in
#                   NSPAWN_CACHE, one directory per package list; remove
#                   the directory to reclaim the space.

NSPAWN_CACHE ?= /var/cache/mediawatch-nspawn

.PHONY: check-systemd

check-systemd: deps
	MEDIAWATCH_NSPAWN_CACHE=$(NSPAWN_CACHE) $(PYTEST) -q -p no:cacheprovider \
	    tests/systemd $(PYTEST_ARGS)
