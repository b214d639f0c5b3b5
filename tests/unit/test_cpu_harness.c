/* Harness of the CPU suite (see test_cpu_harness.h). */
#include "test_cpu_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"

static uint64_t fixture_time(void *opaque)
{
	return ((struct cpu_fixture *)opaque)->time;
}

int cpu_fixture_setup(void **state)
{
	struct cpu_fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->bus.ram = calloc(1, TEST_RAM_SIZE);
	f->bus.ram_base = TEST_RAM_BASE;
	f->bus.ram_size = TEST_RAM_SIZE;
	struct hart_env env = {.bus = &f->bus, .read_time = fixture_time, .opaque = f};
	f->hart = f->bus.ram ? hart_new(0, &env) : NULL;
	if (!f->hart) {
		free(f->bus.ram);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

int cpu_fixture_teardown(void **state)
{
	struct cpu_fixture *f = *state;
	hart_free(f->hart);
	free(f->bus.ram);
	free(f);
	return 0;
}

static int write_file(const char *path, const char *a, const char *b)
{
	cleanup_fclose FILE *fp = fopen(path, "w");
	if (!fp)
		return -1;
	fputs(a, fp);
	fputs(b, fp);
	fputc('\n', fp);
	return ferror(fp) ? -1 : 0;
}

/* assembles into ram; returns the size or -1 */
static long assemble(const char *prologue, const char *src, uint8_t *ram, size_t max)
{
	char dir[] = "/tmp/keel-test-cpu-XXXXXX";
	if (!mkdtemp(dir))
		return -1;
	char s[64], o[64], elf[64], bin[64], cmd[1024];
	snprintf(s, sizeof(s), "%s/t.s", dir);
	snprintf(o, sizeof(o), "%s/t.o", dir);
	snprintf(elf, sizeof(elf), "%s/t.elf", dir);
	snprintf(bin, sizeof(bin), "%s/t.bin", dir);
	long size = -1;
	if (write_file(s, prologue, src) == 0) {
		snprintf(cmd, sizeof(cmd),
			 "riscv64-linux-gnu-as -march=rv64gc -o %s %s && "
			 "riscv64-linux-gnu-ld -Ttext=0x80000000 -e 0x80000000 -o %s %s && "
			 "riscv64-linux-gnu-objcopy -O binary -j .text %s %s",
			 o, s, elf, o, elf, bin);
		if (system(cmd) == 0) {
			cleanup_fclose FILE *fp = fopen(bin, "rb");
			if (fp)
				size = (long)fread(ram, 1, max, fp);
		}
	}
	unlink(s);
	unlink(o);
	unlink(elf);
	unlink(bin);
	rmdir(dir);
	return size;
}

static void load(struct cpu_fixture *f, const char *prologue, const char *src)
{
	if (system("command -v riscv64-linux-gnu-as >/dev/null 2>&1") != 0)
		skip();
	long n = assemble(prologue, src, f->bus.ram, TEST_RAM_SIZE / 2);
	assert_true(n > 0);
	hart_flush_icache(f->hart);
	hart_reset(f->hart, TEST_RAM_BASE, PRIV_M);
}

void cpu_load(struct cpu_fixture *f, const char *src)
{
	load(f, ".option norelax\n", src);
}

void cpu_load_norvc(struct cpu_fixture *f, const char *src)
{
	load(f, ".option norelax\n.option norvc\n", src);
}

void cpu_run(struct cpu_fixture *f)
{
	for (int i = 0; i < 100; i++) {
		hart_run(f->hart, 100000);
		if (hart_is_waiting(f->hart))
			break;
	}
	assert_true(hart_is_waiting(f->hart));
}

uint64_t cpu_x(struct cpu_fixture *f, unsigned reg)
{
	return hart_get_reg(f->hart, reg);
}

uint64_t *cpu_ram64(struct cpu_fixture *f, uint64_t pa)
{
	assert_true(pa >= TEST_RAM_BASE && pa + 8 <= TEST_RAM_BASE + TEST_RAM_SIZE);
	return (uint64_t *)(f->bus.ram + (pa - TEST_RAM_BASE));
}
