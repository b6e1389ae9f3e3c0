#!/usr/bin/env python3
"""Hostile file names for tests/hostile.bats: make them, and check that
fwatch's output gives every one of them back, byte for byte.

  names.py deep DIR LEVELS         make LEVELS nested directories below
                                   DIR, each with a 255-byte hostile name
  names.py create DIR LIST SET [LEVELS]
                                   create the names of SET (bytes, odd or
                                   all) in DIR, or LEVELS deep below it in
                                   the tree that `deep` made; write their
                                   paths, each ended by NUL, to LIST
  names.py check MODE OUT LIST     check fwatch's output OUT against LIST

Paths in LIST are written as fwatch prints them (DIR as given, then the
names).  Files are made through directory descriptors, so paths longer
than PATH_MAX work.  MODE is how fwatch ran:

  text     default output: one line per record, paths escaped
  json     --json: jq-compatible JSON Lines, path_b64 for non-UTF-8
  nul      -0: NUL-terminated records, raw paths
  fmt      --format '%e %p': one line per record, paths escaped
  nulfmt   -0 --format '%e\\0%p': two NUL-terminated fields per record

check fails (exit 1, with the reason) unless every record is well formed
for MODE, and every path of LIST appears in exactly one create record.
"""

import base64
import json
import os
import sys

SLASH = 0x2F


def every_byte():
    """One name for each byte 0x01-0xff but '/', with the byte inside."""
    return [b"b%02x_" % b + bytes([b]) + b"_" for b in range(1, 256) if b != SLASH]


def odd_names():
    all_bytes = bytes(b for b in range(1, 256) if b != SLASH)  # 254 bytes
    return [
        all_bytes,
        b"\xc3\xa9" * 127 + b"\xff",  # 255 bytes, invalid at the very end
        b"\\" * 255,  # 510 characters once escaped
        b"\x01" * 255,  # 1020 in text, 1530 in JSON
        b"\x7f" * 255,
        b"L" * 255,
        # invalid UTF-8 of every kind
        b"\x80",  # lone continuation byte
        b"\xc0\xaf",  # overlong '/'
        b"\xed\xa0\x80",  # UTF-16 surrogate
        b"\xf4\x90\x80\x80",  # above U+10FFFF
        b"\xe2\x82",  # truncated sequence
        b"\xf8\x88\x80\x80\x80",  # five-byte form
        b"ok\xe2\x82\xacok",  # valid: the euro sign
        b"\xef\xbf\xbd",  # valid: U+FFFD itself, needs no path_b64
        # names that look like options, placeholders or directives
        b"-rf",
        b"--help",
        b"-",
        b"--",
        b"-0",
        b"{}",
        b"{event}",
        b"{paths}",
        b"{old}",
        b"%p",
        b"%",
        b"%%e",
        b"\\0",
        b"\\n",
        b"\\x41",
        b" -> ",
        b" leading",
        b"trailing ",
        b"...",
        b"nl\nnl\n",
        b"\n",
        b"\r\n",
    ]


def name_set(which):
    if which == "bytes":
        return every_byte()
    if which == "odd":
        return odd_names()
    if which == "all":
        return every_byte() + odd_names()
    die("unknown set " + which)


def level_name(i):
    """A 255-byte directory name, hostile bytes rotating with i."""
    pool = [b for b in range(1, 256) if b != SLASH]
    return bytes(pool[(i * 37 + k) % len(pool)] for k in range(255))


def die(msg):
    sys.stderr.write("names.py: %s\n" % msg)
    sys.exit(1)


def show(b):
    return repr(b)[:300]


def descend(dir_, levels, make):
    """Open (making them first if make) LEVELS nested hostile directories
    below dir_, one at a time; return the last one's fd and path."""
    fd = os.open(dir_, os.O_RDONLY | os.O_DIRECTORY)
    path = dir_
    for i in range(levels):
        n = level_name(i)
        if make:
            os.mkdir(n, dir_fd=fd)
        nfd = os.open(n, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = nfd
        path += b"/" + n
    return fd, path


def create(dir_, listfile, which, levels):
    fd, dir_ = descend(dir_, levels, False)
    paths = []
    for n in name_set(which):
        os.close(os.open(n, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644, dir_fd=fd))
        paths.append(dir_ + b"/" + n)
    os.close(fd)
    with open(listfile, "wb") as f:
        f.write(b"".join(p + b"\0" for p in paths))


def deep(dir_, levels):
    fd, _ = descend(dir_, levels, True)
    os.close(fd)


def unescape(s):
    """Undo the text escaping of fwatch(1): \\\\ \\n \\t \\r \\xHH."""
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c != 0x5C:
            out.append(c)
            i += 1
            continue
        nxt = s[i + 1 : i + 2]
        if nxt == b"\\":
            out.append(0x5C)
            i += 2
        elif nxt == b"n":
            out.append(0x0A)
            i += 2
        elif nxt == b"t":
            out.append(0x09)
            i += 2
        elif nxt == b"r":
            out.append(0x0D)
            i += 2
        elif nxt == b"x":
            hh = s[i + 2 : i + 4]
            if len(hh) != 2 or any(h not in b"0123456789abcdef" for h in hh):
                die("bad \\x escape (want two lowercase hex digits) in %s" % show(s))
            out.append(int(hh, 16))
            i += 4
        else:
            die("backslash not escaped, or unknown escape, in %s" % show(s))
    return bytes(out)


def check_line_record(rec):
    """EVENT SP ESCAPED-PATH (text and --format '%e %p')."""
    if any(b < 0x20 or b == 0x7F for b in rec):
        die("raw control byte in a text record: %s" % show(rec))
    event, sep, path = rec.partition(b" ")
    return event, unescape(path)


def records(mode, data):
    """(event, path bytes) for every record of data."""
    out = []
    if mode in ("text", "fmt", "json"):
        if data and not data.endswith(b"\n"):
            die("output does not end with a newline")
        lines = data.split(b"\n")[:-1]
        for line in lines:
            if mode == "json":
                out.append(json_record(line))
            elif line == b"ready" and mode == "text":
                out.append((b"ready", b""))
            else:
                out.append(check_line_record(line))
    elif mode == "nul":
        if data and not data.endswith(b"\0"):
            die("output does not end with NUL")
        for rec in data.split(b"\0")[:-1]:
            event, _, path = rec.partition(b" ")
            out.append((event, path))
    elif mode == "nulfmt":
        if data and not data.endswith(b"\0"):
            die("output does not end with NUL")
        fields = data.split(b"\0")[:-1]
        if len(fields) % 2:
            die("odd number of NUL-terminated fields: %d" % len(fields))
        for i in range(0, len(fields), 2):
            out.append((fields[i], fields[i + 1]))
    else:
        die("unknown mode " + mode)
    return out


def json_record(line):
    if any(b < 0x20 for b in line):
        die("raw control byte in a JSON line: %s" % show(line))
    try:
        text = line.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        die("JSON line is not UTF-8 (%s): %s" % (e, show(line)))
    try:
        rec = json.loads(text)
    except ValueError as e:
        die("not JSON (%s): %s" % (e, show(line)))
    if not isinstance(rec, dict):
        die("not an object: %s" % show(line))
    path = rec.get("path")
    if not isinstance(path, str):
        die("no string path: %s" % show(line))
    try:
        as_utf8 = path.encode("utf-8")  # fails on lone surrogates
    except UnicodeEncodeError:
        die("path holds a lone surrogate: %s" % show(line))
    if "path_b64" in rec:
        try:
            raw = base64.b64decode(rec["path_b64"], validate=True)
        except ValueError:
            die("path_b64 is not base64: %s" % show(line))
        try:
            raw.decode("utf-8", errors="strict")
            die("path_b64 on a path that is valid UTF-8: %s" % show(line))
        except UnicodeDecodeError:
            pass
        # path: the valid parts kept, the invalid ones replaced by U+FFFD
        want = raw.decode("utf-8", errors="replace").replace("\ufffd", "")
        if path.replace("\ufffd", "") != want or "\ufffd" not in path:
            die("path does not match path_b64: %s" % show(line))
        return rec["event"].encode(), raw
    return rec["event"].encode(), as_utf8


def check(mode, outfile, listfile):
    with open(outfile, "rb") as f:
        data = f.read()
    with open(listfile, "rb") as f:
        want = f.read().split(b"\0")[:-1]
    recs = records(mode, data)
    created = {}
    for event, path in recs:
        if event == b"create":
            created[path] = created.get(path, 0) + 1
    bad = 0
    for p in want:
        n = created.get(p, 0)
        if n != 1:
            bad += 1
            if bad <= 10:
                sys.stderr.write("%d create record(s) for %s (length %d)\n" % (n, show(p), len(p)))
    if bad:
        near = [show(p) for p in created if p not in want][:10]
        die("%d of %d paths not reported exactly once; unexpected paths: %s" % (bad, len(want), near))


def main(argv):
    if len(argv) in (5, 6) and argv[1] == "create":
        create(os.fsencode(argv[2]), argv[3], argv[4], int(argv[5]) if len(argv) > 5 else 0)
    elif len(argv) == 4 and argv[1] == "deep":
        deep(os.fsencode(argv[2]), int(argv[3]))
    elif len(argv) == 5 and argv[1] == "check":
        check(argv[2], argv[3], argv[4])
    else:
        die("usage: see the top of this file")


if __name__ == "__main__":
    main(sys.argv)
