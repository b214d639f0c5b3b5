/* Whole-file reads of bounded size for the documents src/oci parses. */
#ifndef KEEL_OCI_READ_FILE_H
#define KEEL_OCI_READ_FILE_H

#include <stddef.h>

#include "common/error.h"

/* config.json files of real bundles are kilobytes; seccomp profiles make
 * them a few hundred. Anything past this is refused rather than read. */
#define OCI_FILE_MAX (64u << 20)

/* Reads path into a malloc'd, NUL-terminated buffer. Errors name path. */
int oci_read_file(const char *path, char **text, size_t *len, struct keel_error *err);

/* Same, path relative to dirfd (or AT_FDCWD), opened with extra open(2)
 * flags such as O_NOFOLLOW. */
int oci_read_file_at(int dirfd, const char *path, int flags, char **text, size_t *len,
		     struct keel_error *err);

#endif
