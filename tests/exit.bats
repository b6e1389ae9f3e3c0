#!/usr/bin/env bats
# How fwatch ends: --once, --timeout, a closed pipe, signals, a vanished root.
# bats: run --separate-stderr sets $stderr; each @test runs in a subshell
# shellcheck disable=SC2154,SC2030,SC2031

load helpers

@test "--once exits 0 after one event and prints exactly one record" {
	mkdir d
	start_fwatch_bare --once d
	: >d/a
	wait_exit "$FW_PID" 5
	assert_status 0
	assert_equal "$(cat "$FW_OUT")" "create d/a"
}

@test "--once ends after one record even when several events happen at once" {
	mkdir d
	start_fwatch_bare -1 d
	touch d/a d/b d/c d/e d/f
	wait_exit "$FW_PID" 5
	assert_status 0
	assert_equal "$(wc -l <"$FW_OUT")" 1
}

@test "--once is not ended by events that --event does not select" {
	mkdir d
	start_fwatch_bare --once -e delete d
	: >d/a
	chmod 600 d/a
	rm d/a
	wait_exit "$FW_PID" 5
	assert_status 0
	assert_equal "$(cat "$FW_OUT")" "delete d/a"
}

@test "--once is not ended by events that the filters hide" {
	mkdir d
	start_fwatch_bare --once -x '*.o' d
	: >d/a.o
	: >d/b.c
	wait_exit "$FW_PID" 5
	assert_status 0
	assert_equal "$(cat "$FW_OUT")" "create d/b.c"
}

@test "--once with --ready waits for a real event after the ready record" {
	mkdir d
	start_fwatch --once d
	: >d/a
	wait_exit "$FW_PID" 5
	assert_status 0
	assert_equal "$(cat "$FW_OUT")" "ready
create d/a"
}

@test "--timeout 0.3 with no changes exits 2 soon after 0.3 seconds" {
	mkdir d
	start=$EPOCHREALTIME
	_fw_launch --timeout 0.3 d
	wait_exit "$FW_PID" 5
	end=$EPOCHREALTIME
	assert_status 2
	assert_equal "$(cat "$FW_OUT")" ""
	python3 -c 'import sys; e = float(sys.argv[2]) - float(sys.argv[1]); assert 0.25 <= e <= 3, e' "$start" "$end" ||
		fail "exited after $(python3 -c 'import sys; print(float(sys.argv[2]) - float(sys.argv[1]))' "$start" "$end")s"
}

@test "--timeout=1 restarts after each reported event" {
	mkdir d
	start_fwatch_bare --timeout=1 d
	for i in 1 2 3 4 5; do
		sleep 0.4
		: >"d/f$i"
	done
	# 2 seconds have passed, more than the timeout: still running
	_fw_alive "$FW_PID" || fail "fwatch exited although events kept coming"
	wait_for_record "create d/f5"
	wait_exit "$FW_PID" 5
	assert_status 2
}

@test "--timeout is not restarted by events that are not reported" {
	mkdir d
	start=$EPOCHREALTIME
	start_fwatch_bare -t 1 -e delete d
	for i in 1 2 3 4 5 6 7 8 9 10; do
		: >"d/f$i"
		_fw_alive "$FW_PID" || break
		sleep 0.25
	done
	wait_exit "$FW_PID" 5
	end=$EPOCHREALTIME
	assert_status 2
	python3 -c 'import sys; e = float(sys.argv[2]) - float(sys.argv[1]); assert e < 2.2, e' "$start" "$end" ||
		fail "the timeout was restarted by unreported events"
}

@test "--timeout 0 means no timeout" {
	mkdir d
	start_fwatch_bare --timeout 0 d
	sleep 1
	_fw_alive "$FW_PID" || fail "fwatch exited with --timeout 0"
	: >d/a
	wait_for_record "create d/a"
	stop_fwatch TERM
}

@test "--once with --timeout: an event before the timeout exits 0" {
	mkdir d
	start_fwatch_bare --once --timeout 5 d
	: >d/a
	wait_exit "$FW_PID" 5
	assert_status 0
	assert_equal "$(cat "$FW_OUT")" "create d/a"
}

@test "fwatch | head -n 1 ends quietly with status 0 once a second event is written" {
	mkdir d
	pipe=$BATS_TEST_TMPDIR/pipe
	head_out=$BATS_TEST_TMPDIR/head.out
	mkfifo "$pipe"
	head -n 1 <"$pipe" >"$head_out" 3>&- &
	fw_track $!
	FW_STDOUT=$pipe start_fwatch_bare d
	: >d/a
	wait_for_line "$head_out" '^create d/a$'
	: >d/b
	wait_exit "$FW_PID" 5
	assert_status 0
	assert_equal "$(cat "$head_out")" "create d/a"
	assert_equal "$(grep -v '^fwatch: watching ' "$FW_ERR")" ""
}

@test "fwatch | head -n 2 ends as soon as head exits, with no event after" {
	mkdir d
	pipe=$BATS_TEST_TMPDIR/pipe
	head_out=$BATS_TEST_TMPDIR/head.out
	mkfifo "$pipe"
	head -n 2 <"$pipe" >"$head_out" 3>&- &
	fw_track $!
	FW_STDOUT=$pipe start_fwatch_bare d
	: >d/a
	: >d/b
	# nothing more happens in d: only head's exit can end fwatch
	wait_exit "$FW_PID" 5
	assert_status 0
	assert_equal "$(cat "$head_out")" "create d/a
create d/b"
	assert_equal "$(grep -v '^fwatch: watching ' "$FW_ERR")" ""
}

@test "fwatch --backend poll | head -n 1 ends as soon as head exits too" {
	mkdir d
	pipe=$BATS_TEST_TMPDIR/pipe
	head_out=$BATS_TEST_TMPDIR/head.out
	mkfifo "$pipe"
	head -n 1 <"$pipe" >"$head_out" 3>&- &
	fw_track $!
	FW_BACKEND_ARGS=(--backend poll --poll-interval 100)
	FW_STDOUT=$pipe start_fwatch_bare d
	: >d/a
	wait_for_line "$head_out" '^create d/a$'
	wait_exit "$FW_PID" 5
	assert_status 0
}

@test "fwatch --json | jq | head -n 1: the event head leaves to jq ends the whole pipeline" {
	command -v jq >/dev/null || skip "jq is not installed"
	mkdir d
	pipe=$BATS_TEST_TMPDIR/pipe
	head_out=$BATS_TEST_TMPDIR/head.out
	mkfifo "$pipe"
	# jq learns that head is gone only when it writes again, so one more
	# event is needed; fwatch then sees jq go without a write of its own
	jq --unbuffered -r .path <"$pipe" 3>&- | head -n 1 >"$head_out" &
	fw_track $!
	FW_STDOUT=$pipe start_fwatch_bare --json d
	: >d/a
	wait_for_line "$head_out" '^d/a$'
	: >d/b
	wait_exit "$FW_PID" 5
	assert_status 0
	assert_equal "$(cat "$head_out")" "d/a"
}

@test "SIGINT exits 130 and everything printed before is complete" {
	mkdir d
	start_fwatch d
	for i in $(seq 1 100); do : >"d/f$i"; done
	wait_for_record "create d/f100"
	stop_fwatch INT
	assert_status 130
	assert_equal "$(grep -c '^create d/f[0-9]*$' "$FW_OUT")" 100
	assert_equal "$(tail -c 1 "$FW_OUT" | od -An -c | tr -d ' ')" '\n'
}

@test "SIGTERM exits 143" {
	mkdir d
	start_fwatch d
	: >d/a
	wait_for_record "create d/a"
	stop_fwatch TERM
	assert_status 143
}

@test "SIGHUP exits 129" {
	mkdir d
	start_fwatch d
	stop_fwatch HUP
	assert_status 129
}

@test "SIGTERM right after a burst: JSON output written so far is whole lines" {
	mkdir d
	start_fwatch --json d
	for i in $(seq 1 300); do : >"d/f$i"; done
	stop_fwatch TERM
	assert_status 143
	python3 - "$FW_OUT" <<-'EOF'
		import json, sys
		data = open(sys.argv[1], "rb").read()
		assert data.endswith(b"\n"), data[-200:]
		for line in data.splitlines():
		    json.loads(line)
	EOF
}

@test "with output to a file, records are written as they happen, not at exit" {
	mkdir d
	start_fwatch d
	: >d/a
	wait_for_record "create d/a"
	: >d/b
	wait_for_record "create d/b"
	# each record reached the file while fwatch kept running
	_fw_alive "$FW_PID" || fail "fwatch exited"
	# none waits in a buffer for the exit: SIGKILL flushes nothing, and
	# every record is there, whole
	stop_fwatch KILL
	assert_status 137
	assert_equal "$(cat "$FW_OUT")" "ready
create d/a
create d/b"
	assert_equal "$(tail -c 1 "$FW_OUT" | od -An -c | tr -d ' ')" '\n'
}

@test "deleting the watched root reports delete of the root and exits 3" {
	mkdir -p d/s
	: >d/s/f
	start_fwatch -r d
	rm -r d
	wait_exit "$FW_PID" 5
	assert_status 3
	wait_for_records 1 "delete d/s/f" "delete d/s" "delete d"
	assert_equal "$(tail -n 1 "$FW_OUT")" "delete d"
}

@test "deleting a watched directory without -r exits 3" {
	mkdir d
	start_fwatch d
	rmdir d
	wait_exit "$FW_PID" 5
	assert_status 3
	wait_for_record "delete d" 1
}

@test "moving the watched root away is reported and exits 3" {
	mkdir d
	start_fwatch -r d
	mv d "$OUTSIDE/gone"
	wait_exit "$FW_PID" 5
	assert_status 3
	wait_for_line "$FW_OUT" '^[a-z]+ d$' 1
}

@test "--on-delete exit: deleting a watched file PATH reports delete and exits 3" {
	echo x >f.txt
	start_fwatch --on-delete exit f.txt
	rm f.txt
	wait_exit "$FW_PID" 5
	assert_status 3
	wait_for_record "delete f.txt" 1
}

@test "with two PATHs, deleting one keeps watching the other; deleting both exits 3" {
	mkdir d e
	start_fwatch d e
	rmdir d
	wait_for_record "delete d"
	_fw_alive "$FW_PID" || fail "fwatch exited although e is still watched"
	: >e/a
	wait_for_record "create e/a"
	rm -r e
	wait_exit "$FW_PID" 5
	assert_status 3
	wait_for_record "delete e" 1
}

@test "a write error on stdout exits 1 with a message" {
	mkdir d
	FW_STDOUT=/dev/full start_fwatch_bare d
	: >d/a
	wait_exit "$FW_PID" 5
	assert_status 1
	grep -q '^fwatch: .*No space left on device' "$FW_ERR" || fail "no message: $(cat "$FW_ERR")"
}

@test "unmounting the watched PATH reports unmount and exits 3" {
	skip_if_fanotify "unmounts (a filesystem mark ends without an event)"
	mount_tmpfs d
	start_fwatch d
	umount d
	wait_exit "$FW_PID" 5
	assert_status 3
	wait_for_record "unmount d" 1
}

@test "--once with --timeout: no event before the timeout exits 2" {
	mkdir d
	start_fwatch_bare --once --timeout 0.3 d
	wait_exit "$FW_PID" 5
	assert_status 2
	assert_equal "$(cat "$FW_OUT")" ""
}
