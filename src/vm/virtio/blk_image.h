/* The raw image file behind a virtio-blk. */
#ifndef KEEL_VM_VIRTIO_BLK_IMAGE_H
#define KEEL_VM_VIRTIO_BLK_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

struct blk_image {
	char *path;
	int fd;
	uint64_t size; /* bytes */
	bool read_only;
	bool can_discard; /* the file punches holes */
};

/* Parses "FILE[,ro]" and opens FILE; errors leave naming the file to the
 * caller's prefix ("--disk FILE: cannot open: No such file or directory"). */
int blk_image_open(const char *spec, struct blk_image *img, struct keel_error *err);
void blk_image_close(struct blk_image *img);

#endif
