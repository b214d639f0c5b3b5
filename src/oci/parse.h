/* Typed, path-aware access to a loaded jansson document (internal to
 * src/oci). Every getter that fails fills the context's error with
 * "<file>: <json path>: <problem> (line L, column C)" and returns -1.
 *
 * Absent keys and JSON null are treated alike (as Go's encoding/json, and
 * so runc, does): an optional field that is null is simply not set. */
#ifndef KEEL_OCI_PARSE_H
#define KEEL_OCI_PARSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "oci/config.h"
#include "oci/json_pos.h"

struct parse_ctx {
	const char *name; /* file name for messages: "config.json" */
	const char *text; /* the original text, for positions */
	size_t len;
	struct keel_error *err;
};

/* Path of member key / element index below parent, on the caller's stack. */
#define PATH_KEY(parent_, key_) (&(const struct json_path){.parent = (parent_), .key = (key_)})
#define PATH_IDX(parent_, i_)	(&(const struct json_path){.parent = (parent_), .index = (i_)})

int parse_error(struct parse_ctx *c, const struct json_path *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Loads text (with JSON_REJECT_DUPLICATES) into *root; syntax errors are
 * reported with jansson's position. */
int parse_load(struct parse_ctx *c, json_t **root);

/* The member, or NULL when absent or null. */
json_t *parse_member(const json_t *obj, const char *key);

/* Fails with "required" when key is absent or null. */
int parse_require(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
		  const char *key);

/* Value converters: v is the value at path p (never NULL). */
int value_string(struct parse_ctx *c, const json_t *v, const struct json_path *p, char **out);
int value_int64(struct parse_ctx *c, const json_t *v, const struct json_path *p, int64_t *out);
int value_uint64(struct parse_ctx *c, const json_t *v, const struct json_path *p, uint64_t *out);
int value_uint32(struct parse_ctx *c, const json_t *v, const struct json_path *p, uint32_t *out);
int value_int32(struct parse_ctx *c, const json_t *v, const struct json_path *p, int32_t *out);
int value_object(struct parse_ctx *c, const json_t *v, const struct json_path *p);
int value_array(struct parse_ctx *c, const json_t *v, const struct json_path *p);

/* Member getters. obj is an object at path p. Optional: when absent, the
 * output and *has are left untouched; has may be NULL. */
int get_string(struct parse_ctx *c, const json_t *obj, const struct json_path *p, const char *key,
	       char **out);
int get_bool(struct parse_ctx *c, const json_t *obj, const struct json_path *p, const char *key,
	     bool *has, bool *out);
int get_int64(struct parse_ctx *c, const json_t *obj, const struct json_path *p, const char *key,
	      bool *has, int64_t *out);
int get_uint64(struct parse_ctx *c, const json_t *obj, const struct json_path *p, const char *key,
	       bool *has, uint64_t *out);
int get_uint32(struct parse_ctx *c, const json_t *obj, const struct json_path *p, const char *key,
	       bool *has, uint32_t *out);
int get_int32(struct parse_ctx *c, const json_t *obj, const struct json_path *p, const char *key,
	      bool *has, int32_t *out);
int get_uint16(struct parse_ctx *c, const json_t *obj, const struct json_path *p, const char *key,
	       bool *has, uint16_t *out);
/* *out is the member when it is an object (NULL when absent). */
int get_object(struct parse_ctx *c, const json_t *obj, const struct json_path *p, const char *key,
	       json_t **out);
/* *out is the member when it is an array (NULL when absent). */
int get_array(struct parse_ctx *c, const json_t *obj, const struct json_path *p, const char *key,
	      json_t **out);
int get_strings(struct parse_ctx *c, const json_t *obj, const struct json_path *p, const char *key,
		struct oci_strings *out);
/* An object whose values are all strings. */
int get_map(struct parse_ctx *c, const json_t *obj, const struct json_path *p, const char *key,
	    struct oci_map *out);
int get_id_mappings(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
		    const char *key, struct oci_id_mappings *out);
/* An absolute path string ("must be an absolute path" otherwise). */
int get_abs_path(struct parse_ctx *c, const json_t *obj, const struct json_path *p, const char *key,
		 char **out);

/* calloc that reports ENOMEM through the context. */
void *parse_calloc(struct parse_ctx *c, size_t n, size_t size);

/* Parses one array element into *out (an element of the new array). */
typedef int (*parse_item_fn)(struct parse_ctx *c, const json_t *v, const struct json_path *p,
			     void *out);
/* Parses every element of the array arr (at path p) with parse_item into a
 * new zeroed array of elem_size elements stored in *items. *len counts each
 * element handed to parse_item, so that clearing after an error frees
 * exactly what may have been filled. */
int parse_items(struct parse_ctx *c, const json_t *arr, const struct json_path *p, size_t elem_size,
		parse_item_fn parse_item, void **items, size_t *len);
/* The same for obj[key]; an absent or null member leaves *items NULL. */
int get_items(struct parse_ctx *c, const json_t *obj, const struct json_path *p, const char *key,
	      size_t elem_size, parse_item_fn parse_item, void **items, size_t *len);

void oci_strings_clear(struct oci_strings *s);
void oci_map_clear(struct oci_map *m);
void oci_id_mappings_clear(struct oci_id_mappings *m);

/* Section parsers (one file each) and their releases. */
int parse_process(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
		  struct oci_process *out);
void process_clear(struct oci_process *process);
int parse_mounts(struct parse_ctx *c, const json_t *arr, const struct json_path *p,
		 struct oci_config *out);
void mounts_clear(struct oci_config *config);
int parse_hooks(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
		struct oci_hooks *out);
int parse_linux(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
		struct oci_linux *out);
void linux_clear(struct oci_linux *linux_);
int parse_resources(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
		    struct oci_resources *out);
void resources_clear(struct oci_resources *r);
int parse_seccomp(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
		  struct oci_seccomp *out);
void seccomp_clear(struct oci_seccomp *s);
/* Cross-section checks on a parsed config (validate.c). */
int validate_config(struct parse_ctx *c, const struct oci_config *config);

/* String members restricted to a NULL-terminated list of names: *out is the
 * index of the name ("unknown value" otherwise). */
int get_choice(struct parse_ctx *c, const json_t *obj, const struct json_path *p, const char *key,
	       const char *const names[], bool *has, int *out);
/* A list of strings each of which must be one of names. */
int get_strings_in(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
		   const char *key, const char *const names[], struct oci_strings *out);

#endif
