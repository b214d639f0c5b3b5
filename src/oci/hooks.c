/* config.json "hooks": parsing, release and deep copy (the state file keeps
 * the hooks that run after create). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "oci/parse.h"

static int parse_hook(struct parse_ctx *c, const json_t *v, const struct json_path *p, void *out_)
{
	struct oci_hook *out = out_;
	if (value_object(c, v, p) < 0 || parse_require(c, v, p, "path") < 0 ||
	    get_abs_path(c, v, p, "path", &out->path) < 0 ||
	    get_strings(c, v, p, "args", &out->args) < 0 ||
	    get_strings(c, v, p, "env", &out->env) < 0 ||
	    get_int32(c, v, p, "timeout", &out->has_timeout, &out->timeout) < 0)
		return -1;
	if (out->has_timeout && out->timeout <= 0)
		return parse_error(c, PATH_KEY(p, "timeout"), "must be greater than zero");
	/* the runner waits timeout * 1000 ms in an int: past that it overflowed
	 * (a 4294968 s timeout fired after 0.7 s) */
	if (out->has_timeout && out->timeout > OCI_HOOK_TIMEOUT_MAX)
		return parse_error(c, PATH_KEY(p, "timeout"), "out of range (max %d seconds)",
				   OCI_HOOK_TIMEOUT_MAX);
	return 0;
}

static int parse_hook_list(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
			   const char *key, struct oci_hook_list *out)
{
	return get_items(c, obj, p, key, sizeof *out->items, parse_hook, (void **)&out->items,
			 &out->len);
}

int parse_hooks(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
		struct oci_hooks *out)
{
	if (value_object(c, obj, p) < 0 ||
	    parse_hook_list(c, obj, p, "prestart", &out->prestart) < 0 ||
	    parse_hook_list(c, obj, p, "createRuntime", &out->create_runtime) < 0 ||
	    parse_hook_list(c, obj, p, "createContainer", &out->create_container) < 0 ||
	    parse_hook_list(c, obj, p, "startContainer", &out->start_container) < 0 ||
	    parse_hook_list(c, obj, p, "poststart", &out->poststart) < 0 ||
	    parse_hook_list(c, obj, p, "poststop", &out->poststop) < 0)
		return -1;
	return 0;
}

static void hook_list_clear(struct oci_hook_list *list)
{
	for (size_t i = 0; i < list->len; i++) {
		free(list->items[i].path);
		oci_strings_clear(&list->items[i].args);
		oci_strings_clear(&list->items[i].env);
	}
	free(list->items);
	list->items = NULL;
	list->len = 0;
}

void oci_hooks_clear(struct oci_hooks *hooks)
{
	hook_list_clear(&hooks->prestart);
	hook_list_clear(&hooks->create_runtime);
	hook_list_clear(&hooks->create_container);
	hook_list_clear(&hooks->start_container);
	hook_list_clear(&hooks->poststart);
	hook_list_clear(&hooks->poststop);
}

static int strings_copy(struct oci_strings *dst, const struct oci_strings *src)
{
	if (!src->items)
		return 0;
	dst->items = calloc(src->len + 1, sizeof *dst->items);
	if (!dst->items)
		return -1;
	for (size_t i = 0; i < src->len; i++) {
		dst->items[i] = strdup(src->items[i]);
		if (!dst->items[i])
			return -1;
		dst->len++;
	}
	return 0;
}

static int hook_list_copy(struct oci_hook_list *dst, const struct oci_hook_list *src)
{
	if (!src->len)
		return 0;
	dst->items = calloc(src->len, sizeof *dst->items);
	if (!dst->items)
		return -1;
	for (size_t i = 0; i < src->len; i++) {
		const struct oci_hook *s = &src->items[i];
		struct oci_hook *d = &dst->items[dst->len++];
		d->has_timeout = s->has_timeout;
		d->timeout = s->timeout;
		d->path = s->path ? strdup(s->path) : NULL;
		if ((s->path && !d->path) || strings_copy(&d->args, &s->args) < 0 ||
		    strings_copy(&d->env, &s->env) < 0)
			return -1;
	}
	return 0;
}

int oci_hooks_copy(struct oci_hooks *dst, const struct oci_hooks *src, struct keel_error *err)
{
	memset(dst, 0, sizeof *dst);
	if (hook_list_copy(&dst->prestart, &src->prestart) < 0 ||
	    hook_list_copy(&dst->create_runtime, &src->create_runtime) < 0 ||
	    hook_list_copy(&dst->create_container, &src->create_container) < 0 ||
	    hook_list_copy(&dst->start_container, &src->start_container) < 0 ||
	    hook_list_copy(&dst->poststart, &src->poststart) < 0 ||
	    hook_list_copy(&dst->poststop, &src->poststop) < 0) {
		oci_hooks_clear(dst);
		return keel_error_set(err, ENOMEM, "copy hooks");
	}
	return 0;
}
