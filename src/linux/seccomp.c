/* linux.seccomp -> a BPF program (libseccomp), and its load (seccomp(2)). */
#include "linux/seccomp_filter.h"

#include <ctype.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

#define MAX_ERRNO_RET 0xffff /* SECCOMP_RET_DATA */
#define MAX_ARGS      6

static void seccomp_ctx_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}
#define cleanup_seccomp __attribute__((cleanup(seccomp_ctx_releasep)))

/* ---- translations ----------------------------------------------- */

int linux_seccomp_action(enum oci_seccomp_action action, bool has_errno_ret, uint32_t errno_ret,
			 uint32_t *out, struct keel_error *err)
{
	uint32_t ret = has_errno_ret ? errno_ret : EPERM;
	bool takes_errno = action == OCI_SECCOMP_ERRNO || action == OCI_SECCOMP_TRACE;
	if (takes_errno && ret > MAX_ERRNO_RET)
		return keel_error_set(err, 0, "errnoRet: %u out of range (0..%u)", ret,
				      MAX_ERRNO_RET);
	switch (action) {
	case OCI_SECCOMP_KILL: /* SCMP_ACT_KILL has always meant the thread */
	case OCI_SECCOMP_KILL_THREAD:
		*out = SCMP_ACT_KILL_THREAD;
		return 0;
	case OCI_SECCOMP_KILL_PROCESS:
		*out = SCMP_ACT_KILL_PROCESS;
		return 0;
	case OCI_SECCOMP_TRAP:
		*out = SCMP_ACT_TRAP;
		return 0;
	case OCI_SECCOMP_ERRNO:
		*out = SCMP_ACT_ERRNO(ret);
		return 0;
	case OCI_SECCOMP_TRACE:
		*out = SCMP_ACT_TRACE(ret);
		return 0;
	case OCI_SECCOMP_ALLOW:
		*out = SCMP_ACT_ALLOW;
		return 0;
	case OCI_SECCOMP_LOG:
		*out = SCMP_ACT_LOG;
		return 0;
	case OCI_SECCOMP_NOTIFY:
		*out = SCMP_ACT_NOTIFY;
		return 0;
	}
	return keel_error_set(err, 0, "unknown action %d", (int)action);
}

int linux_seccomp_op(enum oci_seccomp_op op)
{
	switch (op) {
	case OCI_SECCOMP_OP_NE:
		return SCMP_CMP_NE;
	case OCI_SECCOMP_OP_LT:
		return SCMP_CMP_LT;
	case OCI_SECCOMP_OP_LE:
		return SCMP_CMP_LE;
	case OCI_SECCOMP_OP_EQ:
		return SCMP_CMP_EQ;
	case OCI_SECCOMP_OP_GE:
		return SCMP_CMP_GE;
	case OCI_SECCOMP_OP_GT:
		return SCMP_CMP_GT;
	case OCI_SECCOMP_OP_MASKED_EQ:
		return SCMP_CMP_MASKED_EQ;
	}
	return -1;
}

uint32_t linux_seccomp_arch(const char *name)
{
	static const char prefix[] = "SCMP_ARCH_";
	char lower[32];
	if (!name || strncmp(name, prefix, sizeof prefix - 1) != 0)
		return 0;
	const char *arch = name + sizeof prefix - 1;
	size_t n = strlen(arch);
	if (n == 0 || n >= sizeof lower)
		return 0;
	/* libseccomp's names are the lower-case suffixes: "x86_64", "mipsel64n32" */
	for (size_t i = 0; i <= n; i++)
		lower[i] = (char)tolower((unsigned char)arch[i]);
	return seccomp_arch_resolve_name(lower);
}

unsigned int linux_seccomp_flag(const char *name)
{
	static const struct {
		const char *name;
		unsigned int flag;
	} flags[] = {
	    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
	    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
	    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
	    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
	};
	for (size_t i = 0; name && i < sizeof flags / sizeof flags[0]; i++)
		if (strcmp(name, flags[i].name) == 0)
			return flags[i].flag;
	return 0;
}

/* ---- compiling ------------------------------------------------- */

struct builder {
	const struct oci_seccomp *config;
	scmp_filter_ctx ctx;
	uint32_t default_action;
	struct linux_seccomp *out;
	struct keel_error *err;
};

static int add_arches(struct builder *b)
{
	const struct oci_strings *arches = &b->config->architectures;
	for (size_t i = 0; i < arches->len; i++) {
		const char *name = arches->items[i];
		uint32_t arch = linux_seccomp_arch(name);
		if (!arch)
			return keel_error_set(b->err, 0,
					      "linux.seccomp.architectures[%zu]: %s: not supported "
					      "by libseccomp",
					      i, name);
		int rc = seccomp_arch_add(b->ctx, arch);
		if (rc < 0 && rc != -EEXIST) /* the native one is always there */
			return keel_error_set(b->err, -rc, "linux.seccomp.architectures[%zu]: %s",
					      i, name);
	}
	return 0;
}

/* seccomp(2) with a NULL program fails with EFAULT when the kernel knows
 * the flags and EINVAL when it does not (libseccomp probes the same way). */
static bool kernel_has_filter_flags(unsigned int flags)
{
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, NULL) < 0 && errno == EFAULT;
}

static int apply_flag(struct builder *b, size_t i)
{
	const char *name = b->config->flags.items[i];
	unsigned int flag = linux_seccomp_flag(name);
	int rc = 0;
	switch (flag) {
	case SECCOMP_FILTER_FLAG_TSYNC:
		/* the init is single-threaded (runc ignores it too); the kernel
		 * refuses it together with NEW_LISTENER */
		return 0;
	case SECCOMP_FILTER_FLAG_LOG:
		rc = seccomp_attr_set(b->ctx, SCMP_FLTATR_CTL_LOG, 1);
		break;
	case SECCOMP_FILTER_FLAG_SPEC_ALLOW:
		rc = seccomp_attr_set(b->ctx, SCMP_FLTATR_CTL_SSB, 1);
		break;
	case SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV:
		/* no libseccomp 2.5 attribute: keel passes it at load */
		if (!b->out->notify)
			return keel_error_set(b->err, 0,
					      "linux.seccomp.flags[%zu]: %s needs an "
					      "SCMP_ACT_NOTIFY rule",
					      i, name);
		if (!kernel_has_filter_flags(flag | SECCOMP_FILTER_FLAG_NEW_LISTENER))
			rc = -EOPNOTSUPP;
		break;
	default:
		return keel_error_set(b->err, 0, "linux.seccomp.flags[%zu]: unknown flag \"%s\"", i,
				      name);
	}
	if (rc == -EOPNOTSUPP || rc == -EINVAL)
		return keel_error_set(b->err, 0,
				      "linux.seccomp.flags[%zu]: %s: not supported by this kernel",
				      i, name);
	if (rc < 0)
		return keel_error_set(b->err, -rc, "linux.seccomp.flags[%zu]: %s", i, name);
	b->out->flags |= flag;
	return 0;
}

static int apply_flags(struct builder *b)
{
	for (size_t i = 0; i < b->config->flags.len; i++)
		if (apply_flag(b, i) < 0)
			return -1;
	return 0;
}

static int make_conditions(struct builder *b, size_t i, struct scmp_arg_cmp *conds, bool *split)
{
	const struct oci_seccomp_syscall *sc = &b->config->syscalls[i];
	unsigned int per_index[MAX_ARGS] = {0};
	*split = false;
	for (size_t j = 0; j < sc->args_len; j++) {
		const struct oci_seccomp_arg *a = &sc->args[j];
		int op = linux_seccomp_op(a->op);
		if (a->index >= MAX_ARGS)
			return keel_error_set(b->err, 0,
					      "linux.seccomp.syscalls[%zu].args[%zu].index: %u out "
					      "of range (0..5)",
					      i, j, a->index);
		if (op < 0)
			return keel_error_set(b->err, 0,
					      "linux.seccomp.syscalls[%zu].args[%zu].op: unknown "
					      "operator %d",
					      i, j, (int)a->op);
		/* for MASKED_EQ, value is the mask and valueTwo the datum */
		conds[j] = (struct scmp_arg_cmp){
		    .arg = a->index,
		    .op = (enum scmp_compare)op,
		    .datum_a = a->value,
		    .datum_b = a->value_two,
		};
		*split |= ++per_index[a->index] > 1;
	}
	return 0;
}

/* runc's rule shape: all conditions in one rule (AND), unless an argument
 * index repeats; then each condition is a rule of its own (OR). */
static int add_rules_for(struct builder *b, uint32_t action, int nr,
			 const struct scmp_arg_cmp *conds, size_t n, bool split)
{
	if (!split) {
		b->out->rules++;
		return seccomp_rule_add_array(b->ctx, action, nr, (unsigned int)n, conds);
	}
	for (size_t j = 0; j < n; j++) {
		int rc = seccomp_rule_add_array(b->ctx, action, nr, 1, &conds[j]);
		if (rc < 0)
			return rc;
		b->out->rules++;
	}
	return 0;
}

static int check_notify_rule(struct builder *b, size_t i)
{
	const struct oci_seccomp_syscall *sc = &b->config->syscalls[i];
	if (!b->config->listener_path || !*b->config->listener_path)
		return keel_error_set(b->err, 0,
				      "linux.seccomp.listenerPath: required by SCMP_ACT_NOTIFY "
				      "(syscalls[%zu])",
				      i);
	/* the init still writes to keel after the load (as runc's does) */
	for (size_t k = 0; k < sc->names.len; k++)
		if (strcmp(sc->names.items[k], "write") == 0)
			return keel_error_set(b->err, 0,
					      "linux.seccomp.syscalls[%zu].names[%zu]: "
					      "SCMP_ACT_NOTIFY cannot be used for write",
					      i, k);
	return 0;
}

static int add_syscall(struct builder *b, size_t i)
{
	const struct oci_seccomp_syscall *sc = &b->config->syscalls[i];
	/* on the heap: the config decides how many there are */
	cleanup_free struct scmp_arg_cmp *conds = calloc(sc->args_len + 1, sizeof *conds);
	uint32_t action;
	bool split;
	if (!conds)
		return keel_error_set(b->err, ENOMEM, "linux.seccomp.syscalls[%zu]", i);
	if (linux_seccomp_action(sc->action, sc->has_errno_ret, sc->errno_ret, &action, b->err) < 0)
		return keel_error_prefix(b->err, "linux.seccomp.syscalls[%zu]", i);
	if (make_conditions(b, i, conds, &split) < 0)
		return -1;
	if (!split && sc->args_len > MAX_ARGS)
		return keel_error_set(b->err, 0, "linux.seccomp.syscalls[%zu].args: too many", i);
	if (sc->action == OCI_SECCOMP_NOTIFY && check_notify_rule(b, i) < 0)
		return -1;
	if (action == b->default_action) {
		/* libseccomp refuses such rules; they change nothing */
		log_debug("seccomp: syscalls[%zu]: action is the default action, skipped", i);
		return 0;
	}
	for (size_t k = 0; k < sc->names.len; k++) {
		const char *name = sc->names.items[k];
		if (!*name)
			return keel_error_set(
			    b->err, 0, "linux.seccomp.syscalls[%zu].names[%zu]: empty name", i, k);
		int nr = seccomp_syscall_resolve_name(name);
		if (nr == __NR_SCMP_ERROR) {
			log_debug("seccomp: unknown syscall \"%s\" skipped", name);
			b->out->skipped++;
			continue;
		}
		int rc = add_rules_for(b, action, nr, conds, sc->args_len, split);
		if (rc < 0)
			return keel_error_set(b->err, -rc,
					      "linux.seccomp.syscalls[%zu].names[%zu]: %s: "
					      "libseccomp refused the rule",
					      i, k, name);
		b->out->notify |= sc->action == OCI_SECCOMP_NOTIFY;
	}
	return 0;
}

static int add_syscalls(struct builder *b)
{
	for (size_t i = 0; i < b->config->syscalls_len; i++)
		if (add_syscall(b, i) < 0)
			return -1;
	return 0;
}

/* libseccomp 2.5 exports to an fd only: a memfd, read back. */
static int export_program(struct builder *b)
{
	cleanup_close int fd = memfd_create("keel-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return keel_error_errno(b->err, "linux.seccomp: memfd");
	int rc = seccomp_export_bpf(b->ctx, fd);
	if (rc < 0)
		return keel_error_set(b->err, -rc, "linux.seccomp: compile filter");
	off_t size = lseek(fd, 0, SEEK_END);
	size_t n = size > 0 ? (size_t)size / sizeof(struct sock_filter) : 0;
	if (n == 0 || (size_t)size % sizeof(struct sock_filter))
		return keel_error_set(b->err, 0, "linux.seccomp: compile filter: bad program");
	if (n > BPF_MAXINSNS)
		return keel_error_set(b->err, 0,
				      "linux.seccomp: the filter has %zu instructions, the "
				      "kernel takes at most %d",
				      n, BPF_MAXINSNS);
	b->out->insns = calloc(n, sizeof(struct sock_filter));
	if (!b->out->insns)
		return keel_error_set(b->err, ENOMEM, "linux.seccomp");
	if (pread(fd, b->out->insns, (size_t)size, 0) != size)
		return keel_error_errno(b->err, "linux.seccomp: read compiled filter");
	b->out->len = (unsigned short)n;
	return 0;
}

static int init_context(struct builder *b)
{
	const struct oci_seccomp *c = b->config;
	if (c->default_action == OCI_SECCOMP_NOTIFY)
		/* every syscall of the init would wait for the listener */
		return keel_error_set(b->err, 0,
				      "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be "
				      "the default action");
	if (linux_seccomp_action(c->default_action, c->has_default_errno_ret, c->default_errno_ret,
				 &b->default_action, b->err) < 0)
		return keel_error_prefix(b->err, "linux.seccomp.default");
	b->ctx = seccomp_init(b->default_action);
	if (!b->ctx)
		return keel_error_set(b->err, 0,
				      "linux.seccomp.defaultAction: %s: not supported by this "
				      "kernel",
				      oci_seccomp_action_name(c->default_action));
	/* loading must not set no_new_privs behind the config's back */
	int rc = seccomp_attr_set(b->ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (rc < 0)
		return keel_error_set(b->err, -rc, "linux.seccomp: filter attributes");
	return 0;
}

int linux_seccomp_compile_linear(const struct oci_seccomp *config, struct linux_seccomp *out,
				 struct keel_error *err)
{
	cleanup_seccomp scmp_filter_ctx ctx = NULL;
	struct builder b = {.config = config, .out = out, .err = err};
	memset(out, 0, sizeof *out);
	int rc = init_context(&b);
	ctx = b.ctx;
	if (rc < 0 || add_arches(&b) < 0 || add_syscalls(&b) < 0 || apply_flags(&b) < 0 ||
	    export_program(&b) < 0) {
		linux_seccomp_release(out);
		return -1;
	}
	return 0;
}

int linux_seccomp_compile(const struct oci_seccomp *config, struct linux_seccomp *out,
			  struct keel_error *err)
{
	if (linux_seccomp_compile_linear(config, out, err) < 0)
		return -1;
	/* the kernel converts and JITs the program at every load: the
	 * shorter the better (seccomp_bpf.c) */
	struct sock_filter *shorter;
	size_t len;
	if (linux_seccomp_bpf_optimize(out->insns, out->len, &shorter, &len)) {
		free(out->insns);
		out->insns = shorter;
		out->len = (unsigned short)len;
	}
	return 0;
}

/* ---- loading --------------------------------------------------- */

enum linux_seccomp_when linux_seccomp_when(const struct linux_seccomp *filter,
					   bool no_new_privileges)
{
	if (!no_new_privileges)
		return LINUX_SECCOMP_BEFORE_CAPS;
	return filter->notify ? LINUX_SECCOMP_BEFORE_READY : LINUX_SECCOMP_BEFORE_EXEC;
}

int linux_seccomp_load(const struct linux_seccomp *filter, int *listener_fd, struct keel_error *err)
{
	struct sock_fprog prog = {.len = filter->len, .filter = filter->insns};
	unsigned int flags = filter->flags;
	if (listener_fd)
		*listener_fd = -1;
	if (filter->notify) {
		if (!listener_fd)
			return keel_error_set(err, 0, "seccomp: no place for the listener fd");
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	}
	long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (rc < 0 && errno == EACCES)
		return keel_error_errno(err, "seccomp: load filter (needs "
					     "process.noNewPrivileges or CAP_SYS_ADMIN)");
	if (rc < 0)
		return keel_error_errno(err, "seccomp: load filter");
	if (filter->notify)
		*listener_fd = (int)rc;
	return 0;
}

void linux_seccomp_release(struct linux_seccomp *filter)
{
	free(filter->insns);
	memset(filter, 0, sizeof *filter);
}
