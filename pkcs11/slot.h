/* pkcs11/slot.h - slots from mstoken.conf and their tokens. */
#ifndef MST_P11_SLOT_H
#define MST_P11_SLOT_H

#include "pkcs11/state.h"

/* Open every configured slot's keystore and load its public objects.  A
 * configuration the backend refuses (missing module: MST_ERR_CONFIG or
 * MST_ERR_IO) fails the whole C_Initialize; a backend that cannot serve
 * (tpm placeholder) leaves the slot without a token. */
CK_RV slot_open_all(p11_state *st);
void slot_close_all(p11_state *st);
p11_slot *slot_find(CK_SLOT_ID id);
/* The slot exists and has its token. */
CK_RV slot_with_token(CK_SLOT_ID id, p11_slot **out);

CK_RV slot_get_list(CK_BBOOL token_present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count);
CK_RV slot_get_info(CK_SLOT_ID id, CK_SLOT_INFO_PTR info);
CK_RV slot_get_token_info(CK_SLOT_ID id, CK_TOKEN_INFO_PTR info);

/* MSTOKEN_DEBUG line for a keystore failure of the slot, with the
 * backend's own words when it has them. */
void slot_debug_fail(const p11_slot *sl, const char *what, mst_rc rc);

/* Copy src into a blank-padded PKCS#11 text field of n octets. */
void slot_pad(CK_UTF8CHAR *field, size_t n, const char *src);

#endif
