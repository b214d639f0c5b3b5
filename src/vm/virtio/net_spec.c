/* Parsing --net: every mistake gives one line naming the spec and the part. */
#include "vm/virtio/net_spec.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"

#define GUEST_DEFAULT_ADDR "10.0.2.15"

static bool parse_port(const char *s, int *port)
{
	char *end;
	if (*s < '0' || *s > '9')
		return false;
	long v = strtol(s, &end, 10);
	if (*end || v < 1 || v > 65535)
		return false;
	*port = (int)v;
	return true;
}

/* "[ADDR]:PORT" with a default address when ADDR is empty. */
static bool parse_endpoint(char *s, const char *default_addr, struct in_addr *addr, int *port)
{
	char *colon = strrchr(s, ':');
	if (!colon)
		return false;
	*colon = '\0';
	if (!parse_port(colon + 1, port))
		return false;
	return inet_pton(AF_INET, *s ? s : default_addr, addr) == 1;
}

static int parse_hostfwd(char *value, struct net_spec *spec, const char *text,
			 struct keel_error *err)
{
	if (spec->nhostfwd == NET_MAX_HOSTFWD)
		return keel_error_set(err, 0, "more than %d hostfwd", NET_MAX_HOSTFWD);
	struct net_hostfwd *fwd = &spec->hostfwd[spec->nhostfwd];
	char orig[64]; /* value is cut up below; the message shows it whole */
	snprintf(orig, sizeof(orig), "%s", value);
	char *rest = strchr(value, ':');
	char *dash = rest ? strchr(rest, '-') : NULL;
	if (!rest || !dash)
		goto bad;
	*rest++ = '\0';
	*dash = '\0';
	if (strcmp(value, "tcp") == 0)
		fwd->udp = false;
	else if (strcmp(value, "udp") == 0)
		fwd->udp = true;
	else
		goto bad;
	if (!parse_endpoint(rest, "0.0.0.0", &fwd->host_addr, &fwd->host_port) ||
	    !parse_endpoint(dash + 1, GUEST_DEFAULT_ADDR, &fwd->guest_addr, &fwd->guest_port))
		goto bad;
	spec->nhostfwd++;
	return 0;
bad:
	return keel_error_set(
	    err, 0, "bad hostfwd '%s' (expected tcp|udp:[HOSTIP]:HOSTPORT-[GUESTIP]:GUESTPORT)",
	    orig);
}

/* Six hex pairs; a multicast address cannot be a NIC's own. */
static int parse_mac(const char *value, struct net_spec *spec, const char *text,
		     struct keel_error *err)
{
	unsigned b[6];
	char end;
	if (sscanf(value, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &end) != 6 ||
	    strlen(value) != 17 || (b[0] & 1))
		return keel_error_set(err, 0, "bad mac '%s' (expected unicast XX:XX:XX:XX:XX:XX)",
				      value);
	for (int i = 0; i < 6; i++)
		spec->mac[i] = (uint8_t)b[i];
	return 0;
}

static int parse_option(char *opt, struct net_spec *spec, const char *text, struct keel_error *err)
{
	char *eq = strchr(opt, '=');
	if (!eq)
		return keel_error_set(err, 0, "expected KEY=VALUE, got '%s'", opt);
	*eq = '\0';
	const char *value = eq + 1;
	if (strcmp(opt, "mac") == 0)
		return parse_mac(value, spec, text, err);
	if (spec->kind == NET_USER && strcmp(opt, "hostfwd") == 0)
		return parse_hostfwd(eq + 1, spec, text, err);
	if (spec->kind == NET_TAP && strcmp(opt, "ifname") == 0) {
		if (!*value || strlen(value) >= sizeof(spec->ifname) || strchr(value, '/'))
			return keel_error_set(err, 0, "bad interface name '%s'", value);
		strcpy(spec->ifname, value);
		return 0;
	}
	return keel_error_set(err, 0, "unknown option '%s' for %s", opt,
			      spec->kind == NET_USER ? "user (expected hostfwd= or mac=)"
						     : "tap (expected ifname= or mac=)");
}

int net_spec_parse(const char *text, struct net_spec *spec, struct keel_error *err)
{
	static const uint8_t default_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
	memset(spec, 0, sizeof(*spec));
	memcpy(spec->mac, default_mac, sizeof(default_mac));
	cleanup_free char *copy = strdup(text ? text : "");
	if (!copy)
		return keel_error_errno(err, "net");
	char *save = NULL;
	char *kind = strtok_r(copy, ",", &save);
	if (kind && strcmp(kind, "user") == 0)
		spec->kind = NET_USER;
	else if (kind && strcmp(kind, "tap") == 0)
		spec->kind = NET_TAP;
	else
		return keel_error_set(err, 0, "expected user[,hostfwd=...] or tap,ifname=NAME");
	for (char *o = strtok_r(NULL, ",", &save); o; o = strtok_r(NULL, ",", &save))
		if (parse_option(o, spec, text, err) < 0)
			return -1;
	if (spec->kind == NET_TAP && !spec->ifname[0])
		return keel_error_set(err, 0, "tap needs ifname=NAME");
	return 0;
}
