/* What goes into guest RAM before the first instruction: the kernel (a
 * RISC-V Linux Image, or a bare-metal ELF), the initrd near the top of RAM,
 * the DTB above it, and for --bios the firmware at the base of RAM with a
 * fw_dynamic_info block. All file contents are untrusted and bounds-checked. */
#ifndef KEEL_VM_LOADER_H
#define KEEL_VM_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "vm/machine/bus.h"

#define VM_KERNEL_OFFSET   0x200000ull	 /* Image load address - RAM base (as OpenSBI) */
#define VM_FW_INFO_MAGIC   0x4942534full /* "OSBI" */
#define VM_FW_INFO_VERSION 2
#define VM_MAX_FILE_SIZE   (1ull << 32)

/* Linux Image header (Documentation/riscv/boot-image-header.rst) */
struct vm_image_header {
	uint32_t code0, code1;
	uint64_t text_offset;
	uint64_t image_size;
	uint64_t flags;
	uint32_t version, res1;
	uint64_t res2;
	uint64_t magic;	 /* "RISCV\0\0\0", deprecated */
	uint32_t magic2; /* "RSC\x05" */
	uint32_t res3;
};

/* OpenSBI's struct fw_dynamic_info (version 2), all fields XLEN wide. */
struct vm_fw_dynamic_info {
	uint64_t magic, version, next_addr, next_mode, options, boot_hart;
};

enum vm_kernel_kind { VM_KERNEL_IMAGE, VM_KERNEL_ELF };

struct vm_file {
	uint8_t *data;
	size_t len;
};

void vm_file_free(struct vm_file *file);
/* Reads a whole file (at most max bytes) into memory. what names it in
 * messages ("kernel", "initrd"). */
int vm_file_read(struct vm_file *file, const char *path, const char *what, uint64_t max,
		 struct keel_error *err);

bool vm_is_elf(const struct vm_file *file);
/* Validates a Linux Image; *mem_size = bytes it occupies once loaded. */
int vm_image_check(const struct vm_file *file, uint64_t *mem_size, struct keel_error *err);
/* Copies the PT_LOAD segments of a RISC-V ELF64 into RAM, which must hold
 * each of them; sets *entry and *end (highest loaded address). */
int vm_elf_load(struct vm_bus *bus, const struct vm_file *file, uint64_t *entry, uint64_t *end,
		struct keel_error *err);

/* Where everything goes in RAM. */
struct vm_layout {
	uint64_t kernel_addr, kernel_end;
	uint64_t initrd_start, initrd_end; /* end == start: no initrd */
	uint64_t dtb_addr;		   /* VM_FDT_MAX_SIZE reserved at the top */
	uint64_t fw_info_addr;		   /* in the DTB slot's last bytes */
};

/* Places the initrd below the DTB slot, checks it all fits above
 * kernel_end. mem_text names --mem's value in the message. */
int vm_layout_plan(struct vm_layout *layout, uint64_t ram_base, uint64_t ram_size,
		   uint64_t kernel_addr, uint64_t kernel_end, uint64_t initrd_size,
		   const char *mem_text, struct keel_error *err);

/* "20 MiB", "560 KiB", "12 bytes" */
void vm_format_size(char *buf, size_t len, uint64_t bytes);

#endif
