/* Locating values in JSON text by path (see json_pos.h). The scanner runs
 * on text jansson has already accepted, but stays bounds-checked and
 * iterative so that any input is safe. */
#include "oci/json_pos.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct scanner {
	const char *s;
	size_t len;
	size_t pos;
};

static bool at_end(const struct scanner *sc)
{
	return sc->pos >= sc->len;
}

static char peek(const struct scanner *sc)
{
	return at_end(sc) ? '\0' : sc->s[sc->pos];
}

static void skip_ws(struct scanner *sc)
{
	while (!at_end(sc) && strchr(" \t\r\n", sc->s[sc->pos]) && sc->s[sc->pos])
		sc->pos++;
}

/* At an opening quote: moves past the closing one. */
static void skip_string(struct scanner *sc)
{
	sc->pos++;
	while (!at_end(sc)) {
		char c = sc->s[sc->pos++];
		if (c == '\\')
			sc->pos++;
		else if (c == '"')
			return;
	}
}

/* Skips one value of any depth without recursion. */
static void skip_value(struct scanner *sc)
{
	char c = peek(sc);
	if (c == '"') {
		skip_string(sc);
		return;
	}
	if (c != '{' && c != '[') {
		while (!at_end(sc) && !strchr(",}] \t\r\n", sc->s[sc->pos]))
			sc->pos++;
		return;
	}
	size_t depth = 0;
	while (!at_end(sc)) {
		c = sc->s[sc->pos];
		if (c == '"') {
			skip_string(sc);
			continue;
		}
		sc->pos++;
		if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (--depth == 0)
				return;
		}
	}
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static long read_hex4(const struct scanner *sc, size_t at)
{
	if (at + 4 > sc->len)
		return -1;
	long v = 0;
	for (size_t i = 0; i < 4; i++) {
		int h = hex_value(sc->s[at + i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

static size_t utf8_encode(unsigned long cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Decodes one escape after the backslash at sc->pos - 1 into out; returns
 * its length in bytes, 0 when malformed. Advances sc past the escape. */
static size_t decode_escape(struct scanner *sc, char out[4])
{
	char e = peek(sc);
	static const char plain[] = "\"\\/bfnrt";
	static const char value[] = "\"\\/\b\f\n\r\t";
	const char *hit = e ? strchr(plain, e) : NULL;
	if (hit) {
		sc->pos++;
		out[0] = value[hit - plain];
		return 1;
	}
	if (e != 'u')
		return 0;
	long cp = read_hex4(sc, sc->pos + 1);
	if (cp < 0)
		return 0;
	sc->pos += 5;
	if (cp >= 0xD800 && cp <= 0xDBFF && sc->pos + 6 <= sc->len && sc->s[sc->pos] == '\\' &&
	    sc->s[sc->pos + 1] == 'u') {
		long lo = read_hex4(sc, sc->pos + 2);
		if (lo >= 0xDC00 && lo <= 0xDFFF) {
			sc->pos += 6;
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		}
	}
	return utf8_encode((unsigned long)cp, out);
}

/* At an opening quote: does the decoded string equal key? Leaves sc after
 * the closing quote. */
static bool string_equals(struct scanner *sc, const char *key)
{
	size_t start = sc->pos;
	size_t klen = strlen(key), k = 0;
	bool equal = true;
	sc->pos++;
	while (equal && !at_end(sc) && sc->s[sc->pos] != '"') {
		char buf[4];
		size_t n = 1;
		if (sc->s[sc->pos] == '\\') {
			sc->pos++;
			n = decode_escape(sc, buf);
		} else {
			buf[0] = sc->s[sc->pos++];
		}
		if (n == 0 || k + n > klen || memcmp(key + k, buf, n) != 0)
			equal = false;
		k += n;
	}
	equal = equal && k == klen && peek(sc) == '"';
	sc->pos = start;
	skip_string(sc);
	return equal;
}

/* At '{': moves to the value of member key; false when absent. */
static bool enter_member(struct scanner *sc, const char *key)
{
	sc->pos++;
	for (;;) {
		skip_ws(sc);
		if (peek(sc) != '"')
			return false;
		bool match = string_equals(sc, key);
		skip_ws(sc);
		if (peek(sc) != ':')
			return false;
		sc->pos++;
		skip_ws(sc);
		if (match)
			return true;
		skip_value(sc);
		skip_ws(sc);
		if (peek(sc) != ',')
			return false;
		sc->pos++;
	}
}

/* At '[': moves to element index; false when there are fewer. */
static bool enter_element(struct scanner *sc, size_t index)
{
	sc->pos++;
	for (size_t i = 0;; i++) {
		skip_ws(sc);
		if (at_end(sc) || peek(sc) == ']')
			return false;
		if (i == index)
			return true;
		skip_value(sc);
		skip_ws(sc);
		if (peek(sc) != ',')
			return false;
		sc->pos++;
	}
}

static size_t path_steps(const struct json_path *path, const struct json_path **steps)
{
	size_t depth = 0;
	for (const struct json_path *p = path; p; p = p->parent)
		depth++;
	/* Keep the outermost steps when a path is absurdly deep. */
	while (depth > JSON_PATH_MAX_DEPTH) {
		path = path->parent;
		depth--;
	}
	size_t i = depth;
	for (const struct json_path *p = path; p; p = p->parent)
		steps[--i] = p;
	return depth;
}

ssize_t json_pos_find(const char *text, size_t len, const struct json_path *path)
{
	const struct json_path *steps[JSON_PATH_MAX_DEPTH];
	size_t depth = path_steps(path, steps);
	struct scanner sc = {.s = text, .len = len};
	skip_ws(&sc);
	if (at_end(&sc))
		return -1;
	size_t found = sc.pos;
	for (size_t i = 0; i < depth; i++) {
		const struct json_path *step = steps[i];
		bool ok;
		if (step->key)
			ok = peek(&sc) == '{' && enter_member(&sc, step->key);
		else
			ok = peek(&sc) == '[' && enter_element(&sc, step->index);
		if (!ok || at_end(&sc))
			break;
		found = sc.pos;
	}
	return (ssize_t)found;
}

void json_pos_line_col(const char *text, size_t len, size_t offset, int *line, int *column)
{
	int l = 1, c = 1;
	for (size_t i = 0; i < offset && i < len; i++) {
		unsigned char b = (unsigned char)text[i];
		if (b == '\n') {
			l++;
			c = 1;
		} else if ((b & 0xC0) != 0x80 && l < INT32_MAX && c < INT32_MAX) {
			c++;
		}
	}
	*line = l;
	*column = c;
}

static bool key_needs_quotes(const char *key)
{
	if (!*key)
		return true;
	for (const char *k = key; *k; k++)
		if (*k == '.' || *k == '[' || *k == ']' || *k == '"' || (unsigned char)*k < 0x20)
			return true;
	return false;
}

void json_path_format(const struct json_path *path, char *buf, size_t size)
{
	const struct json_path *steps[JSON_PATH_MAX_DEPTH];
	size_t depth = path_steps(path, steps);
	size_t used = 0;
	if (size == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < depth && used < size; i++) {
		const struct json_path *s = steps[i];
		int n;
		if (!s->key)
			n = snprintf(buf + used, size - used, "[%zu]", s->index);
		else if (key_needs_quotes(s->key))
			n = snprintf(buf + used, size - used, "[\"%s\"]", s->key);
		else
			n = snprintf(buf + used, size - used, "%s%s", used ? "." : "", s->key);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* Compares the digits of an integer literal with the int64 bound. */
static bool beyond_int64(const char *digits, size_t n, bool negative)
{
	const char *bound = negative ? "9223372036854775808" : "9223372036854775807";
	if (n != 19)
		return n > 19;
	return memcmp(digits, bound, 19) > 0;
}

/* d.ddddde<exp> in exactly n characters (n >= 19). */
static void rewrite_as_real(char *digits, size_t n)
{
	char exp[8];
	int elen = snprintf(exp, sizeof exp, "e%zu", n - 1);
	size_t mantissa = n - 1 - (size_t)elen; /* digits after the first, incl. '.' */
	memmove(digits + 2, digits + 1, mantissa - 1);
	digits[1] = '.';
	memcpy(digits + 1 + mantissa, exp, (size_t)elen);
}

size_t json_pos_widen_big_integers(char *text, size_t len)
{
	struct scanner sc = {.s = text, .len = len};
	size_t count = 0;
	while (!at_end(&sc)) {
		char c = text[sc.pos];
		if (c == '"') {
			skip_string(&sc);
			continue;
		}
		if (c != '-' && (c < '0' || c > '9')) {
			sc.pos++;
			continue;
		}
		size_t start = sc.pos, end = sc.pos + (c == '-');
		bool integer = true;
		while (end < len && strchr("0123456789.eE+-", text[end]) && text[end]) {
			if (!(text[end] >= '0' && text[end] <= '9'))
				integer = false;
			end++;
		}
		size_t dstart = start + (c == '-');
		size_t n = end - dstart;
		/* n < 400 keeps the exponent small enough to be a valid literal. */
		if (integer && n < 400 && beyond_int64(text + dstart, n, c == '-')) {
			rewrite_as_real(text + dstart, n);
			count++;
		}
		sc.pos = end > start ? end : start + 1;
	}
	return count;
}
