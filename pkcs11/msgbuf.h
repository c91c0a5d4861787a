/* pkcs11/msgbuf.h - a bounded growing buffer for multi-part messages. */
#ifndef MST_P11_MSGBUF_H
#define MST_P11_MSGBUF_H

#include <stddef.h>
#include <stdint.h>

/* Append; -1 when the result would exceed max or memory runs out. */
int msgbuf_append(uint8_t **buf, size_t *len, size_t *cap, const uint8_t *data,
		  size_t n, size_t max);
void msgbuf_free(uint8_t **buf, size_t *len, size_t *cap);

#endif
