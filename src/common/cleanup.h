/* Scope-bound release of resources (GCC's cleanup attribute), so that every
 * early return on an error path frees and closes what it holds. */
#ifndef KEEL_COMMON_CLEANUP_H
#define KEEL_COMMON_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void keel_freep(void *p)
{
	free(*(void **)p);
}

static inline void keel_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void keel_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

static inline void keel_closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

#define cleanup_free	 __attribute__((cleanup(keel_freep)))
#define cleanup_close	 __attribute__((cleanup(keel_closep)))
#define cleanup_fclose	 __attribute__((cleanup(keel_fclosep)))
#define cleanup_closedir __attribute__((cleanup(keel_closedirp)))

/* Hands ownership out of a cleanup variable: returns the value, resets it. */
#define steal_pointer(pp)                                                                          \
	({                                                                                         \
		__typeof__(*(pp)) _v = *(pp);                                                      \
		*(pp) = NULL;                                                                      \
		_v;                                                                                \
	})
#define steal_fd(fdp)                                                                              \
	({                                                                                         \
		int _fd = *(fdp);                                                                  \
		*(fdp) = -1;                                                                       \
		_fd;                                                                               \
	})

#endif
