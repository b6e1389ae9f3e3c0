#!/usr/bin/env bats
# --tail: the bytes appended to each file PATH, printed exactly once and
# in order, across rotations by rename, deletes, truncations and the real
# logrotate, with a writer at full speed (tests/logwriter writes numbered
# lines of 56 bytes and keeps every byte it wrote in expected.log).
# Backend-neutral: FWATCH_BACKEND=poll runs them too, but for what a poll
# cannot see.
# shellcheck disable=SC2154

load helpers

setup() {
	fw_setup
	command -v python3 >/dev/null || skip "python3 is not installed (tests/logwriter)"
	WRITER=$BATS_TEST_DIRNAME/logwriter
}

# tail_start ARGS...: fwatch --tail ARGS in the background, ready.
tail_start() {
	start_fwatch_bare --tail "$@"
}

# write ARGS...: the log writer, its report kept out of the way.
write() {
	"$WRITER" --expect expected.log "$@" 2>>"$BATS_TEST_TMPDIR/writer.err"
}

# wait_bytes N [FILE] [SECS]: until FILE (fwatch's stdout) holds N bytes.
_fw_size_at_least() {
	[[ $(stat -c %s "$2" 2>/dev/null || echo 0) -ge $1 ]]
}
wait_bytes() {
	wait_until "${3:-20}" "$1 bytes in ${2:-$FW_OUT}" _fw_size_at_least "$1" "${2:-$FW_OUT}"
}

# same_bytes EXPECTED GOT: GOT holds exactly the bytes of EXPECTED; else
# fail saying where they part, in lines.
same_bytes() {
	cmp -s "$1" "$2" && return 0
	fail "$(python3 - "$1" "$2" <<-'PY'
	import sys
	a = open(sys.argv[1], 'rb').read().split(b'\n')
	b = open(sys.argv[2], 'rb').read().split(b'\n')
	i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
	lost = len(set(a) - set(b)); dup = len(b) - len(set(b))
	print("printed %d lines for %d written: they part at line %d (%r, printed %r); %d lines missing, %d printed twice"
	      % (len(b) - 1, len(a) - 1, i + 1, a[i][:20] if i < len(a) else None, b[i][:20] if i < len(b) else None, lost, dup))
	PY
	)"
}

# json_data OUT FILE: the JSON chunks of fwatch's stdout for PATH FILE
# put back together (data, or data_b64 decoded) into OUT; each chunk's
# data is checked to be a whole UTF-8 string (no half character).
json_data() {
	python3 - "$FW_OUT" "$2" "$1" <<-'PY'
	import base64, json, sys
	out = bytearray()
	for line in open(sys.argv[1], 'rb'):
	    r = json.loads(line)
	    if r.get('event') == 'ready' or r['path'] != sys.argv[2]:
	        continue
	    assert set(r) in ({'time', 'path', 'data'}, {'time', 'path', 'data_b64'}), r
	    out += r['data'].encode('utf-8') if 'data' in r else base64.b64decode(r['data_b64'], validate=True)
	open(sys.argv[3], 'wb').write(out)
	PY
}

@test "--tail prints what is appended, not what was there, and nothing else" {
	printf 'old line\n' >app.log
	tail_start app.log
	printf 'one\n' >>app.log
	wait_bytes 4
	printf 'two\n' >>app.log
	wait_bytes 8
	assert_equal "$(cat "$FW_OUT")" "one
two"
}

@test "--tail-from start prints what the file holds first, then what is appended" {
	printf 'old line\n' >app.log
	tail_start --tail-from start app.log
	wait_bytes 9
	printf 'new\n' >>app.log
	wait_bytes 13
	assert_equal "$(cat "$FW_OUT")" "old line
new"
}

@test "--tail: a writer at full speed, 50,000 lines, rotated by rename at 25,000: every byte once, in order (three runs)" {
	for run in 1 2 3; do
		rm -f app.log* expected.log
		: >app.log
		tail_start app.log
		write --lines 50000 --rotate 25000 app.log
		wait_bytes 2800000
		stop_fwatch
		same_bytes expected.log "$FW_OUT" || return 1
		assert_equal "$(stat -c %s app.log.1) $(stat -c %s app.log)" "1400000 1400000"
	done
}

@test "--tail: a writer at full speed rotated twice: every byte once, in order" {
	skip_if_poll "a file can live less than one interval under its name"
	: >app.log
	tail_start app.log
	write --lines 50000 --rotate 16000 --rotate 33000 app.log
	wait_bytes 2800000
	same_bytes expected.log "$FW_OUT"
	assert_equal "$(stat -c %s app.log.2)" 896000
}

@test "--tail: a rotation while fwatch is stopped (SIGSTOP, 200 ms): its read comes late, and still every byte once, in order" {
	: >app.log
	tail_start app.log
	write --lines 50000 --rotate 25000 --stop "$FW_PID" --stop-ms 200 app.log
	wait_bytes 2800000
	same_bytes expected.log "$FW_OUT"
}

@test "--tail: rotated twice while fwatch is stopped: the file in between is found where it went, and every byte printed once, in order" {
	skip_if_poll "a file can live less than one interval under its name"
	: >app.log
	tail_start app.log
	kill -STOP "$FW_PID"
	write --lines 3000 --rotate 1000 --rotate 2000 app.log
	kill -CONT "$FW_PID"
	wait_bytes 168000
	same_bytes expected.log "$FW_OUT"
}

@test "--tail --json: the chunks put back together are the bytes written, UTF-8 never cut, across rotations and a stop" {
	: >app.log
	tail_start --json app.log
	write --utf8 --lines 50000 --rotate 16000 --stop "$FW_PID" --rotate 33000 app.log
	wait_until 20 "the last line in a chunk" grep -q '00049999 ' "$FW_OUT"
	json_data got.log app.log
	same_bytes expected.log got.log
}

@test "--tail: a program that writes to its log after the rename, until it reopens it: those bytes come before the new file's" {
	: >app.log
	tail_start app.log
	# rename, 300 ms, 500 more lines to the renamed file, then a new one
	write --lines 2000 --rotate 1000 --late 500 --pause-ms 300 app.log
	wait_bytes 140000
	same_bytes expected.log "$FW_OUT"
	assert_equal "$(stat -c %s app.log.1)" 84000
}

@test "--tail: a file that does not exist yet is waited for, said once, and printed from its first byte" {
	tail_start app.log
	assert_equal "$(grep -c 'does not exist yet' "$FW_ERR")" 1
	assert_contains "$(cat "$FW_ERR")" "fwatch: 'app.log' does not exist yet: waiting for it"
	write --lines 1000 app.log
	wait_bytes 56000
	same_bytes expected.log "$FW_OUT"
}

@test "--tail: a rotation to another directory: the old file read to its end, then the new one" {
	mkdir old
	: >app.log
	tail_start app.log
	write --lines 20000 --rotate 10000 --how away=old app.log
	wait_bytes 1120000
	same_bytes expected.log "$FW_OUT"
	assert_equal "$(stat -c %s old/app.log.1)" 560000
}

@test "--tail: deleted and made again: the old file read to its end, then the new one" {
	: >app.log
	tail_start app.log
	write --lines 20000 --rotate 10000 --how delete app.log
	wait_bytes 1120000
	same_bytes expected.log "$FW_OUT"
}

@test "--tail: truncated in place while the writer pauses: printed again from its start, with a note" {
	: >app.log
	tail_start app.log
	write --lines 2000 --rotate 1000 --how truncate --pause-ms 300 app.log
	wait_bytes 112000
	same_bytes expected.log "$FW_OUT"
	assert_equal "$(stat -c %s app.log)" 56000
	assert_contains "$(cat "$FW_ERR")" "fwatch: 'app.log' was truncated: printing it from its start"
}

# rotconf MODE: a logrotate configuration for app.log, rotated by MODE
# (create or copytruncate).
rotconf() {
	command -v logrotate >/dev/null || skip "logrotate is not installed"
	cat >rot.conf <<-EOF
	$WORK/app.log {
		rotate 3
		$1
		missingok
	}
	EOF
}

@test "--tail: logrotate's create: every byte once, in order, across three rotations" {
	rotconf create
	: >app.log
	tail_start app.log
	# a pause around each: logrotate runs in milliseconds, which a poll
	# cannot see three times within one interval
	write --lines 4000 --rotate 1000 --rotate 2000 --rotate 3000 --pause-ms 250 \
		--how "cmd=logrotate -f -s '$BATS_TEST_TMPDIR/state' rot.conf" app.log
	wait_bytes 224000
	same_bytes expected.log "$FW_OUT"
	assert_equal "$(stat -c %s app.log.3)" 56000
}

@test "--tail: logrotate's copytruncate, the writer pausing around it: every byte once, with a note per truncation" {
	rotconf copytruncate
	: >app.log
	tail_start app.log
	write --lines 3000 --rotate 1000 --rotate 2000 --pause-ms 300 \
		--how "cmd=logrotate -f -s '$BATS_TEST_TMPDIR/state' rot.conf" app.log
	wait_bytes 168000
	same_bytes expected.log "$FW_OUT"
	assert_equal "$(grep -c 'was truncated' "$FW_ERR")" 2
	assert_equal "$(stat -c %s app.log.1)" 56000
}

@test "--tail: several files: a tail(1) header each time the output switches file" {
	: >a.log
	: >b.log
	tail_start a.log b.log
	printf 'a1\n' >>a.log
	wait_for_line "$FW_OUT" '^a1$'
	printf 'b1\n' >>b.log
	wait_for_line "$FW_OUT" '^b1$'
	printf 'b2\n' >>b.log
	wait_for_line "$FW_OUT" '^b2$'
	printf 'a2\n' >>a.log
	wait_for_line "$FW_OUT" '^a2$'
	assert_equal "$(cat "$FW_OUT")" "==> a.log <==
a1

==> b.log <==
b1
b2

==> a.log <==
a2"
}

@test "--tail --json: one object per chunk with time and path; bytes not UTF-8 in data_b64, on their own line" {
	: >app.log
	tail_start --json app.log
	printf 'caf\xc3\xa9\n' >>app.log
	wait_for_line "$FW_OUT" '"data":"café\\n"'
	printf 'bad \xff byte\nfine\n' >>app.log
	wait_for_line "$FW_OUT" '"data":"fine\\n"'
	grep -q '^{"time":"[0-9T:.-]*Z","path":"app.log","data":"café\\n"}$' "$FW_OUT" ||
		fail "the first chunk is not as expected: $(head -n 1 "$FW_OUT")"
	assert_contains "$(cat "$FW_OUT")" "\"data_b64\":\"$(printf 'bad \xff byte\n' | base64)\"}"
}

@test "--tail --json: half a character written waits for the rest: no chunk cuts it" {
	: >app.log
	tail_start --json app.log
	printf 'price: \xe2\x82' >>app.log
	sleep 0.3
	printf '\xac 5\n' >>app.log
	wait_for_line "$FW_OUT" '€ 5'
	json_data got.log app.log
	assert_equal "$(cat got.log)" "price: € 5"
	# and no chunk was base64: each one was whole UTF-8
	assert_no_match data_b64
}

@test "--tail --once exits 0 after the first bytes printed" {
	: >app.log
	tail_start --once app.log
	printf 'first\n' >>app.log
	wait_exit "$FW_PID" 5
	assert_status 0
	assert_equal "$(cat "$FW_OUT")" "first"
}

@test "--tail --timeout: exit 2 once nothing has been appended for that long" {
	: >app.log
	tail_start --timeout 1 app.log
	printf 'x\n' >>app.log
	# a touch is an event, but prints nothing: the clock goes on
	sleep 0.5
	touch app.log
	wait_exit "$FW_PID" 5
	assert_status 2
	assert_equal "$(cat "$FW_OUT")" "x"
}

@test "--tail refuses what it cannot go with, naming it" {
	: >app.log
	mkdir dir
	run_fwatch --tail app.log --exec true
	assert_status 1
	assert_contains "$stderr" "--tail and --exec cannot be used together"
	run_fwatch --tail dir
	assert_status 1
	assert_contains "$stderr" "cannot follow 'dir': it is a directory"
	run_fwatch --tail nodir/app.log
	assert_status 1
	assert_contains "$stderr" "its directory does not exist"
	run_fwatch --tail-from start app.log
	assert_status 1
	assert_contains "$stderr" "--tail-from works only with --tail"
	run_fwatch --tail --tail-from middle app.log
	assert_status 1
	assert_contains "$stderr" "'middle' is not start or end"
	for opt in -r --format=%p -0 --event=modify --exclude=x --ready; do
		run_fwatch --tail "$opt" app.log
		assert_status 1
		assert_contains "$stderr" "--tail"
	done
}

@test "the README's --tail commands do what it says" {
	local block first second words
	block=$(awk '/^## Following a log file in CI/ {on = 1}
		on && /^```sh$/ {grab = 1; next} grab && /^```$/ {exit} grab' \
		"$BATS_TEST_DIRNAME/../README.md")
	first=$(sed -n 1p <<<"$block")
	second=$(sed -n 2p <<<"$block")
	[[ $first == "./fwatch --tail build.log "* && $second == "./fwatch --tail --tail-from start "* ]] ||
		fail "README commands not found: $block"
	printf 'already there\n' >build.log
	read -ra words <<<"${first%%#*}"
	start_fwatch_bare "${words[@]:1}"
	printf 'appended\n' >>build.log
	wait_for_line "$FW_OUT" '^appended$'
	assert_equal "$(cat "$FW_OUT")" "appended"
	stop_fwatch
	read -ra words <<<"${second%%#*}"
	start_fwatch_bare "${words[@]:1}"
	wait_for_line "$FW_OUT" '^appended$'
	assert_equal "$(cat "$FW_OUT")" "already there
appended"
}
