/* pkcs11/import.c - KmsCertificate and KmsKeySet import (see import.h). */
#include "config.h"
#include "pkcs11/import.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "pkcs11/attrs.h"
#include "pkcs11/debug.h"
#include "pkcs11/import_int.h"
#include "pkcs11/importobj.h"
#include "pkcs11/object.h"
#include "pkcs11/objops.h"
#include "pkcs11/session.h"
#include "token/kmsxml.h"
#include "token/kmsxml_resp.h"
#include "token/secmem.h"

static int app_is(const CK_ATTRIBUTE *a, const char *name)
{
	size_t l = strlen(name);

	return a != NULL && a->pValue != NULL && a->ulValueLen == l && memcmp(a->pValue, name, l) == 0;
}

int import_requested(const CK_ATTRIBUTE *t, CK_ULONG n)
{
	const CK_ATTRIBUTE *a = attrs_find(t, n, CKA_APPLICATION);

	return app_is(a, MSTOKEN_APP_KMS_KEYSET) || app_is(a, MSTOKEN_APP_KMS_CERTIFICATE);
}

/* Trust is the SO's (PKCS#11 reserves CKA_TRUSTED to it): what makes a
 * trusted key is imported in an SO session only.  Its token objects are
 * public; objstore.c keeps the SO's endorsement of them. */
static CK_RV import_needs_so(const p11_session *s, int token)
{
	if (token && !session_rw(s))
		return CKR_SESSION_READ_ONLY;
	if (s->slot->login != CKU_SO)
		return CKR_USER_NOT_LOGGED_IN;
	return CKR_OK;
}

/* Store every object (token ones into the keystore) or none, then make
 * them visible.  The objects are freed on failure. */
CK_RV import_commit_all(p11_session *s, p11_object **objs, size_t n, CK_OBJECT_HANDLE_PTR out)
{
	size_t i;
	CK_RV rv = object_store_all(objs, n);   /* all or none, even across a crash */

	if (rv != CKR_OK) {
		for (i = 0; i < n; i++)
			object_free(objs[i]);
		return rv;
	}
	for (i = 0; i < n; i++) {
		if (!obj_is_token(objs[i]))
			objs[i]->owner = s->handle;
		object_link(s->slot, objs[i]);
	}
	*out = objs[0]->handle;
	return CKR_OK;
}

/* The community's key checks (the XML reader checked the form). */
static mst_rc check_certificate(const kms_certificate *cert, char *err, size_t err_len)
{
	mst_rc rc = eccsi_check_point(cert->pub_auth_key);

	if (rc != MST_OK) {
		snprintf(err, err_len, "PubAuthKey: %s", mst_strerror(rc));
		return rc;
	}
	if ((rc = sakke_check_point(cert->pub_enc_key)) != MST_OK) {
		snprintf(err, err_len, "PubEncKey: %s", mst_strerror(rc));
		return rc;
	}
	if (cert->user_id_format != 1 && cert->user_id_format != 2) {
		snprintf(err, err_len, "UserIdFormat %u not supported", cert->user_id_format);
		return MST_ERR_RANGE;
	}
	return MST_OK;
}

CK_RV import_community_objects(p11_session *s, const CK_ATTRIBUTE *t, CK_ULONG n,
			       const kms_certificate *cert, p11_object **objs)
{
	char err[256] = "";
	CK_RV rv;

	if (check_certificate(cert, err, sizeof(err)) != MST_OK) {
		p11_debug("KmsCertificate refused: %s", err);
		return CKR_ATTRIBUTE_VALUE_INVALID;
	}
	if (community_find(s, cert->kms_uri, CKK_MSTOKEN_ECCSI) != NULL) {
		p11_debug("KmsCertificate refused: community %s is already in the token",
			  cert->kms_uri);
		return CKR_ATTRIBUTE_VALUE_INVALID;
	}
	rv = importobj_data(s, t, n, NULL, 0, &objs[0]);
	if (rv == CKR_OK)
		rv = importobj_community(s, cert, CKK_MSTOKEN_ECCSI, obj_is_token(objs[0]), &objs[1]);
	if (rv == CKR_OK)
		rv = importobj_community(s, cert, CKK_MSTOKEN_SAKKE, obj_is_token(objs[0]), &objs[2]);
	return rv;
}

static void free_objects(p11_object **objs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		object_free(objs[i]);
		objs[i] = NULL;
	}
}

static CK_RV import_certificate(p11_session *s, const CK_ATTRIBUTE *t, CK_ULONG n,
				const CK_ATTRIBUTE *xml, CK_OBJECT_HANDLE_PTR out)
{
	kms_certificate cert;
	p11_object *objs[3] = { NULL, NULL, NULL };
	char err[256] = "";
	CK_RV rv;

	if (kmsxml_parse_certificate(xml->pValue, xml->ulValueLen, &cert, err, sizeof(err)) != MST_OK) {
		p11_debug("KmsCertificate refused: %s", err);
		return CKR_ATTRIBUTE_VALUE_INVALID;
	}
	rv = import_community_objects(s, t, n, &cert, objs);
	if (rv != CKR_OK) {
		free_objects(objs, 3);
		return rv;
	}
	return import_commit_all(s, objs, 3, out);
}

/* RFC 6507 5.1.2 and RFC 6508 6.1.2 against the community's keys, as
 * the SO's endorsement vouches for them (obj_sealed_point): *kp, *zp. */
static CK_RV validate_keyset(const kms_keyset *ks, p11_object *kpak, p11_object *z,
			     const uint8_t **kp, const uint8_t **zp)
{
	mst_rc rc;

	if (obj_sealed_point(kpak, ECCSI_POINT_LEN, kp) != CKR_OK ||
	    obj_sealed_point(z, SAKKE_POINT_LEN, zp) != CKR_OK)
		return CKR_DOMAIN_PARAMS_INVALID;
	rc = eccsi_validate(*kp, ks->user_id, ks->user_id_len, ks->ssk, ks->pvt);
	if (rc != MST_OK) {
		p11_debug("KmsKeySet refused: UserSigningKeySSK/UserPubTokenPVT: %s", mst_strerror(rc));
		return CKR_ATTRIBUTE_VALUE_INVALID;
	}
	rc = sakke_rsk_validate(*zp, ks->user_id, ks->user_id_len, ks->rsk);
	if (rc != MST_OK) {
		p11_debug("KmsKeySet refused: UserDecryptKey: %s", mst_strerror(rc));
		return CKR_ATTRIBUTE_VALUE_INVALID;
	}
	return CKR_OK;
}

/* The data object (kept: the document without the secret elements' text)
 * and the two private keys of a validated key set. */
static CK_RV keyset_objects(p11_session *s, const CK_ATTRIBUTE *t, CK_ULONG n,
			    const char *kept, size_t kept_len, const kms_keyset *ks,
			    const uint8_t *kpak, const uint8_t *z, p11_object **objs)
{
	int token;
	CK_RV rv;

	rv = importobj_data(s, t, n, (const uint8_t *)kept, kept_len, &objs[0]);
	if (rv != CKR_OK)
		return rv;
	token = obj_is_token(objs[0]);
	rv = importobj_user_key(s, ks, CKK_MSTOKEN_ECCSI, kpak, token, &objs[1]);
	if (rv == CKR_OK)
		rv = importobj_user_key(s, ks, CKK_MSTOKEN_SAKKE, z, token, &objs[2]);
	return rv;
}

CK_RV import_keyset_objects(p11_session *s, const CK_ATTRIBUTE *t, CK_ULONG n,
			    const kms_keyset *ks, const char *kept, size_t kept_len,
			    p11_object **objs)
{
	p11_object *kpak, *z;
	const uint8_t *kp = NULL, *zp = NULL;
	CK_RV rv;

	kpak = community_find(s, ks->kms_uri, CKK_MSTOKEN_ECCSI);
	z = community_find(s, ks->kms_uri, CKK_MSTOKEN_SAKKE);
	if (kpak == NULL || z == NULL) {
		p11_debug("KmsKeySet refused: no KmsCertificate of %s in the token", ks->kms_uri);
		return CKR_DOMAIN_PARAMS_INVALID;
	}
	if (user_key_find(s, ks) != NULL) {
		p11_debug("KmsKeySet refused: the key set of %s period %llu is already in the token",
			  ks->user_uri, (unsigned long long)ks->key_period_no);
		return CKR_ATTRIBUTE_VALUE_INVALID;
	}
	rv = validate_keyset(ks, kpak, z, &kp, &zp);
	if (rv == CKR_OK)
		rv = keyset_objects(s, t, n, kept, kept_len, ks, kp, zp, objs);
	return rv;
}

static CK_RV import_keyset(p11_session *s, const CK_ATTRIBUTE *t, CK_ULONG n,
			   const CK_ATTRIBUTE *xml, CK_OBJECT_HANDLE_PTR out)
{
	kms_keyset *ks = secmem_alloc(sizeof(*ks));
	p11_object *objs[3] = { NULL, NULL, NULL };
	char *kept = NULL, err[256] = "";
	size_t kept_len = 0;
	CK_RV rv;

	if (ks == NULL)
		return CKR_HOST_MEMORY;
	if (kmsxml_parse_keyset(xml->pValue, xml->ulValueLen, ks, err, sizeof(err)) != MST_OK ||
	    kmsxml_redact_keyset(xml->pValue, xml->ulValueLen, &kept, &kept_len, err,
				 sizeof(err)) != MST_OK) {
		p11_debug("KmsKeySet refused: %s", err);
		rv = CKR_ATTRIBUTE_VALUE_INVALID;
		goto done;
	}
	if (s->slot->cfg.require_encrypted_keys) {
		p11_debug("KmsKeySet refused: a plain key set (require_encrypted_keys = yes)");
		rv = CKR_MSTOKEN_KMS_PLAIN_REFUSED;
		goto done;
	}
	rv = import_keyset_objects(s, t, n, ks, kept, kept_len, objs);
	if (rv == CKR_OK)
		rv = import_commit_all(s, objs, 3, out);
	else
		free_objects(objs, 3);
done:
	free(kept);
	kms_keyset_wipe(ks);
	secmem_free(ks);
	return rv;
}

CK_RV import_create(p11_session *s, const CK_ATTRIBUTE *t, CK_ULONG n, CK_OBJECT_HANDLE_PTR out)
{
	const CK_ATTRIBUTE *xml = attrs_find(t, n, CKA_VALUE);
	int keyset = app_is(attrs_find(t, n, CKA_APPLICATION), MSTOKEN_APP_KMS_KEYSET);
	kmsxml_kind kind;
	CK_RV rv;

	rv = attrs_check(CKO_DATA, t, n, ACTX_CREATE, NULL);
	if (rv != CKR_OK)
		return rv;
	if (xml == NULL || xml->pValue == NULL || xml->ulValueLen == 0)
		return CKR_TEMPLATE_INCOMPLETE;
	if (xml->ulValueLen > KMSXML_MAX_INPUT)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	/* a community is the SO's to trust; key sets are the user's sealed keys */
	if (keyset)
		rv = objops_may_write(s, attrs_bool(t, n, CKA_TOKEN, 0), 1);
	else if (s->slot->login == CKU_USER && kmsxml_is_signed_response(xml->pValue, xml->ulValueLen))
		/* a signed KmsInit of a community the SO already trusts: the
		 * user takes its new TrK/InK only (import_kms.c) */
		rv = objops_may_write(s, attrs_bool(t, n, CKA_TOKEN, 0), 1);
	else
		rv = import_needs_so(s, attrs_bool(t, n, CKA_TOKEN, 0));
	if (rv != CKR_OK)
		return rv;
	if (kmsxml_is_signed_response(xml->pValue, xml->ulValueLen))
		return import_kms_response(s, t, n, xml, keyset, out);
	kind = kmsxml_detect(xml->pValue, xml->ulValueLen);
	if (kind != (keyset ? KMSXML_KEYSET : KMSXML_CERTIFICATE)) {
		p11_debug("%s refused: the XML holds no such element",
			  keyset ? MSTOKEN_APP_KMS_KEYSET : MSTOKEN_APP_KMS_CERTIFICATE);
		return CKR_ATTRIBUTE_VALUE_INVALID;
	}
	return keyset ? import_keyset(s, t, n, xml, out) : import_certificate(s, t, n, xml, out);
}
