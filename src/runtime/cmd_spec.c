/* `keel spec` and `keel features`: documents src/oci writes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "oci/spec.h"
#include "runtime/args.h"
#include "runtime/commands.h"

int cmd_spec(struct global_opts *g, int argc, char **argv, struct keel_error *err)
{
	const char *bundle = NULL;
	bool rootless = false;
	struct arg_option options[] = {
	    {"bundle", "b", ARG_STRING, &bundle},
	    {"rootless", NULL, ARG_BOOL, &rootless},
	    {0},
	};
	int i = 1;
	snprintf(g->context, sizeof g->context, "spec");
	if (args_parse(argc, argv, &i, options, err) < 0)
		return 1;
	if (i < argc)
		return keel_error_set(err, 0, "\"spec\" requires exactly 0 arguments"), 1;
	cleanup_free char *text = oci_spec_default_json(rootless, getuid(), getgid());
	if (!text)
		return keel_error_set(err, ENOMEM, "spec"), 1;
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/config.json", bundle ? bundle : ".");
	cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		if (errno == EEXIST)
			return keel_error_set(err, 0, "File config.json exists. Remove it first."),
			       1;
		return keel_error_errno(err, "%s", path), 1;
	}
	size_t len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len)
		return keel_error_errno(err, "write %s", path), 1;
	return 0;
}

int cmd_features(struct global_opts *g, int argc, char **argv, struct keel_error *err)
{
	snprintf(g->context, sizeof g->context, "features");
	cleanup_free char *text = oci_features_json();
	if (!text)
		return keel_error_set(err, ENOMEM, "features"), 1;
	fputs(text, stdout);
	if (text[0] && text[strlen(text) - 1] != '\n')
		fputc('\n', stdout);
	return 0;
}
