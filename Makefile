# fwatch - a file watcher.  `make`, `make test`, `make install`.

PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANPREFIX ?= $(PREFIX)/share/man
# where each shell looks for the completions of an installed command
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
DESTDIR   ?=

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes
STD      = -std=c11 -D_POSIX_C_SOURCE=200809L
LDLIBS  += -lm

# The sources, listed once; each build below is made of these lists.
# CORE: the portable watcher (no platform type, no main).  APP: main.c and
# what only the program needs.  Then the platform layer and its backends;
# backends.c names the backends built in.  POLL: the polling backend of
# every platform, the listing diff it shares with kqueue, and mux.c, which
# puts it beside the native backend.  KQUEUE: the kqueue backend and its
# descriptor table.  FANOTIFY: the fanotify backend (Linux), its record
# parser, its map of directory handles and its path resolver (all pure).
CORE_SRC  = src/watch.c src/core/held.c src/core/tree.c \
            src/core/worktree.c src/core/gitignore.c src/core/ignore.c \
            src/core/batch.c src/core/blind.c src/core/large.c \
            src/core/treeless.c \
            src/core/files.c \
            src/core/snapshot.c src/core/scan.c src/core/rescan.c \
            src/core/moves.c src/core/records.c \
            src/snap.c src/filter.c src/glob.c src/noise.c src/strmap.c \
            src/kinds.c src/gitignore.c src/gitconfig.c
APP_SRC   = src/main.c src/cli.c src/help.c src/output.c src/exec.c src/backends.c \
            src/tail.c src/tail_chunk.c src/utf8.c \
            src/signame.c src/anchor.c src/completions.c
POSIX_SRC = src/proc_posix.c src/sys_posix.c src/sys_fs.c src/wakepipe.c
POLL_SRC  = src/watch_poll.c src/poll_look.c src/poll_say.c src/listing.c \
            src/recbuf.c src/mux.c
KQUEUE_SRC = src/watch_bsd.c src/bsd_vnode.c
FSEVENTS_SRC = src/watch_fsevents.c src/fse_translate.c
FANOTIFY_SRC = src/watch_fanotify.c src/fan_read.c src/fan_parse.c src/fhmap.c src/fan_paths.c \
               src/fan_slots.c src/fan_kept.c src/fan_subtree.c
WIN_SRC   = src/utf16.c src/win_notify.c src/proc_win.c src/sys_win.c \
            src/sys_win_file.c \
            src/watch_win.c src/win_cmdline.c
HDR  = $(wildcard src/*.h src/core/*.h)

# The backends are chosen by the operating system, here.
UNAME_S := $(shell uname -s 2>/dev/null)
ifeq ($(UNAME_S),Linux)
  BACKEND_SRC = src/watch_linux.c src/qread.c $(FANOTIFY_SRC)
else ifeq ($(UNAME_S),Darwin)
  BACKEND_SRC = $(FSEVENTS_SRC) $(KQUEUE_SRC)
  LDLIBS += -framework CoreServices
else ifneq (,$(filter FreeBSD OpenBSD NetBSD DragonFly,$(UNAME_S)))
  BACKEND_SRC = $(KQUEUE_SRC)
else
  $(error fwatch has no backend for '$(UNAME_S)' yet)
endif

SRC    = $(APP_SRC) $(CORE_SRC) $(POSIX_SRC) $(POLL_SRC) $(BACKEND_SRC)
WINSRC = $(APP_SRC) $(CORE_SRC) $(POLL_SRC) $(WIN_SRC)

# `make -s print-CORE_SRC`: a list, for scripts (tests/fuzz/run)
print-%:
	@echo $($*)

all: fwatch

fwatch: $(SRC) $(HDR)
	$(CC) $(STD) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(SRC) $(LDLIBS)

# bats-core from PATH, or installed into .deps/ by tests/get-bats.  The
# Windows scenarios (tests/windows.bats) run when MinGW and Wine are
# installed and are skipped with a note otherwise.  The kqueue backend's
# checks (check-bsd, below) run first: they need no BSD.
test: fwatch unit check-bsd check-macos
	@bats=$$(tests/get-bats) && "$$bats" $(BATSFLAGS) tests/

# Unit tests of portable code that no single platform reaches: the
# Windows record parser and command-line builder, the listing diff, the
# anchoring of patterns, the default noise, the gitignore rules, where
# --tail --json cuts its chunks, and fanotify's record parser, handle
# map and path resolver, built and run natively; and the directory held
# for polling (sys_pdir_*) and the file held open (sys_file_*), on this
# system's sys layer.  ig_oracle is no test but the gitignore rules' side of
# tests/gitignore_rules.bats, which holds them against git itself.
UNIT = tests/unit/test_win_notify tests/unit/test_win_cmdline \
       tests/unit/test_sys_pdir tests/unit/test_sys_file tests/unit/test_sys_read \
       tests/unit/test_listing tests/unit/test_tail_chunk \
       tests/unit/test_anchor tests/unit/test_noise \
       tests/unit/test_gitignore tests/unit/test_fan_parse \
       tests/unit/test_fhmap tests/unit/test_fan_subtree tests/unit/test_fan_paths
GITIGNORE_SRC = src/gitignore.c src/gitconfig.c src/glob.c
GITIGNORE_DEP = $(GITIGNORE_SRC) src/gitignore.h src/glob.h
unit: $(UNIT) tests/unit/ig_oracle
	@for t in $(UNIT); do echo "# $$t"; ./$$t >/dev/null || \
		{ ./$$t | grep -v '^ok'; exit 1; }; done
	@if [ "$(UNAME_S)" = Linux ]; then \
		echo "# src/watch_fanotify.c and fan_read.c as built with headers before Linux 5.17"; \
		for f in src/watch_fanotify.c src/fan_read.c; do \
			$(CC) $(STD) $(WARN) -Werror -DFWATCH_NO_FANOTIFY $(CPPFLAGS) \
				-fsyntax-only $$f || exit 1; done; fi
tests/unit/test_gitignore: tests/unit/test_gitignore.c $(GITIGNORE_DEP)
	$(CC) $(STD) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ \
		tests/unit/test_gitignore.c $(GITIGNORE_SRC)
tests/unit/ig_oracle: tests/unit/ig_oracle.c $(GITIGNORE_DEP)
	$(CC) $(STD) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ \
		tests/unit/ig_oracle.c $(GITIGNORE_SRC)
tests/unit/test_sys_pdir: tests/unit/test_sys_pdir.c \
		tests/unit/sys_fixtures.h src/sys_posix.c src/sys.h \
		src/wakepipe.c src/wakepipe.h
	$(CC) $(STD) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ \
		tests/unit/test_sys_pdir.c src/sys_posix.c src/wakepipe.c
tests/unit/test_sys_file: tests/unit/test_sys_file.c \
		tests/unit/sys_fixtures.h src/sys_posix.c src/sys.h \
		src/wakepipe.c src/wakepipe.h
	$(CC) $(STD) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ \
		tests/unit/test_sys_file.c src/sys_posix.c src/wakepipe.c
tests/unit/test_sys_read: tests/unit/test_sys_read.c src/sys_posix.c \
		src/sys.h src/wakepipe.c src/wakepipe.h
	$(CC) $(STD) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ \
		tests/unit/test_sys_read.c src/sys_posix.c src/wakepipe.c
tests/unit/test_anchor: tests/unit/test_anchor.c src/anchor.c src/anchor.h \
		src/filter.c src/filter.h src/glob.c src/sys_posix.c src/sys.h \
		src/wakepipe.c
	$(CC) $(STD) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ \
		tests/unit/test_anchor.c src/anchor.c src/filter.c src/glob.c \
		src/sys_posix.c src/wakepipe.c
tests/unit/test_noise: tests/unit/test_noise.c src/noise.c src/noise.h \
		src/glob.c
	$(CC) $(STD) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ \
		tests/unit/test_noise.c src/noise.c src/glob.c
tests/unit/test_tail_chunk: tests/unit/test_tail_chunk.c src/tail_chunk.c \
		src/tail_chunk.h src/utf8.c src/utf8.h
	$(CC) $(STD) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ \
		tests/unit/test_tail_chunk.c src/tail_chunk.c src/utf8.c
tests/unit/test_listing: tests/unit/test_listing.c src/listing.c \
		src/listing.h src/strmap.c src/strmap.h
	$(CC) $(STD) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ \
		tests/unit/test_listing.c src/listing.c src/strmap.c
tests/unit/test_fan_parse: tests/unit/test_fan_parse.c src/fan_parse.c \
		src/fan_parse.h src/strmap.c src/strmap.h src/backend.h
	$(CC) $(STD) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ \
		tests/unit/test_fan_parse.c src/fan_parse.c src/strmap.c
tests/unit/test_fan_subtree: tests/unit/test_fan_subtree.c \
		src/fan_subtree.c src/fan_subtree.h src/fan_paths.c \
		src/fan_slots.c src/fan_kept.c src/fan_paths.h src/fan_parse.h \
		src/strmap.c
	$(CC) $(STD) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ \
		tests/unit/test_fan_subtree.c src/fan_subtree.c src/fan_paths.c \
		src/fan_slots.c src/fan_kept.c src/strmap.c
tests/unit/test_fhmap: tests/unit/test_fhmap.c src/fhmap.c src/fhmap.h
	$(CC) $(STD) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ \
		tests/unit/test_fhmap.c src/fhmap.c
tests/unit/test_fan_paths: tests/unit/test_fan_paths.c tests/unit/fan_sim.h \
		src/fan_paths.c src/fan_paths.h src/fan_slots.c src/fan_slots.h \
		src/fan_kept.c src/fan_kept.h src/fan_parse.h src/strmap.c \
		src/strmap.h
	$(CC) $(STD) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ \
		tests/unit/test_fan_paths.c src/fan_paths.c src/fan_slots.c \
		src/fan_kept.c src/strmap.c
tests/unit/test_win_notify: tests/unit/test_win_notify.c src/win_notify.c \
		src/win_notify.h src/utf16.c src/utf16.h src/strmap.c \
		src/strmap.h src/backend.h
	$(CC) $(STD) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ \
		tests/unit/test_win_notify.c src/win_notify.c src/utf16.c \
		src/strmap.c
tests/unit/test_win_cmdline: tests/unit/test_win_cmdline.c tests/unit/crt_argv.h \
		src/win_cmdline.c src/win_cmdline.h
	$(CC) $(STD) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ \
		tests/unit/test_win_cmdline.c src/win_cmdline.c

# The kqueue backend (macOS, the BSDs), checked on any Unix: its files
# compiled against a stand-in <sys/event.h> as FreeBSD, macOS, OpenBSD and
# a system without NOTE_REVOKE see it, then unit-tested with a scripted
# kevent() on a real directory, alone (test_kqueue-*) and under the
# portable core (test_core).  The tests include the backend's files whole,
# to reach their statics and route their libc calls.
BSDINC   = -Itests/bsd/include
BSDSRC   = $(KQUEUE_SRC) $(POLL_SRC) src/wakepipe.c
BSDDEPS  = $(BSDSRC) src/bsd_vnode.h src/listing.h src/recbuf.h src/wakepipe.h \
           src/backend.h src/strmap.c src/strmap.h \
           tests/bsd/include/sys/event.h tests/bsd/fake_kevent.c \
           tests/bsd/fake_kevent.h
BSDTESTS = tests/bsd/test_kqueue-freebsd tests/bsd/test_kqueue-macos \
           tests/bsd/test_kqueue-openbsd tests/bsd/test_core
BSDCC    = $(CC) $(STD) $(WARN) -Werror $(BSDINC) $(CPPFLAGS) $(CFLAGS)

check-bsd: $(BSDTESTS)
	@for f in $(BSDSRC); do \
		echo "# $$f: FreeBSD, macOS, OpenBSD, no NOTE_REVOKE"; \
		$(BSDCC) -fsyntax-only $$f && \
		$(BSDCC) -DFAKE_KQ_MACOS -DO_EVTONLY=0x8000 -DOPEN_MAX=10240 \
			-fsyntax-only $$f && \
		$(BSDCC) -DFAKE_KQ_OPENBSD -fsyntax-only $$f && \
		$(BSDCC) -DFAKE_KQ_NO_REVOKE -fsyntax-only $$f || exit 1; \
	done
	@for t in $(BSDTESTS); do echo "# $$t"; ./$$t || exit 1; done

tests/bsd/test_kqueue-freebsd: tests/bsd/test_kqueue.c $(BSDDEPS)
	$(BSDCC) $(LDFLAGS) -o $@ tests/bsd/test_kqueue.c \
		tests/bsd/fake_kevent.c
tests/bsd/test_kqueue-macos: tests/bsd/test_kqueue.c $(BSDDEPS)
	$(BSDCC) -DFAKE_KQ_MACOS $(LDFLAGS) -o $@ tests/bsd/test_kqueue.c \
		tests/bsd/fake_kevent.c
tests/bsd/test_kqueue-openbsd: tests/bsd/test_kqueue.c $(BSDDEPS)
	$(BSDCC) -DFAKE_KQ_OPENBSD $(LDFLAGS) -o $@ tests/bsd/test_kqueue.c \
		tests/bsd/fake_kevent.c

# test_core fails the core's allocations one by one (its oom_sweep):
# every file but test_core.c, which counts them, calls its allocator.
OOMFLAGS = -Dmalloc=oom_malloc -Dcalloc=oom_calloc -Drealloc=oom_realloc
tests/bsd/test_core: tests/bsd/test_core.c $(BSDDEPS) $(CORE_SRC) \
		src/sys_posix.c src/sys_fs.c $(HDR)
	$(BSDCC) $(OOMFLAGS) $(LDFLAGS) -o $@ tests/bsd/test_core.c \
		tests/bsd/fake_kevent.c $(POLL_SRC) src/wakepipe.c \
		$(CORE_SRC) src/sys_posix.c src/sys_fs.c $(LDLIBS)

# The FSEvents backend (macOS), checked on any Unix: compiled against a
# stand-in of Apple's headers (tests/macos/include, written from Apple's
# documentation), then unit-tested with a scripted FSEvents service on
# real directories: the translator and the backend (test_fsevents), and
# the portable core on it (test_core, with test_core's OOM sweep).
# The kqueue backend it keeps for directories watched alone is built as
# check-bsd's macOS flavour, over its scripted kevent(); every close()
# goes through fake_close(), which tells fake_kevent.c.
MACINC   = -Itests/macos/include -Itests/bsd/include -DFAKE_KQ_MACOS \
           -DO_EVTONLY=0x8000 -DOPEN_MAX=10240
MACSRC   = $(FSEVENTS_SRC) $(KQUEUE_SRC) $(POLL_SRC) src/wakepipe.c \
           tests/macos/fake_fsevents.c tests/bsd/fake_kevent.c
MACDEPS  = $(MACSRC) $(BSDDEPS) src/fse_translate.h \
           tests/macos/include/CoreServices/CoreServices.h \
           tests/macos/include/dispatch/dispatch.h \
           tests/macos/fake_fsevents.h
MACTESTS = tests/macos/test_fsevents tests/macos/test_core
MACCC    = $(CC) $(STD) $(WARN) -Werror $(MACINC) -Dclose=fake_close \
           $(CPPFLAGS) $(CFLAGS)

check-macos: $(MACTESTS)
	@echo "# src/watch_fsevents.c against the stand-in headers"
	@$(MACCC) -fsyntax-only src/watch_fsevents.c
	@for t in $(MACTESTS); do echo "# $$t"; ./$$t || exit 1; done

# test_fsevents fills the hand-over with a small HAND_MAX.  backends.c
# as macOS compiles it, for test_fsevents to check its list.
tests/macos/backends-macos.o: src/backends.c src/backend.h
	$(MACCC) -U__linux__ -D__APPLE__ -c -o $@ src/backends.c
tests/macos/test_fsevents: tests/macos/test_fsevents.c $(MACDEPS) \
		tests/macos/backends-macos.o
	$(MACCC) -DHAND_MAX=64 $(LDFLAGS) -o $@ tests/macos/test_fsevents.c \
		$(MACSRC) tests/macos/backends-macos.o src/strmap.c src/sys_posix.c \
		$(LDLIBS) -lpthread
tests/macos/test_core: tests/macos/test_core.c $(MACDEPS) $(CORE_SRC) \
		src/sys_posix.c src/sys_fs.c $(HDR)
	$(MACCC) $(OOMFLAGS) $(LDFLAGS) -o $@ tests/macos/test_core.c \
		$(MACSRC) $(CORE_SRC) src/sys_posix.c src/sys_fs.c $(LDLIBS) \
		-lpthread

# libFuzzer targets for the parsers that take user text or kernel
# buffers (tests/fuzz/): `make fuzz` runs each for FUZZ_SECONDS (20);
# `make test` replays their corpora (tests/unit.bats), no libFuzzer needed.
fuzz:
	tests/fuzz/run

# Windows: cross-built with MinGW-w64 (Debian: gcc-mingw-w64-x86-64).
# Natively, the same line works in an MSYS2 MinGW shell with WINCC=gcc.
WINCC   ?= x86_64-w64-mingw32-gcc
WINFLAGS = -std=c11 -D_WIN32_WINNT=0x0602 -DWINVER=0x0602 -municode
windows: fwatch.exe
fwatch.exe: $(WINSRC) $(HDR)
	$(WINCC) $(WINFLAGS) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -static \
		-o $@ $(WINSRC)

# The same test of sys_pdir_* against sys_win.c, run under Wine by
# tests/windows.bats.
tests/unit/test_sys_pdir.exe: tests/unit/test_sys_pdir.c \
		tests/unit/sys_fixtures.h src/sys_win.c src/sys_win.h src/sys.h \
		src/utf16.c src/utf16.h
	$(WINCC) $(WINFLAGS) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -static \
		-o $@ tests/unit/test_sys_pdir.c src/sys_win.c src/utf16.c
tests/unit/test_sys_file.exe: tests/unit/test_sys_file.c \
		tests/unit/sys_fixtures.h src/sys_win.c src/sys_win_file.c \
		src/sys_win.h src/sys.h src/utf16.c src/utf16.h
	$(WINCC) $(WINFLAGS) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -static \
		-o $@ tests/unit/test_sys_file.c src/sys_win.c \
		src/sys_win_file.c src/utf16.c
tests/unit/test_sys_read.exe: tests/unit/test_sys_read.c src/sys_win.c \
		src/sys_win_file.c src/sys_win.h src/sys.h src/utf16.c \
		src/utf16.h
	$(WINCC) $(WINFLAGS) $(WARN) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -static \
		-o $@ tests/unit/test_sys_read.c src/sys_win.c \
		src/sys_win_file.c src/utf16.c

# The same program built with AddressSanitizer and UBSan, for the suite:
# FWATCH=./fwatch-san bats tests/
SANFLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
           -fno-sanitize-recover=undefined
fwatch-san: $(SRC) $(HDR)
	$(CC) $(STD) $(WARN) $(CPPFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $(SRC) $(LDLIBS)

# Benchmarks against inotifywait, fswatch and a minimal C reader (see
# bench/README.md).  They print figures and assert nothing: not tests.
bench/minread: bench/minread.c
	$(CC) $(STD) $(WARN) $(CPPFLAGS) -O2 $(LDFLAGS) -o $@ bench/minread.c

bench/minstat: bench/minstat.c
	$(CC) $(STD) $(WARN) $(CPPFLAGS) -O2 $(LDFLAGS) -o $@ bench/minstat.c

bench: fwatch bench/minread bench/minstat
	python3 bench/bench.py $(BENCHFLAGS)

bench-quick: fwatch bench/minread bench/minstat
	python3 bench/bench.py --quick $(BENCHFLAGS)

# Following a log: fwatch --tail against GNU tail -F on the same writer.
bench/logwrite: bench/logwrite.c
	$(CC) $(STD) $(WARN) $(CPPFLAGS) -O2 $(LDFLAGS) -o $@ bench/logwrite.c

bench-tail: fwatch bench/logwrite
	python3 bench/tail.py $(BENCHFLAGS)

# What --gitignore costs: the same setup and bursts with and without it.
bench-gitignore: fwatch
	python3 bench/gitignore.py $(BENCHFLAGS)

.PHONY: bench bench-quick bench-tail bench-gitignore

# Writers churn a deep tree while fwatch --snapshot watches it with a
# small kernel queue (as root); the events replayed must give the tree.
# Not part of make test; CI runs a short one.  make soak SOAK_SECONDS=600
SOAK_SECONDS ?= 60
soak: fwatch
	tests/soak/run --snapshot --seconds $(SOAK_SECONDS)

# The suite with fwatch under valgrind (slow: tens of minutes).
valgrind:
	tests/valgrind/run
.PHONY: soak valgrind

# The completions are made by the fwatch just built, from its option
# table (fwatch --completions SHELL).
install: fwatch
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANPREFIX)/man1 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
		$(DESTDIR)$(FISHCOMPDIR)
	cp -f fwatch $(DESTDIR)$(BINDIR)/fwatch
	chmod 755 $(DESTDIR)$(BINDIR)/fwatch
	cp -f man/fwatch.1 $(DESTDIR)$(MANPREFIX)/man1/fwatch.1
	chmod 644 $(DESTDIR)$(MANPREFIX)/man1/fwatch.1
	./fwatch --completions bash >$(DESTDIR)$(BASHCOMPDIR)/fwatch
	./fwatch --completions zsh >$(DESTDIR)$(ZSHCOMPDIR)/_fwatch
	./fwatch --completions fish >$(DESTDIR)$(FISHCOMPDIR)/fwatch.fish
	chmod 644 $(DESTDIR)$(BASHCOMPDIR)/fwatch \
		$(DESTDIR)$(ZSHCOMPDIR)/_fwatch $(DESTDIR)$(FISHCOMPDIR)/fwatch.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/fwatch $(DESTDIR)$(MANPREFIX)/man1/fwatch.1 \
		$(DESTDIR)$(BASHCOMPDIR)/fwatch $(DESTDIR)$(ZSHCOMPDIR)/_fwatch \
		$(DESTDIR)$(FISHCOMPDIR)/fwatch.fish

clean:
	rm -f fwatch fwatch-* fwatch.exe bench/minread bench/minstat bench/logwrite \
		$(UNIT) $(BSDTESTS) $(MACTESTS) tests/macos/backends-macos.o \
		tests/unit/test_sys_pdir.exe tests/unit/test_sys_file.exe \
		tests/unit/test_sys_read.exe \
		tests/unit/ig_oracle
	rm -rf tests/fuzz/build

.PHONY: all test unit windows check-bsd check-macos fuzz install uninstall clean
