/* Built-in firmware: the SBI (v1.0 base, TIME, IPI, RFENCE, HSM, SRST, DBCN
 * and the legacy v0.1 calls) answered in the host for a kernel started in
 * S-mode, in place of OpenSBI. */
#ifndef KEEL_VM_SBI_H
#define KEEL_VM_SBI_H

#include <stdbool.h>
#include <stdint.h>

#include "vm/machine/options.h"
#include "vm/machine/syscon.h"

#define SBI_EXT_BASE   0x10
#define SBI_EXT_TIME   0x54494d45
#define SBI_EXT_IPI    0x735049
#define SBI_EXT_RFENCE 0x52464e43
#define SBI_EXT_HSM    0x48534d
#define SBI_EXT_SRST   0x53525354
#define SBI_EXT_DBCN   0x4442434e
#define SBI_LEGACY_MAX 0x08 /* legacy extensions are EIDs 0x00..0x08 */

#define SBI_SUCCESS		  0
#define SBI_ERR_FAILED		  (-1)
#define SBI_ERR_NOT_SUPPORTED	  (-2)
#define SBI_ERR_INVALID_PARAM	  (-3)
#define SBI_ERR_INVALID_ADDRESS	  (-5)
#define SBI_ERR_ALREADY_AVAILABLE (-6)

#define SBI_SPEC_VERSION 0x01000000 /* 1.0 */
#define SBI_IMPL_ID	 0x4b45454c /* "KEEL" */
#define SBI_IMPL_VERSION 0x00000100

#define SBI_HSM_STARTED 0
#define SBI_HSM_STOPPED 1

struct hart;
struct console;
struct vm_bus;

/* Guest-visible state: plain data, serializable as is. */
struct sbi_state {
	uint64_t timer[VM_MAX_CPUS]; /* SBI set_timer deadline, UINT64_MAX: none */
};

struct sbi {
	struct sbi_state state;
	struct hart **harts;
	unsigned nharts;
	struct vm_bus *bus;
	struct console *console; /* console_putchar/getchar, may be NULL */
	uint64_t (*mtime)(void *opaque);
	void *mtime_opaque;
	struct syscon *power; /* system_reset requests go through it */
};

void sbi_init(struct sbi *sbi, struct hart **harts, unsigned nharts);
/* hart_env.sbi_call: opaque is the struct sbi. */
bool sbi_call(void *opaque, struct hart *hart);
/* Raises MIP_STIP on harts whose set_timer deadline has passed. */
void sbi_update_timers(struct sbi *sbi, uint64_t mtime);
uint64_t sbi_next_deadline(const struct sbi *sbi);

/* What firmware sets up before entering an S-mode kernel on a hart (also
 * done for each hart HSM starts): trap delegation, counter access, Sstc. */
void sbi_prepare_hart(struct hart *hart);

#endif
