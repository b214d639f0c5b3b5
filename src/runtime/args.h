/* Command line parsing in runc's style (urfave/cli): "--flag value",
 * "--flag=value", "-flag value" (one dash works for long names too), short
 * aliases ("-b"), booleans as "--detach" or "--detach=true". Parsing stops
 * at the first argument that is not an option, or after "--". */
#ifndef KEEL_RUNTIME_ARGS_H
#define KEEL_RUNTIME_ARGS_H

#include <stdbool.h>

#include "common/error.h"

enum arg_kind { ARG_BOOL, ARG_STRING, ARG_UINT };

struct arg_option {
	const char *name;  /* "bundle" */
	const char *alias; /* "b", or NULL */
	enum arg_kind kind;
	void *value; /* bool *, const char **, unsigned int * */
};

/* Parses options of argv[*index..argc) into the table (terminated by a
 * zeroed entry) and leaves *index at the first non-option argument.
 * Unknown options and missing values fail with "flag provided but not
 * defined: -x" (runc's wording). */
int args_parse(int argc, char **argv, int *index, const struct arg_option *options,
	       struct keel_error *err);

#endif
