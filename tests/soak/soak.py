#!/usr/bin/env python3
"""Soak test helpers for fwatch (driven by tests/soak/run).

  soak.py build ROOT --depth D --seed N      make the starting tree
  soak.py write ROOT --id I --seconds S ...  one writer process
  soak.py check ROOT --events FILE ...       replay, compare, summarise

Standard library only.  Every name a writer makes is plain ASCII and
unique (writer id plus a counter), so fwatch's JSON paths never need
path_b64; the checker still decodes path_b64 when it is present.
"""

import argparse
import base64
import errno
import json
import os
import random
import signal
import sys
import time

# ---------------------------------------------------------------- build


def build(args):
    rng = random.Random(args.seed)
    root = args.root
    os.makedirs(root, exist_ok=True)
    count = [0]

    def files_in(d, n):
        for i in range(n):
            p = os.path.join(d, "i%d" % i)
            with open(p, "wb") as f:
                f.write(b"x" * rng.randint(0, 300))
            count[0] += 1

    def level(d, depth):
        files_in(d, rng.randint(1, 3))
        if depth == 0:
            return
        # A few directories per level; two of them go on down.
        names = ["l%d" % i for i in range(3)]
        deeper = set(rng.sample(names, 2))
        for n in names:
            sub = os.path.join(d, n)
            os.mkdir(sub)
            count[0] += 1
            if n in deeper:
                level(sub, depth - 1)
            else:
                files_in(sub, rng.randint(0, 2))

    level(root, args.depth)
    # What the checker starts from: the tree as fwatch will find it.
    with open(args.manifest, "w") as f:
        json.dump(walk_disk(root).top, f)
    print(count[0])


# ---------------------------------------------------------------- writer


class Bag:
    """A set with O(1) add, discard and random choice."""

    def __init__(self, items=()):
        self.items = []
        self.index = {}
        for x in items:
            self.add(x)

    def add(self, x):
        if x not in self.index:
            self.index[x] = len(self.items)
            self.items.append(x)

    def discard(self, x):
        i = self.index.pop(x, None)
        if i is None:
            return
        last = self.items.pop()
        if i < len(self.items):
            self.items[i] = last
            self.index[last] = i

    def choice(self, rng):
        return self.items[rng.randrange(len(self.items))] if self.items else None

    def __len__(self):
        return len(self.items)

    def __iter__(self):
        return iter(list(self.items))


RACES = {errno.ENOENT, errno.EEXIST, errno.ENOTEMPTY, errno.EINVAL,
         errno.ENOTDIR, errno.EISDIR}


class Race(Exception):
    pass


def depth_of(rel):
    return 0 if rel == "" else rel.count("/") + 1


def under(rel, top):
    """rel is top or below it."""
    return rel == top or top == "" or rel.startswith(top + "/")


class Writer:
    def __init__(self, a):
        self.root = a.root
        self.wid = a.id
        self.rng = random.Random(a.seed * 1000 + a.id)
        self.deadline = time.monotonic() + a.seconds
        self.lo, self.hi = a.min_entries, a.max_entries
        self.max_depth = a.depth + 4
        self.skip = set(filter(None, a.skip.split(",")))
        self.ops = {}
        self.races = {}
        self.skipped = {}
        self.errors = {}
        self.n = 0
        self.last_walk = 0.0
        self.buf = bytes(range(32, 127)) * 40
        self.refresh()

    # -- bookkeeping

    def refresh(self):
        dirs, files = [""], []
        for top, dnames, fnames in os.walk(self.root):
            rel = os.path.relpath(top, self.root)
            rel = "" if rel == "." else rel
            for d in dnames:
                dirs.append(d if rel == "" else rel + "/" + d)
            for f in fnames:
                files.append(f if rel == "" else rel + "/" + f)
        self.dirs = Bag(dirs)
        self.files = Bag(files)
        self.last_walk = time.monotonic()

    def name(self, kind):
        self.n += 1
        return "%s%dx%s" % (kind, self.wid, format(self.n, "x"))

    def p(self, rel):
        return os.path.join(self.root, rel) if rel else self.root

    def join(self, d, n):
        return n if d == "" else d + "/" + n

    def content(self):
        n = self.rng.choice((0, 1, 17, 100, 600, 3000))
        return self.buf[:n]

    def count(self):
        return len(self.dirs) - 1 + len(self.files)

    def subtree(self, top):
        ds = [d for d in self.dirs if d != "" and under(d, top)]
        fs = [f for f in self.files if under(f, top)]
        return ds, fs

    def move_cache(self, src, dst):
        ds, fs = self.subtree(src)
        for d in ds:
            self.dirs.discard(d)
            self.dirs.add(dst + d[len(src):])
        for f in fs:
            self.files.discard(f)
            self.files.add(dst + f[len(src):])

    def drop_cache(self, top):
        ds, fs = self.subtree(top)
        for d in ds:
            self.dirs.discard(d)
        for f in fs:
            self.files.discard(f)

    def pick_file(self):
        f = self.files.choice(self.rng)
        if f is None:
            raise Race("nofile")
        return f

    def pick_dir(self, root_ok=True):
        for _ in range(8):
            d = self.dirs.choice(self.rng)
            if d is not None and (root_ok or d != ""):
                return d
        raise Race("nodir")

    def write_fd(self, path, flags, data):
        fd = os.open(path, flags, 0o644)
        try:
            if data:
                os.write(fd, data)
        finally:
            os.close(fd)

    # -- operations (each returns normally on success, raises OSError)

    def op_create(self):
        d = self.pick_dir()
        f = self.join(d, self.name("f"))
        self.write_fd(self.p(f), os.O_WRONLY | os.O_CREAT | os.O_EXCL, self.content())
        self.files.add(f)

    def op_append(self):
        f = self.pick_file()
        self.write_fd(self.p(f), os.O_WRONLY | os.O_APPEND, self.content() or b"+")

    def op_truncate(self):
        f = self.pick_file()
        self.write_fd(self.p(f), os.O_WRONLY | os.O_TRUNC, self.content()[:50])

    def rename_file(self, cross):
        f = self.pick_file()
        d = self.pick_dir() if cross else os.path.dirname(f)
        g = self.join(d, self.name("f"))
        os.rename(self.p(f), self.p(g))
        self.files.discard(f)
        self.files.add(g)

    def op_rename_file_same(self):
        self.rename_file(False)

    def op_rename_file_cross(self):
        self.rename_file(True)

    def op_delete(self):
        f = self.pick_file()
        os.unlink(self.p(f))
        self.files.discard(f)

    def op_chmod(self):
        f = self.pick_file()
        os.chmod(self.p(f), self.rng.choice((0o600, 0o644, 0o664)))

    def op_mkdir(self):
        d = self.pick_dir()
        if depth_of(d) >= self.max_depth:
            raise Race("deep")
        n = self.join(d, self.name("d"))
        os.mkdir(self.p(n))
        self.dirs.add(n)

    def op_mkdir_p(self):
        k = self.rng.randint(2, 3)
        d = self.pick_dir()
        if depth_of(d) + k > self.max_depth:
            raise Race("deep")
        for _ in range(k):
            # One level at a time, like mkdir -p, but never re-creating a
            # parent that another writer removed meanwhile.
            d = self.join(d, self.name("d"))
            os.mkdir(self.p(d))
            self.dirs.add(d)
        if self.rng.random() < 0.6:
            f = self.join(d, self.name("f"))
            self.write_fd(self.p(f), os.O_WRONLY | os.O_CREAT | os.O_EXCL, self.content())
            self.files.add(f)

    def rename_dir(self, cross):
        src = self.pick_dir(root_ok=False)
        ds, fs = self.subtree(src)
        height = max(depth_of(d) for d in ds) - depth_of(src)
        if cross:
            for _ in range(8):
                dst_parent = self.pick_dir()
                if not under(dst_parent, src):
                    break
            else:
                raise Race("into-itself")
        else:
            dst_parent = os.path.dirname(src)
        if depth_of(dst_parent) + 1 + height > self.max_depth:
            raise Race("deep")
        dst = self.join(dst_parent, self.name("d"))
        os.rename(self.p(src), self.p(dst))
        self.move_cache(src, dst)

    def op_mkdir_mv(self):
        # mkdir NEW && mv DIR NEW/ (&& maybe a file in it at once): the new
        # directory holds a directory (with whatever is in it) before
        # fwatch can have watched it, or just after.
        src = self.pick_dir(root_ok=False)
        parent = self.pick_dir()
        if under(parent, src):
            raise Race("into-itself")
        ds, fs = self.subtree(src)
        height = max(depth_of(d) for d in ds) - depth_of(src)
        if depth_of(parent) + 2 + height > self.max_depth:
            raise Race("deep")
        new = self.join(parent, self.name("d"))
        os.mkdir(self.p(new))
        self.dirs.add(new)
        dst = self.join(new, self.name("d"))
        os.rename(self.p(src), self.p(dst))
        self.move_cache(src, dst)
        if self.rng.random() < 0.5:
            # ... && echo > NEW/DIR/file: a change right after the move
            f = self.join(dst, self.name("f"))
            self.write_fd(self.p(f), os.O_WRONLY | os.O_CREAT | os.O_EXCL, self.content())
            self.files.add(f)

    def op_rename_dir_same(self):
        self.rename_dir(False)

    def op_rename_dir_cross(self):
        self.rename_dir(True)

    def rm_r(self, path):
        with os.scandir(path) as it:
            entries = list(it)
        for e in entries:
            if e.is_dir(follow_symlinks=False):
                self.rm_r(e.path)
            else:
                try:
                    os.unlink(e.path)
                except FileNotFoundError:
                    pass
        os.rmdir(path)

    def op_rm_r(self):
        limit = max(20, self.count() // 15)
        for _ in range(6):
            top = self.pick_dir(root_ok=False)
            ds, fs = self.subtree(top)
            if len(ds) + len(fs) <= limit:
                break
        else:
            raise Race("toobig")
        try:
            self.rm_r(self.p(top))
        finally:
            self.drop_cache(top)

    def op_flash(self):
        d = self.pick_dir()
        if self.rng.random() < 0.75:
            f = self.p(self.join(d, self.name("f")))
            self.write_fd(f, os.O_WRONLY | os.O_CREAT | os.O_EXCL, self.content())
            os.unlink(f)
        else:
            n = self.p(self.join(d, self.name("d")))
            os.mkdir(n)
            os.rmdir(n)

    def op_atomic_save(self):
        f = self.pick_file()
        d = os.path.dirname(f)
        tmp = self.p(self.join(d, "." + self.name("t") + ".swp"))
        self.write_fd(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, self.content() or b"s")
        try:
            os.rename(tmp, self.p(f))
        except OSError:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    # -- the loop

    WEIGHTS = {
        "create": 12, "append": 10, "truncate": 6, "rename_file_same": 5,
        "rename_file_cross": 5, "delete": 9, "chmod": 3, "mkdir": 4,
        "mkdir_p": 2, "rename_dir_same": 3, "rename_dir_cross": 3,
        "rm_r": 2, "flash": 5, "atomic_save": 6, "mkdir_mv": 2,
    }
    GROW = {"create", "mkdir", "mkdir_p"}
    SHRINK = {"delete", "rm_r"}

    def run(self):
        ops_all = [o for o in self.WEIGHTS if o not in self.skip]
        def table(exclude):
            names = [o for o in ops_all if o not in exclude]
            return names, [self.WEIGHTS[o] for o in names]
        normal = table(set())
        full = table(self.GROW)
        empty = table(self.SHRINK)
        since = 0
        while True:
            now = time.monotonic()
            if now >= self.deadline:
                break
            since += 1
            if since >= 300 or now - self.last_walk > 0.3:
                self.refresh()
                since = 0
            c = self.count()
            names, weights = full if c > self.hi else empty if c < self.lo else normal
            op = self.rng.choices(names, weights)[0]
            try:
                getattr(self, "op_" + op)()
                self.ops[op] = self.ops.get(op, 0) + 1
            except Race as r:
                k = "%s:%s" % (op, r.args[0])
                self.skipped[k] = self.skipped.get(k, 0) + 1
            except OSError as e:
                k = "%s:%s" % (op, errno.errorcode.get(e.errno, str(e.errno)))
                bucket = self.races if e.errno in RACES else self.errors
                bucket[k] = bucket.get(k, 0) + 1
                if e.errno not in RACES and self.errors[k] <= 3:
                    print("soak: writer %d: %s: %s" % (self.wid, op, e), file=sys.stderr)


def write(args):
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # no traceback on ^C
    w = Writer(args)
    w.run()
    with open(args.stats, "w") as f:
        json.dump({"ops": w.ops, "races": w.races, "skipped": w.skipped,
                   "errors": w.errors}, f)


# ---------------------------------------------------------------- checker


FILE = "f"


class Tree:
    """Directories are dicts (name -> child).  A file is the string FILE in
    a tree read from disk, and a list of its own in the replayed set (so
    that Checker.seen can follow it by identity through renames)."""

    def __init__(self):
        self.top = {}

    def parent(self, parts, make):
        node = self.top
        for part in parts[:-1]:
            nxt = node.get(part)
            if not isinstance(nxt, dict):
                if not make:
                    return None
                nxt = {}
                node[part] = nxt
            node = nxt
        return node

    def get(self, parts):
        par = self.parent(parts, False)
        return None if par is None else par.get(parts[-1])

    def put(self, parts, value):
        """Set parts to value; returns True if parent dirs had to be made."""
        made = self.parent(parts, False) is None
        self.parent(parts, True)[parts[-1]] = value
        return made

    def pop(self, parts):
        par = self.parent(parts, False)
        return None if par is None else par.pop(parts[-1], None)

    def items(self, node=None, prefix=""):
        node = self.top if node is None else node
        for name, child in node.items():
            rel = prefix + name
            yield rel, child
            if isinstance(child, dict):
                yield from self.items(child, rel + "/")


def count_entries(node):
    n = 0
    for child in node.values():
        n += 1
        if isinstance(child, dict):
            n += count_entries(child)
    return n


def walk_disk(root):
    t = Tree()

    def rec(path, node):
        with os.scandir(path) as it:
            for e in it:
                if e.is_dir(follow_symlinks=False):
                    sub = {}
                    node[e.name] = sub
                    rec(e.path, sub)
                else:
                    node[e.name] = FILE

    rec(root, t.top)
    return t


class Checker:
    def __init__(self, root, prefix):
        self.root = root
        self.prefix = prefix.rstrip("/")
        self.tree = Tree()
        self.gone = set()  # paths whose last event took them away
        self.events = {}
        self.rescan = {}
        self.anomalies = {}
        self.examples = {}
        self.overflows = 0
        self.ready = 0
        self.bad_lines = 0
        self.lines = 0
        self.seen = {}  # id(node) -> line of the last record naming it
        self.overflow_lines = []

    def anomaly(self, kind, detail):
        self.anomalies[kind] = self.anomalies.get(kind, 0) + 1
        ex = self.examples.setdefault(kind, [])
        if len(ex) < 5:
            ex.append(detail)

    def rel(self, rec, key):
        b64 = rec.get(key + "_b64")
        if b64 is not None:
            path = base64.b64decode(b64).decode("utf-8", "surrogateescape")
        else:
            path = rec.get(key, "")
        if path == self.prefix:
            return ""
        if not path.startswith(self.prefix + "/"):
            self.anomaly("path outside the watched tree", path)
            return None
        return path[len(self.prefix) + 1:]

    def apply(self, rec, lineno):
        ev = rec.get("event")
        rescan = rec.get("rescan") is True
        self.events[ev] = self.events.get(ev, 0) + 1
        if rescan:
            self.rescan[ev] = self.rescan.get(ev, 0) + 1
        if ev == "ready":
            self.ready += 1
            return
        if ev == "overflow":
            self.overflows += 1
            self.overflow_lines.append(lineno)
            return
        rel = self.rel(rec, "path")
        if rel is None:
            return
        isdir = rec.get("dir") is True
        where = "line %d: %s %s" % (lineno, ev, rel)
        if rel == "":
            if ev in ("delete", "rename", "create", "unmount"):
                self.anomaly("%s of the watched directory itself" % ev, where)
            return
        parts = rel.split("/")
        if ev in ("create", "rename"):
            self.gone.discard(rel)
        if ev == "create":
            old = self.tree.get(parts)
            if old is not None:
                if isinstance(old, dict) == isdir:
                    self.anomaly("create of a path already present", where)
                    return
                self.anomaly("create of a path present with the other type", where)
            node = {} if isdir else []
            self.seen[id(node)] = lineno
            if self.tree.put(parts, node):
                self.anomaly("create below an unknown directory", where)
        elif ev == "delete":
            old = self.tree.pop(parts)
            self.gone.add(rel)
            if old is None:
                self.anomaly("delete of an unknown path", where)
            elif isinstance(old, dict) != isdir:
                self.anomaly("delete with the wrong type", where)
        elif ev == "rename":
            orel = self.rel(rec, "old_path")
            if orel is None:
                return
            if orel == "":
                self.anomaly("rename of the watched directory itself", where)
                return
            where += " (from %s)" % orel
            self.gone.add(orel)
            node = self.tree.pop(orel.split("/"))
            if node is None:
                old = self.tree.get(parts)
                if old is not None and isinstance(old, dict) == isdir:
                    # Seen when a scan of a new directory has already
                    # listed the entry under its new name: keep what the
                    # scan reported rather than an empty stand-in.
                    self.anomaly("rename of an unknown path onto one present (kept)", where)
                    self.seen[id(old)] = lineno
                    return
                self.anomaly("rename of an unknown path", where)
                node = {} if isdir else []
            elif isinstance(node, dict) != isdir:
                self.anomaly("rename with the wrong type", where)
            self.seen[id(node)] = lineno
            old = self.tree.get(parts)
            if isinstance(old, dict):
                self.anomaly("rename over a directory present", where)
            if self.tree.put(parts, node):
                self.anomaly("rename below an unknown directory", where)
        elif ev in ("modify", "attrib", "truncate", "close_write",
                    "close_nowrite", "open", "access"):
            node = self.tree.get(parts)
            if node is not None:
                self.seen[id(node)] = lineno
            else:
                if rel in self.gone:
                    # A write (or truncate, chmod) that was under way when
                    # another process unlinked the file: the kernel can
                    # queue its event after the delete.  Not a new file.
                    self.anomaly("%s after the path was deleted or renamed" % ev, where)
                    return
                self.anomaly("%s of an unknown path" % ev, where)
                node = {} if isdir else []
                self.seen[id(node)] = lineno
                self.tree.put(parts, node)
        elif ev == "unmount":
            self.anomaly("unmount", where)
        else:
            self.anomaly("unknown event kind", where)

    def replay(self, path):
        with open(path, "rb") as f:
            for lineno, line in enumerate(f, 1):
                self.lines += 1
                try:
                    rec = json.loads(line)
                except ValueError:
                    self.bad_lines += 1
                    self.anomaly("line that is not JSON", "line %d: %r" % (lineno, line[:200]))
                    continue
                self.apply(rec, lineno)

    def compare(self):
        disk = walk_disk(self.root)
        self.disk_entries = count_entries(disk.top)
        self.disk_dirs = sum(1 for _, c in disk.items() if isinstance(c, dict))
        self.missing, self.extra, self.wrongtype = [], [], []

        def rec(dnode, enode, prefix):
            for name, dchild in dnode.items():
                rel = prefix + name
                echild = enode.get(name) if enode is not None else None
                if echild is None:
                    self.missing.append((rel, isinstance(dchild, dict), enode is not None, None))
                    if isinstance(dchild, dict):
                        rec(dchild, None, rel + "/")
                    continue
                if isinstance(dchild, dict) != isinstance(echild, dict):
                    self.wrongtype.append((rel, isinstance(dchild, dict), True, echild))
                if isinstance(dchild, dict):
                    rec(dchild, echild if isinstance(echild, dict) else None, rel + "/")
            if enode is None:
                return
            for name, echild in enode.items():
                if name in dnode:
                    continue
                rel = prefix + name
                self.extra.append((rel, isinstance(echild, dict), True, echild))
                if isinstance(echild, dict):
                    for sub, c in Tree().items(echild, rel + "/"):
                        self.extra.append((sub, isinstance(c, dict), False, c))

        rec(disk.top, self.tree.top, "")
        self.set_entries = count_entries(self.tree.top)


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def proc_cpu(stat_path):
    try:
        with open(stat_path) as f:
            s = f.read()
        fields = s[s.rindex(")") + 2:].split()
        # fields[0] is field 3 (state); utime and stime are fields 14, 15.
        tick = os.sysconf("SC_CLK_TCK")
        return int(fields[11]) / tick, int(fields[12]) / tick
    except (OSError, ValueError, IndexError):
        return None


def proc_hwm(status_path):
    try:
        with open(status_path) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def fmt_counts(d):
    if not d:
        return "0"
    total = sum(d.values())
    return "%d (%s)" % (total, ", ".join("%s %d" % (k, v) for k, v in sorted(d.items())))


def check(a):
    out = []

    def say(key, value):
        out.append("%s: %s" % (key, value))
        print("%s: %s" % (key, value), flush=True)

    ops, races, skipped, errors = {}, {}, {}, {}
    writers_reported = 0
    for s in a.stats:
        st = load_json(s)
        if st is None:
            continue
        writers_reported += 1
        for dst, key in ((ops, "ops"), (races, "races"), (skipped, "skipped"),
                         (errors, "errors")):
            for k, v in st[key].items():
                dst[k] = dst.get(k, 0) + v

    c = Checker(a.root, a.prefix)
    c.tree.top = load_json(a.initial)
    if not isinstance(c.tree.top, dict):
        print("soak: cannot read the starting tree from %s" % a.initial, file=sys.stderr)
        return 2

    def own_files(node):
        # every file its own object, so that the checker can follow it
        for k, v in node.items():
            if isinstance(v, dict):
                own_files(v)
            else:
                node[k] = []
    own_files(c.tree.top)
    c.replay(a.events)
    c.compare()

    race_by_err = {}
    for k, v in races.items():
        e = k.split(":", 1)[1]
        race_by_err[e] = race_by_err.get(e, 0) + v

    say("seconds", a.seconds)
    say("writers", "%d (%d reported)" % (a.writers, writers_reported))
    say("queue limit", a.queue)
    say("fwatch options", a.fwatch_opts or "-r --json --ready")
    if a.skip:
        say("operations left out", a.skip)
    say("operations done", fmt_counts(ops))
    say("races tolerated", fmt_counts(race_by_err))
    if a.verbose:
        say("races by operation", fmt_counts(races))
        say("operations skipped (no target, too deep, too big)", fmt_counts(skipped))
    if errors:
        say("writer errors", fmt_counts(errors))
    say("records read", "%d lines, %d not JSON" % (c.lines, c.bad_lines))
    say("events read", fmt_counts({k: v for k, v in c.events.items() if k != "ready"}))
    say("overflow records", c.overflows)
    say("rescan events", fmt_counts(c.rescan))
    say("entries on disk at the end", "%d (%d directories, %d files)" % (
        c.disk_entries, c.disk_dirs, c.disk_entries - c.disk_dirs))
    say("entries implied by events", c.set_entries)
    say("anomalies", fmt_counts(c.anomalies))
    for kind, ex in sorted(c.examples.items()):
        for e in ex:
            print("  anomaly (%s): %s" % (kind, e))

    def blind(lst, word):
        # An entry of the replayed set whose last record (create, rename,
        # modify, attrib) came before an overflow may have gone unseen in
        # the blind spot; one named after the last overflow may not.
        if not c.overflow_lines or not lst:
            return
        last = c.overflow_lines[-1]
        tops = [x for x in lst if x[2]]
        n = sum(1 for x in tops if c.seen.get(id(x[3]), 0) < last)
        say("%s: topmost entries last named before the last overflow" % word,
            "%d of %d" % (n, len(tops)))

    def kinds(lst):
        d = sum(1 for x in lst if x[1])
        tops = [x for x in lst if x[2]]
        td = sum(1 for x in tops if x[1])
        s = "%d (%d directories, %d files)" % (len(lst), d, len(lst) - d)
        if len(tops) != len(lst):
            s += "; topmost: %d directories, %d files; %d more below those directories" % (
                td, len(tops) - td, len(lst) - len(tops))
        return s

    def examples(lst, word):
        # the topmost of each missing or extra subtree first
        shown = [x for x in lst if x[2]] + [x for x in lst if not x[2]]
        for rel, isdir, top, _ in shown[:20]:
            n = sum(1 for r, _, t, _ in lst if not t and r.startswith(rel + "/")) if isdir else 0
            print("  %s: %s%s%s" % (word, rel, "/" if isdir else "",
                                    " (and %d entries below)" % n if n and top else ""))

    say("missing in events (on disk, not in events)", kinds(c.missing))
    examples(c.missing, "missing")
    say("extra in events (in events, not on disk)", kinds(c.extra))
    examples(c.extra, "extra")
    say("type mismatches (type on disk given)", kinds(c.wrongtype))
    blind(c.extra, "extra")
    blind(c.wrongtype, "type mismatches")
    for rel, isdir, _, _ in c.wrongtype[:20]:
        print("  type: %s is a %s on disk" % (rel, "directory" if isdir else "file"))

    cpu = proc_cpu(a.proc_stat) if a.proc_stat else None
    say("fwatch CPU time", "%.2f s (user %.2f s, sys %.2f s)" % (sum(cpu), cpu[0], cpu[1])
        if cpu else "unknown")
    hwm = proc_hwm(a.proc_status) if a.proc_status else None
    say("fwatch peak RSS", hwm or "unknown")
    say("fwatch quiet after", a.quiet)
    say("fwatch exit", a.fwatch_exit)

    mism = len(c.missing) + len(c.extra) + len(c.wrongtype)
    problems = []
    if mism:
        problems.append("%d mismatches (%d missing, %d extra, %d type)" % (
            mism, len(c.missing), len(c.extra), len(c.wrongtype)))
    if c.bad_lines:
        problems.append("%d lines not JSON" % c.bad_lines)
    if c.ready != 1:
        problems.append("%d ready records" % c.ready)
    if a.fwatch_died:
        problems.append("fwatch exited during the run (%s)" % a.fwatch_exit)
    if writers_reported != a.writers:
        problems.append("only %d of %d writers reported" % (writers_reported, a.writers))
    summary = "%d ops, %d events, %d overflows, %d entries" % (
        sum(ops.values()), c.lines - c.ready, c.overflows, c.disk_entries)
    if problems:
        print("soak: FAIL %s; %s" % ("; ".join(problems), summary), flush=True)
        return 1
    print("soak: PASS no mismatches; %s" % summary, flush=True)
    return 0


# ---------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(prog="soak.py")
    sub = ap.add_subparsers(dest="cmd", required=True)

    b = sub.add_parser("build")
    b.add_argument("root")
    b.add_argument("--depth", type=int, default=6)
    b.add_argument("--seed", type=int, default=1)
    b.add_argument("--manifest", required=True)

    w = sub.add_parser("write")
    w.add_argument("root")
    w.add_argument("--id", type=int, required=True)
    w.add_argument("--seconds", type=float, required=True)
    w.add_argument("--seed", type=int, default=1)
    w.add_argument("--depth", type=int, default=6)
    w.add_argument("--min-entries", type=int, default=200)
    w.add_argument("--max-entries", type=int, default=3000)
    w.add_argument("--stats", required=True)
    w.add_argument("--skip", default="", help="operations left out, comma-separated")

    sub.add_parser("ops", help="list the operations a writer does")

    c = sub.add_parser("check")
    c.add_argument("root")
    c.add_argument("--prefix", required=True, help="the path fwatch was given")
    c.add_argument("--events", required=True)
    c.add_argument("--initial", required=True, help="build's manifest")
    c.add_argument("--stats", nargs="*", default=[])
    c.add_argument("--seconds", default="?")
    c.add_argument("--writers", type=int, default=0)
    c.add_argument("--queue", default="?")
    c.add_argument("--fwatch-opts", default="")
    c.add_argument("--proc-stat")
    c.add_argument("--proc-status")
    c.add_argument("--quiet", default="?")
    c.add_argument("--fwatch-exit", default="?")
    c.add_argument("--fwatch-died", action="store_true")
    c.add_argument("--verbose", action="store_true")
    c.add_argument("--skip", default="")

    a = ap.parse_args()
    if a.cmd == "build":
        build(a)
    elif a.cmd == "ops":
        print(" ".join(Writer.WEIGHTS))
    elif a.cmd == "write":
        write(a)
    else:
        try:
            rc = check(a)
        except BrokenPipeError:
            # stdout went away (run | head): say nothing more
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            rc = 3
        except Exception:
            import traceback
            traceback.print_exc()
            rc = 3
        sys.exit(rc)


if __name__ == "__main__":
    main()
