#!/usr/bin/env bats
# A file PATH: saves by editors and tools, appends with sizes, truncation,
# log rotation, deletion.  fwatch watches the file's directory and its
# name there, so a save that replaces the file does not end the watch.
# shellcheck disable=SC2154

load helpers

teardown() {
	if [[ -n ${LOOP_PGID:-} ]]; then
		kill -KILL -- -"$LOOP_PGID" 2>/dev/null || true
	fi
	fw_teardown
}

# fmark: append to ./marker.txt (watched as a PATH too) and wait for its
# modify: everything before it has been printed by then.
fmark() {
	FW_MARKS=$((FW_MARKS + 1))
	printf '%s\n' "$FW_MARKS" >>marker.txt
	wait_for_line "$FW_OUT" "^modify marker.txt\$"
	[[ $(grep -c '^modify marker.txt$' "$FW_OUT") -ge $FW_MARKS ]] ||
		wait_until "$FW_WAIT" "marker $FW_MARKS" \
			eval '(( $(grep -c "^modify marker.txt$" "$FW_OUT") >= FW_MARKS ))'
}

# editor: vim, or vi, as ex in silent mode; skip without one.
editor() {
	local e
	for e in vim vi; do
		command -v "$e" >/dev/null && { EDITOR_CMD=$e; return 0; }
	done
	skip "no vim or vi on this machine"
}

@test "a file PATH: appends are modify records carrying the new size" {
	printf 'one\n' >build.log
	start_fwatch --json build.log
	printf 'two\n' >>build.log
	wait_for_json '.event == "modify" and .size == 8'
	printf 'three\n' >>build.log
	wait_for_json '.event == "modify" and .size == 14'
	assert_equal "$(jq -r 'select(.event == "modify") | .path' "$FW_OUT" | sort -u)" "build.log"
}

@test "a file PATH: the size lets a reader print exactly the appended bytes with tail -c" {
	printf 'old\n' >build.log
	start_fwatch --json build.log
	offset=4
	printf 'new line\n' >>build.log
	wait_for_json '.event == "modify" and .size == 13'
	size=$(jq -r 'select(.event == "modify") | .size' "$FW_OUT" | tail -n 1)
	assert_equal "$(tail -c +$((offset + 1)) build.log | head -c $((size - offset)))" "new line"
}

@test "a file PATH emptied with : > is reported as truncate with size 0" {
	printf 'lots of log\n' >build.log
	start_fwatch --json build.log
	: >build.log
	wait_for_json '.event == "truncate" and .path == "build.log" and .size == 0'
}

@test "-e modify also reports truncate; -e truncate reports only truncations" {
	printf 'abc\n' >a.log
	printf 'abc\n' >b.log
	start_fwatch -e modify a.log
	: >a.log
	wait_for_record "truncate a.log"
	stop_fwatch
	start_fwatch -e truncate b.log
	printf 'more\n' >>b.log
	: >b.log
	wait_for_record "truncate b.log"
	assert_no_record "modify b.log"
}

@test "vim with backupcopy=no (write a new file, rename the old away) keeps reporting saves of the file" {
	editor
	printf 'a = 1\n' >app.conf
	start_fwatch app.conf
	for n in 2 3; do
		# backupskip: vim makes no backup of files under /tmp
		"$EDITOR_CMD" -es -u NONE -i NONE \
			-c 'set backupcopy=no backup nowritebackup backupskip= backupdir=.' \
			-c "%s/= .*/= $n/" -c 'wq' app.conf </dev/null
		assert_equal "$(cat app.conf)" "a = $n"
		wait_until "$FW_WAIT" "save $n" eval '(( $(grep -c "^create app.conf$" "$FW_OUT") >= n - 1 ))'
	done
	# vim renamed the file to its backup and wrote a new one, each time
	wait_for_records 5 "rename app.conf -> app.conf~" "create app.conf" "modify app.conf"
	assert_equal "$(grep -c '^create app.conf$' "$FW_OUT")" 2
	printf 'x\n' >>app.conf
	wait_for_line "$FW_OUT" '^modify app.conf$'
}

@test "vim with backupcopy=yes (overwrite in place) reports each save as a change of the file" {
	editor
	printf 'a = 1\n' >app.conf
	ino=$(stat -c %i app.conf)
	start_fwatch --json app.conf
	"$EDITOR_CMD" -es -u NONE -i NONE -c 'set backupcopy=yes' -c '%s/= 1/= 2/' -c 'wq' app.conf </dev/null
	wait_for_json '(.event == "modify" or .event == "truncate") and .size == 6'
	"$EDITOR_CMD" -es -u NONE -i NONE -c 'set backupcopy=yes' -c '%s/= 2/= 333/' -c 'wq' app.conf </dev/null
	wait_for_json '.event == "modify" and .size == 8'
	assert_equal "$(stat -c %i app.conf)" "$ino"
}

@test "sed -i (a temporary file renamed over the file) is a modify marked replaced, and later saves are seen" {
	printf 'port=1\n' >app.conf
	start_fwatch --json app.conf
	sed -i 's/1/2/' app.conf
	wait_for_json '.event == "modify" and .replaced == true and .size == 7'
	sed -i 's/2/33/' app.conf
	wait_for_json '.event == "modify" and .replaced == true and .size == 8'
	printf 'x\n' >>app.conf
	wait_for_json '.event == "modify" and .size == 10 and .replaced == null'
	assert_no_match '"event":"(delete|create)"'
}

@test "an editor's atomic save (write a temporary file, mv it over) is reported on the file, again and again" {
	printf 'v1\n' >app.conf
	: >marker.txt
	start_fwatch app.conf marker.txt
	for v in v2 v3 v4; do
		printf '%s\n' "$v" >.app.conf.swp
		mv .app.conf.swp app.conf
		fmark
	done
	assert_record_count 3 "modify app.conf"
	assert_equal "$(records | grep -v -c -e '^modify app.conf$' -e '^modify marker.txt$')" 0
}

@test "cp new app.conf (rewrite in place) is reported as a change of app.conf" {
	printf 'old contents, longer\n' >app.conf
	printf 'new\n' >new
	start_fwatch --json app.conf
	cp new app.conf
	wait_for_json '(.event == "modify" or .event == "truncate") and .path == "app.conf" and .size == 4'
}

@test "rotation by mv and touch: fwatch reports the rename, then the new file, and follows the new one" {
	printf 'line\n' >app.log
	: >marker.txt
	start_fwatch app.log marker.txt
	mv app.log app.log.1
	touch app.log
	wait_for_record "rename app.log -> app.log.1"
	wait_for_record "create app.log"
	printf 'after\n' >>app.log
	wait_for_record "modify app.log"
	# the old file is not followed
	printf 'old\n' >>app.log.1
	fmark
	assert_record_count 1 "modify app.log"
}

@test "rotation by mv only, the new file made later: rename, then create when it comes" {
	printf 'line\n' >app.log
	start_fwatch app.log
	mv app.log app.log.1
	wait_for_record "rename app.log -> app.log.1"
	sleep 0.2
	printf 'x\n' >app.log
	wait_for_record "create app.log"
	wait_for_record "modify app.log"
}

@test "logrotate, create mode: the rotation is reported and the new app.log is followed" {
	command -v logrotate >/dev/null || skip "logrotate is not installed"
	printf 'line\n' >app.log
	cat >rot.conf <<EOF
$WORK/app.log {
	rotate 2
	create
	missingok
}
EOF
	start_fwatch app.log
	logrotate -f -s "$BATS_TEST_TMPDIR/state" rot.conf
	wait_for_record "rename app.log -> app.log.1"
	wait_for_record "create app.log"
	printf 'new\n' >>app.log
	wait_for_record "modify app.log"
}

@test "logrotate, copytruncate mode: the truncation is reported and appends go on being seen" {
	command -v logrotate >/dev/null || skip "logrotate is not installed"
	printf 'a long first line\n' >app.log
	cat >rot.conf <<EOF
$WORK/app.log {
	rotate 2
	copytruncate
}
EOF
	start_fwatch --json app.log
	logrotate -f -s "$BATS_TEST_TMPDIR/state" rot.conf
	wait_for_json '.event == "truncate" and .path == "app.log" and .size == 0'
	assert_equal "$(cat app.log.1)" "a long first line"
	printf 'next\n' >>app.log
	wait_for_json '.event == "modify" and .path == "app.log" and .size == 5'
}

@test "copytruncate by hand (cp, then truncate): truncate, then the appends" {
	printf '0123456789\n' >app.log
	start_fwatch --json app.log
	cp app.log app.log.1
	truncate -s 0 app.log
	wait_for_json '.event == "truncate" and .size == 0'
	printf 'ab\n' >>app.log
	wait_for_json '.event == "modify" and .size == 3'
}

@test "a file PATH deleted and made again: delete, then create, and it is still watched" {
	printf 'x\n' >app.conf
	start_fwatch app.conf
	rm app.conf
	wait_for_record "delete app.conf"
	printf 'y\n' >app.conf
	wait_for_record "create app.conf"
	printf 'z\n' >>app.conf
	wait_for_line "$FW_OUT" '^modify app.conf$'
}

@test "a file PATH deleted for good: by default fwatch waits for it (here until --timeout)" {
	printf 'x\n' >app.conf
	start_fwatch -t 1 app.conf
	rm app.conf
	wait_for_record "delete app.conf"
	wait_exit "$FW_PID" 5
	assert_equal "$status" 2
}

@test "--on-delete exit: a file PATH deleted ends fwatch with status 3 once every PATH is gone" {
	printf 'x\n' >app.conf
	start_fwatch --on-delete exit app.conf
	rm app.conf
	wait_for_record "delete app.conf"
	wait_exit "$FW_PID" 5
	assert_equal "$status" 3
	assert_contains "$(cat "$FW_ERR")" "every PATH is gone"
}

@test "--on-delete exit still follows a save by rename (the name comes back in the same read)" {
	printf 'x\n' >app.conf
	start_fwatch --on-delete exit app.conf
	printf 'y\n' >tmp && mv tmp app.conf
	wait_for_record "modify app.conf"
	printf 'z\n' >>app.conf
	wait_for_line "$FW_OUT" '^modify app.conf$'
	_fw_alive "$FW_PID" || fail "fwatch exited"
}

@test "--on-delete with an unknown mode is exit 1 naming the option and the modes" {
	: >f
	run_fwatch --on-delete never f
	assert_status 1
	assert_contains "$stderr" "--on-delete"
	assert_contains "$stderr" "wait or exit"
}

@test "the directory holding a file PATH removed: delete, then exit 3 (the name cannot come back)" {
	mkdir d
	printf 'x\n' >d/app.conf
	start_fwatch d/app.conf
	rm -r d
	wait_for_record "delete d/app.conf"
	wait_exit "$FW_PID" 5
	assert_equal "$status" 3
}

@test "a file PATH's siblings are not reported" {
	printf 'x\n' >app.conf
	start_fwatch app.conf
	printf 'y\n' >other
	mkdir sub
	rm other
	printf 'z\n' >>app.conf
	wait_for_record "modify app.conf"
	assert_equal "$(records)" "modify app.conf"
}

@test "two file PATHs in one directory are both followed through one watch" {
	printf 'a\n' >a.conf
	printf 'b\n' >b.conf
	start_fwatch --json a.conf b.conf
	assert_equal "$(jq -r 'select(.event == "ready") | .watches' "$FW_OUT")" 2
	sed -i 's/a/A/' a.conf
	printf 'B\n' >>b.conf
	wait_for_json '.event == "modify" and .path == "a.conf"'
	wait_for_json '.event == "modify" and .path == "b.conf"'
}

@test "a file PATH inside a directory PATH, in either order, is reported once per change" {
	mkdir d
	printf 'x\n' >d/f
	start_fwatch d/f d
	printf 'y\n' >>d/f
	: >d/g
	wait_for_record "create d/g"
	assert_record_count 1 "modify d/f"
	stop_fwatch
	start_fwatch d d/f
	printf 'z\n' >>d/f
	: >d/h
	wait_for_record "create d/h"
	assert_record_count 1 "modify d/f"
}

@test "a file PATH below a later -r directory PATH does not stop that subdirectory being watched" {
	mkdir -p d/sub
	printf 'x\n' >d/sub/f
	start_fwatch d/sub/f -r d
	: >d/sub/new
	wait_for_record "create d/sub/new"
	mkdir d/sub/deeper
	: >d/sub/deeper/x
	wait_for_record "create d/sub/deeper/x"
}

@test "a file PATH that is a symlink follows the file it names" {
	mkdir real
	printf 'x\n' >real/app.log
	ln -s real/app.log link.log
	start_fwatch link.log
	printf 'y\n' >>real/app.log
	wait_for_record "modify link.log"
	mv real/app.log real/app.log.1
	wait_for_record "rename link.log -> real/app.log.1"
}

@test "a file PATH, after a kernel queue overflow: what changed while blind is reported, marked rescan" {
	printf 'x\n' >app.log
	printf 'y\n' >gone.log
	mkdir flood
	sysctl_for_test max_queued_events 16
	start_fwatch --json app.log gone.log
	sysctl_restore
	kill -STOP "$FW_PID"
	for i in $(seq 1 30); do : >"f$i"; rm "f$i"; done
	printf 'more\n' >>app.log
	rm gone.log
	kill -CONT "$FW_PID"
	wait_for_json '.event == "overflow"'
	wait_for_json '.event == "modify" and .path == "app.log" and .rescan == true and .size == 7'
	wait_for_json '.event == "delete" and .path == "gone.log" and .rescan == true'
}

@test "the README's --json recipe for a log: the old file's size before its rotation, then the rotation, then the new file's" {
	command -v jq >/dev/null || skip "jq is not installed (the README's recipe uses it)"
	command -v python3 >/dev/null || skip "python3 is not installed (tests/logwriter)"
	skip_if_poll "a rotation and a new file within one interval is the file replaced"
	# the recipe exactly as the README shows it, with fwatch from this tree
	script=$(awk '/^## Following a log file in CI/ {on = 1}
		on && /^```sh$/ {n++; if (n == 2) {grab = 1; next}}
		grab && /^```$/ {exit} grab' "$BATS_TEST_DIRNAME/../README.md")
	[[ $script == *"./fwatch --json build.log"* ]] || fail "README recipe not found"
	# shellcheck disable=SC2016 # expanded by the recipe's shell
	script=${script//.\/fwatch/'"$FWATCH" ${FWATCH_BACKEND:+--backend "$FWATCH_BACKEND"}'}
	: >build.log
	# its own process group, so that fwatch and jq both end
	FWATCH=$FWATCH setsid bash -c "$script" >followed 2>"$BATS_TEST_TMPDIR/loop.err" &
	LOOP_PGID=$!
	wait_for_line "$BATS_TEST_TMPDIR/loop.err" 'ready$'
	# read late (the recipe stopped, fwatch with it): 2,000 lines, a
	# rotation, 10 lines in the new file
	kill -STOP -- -"$LOOP_PGID"
	"$BATS_TEST_DIRNAME/logwriter" --lines 2010 --rotate 2000 build.log 2>/dev/null
	kill -CONT -- -"$LOOP_PGID"
	wait_until 5 "the new file's size" grep -q '^560 bytes$' followed
	assert_equal "$(sed -n '/^rotated/q;p' followed | sort -u)" "112000 bytes"
	assert_equal "$(grep '^rotated' followed)" "rotated: now build.log.1"
	assert_equal "$(sed -n '/^rotated/,$p' followed | sed 1d | sort -u)" "560 bytes"
	kill -TERM -- -"$LOOP_PGID"
	wait_until 5 "the recipe to end" eval '! kill -0 -- -"$LOOP_PGID" 2>/dev/null'
}

@test "a file PATH that is a symlink to a file beside it is watched (no slash in the link)" {
	printf 'x\n' >app.log
	ln -s app.log link.log
	start_fwatch link.log
	printf 'y\n' >>app.log
	wait_for_record "modify link.log"
	mv app.log app.log.1
	wait_for_record "rename link.log -> app.log.1"
}

@test "a file PATH renamed onto another file PATH is one rename, as when only the first is watched" {
	printf 'a\n' >file
	printf 'b\n' >other
	: >marker.txt
	start_fwatch file other marker.txt
	mv other file
	fmark
	assert_equal "$(records | grep -v -e '^modify marker.txt$')" "rename other -> file"
	# file follows what it holds now, other waits for its name
	printf 'more\n' >>file
	wait_for_record "modify file"
	printf 'c\n' >other
	wait_for_record "create other"
	stop_fwatch
	printf 'b\n' >other
	FW_MARKS=0
	start_fwatch other marker.txt
	mv other file
	fmark
	assert_equal "$(records | grep -v -e '^modify marker.txt$')" "rename other -> file"
}

# The records' sizes in the JSON file $1, in order, as "event size" lines
# (no jq needed).
json_sizes() {
	python3 -c '
import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(l)
    if r["event"] != "ready":
        print(r["event"], r.get("size", "-"))' "$1"
}

@test "a file PATH read late (a slow reader): records before a rotation carry the old file's size, and no truncate" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	: >app.log
	# the issue's `fwatch --json app.log | (sleep 1; cat)`: fwatch blocks
	# on its output and reads the records of the rotation long after it
	mkfifo late
	{ sleep 1; cat; } <late >late.json &
	reader=$!
	FW_STDOUT=late start_fwatch_bare --json app.log
	# 20,000 appends of 56 bytes, mv app.log app.log.1, 10 appends to a
	# new app.log
	"$BATS_TEST_DIRNAME/logwriter" --lines 20010 --rotate 20000 app.log 2>/dev/null
	assert_equal "$(stat -c %s app.log.1) $(stat -c %s app.log)" "1120000 560"
	wait_until 10 "the create record" grep -q '"event":"create"' late.json
	stop_fwatch
	wait_exit "$reader" 5
	json_sizes late.json >sizes
	# before the rename: the old file's sizes, ending with its last;
	# after it: the new file's
	sed -n '/^rename/q;p' sizes >before
	sed -n '/^rename/,$p' sizes >after
	assert_equal "$(cut -d' ' -f1 before | sort -u)" "modify"
	assert_equal "$(tail -n 1 before)" "modify 1120000"
	assert_equal "$(awk '$2 > 1120000' before)" ""
	assert_equal "$(sed -n 2p after)" "create 560"
	assert_equal "$(sed 1d after | cut -d' ' -f2 | sort -u)" "560"
	! grep -q '^truncate' sizes || fail "a truncate was reported: $(grep '^truncate' sizes)"
}

@test "a file PATH rotated twice before fwatch reads: each record carries the size of its own file" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	skip_if_poll "three files in one interval: a poll sees the last only"
	: >app.log
	start_fwatch --json app.log
	kill -STOP "$FW_PID"
	# 10 lines, rotate, 20 lines, rotate, 30 lines: three files
	"$BATS_TEST_DIRNAME/logwriter" --lines 60 --rotate 10 --rotate 30 app.log 2>/dev/null
	kill -CONT "$FW_PID"
	assert_equal "$(stat -c %s app.log.2) $(stat -c %s app.log.1) $(stat -c %s app.log)" "560 1120 1680"
	wait_for_line "$FW_OUT" '"event":"modify".*"size":1680'
	json_sizes "$FW_OUT" | uniq >sizes
	assert_equal "$(cat sizes)" "modify 560
rename -
create 1120
modify 1120
rename -
create 1680
modify 1680"
}
