#!/usr/bin/env bats
# Unit tests of portable code that no platform's suite reaches alone.
# `make test` builds them (tests/unit/) before running bats.

@test "Windows records: parsing, rename pairing and UTF-16 names (23 checks)" {
	run "$BATS_TEST_DIRNAME/unit/test_win_notify"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"not ok"* ]]
	[[ "$output" == *"1..23"* ]]
}
