/* Documents keel prints: the default config.json of `keel spec` and the
 * runtime-spec features document of `keel features`. */
#ifndef KEEL_OCI_SPEC_H
#define KEEL_OCI_SPEC_H

#include <stdbool.h>
#include <sys/types.h>

/* The default config.json, pretty-printed with tab indentation like runc's.
 * rootless: user namespace mapping uid/gid (the caller's, typically
 * getuid()/getgid()) to 0, no network namespace, sysfs bind-mounted, no
 * cgroup mount. Returns a malloc'd string ending in "\n"; NULL on ENOMEM. */
char *oci_spec_default_json(bool rootless, uid_t uid, gid_t gid);

/* The features.json document (runtime-spec features), pretty-printed.
 * malloc'd, NULL on ENOMEM. */
char *oci_features_json(void);

#endif
