#!/usr/bin/env bats
# -r: watching whole trees, directories that appear and disappear, -L.
# bats: run --separate-stderr sets $stderr; each @test runs in a subshell
# shellcheck disable=SC2154,SC2030,SC2031

load helpers

@test "without -r a file in a subdirectory is not reported" {
	mkdir -p d/sub
	start_fwatch d
	: >d/sub/f
	mark d
	assert_no_match 'd/sub/f'
}

@test "with -r a file in an existing subdirectory is reported" {
	mkdir -p d/a/b
	start_fwatch -r d
	: >d/a/b/f
	wait_for_record "create d/a/b/f"
}

@test "with -r a directory created later is watched" {
	mkdir d
	start_fwatch -r d
	mkdir d/n
	wait_for_record "create d/n"
	: >d/n/f
	wait_for_record "create d/n/f"
}

@test "mkdir -p followed at once by a write never misses the file (50 rounds)" {
	mkdir d
	start_fwatch -q -r d
	expected=()
	for i in $(seq 1 50); do
		mkdir -p "d/r$i/a/b/c/d" && echo x >"d/r$i/a/b/c/d/f"
		expected+=("create d/r$i/a/b/c/d/f")
	done
	wait_for_records 10 "${expected[@]}"
}

@test "mkdir -p reports create for every directory it made" {
	mkdir d
	start_fwatch -r d
	mkdir -p d/a/b/c
	wait_for_records 5 "create d/a" "create d/a/b" "create d/a/b/c"
	: >d/a/b/c/f
	wait_for_record "create d/a/b/c/f"
}

@test "a directory moved into the tree reports it and everything inside as create" {
	mkdir d
	mkdir -p "$OUTSIDE/m/y"
	echo 1 >"$OUTSIDE/m/x"
	echo 2 >"$OUTSIDE/m/y/z"
	start_fwatch -r d
	mv "$OUTSIDE/m" d/m
	wait_for_records 5 "create d/m" "create d/m/x" "create d/m/y" "create d/m/y/z"
	# and the moved-in directories are watched from now on
	: >d/m/y/new
	wait_for_record "create d/m/y/new"
}

@test "a directory moved out of the tree is one delete and is no longer watched" {
	mkdir -p d/s/inner
	echo x >d/s/f
	start_fwatch -r d
	mv d/s "$OUTSIDE/s"
	wait_for_record "delete d/s"
	: >"$OUTSIDE/s/g"
	: >"$OUTSIDE/s/inner/h"
	echo more >>"$OUTSIDE/s/f"
	mark d
	assert_no_match 'd/s/'
	assert_no_match 'outside'
	assert_record_count 1 "delete d/s"
}

@test "a directory renamed within the tree: later changes inside report the new path" {
	mkdir -p d/old/sub
	echo x >d/old/f
	echo y >d/old/sub/h
	start_fwatch -r d
	mv d/old d/new
	wait_for_record "rename d/old -> d/new"
	echo more >>d/new/f
	wait_for_record "modify d/new/f"
	echo more >>d/new/sub/h
	wait_for_record "modify d/new/sub/h"
	: >d/new/sub/g
	wait_for_record "create d/new/sub/g"
	assert_no_match '^[a-z_]+ d/old/'
}

@test "a directory renamed twice keeps reporting the latest path" {
	mkdir -p d/one/deep
	start_fwatch -r d
	mv d/one d/two
	wait_for_record "rename d/one -> d/two"
	mv d/two d/three
	wait_for_record "rename d/two -> d/three"
	: >d/three/deep/f
	wait_for_record "create d/three/deep/f"
}

@test "a directory moved to another place in the tree keeps being watched" {
	mkdir -p d/a d/b/moved
	start_fwatch -r d
	mv d/b/moved d/a/moved
	wait_for_record "rename d/b/moved -> d/a/moved"
	: >d/a/moved/f
	wait_for_record "create d/a/moved/f"
}

@test "rm -r of a subtree reports delete for every file and directory in it" {
	mkdir -p d/t/b
	: >d/t/a
	: >d/t/b/c
	start_fwatch -r d
	rm -r d/t
	wait_for_records 5 "delete d/t/a" "delete d/t/b/c" "delete d/t/b" "delete d/t"
}

@test "a directory deleted and created again under the same name is watched" {
	mkdir -p d/s
	start_fwatch -r d
	rmdir d/s
	wait_for_record "delete d/s"
	mkdir d/s
	wait_for_record "create d/s"
	: >d/s/f
	wait_for_record "create d/s/f"
}

@test "cp -r of a tree into the watched tree reports every file" {
	mkdir d
	mkdir -p "$OUTSIDE/tree/a/b" "$OUTSIDE/tree/c"
	for f in 1 2 3; do
		echo "$f" >"$OUTSIDE/tree/a/b/f$f"
		echo "$f" >"$OUTSIDE/tree/c/g$f"
	done
	start_fwatch -r d
	cp -r "$OUTSIDE/tree" d/
	wait_for_records 5 "create d/tree" "create d/tree/a" "create d/tree/a/b" "create d/tree/c" \
		"create d/tree/a/b/f1" "create d/tree/a/b/f2" "create d/tree/a/b/f3" \
		"create d/tree/c/g1" "create d/tree/c/g2" "create d/tree/c/g3"
}

@test "tar x into the watched tree reports every file" {
	mkdir -p "$OUTSIDE/src/x/y"
	echo 1 >"$OUTSIDE/src/x/one"
	echo 2 >"$OUTSIDE/src/x/y/two"
	tar -C "$OUTSIDE/src" -cf "$OUTSIDE/t.tar" x
	mkdir d
	start_fwatch -r d
	tar -C d -xf "$OUTSIDE/t.tar"
	wait_for_records 5 "create d/x" "create d/x/y" "create d/x/one" "create d/x/y/two"
}

@test "git checkout of a branch that adds a directory tree reports create for every added file" {
	git init -q -b main d
	g() { git -C d -c user.name=t -c user.email=t@t "$@"; }
	echo readme >d/README
	g add README
	g commit -q -m base
	g checkout -q -b feature
	mkdir -p d/src/lib/deep d/docs
	for f in src/main.c src/lib/a.c src/lib/b.c src/lib/deep/c.c docs/guide.md; do
		echo "$f" >"d/$f"
	done
	g add .
	g commit -q -m feature
	g checkout -q main
	[[ ! -e d/src ]]

	start_fwatch -q -r -e create d
	g checkout -q feature
	wait_for_records 10 "create d/src" "create d/src/lib" "create d/src/lib/deep" "create d/docs" \
		"create d/src/main.c" "create d/src/lib/a.c" "create d/src/lib/b.c" \
		"create d/src/lib/deep/c.c" "create d/docs/guide.md"
}

@test "editor-style save (write a swap file, mv it over the original) is a rename onto the file" {
	skip_if_poll "a swap file that lives less than one interval"
	mkdir -p d/sub
	echo old >d/sub/f.txt
	start_fwatch -r d
	echo new >d/sub/.f.txt.swp
	mv d/sub/.f.txt.swp d/sub/f.txt
	wait_for_record "rename d/sub/.f.txt.swp -> d/sub/f.txt"
	# the tree is still watched afterwards
	echo again >>d/sub/f.txt
	wait_for_record "modify d/sub/f.txt"
	: >d/sub/other
	wait_for_record "create d/sub/other"
}

@test "backup-style save (rename the original away, write a new file) is reported" {
	mkdir d
	echo old >d/f.txt
	start_fwatch -r d
	mv d/f.txt d/f.txt~
	echo new >d/f.txt
	wait_for_records 5 "rename d/f.txt -> d/f.txt~" "create d/f.txt" "modify d/f.txt"
}

@test "symbolic links to directories are not followed without -L" {
	mkdir -p d "$OUTSIDE/real"
	ln -s "$OUTSIDE/real" d/link
	start_fwatch -r d
	: >"$OUTSIDE/real/f"
	mark d
	assert_no_match 'link/f'
}

@test "-L follows symbolic links to directories" {
	mkdir -p d "$OUTSIDE/real/sub"
	ln -s "$OUTSIDE/real" d/link
	start_fwatch -r -L d
	: >"$OUTSIDE/real/f"
	wait_for_record "create d/link/f"
	: >"$OUTSIDE/real/sub/g"
	wait_for_record "create d/link/sub/g"
}

@test "-L with a symbolic link loop watches each directory once and still works" {
	mkdir -p d/a
	ln -s .. d/a/loop
	start_fwatch -r -L d
	grep -q -x -E 'fwatch: watching 2 directories under 1 path with [^;]+; ready' "$FW_ERR" ||
		fail "unexpected watching line: $(cat "$FW_ERR")"
	: >d/a/f
	wait_for_record "create d/a/f"
}

@test "a 20,000 file burst is reported in full, or an overflow is reported" {
	mkdir -p d/burst
	start_fwatch -q -r -e create d
	python3 -c '
import os, sys
base = sys.argv[1]
for i in range(20000):
    os.close(os.open(os.path.join(base, "f%05d" % i), os.O_WRONLY | os.O_CREAT, 0o644))
' d/burst
	deadline=$((SECONDS + 60))
	while :; do
		if grep -a -q -E '^overflow ?$' "$FW_OUT"; then
			overflow=1
			break
		fi
		n=$(grep -a '^create d/burst/f[0-9]*$' "$FW_OUT" | sort -u | wc -l)
		((n == 20000)) && break
		((SECONDS < deadline)) || fail "after 60s only $n of 20000 creates and no overflow record"
		sleep 0.2
	done
	# whatever happened, the tree is still watched
	: >d/after
	wait_for_record "create d/after" 20
	if [[ -z ${overflow:-} ]]; then
		n=$(grep -a -c '^create d/burst/' "$FW_OUT")
		((n == 20000)) || fail "expected 20000 create records for d/burst, got $n (duplicates?)"
	fi
}

@test "with -r -e modify, new directories are still followed" {
	mkdir d
	start_fwatch -r -e modify d
	mkdir -p d/n/m
	echo x >d/n/m/f
	wait_for_record "modify d/n/m/f"
	assert_no_match '^create '
}

@test "with -r -e modify, files in a renamed directory are reported under the new path" {
	mkdir -p d/old
	echo x >d/old/f
	start_fwatch -r -e modify d
	mv d/old d/new
	echo y >>d/new/f
	wait_for_record "modify d/new/f"
	assert_no_match 'd/old'
}

@test "a file moved from one subdirectory to another is one rename" {
	mkdir -p d/a d/b
	echo x >d/a/f
	start_fwatch -r d
	mv d/a/f d/b/f
	wait_for_record "rename d/a/f -> d/b/f"
	mark d
	assert_no_match '^(create|delete) d/[ab]/f$'
}

@test "renaming a directory and at once creating a file in it reports the new name" {
	mkdir -p d/old
	start_fwatch -r d
	mv d/old d/new && : >d/new/f
	wait_for_records 5 "rename d/old -> d/new" "create d/new/f"
	assert_no_match 'd/old/'
}

@test "a directory moved out and back in under another name is watched again" {
	mkdir -p d/s/t
	start_fwatch -r d
	mv d/s "$OUTSIDE/s"
	wait_for_record "delete d/s"
	: >"$OUTSIDE/s/while-out"
	mv "$OUTSIDE/s" d/back
	wait_for_records 5 "create d/back" "create d/back/t" "create d/back/while-out"
	: >d/back/t/f
	wait_for_record "create d/back/t/f"
	assert_no_match 'd/s/'
}

@test "the mkdir -p race reports each file exactly once" {
	mkdir d
	start_fwatch -q -r d
	for i in $(seq 1 50); do
		mkdir -p "d/r$i/a/b" && echo x >"d/r$i/a/b/f"
	done
	expected=()
	for i in $(seq 1 50); do expected+=("create d/r$i/a/b/f"); done
	wait_for_records 10 "${expected[@]}"
	mark d
	dups=$(grep '^create ' "$FW_OUT" | sort | uniq -d)
	[[ -z $dups ]] || fail "reported more than once:" "$dups"
}

@test "-r on a tree of 2,000 directories is ready quickly and watches the deepest one" {
	mkdir d
	(cd d && for i in $(seq 1 40); do for j in $(seq 1 50); do echo "$i/$j"; done; done | xargs mkdir -p)
	mkdir -p d/40/50/deep
	start=$SECONDS
	start_fwatch -q -r d
	((SECONDS - start <= 5)) || fail "took $((SECONDS - start))s to get ready"
	: >d/40/50/deep/f
	wait_for_record "create d/40/50/deep/f"
}
