#!/usr/bin/env python3
"""What --gitignore costs: fwatch -r against fwatch -r --gitignore on the
same trees, inside a git work tree whose .gitignore holds 200 rules.

    python3 bench/gitignore.py [--quick] [--reps N] [--rules N]
                               [--fwatch PATH] [--json FILE] [--silent]

Rows:
  setup   the 10,111-directory / 100,000-file tree of bench.py's setup row:
          time until a file in the directory a walk reaches last is
          reported (readiness measured, not announced), and the CPU used
  burst   50,000 files created, written and deleted in one directory, and
          spread over 1,000 directories: fwatch's CPU for the burst

The 200 rules are of the kinds real .gitignore files hold (suffixes,
directory names, anchored paths, '**', classes, negations) and match
nothing in the trees, so both runs watch the same directories and report
the same events: what is measured is the price of asking.  Each figure is
the median of --reps runs (default 5, quick 2), the two kinds of run
taking turns.  The ratio is --gitignore / without; the target is 1.10 or
less.  --rules 1 leaves little to match: what remains is the price of
the core asking (finding the layers, building the path, the pre-read of
each directory).  Figures are printed, nothing is asserted: this is not a test.
It reuses bench.py's trees, processes and readers.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (bench.py, next to this file)


def rules(n):
    """N (at most 200) rules of the kinds real .gitignore files hold, none
    of which matches the trees' names (d0.., f0.., probe, the burst's
    files): the first N of a list that mixes them."""
    r = []
    for i in range(60):
        r.append(f"*.ext{i}")
    for i in range(30):
        r.append(f"cache{i}/")
    for i in range(20):
        r.append(f"/top{i}")
    for i in range(20):
        r.append(f"build{i}/**/out")
    for i in range(20):
        r.append(f"**/gen{i}/**")
    for i in range(20):
        r.append(f"tmp[0-9]x{i}.*")
    for i in range(10):
        r.append(f"!keep{i}.ext{i}")
    for i in range(10):
        r.append(f"node_modules{i}")
    for i in range(10):
        r.append(f"[Ll]ogs{i}/")
    assert len(r) == 200
    mixed = [r[(i * 7) % 200] for i in range(200)]   # 7 is prime to 200
    return "\n".join([f"# generated: {n} rules that match nothing"] +
                     mixed[:n] + [""])


def work_tree(top, n):
    """Make TOP a git work tree (git init, or the .git git would make)
    whose .gitignore holds N rules."""
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", top], check=True,
                       env=dict(os.environ, GIT_CONFIG_NOSYSTEM="1"))
    else:
        os.makedirs(os.path.join(top, ".git", "refs"))
        with open(os.path.join(top, ".git", "HEAD"), "w") as f:
            f.write("ref: refs/heads/main\n")
    with open(os.path.join(top, ".gitignore"), "w") as f:
        f.write(rules(n))


def wrapper(cfg, flags):
    """A script that runs fwatch with FLAGS added, by exec: the pid bench.py
    measures is fwatch's own."""
    path = os.path.join(cfg.tmp, "fwatch-" + ("gi" if flags else "plain"))
    with open(path, "w") as f:
        f.write("#!/bin/sh\nexec %s %s \"$@\"\n" % (cfg.binary,
                                                   " ".join(flags)))
    os.chmod(path, 0o755)
    return path


def setup_once(cfg, argv, root):
    """One start: (ready ms, CPU ms at ready, watches, VmHWM KiB), or
    raises."""
    toucher = bench.start_toucher(cfg.probe)
    try:
        errpath = os.path.join(cfg.tmp, "out", "setup.err")
        with open(errpath, "wb") as err:
            t0 = bench.now_ns()
            p = bench.spawn(argv + ["-r", root], stdout=subprocess.PIPE,
                            stderr=err)
        t_ready, _ = bench.readiness_pipe(p, "probe", 300)
        cpu = bench.cpu_ns(p.pid)
        watches = bench.inotify_watches(p.pid)
        hwm = bench.proc_status_kib(p.pid, "VmHWM")
        bench.stop(p)
    finally:
        bench.stop(toucher, signal.SIGKILL)
    if t_ready is None:
        raise bench.BenchError("fwatch was not ready: " + bench.why_failed(
            "fwatch", None, errpath))
    return (t_ready - t0) / 1e6, (cpu or 0) / 1e6, watches, hwm or 0


def row_setup(cfg, out):
    root = bench.tree_path(cfg, "setup")
    t0 = time.monotonic()
    ndirs, nfiles = bench.make_tree(root, [10, 10, 100], 10)
    cfg.probe, _ = bench.place_probe(root)
    bench.log(cfg, f"setup: {ndirs:,} dirs, {nfiles:,} files, built in "
              f"{time.monotonic() - t0:.1f} s")
    runs = {"plain": [], "gitignore": []}
    for rep in range(cfg.reps):
        order = ("plain", "gitignore") if rep % 2 == 0 else \
            ("gitignore", "plain")
        for kind in order:
            ms, cpu, watches, hwm = setup_once(cfg, [cfg.bins[kind]], root)
            runs[kind].append({"ms": ms, "cpu_ms": cpu, "watches": watches,
                               "hwm_kib": hwm})
            bench.log(cfg, f"  {kind:9} rep {rep + 1}: ready {ms:.0f} ms, "
                      f"CPU {cpu:.0f} ms, {watches} watches")
    bench.rmtree(root)
    out["setup"] = runs
    return [(f"setup, {ndirs:,} dirs / {nfiles:,} files", "ready ms",
             [r["ms"] for r in runs["plain"]],
             [r["ms"] for r in runs["gitignore"]]),
            ("", "CPU ms to ready", [r["cpu_ms"] for r in runs["plain"]],
             [r["cpu_ms"] for r in runs["gitignore"]]),
            ("", "peak RSS KiB (VmHWM)", [r["hwm_kib"] for r in runs["plain"]],
             [r["hwm_kib"] for r in runs["gitignore"]]),
            ("", "watches at ready", [r["watches"] for r in runs["plain"]],
             [r["watches"] for r in runs["gitignore"]])]


def row_burst(cfg, out, n):
    rows = []
    for layout, where in (("flat", "1 dir"), ("spread", "1,000 dirs")):
        runs = {"plain": [], "gitignore": []}
        for rep in range(cfg.reps):
            order = ("plain", "gitignore") if rep % 2 == 0 else \
                ("gitignore", "plain")
            for kind in order:
                cfg.fwatch = cfg.bins[kind]
                r = bench.burst_one(cfg, "fwatch", layout, n)
                runs[kind].append(r)
                bench.log(cfg, f"  {n:,} {layout:6} {kind:9} rep {rep + 1}: "
                          f"CPU {bench.fmt(r['cpu_ms'], '.0f')} ms, lost "
                          f"{r['lost']}")
        out[f"burst-{n}-{layout}"] = runs
        rows.append((f"burst {n:,} files, {where}", "CPU ms",
                     [r["cpu_ms"] for r in runs["plain"]],
                     [r["cpu_ms"] for r in runs["gitignore"]]))
        rows.append(("", "events lost",
                     [r["lost"] for r in runs["plain"]],
                     [r["lost"] for r in runs["gitignore"]]))
    return rows


def render(rows):
    head = ("row", "metric", "without", "--gitignore", "ratio")
    lines = []
    for label, metric, a, b in rows:
        ma = statistics.median([x for x in a if x is not None] or [0])
        mb = statistics.median([x for x in b if x is not None] or [0])
        ratio = f"{mb / ma:.2f}" if ma and metric != "events lost" and \
            metric != "watches at ready" else "-"
        lines.append((label, metric, format(ma, ".0f"), format(mb, ".0f"),
                      ratio))
    w = [max(len(str(r[i])) for r in lines + [head]) for i in range(5)]
    out = ["  ".join(str(h).ljust(w[i]) if i < 2 else str(h).rjust(w[i])
                     for i, h in enumerate(head)),
           "  ".join("-" * x for x in w)]
    for r in lines:
        out.append("  ".join(str(c).ljust(w[i]) if i < 2 else
                             str(c).rjust(w[i]) for i, c in enumerate(r)))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description="What --gitignore costs.")
    ap.add_argument("--quick", action="store_true",
                    help="fewer runs and a 20,000-file burst")
    ap.add_argument("--reps", type=int, metavar="N",
                    help="runs of each kind per row (default 5, quick 2)")
    ap.add_argument("--fwatch", default="./fwatch", metavar="PATH")
    ap.add_argument("--json", metavar="FILE",
                    help="also write every run's figures to FILE")
    ap.add_argument("--rules", type=int, default=200, metavar="N",
                    help="rules in the .gitignore (default 200, at most 200;"
                         " 1 shows what asking costs apart from matching)")
    ap.add_argument("--silent", action="store_true")
    cfg = ap.parse_args()
    if not (os.path.isfile(cfg.fwatch) and os.access(cfg.fwatch, os.X_OK)):
        ap.error(f"fwatch binary {cfg.fwatch!r} not found (run make first)")
    cfg.reps = cfg.reps or (2 if cfg.quick else 5)
    signal.signal(signal.SIGTERM, bench.on_sigterm)
    signal.signal(signal.SIGHUP, bench.on_sigterm)
    cfg.tmp = tempfile.mkdtemp(prefix="fwgi.")
    status = 0
    try:
        os.makedirs(os.path.join(cfg.tmp, "out"))
        os.makedirs(os.path.join(cfg.tmp, "t"))
        cfg.topdir = bench.spread_subdirs(os.path.join(cfg.tmp, "t"))
        work_tree(cfg.tmp, max(0, min(cfg.rules, 200)))
        cfg.binary = os.path.join(cfg.tmp, "fwatch")
        shutil.copy2(cfg.fwatch, cfg.binary)
        cfg.bins = {"plain": wrapper(cfg, []),
                    "gitignore": wrapper(cfg, ["--gitignore"])}
        cfg.have = {"fwatch": True}
        cfg.ready_timeout = 300
        raw = {}
        rows = row_setup(cfg, raw)
        rows += row_burst(cfg, raw, 20000 if cfg.quick else 50000)
        print(f"fwatch -r against fwatch -r --gitignore, a .gitignore of "
              f"{min(cfg.rules, 200)} rules at the top of the work tree; "
              f"median of {cfg.reps} runs each")
        print(render(rows))
        if cfg.json:
            with open(cfg.json, "w") as f:
                json.dump(raw, f, indent=1)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        status = 130
    except bench.BenchError as e:
        print(f"bench: {e}", file=sys.stderr)
        status = 1
    finally:
        bench.stop_all()
        os.chdir("/")
        bench.rmtree(cfg.tmp)
    return status


if __name__ == "__main__":
    sys.exit(main())
