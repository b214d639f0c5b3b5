/* linux.resources.devices on cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE
 * program, written out instruction by instruction (no libbpf), loaded and
 * attached with bpf(2).
 *
 * The kernel calls it with struct bpf_cgroup_dev_ctx { access_type (type in
 * the low 16 bits, access in the high 16), major, minor } and opens the
 * device when it returns 1. The rules are tested last to first, so that
 * the last matching rule decides, as with v1's devices.allow/deny. An allow
 * rule matches a request asking no more than it grants; a deny rule one
 * asking any of what it denies. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "linux/cgroup_resources.h"

#define MAX_INSNS 4096

struct emitter {
	struct bpf_insn *insns;
	size_t len, cap;
	bool overflow;
};

static void emit(struct emitter *e, __u8 code, __u8 dst, __u8 src, __s16 off, __s32 imm)
{
	if (e->len == e->cap) {
		e->overflow = true;
		return;
	}
	e->insns[e->len++] =
	    (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

static void load_ctx_word(struct emitter *e, __u8 dst, __s16 off)
{
	emit(e, BPF_LDX | BPF_W | BPF_MEM, dst, BPF_REG_1, off, 0);
}

static void alu_imm(struct emitter *e, __u8 op, __u8 dst, __s32 imm)
{
	emit(e, BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}

static void mov_reg(struct emitter *e, __u8 dst, __u8 src)
{
	emit(e, BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0);
}

static void ret(struct emitter *e, int value)
{
	alu_imm(e, BPF_MOV, BPF_REG_0, value);
	emit(e, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static int access_bits(const char *access)
{
	if (!access || !*access)
		return BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
	int bits = 0;
	for (const char *a = access; *a; a++)
		bits |= *a == 'r'   ? BPF_DEVCG_ACC_READ
			: *a == 'w' ? BPF_DEVCG_ACC_WRITE
			: *a == 'm' ? BPF_DEVCG_ACC_MKNOD
				    : 0;
	return bits;
}

/* One rule; returns true when it matches everything (what follows it in
 * the program would be unreachable, which the verifier refuses). */
static bool emit_rule(struct emitter *e, const struct oci_device_rule *r)
{
	size_t skips[4], nskips = 0;
	char type = r->type ? r->type : 'a';
	int all = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
	int bits = access_bits(r->access);
	if (type != 'a') {
		skips[nskips++] = e->len;
		emit(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_3, 0, 0,
		     type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR);
	}
	if (bits != all) {
		mov_reg(e, BPF_REG_7, BPF_REG_4);
		alu_imm(e, BPF_AND, BPF_REG_7, r->allow ? (~bits & all) : bits);
		skips[nskips++] = e->len;
		emit(e, BPF_JMP | (r->allow ? BPF_JNE : BPF_JEQ) | BPF_K, BPF_REG_7, 0, 0, 0);
	}
	if (r->has_major && r->major >= 0) {
		skips[nskips++] = e->len;
		emit(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 0, (__s32)r->major);
	}
	if (r->has_minor && r->minor >= 0) {
		skips[nskips++] = e->len;
		emit(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_6, 0, 0, (__s32)r->minor);
	}
	ret(e, r->allow ? 1 : 0);
	for (size_t i = 0; i < nskips && !e->overflow; i++)
		e->insns[skips[i]].off = (__s16)(e->len - skips[i] - 1);
	return nskips == 0;
}

int linux_devices_bpf_build(const struct oci_device_rule *rules, size_t n, void *out, size_t cap)
{
	struct emitter e = {.insns = out, .cap = cap};
	load_ctx_word(&e, BPF_REG_2, 0);
	mov_reg(&e, BPF_REG_3, BPF_REG_2);
	alu_imm(&e, BPF_AND, BPF_REG_3, 0xffff);
	mov_reg(&e, BPF_REG_4, BPF_REG_2);
	alu_imm(&e, BPF_RSH, BPF_REG_4, 16);
	load_ctx_word(&e, BPF_REG_5, 4);
	load_ctx_word(&e, BPF_REG_6, 8);
	bool complete = false;
	for (size_t i = n; i-- > 0 && !complete;)
		complete = emit_rule(&e, &rules[i]);
	if (!complete)
		ret(&e, 0); /* no rule matched: denied */
	return e.overflow ? -1 : (int)e.len;
}

static int bpf_call(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof *attr);
}

static int load_program(const struct bpf_insn *insns, int len, struct keel_error *err)
{
	static char log[8192];
	union bpf_attr attr;
	memset(&attr, 0, sizeof attr);
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (__u64)(unsigned long)insns;
	attr.insn_cnt = (__u32)len;
	attr.license = (__u64)(unsigned long)"Apache";
	attr.log_buf = (__u64)(unsigned long)log;
	attr.log_size = sizeof log;
	attr.log_level = 1;
	log[0] = '\0';
	int fd = bpf_call(BPF_PROG_LOAD, &attr);
	if (fd < 0) {
		char *nl = strrchr(log, '\n');
		while (nl && nl > log && nl[1] == '\0') {
			*nl = '\0';
			nl = strrchr(log, '\n');
		}
		return keel_error_errno(err, "linux.resources.devices: bpf(BPF_PROG_LOAD)%s%s",
					log[0] ? ": " : "", nl ? nl + 1 : log);
	}
	return fd;
}

int linux_devices_bpf_apply(const char *dir, const struct oci_device_rule *rules, size_t n,
			    struct keel_error *err)
{
	static struct bpf_insn insns[MAX_INSNS];
	for (size_t i = 0; i < n; i++) {
		char t = rules[i].type ? rules[i].type : 'a';
		if (t != 'a' && t != 'c' && t != 'b')
			return keel_error_set(
			    err, 0, "linux.resources.devices[%zu].type: unknown type '%c'", i, t);
	}
	int len = linux_devices_bpf_build(rules, n, insns, MAX_INSNS);
	if (len < 0)
		return keel_error_set(err, 0, "linux.resources.devices: too many rules");
	cleanup_close int prog = load_program(insns, len, err);
	if (prog < 0)
		return -1;
	cleanup_close int cgfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0)
		return keel_error_errno(err, "linux.resources.devices: %s", dir);
	union bpf_attr attr;
	memset(&attr, 0, sizeof attr);
	attr.target_fd = (__u32)cgfd;
	attr.attach_bpf_fd = (__u32)prog;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	/* the attachment holds the program: it outlives these fds */
	if (bpf_call(BPF_PROG_ATTACH, &attr) < 0)
		return keel_error_errno(err, "linux.resources.devices: attach device filter to %s",
					dir);
	return 0;
}
