#!/usr/bin/env bats
# Output: text escaping, -0, --format, --json, paths as given, startup line.
# bats: run --separate-stderr sets $stderr; each @test runs in a subshell
# shellcheck disable=SC2154,SC2030,SC2031

load helpers

TIME_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$'

# ---------------------------------------------------------------- startup

@test "the ready record in text mode is the line 'ready', printed first" {
	mkdir d
	start_fwatch d
	: >d/a
	wait_for_record "create d/a"
	assert_equal "$(head -n 1 "$FW_OUT")" "ready"
	assert_record_count 1 ready
}

@test "the watching line on stderr counts directories and paths" {
	mkdir -p d/a/b e
	start_fwatch -r d e
	wait_for_line "$FW_ERR" 'watching'
	assert_watching "$FW_ERR" "4 directories under 2 paths"
}

@test "the watching line uses the singular for one directory and one path" {
	mkdir d
	start_fwatch d
	wait_for_line "$FW_ERR" 'watching'
	assert_watching "$FW_ERR" "1 directory under 1 path"
}

@test "-q suppresses the watching line" {
	mkdir d
	start_fwatch -q d
	mark d
	assert_equal "$(cat "$FW_ERR")" ""
}

# ---------------------------------------------------------------- text escaping

@test "text: a newline in a file name is printed as \\n and the record stays on one line" {
	mkdir d
	start_fwatch d
	: >"d/a"$'\n'"b"
	mark d
	assert_equal "$(records)" 'create d/a\nb'"
create $MARKER"
}

@test "text: tab, carriage return and backslash are escaped" {
	mkdir d
	start_fwatch d
	: >"d/t"$'\t'"b"
	: >"d/c"$'\r'"r"
	: >'d/back\slash'
	wait_for_records 5 'create d/t\tb' 'create d/c\rr' 'create d/back\\slash'
}

@test "text: other control bytes and DEL are printed as \\xHH" {
	mkdir d
	start_fwatch d
	: >"d/x"$'\x01'"y"
	: >"d/e"$'\x1b'"c"
	: >"d/del"$'\x7f'
	wait_for_line "$FW_OUT" '^create d/x\\x01y$'
	wait_for_line "$FW_OUT" '^create d/e\\x(1b|1B)c$'
	wait_for_line "$FW_OUT" '^create d/del\\x(7f|7F)$'
}

@test "text: bytes that are not UTF-8 and UTF-8 characters are written raw" {
	mkdir d
	start_fwatch d
	: >"d/"$'\xff\xfe'
	: >"d/héllo"
	wait_for_records 5 "create d/"$'\xff\xfe' "create d/héllo"
}

@test "text: records can be read with 'while read -r event path'" {
	mkdir d
	start_fwatch d
	: >"d/a b"
	: >"d/-rf"
	mv "d/a b" "d/c d"
	mark d
	got=()
	while read -r event path; do
		got+=("$event=$path")
	done <"$FW_OUT"
	assert_equal "${got[*]}" "ready= create=d/a b create=d/-rf rename=d/a b -> d/c d create=$MARKER"
}

@test "text: both paths of a rename are escaped" {
	mkdir d
	: >"d/a"$'\n'"b"
	start_fwatch d
	mv "d/a"$'\n'"b" "d/c"$'\t'"d"
	wait_for_record 'rename d/a\nb -> d/c\td'
}

# ---------------------------------------------------------------- -0

@test "-0 ends records with NUL and writes paths raw" {
	mkdir d
	start_fwatch -0 d
	: >"d/a"$'\n'"b"
	: >"d/back\\slash"
	: >d/end
	wait_for_record "create d/end"
	python3 - "$FW_OUT" <<-'EOF'
		import sys
		data = open(sys.argv[1], "rb").read()
		assert data.endswith(b"\0"), data
		recs = data.split(b"\0")[:-1]
		want = [b"ready", b"create d/a\nb", b"create d/back\\slash", b"create d/end"]
		assert recs == want, recs
	EOF
}

@test "-0: a rename record has both raw paths" {
	mkdir d
	: >"d/a"$'\n'"b"
	start_fwatch -0 d
	mv "d/a"$'\n'"b" d/c
	: >d/end
	wait_for_record "create d/end"
	python3 - "$FW_OUT" <<-'EOF'
		import sys
		recs = open(sys.argv[1], "rb").read().split(b"\0")
		assert recs == [b"ready", b"rename d/a\nb -> d/c", b"create d/end", b""], recs
	EOF
}

@test "-0 with --json ends each JSON record with NUL" {
	mkdir d
	start_fwatch -0 --json d
	: >"d/a"$'\n'"b"
	: >d/end
	wait_for_line "$FW_OUT" '"path":"d/end"'
	python3 - "$FW_OUT" <<-'EOF'
		import json, sys
		data = open(sys.argv[1], "rb").read()
		assert data.endswith(b"\0"), data
		recs = [json.loads(r.decode("utf-8")) for r in data.split(b"\0")[:-1]]
		assert [r["event"] for r in recs] == ["ready", "create", "create"], recs
		assert recs[1]["path"] == "d/a\nb", recs
		assert b"\n" not in data, data
	EOF
}

# ---------------------------------------------------------------- --format

@test "--format expands %e %p %o %f %w %r %y and %%" {
	mkdir d
	start_fwatch_bare -r --format '%e|%p|%o|%f|%w|%r|%y|%%' d
	mkdir d/sub
	wait_for_record "create|d/sub||sub|d|sub|dir|%"
	echo x >d/sub/file
	wait_for_record "create|d/sub/file||file|d|sub/file|file|%"
	mv d/sub/file d/sub/g
	wait_for_record "rename|d/sub/g|d/sub/file|g|d|sub/g|file|%"
}

@test "--format %w is the watched PATH as given and %r is relative to it" {
	mkdir -p d/s e
	start_fwatch_bare -r --format '%w %r' d/ e
	: >d/s/x
	wait_for_record "d/ s/x"
	: >e/y
	wait_for_record "e y"
}

@test "--format %t is ISO 8601 UTC with microseconds and %s the same time in epoch seconds" {
	mkdir d
	start_fwatch_bare --format '%t %s' d
	before=$EPOCHREALTIME
	: >d/a
	wait_for_line "$FW_OUT" ' '
	after=$EPOCHREALTIME
	read -r t s <"$FW_OUT"
	[[ $t =~ $TIME_RE ]] || fail "bad %t: $t"
	[[ $s =~ ^[0-9]+\.[0-9]{6}$ ]] || fail "bad %s: $s"
	python3 - "$t" "$s" "$before" "$after" <<-'EOF'
		import sys, datetime
		t, s, before, after = sys.argv[1:]
		dt = datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
		assert abs(dt.timestamp() - float(s)) < 2e-6, (t, s)
		assert float(before) - 1 <= float(s) <= float(after) + 1, (before, s, after)
	EOF
}

@test "--format understands the backslash escapes \\t \\n and \\\\" {
	mkdir d
	start_fwatch_bare --format '%e\t%p\\x\n--' d
	: >d/a
	wait_for_line "$FW_OUT" '^--$'
	stop_fwatch
	printf 'create\td/a\\x\n--\n' >"$BATS_TEST_TMPDIR/expected"
	cmp "$BATS_TEST_TMPDIR/expected" "$FW_OUT" || fail "got: $(od -c "$FW_OUT")"
}

@test "--format understands the backslash escape \\0" {
	mkdir d
	start_fwatch_bare --format '%e\0%p' d
	: >d/a
	wait_for_line "$FW_OUT" 'd/a'
	stop_fwatch
	printf 'create\0d/a\n' >"$BATS_TEST_TMPDIR/expected"
	cmp "$BATS_TEST_TMPDIR/expected" "$FW_OUT" || fail "got: $(od -c "$FW_OUT")"
}

@test "--format escapes paths like text output" {
	mkdir d
	start_fwatch_bare --format '%p|%f|%r' d
	: >"d/a"$'\n'"b"
	wait_for_line "$FW_OUT" 'd/a'
	stop_fwatch
	assert_equal "$(cat "$FW_OUT")" 'd/a\nb|a\nb|a\nb'
}

@test "--format with -0 ends records with NUL and writes paths raw" {
	mkdir d
	start_fwatch_bare -0 --format '%e %p' d
	: >"d/a"$'\n'"b"
	: >d/end
	wait_for_record "create d/end"
	stop_fwatch
	printf 'create d/a\nb\0create d/end\0' >"$BATS_TEST_TMPDIR/expected"
	cmp "$BATS_TEST_TMPDIR/expected" "$FW_OUT" || fail "got: $(od -c "$FW_OUT")"
}

@test "--ready with --format expands the format with an empty path" {
	mkdir d
	# shellcheck disable=SC2034 # read by start_fwatch
	FW_READY_RECORD='[ready:]'
	start_fwatch --format '[%e:%p]' d
	: >d/a
	wait_for_record "[create:d/a]"
}

@test "--format with an unknown directive %q is exit 1 with a message" {
	mkdir d
	run_fwatch --format '%e %q' d
	assert_status 1
	assert_equal "$output" ""
	assert_contains "$stderr" "fwatch: --format: unknown directive '%q' (use %% for a literal %)"
}

@test "--format ending in a lone % is exit 1 with a message" {
	mkdir d
	run_fwatch --format '%e 100%' d
	assert_status 1
	assert_equal "$output" ""
	assert_contains "$stderr" "fwatch: --format: "
	assert_contains "$stderr" "'%'"
	assert_contains "$stderr" "(use %% for a literal %)"
}

# ---------------------------------------------------------------- JSON

@test "--json: a create record has the keys time, event, path, dir in that order" {
	mkdir d
	start_fwatch --json d
	: >d/a
	wait_for_json '.event == "create" and .path == "d/a"'
	rec=$(jq -c 'select(.event == "create")' "$FW_OUT")
	assert_equal "$(jq -c 'keys_unsorted' <<<"$rec")" '["time","event","path","dir"]'
	assert_equal "$(jq -c '.dir' <<<"$rec")" false
	t=$(jq -r .time <<<"$rec")
	[[ $t =~ $TIME_RE ]] || fail "bad time: $t"
}

@test "--json: a directory has dir true, also when it is deleted" {
	mkdir d
	start_fwatch --json d
	mkdir d/s
	wait_for_json '.event == "create" and .path == "d/s" and .dir == true'
	rmdir d/s
	wait_for_json '.event == "delete" and .path == "d/s" and .dir == true'
}

@test "--json: a rename has old_path after path" {
	mkdir d
	: >d/a
	start_fwatch --json d
	mv d/a d/b
	wait_for_json '.event == "rename"'
	rec=$(jq -c 'select(.event == "rename")' "$FW_OUT")
	assert_equal "$(jq -c 'keys_unsorted' <<<"$rec")" '["time","event","path","old_path","dir"]'
	assert_equal "$(jq -r '.path + " " + .old_path' <<<"$rec")" "d/b d/a"
}

@test "--json: a renamed directory has dir true" {
	mkdir -p d/s
	start_fwatch --json d
	mv d/s d/t
	wait_for_json '.event == "rename" and .path == "d/t" and .old_path == "d/s" and .dir == true'
}

@test "--json: the ready record has an empty path and counts the watches" {
	mkdir -p d/x/y
	start_fwatch --json -r d
	rec=$(head -n 1 "$FW_OUT")
	assert_equal "$(jq -c 'keys_unsorted' <<<"$rec")" '["time","event","path","dir","watches"]'
	local n=3
	grep -q ' 1 tree whole ' "$FW_ERR" && n=1 # fanotify: one, for the tree
	assert_equal "$(jq -c '[.event, .path, .dir, .watches]' <<<"$rec")" "[\"ready\",\"\",false,$n]"
}

@test "--json stays valid for hostile file names" {
	mkdir d
	ctrl=c
	for i in $(seq 1 31); do
		# shellcheck disable=SC2059 # the format is the escape \xHH
		printf -v ch "\\x$(printf %02x "$i")"
		ctrl+=$ch
	done
	long=$(printf 'L%.0s' $(seq 1 255))
	# shellcheck disable=SC2016 # $(touch pwned) must stay literal
	names=("nl"$'\n'"x" "tab"$'\t'"x" 'quo"te' 'back\slash' '$(touch pwned)' '-rf' "$ctrl" "$long" 'héllo wörld ✓')
	start_fwatch --json d
	for n in "${names[@]}"; do
		: >"d/$n"
	done
	: >"d/"$'\xff\xfe'
	: >d/zz-end
	wait_for_json '.path == "d/zz-end"'

	# every line is a JSON object for jq ...
	while IFS= read -r line; do
		jq -e . >/dev/null <<<"$line" || fail "jq cannot parse: $(cat -v <<<"$line")"
	done <"$FW_OUT"
	# ... and strictly valid UTF-8 JSON without raw control characters
	python3 - "$FW_OUT" <<-'EOF'
		import json, sys
		for raw in open(sys.argv[1], "rb"):
		    assert raw.endswith(b"\n"), raw
		    assert all(b >= 0x20 for b in raw[:-1]), raw
		    rec = json.loads(raw.decode("utf-8", errors="strict"))
		    assert isinstance(rec, dict), raw
	EOF
	for n in "${names[@]}"; do
		jq -e -n --arg p "d/$n" '[inputs | select(.event == "create" and .path == $p)] | length == 1' \
			"$FW_OUT" >/dev/null || fail "no single create record for $(cat -v <<<"d/$n")"
	done
	# the name that is not UTF-8: U+FFFD in path, the exact bytes in path_b64
	rec=$(jq -c 'select(.path_b64)' "$FW_OUT")
	assert_equal "$(jq -r '.path' <<<"$rec")" "d/"$'\xef\xbf\xbd\xef\xbf\xbd'
	assert_equal "$(jq -r '.path_b64' <<<"$rec" | base64 -d | od -An -tx1 | tr -d ' \n')" "642ffffe"
	assert_equal "$(jq -c 'keys_unsorted' <<<"$rec")" '["time","event","path","dir","path_b64"]'
	# nothing was executed
	[[ -z $(find "$BATS_TEST_TMPDIR" -name pwned) ]]
}

@test "--json: a rename from a name that is not UTF-8 has old_path_b64" {
	mkdir d
	: >"d/"$'\xff'
	start_fwatch --json d
	mv "d/"$'\xff' d/fine
	wait_for_json '.event == "rename"'
	rec=$(jq -c 'select(.event == "rename")' "$FW_OUT")
	assert_equal "$(jq -c 'keys_unsorted' <<<"$rec")" '["time","event","path","old_path","dir","old_path_b64"]'
	assert_equal "$(jq -r '.old_path_b64' <<<"$rec" | base64 -d | od -An -tx1 | tr -d ' \n')" "642fff"
	assert_equal "$(jq -r '.path' <<<"$rec")" "d/fine"
}

# ---------------------------------------------------------------- paths as given

@test "paths: 'fwatch -r dir/' prints dir/x, not dir//x" {
	mkdir -p d/s
	start_fwatch -r d/
	: >d/x
	: >d/s/y
	wait_for_records 5 "create d/x" "create d/s/y"
	assert_no_match '//'
}

@test "paths: an event on the watched PATH itself prints the PATH as given" {
	mkdir d
	start_fwatch d/
	chmod 700 d
	wait_for_record "attrib d/"
}

@test "paths: 'fwatch -r .' prints ./x" {
	mkdir -p d/s
	cd d
	start_fwatch -r .
	: >x
	: >s/y
	wait_for_records 5 "create ./x" "create ./s/y"
}

@test "paths: a PATH with .. is kept as given" {
	mkdir -p d sub
	cd sub
	start_fwatch ../d
	: >../d/x
	wait_for_record "create ../d/x"
}

@test "paths: -a prints absolute paths" {
	mkdir -p d/s
	start_fwatch -a -r d
	: >d/s/x
	wait_for_record "create $(pwd -P)/d/s/x"
}

@test "paths: -a with a trailing slash has no double slash" {
	mkdir d
	start_fwatch -a d/
	: >d/x
	wait_for_record "create $(pwd -P)/d/x"
}

@test "paths: -a with . prints the directory's absolute path" {
	mkdir d
	cd d
	start_fwatch -a .
	: >x
	wait_for_record "create $(pwd -P)/x"
}

# ---------------------------------------------------------------- own output

# launch_into FILE REDIR ARGS...: start `fwatch --ready ARGS` with its
# standard output sent to FILE by REDIR ('>', '>>', or both: '>' with
# standard error too), read as fwatch's output by the helpers, and wait
# for its ready record.
launch_into() {
	local file=$1 redir=$2
	shift 2
	FW_OUT=$file
	: >"$FW_ERR"
	if [[ $redir == '>>' ]]; then
		env --default-signal "$FWATCH" "${FW_BACKEND_ARGS[@]}" --ready "$@" \
			</dev/null >>"$file" 2>"$FW_ERR" &
	elif [[ $redir == both ]]; then
		env --default-signal "$FWATCH" "${FW_BACKEND_ARGS[@]}" --ready "$@" \
			</dev/null >"$file" 2>&1 &
	else
		env --default-signal "$FWATCH" "${FW_BACKEND_ARGS[@]}" --ready "$@" \
			</dev/null >"$file" 2>"$FW_ERR" &
	fi
	FW_PID=$!
	fw_track "$FW_PID"
	wait_for_record ready
}

@test "fwatch -r . > out.txt: out.txt holds the change and nothing about itself, and a note says so" {
	mkdir -p d/src
	cd d
	launch_into out.txt '>' -r .
	: >src/q
	wait_for_record "create ./src/q"
	mark .
	assert_no_match 'out\.txt'
	assert_equal "$(records)" "create ./src/q
create $MARKER"
	assert_contains "$(cat "$FW_ERR")" "fwatch: not reporting changes to './out.txt': fwatch's output goes there"
}

@test "fwatch -r . >> out.txt: appended to, and not reported either" {
	mkdir d
	cd d
	echo before >out.txt
	launch_into out.txt '>>' -r .
	: >q
	wait_for_record "create ./q"
	mark .
	assert_no_match 'out\.txt'
	assert_equal "$(head -n 1 out.txt)" before
}

@test "fwatch -r \$PWD/d > d/out.txt: the PATH given absolute, the file relative" {
	mkdir d
	launch_into d/out.txt '>' -r "$PWD/d"
	: >d/q
	wait_for_record "create $PWD/d/q"
	mark "$PWD/d"
	assert_no_match 'out\.txt'
	assert_contains "$(cat "$FW_ERR")" "fwatch: not reporting changes to '$PWD/d/out.txt'"
}

@test "fwatch -r . 2> err.txt: its standard error is not reported either" {
	mkdir d
	cd d
	FW_ERR=$PWD/err.txt
	start_fwatch -r .
	: >q
	wait_for_record "create ./q"
	mark .
	assert_no_match 'err\.txt'
	assert_contains "$(cat err.txt)" "fwatch: not reporting changes to './err.txt': fwatch's error output goes there"
}

@test "fwatch -r . > log 2>&1: one file for both, one note, not reported" {
	mkdir d
	cd d
	launch_into log both -r .
	: >q
	wait_for_record "create ./q"
	mark .
	assert_no_match '^[a-z]+ ./log$'
	[[ $(grep -c 'not reporting' log) == 1 ]] || fail "one note expected: $(cat log)"
	assert_contains "$(cat log)" "fwatch: not reporting changes to './log': fwatch's output and error output go there"
}

@test "stdout to a file outside the watched tree: no note, nothing left out" {
	mkdir d
	start_fwatch -r d
	! grep -q 'not reporting' "$FW_ERR" || fail "unexpected note: $(cat "$FW_ERR")"
	: >d/out.txt
	wait_for_record "create d/out.txt"
}
