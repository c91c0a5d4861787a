/* pkcs11/kmsstrip.h - the KmsKeySet XML a data object keeps: the document
 * as imported with its secret elements (UserDecryptKey, UserSigningKeySSK)
 * removed, so no object gives the keys back. */
#ifndef MST_P11_KMSSTRIP_H
#define MST_P11_KMSSTRIP_H

#include <stddef.h>
#include <stdint.h>
#include "token/status.h"

/* *out is malloc'd; MST_ERR_PARSE if the text is not well-formed XML. */
mst_rc kmsstrip_keyset(const uint8_t *xml, size_t len, uint8_t **out, size_t *out_len);

#endif
