/* The device tree the guest (or --bios firmware) reads to find the board,
 * laid out as QEMU's virt machine describes itself. */
#ifndef KEEL_VM_FDT_H
#define KEEL_VM_FDT_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define VM_FDT_MAX_SIZE	 0x10000 /* 64 KiB reserved for the DTB in RAM */
#define VM_RAM_BASE	 0x80000000ull
#define VM_VIRTIO_BASE	 0x10001000ull
#define VM_VIRTIO_STRIDE 0x1000ull
#define VM_VIRTIO_IRQ0	 1 /* slot n uses PLIC source 1 + n */
#define VM_RISCV_ISA	 "rv64imafdc_zicsr_zifencei_zihintpause_sstc"

struct vm_fdt_desc {
	unsigned cpus;
	uint64_t mem_size;
	const char *bootargs;  /* NULL: none */
	uint64_t initrd_start; /* initrd_end == 0: no initrd */
	uint64_t initrd_end;
	uint32_t virtio_slots; /* bit n: slot n holds a device */
	const char *mmu_type;  /* "riscv,sv39" / "riscv,sv48" */
};

/* Writes the DTB into buf (size bytes). Fails if it does not fit. */
int vm_fdt_build(const struct vm_fdt_desc *desc, void *buf, size_t size, struct keel_error *err);

/* Total size of a built DTB. */
size_t vm_fdt_size(const void *fdt);

#endif
