/* Running from a sealed copy of keel (see selfexe.h for the attack and
 * the two defences).
 *
 * Why a re-exec of keel itself and not of the init: the init is a fork, so
 * its exe is whatever keel was started from; the only way to change a
 * process's exe without CAP_SYS_RESOURCE (which these hosts do not grant)
 * is execve. One exec of keel (~225 KiB, four shared libraries) plus a
 * kernel-side copy into tmpfs costs about a millisecond of CPU; on a busy
 * host that was 4 to 16 ms of `keel run`'s wall time, hence the copy only
 * where non-dumpable processes do not suffice (linux_selfexe_needed), and
 * never where the container could not write the binary at all
 * (writable_by_containers). */
#include "linux/selfexe.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/memfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

#define REQUIRED_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

#define CAP_SYS_PTRACE_BIT 19

extern char **environ;

static char **saved_argv;

void linux_selfexe_init(char **argv)
{
	saved_argv = argv;
	/* Root only (also root of a container's user namespace, where keel
	 * exec'd again by the container runs): a rootless keel's children
	 * inherit the flag and must be dumpable until keel writes their
	 * uid_map; the container's processes, in a user namespace of their
	 * own, cannot open a rootless keel's /proc/<pid>/exe anyway. */
	if (geteuid() == 0)
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

bool linux_selfexe_needed(bool own_pid_ns, uint64_t bounding)
{
	return !own_pid_ns || (bounding >> CAP_SYS_PTRACE_BIT & 1);
}

int linux_selfexe_seal(struct keel_error *err)
{
	if (!saved_argv)
		return keel_error_set(err, 0, "protect the keel binary: no argv");
	return linux_selfexe_ensure_sealed(saved_argv, err);
}

bool linux_selfexe_fd_sealed(int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);
	return seals >= 0 && (seals & REQUIRED_SEALS) == REQUIRED_SEALS;
}

/* A memfd that may be executed: MFD_EXEC where vm.memfd_noexec exists
 * (Linux 6.3+), plain on older kernels that reject the flag. */
static int exec_memfd(void)
{
	int fd = memfd_create("keel", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("keel", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	return fd;
}

static int copy_all(int from, int to, off_t size)
{
	off_t off = 0;
	while (off < size) {
		ssize_t n = sendfile(to, from, &off, (size_t)(size - off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
	}
	return 0;
}

/* The sealed copy of the file behind self, or -1 with err set. */
static int sealed_copy(int self, struct keel_error *err)
{
	struct stat st;
	if (fstat(self, &st) < 0)
		return keel_error_errno(err, "/proc/self/exe");
	cleanup_close int mem = exec_memfd();
	if (mem < 0)
		return keel_error_errno(err, "memfd_create");
	if (copy_all(self, mem, st.st_size) < 0)
		return keel_error_errno(err, "copy of /proc/self/exe");
	if (fcntl(mem, F_ADD_SEALS, REQUIRED_SEALS) < 0)
		return keel_error_errno(err, "seal the copy of /proc/self/exe");
	return steal_fd(&mem);
}

/* Whether a container process could ever open the file for writing. Not
 * when it sits on a read-only mount (the container cannot remount a mount
 * of the host's namespace), nor when keel runs rootless and the file
 * belongs to root without group or other write bits: the container's
 * processes then hold at most the invoking user's (or its subordinate
 * ids') rights on host files. */
static bool writable_by_containers(int self)
{
	struct statvfs vfs;
	if (fstatvfs(self, &vfs) == 0 && (vfs.f_flag & ST_RDONLY))
		return false;
	struct stat st;
	if (geteuid() != 0 && fstat(self, &st) == 0 && st.st_uid == 0 &&
	    !(st.st_mode & (S_IWGRP | S_IWOTH)))
		return false;
	return true;
}

int linux_selfexe_ensure_sealed(char **argv, struct keel_error *err)
{
	cleanup_close int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return keel_error_errno(err, "/proc/self/exe");
	if (linux_selfexe_fd_sealed(self) || !writable_by_containers(self))
		return 0;
	cleanup_close int copy = sealed_copy(self, err);
	if (copy < 0)
		return keel_error_prefix(err, "protect the keel binary (CVE-2019-5736)");
	syscall(SYS_execveat, copy, "", argv, environ, AT_EMPTY_PATH);
	return keel_error_errno(err, "protect the keel binary (CVE-2019-5736): re-exec");
}
