#!/usr/bin/env bats
# --exec: running a command after each burst of changes (issue 3).
# bats: run --separate-stderr sets $stderr; each @test runs in a subshell
# shellcheck disable=SC2154,SC2030,SC2031,SC2016
#
# Commands record what they saw in files of the test's temp directory,
# outside the watched tree d (which lives in $WORK):
#   $LOG    one line per run (or per thing a command wants to tell)
#   $OUT    what the last run received (arguments, stdin, environment)
#   $PIDS   process ids a command reports
#   $PGIDS  process groups of commands that would run forever; teardown
#           kills what is left of them if a test fails half-way
#   $SL     a sleep duration unique to the test, so `sleep $SL` finds
#           our own sleeps among the processes of the machine
#
# Note: an orphan (a grandchild whose parent died) is reaped by PID 1,
# which may take a moment (seconds in some containers).  Until then it is
# a zombie: dead, but `kill -0` still finds it.  "Still running" below
# therefore means "exists and is not a zombie".

load helpers

setup() {
	fw_setup
	LOG=$BATS_TEST_TMPDIR/log
	OUT=$BATS_TEST_TMPDIR/out
	PIDS=$BATS_TEST_TMPDIR/pids
	PGIDS=$BATS_TEST_TMPDIR/pgids
	SL=$((200000 + RANDOM))
	export LOG OUT PIDS PGIDS SL
}

teardown() {
	local st=0 pid pg
	fw_teardown || st=$?
	# What a failed test may have left running: our sleeps and the
	# process groups of looping commands, by their ids.
	for pid in $(our_sleeps); do
		kill -KILL "$pid" 2>/dev/null || true
	done
	if [[ -e $PGIDS ]]; then
		while read -r pg; do
			[[ $pg =~ ^[0-9]+$ ]] || continue
			kill -KILL -- "-$pg" 2>/dev/null || true
			kill -KILL "$pg" 2>/dev/null || true
		done <"$PGIDS"
	fi
	return "$st"
}

# ---------------------------------------------------------------- helpers

# nlines FILE: the number of lines of FILE (0 when it does not exist).
nlines() {
	local n=0
	[[ -e $1 ]] && n=$(wc -l <"$1")
	echo $((n))
}

# wait_for_count FILE N [SECS]: wait until FILE has at least N lines.
_has_lines() {
	(($(nlines "$1") >= $2))
}

wait_for_count() {
	local file=$1 n=$2 secs=${3:-$FW_WAIT}
	wait_until "$secs" "$n line(s) in $file" \
		_has_lines "$file" "$n" || { _fw_wait_report "$file"; return 1; }
}

# assert_count FILE N: FILE has exactly N lines.
assert_count() {
	local n
	n=$(nlines "$1")
	if [[ $n != "$2" ]]; then
		fail "expected $2 line(s) in $1, found $n:" "$(cat -v "$1" 2>/dev/null)"
		return 1
	fi
}

# assert_file_bytes FILE ARG...: FILE holds exactly the ARGs, each
# followed by a NUL (what `printf '%s\0' "$@"` wrote).
assert_file_bytes() {
	local file=$1 expected actual
	shift
	expected=$(printf '%s\0' "$@" | od -An -c)
	actual=$(od -An -c <"$file")
	if [[ $actual != "$expected" ]]; then
		fail "unexpected bytes in $file" "expected:$expected" "  actual:$actual"
		return 1
	fi
}

# running PID: PID exists and is not a zombie.
running() {
	_fw_alive "$1"
}

# wait_not_running PID [SECS]
_not_running() {
	! running "$1"
}

wait_not_running() {
	local pid=$1 secs=${2:-$FW_WAIT}
	wait_until "$secs" "process $pid ($(ps -o args= -p "$pid")) to end" \
		_not_running "$pid"
}

# our_sleeps: pids of running (not zombie) `sleep $SL` processes.
our_sleeps() {
	ps -eo pid=,stat=,args= | awk -v sl="$SL" '$2 !~ /^Z/ && NF == 4 && $3 == "sleep" && $4 == sl { print $1 }'
}

# group_members PGID: running (not zombie) processes of process group PGID.
group_members() {
	ps -eo pid=,pgid=,stat=,args= | awk -v g="$1" '$2 == g && $3 !~ /^Z/'
}

# elapsed_ms START: milliseconds since START (an $EPOCHREALTIME) in REPLY.
elapsed_ms() {
	local s=${1/./} n=${EPOCHREALTIME/./}
	REPLY=$(((n - s) / 1000))
}

# A command that writes its arguments to $OUT (NUL-terminated), then
# appends a line to $LOG: wait for the run in $LOG, then read $OUT.
ARGS_CMD=(sh -c 'printf "%s\0" "$@" >"$OUT"; echo run >>"$LOG"' sh)
RUN_CMD=(sh -c 'echo run >>"$LOG"')

# ---------------------------------------------------------------- when

@test "by default the command runs once at start, with no paths" {
	mkdir d
	start_fwatch d --exec sh -c 'echo "run $FWATCH_COUNT" >>"$LOG"'
	wait_for_count "$LOG" 1
	sleep 0.3
	assert_equal "$(cat "$LOG")" "run 0"
	: >d/a
	wait_for_count "$LOG" 2
	assert_equal "$(cat "$LOG")" "run 0
run 1"
}

@test "--postpone does not run the command at start, only after a change" {
	mkdir d
	start_fwatch --postpone d --exec "${RUN_CMD[@]}"
	sleep 0.4
	assert_count "$LOG" 0
	: >d/a
	wait_for_count "$LOG" 1
}

@test "a burst of 1,000 writes in a tight loop gives exactly one run (-p: none at start)" {
	mkdir d
	start_fwatch -p d --exec sh -c 'echo "run $FWATCH_COUNT" >>"$LOG"'
	for ((i = 0; i < 1000; i++)); do
		echo "$i" >"d/f$((i % 10))"
	done
	wait_for_count "$LOG" 1
	sleep 0.3
	assert_equal "$(cat "$LOG")" "run 10"
}

@test "only changes that pass the filters cause a run" {
	mkdir d
	start_fwatch -p -x '*.o' -e create,modify d --exec sh -c 'echo "$FWATCH_PATH" >>"$LOG"'
	: >d/a.o
	echo x >d/a.o
	: >d/keep
	chmod 600 d/keep
	sleep 0.4
	# only the create of d/keep counts (not a.o, not the chmod)
	assert_equal "$(cat "$LOG")" "d/keep"
	chmod 644 d/keep
	echo y >d/b.o
	sleep 0.4
	assert_count "$LOG" 1
}

@test "-d 400: two changes 200 ms apart give one run, not before the tree is quiet" {
	mkdir d
	start_fwatch -p -d 400 d --exec sh -c 'echo "run $FWATCH_COUNT" >>"$LOG"'
	: >d/a
	sleep 0.2
	: >d/b
	sleep 0.2
	assert_count "$LOG" 0
	wait_for_count "$LOG" 1
	sleep 0.5
	assert_equal "$(cat "$LOG")" "run 2"
}

@test "--max-wait 300: a burst that never goes quiet runs the command anyway" {
	mkdir d
	start_fwatch -p -d 1000 --max-wait 300 d --exec sh -c 'echo "run $FWATCH_COUNT" >>"$LOG"'
	# a writer every 50 ms for up to 6 s: never a quiet second
	(for _ in $(seq 1 120); do
		[ -e "$LOG" ] && break
		echo x >>d/log
		sleep 0.05
	done) 3>&- &
	fw_track $!
	writer=$!
	wait_for_count "$LOG" 1 3
	wait_exit "$writer" 2
	# the run came while the writer was still writing
	(($(nlines d/log) < 120)) || fail "the run came only after the writer stopped"
}

@test "--max-wait takes milliseconds, only with --exec" {
	mkdir d
	run_fwatch --max-wait x d --exec true
	assert_status 1
	assert_contains "$stderr" "--max-wait: 'x' is not a number of milliseconds"
	run_fwatch --max-wait 100 d
	assert_status 1
	assert_contains "$stderr" "--max-wait works only with --exec"
}

# ---------------------------------------------------------------- busy

@test "queue (default): changes during a 1-second command give exactly one more run" {
	mkdir d
	start_fwatch -p d --exec sh -c 'echo "start $FWATCH_PATH" >>"$LOG"; sleep 1; echo end >>"$LOG"'
	: >d/a
	wait_for_count "$LOG" 1
	: >d/b
	sleep 0.2
	: >d/c
	# the first run ends, the second starts and ends
	wait_for_count "$LOG" 4
	sleep 0.4
	assert_equal "$(cat "$LOG")" "start d/a
end
start d/b
end"
}

@test "--on-busy ignore: a change while the command runs causes no extra run" {
	mkdir d
	start_fwatch -p --on-busy ignore d --exec sh -c 'echo "start $FWATCH_PATH" >>"$LOG"; sleep 0.6; echo end >>"$LOG"'
	: >d/a
	wait_for_count "$LOG" 1
	: >d/b
	wait_for_count "$LOG" 2
	sleep 0.4
	assert_equal "$(cat "$LOG")" "start d/a
end"
	# once it has ended, a change runs it again
	: >d/c
	wait_for_count "$LOG" 3
	assert_equal "$(tail -n 1 "$LOG")" "start d/c"
}

# busy_signal_case MODE SIG: with --on-busy MODE, a change while the
# command runs sends it SIG (it logs "got SIG") and starts no second run.
busy_signal_case() {
	mkdir d
	start_fwatch -p --on-busy "$1" d --exec sh -c '
		echo $$ >>"$PGIDS"
		trap "echo got '"$2"' >>\"\$LOG\"" '"$2"'
		trap "exit 0" TERM
		echo start >>"$LOG"
		while :; do sleep 0.1; done'
	: >d/a
	wait_for_count "$LOG" 1
	: >d/b
	wait_for_count "$LOG" 2
	sleep 0.3
	assert_equal "$(cat "$LOG")" "start
got $2"
}

@test "--on-busy USR1: the running command gets SIGUSR1 and no second run starts" {
	busy_signal_case USR1 USR1
	stop_fwatch
	assert_status 143
}

@test "--on-busy hup (by name, any case): the running command gets SIGHUP" {
	busy_signal_case hup HUP
}

@test "--restart: a command that ignores SIGTERM is killed after --stop-timeout 0.5 and started again" {
	mkdir d
	# exec: the shell becomes a sleep that ignores TERM (an ignored
	# signal stays ignored across exec)
	start_fwatch -p --restart --stop-timeout 0.5 d --exec sh -c \
		'trap "" TERM; echo "start $$" >>"$LOG"; exec sleep "$SL"'
	: >d/a
	wait_for_count "$LOG" 1
	old=$(awk '{ print $2 }' "$LOG")
	t0=$EPOCHREALTIME
	: >d/b
	wait_for_count "$LOG" 2 4
	elapsed_ms "$t0"
	((REPLY >= 450)) || fail "restarted after ${REPLY} ms, before the stop timeout of 500 ms"
	((REPLY <= 2000)) || fail "restarted only after ${REPLY} ms"
	running "$old" && fail "the old command ($old) is still running"
	assert_equal "$(grep -c '^start ' "$LOG")" 2
	new=$(awk 'NR == 2 { print $2 }' "$LOG")
	[[ $new != "$old" ]] || fail "no new process"
	running "$new" || fail "the new command is not running"
	stop_fwatch
	wait_not_running "$new" 0.1
}

@test "--stop-signal INT: on restart the command gets SIGINT, not SIGTERM" {
	mkdir d
	start_fwatch -p -R --stop-signal INT --stop-timeout 3 d --exec sh -c '
		echo $$ >>"$PGIDS"
		trap "echo got INT >>\"\$LOG\"; exit 0" INT
		trap "echo got TERM >>\"\$LOG\"; exit 0" TERM
		echo start >>"$LOG"
		while :; do sleep 0.1; done'
	: >d/a
	wait_for_count "$LOG" 1
	t0=$EPOCHREALTIME
	: >d/b
	wait_for_count "$LOG" 3
	elapsed_ms "$t0"
	assert_equal "$(cat "$LOG")" "start
got INT
start"
	((REPLY < 2000)) || fail "the restart took ${REPLY} ms: was it killed after the timeout?"
	stop_fwatch
	assert_equal "$(tail -n 1 "$LOG")" "got INT"
}

# ---------------------------------------------------------------- processes

@test "a grandchild survives neither a restart nor fwatch's exit" {
	mkdir d
	start_fwatch -p -R d --exec sh -c 'sleep "$SL" & echo $! >>"$PIDS"; wait'
	: >d/a
	wait_for_count "$PIDS" 1
	old=$(sed -n 1p "$PIDS")
	running "$old" || fail "the grandchild $old is not running"
	: >d/b
	wait_for_count "$PIDS" 2
	running "$old" && fail "the grandchild $old survived the restart"
	new=$(sed -n 2p "$PIDS")
	running "$new" || fail "the new grandchild $new is not running"
	stop_fwatch TERM
	assert_status 143
	running "$new" && fail "the grandchild $new survived fwatch's exit"
	assert_equal "$(our_sleeps)" ""
}

@test "a command that exits leaving a background child: the leftover is stopped" {
	mkdir d
	start_fwatch -p d --exec sh -c 'sleep "$SL" & echo $! >>"$PIDS"'
	: >d/a
	wait_for_count "$PIDS" 1
	wait_not_running "$(cat "$PIDS")" 3
	assert_equal "$(our_sleeps)" ""
	running "$FW_PID" || fail "fwatch exited"
}

@test "no zombies: after several runs fwatch has no defunct child" {
	mkdir d
	start_fwatch --stdin lines d --exec sh -c 'cat >/dev/null; echo run >>"$LOG"'
	wait_for_count "$LOG" 1
	for i in 2 3 4 5; do
		: >"d/f$i"
		wait_for_count "$LOG" "$i"
	done
	sleep 0.3
	zombies=$(ps -o pid=,stat=,args= --ppid "$FW_PID" | awk '$2 ~ /^Z/') || true
	assert_equal "$zombies" ""
}

@test "SIGINT to fwatch stops the command's process group and exits 130" {
	mkdir d
	start_fwatch d --exec sh -c 'echo $$ >"$PIDS"; sleep "$SL" & sleep "$SL"'
	wait_for_count "$PIDS" 1
	pg=$(cat "$PIDS")
	for ((i = 0; i < 100; i++)); do
		[[ $(our_sleeps | wc -l) == 2 ]] && break
		sleep 0.02
	done
	assert_equal "$(our_sleeps | wc -l)" 2
	stop_fwatch INT
	assert_status 130
	assert_equal "$(group_members "$pg")" ""
	assert_equal "$(our_sleeps)" ""
}

@test "--timeout: exit 2 after SECS without a change, the command stopped first" {
	mkdir d
	start_fwatch --timeout 0.5 d --exec sh -c 'echo $$ >>"$PIDS"; exec sleep "$SL"'
	wait_for_count "$PIDS" 1
	wait_exit "$FW_PID" 5
	assert_status 2
	running "$(cat "$PIDS")" && fail "the command is still running"
	assert_equal "$(our_sleeps)" ""
}

@test "when every PATH is gone the command is stopped and fwatch exits 3" {
	mkdir d
	start_fwatch d --exec sh -c 'echo $$ >>"$PIDS"; exec sleep "$SL"'
	wait_for_count "$PIDS" 1
	rmdir d
	wait_exit "$FW_PID" 5
	assert_status 3
	running "$(cat "$PIDS")" && fail "the command is still running"
	assert_equal "$(our_sleeps)" ""
}

# ---------------------------------------------------------------- arguments

@test "hostile file names reach the command through {} byte for byte and run nothing" {
	mkdir d
	names=('$(touch pwned)' '; touch pwned2' $'new\nline' '-rf' '`touch pwned4`' 'a b' "it's" '*')
	start_fwatch -p d --exec "${ARGS_CMD[@]}" '{}'
	i=0
	for n in "${names[@]}"; do
		i=$((i + 1))
		: >"d/$n"
		wait_for_count "$LOG" "$i"
		assert_file_bytes "$OUT" "d/$n"
	done
	assert_equal "$(find "$BATS_TEST_TMPDIR" "$PWD" -name 'pwned*')" ""
}

@test "hostile file names reach the command through {paths} byte for byte and run nothing" {
	mkdir d
	names=('$(touch pwned)' '; touch pwned2' $'new\nline' '-rf' '`touch pwned4`' 'a b')
	start_fwatch -p d --exec "${ARGS_CMD[@]}" '{paths}'
	for n in "${names[@]}"; do
		: >"d/$n"
	done
	wait_for_count "$LOG" 1
	assert_file_bytes "$OUT" "${names[@]/#/d/}"
	sleep 0.2
	assert_count "$LOG" 1
	assert_equal "$(find "$BATS_TEST_TMPDIR" "$PWD" -name 'pwned*')" ""
}

@test "placeholders on a rename: {} the new path, {event} rename, {old} the old path" {
	mkdir d
	: >d/a
	start_fwatch -p d --exec "${ARGS_CMD[@]}" '{}' '{event}' '{old}' end
	mv d/a d/b
	wait_for_count "$LOG" 1
	assert_file_bytes "$OUT" d/b rename d/a end
}

@test "placeholders: {old} is an empty argument when there was no rename" {
	mkdir d
	start_fwatch -p d --exec "${ARGS_CMD[@]}" '{}' '{event}' '{old}' end
	: >d/c
	wait_for_count "$LOG" 1
	assert_file_bytes "$OUT" d/c create "" end
}

@test "placeholders: {paths} gives each path of a burst once, in the order they changed" {
	mkdir d
	start_fwatch -p d --exec "${ARGS_CMD[@]}" first '{paths}' last
	: >d/p1
	: >d/p2
	echo x >d/p1
	: >d/p3
	echo y >d/p2
	wait_for_count "$LOG" 1
	assert_file_bytes "$OUT" first d/p1 d/p2 d/p3 last
}

@test "placeholders are replaced only as whole words: x{} and friends stay literal" {
	mkdir d
	start_fwatch -p d --exec "${ARGS_CMD[@]}" 'x{}' '{}x' '{paths}y' '{ }' '{EVENT}' '{}'
	: >d/a
	wait_for_count "$LOG" 1
	assert_file_bytes "$OUT" 'x{}' '{}x' '{paths}y' '{ }' '{EVENT}' d/a
}

@test "placeholders at the run at start: {} {event} {old} are empty, {paths} is nothing" {
	mkdir d
	start_fwatch d --exec "${ARGS_CMD[@]}" '{}' '{event}' '{old}' '{paths}' end
	wait_for_count "$LOG" 1
	assert_file_bytes "$OUT" "" "" "" end
}

@test "every word after --exec belongs to the command, even ones like --once and -r" {
	mkdir d
	start_fwatch -p d --exec "${ARGS_CMD[@]}" --once -r -- --exec '{}'
	: >d/a
	wait_for_count "$LOG" 1
	assert_file_bytes "$OUT" --once -r -- --exec d/a
	: >d/b
	wait_for_count "$LOG" 2
	running "$FW_PID" || fail "fwatch exited: it took --once for itself"
}

# ---------------------------------------------------------------- environment

@test "environment: FWATCH_PATH, FWATCH_EVENT, FWATCH_COUNT, FWATCH_PATHS, FWATCH_OLD_PATH" {
	mkdir d
	: >d/old
	start_fwatch -p d --exec sh -c '
		{
			printf "PATH=%s\n" "$FWATCH_PATH"
			printf "EVENT=%s\n" "$FWATCH_EVENT"
			printf "COUNT=%s\n" "$FWATCH_COUNT"
			printf "OLD=%s(%s)\n" "$FWATCH_OLD_PATH" "${FWATCH_OLD_PATH+set}"
			printf "PATHS=%s|\n" "$FWATCH_PATHS"
		} >"$OUT"
		echo run >>"$LOG"'
	: >d/p1
	: >d/p2
	echo x >d/p3
	wait_for_count "$LOG" 1
	assert_equal "$(cat "$OUT")" "PATH=d/p1
EVENT=create
COUNT=3
OLD=(set)
PATHS=d/p1
d/p2
d/p3|"
	mv d/old d/new
	wait_for_count "$LOG" 2
	assert_equal "$(sed -n '1,2p;4p' "$OUT")" "PATH=d/new
EVENT=rename
OLD=d/old(set)"
}

@test "environment at the run at start: FWATCH_COUNT=0 and the rest empty" {
	mkdir d
	start_fwatch d --exec sh -c '
		printf "[%s]" "$FWATCH_PATH" "$FWATCH_EVENT" "$FWATCH_COUNT" "$FWATCH_OLD_PATH" "$FWATCH_PATHS" >"$OUT"
		echo run >>"$LOG"'
	wait_for_count "$LOG" 1
	assert_equal "$(cat "$OUT")" "[][][0][][]"
}

# ---------------------------------------------------------------- stdin

@test "--stdin nul: the command's stdin is the burst's paths, each ended by NUL" {
	mkdir d
	start_fwatch -p --stdin nul d --exec sh -c 'cat >"$OUT"; echo run >>"$LOG"'
	: >d/p1
	: >$'d/new\nline'
	: >d/p1
	: >'d/a b'
	wait_for_count "$LOG" 1
	assert_file_bytes "$OUT" d/p1 $'d/new\nline' 'd/a b'
}

@test "--stdin lines: the command's stdin is the burst's paths, one per line" {
	mkdir d
	start_fwatch -p --stdin lines d --exec sh -c 'cat >"$OUT"; echo run >>"$LOG"'
	: >d/p1
	: >d/p2
	: >'d/a b'
	wait_for_count "$LOG" 1
	assert_equal "$(od -An -c <"$OUT")" "$(printf 'd/p1\nd/p2\nd/a b\n' | od -An -c)"
}

# ---------------------------------------------------------------- --shell

@test "--shell: the words are one sh script, the paths are its \"\$@\" and never code" {
	mkdir d
	start_fwatch -p d --shell --exec 'printf "%s\0" "$0" "$@" {} >"$OUT";' echo run '>>"$LOG"'
	: >'d/$(touch pwned3)'
	: >'d/a b'
	: >'d/`touch pwned5`'
	wait_for_count "$LOG" 1
	assert_file_bytes "$OUT" fwatch 'd/$(touch pwned3)' 'd/a b' 'd/`touch pwned5`' '{}'
	assert_equal "$(cat "$LOG")" run
	assert_equal "$(find "$BATS_TEST_TMPDIR" "$PWD" -name 'pwned*')" ""
}

# ---------------------------------------------------------------- --once

@test "--exec {paths} alone: the run at start has no command, says so, and later runs work" {
	mkdir d
	printf '#!/bin/sh\necho run >>"$LOG"\n' >tool.sh
	chmod +x tool.sh
	start_fwatch d --exec '{paths}'
	wait_for_line "$FW_ERR" 'nothing to run: the command is \{paths\} and no path changed'
	cp tool.sh d/tool.sh
	wait_for_count "$LOG" 1
	_fw_alive "$FW_PID" || fail "fwatch died"
}

@test "--once --exec runs the command once (not at start) and exits with its status" {
	mkdir d
	start_fwatch --once d --exec sh -c 'echo run >>"$LOG"; sleep 0.3; exit 7'
	sleep 0.3
	assert_count "$LOG" 0
	: >d/a
	wait_for_count "$LOG" 1
	: >d/b
	wait_exit "$FW_PID" 5
	assert_status 7
	assert_count "$LOG" 1
}

@test "--once --exec: a command killed by SIGTERM gives 143" {
	mkdir d
	start_fwatch -1 d --exec sh -c 'echo run >>"$LOG"; kill -TERM $$; sleep 5'
	: >d/a
	wait_exit "$FW_PID" 5
	assert_status 143
	assert_count "$LOG" 1
}

@test "--once --exec with a command that does not exist exits 127 naming it" {
	mkdir d
	start_fwatch --once d --exec fwatch-no-such-command-zz '{}'
	: >d/a
	wait_exit "$FW_PID" 5
	assert_status 127
	grep -q "fwatch: cannot run 'fwatch-no-such-command-zz'" "$FW_ERR" ||
		fail "no message naming the command: $(cat "$FW_ERR")"
}

@test "without --once a command that does not exist is reported and tried again" {
	mkdir d
	start_fwatch -p d --exec fwatch-no-such-command-zz
	: >d/a
	wait_for_line "$FW_ERR" "cannot run 'fwatch-no-such-command-zz'"
	running "$FW_PID" || fail "fwatch exited"
	: >d/b
	for ((i = 0; i < 100; i++)); do
		(($(grep -c "cannot run" "$FW_ERR") >= 2)) && break
		sleep 0.02
	done
	assert_equal "$(grep -c "cannot run 'fwatch-no-such-command-zz'" "$FW_ERR")" 2
}

# ---------------------------------------------------------------- output

@test "without --print no event is printed in exec mode" {
	mkdir d
	start_fwatch -p d --exec "${RUN_CMD[@]}"
	: >d/a
	wait_for_count "$LOG" 1
	: >d/b
	wait_for_count "$LOG" 2
	assert_equal "$(cat "$FW_OUT")" "ready"
}

@test "--print prints the events in exec mode, before the run" {
	mkdir d
	start_fwatch -p --print d --exec echo RUN
	: >d/a
	wait_for_record RUN
	assert_equal "$(cat "$FW_OUT")" "ready
create d/a
RUN"
}

@test "--clear writes ESC[H ESC[2J ESC[3J to stdout before each run" {
	mkdir d
	start_fwatch -p --clear d --exec echo RUN
	: >d/a
	wait_for_record $'\e[H\e[2J\e[3JRUN'
	: >d/b
	for ((i = 0; i < 100; i++)); do
		(($(grep -c RUN "$FW_OUT") >= 2)) && break
		sleep 0.02
	done
	assert_equal "$(od -An -c <"$FW_OUT")" "$(printf 'ready\n\e[H\e[2J\e[3JRUN\n\e[H\e[2J\e[3JRUN\n' | od -An -c)"
}

# ---------------------------------------------------------------- errors

@test "-d abc and -d -1 exit 1 naming the option" {
	mkdir d
	run_fwatch -d abc d --exec true
	assert_status 1
	assert_contains "$stderr" "-d: 'abc' is not a number of milliseconds"
	assert_contains "$stderr" "Try 'fwatch --help'"
	run_fwatch -d -1 d --exec true
	assert_status 1
	assert_contains "$stderr" "-d: '-1' is not a number of milliseconds"
	run_fwatch --debounce 3600001 d --exec true
	assert_status 1
	assert_contains "$stderr" "--debounce: '3600001'"
}

@test "--exec with no command exits 1" {
	mkdir d
	run_fwatch d --exec
	assert_status 1
	assert_contains "$stderr" "fwatch: --exec needs a command after it"
	assert_contains "$stderr" "Try 'fwatch --help'"
}

@test "--on-busy bogus exits 1 naming the option" {
	mkdir d
	run_fwatch --on-busy bogus d --exec true
	assert_status 1
	assert_contains "$stderr" "--on-busy: 'bogus'"
	assert_contains "$stderr" "Try 'fwatch --help'"
}

@test "--stop-signal NOPE exits 1 naming the option" {
	mkdir d
	run_fwatch --stop-signal NOPE d --exec true
	assert_status 1
	assert_contains "$stderr" "--stop-signal: unknown signal 'NOPE'"
	assert_contains "$stderr" "Try 'fwatch --help'"
}

@test "--stop-timeout x exits 1 naming the option" {
	mkdir d
	run_fwatch --stop-timeout x d --exec true
	assert_status 1
	assert_contains "$stderr" "--stop-timeout: 'x'"
	assert_contains "$stderr" "Try 'fwatch --help'"
}

@test "--stdin x exits 1 naming the option" {
	mkdir d
	run_fwatch --stdin x d --exec true
	assert_status 1
	assert_contains "$stderr" "--stdin: 'x' is not nul or lines"
	assert_contains "$stderr" "Try 'fwatch --help'"
}

@test "--help mentions every --exec option" {
	run_fwatch --help
	assert_status 0
	for opt in --exec --shell --debounce -d --max-wait --postpone -p --restart -R --on-busy \
		--stop-signal --stop-timeout --clear -c --stdin --print --no-default-ignores --no-tty; do
		[[ $output =~ (^|[^a-zA-Z0-9-])$opt([^a-zA-Z0-9-]|$) ]] || fail "--help does not mention $opt"
	done
}

@test "a restart is not held up by orphans that a parent which never reaps would leave as zombies" {
	# The parent of fwatch here is a subreaper that never reaps: orphans
	# reparented to it would stay zombies in the command's process group
	# for ever.  fwatch must be their reaper itself (a subreaper too), so
	# that none comes to the parent, and run the command again.  The
	# command's sleep ignores SIGTERM, so it is an orphan when the restart
	# kills it.  (Status 77: the parent could not become a subreaper.)
	mkdir d
	LOG=$BATS_TEST_TMPDIR/runs FW="$FWATCH" run timeout 20 python3 - "${FW_BACKEND_ARGS[@]}" <<'PY'
import ctypes, os, signal, subprocess, sys, time
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
    e = ctypes.get_errno()
    print("prctl(PR_SET_CHILD_SUBREAPER) failed: %s: cannot make the parent "
          "that never reaps" % os.strerror(e))
    sys.exit(77)
# timeout's TERM: end the way out below, fwatch included
signal.signal(signal.SIGTERM, lambda *_: sys.exit(124))
log = os.environ["LOG"]
p = subprocess.Popen([os.environ["FW"]] + sys.argv[1:] +
                     ["-q", "--ready", "-p", "-R", "--stop-timeout", "0.5", "d",
                      "--exec", "sh", "-c",
                      'echo run >> "$LOG"; (trap "" TERM; exec sleep "$SL") & wait'],
                     stdout=subprocess.PIPE)
def runs():
    try:
        return open(log).read().count("run")
    except FileNotFoundError:
        return 0
try:
    if p.stdout.readline() != b"ready\n":  # watching has begun
        print("fwatch exited before it was ready")
        sys.exit(1)
    deadline = time.time() + 5
    open("d/a", "w").close()
    while runs() < 1 and time.time() < deadline:
        time.sleep(0.02)
    open("d/b", "w").close()
    deadline = time.time() + 8
    while runs() < 2 and time.time() < deadline:
        time.sleep(0.02)
    # the orphans that came to this parent, never reaped
    zombies = 0
    for stat in os.listdir("/proc"):
        try:
            f = open("/proc/%s/stat" % stat).read()
        except (OSError, ValueError):
            continue
        fields = f[f.rindex(")") + 2:].split()
        if fields[0] == "Z" and int(fields[1]) == os.getpid():
            zombies += 1
    print("runs: %d, zombies left to the parent: %d" % (runs(), zombies))
    sys.exit(0 if runs() == 2 and zombies == 0 else 1)
finally:
    p.terminate()
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
PY
	[[ $status != 77 ]] || skip "$output"
	! _fw_limit_hit "$output" || _fw_limit_reached "$output"
	assert_status 0
	assert_equal "$output" "runs: 2, zombies left to the parent: 0"
}

@test "an option that only means something with --exec is refused without it" {
	mkdir d
	for opt in "-d 10" -p -R -c --shell "--on-busy ignore" "--stop-signal INT" \
		"--stop-timeout 1" "--stdin nul" --print --no-default-ignores; do
		# shellcheck disable=SC2086
		run_fwatch -t 0.1 $opt d
		assert_equal "$status" 1
		[[ $stderr == *"${opt%% *} works only with --exec"* ]] ||
			fail "for $opt: $stderr"
	done
}

@test "--print: events held back while the command ran are printed when fwatch ends" {
	mkdir d
	start_fwatch -p --print -t 1 --stop-timeout 0.5 d --exec sh -c 'echo run >>"$LOG"; sleep 30'
	: >d/a
	wait_for_count "$LOG" 1
	: >d/b  # arrives while the command runs: held back, not written
	wait_exit "$FW_PID" 10
	assert_status 2
	grep -q -x -F "create d/b" "$FW_OUT" || fail "create d/b was lost: $(cat "$FW_OUT")"
}

# ---------------------------------------------------------------- default ignores

# The command of these tests: one line per run in $LOG, "run" and the
# changed paths.
PATHS_CMD=(sh -c 'echo "run $*" >>"$LOG"' sh {paths})

# vim_edits FILE SAVES: a real vim edits FILE (tests/vim-session), saving
# SAVES times; skip if there is no vim.
vim_edits() {
	command -v vim >/dev/null || skip "vim is not installed (the scenario is a real vim session)"
	command -v python3 >/dev/null || skip "python3 is not installed (it drives vim in a pseudo-terminal)"
	run "$BATS_TEST_DIRNAME/vim-session" "$1" "$LOG" "$2"
	[[ $status != 77 ]] || skip "$output"
	[[ $status == 0 ]] || fail "vim-session failed: $output" || return 1
}

# no_swap FILE: vim's swap file of FILE is gone (vim removes it on :q).
no_swap() {
	[[ ! -e $(dirname "$1")/.$(basename "$1").swp ]]
}

@test "vim opening, typing, saving twice and quitting under --exec: one run per save, none for its swap file" {
	mkdir d
	echo 'int x;' >d/util.c
	start_fwatch -p -r d --exec "${PATHS_CMD[@]}"
	vim_edits d/util.c 2
	wait_until 5 "vim's swap file to go" no_swap d/util.c
	sleep 0.3 # a run for the swap file's removal would start now
	: >d/marker
	wait_until 5 "the run for d/marker" grep -q marker "$LOG"
	assert_equal "$(grep -c . "$LOG")" 3
	! grep -E 'swp|swx|4913|~' "$LOG" || fail "a run for vim's own files: $(cat "$LOG")"
}

@test "--no-default-ignores: vim's swap file counts again under --exec" {
	mkdir d
	echo 'int x;' >d/util.c
	start_fwatch -p -r --no-default-ignores d --exec "${PATHS_CMD[@]}"
	vim_edits d/util.c 1
	wait_until 5 "vim's swap file to go" no_swap d/util.c
	wait_until 5 "a run naming vim's swap file" grep -q -F d/.util.c.swp "$LOG"
	(($(grep -c . "$LOG") > 1)) || fail "one run only: $(cat "$LOG")"
}

@test "--exec leaves out the files of editors: swap, backup, lock and atomic-save files cause no run" {
	mkdir d
	start_fwatch -p d --exec "${PATHS_CMD[@]}"
	for f in .a.c.swp .a.c.swo .a.c.swa .a.c.swx 4913 a.c~ .a.c.un~ .#a.c '#a.c#' \
		a.c___jb_tmp___ a.c___jb_old___ .DS_Store .a.c.kate-swp a.c.kate-swp \
		.goutputstream-ABC123 .subl3f2.tmp .fslckout _FOSSIL_ .hg; do
		echo x >"d/$f"
	done
	sleep 0.3
	: >d/marker
	wait_until 5 "the run for d/marker" grep -q marker "$LOG"
	assert_equal "$(cat "$LOG")" "run d/marker"
}

@test "--exec: saving through an ignored temporary file and a rename is one run" {
	mkdir d
	echo old >d/f
	start_fwatch -p d --exec "${PATHS_CMD[@]}"
	echo new >d/.goutputstream-XY12
	mv d/.goutputstream-XY12 d/f
	wait_for_count "$LOG" 1
	sleep 0.3
	assert_equal "$(cat "$LOG")" "run d/f"
}

@test "--exec does not watch .git: git add and commit cause no run" {
	command -v git >/dev/null || skip "git is not installed"
	git init -q d
	echo hi >d/f
	start_fwatch_bare -p -r d --exec "${PATHS_CMD[@]}"
	grep -q 'watching 1 directory' "$FW_ERR" || fail "with .git watched: $(cat "$FW_ERR")"
	git -C d add f
	git -C d -c user.name=t -c user.email=t@t commit -q -m one
	sleep 0.3
	: >d/marker
	wait_until 5 "the run for d/marker" grep -q marker "$LOG"
	assert_equal "$(cat "$LOG")" "run d/marker"
}

@test "without --exec nothing is left out by default: a swap file and .git are reported" {
	mkdir -p d/.git
	start_fwatch -r d
	assert_dirs_watched "$FW_ERR" 2
	: >d/.util.c.swp
	: >d/.git/HEAD
	wait_for_records 5 "create d/.util.c.swp" "create d/.git/HEAD"
}

@test "a command that writes to fwatch's standard error, a file in the tree, does not run itself again" {
	mkdir d
	FW_ERR=$PWD/d/err.txt
	start_fwatch -p -r d --exec sh -c 'echo "run $*" >>"$LOG"; echo "said by the command" >&2' sh {paths}
	: >d/a
	wait_for_count "$LOG" 1
	sleep 0.3 # a run for the command's own write would start now
	: >d/marker
	wait_until 5 "the run for d/marker" grep -q marker "$LOG"
	assert_equal "$(cat "$LOG")" "run d/a
run d/marker"
}

@test "--exec 'make test' as one word that is not found hints at --exec make test or --shell" {
	mkdir d
	start_fwatch --once d --exec 'make test'
	: >d/a
	wait_exit "$FW_PID" 5
	assert_status 127
	assert_contains "$(cat "$FW_ERR")" "fwatch: cannot run 'make test': No such file or directory (did you mean --exec make test, or --shell?)"
}
