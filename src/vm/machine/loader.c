/* Kernel, initrd and firmware loading. */
#include "vm/machine/loader.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "vm/machine/fdt.h"

#define IMAGE_MAGIC  0x5643534952ull /* "RISCV\0\0\0" little-endian */
#define IMAGE_MAGIC2 0x05435352u     /* "RSC\x05" */

void vm_file_free(struct vm_file *file)
{
	free(file->data);
	*file = (struct vm_file){0};
}

int vm_file_read(struct vm_file *file, const char *path, const char *what, uint64_t max,
		 struct keel_error *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	*file = (struct vm_file){0};
	if (fd < 0)
		return keel_error_errno(err, "%s %s", what, path);
	if (fstat(fd, &st) < 0)
		return keel_error_errno(err, "%s %s", what, path);
	if (!S_ISREG(st.st_mode))
		return keel_error_set(err, 0, "%s %s: not a regular file", what, path);
	if ((uint64_t)st.st_size > max)
		return keel_error_set(err, 0, "%s %s: too large (%lld bytes)", what, path,
				      (long long)st.st_size);
	cleanup_free uint8_t *data = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!data)
		return keel_error_errno(err, "%s %s", what, path);
	size_t done = 0;
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, data + done, (size_t)st.st_size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return keel_error_errno(err, "%s %s", what, path);
		if (n == 0)
			return keel_error_set(err, 0, "%s %s: file shrank while reading", what,
					      path);
		done += (size_t)n;
	}
	file->data = steal_pointer(&data);
	file->len = done;
	return 0;
}

bool vm_is_elf(const struct vm_file *file)
{
	return file->len >= SELFMAG && memcmp(file->data, ELFMAG, SELFMAG) == 0;
}

int vm_image_check(const struct vm_file *file, uint64_t *mem_size, struct keel_error *err)
{
	struct vm_image_header h;
	if (file->len < sizeof(h))
		return keel_error_set(err, 0, "not a RISC-V Linux Image or ELF (%zu bytes)",
				      file->len);
	memcpy(&h, file->data, sizeof(h));
	if (h.magic != IMAGE_MAGIC && h.magic2 != IMAGE_MAGIC2)
		return keel_error_set(err, 0,
				      "not a RISC-V Linux Image or ELF (no RISCV magic "
				      "at offset 0x30)");
	/* image_size 0 (very old kernels): the file is all there is */
	uint64_t size = h.image_size ? h.image_size : file->len;
	if (size < file->len)
		return keel_error_set(err, 0,
				      "Image header: image_size %llu is smaller than the "
				      "file (%zu bytes)",
				      (unsigned long long)size, file->len);
	if (size > VM_MAX_FILE_SIZE)
		return keel_error_set(err, 0, "Image header: image_size %llu is too large",
				      (unsigned long long)size);
	*mem_size = size;
	return 0;
}

static int check_elf_header(const struct vm_file *file, Elf64_Ehdr *eh, struct keel_error *err)
{
	if (file->len < sizeof(*eh))
		return keel_error_set(err, 0, "ELF: truncated header");
	memcpy(eh, file->data, sizeof(*eh));
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return keel_error_set(err, 0, "ELF: not a little-endian 64-bit file");
	if (eh->e_machine != EM_RISCV)
		return keel_error_set(err, 0, "ELF: e_machine %u is not RISC-V", eh->e_machine);
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 || eh->e_phoff > file->len ||
	    (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > file->len - eh->e_phoff)
		return keel_error_set(err, 0, "ELF: program headers outside the file");
	return 0;
}

static int load_segment(struct vm_bus *bus, const struct vm_file *file, const Elf64_Phdr *ph,
			unsigned index, struct keel_error *err)
{
	if (ph->p_filesz > ph->p_memsz || ph->p_offset > file->len ||
	    ph->p_filesz > file->len - ph->p_offset)
		return keel_error_set(err, 0, "ELF: segment %u: outside the file", index);
	uint8_t *dst = vm_ram_ptr(bus, ph->p_paddr, ph->p_memsz);
	if (!dst)
		return keel_error_set(
		    err, 0, "ELF: segment %u: 0x%llx..+0x%llx is outside guest RAM", index,
		    (unsigned long long)ph->p_paddr, (unsigned long long)ph->p_memsz);
	memcpy(dst, file->data + ph->p_offset, ph->p_filesz);
	memset(dst + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
	return 0;
}

int vm_elf_load(struct vm_bus *bus, const struct vm_file *file, uint64_t *entry, uint64_t *end,
		struct keel_error *err)
{
	Elf64_Ehdr eh;
	if (check_elf_header(file, &eh, err) < 0)
		return -1;
	uint64_t top = 0;
	unsigned loaded = 0;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, file->data + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (load_segment(bus, file, &ph, i, err) < 0)
			return -1;
		if (ph.p_paddr + ph.p_memsz > top)
			top = ph.p_paddr + ph.p_memsz;
		loaded++;
	}
	if (!loaded)
		return keel_error_set(err, 0, "ELF: no loadable segment");
	if (!vm_ram_ptr(bus, eh.e_entry, 4))
		return keel_error_set(err, 0, "ELF: entry point 0x%llx is outside guest RAM",
				      (unsigned long long)eh.e_entry);
	*entry = eh.e_entry;
	*end = top;
	return 0;
}

void vm_format_size(char *buf, size_t len, uint64_t bytes)
{
	if (bytes >= (1ull << 30) && bytes % (1ull << 30) == 0)
		snprintf(buf, len, "%llu GiB", (unsigned long long)(bytes >> 30));
	else if (bytes >= (1ull << 20))
		snprintf(buf, len, "%llu MiB", (unsigned long long)((bytes + (1 << 20) - 1) >> 20));
	else if (bytes >= 1024)
		snprintf(buf, len, "%llu KiB", (unsigned long long)((bytes + 1023) >> 10));
	else
		snprintf(buf, len, "%llu bytes", (unsigned long long)bytes);
}

static uint64_t align_down(uint64_t v, uint64_t a)
{
	return v & ~(a - 1);
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

int vm_layout_plan(struct vm_layout *layout, uint64_t ram_base, uint64_t ram_size,
		   uint64_t kernel_addr, uint64_t kernel_end, uint64_t initrd_size,
		   const char *mem_text, struct keel_error *err)
{
	uint64_t ram_end = ram_base + ram_size;
	*layout = (struct vm_layout){.kernel_addr = kernel_addr, .kernel_end = kernel_end};
	layout->dtb_addr = align_down(ram_end - VM_FDT_MAX_SIZE, 0x1000);
	layout->fw_info_addr = ram_end - sizeof(struct vm_fw_dynamic_info);
	bool fits =
	    kernel_end <= layout->dtb_addr && initrd_size <= layout->dtb_addr &&
	    align_up(kernel_end, 0x1000) <= align_down(layout->dtb_addr - initrd_size, 0x1000);
	if (!fits) {
		char ksize[32], isize[32];
		vm_format_size(ksize, sizeof(ksize), kernel_end - kernel_addr);
		vm_format_size(isize, sizeof(isize), initrd_size);
		if (initrd_size)
			return keel_error_set(err, 0,
					      "--mem %s: too small for kernel (%s) and "
					      "initrd (%s)",
					      mem_text, ksize, isize);
		return keel_error_set(err, 0, "--mem %s: too small for kernel (%s)", mem_text,
				      ksize);
	}
	layout->initrd_end = layout->initrd_start =
	    align_down(layout->dtb_addr - initrd_size, 0x1000);
	layout->initrd_end += initrd_size;
	return 0;
}
