/* Goldfish RTC. */
#include "vm/machine/rtc.h"

#include <time.h>

static int64_t host_wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void rtc_init(struct rtc *rtc, struct vm_irq irq)
{
	*rtc = (struct rtc){.irq = irq, .wall_ns = host_wall_ns};
}

int rtc_attach(struct rtc *rtc, struct vm_bus *bus, struct keel_error *err)
{
	struct vm_mmio_region region = {.name = "rtc",
					.base = RTC_BASE,
					.size = RTC_SIZE,
					.read = rtc_read,
					.write = rtc_write,
					.opaque = rtc};
	if (vm_bus_add_mmio(bus, &region) < 0)
		return keel_error_set(err, 0, "rtc: cannot map at 0x%llx", RTC_BASE);
	return 0;
}

/* The guest sets the clock to anything (up to 2^64 - 1 ns): the offset
 * arithmetic is modulo 2^64, never a signed overflow. */
static uint64_t guest_now(const struct rtc *rtc)
{
	return (uint64_t)rtc->wall_ns() + (uint64_t)rtc->state.offset_ns;
}

static void update_irq(struct rtc *rtc)
{
	vm_irq_set(&rtc->irq, rtc->state.irq_pending && rtc->state.irq_enabled);
}

void rtc_update(struct rtc *rtc)
{
	struct rtc_state *s = &rtc->state;
	if (s->alarm_running && guest_now(rtc) >= s->alarm_ns) {
		s->alarm_running = 0;
		s->irq_pending = 1;
		update_irq(rtc);
	}
}

uint64_t rtc_read(void *opaque, uint64_t offset, unsigned size)
{
	struct rtc *rtc = opaque;
	struct rtc_state *s = &rtc->state;
	uint64_t now;
	switch (offset) {
	case RTC_TIME_LOW:
		now = guest_now(rtc);
		s->time_high = (uint32_t)(now >> 32);
		return (uint32_t)now;
	case RTC_TIME_HIGH:
		return s->time_high;
	case RTC_ALARM_LOW:
		return (uint32_t)s->alarm_ns;
	case RTC_ALARM_HIGH:
		return (uint32_t)(s->alarm_ns >> 32);
	case RTC_IRQ_ENABLED:
		return s->irq_enabled;
	case RTC_ALARM_STATUS:
		return s->alarm_running;
	}
	return 0;
}

void rtc_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct rtc *rtc = opaque;
	struct rtc_state *s = &rtc->state;
	uint64_t now = guest_now(rtc);
	switch (offset) {
	case RTC_TIME_LOW: /* setting the clock: HIGH first, LOW completes it */
		s->offset_ns =
		    (int64_t)((uint64_t)s->offset_ns +
			      ((((uint64_t)s->time_high << 32) | (uint32_t)value) - now));
		break;
	case RTC_TIME_HIGH:
		s->time_high = (uint32_t)value;
		break;
	case RTC_ALARM_LOW:
		s->alarm_ns = ((uint64_t)s->alarm_high << 32) | (uint32_t)value;
		s->alarm_running = 1;
		rtc_update(rtc);
		break;
	case RTC_ALARM_HIGH:
		s->alarm_high = (uint32_t)value;
		break;
	case RTC_IRQ_ENABLED:
		s->irq_enabled = value & 1;
		update_irq(rtc);
		break;
	case RTC_CLEAR_ALARM:
		s->alarm_running = 0;
		break;
	case RTC_CLEAR_INTERRUPT:
		s->irq_pending = 0;
		update_irq(rtc);
		break;
	}
}
