#!/usr/bin/env bats
# --gitignore, --no-gitignore, --ignore-file, --explain-ignore (issue 15):
# what git ignores is not reported, and an ignored directory is not
# watched at all.
# bats: run --separate-stderr sets $stderr; each @test runs in a subshell
# shellcheck disable=SC2154,SC2030,SC2031,SC2016

load helpers

# git and fwatch run with a home of their own: the user's git config and
# global excludes file never reach them.
setup() {
	fw_setup
	export HOME=$BATS_TEST_TMPDIR/home
	export GIT_CONFIG_GLOBAL=$HOME/gitconfig GIT_CONFIG_NOSYSTEM=1
	unset XDG_CONFIG_HOME GIT_DIR GIT_WORK_TREE
	mkdir -p "$HOME"
	: >"$GIT_CONFIG_GLOBAL"
	LOG=$BATS_TEST_TMPDIR/log
	export LOG
}

need_git() {
	command -v git >/dev/null || skip "git is not installed (.ci/run installs it)"
}

# repo DIR: a new git work tree at DIR.
repo() {
	need_git
	git init -q "$1"
}

# not_in_a_work_tree DIR: skip unless DIR is outside every git work tree
# (a test directory under a checkout would be inside one).
not_in_a_work_tree() {
	command -v git >/dev/null || return 0
	if git -C "$1" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		skip "the test directory is inside a git work tree"
	fi
}

# inotify_watches PID: the inotify watches PID holds (Linux).
inotify_watches() {
	local f n=0
	for f in /proc/"$1"/fdinfo/*; do
		n=$((n + $(grep -c '^inotify wd:' "$f" 2>/dev/null || true)))
	done
	echo "$n"
}

# inotify_used: fwatch watches with inotify here, and /proc says how much
# (fanotify's one mark per filesystem says nothing of the directories).
inotify_used() {
	[[ ${FWATCH_BACKEND:-inotify} == inotify && -d /proc/self/fdinfo ]]
}

_watches_are() {
	[ "$(inotify_watches "$FW_PID")" -eq "$1" ]
}

# assert_watches N: fwatch holds N inotify watches now (where it uses
# inotify; the startup line says the same on every backend).
assert_watches() {
	inotify_used || return 0
	wait_until 5 "fwatch to hold $1 inotify watches" _watches_are "$1" ||
		{ fail "it holds $(inotify_watches "$FW_PID")"; return 1; }
}

# held_below DIR: descriptors fwatch holds open on DIR or below it.
held_below() {
	local real
	real=$(cd "$1" && pwd -P)
	find /proc/"$FW_PID"/fd -lname "$real*" 2>/dev/null | wc -l
}

# ---------------------------------------------------------------- git's rules

@test "--gitignore: of a few thousand paths created, exactly those git check-ignore does not ignore are reported" {
	repo r
	printf '[core]\n\texcludesFile = ~/global-ignore\n' >"$GIT_CONFIG_GLOBAL"
	printf '*.swp\n.DS_Store\n*~\n' >"$HOME/global-ignore"
	printf '*.secret\nexcluded-dir/\n' >r/.git/info/exclude
	mkdir stage
	python3 "$BATS_TEST_DIRNAME/gitignore/corpus.py" r stage rules
	cd r
	start_fwatch -r --gitignore -e create -0 .
	python3 "$BATS_TEST_DIRNAME/gitignore/corpus.py" . ../stage paths >../paths
	mark .
	[ "$(wc -l <../paths)" -gt 2000 ]
	tr '\n' '\0' <../paths | git check-ignore --no-index -z --stdin |
		tr '\0' '\n' >../ignored || true
	# the corpus holds both kinds, many of each
	[ "$(wc -l <../ignored)" -gt 1000 ]
	grep -v -x -F -f ../ignored ../paths | sort >../expected
	[ "$(wc -l <../expected)" -gt 300 ]
	tr '\0' '\n' <"$FW_OUT" | sed -n 's#^create \./##p' |
		grep -v -x -F "${MARKER#./}" | sort >../reported
	if ! diff ../expected ../reported >../diff; then
		fail "what fwatch reported (>) differs from what git does not ignore (<):" \
			"$(head -n 40 ../diff)"
	fi
}

@test "--gitignore: an ignored directory holds no watch and no descriptor, and nothing in it is reported" {
	repo r
	printf 'build/\nnode_modules\n' >r/.gitignore
	mkdir -p r/build/a/b r/node_modules/x/y r/src/z
	cd r
	start_fwatch -r --gitignore -e create .
	# ., src, src/z: not build, node_modules or .git, nor below them
	assert_contains "$(cat "$FW_ERR")" "watching 3 directories under 1 path"
	assert_watches 3
	[ "$(held_below build)" -eq 0 ]
	[ "$(held_below node_modules)" -eq 0 ]
	[ "$(held_below .git)" -eq 0 ]
	: >build/a/b/o.o
	mkdir node_modules/new
	: >src/z/a.c
	mark .
	assert_equal "$(records)" "create ./src/z/a.c
create $MARKER"
}

@test "--gitignore: a .gitignore rules every entry beside it, whatever the listing brings first" {
	repo r
	# forty directories it ignores, made before and after it: in
	# whatever order the filesystem lists them, some come before it
	mkdir r/sub r/sub/d{00..19}
	printf 'd*/\n' >r/sub/.gitignore
	mkdir r/sub/d{20..39} r/sub/kept
	cd r
	start_fwatch -r --gitignore -e create .
	assert_contains "$(cat "$FW_ERR")" "watching 3 directories under 1 path"
	: >sub/d00/x
	: >sub/d39/x
	: >sub/kept/x
	mark .
	assert_equal "$(records)" "create ./sub/kept/x
create $MARKER"
}

@test "--gitignore: .git is neither reported nor watched, even as git writes to it" {
	repo r
	cd r
	start_fwatch -r --gitignore .
	: >a.c
	git add a.c
	git -c user.name=t -c user.email=t@example.com commit -q -m one
	mark .
	assert_no_match '\.git'
	assert_watches 1
}

@test "without --gitignore, .gitignore changes nothing: what git ignores is reported" {
	repo r
	printf '*.o\n' >r/.gitignore
	cd r
	start_fwatch -r -e create .
	: >a.o
	wait_for_record "create ./a.o"
}

@test "--gitignore: the rules of a repository nested below start afresh, as git's do" {
	repo outer
	repo outer/inner
	printf '*.log\n' >outer/.gitignore
	printf '*.tmp\n' >outer/inner/.gitignore
	cd outer
	start_fwatch -r --gitignore -e create .
	: >a.log
	: >a.tmp
	: >inner/b.log
	: >inner/b.tmp
	mark .
	# as git itself sees it, in each repository
	git check-ignore -q a.log
	! git check-ignore -q a.tmp
	! git -C inner check-ignore -q b.log
	git -C inner check-ignore -q b.tmp
	assert_equal "$(records | sort)" "create ./a.tmp
create ./inner/b.log
create $MARKER"
}

@test "--gitignore: a PATH that git ignores is watched as given, and fwatch says so" {
	repo r
	printf 'build/\n' >r/.gitignore
	mkdir r/build
	cd r
	start_fwatch -r --gitignore -e create build
	assert_contains "$(cat "$FW_ERR")" "fwatch: --gitignore: 'build': git ignores it (.gitignore:1:build/); it is watched as given"
	: >build/x
	wait_for_record "create build/x"
}

@test "--gitignore outside a git work tree says so once and leaves nothing out" {
	not_in_a_work_tree "$WORK"
	mkdir d
	printf 'x\n' >d/.gitignore
	start_fwatch -r --gitignore -e create d
	[ "$(grep -c -e "--gitignore" "$FW_ERR")" -eq 1 ]
	assert_contains "$(cat "$FW_ERR")" "fwatch: --gitignore: 'd': not in a git work tree; nothing is ignored for it"
	: >d/x
	wait_for_record "create d/x"
}

# ---------------------------------------------------------------- live changes

@test ".gitignore edited while watching: a directory it stops ignoring is watched, and what is then created in it reported" {
	repo r
	printf 'gen/\n*.o\n' >r/.gitignore
	mkdir r/gen
	: >r/gen/old
	cd r
	start_fwatch -r --gitignore -e create .
	assert_watches 1
	: >gen/before
	mark .
	sed -i '/gen/d' .gitignore
	mark .
	assert_watches 2
	: >gen/after
	: >gen/after.o
	mark .
	# what was there before is not news: only what came after
	assert_no_match 'gen/(old|before|after\.o)'
	assert_record_count 1 "create ./gen/after"
}

@test ".gitignore edited while watching: a directory it starts ignoring is no longer watched, and nothing in it is reported" {
	repo r
	mkdir r/out
	cd r
	start_fwatch -r --gitignore -e create .
	assert_watches 2
	: >out/a
	wait_for_record "create ./out/a"
	echo 'out/' >>.gitignore
	mark .
	assert_watches 1
	[ "$(held_below out)" -eq 0 ]
	: >out/b
	mkdir out/deeper
	mark .
	assert_no_match 'out/(b|deeper)'
}

@test ".gitignore deleted while watching: what it ignored is watched again" {
	repo r
	printf 'tmp/\n' >r/.gitignore
	mkdir r/tmp
	cd r
	start_fwatch -r --gitignore -e create .
	rm .gitignore
	mark .
	: >tmp/x
	wait_for_record "create ./tmp/x"
}

@test "a .gitignore created in a subdirectory while watching rules what is below it" {
	repo r
	mkdir -p r/sub/cache
	cd r
	start_fwatch -r --gitignore -e create .
	: >sub/cache/a
	wait_for_record "create ./sub/cache/a"
	printf 'cache/\n*.log\n' >sub/.gitignore
	mark .
	: >sub/cache/b
	: >sub/c.log
	: >c.log
	: >sub/c
	mark .
	assert_no_match 'sub/cache/b|sub/c\.log'
	wait_for_record "create ./c.log"
	wait_for_record "create ./sub/c"
}

@test "a .gitignore that is itself excluded and ignored is still read again when it changes" {
	repo r
	printf '.gitignore\nbuild/\n' >r/.gitignore
	mkdir r/build
	cd r
	start_fwatch -r --gitignore -x .gitignore -e create .
	printf '.gitignore\n' >.gitignore
	mark .
	: >build/x
	wait_for_record "create ./build/x"
	assert_no_match '\.gitignore'
}

@test "a renamed directory is judged by its new name, and what is below it too" {
	repo r
	printf '/src/gen/\n' >r/.gitignore
	mkdir -p r/src/gen
	cd r
	start_fwatch -r --gitignore -e create .
	mv src lib
	mark .
	: >lib/gen/x
	wait_for_record "create ./lib/gen/x"
	mv lib src
	mark .
	: >src/gen/y
	: >src/z
	mark .
	assert_no_record "create ./src/gen/y"
	wait_for_record "create ./src/z"
}

@test "a directory moved out of the tree and back brings its .gitignore with it" {
	repo r
	mkdir -p r/sub/cache
	printf 'cache/\n' >r/sub/.gitignore
	cd r
	start_fwatch -r --gitignore -e create .
	mv sub "$OUTSIDE/"
	mark .
	: >"$OUTSIDE/sub/cache/x"
	mv "$OUTSIDE/sub" .
	wait_for_record "create ./sub"
	: >sub/cache/y
	: >sub/z
	mark .
	assert_no_match 'cache'
	wait_for_record "create ./sub/z"
}

# ---------------------------------------------------------------- --ignore-file

@test "--ignore-file: rules in .gitignore syntax, relative to the file's directory, without git" {
	mkdir -p d/sub/out d/out p/q
	printf '*.tmp\n/out/\n' >d/rules
	printf 'q/\n' >rules-above
	start_fwatch -r -e create --ignore-file d/rules --ignore-file rules-above d p
	: >d/a.tmp
	: >d/sub/b.tmp
	: >d/out/x
	: >d/sub/out/y
	: >p/q/z
	: >p/keep
	mark d
	assert_equal "$(records | sort)" "create d/sub/out/y
create $MARKER
create p/keep"
}

@test "--ignore-file naming no file is an error at start that names it" {
	mkdir d
	run_fwatch --ignore-file nope/rules d
	assert_status 1
	assert_equal "$stderr" "fwatch: cannot read --ignore-file 'nope/rules': No such file or directory (check the path)"
}

@test "--ignore-file and --gitignore together: both leave out" {
	repo r
	printf '*.o\n' >r/.gitignore
	printf '*.log\n' >extra
	cd r
	start_fwatch -r --gitignore --ignore-file ../extra -e create .
	: >a.o
	: >a.log
	: >a.c
	mark .
	assert_equal "$(records)" "create ./a.c
create $MARKER"
}

# ---------------------------------------------------------------- --explain-ignore

@test "--explain-ignore says the file, line and rule as git check-ignore -v does, and exits 0" {
	repo r
	printf '*.o\nbuild/\n!keep.o\n' >r/.gitignore
	printf 'secret\n' >r/.git/info/exclude
	printf '[core]\n\texcludesFile = ~/global-ignore\n' >"$GIT_CONFIG_GLOBAL"
	printf '*.swp\n' >"$HOME/global-ignore"
	mkdir -p r/build r/src
	: >r/build/o.o
	cd r
	local p
	for p in src/a.o build build/o.o secret src/.a.swp; do
		run_fwatch --gitignore --explain-ignore "$p" .
		assert_status 0
		assert_equal "$output" "$(git check-ignore -v --no-index "$p")"
	done
	assert_equal "$output" "$HOME/global-ignore:1:*.swp	src/.a.swp"
}

@test "--explain-ignore exits 1 for a path that would be reported, naming a '!' rule that kept it" {
	repo r
	printf '*.o\n!keep.o\n' >r/.gitignore
	cd r
	run_fwatch --gitignore --explain-ignore a.c .
	assert_status 1
	assert_equal "$output" "::	a.c"
	run_fwatch --gitignore --explain-ignore keep.o
	assert_status 1
	assert_equal "$output" ".gitignore:2:!keep.o	keep.o"
	# without --gitignore, git's rules are not fwatch's
	run_fwatch --explain-ignore x.o .
	assert_status 1
}

@test "--explain-ignore names the --exclude, --ignore-file or .git that leaves a path out" {
	repo r
	mkdir -p r/src
	printf 'vendor/\n' >rules
	cd r
	run_fwatch --gitignore -x '*.o' --explain-ignore src/a.o .
	assert_status 0
	assert_equal "$output" "--exclude '*.o'	src/a.o"
	run_fwatch --ignore-file ../rules --explain-ignore vendor/x/y.c .
	assert_status 0
	assert_equal "$output" "../rules:1:vendor/	vendor/x/y.c"
	run_fwatch --gitignore --explain-ignore .git/HEAD .
	assert_status 0
	assert_contains "$output" ".git"
	run_fwatch --gitignore --explain-ignore /elsewhere/x .
	assert_status 1
	assert_contains "$stderr" "not below any PATH"
}

@test "--explain-ignore with --exec names the default ignore, and the .gitignore --exec reads by default" {
	repo r
	printf '*.o\n' >r/.gitignore
	mkdir -p r/src
	cd r
	run_fwatch --explain-ignore src/.a.c.swp . --exec true
	assert_status 0
	assert_equal "$output" "default ignore (--exec) '.*.sw[a-p]'	src/.a.c.swp"
	run_fwatch --explain-ignore src/a.o . --exec true
	assert_status 0
	assert_equal "$output" ".gitignore:1:*.o	src/a.o"
	run_fwatch --no-gitignore --no-default-ignores --explain-ignore src/a.o . --exec true
	assert_status 1
	assert_equal "$output" "::	src/a.o"
}

# ---------------------------------------------------------------- --exec

@test "--exec: inside a git work tree --gitignore is on by default, and --no-gitignore turns it off" {
	repo r
	printf '*.o\n' >r/.gitignore
	cd r
	start_fwatch -r -p . --exec sh -c 'printf "%s\n" "$@" >>"$LOG"' sh {paths}
	: >a.o
	sleep 0.4
	: >a.c
	wait_until 5 "a run" test -s "$LOG"
	sleep 0.2
	assert_equal "$(sort -u "$LOG")" "./a.c"
	stop_fwatch
	rm -f "$LOG"
	start_fwatch -r -p --no-gitignore . --exec sh -c 'printf "%s\n" "$@" >>"$LOG"' sh {paths}
	: >b.o
	wait_until 5 "a run" grep -q -x './b.o' "$LOG"
}

@test "--exec outside a git work tree leaves nothing out and says nothing of git" {
	not_in_a_work_tree "$WORK"
	mkdir d
	printf '*.o\n' >d/.gitignore
	start_fwatch -r -p d --exec sh -c 'printf "%s\n" "$@" >>"$LOG"' sh {paths}
	: >d/a.o
	wait_until 5 "a run" grep -q -x 'd/a.o' "$LOG"
	assert_no_match 'gitignore' # stdout
	! grep -q gitignore "$FW_ERR"
}
