#!/usr/bin/env python3
"""fwatch benchmark: fwatch against its own fanotify backend, a minimal C
inotify reader (the floor), inotifywait and fswatch, in one run, printed as
one table.

    python3 bench/bench.py [--quick] [--only ROW[,ROW]] [--json FILE]
                           [--fwatch PATH] [--minread PATH]
                           [--minstat PATH]

ROW is one of: setup, setup100k, burst, latency, race, memory, poll.
See bench/README.md for what each row measures and how.  Python 3 standard
library only.  Figures are printed, nothing is asserted: this is not a test.
"""

import argparse
import datetime
import json
import math
import os
import platform
import random
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# "fanotify" is fwatch --backend fanotify (as root, Linux 5.17 or later);
# "iw-fanotify" an inotifywait of inotify-tools 4.x with --fanotify, given
# with --inotifywait-fanotify (not packaged here: built by hand)
PEERS = ("fanotify", "minread", "inotifywait", "fswatch", "iw-fanotify")
COLUMNS = ("fwatch",) + PEERS
# Ratios beyond fwatch/peer: fanotify against fwatch's own inotify backend
MORE_RATIOS = (("fanotify", "fwatch"), ("fanotify", "minread"))
ROWS = ("setup", "setup100k", "burst", "latency", "race", "memory", "poll")
FSWATCH_LATENCY = "0.1"   # the smallest value fswatch(1) documents

now_ns = time.perf_counter_ns


class BenchError(Exception):
    pass


# --------------------------------------------------------------------------
# Processes: every child is registered here, started in a session of its own,
# and killed and reaped before the program ends, whatever happens.

LIVE = []


def spawn(argv, **kw):
    p = subprocess.Popen(argv, start_new_session=True, close_fds=True, **kw)
    LIVE.append(p)
    return p


def reap(p, timeout):
    """Wait up to timeout seconds for p; return its rusage or None."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        except ChildProcessError:
            p.returncode = p.returncode if p.returncode is not None else -1
            return None
        if pid == p.pid:
            p.returncode = os.waitstatus_to_exitcode(status)
            return ru
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.002)


def exited(p, wait=0.0):
    """p's exit status if it has ended (within wait s), else None; p is not
    reaped, so that stop() still gets its rusage."""
    deadline = time.monotonic() + wait
    while True:
        if p.returncode is not None:
            return p.returncode
        try:
            r = os.waitid(os.P_PID, p.pid,
                          os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return -1
        if r is not None and r.si_pid == p.pid:
            return r.si_status if r.si_code == os.CLD_EXITED \
                else -r.si_status
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.005)


def stop(p, sig=signal.SIGTERM, grace=2.0):
    """Stop p (and whatever it started), reap it, return its rusage."""
    if p.returncode is not None:
        return None
    ru = None
    try:
        os.kill(p.pid, sig)
    except ProcessLookupError:
        pass
    ru = reap(p, grace)
    if p.returncode is None:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        ru = reap(p, 10.0)
    for f in (p.stdin, p.stdout, p.stderr):
        if f:
            f.close()
    if p in LIVE:
        LIVE.remove(p)
    return ru


def stop_all():
    for p in list(LIVE):
        try:
            if p.returncode is None:
                os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        reap(p, 5.0)
        for f in (p.stdin, p.stdout, p.stderr):
            if f:
                try:
                    f.close()
                except OSError:
                    pass
    LIVE.clear()


def on_sigterm(signum, frame):
    raise KeyboardInterrupt


# --------------------------------------------------------------------------
# /proc readings

def proc_status_kib(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def cpu_ns(pid):
    """CPU time so far (user+sys, ns) of all live threads of pid."""
    total = 0
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{t}/schedstat") as f:
                total += int(f.read().split()[0])
        return total
    except (OSError, ValueError, IndexError):
        pass
    try:                                    # no schedstat: clock ticks
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        hz = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) * 10**9 // hz
    except (OSError, ValueError, IndexError):
        return None


def inotify_watches(pid):
    """Number of inotify watches held by pid (lines `inotify wd:` in the
    fdinfo of its inotify descriptors), and of fanotify marks on single
    directories (`fanotify ino:`; a filesystem mark is not counted)."""
    n = 0
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return None
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") not in (
                    "anon_inode:inotify", "anon_inode:[fanotify]"):
                continue
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                n += sum(1 for line in f if line.startswith(
                    ("inotify wd:", "fanotify ino:")))
        except OSError:
            continue
    return n


# --------------------------------------------------------------------------
# The watchers under test: command lines and output parsers

def watcher_argv(name, root, purpose, cfg):
    """purpose: setup, burst, latency, race, memory."""
    # As root fwatch's default moves to fanotify past 50,000 directories:
    # the fwatch column is then its inotify backend, asked for by name.
    inotify = ["--backend", "inotify"] if cfg.have["fanotify"] else []
    if name == "fwatch":
        return [cfg.fwatch] + inotify + ["-r", root]
    if name == "fwatch-json":
        return [cfg.fwatch] + inotify + ["-r", "--json", root]
    if name == "fanotify":
        return [cfg.fwatch, "--backend", "fanotify", "-r", root]
    if name == "minread":
        mode = {"burst": ["count", "-F"], "race": ["race"]}.get(
            purpose, ["print"])
        return [cfg.minread] + mode + [root]
    if name == "inotifywait":
        return ["inotifywait", "-m", "-r", "-e", "create", "-e", "modify",
                "-e", "delete", "-e", "move", "-e", "attrib", root]
    if name == "iw-fanotify":
        return [cfg.iw_fanotify, "-m", "-q", "-r", "--fanotify", "-e",
                "create", "-e", "modify", "-e", "delete", "-e", "move",
                "-e", "attrib", root]
    if name == "fswatch":
        ev = []
        for e in ("Created", "Updated", "Removed", "Renamed", "MovedFrom",
                  "MovedTo", "AttributeModified", "OwnerModified",
                  "Overflow"):
            ev += ["--event", e]
        return ["fswatch", "-m", "inotify_monitor", "-r", "-x",
                "-l", FSWATCH_LATENCY] + ev + [root]
    raise ValueError(name)


def base(name):
    return "fwatch" if name.startswith("fwatch") else name


KINDS = {
    # fwatch text and JSON, minread, inotifywait, fswatch -> common kinds
    "create": "create", "modify": "modify", "delete": "delete",
    "CREATE": "create", "MODIFY": "modify", "DELETE": "delete",
    "Created": "create", "Updated": "modify", "Removed": "delete",
    "overflow": "overflow", "OVERFLOW": "overflow",
    "Q_OVERFLOW": "overflow", "Overflow": "overflow",
}
FSWATCH_FLAGS = {"Created", "Updated", "Removed", "Renamed", "OwnerModified",
                 "AttributeModified", "MovedFrom", "MovedTo", "IsFile",
                 "IsDir", "IsSymLink", "Link", "Overflow", "PlatformSpecific",
                 "NoOp", "CloseWrite"}


def parse_line(name, line):
    """One output line -> list of (kind, path)."""
    if name == "fwatch-json":
        try:
            o = json.loads(line)
        except ValueError:
            return []
        return [(KINDS.get(o.get("event"), o.get("event")),
                 o.get("path", ""))]
    if name in ("fwatch", "fanotify", "minread"):
        kind, _, path = line.partition(" ")
        if " -> " in path:
            path = path.split(" -> ", 1)[1]
        return [(KINDS.get(kind, kind), path)]
    if name == "iw-fanotify" and line.endswith(" (deleted)"):
        line = line[:-len(" (deleted)")]
    if name in ("inotifywait", "iw-fanotify"):
        parts = line.split(" ", 2)
        if len(parts) < 2:
            return []
        path = parts[0] + (parts[2] if len(parts) > 2 else "")
        return [(KINDS.get(f, f), path) for f in parts[1].split(",")]
    if name == "fswatch":
        toks = line.split(" ")
        flags = []
        while len(toks) > 1 and toks[-1] in FSWATCH_FLAGS:
            flags.append(toks.pop())
        path = " ".join(toks)
        return [(KINDS.get(f, f), path) for f in flags]
    raise ValueError(name)


# Fast parsers for the burst output: (regex of events on files f<N>, index of
# the kind group, index of the number group, regex of an overflow record).
BURST_RE = {
    "fwatch": (re.compile(rb"^(create|modify|delete) [^\n]*/f(\d+)$", re.M),
               1, 2, re.compile(rb"^overflow$", re.M)),
    "fwatch-json": (re.compile(
        rb'"event":"(create|modify|delete)","path":"[^"\n]*/f(\d+)"'),
        1, 2, re.compile(rb'"event":"overflow"')),
    "inotifywait": (re.compile(rb"^[^\n]*/ ([A-Z_,]+) f(\d+)$", re.M),
                    1, 2, re.compile(rb"Q_OVERFLOW")),
    "fswatch": (re.compile(rb"^[^\n]*/f(\d+) ([A-Za-z ]+)$", re.M),
                2, 1, re.compile(rb" Overflow\b")),
}
BURST_RE["fanotify"] = BURST_RE["fwatch"]
# inotifywait --fanotify names a file it looks up after it went with
# " (deleted)" after the name
BURST_RE["iw-fanotify"] = (
    re.compile(rb"^[^\n]*/ ([A-Z_,]+) f(\d+)(?: \(deleted\))?$", re.M),
    1, 2, re.compile(rb"Q_OVERFLOW"))
BURST_KIND = {}
for _k, _v in (("create", 0), ("modify", 1), ("delete", 2)):
    for _w in (_k, _k.upper(), {"create": "Created", "modify": "Updated",
                                "delete": "Removed"}[_k]):
        BURST_KIND[_w.encode()] = _v


# --------------------------------------------------------------------------
# Reading a watcher's output, bounded

class PipeReader:
    """Collects what a watcher writes to a pipe, without blocking."""

    def __init__(self, f):
        self.fd = f.fileno()
        self.buf = bytearray()
        os.set_blocking(self.fd, False)

    def pump(self, timeout):
        """Wait up to timeout s for data; append it.  False at EOF."""
        r, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        if not r:
            return True
        try:
            data = os.read(self.fd, 1 << 16)
        except BlockingIOError:
            return True
        if not data:
            return False
        self.buf += data
        return True

    def drain(self):
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                return
            if not data:
                return
            self.buf += data

    def wait_for(self, needle, timeout, start=0):
        """Until needle appears in buf[start:]; returns its time or None."""
        deadline = now_ns() + int(timeout * 1e9)
        pos = start
        while True:
            i = self.buf.find(needle, pos)
            if i >= 0:
                return now_ns()
            pos = max(start, len(self.buf) - len(needle) + 1)
            left = (deadline - now_ns()) / 1e9
            if left <= 0:
                return None
            if not self.pump(min(left, 0.5)):
                i = self.buf.find(needle, pos)
                return now_ns() if i >= 0 else None


class FileTail:
    """Follows a watcher's output file from an offset."""

    def __init__(self, path, offset=0):
        self.f = open(path, "rb")
        self.off = offset

    def size(self):
        return os.fstat(self.f.fileno()).st_size

    def read_new(self):
        self.f.seek(self.off)
        data = self.f.read()
        self.off += len(data)
        return data

    def close(self):
        self.f.close()


def wait_quiet(path, quiet, timeout):
    """Until the file at path has not grown for `quiet` s (bounded)."""
    deadline = time.monotonic() + timeout
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        s = os.path.getsize(path)
        if s != last:
            last, since = s, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return True
        time.sleep(0.01)
    return False


# --------------------------------------------------------------------------
# Helper processes: the prober and the burst generator run as separate
# Python processes (this same file, with a hidden first argument), so that
# this process only measures.

def child_touch(path, interval):
    """Write one byte to path every interval s until killed (or 10 min)."""
    fd = os.open(path, os.O_WRONLY)
    parent = os.getppid()
    end = time.monotonic() + 600
    os.pwrite(fd, b"x", 0)
    sys.stdout.write("go\n")
    sys.stdout.flush()
    while time.monotonic() < end and os.getppid() == parent:
        os.pwrite(fd, b"x", 0)
        time.sleep(interval)


def child_gen(root, n, layout):
    """The burst: n files created, written (one byte), closed and deleted,
    one after the other; prints `done <ns>` at the end."""
    os.chdir(root)
    if layout == "flat":
        paths = [f"f{i}" for i in range(n)]
    else:
        paths = [f"d{i % 1000:03d}/f{i}" for i in range(n)]
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC
    op, wr, cl, ul = os.open, os.write, os.close, os.unlink
    t0 = now_ns()
    for p in paths:
        fd = op(p, flags, 0o644)
        wr(fd, b"x")
        cl(fd)
        ul(p)
    t1 = now_ns()
    sys.stdout.write(f"done {t1 - t0}\n")
    sys.stdout.flush()


def start_toucher(path, interval=0.001):
    p = spawn([sys.executable, os.path.abspath(__file__), "--_touch", path,
               str(interval)], stdout=subprocess.PIPE)
    r = PipeReader(p.stdout)
    if r.wait_for(b"go\n", 10) is None:
        stop(p, signal.SIGKILL)
        raise BenchError("the probe writer did not start")
    return p


# --------------------------------------------------------------------------
# Trees

def make_tree(root, fanout, files_per_leaf):
    """root with len(fanout) levels of subdirectories d0.. (fanout[i] per
    directory at level i) and files_per_leaf empty files in each leaf.
    Returns (dirs, files)."""
    os.mkdir(root)
    level = [root]
    ndirs = 1
    for k in fanout:
        nxt = []
        for d in level:
            for i in range(k):
                p = f"{d}/d{i}"
                os.mkdir(p)
                nxt.append(p)
        ndirs += len(nxt)
        level = nxt
    nfiles = 0
    flags = os.O_CREAT | os.O_WRONLY | os.O_CLOEXEC
    for d in level:
        for i in range(files_per_leaf):
            os.close(os.open(f"{d}/f{i}", flags, 0o644))
        nfiles += files_per_leaf
    return ndirs, nfiles


def last_in_walk(root):
    """The directory a walk in readdir order (depth-first pre-order or
    breadth-first) reaches last: at every level, the last subdirectory that
    readdir returns."""
    d = root
    while True:
        subs = [e.name for e in os.scandir(d) if e.is_dir(follow_symlinks=False)]
        if not subs:
            return d
        d = f"{d}/{subs[-1]}"


def place_probe(root):
    """Make the last-walked deepest leaf also the last created (re-create it
    with its files), and put the probe file in it.  Returns the probe path
    and whether that leaf still comes last in readdir order."""
    leaf = last_in_walk(root)
    if leaf != root:
        files = [e.name for e in os.scandir(leaf)]
        shutil.rmtree(leaf)
        os.mkdir(leaf)
        flags = os.O_CREAT | os.O_WRONLY | os.O_CLOEXEC
        for n in files:
            os.close(os.open(f"{leaf}/{n}", flags, 0o644))
    probe = f"{leaf}/probe"
    os.close(os.open(probe, os.O_CREAT | os.O_WRONLY | os.O_CLOEXEC, 0o644))
    return probe, last_in_walk(root) == leaf


def tree_path(cfg, name):
    """A new path for a tree under the temp dir.  The random part matters
    on ext4: the block group of a new top-level (+T) directory is chosen
    from a hash of its name, and the same name would land the tree in the
    groups freed by the last run (see spread_subdirs)."""
    return os.path.join(cfg.tmp, "t", f"{name}-{os.urandom(4).hex()}")


def rmtree(path):
    shutil.rmtree(path, ignore_errors=True)


def spread_subdirs(path):
    """Ask ext4 to place each new subdirectory of path in a block group of
    its own, as it does for top-level directories (chattr +T).  Without it,
    every fresh tree lands in the groups of the trees just deleted, and on
    an ext4 without a journal each create then skips the recently freed
    inodes one by one: the same workload ran 5 to 20 times slower as the
    run went on.  Returns whether the flag was set."""
    import fcntl
    import struct
    getflags, setflags, topdir = 0x80086601, 0x40086602, 0x00020000
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        flags = struct.unpack("l", fcntl.ioctl(fd, getflags,
                                               struct.pack("l", 0)))[0]
        fcntl.ioctl(fd, setflags, struct.pack("l", flags | topdir))
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


# --------------------------------------------------------------------------
# Rows

def readiness_pipe(p, probe_name, timeout):
    """Read p's stdout until a record naming the probe appears."""
    r = PipeReader(p.stdout)
    t = r.wait_for(probe_name.encode(), timeout)
    return t, r


def row_setup(cfg, res, label, fanout, files_per_leaf, reps):
    root = tree_path(cfg, "setup")
    t0 = time.monotonic()
    ndirs, nfiles = make_tree(root, fanout, files_per_leaf)
    probe, still_last = place_probe(root)
    log(cfg, f"  tree: {ndirs:,} dirs, {nfiles:,} files, built in "
        f"{time.monotonic() - t0:.1f} s; probe in "
        f"{os.path.relpath(os.path.dirname(probe), root)}"
        + ("" if still_last else " (WARNING: no longer last in readdir order)"))
    out = {"dirs": ndirs, "files": nfiles, "probe": probe,
           "probe_last_in_readdir_order": still_last, "runs": {}}
    names = [n for n in ("fwatch",) + PEERS if cfg.have[n]]
    for rep in range(reps):
        for name in names:
            toucher = start_toucher(probe)
            try:
                err = open(os.path.join(cfg.tmp, "out", f"setup-{name}.err"),
                           "wb")
                argv = watcher_argv(name, root, "setup", cfg)
                t_start = now_ns()
                p = spawn(argv, stdout=subprocess.PIPE, stderr=err)
                err.close()
                t_ready, _ = readiness_pipe(p, "probe", cfg.ready_timeout)
                hwm = proc_status_kib(p.pid, "VmHWM")
                watches = inotify_watches(p.pid)
                cpu = cpu_ns(p.pid)
                status = None if t_ready else exited(p, 1.0)
                stop(p)
            finally:
                stop(toucher, signal.SIGKILL)
            run = {"ms": None if t_ready is None else (t_ready - t_start) / 1e6,
                   "hwm_kib": hwm, "watches": watches,
                   "cpu_ms": None if cpu is None else cpu / 1e6}
            if t_ready is None:
                run["exit"] = status
                run["failed"] = why_failed(
                    name, status, os.path.join(cfg.tmp, "out",
                                               f"setup-{name}.err"))
                res.notes.add(f"{name} on {label}: {run['failed']}")
            out["runs"].setdefault(name, []).append(run)
            log(cfg, f"  {name:12} rep {rep + 1}: "
                + (run.get("failed", "") if run["ms"] is None
                   else f"{run['ms']:.1f} ms")
                + f", VmHWM {hwm} KiB, {watches} watches")
    rmtree(root)

    cells = {"ready": {}, "rss": {}, "watches": {}}
    for name in names:
        runs = out["runs"][name]
        ms = [r["ms"] for r in runs if r["ms"] is not None]
        if ms:
            cells["ready"][name] = (statistics.median(ms),
                                    f"{statistics.median(ms):.0f}")
        else:
            cells["ready"][name] = (None, f"exit {runs[-1]['exit']}"
                                    if runs[-1].get("exit") is not None
                                    else "timeout")
        hw = [r["hwm_kib"] for r in runs if r["hwm_kib"]]
        if hw:
            m = statistics.median(hw) / 1024
            cells["rss"][name] = (m, f"{m:.1f}")
        wa = [r["watches"] for r in runs if r["watches"] is not None]
        if wa:
            cells["watches"][name] = (min(wa), f"{min(wa):,}")
    med = f" (median of {reps})" if reps > 1 else ""
    res.table.append((label, f"ready ms{med}", cells["ready"], True))
    res.table.append(("", "peak RSS MiB (VmHWM)", cells["rss"], True))
    res.table.append(("", f"watches at ready (/{ndirs:,} dirs)",
                      cells["watches"], False))
    res.raw[label] = out


def why_failed(name, exitcode, errpath):
    try:
        with open(errpath, "rb") as f:
            lines = f.read().decode("utf-8", "replace").strip().splitlines()
    except OSError:
        lines = []
    last = " / ".join(lines[-2:]) if lines else ""
    if exitcode is None:
        what = "no record for the probe before the time limit"
    else:
        what = f"exited with status {exitcode} before reporting the probe"
    return what + (f" ({last})" if last else "")


def burst_one(cfg, name, layout, n):
    """One watcher, one fresh tree, one burst.  Returns a dict."""
    root = tree_path(cfg, f"burst-{name}-{layout}-{n}")
    os.makedirs(root)
    if layout == "spread":
        for i in range(1000):
            os.mkdir(f"{root}/d{i:03d}")
    probe, _ = place_probe(root)
    outpath = os.path.join(cfg.tmp, "out", f"burst-{name}.out")
    errpath = os.path.join(cfg.tmp, "out", f"burst-{name}.err")
    counting = name == "minread"
    settle = 0.4 if name == "fswatch" else 0.1
    res = {"n": n, "layout": layout}
    with open(outpath, "wb") as out, open(errpath, "wb") as err:
        p = spawn(watcher_argv(name, root, "burst", cfg), stdout=out,
                  stderr=subprocess.PIPE if counting else err)
    cnt = PipeReader(p.stderr) if counting else None
    tail = FileTail(outpath)
    gen = None
    try:
        # Ready: a record for the probe (or, for the counting reader, a
        # non-zero count) while the probe is written every millisecond.
        toucher = start_toucher(probe)
        try:
            deadline = time.monotonic() + cfg.ready_timeout
            ready = False
            while time.monotonic() < deadline and not ready:
                if exited(p) is not None:
                    break
                if counting:
                    ready = minread_count(p, cnt)[0] > 0
                else:
                    ready = b"probe" in tail.read_new()
                time.sleep(0.002)
        finally:
            stop(toucher, signal.SIGKILL)
        if not ready:
            raise BenchError(f"{name} not ready for the burst: " + why_failed(
                name, exited(p), errpath))
        time.sleep(settle)
        if counting:
            base_count = minread_count(p, cnt)[0]
            expected = 3 * n     # -F: create, modify, delete per file
        else:
            base_off = tail.size()
        cpu0 = cpu_ns(p.pid)

        gen = spawn([sys.executable, os.path.abspath(__file__), "--_gen",
                     root, str(n), layout], stdout=subprocess.PIPE)
        gr = PipeReader(gen.stdout)
        if gr.wait_for(b"\n", 60 + n * 1e-4) is None:
            raise BenchError("burst generator did not finish")
        t_end = now_ns()
        res["workload_ms"] = int(gr.buf.split()[1]) / 1e6

        # Drain: until the delete of the last file is out (bounded; also
        # given up after a quiet spell with nothing new).
        limit = t_end + int(max(20, n * 5e-5) * 1e9)
        quiet_ns = int((3.0 if name == "fswatch" else 2.0) * 1e9)
        t_drained = None
        if counting:
            last, since = -1, now_ns()
            while now_ns() < limit:
                c, ov = minread_count(p, cnt)
                if c - base_count >= expected:
                    t_drained = now_ns()
                    break
                if c != last:
                    last, since = c, now_ns()
                elif now_ns() - since > quiet_ns:
                    break
                time.sleep(0.0005)
        else:
            # The delete of the last file is the last record the workload
            # causes, so once written it stays at the very end of the file:
            # looking at the last few KiB after each growth is enough.
            token = f"/f{n - 1}"
            fd = tail.f.fileno()
            last, since = -1, now_ns()
            while now_ns() < limit:
                size = os.fstat(fd).st_size
                if size != last:
                    last, since = size, now_ns()
                    lo = max(base_off, size - 8192)
                    chunk = os.pread(fd, size - lo, lo)
                    if is_last_delete(name, chunk, token):
                        t_drained = now_ns()
                        break
                elif now_ns() - since > quiet_ns:
                    break
                time.sleep(0.0005)
        res["drain_ms"] = None if t_drained is None else \
            (t_drained - t_end) / 1e6
        stop(gen)

        if counting:
            c, ov = minread_count(p, cnt)
        res["exit"] = exited(p)
        # Not ru_maxrss: a child started from this Python process inherits
        # the high-water mark of the parent's memory through fork and exec.
        res["hwm_kib"] = proc_status_kib(p.pid, "VmHWM")
        ru = stop(p)
        res["cpu_ms"] = None if ru is None or cpu0 is None else \
            ((ru.ru_utime + ru.ru_stime) * 1e9 - cpu0) / 1e6
        if counting:
            got = c - base_count
            res["events_expected"] = expected
            res["events_seen"] = got
            res["lost"] = max(0, expected - got)
            res["overflow"] = ov > 0
        else:
            res.update(burst_parse(name, outpath, base_off, n))
    finally:
        tail.close()
        if gen:
            stop(gen, signal.SIGKILL)
        stop(p, signal.SIGKILL)
        rmtree(root)
    return res


def is_last_delete(name, chunk, token):
    """Whether chunk (the end of an output file) holds the delete record of
    the file whose path ends with token."""
    if token.encode() not in chunk and token[1:].encode() not in chunk:
        return False
    for line in chunk.decode("utf-8", "replace").splitlines():
        for kind, path in parse_line(name, line):
            if kind == "delete" and path.endswith(token):
                return True
    return False


def minread_count(p, reader):
    """Ask the counting reader for its count (SIGUSR1); (events, overflows)."""
    start = len(reader.buf)
    try:
        os.kill(p.pid, signal.SIGUSR1)
    except ProcessLookupError:
        return (-1, 0)
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        if reader.buf.find(b"\n", start) >= 0:
            break
        if not reader.pump(0.05):
            break
    lines = bytes(reader.buf[start:]).split(b"\n")
    for line in reversed(lines):
        f = line.split()
        if len(f) == 4 and f[0] == b"events":
            return int(f[1]), int(f[3])
    return (-1, 0)


def burst_parse(name, path, offset, n):
    rx, kg, ng, ovx = BURST_RE[name]
    seen = [bytearray(n), bytearray(n), bytearray(n)]
    overflow = 0
    records = 0
    with open(path, "rb") as f:
        f.seek(offset)
        rest = b""
        while True:
            chunk = f.read(8 << 20)
            if not chunk and not rest:
                break
            data = rest + chunk
            if chunk:
                nl = data.rfind(b"\n")
                data, rest = data[:nl + 1], data[nl + 1:]
            else:
                rest = b""
            records += data.count(b"\n")
            overflow += len(ovx.findall(data))
            for m in rx.finditer(data):
                i = int(m.group(ng))
                if i >= n:
                    continue
                for flag in re.split(rb"[ ,]", m.group(kg)):
                    k = BURST_KIND.get(flag)
                    if k is not None:
                        seen[k][i] = 1
    got = [s.count(1) for s in seen]
    return {"records": records, "seen_create": got[0], "seen_modify": got[1],
            "seen_delete": got[2], "lost": 3 * n - sum(got),
            "overflow": overflow > 0}


def row_burst(cfg, res, sizes):
    names = ["fwatch", "fwatch-json"] + [n for n in PEERS if cfg.have[n]]
    raw = res.raw.setdefault("burst", {})
    for n in sizes:
        for layout in ("flat", "spread"):
            runs = {}
            for name in names:
                try:
                    r = burst_one(cfg, name, layout, n)
                except BenchError as e:
                    runs[name] = {"error": str(e)}
                    res.notes.add(f"{name}, burst of {n:,} ({layout}): {e}")
                    log(cfg, f"  {n:,} {layout:6} {name:12}: {e}")
                    continue
                runs[name] = r
                log(cfg, f"  {n:,} {layout:6} {name:12}: CPU "
                    f"{fmt(r['cpu_ms'], '.0f')} ms, drain "
                    f"{fmt(r['drain_ms'], '.0f')} ms, lost {r['lost']}"
                    + (" (overflow)" if r["overflow"] else "")
                    + f"; workload {r['workload_ms']:.0f} ms")
            raw[f"{n}-{layout}"] = runs
            where = "1 dir" if layout == "flat" else "1,000 dirs"
            for mode, fwname in (("text", "fwatch"), ("--json", "fwatch-json")):
                cpu, drain, lost, hwm = {}, {}, {}, {}
                for name in ["fwatch"] + [x for x in PEERS if cfg.have[x]]:
                    r = runs[fwname if name == "fwatch" else name]
                    if "error" in r:
                        cpu[name] = drain[name] = lost[name] = \
                            hwm[name] = (None, "failed")
                        continue
                    cpu[name] = (r["cpu_ms"], fmt(r["cpu_ms"], ".0f"))
                    drain[name] = (r["drain_ms"],
                                   fmt(r["drain_ms"], ".1f", "not seen"))
                    txt = f"{r['lost']:,}"
                    if r["overflow"]:
                        txt += " overflow"
                    if r.get("exit") is not None:
                        txt += f" (exit {r['exit']})"
                        res.notes.add(f"{name} exited with status "
                                      f"{r['exit']} during the burst of "
                                      f"{n:,} files ({layout})")
                    lost[name] = (r["lost"], txt)
                    m = r.get("hwm_kib")
                    hwm[name] = (None, "-") if m is None else \
                        (m / 1024, f"{m / 1024:.1f}")
                label = f"burst {n:,} files, {where}, fwatch {mode}"
                res.table.append((label, "CPU ms", cpu, True))
                res.table.append(("", "drain ms", drain, True))
                res.table.append(("", "events lost", lost, False))
                res.table.append(("", "peak RSS MiB (VmHWM)", hwm, True))


class LatencyWatcher:
    """One watcher for the latency row: its own directory and target file,
    its stdout on a pipe read here without buffering."""

    def __init__(self, cfg, name):
        self.name = name
        self.root = tree_path(cfg, f"lat-{name}")
        os.makedirs(self.root)
        self.fd = os.open(f"{self.root}/target",
                          os.O_CREAT | os.O_WRONLY | os.O_CLOEXEC, 0o644)
        with open(os.path.join(cfg.tmp, "out", f"lat-{name}.err"),
                  "wb") as err:
            self.p = spawn(watcher_argv(name, self.root, "latency", cfg),
                           stdout=subprocess.PIPE, stderr=err)
        self.r = PipeReader(self.p.stdout)
        self.lat = []

    def wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and exited(self.p) is None:
            os.pwrite(self.fd, b"x", 0)
            if self.r.wait_for(b"target", 0.005) is not None:
                return True
        return False

    def sample(self):
        self.r.drain()
        start = len(self.r.buf)
        t0 = now_ns()
        os.pwrite(self.fd, b"x", 0)
        t1 = self.r.wait_for(b"target", 5.0, start)
        if t1 is not None:
            self.lat.append((t1 - t0) / 1e6)

    def close(self):
        stop(self.p)
        os.close(self.fd)
        rmtree(self.root)


def row_latency(cfg, res, samples):
    """All watchers are started (each on its own directory) and sampled in
    turn, in a shuffled order each round, so that whatever else the machine
    does weighs on all of them alike.  Between two writes: 2 to 8 ms."""
    cells_med, cells_p99, raw = {}, {}, {}
    ws = []
    try:
        for name in ("fwatch",) + PEERS:
            if not cfg.have[name]:
                continue
            w = LatencyWatcher(cfg, name)
            ws.append(w)
            if not w.wait_ready(cfg.ready_timeout):
                res.notes.add(f"{name}, latency: not ready: " + why_failed(
                    name, exited(w.p),
                    os.path.join(cfg.tmp, "out", f"lat-{name}.err")))
                cells_med[name] = cells_p99[name] = (None, "failed")
                w.close()
                ws.remove(w)
        settle_end = time.monotonic() + 0.5
        while time.monotonic() < settle_end:
            for w in ws:
                w.r.pump(0.005)
        for _ in range(samples):
            random.shuffle(ws)
            for w in ws:
                w.sample()
                time.sleep(random.uniform(0.002, 0.008))
    finally:
        for w in ws:
            w.close()
    for w in sorted(ws, key=lambda w: COLUMNS.index(w.name)):
        raw[w.name] = w.lat
        if w.lat:
            s = sorted(w.lat)
            med = statistics.median(s)
            p99 = s[max(0, math.ceil(0.99 * len(s)) - 1)]
            cells_med[w.name] = (med, f"{med:.3f}")
            cells_p99[w.name] = (p99, f"{p99:.3f}")
            log(cfg, f"  {w.name:12}: median {med:.3f} ms, p99 {p99:.3f} ms, "
                f"{len(w.lat)}/{samples} samples")
    res.raw["latency_ms"] = raw
    label = f"latency, 1 write -> line on stdout ({samples} samples)"
    res.table.append((label, "median ms", cells_med, True))
    res.table.append(("", "p99 ms", cells_p99, True))


def wait_ready_file(p, outpath, probe, timeout, interval=0.002):
    """Write the probe until a record naming it is in outpath."""
    fd = os.open(probe, os.O_CREAT | os.O_WRONLY | os.O_CLOEXEC, 0o644)
    tail = FileTail(outpath)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            os.pwrite(fd, b"x", 0)
            if b"probe" in tail.read_new():
                return True
            if exited(p) is not None:
                return False
            time.sleep(interval)
        return False
    finally:
        tail.close()
        os.close(fd)


def row_race(cfg, res, iters):
    cells, raw = {}, {}
    script = (f"for i in $(seq 1 {iters}); do "
              "mkdir -p D$i/a/b/c/d && echo x > D$i/a/b/c/d/f; done")
    pat = re.compile(r"/D(\d+)/a/b/c/d/f$")
    for name in ("fwatch",) + PEERS:
        if not cfg.have[name]:
            continue
        root = tree_path(cfg, f"race-{name}")
        os.makedirs(root)
        outpath = os.path.join(cfg.tmp, "out", f"race-{name}.out")
        with open(outpath, "wb") as out, \
                open(outpath[:-4] + ".err", "wb") as err:
            p = spawn(watcher_argv(name, root, "race", cfg), stdout=out,
                      stderr=err)
        try:
            if not wait_ready_file(p, outpath, f"{root}/probe",
                                   cfg.ready_timeout):
                res.notes.add(f"{name}, race: not ready: " + why_failed(
                    name, exited(p), outpath[:-4] + ".err"))
                cells[name] = (None, "failed")
                continue
            time.sleep(0.5 if name == "fswatch" else 0.1)
            sh = spawn(["bash", "-c", script], cwd=root)
            if reap(sh, 60) is None:
                stop(sh, signal.SIGKILL)
                raise BenchError("race script did not finish")
            stop(sh)
            wait_quiet(outpath, 1.0 if name == "fswatch" else 0.5, 15)
        finally:
            stop(p)
        found = set()
        with open(outpath, "rb") as f:
            for line in f.read().decode("utf-8", "replace").splitlines():
                for kind, path in parse_line(name, line):
                    m = pat.search(path)
                    if m:
                        found.add(int(m.group(1)))
        rmtree(root)
        raw[name] = sorted(found)
        cells[name] = (len(found), f"{len(found)}/{iters}")
        log(cfg, f"  {name:12}: {len(found)}/{iters}")
    res.raw["race"] = raw
    res.table.append(("mkdir -p D/a/b/c/d && echo x > D/a/b/c/d/f",
                      f"f reported (of {iters})", cells, False))


def row_memory(cfg, res, cycles, subtree):
    root = tree_path(cfg, "mem")
    os.makedirs(root)
    spread_subdirs(root)
    # S<cycle>, 9 middle directories, the rest spread under them as leaves.
    # A new name each cycle: a stricter test of what fwatch keeps per name,
    # and on ext4 it sends each cycle's subtree to another block group.
    mids = 9
    leaves = subtree - 1 - mids
    rel = [""] + [f"/m{i}" for i in range(mids)]
    rel += [f"/m{i % mids}/l{i}" for i in range(leaves)]
    outpath = os.path.join(cfg.tmp, "out", "mem-fwatch.out")
    with open(outpath, "wb") as out, \
            open(outpath[:-4] + ".err", "wb") as err:
        p = spawn(watcher_argv("fwatch", root, "memory", cfg), stdout=out,
                  stderr=err)
    tail = FileTail(outpath)
    raw = {"cycles": cycles, "subtree_dirs": len(rel)}
    try:
        if not wait_ready_file(p, outpath, f"{root}/probe", cfg.ready_timeout):
            raise BenchError("fwatch not ready")
        time.sleep(0.2)
        tail.off = tail.size()
        raw["rss_before_kib"] = proc_status_kib(p.pid, "VmRSS")
        raw["watches_before"] = inotify_watches(p.pid)
        seen, pending = 0, b""
        os.chdir(root)
        t0 = time.monotonic()
        try:
            for c in range(cycles):
                top = f"S{c}"
                for d in rel:
                    os.mkdir(top + d)
                for d in reversed(rel):
                    os.rmdir(top + d)
                needle = f"delete {root}/{top}\n".encode()
                deadline = time.monotonic() + 30
                while True:
                    data = pending + tail.read_new()
                    if needle in data:
                        pending = b""
                        break
                    pending = data[-(len(needle) - 1):]
                    if time.monotonic() > deadline or exited(p) is not None:
                        raise BenchError(f"fwatch did not report cycle {c + 1}")
                    time.sleep(0.0005)
                seen += 1
                if c == 0:
                    raw["rss_after_1_kib"] = proc_status_kib(p.pid, "VmRSS")
        finally:
            os.chdir(cfg.tmp)
        raw["seconds"] = time.monotonic() - t0
        time.sleep(0.2)
        raw["rss_after_kib"] = proc_status_kib(p.pid, "VmRSS")
        raw["hwm_kib"] = proc_status_kib(p.pid, "VmHWM")
        raw["watches_after"] = inotify_watches(p.pid)
    finally:
        tail.close()
        stop(p)
        rmtree(root)
    b, a = raw["rss_before_kib"], raw["rss_after_kib"]
    log(cfg, f"  fwatch: VmRSS {b} -> {a} KiB (after 1 cycle "
        f"{raw.get('rss_after_1_kib')}), watches {raw['watches_before']} -> "
        f"{raw['watches_after']}, {raw['seconds']:.1f} s")
    res.raw["memory"] = raw
    label = f"memory, {cycles:,} create/delete cycles of {len(rel):,} dirs"
    res.table.append((label, "VmRSS before KiB", {"fwatch": (b, f"{b:,}")},
                      False))
    res.table.append(("", "VmRSS after KiB", {"fwatch": (a, f"{a:,}")}, False))
    res.table.append(("", "after/before", {"fwatch": (a / b, f"{a / b:.3f}")},
                      False))
    res.table.append(("", "VmHWM KiB", {"fwatch": (raw["hwm_kib"],
                                                    f"{raw['hwm_kib']:,}")},
                      False))
    res.table.append(("", "watches before -> after",
                      {"fwatch": (None, f"{raw['watches_before']} -> "
                                        f"{raw['watches_after']}")}, False))


# --------------------------------------------------------------------------
# The poll row: polling watchers idle on a static tree, then one write at a
# time.  A scan is seen from outside as a burst of activity in the
# watcher's /proc/PID/task/*/schedstat.

POLL_COLUMNS = ("fwatch", "minstat", "fswatch")
POLL_RATIOS = (("fwatch", "minstat"), ("fwatch", "fswatch"),
               ("fswatch", "minstat"))
POLL_GAP = 0.05       # s without CPU or run-queue wait that ends a burst
POLL_STEP = 0.002     # s between two schedstat samples
POLL_AGE = 3.0        # s a new tree is left alone before the first poller


def fwatch_poll_args(cfg):
    """The options that make this fwatch poll, or None when it cannot: its
    --help must name --poll-interval and either --poll or (with a `poll`
    line in its --version backend list) --backend."""
    def run(opt):
        try:
            r = subprocess.run([cfg.fwatch, opt], capture_output=True,
                               text=True, timeout=10)
            return r.stdout + r.stderr
        except (OSError, subprocess.TimeoutExpired):
            return ""
    text = run("--help")
    if "--poll-interval" not in text:
        return None
    if re.search(r"--poll(?![\w-])", text):
        return ["--poll"]
    if "--backend" in text and re.search(r"^\s+poll\b", run("--version"),
                                         re.M):
        return ["--backend", "poll"]
    return None


def fswatch_polls():
    """Whether the installed fswatch lists poll_monitor."""
    try:
        r = subprocess.run(["fswatch", "-M"], capture_output=True, text=True,
                           timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "poll_monitor" in r.stdout.split()


def poll_interval_ms(name, ms):
    """The interval a watcher really polls at.  fswatch's poll_monitor
    sleep()s a whole number of seconds, at least 1, after each scan."""
    if name == "fswatch":
        return max(1, ms // 1000) * 1000
    return ms


def poll_argv(cfg, name, root, ms):
    if name == "fwatch":
        return [cfg.fwatch] + cfg.fwatch_poll + ["--poll-interval", str(ms),
                                                 "-r", root]
    if name == "fswatch":
        return ["fswatch", "-m", "poll_monitor", "-r", "-l",
                str(poll_interval_ms(name, ms) // 1000), root]
    if name == "minstat":
        return [cfg.minstat, str(ms), root]
    raise ValueError(name)


def sched_totals(pid):
    """(CPU ns, run-queue wait ns) summed over pid's threads, or None."""
    cpu = wait = 0
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{t}/schedstat") as f:
                a = f.read().split()
            cpu += int(a[0])
            wait += int(a[1])
    except (OSError, ValueError, IndexError):
        return None
    return cpu, wait


class Activity:
    """Splits what a process does into bursts: runs of samples (every
    POLL_STEP s) in which its CPU time or its run-queue wait grew, apart
    from each other by at least POLL_GAP s in which neither did.  Counting
    the wait too keeps a scan that was preempted in one piece."""

    def __init__(self, pid):
        self.pid = pid
        self.reset()

    def reset(self):
        self.last = sched_totals(self.pid)
        self.last_t = time.monotonic()
        self.quiet_since = self.last_t
        self.bursts = []        # [t start, t end, CPU ns start, CPU ns end]

    def sample(self):
        now = time.monotonic()
        s = sched_totals(self.pid)
        if s is not None and self.last is not None and s != self.last:
            b = self.bursts[-1] if self.bursts else None
            if b and self.last_t - b[1] < POLL_GAP:
                b[1], b[3] = now, s[0]
            else:
                self.bursts.append([self.last_t, now, self.last[0], s[0]])
            self.quiet_since = now
        if s is not None:
            self.last, self.last_t = s, now
        return now

    def quiet(self):
        return time.monotonic() - self.quiet_since


def minstat_count(p, reader):
    """Ask minstat for its counts (SIGUSR1): (scans, entries) or None."""
    start = len(reader.buf)
    try:
        os.kill(p.pid, signal.SIGUSR1)
    except ProcessLookupError:
        return None
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        if reader.buf.find(b"\n", start) >= 0:
            break
        if not reader.pump(0.05):
            break
    for line in reversed(bytes(reader.buf[start:]).split(b"\n")):
        f = line.split()
        if len(f) == 4 and f[0] == b"scans":
            return int(f[1]), int(f[3])
    return None


def poll_wait_ready(p, act, timeout):
    """Until the watcher has done its first burst (start-up and first scan)
    and then been quiet for 0.1 s.  False if it exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        act.sample()
        if exited(p) is not None:
            return False
        if act.bursts and act.quiet() >= 0.1:
            return True
        time.sleep(POLL_STEP)
    return False


def poll_start(cfg, name, root, ms):
    errpath = os.path.join(cfg.tmp, "out", f"poll-{name}.err")
    minstat = name == "minstat"
    with open(errpath, "wb") as err:
        p = spawn(poll_argv(cfg, name, root, ms), stdin=subprocess.DEVNULL,
                  stdout=subprocess.DEVNULL if minstat else subprocess.PIPE,
                  stderr=subprocess.PIPE if minstat else err)
    return p, PipeReader(p.stderr if minstat else p.stdout), errpath


def poll_baseline(cfg, name, ms):
    """VmHWM (KiB) of the watcher on an empty directory, after its first
    scan and one interval more."""
    root = tree_path(cfg, f"poll-empty-{name}")
    os.makedirs(root)
    p, out, errpath = poll_start(cfg, name, root, ms)
    try:
        act = Activity(p.pid)
        if not poll_wait_ready(p, act, 60):
            return None
        end = time.monotonic() + poll_interval_ms(name, ms) / 1000 + 0.2
        while time.monotonic() < end and exited(p) is None:
            out.drain()
            time.sleep(0.01)
        return proc_status_kib(p.pid, "VmHWM")
    finally:
        stop(p)
        rmtree(root)


def poll_run(cfg, name, root, ms, intervals, target, samples):
    """One watcher on the tree at root: CPU over `intervals` intervals of
    idling, then `samples` writes to target (a path relative to root)."""
    eff = poll_interval_ms(name, ms) / 1000
    minstat = name == "minstat"
    r = {"interval_ms": eff * 1000, "argv": poll_argv(cfg, name, root, ms)}
    p, out, errpath = poll_start(cfg, name, root, ms)
    fd = -1
    try:
        act = Activity(p.pid)
        t_spawn = time.monotonic()
        if not poll_wait_ready(p, act, cfg.ready_timeout):
            r["exit"] = exited(p, 1.0)
            r["failed"] = why_failed(name, r["exit"], errpath).replace(
                "reporting the probe", "its first scan").replace(
                "no record for the probe", "not quiet after its first scan")
            return r
        r["first_scan_s"] = act.bursts[-1][1] - t_spawn
        r["first_scan_cpu_ms"] = (cpu_ns(p.pid) or 0) / 1e6

        # Idle: the window starts while the watcher is quiet, lasts
        # `intervals` of its intervals, and is stretched to the end of a
        # burst under way.
        if minstat:
            c0 = minstat_count(p, out)
        act.reset()
        t0 = time.monotonic()
        cpu0 = cpu_ns(p.pid)
        end = t0 + intervals * eff
        limit = end + 2 * eff + 60
        while True:
            now = act.sample()
            if now >= end and act.quiet() >= POLL_GAP:
                break
            if now >= limit or exited(p) is not None:
                break
            time.sleep(POLL_STEP)
        cpu1 = cpu_ns(p.pid)
        t1 = time.monotonic()
        r["hwm_kib"] = proc_status_kib(p.pid, "VmHWM")
        if minstat:
            c1 = minstat_count(p, out)
            if c0 and c1:
                r["self_scans"] = c1[0] - c0[0]
                r["self_entries"] = c1[1] - c0[1]
        status = exited(p)
        if status is not None or cpu0 is None or cpu1 is None:
            r["exit"] = status
            r["failed"] = why_failed(name, status, errpath).replace(
                "before reporting the probe", "while idle")
            return r
        big = max((b[3] - b[2] for b in act.bursts), default=0)
        scans = [b for b in act.bursts if b[3] - b[2] >= big / 5]
        r["window_s"] = t1 - t0
        r["cpu_ms"] = (cpu1 - cpu0) / 1e6
        r["bursts"] = [{"t": round(b[0] - t0, 4), "wall_ms":
                        round((b[1] - b[0]) * 1e3, 2),
                        "cpu_ms": round((b[3] - b[2]) / 1e6, 3)}
                       for b in act.bursts]
        r["scans"] = len(scans)
        r["scan_wall_ms"] = statistics.median(
            (b[1] - b[0]) * 1e3 for b in scans) if scans else None

        # Latency: a write at a random moment of the interval, in a later
        # second than the last one (fswatch compares whole-second mtimes),
        # then the time to the record naming it.  minstat prints nothing.
        if minstat or samples <= 0:
            return r
        path = os.path.join(root, target)
        needle = (target + "\n").encode()
        fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
        last = os.fstat(fd).st_mtime
        lat, missed = [], 0
        for _ in range(samples):
            out.drain()
            time.sleep(random.uniform(0, eff))
            now = time.time()
            if int(now) <= int(last):
                time.sleep(int(last) + 1 - now + 0.02)
            out.drain()
            start = len(out.buf)
            t_w = now_ns()
            os.pwrite(fd, b"x", 0)
            last = time.time()
            t_r = out.wait_for(needle, 3 * eff + 10, start)
            if t_r is None:
                missed += 1
                if missed >= 2 or exited(p) is not None:
                    break
                continue
            lat.append((t_r - t_w) / 1e6)
        r["latency_ms"] = lat
        r["latency_missed"] = missed
        return r
    finally:
        if fd >= 0:
            os.close(fd)
        stop(p)


def row_poll(cfg, res, ms, intervals, samples, shapes):
    """shapes: (fanout, files per leaf) of each tree."""
    names = [n for n in POLL_COLUMNS if cfg.poll_have[n]]
    raw = res.raw.setdefault("poll", {"interval_ms": ms,
                                      "intervals": intervals, "trees": {}})
    base = {}
    for name in names:
        base[name] = poll_baseline(cfg, name, ms)
        log(cfg, f"  {name:8} on an empty directory: VmHWM {base[name]} KiB")
    raw["empty_hwm_kib"] = base
    for fanout, per_leaf in shapes:
        root = tree_path(cfg, "poll")
        t = time.monotonic()
        ndirs, nfiles = make_tree(root, fanout, per_leaf)
        leaf = last_in_walk(root)
        files = [e.name for e in os.scandir(leaf) if e.is_file()]
        target = os.path.relpath(f"{leaf}/{files[-1]}", root)
        entries = ndirs + nfiles
        log(cfg, f"  tree: {nfiles:,} files, {ndirs:,} dirs, built in "
            f"{time.monotonic() - t:.1f} s; written file {target}")
        # A poller may list again a directory whose mtime is within its
        # timestamp granularity of now (a change in that tick could go
        # unseen): let the new tree age, so that the first one is not
        # charged for it.
        time.sleep(max(0.0, POLL_AGE - (time.monotonic() - t)))
        runs = {}
        try:
            for name in names:
                r = poll_run(cfg, name, root, ms, intervals, target, samples)
                runs[name] = r
                if "failed" in r:
                    res.notes.add(f"{name}, poll of {nfiles:,} files: "
                                  f"{r['failed']}")
                    log(cfg, f"  {name:8}: {r['failed']}")
                    continue
                poll_check(cfg, res, name, r, entries, nfiles, intervals)
                lat = r.get("latency_ms")
                log(cfg, f"  {name:8}: {r['scans']} scans, "
                    f"{r['cpu_ms'] / max(r['scans'], 1):.1f} ms CPU per "
                    f"scan, scan {fmt(r['scan_wall_ms'], '.1f')} ms, VmHWM "
                    f"{r['hwm_kib']} KiB"
                    + (f", latency median {statistics.median(lat):.0f} ms "
                       f"max {max(lat):.0f} ms ({len(lat)} samples)"
                       if lat else ""))
        finally:
            rmtree(root)
        raw["trees"][f"{nfiles}"] = {"files": nfiles, "dirs": ndirs,
                                     "entries": entries, "target": target,
                                     "runs": runs}
        poll_cells(cfg, res, names, runs, base, entries, nfiles, ndirs, ms,
                   intervals)


def poll_check(cfg, res, name, r, entries, nfiles, intervals):
    """Notes when the bursts counted do not look like one per scan."""
    eff = r["interval_ms"] / 1000
    wall = (r["scan_wall_ms"] or 0) / 1000
    lo = math.floor(r["window_s"] / (eff + wall)) - 1
    hi = math.ceil(r["window_s"] / eff) + 1
    if not lo <= r["scans"] <= hi:
        res.notes.add(f"{name}, poll of {nfiles:,} files: {r['scans']} "
                      f"bursts of activity in {r['window_s']:.1f} s at "
                      f"{eff * 1000:.0f} ms intervals (expected {lo}-{hi}): "
                      "it may split its scans or overrun its interval, so "
                      "'per scan' is per burst")
    if "self_scans" in r and r["self_scans"] != r["scans"]:
        res.notes.add(f"{name}, poll of {nfiles:,} files: counted "
                      f"{r['scans']} scans, it reports {r['self_scans']}")
    if r.get("self_scans") and r["self_entries"] != \
            r["self_scans"] * entries:
        res.notes.add(f"{name}, poll of {nfiles:,} files: "
                      f"{r['self_entries'] / r['self_scans']:.0f} entries "
                      f"per scan, {entries} expected")


def poll_cells(cfg, res, names, runs, base, entries, nfiles, ndirs, ms,
               intervals):
    rows = [("cpu", "CPU ms per scan", True),
            ("us", "CPU µs per entry per scan", True),
            ("core", "CPU % of a core", False),
            ("scans", f"scans seen in {intervals} intervals", False),
            ("wall", "scan wall ms (median)", True),
            ("hwm", "peak RSS MiB (VmHWM)", True),
            ("bpe", "RSS bytes per entry (over empty dir)", True),
            ("med", "latency median ms", True),
            ("max", "latency max ms", True),
            ("over", "latency max - interval ms", False)]
    cells = {k: {} for k, _, _ in rows}
    for name in names:
        r = runs[name]
        if "failed" in r:
            txt = "failed" if r.get("exit") is None else f"exit {r['exit']}"
            for k in cells:
                cells[k][name] = (None, txt)
            continue
        n = max(r["scans"], 1)
        per = r["cpu_ms"] / n
        cells["cpu"][name] = (per, f"{per:.2f}")
        us = per * 1e3 / entries
        cells["us"][name] = (us, f"{us:.3f}")
        core = r["cpu_ms"] / 1e3 / r["window_s"] * 100
        cells["core"][name] = (core, f"{core:.1f}")
        cells["scans"][name] = (r["scans"], str(r["scans"]) + (
            f" ({r['self_scans']})" if "self_scans" in r and
            r["self_scans"] != r["scans"] else ""))
        w = r["scan_wall_ms"]
        cells["wall"][name] = (w, fmt(w, ".1f"))
        h = r["hwm_kib"]
        cells["hwm"][name] = (None, "-") if h is None else \
            (h / 1024, f"{h / 1024:.1f}")
        if h is not None and base.get(name) is not None:
            bpe = (h - base[name]) * 1024 / (entries - 1)
            # minstat keeps nothing per entry: its figure is noise, not a
            # floor to divide by.
            cells["bpe"][name] = (None if name == "minstat" else bpe,
                                  f"{bpe:.0f}")
        lat = r.get("latency_ms")
        if name == "minstat":
            continue
        if not lat:
            cells["med"][name] = cells["max"][name] = (None, "not seen")
            continue
        med, mx = statistics.median(lat), max(lat)
        seen = f" ({len(lat)}/{len(lat) + r['latency_missed']})" \
            if r["latency_missed"] else ""
        cells["med"][name] = (med, f"{med:.0f}")
        cells["max"][name] = (mx, f"{mx:.0f}{seen}")
        o = mx - r["interval_ms"]
        cells["over"][name] = (o, f"{o:+.0f}")
    fsw = poll_interval_ms("fswatch", ms)
    label = f"poll, {nfiles:,} files + {ndirs:,} dirs, every {ms} ms" + (
        f" (fswatch {fsw})" if "fswatch" in names and fsw != ms else "")
    for i, (k, metric, ratio) in enumerate(rows):
        res.poll_table.append((label if i == 0 else "", metric, cells[k],
                               ratio))


# --------------------------------------------------------------------------
# Output

def fmt(v, spec, none="-"):
    return none if v is None else format(v, spec)


def log(cfg, msg):
    if not cfg.silent:
        print(msg, file=sys.stderr, flush=True)


class Results:
    def __init__(self):
        self.table = []     # (row label, metric, {column: (num, text)}, ratio?)
        self.poll_table = []    # the same, columns POLL_COLUMNS
        self.raw = {}
        self.notes = set()


def table_lines(rows, cols, ratios, have):
    """rows: (label, metric, {column: (num, text)}, ratio?); ratios: pairs
    of columns (a, b) shown as a/b."""
    def short(c):
        return "fw" if c == "fwatch" else c
    head = ["row", "metric"] + list(cols) + [f"{short(a)}/{b}"
                                             for a, b in ratios]
    lines = []
    for label, metric, cells, ratio in rows:
        row = [label, metric]
        for c in cols:
            row.append(cells.get(c, (None, "-"))[1] if have[c] else "n/a")
        for a, b in ratios:
            va = cells.get(a, (None, ""))[0]
            vb = cells.get(b, (None, ""))[0]
            if ratio and have[a] and have[b] and \
                    isinstance(va, (int, float)) and \
                    isinstance(vb, (int, float)) and vb > 0:
                row.append(f"{va / vb:.2f}")
            else:
                row.append("-")
        lines.append(row)
    widths = [max(len(str(r[i])) for r in lines + [head])
              for i in range(len(head))]
    sep = "  "

    def line(r):
        s = []
        for i, v in enumerate(r):
            s.append(str(v).ljust(widths[i]) if i < 2
                     else str(v).rjust(widths[i]))
        return sep.join(s).rstrip()

    out = [line(head), sep.join("-" * w for w in widths)]
    for r in lines:
        if r[0] and out[-1][:1] != "-":
            out.append("")
        out.append(line(r))
    return out


def render(res, info, cfg):
    out = list(info)
    if res.table:
        out.append("")
        out += table_lines(res.table, COLUMNS,
                           [("fwatch", c) for c in PEERS] +
                           list(MORE_RATIOS),
                           dict(cfg.have, fwatch=True))
    if res.poll_table:
        out.append("")
        out += table_lines(res.poll_table, POLL_COLUMNS, POLL_RATIOS,
                           cfg.poll_have)
    return "\n".join(out)


def fanotify_starts(cfg):
    """Whether this fwatch can watch with fanotify here (CAP_SYS_ADMIN,
    Linux 5.17); if not, cfg.fanotify_why says why."""
    cfg.fanotify_why = ""
    try:
        r = subprocess.run([cfg.fwatch, "--backend", "fanotify", "-q",
                            "--timeout", "0.01", cfg.tmp],
                           capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as e:
        cfg.fanotify_why = str(e)
        return False
    if r.returncode == 2:
        return True
    cfg.fanotify_why = (r.stderr.strip().splitlines() or ["?"])[0]
    return False


def tool_version(argv):
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=10)
        text = (r.stdout or r.stderr).strip().splitlines()
        return text[0] if text else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def gather_info(cfg):
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        fstype = subprocess.run(["df", "-T", cfg.tmp], capture_output=True,
                                text=True, timeout=10
                                ).stdout.splitlines()[1].split()[1]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        fstype = "?"
    if fstype == "ext4":
        dev = None
        try:
            with open("/proc/self/mountinfo") as f:
                best = ""
                for line in f:
                    fld = line.split()
                    mnt = fld[4]
                    src = fld[fld.index("-") + 2]
                    if (cfg.tmp + "/").startswith(mnt.rstrip("/") + "/") \
                            and len(mnt) >= len(best):
                        best, dev = mnt, os.path.basename(src)
        except (OSError, ValueError, IndexError):
            pass
        jbd2 = os.listdir("/proc/fs/jbd2") \
            if os.path.isdir("/proc/fs/jbd2") else []
        if dev and os.path.isdir(f"/proc/fs/ext4/{dev}") and not any(
                d.startswith(dev + "-") for d in jbd2):
            fstype += " (no journal)"
    lim = {}
    for k in ("max_queued_events", "max_user_watches", "max_user_instances"):
        try:
            with open(f"/proc/sys/fs/inotify/{k}") as f:
                lim[k] = int(f.read())
        except (OSError, ValueError):
            lim[k] = None
    try:
        with open("/proc/sys/fs/fanotify/max_queued_events") as f:
            lim["fanotify max_queued_events"] = int(f.read())
    except (OSError, ValueError):
        pass
    v = {
        "fwatch": tool_version([cfg.fwatch, "-V"]),
        "fanotify": "the same fwatch, --backend fanotify" if
        cfg.have["fanotify"] else "cannot start here: " + cfg.fanotify_why,
        "minread": "bench/minread.c, " + tool_version(["cc", "--version"]),
        "inotifywait": tool_version(["inotifywait", "--help"])
        if cfg.have["inotifywait"] else "not installed",
        "fswatch": tool_version(["fswatch", "--version"])
        if cfg.have["fswatch"] else "not installed",
        "iw-fanotify": tool_version([cfg.iw_fanotify, "--help"])
        if cfg.have["iw-fanotify"] else "not given (--inotifywait-fanotify)",
    }
    info = {
        "date": datetime.datetime.now().astimezone().isoformat(
            timespec="seconds"),
        "mode": "quick" if cfg.quick else "full",
        "kernel": platform.release(), "fs": fstype, "tmp": cfg.tmp,
        "cpu": cpu, "cpus": os.cpu_count(), "inotify": lim,
        "python": platform.python_version(), "versions": v,
    }
    text = [
        f"fwatch benchmark ({info['mode']}), {info['date']}",
        f"kernel {info['kernel']}; filesystem {fstype} ({cfg.tmp}); "
        f"CPU {cpu} x {info['cpus']}; python {info['python']}",
        "limits: " + ", ".join(f"{k} {v}" for k, v in lim.items()),
        f"fwatch:      {v['fwatch']}  [{cfg.fwatch_given}]  "
        "(-r; --json for the --json rows"
        + ("; --backend inotify, since as root its default moves to "
           "fanotify past 50,000 directories)" if cfg.have["fanotify"]
           else ")"),
        f"fanotify:    {v['fanotify']}  (--backend fanotify -r)",
        f"minread:     {v['minread']}  (print; count -F for bursts; race "
        "for the race row)",
        f"inotifywait: {v['inotifywait']}  (-m -r -e create,modify,delete,"
        "move,attrib)",
        f"fswatch:     {v['fswatch']}  (-m inotify_monitor -r -x -l "
        f"{FSWATCH_LATENCY} --event ...; its default latency is 1 s, "
        f"{FSWATCH_LATENCY} s is its documented minimum)",
        f"iw-fanotify: {v['iw-fanotify']}  (-m -q -r --fanotify -e create,"
        "modify,delete,move,attrib)",
    ]
    if cfg.poll:
        fw = (" ".join(cfg.fwatch_poll) + " --poll-interval MS -r DIR"
              if cfg.fwatch_poll else "skipped (no --poll in its --help)")
        fs = ("-m poll_monitor -r -l SECS DIR" if cfg.poll_have["fswatch"]
              else "skipped (not installed, or no poll_monitor)")
        info["poll"] = {"fwatch": cfg.fwatch_poll, "fswatch":
                        cfg.poll_have["fswatch"]}
        text.append(f"poll row:    fwatch {fw}; fswatch {fs}; "
                    "minstat MS DIR (bench/minstat.c)")
    return info, text


NOTES = """\
ready: spawn -> first record of a file written every 1 ms in the deepest leaf
  directory that a readdir-order walk reaches last (re-created last); peak RSS
  is VmHWM read at that moment.  burst: each file created, written (1 byte),
  closed and deleted in turn, by a separate Python process, on a fresh tree
  per watcher; CPU is user+sys of the watcher from wait4 after it is stopped,
  minus its CPU at readiness; drain is end of workload -> the delete of the
  last file seen in the output (polled every 0.5 ms; the counting reader is
  asked its count with SIGUSR1); lost: create/modify/delete records missing
  (the counting reader: events, 3 per file); peak RSS is VmHWM at the end.
  Ratios are fwatch/peer; below 1 means fwatch is faster or smaller.
  Timings are noisy: compare ratios within one run."""

POLL_NOTES = """\
poll: each poller alone on a static tree.  After its first scan, its CPU
  (schedstat, all threads) over a fixed number of intervals, divided by the
  scans seen: bursts of CPU or run-queue wait apart by 50 ms or more, sampled
  every 2 ms (minstat's own count in brackets if it differs).  per entry:
  CPU per scan / (files + dirs, the root included).  bytes per entry: VmHWM
  minus its VmHWM on an empty directory, / entries.  latency: a 1-byte write
  to the last file of the last directory in readdir order, at a random moment,
  -> the line naming it on stdout; minstat prints nothing.  fswatch's
  poll_monitor sleeps whole seconds (at least 1) after each scan."""


# --------------------------------------------------------------------------

def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--_touch":
        child_touch(sys.argv[2], float(sys.argv[3]))
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "--_gen":
        child_gen(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        return 0

    ap = argparse.ArgumentParser(
        description="Benchmark fwatch against a minimal inotify reader, "
                    "inotifywait and fswatch.")
    ap.add_argument("--quick", action="store_true",
                    help="small sizes; finishes in under a minute")
    ap.add_argument("--only", metavar="ROW[,ROW]",
                    help="run only these rows: " + ", ".join(ROWS))
    ap.add_argument("--json", metavar="FILE",
                    help="also write the raw figures to FILE")
    ap.add_argument("--fwatch", default="./fwatch", metavar="PATH",
                    help="the fwatch binary (default ./fwatch)")
    ap.add_argument("--minread", default=os.path.join(HERE, "minread"),
                    metavar="PATH", help="the minimal reader binary "
                    "(default bench/minread)")
    ap.add_argument("--minstat", default=os.path.join(HERE, "minstat"),
                    metavar="PATH", help="the minimal polling scan for the "
                    "poll row (default bench/minstat)")
    ap.add_argument("--inotifywait-fanotify", dest="iw_fanotify",
                    metavar="PATH", help="an inotifywait of inotify-tools "
                    "4.x, run with --fanotify in a column of its own")
    ap.add_argument("--reps", type=int, metavar="N",
                    help="runs per watcher for the setup rows (default 3, "
                         "quick 1)")
    ap.add_argument("--silent", action="store_true",
                    help="no progress lines on stderr")
    cfg = ap.parse_args()

    rows = ROWS if not cfg.only else tuple(cfg.only.split(","))
    for r in rows:
        if r not in ROWS:
            ap.error(f"unknown row {r!r}; rows: {', '.join(ROWS)}")
    if cfg.quick and "setup100k" in rows and cfg.only is None:
        rows = tuple(r for r in rows if r != "setup100k")
    bins = [("fwatch", cfg.fwatch), ("minread", cfg.minread)]
    if cfg.iw_fanotify:
        bins.append(("iw_fanotify", cfg.iw_fanotify))
    if "poll" in rows:
        bins.append(("minstat", cfg.minstat))
    for what, path in bins:
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            ap.error(f"{what} binary {path!r} not found (run make first)")

    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGHUP, on_sigterm)
    cfg.tmp = tempfile.mkdtemp(prefix="fwbench.")
    while "probe" in cfg.tmp or "target" in cfg.tmp:   # keep needles unique
        os.rmdir(cfg.tmp)
        cfg.tmp = tempfile.mkdtemp(prefix="fwbench.")
    os.makedirs(os.path.join(cfg.tmp, "out"))
    os.makedirs(os.path.join(cfg.tmp, "t"))
    cfg.topdir = spread_subdirs(os.path.join(cfg.tmp, "t"))
    # Run copies, so that a rebuild during the run changes nothing.
    cfg.fwatch_given = cfg.fwatch
    for attr, _ in bins:
        dst = os.path.join(cfg.tmp, attr)
        shutil.copy2(getattr(cfg, attr), dst)
        setattr(cfg, attr, dst)
    cfg.have = {"fwatch": True, "minread": True,
                "fanotify": fanotify_starts(cfg),
                "inotifywait": shutil.which("inotifywait") is not None,
                "fswatch": shutil.which("fswatch") is not None,
                "iw-fanotify": bool(cfg.iw_fanotify)}
    cfg.ready_timeout = 300
    cfg.fwatch_poll = fwatch_poll_args(cfg) if "poll" in rows else None
    cfg.poll_have = {"fwatch": cfg.fwatch_poll is not None, "minstat": True,
                     "fswatch": cfg.have["fswatch"] and fswatch_polls()}
    cfg.poll = "poll" in rows
    reps = cfg.reps or (1 if cfg.quick else 3)

    res = Results()
    t_start = time.monotonic()
    status = 0
    try:
        info, header = gather_info(cfg)
        for line in header:
            log(cfg, line)
        for name in PEERS:
            if not cfg.have[name]:
                log(cfg, f"note: {name} " + (
                    "cannot start here" if name == "fanotify"
                    else "was not given" if name == "iw-fanotify"
                    else "is not installed") + "; its column is skipped")
        if cfg.poll and not cfg.poll_have["fwatch"]:
            res.notes.add("this fwatch cannot poll (its --help names no "
                          "--poll and --poll-interval): its poll column is "
                          "skipped")
        if cfg.poll and cfg.have["fswatch"] and not cfg.poll_have["fswatch"]:
            res.notes.add("fswatch has no poll_monitor (fswatch -M): its "
                          "poll column is skipped")
        for note in sorted(res.notes):
            log(cfg, "note: " + note)
        if "setup" in rows:
            log(cfg, "setup, 10,111 dirs / 100,000 files")
            row_setup(cfg, res, "setup, 10,111 dirs / 100,000 files",
                      [10, 10, 100], 10, reps)
        if "setup100k" in rows:
            log(cfg, "setup, 101,111 dirs")
            row_setup(cfg, res, "setup, 101,111 dirs / 0 files",
                      [10, 10, 10, 100], 0, reps)
        if "burst" in rows:
            sizes = [20000] if cfg.quick else [50000, 500000]
            log(cfg, "burst " + ", ".join(f"{n:,}" for n in sizes))
            row_burst(cfg, res, sizes)
        if "latency" in rows:
            log(cfg, "latency")
            row_latency(cfg, res, 50 if cfg.quick else 200)
        if "race" in rows:
            log(cfg, "mkdir -p race")
            row_race(cfg, res, 50)
        if "memory" in rows:
            log(cfg, "memory cycles")
            if cfg.quick:
                row_memory(cfg, res, 50, 200)
            else:
                row_memory(cfg, res, 1000, 1000)
        if "poll" in rows:
            if cfg.quick:
                ms, intervals, samples = 250, 6, 5
                shapes = [([20, 25], 20)]
            else:
                ms, intervals, samples = 1000, 10, 10
                shapes = [([20, 25], 20), ([50, 100], 20)]
            log(cfg, f"poll, every {ms} ms")
            row_poll(cfg, res, ms, intervals, samples, shapes)
        elapsed = time.monotonic() - t_start
        info["seconds"] = round(elapsed, 1)
        header.append(f"run time {elapsed:.0f} s")
        print(render(res, header, cfg))
        print()
        if res.table:
            print(NOTES)
        if res.poll_table:
            print(POLL_NOTES)
        for note in sorted(res.notes):
            print("note: " + note)
        if cfg.json:
            with open(cfg.json, "w") as f:
                json.dump({"info": info, "table": [
                    {"row": lbl, "metric": m,
                     "values": {c: v[0] for c, v in cells.items()},
                     "text": {c: v[1] for c, v in cells.items()}}
                    for lbl, m, cells, _ in res.table + res.poll_table],
                    "raw": res.raw},
                    f, indent=1)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        status = 130
    except BenchError as e:
        print(f"bench: {e}", file=sys.stderr)
        status = 1
    finally:
        stop_all()
        os.chdir("/")
        rmtree(cfg.tmp)
    return status


if __name__ == "__main__":
    sys.exit(main())
