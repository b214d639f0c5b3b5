/* Board assembly, reboot, and the run loop. */
#include "vm/machine/machine.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "vm/cpu/hart.h"
#include "vm/virtio/virtio.h"

static uint64_t machine_mtime(void *opaque)
{
	struct machine *m = opaque;
	return clint_mtime(&m->clint);
}

static void power_request(void *opaque, enum vm_power_event event, int exit_code)
{
	struct machine *m = opaque;
	if (m->event == VM_RUNNING) { /* the first request wins */
		m->event = event;
		m->exit_code = exit_code;
	}
	for (unsigned i = 0; i < m->nharts; i++)
		hart_request_exit(m->harts[i]);
}

/* hart_env.opaque is the machine, but sbi_call wants the struct sbi */
static bool machine_sbi_call(void *opaque, struct hart *hart)
{
	struct machine *m = opaque;
	return sbi_call(&m->sbi, hart);
}

static int create_harts(struct machine *m, struct keel_error *err)
{
	struct hart_env env = {
	    .bus = &m->bus,
	    .read_time = machine_mtime,
	    /* firmware and bare-metal ELFs handle their own ecalls */
	    .sbi_call = m->opts.bios || m->boot.kind == VM_KERNEL_ELF ? NULL : machine_sbi_call,
	    .opaque = m};
	for (unsigned i = 0; i < m->nharts; i++) {
		m->harts[i] = hart_new(i, &env);
		if (!m->harts[i])
			return keel_error_errno(err, "hart %u", i);
	}
	return 0;
}

static int attach_virtio(struct machine *m, unsigned slot, struct virtio_mmio *dev,
			 struct keel_error *err)
{
	if (!dev)
		return -1;
	m->virtio[slot] = dev;
	m->virtio_slots |= 1u << slot;
	return virtio_mmio_attach(dev, &m->bus, VM_VIRTIO_BASE + slot * VM_VIRTIO_STRIDE,
				  plic_irq_line(&m->plic, VM_VIRTIO_IRQ0 + slot), err);
}

static int create_virtio(struct machine *m, struct keel_error *err)
{
	unsigned slot = 0;
	for (unsigned i = 0; i < m->opts.ndisks; i++, slot++)
		if (attach_virtio(m, slot, virtio_blk_create(m->opts.disks[i], err), err) < 0)
			return keel_error_prefix(err, "--disk %s", m->opts.disks[i]);
	for (unsigned i = 0; i < m->opts.nnets; i++, slot++)
		if (attach_virtio(m, slot, virtio_net_create(m->opts.nets[i], m->loop, err), err) <
		    0)
			return keel_error_prefix(err, "--net %s", m->opts.nets[i]);
	if (attach_virtio(m, slot++, virtio_rng_create(err), err) < 0)
		return keel_error_prefix(err, "virtio-rng");
	if (m->opts.console == VM_CONSOLE_VIRTIO &&
	    attach_virtio(m, slot, machine_console_virtio_create(&m->console, err), err) < 0)
		return keel_error_prefix(err, "--console virtio");
	return 0;
}

static int create_devices(struct machine *m, struct keel_error *err)
{
	clint_init(&m->clint, m->harts, m->nharts);
	plic_init(&m->plic, m->harts, m->nharts);
	uart_init(&m->uart, plic_irq_line(&m->plic, UART_IRQ), NULL, NULL);
	console_init(&m->console, &m->uart, m->in_fd, m->out_fd);
	rtc_init(&m->rtc, plic_irq_line(&m->plic, RTC_IRQ));
	m->syscon = (struct syscon){.request = power_request, .opaque = m};
	sbi_init(&m->sbi, m->harts, m->nharts);
	m->sbi.bus = &m->bus;
	m->sbi.console = &m->console;
	m->sbi.mtime = machine_mtime;
	m->sbi.mtime_opaque = m;
	m->sbi.power = &m->syscon;
	if (clint_attach(&m->clint, &m->bus, err) < 0 || plic_attach(&m->plic, &m->bus, err) < 0 ||
	    uart_attach(&m->uart, &m->bus, err) < 0 || rtc_attach(&m->rtc, &m->bus, err) < 0 ||
	    syscon_attach(&m->syscon, &m->bus, err) < 0)
		return -1;
	if (console_attach_loop(&m->console, m->loop) < 0)
		return keel_error_set(err, 0, "console: event loop full");
	return create_virtio(m, err);
}

/* Everything but RAM: built anew at each boot, so a reboot starts from
 * power-on state (disks keep their content, being files). */
static void destroy_board(struct machine *m)
{
	if (m->loop)
		console_flush(&m->console);
	for (unsigned i = 0; i < VM_VIRTIO_SLOTS; i++)
		if (m->virtio[i])
			virtio_mmio_free(m->virtio[i]);
	for (unsigned i = 0; i < m->nharts; i++)
		if (m->harts[i])
			hart_free(m->harts[i]);
	vm_loop_free(m->loop);
	memset(m->virtio, 0, sizeof(m->virtio));
	memset(m->harts, 0, sizeof(m->harts));
	m->loop = NULL;
	m->virtio_slots = 0;
	m->bus.nregions = 0;
}

static int build_board(struct machine *m, struct keel_error *err)
{
	m->event = VM_RUNNING;
	m->exit_code = 0;
	m->loop = vm_loop_new();
	if (!m->loop)
		return keel_error_errno(err, "event loop");
	if (create_harts(m, err) < 0 || create_devices(m, err) < 0)
		return -1;
	return machine_load(m, err);
}

int machine_create(struct machine **out, const struct vm_options *opts, int in_fd, int out_fd,
		   struct keel_error *err)
{
	struct machine *m = calloc(1, sizeof(*m));
	if (!m)
		return keel_error_errno(err, "machine");
	m->opts = *opts;
	m->nharts = opts->cpus;
	m->in_fd = in_fd;
	m->out_fd = out_fd;
	if (machine_plan_boot(&m->boot, opts, err) < 0) {
		machine_free(m);
		return -1;
	}
	void *ram = mmap(NULL, opts->mem_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram == MAP_FAILED) {
		keel_error_errno(err, "--mem %s: cannot map guest RAM",
				 opts->mem_text ? opts->mem_text : "256M");
		machine_free(m);
		return -1;
	}
	m->bus = (struct vm_bus){.ram = ram, .ram_base = VM_RAM_BASE, .ram_size = opts->mem_size};
	*out = m;
	return 0;
}

void machine_free(struct machine *m)
{
	if (!m)
		return;
	destroy_board(m);
	if (m->bus.ram)
		munmap(m->bus.ram, m->bus.ram_size);
	machine_boot_free(&m->boot);
	free(m);
}

static void update_timers(struct machine *m)
{
	uint64_t now = clint_mtime(&m->clint);
	clint_update_timers(&m->clint);
	sbi_update_timers(&m->sbi, now);
	rtc_update(&m->rtc);
}

/* True if no hart can make progress before an interrupt arrives. */
static bool all_idle(const struct machine *m)
{
	for (unsigned i = 0; i < m->nharts; i++)
		if (!hart_is_stopped(m->harts[i]) && !hart_is_waiting(m->harts[i]))
			return false;
	return true;
}

/* A deadline at or before `since` had raised its interrupt before the
 * harts last ran: if it is masked it must not keep us from sleeping. */
static uint64_t min_future(uint64_t best, uint64_t deadline, uint64_t since)
{
	return deadline > since && deadline < best ? deadline : best;
}

/* Nanoseconds until the next timer of any kind that fires after `since`
 * (0 if one already has), -1 if none is armed. */
static int64_t idle_timeout_ns(const struct machine *m, uint64_t since)
{
	uint64_t next = UINT64_MAX;
	for (unsigned i = 0; i < m->nharts; i++) {
		next = min_future(next, m->clint.state.mtimecmp[i], since);
		next = min_future(next, m->sbi.state.timer[i], since);
		if (!hart_is_stopped(m->harts[i]))
			next = min_future(next, hart_next_timer(m->harts[i]), since);
	}
	uint64_t now = clint_mtime(&m->clint);
	int64_t timeout = -1;
	if (next <= now)
		timeout = 0;
	else if (next != UINT64_MAX)
		timeout = next - now >= MACHINE_MAX_SLEEP_NS / CLINT_NS_PER_TICK
			      ? MACHINE_MAX_SLEEP_NS
			      : (int64_t)((next - now) * CLINT_NS_PER_TICK);
	/* the RTC alarm is in wall time: look again each second */
	if (m->rtc.state.alarm_running && (timeout < 0 || timeout > MACHINE_MAX_SLEEP_NS))
		timeout = MACHINE_MAX_SLEEP_NS;
	return timeout;
}

/* One round of the round-robin; returns the instructions executed. */
static uint64_t run_round(struct machine *m)
{
	uint64_t executed = 0;
	for (unsigned i = 0; i < m->nharts && m->event == VM_RUNNING; i++)
		if (!hart_is_stopped(m->harts[i]))
			executed += hart_run(m->harts[i], MACHINE_SLICE);
	return executed;
}

static void check_console_quit(struct machine *m)
{
	if (m->console.quit && m->event == VM_RUNNING) {
		console_flush(&m->console);
		fputs("\r\nkeel-vm: terminated (Ctrl-a x)\r\n", stderr);
		power_request(m, VM_POWEROFF, 0);
	}
}

static void run_until_event(struct machine *m)
{
	int64_t last_poll = vm_loop_now_ns();
	while (m->event == VM_RUNNING) {
		/* Timers are raised before the round, and we sleep only after
		 * a whole round in which no hart ran: a hart that an earlier one
		 * woke (IPI) or whose timer passed gets its turn first. */
		uint64_t round_start = clint_mtime(&m->clint);
		update_timers(m);
		uint64_t executed = run_round(m);
		if (executed == 0 && all_idle(m)) {
			vm_loop_poll_ns(m->loop, idle_timeout_ns(m, round_start));
			last_poll = vm_loop_now_ns();
		} else {
			int64_t now = vm_loop_now_ns();
			if (now - last_poll >= MACHINE_POLL_PERIOD_NS) {
				vm_loop_poll(m->loop, 0);
				last_poll = now;
			}
		}
		check_console_quit(m);
	}
	console_flush(&m->console);
}

static int reset_ram(struct machine *m, struct keel_error *err)
{
	/* dropping the pages of a private anonymous mapping zeroes them */
	if (madvise(m->bus.ram, m->bus.ram_size, MADV_DONTNEED) < 0)
		return keel_error_errno(err, "reboot: clearing guest RAM");
	return 0;
}

int machine_run(struct machine *m, int *exit_code, struct keel_error *err)
{
	for (;;) {
		if (build_board(m, err) < 0)
			return -1;
		run_until_event(m);
		if (m->event != VM_REBOOT)
			break;
		destroy_board(m);
		if (reset_ram(m, err) < 0)
			return -1;
	}
	*exit_code = m->event == VM_POWEROFF ? 0 : (m->exit_code ? m->exit_code : 1);
	return 0;
}

static int write_file(const char *path, const void *data, size_t len, struct keel_error *err)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return keel_error_errno(err, "--dump-dtb %s", path);
	const uint8_t *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return keel_error_errno(err, "--dump-dtb %s", path);
		p += n;
		len -= (size_t)n;
	}
	if (close(steal_fd(&fd)) < 0)
		return keel_error_errno(err, "--dump-dtb %s", path);
	return 0;
}

int machine_dump_dtb(const struct vm_options *opts, struct keel_error *err)
{
	struct machine_boot boot;
	struct vm_fdt_desc desc;
	if (machine_plan_boot(&boot, opts, err) < 0) {
		machine_boot_free(&boot);
		return -1;
	}
	machine_fdt_desc(&boot, opts, &desc);
	machine_boot_free(&boot);
	cleanup_free uint8_t *buf = malloc(VM_FDT_MAX_SIZE);
	if (!buf)
		return keel_error_errno(err, "device tree");
	if (vm_fdt_build(&desc, buf, VM_FDT_MAX_SIZE - 0x1000, err) < 0)
		return -1;
	return write_file(opts->dump_dtb, buf, vm_fdt_size(buf), err);
}
