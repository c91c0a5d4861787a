/* client/imsg.h - one signed I_MESSAGE from a sender to a recipient,
 * shared by ms_create and the returned I_MESSAGE of ms_accept.  Internal. */
#ifndef MS_IMSG_H
#define MS_IMSG_H

#include "client/policy.h"

struct imsg_spec {
	const struct ms_community *com;
	const char *from, *to;           /* URIs */
	const uint8_t *from_id, *to_id;  /* identifiers at 'now' */
	size_t from_id_len, to_id_len;
	uint32_t csb_id;
	const uint8_t *rand;             /* 16 octets */
	unsigned prf;
	enum ms_srtp_suite suite;
	int group;
	int64_t now;
	CK_OBJECT_HANDLE ssv;            /* encapsulated to 'to' */
	CK_OBJECT_HANDLE ssk;            /* the sender's ECCSI key */
};

ms_rc imsg_build(struct ms_ctx *c, const struct imsg_spec *s, uint8_t *out, size_t cap, size_t *len);

#endif
