# shellcheck shell=bash
# Common helpers for the fwatch bats suite.
#
# Every test gets a fresh directory tree:
#   $WORK     the current directory while the test runs; watched trees live here
#   $OUTSIDE  a directory outside every watched tree (for moves in and out)
#   $FW_OUT   fwatch's standard output, $FW_ERR its standard error
#
# fwatch is always started in the background through start_fwatch (waits
# for the `ready` record) or start_fwatch_bare (no --ready; waits for the
# "fwatch: watching ... with BACKEND; ready" line on stderr).  Every wait is
# bounded; a fwatch that exits before it is ready ends the wait at once,
# with its standard error.  Teardown kills and reaps any fwatch still
# running, and fails the test if something it started is still running.
#
# FWATCH_BACKEND=NAME adds `--backend NAME` to every fwatch the helpers
# start (start_fwatch, start_fwatch_bare, _fw_launch, run_fwatch); unset,
# fwatch runs with its default backend.  With FWATCH_BACKEND=poll the
# interval is FWATCH_POLL_MS (100 unless set), so that waits stay short.
# With FWATCH_BACKEND=fanotify every test is skipped, saying why, when
# fanotify cannot start here (no CAP_SYS_ADMIN, a kernel before 5.17),
# and sysctl_for_test max_queued_events sets fanotify's queue.

bats_require_minimum_version 1.5.0

FWATCH=${FWATCH:-$BATS_TEST_DIRNAME/../fwatch}
# Tests cd into their own directory: make FWATCH=./fwatch-asan or
# FWATCH=fwatch (from PATH) work too.
if [[ $FWATCH != */* ]]; then
	FWATCH=$(command -v "$FWATCH" || echo "$FWATCH")
elif [[ $FWATCH != /* ]]; then
	FWATCH=$PWD/$FWATCH
fi

# Default bound for waits, in seconds.
FW_WAIT=${FW_WAIT:-5}

# Arguments put before every fwatch command line the helpers run.
FW_BACKEND_ARGS=()
if [[ -n ${FWATCH_BACKEND:-} ]]; then
	FW_BACKEND_ARGS=(--backend "$FWATCH_BACKEND")
	[[ $FWATCH_BACKEND != poll ]] ||
		FW_BACKEND_ARGS+=(--poll-interval "${FWATCH_POLL_MS:-100}")
fi

# skip_if_poll WHY: the scenario asks what a poll cannot see (run with
# FWATCH_BACKEND=poll): opens and closes, a file that lives less than one
# interval, the order of changes within one interval, the kernel's queue.
skip_if_poll() {
	[[ ${FWATCH_BACKEND:-} != poll ]] || skip "polling cannot see this: $*"
}

# skip_if_fanotify WHY: the scenario asks what fanotify cannot report
# (run with FWATCH_BACKEND=fanotify): unmounts, news about a directory
# that is not watched itself.
skip_if_fanotify() {
	[[ ${FWATCH_BACKEND:-} != fanotify ]] || skip "fanotify cannot report this: $*"
}

# skip_unless_inotify WHY: the scenario is about inotify itself (its
# limits, its watches).
skip_unless_inotify() {
	[[ ${FWATCH_BACKEND:-inotify} == inotify ]] || skip "about inotify ($*); FWATCH_BACKEND=$FWATCH_BACKEND"
}

# skip_if_backend_chosen WHY: the test chooses a backend itself.
skip_if_backend_chosen() {
	[[ -z ${FWATCH_BACKEND:-} ]] || skip "the test chooses its backend ($*); FWATCH_BACKEND=$FWATCH_BACKEND"
}

# _fw_backend_starts: with FWATCH_BACKEND=fanotify, skip the test when
# fanotify cannot start on this machine (asked once per run).
_fw_backend_starts() {
	local verdict=${BATS_RUN_TMPDIR:-$BATS_TEST_TMPDIR}/fanotify-starts err
	[[ ${FWATCH_BACKEND:-} == fanotify ]] || return 0
	if [[ ! -e $verdict ]]; then
		err=$(timeout -k 1 10 "$FWATCH" --backend fanotify -q --timeout 0.01 \
			"$BATS_TEST_TMPDIR" 2>&1 >/dev/null) || true
		if [[ $err == *"cannot start fanotify"* ]]; then
			printf '%s\n' "$err" >"$verdict"
		else
			: >"$verdict"
		fi
	fi
	[[ ! -s $verdict ]] || skip "fanotify cannot start here: $(head -n 1 "$verdict")"
}

setup() {
	fw_setup
}

teardown() {
	fw_teardown
}

fw_setup() {
	export LC_ALL=C
	if [[ ! -x $FWATCH ]]; then
		echo "fwatch binary not found at '$FWATCH' (build it with make, or set FWATCH)" >&2
		return 1
	fi
	WORK=$BATS_TEST_TMPDIR/work
	OUTSIDE=$BATS_TEST_TMPDIR/outside
	mkdir -p "$WORK" "$OUTSIDE"
	cd "$WORK" || return 1
	FW_TMP_REAL=$(cd "$BATS_TEST_TMPDIR" && pwd -P)
	FW_OUT=$BATS_TEST_TMPDIR/fwatch.out
	FW_ERR=$BATS_TEST_TMPDIR/fwatch.err
	FW_PID=
	FW_PIDS=()
	FW_PREFIX=()
	FW_STDOUT=
	FW_NUL=0
	FW_JSON=0
	FW_READY_RECORD=
	FW_SYSCTL_RESTORE=()
	FW_MOUNTS=()
	FW_MARKS=0
	_fw_backend_starts
}

fw_teardown() {
	local pid i leaked=
	for pid in "${FW_PIDS[@]}"; do
		[[ -n $pid ]] || continue
		if _fw_alive "$pid"; then
			kill -KILL "$pid" 2>/dev/null || true
		fi
		wait "$pid" 2>/dev/null || true
	done
	FW_PIDS=()
	# Nothing the test started may outlive it (a leaked fwatch holds an
	# inotify instance, of which a user has only a few).
	_fw_kill_leftovers || leaked=1
	# Restore kernel limits changed by a test, even when it failed.
	sysctl_restore
	for ((i = ${#FW_MOUNTS[@]} - 1; i >= 0; i--)); do
		if mountpoint -q "${FW_MOUNTS[i]}"; then
			umount "${FW_MOUNTS[i]}" 2>/dev/null || umount -l "${FW_MOUNTS[i]}" || true
		fi
	done
	FW_MOUNTS=()
	# Tests may leave unreadable directories behind; let bats clean up.
	chmod -R u+rwX "$BATS_TEST_TMPDIR" 2>/dev/null || true
	if [[ -z ${BATS_TEST_COMPLETED:-} && -e ${FW_OUT:-/nonexistent} ]]; then
		fw_dump
	fi
	if [[ -n $leaked ]]; then
		fail "teardown: processes started by this test were still running (killed now):" \
			"$FW_LEFTOVERS"
		return 1
	fi
	# With a sanitizer build (FWATCH=...), any report fails the test.
	local san='(ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:)'
	if grep -a -q -E "$san" "$FW_ERR" 2>/dev/null || [[ ${stderr:-} =~ $san ]]; then
		fw_dump
		[[ -n ${stderr:-} ]] && printf 'stderr of the last run_fwatch:\n%s\n' "$stderr" >&2
		fail "fwatch printed a sanitizer report"
		return 1
	fi
}

# _fw_leftovers: the pids (in REPLY) of what the test started and is
# still running: children of the test's shell (but bats' own timeout
# watchdog), and fwatch processes anywhere (orphans too) whose working
# directory is in the test's directory.
_fw_leftovers() {
	local kids='' pid name cwd
	REPLY=
	read -r kids <"/proc/$BASHPID/task/$BASHPID/children" 2>/dev/null || true
	for pid in $kids; do
		[[ $pid != "${BATS_killer_pid:-}" ]] && _fw_alive "$pid" && REPLY+=" $pid"
	done
	[[ -n ${FW_TMP_REAL:-} ]] || return 0
	name=${FWATCH##*/}
	for pid in $(pgrep -x -- "${name:0:15}" 2>/dev/null); do
		[[ " $REPLY " == *" $pid "* ]] && continue
		cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null) || continue
		if [[ $cwd == "$FW_TMP_REAL" || $cwd == "$FW_TMP_REAL"/* ]] && _fw_alive "$pid"; then
			REPLY+=" $pid"
		fi
	done
	REPLY=${REPLY# }
}

_fw_none_alive() {
	local pid
	for pid in "$@"; do
		_fw_alive "$pid" && return 1
	done
	return 0
}

# _fw_kill_leftovers: fail (after killing them, and saying what they were
# in FW_LEFTOVERS) if processes the test started are still running.  What
# a test's own teardown has just killed gets a second to end.
_fw_kill_leftovers() {
	local pid left
	FW_LEFTOVERS=
	_fw_leftovers
	[[ -z $REPLY ]] && return 0
	left=$REPLY
	# shellcheck disable=SC2086 # one word per pid
	wait_until 1 "leftover processes to end" _fw_none_alive $left 2>/dev/null && return 0
	for pid in $left; do
		_fw_alive "$pid" || continue
		FW_LEFTOVERS+="  pid $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"$'\n'
		kill -KILL "$pid" 2>/dev/null || true
		# (braces: bash's own "Killed" notice goes to /dev/null too)
		{ wait "$pid"; } 2>/dev/null || true
	done
	FW_LEFTOVERS=${FW_LEFTOVERS%$'\n'}
	[[ -z $FW_LEFTOVERS ]]
}

# Show what fwatch printed (for failure messages).
fw_dump() {
	{
		echo "--- fwatch stdout ($FW_OUT, control bytes shown with cat -v):"
		cat -v "$FW_OUT" 2>/dev/null | head -n 60
		echo "--- fwatch stderr:"
		cat -v "$FW_ERR" 2>/dev/null | head -n 20
		echo "---"
	} >&2
}

fail() {
	printf '%s\n' "$@" >&2
	return 1
}

# Kernel limits are shared by the whole machine, another run of this
# suite included.  They are changed only under a lock, and each original
# value waits in a file until it is put back, so a run killed before its
# teardown is repaired by the next run that takes the lock.
FW_SYSCTL_DIR=${TMPDIR:-/tmp}/fwatch-tests-sysctl
FW_SYSCTL_LOCK=

# _fw_sysctl NAME: the file behind a kernel limit NAME in REPLY, and
# in FW_SYSCTL_KEY the name its saved value is kept under.  NAME is an
# inotify limit (max_user_watches), or fanotify/NAME; max_queued_events
# is the queue of the backend in use (fanotify's under
# FWATCH_BACKEND=fanotify).
_fw_sysctl() {
	local name=$1
	[[ $name == max_queued_events && ${FWATCH_BACKEND:-} == fanotify ]] &&
		name=fanotify/$name
	case $name in
	fanotify/*) REPLY=/proc/sys/fs/$name FW_SYSCTL_KEY=fanotify.${name#fanotify/} ;;
	*) REPLY=/proc/sys/fs/inotify/$name FW_SYSCTL_KEY=$name ;;
	esac
}

# _fw_sysctl_put_back SAVED: write the value kept in file SAVED back.
_fw_sysctl_put_back() {
	local key=${1##*/} file
	case $key in
	fanotify.*) file=/proc/sys/fs/fanotify/${key#fanotify.} ;;
	*) file=/proc/sys/fs/inotify/$key ;;
	esac
	cat "$1" >"$file" && rm -f "$1"
}

# sysctl_for_test NAME VALUE: set the kernel limit NAME (see _fw_sysctl)
# for this test (restored by teardown, even when the test fails), or
# skip with the reason.
sysctl_for_test() {
	local file saved dotted
	_fw_sysctl "$1"
	file=$REPLY
	dotted=fs.${file#/proc/sys/fs/}
	dotted=${dotted//\//.}
	(($(id -u) == 0)) || skip "needs root to change $dotted"
	[[ -w $file ]] || skip "$file is not writable"
	command -v flock >/dev/null || skip "needs flock to change a shared kernel limit safely"
	mkdir -p "$FW_SYSCTL_DIR"
	if [[ -z $FW_SYSCTL_LOCK ]]; then
		exec {FW_SYSCTL_LOCK}>"$FW_SYSCTL_DIR/lock"
		flock -w 60 "$FW_SYSCTL_LOCK" || skip "another run holds the kernel limits"
		for saved in "$FW_SYSCTL_DIR"/max_* "$FW_SYSCTL_DIR"/fanotify.max_*; do
			[[ -s $saved ]] || continue
			_fw_sysctl_put_back "$saved"
		done
	fi
	saved=$FW_SYSCTL_DIR/$FW_SYSCTL_KEY
	[[ -s $saved ]] || cat "$file" >"$saved"
	FW_SYSCTL_RESTORE+=("$FW_SYSCTL_KEY")
	printf '%s\n' "$2" >"$file" 2>/dev/null || skip "cannot write $file"
	[[ $(<"$file") == "$2" ]] || skip "$file did not take the value $2"
}

# sysctl_restore: put back every value changed by sysctl_for_test now.
sysctl_restore() {
	local key saved
	for key in "${FW_SYSCTL_RESTORE[@]}"; do
		saved=$FW_SYSCTL_DIR/$key
		[[ -s $saved ]] && _fw_sysctl_put_back "$saved"
	done
	FW_SYSCTL_RESTORE=()
	if [[ -n $FW_SYSCTL_LOCK ]]; then
		exec {FW_SYSCTL_LOCK}>&-
		FW_SYSCTL_LOCK=
	fi
}

# mount_tmpfs DIR: mount a small tmpfs on DIR for this test (unmounted by
# teardown), or skip with the reason.
mount_tmpfs() {
	(($(id -u) == 0)) || skip "needs root to mount a tmpfs"
	mkdir -p "$1"
	mount -t tmpfs -o size=1m fwatch-test "$1" 2>/dev/null || skip "cannot mount a tmpfs here"
	FW_MOUNTS+=("$(cd "$1" && pwd -P)")
}

# ---------------------------------------------------------------- time

# _us SECS: convert decimal seconds to microseconds in REPLY.
_us() {
	local s=$1 int frac=
	int=${s%%.*}
	[[ $s == *.* ]] && frac=${s#*.}
	frac=${frac}000000
	frac=${frac:0:6}
	REPLY=$((10#${int:-0} * 1000000 + 10#$frac))
}

# _now: current time in microseconds in REPLY.
_now() {
	REPLY=${EPOCHREALTIME/./}
}

# ---------------------------------------------------------------- processes

# _fw_alive PID: true while PID exists and is not a zombie.
_fw_alive() {
	local stat
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	stat=${stat##*) }
	[[ ${stat:0:1} != Z ]]
}

# Work out from fwatch's arguments how its records look.
_fw_scan_args() {
	FW_NUL=0 FW_JSON=0
	local a fmt=0 skip=0
	for a in "$@"; do
		if ((skip)); then
			skip=0
			continue
		fi
		case $a in
		--) break ;;
		--json) FW_JSON=1 ;;
		--print0) FW_NUL=1 ;;
		--format | -f) fmt=1 skip=1 ;;
		--format=*) fmt=1 ;;
		--event | --include | --exclude | --timeout | -e | -i | -x | -t) skip=1 ;;
		--*) ;;
		-f*) fmt=1 ;;
		-[rLjaq10]*)
			# a bundle of flags, maybe ending in a value-taking option
			local flags=${a#-}
			flags=${flags%%[eixtf]*}
			[[ $flags == *j* ]] && FW_JSON=1
			[[ $flags == *0* ]] && FW_NUL=1
			[[ ${a#-} == "$flags"f* ]] && fmt=1
			[[ ${a#-} == "$flags"[eixtf] ]] && skip=1
			;;
		esac
	done
	FW_FORMAT=$fmt
}

# _fw_launch ARGS...: start fwatch in the background, stdout to $FW_OUT (or
# to $FW_STDOUT when set, e.g. a FIFO or /dev/full), stderr to $FW_ERR, with
# default signal dispositions (as when started from a terminal).
_fw_launch() {
	: >"$FW_OUT"
	: >"$FW_ERR"
	if [[ -n $FW_SYSCTL_LOCK ]]; then
		# fwatch must not inherit the lock on the kernel limits: it
		# would hold it for as long as it runs
		"${FW_PREFIX[@]}" env --default-signal "$FWATCH" "${FW_BACKEND_ARGS[@]}" "$@" \
			</dev/null >"${FW_STDOUT:-$FW_OUT}" 2>"$FW_ERR" 3>&- \
			{FW_SYSCTL_LOCK}>&- &
	else
		"${FW_PREFIX[@]}" env --default-signal "$FWATCH" "${FW_BACKEND_ARGS[@]}" "$@" \
			</dev/null >"${FW_STDOUT:-$FW_OUT}" 2>"$FW_ERR" 3>&- &
	fi
	FW_PID=$!
	fw_track "$FW_PID"
}

# fw_track PID: make teardown kill and reap PID if it is still running.
fw_track() {
	FW_PIDS+=("$1")
}

# start_fwatch ARGS...: start `fwatch --ready ARGS...` and wait until it
# has printed its ready record.  With --format, set FW_READY_RECORD to the
# expected expansion of the format for the ready record first.
start_fwatch() {
	_fw_scan_args "$@"
	if ((FW_JSON)); then
		FW_READY_CHECK=(_fw_grep -s -E -q -e '"event":"ready"' "$FW_OUT")
		_fw_start "a line matching '\"event\":\"ready\"' in $FW_OUT" --ready "$@"
	elif ((FW_FORMAT)); then
		[[ -n $FW_READY_RECORD ]] || fail "start_fwatch: set FW_READY_RECORD when using --format" || return 1
		FW_READY_CHECK=(_fw_grep -s -F -x -q -e "$FW_READY_RECORD" "$FW_OUT")
		_fw_start "the record '$(printf '%s' "$FW_READY_RECORD" | cat -v)'" --ready "$@"
	else
		FW_READY_CHECK=(_fw_grep -s -F -x -q -e ready "$FW_OUT")
		_fw_start "the record 'ready'" --ready "$@"
	fi
}

# start_fwatch_bare ARGS...: start fwatch without --ready and wait for the
# "fwatch: watching ... with BACKEND; ready" line on stderr (so do not pass
# -q).  Any backend's name will do.
FW_READY_LINE='^fwatch: watching .* with [^;]+; ready$'
start_fwatch_bare() {
	_fw_scan_args "$@"
	FW_READY_CHECK=(grep -a -s -E -q -e "$FW_READY_LINE" "$FW_ERR")
	_fw_start "the line 'fwatch: watching ...; ready' on fwatch's stderr" "$@"
}

# _fw_start WHAT ARGS...: launch fwatch with ARGS and wait until
# FW_READY_CHECK (a command) says it is ready, or until it has exited:
# then fail at once with what it said, or skip when it could not start
# because of a limit other programs reached (see _fw_not_started).
_fw_ready_or_gone() {
	"${FW_READY_CHECK[@]}" || ! _fw_alive "$FW_PID"
}

_fw_start() {
	local what=$1 try
	shift
	for try in 1 2; do
		_fw_launch "$@"
		if ! wait_until "$FW_WAIT" "$what" _fw_ready_or_gone; then
			_fw_wait_report "$FW_OUT"
			return 1
		fi
		# ready, even if it has exited since (--once, --timeout)
		"${FW_READY_CHECK[@]}" && return 0
		wait_exit "$FW_PID" 1 || return 1
		# another run of the suite lowered an inotify limit for one
		# of its tests: once it has put it back, try again, once
		((try == 1)) && _fw_limit_hit "$(cat "$FW_ERR")" &&
			_fw_limit_lowered_elsewhere && continue
		break
	done
	_fw_not_started
}

# _fw_limit_hit TEXT: fwatch's standard error TEXT says that an inotify
# limit, fs.inotify.max_user_instances or max_user_watches, left it too
# little, and this test did not lower that limit itself; its name goes
# in FW_LIMIT.
_fw_limit_hit() {
	local name
	for name in max_user_instances max_user_watches; do
		if [[ $1 == *fs.inotify.$name* ]]; then
			[[ " ${FW_SYSCTL_RESTORE[*]} " != *" $name "* ]] || return 1
			FW_LIMIT=$name
			return 0
		fi
	done
	return 1
}

# _fw_limit_lowered_elsewhere: another run of this suite has lowered the
# limit FW_LIMIT for one of its tests (sysctl_for_test keeps the value to
# put back in $FW_SYSCTL_DIR): wait, bounded, until that test has put it
# back and released the lock.
_fw_limit_lowered_elsewhere() {
	[[ -z $FW_SYSCTL_LOCK && -s $FW_SYSCTL_DIR/$FW_LIMIT ]] || return 1
	command -v flock >/dev/null || return 1
	flock -w 30 "$FW_SYSCTL_DIR/lock" true
}

# _fw_not_started: fwatch (reaped, its exit status in $status) exited
# before it was ready: fail with its standard error, or see
# _fw_limit_reached.
_fw_not_started() {
	local err
	err=$(head -c 2000 "$FW_ERR" 2>/dev/null | cat -v)
	if _fw_limit_hit "$err"; then
		_fw_limit_reached "$err"
		return 1
	fi
	fail "fwatch exited with status $status before it was ready; its stderr:" "$err"
	return 1
}

# _fw_limit_reached ERR: fwatch could not start because this user's
# inotify instances or watches (FW_LIMIT) are all taken, which is not
# fwatch's doing: skip, naming the limit and who holds them.  Fail when
# fwatch processes left by other tests of this run are among them.
_fw_limit_reached() {
	local limit what=watches
	[[ $FW_LIMIT == max_user_instances ]] && what=instances
	limit=$(cat "/proc/sys/fs/inotify/$FW_LIMIT" 2>/dev/null)
	_fw_inotify_holders
	if [[ -n $FW_OWN_HOLDERS ]]; then
		fail "fwatch could not start: this user's inotify $what" \
			"(fs.inotify.$FW_LIMIT = ${limit:-?}) are all taken, some by" \
			"fwatch processes that other tests of this run left running:" \
			"$FW_OWN_HOLDERS" "fwatch said: $1"
		return 1
	fi
	skip "fwatch could not start: the ${limit:-?} inotify $what this user may have (fs.inotify.$FW_LIMIT) are all taken${FW_HOLDERS:+ ($FW_HOLDERS)}; fwatch said: $1"
}

# _fw_inotify_holders: who holds this user's inotify instances (or, for
# FW_LIMIT=max_user_watches, watches): in FW_HOLDERS a count per program,
# most first ("held: 12 by node, 3 by fwatch"), in FW_OWN_HOLDERS the
# fwatch processes of this run of the suite that other tests started
# (their working directory tells).
_fw_inotify_holders() {
	local fd pid me comm cwd n run='' name=${FWATCH##*/}
	local -A count=()
	FW_HOLDERS='' FW_OWN_HOLDERS=''
	me=$(id -u)
	[[ -n ${BATS_RUN_TMPDIR:-} ]] && run=$(cd "$BATS_RUN_TMPDIR" && pwd -P)
	while IFS= read -r fd; do
		pid=${fd#/proc/}
		pid=${pid%%/*}
		[[ $(stat -c %u "/proc/$pid" 2>/dev/null) == "$me" ]] || continue
		comm=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
		n=1
		if [[ $FW_LIMIT == max_user_watches ]]; then
			n=$(grep -c '^inotify wd:' "/proc/$pid/fdinfo/${fd##*/}" 2>/dev/null) || n=0
		fi
		count[$comm]=$((${count[$comm]:-0} + n))
		[[ -n $run && $comm == "${name:0:15}" ]] || continue
		cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null) || continue
		if [[ $cwd == "$run"/* && $cwd != "$FW_TMP_REAL" && $cwd != "$FW_TMP_REAL"/* ]]; then
			FW_OWN_HOLDERS+="  pid $pid in $cwd"$'\n'
		fi
	done < <(find /proc/[0-9]*/fd -lname 'anon_inode:inotify' 2>/dev/null)
	FW_OWN_HOLDERS=${FW_OWN_HOLDERS%$'\n'}
	for comm in "${!count[@]}"; do
		printf '%s %s\n' "${count[$comm]}" "$comm"
	done | sort -rn | head -n 5 >"$BATS_TEST_TMPDIR/holders"
	while read -r n comm; do
		FW_HOLDERS+="$n by $comm, "
	done <"$BATS_TEST_TMPDIR/holders"
	FW_HOLDERS=${FW_HOLDERS%, }
	[[ -n $FW_HOLDERS ]] && FW_HOLDERS="held: $FW_HOLDERS"
	return 0
}

# wait_until SECS WHAT COMMAND...: run COMMAND every 20 ms until it
# succeeds; after SECS, fail saying what was awaited.  Every wait in the
# suite goes through here, so every wait has a bound.
wait_until() {
	local secs=$1 what=$2 deadline
	shift 2
	_us "$secs"
	deadline=$REPLY
	_now
	deadline=$((deadline + REPLY))
	until "$@"; do
		_now
		if ((REPLY > deadline)); then
			fail "timed out after ${secs}s waiting for $what"
			return 1
		fi
		sleep 0.02
	done
}

_fw_gone() {
	! _fw_alive "$1"
}

# wait_exit PID SECS: wait up to SECS for PID to exit; sets $status to its
# exit status.  Fails (leaving the process to teardown) after the bound.
wait_exit() {
	local pid=$1 i
	wait_until "${2:-$FW_WAIT}" "process $pid to exit" _fw_gone "$pid" ||
		return 1
	status=0
	wait "$pid" || status=$?
	for i in "${!FW_PIDS[@]}"; do
		[[ ${FW_PIDS[i]} == "$pid" ]] && unset 'FW_PIDS[i]'
	done
	return 0
}

# stop_fwatch [SIGNAL]: signal fwatch (default TERM) and reap it; sets $status.
stop_fwatch() {
	local sig=${1:-TERM}
	[[ -n $FW_PID ]] || return 0
	kill -s "$sig" "$FW_PID" 2>/dev/null || true
	if ! wait_exit "$FW_PID" "$FW_WAIT"; then
		kill -KILL "$FW_PID" 2>/dev/null || true
		wait "$FW_PID" 2>/dev/null || true
		return 1
	fi
}

# run_fwatch ARGS...: run fwatch in the foreground with `run
# --separate-stderr`, bounded by 10 seconds (status 124 if it hangs).
# When an inotify limit (fs.inotify.max_user_instances or
# max_user_watches) left it too little through no fault of its own, the
# test is skipped saying so.
run_fwatch() {
	local try
	for try in 1 2; do
		run --separate-stderr timeout -k 1 10 env --default-signal \
			"$FWATCH" "${FW_BACKEND_ARGS[@]}" "$@"
		[[ $status == 1 ]] && _fw_limit_hit "${stderr:-}" || return 0
		((try == 1)) && _fw_limit_lowered_elsewhere && continue
		_fw_limit_reached "$stderr"
		return 1
	done
}

# ---------------------------------------------------------------- waiting

# _fw_grep ARGS... FILE: grep over lines, or over NUL-separated records when
# FILE is fwatch's stdout and fwatch runs with -0.
_fw_grep() {
	if ((FW_NUL)) && [[ ${!#} == "$FW_OUT" ]]; then
		grep -a -z "$@"
	else
		grep -a "$@"
	fi
}

# wait_for_line FILE PATTERN [SECS]: wait until a line of FILE matches the
# extended regular expression PATTERN.
wait_for_line() {
	local file=$1 pattern=$2 secs=${3:-$FW_WAIT}
	wait_until "$secs" "a line matching '$pattern' in $file" \
		_fw_grep -s -E -q -e "$pattern" "$file" ||
		{ _fw_wait_report "$file"; return 1; }
}

# wait_for_record RECORD [SECS]: wait until fwatch printed exactly RECORD
# (a whole line, or a whole NUL-terminated record with -0).
wait_for_record() {
	local record=$1 secs=${2:-$FW_WAIT}
	wait_until "$secs" "the record '$(printf '%s' "$record" | cat -v)'" \
		_fw_grep -s -F -x -q -e "$record" "$FW_OUT" ||
		{ _fw_wait_report "$FW_OUT"; return 1; }
}

# wait_for_records SECS RECORD...: wait until every RECORD was printed
# (text mode); on timeout, list the missing ones.
_fw_missing=
_fw_all_printed() {
	if [[ -s $FW_OUT ]]; then
		_fw_missing=$(grep -a -F -x -v -f "$FW_OUT" "$1") || _fw_missing=
	else
		_fw_missing=$(cat "$1")
	fi
	[[ -z $_fw_missing ]]
}

wait_for_records() {
	local secs=$1 expected
	shift
	expected=$BATS_TEST_TMPDIR/expected.$$
	printf '%s\n' "$@" >"$expected"
	wait_until "$secs" "$# records" _fw_all_printed "$expected" && return 0
	fail "$(wc -l <<<"$_fw_missing") of $# expected records missing:" \
		"$(head -n 20 <<<"$_fw_missing" | cat -v)"
	_fw_wait_report "$FW_OUT"
	return 1
}

# wait_for_json FILTER [SECS]: wait until some JSON record satisfies the
# jq FILTER (e.g. '.event == "create" and .path == "d/a"').
_fw_json_has() {
	jq -e -n "[inputs | select($1)] | length > 0" "$FW_OUT" >/dev/null 2>&1
}

wait_for_json() {
	local filter=$1 secs=${2:-$FW_WAIT}
	wait_until "$secs" "a JSON record with: $filter" _fw_json_has "$filter" ||
		{ _fw_wait_report "$FW_OUT"; return 1; }
}

_fw_wait_report() {
	{
		# fwatch's own stdout and stderr are shown by teardown
		if [[ $1 != "$FW_OUT" && $1 != "$FW_ERR" ]]; then
			echo "--- contents of $1 (cat -v):"
			cat -v "$1" 2>/dev/null | head -n 60
		fi
		if [[ -n $FW_PID ]]; then
			if _fw_alive "$FW_PID"; then
				echo "--- fwatch (pid $FW_PID) is still running"
			else
				echo "--- fwatch (pid $FW_PID) has exited"
			fi
		fi
	} >&2
}

# mark DIR: create a new marker file in DIR and wait for its create record.
# Records are printed in order, so anything that happened before the marker
# has been printed by then; use it before asserting that something was NOT
# reported.
mark() {
	FW_MARKS=$((FW_MARKS + 1))
	MARKER=$1/zz-marker-$FW_MARKS
	: >"$MARKER"
	wait_for_record "create $MARKER"
}

# ---------------------------------------------------------------- assertions

# records: fwatch's records without the ready record, one per line.
records() {
	_fw_grep -v -x -F -e ready "$FW_OUT" || true
}

# assert_no_record RECORD: fwatch did not print exactly RECORD.
assert_no_record() {
	if _fw_grep -F -x -q -e "$1" "$FW_OUT"; then
		fail "unexpected record '$(printf '%s' "$1" | cat -v)' was printed"
		_fw_wait_report "$FW_OUT"
		return 1
	fi
}

# assert_no_match PATTERN: no record matches the extended regex PATTERN.
assert_no_match() {
	if _fw_grep -E -q -e "$1" "$FW_OUT"; then
		fail "a record matching '$1' was printed:" "$(_fw_grep -E -e "$1" "$FW_OUT" | cat -v)"
		_fw_wait_report "$FW_OUT"
		return 1
	fi
}

# assert_record_count N RECORD: RECORD was printed exactly N times.
assert_record_count() {
	local n
	n=$(_fw_grep -F -x -c -e "$2" "$FW_OUT") || n=0
	if [[ $n != "$1" ]]; then
		fail "expected '$2' $1 time(s), found $n"
		_fw_wait_report "$FW_OUT"
		return 1
	fi
}

assert_equal() {
	if [[ $1 != "$2" ]]; then
		fail "expected: $(printf '%s' "$2" | cat -v)" "  actual: $(printf '%s' "$1" | cat -v)"
		return 1
	fi
}

# assert_contains HAYSTACK NEEDLE
assert_contains() {
	if [[ $1 != *"$2"* ]]; then
		fail "expected to find: $2" "in: $1"
		return 1
	fi
}

# assert_status N: check $status (from run or wait_exit).
assert_status() {
	if [[ $status != "$1" ]]; then
		fail "expected exit status $1, got $status" \
			"stdout: ${output-}" "stderr: ${stderr-}"
		return 1
	fi
}

# assert_watching FILE COUNTS: FILE holds just fwatch's startup line
# "fwatch: watching COUNTS with BACKEND; ready", whatever the backend
# (COUNTS like "4 directories under 2 paths").
# A tree watched whole (fanotify: one mark, no watch per directory) has
# no directories to count: "1 tree whole under 2 paths" then stands for
# any "N directories under 2 paths".
assert_watching() {
	local got whole='^[0-9]+ trees? whole( and [0-9]+ director(y|ies))?( under .*)$'
	got=$(cat "$1")
	if [[ $got != *$'\n'* && $got =~ ^fwatch:\ watching\ (.*)\ with\ [^\;]+\;\ ready$ ]]; then
		got=${BASH_REMATCH[1]}
		if [[ $got =~ $whole ]]; then
			local under=${BASH_REMATCH[3]}
			[[ $2 =~ ^[0-9]+\ director(y|ies)(\ under\ .*)$ &&
				${BASH_REMATCH[2]} == "$under" ]] && return 0
		fi
	fi
	got=$(cat "$1")
	if [[ $got == *$'\n'* || ! $got =~ ^fwatch:\ watching\ (.*)\ with\ [^\;]+\;\ ready$ ||
		${BASH_REMATCH[1]} != "$2" ]]; then
		fail "expected: fwatch: watching $2 with BACKEND; ready" \
			"  actual: $(cat -v "$1")"
		return 1
	fi
}

# skip_if_whole WHAT: skip when the fwatch started watches its tree
# whole (fanotify with no walk), where WHAT, which is about the tree of
# watched directories fwatch keeps otherwise, does not apply (fwatch(1),
# BACKENDS).
skip_if_whole() {
	if grep -q -E '^fwatch: watching [0-9]+ trees? whole' "$FW_ERR"; then
		skip "the tree is watched whole (fanotify): $1"
	fi
}

# assert_dirs_watched FILE N: the watching line in FILE counts N
# directories, or says the tree is watched whole (fanotify: no watch per
# directory, so nothing to count; the events a test checks next show
# what is heard).
assert_dirs_watched() {
	grep -q -E "^fwatch: watching ([0-9]+ trees? whole|$2 director(y|ies)) " "$1" ||
		fail "expected $2 watched directories: $(cat -v "$1")"
}
