#include "linux/process.h"

#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>

int linux_rlimits_apply(const struct oci_rlimit *limits, size_t n, struct keel_error *err)
{
	for (size_t i = 0; i < n; i++) {
		const struct oci_rlimit *l = &limits[i];
		const char *name = l->type ? l->type : "?";
		if (l->soft > l->hard)
			return keel_error_set(
			    err, 0, "process.rlimits: %s: soft limit %llu above hard limit %llu",
			    name, (unsigned long long)l->soft, (unsigned long long)l->hard);
		struct rlimit rl = {.rlim_cur = l->soft, .rlim_max = l->hard};
		if (setrlimit(l->resource, &rl) == 0)
			continue;
		if (errno == EPERM) {
			struct rlimit cur = {0};
			getrlimit(l->resource, &cur);
			return keel_error_set(err, 0,
					      "process.rlimits: %s: hard limit %llu is above the "
					      "current hard limit %llu, and raising it needs "
					      "CAP_SYS_RESOURCE",
					      name, (unsigned long long)l->hard,
					      (unsigned long long)cur.rlim_max);
		}
		return keel_error_errno(err, "process.rlimits: %s", name);
	}
	return 0;
}
