#!/usr/bin/env bats
# Filesystems where the kernel is blind: a change made under a FUSE mount
# (bindfs here; sshfs, rclone, WSL2's 9p drives, Docker Desktop's bind
# mounts and NFS behave alike) reaches no inotify watch on the mount.
# fwatch polls such a PATH by itself; every change below is made in the
# directory UNDER the mount and must be reported on the mount's path.
# shellcheck disable=SC2154

load helpers

# Interval for the tests: short, so that every wait stays well bounded.
IV=100

setup() {
	fw_setup
	(($(id -u) == 0)) || skip "bindfs mounts need root here"
	command -v bindfs >/dev/null || skip "bindfs is not installed (Debian: apt-get install bindfs)"
	[[ -c /dev/fuse ]] || skip "no /dev/fuse on this machine"
	SRC=$BATS_TEST_TMPDIR/under
	MNT=$WORK/mnt
	mkdir -p "$SRC" "$MNT"
	bindfs "$SRC" "$MNT" 2>"$BATS_TEST_TMPDIR/bindfs.err" ||
		skip "bindfs cannot mount here: $(head -c 200 "$BATS_TEST_TMPDIR/bindfs.err")"
	FW_MOUNTS+=("$MNT")
}

teardown() {
	fw_teardown
	if mountpoint -q "${MNT:-/nonexistent}"; then
		fusermount -u "$MNT" 2>/dev/null || umount -l "$MNT" || true
	fi
}

@test "poll: a PATH on a FUSE mount is polled, and stderr says so once" {
	start_fwatch -r --poll-interval "$IV" mnt
	assert_equal "$(grep -c 'polling' "$FW_ERR")" 1
	grep -q "^fwatch: polling 'mnt': it is on fuse, where inotify does not see changes made by other machines or under the mount; looking every $IV ms" "$FW_ERR" ||
		fail "no polling line: $(cat "$FW_ERR")"
	grep -q -- '--backend inotify' "$FW_ERR" || fail "the line does not say how to force inotify"
	grep -q 'with inotify and poll; ready$' "$FW_ERR" || fail "ready line: $(cat "$FW_ERR")"
}

@test "poll: a file created and written under the mount is create, modify on the mount path" {
	start_fwatch -r --poll-interval "$IV" mnt
	echo hello >"$SRC/new.txt"
	wait_for_records 5 "create mnt/new.txt" "modify mnt/new.txt"
}

@test "poll: a same-size rewrite with a later mtime is a modify" {
	printf 'a' >"$SRC/same.txt"
	touch -d '2020-01-01' "$SRC/same.txt"
	start_fwatch -r --poll-interval "$IV" mnt
	printf 'b' >"$SRC/same.txt"
	wait_for_record "modify mnt/same.txt"
}

@test "poll: chmod under the mount is attrib" {
	echo x >"$SRC/f"
	start_fwatch -r --poll-interval "$IV" mnt
	chmod 600 "$SRC/f"
	wait_for_record "attrib mnt/f"
	assert_no_record "modify mnt/f"
}

@test "poll: a deleted file is a delete" {
	echo x >"$SRC/gone.txt"
	start_fwatch -r --poll-interval "$IV" mnt
	rm "$SRC/gone.txt"
	wait_for_record "delete mnt/gone.txt"
}

@test "poll: a file renamed in one interval is one rename record" {
	echo x >"$SRC/a.txt"
	start_fwatch -r --poll-interval "$IV" mnt
	mv "$SRC/a.txt" "$SRC/b.txt"
	wait_for_record "rename mnt/a.txt -> mnt/b.txt"
	assert_no_record "delete mnt/a.txt"
	assert_no_record "create mnt/b.txt"
}

@test "poll: a file moved to another polled directory is a rename" {
	mkdir -p "$SRC/d1" "$SRC/d2"
	echo x >"$SRC/d1/f"
	start_fwatch -r --poll-interval "$IV" mnt
	mv "$SRC/d1/f" "$SRC/d2/f"
	wait_for_record "rename mnt/d1/f -> mnt/d2/f"
}

@test "poll: a renamed directory is one rename, and its files are followed under the new name" {
	mkdir -p "$SRC/old/sub"
	echo x >"$SRC/old/in.txt"
	echo y >"$SRC/old/sub/deep.txt"
	start_fwatch -r --poll-interval "$IV" mnt
	mv "$SRC/old" "$SRC/new"
	wait_for_record "rename mnt/old -> mnt/new"
	echo more >>"$SRC/new/in.txt"
	echo more >>"$SRC/new/sub/deep.txt"
	wait_for_records 5 "modify mnt/new/in.txt" "modify mnt/new/sub/deep.txt"
	assert_no_record "delete mnt/old/in.txt"
	assert_no_record "delete mnt/old/sub"
}

@test "poll: mkdir -p with a file inside reports every level and the file's content" {
	start_fwatch -r --poll-interval "$IV" mnt
	mkdir -p "$SRC/p/q"
	echo data >"$SRC/p/q/f.txt"
	wait_for_records 5 "create mnt/p" "create mnt/p/q" "create mnt/p/q/f.txt" "modify mnt/p/q/f.txt"
}

@test "poll: rm -r of a tree reports its files and directories deleted" {
	mkdir -p "$SRC/t/u"
	echo 1 >"$SRC/t/a"
	echo 2 >"$SRC/t/u/b"
	start_fwatch -r --poll-interval "$IV" mnt
	rm -r "$SRC/t"
	wait_for_records 5 "delete mnt/t/u/b" "delete mnt/t/u" "delete mnt/t/a" "delete mnt/t"
	# nothing is watched below it any more: a new t is new again
	mkdir "$SRC/t"
	wait_for_record "create mnt/t"
}

@test "poll: a file PATH on the mount follows an atomic save (write a temporary file, rename it over)" {
	echo v1 >"$SRC/app.conf"
	start_fwatch --json --poll-interval "$IV" mnt/app.conf
	echo 'version 2' >"$SRC/.app.conf.tmp"
	mv "$SRC/.app.conf.tmp" "$SRC/app.conf"
	wait_for_json '.event == "modify" and .replaced == true and .size == 10'
	echo 'version 3!' >>"$SRC/app.conf"
	wait_for_json '.event == "modify" and .size == 21'
}

@test "poll: a file PATH on the mount that gets shorter is a truncate" {
	printf '0123456789\n' >"$SRC/app.log"
	start_fwatch --json --poll-interval "$IV" mnt/app.log
	: >"$SRC/app.log"
	wait_for_json '.event == "truncate" and .size == 0'
}

@test "poll: --exec runs once for a burst of changes under the mount" {
	LOG=$BATS_TEST_TMPDIR/runs.log
	start_fwatch -r -p --poll-interval "$IV" mnt --exec sh -c 'echo run >>"$0"' "$LOG"
	for i in $(seq 1 30); do echo "$i" >"$SRC/f$i"; done
	wait_until 5 "a run" test -s "$LOG"
	sleep 0.5
	assert_equal "$(cat "$LOG")" "run"
}

@test "poll: --backend inotify on the mount does not poll and says nothing about polling" {
	start_fwatch -r --backend inotify mnt
	assert_no_match polling "$FW_ERR"
	grep -q 'with inotify; ready$' "$FW_ERR" || fail "ready line: $(cat "$FW_ERR")"
}

@test "poll: a local PATH beside a blind one stays on inotify" {
	mkdir local
	start_fwatch -r --poll-interval "$IV" local mnt
	assert_no_match "polling 'local'" "$FW_ERR"
	echo x >local/a
	wait_for_record "create local/a"
	echo y >"$SRC/b"
	wait_for_record "create mnt/b"
}
