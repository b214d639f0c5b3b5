/* The keel-vm command line, parsed into a plain description of the machine
 * to build. Parsing only checks the syntax and ranges of values; files are
 * opened later, when the machine is built. */
#ifndef KEEL_VM_OPTIONS_H
#define KEEL_VM_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

#define VM_MAX_CPUS	   8
#define VM_VIRTIO_SLOTS	   8
#define VM_DEFAULT_MEM	   (256ull << 20)
#define VM_MIN_MEM	   (4ull << 20)
#define VM_MAX_MEM	   (64ull << 30)
#define VM_MAX_VIRTIO_ARGS (VM_VIRTIO_SLOTS - 1) /* one slot is the rng */

/* Which device the host's stdin/stdout console is connected to. */
enum vm_console_kind { VM_CONSOLE_UART, VM_CONSOLE_VIRTIO };

struct vm_options {
	uint64_t mem_size;
	const char *mem_text; /* --mem as given (NULL: default) */
	unsigned cpus;
	const char *kernel;
	const char *initrd;
	const char *append;
	const char *bios; /* NULL: built-in SBI firmware */
	const char *dump_dtb;
	const char *disks[VM_MAX_VIRTIO_ARGS];
	const char *nets[VM_MAX_VIRTIO_ARGS];
	unsigned ndisks, nnets;
	enum vm_console_kind console;
	bool console_given;
	bool help, version;
};

/* Parses argv (getopt_long, so it may be called again: it resets optind).
 * On error fills err with one line naming the option and the value. */
int vm_options_parse(struct vm_options *opts, int argc, char **argv, struct keel_error *err);

/* "256M", "1G", "65536", "512K" -> bytes. Rejects junk, zero and overflow. */
int vm_parse_size(const char *text, uint64_t *bytes);

/* Prints the usage text to f. */
void vm_options_usage(void *f);

#endif
