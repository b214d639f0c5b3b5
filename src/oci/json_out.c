/* Building JSON output with jansson (see json_out.h). */
#include "oci/json_out.h"

#include <stdlib.h>
#include <string.h>

int out_take(json_t *obj, const char *key, json_t *value)
{
	if (!value)
		return -1;
	return json_object_set_new(obj, key, value);
}

int out_string(json_t *obj, const char *key, const char *value)
{
	return value ? out_take(obj, key, json_string(value)) : 0;
}

int out_int(json_t *obj, const char *key, json_int_t value)
{
	return out_take(obj, key, json_integer(value));
}

int out_bool(json_t *obj, const char *key, bool value)
{
	return out_take(obj, key, json_boolean(value));
}

json_t *out_string_list(const char *const *items, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++) {
		if (json_array_append_new(arr, json_string(items[i])) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

json_t *out_strings(const struct oci_strings *s)
{
	return out_string_list((const char *const *)s->items, s->len);
}

json_t *out_map(const struct oci_map *m)
{
	json_t *obj = json_object();
	for (size_t i = 0; obj && i < m->len; i++) {
		if (out_string(obj, m->keys[i], m->values[i]) < 0) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

static json_t *out_hook(const struct oci_hook *h)
{
	json_t *o = json_object();
	if (!o || out_string(o, "path", h->path) < 0 ||
	    (h->args.items && out_take(o, "args", out_strings(&h->args)) < 0) ||
	    (h->env.items && out_take(o, "env", out_strings(&h->env)) < 0) ||
	    (h->has_timeout && out_int(o, "timeout", h->timeout) < 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int out_hook_list(json_t *obj, const char *key, const struct oci_hook_list *list)
{
	if (!list->len)
		return 0;
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < list->len; i++) {
		if (json_array_append_new(arr, out_hook(&list->items[i])) < 0) {
			json_decref(arr);
			return -1;
		}
	}
	return out_take(obj, key, arr);
}

json_t *out_hooks(const struct oci_hooks *hooks)
{
	json_t *o = json_object();
	if (!o || out_hook_list(o, "prestart", &hooks->prestart) < 0 ||
	    out_hook_list(o, "createRuntime", &hooks->create_runtime) < 0 ||
	    out_hook_list(o, "createContainer", &hooks->create_container) < 0 ||
	    out_hook_list(o, "startContainer", &hooks->start_container) < 0 ||
	    out_hook_list(o, "poststart", &hooks->poststart) < 0 ||
	    out_hook_list(o, "poststop", &hooks->poststop) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* JSON text never holds a raw newline inside a string, so every line's
 * leading spaces are indentation and can be rewritten safely. */
static char *spaces_to_tabs(char *text, int indent)
{
	char *out = malloc(strlen(text) + 1);
	if (!out)
		return NULL;
	char *w = out;
	bool line_start = true;
	for (const char *r = text; *r;) {
		if (line_start) {
			size_t n = strspn(r, " ");
			for (size_t i = 0; i < n / (size_t)indent; i++)
				*w++ = '\t';
			r += n - n % (size_t)indent;
			line_start = false;
			continue;
		}
		line_start = *r == '\n';
		*w++ = *r++;
	}
	*w = '\0';
	return out;
}

char *out_dump(const json_t *doc, int indent, bool use_tabs)
{
	char *text = json_dumps(doc, JSON_INDENT(indent) | JSON_PRESERVE_ORDER);
	if (!text)
		return NULL;
	if (use_tabs) {
		char *tabbed = spaces_to_tabs(text, indent);
		free(text);
		text = tabbed;
	}
	if (!text)
		return NULL;
	size_t len = strlen(text);
	char *with_newline = realloc(text, len + 2);
	if (!with_newline) {
		free(text);
		return NULL;
	}
	memcpy(with_newline + len, "\n", 2);
	return with_newline;
}
