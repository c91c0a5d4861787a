/* tests/unit/kmsxml_check.c - test helper: read a KmsCertificate and a
 * KmsKeySet with token/kmsxml and check the key set as a token would:
 * same KMS, UserID = the identifier recomputed from UserUri (format 2: the
 * UID of KeyPeriodNo; format 1: the month of ValidFrom), RFC 6507 5.1.2 and
 * RFC 6508 6.1.2.  Prints "ok" (exit 0) or "kmsxml-check: <reason>" (exit 1).
 * Used by kms_ref.sh on key sets from msref, a KMS that is not ours.
 *
 *   kmsxml-check CERT.xml KEYSET.xml
 */
#include "config.h"
#include "kms/fileio.h"
#include "kms/period.h"
#include "token/kmsxml.h"
#include "token/secmem.h"

#include <stdio.h>
#include <string.h>

static int refuse(const char *what, const char *why)
{
	printf("kmsxml-check: %s%s%s\n", what, why[0] != '\0' ? ": " : "", why);
	return 1;
}

/* The identifier the key set should carry. */
static mst_rc expected_id(const kms_certificate *c, const kms_keyset *k, uint8_t *id, size_t *len,
			  char *err, size_t err_len)
{
	int64_t from;
	mst_rc rc;

	if (c->user_id_format == 2) {
		*len = IDENTITY_UID_LEN;
		return identity_uid(k->user_uri, c->kms_uri, c->user_key_period, c->user_key_offset,
				    k->key_period_no, id);
	}
	if ((rc = kms_parse_time(k->valid_from, &from, err, err_len)) != MST_OK)
		return rc;
	*len = IDENTITY_MAX_LEN;
	return identity_rfc6509(from, k->user_uri, id, len);
}

static int check(const kms_certificate *c, const kms_keyset *k)
{
	uint8_t id[IDENTITY_MAX_LEN];
	size_t id_len;
	char err[KMSXML_URI_MAX];
	mst_rc rc;

	if (strcmp(c->kms_uri, k->kms_uri) != 0)
		return refuse("KmsUri differs from the certificate's", "");
	if ((rc = expected_id(c, k, id, &id_len, err, sizeof err)) != MST_OK)
		return refuse("cannot compute the identifier", mst_strerror(rc));
	if (id_len != k->user_id_len || memcmp(id, k->user_id, id_len) != 0)
		return refuse("UserID is not the identifier of UserUri", "");
	if ((rc = eccsi_validate(c->pub_auth_key, k->user_id, k->user_id_len, k->ssk, k->pvt)) != MST_OK)
		return refuse("SSK/PVT (RFC 6507 5.1.2)", mst_strerror(rc));
	if ((rc = sakke_rsk_validate(c->pub_enc_key, k->user_id, k->user_id_len, k->rsk)) != MST_OK)
		return refuse("RSK (RFC 6508 6.1.2)", mst_strerror(rc));
	puts("ok");
	return 0;
}

int main(int argc, char **argv)
{
	kms_certificate cert;
	kms_keyset *k = secmem_alloc(sizeof *k);
	uint8_t *buf;
	size_t len;
	char err[512];
	int status = 1;

	if (argc != 3 || k == NULL)
		return refuse("usage", "kmsxml-check CERT.xml KEYSET.xml");
	if (kms_read_file(argv[1], KMSXML_MAX_INPUT, 0, &buf, &len, err, sizeof err) != MST_OK)
		return refuse(argv[1], err);
	if (kmsxml_parse_certificate(buf, len, &cert, err, sizeof err) != MST_OK) {
		kms_release_file(buf, len, 0);
		return refuse(argv[1], err);
	}
	kms_release_file(buf, len, 0);
	if (kms_read_file(argv[2], KMSXML_MAX_INPUT, 1, &buf, &len, err, sizeof err) != MST_OK)
		return refuse(argv[2], err);
	if (kmsxml_parse_keyset(buf, len, k, err, sizeof err) != MST_OK)
		status = refuse(argv[2], err);
	else
		status = check(&cert, k);
	kms_release_file(buf, len, 1);
	secmem_free(k);
	return status;
}
