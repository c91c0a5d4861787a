/* pkcs11/objcodec.h - the ".a" record format of a token object.
 *
 *   "MSTO" version(1) | class (u64) | count (u32) |
 *   count x { type (u32) | length (u32) | value }
 * big-endian, attribute values as they are held in memory (CK_ULONG and
 * CK_BBOOL of this platform).  Key values never appear here.
 */
#ifndef MST_P11_OBJCODEC_H
#define MST_P11_OBJCODEC_H

#include "pkcs11/p11.h"

/* *out is malloc'd. */
CK_RV objcodec_encode(const p11_object *o, uint8_t **out, size_t *out_len);
/* Fills cls and the attribute list of a fresh object; MST style strict:
 * any length or count that does not fit the buffer is refused. */
CK_RV objcodec_decode(const uint8_t *in, size_t len, p11_object *o);
/* Whether an object of this class may be kept in a public (clear,
 * forgeable) record: data objects and public keys only.  A private or
 * secret key's ".a" record is private only, so a public record cannot
 * describe a key (say, as extractable) that a sealed value is then
 * attached to. */
int objcodec_public_class(CK_OBJECT_CLASS cls);

#endif
