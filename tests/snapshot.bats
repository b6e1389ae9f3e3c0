#!/usr/bin/env bats
# --snapshot: what an overflow's rescan reports about files.
#
# Each test makes the kernel drop events for real: the inotify queue is
# made small (as root, restored at once: the kernel reads the limit when
# fwatch starts), fwatch is stopped with SIGSTOP, more changes are made
# than the queue holds, and fwatch is let go again.
# shellcheck disable=SC2154

load helpers

# blind_start ARGS...: start fwatch --json ARGS with a 32-event queue.
blind_start() {
	sysctl_for_test max_queued_events 32
	start_fwatch --json "$@"
	sysctl_restore
}

# blind DIR: stop fwatch and fill its queue with files made and removed
# in the watched DIR: what the caller changes next is lost.
blind() {
	local i
	kill -STOP "$FW_PID"
	for i in $(seq 1 40); do : >"$1/.flood$i"; done
	rm -f "$1"/.flood*
}

# see DIR: let fwatch go, and wait for its rescan to finish (a marker
# made afterwards is reported).
see() {
	kill -CONT "$FW_PID"
	wait_for_json '.event == "overflow"'
	: >"$1/after-rescan"
	wait_for_json ".event == \"create\" and .path == \"$1/after-rescan\""
}

# rescanned: the rescan's records after the overflow, as "event path",
# "rename old -> new", sorted, without the flood.
rescanned() {
	jq -r 'select(.rescan == true) |
		if .event == "rename" then "rename \(.old_path) -> \(.path)"
		else "\(.event) \(.path)\(if .dir then "/" else "" end)" end' "$FW_OUT" |
		grep -v '/\.flood' | sort
}

@test "--snapshot: files created, written and deleted while events were lost are reported after the overflow, marked rescan" {
	mkdir -p d/s
	echo 1 >d/s/gone
	echo 1 >d/s/grows
	echo 1 >d/s/same
	blind_start -r --snapshot d
	blind d
	echo new >d/s/new
	: >d/s/empty
	echo more >>d/s/grows
	rm d/s/gone
	see d
	assert_equal "$(rescanned)" "create d/s/empty
create d/s/new
delete d/s/gone
modify d/s/grows
modify d/s/new"
}

@test "--snapshot: a file that was not touched is not reported by the rescan" {
	mkdir -p d/a d/b
	echo 1 >d/a/x
	echo 1 >d/b/y
	blind_start -r --snapshot d
	blind d
	see d
	assert_equal "$(rescanned)" ""
}

@test "--snapshot: a change reported before the overflow is not reported again" {
	mkdir d
	echo 1 >d/f
	blind_start -r --snapshot d
	echo 2 >>d/f
	wait_for_json '.event == "modify" and .path == "d/f"'
	blind d
	see d
	assert_equal "$(rescanned)" ""
}

@test "--snapshot: a file created and reported, then deleted unseen, is reported deleted" {
	mkdir d
	blind_start -r --snapshot d
	echo 1 >d/brief
	wait_for_json '.event == "create" and .path == "d/brief"'
	blind d
	rm d/brief
	see d
	assert_equal "$(rescanned)" "delete d/brief"
}

@test "--snapshot: an editor's save by rename while blind is reported as the old file deleted and a new one created" {
	mkdir d
	echo old >d/conf
	blind_start -r --snapshot d
	blind d
	echo new >d/.conf.tmp
	mv d/.conf.tmp d/conf
	see d
	assert_equal "$(rescanned)" "create d/conf
delete d/conf
modify d/conf"
	# in that order: the old one goes before the new one comes
	assert_equal "$(jq -r 'select(.rescan and .path == "d/conf") | .event' "$FW_OUT" | head -n 2 | tr '\n' ' ')" "delete create "
}

@test "--snapshot: a file that became a directory, and a directory that became a file, are deleted then created" {
	mkdir -p d/was-dir/inner
	: >d/was-file
	blind_start -r --snapshot d
	blind d
	rm d/was-file
	mkdir d/was-file
	rm -r d/was-dir
	: >d/was-dir
	see d
	assert_equal "$(rescanned)" "create d/was-dir
create d/was-file/
delete d/was-dir/
delete d/was-file"
	assert_equal "$(jq -r 'select(.rescan and .path == "d/was-dir") | .event' "$FW_OUT" | tr '\n' ' ')" "delete create "
	# the new directory is watched
	: >d/was-file/in
	wait_for_json '.event == "create" and .path == "d/was-file/in"'
}

@test "a directory moved while events were lost is reported as a rename, and is watched under its new name" {
	mkdir -p d/a/sub d/b
	blind_start -r d
	skip_if_whole "no tree to rescan after an overflow"
	blind d
	mv d/a/sub d/b/sub2
	see d
	assert_equal "$(rescanned)" "rename d/a/sub -> d/b/sub2"
	: >d/b/sub2/in
	wait_for_json '.event == "create" and .path == "d/b/sub2/in"'
}

@test "--snapshot without -r compares the files of the watched directory" {
	mkdir -p d/sub
	echo 1 >d/f
	blind_start --snapshot d
	blind d
	rm d/f
	: >d/g
	rmdir d/sub
	see d
	assert_equal "$(rescanned)" "create d/g
delete d/f
delete d/sub/"
}

@test "without --snapshot, an overflow reports directories but not the files of watched ones" {
	mkdir -p d/s
	echo 1 >d/s/gone
	blind_start -r d
	skip_if_whole "no tree to rescan after an overflow"
	blind d
	rm d/s/gone
	mkdir d/newdir
	: >d/newdir/inside
	see d
	assert_equal "$(rescanned)" "create d/newdir/
create d/newdir/inside"
}

# tree DIR: every path below DIR, directories ending in /, sorted.
tree() {
	find "$1" -mindepth 1 \( -type d -printf '%p/\n' -o -printf '%p\n' \) | LC_ALL=C sort
}

# replay START: the tree START (a file from `tree`) changed by every
# create, delete and rename fwatch printed, sorted.
replay() {
	jq -rn --rawfile start "$1" '
	  def under($p): startswith($p + "/");
	  reduce (inputs | select(.event == "create" or .event == "delete" or .event == "rename")) as $e
	    ($start | split("\n") | map(select(length > 0) | {key: ., value: 1}) | from_entries;
	    if $e.event == "create" then .[$e.path + (if $e.dir then "/" else "" end)] = 1
	    elif $e.event == "delete" then
	      with_entries(select(.key != $e.path and (.key | under($e.path) | not)))
	    else
	      with_entries(if .key == $e.old_path then .key = $e.path
	        elif (.key | under($e.old_path)) then .key = $e.path + .key[($e.old_path | length):]
	        else . end)
	    end) | keys[]' "$FW_OUT" | LC_ALL=C sort
}

@test "--snapshot: the creates, deletes and renames printed, replayed on the tree at start, give the tree at the end" {
	mkdir -p d/1/2/3 d/x
	for i in 1 2 3 4 5; do echo "$i" >"d/1/2/3/f$i"; echo "$i" >"d/x/g$i"; done
	tree d >"$BATS_TEST_TMPDIR/start"
	blind_start -r --snapshot d
	# some changes seen, some not, then some seen again
	mv d/1/2/3/f1 d/x/moved
	rm d/x/g2
	blind d
	mv d/1/2 d/x/two
	rm d/x/g3
	echo 9 >d/1/new
	mkdir -p d/x/deep/er
	echo 9 >d/x/deep/er/file
	see d
	mv d/x/two/3/f4 d/1/f4
	: >d/x/last
	wait_for_json '.event == "create" and .path == "d/x/last"'
	run diff <(tree d) <(replay "$BATS_TEST_TMPDIR/start")
	[[ $status == 0 ]] || fail "the tree on disk (<) and the one the events imply (>) differ:" "$output"
}

# git_tree DIR: a git work tree at DIR, git and fwatch kept from the
# user's own git config and global excludes file.
git_tree() {
	command -v git >/dev/null || skip "git is not installed (.ci/run installs it)"
	export HOME=$BATS_TEST_TMPDIR/home GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
	unset XDG_CONFIG_HOME
	mkdir -p "$HOME"
	git init -q "$1"
}

@test "--snapshot --gitignore: what a directory git stops ignoring holds is noted, so the rescan after an overflow does not call it new" {
	git_tree d
	printf 'gen/\n' >d/.gitignore
	mkdir d/gen
	echo 1 >d/gen/old
	blind_start -r --snapshot --gitignore d
	sed -i '/gen/d' d/.gitignore
	: >d/marker
	wait_for_json '.event == "create" and .path == "d/marker"'
	blind d
	see d
	assert_equal "$(rescanned)" ""
}

@test "--gitignore: a .gitignore written while events were lost rules from the rescan on" {
	git_tree d
	mkdir d/out
	blind_start -r --gitignore d
	blind d
	printf 'out/\n' >d/.gitignore
	see d
	: >d/out/x
	: >d/y
	wait_for_json '.event == "create" and .path == "d/y"'
	if jq -e -n '[inputs | select(.path == "d/out/x")] | length > 0' "$FW_OUT" >/dev/null; then
		fail "d/out/x was reported: the new .gitignore was not applied"
	fi
}
