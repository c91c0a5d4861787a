/* client/p11.h - the client's only way to keys: a PKCS#11 module loaded by
 * path (dlopen), a token found by label, a logged-in session, and the
 * mstoken mechanisms (include/mstoken/pkcs11-mstoken.h).  Internal to
 * libmikeysakke; the flows (initiate.c, accept.c) are built on it. */
#ifndef MS_P11_H
#define MS_P11_H

#include <stddef.h>
#include <stdint.h>
#include <p11-kit/pkcs11.h>
#include "mstoken/pkcs11-mstoken.h"
#include "mikeysakke/keyparams.h"
#include "mikeysakke/status.h"

struct ms_p11 {
	void *dl;
	CK_FUNCTION_LIST_PTR f;
	CK_SESSION_HANDLE s;
	int initialized;
	int have_session;
	CK_RV last_rv;          /* of the last failing call, for messages */
	char last_call[32];
};

/* Loads the module, finds the token by label, opens a R/W session and
 * logs the user in.  MS_ERR_CONFIG for a module that does not load or a
 * token that is not there, MS_ERR_PKCS11 otherwise. */
ms_rc ms_p11_open(struct ms_p11 *p, const char *module, const char *token_label, const char *pin);
/* The same, logged in as who (CKU_USER or CKU_SO: provisioning). */
ms_rc ms_p11_open_as(struct ms_p11 *p, const char *module, const char *token_label,
		     const char *pin, CK_USER_TYPE who);
void ms_p11_close(struct ms_p11 *p);

/* Objects matching the template (up to cap); *n gets how many. */
ms_rc ms_p11_find(struct ms_p11 *p, CK_ATTRIBUTE *t, CK_ULONG nt, CK_OBJECT_HANDLE *out,
		  CK_ULONG cap, CK_ULONG *n);
/* One attribute into buf (cap); *len gets its length. */
ms_rc ms_p11_attr(struct ms_p11 *p, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type, void *buf,
		  size_t cap, size_t *len);
ms_rc ms_p11_attr_ulong(struct ms_p11 *p, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type, CK_ULONG *v);

/* The mstoken operations. */
ms_rc ms_p11_generate_ssv(struct ms_p11 *p, CK_OBJECT_HANDLE *ssv);
ms_rc ms_p11_wrap(struct ms_p11 *p, CK_OBJECT_HANDLE z, const uint8_t *id, size_t id_len,
		  CK_OBJECT_HANDLE ssv, uint8_t *out, size_t cap, size_t *len);
ms_rc ms_p11_unwrap(struct ms_p11 *p, CK_OBJECT_HANDLE rsk, const uint8_t *data, size_t len,
		    CK_OBJECT_HANDLE *ssv);
ms_rc ms_p11_sign(struct ms_p11 *p, CK_OBJECT_HANDLE ssk, const uint8_t *msg, size_t len,
		  uint8_t *sig, size_t cap, size_t *sig_len);
/* MS_ERR_BAD_SIGNATURE when the module says CKR_SIGNATURE_INVALID. */
ms_rc ms_p11_verify(struct ms_p11 *p, CK_OBJECT_HANDLE kpak, const uint8_t *id, size_t id_len,
		    const uint8_t *msg, size_t len, const uint8_t *sig, size_t sig_len);
/* C_DeriveKey with CKM_MSTOKEN_MIKEY_PRF into an extractable session key
 * of out_len octets, read and destroyed at once. */
ms_rc ms_p11_derive(struct ms_p11 *p, CK_OBJECT_HANDLE base, unsigned prf, unsigned kind,
		    uint8_t cs_id, uint32_t csb_id, const uint8_t *rand, size_t rand_len,
		    uint8_t *out, size_t out_len);
/* General Extension type 7: DPCK derived from the SSV in the token
 * (CKM_MSTOKEN_DPCK), C_Decrypt with CKM_AES_GCM.  MS_ERR_BAD_SIGNATURE
 * when the tag does not verify (plain wiped). */
ms_rc ms_p11_open_keyparams(struct ms_p11 *p, CK_OBJECT_HANDLE ssv,
			    const struct mikey_keyparams_env *env, uint8_t *plain, size_t cap,
			    size_t *plain_len);
void ms_p11_destroy(struct ms_p11 *p, CK_OBJECT_HANDLE o);
/* Records a failing call (for messages) and returns MS_ERR_PKCS11. */
ms_rc ms_p11_fail(struct ms_p11 *p, const char *call, CK_RV rv);

#endif
