/* Unit tests for src/linux/lsm.c: detection of AppArmor and SELinux, the
 * create-time check, what is written to the exec attributes, and the mount
 * label option. The kernel files are stood in for by files in a temp dir
 * (struct linux_lsm_paths); this host has neither LSM. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "linux/lsm.h"

struct fake_host {
	char dir[64];
	char enabled[128], selinuxfs[128], aa_exec[128], exec[128];
	struct linux_lsm_paths paths;
};

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *slurp(const char *path)
{
	static char buf[512];
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* A host with no LSM: no files at all. */
static int setup(void **state)
{
	struct fake_host *h = calloc(1, sizeof *h);
	snprintf(h->dir, sizeof h->dir, "/tmp/keel-lsm.XXXXXX");
	assert_non_null(mkdtemp(h->dir));
	snprintf(h->enabled, sizeof h->enabled, "%s/aa-enabled", h->dir);
	snprintf(h->selinuxfs, sizeof h->selinuxfs, "%s/selinuxfs", h->dir);
	snprintf(h->aa_exec, sizeof h->aa_exec, "%s/aa-exec", h->dir);
	snprintf(h->exec, sizeof h->exec, "%s/exec", h->dir);
	h->paths = (struct linux_lsm_paths){h->enabled, h->selinuxfs, h->aa_exec, h->exec};
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	struct fake_host *h = *state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", h->dir);
	assert_int_equal(system(cmd), 0);
	free(h);
	return 0;
}

static void enable_apparmor(struct fake_host *h)
{
	put(h->enabled, "Y\n");
}

static void enable_selinux(struct fake_host *h)
{
	char path[160];
	mkdir(h->selinuxfs, 0755);
	snprintf(path, sizeof path, "%s/enforce", h->selinuxfs);
	put(path, "1");
}

static void nothing_enabled_without_files(void **state)
{
	struct fake_host *h = *state;
	assert_false(linux_apparmor_enabled(&h->paths));
	assert_false(linux_selinux_enabled(&h->paths));
	put(h->enabled, "N\n");
	assert_false(linux_apparmor_enabled(&h->paths));
	enable_apparmor(h);
	enable_selinux(h);
	assert_true(linux_apparmor_enabled(&h->paths));
	assert_true(linux_selinux_enabled(&h->paths));
}

static void check_refuses_profile_without_apparmor(void **state)
{
	struct fake_host *h = *state;
	struct oci_process p = {.apparmor_profile = "keel-default"};
	struct keel_error err = {0};
	assert_int_equal(linux_lsm_check(&h->paths, &p, &err), -1);
	assert_non_null(strstr(err.msg, "process.apparmorProfile: keel-default"));
	assert_non_null(strstr(err.msg, "AppArmor is not enabled"));
	enable_apparmor(h);
	assert_int_equal(linux_lsm_check(&h->paths, &p, &err), 0);
}

static void check_refuses_label_without_selinux(void **state)
{
	struct fake_host *h = *state;
	struct oci_process p = {.selinux_label = "system_u:system_r:container_t:s0"};
	struct keel_error err = {0};
	enable_apparmor(h); /* the other LSM does not count */
	assert_int_equal(linux_lsm_check(&h->paths, &p, &err), -1);
	assert_non_null(strstr(err.msg, "process.selinuxLabel"));
	assert_non_null(strstr(err.msg, "SELinux is not enabled"));
	enable_selinux(h);
	assert_int_equal(linux_lsm_check(&h->paths, &p, &err), 0);
}

static void check_accepts_empty_values(void **state)
{
	struct fake_host *h = *state;
	struct oci_process p = {.apparmor_profile = "", .selinux_label = ""};
	struct keel_error err = {0};
	assert_int_equal(linux_lsm_check(&h->paths, &p, &err), 0);
}

static void apparmor_written_to_per_lsm_file(void **state)
{
	struct fake_host *h = *state;
	struct keel_error err = {0};
	put(h->aa_exec, "");
	put(h->exec, "");
	assert_int_equal(linux_lsm_set_exec(&h->paths, "keel-default", NULL, &err), 0);
	assert_string_equal(slurp(h->aa_exec), "exec keel-default");
	assert_string_equal(slurp(h->exec), "");
}

static void apparmor_falls_back_to_shared_file(void **state)
{
	struct fake_host *h = *state;
	struct keel_error err = {0};
	put(h->exec, "");
	assert_int_equal(linux_lsm_set_exec(&h->paths, "unconfined", NULL, &err), 0);
	assert_string_equal(slurp(h->exec), "exec unconfined");
}

static void selinux_label_written_as_is(void **state)
{
	struct fake_host *h = *state;
	struct keel_error err = {0};
	put(h->exec, "");
	assert_int_equal(
	    linux_lsm_set_exec(&h->paths, NULL, "system_u:system_r:container_t:s0:c1,c2", &err), 0);
	assert_string_equal(slurp(h->exec), "system_u:system_r:container_t:s0:c1,c2");
}

static void nothing_written_when_unset(void **state)
{
	struct fake_host *h = *state;
	struct keel_error err = {0};
	/* no file exists: any attempt to open one would fail */
	assert_int_equal(linux_lsm_set_exec(&h->paths, NULL, "", &err), 0);
	assert_int_equal(access(h->exec, F_OK), -1);
}

static void write_failure_names_the_field(void **state)
{
	struct fake_host *h = *state;
	struct keel_error err = {0};
	assert_int_equal(linux_lsm_set_exec(&h->paths, NULL, "x_t", &err), -1);
	assert_non_null(strstr(err.msg, "process.selinuxLabel"));
	assert_non_null(strstr(err.msg, h->exec));
}

static void mount_label_appended_quoted(void **state)
{
	(void)state;
	struct keel_error err = {0};
	char data[64] = "mode=755,size=65536k";
	assert_int_equal(linux_lsm_mount_data(data, sizeof data, "s_u:o_r:c_t:s0:c1,c2", &err), 0);
	assert_string_equal(data, "mode=755,size=65536k,context=\"s_u:o_r:c_t:s0:c1,c2\"");
	char empty[64] = "";
	assert_int_equal(linux_lsm_mount_data(empty, sizeof empty, "a_t", &err), 0);
	assert_string_equal(empty, "context=\"a_t\"");
	assert_int_equal(linux_lsm_mount_data(empty, sizeof empty, NULL, &err), 0);
	assert_string_equal(empty, "context=\"a_t\"");
}

static void mount_label_refuses_quote_and_overflow(void **state)
{
	(void)state;
	struct keel_error err = {0};
	char data[32] = "mode=755";
	assert_int_equal(linux_lsm_mount_data(data, sizeof data, "a\",uid=0", &err), -1);
	assert_non_null(strstr(err.msg, "linux.mountLabel"));
	assert_string_equal(data, "mode=755");
	assert_int_equal(
	    linux_lsm_mount_data(data, sizeof data, "a_very_long_label_that_cannot_fit_t", &err),
	    -1);
	assert_non_null(strstr(err.msg, "too long"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(nothing_enabled_without_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(check_refuses_profile_without_apparmor, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(check_refuses_label_without_selinux, setup, teardown),
	    cmocka_unit_test_setup_teardown(check_accepts_empty_values, setup, teardown),
	    cmocka_unit_test_setup_teardown(apparmor_written_to_per_lsm_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(apparmor_falls_back_to_shared_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(selinux_label_written_as_is, setup, teardown),
	    cmocka_unit_test_setup_teardown(nothing_written_when_unset, setup, teardown),
	    cmocka_unit_test_setup_teardown(write_failure_names_the_field, setup, teardown),
	    cmocka_unit_test(mount_label_appended_quoted),
	    cmocka_unit_test(mount_label_refuses_quote_and_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
