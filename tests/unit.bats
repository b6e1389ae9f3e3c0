#!/usr/bin/env bats
# Unit tests of portable code that no platform's suite reaches alone.
# `make test` builds them (tests/unit/) before running bats.

@test "Windows records: parsing, rename pairing and UTF-16 names (21 checks)" {
	run "$BATS_TEST_DIRNAME/unit/test_win_notify"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"not ok"* ]]
	[[ "$output" == *"1..21"* ]]
}

@test "Windows command lines: C runtime and cmd.exe quoting, environment blocks, PATHEXT (29 checks)" {
	run "$BATS_TEST_DIRNAME/unit/test_win_cmdline"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"not ok"* ]]
	[[ "$output" == *"1..29"* ]]
}

@test "listing diff: creates, deletes, moves within and across directories, changes (40 checks)" {
	run "$BATS_TEST_DIRNAME/unit/test_listing"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"not ok"* ]]
	[[ "$output" == *"1..40"* ]]
}

@test "gitignore rules: syntax, each kind of pattern, classes, stacked lists, core.excludesFile, pathological patterns and the rule index against a plain scan (252 checks)" {
	run "$BATS_TEST_DIRNAME/unit/test_gitignore"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"not ok"* ]]
	[[ "$output" == *"1..252"* ]]
}

@test "fanotify records: merged kinds in order, renames, a directory's own news and its end, bad buffers, records placed below a tree watched whole (39 checks)" {
	run "$BATS_TEST_DIRNAME/unit/test_fan_parse"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"not ok"* ]]
	[[ "$output" == *"1..39"* ]]
}

@test "fanotify's trees watched whole: which tree a directory is below, the deepest, / itself, unknown paths, directories kept until their end (30 checks)" {
	run "$BATS_TEST_DIRNAME/unit/test_fan_subtree"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"not ok"* ]]
	[[ "$output" == *"1..30"* ]]
}

@test "fanotify's map of directory handles: keys short and long, deletes, 200,000 random steps (21 checks)" {
	run "$BATS_TEST_DIRNAME/unit/test_fhmap"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"not ok"* ]]
	[[ "$output" == *"1..21"* ]]
}

@test "fanotify's paths: where each event's directories were, with renames, exchanges, deletes, overflows and reads cut anywhere, on a simulated filesystem and 10,000 random sequences (49 checks)" {
	run "$BATS_TEST_DIRNAME/unit/test_fan_paths"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"not ok"* ]]
	[[ "$output" == *"1..49"* ]]
}

@test "fuzz corpora replay with no crash, leak or timeout (glob, format, Windows records, UTF-16, options, Windows command lines, gitignore, --tail chunks, fanotify records, FSEvents batches, fanotify paths)" {
	run "$BATS_TEST_DIRNAME/fuzz/run" --replay
	echo "$output"
	# 77: nothing could be replayed here; its last line says why
	if [ "$status" -eq 77 ]; then
		skip "${lines[-1]:-tests/fuzz/run --replay exited 77 without a reason}"
	fi
	[ "$status" -eq 0 ]
	[[ "$output" != *"failed"* ]]
	# every target of the script was replayed, none left out
	local targets
	targets=$(sed -n 's/^all="\(.*\)"$/\1/p' "$BATS_TEST_DIRNAME/fuzz/run")
	[[ -n $targets ]] || { echo "no all=\"...\" list of targets in tests/fuzz/run"; false; }
	for t in $targets; do
		[[ $output =~ (^|$'\n')"fuzz: $t: "[^$'\n']*" replayed, ok" ]] ||
			{ echo "no 'fuzz: $t: ... replayed, ok' line"; false; }
	done
}

@test "a directory held for polling: listing, renamed and removed while held (37 checks)" {
	run "$BATS_TEST_DIRNAME/unit/test_sys_pdir" "$BATS_TEST_TMPDIR"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"not ok"* ]]
	[[ "$output" == *"1..37"* ]]
}

@test "patterns written as absolute paths tied to their PATH, fwatch's own output found, a file looked for by device and inode (23 checks)" {
	run "$BATS_TEST_DIRNAME/unit/test_anchor" "$BATS_TEST_TMPDIR"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"not ok"* ]]
	[[ "$output" == *"1..23"* ]]
}

@test "the default ignores under --exec: what is noise, what is not, and the man page lists the set (73 checks)" {
	run "$BATS_TEST_DIRNAME/unit/test_noise" "$BATS_TEST_DIRNAME/../man/fwatch.1"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"not ok"* ]]
	[[ "$output" == *"1..73"* ]]
}

@test "a file held open: read, appended to, renamed, replaced under its name and deleted while held (29 checks)" {
	run "$BATS_TEST_DIRNAME/unit/test_sys_file" "$BATS_TEST_TMPDIR"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"not ok"* ]]
	[[ "$output" == *"1..29"* ]]
}

@test "a small file read whole: its bytes, the size cap, a directory, a FIFO; entries looked at after their listing (11 checks)" {
	run "$BATS_TEST_DIRNAME/unit/test_sys_read" "$BATS_TEST_TMPDIR"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"not ok"* ]]
	[[ "$output" == *"1..11"* ]]
}

@test "--tail --json chunks: never inside a UTF-8 character, at line ends, text apart from bytes that are not (27 checks)" {
	run "$BATS_TEST_DIRNAME/unit/test_tail_chunk"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"not ok"* ]]
	[[ "$output" == *"1..27"* ]]
}
