#!/usr/bin/env bats
# Command line: --help, --version, option syntax, bad options and values.
# bats: run --separate-stderr sets $stderr; each @test runs in a subshell
# shellcheck disable=SC2154,SC2030,SC2031

load helpers

LONG_OPTIONS=(--recursive --follow-symlinks --event --include --exclude --json --print0
	--format --absolute --once --timeout --quiet --ready --snapshot --on-delete --backend
	--poll --poll-interval --gitignore --no-gitignore --ignore-file --explain-ignore
	--exec --shell --debounce --postpone --restart --on-busy --stop-signal --stop-timeout
	--clear --stdin --print --help --version)
SHORT_OPTIONS=(-r -L -e -i -x -j -0 -f -a -1 -t -q -d -p -R -c -h -V)

@test "--help prints usage on stdout and exits 0" {
	run_fwatch --help
	assert_status 0
	assert_equal "$stderr" ""
	assert_contains "$output" "fwatch"
	assert_contains "$output" "PATH"
}

@test "--help mentions every long and short option" {
	run_fwatch --help
	assert_status 0
	for opt in "${LONG_OPTIONS[@]}"; do
		[[ $output =~ (^|[^a-z-])$opt([^a-z-]|$) ]] || fail "--help does not mention $opt"
	done
	for opt in "${SHORT_OPTIONS[@]}"; do
		[[ $output =~ (^|[^a-zA-Z0-9-])$opt([^a-zA-Z0-9-]|$) ]] || fail "--help does not mention $opt"
	done
}

@test "-h is the same as --help" {
	run_fwatch --help
	long=$output
	run_fwatch -h
	assert_status 0
	assert_equal "$output" "$long"
}

@test "--help wins over a missing PATH" {
	run_fwatch -r --help
	assert_status 0
	assert_contains "$output" "--recursive"
}

@test "--help fits in 80 columns and lists the events --event offers" {
	run_fwatch --help
	assert_status 0
	while IFS= read -r line; do
		((${#line} < 80)) || fail "a line of ${#line} columns: $line"
	done <<<"$output"
	# the --event entry, up to the next option
	entry=${output#*--event LIST}
	entry=${entry%%-i, --include*}
	for kind in create modify truncate delete rename attrib close_write close_nowrite open access all; do
		[[ $entry =~ [^a-z_]${kind}[^a-z_] ]] || fail "--help does not offer '$kind': $entry"
	done
	assert_contains "$entry" "default: create,modify,"
	# as the man page has it: truncate is a file PATH's, under modify
	[[ $entry != *default:\ create,modify,truncate* ]] || fail "--help lists truncate among the defaults: $entry"
	assert_contains "$entry" "modify includes truncate"
}

@test "--version gives the version, then the backends, inotify first as the default, and exits 0" {
	run_fwatch --version
	assert_status 0
	assert_equal "$stderr" ""
	[[ ${lines[0]} =~ ^fwatch\ [0-9][^\ ]*$ ]] || fail "unexpected first line: ${lines[0]}"
	assert_equal "${lines[1]}" "backends:"
	[[ ${lines[2]} =~ ^\ +inotify\ +.*\(default\)$ ]] || fail "inotify is not the first backend, the default: $output"
	# one line per backend, each its --backend name and a few words
	for line in "${lines[@]:2}"; do
		[[ $line =~ ^\ +[a-z0-9]+\ +[^\ ] ]] || fail "not a backend line: '$line'"
	done
	assert_equal "$(grep -c '(default)$' <<<"$output")" 1
}

@test "--backend with a backend that is not built in is exit 1, naming it and the ones that start" {
	skip_if_backend_chosen "--backend nope"
	mkdir d
	run_fwatch --backend nope d
	assert_status 1
	assert_equal "$output" ""
	assert_contains "$stderr" "fwatch: cannot start nope: "
	assert_contains "$stderr" "'nope'"
	assert_contains "$stderr" "; this fwatch can start with: --backend inotify"
}

@test "--backend with an empty name is a usage error naming the option" {
	mkdir d
	run_fwatch --backend '' d
	assert_status 1
	assert_contains "$stderr" "fwatch: --backend: empty name"
}

@test "--poll with another --backend is a usage error naming both" {
	skip_if_backend_chosen "--poll and --backend"
	mkdir d
	run_fwatch --poll --backend inotify d
	assert_status 1
	assert_contains "$stderr" "'poll' and 'inotify' both asked for"
	run_fwatch --backend poll --poll d --timeout 0.1
	assert_status 2
}

@test "--poll-interval below 10 ms is refused, naming the option and the floor" {
	mkdir d
	run_fwatch --poll-interval 5 d
	assert_status 1
	assert_contains "$stderr" "fwatch: --poll-interval: '5' is too often: at least 10 milliseconds"
}

@test "--backend inotify watches with inotify, as the ready line says" {
	skip_if_backend_chosen "--backend inotify"
	mkdir d
	start_fwatch_bare --backend inotify d
	grep -q ' with inotify; ready$' "$FW_ERR" || fail "not the inotify ready line: $(cat "$FW_ERR")"
	: >d/a
	wait_for_record "create d/a"
	stop_fwatch
	run_fwatch --backend=inotify --timeout 0.1 d
	assert_status 2
	assert_contains "$stderr" " with inotify; ready"
}

@test "-V is the same as --version" {
	run_fwatch --version
	long=$output
	run_fwatch -V
	assert_status 0
	assert_equal "$output" "$long"
}

@test "an unknown long option is exit 1 with a hint to --help" {
	mkdir d
	run_fwatch --bogus d
	assert_status 1
	assert_equal "$output" ""
	assert_contains "$stderr" "--bogus"
	assert_contains "$stderr" "Try 'fwatch --help' for more information."
}

@test "an unknown short option is exit 1 with a hint to --help" {
	mkdir d
	run_fwatch -Z d
	assert_status 1
	assert_equal "$output" ""
	assert_contains "$stderr" "Z"
	assert_contains "$stderr" "Try 'fwatch --help' for more information."
}

@test "a value given to a flag (--json=yes) is exit 1" {
	mkdir d
	run_fwatch --json=yes d
	assert_status 1
	assert_contains "$stderr" "--json"
}

@test "--timeout -1 is exit 1 with a message naming --timeout" {
	mkdir d
	run_fwatch --timeout -1 d
	assert_status 1
	assert_equal "$output" ""
	assert_contains "$stderr" "--timeout"
	assert_contains "$stderr" "Try 'fwatch --help'"
}

@test "--timeout abc is exit 1 with a message naming --timeout" {
	mkdir d
	run_fwatch --timeout abc d
	assert_status 1
	assert_equal "$output" ""
	assert_contains "$stderr" "--timeout"
}

@test "-t with a value that is not a number is exit 1" {
	mkdir d
	for bad in '' 1x 0.5.5 nan 1e3x; do
		run_fwatch -t "$bad" d
		[[ $status == 1 ]] || fail "-t '$bad' gave status $status"
		[[ $stderr =~ (-t|--timeout) ]] || fail "-t '$bad': message does not name the option: $stderr"
	done
}

@test "--event nope is exit 1 and lists the known events" {
	mkdir d
	run_fwatch --event nope d
	assert_status 1
	assert_equal "$output" ""
	assert_contains "$stderr" "fwatch: --event: unknown event 'nope' (known: create, modify,"
	for kind in create modify delete rename attrib close_write close_nowrite open access all; do
		[[ $stderr =~ (known:.*[ ,]${kind}[,\)]) ]] || fail "'$kind' is not in the known list: $stderr"
	done
}

@test "an unknown event in the middle of a list is reported" {
	mkdir d
	run_fwatch -e create,bogus,delete d
	assert_status 1
	assert_contains "$stderr" "unknown event 'bogus'"
}

@test "a missing option value at the end is exit 1 naming the option" {
	mkdir d
	for opt in --event --include --exclude --format --timeout; do
		run_fwatch d "$opt"
		[[ $status == 1 ]] || fail "$opt without value gave status $status"
		assert_contains "$stderr" "$opt"
		assert_contains "$stderr" "Try 'fwatch --help'"
	done
}

@test "a missing value for a short option is exit 1 naming the option" {
	mkdir d
	for opt in -e -i -x -f -t; do
		run_fwatch d "$opt"
		[[ $status == 1 ]] || fail "$opt without value gave status $status"
		[[ $stderr == *"$opt"* || $stderr == *"'${opt#-}'"* ]] || fail "$opt: message does not name it: $stderr"
	done
}

@test "options may come after the PATH" {
	mkdir d
	start_fwatch d -e delete
	: >d/a
	rm d/a
	wait_for_record "delete d/a"
	assert_no_record "create d/a"
}

@test "-- ends the options, so a directory named -rf can be watched" {
	mkdir -- -rf
	start_fwatch -- -rf
	: >-rf/x
	wait_for_record "create -rf/x"
}

@test "short options can be bundled (-rq)" {
	mkdir -p d/s
	start_fwatch -rq d
	: >d/s/x
	wait_for_record "create d/s/x"
	assert_equal "$(cat "$FW_ERR")" ""
}

@test "a bundle may end in an option that takes a value (-re delete)" {
	mkdir -p d/s
	: >d/s/x
	start_fwatch -re delete d
	rm d/s/x
	wait_for_record "delete d/s/x"
}

@test "a short option value may be attached (-eclose_write)" {
	mkdir d
	start_fwatch -eclose_write d
	echo x >d/a
	wait_for_record "close_write d/a"
	assert_no_record "create d/a"
}

@test "--event=LIST and --event LIST are the same" {
	mkdir d
	start_fwatch --event=delete d
	: >d/a
	rm d/a
	wait_for_record "delete d/a"
	assert_no_record "create d/a"
}

@test "--timeout accepts a decimal value" {
	mkdir d
	start_fwatch_bare --timeout 0.5 d
	wait_exit "$FW_PID" 5
	assert_status 2
}

@test "-i and -x accept attached values (-i'*.c')" {
	mkdir d
	start_fwatch '-i*.c' '-xb*' d
	: >d/a.c
	: >d/b.c
	: >d/c.h
	: >d/z.c
	wait_for_record "create d/z.c"
	assert_equal "$(records)" "create d/a.c
create d/z.c"
}

@test "--event takes inotifywait's names in any case, and still refuses a name neither knows" {
	mkdir d
	run_fwatch -e moved_from,Move,move_self,DELETE_SELF,close,Create --timeout 0.1 d
	assert_status 2
	run_fwatch -e MOVED_SIDEWAYS d
	assert_status 1
	assert_contains "$stderr" "unknown event 'MOVED_SIDEWAYS'"
}

@test "--completions takes bash, zsh or fish, and refuses another shell naming the option" {
	run_fwatch --completions bash
	assert_status 0
	assert_contains "$output" "complete -o filenames -F _fwatch fwatch"
	run_fwatch --completions tcsh
	assert_status 1
	assert_contains "$stderr" "--completions: 'tcsh' is not bash, zsh or fish"
}
