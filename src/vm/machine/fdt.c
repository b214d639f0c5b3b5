/* Device tree generation with libfdt's sequential-write API. Phandles:
 * hart N's interrupt controller is N + 1, then the PLIC and the test
 * device. */
#include "vm/machine/fdt.h"

#include <libfdt.h>
#include <stdio.h>

#include "vm/machine/clint.h"
#include "vm/machine/options.h"
#include "vm/machine/plic.h"
#include "vm/machine/rtc.h"
#include "vm/machine/syscon.h"
#include "vm/machine/uart.h"

#define PHANDLE_INTC(hart) (1u + (hart))
#define PHANDLE_PLIC	   (PHANDLE_INTC(VM_MAX_CPUS))
#define PHANDLE_TEST	   (PHANDLE_PLIC + 1)

#define IRQ_M_SOFT  3
#define IRQ_M_TIMER 7
#define IRQ_S_EXT   9
#define IRQ_M_EXT   11

/* Every fdt_* call returns <0 on failure; chain them and stop at the first. */
#define TRY(call)                                                                                  \
	do {                                                                                       \
		int _r = (call);                                                                   \
		if (_r < 0)                                                                        \
			return _r;                                                                 \
	} while (0)

static int prop_reg(void *fdt, uint64_t base, uint64_t size)
{
	fdt64_t reg[2] = {cpu_to_fdt64(base), cpu_to_fdt64(size)};
	return fdt_property(fdt, "reg", reg, sizeof(reg));
}

static int begin_node_at(void *fdt, const char *name, uint64_t addr)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%s@%llx", name, (unsigned long long)addr);
	return fdt_begin_node(fdt, buf);
}

static int add_cpu(void *fdt, const struct vm_fdt_desc *desc, unsigned hart)
{
	TRY(begin_node_at(fdt, "cpu", hart));
	TRY(fdt_property_string(fdt, "device_type", "cpu"));
	TRY(fdt_property_u32(fdt, "reg", hart));
	TRY(fdt_property_string(fdt, "status", "okay"));
	TRY(fdt_property_string(fdt, "compatible", "riscv"));
	TRY(fdt_property_string(fdt, "riscv,isa", VM_RISCV_ISA));
	TRY(fdt_property_string(fdt, "mmu-type", desc->mmu_type ? desc->mmu_type : "riscv,sv48"));
	TRY(fdt_begin_node(fdt, "interrupt-controller"));
	TRY(fdt_property_u32(fdt, "#address-cells", 0));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	TRY(fdt_property_string(fdt, "compatible", "riscv,cpu-intc"));
	TRY(fdt_property_u32(fdt, "phandle", PHANDLE_INTC(hart)));
	TRY(fdt_end_node(fdt));
	return fdt_end_node(fdt);
}

static int add_cpus(void *fdt, const struct vm_fdt_desc *desc)
{
	TRY(fdt_begin_node(fdt, "cpus"));
	TRY(fdt_property_u32(fdt, "#address-cells", 1));
	TRY(fdt_property_u32(fdt, "#size-cells", 0));
	TRY(fdt_property_u32(fdt, "timebase-frequency", (uint32_t)CLINT_TIMEBASE_HZ));
	for (unsigned hart = 0; hart < desc->cpus; hart++)
		TRY(add_cpu(fdt, desc, hart));
	return fdt_end_node(fdt);
}

static int add_memory(void *fdt, const struct vm_fdt_desc *desc)
{
	TRY(begin_node_at(fdt, "memory", VM_RAM_BASE));
	TRY(fdt_property_string(fdt, "device_type", "memory"));
	TRY(prop_reg(fdt, VM_RAM_BASE, desc->mem_size));
	return fdt_end_node(fdt);
}

static int add_chosen(void *fdt, const struct vm_fdt_desc *desc)
{
	char stdout_path[64];
	snprintf(stdout_path, sizeof(stdout_path), "/soc/serial@%llx", UART_BASE);
	TRY(fdt_begin_node(fdt, "chosen"));
	if (desc->bootargs)
		TRY(fdt_property_string(fdt, "bootargs", desc->bootargs));
	TRY(fdt_property_string(fdt, "stdout-path", stdout_path));
	if (desc->initrd_end) {
		TRY(fdt_property_u64(fdt, "linux,initrd-start", desc->initrd_start));
		TRY(fdt_property_u64(fdt, "linux,initrd-end", desc->initrd_end));
	}
	return fdt_end_node(fdt);
}

/* interrupts-extended = <&intc0 a &intc0 b &intc1 a ...> */
static int prop_per_hart_irqs(void *fdt, const struct vm_fdt_desc *desc, uint32_t first,
			      uint32_t second)
{
	fdt32_t cells[VM_MAX_CPUS * 4];
	unsigned n = 0;
	for (unsigned hart = 0; hart < desc->cpus; hart++) {
		cells[n++] = cpu_to_fdt32(PHANDLE_INTC(hart));
		cells[n++] = cpu_to_fdt32(first);
		cells[n++] = cpu_to_fdt32(PHANDLE_INTC(hart));
		cells[n++] = cpu_to_fdt32(second);
	}
	return fdt_property(fdt, "interrupts-extended", cells, n * sizeof(cells[0]));
}

static int add_clint(void *fdt, const struct vm_fdt_desc *desc)
{
	static const char compat[] = "sifive,clint0\0riscv,clint0";
	TRY(begin_node_at(fdt, "clint", CLINT_BASE));
	TRY(fdt_property(fdt, "compatible", compat, sizeof(compat)));
	TRY(prop_reg(fdt, CLINT_BASE, CLINT_SIZE));
	TRY(prop_per_hart_irqs(fdt, desc, IRQ_M_SOFT, IRQ_M_TIMER));
	return fdt_end_node(fdt);
}

static int add_plic(void *fdt, const struct vm_fdt_desc *desc)
{
	static const char compat[] = "sifive,plic-1.0.0\0riscv,plic0";
	TRY(begin_node_at(fdt, "plic", PLIC_BASE));
	TRY(fdt_property(fdt, "compatible", compat, sizeof(compat)));
	TRY(fdt_property_u32(fdt, "#address-cells", 0));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	TRY(prop_reg(fdt, PLIC_BASE, PLIC_SIZE));
	TRY(fdt_property_u32(fdt, "riscv,ndev", PLIC_NUM_SOURCES - 1));
	TRY(prop_per_hart_irqs(fdt, desc, IRQ_M_EXT, IRQ_S_EXT));
	TRY(fdt_property_u32(fdt, "phandle", PHANDLE_PLIC));
	return fdt_end_node(fdt);
}

static int add_irq_device(void *fdt, const char *name, const char *compat, uint64_t base,
			  uint64_t size, uint32_t irq)
{
	TRY(begin_node_at(fdt, name, base));
	TRY(fdt_property_string(fdt, "compatible", compat));
	TRY(prop_reg(fdt, base, size));
	TRY(fdt_property_u32(fdt, "interrupts", irq));
	TRY(fdt_property_u32(fdt, "interrupt-parent", PHANDLE_PLIC));
	return 0; /* node left open for extra properties */
}

static int add_test_device(void *fdt)
{
	static const char compat[] = "sifive,test1\0sifive,test0\0syscon";
	TRY(begin_node_at(fdt, "test", SYSCON_BASE));
	TRY(fdt_property(fdt, "compatible", compat, sizeof(compat)));
	TRY(prop_reg(fdt, SYSCON_BASE, SYSCON_SIZE));
	TRY(fdt_property_u32(fdt, "phandle", PHANDLE_TEST));
	return fdt_end_node(fdt);
}

/* Linux's syscon-poweroff/-reboot drivers writing the test device; at the
 * root as on QEMU virt (under simple-bus they would need a reg). */
static int add_power_nodes(void *fdt)
{
	static const struct {
		const char *name, *compat;
		uint32_t value;
	} power[] = {{"poweroff", "syscon-poweroff", SYSCON_POWEROFF},
		     {"reboot", "syscon-reboot", SYSCON_REBOOT}};
	for (unsigned i = 0; i < 2; i++) {
		TRY(fdt_begin_node(fdt, power[i].name));
		TRY(fdt_property_string(fdt, "compatible", power[i].compat));
		TRY(fdt_property_u32(fdt, "regmap", PHANDLE_TEST));
		TRY(fdt_property_u32(fdt, "offset", 0));
		TRY(fdt_property_u32(fdt, "value", power[i].value));
		TRY(fdt_end_node(fdt));
	}
	return 0;
}

static int add_soc(void *fdt, const struct vm_fdt_desc *desc)
{
	TRY(fdt_begin_node(fdt, "soc"));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property_string(fdt, "compatible", "simple-bus"));
	TRY(fdt_property(fdt, "ranges", NULL, 0));
	TRY(add_clint(fdt, desc));
	TRY(add_plic(fdt, desc));
	TRY(add_irq_device(fdt, "serial", "ns16550a", UART_BASE, UART_SIZE, UART_IRQ));
	TRY(fdt_property_u32(fdt, "clock-frequency", UART_CLOCK_HZ));
	TRY(fdt_end_node(fdt));
	TRY(add_test_device(fdt));
	TRY(add_irq_device(fdt, "rtc", "google,goldfish-rtc", RTC_BASE, RTC_SIZE, RTC_IRQ));
	TRY(fdt_end_node(fdt));
	for (unsigned slot = 0; slot < VM_VIRTIO_SLOTS; slot++) {
		if (!(desc->virtio_slots & (1u << slot)))
			continue;
		TRY(add_irq_device(fdt, "virtio_mmio", "virtio,mmio",
				   VM_VIRTIO_BASE + slot * VM_VIRTIO_STRIDE, VM_VIRTIO_STRIDE,
				   VM_VIRTIO_IRQ0 + slot));
		TRY(fdt_end_node(fdt));
	}
	return fdt_end_node(fdt);
}

static int build(void *fdt, size_t size, const struct vm_fdt_desc *desc)
{
	TRY(fdt_create(fdt, (int)size));
	TRY(fdt_finish_reservemap(fdt));
	TRY(fdt_begin_node(fdt, ""));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property_string(fdt, "compatible", "riscv-virtio"));
	TRY(fdt_property_string(fdt, "model", "keel-vm,virt"));
	TRY(add_chosen(fdt, desc));
	TRY(add_memory(fdt, desc));
	TRY(add_cpus(fdt, desc));
	TRY(add_soc(fdt, desc));
	TRY(add_power_nodes(fdt));
	TRY(fdt_end_node(fdt));
	return fdt_finish(fdt);
}

int vm_fdt_build(const struct vm_fdt_desc *desc, void *buf, size_t size, struct keel_error *err)
{
	if (desc->cpus == 0 || desc->cpus > VM_MAX_CPUS)
		return keel_error_set(err, 0, "device tree: %u cpus (1..%d)", desc->cpus,
				      VM_MAX_CPUS);
	int r = build(buf, size, desc);
	if (r < 0)
		return keel_error_set(err, 0, "device tree: %s", fdt_strerror(r));
	return 0;
}

size_t vm_fdt_size(const void *fdt)
{
	return fdt_totalsize(fdt);
}
