/* The --net argument: "user[,hostfwd=PROTO:[HOSTIP]:HOSTPORT-[GUESTIP]:GUESTPORT]..."
 * or "tap,ifname=NAME"; either may add ",mac=XX:XX:XX:XX:XX:XX". */
#ifndef KEEL_VM_VIRTIO_NET_SPEC_H
#define KEEL_VM_VIRTIO_NET_SPEC_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

#define NET_MAX_HOSTFWD 16

enum net_kind { NET_USER, NET_TAP };

struct net_hostfwd {
	bool udp;
	struct in_addr host_addr; /* default 0.0.0.0 */
	int host_port;
	struct in_addr guest_addr; /* default 10.0.2.15 */
	int guest_port;
};

struct net_spec {
	enum net_kind kind;
	char ifname[IFNAMSIZ];
	struct net_hostfwd hostfwd[NET_MAX_HOSTFWD];
	unsigned nhostfwd;
	uint8_t mac[6]; /* 52:54:00:12:34:56 (as QEMU's first NIC) unless mac= */
};

int net_spec_parse(const char *text, struct net_spec *spec, struct keel_error *err);

#endif
