/* A shorter program with the same verdicts: libseccomp's linear filter
 * rewritten as an architecture check and a binary search on the syscall
 * number.
 *
 * libseccomp 2.5 compiles podman's default profile for x86_64 + x86 + x32
 * into ~1100 instructions: one JEQ per syscall name and architecture. The
 * kernel converts and JITs the whole program at every container start, and
 * that is most of what the profile costs a start. Yet the verdict for a
 * syscall number changes only at the constants the program compares the
 * number with, and podman's list is mostly runs of consecutive numbers.
 *
 * So: a pass over the program finds which constants it compares with the
 * architecture and which with the number. For each architecture (and one
 * value that is none of them), the number line is cut at those constants;
 * one number of each piece is run through the original program, with the
 * architecture and the number known and the arguments not: what is left is
 * a verdict, or the argument checks that program would make for that
 * syscall (copied, with every step that only depends on the number or the
 * architecture already decided). Neighbouring pieces with the same result
 * merge; a binary search (JGE, which the kernel's action cache can still
 * evaluate) picks the piece.
 *
 * Only what libseccomp emits is handled: 32-bit loads from seccomp_data,
 * JA, JEQ/JGT/JGE/JSET and ALU with constants, RET with a constant. Any
 * other instruction, an ALU step or JSET on the number, anything but JEQ on
 * the architecture, a jump that does not fit, or a result that is not
 * shorter: the original program is kept. Before the result is returned,
 * both programs are run on every piece's first and last number, with two
 * sets of arguments, and must agree. */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "linux/seccomp_filter.h"

#define OFF_NR	 offsetof(struct seccomp_data, nr)
#define OFF_ARCH offsetof(struct seccomp_data, arch)

/* what the accumulator holds, as far as the pass can tell */
enum {
	K_CONST = 1, /* the initial 0 */
	K_NR = 2,
	K_ARCH = 4,
	K_DATA = 8, /* instruction pointer or an argument */
};

struct u32set {
	uint32_t *v;
	size_t len, cap;
};

static bool set_add(struct u32set *s, uint32_t v)
{
	if (s->len == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		uint32_t *more = realloc(s->v, cap * sizeof *more);
		if (!more)
			return false;
		s->v = more;
		s->cap = cap;
	}
	s->v[s->len++] = v;
	return true;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static void set_sort_unique(struct u32set *s)
{
	if (s->len == 0)
		return;
	qsort(s->v, s->len, sizeof *s->v, cmp_u32);
	size_t n = 1;
	for (size_t i = 1; i < s->len; i++)
		if (s->v[i] != s->v[n - 1])
			s->v[n++] = s->v[i];
	s->len = n;
}

static bool set_has(const struct u32set *s, uint32_t v)
{
	return s->len > 0 && bsearch(&v, s->v, s->len, sizeof v, cmp_u32) != NULL;
}

/* ---- the interpreter (classic BPF, the subset seccomp allows) -------- */

static uint32_t load_word(const struct seccomp_data *d, uint32_t off)
{
	uint32_t w;
	memcpy(&w, (const char *)d + off, sizeof w);
	return w;
}

uint32_t linux_seccomp_bpf_run(const struct sock_filter *prog, size_t len,
			       const struct seccomp_data *data)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {0};
	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &prog[pc];
		uint32_t k = f->k, src = BPF_SRC(f->code) == BPF_X ? x : k;
		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			if (f->code == (BPF_LD | BPF_W | BPF_ABS) && k <= sizeof *data - 4 &&
			    !(k & 3))
				a = load_word(data, k);
			else if (f->code == (BPF_LD | BPF_W | BPF_LEN))
				a = sizeof *data;
			else if (f->code == (BPF_LD | BPF_IMM))
				a = k;
			else if (f->code == (BPF_LD | BPF_MEM) && k < BPF_MEMWORDS)
				a = mem[k];
			else
				return SECCOMP_RET_KILL_PROCESS;
			break;
		case BPF_LDX:
			if (f->code == (BPF_LDX | BPF_W | BPF_LEN))
				x = sizeof *data;
			else if (f->code == (BPF_LDX | BPF_IMM))
				x = k;
			else if (f->code == (BPF_LDX | BPF_MEM) && k < BPF_MEMWORDS)
				x = mem[k];
			else
				return SECCOMP_RET_KILL_PROCESS;
			break;
		case BPF_ST:
		case BPF_STX:
			if (k >= BPF_MEMWORDS)
				return SECCOMP_RET_KILL_PROCESS;
			mem[k] = BPF_CLASS(f->code) == BPF_ST ? a : x;
			break;
		case BPF_ALU:
			switch (BPF_OP(f->code)) {
			case BPF_ADD:
				a += src;
				break;
			case BPF_SUB:
				a -= src;
				break;
			case BPF_MUL:
				a *= src;
				break;
			case BPF_DIV:
				if (!src)
					return 0;
				a /= src;
				break;
			case BPF_MOD:
				if (!src)
					return 0;
				a %= src;
				break;
			case BPF_AND:
				a &= src;
				break;
			case BPF_OR:
				a |= src;
				break;
			case BPF_XOR:
				a ^= src;
				break;
			case BPF_LSH:
				a = src < 32 ? a << src : 0;
				break;
			case BPF_RSH:
				a = src < 32 ? a >> src : 0;
				break;
			case BPF_NEG:
				a = -a;
				break;
			default:
				return SECCOMP_RET_KILL_PROCESS;
			}
			break;
		case BPF_JMP: {
			bool t;
			switch (BPF_OP(f->code)) {
			case BPF_JA:
				pc += k;
				continue;
			case BPF_JEQ:
				t = a == src;
				break;
			case BPF_JGT:
				t = a > src;
				break;
			case BPF_JGE:
				t = a >= src;
				break;
			case BPF_JSET:
				t = (a & src) != 0;
				break;
			default:
				return SECCOMP_RET_KILL_PROCESS;
			}
			pc += t ? f->jt : f->jf;
			break;
		}
		case BPF_RET:
			return BPF_RVAL(f->code) == BPF_A ? a : k;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		}
	}
	return SECCOMP_RET_KILL_PROCESS; /* fell off the end: the kernel refuses such programs */
}

/* ---- the pass: who is compared with what ----------------------------- */

static bool is_data_load(const struct sock_filter *f)
{
	return f->code == (BPF_LD | BPF_W | BPF_ABS) && f->k <= sizeof(struct seccomp_data) - 4 &&
	       !(f->k & 3);
}

static bool is_cond_jump(uint16_t code)
{
	return code == (BPF_JMP | BPF_JEQ | BPF_K) || code == (BPF_JMP | BPF_JGT | BPF_K) ||
	       code == (BPF_JMP | BPF_JGE | BPF_K) || code == (BPF_JMP | BPF_JSET | BPF_K);
}

static bool is_alu_k(uint16_t code)
{
	if (BPF_CLASS(code) != BPF_ALU || BPF_SRC(code) != BPF_K)
		return false;
	switch (BPF_OP(code)) {
	case BPF_ADD:
	case BPF_SUB:
	case BPF_MUL:
	case BPF_AND:
	case BPF_OR:
	case BPF_XOR:
	case BPF_LSH:
	case BPF_RSH:
		return true;
	}
	return false; /* DIV/MOD (by 0) and NEG: not from libseccomp */
}

/* Fills the architecture constants and the number's cut points; false if
 * the program is not of the shape handled here. With arch, only the paths
 * that architecture takes count (arches may be NULL then). */
static bool analyse(const struct sock_filter *p, size_t len, const uint32_t *arch,
		    struct u32set *arches, struct u32set *cuts)
{
	unsigned char *in = calloc(len, 1);
	bool ok = in != NULL && set_add(cuts, 0);
	if (ok)
		in[0] = K_CONST;
	for (size_t pc = 0; ok && pc < len; pc++) {
		const struct sock_filter *f = &p[pc];
		unsigned char kind = in[pc], out = kind;
		if (!kind)
			continue; /* unreachable */
		if (is_data_load(f)) {
			out = f->k == OFF_NR ? K_NR : f->k == OFF_ARCH ? K_ARCH : K_DATA;
		} else if (is_alu_k(f->code)) {
			ok = !(kind & (K_NR | K_ARCH));
		} else if (f->code == (BPF_JMP | BPF_JA)) {
			ok = f->k < len - pc - 1;
			if (ok)
				in[pc + 1 + f->k] |= kind;
			continue;
		} else if (is_cond_jump(f->code)) {
			uint16_t op = BPF_OP(f->code);
			ok = pc + 1 + f->jt < len && pc + 1 + f->jf < len;
			if (ok && (kind & K_ARCH))
				ok = op == BPF_JEQ && (!arches || set_add(arches, f->k));
			if (ok && (kind & K_NR)) {
				ok = op != BPF_JSET;
				/* JGE: k; JEQ: k and k + 1; JGT: k + 1 */
				if (ok && op != BPF_JGT)
					ok = set_add(cuts, f->k);
				if (ok && op != BPF_JGE && f->k != UINT32_MAX)
					ok = set_add(cuts, f->k + 1);
			}
			bool decided = arch && kind == K_ARCH; /* a JEQ, checked above */
			if (ok && (!decided || *arch == f->k))
				in[pc + 1 + f->jt] |= kind;
			if (ok && (!decided || *arch != f->k))
				in[pc + 1 + f->jf] |= kind;
			continue;
		} else if (f->code == (BPF_RET | BPF_K)) {
			continue;
		} else {
			ok = false;
		}
		ok = ok && pc + 1 < len; /* else a program that runs off its end */
		if (ok)
			in[pc + 1] |= out;
	}
	free(in);
	if (ok && arches)
		set_sort_unique(arches);
	if (ok)
		set_sort_unique(cuts);
	return ok;
}

/* ---- what is left of the program for one (arch, nr) ------------------ */

/* A target: an instruction of the original program where the accumulator
 * holds an argument (or is about to be loaded with one), or a verdict. */
struct target {
	bool ret;
	uint32_t v; /* pc, or the verdict */
};

struct residue {
	const struct sock_filter *p;
	size_t len;
	uint32_t arch, nr;
	unsigned char *node; /* per pc: 1 when it is a node of the residue */
	struct target *next; /* per pc: the successor(s) of a node */
	struct target *next_f;
	uint32_t *nodes; /* the pcs marked in node, to clear them */
	size_t nodes_len;
	bool ok;
};

static struct target explore(struct residue *r, size_t pc, bool known, uint32_t a);

/* Runs from pc while the accumulator is known (the number, the
 * architecture or the initial 0): jumps are decided, until a verdict or a
 * load of an argument. */
static struct target run_known(struct residue *r, size_t pc, uint32_t a)
{
	for (size_t steps = 0; r->ok && pc < r->len && steps <= r->len; steps++) {
		const struct sock_filter *f = &r->p[pc];
		if (is_data_load(f)) {
			if (f->k == OFF_NR)
				a = r->nr;
			else if (f->k == OFF_ARCH)
				a = r->arch;
			else
				return explore(r, pc, false, 0);
			pc++;
		} else if (f->code == (BPF_JMP | BPF_JA)) {
			pc += 1 + f->k;
		} else if (is_cond_jump(f->code)) {
			bool t;
			switch (BPF_OP(f->code)) {
			case BPF_JEQ:
				t = a == f->k;
				break;
			case BPF_JGT:
				t = a > f->k;
				break;
			case BPF_JGE:
				t = a >= f->k;
				break;
			default:
				t = (a & f->k) != 0;
				break;
			}
			pc += 1 + (t ? f->jt : f->jf);
		} else if (f->code == (BPF_RET | BPF_K)) {
			return (struct target){true, f->k};
		} else {
			break; /* ALU on a known value: analyse() let none through */
		}
	}
	r->ok = false;
	return (struct target){true, 0};
}

/* The node at pc, where the accumulator holds an argument (known false) or
 * is loaded with one; made once per pc. */
static struct target explore(struct residue *r, size_t pc, bool known, uint32_t a)
{
	if (known)
		return run_known(r, pc, a);
	while (r->ok && pc < r->len && r->p[pc].code == (BPF_JMP | BPF_JA))
		pc += 1 + r->p[pc].k;
	if (!r->ok || pc >= r->len) {
		r->ok = false;
		return (struct target){true, 0};
	}
	const struct sock_filter *f = &r->p[pc];
	if (f->code == (BPF_RET | BPF_K))
		return (struct target){true, f->k};
	if (is_data_load(f) && (f->k == OFF_NR || f->k == OFF_ARCH))
		return run_known(r, pc, 0);
	if (r->node[pc])
		return (struct target){false, (uint32_t)pc};
	r->node[pc] = 1;
	r->nodes[r->nodes_len++] = (uint32_t)pc;
	if (is_data_load(f) || is_alu_k(f->code)) {
		r->next[pc] = explore(r, pc + 1, false, 0);
	} else if (is_cond_jump(f->code)) {
		r->next[pc] = explore(r, pc + 1 + f->jt, false, 0);
		r->next_f[pc] = explore(r, pc + 1 + f->jf, false, 0);
	} else {
		r->ok = false;
	}
	return (struct target){false, (uint32_t)pc};
}

/* ---- emitting --------------------------------------------------------- */

struct code {
	struct sock_filter *insns;
	size_t len, cap;
	bool failed;
};

static void emit(struct code *c, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (c->failed)
		return;
	if (c->len == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct sock_filter *more = realloc(c->insns, cap * sizeof *more);
		if (!more) {
			c->failed = true;
			return;
		}
		c->insns = more;
		c->cap = cap;
	}
	c->insns[c->len++] = (struct sock_filter){code, jt, jf, k};
}

static void emit_code(struct code *c, const struct code *block)
{
	for (size_t i = 0; i < block->len; i++)
		emit(c, block->insns[i].code, block->insns[i].jt, block->insns[i].jf,
		     block->insns[i].k);
}

/* The residue as a block of code with relative jumps only: its nodes in
 * the original order, then its verdicts. Equal residues give equal
 * blocks. */
static bool residue_block(struct residue *r, struct target start, struct code *out)
{
	if (start.ret) {
		emit(out, BPF_RET | BPF_K, 0, 0, start.v);
		return !out->failed;
	}
	size_t *at = calloc(r->len, sizeof *at); /* pc -> offset in the block */
	struct u32set rets = {0};
	size_t n = 0;
	bool ok = at != NULL;
	/* offsets: a node, plus a JA after a load or ALU step whose successor
	 * is not the next node */
	size_t last = 0;
	for (size_t pc = 0; ok && pc < r->len; pc++)
		if (r->node[pc])
			last = pc;
	for (size_t pc = 0; ok && pc < r->len; pc++) {
		if (!r->node[pc])
			continue;
		at[pc] = n++;
		const struct sock_filter *f = &r->p[pc];
		struct target t = r->next[pc];
		if (t.ret)
			ok = set_add(&rets, t.v);
		if (ok && is_cond_jump(f->code) && r->next_f[pc].ret)
			ok = set_add(&rets, r->next_f[pc].v);
		if (!is_cond_jump(f->code)) {
			size_t following = pc + 1;
			while (following <= last && !r->node[following])
				following++;
			if (t.ret || t.v != following)
				n++; /* JA */
		}
	}
	set_sort_unique(&rets);
	size_t ret_at = n;
#define OFFSET(t, from)                                                                            \
	((t).ret ? ret_at + (size_t)((uint32_t *)bsearch(&(t).v, rets.v, rets.len,                 \
							 sizeof(uint32_t), cmp_u32) -              \
				     rets.v)                                                       \
		 : at[(t).v]) -                                                                    \
	    (from)-1
	for (size_t pc = 0; ok && pc < r->len; pc++) {
		if (!r->node[pc])
			continue;
		const struct sock_filter *f = &r->p[pc];
		size_t here = out->len;
		if (is_cond_jump(f->code)) {
			size_t jt = OFFSET(r->next[pc], here), jf = OFFSET(r->next_f[pc], here);
			ok = jt <= 255 && jf <= 255;
			emit(out, f->code, (uint8_t)jt, (uint8_t)jf, f->k);
			continue;
		}
		emit(out, f->code, 0, 0, f->k);
		size_t following = pc + 1;
		while (following <= last && !r->node[following])
			following++;
		struct target t = r->next[pc];
		if (t.ret || t.v != following)
			emit(out, BPF_JMP | BPF_JA, 0, 0, (uint32_t)(OFFSET(t, here + 1)));
	}
#undef OFFSET
	for (size_t i = 0; ok && i < rets.len; i++)
		emit(out, BPF_RET | BPF_K, 0, 0, rets.v[i]);
	free(at);
	free(rets.v);
	return ok && !out->failed;
}

/* The block for one architecture and number; r is reused. */
static bool outcome(struct residue *r, uint32_t arch, uint32_t nr, struct code *out)
{
	for (size_t i = 0; i < r->nodes_len; i++)
		r->node[r->nodes[i]] = 0;
	r->nodes_len = 0;
	r->arch = arch;
	r->nr = nr;
	r->ok = true;
	struct target start = run_known(r, 0, 0);
	return r->ok && residue_block(r, start, out);
}

static bool residue_init(struct residue *r, const struct sock_filter *p, size_t len)
{
	*r = (struct residue){.p = p, .len = len};
	r->node = calloc(len, sizeof *r->node);
	r->next = calloc(len, sizeof *r->next);
	r->next_f = calloc(len, sizeof *r->next_f);
	r->nodes = calloc(len, sizeof *r->nodes);
	return r->node && r->next && r->next_f && r->nodes;
}

static void residue_free(struct residue *r)
{
	free(r->node);
	free(r->next);
	free(r->next_f);
	free(r->nodes);
}

/* ---- one architecture: the binary search ------------------------------ */

struct piece {
	uint32_t lo; /* first number */
	struct code block;
};

/* A section's tree: JGE nodes, the blocks at the leaves; with shared set,
 * a leaf that is a verdict is one of the RETs after the tree instead. */
struct tree {
	struct code *c;
	bool shared;
	size_t ret_at; /* where the shared RETs start */
	const struct u32set *rets;
	bool failed;
};

static bool shared_leaf(const struct tree *t, const struct piece *pc, size_t n)
{
	return t->shared && n == 1 && pc[0].block.len == 1;
}

static size_t tree_size(const struct tree *t, const struct piece *pc, size_t n)
{
	if (n == 1)
		return shared_leaf(t, pc, n) ? 0 : pc[0].block.len;
	size_t left = tree_size(t, pc, n / 2);
	return 1 + (left > 255) + left + tree_size(t, pc + n / 2, n - n / 2);
}

/* Where control goes for the subtree that would start at start. */
static size_t tree_target(const struct tree *t, const struct piece *pc, size_t n, size_t start)
{
	if (!shared_leaf(t, pc, n))
		return start;
	uint32_t k = pc[0].block.insns[0].k;
	const uint32_t *at = bsearch(&k, t->rets->v, t->rets->len, sizeof k, cmp_u32);
	return t->ret_at + (size_t)(at - t->rets->v);
}

static void emit_tree(struct tree *t, const struct piece *pc, size_t n)
{
	if (n == 1) {
		if (!shared_leaf(t, pc, n))
			emit_code(t->c, &pc[0].block);
		return;
	}
	size_t half = n / 2, pos = t->c->len, left = tree_size(t, pc, half);
	size_t left_start = pos + 1 + (left > 255), right_start = left_start + left;
	size_t to_left = tree_target(t, pc, half, left_start) - pos - 1;
	size_t to_right = tree_target(t, pc + half, n - half, right_start) - pos - 1;
	if (left > 255) {
		emit(t->c, BPF_JMP | BPF_JGE | BPF_K, 0, 1, pc[half].lo);
		emit(t->c, BPF_JMP | BPF_JA, 0, 0, (uint32_t)(to_right - 1));
	} else {
		t->failed |= to_left > 255 || to_right > 255;
		emit(t->c, BPF_JMP | BPF_JGE | BPF_K, (uint8_t)to_right, (uint8_t)to_left,
		     pc[half].lo);
	}
	emit_tree(t, pc, half);
	emit_tree(t, pc + half, n - half);
}

/* The number loaded, the tree, the shared verdicts; if some jump does not
 * reach them, every leaf inline. */
static bool emit_search(struct code *c, const struct piece *pc, size_t n)
{
	struct u32set rets = {0};
	bool ok = true;
	for (size_t i = 0; ok && i < n; i++)
		if (pc[i].block.len == 1)
			ok = set_add(&rets, pc[i].block.insns[0].k);
	set_sort_unique(&rets);
	size_t start = c->len;
	for (int shared = 1; ok && shared >= 0; shared--) {
		struct tree t = {.c = c, .shared = shared, .rets = &rets};
		c->len = start;
		emit(c, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_NR);
		t.ret_at = c->len + tree_size(&t, pc, n);
		emit_tree(&t, pc, n);
		for (size_t i = 0; shared && i < rets.len; i++)
			emit(c, BPF_RET | BPF_K, 0, 0, rets.v[i]);
		if (!t.failed)
			break;
		ok = shared; /* inline leaves cannot fail */
	}
	free(rets.v);
	return ok && !c->failed;
}

static void free_pieces(struct piece *pieces, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(pieces[i].block.insns);
	free(pieces);
}

static bool same_block(const struct code *a, const struct code *b)
{
	return a->len == b->len && memcmp(a->insns, b->insns, a->len * sizeof *a->insns) == 0;
}

/* The pieces of the number line for one architecture, neighbours with the
 * same block merged. */
static struct piece *pieces_for(struct residue *r, uint32_t arch, const struct u32set *cuts,
				size_t *count)
{
	struct piece *pieces = calloc(cuts->len, sizeof *pieces);
	size_t n = 0;
	if (!pieces)
		return NULL;
	for (size_t i = 0; i < cuts->len; i++) {
		struct code block = {0};
		if (!outcome(r, arch, cuts->v[i], &block)) {
			free(block.insns);
			free_pieces(pieces, n);
			return NULL;
		}
		if (n > 0 && same_block(&pieces[n - 1].block, &block)) {
			free(block.insns);
			continue;
		}
		pieces[n++] = (struct piece){cuts->v[i], block};
	}
	*count = n;
	return pieces;
}

static bool emit_section(struct code *c, struct residue *r, uint32_t arch, struct u32set *firsts)
{
	size_t n = 0;
	struct u32set cuts = {0};
	struct piece *pieces = NULL;
	if (analyse(r->p, r->len, &arch, NULL, &cuts))
		pieces = pieces_for(r, arch, &cuts, &n);
	free(cuts.v);
	if (!pieces)
		return false;
	bool ok = true;
	for (size_t i = 0; ok && i < n; i++)
		ok = set_add(firsts, pieces[i].lo);
	if (n == 1 && pieces[0].block.len == 1)
		emit_code(c, &pieces[0].block); /* a verdict whatever the number */
	else
		ok = ok && emit_search(c, pieces, n);
	free_pieces(pieces, n);
	return ok;
}

/* ---- checking and the entry point --------------------------------------- */

static bool same_verdict(const struct sock_filter *a, size_t alen, const struct sock_filter *b,
			 size_t blen, uint32_t arch, uint32_t nr)
{
	struct seccomp_data d = {.nr = (int)nr, .arch = arch};
	for (int pass = 0; pass < 2; pass++) {
		if (pass)
			memset(d.args, 0xff, sizeof d.args);
		if (linux_seccomp_bpf_run(a, alen, &d) != linux_seccomp_bpf_run(b, blen, &d))
			return false;
	}
	return true;
}

/* Each architecture's pieces: their first and last numbers. */
static bool check(const struct sock_filter *a, size_t alen, const struct code *b,
		  const struct u32set *arches, uint32_t other, const struct u32set *firsts)
{
	for (size_t i = 0; i <= arches->len; i++) {
		uint32_t arch = i < arches->len ? arches->v[i] : other;
		const struct u32set *f = &firsts[i];
		for (size_t j = 0; j < f->len; j++) {
			uint32_t nr = f->v[j];
			if (!same_verdict(a, alen, b->insns, b->len, arch, nr) ||
			    (nr > 0 && !same_verdict(a, alen, b->insns, b->len, arch, nr - 1)))
				return false;
		}
		if (!same_verdict(a, alen, b->insns, b->len, arch, UINT32_MAX))
			return false;
	}
	return true;
}

static bool build(const struct sock_filter *p, size_t len, struct code *c)
{
	struct u32set arches = {0}, cuts = {0}, *firsts = NULL;
	struct residue r;
	bool ok = residue_init(&r, p, len) && analyse(p, len, NULL, &arches, &cuts);
	uint32_t other = 0;
	while (ok && set_has(&arches, other))
		other++;
	ok = ok && (firsts = calloc(arches.len + 1, sizeof *firsts)) != NULL;
	if (ok)
		emit(c, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_ARCH);
	for (size_t i = 0; ok && i < arches.len; i++) {
		size_t jeq = c->len;
		emit(c, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, arches.v[i]);
		emit(c, BPF_JMP | BPF_JA, 0, 0, 0);
		size_t start = c->len;
		ok = emit_section(c, &r, arches.v[i], &firsts[i]) && !c->failed;
		if (!ok)
			break;
		size_t size = c->len - start;
		c->insns[jeq + 1].k = (uint32_t)size;
		if (size <= 255) { /* no JA needed: JEQ arch, 0, size */
			memmove(&c->insns[jeq + 1], &c->insns[jeq + 2], size * sizeof *c->insns);
			c->len--;
			c->insns[jeq] = (struct sock_filter){BPF_JMP | BPF_JEQ | BPF_K, 0,
							     (uint8_t)size, arches.v[i]};
		}
	}
	ok = ok && emit_section(c, &r, other, &firsts[arches.len]) && !c->failed;
	ok = ok && c->len < len && check(p, len, c, &arches, other, firsts);
	for (size_t i = 0; firsts && i <= arches.len; i++)
		free(firsts[i].v);
	free(firsts);
	residue_free(&r);
	free(arches.v);
	free(cuts.v);
	return ok;
}

bool linux_seccomp_bpf_optimize(const struct sock_filter *prog, size_t len,
				struct sock_filter **out, size_t *out_len)
{
	struct code c = {0};
	if (len == 0 || len > BPF_MAXINSNS || !build(prog, len, &c)) {
		free(c.insns);
		log_debug("seccomp: filter of %zu instructions kept as it is", len);
		return false;
	}
	log_debug("seccomp: filter of %zu instructions rewritten in %zu", len, c.len);
	*out = c.insns;
	*out_len = c.len;
	return true;
}
