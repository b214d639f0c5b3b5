/* What `keel events` reports: the container's cgroup statistics in the
 * shape containerd reads from runc ("cpu", "memory", "pids", "blkio",
 * "hugetlb" as in runc's types.Stats), and OOM notifications
 * (v1 memory.oom_control through cgroup.event_control and an eventfd;
 * v2 memory.events watched with inotify). */
#ifndef KEEL_LINUX_CGROUP_STATS_H
#define KEEL_LINUX_CGROUP_STATS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "linux/cgroups.h"

/* A new JSON object with the statistics; NULL with err set. A controller
 * the host lacks is left out. */
json_t *linux_cgroup_stats(const struct linux_cgroups *cg, struct keel_error *err);

/* "2MB", "1GB" from a size in kB (hugepages-2048kB). */
void linux_hugepage_size_name(uint64_t kb, char *out, size_t size);

struct linux_oom_watch {
	int fd; /* poll for POLLIN */
	bool v2;
	int v1_control;		    /* memory.oom_control kept open (v1) */
	char events[PATH_MAX + 32]; /* memory.events (v2), memory.oom_control (v1) */
	uint64_t oom_kills;	    /* the last oom_kill count seen */
};

int linux_oom_watch_open(const struct linux_cgroups *cg, struct linux_oom_watch *w,
			 struct keel_error *err);
/* After POLLIN: how many OOM kills happened since the last call. */
uint64_t linux_oom_watch_read(struct linux_oom_watch *w);
void linux_oom_watch_close(struct linux_oom_watch *w);

#endif
