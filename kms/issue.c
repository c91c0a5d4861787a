/* kms/issue.c - "user issue": a KmsKeySet for one user and key period.
 *
 * Reads D/community.xml and D/kms-secrets, computes the identifier (see
 * kms/period.h), issues SSK/PVT (RFC 6507 5.1.1) and RSK (RFC 6508 6.1.1),
 * and checks them as a receiving token would (RFC 6507 5.1.2, RFC 6508
 * 6.1.2) before anything is written.  The key set file is mode 0600.
 */
#include "config.h"
#include "kms/kms.h"
#include "kms/fileio.h"
#include "kms/period.h"
#include "kms/secrets.h"
#include "token/hex.h"
#include "token/kmsxml_doc.h"
#include "token/secmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

mst_rc kms_load_community(const char *dir, kms_certificate *cert, kms_secrets *s,
			     char *err, size_t err_len)
{
	char path[PATH_MAX], why[KMS_ERR_LEN];
	uint8_t *buf;
	size_t len;
	mst_rc rc;

	if ((rc = kms_path(path, sizeof path, dir, KMS_COMMUNITY_FILE, err, err_len)) != MST_OK ||
	    (rc = kms_read_file(path, KMSXML_MAX_INPUT, 0, &buf, &len, err, err_len)) != MST_OK)
		return rc;
	rc = kmsxml_parse_certificate(buf, len, cert, why, sizeof why);
	kms_release_file(buf, len, 0);
	if (rc != MST_OK)
		return kx_fail(err, err_len, rc, "%s: %s", path, why);

	if ((rc = kms_path(path, sizeof path, dir, KMS_SECRETS_FILE, err, err_len)) != MST_OK ||
	    (rc = kms_read_file(path, KMS_SECRETS_MAX, 1, &buf, &len, err, err_len)) != MST_OK)
		return rc;
	rc = kms_secrets_parse((const char *)buf, len, path, s, err, err_len);
	kms_release_file(buf, len, 1);
	if (rc == MST_OK)
		rc = kms_secrets_match(s, cert, path, err, err_len);
	return rc;
}

/* Issue and validate; k->user_id and the URIs are already set. */
static mst_rc issue_keys(const kms_certificate *cert, const kms_secrets *s, kms_keyset *k,
			 char *err, size_t err_len)
{
	mst_rc rc;

	rc = eccsi_issue(s->ksak, cert->pub_auth_key, k->user_id, k->user_id_len, k->ssk, k->pvt);
	if (rc != MST_OK)
		return kx_fail(err, err_len, rc, "cannot issue the ECCSI key: %s", mst_strerror(rc));
	rc = sakke_rsk_issue(s->z, sizeof s->z, k->user_id, k->user_id_len, k->rsk);
	if (rc != MST_OK)
		return kx_fail(err, err_len, rc, "cannot issue the SAKKE key: %s", mst_strerror(rc));
	rc = eccsi_validate(cert->pub_auth_key, k->user_id, k->user_id_len, k->ssk, k->pvt);
	if (rc != MST_OK)
		return kx_fail(err, err_len, rc,
			       "the issued SSK/PVT fail validation (RFC 6507 5.1.2): %s", mst_strerror(rc));
	rc = sakke_rsk_validate(cert->pub_enc_key, k->user_id, k->user_id_len, k->rsk);
	if (rc != MST_OK)
		return kx_fail(err, err_len, rc,
			       "the issued RSK fails validation (RFC 6508 6.1.2): %s", mst_strerror(rc));
	return MST_OK;
}

static void report(const kms_issue_opts *o, const kms_keyset *k)
{
	char id[2 * 64 + 1];
	size_t shown = k->user_id_len < 64 ? k->user_id_len : 64;

	hex_encode(k->user_id, shown, id); /* public: the identifier */
	printf("key set for %s, period %llu (%s to %s), UserID %s%s: %s\n", k->user_uri,
	       (unsigned long long)k->key_period_no, k->valid_from, k->valid_to, id,
	       shown < k->user_id_len ? "..." : "", o->out);
}

mst_rc kms_issue_keyset(const kms_certificate *cert, const kms_secrets *s, const char *uri,
			int have_period_no, uint64_t period_no, int64_t at, kms_keyset *k,
			char *err, size_t err_len)
{
	kms_period period;
	mst_rc rc;

	secure_wipe(k, sizeof *k);
	rc = kms_period_for(cert, uri, have_period_no, period_no, at, &period, err, err_len);
	if (rc != MST_OK)
		return rc;
	snprintf(k->kms_uri, sizeof k->kms_uri, "%s", cert->kms_uri);
	snprintf(k->user_uri, sizeof k->user_uri, "%s", uri);
	memcpy(k->user_id, period.id, period.id_len);
	k->user_id_len = period.id_len;
	k->key_period_no = period.period_no;
	memcpy(k->valid_from, period.valid_from, sizeof k->valid_from);
	memcpy(k->valid_to, period.valid_to, sizeof k->valid_to);
	rc = issue_keys(cert, s, k, err, err_len);
	if (rc != MST_OK)
		secure_wipe(k, sizeof *k);
	return rc;
}

mst_rc kms_user_issue(const kms_issue_opts *o, char *err, size_t err_len)
{
	kms_certificate cert;
	kms_secrets *s = secmem_alloc(sizeof *s);
	kms_keyset *k = secmem_alloc(sizeof *k);
	char *xml = NULL;
	size_t xml_len = 0;
	mst_rc rc;

	if (s == NULL || k == NULL) {
		secmem_free(s);
		secmem_free(k);
		return kx_fail(err, err_len, MST_ERR_NOMEM, "out of locked memory");
	}
	rc = kms_load_community(o->dir, &cert, s, err, err_len);
	if (rc == MST_OK)
		rc = kms_issue_keyset(&cert, s, o->uri, o->have_period_no, o->period_no,
				      o->have_at ? o->at : (int64_t)time(NULL), k, err, err_len);
	if (rc == MST_OK && (rc = kmsxml_write_keyset(k, o->wrapped, &xml, &xml_len)) != MST_OK)
		kx_fail(err, err_len, rc, "cannot write the KmsKeySet: %s", mst_strerror(rc));
	if (rc == MST_OK)
		rc = kms_write_file(o->out, xml, xml_len, 0600, err, err_len);
	if (rc == MST_OK)
		report(o, k);
	if (xml != NULL) {
		secure_wipe(xml, xml_len);
		free(xml);
	}
	secmem_free(k);
	secmem_free(s);
	return rc;
}
