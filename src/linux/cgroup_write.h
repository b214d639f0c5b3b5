/* Internal to the cgroup_resources*.c files: writing one value to one
 * cgroup file with an error naming the field and the file. */
#ifndef KEEL_LINUX_CGROUP_WRITE_H
#define KEEL_LINUX_CGROUP_WRITE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "linux/cgroups.h"
#include "oci/config.h"

/* Writes value to dir/file. On failure: "<field>: write <dir>/<file>: <why>". */
int cg_write(const char *dir, const char *file, const char *value, const char *field,
	     struct keel_error *err);
int cg_write_u64(const char *dir, const char *file, uint64_t value, const char *field,
		 struct keel_error *err);
/* -1 (or any negative) as "max" (v2) / "-1" (v1 as given). */
int cg_write_i64(const char *dir, const char *file, int64_t value, const char *field,
		 struct keel_error *err);
bool cg_file_exists(const char *dir, const char *file);

/* Looks up a controller's directory; fails naming field when missing. */
const char *cg_need(const struct linux_cgroups *cg, const char *controller, const char *field,
		    bool *v2, struct keel_error *err);

/* Per-controller writers, v1 and v2 (cgroup_resources_v1.c, _v2.c). */
int cg_v1_memory(const char *dir, const struct oci_memory *m, struct keel_error *err);
int cg_v1_cpu(const char *dir, const struct oci_cpu *c, struct keel_error *err);
int cg_v1_blkio(const char *dir, const struct oci_block_io *b, struct keel_error *err);
int cg_v1_hugetlb(const char *dir, const struct oci_hugepage_limit *l, size_t n,
		  struct keel_error *err);
int cg_v1_network(const struct linux_cgroups *cg, const struct oci_network *net,
		  struct keel_error *err);
int cg_v2_memory(const char *dir, const struct oci_memory *m, struct keel_error *err);
int cg_v2_cpu(const char *dir, const struct oci_cpu *c, struct keel_error *err);
int cg_v2_io(const char *dir, const struct oci_block_io *b, struct keel_error *err);
int cg_v2_hugetlb(const char *dir, const struct oci_hugepage_limit *l, size_t n,
		  struct keel_error *err);
int cg_v2_unified(const char *dir, const struct oci_map *unified, struct keel_error *err);

#endif
