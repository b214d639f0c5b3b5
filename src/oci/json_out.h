/* Small helpers to build documents with jansson (internal to src/oci). */
#ifndef KEEL_OCI_JSON_OUT_H
#define KEEL_OCI_JSON_OUT_H

#include <jansson.h>
#include <stdbool.h>

#include "oci/config.h"

/* Each sets obj[key]; a NULL string is skipped. They return -1 when a value
 * cannot be built (ENOMEM, invalid UTF-8), so calls chain with ||. */
int out_string(json_t *obj, const char *key, const char *value);
int out_int(json_t *obj, const char *key, json_int_t value);
int out_bool(json_t *obj, const char *key, bool value);
/* Takes ownership of value (NULL fails). */
int out_take(json_t *obj, const char *key, json_t *value);
json_t *out_strings(const struct oci_strings *s);
json_t *out_string_list(const char *const *items, size_t n);
json_t *out_map(const struct oci_map *m);
json_t *out_hooks(const struct oci_hooks *hooks);
/* Dumps pretty-printed with indent spaces per level; use_tabs converts the
 * leading spaces of each line into tabs (one per level) like runc's spec. */
char *out_dump(const json_t *doc, int indent, bool use_tabs);

#endif
