#include "runtime/args.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct arg_option *find_option(const struct arg_option *options, const char *name,
					    size_t len)
{
	for (const struct arg_option *o = options; o->name; o++) {
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
		if (o->alias && strlen(o->alias) == len && strncmp(o->alias, name, len) == 0)
			return o;
	}
	return NULL;
}

static int parse_bool(const char *text, bool *out)
{
	if (strcmp(text, "true") == 0 || strcmp(text, "1") == 0 || strcmp(text, "t") == 0 ||
	    strcmp(text, "TRUE") == 0 || strcmp(text, "True") == 0) {
		*out = true;
		return 0;
	}
	if (strcmp(text, "false") == 0 || strcmp(text, "0") == 0 || strcmp(text, "f") == 0 ||
	    strcmp(text, "FALSE") == 0 || strcmp(text, "False") == 0) {
		*out = false;
		return 0;
	}
	return -1;
}

static int store_value(const struct arg_option *o, const char *text, struct keel_error *err)
{
	switch (o->kind) {
	case ARG_BOOL:
		if (parse_bool(text, o->value) < 0)
			return keel_error_set(err, 0, "invalid boolean value \"%s\" for -%s", text,
					      o->name);
		return 0;
	case ARG_STRING:
		*(const char **)o->value = text;
		return 0;
	case ARG_UINT: {
		char *end;
		errno = 0;
		unsigned long v = strtoul(text, &end, 10);
		if (!*text || *end || errno || v > 0x7fffffffUL || text[0] == '-')
			return keel_error_set(err, 0, "invalid value \"%s\" for flag -%s", text,
					      o->name);
		*(unsigned int *)o->value = (unsigned int)v;
		return 0;
	}
	}
	return -1;
}

int args_parse(int argc, char **argv, int *index, const struct arg_option *options,
	       struct keel_error *err)
{
	int i = *index;
	while (i < argc) {
		const char *arg = argv[i];
		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (arg[0] != '-' || arg[1] == '\0')
			break;
		const char *name = arg + (arg[1] == '-' ? 2 : 1);
		const char *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		const struct arg_option *o = find_option(options, name, len);
		if (!o) {
			*index = i;
			return keel_error_set(err, 0, "flag provided but not defined: -%.*s",
					      (int)len, name);
		}
		i++;
		const char *value;
		if (eq) {
			value = eq + 1;
		} else if (o->kind == ARG_BOOL) {
			value = "true";
		} else {
			if (i >= argc) {
				*index = i;
				return keel_error_set(err, 0, "flag needs an argument: -%s",
						      o->name);
			}
			value = argv[i++];
		}
		if (store_value(o, value, err) < 0) {
			*index = i;
			return -1;
		}
	}
	*index = i;
	return 0;
}
