#include "linux/mount_options.h"

#include <errno.h>
#include <linux/mount.h>
#include <string.h>
#include <sys/mount.h>

struct flag_option {
	const char *name;
	bool clear; /* the option turns the flag off */
	unsigned long flag;
};

static const struct flag_option flag_options[] = {
    {"defaults", false, 0},
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"nosuid", false, MS_NOSUID},
    {"suid", true, MS_NOSUID},
    {"nodev", false, MS_NODEV},
    {"dev", true, MS_NODEV},
    {"noexec", false, MS_NOEXEC},
    {"exec", true, MS_NOEXEC},
    {"sync", false, MS_SYNCHRONOUS},
    {"async", true, MS_SYNCHRONOUS},
    {"dirsync", false, MS_DIRSYNC},
    {"remount", false, MS_REMOUNT},
    {"mand", false, MS_MANDLOCK},
    {"nomand", true, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},
    {"atime", true, MS_NOATIME},
    {"nodiratime", false, MS_NODIRATIME},
    {"diratime", true, MS_NODIRATIME},
    {"relatime", false, MS_RELATIME},
    {"norelatime", true, MS_RELATIME},
    {"strictatime", false, MS_STRICTATIME},
    {"nostrictatime", true, MS_STRICTATIME},
    {"lazytime", false, MS_LAZYTIME},
    {"nolazytime", true, MS_LAZYTIME},
    {"silent", false, MS_SILENT},
    {"loud", true, MS_SILENT},
    {"bind", false, MS_BIND},
    {"rbind", false, MS_BIND | MS_REC},
};

struct propagation_option {
	const char *name;
	unsigned long flags;
};

static const struct propagation_option propagation_options[] = {
    {"private", MS_PRIVATE},	   {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},	   {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},	   {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

struct attr_option {
	const char *name;
	bool clear;
	uint64_t attr;
};

/* Recursive forms, applied to the whole mount tree with mount_setattr. */
static const struct attr_option attr_options[] = {
    {"rro", false, MOUNT_ATTR_RDONLY},
    {"rrw", true, MOUNT_ATTR_RDONLY},
    {"rnosuid", false, MOUNT_ATTR_NOSUID},
    {"rsuid", true, MOUNT_ATTR_NOSUID},
    {"rnodev", false, MOUNT_ATTR_NODEV},
    {"rdev", true, MOUNT_ATTR_NODEV},
    {"rnoexec", false, MOUNT_ATTR_NOEXEC},
    {"rexec", true, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", false, MOUNT_ATTR_NODIRATIME},
    {"rdiratime", true, MOUNT_ATTR_NODIRATIME},
    {"rnoatime", false, MOUNT_ATTR_NOATIME},
    {"rrelatime", false, MOUNT_ATTR_RELATIME},
    {"rstrictatime", false, MOUNT_ATTR_STRICTATIME},
    {"rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW},
    {"rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW},
};

unsigned long linux_propagation_parse(const char *name)
{
	for (size_t i = 0; i < sizeof propagation_options / sizeof propagation_options[0]; i++)
		if (strcmp(name, propagation_options[i].name) == 0)
			return propagation_options[i].flags;
	return 0;
}

static bool apply_flag_option(const char *opt, struct linux_mount_opts *opts)
{
	for (size_t i = 0; i < sizeof flag_options / sizeof flag_options[0]; i++) {
		const struct flag_option *f = &flag_options[i];
		if (strcmp(opt, f->name) != 0)
			continue;
		if (f->clear) {
			opts->flags &= ~f->flag;
			opts->cleared |= f->flag;
		} else {
			opts->flags |= f->flag;
			opts->cleared &= ~f->flag;
		}
		return true;
	}
	return false;
}

static bool apply_attr_option(const char *opt, struct linux_mount_opts *opts)
{
	for (size_t i = 0; i < sizeof attr_options / sizeof attr_options[0]; i++) {
		const struct attr_option *a = &attr_options[i];
		if (strcmp(opt, a->name) != 0)
			continue;
		if (a->clear) {
			opts->attr_set &= ~a->attr;
			opts->attr_clr |= a->attr;
		} else {
			opts->attr_set |= a->attr;
			opts->attr_clr &= ~a->attr;
		}
		return true;
	}
	return false;
}

static int append_data(struct linux_mount_opts *opts, const char *opt, struct keel_error *err)
{
	size_t used = strlen(opts->data);
	size_t need = strlen(opt) + (used ? 1 : 0);
	if (used + need >= sizeof opts->data)
		return keel_error_set(err, 0, "mount data longer than %zu bytes",
				      sizeof opts->data - 1);
	if (used)
		opts->data[used++] = ',';
	strcpy(opts->data + used, opt);
	return 0;
}

int linux_mount_opts_parse(const char *const *options, size_t n, struct linux_mount_opts *opts,
			   struct keel_error *err)
{
	memset(opts, 0, sizeof *opts);
	for (size_t i = 0; i < n; i++) {
		const char *opt = options[i];
		if (!opt || !*opt)
			return keel_error_set(err, 0, "options[%zu]: empty option", i);
		if (apply_flag_option(opt, opts) || apply_attr_option(opt, opts))
			continue;
		unsigned long prop = linux_propagation_parse(opt);
		if (prop) {
			opts->propagation = prop;
			continue;
		}
		/* runc ignores these; keel does too (idmapped mounts come later). */
		if (strcmp(opt, "tmpcopyup") == 0 || strcmp(opt, "idmap") == 0 ||
		    strcmp(opt, "ridmap") == 0)
			continue;
		if (append_data(opts, opt, err) < 0)
			return -1;
	}
	return 0;
}
