#!/usr/bin/env bats
# Hostile input (issue 7): file names with every byte, very long names and
# paths, trees that change under fwatch, special filesystems, and bad
# option values.
# bats: run --separate-stderr sets $stderr; each @test runs in a subshell
# shellcheck disable=SC2154,SC2030,SC2031
#
# Already covered elsewhere, so not repeated here: escaping of \n \t \r \\
# and \xHH in text (output.bats), a JSON line per hostile name and
# path_b64 for one invalid name (output.bats), hostile names through {}
# {paths} and --shell (exec.bats), a -L loop through '..' (recursion.bats),
# an unreadable subdirectory at start (errors.bats), unmounting inside the
# tree (events.bats), --format '%q' and a trailing '%' (output.bats), '[ab'
# and 'x[' globs (filters.bats), a missing value for -e -i -x -f -t at the
# end (cli.bats), -t and -d with a few bad numbers (cli.bats, exec.bats).

load helpers

NAMES=$BATS_TEST_DIRNAME/hostile/names.py

# ---------------------------------------------------------------- helpers

# The output modes checked by tests/hostile/names.py.
MODES=(text json nul fmt nulfmt)

# start_modes ARGS...: start one fwatch per output mode with ARGS, each
# writing to $BATS_TEST_TMPDIR/MODE.out, and wait until every one is ready.
# shellcheck disable=SC2034 # FW_READY_RECORD is read by start_fwatch
start_modes() {
	local mode
	for mode in "${MODES[@]}"; do
		FW_OUT=$BATS_TEST_TMPDIR/$mode.out
		FW_ERR=$BATS_TEST_TMPDIR/$mode.err
		case $mode in
		text) start_fwatch "$@" ;;
		json) start_fwatch --json "$@" ;;
		nul) start_fwatch -0 "$@" ;;
		fmt)
			FW_READY_RECORD='ready '
			start_fwatch --format '%e %p' "$@"
			;;
		nulfmt)
			FW_READY_RECORD=ready
			start_fwatch -0 --format '%e\0%p' "$@"
			;;
		esac || return 1
	done
}

# wait_modes PATH: wait until every mode has printed the create record of
# PATH (a plain name); records come in order, so everything done before
# was printed by then.
# shellcheck disable=SC2034 # FW_NUL is read by wait_for_record
wait_modes() {
	local mode
	for mode in "${MODES[@]}"; do
		FW_OUT=$BATS_TEST_TMPDIR/$mode.out
		FW_ERR=$BATS_TEST_TMPDIR/$mode.err
		case $mode in
		text | fmt) FW_NUL=0 && wait_for_record "create $1" ;;
		json) FW_NUL=0 && wait_for_line "$FW_OUT" "\"event\":\"create\",\"path\":\"$1\"" ;;
		nul) FW_NUL=1 && wait_for_record "create $1" ;;
		nulfmt) FW_NUL=1 && wait_for_record "$1" ;;
		esac || return 1
	done
}

# check_modes LIST: every mode's output is well formed and gives back each
# path of LIST (NUL-separated) in exactly one create record; jq parses
# every JSON line.
check_modes() {
	local mode lines parsed
	for mode in "${MODES[@]}"; do
		python3 "$NAMES" check "$mode" "$BATS_TEST_TMPDIR/$mode.out" "$1" ||
			fail "$mode output does not give back every name" || return 1
	done
	lines=$(wc -l <"$BATS_TEST_TMPDIR/json.out")
	parsed=$(jq -n '[inputs] | length' "$BATS_TEST_TMPDIR/json.out") ||
		fail "jq cannot parse the JSON output" || return 1
	assert_equal "$parsed" "$lines"
}

# use_permissions: make file permissions bind fwatch even when the suite
# runs as root, by starting it without CAP_DAC_OVERRIDE and
# CAP_DAC_READ_SEARCH in its bounding set.
use_permissions() {
	(($(id -u) == 0)) || return 0
	setpriv --bounding-set -dac_override,-dac_read_search true 2>/dev/null ||
		skip "running as root and cannot drop CAP_DAC_OVERRIDE (setpriv failed)"
	# shellcheck disable=SC2054,SC2034 # setpriv's commas; read by start_fwatch
	FW_PREFIX=(setpriv --bounding-set -dac_override,-dac_read_search)
}

# mount_bind_ro SRC DIR: bind SRC read-only on DIR for this test
# (unmounted by teardown), or skip with the reason.
mount_bind_ro() {
	(($(id -u) == 0)) || skip "needs root to bind-mount"
	mkdir -p "$2"
	mount --bind "$1" "$2" 2>/dev/null || skip "cannot bind-mount here"
	FW_MOUNTS+=("$(cd "$2" && pwd -P)")
	mount -o remount,bind,ro "$2" 2>/dev/null || skip "cannot make a bind mount read-only here"
}

# deep_dirs DIR N: make N nested directories below DIR, each named with
# 250 'a's and its level; DEEPEST is the relative path of the last one.
# cd_deepest goes there one level at a time, as a path longer than
# PATH_MAX cannot be used in one go.
deep_dirs() {
	local i
	DEEP_SEG=$(printf 'a%.0s' {1..250})
	DEEP_TOP=$1 DEEP_N=$2 DEEPEST=$1
	for ((i = 1; i <= DEEP_N; i++)); do
		DEEPEST+=/$DEEP_SEG$i
	done
	(
		cd "$DEEP_TOP" || exit 1
		for ((i = 1; i <= DEEP_N; i++)); do
			mkdir "$DEEP_SEG$i" && cd "$DEEP_SEG$i" || exit 1
		done
	)
}

cd_deepest() {
	local i
	cd "$DEEP_TOP" || return 1
	for ((i = 1; i <= DEEP_N; i++)); do
		cd "$DEEP_SEG$i" || return 1
	done
}

# has_lines FILE N: FILE has at least N lines.
has_lines() {
	(($(wc -l <"$1") >= $2))
}

# value_options: the options that take a value, as --help lists them
# (short and long forms), in OPTS; --exec, whose value is a command, is
# left out.
value_options() {
	local line re='^ +(-([A-Za-z0-9]), )?--([a-z][a-z-]*) [A-Z]+( |$)'
	OPTS=()
	run_fwatch --help
	assert_status 0 || return 1
	while IFS= read -r line; do
		[[ $line =~ $re ]] || continue
		[[ ${BASH_REMATCH[3]} == exec ]] && continue
		[[ -n ${BASH_REMATCH[2]} ]] && OPTS+=("-${BASH_REMATCH[2]}")
		OPTS+=("--${BASH_REMATCH[3]}")
	done <<<"$output"
}

# bad_values OPTION: values OPTION must refuse, in BAD.  Globs, formats
# and names accept almost any text (-1 is a fine glob), so they get their
# own.
bad_values() {
	# shellcheck disable=SC1003 # 'x\' is x and a backslash
	case $1 in
	-i | --include | -x | --exclude) BAD=('' '[ab' 'x\' '[!' '**[') ;;
	-f | --format) BAD=('%q' '100%' '%') ;;
	# a file's or a path's name: any text but none is one (a file that is
	# not there is an error at start: tests/gitignore.bats)
	--ignore-file | --explain-ignore) BAD=('') ;;
	*) BAD=('' -1 99999999999999999999 abc 1.5x) ;;
	esac
}

# assert_usage_error OPTION: the last run_fwatch exited 1, printed nothing
# on stdout, and said on stderr, after 'fwatch:', what was wrong with OPTION.
assert_usage_error() {
	local first=${stderr%%$'\n'*}
	((status < 124)) || fail "fwatch crashed or hung: status $status" || return 1
	assert_status 1 || return 1
	assert_equal "$output" "" || return 1
	[[ $first == fwatch:* ]] || fail "first stderr line does not start with 'fwatch:': $first" || return 1
	[[ $first == *"$1"* ]] || fail "message does not name $1: $first" || return 1
	assert_contains "$stderr" "Try 'fwatch --help' for more information."
}

# ---------------------------------------------------------------- file names

@test "names with every byte from 0x01 to 0xff come back exactly in text, JSON, -0 and --format" {
	mkdir d
	start_modes d
	python3 "$NAMES" create d "$BATS_TEST_TMPDIR/list" bytes
	: >d/zz-end
	wait_modes d/zz-end
	assert_equal "$(tr -cd '\0' <"$BATS_TEST_TMPDIR/list" | wc -c)" 254
	check_modes "$BATS_TEST_TMPDIR/list"
}

@test "255-byte names, invalid UTF-8, and names like -rf, {} or %p come back exactly in every mode" {
	mkdir d
	start_modes d
	python3 "$NAMES" create d "$BATS_TEST_TMPDIR/list" odd
	: >d/zz-end
	wait_modes d/zz-end
	check_modes "$BATS_TEST_TMPDIR/list"
	# both show as "d/\ufffd": the byte 0x80 (with path_b64), and the
	# character U+FFFD itself (valid UTF-8, so without)
	assert_equal "$(jq -c 'select(.path == "d/\ufffd") | .path_b64' "$BATS_TEST_TMPDIR/json.out" | tr '\n' ' ')" '"ZC+A" null '
	# directives and escapes inside a name are not expanded by --format
	grep -a -q -x -F 'create d/%p' "$BATS_TEST_TMPDIR/fmt.out" || fail "no 'create d/%p' record in --format output"
	grep -a -q -x -F 'create d/\\0' "$BATS_TEST_TMPDIR/fmt.out" || fail "no 'create d/\\\\0' record in --format output"
}

@test "paths of more than 4,000 bytes of hostile names come back whole in every mode" {
	mkdir d
	python3 "$NAMES" deep d 15
	start_modes -r d
	assert_watching "$BATS_TEST_TMPDIR/text.err" "16 directories under 1 path"
	python3 "$NAMES" create d "$BATS_TEST_TMPDIR/list" odd 15
	: >d/zz-end
	wait_modes d/zz-end
	longest=$(python3 -c 'import sys; print(max(map(len, open(sys.argv[1], "rb").read().split(b"\0"))))' "$BATS_TEST_TMPDIR/list")
	((longest > 4096)) || fail "the longest path is only $longest bytes"
	check_modes "$BATS_TEST_TMPDIR/list"
}

@test "a directory too deep to watch (path over PATH_MAX) is a warning, and the rest is still watched" {
	mkdir d
	deep_dirs d 16
	# the deepest directory can be watched, one more level cannot
	((${#DEEPEST} < 4096 && ${#DEEPEST} + 251 > 4096)) || fail "bad depth: ${#DEEPEST} bytes"
	start_fwatch -r d
	(cd_deepest && mkdir "$(printf 'b%.0s' {1..250})" && : >zz-end)
	wait_for_record "create $DEEPEST/zz-end"
	wait_for_line "$FW_ERR" "^fwatch: warning: cannot watch 'd/a"
	: >d/top
	wait_for_record "create d/top"
}

@test "a directory too deep to watch (path over PATH_MAX) is named in full in the warning" {
	mkdir d
	deep_dirs d 16
	# the deepest directory can be watched, one more level cannot
	((${#DEEPEST} < 4096 && ${#DEEPEST} + 251 > 4096)) || fail "bad depth: ${#DEEPEST} bytes"
	start_fwatch -r d
	(cd_deepest && mkdir "$(printf 'b%.0s' {1..250})" && : >zz-end)
	wait_for_record "create $DEEPEST/zz-end"
	wait_for_line "$FW_ERR" "^fwatch: warning: cannot watch '$DEEPEST/b{250}': File name too long; changes below it will not be reported\$"
}

@test "a PATH of 2,000 bytes that does not exist is named in full in the error" {
	seg=$(printf 'x%.0s' {1..199})
	path=nope
	for i in {1..10}; do
		path+=/$seg$i
	done
	run_fwatch "$path"
	assert_status 1
	assert_equal "$stderr" "fwatch: cannot watch '$path': No such file or directory (check the path)"
}

@test "a warning about a name with a newline stays one line and cannot fake the ready line" {
	use_permissions
	mkdir d
	fake="x"$'\n'"fwatch: watching 9 directories under 1 path with inotify; ready"
	mkdir "d/$fake"
	chmod 000 "d/$fake"
	start_fwatch -r d
	mark d
	assert_equal "$(grep -c '' "$FW_ERR")" 2
	assert_equal "$(grep -c '^fwatch: ' "$FW_ERR")" 2
	grep -q -F "cannot watch 'd/x\\nfwatch: watching" "$FW_ERR" || fail "the newline is not escaped: $(cat -v "$FW_ERR")"
	# the only line that looks like the ready line is fwatch's own
	assert_equal "$(grep -c -E "$FW_READY_LINE" "$FW_ERR")" 1
}

@test "PATHs named like placeholders are passed to --exec as they are, not replaced again" {
	OUT=$BATS_TEST_TMPDIR/args LOG=$BATS_TEST_TMPDIR/log
	export OUT LOG
	mkdir '{}'
	: >'{event}'
	# shellcheck disable=SC2016 # $OUT and $LOG are for the command's shell
	start_fwatch -p -d 0 '{event}' '{}' --exec sh -c 'printf "%s\0" "$@" >"$OUT"; echo run >>"$LOG"' sh '{}' '{event}' '{paths}'
	echo x >>'{event}'
	wait_for_line "$LOG" '^run$'
	assert_equal "$(od -An -c <"$OUT")" "$(printf '%s\0' '{event}' modify '{event}' | od -An -c)"
	: >'{}/{paths}'
	wait_until "$FW_WAIT" "a second run" has_lines "$LOG" 2
	assert_equal "$(od -An -c <"$OUT")" "$(printf '%s\0' '{}/{paths}' create '{}/{paths}' | od -An -c)"
}

# ---------------------------------------------------------------- trees

@test "-L with several symlink loops, a self link and a dangling link watches each directory once" {
	mkdir -p d/a/b d/x d/y
	ln -s . d/self
	ln -s selfloop d/selfloop
	ln -s nowhere d/dangling
	ln -s .. d/a/b/up
	ln -s "$PWD/d" d/a/absolute
	ln -s ../y d/x/to-y
	ln -s ../x d/y/to-x
	start_fwatch -r -L d
	assert_watching "$FW_ERR" "5 directories under 1 path"
	: >d/f0
	: >d/a/f1
	: >d/a/b/f2
	: >d/x/f3
	: >d/y/f4
	mark d
	for i in 0 1 2 3 4; do
		assert_equal "$(records | grep -c "/f$i\$")" 1
	done
}

@test "-L: a symlink loop created while watching is harmless" {
	mkdir -p d/a/b
	start_fwatch -r -L d
	ln -s ../.. d/a/b/loop
	mkdir d/new
	ln -s ../new d/new/me
	ln -s ../../d d/new/top
	wait_for_record "create d/new/top"
	: >d/new/f
	: >d/a/b/g
	mark d
	assert_equal "$(records | grep -c '/f$')" 1
	assert_equal "$(records | grep -c '/g$')" 1
	kill -0 "$FW_PID" || fail "fwatch is gone"
}

@test "a directory that becomes a file of the same name, and back, is reported with the right type" {
	mkdir -p d/x/inner
	start_fwatch --json -r d
	rm -r d/x
	: >d/x
	wait_for_json '.event == "create" and .path == "d/x" and .dir == false'
	echo more >>d/x
	wait_for_json '.event == "modify" and .path == "d/x" and .dir == false'
	rm d/x
	mkdir d/x
	: >d/x/f
	wait_for_json '.event == "create" and .path == "d/x/f" and .dir == false'
	assert_equal "$(jq -c 'select(.path == "d/x") | [.event, .dir]' "$FW_OUT" | tr -d '\n')" \
		'["delete",true]["create",false]["modify",false]["delete",false]["create",true]'
}

@test "a subtree made unreadable while watched: watched parts go on, a new directory in it is a warning" {
	use_permissions
	mkdir -p d/sub/inner
	start_fwatch -r d
	chmod 000 d/sub
	wait_for_record "attrib d/sub"
	# the watches set up before still report (the writer here is root)
	(($(id -u) == 0)) || skip "the rest needs root, to write into a directory with mode 000"
	: >d/sub/f1
	: >d/sub/inner/f2
	mkdir d/sub/new
	wait_for_records 5 "create d/sub/f1" "create d/sub/inner/f2" "create d/sub/new"
	wait_for_line "$FW_ERR" "^fwatch: warning: cannot watch 'd/sub/new': Permission denied; changes below it will not be reported\$"
	# readable again: directories made from now on are watched
	chmod 755 d/sub
	mkdir d/sub/new2
	: >d/sub/new2/f3
	wait_for_record "create d/sub/new2/f3"
}

@test "/proc and /sys can be watched, and a new process in /proc gives no record" {
	skip_if_fanotify "/proc and /sys give no file handles (tests/fanotify.bats checks the message)"
	[[ -d /proc/self && -d /sys/kernel ]] || skip "no /proc or /sys here"
	mkdir d
	start_fwatch /proc /sys d
	sleep 0.05 &
	wait $!
	mark d
	assert_no_match ' /(proc|sys)'
}

@test "a watched root on /proc or /sys gets a warning that changes there are not reported" {
	skip_if_fanotify "/proc and /sys give no file handles (tests/fanotify.bats checks the message)"
	[[ -d /proc/self && -d /sys/kernel ]] || skip "no /proc or /sys here"
	start_fwatch /proc /sys
	grep -q "^fwatch: warning: .*'/proc'.*reported" "$FW_ERR" || fail "no warning for /proc: $(cat "$FW_ERR")"
	grep -q "^fwatch: warning: .*'/sys'.*reported" "$FW_ERR" || fail "no warning for /sys: $(cat "$FW_ERR")"
}

@test "a watched root on a read-only bind mount reports changes made through the writable mount" {
	mkdir -p src
	mount_bind_ro src view
	start_fwatch -r view
	: >src/a
	mkdir src/sub
	wait_for_record "create view/sub"
	: >src/sub/b
	wait_for_records 5 "create view/a" "create view/sub/b"
	if { : >view/c; } 2>/dev/null; then
		fail "the bind mount is not read-only"
	fi
}

@test "a filesystem mounted inside the tree before start is watched like the rest" {
	mkdir -p d
	mount_tmpfs d/mnt
	mkdir d/mnt/pre
	start_fwatch -r d
	: >d/mnt/a
	: >d/mnt/pre/b
	mkdir d/mnt/new
	wait_for_record "create d/mnt/new"
	: >d/mnt/new/c
	wait_for_records 5 "create d/mnt/a" "create d/mnt/pre/b" "create d/mnt/new/c"
}

@test "a filesystem mounted inside the tree after start is watched, or a warning says it is not" {
	mkdir -p d/mnt
	start_fwatch -r d
	mount_tmpfs d/mnt
	: >d/mnt/a
	mkdir d/mnt/sub
	: >d/mnt/sub/b
	mark d
	if grep -q -x 'create d/mnt/a' "$FW_OUT"; then
		wait_for_records 5 "create d/mnt/sub" "create d/mnt/sub/b"
	elif ! grep -q "^fwatch: warning: .*'d/mnt'" "$FW_ERR"; then
		# inotify and fanotify send nothing for a mount, so fwatch
		# cannot know (fwatch(1) BUGS); any other backend must see
		# it or warn
		grep -q -E '^fwatch: watching .* with (inotify|fanotify); ready$' "$FW_ERR" ||
			fail "d/mnt/a was not reported and nothing said why"
		_fw_alive "$FW_PID" || fail "fwatch exited"
		skip "inotify and fanotify send nothing for a mount: a filesystem mounted inside the tree after start is not watched (fwatch(1) BUGS)"
	fi
}

# ---------------------------------------------------------------- arguments

@test "every option with a value, from --help: a missing value is exit 1 naming the option" {
	value_options
	((${#OPTS[@]} >= 16)) || fail "found only ${#OPTS[@]} value options in --help: ${OPTS[*]}"
	mkdir d
	for opt in "${OPTS[@]}"; do
		run_fwatch d "$opt"
		assert_usage_error "$opt" || fail "for: fwatch d $opt"
	done
}

@test "every option with a value: empty, negative, huge and malformed values are exit 1 naming the option" {
	value_options
	mkdir d
	for opt in "${OPTS[@]}"; do
		# a backend's name is looked up when fwatch starts, and an
		# unknown one is an error naming the backends, not a usage error
		[[ $opt != --backend ]] || continue
		bad_values "$opt"
		for value in "${BAD[@]}"; do
			# the exec options count only with --exec; -t ends a run that
			# wrongly accepted the value
			run_fwatch -q -t 0.2 "$opt" "$value" d --exec true
			assert_usage_error "$opt" || fail "for: fwatch $opt '$value' d --exec true"
			if [[ $opt == --* ]]; then
				run_fwatch -q -t 0.2 "$opt=$value" d --exec true
				assert_usage_error "$opt" || fail "for: fwatch $opt='$value' d --exec true"
			fi
		done
	done
}

@test "an empty --format is exit 1 like every other empty value" {
	mkdir d
	run_fwatch -t 0.2 --format '' d
	assert_usage_error --format
}

@test "numbers are plain decimals: hex, exponents and leading blanks are refused" {
	mkdir d
	for value in 0x10 1e3 ' 1' +1 0x1p3; do
		run_fwatch -q -t "$value" d
		assert_usage_error -t || fail "for -t '$value'"
	done
	for value in ' 5' +5; do
		run_fwatch -q -t 0.2 -d "$value" d --exec true
		assert_usage_error -d || fail "for -d '$value'"
		run_fwatch -q -t 0.2 --stop-signal "$value" d --exec true
		assert_usage_error --stop-signal || fail "for --stop-signal '$value'"
	done
}

@test "--format with a dangling or unknown % in other places is exit 1 with the documented message" {
	mkdir d
	for fmt in '%' '%%%' '%ee%' '%%%%%'; do
		run_fwatch --format "$fmt" d
		assert_usage_error --format || fail "for --format '$fmt'"
		assert_contains "$stderr" "fwatch: --format: dangling '%' at the end (use %% for a literal %)"
	done
	for fmt in '% ' '%-' '%1e' '%{}' '%\n' '%E'; do
		run_fwatch --format "$fmt" d
		assert_usage_error --format || fail "for --format '$fmt'"
		assert_contains "$stderr" "fwatch: --format: unknown directive '${fmt:0:2}' (use %% for a literal %)"
	done
}

@test "--format: an unknown directive made of a UTF-8 character is quoted whole" {
	mkdir d
	run_fwatch --format '%é' d
	assert_usage_error --format
	assert_contains "$stderr" "fwatch: --format: unknown directive '%é' (use %% for a literal %)"
}

@test "globs with unbalanced brackets or a trailing backslash are exit 1; a lone ] is literal" {
	mkdir d
	for glob in '[' '[!' '[^' '[]' '[!]' '[a-' '**[' 'src/[ab' '[\]'; do
		for opt in -i --exclude; do
			run_fwatch "$opt" "$glob" d
			assert_usage_error "$opt" || fail "for $opt '$glob'"
			assert_contains "$stderr" "fwatch: $opt '$glob': unmatched '[' (write \\[ for a literal bracket)"
		done
	done
	# shellcheck disable=SC1003 # a trailing backslash, on purpose
	for glob in 'a\' '\'; do
		run_fwatch -x "$glob" d
		assert_usage_error -x || fail "for -x '$glob'"
		assert_contains "$stderr" "trailing backslash"
	done
	start_fwatch -i ']' -i '[]]x' -i 'zz-*' d
	: >'d/]'
	: >'d/]x'
	: >d/other
	: >'d/]y'
	mark d
	assert_equal "$(records | grep -v zz-marker)" 'create d/]
create d/]x'
}

@test "10,000 PATH arguments: fwatch gets ready and reports a change in the last one" {
	# shellcheck disable=SC2046 # one word per directory
	mkdir $(seq -f 'p%05g' 1 10000)
	# after --, so that the helpers do not scan 10,000 words for options
	# (a bash loop under bats takes seconds)
	start_fwatch -- p*
	assert_watching "$FW_ERR" "10000 directories under 10000 paths"
	: >p10000/f
	wait_for_record "create p10000/f"
	: >p00001/f
	wait_for_record "create p00001/f"
}

@test "the same PATH given twice, or spelled another way, reports each change once" {
	mkdir d
	ln -s d alias
	start_fwatch d d ./d d/ "$PWD/d" alias
	assert_watching "$FW_ERR" "1 directory under 6 paths"
	: >d/a
	mark d
	assert_equal "$(records | grep -v zz-marker)" "create d/a"
}

@test "the same PATH given 10,000 times is watched once and reports each change once" {
	mkdir d
	mapfile -t args < <(yes d | head -n 10000)
	start_fwatch -- "${args[@]}"
	assert_watching "$FW_ERR" "1 directory under 10000 paths"
	: >d/a
	mark d
	assert_equal "$(records | grep -v zz-marker)" "create d/a"
}

@test "a PATH nested inside another (-r), in either order, reports each change once" {
	mkdir -p d/sub/deep
	for order in "d d/sub/deep d/sub" "d/sub/deep d/sub d"; do
		# shellcheck disable=SC2086 # the PATHs are split on purpose
		start_fwatch -r $order
		assert_watching "$FW_ERR" "3 directories under 3 paths"
		: >d/a
		: >d/sub/b
		: >d/sub/deep/c
		mark d
		assert_equal "$(records | grep -v zz-marker)" "create d/a
create d/sub/b
create d/sub/deep/c"
		stop_fwatch
		rm d/a d/sub/b d/sub/deep/c
	done
}
