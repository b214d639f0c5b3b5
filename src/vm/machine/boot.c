/* Boot planning (files, sizes, placement) and loading into RAM. */
#include <stdio.h>
#include <string.h>

#include "vm/cpu/hart.h"
#include "vm/machine/machine.h"

enum { REG_A0 = 10, REG_A1 = 11, REG_A2 = 12 };

#define FW_NEXT_MODE_S 1

void machine_boot_free(struct machine_boot *boot)
{
	vm_file_free(&boot->kernel);
	vm_file_free(&boot->initrd);
	vm_file_free(&boot->bios);
}

static int read_kernel(struct machine_boot *boot, const struct vm_options *opts,
		       struct keel_error *err)
{
	if (vm_file_read(&boot->kernel, opts->kernel, "kernel", VM_MAX_FILE_SIZE, err) < 0)
		return -1;
	if (vm_is_elf(&boot->kernel)) {
		boot->kind = VM_KERNEL_ELF;
		return 0;
	}
	boot->kind = VM_KERNEL_IMAGE;
	if (vm_image_check(&boot->kernel, &boot->kernel_mem_size, err) < 0)
		return keel_error_prefix(err, "kernel %s", opts->kernel);
	return 0;
}

static int read_bios(struct machine_boot *boot, const struct vm_options *opts,
		     struct keel_error *err)
{
	if (vm_file_read(&boot->bios, opts->bios, "--bios", VM_KERNEL_OFFSET, err) < 0)
		return -1;
	if (boot->kind == VM_KERNEL_ELF)
		return keel_error_set(err, 0,
				      "--bios %s: the kernel must be a Linux Image, not an "
				      "ELF",
				      opts->bios);
	return 0;
}

int machine_plan_boot(struct machine_boot *boot, const struct vm_options *opts,
		      struct keel_error *err)
{
	*boot = (struct machine_boot){0};
	if (opts->kernel && read_kernel(boot, opts, err) < 0)
		return -1;
	if (opts->bios && read_bios(boot, opts, err) < 0)
		return -1;
	if (opts->initrd &&
	    vm_file_read(&boot->initrd, opts->initrd, "initrd", VM_MAX_FILE_SIZE, err) < 0)
		return -1;
	uint64_t kernel_addr = VM_RAM_BASE + VM_KERNEL_OFFSET, kernel_end = kernel_addr;
	if (boot->kernel.len && boot->kind == VM_KERNEL_IMAGE)
		kernel_end = kernel_addr + boot->kernel_mem_size;
	if (boot->kind == VM_KERNEL_ELF) /* checked against RAM when loaded */
		kernel_addr = kernel_end = VM_RAM_BASE;
	char mem_text[32];
	if (opts->mem_text)
		snprintf(mem_text, sizeof(mem_text), "%s", opts->mem_text);
	else
		vm_format_size(mem_text, sizeof(mem_text), opts->mem_size);
	if (vm_layout_plan(&boot->layout, VM_RAM_BASE, opts->mem_size, kernel_addr, kernel_end,
			   boot->initrd.len, mem_text, err) < 0)
		return -1;
	boot->entry = kernel_addr;
	return 0;
}

void machine_fdt_desc(const struct machine_boot *boot, const struct vm_options *opts,
		      struct vm_fdt_desc *desc)
{
	*desc = (struct vm_fdt_desc){.cpus = opts->cpus,
				     .mem_size = opts->mem_size,
				     .bootargs = opts->append,
				     .mmu_type = "riscv,sv48"};
	if (boot->initrd.len) {
		desc->initrd_start = boot->layout.initrd_start;
		desc->initrd_end = boot->layout.initrd_end;
	}
	/* disks, then networks, then the rng: the order Linux names them;
	 * the virtio-console last */
	unsigned n = opts->ndisks + opts->nnets + 1 + (opts->console == VM_CONSOLE_VIRTIO);
	desc->virtio_slots = (1u << n) - 1;
}

static int copy_to_ram(struct machine *m, uint64_t gpa, const struct vm_file *file,
		       const char *what, struct keel_error *err)
{
	uint8_t *dst = vm_ram_ptr(&m->bus, gpa, file->len);
	if (!dst)
		return keel_error_set(err, 0, "%s: does not fit in RAM at 0x%llx", what,
				      (unsigned long long)gpa);
	memcpy(dst, file->data, file->len);
	return 0;
}

static int load_dtb(struct machine *m, struct keel_error *err)
{
	struct vm_fdt_desc desc;
	machine_fdt_desc(&m->boot, &m->opts, &desc);
	desc.virtio_slots = m->virtio_slots;
	/* the DTB slot's last page holds fw_dynamic_info */
	uint8_t *dst = vm_ram_ptr(&m->bus, m->boot.layout.dtb_addr, VM_FDT_MAX_SIZE - 0x1000);
	if (!dst)
		return keel_error_set(err, 0, "device tree: no room in RAM");
	return vm_fdt_build(&desc, dst, VM_FDT_MAX_SIZE - 0x1000, err);
}

static int load_bios(struct machine *m, struct keel_error *err)
{
	uint64_t entry = VM_RAM_BASE, end;
	if (vm_is_elf(&m->boot.bios)) {
		if (vm_elf_load(&m->bus, &m->boot.bios, &entry, &end, err) < 0)
			return keel_error_prefix(err, "--bios %s", m->opts.bios);
		/* as a raw firmware: below the kernel, never over it, the
		 * initrd or the DTB (its segments may say anything) */
		if (end > m->boot.layout.kernel_addr)
			return keel_error_set(err, 0,
					      "--bios %s: ELF segments end at 0x%llx, over the "
					      "kernel at 0x%llx",
					      m->opts.bios, (unsigned long long)end,
					      (unsigned long long)m->boot.layout.kernel_addr);
	} else if (copy_to_ram(m, VM_RAM_BASE, &m->boot.bios, "--bios", err) < 0) {
		return -1;
	}
	struct vm_fw_dynamic_info info = {.magic = VM_FW_INFO_MAGIC,
					  .version = VM_FW_INFO_VERSION,
					  .next_addr = m->boot.layout.kernel_addr,
					  .next_mode = FW_NEXT_MODE_S,
					  .options = 0,
					  .boot_hart = 0};
	memcpy(vm_ram_ptr(&m->bus, m->boot.layout.fw_info_addr, sizeof(info)), &info, sizeof(info));
	m->boot.entry = entry;
	return 0;
}

static int load_kernel(struct machine *m, struct keel_error *err)
{
	struct machine_boot *boot = &m->boot;
	if (boot->kind == VM_KERNEL_IMAGE) {
		boot->entry = boot->layout.kernel_addr;
		return copy_to_ram(m, boot->layout.kernel_addr, &boot->kernel, "kernel", err);
	}
	uint64_t end;
	if (vm_elf_load(&m->bus, &boot->kernel, &boot->entry, &end, err) < 0)
		return keel_error_prefix(err, "kernel %s", m->opts.kernel);
	if (end > boot->layout.initrd_start)
		return keel_error_set(err, 0, "kernel %s: ELF overlaps the initrd or the DTB",
				      m->opts.kernel);
	return 0;
}

/* Who starts where: firmware and bare-metal ELFs start every hart in
 * M-mode (they park the secondaries themselves); a kernel under the
 * built-in SBI starts on hart 0 and brings up the others with HSM. */
static void reset_harts(struct machine *m)
{
	bool m_mode = m->opts.bios || m->boot.kind == VM_KERNEL_ELF;
	for (unsigned i = 0; i < m->nharts; i++) {
		struct hart *h = m->harts[i];
		hart_reset(h, m->boot.entry, m_mode ? PRIV_M : PRIV_S);
		hart_set_reg(h, REG_A0, i);
		hart_set_reg(h, REG_A1, m->boot.layout.dtb_addr);
		hart_set_reg(h, REG_A2, m->opts.bios ? m->boot.layout.fw_info_addr : 0);
		if (!m_mode)
			sbi_prepare_hart(h);
		hart_set_stopped(h, !m_mode && i != 0);
	}
}

int machine_load(struct machine *m, struct keel_error *err)
{
	if (load_kernel(m, err) < 0)
		return -1;
	if (m->boot.initrd.len &&
	    copy_to_ram(m, m->boot.layout.initrd_start, &m->boot.initrd, "initrd", err) < 0)
		return -1;
	if (load_dtb(m, err) < 0)
		return -1;
	if (m->opts.bios && load_bios(m, err) < 0)
		return -1;
	reset_harts(m);
	return 0;
}
