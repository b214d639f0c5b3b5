#include "linux/process.h"

#include <errno.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "common/cleanup.h"

static bool has_cap(uint64_t mask, int cap)
{
	return cap < 64 && (mask >> cap) & 1;
}

int linux_caps_drop_bounding(const struct oci_capabilities *caps, struct keel_error *err)
{
	int last = (int)cap_max_bits() - 1;
	for (int cap = 0; cap <= last; cap++) {
		if (caps && has_cap(caps->bounding, cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return keel_error_errno(err, "capabilities: drop %s from bounding set",
						oci_cap_name(cap) ? oci_cap_name(cap) : "?");
	}
	return 0;
}

static int set_flags(cap_t state, cap_flag_t flag, uint64_t mask, int last)
{
	for (int cap = 0; cap <= last; cap++) {
		cap_value_t v = cap;
		if (has_cap(mask, cap) && cap_set_flag(state, flag, 1, &v, CAP_SET) < 0)
			return -1;
	}
	return 0;
}

static void cap_freep(cap_t *c)
{
	if (*c)
		cap_free(*c);
}

int linux_caps_apply(const struct oci_capabilities *caps, struct keel_error *err)
{
	static const struct oci_capabilities none;
	if (!caps)
		caps = &none;
	int last = (int)cap_max_bits() - 1;
	__attribute__((cleanup(cap_freep))) cap_t state = cap_init();
	if (!state)
		return keel_error_errno(err, "capabilities");
	if (set_flags(state, CAP_EFFECTIVE, caps->effective, last) < 0 ||
	    set_flags(state, CAP_PERMITTED, caps->permitted, last) < 0 ||
	    set_flags(state, CAP_INHERITABLE, caps->inheritable, last) < 0)
		return keel_error_errno(err, "capabilities");
	if (cap_set_proc(state) < 0)
		return keel_error_errno(err, "capabilities: set effective/permitted/inheritable");
	if (cap_reset_ambient() < 0 && errno != EINVAL)
		return keel_error_errno(err, "capabilities: reset ambient");
	for (int cap = 0; cap <= last; cap++) {
		if (!has_cap(caps->ambient, cap))
			continue;
		/* the kernel only allows ambient caps that are permitted and
		 * inheritable; runc skips the others rather than failing */
		if (!has_cap(caps->permitted, cap) || !has_cap(caps->inheritable, cap))
			continue;
		if (cap_set_ambient(cap, CAP_SET) < 0)
			return keel_error_errno(err, "capabilities: ambient %s", oci_cap_name(cap));
	}
	return 0;
}
