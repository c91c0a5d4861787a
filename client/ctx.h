/* client/ctx.h - a logged-in token and what the flows look up in it: the
 * community public keys (KPAK, Z_T) with their identifier parameters, and
 * the user's own private keys by identifier.  Internal. */
#ifndef MS_CTX_H
#define MS_CTX_H

#include "client/p11.h"
#include "mikeysakke/identity.h"
#include "mikeysakke/session.h"

struct ms_ctx {
	struct ms_p11 p;
	char err[160];
};

struct ms_community {
	CK_OBJECT_HANDLE kpak;
	CK_OBJECT_HANDLE z;
	char kms_uri[256];
	struct ms_id_params id;   /* id.kms_uri points at kms_uri */
};

#define MS_KEY_SUFFIX_ECCSI 0x01
#define MS_KEY_SUFFIX_SAKKE 0x02

/* The community of kms_uri; with kms_uri NULL, the only one in the token.
 * MS_ERR_UNKNOWN_SIGNER when there is none (or several and no name). */
ms_rc ctx_community(struct ms_ctx *c, const char *kms_uri, struct ms_community *out);
/* The KMS URI of the user's ECCSI key for uri (any key period). */
ms_rc ctx_user_kms(struct ms_ctx *c, const char *uri, char *kms, size_t cap);
/* The private key with CKA_ID = id || suffix; MS_ERR_NOT_FOUND if none. */
ms_rc ctx_private_key(struct ms_ctx *c, const uint8_t *id, size_t id_len, uint8_t suffix,
		      CK_OBJECT_HANDLE *key);
/* Records "C_Xxx: CKR_..." for ms_ctx_error. */
void ctx_note_p11(struct ms_ctx *c);

#endif
