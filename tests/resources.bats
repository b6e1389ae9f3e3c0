#!/usr/bin/env bats
# Resources over a long run, and signals at awkward moments (issue 7).

load helpers

# watches PID: the number of inotify watches PID holds (with fanotify,
# its filesystem marks: one for a tree on one filesystem).
watches() {
	local f n=0
	for f in /proc/"$1"/fdinfo/*; do
		n=$((n + $(grep -c -E '^(inotify wd|fanotify sdev):' "$f" 2>/dev/null || true)))
	done
	echo "$n"
}

fds() {
	ls /proc/"$1"/fd | wc -l
}

# catches_term PID: PID has a handler for SIGTERM (bit 15 of SigCgt).
catches_term() {
	local key mask
	while read -r key mask; do
		[[ $key == SigCgt: ]] && return $(((16#$mask >> 14 & 1) == 0))
	done <"/proc/$1/status"
	return 1
}

# term_handled_or_gone PID
term_handled_or_gone() {
	catches_term "$1" || ! _fw_alive "$1"
}

@test "after 200 create/delete cycles of a 30-directory subtree, watches and descriptors are back where they started" {
	[[ -d /proc/self/fdinfo ]] || skip "needs /proc/PID/fdinfo (Linux)"
	start_fwatch -r .
	local w0 f0
	w0=$(watches "$FW_PID")
	f0=$(fds "$FW_PID")
	[ "$w0" -eq 1 ]
	for i in $(seq 1 200); do
		mkdir -p "s$i"/{a,b,c}/{d,e,f}/{g,h}
		rm -r "s$i"
	done
	mark .
	wait_until 5 "the watch count to come back to $w0" \
		eval '[ "$(watches "$FW_PID")" -eq "$w0" ]'
	[ "$(fds "$FW_PID")" -eq "$f0" ]
}

@test "SIGTERM during the startup scan of 20,000 directories exits 143 at once, printing nothing half-written" {
	python3 -c '
import os
for i in range(200):
    for j in range(100):
        os.makedirs(f"t/d{i}/e{j}")
'
	grep -q '^SigCgt:' /proc/self/status || skip "needs SigCgt in /proc/PID/status (Linux) to see fwatch ready for the signal"
	_fw_scan_args -r --json .
	_fw_launch --ready -r --json .
	# its handler is in place: the scan begins now
	wait_until 5 "fwatch to catch SIGTERM" term_handled_or_gone "$FW_PID"
	kill -TERM "$FW_PID"
	wait_exit "$FW_PID" 5
	if grep -q '; ready$' "$FW_ERR"; then
		skip "the scan of 20,000 directories ended before the signal could be sent"
	fi
	[ "$status" -eq 143 ]
	# whatever was printed is whole JSON lines
	if [[ -s $FW_OUT ]]; then
		jq -e . "$FW_OUT" >/dev/null
		[[ $(tail -c1 "$FW_OUT" | od -An -c | tr -d ' ') == '\n' ]]
	fi
}

@test "SIGHUP while a burst is being printed exits 129 with only whole lines" {
	start_fwatch -r .
	python3 -c '
import os
for i in range(3000):
    open(f"f{i}", "w").close()
' &
	local gen=$! n
	fw_track "$gen"
	# the burst is being printed
	wait_for_line "$FW_OUT" '^create '
	kill -HUP "$FW_PID"
	wait_exit "$FW_PID" 5
	[ "$status" -eq 129 ]
	wait "$gen" || true
	n=$(grep -c '^create ' "$FW_OUT")
	((n < 3000)) || skip "the burst was printed in full before the signal could be sent"
	[[ $(tail -c1 "$FW_OUT" | od -An -c | tr -d ' ') == '\n' ]]
	if grep -a -v -E '^(ready|create|modify|attrib|close_write) ' "$FW_OUT" | grep -v -x ready; then
		fail "the lines above are not whole records"
	fi
}
