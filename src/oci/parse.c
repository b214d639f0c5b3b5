/* Typed, path-aware getters over jansson (see parse.h). */
#include "oci/parse.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"

int parse_error(struct parse_ctx *c, const struct json_path *path, const char *fmt, ...)
{
	char what[512], where[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	json_path_format(path, where, sizeof where);
	int line = 0, column = 0;
	ssize_t off = json_pos_find(c->text, c->len, path);
	if (off >= 0)
		json_pos_line_col(c->text, c->len, (size_t)off, &line, &column);
	char pos[64] = "";
	if (off >= 0)
		snprintf(pos, sizeof pos, " (line %d, column %d)", line, column);
	return keel_error_set(c->err, 0, "%s: %s%s%s%s", c->name, where, *where ? ": " : "", what,
			      pos);
}

/* jansson refuses integers beyond int64; retry with those widened to reals
 * (same length, so positions hold) only when that is what went wrong. */
static json_t *load_widened(struct parse_ctx *c, json_error_t *jerr)
{
	cleanup_free char *copy = malloc(c->len ? c->len : 1);
	if (!copy)
		return NULL;
	memcpy(copy, c->text, c->len);
	if (json_pos_widen_big_integers(copy, c->len) == 0)
		return NULL; /* jerr still explains the failure */
	return json_loadb(copy, c->len, JSON_REJECT_DUPLICATES, jerr);
}

int parse_load(struct parse_ctx *c, json_t **root)
{
	json_error_t jerr;
	*root = json_loadb(c->text, c->len, JSON_REJECT_DUPLICATES, &jerr);
	if (!*root && json_error_code(&jerr) == json_error_numeric_overflow)
		*root = load_widened(c, &jerr);
	if (!*root)
		return keel_error_set(c->err, 0, "%s: %s (line %d, column %d)", c->name, jerr.text,
				      jerr.line, jerr.column);
	if (!json_is_object(*root)) {
		json_decref(*root);
		*root = NULL;
		return parse_error(c, NULL, "expected object");
	}
	return 0;
}

void *parse_calloc(struct parse_ctx *c, size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		keel_error_set(c->err, ENOMEM, "%s", c->name);
	return p;
}

int parse_items(struct parse_ctx *c, const json_t *arr, const struct json_path *p, size_t elem_size,
		parse_item_fn parse_item, void **items, size_t *len)
{
	size_t n = json_array_size(arr);
	char *base = parse_calloc(c, n, elem_size);
	if (!base)
		return -1;
	*items = base;
	for (size_t i = 0; i < n; i++) {
		(*len)++;
		if (parse_item(c, json_array_get(arr, i), PATH_IDX(p, i), base + i * elem_size) < 0)
			return -1;
	}
	return 0;
}

json_t *parse_member(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_null(v) ? NULL : v;
}

int parse_require(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
		  const char *key)
{
	if (parse_member(obj, key))
		return 0;
	return parse_error(c, PATH_KEY(p, key), "required");
}

/* ---- values ---- */

int value_string(struct parse_ctx *c, const json_t *v, const struct json_path *p, char **out)
{
	if (!json_is_string(v))
		return parse_error(c, p, "expected string");
	char *s = strdup(json_string_value(v));
	if (!s)
		return keel_error_set(c->err, ENOMEM, "%s", c->name);
	free(*out);
	*out = s;
	return 0;
}

int value_object(struct parse_ctx *c, const json_t *v, const struct json_path *p)
{
	return json_is_object(v) ? 0 : parse_error(c, p, "expected object");
}

int value_array(struct parse_ctx *c, const json_t *v, const struct json_path *p)
{
	return json_is_array(v) ? 0 : parse_error(c, p, "expected array");
}

/* Integers beyond int64 reach us as reals (json_pos_widen_big_integers);
 * their exact digits are still in the original text. Copies that literal
 * into buf; returns false when the value is not an integer literal. */
static bool original_integer(struct parse_ctx *c, const struct json_path *p, char *buf, size_t size)
{
	ssize_t off = json_pos_find(c->text, c->len, p);
	if (off < 0)
		return false;
	size_t n = 0;
	for (size_t i = (size_t)off; i < c->len && strchr("-0123456789", c->text[i]) && c->text[i];
	     i++) {
		if (n + 1 >= size)
			return false;
		buf[n++] = c->text[i];
	}
	buf[n] = '\0';
	size_t end = (size_t)off + n;
	return n > 0 && (end >= c->len || !strchr(".eE", c->text[end]) || !c->text[end]);
}

int value_int64(struct parse_ctx *c, const json_t *v, const struct json_path *p, int64_t *out)
{
	char digits[32];
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return 0;
	}
	if (json_is_real(v) && original_integer(c, p, digits, sizeof digits))
		return parse_error(c, p, "integer out of range");
	return parse_error(c, p, "expected integer");
}

int value_uint64(struct parse_ctx *c, const json_t *v, const struct json_path *p, uint64_t *out)
{
	char digits[32];
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if (i < 0)
			return parse_error(c, p, "expected non-negative integer");
		*out = (uint64_t)i;
		return 0;
	}
	if (!json_is_real(v) || !original_integer(c, p, digits, sizeof digits))
		return parse_error(c, p, "expected integer");
	if (digits[0] == '-')
		return parse_error(c, p, "expected non-negative integer");
	errno = 0;
	unsigned long long u = strtoull(digits, NULL, 10);
	if (errno == ERANGE)
		return parse_error(c, p, "integer out of range");
	*out = u;
	return 0;
}

int value_uint32(struct parse_ctx *c, const json_t *v, const struct json_path *p, uint32_t *out)
{
	uint64_t u;
	if (value_uint64(c, v, p, &u) < 0)
		return -1;
	if (u > UINT32_MAX)
		return parse_error(c, p, "integer out of range (max %u)", UINT32_MAX);
	*out = (uint32_t)u;
	return 0;
}

int value_int32(struct parse_ctx *c, const json_t *v, const struct json_path *p, int32_t *out)
{
	int64_t i;
	if (value_int64(c, v, p, &i) < 0)
		return -1;
	if (i < INT32_MIN || i > INT32_MAX)
		return parse_error(c, p, "integer out of range");
	*out = (int32_t)i;
	return 0;
}

/* ---- members ---- */

int get_string(struct parse_ctx *c, const json_t *obj, const struct json_path *p, const char *key,
	       char **out)
{
	json_t *v = parse_member(obj, key);
	return v ? value_string(c, v, PATH_KEY(p, key), out) : 0;
}

int get_abs_path(struct parse_ctx *c, const json_t *obj, const struct json_path *p, const char *key,
		 char **out)
{
	if (get_string(c, obj, p, key, out) < 0)
		return -1;
	if (*out && (*out)[0] != '/')
		return parse_error(c, PATH_KEY(p, key), "must be an absolute path");
	return 0;
}

int get_bool(struct parse_ctx *c, const json_t *obj, const struct json_path *p, const char *key,
	     bool *has, bool *out)
{
	json_t *v = parse_member(obj, key);
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return parse_error(c, PATH_KEY(p, key), "expected boolean");
	*out = json_is_true(v);
	if (has)
		*has = true;
	return 0;
}

#define DEFINE_NUMBER_GETTER(name, type, convert)                                                  \
	int name(struct parse_ctx *c, const json_t *obj, const struct json_path *p,                \
		 const char *key, bool *has, type *out)                                            \
	{                                                                                          \
		json_t *v = parse_member(obj, key);                                                \
		if (!v)                                                                            \
			return 0;                                                                  \
		if (convert(c, v, PATH_KEY(p, key), out) < 0)                                      \
			return -1;                                                                 \
		if (has)                                                                           \
			*has = true;                                                               \
		return 0;                                                                          \
	}

DEFINE_NUMBER_GETTER(get_int64, int64_t, value_int64)
DEFINE_NUMBER_GETTER(get_uint64, uint64_t, value_uint64)
DEFINE_NUMBER_GETTER(get_uint32, uint32_t, value_uint32)
DEFINE_NUMBER_GETTER(get_int32, int32_t, value_int32)

int get_uint16(struct parse_ctx *c, const json_t *obj, const struct json_path *p, const char *key,
	       bool *has, uint16_t *out)
{
	bool present = false;
	uint32_t u = 0;
	if (get_uint32(c, obj, p, key, &present, &u) < 0)
		return -1;
	if (!present)
		return 0;
	if (u > UINT16_MAX)
		return parse_error(c, PATH_KEY(p, key), "integer out of range (max %u)",
				   UINT16_MAX);
	*out = (uint16_t)u;
	if (has)
		*has = true;
	return 0;
}

int get_object(struct parse_ctx *c, const json_t *obj, const struct json_path *p, const char *key,
	       json_t **out)
{
	json_t *v = parse_member(obj, key);
	*out = NULL;
	if (v && value_object(c, v, PATH_KEY(p, key)) < 0)
		return -1;
	*out = v;
	return 0;
}

int get_array(struct parse_ctx *c, const json_t *obj, const struct json_path *p, const char *key,
	      json_t **out)
{
	json_t *v = parse_member(obj, key);
	*out = NULL;
	if (v && value_array(c, v, PATH_KEY(p, key)) < 0)
		return -1;
	*out = v;
	return 0;
}

int get_items(struct parse_ctx *c, const json_t *obj, const struct json_path *p, const char *key,
	      size_t elem_size, parse_item_fn parse_item, void **items, size_t *len)
{
	json_t *arr;
	if (get_array(c, obj, p, key, &arr) < 0)
		return -1;
	if (!arr)
		return 0;
	return parse_items(c, arr, PATH_KEY(p, key), elem_size, parse_item, items, len);
}

int get_strings(struct parse_ctx *c, const json_t *obj, const struct json_path *p, const char *key,
		struct oci_strings *out)
{
	json_t *arr;
	if (get_array(c, obj, p, key, &arr) < 0)
		return -1;
	if (!arr)
		return 0;
	const struct json_path *ap = PATH_KEY(p, key);
	size_t n = json_array_size(arr);
	oci_strings_clear(out);
	out->items = parse_calloc(c, n + 1, sizeof *out->items);
	if (!out->items)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (value_string(c, json_array_get(arr, i), PATH_IDX(ap, i), &out->items[i]) < 0)
			return -1;
		out->len++;
	}
	return 0;
}

int get_map(struct parse_ctx *c, const json_t *obj, const struct json_path *p, const char *key,
	    struct oci_map *out)
{
	json_t *m;
	if (get_object(c, obj, p, key, &m) < 0)
		return -1;
	if (!m)
		return 0;
	const struct json_path *mp = PATH_KEY(p, key);
	size_t n = json_object_size(m);
	oci_map_clear(out);
	out->keys = parse_calloc(c, n, sizeof *out->keys);
	out->values = parse_calloc(c, n, sizeof *out->values);
	if (!out->keys || !out->values)
		return -1;
	const char *k;
	json_t *v;
	json_object_foreach(m, k, v)
	{
		if (value_string(c, v, PATH_KEY(mp, k), &out->values[out->len]) < 0)
			return -1;
		out->keys[out->len] = strdup(k);
		if (!out->keys[out->len++])
			return keel_error_set(c->err, ENOMEM, "%s", c->name);
	}
	return 0;
}

static int parse_id_mapping(struct parse_ctx *c, const json_t *v, const struct json_path *p,
			    struct oci_id_mapping *out)
{
	if (value_object(c, v, p) < 0 || parse_require(c, v, p, "containerID") < 0 ||
	    parse_require(c, v, p, "hostID") < 0 || parse_require(c, v, p, "size") < 0)
		return -1;
	if (get_uint32(c, v, p, "containerID", NULL, &out->container_id) < 0 ||
	    get_uint32(c, v, p, "hostID", NULL, &out->host_id) < 0 ||
	    get_uint32(c, v, p, "size", NULL, &out->size) < 0)
		return -1;
	return 0;
}

int get_id_mappings(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
		    const char *key, struct oci_id_mappings *out)
{
	json_t *arr;
	if (get_array(c, obj, p, key, &arr) < 0)
		return -1;
	if (!arr)
		return 0;
	const struct json_path *ap = PATH_KEY(p, key);
	size_t n = json_array_size(arr);
	oci_id_mappings_clear(out);
	out->items = parse_calloc(c, n, sizeof *out->items);
	if (!out->items)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (parse_id_mapping(c, json_array_get(arr, i), PATH_IDX(ap, i), &out->items[i]) <
		    0)
			return -1;
		out->len++;
	}
	return 0;
}

/* ---- releases ---- */

void oci_strings_clear(struct oci_strings *s)
{
	for (size_t i = 0; s->items && i < s->len; i++)
		free(s->items[i]);
	free(s->items);
	s->items = NULL;
	s->len = 0;
}

void oci_map_clear(struct oci_map *m)
{
	for (size_t i = 0; i < m->len; i++) {
		free(m->keys[i]);
		free(m->values[i]);
	}
	free(m->keys);
	free(m->values);
	m->keys = m->values = NULL;
	m->len = 0;
}

void oci_id_mappings_clear(struct oci_id_mappings *m)
{
	free(m->items);
	m->items = NULL;
	m->len = 0;
}

const char *oci_map_get(const struct oci_map *map, const char *key)
{
	for (size_t i = 0; i < map->len; i++)
		if (strcmp(map->keys[i], key) == 0)
			return map->values[i];
	return NULL;
}

static int name_index(const char *const names[], const char *s)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

int get_choice(struct parse_ctx *c, const json_t *obj, const struct json_path *p, const char *key,
	       const char *const names[], bool *has, int *out)
{
	json_t *v = parse_member(obj, key);
	if (!v)
		return 0;
	if (!json_is_string(v))
		return parse_error(c, PATH_KEY(p, key), "expected string");
	int i = name_index(names, json_string_value(v));
	if (i < 0)
		return parse_error(c, PATH_KEY(p, key), "unknown value \"%.64s\"",
				   json_string_value(v));
	*out = i;
	if (has)
		*has = true;
	return 0;
}

int get_strings_in(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
		   const char *key, const char *const names[], struct oci_strings *out)
{
	if (get_strings(c, obj, p, key, out) < 0)
		return -1;
	for (size_t i = 0; i < out->len; i++)
		if (name_index(names, out->items[i]) < 0)
			return parse_error(c, PATH_IDX(PATH_KEY(p, key), i),
					   "unknown value \"%.64s\"", out->items[i]);
	return 0;
}
