/* token/backend_pkcs11_endorse.c - the endorsement key K of a backing token.
 *
 * PKCS#11 gives the SO no private objects (SoftHSM2 refuses them), and
 * anyone with a public session on the backing token may write public ones.
 * So what the SO vouches for (a trusted community key) is a public record
 * with an HMAC tag under K, and K must reach the SO and the user but no
 * public session.  K (32 random bytes, made by init_token) is kept as
 * CKO_DATA objects of application "mstoken-endorse":
 *   "so"   public: K under AES-256-GCM, key = PBKDF2(SO PIN, salt);
 *          rewritten when the SO changes its PIN.
 *   "user" public: K under PBKDF2(hex of the user PIN secret R, see
 *          backend_pkcs11_pin.c; the user PIN itself on a token without
 *          R); written by init_pin (the SO holds K then) and consumed at
 *          the next user login, which seals K into
 *   "key"  private: K sealed by the seal key like a private record.
 * A forged "so" or "user" object does not open under the real PIN, and a
 * public session can neither read nor write "key".  Value of a PIN
 * object: the PIN-sealed blob of backend_pkcs11_pin.c, AAD naming the
 * label.  R does not change with the user PIN, so a user PIN change
 * leaves a pending "user" copy valid.
 */
#include "token/backend_pkcs11_int.h"

#include <stdlib.h>
#include <string.h>
#include <openssl/rand.h>
#include "token/secmem.h"

#define APP "mstoken-endorse"
#define KEY_RECORD "endorse-key"     /* name bound into the sealed "key" */
#define KIND_KEY 0x454b              /* "EK" */

static mst_rc find_objs(struct p11_store *st, const char *label, CK_OBJECT_HANDLE **objs,
			size_t *n)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	char app[] = APP;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof cls },
		{ CKA_APPLICATION, app, sizeof app - 1 },
		{ CKA_LABEL, (void *)(uintptr_t)label, strlen(label) },
	};

	return p11_find(st, t, 3, objs, n);
}

static void destroy_all(struct p11_store *st, const char *label)
{
	CK_OBJECT_HANDLE *objs;
	size_t n, i;

	if (find_objs(st, label, &objs, &n) != MST_OK)
		return;
	for (i = 0; i < n; i++)
		(void)p11_destroy(st, objs[i]);
	free(objs);
}

/* Replace the PIN object `label` with K under pin. */
static mst_rc write_pin_obj(struct p11_store *st, const char *label, const char *pin,
			    size_t pin_len, const uint8_t *key)
{
	uint8_t blob[P11_PIN_BLOB_LEN];
	CK_OBJECT_HANDLE obj;
	mst_rc rc = p11_pin_blob_seal(label, pin, pin_len, key, blob);

	if (rc != MST_OK)
		return rc;
	destroy_all(st, label);
	return p11_create_data(st, APP, label, 0, blob, sizeof blob, &obj);
}

/* K from the PIN object `label`: MST_ERR_NOT_FOUND when there is none,
 * MST_ERR_TAMPERED when none opens under pin. */
static mst_rc read_pin_obj(struct p11_store *st, const char *label, const char *pin,
			   size_t pin_len, uint8_t *key)
{
	CK_OBJECT_HANDLE *objs;
	size_t n, i, len;
	uint8_t *val;
	mst_rc rc = find_objs(st, label, &objs, &n), out = MST_ERR_NOT_FOUND;

	if (rc != MST_OK)
		return rc;
	for (i = 0; i < n && out != MST_OK; i++) {
		if (p11_get_attr(st, objs[i], CKA_VALUE, &val, &len) != MST_OK)
			continue;
		out = p11_pin_blob_open(label, pin, pin_len, val, len, key);
		free(val);
	}
	free(objs);
	return out;
}

/* K sealed for the user (private "key"), replacing older copies. */
static mst_rc write_key_obj(struct p11_store *st, const uint8_t *key)
{
	uint8_t *val;
	size_t len;
	CK_OBJECT_HANDLE obj;
	mst_rc rc = p11_seal_key_ensure(st);

	if (rc == MST_OK)
		rc = p11_value_build(st, KEY_RECORD, KIND_KEY, 0, 1, key, KEYSTORE_KEY_LEN, &val, &len);
	if (rc != MST_OK)
		return rc;
	destroy_all(st, "key");
	rc = p11_create_data(st, APP, "key", 1, val, len, &obj);
	free(val);
	return rc;
}

static mst_rc read_key_obj(struct p11_store *st, uint8_t *key)
{
	CK_OBJECT_HANDLE *objs;
	size_t n, i, len, dlen;
	uint8_t *val, *data = NULL;
	uint32_t kind;
	mst_rc rc = find_objs(st, "key", &objs, &n), out = MST_ERR_NOT_FOUND;

	if (rc != MST_OK)
		return rc;
	for (i = 0; i < n && out != MST_OK; i++) {
		if (p11_get_attr(st, objs[i], CKA_VALUE, &val, &len) != MST_OK)
			continue;
		out = p11_value_open(st, KEY_RECORD, 1, val, len, &kind, &data, &dlen);
		if (out == MST_OK && (kind != KIND_KEY || dlen != KEYSTORE_KEY_LEN))
			out = MST_ERR_TAMPERED;
		if (out == MST_OK)
			memcpy(key, data, KEYSTORE_KEY_LEN);
		secmem_free(data);
		data = NULL;
		free(val);
	}
	free(objs);
	return out;
}

void p11_endorse_forget(struct p11_store *st)
{
	secmem_free(st->endorse_key);
	st->endorse_key = NULL;
}

mst_rc p11_endorse_create(struct p11_store *st, const char *so_pin, size_t so_len)
{
	uint8_t *key = secmem_alloc(KEYSTORE_KEY_LEN);
	mst_rc rc;

	p11_endorse_forget(st);
	if (key == NULL)
		return MST_ERR_NOMEM;
	rc = RAND_priv_bytes(key, KEYSTORE_KEY_LEN) == 1 ? MST_OK : MST_ERR_CRYPTO;
	if (rc == MST_OK)
		rc = write_pin_obj(st, "so", so_pin, so_len, key);
	secmem_free(key);
	return rc;
}

mst_rc p11_endorse_login(struct p11_store *st, keystore_who who, const char *pin,
			 size_t pin_len)
{
	uint8_t *key = secmem_alloc(KEYSTORE_KEY_LEN);
	mst_rc rc;

	p11_endorse_forget(st);
	if (key == NULL)
		return MST_ERR_NOMEM;
	if (who == KEYSTORE_SO) {
		rc = read_pin_obj(st, "so", pin, pin_len, key);
	} else {
		/* K handed over by the SO's init_pin: seal it for the user */
		rc = read_pin_obj(st, "user", pin, pin_len, key);
		if (rc == MST_OK && (rc = write_key_obj(st, key)) == MST_OK)
			destroy_all(st, "user");
		if (rc != MST_OK)
			rc = read_key_obj(st, key);
	}
	if (rc != MST_OK) {
		/* no K: endorse() says so; everything else still works */
		secmem_free(key);
		return rc == MST_ERR_NOT_FOUND || rc == MST_ERR_TAMPERED ? MST_OK : rc;
	}
	st->endorse_key = key;
	return MST_OK;
}

mst_rc p11_endorse_new_pin(struct p11_store *st, keystore_who who, const char *pin,
			   size_t pin_len)
{
	if (st->endorse_key == NULL)
		return MST_OK;   /* a store without K stays without */
	return write_pin_obj(st, who == KEYSTORE_SO ? "so" : "user", pin, pin_len,
			     st->endorse_key);
}

mst_rc p11_endorse(void *be, const uint8_t *msg, size_t len, uint8_t tag[KEYSTORE_TAG_LEN])
{
	struct p11_store *st = be;

	if (!st->who)
		return p11_fail_msg(st, MST_ERR_NOT_LOGGED_IN, "endorsements need a login");
	if (st->endorse_key == NULL)
		return p11_fail_msg(st, MST_ERR_NOT_FOUND, "no endorsement key in the backing "
				    "token (initialised by an older mstoken: re-initialise it)");
	return keystore_endorse_mac(st->endorse_key, msg, len, tag);
}
