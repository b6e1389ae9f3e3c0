#!/usr/bin/env bats
# Event kinds and --event selection.
# bats: run --separate-stderr sets $stderr; each @test runs in a subshell
# shellcheck disable=SC2154,SC2030,SC2031

load helpers

@test "creating a file reports create with its path" {
	mkdir d
	start_fwatch d
	: >d/a
	wait_for_record "create d/a"
}

@test "creating a directory reports create" {
	mkdir d
	start_fwatch d
	mkdir d/sub
	wait_for_record "create d/sub"
}

@test "appending to an existing file reports modify and not create" {
	mkdir d
	echo one >d/a
	start_fwatch d
	echo two >>d/a
	wait_for_record "modify d/a"
	mark d
	assert_no_record "create d/a"
}

@test "truncating a file reports modify" {
	mkdir d
	echo content >d/a
	start_fwatch d
	truncate -s 0 d/a
	wait_for_record "modify d/a"
}

@test "removing a file reports delete" {
	mkdir d
	: >d/a
	start_fwatch d
	rm d/a
	wait_for_record "delete d/a"
}

@test "removing an empty directory reports delete" {
	mkdir -p d/sub
	start_fwatch d
	rmdir d/sub
	wait_for_record "delete d/sub"
}

@test "a file renamed within the directory is one rename event with both paths" {
	mkdir d
	echo x >d/old
	start_fwatch d
	mv d/old d/new
	wait_for_record "rename d/old -> d/new"
	mark d
	assert_no_record "delete d/old"
	assert_no_record "create d/new"
	assert_record_count 1 "rename d/old -> d/new"
}

@test "a file renamed over an existing file is one rename event" {
	mkdir d
	echo old >d/a
	echo target >d/b
	start_fwatch d
	mv -f d/a d/b
	wait_for_record "rename d/a -> d/b"
	mark d
	assert_no_record "create d/b"
}

@test "chmod reports attrib" {
	mkdir d
	: >d/a
	start_fwatch d
	chmod 600 d/a
	wait_for_record "attrib d/a"
}

@test "touching the timestamps of a file reports attrib" {
	skip_if_poll "a new mtime with the same size looks like a write"
	mkdir d
	: >d/a
	start_fwatch d
	touch -d '2001-02-03 04:05:06' d/a
	wait_for_record "attrib d/a"
}

@test "changing the watched directory itself reports its PATH as given" {
	mkdir d
	start_fwatch d
	chmod 700 d
	wait_for_record "attrib d"
}

@test "close_write is not reported by default" {
	mkdir d
	start_fwatch d
	echo x >d/a
	wait_for_record "create d/a"
	mark d
	assert_no_match '^close_write '
}

@test "close_write is reported when asked with -e close_write, and only it" {
	skip_if_poll "opens and closes"
	mkdir d
	start_fwatch -e close_write d
	echo x >d/a
	wait_for_record "close_write d/a"
	assert_no_record "create d/a"
	assert_no_record "modify d/a"
}

@test "open, access and close_nowrite are not reported by default" {
	mkdir d
	echo hello >d/a
	start_fwatch d
	cat d/a >/dev/null
	mark d
	assert_no_match '^(open|access|close_nowrite) '
}

@test "open and access are reported when asked" {
	skip_if_poll "opens and reads"
	mkdir d
	echo hello >d/a
	start_fwatch -e open,access d
	cat d/a >/dev/null
	wait_for_record "open d/a"
	wait_for_record "access d/a"
}

@test "close_nowrite is reported when asked" {
	skip_if_poll "opens and closes"
	mkdir d
	echo hello >d/a
	start_fwatch -e close_nowrite d
	cat d/a >/dev/null
	wait_for_record "close_nowrite d/a"
	assert_no_match '^close_write '
}

@test "events not in --event are not printed" {
	skip_if_poll "a file that lives less than one interval"
	mkdir d
	start_fwatch --event delete d
	echo x >d/a
	echo y >>d/a
	chmod 600 d/a
	mv d/a d/b
	rm d/b
	wait_for_record "delete d/b"
	assert_equal "$(records)" "delete d/b"
}

@test "--event all reports every kind including the opt-in ones" {
	skip_if_poll "opens and closes"
	mkdir d
	start_fwatch --event all d
	echo x >d/a
	cat d/a >/dev/null
	chmod 600 d/a
	mv d/a d/b
	rm d/b
	wait_for_record "delete d/b"
	wait_for_records 2 "create d/a" "open d/a" "modify d/a" "close_write d/a" \
		"access d/a" "close_nowrite d/a" "attrib d/a" "rename d/a -> d/b"
}

@test "repeated -e options add up" {
	skip_if_poll "opens and closes"
	mkdir d
	start_fwatch -e create -e delete d
	: >d/a
	chmod 600 d/a
	rm d/a
	wait_for_record "delete d/a"
	assert_equal "$(records)" "create d/a
delete d/a"
}

@test "a comma-separated --event=LIST selects those kinds" {
	skip_if_poll "opens and closes"
	mkdir d
	start_fwatch --event=create,attrib d
	echo x >d/a
	chmod 600 d/a
	rm d/a
	mark d
	assert_equal "$(records)" "create d/a
attrib d/a
create $MARKER"
}

@test "the default kinds are create, modify, delete, rename and attrib" {
	skip_if_poll "a file that lives less than one interval"
	mkdir d
	start_fwatch d
	echo x >d/a
	echo y >>d/a
	chmod 600 d/a
	cat d/a >/dev/null
	mv d/a d/b
	rm d/b
	wait_for_record "delete d/b"
	wait_for_records 2 "create d/a" "modify d/a" "attrib d/a" "rename d/a -> d/b"
	assert_no_match '^(open|access|close_write|close_nowrite) '
}

@test "a file moved out of the watched directory is reported as delete" {
	mkdir d
	echo x >d/a
	start_fwatch d
	mv d/a "$OUTSIDE/a"
	wait_for_record "delete d/a"
	mark d
	assert_no_match '^rename '
}

@test "a file moved into the watched directory is reported as create" {
	mkdir d
	echo x >"$OUTSIDE/a"
	start_fwatch d
	mv "$OUTSIDE/a" d/a
	wait_for_record "create d/a"
	mark d
	assert_no_match '^rename '
}

@test "a file moved between two watched PATHs is one rename event" {
	mkdir d e
	echo x >d/a
	start_fwatch d e
	mv d/a e/a
	wait_for_record "rename d/a -> e/a"
}

@test "every PATH given is watched" {
	mkdir d e
	start_fwatch d e
	: >d/a
	: >e/b
	wait_for_records 2 "create d/a" "create e/b"
}

@test "a hard link reports create for the new name" {
	mkdir d
	echo x >d/a
	start_fwatch d
	ln d/a d/b
	wait_for_record "create d/b"
}

@test "a symbolic link reports create" {
	mkdir d
	start_fwatch d
	ln -s nowhere d/link
	wait_for_record "create d/link"
}

@test "100 writes read in one batch are coalesced into one modify record" {
	# Coalescing works within a batch (what one read from the kernel
	# returns).  Stopping fwatch while the writes happen puts them all
	# in the kernel queue, so the next read takes them in one batch.
	mkdir d
	: >d/a
	start_fwatch d
	kill -STOP "$FW_PID"
	python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND)
for _ in range(100):
    os.write(fd, b"x")
os.close(fd)' d/a
	kill -CONT "$FW_PID"
	wait_for_record "modify d/a"
	mark d
	n=$(grep -c -x -F "modify d/a" "$FW_OUT")
	assert_equal "$n" 1
}

@test "a PATH that is a file is watched as a file" {
	echo x >f.txt
	start_fwatch f.txt
	echo y >>f.txt
	wait_for_record "modify f.txt"
	chmod 600 f.txt
	wait_for_record "attrib f.txt"
}

@test "a file PATH and a directory PATH can be watched together" {
	mkdir d
	echo x >f.txt
	start_fwatch f.txt d
	echo y >>f.txt
	: >d/a
	wait_for_records 2 "modify f.txt" "create d/a"
}

@test "events of one file are printed in the order they happened" {
	skip_if_poll "the order of changes within one interval"
	mkdir d
	start_fwatch d
	echo x >d/a
	chmod 600 d/a
	mv d/a d/b
	rm d/b
	wait_for_record "delete d/b"
	assert_equal "$(records | grep -v '^modify ')" "create d/a
attrib d/a
rename d/a -> d/b
delete d/b"
}

@test "a PATH that is a symbolic link to a directory is watched as that directory" {
	mkdir real
	ln -s real link
	start_fwatch link
	: >real/a
	wait_for_record "create link/a"
}

@test "a kernel queue overflow prints an overflow record and the tree is still watched" {
	skip_if_poll "the kernel's queue (a poll never overflows)"
	mkdir -p d/s
	# the queue size is fixed when fwatch creates its inotify instance
	sysctl_for_test max_queued_events 50
	start_fwatch -r d
	sysctl_restore
	kill -STOP "$FW_PID"
	for i in $(seq 1 300); do : >"d/s/f$i"; done
	mkdir d/new
	kill -CONT "$FW_PID"
	wait_for_line "$FW_OUT" '^overflow ?$'
	# after the rescan, old and new directories are watched
	: >d/s/after
	wait_for_record "create d/s/after"
	: >d/new/inside
	wait_for_record "create d/new/inside"
}

@test "--json: an overflow record has an empty path" {
	skip_if_poll "the kernel's queue (a poll never overflows)"
	mkdir d
	sysctl_for_test max_queued_events 20
	start_fwatch --json -e delete d
	sysctl_restore
	kill -STOP "$FW_PID"
	for i in $(seq 1 100); do : >"d/f$i"; done
	kill -CONT "$FW_PID"
	wait_for_json '.event == "overflow"'
	assert_equal "$(jq -c 'select(.event == "overflow") | [.path, .dir]' "$FW_OUT" | head -n 1)" '["",false]'
}

@test "unmounting a filesystem inside the watched tree is reported as unmount" {
	skip_if_poll "unmounts (a poll sees the directory under the mount)"
	skip_if_fanotify "unmounts (a filesystem mark ends without an event)"
	mkdir -p d/other
	mount_tmpfs d/mnt
	: >d/mnt/x
	start_fwatch -r d
	umount d/mnt
	wait_for_record "unmount d/mnt"
	# fwatch goes on watching the rest
	: >d/other/f
	wait_for_record "create d/other/f"
}

@test "unmount is reported even when --event does not list it" {
	skip_if_poll "unmounts (a poll sees the directory under the mount)"
	skip_if_fanotify "unmounts (a filesystem mark ends without an event)"
	mkdir -p d
	mount_tmpfs d/mnt
	start_fwatch -r -e delete d
	umount d/mnt
	wait_for_record "unmount d/mnt"
}

@test "--poll-interval reaches the poller: three creates are each seen within a few intervals" {
	[[ ${FWATCH_BACKEND:-poll} == poll ]] || skip_if_backend_chosen "--poll"
	mkdir d
	start_fwatch --poll --poll-interval 20 d
	for i in 1 2 3; do
		: >"d/f$i"
		wait_for_record "create d/f$i" 0.4
	done
}

@test "inotifywait's names select the closest kinds: MOVED_TO,CLOSE_WRITE is rename and close_write" {
	skip_if_poll "opens and closes"
	mkdir d
	start_fwatch -e MOVED_TO,CLOSE_WRITE d
	echo x >d/a
	chmod 600 d/a
	mv d/a d/b
	rm d/b
	echo y >d/c
	wait_for_record "close_write d/c"
	assert_equal "$(records)" "close_write d/a
rename d/a -> d/b
close_write d/c"
}

@test "inotifywait's close selects both close kinds, delete_self the delete of a watched PATH" {
	skip_if_poll "opens and closes"
	mkdir d
	echo hello >d/a
	start_fwatch -e close,delete_self d/a
	cat d/a >/dev/null
	wait_for_record "close_nowrite d/a"
	echo x >>d/a
	wait_for_record "close_write d/a"
	rm d/a
	wait_for_record "delete d/a"
	assert_no_match '^(open|modify|attrib) '
}
