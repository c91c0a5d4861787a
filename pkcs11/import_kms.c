/* pkcs11/import_kms.c - import of a SignedKmsResponse (TS 33.180 Annex D):
 * the same C_CreateObject of a "3GPP KmsKeySet" (KmsKeyProv) or "3GPP
 * KmsCertificate" (KmsInit) data object as a plain document, but the
 * signature is checked with an InK of the token and every EncryptedKey
 * opened with a TrK of the token (token/kmsxml_resp.c), in locked memory.
 *
 * Refusals, each with nothing stored (doc/pkcs11.md "KMS responses"):
 *   bad signature            CKR_SIGNATURE_INVALID
 *   unknown TrK / InK        CKR_MSTOKEN_KMS_UNKNOWN_KEY
 *   key that does not unwrap CKR_WRAPPED_KEY_INVALID
 *   Time not after the last  CKR_MSTOKEN_KMS_REPLAY
 *   UserUri not the InK's    CKR_MSTOKEN_KMS_WRONG_USER
 *   plain keys while require_encrypted_keys  CKR_MSTOKEN_KMS_PLAIN_REFUSED
 *   anything else malformed  CKR_ATTRIBUTE_VALUE_INVALID
 * A KmsInit in an SO session imports the community (the SO's trust, as a
 * plain KmsCertificate); in a user session it is accepted only for a
 * community the token already holds with the same keys, and brings the
 * user its new TrK/InK (key rotation) and the replay record.
 * A key set already in the token is skipped (a KmsKeyProv of the current
 * and next periods renews only what is missing); a response that brings
 * nothing new answers CKR_MSTOKEN_KMS_NOTHING_NEW (and stores nothing).
 */
#include "config.h"
#include "pkcs11/import_int.h"

#include <string.h>

#include "pkcs11/debug.h"
#include "pkcs11/importobj.h"
#include "pkcs11/kmskey.h"
#include "pkcs11/object.h"
#include "token/kmsxml_resp.h"
#include "token/secmem.h"

#define MAX_OBJS (3 * KMSRESP_MAX_KEYSETS + KMSRESP_MAX_NEW_KEYS)

static CK_RV rv_of(mst_rc rc)
{
	switch (rc) {
	case MST_ERR_BAD_SIGNATURE: return CKR_SIGNATURE_INVALID;
	case MST_ERR_UNKNOWN_KEY: return CKR_MSTOKEN_KMS_UNKNOWN_KEY;
	case MST_ERR_BAD_KEY: return CKR_WRAPPED_KEY_INVALID;
	case MST_ERR_NOMEM: return CKR_HOST_MEMORY;
	case MST_ERR_TAMPERED: return CKR_DEVICE_ERROR;
	default: return CKR_ATTRIBUTE_VALUE_INVALID;
	}
}

static int text_is(const p11_attr *a, const char *text)
{
	size_t l = strlen(text);

	return a != NULL && a->len == l && memcmp(a->value, text, l) == 0;
}

/* Who the response is for, what it is, and whether it is new. */
static CK_RV check_header(const kms_response *r, const p11_object *ink, int keyset)
{
	CK_RV rv;

	if (!text_is(obj_attr(ink, CKA_MSTOKEN_USER_URI), r->user_uri)) {
		p11_debug("KMS response refused: wrong user (UserUri %.200s is not the user of "
			  "integrity key %s)", r->user_uri, r->ink_id);
		return CKR_MSTOKEN_KMS_WRONG_USER;
	}
	if (r->kind != (keyset ? KMSXML_KEYSET : KMSXML_CERTIFICATE)) {
		p11_debug("KMS response refused: a %s is imported as %s",
			  r->kind == KMSXML_KEYSET ? "KmsKeyProv" : "KmsInit",
			  r->kind == KMSXML_KEYSET ? MSTOKEN_APP_KMS_KEYSET : MSTOKEN_APP_KMS_CERTIFICATE);
		return CKR_ATTRIBUTE_VALUE_INVALID;
	}
	rv = kmskey_check_fresh(ink, r->time_unix, r->mac);
	if (rv != CKR_OK)
		p11_debug("KMS response refused: replayed response (Time %s is not after the last "
			  "accepted from this KMS)", r->time);
	return rv;
}

/* The key sets' objects (those not yet in the token) into objs. */
static CK_RV keyset_objects(p11_session *s, const CK_ATTRIBUTE *t, CK_ULONG n,
			    const kms_response *r, p11_object **objs, size_t *nobj)
{
	size_t i;
	CK_RV rv;

	for (i = 0; i < r->n_keysets; i++) {
		const kms_keyset *ks = &r->keysets[i];
		if (strcmp(ks->user_uri, r->user_uri) != 0) {
			p11_debug("KMS response refused: wrong user (a key set of %.200s in a "
				  "response to %.200s)", ks->user_uri, r->user_uri);
			return CKR_MSTOKEN_KMS_WRONG_USER;
		}
		if (!ks->encrypted && s->slot->cfg.require_encrypted_keys) {
			p11_debug("KMS response refused: key set of period %llu is not encrypted "
				  "(require_encrypted_keys = yes)",
				  (unsigned long long)ks->key_period_no);
			return CKR_MSTOKEN_KMS_PLAIN_REFUSED;
		}
		if (user_key_find(s, ks) != NULL)
			continue;
		rv = import_keyset_objects(s, t, n, ks, r->kept[i], r->kept_len[i], objs + *nobj);
		*nobj += 3;
		if (rv != CKR_OK)
			return rv;
	}
	return CKR_OK;
}

/* A user's KmsInit: the community must be the one the SO imported. */
static CK_RV user_init_objects(p11_session *s, const CK_ATTRIBUTE *t, CK_ULONG n,
			       const kms_certificate *c, p11_object **objs, size_t *nobj)
{
	p11_object *kpak = community_find(s, c->kms_uri, CKK_MSTOKEN_ECCSI);
	p11_object *z = community_find(s, c->kms_uri, CKK_MSTOKEN_SAKKE);
	const uint8_t *kp, *zp;
	CK_RV rv;

	if (kpak == NULL || z == NULL ||
	    obj_sealed_point(kpak, ECCSI_POINT_LEN, &kp) != CKR_OK ||
	    obj_sealed_point(z, SAKKE_POINT_LEN, &zp) != CKR_OK ||
	    memcmp(kp, c->pub_auth_key, ECCSI_POINT_LEN) != 0 ||
	    memcmp(zp, c->pub_enc_key, SAKKE_POINT_LEN) != 0) {
		p11_debug("KmsInit refused: community %s is not in the token as the SO imported it "
			  "(a user imports a KmsInit for its new keys only)", c->kms_uri);
		return CKR_USER_NOT_LOGGED_IN;
	}
	rv = importobj_data(s, t, n, NULL, 0, &objs[0]);
	if (rv == CKR_OK)
		*nobj = 1;
	return rv;
}

/* New transport / integrity keys not yet in the token. */
static CK_RV new_key_objects(p11_session *s, const kms_response *r, const p11_object *ink,
			     p11_object **objs, size_t *nobj)
{
	size_t i;
	CK_RV rv;

	for (i = 0; i < r->n_new; i++) {
		const kms_new_key *k = &r->new_keys[i];
		if (kmskey_find(s, k->use, k->id) != NULL)
			continue;
		rv = kmskey_new_from(s, ink, k->use, k->id, k->key, &objs[*nobj]);
		if (rv != CKR_OK)
			return rv;
		(*nobj)++;
	}
	return CKR_OK;
}

/* Undo a commit whose replay record could not be written. */
static void withdraw(p11_object **objs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (objs[i] == NULL)
			continue;
		object_unlink(objs[i]);
		if (obj_is_token(objs[i]))
			object_unstore(objs[i]);
		object_free(objs[i]);
	}
}

CK_RV import_kms_response(p11_session *s, const CK_ATTRIBUTE *t, CK_ULONG n,
			  const CK_ATTRIBUTE *xml, int keyset, CK_OBJECT_HANDLE_PTR out)
{
	kms_response *r = secmem_alloc(sizeof(*r));
	p11_object *objs[MAX_OBJS], *ink;
	size_t nobj = 0, i;
	char err[256] = "";
	CK_RV rv;
	mst_rc rc;

	if (r == NULL)
		return CKR_HOST_MEMORY;
	memset(objs, 0, sizeof(objs));
	rc = kmsxml_open_response(xml->pValue, xml->ulValueLen, kmskey_lookup, s, r, err, sizeof(err));
	if (rc != MST_OK) {
		p11_debug("KMS response refused: %s", err);
		rv = rv_of(rc);
		goto done;
	}
	ink = kmskey_find(s, KMSSEC_INK, r->ink_id);
	rv = ink != NULL ? check_header(r, ink, keyset) : CKR_MSTOKEN_KMS_UNKNOWN_KEY;
	if (rv != CKR_OK)
		goto done;
	if (r->kind == KMSXML_CERTIFICATE && s->slot->login == CKU_USER) {
		rv = user_init_objects(s, t, n, &r->cert, objs, &nobj);
	} else if (r->kind == KMSXML_CERTIFICATE) {
		rv = import_community_objects(s, t, n, &r->cert, objs);
		nobj = 3;
	} else {
		rv = keyset_objects(s, t, n, r, objs, &nobj);
	}
	if (rv == CKR_OK)
		rv = new_key_objects(s, r, ink, objs, &nobj);
	if (rv == CKR_OK && nobj == 0) {
		p11_debug("KMS response: every key set and key of it is already in the token");
		rv = CKR_MSTOKEN_KMS_NOTHING_NEW;
	}
	if (rv != CKR_OK)
		goto done;
	rv = import_commit_all(s, objs, nobj, out);
	if (rv != CKR_OK) {
		memset(objs, 0, sizeof(objs)); /* freed by the commit */
		goto done;
	}
	/* the InK that verified it and the new InKs of its KMS start from it */
	rv = kmskey_note_accepted(ink, r->time_unix, r->mac);
	for (i = 0; i < nobj && rv == CKR_OK; i++)
		if (objs[i]->cls == CKO_SECRET_KEY &&
		    obj_ulong(objs[i], CKA_KEY_TYPE, 0) == CKK_MSTOKEN_KMS_INK)
			rv = kmskey_note_accepted(objs[i], r->time_unix, r->mac);
	if (rv != CKR_OK) {
		p11_debug("KMS response refused: cannot record it against replays");
		withdraw(objs, nobj);
	}
	memset(objs, 0, sizeof(objs));
done:
	for (i = 0; i < MAX_OBJS; i++)
		object_free(objs[i]);
	kms_response_clear(r);
	secmem_free(r);
	return rv;
}
