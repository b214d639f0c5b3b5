/* mounts[].options of config.json -> mount(2) flags and data.
 *
 * Known flag names ("ro", "nosuid", "relatime", "rbind" ...) become flags;
 * propagation names ("rslave", "shared" ...) are kept apart because the
 * kernel takes them in a separate mount(2) call; recursive attributes
 * ("rro", "rnosuid" ...) become mount_setattr(2) attributes; anything else
 * ("size=64m", "mode=755", "newinstance") is filesystem data, joined by
 * commas, as runc passes it. */
#ifndef KEEL_LINUX_MOUNT_OPTIONS_H
#define KEEL_LINUX_MOUNT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define LINUX_MOUNT_DATA_MAX 4096

struct linux_mount_opts {
	unsigned long flags;	   /* MS_* to set */
	unsigned long cleared;	   /* MS_* explicitly turned off ("rw", "suid") */
	unsigned long propagation; /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE [| MS_REC] */
	uint64_t attr_set;	   /* MOUNT_ATTR_* for mount_setattr(AT_RECURSIVE) */
	uint64_t attr_clr;
	char data[LINUX_MOUNT_DATA_MAX];
};

/* Parses options[0..n) into opts. Returns -1 with err set when the data
 * does not fit or an option is empty. */
int linux_mount_opts_parse(const char *const *options, size_t n, struct linux_mount_opts *opts,
			   struct keel_error *err);

/* rootfsPropagation and propagation option names -> MS_* flags (with
 * MS_REC for the r-forms). Returns 0 for an unknown name. */
unsigned long linux_propagation_parse(const char *name);

/* True for a bind mount (MS_BIND in flags). */
static inline bool linux_mount_opts_is_bind(const struct linux_mount_opts *opts)
{
	return (opts->flags & 0x1000 /* MS_BIND */) != 0;
}

#endif
