#!/usr/bin/env bats
# --include / --exclude globs.
# bats: run --separate-stderr sets $stderr; each @test runs in a subshell
# shellcheck disable=SC2154,SC2030,SC2031

load helpers

@test "-i '*.c' reports only matching files" {
	mkdir d
	start_fwatch -i '*.c' d
	: >d/a.c
	: >d/b.h
	: >d/zz-end.c
	wait_for_record "create d/zz-end.c"
	assert_equal "$(records)" "create d/a.c
create d/zz-end.c"
}

@test "-i '*.c' still sees .c files in new subdirectories" {
	mkdir d
	start_fwatch -r -i '*.c' d
	mkdir -p d/new/deeper
	: >d/new/deeper/x.c
	wait_for_record "create d/new/deeper/x.c"
	assert_no_record "create d/new"
}

@test "-x '*.o' hides matching files" {
	mkdir d
	start_fwatch -x '*.o' d
	: >d/a.o
	: >d/a.c
	mark d
	assert_no_record "create d/a.o"
	assert_no_match 'a\.o'
	wait_for_record "create d/a.c"
}

@test "several -x options all count" {
	mkdir d
	start_fwatch -x '*.o' -x '*.tmp' --exclude '*~' d
	: >d/a.o
	: >d/b.tmp
	: >d/c~
	: >d/keep
	mark d
	assert_equal "$(records)" "create d/keep
create $MARKER"
}

@test "several -i options all count" {
	skip_if_poll "the order of files made within one timestamp tick"
	mkdir d
	start_fwatch -i '*.c' -i '*.h' --include 'Makefile' d
	: >d/a.c
	: >d/a.h
	: >d/Makefile
	: >d/a.txt
	: >d/zz.c
	wait_for_record "create d/zz.c"
	assert_equal "$(records)" "create d/a.c
create d/a.h
create d/Makefile
create d/zz.c"
}

@test "--exclude wins over --include" {
	mkdir d
	start_fwatch -i '*.c' -x 'gen_*' d
	: >d/gen_a.c
	: >d/a.c
	wait_for_record "create d/a.c"
	: >d/zz.c
	wait_for_record "create d/zz.c"
	assert_no_match 'gen_'
}

@test "a glob with a slash is matched against the path relative to PATH" {
	mkdir -p d/src/sub d/other/src
	start_fwatch -r -i 'src/*.c' d
	: >d/src/sub/b.c
	: >d/other/src/c.c
	: >d/a.c
	: >d/src/a.c
	wait_for_record "create d/src/a.c"
	assert_equal "$(records)" "create d/src/a.c"
}

@test "** matches any number of directories, including none" {
	skip_if_poll "the order of files made within one timestamp tick"
	mkdir -p d/src/x/y d/other
	start_fwatch -r -i 'src/**/*.c' d
	: >d/other/c.c
	: >d/src/x/y/b.c
	: >d/src/a.c
	wait_for_record "create d/src/a.c"
	assert_equal "$(records)" "create d/src/x/y/b.c
create d/src/a.c"
}

@test "a leading ** matches at any depth" {
	mkdir -p d/a/b
	start_fwatch -r -x '**/b/*.log' d
	: >d/a/b/x.log
	: >d/a/x.log
	wait_for_record "create d/a/x.log"
	assert_no_match 'b/x\.log'
}

@test "an exclude glob with a slash like build/* hides what is under it" {
	mkdir -p d/build d/src
	start_fwatch -r -x 'build/*' d
	: >d/build/out
	: >d/src/build
	: >d/keep
	wait_for_record "create d/keep"
	assert_equal "$(records)" "create d/src/build
create d/keep"
}

@test "? matches one character and [..] classes work, including [!..]" {
	skip_if_poll "the order of files made within one timestamp tick"
	mkdir d
	start_fwatch -i 'f?.[ch]' -i 'n[0-9]' -i 'x[!a]' d
	for f in f1.c f12.c f1.h f1.o n5 na xa xb; do
		: >"d/$f"
	done
	: >d/f9.c
	wait_for_record "create d/f9.c"
	assert_equal "$(records)" "create d/f1.c
create d/f1.h
create d/n5
create d/xb
create d/f9.c"
}

@test "POSIX classes like [[:digit:]] and [[:upper:]] work in a glob, as in git" {
	skip_if_poll "the order of files made within one timestamp tick"
	mkdir d
	start_fwatch -i 'v[[:digit:]]' -i '[[:upper:]][![:alnum:]]' d
	for f in v1 vx A- Ab a- v12; do
		: >"d/$f"
	done
	: >d/v9
	wait_for_record "create d/v9"
	assert_equal "$(records)" "create d/v1
create d/A-
create d/v9"
}

@test "a backslash makes the next character literal" {
	mkdir d
	start_fwatch -i 'a\*b' d
	: >d/axb
	: >'d/a*b'
	wait_for_record 'create d/a*b'
	assert_no_record 'create d/axb'
}

@test "an excluded directory is not watched at all" {
	mkdir -p d/a d/node_modules/x d/node_modules/y
	start_fwatch -r d
	watching_dirs 5
	stop_fwatch
	start_fwatch -r -x node_modules d
	watching_dirs 2
	: >d/node_modules/f
	: >d/node_modules/x/g
	mkdir d/node_modules/z
	mark d/a
	assert_no_match 'node_modules'
}

@test "a directory created later that matches --exclude is not watched" {
	mkdir -p d/a
	start_fwatch -r -x node_modules d
	mkdir -p d/a/node_modules/pkg
	: >d/a/node_modules/f
	: >d/a/node_modules/pkg/g
	mark d/a
	assert_no_match 'node_modules'
}

@test "-x .git hides everything git does inside the repository" {
	git init -q d
	start_fwatch -r -x .git d
	echo hi >d/file
	git -C d add file
	git -C d -c user.name=t -c user.email=t@t commit -q -m one
	mark d
	assert_no_match '\.git'
	wait_for_record "create d/file"
}

@test "a rename is reported when only its new path passes the filters" {
	mkdir d
	: >d/a.txt
	start_fwatch -i '*.c' d
	mv d/a.txt d/a.c
	wait_for_record "rename d/a.txt -> d/a.c"
}

@test "a rename is reported when only its old path passes the filters" {
	mkdir d
	: >d/a.c
	start_fwatch -i '*.c' d
	mv d/a.c d/b.txt
	wait_for_record "rename d/a.c -> d/b.txt"
}

@test "saving through an excluded temporary file is still reported as a rename" {
	skip_if_poll "a temporary file that lives less than one interval"
	mkdir d
	echo old >d/f
	start_fwatch -x '*.tmp' d
	echo new >d/f.tmp
	mv d/f.tmp d/f
	wait_for_record "rename d/f.tmp -> d/f"
	assert_no_record "create d/f.tmp"
}

@test "a rename where neither path passes is not reported" {
	mkdir d
	: >d/a.o
	start_fwatch -x '*.o' d
	mv d/a.o d/b.o
	mark d
	assert_no_match 'a\.o'
}

@test "a directory renamed to an excluded name stops being watched, and one renamed from it starts" {
	skip_if_poll "names that swap within one interval"
	mkdir -p d/lib d/node_modules
	start_fwatch -r -x node_modules d
	mv d/lib d/tmp
	mv d/node_modules d/lib
	mv d/tmp d/node_modules
	wait_for_records 5 "rename d/lib -> d/tmp" "rename d/node_modules -> d/lib" "rename d/tmp -> d/node_modules"
	: >d/lib/f
	wait_for_record "create d/lib/f"
	: >d/node_modules/g
	mark d
	assert_no_match 'node_modules/g'
}

@test "an unbalanced [ in --exclude is exit 1 with a message" {
	mkdir d
	run_fwatch --exclude '[ab' d
	assert_status 1
	assert_equal "$output" ""
	assert_contains "$stderr" "fwatch: --exclude '[ab': unmatched '[' (write \\[ for a literal bracket)"
}

@test "an unknown class name like [[:digits:]] is exit 1 with a message" {
	mkdir d
	run_fwatch --exclude '[[:digits:]]' d
	assert_status 1
	assert_equal "$output" ""
	assert_contains "$stderr" "fwatch: --exclude '[[:digits:]]': unknown class in '['"
}

@test "an unbalanced [ in -i is exit 1 with a message naming the option" {
	mkdir d
	run_fwatch -i 'x[' d
	assert_status 1
	assert_equal "$output" ""
	[[ $stderr == *"fwatch: -i 'x[': unmatched '['"* || $stderr == *"fwatch: --include 'x[': unmatched '['"* ]] ||
		fail "unexpected message: $stderr"
}

@test "an escaped \\[ is a literal bracket, not an error" {
	mkdir d
	start_fwatch -i '\[x' d
	: >'d/[x'
	wait_for_record 'create d/[x'
}

@test "a glob of many stars against a long name is matched at once, not in exponential time" {
	start_fwatch -x '*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*z' .
	local long
	long=$(printf 'a%.0s' {1..200})
	: >"$long"
	wait_for_record "create ./$long" 5
}

# ---- patterns as people write them (issue 15)

# watching_dirs N: fwatch's start-up line says it watches N directories.
watching_dirs() {
	assert_dirs_watched "$FW_ERR" "$1"
}

# inotify_watches_are N: fwatch holds N inotify watches now (Linux, the
# inotify backend); other backends have no such count to read.
_watches() {
	local f n=0
	for f in /proc/"$FW_PID"/fdinfo/*; do
		n=$((n + $(grep -c '^inotify wd:' "$f" 2>/dev/null || true)))
	done
	[[ $n == "$1" ]]
}
inotify_watches_are() {
	[[ -z ${FWATCH_BACKEND:-} || $FWATCH_BACKEND == inotify ]] || return 0
	[[ -d /proc/$FW_PID/fdinfo ]] && grep -q 'with inotify' "$FW_ERR" || return 0
	wait_until 2 "fwatch to hold $1 inotify watches" _watches "$1"
}

@test "-x build/ leaves out the directory build and all it holds, unwatched, but reports a file named build" {
	mkdir -p d/build/obj d/src
	start_fwatch -r -x build/ d
	watching_dirs 2
	: >d/build/o.o
	: >d/build/obj/x.o
	mkdir -p d/lib/build/deep
	: >d/lib/build/deep/y.o
	: >d/src/build
	wait_for_record "create d/src/build"
	mark d
	assert_no_match 'build/'
	assert_no_record "create d/lib/build"
	inotify_watches_are 3 # d, d/src, d/lib
}

@test "-x ./build and -x /build leave out only the build right below the PATH" {
	mkdir -p d/build d/src/build
	for x in ./build /build; do
		start_fwatch -r -x "$x" d
		watching_dirs 3
		: >d/build/o.o
		: >d/src/build/kept
		wait_for_record "create d/src/build/kept"
		mark d
		assert_no_match '^[a-z]+ d/build/'
		stop_fwatch
		rm d/build/o.o d/src/build/kept
	done
}

@test "-x with an absolute path inside a relative PATH leaves out the path below it" {
	mkdir -p d/build d/src/build
	cd d
	start_fwatch -r -x "$PWD/build" .
	watching_dirs 3
	: >build/o.o
	: >src/build/kept
	wait_for_record "create ./src/build/kept"
	mark .
	assert_no_match 'o\.o'
	! grep -q warning "$FW_ERR" || fail "unexpected warning: $(cat "$FW_ERR")"
}

@test "an absolute -x reached through a symlink means the same directory" {
	mkdir -p d/build
	ln -s "$WORK" "$OUTSIDE/link"
	start_fwatch -r -x "$OUTSIDE/link/d/build/" d
	watching_dirs 1
	: >d/build/o.o
	mark d
	assert_no_match 'o\.o'
}

@test "with two PATHs an absolute -x belongs to the one it is in" {
	mkdir -p a/build b/build
	start_fwatch -r -x "$PWD/a/build" a b
	watching_dirs 3
	: >a/build/o.o
	: >b/build/o.o
	wait_for_record "create b/build/o.o"
	mark a
	assert_no_record "create a/build/o.o"
}

@test "an absolute path outside every PATH is a warning at start, naming the pattern and what to do" {
	mkdir d
	start_fwatch -r -x "$OUTSIDE/elsewhere" d
	assert_contains "$(cat "$FW_ERR")" "fwatch: warning: --exclude '$OUTSIDE/elsewhere' matches nothing: as an absolute path it is not below any watched PATH; write it as a path below the PATH"
	: >d/elsewhere
	wait_for_record "create d/elsewhere"
}

@test "a pattern with a .. component is a warning at start; -x /name anchors when nothing at / has that name" {
	mkdir -p d/src
	start_fwatch -r -x 'src/../b' -x /no-such-top-dir-fwatch d
	assert_contains "$(cat "$FW_ERR")" "fwatch: warning: --exclude 'src/../b' matches nothing: the paths fwatch reports have no '.', '..' or empty component"
	[[ $(grep -c warning "$FW_ERR") == 1 ]] || fail "one warning expected: $(cat "$FW_ERR")"
	: >d/no-such-top-dir-fwatch
	: >d/src/no-such-top-dir-fwatch
	wait_for_record "create d/src/no-such-top-dir-fwatch"
	assert_no_record "create d/no-such-top-dir-fwatch"
}

@test "--include with a trailing / matches directories only" {
	skip_if_poll "a file that lives less than one interval"
	mkdir d
	start_fwatch -i 'src/' d
	: >d/src
	rm d/src
	mkdir d/src
	wait_for_record "create d/src"
	assert_equal "$(records)" "create d/src"
}

@test "a glob of many **/ against a deep path is matched at once, not in exponential time" {
	local deep glob
	deep=d$(printf '/a%.0s' {1..30})
	mkdir -p "$deep"
	glob=$(printf '**/a/%.0s' {1..12})b
	start_fwatch -r -x "$glob" d
	: >"$deep/c"
	wait_for_record "create $deep/c" 5
}
