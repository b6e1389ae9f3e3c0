"""The corpus of tests/gitignore.bats: a git work tree whose .gitignore
files hold the hard cases of gitignore(5), and a few thousand paths.

  corpus.py REPO STAGE rules   the directories and the .gitignore files of
                               REPO, and in STAGE a directory (with its own
                               .gitignore) to be moved in later
  corpus.py REPO STAGE paths   create the paths (new directories, files in
                               every directory, STAGE's directory moved in
                               whole) and print each, relative to REPO, one
                               per line

The same seed each run: the same corpus.  What git ignores is asked of git
itself (git check-ignore), never written down here.
"""
import os
import random
import sys

repo, stage, phase = sys.argv[1], sys.argv[2], sys.argv[3]
rnd = random.Random(15)
top_rules = r"""# a comment, then the hard cases
*.o
!important.o
build/
/root-only.txt
logs/**/debug.log
**/cache/
doc/**
!doc/keep/
a/**/b
trail\ 
spaces.txt   
\#hash.txt
\!bang.txt
[abc]-class.txt
[!x]y.dat
file[[:digit:]].log
name-dir/
vendor/
!vendor/keep.txt
**/gen/**
/**/anchored-any.txt
"""
sub_rules = r"""*.tmp
!special.tmp
/anchored.txt
deep/**/x.txt
*.o/
"""
inner_rules = "!*.o\n!build/\n"
dirs = ["", "sub", "sub/inner", "sub/deep", "sub/deep/k/l", "build", "sub/build",
        "logs", "logs/x/y", "cache", "sub/cache", "doc", "doc/keep", "doc/other",
        "a", "a/b", "a/x/b", "a/x/y/b", "vendor", "name-dir", "sub/name-dir",
        "gen", "q/gen", "q/gen/r", "sub/inner/build", "excluded-dir", "plain",
        "plain/deeper", "sub/inner/x"]
names = ["a.c", "a.o", "important.o", "root-only.txt", "debug.log", "x.txt",
         "keep.txt", "trail ", "trail", "spaces.txt", "#hash.txt", "!bang.txt",
         "a-class.txt", "d-class.txt", "ay.dat", "xy.dat", "file1.log", "filex.log",
         "name-dir", "f.tmp", "special.tmp", "anchored.txt", "anchored-any.txt",
         "f.secret", "f.swp", ".DS_Store", "bak~", "b", "plain.txt", "README",
         "q.o", "with space.c", "[x].c", "back\\slash.c"]
if phase == "rules":
    for d in dirs:
        os.makedirs(os.path.join(repo, d), exist_ok=True)
    open(os.path.join(repo, ".gitignore"), "w").write(top_rules)
    open(os.path.join(repo, "sub/.gitignore"), "w").write(sub_rules)
    open(os.path.join(repo, "sub/inner/.gitignore"), "w").write(inner_rules)
    # staged: directories moved in later, whole, with their own rules
    os.makedirs(os.path.join(stage, "moved/deep"), exist_ok=True)
    open(os.path.join(stage, "moved/.gitignore"), "w").write("*.c\n!keep.c\ndeep/\n")
    for n in ["a.c", "keep.c", "a.txt", "a.o"]:
        open(os.path.join(stage, "moved", n), "w").close()
        open(os.path.join(stage, "moved/deep", n), "w").close()
    sys.exit(0)
out = []
def touch(rel, content=b""):
    p = os.path.join(repo, rel)
    with open(p, "wb") as f:
        f.write(content)
    out.append(rel)
# new directories, some of them with names the rules speak of
newdirs = []
for d in dirs:
    for nd in ["new", "cache", "name-dir", "gen", "b"]:
        rel = os.path.join(d, nd) if d else nd
        if not os.path.isdir(os.path.join(repo, rel)) and rnd.random() < 0.5:
            os.makedirs(os.path.join(repo, rel))
            out.append(rel)
            newdirs.append(rel)
for d in dirs + newdirs:
    for n in names:
        rel = os.path.join(d, n) if d else n
        if os.path.isdir(os.path.join(repo, rel)):
            continue
        touch(rel)
os.rename(os.path.join(stage, "moved"), os.path.join(repo, "sub/moved"))
for r, ds, fs in os.walk(os.path.join(repo, "sub/moved")):
    for n in ds + fs:
        out.append(os.path.relpath(os.path.join(r, n), repo))
out.append("sub/moved")
for p in out:
    print(p)
