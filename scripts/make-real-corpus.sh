#!/usr/bin/env bash
# Builds a corpus of real images written by other tools (umoci, skopeo, containerd),
# so the project is tested on inputs it did not write itself.
#
#   scripts/make-real-corpus.sh OUTDIR [small|debian]
#
# small  : a busybox image (a few MiB), two layers, whiteouts, hardlink, symlink.
#          The tests read one such corpus, kept in testdata/corpus (see
#          testdata/SOURCES.md). A rebuild gives new digests and timestamps, which the
#          tests pin, so the checked-in copy is not regenerated casually.
# debian : a Debian minbase rootfs (about 200 MiB) as base layer plus the same
#          second layer; for benchmarks (scripts/bench makes it when missing).
# Needs (Debian packages): umoci skopeo containerd busybox-static (small),
# debootstrap (debian). Run as root. containerd is started on a private socket
# under OUTDIR and stopped again.
set -euo pipefail
out=${1:?usage: make-real-corpus.sh OUTDIR [small|debian]}
kind=${2:-small}
mkdir -p "$out"; out=$(cd "$out" && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

rootfs=$work/rootfs
mkdir -p "$rootfs"
case "$kind" in
small)
  (cd "$work" && apt-get download busybox-static >/dev/null)
  dpkg-deb -x "$work"/busybox-static_*.deb "$work/bb"
  mkdir -p "$rootfs"/{bin,etc,tmp,usr/share/doc/busybox,var/lib/apt/lists}
  cp "$work/bb/bin/busybox" "$rootfs/bin/busybox"
  for t in sh ls cat echo; do ln -s busybox "$rootfs/bin/$t"; done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$rootfs/etc/passwd"
  echo 'Welcome' > "$rootfs/etc/motd"
  echo 'net' > "$rootfs/etc/issue.net"
  echo 'doc' > "$rootfs/usr/share/doc/busybox/copyright"
  echo 'list' > "$rootfs/var/lib/apt/lists/index"
  ;;
debian)
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null \
    | grep -oE 'https?://[^ ]+/debian/?( |$)' | head -1 | tr -d ' ' || true)
  [ -n "$mirror" ] || { echo "no Debian mirror found in apt sources" >&2; exit 2; }
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null
  ;;
*) echo "unknown kind $kind" >&2; exit 2 ;;
esac
tar --numeric-owner -C "$rootfs" -cf "$out/rootfs.tar" .
gzip -kf "$out/rootfs.tar"; xz -T0 -kf "$out/rootfs.tar"; bzip2 -kf "$out/rootfs.tar"; zstd -qf "$out/rootfs.tar" -o "$out/rootfs.tar.zst"

lay=$out/layout
rm -rf "$lay"
umoci init --layout "$lay"
umoci new --image "$lay:base"
umoci unpack --image "$lay:base" "$work/bundle" >/dev/null
cp -a "$rootfs/." "$work/bundle/rootfs/"
umoci repack --image "$lay:base" "$work/bundle"
umoci config --image "$lay:base" --config.env PATH=/usr/sbin:/usr/bin:/sbin:/bin --config.cmd /bin/sh --author corpus --history.comment "base rootfs"
rm -rf "$work/bundle"
umoci unpack --image "$lay:base" "$work/bundle" >/dev/null
R=$work/bundle/rootfs
rm -rf "$R/usr/share/doc" "$R/var/lib/apt/lists" "$R/etc/issue.net"
mkdir -p "$R/opt/app/bin" "$R/opt/app/name with spaces"
printf 'hello\n' > "$R/opt/app/bin/hello"
ln "$R/opt/app/bin/hello" "$R/opt/app/bin/hello-hard"
ln -s ../bin/hello "$R/opt/app/hello-link"
echo x > "$R/opt/app/name with spaces/f"
echo changed >> "$R/etc/motd"
umoci repack --image "$lay:v2" "$work/bundle"
umoci config --image "$lay:v2" --config.label org.example.version=2 --config.workingdir /opt/app
umoci gc --layout "$lay"

skopeo copy -q oci:"$lay":v2 docker-archive:"$out/v2.skopeo.docker.tar":example.com/team/app:v2
skopeo copy -q oci:"$lay":v2 oci-archive:"$out/v2.skopeo.oci.tar":v2
rm -rf "$out/layout-zstd"
skopeo copy -q --dest-compress --dest-compress-format zstd oci:"$lay":v2 oci:"$out/layout-zstd":v2

# containerd writes the docker-save layout of Docker 25 and later (index.json + manifest.json).
sock=$work/ctrd/containerd.sock
mkdir -p "$work/ctrd"
cat > "$work/ctrd/config.toml" <<CFG
version = 2
root = "$work/ctrd/root"
state = "$work/ctrd/state"
[grpc]
  address = "$sock"
CFG
containerd --config "$work/ctrd/config.toml" > "$work/ctrd/log" 2>&1 &
cpid=$!
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.2; done
C="ctr -a $sock -n corpus"
$C images import --no-unpack "$out/v2.skopeo.docker.tar" >/dev/null
skopeo copy -q oci:"$lay":base docker-archive:"$work/base.tar":example.com/team/app:base
$C images import --no-unpack "$work/base.tar" >/dev/null
$C images tag example.com/team/app:v2 example.com/team/app:latest >/dev/null
$C images export "$out/v2.containerd.docker.tar" example.com/team/app:v2
$C images export "$out/multi.containerd.docker.tar" example.com/team/app:v2 example.com/team/app:latest example.com/team/app:base
kill "$cpid"; wait "$cpid" 2>/dev/null || true
ls -la "$out"
