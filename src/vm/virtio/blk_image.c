/* Opening the raw image behind a virtio-blk: the --disk spec, the size,
 * and whether the file can punch holes (so that discard is offered only
 * where it works). */
#include "vm/virtio/blk_image.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"

static int parse_options(char *opts, struct blk_image *img, const char *spec,
			 struct keel_error *err)
{
	char *save = NULL;
	for (char *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		if (strcmp(o, "ro") == 0)
			img->read_only = true;
		else if (strcmp(o, "rw") == 0)
			img->read_only = false;
		else
			return keel_error_set(err, 0, "unknown option '%s' (expected ro)", o);
	}
	return 0;
}

static int image_size(int fd, const char *path, uint64_t *size, struct keel_error *err)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return keel_error_errno(err, "stat");
	if (S_ISREG(st.st_mode)) {
		*size = (uint64_t)st.st_size;
		return 0;
	}
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, size) < 0)
			return keel_error_errno(err, "BLKGETSIZE64");
		return 0;
	}
	return keel_error_set(err, 0, "not a regular file or block device");
}

/* Two machines writing one image corrupt it: a writer holds an exclusive
 * lock, readers share one (released when the fd closes). */
static int lock_image(int fd, const char *path, bool read_only, struct keel_error *err)
{
	if (flock(fd, (read_only ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0)
		return 0;
	if (errno == EWOULDBLOCK)
		return keel_error_set(err, 0, "in use by another process");
	return keel_error_errno(err, "cannot lock");
}

/* Punching a hole past the end of the file changes nothing, but tells
 * whether the file system supports it. */
static bool can_punch_holes(int fd, uint64_t size)
{
	return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)size, 4096) == 0;
}

int blk_image_open(const char *spec, struct blk_image *img, struct keel_error *err)
{
	memset(img, 0, sizeof(*img));
	img->fd = -1;
	cleanup_free char *copy = strdup(spec ? spec : "");
	if (!copy)
		return keel_error_errno(err, "disk");
	char *comma = strchr(copy, ',');
	if (comma) {
		*comma = '\0';
		if (parse_options(comma + 1, img, spec, err) < 0)
			return -1;
	}
	if (copy[0] == '\0')
		return keel_error_set(err, 0, "expected FILE[,ro]");
	cleanup_close int fd = open(copy, (img->read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0)
		return keel_error_errno(err, "cannot open");
	if (lock_image(fd, copy, img->read_only, err) < 0 ||
	    image_size(fd, copy, &img->size, err) < 0)
		return -1;
	if (img->size < 512)
		return keel_error_set(err, 0, "smaller than one 512-byte sector");
	img->can_discard = !img->read_only && can_punch_holes(fd, img->size);
	img->path = steal_pointer(&copy);
	img->fd = steal_fd(&fd);
	return 0;
}

void blk_image_close(struct blk_image *img)
{
	if (img->fd >= 0)
		close(img->fd);
	img->fd = -1;
	free(img->path);
	img->path = NULL;
}
