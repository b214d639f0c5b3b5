/* `keel state` and `keel list`. */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "runtime/args.h"
#include "runtime/commands.h"
#include "runtime/container.h"

int cmd_state(struct global_opts *g, int argc, char **argv, struct keel_error *err)
{
	struct arg_option options[] = {{0}};
	const char *id;
	int i = 1;
	snprintf(g->context, sizeof g->context, "state");
	if (args_parse(argc, argv, &i, options, err) < 0 ||
	    command_single_id(g, argc, argv, i, &id, err) < 0)
		return 1;
	struct oci_state *state = NULL;
	cleanup_close int lock = container_open(g->root, id, LOCK_SH, &state, err);
	if (lock < 0)
		return 1;
	container_refresh_status(g->root, state);
	cleanup_free char *text = oci_state_spec_json(state);
	oci_state_free(state);
	if (!text)
		return keel_error_set(err, ENOMEM, "state"), 1;
	fputs(text, stdout);
	if (text[0] && text[strlen(text) - 1] != '\n')
		fputc('\n', stdout);
	return 0;
}

struct listed {
	struct oci_state **items;
	size_t len;
};

static int by_id(const void *a, const void *b)
{
	return strcmp((*(struct oci_state *const *)a)->id, (*(struct oci_state *const *)b)->id);
}

static void collect(const char *root, struct listed *out)
{
	DIR *d = opendir(root);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		char dir[PATH_MAX];
		struct oci_state *s = NULL;
		if (e->d_name[0] == '.' || container_dir_path(root, e->d_name, dir, NULL) < 0 ||
		    oci_state_read(dir, &s, NULL) < 0)
			continue;
		if (strcmp(s->id, e->d_name) != 0) { /* not this directory's state */
			oci_state_free(s);
			continue;
		}
		container_refresh_status(root, s);
		struct oci_state **more = realloc(out->items, (out->len + 1) * sizeof *more);
		if (!more) {
			oci_state_free(s);
			break;
		}
		out->items = more;
		out->items[out->len++] = s;
	}
	closedir(d);
	if (out->len)
		qsort(out->items, out->len, sizeof *out->items, by_id);
}

/* bundle, created and owner are optional in a state file (keel writes
 * them all, but the file is read as untrusted) */
static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* runc's text/tabwriter table: cells padded to the widest + 3, at least 12. */
static void print_table(const struct listed *l)
{
	const char *head[6] = {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"};
	size_t width[5];
	for (int c = 0; c < 5; c++)
		width[c] = strlen(head[c]);
	char pid[32];
	for (size_t i = 0; i < l->len; i++) {
		const struct oci_state *s = l->items[i];
		int pn = s->status == OCI_STATUS_STOPPED ? 0 : s->pid;
		const char *cells[5] = {s->id, pid, oci_status_name(s->status), or_empty(s->bundle),
					or_empty(s->created)};
		snprintf(pid, sizeof pid, "%d", pn);
		for (int c = 0; c < 5; c++)
			if (strlen(cells[c]) > width[c])
				width[c] = strlen(cells[c]);
	}
	for (int c = 0; c < 5; c++)
		width[c] = width[c] + 3 < 12 ? 12 : width[c] + 3;
	for (int c = 0; c < 5; c++)
		printf("%-*s", (int)width[c], head[c]);
	printf("%s\n", head[5]);
	for (size_t i = 0; i < l->len; i++) {
		const struct oci_state *s = l->items[i];
		snprintf(pid, sizeof pid, "%d", s->status == OCI_STATUS_STOPPED ? 0 : s->pid);
		const char *cells[6] = {s->id,
					pid,
					oci_status_name(s->status),
					or_empty(s->bundle),
					or_empty(s->created),
					or_empty(s->owner)};
		for (int c = 0; c < 5; c++)
			printf("%-*s", (int)width[c], cells[c]);
		printf("%s\n", cells[5]);
	}
}

static int print_json(const struct listed *l)
{
	if (l->len == 0) {
		printf("null\n"); /* what runc prints for no containers */
		return 0;
	}
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < l->len; i++) {
		cleanup_free char *text = oci_state_spec_json_compact(l->items[i]);
		json_t *o = text ? json_loads(text, 0, NULL) : NULL;
		if (o)
			json_array_append_new(arr, o);
	}
	char *text = arr ? json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(arr);
	if (!text)
		return -1;
	printf("%s\n", text);
	free(text);
	return 0;
}

int cmd_list(struct global_opts *g, int argc, char **argv, struct keel_error *err)
{
	const char *format = "table";
	bool quiet = false;
	struct arg_option options[] = {
	    {"format", "f", ARG_STRING, &format},
	    {"quiet", "q", ARG_BOOL, &quiet},
	    {0},
	};
	int i = 1;
	snprintf(g->context, sizeof g->context, "list");
	if (args_parse(argc, argv, &i, options, err) < 0)
		return 1;
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		return keel_error_set(err, 0, "invalid format option"), 1;
	struct listed l = {0};
	collect(g->root, &l);
	int rc = 0;
	if (quiet) {
		for (size_t k = 0; k < l.len; k++)
			printf("%s\n", l.items[k]->id);
	} else if (strcmp(format, "json") == 0) {
		rc = print_json(&l) < 0 ? 1 : 0;
	} else {
		print_table(&l);
	}
	for (size_t k = 0; k < l.len; k++)
		oci_state_free(l.items[k]);
	free(l.items);
	return rc;
}
