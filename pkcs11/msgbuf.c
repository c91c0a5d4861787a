/* pkcs11/msgbuf.c - bounded message buffer (signing input is not secret). */
#include "pkcs11/msgbuf.h"

#include <stdlib.h>
#include <string.h>

int msgbuf_append(uint8_t **buf, size_t *len, size_t *cap, const uint8_t *data,
		  size_t n, size_t max)
{
	if (n > max || *len > max - n)
		return -1;
	if (*len + n > *cap) {
		size_t ncap = *cap ? *cap : 256;
		uint8_t *nb;

		while (ncap < *len + n)
			ncap *= 2;
		nb = realloc(*buf, ncap);
		if (nb == NULL)
			return -1;
		*buf = nb;
		*cap = ncap;
	}
	if (n)
		memcpy(*buf + *len, data, n);
	*len += n;
	return 0;
}

void msgbuf_free(uint8_t **buf, size_t *len, size_t *cap)
{
	free(*buf);
	*buf = NULL;
	*len = *cap = 0;
}
