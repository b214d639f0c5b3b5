#!/usr/bin/env bash
# Converts a containers-policy seccomp profile (podman's and Docker's format:
# /usr/share/containers/seccomp.json) into config.json's "linux.seccomp"
# object, the way podman does it when it writes a container's config:
#
#   - architectures: the archMap entry of the native architecture and its
#     sub-architectures (or the profile's own "architectures" list);
#   - a syscall block is dropped when an excluded architecture is the native
#     one or an excluded capability is in the bounding set, and kept only
#     when its included architectures name the native one and all its
#     included capabilities are in the bounding set; minKernel is compared
#     with the running kernel;
#   - what remains becomes {names, action, args, errnoRet}.
#
# usage: scripts/seccomp-profile.sh [PROFILE] [--caps CAP_A,CAP_B | --bundle DIR]
#   PROFILE   default /usr/share/containers/seccomp.json
#   --caps    the bounding set (default: podman's default capabilities)
#   --bundle  take the bounding set from DIR/config.json
# Prints the linux.seccomp JSON on stdout. Needs jq.
set -euo pipefail

profile=/usr/share/containers/seccomp.json
caps=CAP_CHOWN,CAP_DAC_OVERRIDE,CAP_FOWNER,CAP_FSETID,CAP_KILL,CAP_NET_BIND_SERVICE,CAP_SETFCAP,CAP_SETGID,CAP_SETPCAP,CAP_SETUID,CAP_SYS_CHROOT
while [ $# -gt 0 ]; do
	case $1 in
	--caps) caps=$2; shift 2 ;;
	--bundle) caps=$(jq -r '.process.capabilities.bounding // [] | join(",")' "$2/config.json"); shift 2 ;;
	-h | --help) sed -n '2,/^set -e/p' "$0" | sed 's/^# \{0,1\}//; /^set -e/d'; exit 0 ;;
	-*) echo "seccomp-profile: unknown option $1" >&2; exit 2 ;;
	*) profile=$1; shift ;;
	esac
done
command -v jq >/dev/null || { echo "seccomp-profile: jq missing (apt-get install jq)" >&2; exit 1; }
[ -r "$profile" ] || { echo "seccomp-profile: cannot read $profile" >&2; exit 1; }

# Go's architecture names (what the profile's includes/excludes use) and
# libseccomp's, for the machine we run on.
case $(uname -m) in
x86_64) goarch=amd64 scmparch=SCMP_ARCH_X86_64 ;;
aarch64) goarch=arm64 scmparch=SCMP_ARCH_AARCH64 ;;
riscv64) goarch=riscv64 scmparch=SCMP_ARCH_RISCV64 ;;
s390x) goarch=s390x scmparch=SCMP_ARCH_S390X ;;
ppc64le) goarch=ppc64le scmparch=SCMP_ARCH_PPC64LE ;;
*) echo "seccomp-profile: unsupported machine $(uname -m)" >&2; exit 1 ;;
esac
kernel=$(uname -r | sed 's/^\([0-9]*\.[0-9]*\).*/\1/')

jq --arg arch "$goarch" --arg native "$scmparch" --arg caps "$caps" --arg kernel "$kernel" '
def version: split(".") | map(tonumber? // 0);
def kernel_at_least($min): ($kernel | version) >= ($min | version);
def has($list; $x): any($list[]; . == $x);
($caps | split(",") | map(select(. != ""))) as $bounding
| def wanted:
	(.excludes // {}) as $ex | (.includes // {}) as $in
	| (has($ex.arches // []; $arch) | not)
	and (any(($ex.caps // [])[]; has($bounding; .)) | not)
	and (if $ex.minKernel then (kernel_at_least($ex.minKernel) | not) else true end)
	and ((($in.arches // []) | length) == 0 or has($in.arches; $arch))
	and all(($in.caps // [])[]; has($bounding; .))
	and (if $in.minKernel then kernel_at_least($in.minKernel) else true end);
def rule:
	{names: ((if .name then [.name] else [] end) + (.names // [])), action}
	+ (if (.args // []) | length > 0
	   then {args: [.args[] | {index, value, valueTwo, op}]} else {} end)
	+ (if .errnoRet != null then {errnoRet} else {} end);
{defaultAction}
+ (if .defaultErrnoRet != null then {defaultErrnoRet} else {} end)
+ {architectures: (if (.architectures // []) | length > 0 then .architectures
	else ([.archMap[]? | select(.architecture == $native)
		| [.architecture] + (.subArchitectures // [])] | first // [])
	end)}
+ (if (.flags // []) | length > 0 then {flags} else {} end)
+ {syscalls: [.syscalls[]? | select(wanted) | rule | select(.names | length > 0)]}
' "$profile"
