#include "linux/signals.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct signal_name {
	const char *name;
	int number;
};

static const struct signal_name signal_names[] = {
    {"HUP", SIGHUP},	   {"INT", SIGINT},	{"QUIT", SIGQUIT}, {"ILL", SIGILL},
    {"TRAP", SIGTRAP},	   {"ABRT", SIGABRT},	{"IOT", SIGIOT},   {"BUS", SIGBUS},
    {"FPE", SIGFPE},	   {"KILL", SIGKILL},	{"USR1", SIGUSR1}, {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},	   {"PIPE", SIGPIPE},	{"ALRM", SIGALRM}, {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},	{"CLD", SIGCHLD},  {"CONT", SIGCONT},
    {"STOP", SIGSTOP},	   {"TSTP", SIGTSTP},	{"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},
    {"URG", SIGURG},	   {"XCPU", SIGXCPU},	{"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF},	   {"WINCH", SIGWINCH}, {"IO", SIGIO},	   {"POLL", SIGPOLL},
    {"PWR", SIGPWR},	   {"SYS", SIGSYS},
};

/* "RTMIN", "RTMIN+3", "RTMAX-2" */
static int parse_realtime(const char *name)
{
	int base;
	const char *rest;
	if (strncasecmp(name, "RTMIN", 5) == 0) {
		base = SIGRTMIN;
		rest = name + 5;
	} else if (strncasecmp(name, "RTMAX", 5) == 0) {
		base = SIGRTMAX;
		rest = name + 5;
	} else {
		return -1;
	}
	if (*rest == '\0')
		return base;
	if (*rest != '+' && *rest != '-')
		return -1;
	char *end;
	long off = strtol(rest + 1, &end, 10);
	if (*end || end == rest + 1 || off < 0 || off > SIGRTMAX - SIGRTMIN)
		return -1;
	long sig = *rest == '+' ? base + off : base - off;
	return sig >= SIGRTMIN && sig <= SIGRTMAX ? (int)sig : -1;
}

int linux_signal_parse(const char *name)
{
	if (!name || !*name)
		return -1;
	if (name[0] >= '0' && name[0] <= '9') {
		char *end;
		long n = strtol(name, &end, 10);
		if (*end || n < 1 || n > SIGRTMAX)
			return -1;
		return (int)n;
	}
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (size_t i = 0; i < sizeof signal_names / sizeof signal_names[0]; i++)
		if (strcasecmp(name, signal_names[i].name) == 0)
			return signal_names[i].number;
	return parse_realtime(name);
}

const char *linux_signal_name(int signum)
{
	for (size_t i = 0; i < sizeof signal_names / sizeof signal_names[0]; i++)
		if (signal_names[i].number == signum)
			return signal_names[i].name;
	return NULL;
}
