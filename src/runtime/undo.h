/* A cleanup stack for the create path: every step that changes the host
 * (state directory, cgroups, child process) registers how to undo it; a
 * failure runs the stack backwards so that nothing is left behind. */
#ifndef KEEL_RUNTIME_UNDO_H
#define KEEL_RUNTIME_UNDO_H

#include <stddef.h>

#define UNDO_MAX 16

typedef void (*undo_fn)(void *ctx);

struct undo_stack {
	size_t len;
	struct {
		undo_fn fn;
		void *ctx;
	} steps[UNDO_MAX];
};

/* Registers fn(ctx). The stack is small and fixed: pushing past UNDO_MAX is
 * a programming error and aborts. */
void undo_push(struct undo_stack *stack, undo_fn fn, void *ctx);

/* Runs every step, last registered first, and empties the stack. */
void undo_run(struct undo_stack *stack);

/* Forgets every step (the operation succeeded). */
void undo_clear(struct undo_stack *stack);

#endif
