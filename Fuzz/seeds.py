#!/usr/bin/env python3
"""Writes the fuzzers' seed inputs, OUT/TARGET/NAME, for archive, layer, documents and
change: small archives in every dialect lading loads (docker-save legacy and Docker 25+,
oci-archive with a nested index, Docker schema 2 manifests, compressed), crafted layer
tarballs (whiteouts, links, escapes, pax and GNU headers, devices), image documents and
reference text, and --change lines; plus the tarballs and OCI layouts under testdata/.
Deterministic; run by scripts/fuzz.

usage: Fuzz/seeds.py OUT [REPO_ROOT]"""
import bz2, gzip, hashlib, io, json, lzma, os, shutil, subprocess, sys, tarfile

tarfile.RECORDSIZE = 512  # no padding past the end-of-archive blocks: smaller inputs
OUT = sys.argv[1]
REPO = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"


def put(target, name, data):
    os.makedirs(f"{OUT}/{target}", exist_ok=True)
    with open(f"{OUT}/{target}/{name}", "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def entry(name, data=b"", kind=tarfile.REGTYPE, link="", mode=0o644, pax=None, dev=(0, 0), uid=0):
    t = tarfile.TarInfo(name)
    t.type, t.linkname, t.mode, t.mtime, t.uid, t.gid = kind, link, mode, 1700000000, uid, uid
    t.devmajor, t.devminor = dev
    if kind == tarfile.DIRTYPE:
        t.mode = 0o755
    if pax:
        t.pax_headers = pax
    return t, data


def tar(entries, fmt=tarfile.PAX_FORMAT):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=fmt) as t:
        for info, data in entries:
            info.size = len(data) if info.type in (tarfile.REGTYPE, tarfile.AREGTYPE) else 0
            t.addfile(info, io.BytesIO(data) if info.size else None)
    return b.getvalue()


def gz(b):
    return gzip.compress(b, mtime=0)


def zst(b):
    if shutil.which("zstd") is None:
        return None
    return subprocess.run(["zstd", "-q", "-c", "-3"], input=b, capture_output=True, check=True).stdout


def sha(b):
    return hashlib.sha256(b).hexdigest()


def js(v):
    return json.dumps(v, separators=(",", ":"), sort_keys=True).encode()


def desc(media, blob, **extra):
    return dict(mediaType=media, digest="sha256:" + sha(blob), size=len(blob), **extra)


# --- layers -------------------------------------------------------------------------
D, F, L, H = tarfile.DIRTYPE, tarfile.REGTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE
base_layer = tar([entry("etc/", kind=D), entry("etc/hello", b"hello\n"), entry("bin", kind=L, link="usr/bin"),
                  entry("usr/", kind=D), entry("usr/bin/", kind=D), entry("usr/bin/sh", b"#!", mode=0o755),
                  entry("etc/hello.link", kind=H, link="etc/hello")])
layers = {
    "basic.tar": base_layer,
    "basic.tar.gz": gz(base_layer),
    "whiteouts.tar": tar([entry("etc/.wh.passwd"), entry(".wh.usr"), entry("etc/sub/", kind=D),
                          entry("etc/sub/.wh..wh..opq"), entry(".wh..wh.plnk/", kind=D), entry(".wh..wh.aufs"),
                          entry("etc/new", b"x"), entry("etc/.wh.new")]),
    "replace.tar": tar([entry("bin/", kind=D), entry("./", kind=D), entry("usr/bin", kind=L, link="/etc"),
                        entry("usr/bin/sh", b"through"), entry("passwd", b"replaces a symlink"),
                        entry("etc", b"now a file"), entry(".", b"root as a file")]),
    "pax.tar": tar([entry("d/" + "n" * 150 + "/", kind=D), entry("d/" + "n" * 150 + "/f" + "x" * 120, b"long"),
                    entry("sl", kind=L, link="t" * 200),
                    entry("x", b"attrs", pax={"SCHILY.xattr.user.k": "v",
                                             "mtime": "1700000000.123456789", "uid": "4294967295"}),
                    entry("big-owner", b"o", uid=70000), entry("setuid", b"s", mode=0o4755)]),
    "gnu.tar": tar([entry("g/" + "l" * 130, b"gnu long"), entry("gl", kind=L, link="k" * 140)], fmt=tarfile.GNU_FORMAT),
    "special.tar": tar([entry("dev/", kind=D), entry("dev/null", kind=tarfile.CHRTYPE, dev=(1, 3), mode=0o666),
                        entry("dev/blk", kind=tarfile.BLKTYPE, dev=(7, 0)), entry("fifo", kind=tarfile.FIFOTYPE)]),
    "ustar.tar": tar([entry("u/file", b"ustar"), entry("u/dir/", kind=D)], fmt=tarfile.USTAR_FORMAT),
}
# Entries a layer may be refused for, or that try to leave the root: one a seed, each
# after a harmless entry, since a refused entry ends the layer.
escapes = [entry("../evil", b"x"), entry("/abs/file", b"x"), entry("up/x", b"x"), entry("etc/up/x", b"x"),
           entry("etc/sub/up/z", b"z"), entry("a/b/../../../c", b"c"), entry("hard", kind=H, link="../outside/file"),
           entry("hard", kind=H, link="outfile"), entry("hard", kind=H, link="passwd"), entry("hard", kind=H, link="/etc/passwd"),
           entry("hard", kind=H, link="up/file"), entry("empty-link", kind=L, link=""), entry("x" * 300, b"long"),
           entry("bin/.wh.x/y", b"y"), entry("cap", b"c", pax={"SCHILY.xattr.security.capability": "\x01"}),
           entry("hard", kind=H, link="etc"), entry("hard", kind=H, link="."), entry("sock", kind=tarfile.CONTTYPE)]
for i, e in enumerate(escapes):
    layers[f"refused-{i:02}.tar"] = tar([entry("ok", b"ok"), e])
layers["through-own-link.tar"] = tar([entry("lnk", kind=L, link="../outside"), entry("lnk/pwned", b"x"),
                                      entry("abs", kind=L, link="/../../outside"), entry("abs/y", b"y"),
                                      entry("dot", kind=L, link="."), entry("dot/dot/z", b"z")])
for name, data in layers.items():
    put("layer", name, data)

# --- archives -----------------------------------------------------------------------
def config(layer_tars, arch="amd64"):
    return js({"architecture": arch, "os": "linux", "created": "2024-01-01T00:00:00Z",
               "config": {"Env": ["PATH=/usr/bin:/bin"], "Cmd": ["/bin/sh"], "Labels": {"a": "b"}},
               "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha(l) for l in layer_tars]},
               "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "seed"} for _ in layer_tars]})


def archive(files):
    return tar([entry(n, d) if not isinstance(d, tuple) else entry(n, kind=L, link=d[1]) for n, d in files],
               fmt=tarfile.USTAR_FORMAT)


small = tar([entry("hello", b"hello\n")])
cfg = config([base_layer])

# Docker 25+ (docker save): oci-layout, index.json, manifest.json, blobs.
m = js({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": desc(OCI_CONFIG, cfg),
        "layers": [desc(OCI_LAYER, base_layer)]})
idx = js({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [desc(OCI_MANIFEST, m, annotations={
    "io.containerd.image.name": "docker.io/library/seed:latest", "org.opencontainers.image.ref.name": "latest"})]})
docker25 = archive([("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), ("blobs/sha256/" + sha(base_layer), base_layer),
                    ("blobs/sha256/" + sha(cfg), cfg), ("blobs/sha256/" + sha(m), m), ("index.json", idx),
                    ("manifest.json", js([{"Config": "blobs/sha256/" + sha(cfg), "RepoTags": ["seed:latest"],
                                           "Layers": ["blobs/sha256/" + sha(base_layer)]}]))])
put("archive", "docker25.tar", docker25)
put("archive", "docker25.tar.gz", gz(docker25))
put("archive", "docker25.tar.xz", lzma.compress(docker25))
put("archive", "docker25.tar.bz2", bz2.compress(docker25))
if zst(docker25):
    put("archive", "docker25.tar.zst", zst(docker25))

# Legacy docker save: <id>/layer.tar (the second image's as a symlink), <hex>.json, repositories.
cfg2 = config([base_layer, small])
v1a, v1b, v1c = sha(b"a"), sha(b"b"), sha(b"c")
legacy = archive([(f"{v1a}/layer.tar", base_layer), (f"{v1a}/VERSION", b"1.0"), (f"{v1a}/json", js({"id": v1a})),
                  (f"{v1b}/layer.tar", small), (f"{v1b}/VERSION", b"1.0"), (f"{v1b}/json", js({"id": v1b, "parent": v1a})),
                  (f"{v1c}/layer.tar", ("sym", f"../{v1a}/layer.tar")), (f"{v1c}/json", js({"id": v1c})),
                  (sha(cfg) + ".json", cfg), (sha(cfg2) + ".json", cfg2),
                  ("manifest.json", js([{"Config": sha(cfg) + ".json", "RepoTags": ["legacy:1"], "Layers": [f"{v1c}/layer.tar"]},
                                        {"Config": sha(cfg2) + ".json", "RepoTags": None,
                                         "Layers": [f"{v1a}/layer.tar", f"{v1b}/layer.tar"]}])),
                  ("repositories", js({"legacy": {"1": v1c}}))])
put("archive", "legacy.tar", legacy)

# oci-archive: a nested index (one platform absent), gzip and zstd layers, a bare-tag ref.name.
glayer = gz(small)
zlayer = zst(small)
cfg3 = config([small])
m_gz = js({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": desc(OCI_CONFIG, cfg3),
           "layers": [desc(OCI_LAYER + "+gzip", glayer)]})
blobs = [glayer, cfg3, m_gz]
children = [desc(OCI_MANIFEST, m_gz, platform={"os": "linux", "architecture": "amd64"})]
if zlayer:
    m_zst = js({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": desc(OCI_CONFIG, cfg3),
                "layers": [desc(OCI_LAYER + "+zstd", zlayer)]})
    blobs += [zlayer, m_zst]
    children.append(desc(OCI_MANIFEST, m_zst, platform={"os": "linux", "architecture": "arm64", "variant": "v8"}))
children.append(dict(mediaType=OCI_MANIFEST, digest="sha256:" + sha(b"absent"), size=6,
                     platform={"os": "linux", "architecture": "s390x"}))
inner = js({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": children})
blobs.append(inner)
top = js({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [desc(OCI_INDEX, inner, annotations={
    "org.opencontainers.image.ref.name": "v1"})]})
put("archive", "oci.tar", archive([("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), ("index.json", top)] +
                                  [("blobs/sha256/" + sha(b), b) for b in blobs]))

# A Docker schema 2 manifest in an OCI layout, named by a full reference.
dcfg = config([small])
dm = js({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "config": desc("application/vnd.docker.container.image.v1+json", dcfg),
         "layers": [desc("application/vnd.docker.image.rootfs.diff.tar.gzip", glayer)]})
put("archive", "schema2.tar", archive([("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'),
                                       ("index.json", js({"schemaVersion": 2, "manifests": [desc(
                                           "application/vnd.docker.distribution.manifest.v2+json", dm,
                                           annotations={"org.opencontainers.image.ref.name": "docker.io/library/s2:1"})]})),
                                       ("blobs/sha256/" + sha(glayer), glayer), ("blobs/sha256/" + sha(dcfg), dcfg),
                                       ("blobs/sha256/" + sha(dm), dm)]))
# The repository's fixtures: every tarball (up to 2.5 MB) seeds the archive target (the
# small ones the layer target too), and every OCI layout directory, tarred, is an
# oci-archive seed.
for top, dirs, files in sorted(os.walk(f"{REPO}/testdata")):
    dirs.sort()
    rel = os.path.relpath(top, f"{REPO}/testdata").replace("/", "_")
    for f in sorted(files):
        path = f"{top}/{f}"
        if not (f.endswith(".tar") or ".tar." in f) or os.path.getsize(path) > 2_500_000:
            continue
        shutil.copy(path, f"{OUT}/archive/{rel}_{f}")
        if os.path.getsize(path) <= 65536:
            shutil.copy(path, f"{OUT}/layer/{rel}_{f}")
    if "oci-layout" in files and "index.json" in files:
        b = io.BytesIO()
        with tarfile.open(fileobj=b, mode="w", format=tarfile.PAX_FORMAT) as t:
            for name in sorted(os.listdir(top)):
                t.add(f"{top}/{name}", arcname=name, filter=lambda i: (setattr(i, "mtime", 0), i)[1])
        if len(b.getvalue()) <= 2_500_000:
            put("archive", f"{rel}.oci.tar", b.getvalue())

# --- documents ----------------------------------------------------------------------
docs = {"index.json": idx, "inner-index.json": inner, "manifest.json": m, "schema2.json": dm, "config.json": cfg2,
        "save-manifest.json": js([{"Config": "a.json", "RepoTags": ["a:b"], "Layers": ["x/layer.tar"], "Parent": "sha256:" + "0" * 64,
                                   "LayerSources": {"sha256:" + sha(small): desc(OCI_LAYER, small, urls=["https://x"])}}]),
        "repositories": js({"busybox": {"latest": v1a}}), "oci-layout": b'{"imageLayoutVersion":"1.0.0"}',
        "descriptor.json": js(desc(OCI_MANIFEST, m, platform={"os": "linux", "architecture": "arm", "variant": "v7",
                                                                  "os.version": "1", "os.features": ["f"]},
                                   annotations={"org.opencontainers.image.ref.name": "1.0"}, artifactType="x/y")),
        "attestation.json": js({"schemaVersion": 2, "manifests": [desc(OCI_MANIFEST, m, platform={"os": "unknown", "architecture": "unknown"},
                                                                     annotations={"vnd.docker.reference.type": "attestation-manifest",
                                                                                  "vnd.docker.reference.digest": "sha256:" + sha(m)})]}),
        "config-full.json": js({"architecture": "arm64", "variant": "v8", "os": "linux", "author": "a", "created": "2024-01-01T00:00:00.5Z",
                                "config": {"User": "1:2", "ExposedPorts": {"80/tcp": {}}, "Env": ["A=b"], "Entrypoint": ["/e"], "Cmd": ["c"],
                                           "Volumes": {"/v": {}}, "WorkingDir": "/w", "Labels": {"l": "v"}, "StopSignal": "SIGTERM",
                                           "ArgsEscaped": True, "Healthcheck": {"Test": ["CMD", "x"], "Interval": 1000000000, "Retries": 3},
                                           "OnBuild": ["RUN x"], "Shell": ["/bin/sh", "-c"]},
                                "rootfs": {"type": "layers", "diff_ids": []}, "history": [{"empty_layer": True, "comment": "c"}]}),
        "refs.txt": "busybox\ndocker.io/library/busybox:latest\nlocalhost:5000/a/b_c--d.e:tag-1\n"
                    "ghcr.io/o/r@sha256:" + "a" * 64 + "\n[::1]:5000/x:y\nindex.docker.io/library/ubuntu:22.04\n"
                    "A/b\n" + "f" * 64 + "\nbusybox:tag@sha512:" + "b" * 128 + "\n",
        "digests.txt": "sha256:" + "0" * 64 + "\nsha512:" + "1" * 128 + "\nsha256:ABC\nblake3:" + "2" * 64 + "\nsha256+b64:x\n",
        "platforms.txt": "linux/amd64\nlinux/arm64/v8\narm\nwindows\nlinux/arm/v7\ndarwin/arm64\nlinux/*\n386\nlinux/ppc64le/\n",
        "cpuinfo.txt": "processor\t: 0\nCPU architecture: 8\nmodel name\t: ARMv6-compatible processor rev 7 (v6l)\nCPU architecture: 7\n"}
for name, data in docs.items():
    put("documents", name, data)

# --- --change lines -----------------------------------------------------------------
changes = {
    "env": 'ENV A=1 B="x y" C=${A:-z}\nENV D $HOME/bin\nenv E=\'q\' F=\\$G',
    "cmd": 'CMD ["a", "b\\u0041"]\nCMD echo $HOME && ls\nENTRYPOINT ["/e"]\nENTRYPOINT exec x',
    "expose": "EXPOSE 80 443/tcp 53/udp 8000-8010/tcp ${P:-9}\nEXPOSE 1/sctp",
    "healthcheck": "HEALTHCHECK --interval=5s --timeout=1m30s --start-period=1s --start-interval=2s --retries=3 CMD curl -f x\n"
                   "HEALTHCHECK NONE\nHEALTHCHECK CMD-SHELL [\"a\"]",
    "label": 'LABEL a=b "c d"=e f="g\\\nh"\nLABEL x y z',
    "onbuild": "ONBUILD RUN make\nONBUILD ADD . /src\nSTOPSIGNAL SIGKILL\nSTOPSIGNAL 9\nSTOPSIGNAL ${S}",
    "user": "USER ${A:-x}:g\nUSER 1000\nVOLUME [\"/data\", \"/b\"]\nVOLUME /c /d\nWORKDIR $HOME/x\nWORKDIR rel",
    "escape": "# escape=`\nENV A=b`\n  c\nCMD [\"x\"]",
    "continuation": "# comment\nENV A=1 \\\n  B=2\n\nLABEL \\\n # inside\n k=v",
    "expansions": "ENV A=${B:+x} C=${D:?err} E=$$ F=${#G} G=${H%%x} I=${J/x/y} K=\"${L}\"",
    "refused": "RUN x\nFROM y\nCOPY a b\nMAINTAINER m\nARG A=1",
}
for name, text in changes.items():
    put("change", name, text)
