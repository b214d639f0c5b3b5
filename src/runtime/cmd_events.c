/* `keel events [--stats] [--interval D] ID`: the container's statistics
 * every interval and "oom" events as they happen, one JSON object a line
 * ({"type":"stats","id":ID,"data":{...}}, {"type":"oom","id":ID}), until
 * the container stops; --stats prints the statistics once. */
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "linux/cgroup_stats.h"
#include "linux/proc.h"
#include "runtime/args.h"
#include "runtime/commands.h"
#include "runtime/container.h"
#include "runtime/live_cgroups.h"

/* Go durations as runc takes them: "5s", "500ms", "1m", "2h", "1m30s". */
static int parse_interval(const char *text, long *ms, struct keel_error *err)
{
	double total = 0;
	const char *p = text;
	while (*p) {
		char *end;
		double v = strtod(p, &end);
		if (end == p)
			return keel_error_set(err, 0, "invalid duration %s", text);
		double unit = 0;
		if (strncmp(end, "ms", 2) == 0)
			unit = 1, end += 2;
		else if (*end == 's')
			unit = 1000, end++;
		else if (*end == 'm')
			unit = 60000, end++;
		else if (*end == 'h')
			unit = 3600000, end++;
		if (!unit)
			return keel_error_set(err, 0, "invalid duration %s", text);
		total += v * unit;
		p = end;
	}
	if (total <= 0)
		return keel_error_set(err, 0, "duration interval must be greater than 0");
	*ms = (long)total;
	return 0;
}

static void print_event(const char *type, const char *id, json_t *data)
{
	json_t *ev = json_pack("{s:s, s:s}", "type", type, "id", id);
	if (data)
		json_object_set_new(ev, "data", data);
	char *text = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text)
		printf("%s\n", text);
	fflush(stdout);
	free(text);
	json_decref(ev);
}

static int print_stats(const struct linux_cgroups *cg, const char *id, struct keel_error *err)
{
	json_t *stats = linux_cgroup_stats(cg, err);
	if (!stats)
		return -1;
	print_event("stats", id, stats);
	return 0;
}

/* Stats every interval, OOM kills as they come, until the init exits. */
static int stream(const struct linux_cgroups *cg, const struct oci_state *s, long interval_ms,
		  struct keel_error *err)
{
	struct linux_oom_watch w;
	if (linux_oom_watch_open(cg, &w, err) < 0)
		return -1;
	cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, s->pid, 0);
	int rc = 0;
	/* a first sample at once: the watch is armed when it is printed */
	if (print_stats(cg, s->id, err) < 0)
		rc = -1;
	while (rc == 0 && linux_proc_alive(s->pid, s->pid_start_time)) {
		struct pollfd p[2] = {{.fd = w.fd, .events = POLLIN},
				      {.fd = pidfd, .events = POLLIN}};
		int n = poll(p, pidfd >= 0 ? 2 : 1, (int)interval_ms);
		if (n < 0 && errno != EINTR) {
			rc = keel_error_errno(err, "poll");
			break;
		}
		if (n > 0 && (p[0].revents & POLLIN)) {
			for (uint64_t k = linux_oom_watch_read(&w); k > 0; k--)
				print_event("oom", s->id, NULL);
		} else if (n == 0) {
			rc = print_stats(cg, s->id, err);
		}
		if (n > 0 && (p[1].revents & POLLIN))
			break;
	}
	linux_oom_watch_close(&w);
	return rc;
}

int cmd_events(struct global_opts *g, int argc, char **argv, struct keel_error *err)
{
	bool stats_once = false;
	const char *interval = "5s";
	struct arg_option options[] = {
	    {"stats", NULL, ARG_BOOL, &stats_once},
	    {"interval", NULL, ARG_STRING, &interval},
	    {0},
	};
	const char *id;
	int i = 1;
	long interval_ms = 5000;
	snprintf(g->context, sizeof g->context, "events");
	if (args_parse(argc, argv, &i, options, err) < 0 ||
	    command_single_id(g, argc, argv, i, &id, err) < 0 ||
	    parse_interval(interval, &interval_ms, err) < 0)
		return 1;
	struct oci_state *state = NULL;
	{
		cleanup_close int lock = container_open(g->root, id, LOCK_SH, &state, err);
		if (lock < 0)
			return 1;
	} /* not held while streaming: delete must be able to proceed */
	int rc = 1;
	if (container_refresh_status(g->root, state) == OCI_STATUS_STOPPED)
		keel_error_set(err, 0, "container with id %s is not running", id);
	else {
		static struct linux_cgroups cg;
		live_cgroups(state, &cg);
		rc = (stats_once ? print_stats(&cg, id, err)
				 : stream(&cg, state, interval_ms, err)) < 0
			 ? 1
			 : 0;
	}
	oci_state_free(state);
	return rc;
}
