#!/usr/bin/env bash
# Creates an OCI bundle around busybox-static:
#   scripts/make-bundle.sh DIR [cmd args...]        (default cmd: sh)
# DIR/rootfs   /bin/busybox, a symlink per applet, /etc/passwd, /etc/group
# DIR/config.json  a runtime-spec 1.1 config like `runc spec`'s, with
#              terminal false, a writable root and the given args.
# Written without `keel spec` so that tests do not depend on it. Needs jq.
set -euo pipefail

usage() {
	echo "usage: $0 DIR [cmd args...]" >&2
	exit 2
}
[ $# -ge 1 ] || usage
dir=$1
shift
[ $# -gt 0 ] || set -- sh
busybox=${BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || { echo "make-bundle: $busybox missing (apt-get install busybox-static)" >&2; exit 1; }
command -v jq >/dev/null || { echo "make-bundle: jq missing (apt-get install jq)" >&2; exit 1; }

rootfs=$dir/rootfs
mkdir -p "$rootfs"
for d in bin sbin usr/bin usr/sbin etc proc sys dev tmp root home run var/tmp; do
	mkdir -p "$rootfs/$d"
done
chmod 1777 "$rootfs/tmp" "$rootfs/var/tmp"
cp "$busybox" "$rootfs/bin/busybox"
# busybox installs one symlink per applet at its usual path (/bin, /sbin,
# /usr/bin, /usr/sbin); chroot so the links point at /bin/busybox.
chroot "$rootfs" /bin/busybox --install -s

cat >"$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
keel:x:1000:1000:keel test user:/home/keel:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$rootfs/etc/group" <<'GROUP'
root:x:0:
daemon:x:1:
tty:x:5:
keel:x:1000:
nogroup:x:65534:
GROUP
echo "keel" >"$rootfs/etc/hostname"

# Each arg as a JSON string, one per line (jq would take "-c" as its own option).
args=$(for a in "$@"; do printf '%s' "$a" | jq -Rs .; done | jq -s .)
caps='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_FSETID","CAP_KILL",
	"CAP_NET_BIND_SERVICE","CAP_SETFCAP","CAP_SETGID","CAP_SETPCAP","CAP_SETUID",
	"CAP_SYS_CHROOT","CAP_AUDIT_WRITE"]'

jq -n --argjson args "$args" --argjson caps "$caps" '{
  ociVersion: "1.1.0",
  process: {
    terminal: false,
    user: {uid: 0, gid: 0},
    args: $args,
    env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
    cwd: "/",
    capabilities: {bounding: $caps, effective: $caps, permitted: $caps},
    rlimits: [{type: "RLIMIT_NOFILE", hard: 1024, soft: 1024}],
    noNewPrivileges: true
  },
  root: {path: "rootfs", readonly: false},
  hostname: "keel",
  mounts: [
    {destination: "/proc", type: "proc", source: "proc"},
    {destination: "/dev", type: "tmpfs", source: "tmpfs",
     options: ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {destination: "/dev/pts", type: "devpts", source: "devpts",
     options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
    {destination: "/dev/shm", type: "tmpfs", source: "shm",
     options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {destination: "/dev/mqueue", type: "mqueue", source: "mqueue",
     options: ["nosuid", "noexec", "nodev"]},
    {destination: "/sys", type: "sysfs", source: "sysfs",
     options: ["nosuid", "noexec", "nodev", "ro"]},
    {destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
     options: ["nosuid", "noexec", "nodev", "relatime", "ro"]}
  ],
  linux: {
    resources: {devices: [{allow: false, access: "rwm"}]},
    namespaces: [{type: "pid"}, {type: "network"}, {type: "ipc"}, {type: "uts"}, {type: "mount"}],
    maskedPaths: ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
      "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
      "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
    readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
  }
}' >"$dir/config.json"
