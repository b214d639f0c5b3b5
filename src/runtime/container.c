#include "runtime/container.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "linux/proc.h"
#include "runtime/live_cgroups.h"

int container_id_validate(const char *id, struct keel_error *err)
{
	size_t len = id ? strlen(id) : 0;
	bool ok = len > 0 && len <= 1024 && strcmp(id, ".") != 0 && strcmp(id, "..") != 0;
	for (size_t i = 0; ok && i < len; i++) {
		char c = id[i];
		ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		     c == '_' || c == '+' || c == '-' || c == '.';
	}
	if (!ok)
		return keel_error_set(err, 0, "invalid id format: %s", id ? id : "");
	return 0;
}

int container_dir_path(const char *root, const char *id, char *out, struct keel_error *err)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", root, id);
	if (n < 0 || n >= PATH_MAX)
		return keel_error_set(err, ENAMETOOLONG, "state directory %s/%s", root, id);
	return 0;
}

static int mkdir_parents(const char *path, struct keel_error *err)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s", path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return keel_error_errno(err, "mkdir %s", p);
		*s = '/';
	}
	if (mkdir(p, 0700) < 0 && errno != EEXIST)
		return keel_error_errno(err, "mkdir %s", p);
	return 0;
}

static int open_locked(const char *dir, int lock_op, struct keel_error *err)
{
	cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return keel_error_errno(err, "%s", dir);
	int rc;
	do
		rc = flock(fd, lock_op);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return keel_error_errno(err, "lock %s", dir);
	return steal_fd(&fd);
}

int container_dir_create(const char *root, const char *id, struct keel_error *err)
{
	char dir[PATH_MAX];
	if (container_dir_path(root, id, dir, err) < 0 || mkdir_parents(root, err) < 0)
		return -1;
	if (mkdir(dir, 0711) < 0) {
		if (errno == EEXIST)
			return keel_error_set(err, 0, "container with id exists: %s", id);
		return keel_error_errno(err, "mkdir %s", dir);
	}
	int fd = open_locked(dir, LOCK_EX, err);
	if (fd < 0)
		rmdir(dir);
	return fd;
}

int container_open(const char *root, const char *id, int lock_op, struct oci_state **state,
		   struct keel_error *err)
{
	char dir[PATH_MAX];
	if (container_id_validate(id, err) < 0 || container_dir_path(root, id, dir, err) < 0)
		return -1;
	cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return keel_error_set(err, 0, "container does not exist");
		return keel_error_errno(err, "%s", dir);
	}
	close(fd);
	fd = open_locked(dir, lock_op, err);
	if (fd < 0)
		return -1;
	/* A delete that held the lock while we waited for it has removed the
	 * directory (and a create may have made a new one by that name): what
	 * we locked is gone, and the state is read through the locked fd. */
	struct stat st;
	if (fstat(fd, &st) < 0)
		return keel_error_errno(err, "%s", dir);
	if (st.st_nlink == 0)
		return keel_error_set(err, 0, "container does not exist");
	struct oci_state *s = NULL;
	if (oci_state_read_at(fd, dir, &s, err) < 0) {
		/* a directory without state.json is a create that did not finish */
		if (err->errnum == ENOENT)
			return keel_error_set(err, 0, "container does not exist");
		return -1;
	}
	/* The id decides what delete removes and where the fifo is: it must be
	 * the directory's own. */
	if (strcmp(s->id, id) != 0) {
		keel_error_set(err, 0, "%s/%s: id \"%.64s\" is not the container's", dir,
			       OCI_STATE_FILE, s->id);
		oci_state_free(s);
		return -1;
	}
	*state = s;
	return steal_fd(&fd);
}

void container_dir_remove(const char *root, const char *id)
{
	char dir[PATH_MAX];
	if (container_dir_path(root, id, dir, NULL) < 0)
		return;
	cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	DIR *d = fdopendir(dup(fd));
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
				unlinkat(fd, e->d_name, 0);
		closedir(d);
	}
	rmdir(dir);
}

void container_dir_remove_leftover(const char *root, const char *id)
{
	char dir[PATH_MAX];
	if (container_dir_path(root, id, dir, NULL) < 0)
		return;
	cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	/* held: a create is making it (or a command is using it), so it is
	 * not a leftover; unlinked: a delete took it meanwhile */
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0 || fstat(fd, &st) < 0 || st.st_nlink == 0)
		return;
	container_dir_remove(root, id);
}

enum oci_status container_refresh_status(const char *root, struct oci_state *state)
{
	char fifo[PATH_MAX + 32];
	if (!linux_proc_alive(state->pid, state->pid_start_time)) {
		state->status = OCI_STATUS_STOPPED;
		return state->status;
	}
	snprintf(fifo, sizeof fifo, "%s/%s/%s", root, state->id, EXEC_FIFO);
	state->status = access(fifo, F_OK) == 0 ? OCI_STATUS_CREATED : OCI_STATUS_RUNNING;
	if (live_cgroups_frozen(state))
		state->status = OCI_STATUS_PAUSED;
	return state->status;
}
