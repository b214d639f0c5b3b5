/* keel-vm command-line parsing. */
#include "vm/machine/options.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_KERNEL = 256,
	OPT_INITRD,
	OPT_APPEND,
	OPT_BIOS,
	OPT_DUMP_DTB,
	OPT_DISK,
	OPT_NET,
	OPT_CONSOLE
};

static const struct option long_options[] = {
    {"kernel", required_argument, NULL, OPT_KERNEL},
    {"initrd", required_argument, NULL, OPT_INITRD},
    {"append", required_argument, NULL, OPT_APPEND},
    {"bios", required_argument, NULL, OPT_BIOS},
    {"dump-dtb", required_argument, NULL, OPT_DUMP_DTB},
    {"disk", required_argument, NULL, OPT_DISK},
    {"net", required_argument, NULL, OPT_NET},
    {"console", required_argument, NULL, OPT_CONSOLE},
    {"mem", required_argument, NULL, 'm'},
    {"cpus", required_argument, NULL, 'c'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

void vm_options_usage(void *f)
{
	fputs("Usage: keel-vm --kernel IMAGE [options]\n"
	      "Runs a RISC-V RV64GC virtual machine laid out like QEMU's virt board.\n"
	      "\n"
	      "  --kernel IMAGE      Linux Image (or bare-metal ELF, run in M-mode)\n"
	      "  --initrd FILE       initial ramdisk\n"
	      "  --append ARGS       kernel command line\n"
	      "  -m, --mem SIZE      guest RAM, K/M/G suffixes (default 256M)\n"
	      "  -c, --cpus N        number of harts, 1..8 (default 1)\n"
	      "  --bios FILE         M-mode firmware (OpenSBI fw_dynamic/fw_jump) instead of\n"
	      "                      the built-in SBI\n"
	      "  --disk FILE[,ro]    virtio-blk disk (repeatable)\n"
	      "  --net SPEC          virtio-net: user[,hostfwd=...] or tap,ifname=NAME\n"
	      "  --console KIND      what stdin/stdout drive: uart (default) or virtio\n"
	      "                      (a virtio-console: the guest's hvc console)\n"
	      "  --dump-dtb FILE     write the device tree blob and exit\n"
	      "  -h, --help          this text\n"
	      "  -V, --version       version\n"
	      "\n"
	      "Console: the guest's serial port (or virtio-console) on stdin/stdout;\n"
	      "Ctrl-a x quits, Ctrl-a Ctrl-a sends Ctrl-a.\n",
	      (FILE *)f);
}

int vm_parse_size(const char *text, uint64_t *bytes)
{
	char *end;
	errno = 0;
	if (!text || !*text || *text == '-' || *text == '+')
		return -1;
	unsigned long long n = strtoull(text, &end, 10);
	if (errno || end == text)
		return -1;
	unsigned shift = 0;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	case '\0':
		break;
	default:
		return -1;
	}
	if (*end && end[1] != '\0' && strcmp(end + 1, "iB") != 0 && strcmp(end + 1, "B") != 0)
		return -1;
	if (n == 0 || n > (UINT64_MAX >> shift))
		return -1;
	*bytes = (uint64_t)n << shift;
	return 0;
}

static int parse_mem(struct vm_options *opts, const char *arg, struct keel_error *err)
{
	uint64_t size;
	if (vm_parse_size(arg, &size) < 0)
		return keel_error_set(err, 0, "--mem %s: expected a size such as 256M or 1G", arg);
	if (size < VM_MIN_MEM || size > VM_MAX_MEM)
		return keel_error_set(err, 0, "--mem %s: must be between %llu MiB and %llu GiB",
				      arg, VM_MIN_MEM >> 20, VM_MAX_MEM >> 30);
	if (size & 0xfff)
		return keel_error_set(err, 0, "--mem %s: must be a multiple of 4 KiB", arg);
	opts->mem_size = size;
	opts->mem_text = arg;
	return 0;
}

static int parse_cpus(struct vm_options *opts, const char *arg, struct keel_error *err)
{
	char *end;
	errno = 0;
	long n = strtol(arg, &end, 10);
	if (errno || end == arg || *end || n < 1 || n > VM_MAX_CPUS)
		return keel_error_set(err, 0, "--cpus %s: expected a number from 1 to %d", arg,
				      VM_MAX_CPUS);
	opts->cpus = (unsigned)n;
	return 0;
}

static int add_virtio(const char **list, unsigned *n, const char *opt, const char *arg,
		      const struct vm_options *opts, struct keel_error *err)
{
	if (!*arg)
		return keel_error_set(err, 0, "%s: empty argument", opt);
	if (opts->ndisks + opts->nnets >= VM_MAX_VIRTIO_ARGS)
		return keel_error_set(err, 0, "%s %s: at most %d disks and networks in all", opt,
				      arg, VM_MAX_VIRTIO_ARGS);
	list[(*n)++] = arg;
	return 0;
}

static int parse_console(struct vm_options *opts, const char *arg, struct keel_error *err)
{
	if (opts->console_given)
		return keel_error_set(err, 0, "--console given twice");
	if (strcmp(arg, "uart") == 0)
		opts->console = VM_CONSOLE_UART;
	else if (strcmp(arg, "virtio") == 0)
		opts->console = VM_CONSOLE_VIRTIO;
	else
		return keel_error_set(err, 0, "--console %s: expected uart or virtio", arg);
	opts->console_given = true;
	return 0;
}

/* A virtio-console takes a slot that disks and networks could have had. */
static int check_virtio_slots(const struct vm_options *opts, struct keel_error *err)
{
	unsigned max = VM_MAX_VIRTIO_ARGS - (opts->console == VM_CONSOLE_VIRTIO);
	if (opts->ndisks + opts->nnets > max)
		return keel_error_set(err, 0,
				      "--console virtio: at most %u disks and networks in all "
				      "beside it",
				      max);
	return 0;
}

static int set_once(const char **slot, const char *opt, const char *arg, struct keel_error *err)
{
	if (*slot)
		return keel_error_set(err, 0, "%s given twice", opt);
	if (!*arg)
		return keel_error_set(err, 0, "%s: empty argument", opt);
	*slot = arg;
	return 0;
}

static int unknown_option(int argc, char **argv, int opt, struct keel_error *err)
{
	const char *word = (optind - 1 < argc && optind > 0) ? argv[optind - 1] : "?";
	if (opt == ':')
		return keel_error_set(err, 0, "%s: missing argument", word);
	if (optopt && optopt != '?')
		return keel_error_set(err, 0, "unknown option -%c (see --help)", optopt);
	return keel_error_set(err, 0, "unknown option %s (see --help)", word);
}

static int apply_option(struct vm_options *opts, int opt, const char *arg, struct keel_error *err)
{
	switch (opt) {
	case OPT_KERNEL:
		return set_once(&opts->kernel, "--kernel", arg, err);
	case OPT_INITRD:
		return set_once(&opts->initrd, "--initrd", arg, err);
	case OPT_APPEND:
		if (opts->append)
			return keel_error_set(err, 0, "--append given twice");
		opts->append = arg;
		return 0;
	case OPT_BIOS:
		return set_once(&opts->bios, "--bios", arg, err);
	case OPT_DUMP_DTB:
		return set_once(&opts->dump_dtb, "--dump-dtb", arg, err);
	case OPT_DISK:
		return add_virtio(opts->disks, &opts->ndisks, "--disk", arg, opts, err);
	case OPT_NET:
		return add_virtio(opts->nets, &opts->nnets, "--net", arg, opts, err);
	case OPT_CONSOLE:
		return parse_console(opts, arg, err);
	case 'm':
		return parse_mem(opts, arg, err);
	case 'c':
		return parse_cpus(opts, arg, err);
	case 'h':
		opts->help = true;
		return 0;
	case 'V':
		opts->version = true;
		return 0;
	}
	return keel_error_set(err, 0, "internal: unhandled option %d", opt);
}

int vm_options_parse(struct vm_options *opts, int argc, char **argv, struct keel_error *err)
{
	*opts = (struct vm_options){.mem_size = VM_DEFAULT_MEM, .cpus = 1};
	optind = 0; /* full reinitialisation (GNU), so tests may parse repeatedly */
	opterr = 0;
	int opt;
	while ((opt = getopt_long(argc, argv, ":m:c:hV", long_options, NULL)) != -1) {
		if (opt == '?' || opt == ':')
			return unknown_option(argc, argv, opt, err);
		if (apply_option(opts, opt, optarg, err) < 0)
			return -1;
	}
	if (optind < argc)
		return keel_error_set(err, 0, "unexpected argument '%s' (see --help)",
				      argv[optind]);
	if (opts->help || opts->version)
		return 0;
	if (check_virtio_slots(opts, err) < 0)
		return -1;
	if (!opts->kernel && !opts->dump_dtb)
		return keel_error_set(err, 0, "missing --kernel IMAGE (see --help)");
	return 0;
}
