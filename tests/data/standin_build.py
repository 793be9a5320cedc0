"""A stand-in build command for reproduce's tests: the standard library only, no backend.

    python3 standin_build.py MODE [COUNTER]

Writes dist/<name>-<version>-py3-none-any.whl (zipfile) and dist/<name>-<version>.tar.gz
(tarfile + gzip) from every file of the folder it runs in (but .git and dist), with times
from SOURCE_DATE_EPOCH. MODE makes one thing vary between two builds, told apart by a counter
kept in the file COUNTER (outside the checkout), so the tests stay deterministic:

  deterministic  both builds identical
  time           a member's content holds the build's number
  gzip           only the gzip header's time differs
  mode           only one member's mode differs
  once           the second build makes no sdist
  nosde          times are now, not SOURCE_DATE_EPOCH
  fail           the build fails, after printing a line

If STANDIN_SPY names a file, the build appends what it saw there: the variables that must not
reach it, and the files it packed.
"""

import gzip
import io
import os
import sys
import tarfile
import time
import zipfile

mode = sys.argv[1]
count = 0
if len(sys.argv) > 2:
    try:
        with open(sys.argv[2]) as f:
            count = int(f.read() or 0)
    except FileNotFoundError:
        count = 0
    with open(sys.argv[2], "w") as f:
        f.write(str(count + 1))

if mode == "fail":
    print("standin: compiling the extension")
    print("standin: error: the compiler exploded", file=sys.stderr)
    sys.exit(3)

name, version = "demo_pkg", "1.0.0"
for line in open("pyproject.toml", encoding="utf-8"):
    if line.startswith("version"):
        version = line.split("=", 1)[1].strip().strip('"')

epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
when = time.time() + 4 * count if mode == "nosde" else epoch
files = []
for top, dirs, names in os.walk("."):
    dirs[:] = sorted(d for d in dirs if d not in (".git", "dist"))
    for n in sorted(names):
        files.append(os.path.join(top, n)[2:])

spy = os.environ.get("STANDIN_SPY")
if spy:
    with open(spy, "a") as f:
        for key in ("SETUPTOOLS_SCM_PRETEND_VERSION", "PYTHONPATH", "SOURCE_DATE_EPOCH", "GIT_DIR"):
            f.write(f"{key}={os.environ.get(key, '')}\n")
        f.write(f"umask={os.umask(0o022):03o}\n")
        f.write("files=" + ",".join(files) + "\n")

os.makedirs("dist", exist_ok=True)
stamp = time.gmtime(when)[:6]
wheel = f"dist/{name}-{version}-py3-none-any.whl"
with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as z:
    for path in files:
        info = zipfile.ZipInfo(f"{name}/{path}", stamp)
        info.external_attr = (0o100644 | (0o020 if mode == "mode" and count % 2 and path == "pyproject.toml" else 0)) << 16
        z.writestr(info, open(path, "rb").read())
    if mode == "time":
        z.writestr(zipfile.ZipInfo(f"{name}/_build.py", stamp), f"BUILD = {count}\n")
    info = zipfile.ZipInfo(f"{name}-{version}.dist-info/WHEEL", stamp)
    z.writestr(info, "Wheel-Version: 1.0\nGenerator: standin 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    info = zipfile.ZipInfo(f"{name}-{version}.dist-info/METADATA", stamp)
    z.writestr(info, f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")

if mode == "once" and count % 2:
    sys.exit(0)
raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
    for path in files:
        data = open(path, "rb").read()
        info = tarfile.TarInfo(f"{name}-{version}/{path}")
        info.size, info.mtime, info.mode = len(data), when, 0o644
        t.addfile(info, io.BytesIO(data))
gz_time = epoch + (count if mode == "gzip" else 0)
with open(f"dist/{name}-{version}.tar.gz", "wb") as out:
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=gz_time) as g:
        g.write(raw.getvalue())
print("standin: built", wheel)
