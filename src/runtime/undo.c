#include "runtime/undo.h"

#include <stdlib.h>

void undo_push(struct undo_stack *stack, undo_fn fn, void *ctx)
{
	if (stack->len == UNDO_MAX)
		abort();
	stack->steps[stack->len].fn = fn;
	stack->steps[stack->len].ctx = ctx;
	stack->len++;
}

void undo_run(struct undo_stack *stack)
{
	while (stack->len > 0) {
		stack->len--;
		stack->steps[stack->len].fn(stack->steps[stack->len].ctx);
	}
}

void undo_clear(struct undo_stack *stack)
{
	stack->len = 0;
}
