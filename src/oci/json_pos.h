/* Positions of values inside JSON text.
 *
 * jansson reports line and column for syntax errors only; once a document
 * is loaded its nodes carry no position. Type errors found later are
 * located by re-scanning the original text along the JSON path of the
 * offending value, which costs nothing on the success path. */
#ifndef KEEL_OCI_JSON_POS_H
#define KEEL_OCI_JSON_POS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* One step of a JSON path, chained to its parent on the caller's stack. */
struct json_path {
	const struct json_path *parent;
	const char *key; /* object member; NULL for an array element */
	size_t index;	 /* array element when key is NULL */
};

#define JSON_PATH_MAX_DEPTH 64

/* Writes the path as "linux.resources.devices[2].access" into buf. Keys
 * that would be ambiguous ("a.b", "") are written as ["a.b"]. */
void json_path_format(const struct json_path *path, char *buf, size_t size);

/* Byte offset of the value at path in text, or of the deepest ancestor that
 * exists; -1 when the text is not a JSON value at all. The root path
 * (NULL) is the first value of the text. */
ssize_t json_pos_find(const char *text, size_t len, const struct json_path *path);

/* 1-based line and column (in characters) of a byte offset. */
void json_pos_line_col(const char *text, size_t len, size_t offset, int *line, int *column);

/* Rewrites, in place, integer literals outside the int64 range (which
 * jansson refuses) into real literals of the same length, so columns do
 * not move. The exact value is read back from the original text with
 * json_pos_find(). Returns how many literals were rewritten. */
size_t json_pos_widen_big_integers(char *text, size_t len);

#endif
