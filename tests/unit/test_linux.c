/* Unit tests for src/linux: path resolution inside a rootfs with planted
 * symlinks, mount option parsing, signal names, cgroup paths and layout,
 * sysctl validation, executable lookup. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

/* scratch paths are short; PATH_MAX buffers make GCC fear truncation */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#include <linux/mount.h>

#include "common/cleanup.h"
#include "linux/cgroups.h"
#include "linux/hooks.h"
#include "linux/mount_options.h"
#include "linux/mounts.h"
#include "linux/process.h"
#include "linux/resolve.h"
#include "linux/rootfs.h"
#include "linux/signals.h"
#include "linux/terminal.h"

/* ---- a scratch rootfs per test ---------------------------------- */

struct scratch {
	char root[PATH_MAX];
	char outside[PATH_MAX];
	int rootfd;
};

static void make_file(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	assert_true(fd >= 0);
	close(fd);
}

static int scratch_setup(void **state)
{
	struct scratch *s = calloc(1, sizeof *s);
	strcpy(s->root, "/tmp/keel-test-root-XXXXXX");
	strcpy(s->outside, "/tmp/keel-test-out-XXXXXX");
	assert_non_null(mkdtemp(s->root));
	assert_non_null(mkdtemp(s->outside));
	s->rootfd = open(s->root, O_PATH | O_DIRECTORY);
	assert_true(s->rootfd >= 0);
	*state = s;
	return 0;
}

static int scratch_teardown(void **state)
{
	struct scratch *s = *state;
	char cmd[2 * PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", s->root, s->outside);
	assert_int_equal(system(cmd), 0);
	close(s->rootfd);
	free(s);
	return 0;
}

static void at(char *buf, const char *dir, const char *rel)
{
	assert_true(snprintf(buf, PATH_MAX, "%s/%s", dir, rel) < PATH_MAX);
}

/* ---- resolve ------------------------------------------------------ */

static void absolute_symlink_stays_in_root(void **state)
{
	struct scratch *s = *state;
	char p[PATH_MAX];
	/* /etc -> <outside> on the host would escape with a plain open() */
	at(p, s->root, "etc");
	assert_int_equal(symlink(s->outside, p), 0);
	struct keel_error err = {0};
	int fd = linux_mkdir_in_root(s->rootfd, "/etc/conf", 0755, &err);
	assert_true(fd >= 0);
	close(fd);
	at(p, s->outside, "conf");
	assert_int_equal(access(p, F_OK), -1); /* nothing created outside */
	/* the absolute target was resolved from the rootfs: <root><outside>/conf */
	char inside[PATH_MAX];
	snprintf(inside, sizeof inside, "%s%s/conf", s->root, s->outside);
	struct stat st;
	assert_int_equal(stat(inside, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
}

static void dotdot_symlink_stays_in_root(void **state)
{
	struct scratch *s = *state;
	char p[PATH_MAX];
	at(p, s->root, "up");
	assert_int_equal(symlink("../../../../../../..", p), 0);
	struct keel_error err = {0};
	int fd = linux_make_target_in_root(s->rootfd, "/up/tmp/planted", false, &err);
	assert_true(fd >= 0);
	close(fd);
	/* "/up" resolves to the rootfs itself */
	at(p, s->root, "tmp/planted");
	assert_int_equal(access(p, F_OK), 0);
	assert_int_equal(access("/tmp/planted", F_OK), -1);
}

static void magic_link_is_refused(void **state)
{
	struct scratch *s = *state;
	char p[PATH_MAX];
	at(p, s->root, "self");
	assert_int_equal(symlink("/proc/self/root", p), 0);
	/* /proc inside this rootfs does not exist: resolution fails, never escapes */
	errno = 0;
	int fd = linux_open_in_root(s->rootfd, "/self/etc", O_PATH);
	assert_int_equal(fd, -1);
}

static void file_in_place_of_directory_fails(void **state)
{
	struct scratch *s = *state;
	char p[PATH_MAX];
	at(p, s->root, "file");
	make_file(p);
	struct keel_error err = {0};
	assert_int_equal(linux_mkdir_in_root(s->rootfd, "/file/sub", 0755, &err), -1);
	assert_non_null(strstr(err.msg, "/file"));
}

static void existing_file_target_is_reused(void **state)
{
	struct scratch *s = *state;
	char p[PATH_MAX];
	at(p, s->root, "hosts");
	make_file(p);
	struct keel_error err = {0};
	int fd = linux_make_target_in_root(s->rootfd, "/hosts", false, &err);
	assert_true(fd >= 0);
	struct stat a, b;
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(stat(p, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	close(fd);
}

static void split_path_cases(void **state)
{
	char dir[PATH_MAX], base[PATH_MAX];
	assert_int_equal(linux_split_path("/a/b/", dir, base), 0);
	assert_string_equal(dir, "/a");
	assert_string_equal(base, "b");
	linux_split_path("/x", dir, base);
	assert_string_equal(dir, "/");
	assert_string_equal(base, "x");
	linux_split_path("/", dir, base);
	assert_string_equal(dir, "/");
	assert_string_equal(base, "");
}

/* ---- mount options ------------------------------------------------ */

static void mount_options_flags_and_data(void **state)
{
	const char *opts[] = {"nosuid", "strictatime", "mode=755", "size=65536k", "ro", "nodev"};
	struct linux_mount_opts o;
	struct keel_error err = {0};
	assert_int_equal(linux_mount_opts_parse(opts, 6, &o, &err), 0);
	assert_int_equal(o.flags, MS_NOSUID | MS_STRICTATIME | MS_RDONLY | MS_NODEV);
	assert_string_equal(o.data, "mode=755,size=65536k");
	assert_int_equal(o.propagation, 0);
}

static void mount_options_later_wins(void **state)
{
	const char *opts[] = {"ro", "rw", "noexec", "exec", "suid"};
	struct linux_mount_opts o;
	struct keel_error err = {0};
	assert_int_equal(linux_mount_opts_parse(opts, 5, &o, &err), 0);
	assert_int_equal(o.flags, 0);
	assert_true(o.cleared & MS_RDONLY);
	assert_true(o.cleared & MS_NOSUID);
}

static void mount_options_bind_and_propagation(void **state)
{
	const char *opts[] = {"rbind", "rslave", "rro"};
	struct linux_mount_opts o;
	struct keel_error err = {0};
	assert_int_equal(linux_mount_opts_parse(opts, 3, &o, &err), 0);
	assert_int_equal(o.flags, MS_BIND | MS_REC);
	assert_true(linux_mount_opts_is_bind(&o));
	assert_int_equal(o.propagation, MS_SLAVE | MS_REC);
	assert_int_equal(o.attr_set, MOUNT_ATTR_RDONLY);
	assert_string_equal(o.data, "");
	assert_int_equal(linux_propagation_parse("private"), MS_PRIVATE);
	assert_int_equal(linux_propagation_parse("runbindable"), MS_UNBINDABLE | MS_REC);
	assert_int_equal(linux_propagation_parse("bogus"), 0);
}

static void mount_options_devpts(void **state)
{
	const char *opts[] = {"nosuid",	       "noexec",    "newinstance",
			      "ptmxmode=0666", "mode=0620", "gid=5"};
	struct linux_mount_opts o;
	struct keel_error err = {0};
	assert_int_equal(linux_mount_opts_parse(opts, 6, &o, &err), 0);
	assert_int_equal(o.flags, MS_NOSUID | MS_NOEXEC);
	assert_string_equal(o.data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
}

static void mount_options_rejects_empty_and_huge(void **state)
{
	const char *empty[] = {"ro", ""};
	struct linux_mount_opts o;
	struct keel_error err = {0};
	assert_int_equal(linux_mount_opts_parse(empty, 2, &o, &err), -1);
	assert_non_null(strstr(err.msg, "options[1]"));
	char big[LINUX_MOUNT_DATA_MAX + 10];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	const char *huge[] = {big};
	assert_int_equal(linux_mount_opts_parse(huge, 1, &o, &err), -1);
}

/* ---- signals ------------------------------------------------------ */

static void signal_names(void **state)
{
	assert_int_equal(linux_signal_parse("TERM"), SIGTERM);
	assert_int_equal(linux_signal_parse("SIGTERM"), SIGTERM);
	assert_int_equal(linux_signal_parse("sigkill"), SIGKILL);
	assert_int_equal(linux_signal_parse("9"), 9);
	assert_int_equal(linux_signal_parse("HUP"), SIGHUP);
	assert_int_equal(linux_signal_parse("RTMIN+2"), SIGRTMIN + 2);
	assert_int_equal(linux_signal_parse("SIGRTMAX"), SIGRTMAX);
	assert_int_equal(linux_signal_parse("SIGFOO"), -1);
	assert_int_equal(linux_signal_parse("0"), -1);
	assert_int_equal(linux_signal_parse("65"), -1);
	assert_int_equal(linux_signal_parse("9x"), -1);
	assert_int_equal(linux_signal_parse(""), -1);
	assert_string_equal(linux_signal_name(SIGUSR1), "USR1");
}

/* ---- cgroups ------------------------------------------------------ */

static const char hybrid_mountinfo[] =
    "25 1 0:23 / /sys rw,nosuid - sysfs sysfs rw\n"
    "30 25 0:26 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:27 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
    "32 30 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
    "33 30 0:29 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
    "34 30 0:30 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct,release_agent=/x\n"
    "35 30 0:31 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate\n"
    "36 1 0:28 /sub /mnt/mem\\040x rw - cgroup cgroup rw,memory\n";

static void cgroup_mountinfo_hierarchies(void **state)
{
	struct linux_cgroups cg;
	struct keel_error err = {0};
	assert_int_equal(linux_cgroup_parse_mountinfo(hybrid_mountinfo, &cg, &err), 0);
	assert_int_equal(cg.len, 5); /* the second memory mount is the same hierarchy */
	assert_string_equal(cg.h[0].controllers, "cpu");
	assert_string_equal(cg.h[1].mountpoint, "/sys/fs/cgroup/memory");
	assert_string_equal(cg.h[2].controllers, "name=systemd");
	assert_string_equal(cg.h[3].controllers, "cpu,cpuacct");
	assert_true(cg.h[4].unified);
	assert_string_equal(cg.h[4].controllers, "");
	assert_string_equal(cg.h[4].mountpoint, "/sys/fs/cgroup/unified");
}

static void cgroup_own_path_per_hierarchy(void **state)
{
	const char *proc = "9:name=systemd:/\n4:memory:/process_api/abc\n2:cpu,cpuacct:/c\n0::/u\n";
	struct linux_cgroup_hierarchy mem = {.controllers = "memory"};
	struct linux_cgroup_hierarchy cc = {.controllers = "cpu,cpuacct"};
	struct linux_cgroup_hierarchy cpu = {.controllers = "cpu"};
	struct linux_cgroup_hierarchy v2 = {.unified = true};
	char out[PATH_MAX];
	assert_int_equal(linux_cgroup_own_path(proc, &mem, out, sizeof out), 0);
	assert_string_equal(out, "/process_api/abc");
	assert_int_equal(linux_cgroup_own_path(proc, &cc, out, sizeof out), 0);
	assert_string_equal(out, "/c");
	assert_int_equal(linux_cgroup_own_path(proc, &cpu, out, sizeof out), -1);
	assert_int_equal(linux_cgroup_own_path(proc, &v2, out, sizeof out), 0);
	assert_string_equal(out, "/u");
}

static void cgroup_inner_paths(void **state)
{
	char out[PATH_MAX];
	assert_int_equal(
	    linux_cgroup_inner_path("/libpod_parent/libpod-x", "x", "/own", out, sizeof out), 0);
	assert_string_equal(out, "/libpod_parent/libpod-x");
	linux_cgroup_inner_path("keel/web1", "web1", "/own", out, sizeof out);
	assert_string_equal(out, "/own/keel/web1");
	linux_cgroup_inner_path(NULL, "web1", "/", out, sizeof out);
	assert_string_equal(out, "/web1");
	linux_cgroup_inner_path("", "web1", "/a/b", out, sizeof out);
	assert_string_equal(out, "/a/b/web1");
	/* ".." cannot climb out of the hierarchy */
	linux_cgroup_inner_path("/../../../etc", "x", "/", out, sizeof out);
	assert_string_equal(out, "/etc");
	linux_cgroup_inner_path("//a/./b//../c/", "x", "/", out, sizeof out);
	assert_string_equal(out, "/a/c");
}

static void cgroup_systemd_paths(void **state)
{
	char out[PATH_MAX];
	assert_int_equal(linux_cgroup_systemd_path("system.slice:docker:abc", "x", out, sizeof out),
			 0);
	assert_string_equal(out, "/system.slice/docker-abc.scope");
	assert_int_equal(linux_cgroup_systemd_path("", "web1", out, sizeof out), 0);
	assert_string_equal(out, "/system.slice/keel-web1.scope");
	assert_int_equal(linux_cgroup_systemd_path(NULL, "web1", out, sizeof out), 0);
	assert_string_equal(out, "/system.slice/keel-web1.scope");
	assert_int_equal(linux_cgroup_systemd_path("a-b.slice:crio:id", "x", out, sizeof out), 0);
	assert_string_equal(out, "/a.slice/a-b.slice/crio-id.scope");
	assert_int_equal(linux_cgroup_systemd_path(":p:n", "x", out, sizeof out), 0);
	assert_string_equal(out, "/system.slice/p-n.scope");
	assert_int_equal(linux_cgroup_systemd_path("-.slice:p:n", "x", out, sizeof out), 0);
	assert_string_equal(out, "/p-n.scope");
	assert_int_equal(linux_cgroup_systemd_path("user.slice:p:sub.slice", "x", out, sizeof out),
			 0);
	assert_string_equal(out, "/user.slice/sub.slice");
	assert_int_equal(linux_cgroup_systemd_path("/abs/path", "x", out, sizeof out), -1);
	assert_int_equal(linux_cgroup_systemd_path("a:b", "x", out, sizeof out), -1);
	assert_int_equal(linux_cgroup_systemd_path("a:b:c:d", "x", out, sizeof out), -1);
	assert_int_equal(linux_cgroup_systemd_path("notaslice:b:c", "x", out, sizeof out), -1);
}

static void cgroup_layout_from_magic(void **state)
{
	assert_int_equal(linux_cgroup_layout_from_magic(CGROUP2_SUPER_MAGIC, 0),
			 LINUX_CGROUP_UNIFIED);
	assert_int_equal(linux_cgroup_layout_from_magic(TMPFS_MAGIC, CGROUP2_SUPER_MAGIC),
			 LINUX_CGROUP_HYBRID);
	assert_int_equal(linux_cgroup_layout_from_magic(TMPFS_MAGIC, 0), LINUX_CGROUP_LEGACY);
	assert_int_equal(linux_cgroup_layout_from_magic(EXT4_SUPER_MAGIC, 0), LINUX_CGROUP_NONE);
}

static void cgroup_layout_detect_on_directories(void **state)
{
	struct scratch *s = *state;
	/* a plain directory holds no cgroup filesystem */
	assert_int_equal(linux_cgroup_layout_detect(s->root), LINUX_CGROUP_NONE);
	/* a tmpfs with no cgroup2 under "unified" is a legacy layout */
	if (mount("tmpfs", s->root, "tmpfs", 0, NULL) == 0) {
		assert_int_equal(linux_cgroup_layout_detect(s->root), LINUX_CGROUP_LEGACY);
		char p[PATH_MAX];
		at(p, s->root, "unified");
		assert_int_equal(mkdir(p, 0755), 0);
		if (mount("cgroup2", p, "cgroup2", 0, NULL) == 0) {
			assert_int_equal(linux_cgroup_layout_detect(s->root), LINUX_CGROUP_HYBRID);
			umount(p);
		}
		umount2(s->root, MNT_DETACH);
	}
	/* this host: the brief says hybrid; any detected layout is a cgroup one */
	assert_int_not_equal(linux_cgroup_layout_detect("/sys/fs/cgroup"), LINUX_CGROUP_NONE);
}

/* ---- process ------------------------------------------------------ */

static void sysctl_paths(void **state)
{
	char path[512];
	struct keel_error err = {0};
	assert_int_equal(
	    linux_sysctl_path("net.ipv4.ip_forward", true, false, false, path, sizeof path, &err),
	    0);
	assert_string_equal(path, "/proc/sys/net/ipv4/ip_forward");
	assert_int_equal(
	    linux_sysctl_path("kernel/shmmax", false, true, false, path, sizeof path, &err), 0);
	assert_string_equal(path, "/proc/sys/kernel/shmmax");
	assert_int_equal(
	    linux_sysctl_path("net.ipv4.ip_forward", false, true, true, path, sizeof path, &err),
	    -1);
	assert_non_null(strstr(err.msg, "refusing"));
	assert_int_equal(
	    linux_sysctl_path("kernel.panic", true, true, true, path, sizeof path, &err), -1);
	assert_int_equal(
	    linux_sysctl_path("net/../../etc", true, true, true, path, sizeof path, &err), -1);
}

static void find_executable_in_path(void **state)
{
	struct scratch *s = *state;
	char bin[PATH_MAX], tool[PATH_MAX], env_path[PATH_MAX + 16], out[PATH_MAX];
	at(bin, s->root, "bin");
	assert_int_equal(mkdir(bin, 0755), 0);
	at(tool, bin, "tool");
	make_file(tool);
	chmod(tool, 0755);
	snprintf(env_path, sizeof env_path, "PATH=/nonexistent:%s", bin);
	char *env[] = {"A=1", env_path, NULL};
	struct keel_error err = {0};
	assert_int_equal(linux_find_executable("tool", env, out, sizeof out, &err), 0);
	assert_string_equal(out, tool);
	assert_int_equal(linux_find_executable("nope", env, out, sizeof out, &err), -1);
	assert_string_equal(err.msg, "exec: \"nope\": executable file not found in $PATH");
	assert_int_equal(linux_find_executable(tool, env, out, sizeof out, &err), 0);
	chmod(tool, 0644);
	assert_int_equal(linux_find_executable("tool", env, out, sizeof out, &err), -1);
}

/* ---- hooks ---------------------------------------------------------- */

static void hook_gets_state_on_stdin(void **state)
{
	struct scratch *s = *state;
	char out[PATH_MAX], script[PATH_MAX + 32];
	at(out, s->root, "state");
	snprintf(script, sizeof script, "cat > %s", out);
	char *args[] = {"sh", "-c", script, NULL};
	struct oci_hook hook = {.path = "/bin/sh", .args = {args, 3}};
	struct keel_error err = {0};
	assert_int_equal(linux_hook_run(&hook, "{\"id\":\"c1\"}", &err), 0);
	char text[64] = "";
	int fd = open(out, O_RDONLY);
	assert_true(fd >= 0);
	assert_true(read(fd, text, sizeof text - 1) > 0);
	close(fd);
	assert_string_equal(text, "{\"id\":\"c1\"}");
}

static void hook_failures_name_the_hook(void **state)
{
	char *fail_args[] = {"sh", "-c", "exit 3", NULL};
	struct oci_hook failing = {.path = "/bin/sh", .args = {fail_args, 3}};
	struct oci_hook_list list = {.items = &failing, .len = 1};
	struct keel_error err = {0};
	assert_int_equal(linux_hooks_run(&list, "prestart", "{}", &err), -1);
	assert_string_equal(err.msg, "hooks.prestart[0]: /bin/sh: exit status 3");
	char *slow_args[] = {"sh", "-c", "sleep 10", NULL};
	struct oci_hook slow = {
	    .path = "/bin/sh", .args = {slow_args, 3}, .has_timeout = true, .timeout = 1};
	assert_int_equal(linux_hook_run(&slow, "{}", &err), -1);
	assert_string_equal(err.msg, "/bin/sh: timed out after 1 s");
	struct oci_hook missing = {.path = "/nonexistent/hook"};
	assert_int_equal(linux_hook_run(&missing, "{}", &err), -1);
	assert_string_equal(err.msg, "/nonexistent/hook: exit status 127");
}

/* ---- terminal fd passing -------------------------------------------- */

static void fd_passes_over_a_socket(void **state)
{
	int pair[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	struct keel_error err = {0};
	assert_int_equal(linux_send_fd(pair[0], fds[1], "/dev/ptmx", &err), 0);
	int got = linux_recv_fd(pair[1], &err);
	assert_true(got >= 0);
	assert_int_equal(write(got, "x", 1), 1);
	char c;
	assert_int_equal(read(fds[0], &c, 1), 1);
	assert_int_equal(c, 'x');
	close(got);
	close(fds[0]);
	close(fds[1]);
	close(pair[0]);
	close(pair[1]);
}

/* ---- mounts in a private mount namespace ---------------------------- */

/* Runs fn in a child with its own mount namespace; the child's exit status
 * is the result (0: every check held; otherwise the failing check). */
static int in_mount_ns(int (*fn)(struct scratch *), struct scratch *s)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(100);
		/* mount targets must be in this namespace: reopen the root here */
		s->rootfd = open(s->root, O_PATH | O_DIRECTORY);
		_exit(fn(s));
	}
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
}

static int tmpfs_through_symlink_checks(struct scratch *s)
{
	char link[PATH_MAX];
	at(link, s->root, "data");
	if (symlink("/../../../../tmp/keel-escape", link) < 0)
		return 1;
	char *opts[] = {"ro", "nosuid", "size=1m", "mode=700", NULL};
	struct oci_mount m = {
	    .destination = "/data", .type = "tmpfs", .source = "tmpfs", .options = {opts, 4}};
	struct linux_mount_ctx ctx = {.rootfd = s->rootfd};
	struct keel_error err = {0};
	if (linux_mount_one(&ctx, &m, &err) < 0) {
		fprintf(stderr, "# %s\n", err.msg);
		return 2;
	}
	/* the mount landed inside the root, at the symlink's target there */
	char inside[PATH_MAX];
	snprintf(inside, sizeof inside, "%s/tmp/keel-escape", s->root);
	struct statvfs sv;
	struct stat st;
	if (statvfs(inside, &sv) < 0 || !(sv.f_flag & ST_RDONLY) || !(sv.f_flag & ST_NOSUID))
		return 3;
	if (stat(inside, &st) < 0 || (st.st_mode & 07777) != 0700)
		return 4;
	if (access("/tmp/keel-escape", F_OK) == 0)
		return 5;
	return 0;
}

static void mount_tmpfs_through_symlink(void **state)
{
	assert_int_equal(in_mount_ns(tmpfs_through_symlink_checks, *state), 0);
}

static int bind_ro_and_mask_checks(struct scratch *s)
{
	char src[PATH_MAX], file[PATH_MAX];
	at(src, s->outside, "src");
	if (mkdir(src, 0755) < 0)
		return 1;
	at(file, src, "secret");
	make_file(file);
	char *opts[] = {"rbind", "ro", NULL};
	struct oci_mount m = {
	    .destination = "/mnt/in", .type = "bind", .source = src, .options = {opts, 2}};
	struct linux_mount_ctx ctx = {.rootfd = s->rootfd};
	struct keel_error err = {0};
	if (linux_mount_one(&ctx, &m, &err) < 0) {
		fprintf(stderr, "# %s\n", err.msg);
		return 2;
	}
	char target[PATH_MAX];
	at(target, s->root, "mnt/in/new");
	if (open(target, O_CREAT | O_WRONLY, 0644) >= 0 || errno != EROFS)
		return 3;
	/* maskedPaths: the file reads empty, a directory shows nothing */
	if (linux_mask_path(s->rootfd, "/mnt/in/secret", &err) < 0 ||
	    linux_mask_path(s->rootfd, "/absent", &err) < 0)
		return 4;
	at(target, s->root, "mnt/in/secret");
	struct stat st;
	if (stat(target, &st) < 0 || !S_ISCHR(st.st_mode))
		return 5;
	return 0;
}

static void mount_bind_ro_and_mask(void **state)
{
	assert_int_equal(in_mount_ns(bind_ro_and_mask_checks, *state), 0);
}

static int bad_mounts_checks(struct scratch *s)
{
	struct linux_mount_ctx ctx = {.rootfd = s->rootfd};
	struct keel_error err = {0};
	struct oci_mount missing = {.destination = "/x", .type = "bind", .source = "/nonexistent"};
	if (linux_mount_one(&ctx, &missing, &err) == 0 || !strstr(err.msg, "/nonexistent"))
		return 1;
	struct oci_mount untyped = {.destination = "/y"};
	if (linux_mount_one(&ctx, &untyped, &err) == 0 || !strstr(err.msg, "type"))
		return 2;
	struct oci_mount bogus = {.destination = "/z", .type = "nosuchfs", .source = "x"};
	if (linux_mount_one(&ctx, &bogus, &err) == 0)
		return 3;
	return 0;
}

static void mount_errors(void **state)
{
	assert_int_equal(in_mount_ns(bad_mounts_checks, *state), 0);
}

/* preserve-fds: only the caller's fds in 3..2+N survive exec. keel's own
 * (close-on-exec) fds that land in a hole of the range must not: the old
 * code cleared their flag and the container got the sync socket and an fd
 * on the host's /proc/<pid>/fd (CVE-2024-21626 class). */
static int preserve_checks(void)
{
	int null = open("/dev/null", O_RDONLY);
	if (null < 0)
		return 1;
	/* fd 4: the caller's; fd 5: keel's, in a hole; fd 3 a hole; fd 20
	 * the caller's too, beyond the range */
	if (dup2(null, 4) != 4 || dup3(null, 5, O_CLOEXEC) != 5 || dup2(null, 20) != 20)
		return 2;
	close(null);
	close(3);
	struct keel_error err = {0};
	if (linux_fds_prepare_exec(4, &err) < 0)
		return 3;
	if (fcntl(3, F_GETFD) >= 0)
		return 4;
	if (fcntl(4, F_GETFD) != 0)
		return 5; /* preserved */
	if (!(fcntl(5, F_GETFD) & FD_CLOEXEC))
		return 6; /* keel's fd leaked into the container */
	if (!(fcntl(20, F_GETFD) & FD_CLOEXEC))
		return 7;
	return 0;
}

static void preserve_fds_keep_only_callers(void **state)
{
	(void)state;
	pid_t pid = fork();
	if (pid == 0)
		_exit(preserve_checks());
	int status;
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(absolute_symlink_stays_in_root, scratch_setup,
					    scratch_teardown),
	    cmocka_unit_test_setup_teardown(dotdot_symlink_stays_in_root, scratch_setup,
					    scratch_teardown),
	    cmocka_unit_test_setup_teardown(magic_link_is_refused, scratch_setup, scratch_teardown),
	    cmocka_unit_test_setup_teardown(file_in_place_of_directory_fails, scratch_setup,
					    scratch_teardown),
	    cmocka_unit_test_setup_teardown(existing_file_target_is_reused, scratch_setup,
					    scratch_teardown),
	    cmocka_unit_test(split_path_cases),
	    cmocka_unit_test(mount_options_flags_and_data),
	    cmocka_unit_test(mount_options_later_wins),
	    cmocka_unit_test(mount_options_bind_and_propagation),
	    cmocka_unit_test(mount_options_devpts),
	    cmocka_unit_test(mount_options_rejects_empty_and_huge),
	    cmocka_unit_test(signal_names),
	    cmocka_unit_test(cgroup_mountinfo_hierarchies),
	    cmocka_unit_test(cgroup_own_path_per_hierarchy),
	    cmocka_unit_test(cgroup_inner_paths),
	    cmocka_unit_test(cgroup_systemd_paths),
	    cmocka_unit_test(cgroup_layout_from_magic),
	    cmocka_unit_test_setup_teardown(cgroup_layout_detect_on_directories, scratch_setup,
					    scratch_teardown),
	    cmocka_unit_test(sysctl_paths),
	    cmocka_unit_test_setup_teardown(find_executable_in_path, scratch_setup,
					    scratch_teardown),
	    cmocka_unit_test_setup_teardown(hook_gets_state_on_stdin, scratch_setup,
					    scratch_teardown),
	    cmocka_unit_test(hook_failures_name_the_hook),
	    cmocka_unit_test(fd_passes_over_a_socket),
	    cmocka_unit_test_setup_teardown(mount_tmpfs_through_symlink, scratch_setup,
					    scratch_teardown),
	    cmocka_unit_test_setup_teardown(mount_bind_ro_and_mask, scratch_setup,
					    scratch_teardown),
	    cmocka_unit_test_setup_teardown(mount_errors, scratch_setup, scratch_teardown),
	    cmocka_unit_test(preserve_fds_keep_only_callers),
	};
	return cmocka_run_group_tests_name("linux", tests, NULL, NULL);
}
