/* OOM notifications of a container's memory cgroup. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "linux/cgroup_resources.h"
#include "linux/cgroup_stats.h"
#include "linux/fileio.h"

/* The "oom_kill N" counter of memory.events (v2) or memory.oom_control
 * (v1); 0 when the file is gone. */
static uint64_t oom_kills(const char *file)
{
	cleanup_free char *text = NULL;
	struct keel_error ignored;
	if (linux_read_file(file, 1 << 16, &text, &ignored) < 0)
		return 0;
	const char *p = strstr(text, "oom_kill ");
	return p ? strtoull(p + 9, NULL, 10) : 0;
}

static int v1_open(const char *dir, struct linux_oom_watch *w, struct keel_error *err)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/memory.oom_control", dir);
	snprintf(w->events, sizeof w->events, "%s", path);
	w->oom_kills = oom_kills(w->events);
	w->v1_control = open(path, O_RDONLY | O_CLOEXEC);
	if (w->v1_control < 0)
		return keel_error_errno(err, "%s", path);
	w->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->fd < 0)
		return keel_error_errno(err, "eventfd");
	char line[64];
	snprintf(line, sizeof line, "%d %d", w->fd, w->v1_control);
	snprintf(path, sizeof path, "%s/cgroup.event_control", dir);
	return linux_write_file(path, line, err);
}

static int v2_open(const char *dir, struct linux_oom_watch *w, struct keel_error *err)
{
	snprintf(w->events, sizeof w->events, "%s/memory.events", dir);
	w->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (w->fd < 0)
		return keel_error_errno(err, "inotify");
	if (inotify_add_watch(w->fd, w->events, IN_MODIFY) < 0)
		return keel_error_errno(err, "inotify %s", w->events);
	w->oom_kills = oom_kills(w->events);
	return 0;
}

int linux_oom_watch_open(const struct linux_cgroups *cg, struct linux_oom_watch *w,
			 struct keel_error *err)
{
	memset(w, 0, sizeof *w);
	w->fd = w->v1_control = -1;
	const char *dir = linux_cgroup_controller_dir(cg, "memory", &w->v2);
	if (!dir)
		return keel_error_set(err, 0, "no memory cgroup on this host");
	int rc = w->v2 ? v2_open(dir, w, err) : v1_open(dir, w, err);
	if (rc < 0)
		linux_oom_watch_close(w);
	return rc;
}

uint64_t linux_oom_watch_read(struct linux_oom_watch *w)
{
	/* drain the notification (eventfd count or inotify events), then
	 * count kills: the v1 eventfd also fires when the cgroup goes away */
	char buf[4096];
	while (read(w->fd, buf, sizeof buf) > 0)
		;
	uint64_t now = oom_kills(w->events), before = w->oom_kills;
	if (now > before)
		w->oom_kills = now;
	return now > before ? now - before : 0;
}

void linux_oom_watch_close(struct linux_oom_watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	if (w->v1_control >= 0)
		close(w->v1_control);
	w->fd = w->v1_control = -1;
}
