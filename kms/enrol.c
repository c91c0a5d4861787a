/* kms/enrol.c - "user enrol": the out-of-band enrolment of one device.
 *
 * Draws the user's access token, transport key TrK and integrity key InK,
 * records them in D/kms-users (the token only as its SHA-256) and writes
 * the enrolment file ENROL (mode 0600) that the device's provisioning
 * client reads once ("mikey-sakke provision init") and then deletes:
 *
 *   kms-uri=<KmsUri>  user-uri=<URI>  access-token=<64 hex>
 *   trk-id=<id>  trk=<64 hex>  ink-id=<id>  ink=<64 hex>     (one a line)
 *
 * Both files are staged first; D/kms-users is renamed into place before
 * ENROL, under an exclusive lock of D so that two enrolments do not lose
 * each other's user.
 *
 * "user rotate" draws a new TrK and InK for an enrolled user and keeps them
 * pending in D/kms-users: the server delivers them in the next init
 * response (kms/serve_handle.c).
 */
#include "config.h"
#include "kms/kms.h"
#include "kms/fileio.h"
#include "kms/users.h"
#include "token/hex.h"
#include "token/kmsxml_doc.h"
#include "token/secmem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#define ENROL_MAX (KMSXML_URI_MAX * 2 + 512)

/* Fresh credentials into u (uri set); the token's hex into token_hex. */
static mst_rc new_credentials(kms_user *u, char token_hex[2 * KMS_TOKEN_LEN + 1])
{
	uint8_t token[KMS_TOKEN_LEN];
	mst_rc rc = MST_OK;

	if (RAND_bytes(token, sizeof token) != 1)
		rc = MST_ERR_CRYPTO;
	if (rc == MST_OK)
		rc = kms_users_new_keys(u, 0);
	u->rotating = 0; /* a new enrolment: nothing pending */
	if (rc == MST_OK) {
		hex_encode(token, sizeof token, token_hex);
		SHA256((const unsigned char *)token_hex, 2 * KMS_TOKEN_LEN, u->token_sha256);
	}
	secure_wipe(token, sizeof token);
	return rc;
}

/* The enrolment file's text into t (secmem, cap octets). */
static mst_rc format_enrolment(const char *kms_uri, const kms_user *u, const char *token_hex,
			       char *t, size_t cap, size_t *len)
{
	char trk[2 * KMS_KEY_LEN + 1], ink[2 * KMS_KEY_LEN + 1];
	int n;

	hex_encode(u->trk, sizeof u->trk, trk);
	hex_encode(u->ink, sizeof u->ink, ink);
	n = snprintf(t, cap, "kms-uri=%s\nuser-uri=%s\naccess-token=%s\ntrk-id=%s\ntrk=%s\n"
		     "ink-id=%s\nink=%s\n", kms_uri, u->uri, token_hex, u->trk_id, trk, u->ink_id, ink);
	secure_wipe(trk, sizeof trk);
	secure_wipe(ink, sizeof ink);
	if (n < 0 || (size_t)n >= cap)
		return MST_ERR_RANGE;
	*len = (size_t)n;
	return MST_OK;
}

static mst_rc enrol_locked(const kms_enrol_opts *o, kms_users *us, char *err, size_t err_len)
{
	char users_path[PATH_MAX], token_hex[2 * KMS_TOKEN_LEN + 1];
	char *enrol = secmem_alloc(ENROL_MAX), *users_text = NULL;
	size_t enrol_len = 0, users_len = 0;
	kms_certificate cert;
	kms_secrets *s = secmem_alloc(sizeof *s);
	kms_user *u;
	mst_rc rc;

	if (enrol == NULL || s == NULL) {
		rc = kx_fail(err, err_len, MST_ERR_NOMEM, "out of locked memory");
		goto out;
	}
	if ((rc = kms_load_community(o->dir, &cert, s, err, err_len)) != MST_OK ||
	    (rc = kms_path(users_path, sizeof users_path, o->dir, KMS_USERS_FILE, err, err_len)) != MST_OK)
		goto out;
	if ((u = kms_users_by_uri(us, o->uri)) != NULL && !o->force) {
		rc = kx_fail(err, err_len, MST_ERR_EXISTS,
			     "%s is already enrolled (use --force to replace its access token and keys)",
			     o->uri);
		goto out;
	}
	if (u == NULL) {
		if (us->n == KMS_USERS_MAX) {
			rc = kx_fail(err, err_len, MST_ERR_RANGE, "already %d users enrolled", KMS_USERS_MAX);
			goto out;
		}
		u = &us->u[us->n++];
		snprintf(u->uri, sizeof u->uri, "%s", o->uri);
	}
	if ((rc = new_credentials(u, token_hex)) != MST_OK) {
		kx_fail(err, err_len, rc, "cannot draw the keys: %s", mst_strerror(rc));
		goto out;
	}
	if ((rc = format_enrolment(cert.kms_uri, u, token_hex, enrol, ENROL_MAX, &enrol_len)) != MST_OK ||
	    (rc = kms_users_format(us, &users_text, &users_len)) != MST_OK) {
		kx_fail(err, err_len, rc, "cannot format the enrolment: %s", mst_strerror(rc));
		goto out;
	}
	/* the users file first: an enrolment file is never valid without it */
	rc = kms_write_pair(users_path, users_text, users_len, 0600, o->out, enrol, enrol_len, 0600,
			    err, err_len);
	if (rc == MST_OK)
		printf("enrolled %s at %s: access token, transport key %s and integrity key %s in %s "
		       "(mode 0600; delete it once the device is provisioned)\n",
		       u->uri, cert.kms_uri, u->trk_id, u->ink_id, o->out);
out:
	secure_wipe(token_hex, sizeof token_hex);
	secmem_free(users_text);
	secmem_free(enrol);
	secmem_free(s);
	return rc;
}

mst_rc kms_user_enrol(const kms_enrol_opts *o, char *err, size_t err_len)
{
	kms_users *us = NULL;
	mst_rc rc;
	int fd = kms_users_lock(o->dir, err, err_len);

	if (fd < 0)
		return MST_ERR_IO;
	if ((rc = kms_users_load(o->dir, &us, err, err_len)) == MST_OK)
		rc = enrol_locked(o, us, err, err_len);
	secmem_free(us);
	close(fd); /* releases the lock */
	return rc;
}

mst_rc kms_user_rotate(const kms_enrol_opts *o, char *err, size_t err_len)
{
	kms_users *us = NULL;
	kms_user *u;
	mst_rc rc;
	int fd = kms_users_lock(o->dir, err, err_len);

	if (fd < 0)
		return MST_ERR_IO;
	rc = kms_users_load(o->dir, &us, err, err_len);
	if (rc == MST_OK && (u = kms_users_by_uri(us, o->uri)) == NULL)
		rc = kx_fail(err, err_len, MST_ERR_NOT_FOUND, "%s is not enrolled", o->uri);
	else if (rc == MST_OK && (rc = kms_users_new_keys(u, 1)) != MST_OK)
		kx_fail(err, err_len, rc, "cannot draw the keys: %s", mst_strerror(rc));
	else if (rc == MST_OK && (rc = kms_users_save(o->dir, us, err, err_len)) == MST_OK)
		printf("%s: new transport key %s and integrity key %s go out with the next init "
		       "response (wrapped under %s) and replace %s and %s once it is answered\n",
		       u->uri, u->new_trk_id, u->new_ink_id, u->trk_id, u->trk_id, u->ink_id);
	secmem_free(us);
	close(fd);
	return rc;
}
