#!/usr/bin/env bats
# Error messages and exit statuses for things that cannot be watched.
# bats: run --separate-stderr sets $stderr; each @test runs in a subshell
# shellcheck disable=SC2154,SC2030,SC2031

load helpers

# Run fwatch so that file permissions apply even when the suite runs as root:
# root drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from its bounding set,
# so the fwatch it execs has neither.
use_permissions() {
	if (($(id -u) == 0)); then
		setpriv --bounding-set -dac_override,-dac_read_search true 2>/dev/null ||
			skip "running as root and cannot drop CAP_DAC_OVERRIDE (setpriv failed)"
		# shellcheck disable=SC2054 # the commas are setpriv's syntax
		FW_PREFIX=(setpriv --bounding-set -dac_override,-dac_read_search)
	fi
}

@test "a nonexistent PATH is exit 1 with a message naming it and nothing on stdout" {
	run_fwatch nope
	assert_status 1
	assert_equal "$output" ""
	assert_equal "$stderr" "fwatch: cannot watch 'nope': No such file or directory (check the path)"
}

@test "a nonexistent PATH among good ones is exit 1 and nothing is watched" {
	mkdir d
	run_fwatch -r d missing/dir
	assert_status 1
	assert_equal "$output" ""
	assert_contains "$stderr" "fwatch: cannot watch 'missing/dir': No such file or directory"
	[[ $stderr != *watching* ]] || fail "printed a watching line: $stderr"
}

@test "no PATH is a usage error with exit 1" {
	run_fwatch
	assert_status 1
	assert_equal "$output" ""
	[[ $stderr == fwatch:* ]] || fail "message not prefixed with 'fwatch:': $stderr"
	assert_contains "$stderr" "Try 'fwatch --help' for more information."
}

@test "options without a PATH are a usage error with exit 1" {
	run_fwatch -r --json
	assert_status 1
	assert_equal "$output" ""
	assert_contains "$stderr" "Try 'fwatch --help' for more information."
}

@test "an unreadable subdirectory is a warning and the rest of the tree is watched" {
	use_permissions
	mkdir -p d/ok d/sub/inner
	chmod 000 d/sub
	start_fwatch -r d
	wait_for_line "$FW_ERR" "^fwatch: warning: cannot watch 'd/sub': Permission denied; changes below it will not be reported$"
	: >d/ok/f
	wait_for_record "create d/ok/f"
	: >d/g
	wait_for_record "create d/g"
}

@test "an unreadable PATH is exit 1 with a message" {
	use_permissions
	mkdir d
	chmod 000 d
	run --separate-stderr timeout -k 1 10 "${FW_PREFIX[@]}" "$FWATCH" "${FW_BACKEND_ARGS[@]}" d
	assert_status 1
	assert_equal "$output" ""
	assert_contains "$stderr" "fwatch: cannot watch 'd': Permission denied"
}

@test "the inotify watch limit is exit 1 with a message naming the sysctl and the watches needed" {
	skip_unless_inotify "its watch limit"
	for i in $(seq -w 1 100); do
		mkdir -p "tree/dir$i"
	done
	sysctl_for_test max_user_watches 40
	# (without --backend, as root, fanotify takes over: fanotify.bats)
	run_fwatch --backend inotify -r tree
	assert_status 1
	assert_equal "$output" ""
	assert_contains "$stderr" "fwatch: cannot watch 'tree': inotify watch limit reached (fs.inotify.max_user_watches = 40); this tree needs "
	[[ $stderr =~ needs\ (at\ least\ )?([0-9]+)\ watches.*\'sysctl\ fs\.inotify\.max_user_watches=([0-9]+)\' ]] ||
		fail "no watch count or sysctl command in: $stderr"
	needed=${BASH_REMATCH[2]} suggested=${BASH_REMATCH[3]}
	((needed >= 101)) || fail "the tree has 101 directories, message says $needed watches"
	((suggested >= needed)) || fail "suggested limit $suggested is below the $needed watches needed"
	assert_contains "$stderr" "/etc/sysctl.d/"
}

@test "in a user namespace whose watch limit is the smaller, the message names user.max_inotify_watches" {
	skip_if_poll "no inotify watches"
	skip_unless_inotify "its watch limit"
	command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
	unshare -Ur true 2>/dev/null || skip "this system lets no user namespace be made (unshare -Ur)"
	for i in $(seq -w 1 40); do
		mkdir -p "tree/dir$i"
	done
	# the namespace's root may lower its own limit; the global one stays
	run --separate-stderr timeout 10 unshare -Ur sh -c \
		'echo 20 >/proc/sys/user/max_inotify_watches && exec "$@"' sh \
		"$FWATCH" "${FW_BACKEND_ARGS[@]}" -r tree
	assert_status 1
	assert_contains "$stderr" "fwatch: cannot watch 'tree': inotify watch limit reached (user.max_inotify_watches = 20, this user namespace's limit); this tree needs "
	assert_contains "$stderr" "'sysctl user.max_inotify_watches="
	[[ $stderr != *fs.inotify.max_user_watches* ]] || fail "the global limit, which does not bind, is named: $stderr"
}

@test "the inotify instance limit is exit 1 with a message naming fs.inotify.max_user_instances" {
	skip_unless_inotify "its instance limit"
	mkdir d
	sysctl_for_test max_user_instances 0
	run_fwatch d
	assert_status 1
	assert_equal "$output" ""
	assert_contains "$stderr" "fs.inotify.max_user_instances = 0"
}

@test "-q still prints warnings" {
	use_permissions
	mkdir -p d/ok d/sub
	chmod 000 d/sub
	start_fwatch -q -r d
	wait_for_line "$FW_ERR" "^fwatch: warning: cannot watch 'd/sub': Permission denied"
	: >d/ok/f
	wait_for_record "create d/ok/f"
	assert_equal "$(grep -c . "$FW_ERR")" 1
}

@test "a PATH in a message is escaped as text output escapes it: a carriage return is \\r" {
	mkdir d
	: >"d/a"$'\r'"b"
	start_fwatch d
	rm "d/a"$'\r'"b"
	wait_for_record 'delete d/a\rb'
	stop_fwatch
	run_fwatch "no"$'\r'"such"$'\t'"path"
	assert_status 1
	assert_equal "$stderr" "fwatch: cannot watch 'no\\rsuch\\tpath': No such file or directory (check the path)"
}
