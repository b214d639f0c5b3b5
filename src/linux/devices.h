/* /dev of the container: the default device nodes every container gets
 * (null, zero, full, random, urandom, tty), linux.devices, /dev/ptmx, and
 * the /dev/fd, /dev/std* symlinks. */
#ifndef KEEL_LINUX_DEVICES_H
#define KEEL_LINUX_DEVICES_H

#include <stdbool.h>

#include "common/error.h"
#include "oci/config.h"

/* Creates the default devices then devs[0..n) inside the root. bind: in a
 * user namespace mknod is not allowed, so each node is a bind mount of the
 * host's node at the same path (as runc does). */
int linux_devices_create(int rootfd, const struct oci_device *devs, size_t n, bool bind,
			 struct keel_error *err);

/* One node (mknod, or bind from the host's path). */
int linux_device_create(int rootfd, const struct oci_device *dev, bool bind,
			struct keel_error *err);

/* /dev/ptmx -> pts/ptmx, /dev/fd -> /proc/self/fd, stdin/out/err, and
 * /dev/core -> /proc/kcore when the host has one. */
int linux_dev_symlinks(int rootfd, struct keel_error *err);

#endif
