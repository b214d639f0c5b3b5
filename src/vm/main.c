/* keel-vm: runs a RISC-V virtual machine (see docs/keel-vm.1). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/error.h"
#include "vm/machine/machine.h"
#include "vm/machine/options.h"
#include "vm/machine/terminal.h"

#define EXIT_USAGE 2

static int fail(const struct keel_error *err, int status)
{
	fflush(stdout);
	fprintf(stderr, "keel-vm: %s\n", err->msg);
	return status;
}

/* stdin may be closed (CI): an invalid fd means no console input. */
static int console_input_fd(void)
{
	return fcntl(STDIN_FILENO, F_GETFD) < 0 ? -1 : STDIN_FILENO;
}

int main(int argc, char **argv)
{
	struct keel_error err = {0};
	struct vm_options opts;
	if (vm_options_parse(&opts, argc, argv, &err) < 0)
		return fail(&err, EXIT_USAGE);
	if (opts.help) {
		vm_options_usage(stdout);
		return 0;
	}
	if (opts.version) {
		printf("keel-vm %s\n", KEEL_VERSION);
		return 0;
	}
	if (opts.dump_dtb)
		return machine_dump_dtb(&opts, &err) < 0 ? fail(&err, 1) : 0;

	/* a reader of our output going away must not kill the guest */
	signal(SIGPIPE, SIG_IGN);
	struct machine *m;
	if (machine_create(&m, &opts, console_input_fd(), STDOUT_FILENO, &err) < 0)
		return fail(&err, 1);
	int in_fd = console_input_fd();
	if (in_fd >= 0 && terminal_raw_enter(in_fd) < 0)
		fprintf(stderr, "keel-vm: warning: cannot put the terminal in raw mode\n");
	int status = 1;
	int r = machine_run(m, &status, &err);
	machine_free(m);
	terminal_restore();
	return r < 0 ? fail(&err, 1) : status;
}
