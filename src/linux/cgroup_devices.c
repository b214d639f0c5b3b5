/* linux.resources.devices: the effective rule list and its v1 form
 * (devices.allow / devices.deny). The v2 form is cgroup_devices_bpf.c. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux/cgroup_resources.h"
#include "linux/cgroup_write.h"

/* What runc allows every container besides its own list: creating any
 * device node (opening it is another matter), and the default devices. */
static const struct oci_device_rule default_allow[] = {
    {.allow = true, .type = 'c', .access = "m"},
    {.allow = true, .type = 'b', .access = "m"},
    {.allow = true, .type = 'c', .has_major = true, .major = 1, .has_minor = true, .minor = 3},
    {.allow = true, .type = 'c', .has_major = true, .major = 1, .has_minor = true, .minor = 5},
    {.allow = true, .type = 'c', .has_major = true, .major = 1, .has_minor = true, .minor = 7},
    {.allow = true, .type = 'c', .has_major = true, .major = 1, .has_minor = true, .minor = 8},
    {.allow = true, .type = 'c', .has_major = true, .major = 1, .has_minor = true, .minor = 9},
    {.allow = true, .type = 'c', .has_major = true, .major = 5, .has_minor = true, .minor = 0},
    {.allow = true, .type = 'c', .has_major = true, .major = 5, .has_minor = true, .minor = 2},
    {.allow = true, .type = 'c', .has_major = true, .major = 136},
};

struct oci_device_rule *linux_device_rules_effective(const struct oci_resources *r,
						     const struct oci_linux *lin, size_t *n)
{
	size_t given = r ? r->devices_len : 0, devs = lin ? lin->devices_len : 0;
	size_t ndef = sizeof default_allow / sizeof default_allow[0];
	struct oci_device_rule *out = calloc(given + devs + ndef + 1, sizeof *out);
	if (!out)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < given; i++)
		out[k++] = r->devices[i];
	for (size_t i = 0; i < devs; i++) {
		const struct oci_device *d = &lin->devices[i];
		if (d->type != 'c' && d->type != 'u' && d->type != 'b')
			continue; /* fifos need no rule */
		out[k++] = (struct oci_device_rule){
		    .allow = true,
		    .type = d->type == 'b' ? 'b' : 'c',
		    .has_major = true,
		    .major = d->major,
		    .has_minor = true,
		    .minor = d->minor,
		};
	}
	for (size_t i = 0; i < ndef; i++)
		out[k++] = default_allow[i];
	*n = k;
	return out;
}

static void number_text(bool has, int64_t v, char *out, size_t size)
{
	if (!has || v < 0)
		snprintf(out, size, "*");
	else
		snprintf(out, size, "%" PRId64, v);
}

int linux_devices_v1_apply(const char *dir, const struct oci_device_rule *rules, size_t n,
			   struct keel_error *err)
{
	if (cg_write(dir, "devices.deny", "a", "linux.resources.devices", err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct oci_device_rule *d = &rules[i];
		char major[24], minor[24], text[96], f[64];
		char type = d->type ? d->type : 'a';
		if (type != 'a' && type != 'c' && type != 'b')
			return keel_error_set(err, 0, "linux.resources.devices: unknown type '%c'",
					      type);
		number_text(d->has_major, d->major, major, sizeof major);
		number_text(d->has_minor, d->minor, minor, sizeof minor);
		snprintf(text, sizeof text, "%c %s:%s %s", type, major, minor,
			 d->access && *d->access ? d->access : "rwm");
		snprintf(f, sizeof f, "linux.resources.devices[%zu]", i);
		if (cg_write(dir, d->allow ? "devices.allow" : "devices.deny", text, f, err) < 0)
			return -1;
	}
	return 0;
}
