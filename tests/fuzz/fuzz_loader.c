/* libFuzzer target: keel-vm's kernel loader (src/vm/machine/loader.c).
 * The input is a --kernel (or --bios) file: both parse untrusted bytes.
 *   - an ELF is loaded into a small fake RAM: every PT_LOAD segment must
 *     land in it, the entry point too (ASan watches the copies);
 *   - anything else goes through the RISC-V Image header check, then the
 *     RAM layout as machine_plan_boot() asks for it;
 *   - and the first 24 bytes, read as numbers, drive the layout planner
 *     over the whole range of --mem, kernel and initrd sizes.
 * Each result is checked: a success must describe a placement inside RAM,
 * a failure must leave one line of message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vm/machine/bus.h"
#include "vm/machine/fdt.h"
#include "vm/machine/loader.h"
#include "vm/machine/options.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (256ull << 10)
#define PAGE	 0x1000ull

static void check(int ok)
{
	if (!ok)
		abort();
}

static void check_message(const struct keel_error *err)
{
	check(err->msg[0] != '\0' && strchr(err->msg, '\n') == NULL);
}

static void fuzz_elf(const struct vm_file *file)
{
	static uint8_t ram[RAM_SIZE];
	struct vm_bus bus = {.ram = ram, .ram_base = RAM_BASE, .ram_size = RAM_SIZE};
	struct keel_error err = {0};
	uint64_t entry = 0, end = 0;
	if (vm_elf_load(&bus, file, &entry, &end, &err) < 0) {
		check_message(&err);
		check(strncmp(err.msg, "ELF: ", 5) == 0);
		return;
	}
	check(entry >= RAM_BASE && entry <= RAM_BASE + RAM_SIZE - 4);
	check(end > RAM_BASE && end <= RAM_BASE + RAM_SIZE);
}

/* What a successful plan promises: kernel, initrd and DTB slot in order,
 * page-aligned, within RAM, the initrd exactly its size. */
static void check_layout(const struct vm_layout *l, uint64_t ram_size, uint64_t kernel_end,
			 uint64_t initrd_size)
{
	uint64_t ram_end = RAM_BASE + ram_size;
	check(l->dtb_addr % PAGE == 0 && l->dtb_addr >= RAM_BASE);
	check(l->dtb_addr + VM_FDT_MAX_SIZE <= ram_end + PAGE);
	check(l->fw_info_addr >= l->dtb_addr &&
	      l->fw_info_addr + sizeof(struct vm_fw_dynamic_info) == ram_end);
	check(l->initrd_start % PAGE == 0 && l->initrd_start >= kernel_end);
	check(l->initrd_end - l->initrd_start == initrd_size && l->initrd_end <= l->dtb_addr);
}

static void plan(uint64_t ram_size, uint64_t kernel_size, uint64_t initrd_size)
{
	struct vm_layout layout;
	struct keel_error err = {0};
	uint64_t kernel_addr = RAM_BASE + VM_KERNEL_OFFSET, kernel_end = kernel_addr + kernel_size;
	if (vm_layout_plan(&layout, RAM_BASE, ram_size, kernel_addr, kernel_end, initrd_size, "X",
			   &err) < 0) {
		check_message(&err);
		return;
	}
	check_layout(&layout, ram_size, kernel_end, initrd_size);
}

static void fuzz_image(const struct vm_file *file)
{
	struct keel_error err = {0};
	uint64_t mem_size = 0;
	if (vm_image_check(file, &mem_size, &err) < 0) {
		check_message(&err);
		return;
	}
	check(mem_size >= file->len && mem_size <= VM_MAX_FILE_SIZE);
	plan(VM_DEFAULT_MEM, mem_size, 0);
}

static uint64_t u64_at(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return v;
}

/* --mem ranges over what options.c accepts (4 KiB multiples), a kernel
 * and an initrd up to the loader's file limit. */
static void fuzz_layout_numbers(const uint8_t *data, size_t size)
{
	if (size < 24)
		return;
	uint64_t ram_size = VM_MIN_MEM + u64_at(data) % (VM_MAX_MEM - VM_MIN_MEM + 1);
	ram_size &= ~(PAGE - 1);
	plan(ram_size, u64_at(data + 8) % (VM_MAX_FILE_SIZE + 1),
	     u64_at(data + 16) % (VM_MAX_FILE_SIZE + 1));
}

/* Undefined behaviour (an overflow, a misaligned load) is a finding that
 * stops the run, not a line on stderr that a passing run hides. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a private copy: the loader must not read past len */
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	struct vm_file file = {.data = copy, .len = size};
	if (vm_is_elf(&file))
		fuzz_elf(&file);
	else
		fuzz_image(&file);
	fuzz_layout_numbers(data, size);
	free(copy);
	return 0;
}
