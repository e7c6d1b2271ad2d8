# vnet: Ethernet bridging across the Internet (VNET) with connection migration (VNAT).
# `make` builds bin/vnet and bin/vnetclient; `make check` runs every test.

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR  ?= $(PREFIX)/share/man
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
# systemd-sleep, NetworkManager and systemd-sysusers read only their own
# folders: written there for PREFIX /usr or /usr/local; with another PREFIX
# nothing is written outside it unless SLEEPDIR, NMDIR or SYSUSERSDIR is given
# (the sysusers file then goes to PREFIX/lib/sysusers.d for a packager)
ifeq ($(PREFIX),/usr)
SYSCONFDIR  ?= /etc
SYSUSERSDIR ?= /usr/lib/sysusers.d
else ifeq ($(PREFIX),/usr/local)
SYSCONFDIR  ?= /etc
SYSUSERSDIR ?= /etc/sysusers.d
else
SYSCONFDIR  ?= $(PREFIX)/etc
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
SLEEPDIR    ?=
NMDIR       ?=
endif
DOCDIR  ?= $(PREFIX)/share/doc/vnet
# where bash-completion looks (its XDG_DATA_DIRS include /usr/local/share)
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SLEEPDIR ?= /usr/lib/systemd/system-sleep
NMDIR   ?= /etc/NetworkManager/dispatcher.d
BUILD   ?= build

CC      ?= gcc
PKG_CONFIG ?= pkg-config
# pkg-config modules, by who needs them: common/ (bufferevents, TLS) and so
# vnetclient, which writes JSON (jansson); the bridge and VNAT (capture, nftables, jansson: vnat/flowset reads nft's JSON) for vnet, its unit
# tests and test tools (conntrack: the flows of unconnected UDP sockets, vnat/flows); the server alone (sd_notify and the watchdog, the
# privilege drop, the configuration file: server/config.c).  libnet has no
# .pc file on Debian: -lnet, its header checked below.
COMMON_PKGS = libevent libevent_openssl openssl
CLI_PKGS = $(COMMON_PKGS) jansson
PKGS     = $(COMMON_PKGS) libpcap libnftables libnetfilter_conntrack jansson
SRV_PKGS = libsystemd libcap-ng inih
WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wvla -Wwrite-strings -Werror
HARDEN   = -fstack-protector-strong -D_FORTIFY_SOURCE=2
CFLAGS  ?= -O2 -g
CPPFLAGS_ALL = -std=c17 -D_GNU_SOURCE -I. $(shell $(PKG_CONFIG) --cflags $(CLI_PKGS) $(PKGS) $(SRV_PKGS))
LDFLAGS_ALL  = -Wl,-z,relro,-z,now
CLI_LIBS = $(shell $(PKG_CONFIG) --libs $(CLI_PKGS))
LIBS     = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lnet
SRV_LIBS = $(shell $(PKG_CONFIG) --libs $(SRV_PKGS))
SAN      =

ALL_CFLAGS = $(CPPFLAGS_ALL) $(WARN) $(HARDEN) $(CFLAGS) $(SAN) $(EXTRA_CFLAGS)

COMMON_SRC  = $(wildcard common/*.c)
HANDLER_SRC = $(wildcard handler/*.c)
VNAT_SRC    = $(wildcard vnat/*.c)
SERVER_SRC  = $(wildcard server/*.c)
CLIENT_SRC  = $(wildcard client/*.c)
UNIT_SRC    = $(wildcard test/unit/*.c)
TOOL_SRC    = $(wildcard test/tools/*.c)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

BIN_VNET   = bin/vnet
BIN_CLIENT = bin/vnetclient
ifneq ($(BUILD),build)
BIN_VNET   = $(BUILD)/bin/vnet
BIN_CLIENT = $(BUILD)/bin/vnetclient
endif
UNIT_BIN   = $(BUILD)/test/unit-tests
FUZZ_SRC   = $(wildcard test/fuzz/*.c)
FUZZ_LIBS  = common/proto.c common/mac.c common/err.c common/frame.c common/sbuf.c common/bbuf.c \
             handler/offload.c handler/filter.c \
             vnat/vcmp.c vnat/vstate.c common/addrfmt.c
FUZZ_DIR   = $(BUILD)/fuzz
FUZZ_BIN   = $(patsubst test/fuzz/%.c,$(FUZZ_DIR)/%,$(FUZZ_SRC))
FUZZ_SECONDS ?= 3
TOOLS      = $(patsubst test/tools/%.c,$(BUILD)/test/%,$(TOOL_SRC))

.PHONY: all deps tools install uninstall check unit integration asan fuzz demo bench clean
all: $(BIN_VNET) $(BIN_CLIENT)

# `make` builds with what is installed and never asks for root; `make deps`
# installs what is missing (scripts/install-deps.sh, apt), and check, demo
# and bench run it first and build in a sub-make.  Before building, one line
# names a missing pkg-config module instead of a page of compiler errors.
# Goals that compile nothing themselves (or, fuzz, with clang and no library)
# skip the check: on a clean machine `make check` must reach `make deps`.
NO_LIB_GOALS = deps clean uninstall check demo bench fuzz
HASH := \#
ifneq ($(filter-out $(NO_LIB_GOALS),$(or $(MAKECMDGOALS),all)),)
ifeq ($(shell command -v $(PKG_CONFIG) 2>/dev/null),)
$(error $(PKG_CONFIG) not found; `make deps` (as root) installs it)
endif
MISSING := $(shell for m in $(CLI_PKGS) $(PKGS) $(SRV_PKGS); do $(PKG_CONFIG) --exists $$m || echo $$m; done; \
	echo '$(HASH)include <libnet.h>' | $(CC) -E -x c - >/dev/null 2>&1 || echo 'libnet (no .pc file: libnet.h)')
ifneq ($(MISSING),)
$(error missing pkg-config module(s): $(MISSING); `make deps` (as root) installs them)
endif
endif

deps:
	@sh scripts/install-deps.sh

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BIN_VNET): $(call obj,$(SERVER_SRC) $(VNAT_SRC) $(HANDLER_SRC) $(COMMON_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS_ALL) -o $@ $^ $(LIBS) $(SRV_LIBS)

# vnetclient links libevent, OpenSSL (all that common/ needs too) and jansson
$(BIN_CLIENT): $(call obj,$(CLIENT_SRC) $(COMMON_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS_ALL) -o $@ $^ $(CLI_LIBS)

# server/guard.c has no I/O of its own, options.c and config.c only read
# files, prom.c only formats: their unit tests link them alone
UNIT_SERVER = server/guard.c server/options.c server/config.c server/prom.c client/json.c
$(UNIT_BIN): $(call obj,$(UNIT_SRC) $(UNIT_SERVER) $(VNAT_SRC) $(HANDLER_SRC) $(COMMON_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS_ALL) -o $@ $^ $(LIBS) $(SRV_LIBS) $(CLI_LIBS) -lcriterion

$(BUILD)/test/%: $(BUILD)/test/tools/%.o $(call obj,$(VNAT_SRC) $(COMMON_SRC))
	$(CC) $(ALL_CFLAGS) $(LDFLAGS_ALL) -o $@ $^ $(LIBS)

tools: $(TOOLS)
# kept, as every other object (make would delete them as intermediate, and
# build them again next time since their .d files name them)
.SECONDARY: $(call obj,$(TOOL_SRC))

# bench/tls_record: one TLS record's cost in OpenSSL, hot and after idle
$(BUILD)/bench/tls_record: $(BUILD)/bench/tls_record.o $(call obj,$(COMMON_SRC))
	$(CC) $(ALL_CFLAGS) $(LDFLAGS_ALL) -o $@ $^ $(shell $(PKG_CONFIG) --libs $(COMMON_PKGS))

# libFuzzer harnesses for every parser of untrusted input (clang)
$(FUZZ_DIR)/%: test/fuzz/%.c $(FUZZ_LIBS)
	@mkdir -p $(dir $@)
	clang -std=c17 -D_GNU_SOURCE -I. -g -O1 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all -o $@ $^

# the JSON records of vnetclient --json: client/json.c and jansson too
$(FUZZ_DIR)/fuzz_json: test/fuzz/fuzz_json.c client/json.c $(FUZZ_LIBS)
	@mkdir -p $(dir $@)
	clang -std=c17 -D_GNU_SOURCE -I. -g -O1 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all -o $@ $^ $(shell $(PKG_CONFIG) --libs jansson)

fuzz: $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do \
	    n=$$(basename $$f); mkdir -p $(FUZZ_DIR)/corpus-$$n; \
	    cp -n test/fuzz/seeds/$$n/* $(FUZZ_DIR)/corpus-$$n/ 2>/dev/null || true; \
	    echo "fuzz: $$n for $(FUZZ_SECONDS) s"; \
	    $$f -max_total_time=$(FUZZ_SECONDS) -max_len=70000 -print_final_stats=0 \
	        $(FUZZ_DIR)/corpus-$$n >$(FUZZ_DIR)/$$n.log 2>&1 || { tail -40 $(FUZZ_DIR)/$$n.log; exit 1; }; \
	    grep -E '^Done [0-9]+ runs' $(FUZZ_DIR)/$$n.log | sed "s/^/fuzz: $$n: /"; \
	done

# make check: install what is missing, build with -Werror, unit tests, the
# whole integration suite, then a second build with ASan+UBSan that runs the
# unit tests and the integration suite again under the sanitizers, then a short
# libFuzzer run of every parser of untrusted input.
check: deps
	$(MAKE) all tools $(UNIT_BIN) $(BUILD)/bench/tls_record
	$(MAKE) unit
	$(MAKE) integration
	$(MAKE) asan
	$(MAKE) fuzz

unit: $(UNIT_BIN)
	$(UNIT_BIN) --jobs 2

integration: all tools
	bash test/integration/run.sh

asan:
	$(MAKE) BUILD=build-asan SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    CFLAGS="-O1 -g" build-asan/bin/vnet build-asan/bin/vnetclient build-asan/test/unit-tests tools
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    build-asan/test/unit-tests --jobs 2
	VNET_BIN=$(CURDIR)/build-asan/bin VNET_TOOLS=$(CURDIR)/build/test VNET_SANITIZED=1 \
	    bash test/integration/run.sh

# the story only: what installing and building print goes to a log
demo:
	@mkdir -p $(BUILD)
	@echo "make demo: installing what is missing and building (output in $(BUILD)/demo-build.log)"
	@{ sh scripts/install-deps.sh && $(MAKE) all tools; } >$(BUILD)/demo-build.log 2>&1 || \
	    { tail -20 $(BUILD)/demo-build.log; exit 1; }
	@bash scripts/demo.sh
	@bash scripts/demo-vnat.sh

bench: deps
	$(MAKE) all tools
	bash bench/bridge.sh

# No capabilities on the installed binary (every local user may run it):
# vnet starts as root or from vnet.service, and gives up what it does not need.
SUBST = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'
UNITS = vnet.service vnet@.service

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(BIN_VNET) $(DESTDIR)$(SBINDIR)/vnet
	install -m 0755 $(BIN_CLIENT) $(DESTDIR)$(BINDIR)/vnetclient
	install -m 0644 doc/vnet.8 $(DESTDIR)$(MANDIR)/man8/vnet.8
	install -m 0644 doc/vnetclient.1 $(DESTDIR)$(MANDIR)/man1/vnetclient.1
	install -m 0644 doc/vnet-vnat.8 $(DESTDIR)$(MANDIR)/man8/vnet-vnat.8
	install -D -m 0644 doc/vnet.conf.example $(DESTDIR)$(DOCDIR)/vnet.conf.example
	install -d $(DESTDIR)$(BASHCOMPDIR)
	install -m 0644 scripts/completion/vnet scripts/completion/vnetclient $(DESTDIR)$(BASHCOMPDIR)/
	$(SUBST) scripts/vnet-vnat >$(DESTDIR)$(SBINDIR)/vnet-vnat
	chmod 0755 $(DESTDIR)$(SBINDIR)/vnet-vnat
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	for u in $(UNITS); do \
	    $(SUBST) scripts/systemd/$$u >$(DESTDIR)$(SYSTEMDUNITDIR)/$$u && \
	    chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$u || exit 1; \
	done
	install -m 0644 scripts/systemd/vnet.sysusers $(DESTDIR)$(SYSUSERSDIR)/vnet.conf
ifneq ($(SLEEPDIR),)
	install -d $(DESTDIR)$(SLEEPDIR)
	$(SUBST) scripts/hooks/systemd-sleep >$(DESTDIR)$(SLEEPDIR)/vnet
	chmod 0755 $(DESTDIR)$(SLEEPDIR)/vnet
endif
ifneq ($(NMDIR),)
	install -d $(DESTDIR)$(NMDIR)
	$(SUBST) scripts/hooks/nm-dispatcher >$(DESTDIR)$(NMDIR)/90-vnet
	chmod 0755 $(DESTDIR)$(NMDIR)/90-vnet
endif

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/vnet $(DESTDIR)$(BINDIR)/vnetclient \
	    $(DESTDIR)$(MANDIR)/man8/vnet.8 $(DESTDIR)$(MANDIR)/man1/vnetclient.1 \
	    $(DESTDIR)$(MANDIR)/man8/vnet-vnat.8 $(DESTDIR)$(SBINDIR)/vnet-vnat $(DESTDIR)$(SYSUSERSDIR)/vnet.conf \
	    $(patsubst %,$(DESTDIR)$(SYSTEMDUNITDIR)/%,$(UNITS)) \
	    $(if $(SLEEPDIR),$(DESTDIR)$(SLEEPDIR)/vnet) $(if $(NMDIR),$(DESTDIR)$(NMDIR)/90-vnet) \
	    $(DESTDIR)$(DOCDIR)/vnet.conf.example \
	    $(DESTDIR)$(BASHCOMPDIR)/vnet $(DESTDIR)$(BASHCOMPDIR)/vnetclient

clean:
	rm -rf build build-asan bin

# what the compiler found each object to include (-MMD): every object this
# build folder can make
ALL_OBJ = $(call obj,$(COMMON_SRC) $(HANDLER_SRC) $(VNAT_SRC) $(SERVER_SRC) $(CLIENT_SRC) \
                     $(UNIT_SRC) $(TOOL_SRC) bench/tls_record.c)
-include $(ALL_OBJ:.o=.d)
