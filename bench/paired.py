#!/usr/bin/env python3
"""paired.py - two fwatch backends watching the same tree at the same time,
through the same burst: CPU of each (from /proc), and every record counted.

    python3 bench/paired.py [--fwatch PATH] [--runs N] [--sizes 50000,500000]
                            [--backends inotify,fanotify] [--args '-r']

The burst is bench.py's (n files created, written one byte, closed and
deleted, in one directory or spread over 1,000), run once for both
watchers: a machine busy with other work slows the burst for both alike,
so the ratio says more than either figure (bench/README.md).  Output goes
to /dev/shm when it exists.  Linux only; fanotify needs root.  Prints
figures, asserts nothing.
"""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def cpu_ms(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) * 1000 / tick


def wait_for(path, needle, secs):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        try:
            with open(path, "rb") as f:
                if needle in f.read():
                    return True
        except FileNotFoundError:
            pass
        time.sleep(0.01)
    return False


def count(path, n):
    """Records about the burst's files: creates, modifies, deletes."""
    c = {b"create": 0, b"modify": 0, b"delete": 0}
    with open(path, "rb") as f:
        for line in f:
            kind, _, p = line.rstrip(b"\n").partition(b" ")
            if kind in c and p.rsplit(b"/", 1)[-1][:1] == b"f":
                c[kind] += 1
    return c


def one(args, backend_list, layout, n, work, outdir):
    root = tempfile.mkdtemp(prefix=f"paired-{layout}-", dir=work)
    if layout == "spread":
        for i in range(1000):
            os.mkdir(f"{root}/d{i:03d}")
    procs = []
    try:
        for b in backend_list:
            out = os.path.join(outdir, f"paired-{b}.out")
            err = os.path.join(outdir, f"paired-{b}.err")
            with open(out, "wb") as o, open(err, "wb") as e:
                p = subprocess.Popen([args.fwatch, "--backend", b] +
                                     args.args.split() + [root],
                                     stdout=o, stderr=e)
            procs.append((b, p, out, err))
        for b, p, out, err in procs:
            if not wait_for(err, b"ready", 60):
                raise SystemExit(f"paired: {b} did not get ready: "
                                 + open(err).read())
        time.sleep(0.2)
        cpu0 = {b: cpu_ms(p.pid) for b, p, _, _ in procs}
        t0 = time.monotonic()
        subprocess.run([sys.executable, os.path.join(HERE, "bench.py"),
                        "--_gen", root, str(n), layout], check=True,
                       stdout=subprocess.DEVNULL)
        work_s = time.monotonic() - t0
        last = f"f{n - 1}".encode()
        res = {}
        for b, p, out, _ in procs:
            wait_for(out, b"delete " + root.encode() + b"/" +
                     (f"d{(n - 1) % 1000:03d}/".encode()
                      if layout == "spread" else b"") + last,
                     max(30, n * 1e-4))
        time.sleep(0.5)
        for b, p, out, _ in procs:
            res[b] = (cpu_ms(p.pid) - cpu0[b], count(out, n))
        return work_s, res
    finally:
        for _, p, _, _ in procs:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        subprocess.run(["rm", "-rf", root])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fwatch", default=os.path.join(HERE, "..", "fwatch"))
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--sizes", default="50000,500000")
    ap.add_argument("--backends", default="inotify,fanotify")
    ap.add_argument("--args", default="-r",
                    help="options given to every fwatch (default -r)")
    args = ap.parse_args()
    backends = args.backends.split(",")
    outdir = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()
    work = tempfile.mkdtemp(prefix="paired-")
    print(f"{'burst':<32} {'run':>3} {'workload s':>10} " +
          " ".join(f"{b + ' CPU ms':>16}" for b in backends) +
          f" {backends[-1] + '/' + backends[0]:>18}  records (c/m/d each)")
    try:
        for n in map(int, args.sizes.split(",")):
            for layout in ("flat", "spread"):
                for r in range(args.runs):
                    ws, res = one(args, backends, layout, n, work, outdir)
                    cpu = [res[b][0] for b in backends]
                    ratio = cpu[-1] / cpu[0] if cpu[0] else float("nan")
                    recs = "  ".join(
                        f"{b}:{c[b'create']}/{c[b'modify']}/{c[b'delete']}"
                        for b in backends for c in [res[b][1]])
                    where = "1 dir" if layout == "flat" else "1,000 dirs"
                    print(f"{f'{n:,} files, {where}':<32} {r + 1:>3} "
                          f"{ws:>10.1f} " +
                          " ".join(f"{c:>16.0f}" for c in cpu) +
                          f" {ratio:>18.2f}  {recs}", flush=True)
    finally:
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
