/* linux.seccomp: the container's syscall filter.
 *
 * linux_seccomp_compile() turns struct oci_seccomp into a BPF program with
 * libseccomp while the init sets up, so that a bad profile is an error of
 * `create`. linux_seccomp_load() installs it later with seccomp(2) and the
 * filter flags the profile asks for: a precompiled program keeps the window
 * between the load and execve to one syscall, and keel can pass flags that
 * libseccomp 2.5 has no attribute for (SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV).
 *
 * runc's semantics throughout: syscall names unknown to libseccomp or to
 * this architecture are skipped (a debug line), rules whose action is the
 * default action are skipped, several conditions on the same argument index
 * become one rule per condition (OR), otherwise one rule with all of them
 * (AND). SCMP_ACT_ERRNO and SCMP_ACT_TRACE return EPERM unless errnoRet
 * says otherwise. No no_new_privs is implied: that is process.noNewPrivileges.
 *
 * When to load (linux_seccomp_when, runc's order): without noNewPrivileges
 * loading needs CAP_SYS_ADMIN, so the filter goes in before capabilities are
 * dropped; with it, as late as possible: just before execve, or before the
 * init reports READY when SCMP_ACT_NOTIFY needs keel to pass the listener fd
 * on while `create` still runs.
 *
 * (Named seccomp_filter.h: with src/ on the include path, a linux/seccomp.h
 * here would shadow the kernel's <linux/seccomp.h>.) */
#ifndef KEEL_LINUX_SECCOMP_FILTER_H
#define KEEL_LINUX_SECCOMP_FILTER_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci/config.h"

struct linux_seccomp {
	struct sock_filter *insns; /* the compiled program; NULL: no filter */
	unsigned short len;
	unsigned int flags; /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
	bool notify;	    /* has SCMP_ACT_NOTIFY rules: the load makes a listener fd */
	size_t rules;	    /* rules given to libseccomp */
	size_t skipped;	    /* syscall names unknown here, skipped */
};

enum linux_seccomp_when {
	LINUX_SECCOMP_BEFORE_CAPS,  /* no noNewPrivileges: still privileged */
	LINUX_SECCOMP_BEFORE_READY, /* noNewPrivileges and NOTIFY: fd to keel */
	LINUX_SECCOMP_BEFORE_EXEC,  /* noNewPrivileges: the last step */
};

/* ---- translations (also used by the unit tests) ------------------ */

/* The libseccomp action (SCMP_ACT_*) of an OCI action; errno_ret is used by
 * ERRNO and TRACE only (EPERM when has_errno_ret is false). Returns -1 with
 * err set ("errnoRet: ...") when errno_ret does not fit. */
int linux_seccomp_action(enum oci_seccomp_action action, bool has_errno_ret, uint32_t errno_ret,
			 uint32_t *out, struct keel_error *err);

/* The libseccomp operator (enum scmp_compare) of an OCI one; -1 if invalid. */
int linux_seccomp_op(enum oci_seccomp_op op);

/* The libseccomp token of "SCMP_ARCH_X86_64" ...; 0 when libseccomp does
 * not know the architecture. */
uint32_t linux_seccomp_arch(const char *name);

/* The SECCOMP_FILTER_FLAG_* bit of a flag name; 0 when unknown. */
unsigned int linux_seccomp_flag(const char *name);

/* ---- the filter -------------------------------------------------- */

/* Compiles config into out (zeroed first). Errors name the JSON path:
 * "linux.seccomp.syscalls[3].args[0].op: unknown operator 5". Checks that
 * the kernel supports each flag and action. The program is libseccomp's,
 * rewritten by linux_seccomp_bpf_optimize() when it can be. */
int linux_seccomp_compile(const struct oci_seccomp *config, struct linux_seccomp *out,
			  struct keel_error *err);

/* Same, as libseccomp exports it: one compare per syscall and
 * architecture, without the rewrite of seccomp_bpf.c (for the tests). */
int linux_seccomp_compile_linear(const struct oci_seccomp *config, struct linux_seccomp *out,
				 struct keel_error *err);

/* Same, through a cache of compiled programs in cache_dir (made 0700 if
 * missing; seccomp_cache.c): a hit skips libseccomp. cache_dir NULL, or a
 * directory that is not the caller's own, means no cache. */
int linux_seccomp_compile_cached(const char *cache_dir, const struct oci_seccomp *config,
				 struct linux_seccomp *out, struct keel_error *err);

/* The cache directory under a state root (--root), shared by create and
 * exec: "<root>/.seccomp-cache" (list skips dot entries). */
#define LINUX_SECCOMP_CACHE_DIR ".seccomp-cache"

/* Where the init loads the filter (see above). */
enum linux_seccomp_when linux_seccomp_when(const struct linux_seccomp *filter,
					   bool no_new_privileges);

/* Installs the filter in the calling thread. *listener_fd gets the notify
 * fd when the filter has NOTIFY rules, else -1 (listener_fd may be NULL
 * when it has none). */
int linux_seccomp_load(const struct linux_seccomp *filter, int *listener_fd,
		       struct keel_error *err);

void linux_seccomp_release(struct linux_seccomp *filter);

/* ---- the program (seccomp_bpf.c) --------------------------------- */

/* libseccomp's program rewritten as an architecture check and a binary
 * search on the syscall number, with the same verdict for every input.
 * Returns false (and leaves *out alone) when the program is not of a shape
 * it knows, or the result would not be shorter; else *out is malloc'd. */
bool linux_seccomp_bpf_optimize(const struct sock_filter *prog, size_t len,
				struct sock_filter **out, size_t *out_len);

/* Runs a classic BPF program on data as the kernel would: the verdict. */
uint32_t linux_seccomp_bpf_run(const struct sock_filter *prog, size_t len,
			       const struct seccomp_data *data);

/* ---- SCMP_ACT_NOTIFY (seccomp_notify.c) -------------------------- */

/* The runtime-spec "containerProcessState" JSON that goes with the fd:
 * {"ociVersion", "fds": ["seccompFd"], "pid", "metadata", "state"}, where
 * state_json is the container's state. NULL on a bad state_json or ENOMEM. */
char *linux_seccomp_process_state(const char *metadata, pid_t pid, const char *state_json);

/* Connects to config->listener_path and sends the process state JSON with
 * the listener fd (SCM_RIGHTS), as runc does. */
int linux_seccomp_notify_send(const struct oci_seccomp *config, pid_t pid, const char *state_json,
			      int listener_fd, struct keel_error *err);

/* One message from a SOCK_SEQPACKET socket into buf (NUL-terminated, at
 * most size - 1 bytes): how a process that loaded a NOTIFY filter hands its
 * listener fd to keel. *fd gets the fd that came with the message, or -1.
 * Returns the length, 0 at EOF, -1 on error (errno). */
ssize_t linux_seccomp_recv_listener(int sock, char *buf, size_t size, int *fd);

#endif
