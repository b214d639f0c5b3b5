/* Compiled filters, cached by profile.
 *
 * libseccomp 2.5 needs tens of milliseconds to compile podman's default
 * profile for x86_64 + x86 + x32 (most of a container start); containers
 * started by one engine share a handful of profiles. So a compiled program
 * is kept in a file named after a hash of everything the compilation
 * depends on (the profile, libseccomp's version, the kernel release), and
 * the file repeats that key in full: a hit needs the key to match byte for
 * byte, so a hash collision can only cost a compilation, never give a
 * container another profile's filter. Files are trusted only in a directory
 * of the caller's own, not writable by others (as the state directory).
 *
 * File layout (native byte order; the cache is per host):
 *   "KEELBPF2" | u32 flags | u32 notify | u64 rules | u64 skipped |
 *   u32 key_len | key | u32 insn count | insns | u64 sum
 * where sum is FNV-1a over all but the key (which is compared in full): a
 * file damaged anywhere is a miss, and is written anew. */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "linux/seccomp_filter.h"

#define CACHE_MAGIC    "KEELBPF2"
#define MAX_CACHE_FILE (1u << 20)

/* ---- the key ------------------------------------------------------- */

struct key {
	char *text;
	size_t len, cap;
	bool failed;
};

/* Room for need more bytes (and a NUL); false, marking the key failed,
 * when memory runs out. */
static bool key_reserve(struct key *k, size_t need)
{
	if (k->failed)
		return false;
	if (k->cap - k->len > need)
		return true;
	size_t cap = (k->cap + need + 1) * 2;
	char *more = realloc(k->text, cap);
	if (!more) {
		k->failed = true;
		return false;
	}
	k->text = more;
	k->cap = cap;
	return true;
}

static void key_add(struct key *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void key_add(struct key *k, const char *fmt, ...)
{
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int n = k->failed ? 0 : vsnprintf(k->text + k->len, k->cap - k->len, fmt, ap);
		va_end(ap);
		if (k->failed || n < 0) {
			k->failed = true;
			return;
		}
		if ((size_t)n < k->cap - k->len) {
			k->len += (size_t)n;
			return;
		}
		if (!key_reserve(k, (size_t)n))
			return;
	}
}

/* "<length>:<s>\n" without printf: a profile has hundreds of names. */
static void key_name(struct key *k, const char *s)
{
	size_t n = strlen(s);
	char digits[24], *d = digits + sizeof digits;
	size_t len = n;
	do
		*--d = (char)('0' + len % 10);
	while (len /= 10);
	size_t dn = (size_t)(digits + sizeof digits - d);
	if (!key_reserve(k, dn + n + 2))
		return;
	char *out = k->text + k->len;
	memcpy(out, d, dn);
	out[dn] = ':';
	memcpy(out + dn + 1, s, n);
	out[dn + 1 + n] = '\n';
	k->len += dn + n + 2;
}

/* Strings carry their length, so that no name can imitate the framing. */
static void key_strings(struct key *k, const char *what, const struct oci_strings *list)
{
	key_add(k, "%s %zu\n", what, list->len);
	for (size_t i = 0; i < list->len; i++)
		key_name(k, list->items[i]);
}

static void key_syscall(struct key *k, const struct oci_seccomp_syscall *sc)
{
	key_add(k, "syscall %d %d %u\n", (int)sc->action, sc->has_errno_ret, sc->errno_ret);
	key_strings(k, "names", &sc->names);
	key_add(k, "args %zu\n", sc->args_len);
	for (size_t j = 0; j < sc->args_len; j++) {
		const struct oci_seccomp_arg *a = &sc->args[j];
		key_add(k, "%u %d %llu %d %llu\n", a->index, (int)a->op,
			(unsigned long long)a->value, a->has_value_two,
			(unsigned long long)a->value_two);
	}
}

/* Everything linux_seccomp_compile() reads, and what it depends on: the
 * kernel's features (libseccomp's API level, the flags and actions it
 * has) come with its release; the rewrite (seccomp_bpf.c) with the magic
 * of the file. seccomp_api_get() is not called here: it probes the kernel
 * with nine syscalls at every container start. */
static char *make_key(const struct oci_seccomp *c, size_t *len)
{
	struct key k = {.cap = 16384};
	const struct scmp_version *v = seccomp_version();
	struct utsname u;
	if (uname(&u) < 0 || !(k.text = malloc(k.cap)))
		return NULL;
	key_add(&k, "libseccomp %u.%u.%u arch %u kernel %s %s\n", v->major, v->minor, v->micro,
		seccomp_arch_native(), u.release, u.version);
	key_add(&k, "default %d %d %u listener %d\n", (int)c->default_action,
		c->has_default_errno_ret, c->default_errno_ret,
		c->listener_path && *c->listener_path);
	key_strings(&k, "architectures", &c->architectures);
	key_strings(&k, "flags", &c->flags);
	key_add(&k, "syscalls %zu\n", c->syscalls_len);
	for (size_t i = 0; i < c->syscalls_len; i++)
		key_syscall(&k, &c->syscalls[i]);
	if (k.failed) {
		free(k.text);
		return NULL;
	}
	*len = k.len;
	return k.text;
}

#define FNV_OFFSET 0xcbf29ce484222325ULL

/* FNV-1a, 64 bits: a file name and a check against damage, not a proof
 * (the key is compared). */
static uint64_t fnv(uint64_t h, const void *p, size_t len)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < len; i++)
		h = (h ^ s[i]) * 0x100000001b3ULL;
	return h;
}

static unsigned long long hash(const char *s, size_t len)
{
	return fnv(FNV_OFFSET, s, len);
}

#define HEADER_LEN (8 + 4 + 4 + 8 + 8 + 4) /* up to key_len */

/* ---- reading --------------------------------------------------------- */

struct reader {
	const char *p, *end;
};

static bool take(struct reader *r, void *out, size_t n)
{
	if ((size_t)(r->end - r->p) < n)
		return false;
	memcpy(out, r->p, n);
	r->p += n;
	return true;
}

static bool parse_entry(const char *buf, size_t size, const char *key, size_t key_len,
			struct linux_seccomp *out)
{
	struct reader r = {buf, buf + size};
	char magic[8];
	uint32_t flags, notify, klen, n;
	uint64_t rules, skipped;
	if (!take(&r, magic, sizeof magic) || memcmp(magic, CACHE_MAGIC, sizeof magic) != 0 ||
	    !take(&r, &flags, 4) || !take(&r, &notify, 4) || !take(&r, &rules, 8) ||
	    !take(&r, &skipped, 8) || !take(&r, &klen, 4) || klen != key_len ||
	    (size_t)(r.end - r.p) < key_len || memcmp(r.p, key, key_len) != 0)
		return false;
	r.p += key_len;
	const char *body = r.p;
	uint64_t sum;
	if (!take(&r, &n, 4) || n == 0 || n > BPF_MAXINSNS ||
	    (size_t)(r.end - r.p) != n * sizeof(struct sock_filter) + sizeof sum)
		return false;
	memcpy(&sum, r.end - sizeof sum, sizeof sum);
	if (fnv(fnv(FNV_OFFSET, buf, HEADER_LEN), body, (size_t)(r.end - body) - sizeof sum) != sum)
		return false;
	out->insns = malloc(n * sizeof(struct sock_filter));
	if (!out->insns)
		return false;
	memcpy(out->insns, r.p, n * sizeof(struct sock_filter));
	out->len = (unsigned short)n;
	out->flags = flags;
	out->notify = notify != 0;
	out->rules = rules;
	out->skipped = skipped;
	return true;
}

/* A file of ours that nobody else can have written. */
static bool trusted(int fd, struct stat *st)
{
	return fstat(fd, st) == 0 && S_ISREG(st->st_mode) && st->st_uid == geteuid() &&
	       !(st->st_mode & (S_IWGRP | S_IWOTH)) && st->st_size > 0 &&
	       st->st_size <= MAX_CACHE_FILE;
}

static bool cache_lookup(int dirfd, const char *name, const char *key, size_t key_len,
			 struct linux_seccomp *out)
{
	cleanup_close int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || !trusted(fd, &st))
		return false;
	cleanup_free char *buf = malloc((size_t)st.st_size);
	if (!buf || pread(fd, buf, (size_t)st.st_size, 0) != st.st_size)
		return false;
	return parse_entry(buf, (size_t)st.st_size, key, key_len, out);
}

/* ---- writing --------------------------------------------------------- */

static bool write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n > 0) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		c += w;
		n -= (size_t)w;
	}
	return true;
}

static bool write_entry(int fd, const char *key, size_t key_len, const struct linux_seccomp *f)
{
	uint32_t flags = f->flags, notify = f->notify, klen = (uint32_t)key_len, n = f->len;
	uint64_t rules = f->rules, skipped = f->skipped;
	char header[HEADER_LEN];
	memcpy(header, CACHE_MAGIC, 8);
	memcpy(header + 8, &flags, 4);
	memcpy(header + 12, &notify, 4);
	memcpy(header + 16, &rules, 8);
	memcpy(header + 24, &skipped, 8);
	memcpy(header + 32, &klen, 4);
	uint64_t sum = fnv(fnv(fnv(FNV_OFFSET, header, sizeof header), &n, 4), f->insns,
			   n * sizeof(struct sock_filter));
	return write_all(fd, header, sizeof header) && write_all(fd, key, key_len) &&
	       write_all(fd, &n, 4) && write_all(fd, f->insns, n * sizeof(struct sock_filter)) &&
	       write_all(fd, &sum, sizeof sum);
}

/* Best effort: written under a temporary name, renamed into place, so a
 * reader sees a whole file or none. */
static void cache_store(int dirfd, const char *name, const char *key, size_t key_len,
			const struct linux_seccomp *f)
{
	char tmp[64];
	snprintf(tmp, sizeof tmp, ".%s.%d", name, (int)getpid());
	cleanup_close int fd =
	    openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (!write_entry(fd, key, key_len, f) || renameat(dirfd, tmp, dirfd, name) < 0) {
		unlinkat(dirfd, tmp, 0);
		log_debug("seccomp: could not cache the compiled filter");
	}
}

/* The cache directory, made if needed; -1 when it cannot be trusted. */
static int open_cache_dir(const char *dir)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -1;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd >= 0 &&
	    (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)))) {
		close(fd);
		return -1;
	}
	return fd;
}

int linux_seccomp_compile_cached(const char *cache_dir, const struct oci_seccomp *config,
				 struct linux_seccomp *out, struct keel_error *err)
{
	size_t key_len = 0;
	cleanup_free char *key = cache_dir ? make_key(config, &key_len) : NULL;
	cleanup_close int dirfd = key ? open_cache_dir(cache_dir) : -1;
	if (dirfd < 0)
		return linux_seccomp_compile(config, out, err);
	char name[32];
	snprintf(name, sizeof name, "%016llx.bpf", hash(key, key_len));
	memset(out, 0, sizeof *out);
	if (cache_lookup(dirfd, name, key, key_len, out))
		return 0;
	linux_seccomp_release(out);
	if (linux_seccomp_compile(config, out, err) < 0)
		return -1;
	cache_store(dirfd, name, key, key_len, out);
	return 0;
}
