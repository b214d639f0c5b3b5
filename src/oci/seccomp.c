/* config.json "linux.seccomp". Names are validated here; src/linux turns
 * the model into a filter with libseccomp. */
#include <stdlib.h>
#include <string.h>

#include "oci/parse.h"

static const char *const seccomp_archs[] = {
    "SCMP_ARCH_X86",	 "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",		"SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",	"SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",	 "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",	 "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",	"SCMP_ARCH_S390X",
    "SCMP_ARCH_PARISC",	 "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",	"SCMP_ARCH_LOONGARCH64",
    "SCMP_ARCH_M68K",	 "SCMP_ARCH_SH",       "SCMP_ARCH_SHEB",	NULL,
};

static const char *const seccomp_flags[] = {
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
    NULL,
};

static int get_action(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
		      const char *key, enum oci_seccomp_action *out)
{
	char *name = NULL;
	if (parse_require(c, obj, p, key) < 0 || get_string(c, obj, p, key, &name) < 0)
		return -1;
	int action = oci_seccomp_action_parse(name);
	if (action < 0)
		parse_error(c, PATH_KEY(p, key), "unknown seccomp action \"%.64s\"", name);
	free(name);
	if (action < 0)
		return -1;
	*out = (enum oci_seccomp_action)action;
	return 0;
}

static int parse_arg(struct parse_ctx *c, const json_t *v, const struct json_path *p, void *out_)
{
	struct oci_seccomp_arg *out = out_;
	char *op = NULL;
	if (value_object(c, v, p) < 0 || parse_require(c, v, p, "index") < 0 ||
	    parse_require(c, v, p, "value") < 0 || parse_require(c, v, p, "op") < 0 ||
	    get_uint32(c, v, p, "index", NULL, &out->index) < 0 ||
	    get_uint64(c, v, p, "value", NULL, &out->value) < 0 ||
	    get_uint64(c, v, p, "valueTwo", &out->has_value_two, &out->value_two) < 0 ||
	    get_string(c, v, p, "op", &op) < 0)
		return -1;
	int o = oci_seccomp_op_parse(op);
	if (o < 0)
		parse_error(c, PATH_KEY(p, "op"), "unknown seccomp operator \"%.64s\"", op);
	free(op);
	if (o < 0)
		return -1;
	out->op = (enum oci_seccomp_op)o;
	if (out->index > 5)
		return parse_error(c, PATH_KEY(p, "index"), "out of range (0..5)");
	return 0;
}

static int parse_args(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
		      struct oci_seccomp_syscall *out)
{
	return get_items(c, obj, p, "args", sizeof *out->args, parse_arg, (void **)&out->args,
			 &out->args_len);
}

static int parse_syscall(struct parse_ctx *c, const json_t *v, const struct json_path *p,
			 void *out_)
{
	struct oci_seccomp_syscall *out = out_;
	if (value_object(c, v, p) < 0 || parse_require(c, v, p, "names") < 0 ||
	    get_strings(c, v, p, "names", &out->names) < 0)
		return -1;
	if (out->names.len == 0)
		return parse_error(c, PATH_KEY(p, "names"), "must not be empty");
	if (get_action(c, v, p, "action", &out->action) < 0 ||
	    get_uint32(c, v, p, "errnoRet", &out->has_errno_ret, &out->errno_ret) < 0 ||
	    parse_args(c, v, p, out) < 0)
		return -1;
	return 0;
}

static int parse_syscalls(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
			  struct oci_seccomp *out)
{
	return get_items(c, obj, p, "syscalls", sizeof *out->syscalls, parse_syscall,
			 (void **)&out->syscalls, &out->syscalls_len);
}

int parse_seccomp(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
		  struct oci_seccomp *out)
{
	if (get_action(c, obj, p, "defaultAction", &out->default_action) < 0 ||
	    get_uint32(c, obj, p, "defaultErrnoRet", &out->has_default_errno_ret,
		       &out->default_errno_ret) < 0 ||
	    get_strings_in(c, obj, p, "architectures", seccomp_archs, &out->architectures) < 0 ||
	    get_strings_in(c, obj, p, "flags", seccomp_flags, &out->flags) < 0 ||
	    get_string(c, obj, p, "listenerPath", &out->listener_path) < 0 ||
	    get_string(c, obj, p, "listenerMetadata", &out->listener_metadata) < 0 ||
	    parse_syscalls(c, obj, p, out) < 0)
		return -1;
	return 0;
}

void seccomp_clear(struct oci_seccomp *s)
{
	oci_strings_clear(&s->architectures);
	oci_strings_clear(&s->flags);
	free(s->listener_path);
	free(s->listener_metadata);
	for (size_t i = 0; i < s->syscalls_len; i++) {
		oci_strings_clear(&s->syscalls[i].names);
		free(s->syscalls[i].args);
	}
	free(s->syscalls);
	memset(s, 0, sizeof *s);
}
