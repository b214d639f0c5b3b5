/* SBI calls dispatch. Registers: a7 = extension, a6 = function, a0..a5 =
 * arguments; a0 = error and a1 = value on return. */
#include "vm/machine/sbi.h"

#include <string.h>

#include "vm/cpu/hart.h"
#include "vm/machine/console.h"

enum { REG_A0 = 10, REG_A1 = 11, REG_A2 = 12, REG_A3 = 13, REG_A6 = 16, REG_A7 = 17 };

struct sbi_ret {
	int64_t error;
	uint64_t value;
};

/* the arguments of one call */
struct sbi_args {
	struct sbi *sbi;
	struct hart *hart;
	uint64_t a[6];
	uint64_t fid;
};

void sbi_init(struct sbi *sbi, struct hart **harts, unsigned nharts)
{
	*sbi = (struct sbi){.harts = harts, .nharts = nharts};
	for (unsigned i = 0; i < VM_MAX_CPUS; i++)
		sbi->state.timer[i] = UINT64_MAX;
}

static uint64_t now(const struct sbi *sbi)
{
	return sbi->mtime ? sbi->mtime(sbi->mtime_opaque) : 0;
}

static void set_timer(struct sbi *sbi, struct hart *hart, uint64_t deadline)
{
	unsigned id = hart_id(hart);
	hart_set_irq(hart, MIP_STIP, false);
	sbi->state.timer[id] = deadline;
	sbi_update_timers(sbi, now(sbi));
}

void sbi_update_timers(struct sbi *sbi, uint64_t mtime)
{
	for (unsigned i = 0; i < sbi->nharts; i++) {
		if (mtime >= sbi->state.timer[i]) {
			sbi->state.timer[i] = UINT64_MAX; /* one shot, as OpenSBI */
			hart_set_irq(sbi->harts[i], MIP_STIP, true);
		}
	}
}

uint64_t sbi_next_deadline(const struct sbi *sbi)
{
	uint64_t next = UINT64_MAX;
	for (unsigned i = 0; i < sbi->nharts; i++)
		if (sbi->state.timer[i] < next)
			next = sbi->state.timer[i];
	return next;
}

/* Hart selection of IPI and RFENCE: mask bit i is hart base + i; base -1
 * means every hart. Returns a bitmap of hart ids, or -1 if one is invalid. */
static int64_t select_harts(const struct sbi *sbi, uint64_t mask, uint64_t base)
{
	uint64_t all = (1ull << sbi->nharts) - 1;
	if (base == UINT64_MAX)
		return (int64_t)all;
	if (base >= sbi->nharts)
		return mask ? -1 : 0;
	uint64_t selected = mask << base;
	if ((selected >> base) != mask || (selected & ~all))
		return -1;
	return (int64_t)selected;
}

static void for_harts(struct sbi *sbi, uint64_t set, void (*fn)(struct hart *))
{
	for (unsigned i = 0; i < sbi->nharts; i++)
		if (set >> i & 1)
			fn(sbi->harts[i]);
}

static void raise_ssip(struct hart *hart)
{
	hart_set_irq(hart, MIP_SSIP, true);
}

static void flush_all(struct hart *hart)
{
	hart_flush_tlb(hart);
	hart_flush_icache(hart);
}

static struct sbi_ret call_base(struct sbi_args *c)
{
	switch (c->fid) {
	case 0:
		return (struct sbi_ret){0, SBI_SPEC_VERSION};
	case 1:
		return (struct sbi_ret){0, SBI_IMPL_ID};
	case 2:
		return (struct sbi_ret){0, SBI_IMPL_VERSION};
	case 3: {
		static const uint64_t known[] = {SBI_EXT_BASE,	 SBI_EXT_TIME, SBI_EXT_IPI,
						 SBI_EXT_RFENCE, SBI_EXT_HSM,  SBI_EXT_SRST,
						 SBI_EXT_DBCN};
		uint64_t eid = c->a[0];
		bool found = eid <= SBI_LEGACY_MAX;
		for (unsigned i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			found |= known[i] == eid;
		return (struct sbi_ret){0, found};
	}
	case 4: /* mvendorid, marchid, mimpid: 0 = not implemented */
	case 5:
	case 6:
		return (struct sbi_ret){0, 0};
	}
	return (struct sbi_ret){SBI_ERR_NOT_SUPPORTED, 0};
}

static struct sbi_ret call_ipi_or_fence(struct sbi_args *c, void (*fn)(struct hart *))
{
	int64_t set = select_harts(c->sbi, c->a[0], c->a[1]);
	if (set < 0)
		return (struct sbi_ret){SBI_ERR_INVALID_PARAM, 0};
	for_harts(c->sbi, (uint64_t)set, fn);
	return (struct sbi_ret){0, 0};
}

static struct sbi_ret call_rfence(struct sbi_args *c)
{
	/* fence.i, sfence.vma, sfence.vma.asid: dropping every cached
	 * translation and decoded block covers them all */
	if (c->fid > 2)
		return (struct sbi_ret){SBI_ERR_NOT_SUPPORTED, 0};
	return call_ipi_or_fence(c, flush_all);
}

static struct sbi_ret hsm_start(struct sbi_args *c)
{
	uint64_t id = c->a[0];
	if (id >= c->sbi->nharts)
		return (struct sbi_ret){SBI_ERR_INVALID_PARAM, 0};
	struct hart *target = c->sbi->harts[id];
	if (!hart_is_stopped(target))
		return (struct sbi_ret){SBI_ERR_ALREADY_AVAILABLE, 0};
	if (!vm_ram_ptr(c->sbi->bus, c->a[1], 4))
		return (struct sbi_ret){SBI_ERR_INVALID_ADDRESS, 0};
	hart_reset(target, c->a[1], PRIV_S);
	sbi_prepare_hart(target);
	hart_set_reg(target, REG_A0, id);
	hart_set_reg(target, REG_A1, c->a[2]);
	hart_set_stopped(target, false);
	return (struct sbi_ret){0, 0};
}

static struct sbi_ret call_hsm(struct sbi_args *c)
{
	switch (c->fid) {
	case 0:
		return hsm_start(c);
	case 1:
		hart_set_stopped(c->hart, true);
		hart_request_exit(c->hart);
		return (struct sbi_ret){0, 0};
	case 2:
		if (c->a[0] >= c->sbi->nharts)
			return (struct sbi_ret){SBI_ERR_INVALID_PARAM, 0};
		return (struct sbi_ret){
		    0, hart_is_stopped(c->sbi->harts[c->a[0]]) ? SBI_HSM_STOPPED : SBI_HSM_STARTED};
	case 3:
		/* retentive suspend may return at any time: return at once;
		 * non-retentive suspend is not offered */
		if ((uint32_t)c->a[0] == 0)
			return (struct sbi_ret){0, 0};
		return (struct sbi_ret){SBI_ERR_NOT_SUPPORTED, 0};
	}
	return (struct sbi_ret){SBI_ERR_NOT_SUPPORTED, 0};
}

static struct sbi_ret call_srst(struct sbi_args *c)
{
	if (c->fid != 0 || c->a[0] > 2 || c->a[1] > 1)
		return (struct sbi_ret){SBI_ERR_INVALID_PARAM, 0};
	struct syscon *power = c->sbi->power;
	if (!power)
		return (struct sbi_ret){SBI_ERR_FAILED, 0};
	if (c->a[0] == 0) /* shutdown, reason 1 = system failure */
		power->request(power->opaque, c->a[1] ? VM_FAILURE : VM_POWEROFF, c->a[1] ? 1 : 0);
	else
		power->request(power->opaque, VM_REBOOT, 0);
	return (struct sbi_ret){0, 0};
}

static void putchar_console(struct sbi *sbi, uint8_t byte)
{
	if (sbi->console)
		console_write(sbi->console, &byte, 1);
}

static int getchar_console(struct sbi *sbi)
{
	return sbi->console ? console_getchar(sbi->console) : -1;
}

static struct sbi_ret call_dbcn(struct sbi_args *c)
{
	uint64_t n = c->a[0], addr = c->a[1];
	if (c->fid == 2) {
		putchar_console(c->sbi, (uint8_t)c->a[0]);
		return (struct sbi_ret){0, 0};
	}
	if (c->fid > 2)
		return (struct sbi_ret){SBI_ERR_NOT_SUPPORTED, 0};
	uint8_t *buf = c->a[2] ? NULL : vm_ram_ptr(c->sbi->bus, addr, n);
	if (!buf)
		return (struct sbi_ret){SBI_ERR_INVALID_PARAM, 0};
	uint64_t done = 0;
	if (c->fid == 0) {
		for (; done < n; done++)
			putchar_console(c->sbi, buf[done]);
	} else {
		int ch;
		for (; done < n && (ch = getchar_console(c->sbi)) >= 0; done++)
			buf[done] = (uint8_t)ch;
	}
	return (struct sbi_ret){0, done};
}

/* v0.1 hart masks are pointers to an unsigned long in guest *virtual*
 * memory; we read it as physical when that lands in RAM (true while the
 * kernel runs with the MMU off) and else target every hart, which for IPIs
 * and fences is harmless. NULL means every hart. */
static uint64_t legacy_mask(const struct sbi *sbi, uint64_t ptr)
{
	uint64_t all = (1ull << sbi->nharts) - 1;
	const uint8_t *p = ptr ? vm_ram_ptr(sbi->bus, ptr, 8) : NULL;
	uint64_t mask;
	if (!p)
		return all;
	memcpy(&mask, p, 8);
	return mask & all;
}

/* Legacy calls return their value in a0 and leave a1 alone. */
static bool call_legacy(struct sbi_args *c, uint64_t eid)
{
	struct sbi *sbi = c->sbi;
	int64_t ret = 0;
	switch (eid) {
	case 0x00:
		set_timer(sbi, c->hart, c->a[0]);
		break;
	case 0x01:
		putchar_console(sbi, (uint8_t)c->a[0]);
		break;
	case 0x02:
		ret = getchar_console(sbi);
		break;
	case 0x03:
		hart_set_irq(c->hart, MIP_SSIP, false);
		break;
	case 0x04:
		for_harts(sbi, legacy_mask(sbi, c->a[0]), raise_ssip);
		break;
	case 0x05:
	case 0x06:
	case 0x07:
		for_harts(sbi, legacy_mask(sbi, c->a[0]), flush_all);
		break;
	case 0x08:
		if (sbi->power)
			sbi->power->request(sbi->power->opaque, VM_POWEROFF, 0);
		break;
	}
	hart_set_reg(c->hart, REG_A0, (uint64_t)ret);
	return true;
}

bool sbi_call(void *opaque, struct hart *hart)
{
	struct sbi_args c = {.sbi = opaque, .hart = hart, .fid = hart_get_reg(hart, REG_A6)};
	uint64_t eid = hart_get_reg(hart, REG_A7);
	for (unsigned i = 0; i < 6; i++)
		c.a[i] = hart_get_reg(hart, REG_A0 + i);
	if (eid <= SBI_LEGACY_MAX)
		return call_legacy(&c, eid);
	struct sbi_ret r = {SBI_ERR_NOT_SUPPORTED, 0};
	switch (eid) {
	case SBI_EXT_BASE:
		r = call_base(&c);
		break;
	case SBI_EXT_TIME:
		if (c.fid == 0) {
			set_timer(c.sbi, hart, c.a[0]);
			r = (struct sbi_ret){0, 0};
		}
		break;
	case SBI_EXT_IPI:
		if (c.fid == 0)
			r = call_ipi_or_fence(&c, raise_ssip);
		break;
	case SBI_EXT_RFENCE:
		r = call_rfence(&c);
		break;
	case SBI_EXT_HSM:
		r = call_hsm(&c);
		break;
	case SBI_EXT_SRST:
		r = call_srst(&c);
		break;
	case SBI_EXT_DBCN:
		r = call_dbcn(&c);
		break;
	}
	hart_set_reg(hart, REG_A0, (uint64_t)r.error);
	hart_set_reg(hart, REG_A1, r.value);
	return true;
}
