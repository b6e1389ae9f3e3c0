#!/usr/bin/env bats
# The fanotify backend (--backend fanotify, Linux 5.17 and CAP_SYS_ADMIN):
# what it shares with inotify under stress (the mkdir -p race, renames,
# rm -r, events queued before a rename of a directory above them, file
# PATHs, an overflow), and what is its own: one filesystem mark per
# filesystem, changes made elsewhere on the filesystem dropped, its
# start-up errors.  The rest of the suite runs on it too, with
# FWATCH_BACKEND=fanotify (.ci/run).

load helpers

setup() {
	FWATCH_BACKEND=fanotify
	FW_BACKEND_ARGS=(--backend fanotify)
	fw_setup
}

# marks: the filesystem marks fwatch holds (its fanotify descriptor's
# "fanotify sdev:" lines in /proc/PID/fdinfo).
marks() {
	local f n=0
	for f in /proc/"$FW_PID"/fdinfo/*; do
		n=$((n + $(grep -c '^fanotify sdev:' "$f" 2>/dev/null || true)))
	done
	echo "$n"
}

# queued CMD...: run CMD while fwatch is stopped, so that everything it
# does reaches fwatch in one queue, as in a burst.
queued() {
	kill -STOP "$FW_PID"
	"$@"
	local st=$?
	kill -CONT "$FW_PID"
	return $st
}

@test "fanotify: --backend fanotify watches with fanotify, as the ready line says, and --version lists it" {
	mkdir d
	start_fwatch_bare d
	grep -q ' with fanotify; ready$' "$FW_ERR" || fail "ready line: $(cat "$FW_ERR")"
	: >d/a
	wait_for_record "create d/a"
	run_fwatch --version
	[[ $output == *$'\n  fanotify '*"CAP_SYS_ADMIN"* ]] || fail "--version: $output"
}

@test "fanotify: without CAP_SYS_ADMIN it is exit 1 naming the capability and the backends that start" {
	command -v setpriv >/dev/null || skip "needs setpriv (util-linux) to drop a capability"
	mkdir d
	run --separate-stderr timeout -k 1 10 setpriv --inh-caps=-sys_admin \
		--bounding-set=-sys_admin "$FWATCH" --backend fanotify d
	assert_status 1
	assert_equal "$output" ""
	assert_contains "$stderr" "fwatch: cannot start fanotify: fanotify needs the CAP_SYS_ADMIN capability"
	assert_contains "$stderr" "this fwatch can start with: --backend inotify"
}

# descriptors: how many descriptors fwatch holds.
descriptors() {
	find /proc/"$FW_PID"/fd -mindepth 1 -maxdepth 1 | wc -l
}

@test "fanotify: a -r tree is watched whole: ready with no walk, no watch and no descriptor per directory, and every level heard" {
	[[ -d /proc/self/fdinfo ]] || skip "needs /proc/PID/fdinfo"
	python3 -c '
import os
for a in range(40):
    for b in range(50):
        os.makedirs(f"d/a{a}/b{b}")
' || skip "cannot make 2,041 directories here"
	start_fwatch -r d
	assert_watching "$FW_ERR" "1 tree whole under 1 path"
	grep -q '^fwatch: watching 1 tree whole under 1 path with fanotify; ready$' "$FW_ERR" ||
		fail "ready line: $(cat "$FW_ERR")"
	assert_equal "$(marks)" 1
	local fds
	fds=$(descriptors)
	((fds < 16)) || fail "$fds descriptors for 2,041 directories"
	: >d/a39/b49/deep
	mkdir -p d/a0/new/er
	: >d/a0/new/er/f
	mv d/a1 d/a0/new/moved
	: >d/a0/new/moved/b3/g
	wait_for_records 5 "create d/a39/b49/deep" "create d/a0/new" "create d/a0/new/er" \
		"create d/a0/new/er/f" "rename d/a1 -> d/a0/new/moved" "create d/a0/new/moved/b3/g"
	assert_equal "$(descriptors)" "$fds"
}

@test "fanotify: the tree is walked where fwatch needs it: --snapshot, --gitignore, -L, a filesystem mounted below" {
	mkdir -p d/a/b
	git init -q d 2>/dev/null || skip "git is not installed"
	for opt in --snapshot --gitignore -L; do
		start_fwatch -r "$opt" d
		grep -q -E '^fwatch: watching [0-9]+ directories under 1 path with fanotify; ready$' "$FW_ERR" ||
			fail "$opt: $(cat "$FW_ERR")"
		: >d/a/b/f
		wait_for_record "create d/a/b/f"
		stop_fwatch
		rm d/a/b/f
	done
	mount_tmpfs d/m
	start_fwatch -r d
	grep -q -E '^fwatch: watching [0-9]+ directories under 1 path with fanotify; ready$' "$FW_ERR" ||
		fail "a mount below: $(cat "$FW_ERR")"
	: >d/m/f
	wait_for_record "create d/m/f"
}

@test "fanotify: without CAP_DAC_READ_SEARCH (handles cannot be opened) the tree is walked, and heard" {
	command -v setpriv >/dev/null || skip "needs setpriv (util-linux) to drop a capability"
	mkdir -p d/a/b
	FW_PREFIX=(setpriv --inh-caps=-dac_read_search --bounding-set=-dac_read_search)
	start_fwatch -r d
	grep -q '^fwatch: watching 3 directories under 1 path with fanotify; ready$' "$FW_ERR" ||
		fail "ready line: $(cat "$FW_ERR")"
	: >d/a/b/f
	wait_for_record "create d/a/b/f"
}

@test "fanotify: below a tree watched whole, what the filters prune is not heard at any depth" {
	mkdir -p d/src d/node_modules/x/y
	start_fwatch -r -x node_modules -x 'build/' d
	: >d/node_modules/x/y/f
	mkdir -p d/src/build/deep
	: >d/src/build/deep/o
	: >d/src/build2
	wait_for_record "create d/src/build2"
	mark d
	assert_no_match 'node_modules|build/'
}

@test "fanotify: a filesystem without file handles (/proc) is an error naming --backend inotify" {
	[[ -d /proc/self ]] || skip "no /proc here"
	run_fwatch /proc
	assert_status 1
	assert_contains "$stderr" "fwatch: cannot watch '/proc': fanotify cannot watch this filesystem"
	assert_contains "$stderr" "--backend inotify can"
}

@test "fanotify: mkdir -p and a write at the bottom, 50 times at once: every file is reported" {
	mkdir d
	start_fwatch -r d
	local want=()
	for i in $(seq 1 50); do
		mkdir -p "d/D$i/a/b/c/d" && echo x >"d/D$i/a/b/c/d/f"
		want+=("create d/D$i/a/b/c/d/f")
	done
	wait_for_records 10 "${want[@]}"
	# and the new directories are watched
	: >d/D50/a/b/c/d/later
	wait_for_record "create d/D50/a/b/c/d/later"
}

@test "fanotify: files and directories renamed within and across directories are one rename each" {
	mkdir -p d/x d/y
	echo a >d/x/f
	start_fwatch -r d
	mv d/x/f d/x/g
	mv d/x/g d/y/g
	mv d/x d/x2
	mv d/x2 d/y/x3
	: >d/y/x3/new
	mark d
	assert_equal "$(records | grep -v zz-marker)" "rename d/x/f -> d/x/g
rename d/x/g -> d/y/g
rename d/x -> d/x2
rename d/x2 -> d/y/x3
create d/y/x3/new"
}

@test "fanotify: a directory renamed over an empty one: one rename, and nothing said of the one it replaced" {
	mkdir -p d/a d/b
	start_fwatch -r d
	mv -T d/a d/b
	: >d/b/x
	wait_for_record "create d/b/x"
	assert_equal "$(records)" "rename d/a -> d/b
create d/b/x"
}

@test "fanotify: moves in and out of the tree are create and delete, and a directory moved in is watched" {
	mkdir -p d "$OUTSIDE/in/sub"
	start_fwatch -r d
	mv "$OUTSIDE/in" d/in
	wait_for_record "create d/in"
	: >d/in/sub/f
	wait_for_record "create d/in/sub/f"
	mv d/in "$OUTSIDE/back"
	wait_for_record "delete d/in"
	: >"$OUTSIDE/back/sub/g"
	mark d
	assert_no_match 'g$'
}

@test "fanotify: rm -r reports every entry, each before its directory" {
	mkdir -p d/t/{a,b}/{c,e}
	for x in d/t/{a,b}/{c,e}; do : >"$x/f"; done
	start_fwatch -r d
	rm -r d/t
	wait_for_record "delete d/t"
	local got
	got=$(records)
	for x in t/{a,b}/{c,e}; do
		[[ $got == *"delete d/$x/f"$'\n'"delete d/$x"$'\n'* ]] ||
			fail "d/$x/f then d/$x not in order: $got"
	done
	assert_equal "$(grep -c '^delete ' <<<"$got")" 11
}

@test "fanotify: events queued before and after a directory above them is renamed carry the path of their moment" {
	mkdir -p d/p/q/r/s/t
	start_fwatch -r d
	queued eval 'echo 1 >d/p/q/r/s/t/before; mv d/p d/P; echo 2 >d/P/q/r/s/t/after'
	wait_for_record "create d/P/q/r/s/t/after"
	assert_equal "$(records | grep -v '^modify')" "create d/p/q/r/s/t/before
rename d/p -> d/P
create d/P/q/r/s/t/after"
	# and later, written inside under the new name
	echo 3 >>d/P/q/r/s/t/before
	wait_for_record "modify d/P/q/r/s/t/before"
}

@test "fanotify: a file PATH follows atomic saves and a rotation, also when each comes in one burst" {
	echo v1 >conf
	echo line >app.log
	start_fwatch conf app.log
	queued eval 'echo v2 >.conf.tmp && mv .conf.tmp conf'
	wait_for_record "modify conf"
	queued eval 'mv app.log app.log.1 && echo new >app.log'
	wait_for_records 5 "rename app.log -> app.log.1" "create app.log"
	echo more >>app.log
	echo old >>app.log.1
	echo v3 >.conf.tmp && mv .conf.tmp conf
	wait_for_record "modify app.log"
	wait_until 5 "a second save of conf" eval '(( $(grep -c "^modify conf$" "$FW_OUT") == 2 ))'
	assert_no_record "modify app.log.1"
}

# overflow_then OPTION...: fwatch -r OPTION... d overflows its kernel
# queue (fs.fanotify.max_queued_events 50) while d/new is made.
overflow_then() {
	mkdir -p d/s
	sysctl_for_test fanotify/max_queued_events 50
	start_fwatch -r "$@" d
	sysctl_restore
	queued eval 'for i in $(seq 1 300); do : >"d/s/f$i"; done; mkdir d/new'
	wait_for_line "$FW_OUT" '^overflow ?$'
}

@test "fanotify: a kernel queue overflow of a tree watched whole is an overflow record, and the tree is still heard" {
	overflow_then
	grep -q 'watching 1 tree whole' "$FW_ERR" || fail "not whole: $(cat "$FW_ERR")"
	# no tree to compare: the overflow record is all that is said of
	# what was missed (fwatch(1), OVERFLOW)
	: >d/new/inside
	: >d/s/after
	wait_for_records 5 "create d/new/inside" "create d/s/after"
}

@test "fanotify: a kernel queue overflow of a walked tree (--snapshot) is an overflow record, then a rescan" {
	overflow_then --snapshot
	# the rescan found the new directory, and watches it
	wait_for_record "create d/new"
	: >d/new/inside
	wait_for_record "create d/new/inside"
	: >d/s/after
	wait_for_record "create d/s/after"
}

@test "fanotify: two PATHs on one filesystem share one mark; changes beside them are not reported" {
	[[ -d /proc/self/fdinfo ]] || skip "needs /proc/PID/fdinfo"
	mkdir -p a b c
	start_fwatch -r a b
	assert_equal "$(marks)" 1
	: >a/x
	: >c/beside
	: >b/y
	wait_for_records 5 "create a/x" "create b/y"
	mark a
	assert_no_match 'beside'
}

@test "fanotify: a tmpfs PATH and a PATH on another filesystem get one mark each" {
	[[ -d /proc/self/fdinfo ]] || skip "needs /proc/PID/fdinfo"
	mkdir disk
	mount_tmpfs mem
	[[ $(stat -f -c %T disk) != tmpfs ]] || skip "the test directory is on tmpfs too"
	start_fwatch -r disk mem
	assert_equal "$(marks)" 2
	: >disk/a
	mkdir mem/sub
	: >mem/sub/b
	wait_for_records 5 "create disk/a" "create mem/sub" "create mem/sub/b"
}

@test "fanotify: a filesystem mounted inside the tree before start gets its own mark" {
	[[ -d /proc/self/fdinfo ]] || skip "needs /proc/PID/fdinfo"
	mkdir -p d
	mount_tmpfs d/mnt
	[[ $(stat -f -c %T d) != tmpfs ]] || skip "the test directory is on tmpfs too"
	start_fwatch -r d
	assert_equal "$(marks)" 2
	: >d/mnt/a
	wait_for_record "create d/mnt/a"
}

@test "fanotify: changes made through a bind mount of the tree are reported under the PATH" {
	(($(id -u) == 0)) || skip "needs root to bind-mount"
	mkdir -p d "$OUTSIDE/view"
	mount --bind d "$OUTSIDE/view" 2>/dev/null || skip "cannot bind-mount here"
	FW_MOUNTS+=("$(cd "$OUTSIDE/view" && pwd -P)")
	start_fwatch -r d
	mkdir "$OUTSIDE/view/sub"
	: >"$OUTSIDE/view/sub/f"
	wait_for_records 5 "create d/sub" "create d/sub/f"
}

@test "fanotify: the watched PATH renamed away is a delete, and fwatch exits 3" {
	mkdir d
	start_fwatch d
	mv d gone
	wait_exit "$FW_PID" 5
	assert_status 3
	wait_for_record "delete d" 1
}

# big_tree DIR: a tmpfs on DIR (quick to fill and to empty) holding
# 50,501 directories, more than be_large_dirs.
big_tree() {
	mount_tmpfs "$1"
	python3 -c '
import os, sys
for a in range(500):
    for b in range(100):
        os.makedirs(f"{sys.argv[1]}/a{a}/b{b}")
' "$1" || skip "cannot make 50,601 directories here"
}

@test "fanotify: without --backend, a tree inotify has too few watches left for is watched with fanotify, saying so" {
	FW_BACKEND_ARGS=()
	for i in $(seq -w 1 100); do
		mkdir -p "tree/dir$i"
	done
	sysctl_for_test max_user_watches 40
	start_fwatch_bare -r tree
	grep -q "^fwatch: watching 'tree': with fanotify: inotify has too few watches left for it (--backend inotify to use it anyway)$" "$FW_ERR" ||
		fail "no note: $(cat "$FW_ERR")"
	# the walk stops there: the tree is watched whole
	grep -q '^fwatch: watching 1 tree whole under 1 path with fanotify; ready$' "$FW_ERR" ||
		fail "ready line: $(cat "$FW_ERR")"
	: >tree/dir001/a
	mv tree/dir099 tree/dir100/moved
	: >tree/dir100/moved/b
	wait_for_records 5 "create tree/dir001/a" "rename tree/dir099 -> tree/dir100/moved" \
		"create tree/dir100/moved/b"
}

@test "fanotify: without --backend, a tree of more than 50,000 directories moves to fanotify as it is set up; events are right on both sides of the move" {
	FW_BACKEND_ARGS=()
	big_tree big
	FW_WAIT=60 start_fwatch_bare -r big
	grep -q "^fwatch: watching 'big': with fanotify: it has more than 50000 directories" "$FW_ERR" ||
		fail "no note: $(cat "$FW_ERR")"
	grep -q '^fwatch: watching 1 tree whole under 1 path with fanotify; ready$' "$FW_ERR" ||
		fail "ready line: $(cat "$FW_ERR")"
	[[ $(marks) == 1 ]] || fail "fanotify marks: $(marks)"
	# every directory, watched before the move or after it, is heard
	local want=()
	for d in big/a0/b0 big/a250/b50 big/a499/b99; do
		: >"$d/new"
		want+=("create $d/new")
	done
	mv big/a0 big/a499/b99/a0
	: >big/a499/b99/a0/b1/deep
	wait_for_records 10 "${want[@]}" "rename big/a0 -> big/a499/b99/a0" \
		"create big/a499/b99/a0/b1/deep"
}

@test "fanotify: a large tree stays on inotify with --backend inotify, or without CAP_SYS_ADMIN" {
	command -v setpriv >/dev/null || skip "needs setpriv (util-linux) to drop a capability"
	FW_BACKEND_ARGS=()
	big_tree big
	run_fwatch --backend inotify -r big --timeout 0.1
	assert_status 2
	assert_contains "$stderr" "with inotify; ready"
	run --separate-stderr timeout -k 1 60 setpriv --inh-caps=-sys_admin \
		--bounding-set=-sys_admin "$FWATCH" -r big --timeout 0.1
	assert_status 2
	assert_contains "$stderr" "with inotify; ready"
	[[ $stderr != *fanotify* ]] || fail "fanotify named: $stderr"
}
