/* Goldfish RTC at 0x101000, PLIC IRQ 11: host wall-clock time in ns since
 * the epoch, and a one-shot alarm. */
#ifndef KEEL_VM_RTC_H
#define KEEL_VM_RTC_H

#include <stdint.h>

#include "common/error.h"
#include "vm/machine/bus.h"

#define RTC_BASE 0x101000ull
#define RTC_SIZE 0x1000ull
#define RTC_IRQ	 11

#define RTC_TIME_LOW	    0x00
#define RTC_TIME_HIGH	    0x04
#define RTC_ALARM_LOW	    0x08
#define RTC_ALARM_HIGH	    0x0c
#define RTC_IRQ_ENABLED	    0x10
#define RTC_CLEAR_ALARM	    0x14
#define RTC_ALARM_STATUS    0x18
#define RTC_CLEAR_INTERRUPT 0x1c

/* Guest-visible state: plain data, serializable as is. */
struct rtc_state {
	int64_t offset_ns;   /* guest time - host wall clock (the guest may set it) */
	uint64_t alarm_ns;   /* guest time of the alarm */
	uint32_t time_high;  /* latched by reading TIME_LOW */
	uint32_t alarm_high; /* ALARM_HIGH is written first, ALARM_LOW arms */
	uint32_t irq_enabled;
	uint32_t alarm_running;
	uint32_t irq_pending;
};

struct rtc {
	struct rtc_state state;
	struct vm_irq irq;
	int64_t (*wall_ns)(void); /* host wall clock; tests replace it */
};

void rtc_init(struct rtc *rtc, struct vm_irq irq);
int rtc_attach(struct rtc *rtc, struct vm_bus *bus, struct keel_error *err);
/* Fires the alarm when its time has come. */
void rtc_update(struct rtc *rtc);

uint64_t rtc_read(void *opaque, uint64_t offset, unsigned size);
void rtc_write(void *opaque, uint64_t offset, uint64_t value, unsigned size);

#endif
