/* The keel-vm board: QEMU virt's memory map, devices and boot protocol,
 * and the run loop that drives the harts and the host event loop. */
#ifndef KEEL_VM_MACHINE_H
#define KEEL_VM_MACHINE_H

#include "common/error.h"
#include "vm/machine/bus.h"
#include "vm/machine/clint.h"
#include "vm/machine/console.h"
#include "vm/machine/fdt.h"
#include "vm/machine/loader.h"
#include "vm/machine/loop.h"
#include "vm/machine/options.h"
#include "vm/machine/plic.h"
#include "vm/machine/rtc.h"
#include "vm/machine/sbi.h"
#include "vm/machine/syscon.h"
#include "vm/machine/uart.h"

struct virtio_mmio;

/* Harts run this many instructions per turn of the round-robin. */
#define MACHINE_SLICE 4096
/* Host fds are polled at most this often while harts are busy. */
#define MACHINE_POLL_PERIOD_NS 1000000
/* Longest sleep while idle, so wall-clock timers are looked at. */
#define MACHINE_MAX_SLEEP_NS 1000000000ll

/* What was loaded and where: decided once, replayed on each (re)boot. */
struct machine_boot {
	enum vm_kernel_kind kind;
	struct vm_file kernel, initrd, bios;
	uint64_t kernel_mem_size; /* Image: image_size */
	struct vm_layout layout;
	uint64_t entry;
};

struct machine {
	struct vm_options opts;
	struct vm_bus bus;
	struct machine_boot boot;
	struct hart *harts[VM_MAX_CPUS];
	unsigned nharts;
	struct vm_loop *loop;
	struct clint clint;
	struct plic plic;
	struct uart uart;
	struct console console;
	struct syscon syscon;
	struct rtc rtc;
	struct sbi sbi;
	struct virtio_mmio *virtio[VM_VIRTIO_SLOTS];
	uint32_t virtio_slots;
	enum vm_power_event event;
	int exit_code;
	int in_fd, out_fd;
};

/* Checks the files and RAM size, maps RAM. Devices are built at boot. */
int machine_create(struct machine **out, const struct vm_options *opts, int in_fd, int out_fd,
		   struct keel_error *err);
void machine_free(struct machine *m);
/* Boots and runs until power-off; reboots rebuild the board. *exit_code:
 * 0 for power-off, the guest's failure code otherwise. */
int machine_run(struct machine *m, int *exit_code, struct keel_error *err);
/* --dump-dtb: writes the DTB this configuration would get. */
int machine_dump_dtb(const struct vm_options *opts, struct keel_error *err);

/* boot.c */
int machine_plan_boot(struct machine_boot *boot, const struct vm_options *opts,
		      struct keel_error *err);
void machine_boot_free(struct machine_boot *boot);
void machine_fdt_desc(const struct machine_boot *boot, const struct vm_options *opts,
		      struct vm_fdt_desc *desc);
/* Copies kernel, initrd, firmware and DTB into RAM and resets the harts. */
int machine_load(struct machine *m, struct keel_error *err);

/* console_virtio.c: a virtio-console that con's input goes to from now on
 * (its output too); the caller attaches it. NULL on error. */
struct virtio_mmio *machine_console_virtio_create(struct console *con, struct keel_error *err);

#endif
