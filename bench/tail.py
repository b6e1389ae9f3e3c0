#!/usr/bin/env python3
"""Following a log: fwatch --tail against GNU tail -F and tail
--follow=name, on the same writer, in one run, printed as one table.

    python3 bench/tail.py [--quick] [--runs N] [--fwatch PATH]
                          [--logwrite PATH] [--json FILE]

Each follower follows app.log in a fresh directory, its stdout a pipe
read here; the writer is bench/logwrite (numbered lines of 56 bytes, one
write() each, as fast as it can):

  full speed     500,000 lines (--quick: 100,000), no rotation
  rotation       50,000 lines, renamed away at 25,000 (mv app.log
                 app.log.1, a new app.log)
  two rotations  50,000 lines, renamed at 16,667 and at 33,334
  stopped        50,000 lines, renamed at 25,000 while the follower is
                 stopped (SIGSTOP) for 200 ms: it reads late
  twice stopped  50,000 lines, renamed at 16,667 and at 33,334, the
                 follower stopped from before the first to 200 ms after
                 the second: the file in between lived and went unseen
  latency        200 lines (--quick: 50) written 10 ms apart: from the
                 write() to the read() of this end of the pipe that
                 brings the whole line

For each: lines lost, lines printed twice, lines out of order, lines
that are not lines written (a rotation read by name mixes files), CPU
(user+sys from wait4(), start-up and exit included), and catch-up, from
the writer's end to the last byte out.  --runs repeats the writer rows
(default 3, --quick 1) and the table shows the worst of loss and the
median of CPU and catch-up.  Figures are printed, nothing is asserted:
this is not a test (tests/tail.bats is).  Python 3 standard library only.
"""

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

LINE = 56
ROW_RE = re.compile(rb"^(\d{8}) [a-z]0{45}$")


class Reader(threading.Thread):
    """Reads the follower's stdout as it comes, with the time of each read."""

    def __init__(self, fd):
        super().__init__(daemon=True)
        self.fd = fd
        self.data = bytearray()
        self.reads = []  # (perf_counter_ns after the read, total length)
        self.lock = threading.Lock()

    def run(self):
        while True:
            try:
                b = os.read(self.fd, 1 << 20)
            except OSError:
                break
            t = time.perf_counter_ns()
            if not b:
                break
            with self.lock:
                self.data += b
                self.reads.append((t, len(self.data)))

    def size(self):
        with self.lock:
            return len(self.data), (self.reads[-1][0] if self.reads else 0)


def start(cmd, cwd):
    r, w = os.pipe()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=w, stderr=subprocess.DEVNULL,
                         stdin=subprocess.DEVNULL)
    os.close(w)
    rd = Reader(r)
    rd.start()
    time.sleep(0.5)  # all alike: tail says nothing when it is ready
    return p, rd, r


def stop(p, rd, r):
    """SIGTERM, reap: CPU seconds (user+sys) from wait4()."""
    try:
        p.send_signal(signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + 5
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            p.kill()
            pid, status, ru = os.wait4(p.pid, 0)
            break
        time.sleep(0.01)
    p.returncode = status
    rd.join(timeout=2)
    os.close(r)
    return ru.ru_utime + ru.ru_stime


def wait_output(rd, want, quiet=2.0, limit=60.0):
    """Until WANT bytes are out, or nothing came for QUIET seconds."""
    t0 = time.monotonic()
    last, n = t0, -1
    while time.monotonic() - t0 < limit:
        size, _ = rd.size()
        if size >= want:
            return
        if size != n:
            n, last = size, time.monotonic()
        elif time.monotonic() - last > quiet:
            return
        time.sleep(0.002)


def judge(data, lines):
    """Lines lost, printed twice, out of order, and not lines written."""
    seen = bytearray(lines)
    dup = disorder = bad = 0
    prev = -1
    for l in bytes(data).split(b"\n")[:-1] if data else []:
        m = ROW_RE.match(l)
        if not m:
            bad += 1
            continue
        n = int(m.group(1))
        if n >= lines or l[9] != ord("a") + n % 26:
            bad += 1
            continue
        if seen[n]:
            dup += 1
        seen[n] = 1
        if n < prev:
            disorder += 1
        prev = n
    if data and not data.endswith(b"\n"):
        bad += 1
    return {"lost": lines - sum(seen), "dup": dup, "disorder": disorder,
            "bad": bad, "bytes": len(data)}


def writer_row(a, cmd, lines, rot, stopped):
    """STOPPED: 0 no, 1 at each rotation, 2 once across all of them."""
    d = tempfile.mkdtemp(prefix="tail-", dir=a.tmp)
    try:
        open(os.path.join(d, "app.log"), "wb").close()
        p, rd, r = start(cmd, d)
        args = [a.logwrite]
        for k in rot:
            args += ["-r", str(k)]
        if stopped:
            args += ["-s", str(p.pid), "-m", "200"] + (["-1"] if stopped == 2 else [])
        t0 = time.perf_counter_ns()
        subprocess.run(args + ["app.log", str(lines)], cwd=d, check=True,
                       stderr=subprocess.DEVNULL)
        t1 = time.perf_counter_ns()
        wait_output(rd, lines * LINE)
        size, tlast = rd.size()
        cpu = stop(p, rd, r)
        out = judge(rd.data, lines)
        out.update({"cpu_ms": cpu * 1000, "writer_ms": (t1 - t0) / 1e6,
                    "catchup_ms": max(0, tlast - t1) / 1e6 if size else None})
        return out
    finally:
        shutil.rmtree(d, ignore_errors=True)


def latency_row(a, cmd, n):
    d = tempfile.mkdtemp(prefix="tail-", dir=a.tmp)
    try:
        path = os.path.join(d, "app.log")
        open(path, "wb").close()
        p, rd, r = start(cmd, d)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        sent = []
        for i in range(n):
            line = b"%08d %c%045d\n" % (i, ord("a") + i % 26, 0)
            sent.append(time.perf_counter_ns())
            os.write(fd, line)
            time.sleep(0.01)
        os.close(fd)
        wait_output(rd, n * LINE, quiet=1.0)
        stop(p, rd, r)
        lat = []
        for i, t in enumerate(sent):
            end = (i + 1) * LINE  # the read that brought line i whole
            got = next((tr for tr, total in rd.reads if total >= end), None)
            if got is not None:
                lat.append((got - t) / 1e6)
        lat.sort()
        if not lat:
            return {"median_ms": None, "p90_ms": None, "max_ms": None,
                    "samples": 0}
        return {"median_ms": statistics.median(lat),
                "p90_ms": lat[int(0.9 * (len(lat) - 1))],
                "max_ms": lat[-1], "samples": len(lat)}
    finally:
        shutil.rmtree(d, ignore_errors=True)


def worst(runs):
    """Loss figures: the worst run; CPU and catch-up: the median."""
    out = {}
    for k in ("lost", "dup", "disorder", "bad"):
        out[k] = max(r[k] for r in runs)
    for k in ("cpu_ms", "catchup_ms", "writer_ms"):
        v = [r[k] for r in runs if r[k] is not None]
        out[k] = statistics.median(v) if v else None
    return out


def fmt_ms(v):
    return "n/a" if v is None else ("%.1f" % v if v < 10 else "%.0f" % v)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--runs", type=int)
    ap.add_argument("--fwatch", default=os.path.join(here, "..", "fwatch"))
    ap.add_argument("--logwrite", default=os.path.join(here, "logwrite"))
    ap.add_argument("--json")
    a = ap.parse_args()
    a.runs = a.runs or (1 if a.quick else 3)
    a.tmp = tempfile.mkdtemp(prefix="fwatch-tail-bench-")
    a.fwatch = os.path.abspath(a.fwatch)
    a.logwrite = os.path.abspath(a.logwrite)
    tail = shutil.which("tail")
    followers = [("fwatch --tail", [a.fwatch, "--tail", "app.log"])]
    if tail:
        followers += [("tail -F", [tail, "-n", "0", "-F", "app.log"]),
                      ("tail --follow=name",
                       [tail, "-n", "0", "--follow=name", "app.log"])]
    big = 100000 if a.quick else 500000
    rows = [("full speed, %d lines" % big, big, [], 0),
            ("rotation at 25,000 of 50,000", 50000, [25000], 0),
            ("two rotations", 50000, [16667, 33334], 0),
            ("rotation while stopped 200 ms", 50000, [25000], 1),
            ("two rotations while stopped", 50000, [16667, 33334], 2)]
    results = {}
    try:
        for title, lines, rot, stopped in rows:
            for name, cmd in followers:
                print("# %s: %s" % (title, name), file=sys.stderr)
                runs = [writer_row(a, cmd, lines, rot, stopped)
                        for _ in range(a.runs)]
                results.setdefault(title, {})[name] = {"runs": runs,
                                                       "shown": worst(runs)}
        n = 50 if a.quick else 200
        for name, cmd in followers:
            print("# latency: %s" % name, file=sys.stderr)
            results.setdefault("latency", {})[name] = latency_row(a, cmd, n)
    finally:
        shutil.rmtree(a.tmp, ignore_errors=True)

    names = [f[0] for f in followers]
    ver = subprocess.run([tail, "--version"], capture_output=True,
                         text=True).stdout.split("\n")[0] if tail else "none"
    print("Following app.log (%s; %d run%s per writer row; loss: the worst "
          "run, CPU and catch-up: the median)" %
          (ver, a.runs, "" if a.runs == 1 else "s"))
    print()
    print("| writer | follower | lost | twice | out of order | not written "
          "| CPU ms | catch-up ms | writer ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for title, _, _, _ in rows:
        for name in names:
            s = results[title][name]["shown"]
            print("| %s | %s | %d | %d | %d | %d | %s | %s | %s |" %
                  (title, name, s["lost"], s["dup"], s["disorder"], s["bad"],
                   fmt_ms(s["cpu_ms"]), fmt_ms(s["catchup_ms"]),
                   fmt_ms(s["writer_ms"])))
    print()
    print("| latency, write to line read (%d lines, 10 ms apart) | median ms "
          "| p90 ms | max ms |" % (50 if a.quick else 200))
    print("|---|---|---|---|")
    for name in names:
        s = results["latency"][name]
        print("| %s | %s | %s | %s |" % (name, fmt_ms(s["median_ms"]),
                                         fmt_ms(s["p90_ms"]),
                                         fmt_ms(s["max_ms"])))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
