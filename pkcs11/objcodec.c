/* pkcs11/objcodec.c - serialise an object's attributes for the keystore. */
#include "config.h"
#include "pkcs11/objcodec.h"

#include <stdlib.h>
#include <string.h>

#include "pkcs11/object.h"

#define MAGIC "MSTO"
#define CODEC_VERSION 1
#define HEADER_LEN (4 + 1 + 8 + 4)
#define MAX_ATTRS 256

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

CK_RV objcodec_encode(const p11_object *o, uint8_t **out, size_t *out_len)
{
	size_t len = HEADER_LEN, i, pos;
	uint8_t *buf;

	for (i = 0; i < o->n_attrs; i++)
		len += 8 + o->attrs[i].len;
	buf = malloc(len);
	if (buf == NULL)
		return CKR_HOST_MEMORY;
	memcpy(buf, MAGIC, 4);
	buf[4] = CODEC_VERSION;
	put_u32(buf + 5, (uint32_t)((uint64_t)o->cls >> 32));
	put_u32(buf + 9, (uint32_t)o->cls);
	put_u32(buf + 13, (uint32_t)o->n_attrs);
	pos = HEADER_LEN;
	for (i = 0; i < o->n_attrs; i++) {
		put_u32(buf + pos, (uint32_t)o->attrs[i].type);
		put_u32(buf + pos + 4, (uint32_t)o->attrs[i].len);
		if (o->attrs[i].len)
			memcpy(buf + pos + 8, o->attrs[i].value, o->attrs[i].len);
		pos += 8 + o->attrs[i].len;
	}
	*out = buf;
	*out_len = len;
	return CKR_OK;
}

CK_RV objcodec_decode(const uint8_t *in, size_t len, p11_object *o)
{
	size_t pos = HEADER_LEN, i, n;

	if (len < HEADER_LEN || memcmp(in, MAGIC, 4) != 0 || in[4] != CODEC_VERSION)
		return CKR_DEVICE_ERROR;
	o->cls = (CK_OBJECT_CLASS)((uint64_t)get_u32(in + 5) << 32 | get_u32(in + 9));
	n = get_u32(in + 13);
	if (n > MAX_ATTRS)
		return CKR_DEVICE_ERROR;
	for (i = 0; i < n; i++) {
		uint32_t type, alen;
		CK_RV rv;

		if (len - pos < 8)
			return CKR_DEVICE_ERROR;
		type = get_u32(in + pos);
		alen = get_u32(in + pos + 4);
		pos += 8;
		if (alen > len - pos || obj_attr(o, type) != NULL)
			return CKR_DEVICE_ERROR;
		rv = obj_set(o, type, in + pos, alen);
		if (rv != CKR_OK)
			return rv;
		pos += alen;
	}
	return pos == len ? CKR_OK : CKR_DEVICE_ERROR;
}

int objcodec_public_class(CK_OBJECT_CLASS cls)
{
	return cls == CKO_DATA || cls == CKO_PUBLIC_KEY;
}
