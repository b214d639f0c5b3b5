/* Helpers shared by the subcommands. */
#include <stdio.h>

#include "runtime/commands.h"

int command_single_id(struct global_opts *g, int argc, char **argv, int index, const char **id,
		      struct keel_error *err)
{
	if (argc - index != 1)
		return keel_error_set(err, 0, "\"%s\" requires exactly 1 argument(s)", argv[0]);
	*id = argv[index];
	snprintf(g->context, sizeof g->context, "%s %s", argv[0], *id);
	return 0;
}
