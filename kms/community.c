/* kms/community.c - "community create": new KMS keys for a community.
 *
 * KSAK / KPAK (RFC 6507) and z_T / Z_T (RFC 6508) are drawn fresh; the
 * public half goes into D/community.xml (a KmsCertificate, mode 0644), the
 * secrets into D/kms-secrets (mode 0600).  Both files are written under
 * temporary names first and renamed only when both are complete.
 */
#include "config.h"
#include "kms/kms.h"
#include "kms/fileio.h"
#include "kms/secrets.h"
#include "token/kmsxml_doc.h"
#include "token/secmem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* D exists as a folder (made, mode 0700, when absent). */
static mst_rc ensure_folder(const char *dir, char *err, size_t err_len)
{
	struct stat st;

	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return kx_fail(err, err_len, MST_ERR_IO, "--dir %s: not a folder", dir);
		return MST_OK;
	}
	if (errno != ENOENT || mkdir(dir, 0700) != 0)
		return kx_fail(err, err_len, MST_ERR_IO, "--dir %s: %s", dir, strerror(errno));
	return MST_OK;
}

static mst_rc refuse_existing(const char *path, int force, char *err, size_t err_len)
{
	struct stat st;

	if (!force && lstat(path, &st) == 0)
		return kx_fail(err, err_len, MST_ERR_EXISTS,
			       "%s already exists (use --force to replace the community)", path);
	return MST_OK;
}

/* New keys into s and cert. */
static mst_rc generate(const kms_community_opts *o, kms_secrets *s, kms_certificate *cert,
		       char *err, size_t err_len)
{
	mst_rc rc;

	memset(cert, 0, sizeof *cert);
	snprintf(cert->kms_uri, sizeof cert->kms_uri, "%s", o->kms_uri);
	snprintf(s->kms_uri, sizeof s->kms_uri, "%s", o->kms_uri);
	cert->user_id_format = o->user_id_format;
	cert->user_key_period = o->key_period;
	cert->user_key_offset = o->key_offset;
	if ((rc = eccsi_kms_keygen(s->ksak, s->kpak)) != MST_OK)
		return kx_fail(err, err_len, rc, "cannot make the ECCSI KMS keys: %s", mst_strerror(rc));
	if ((rc = sakke_kms_keygen(s->z, s->z_pub)) != MST_OK)
		return kx_fail(err, err_len, rc, "cannot make the SAKKE KMS keys: %s", mst_strerror(rc));
	memcpy(cert->pub_auth_key, s->kpak, sizeof s->kpak);
	memcpy(cert->pub_enc_key, s->z_pub, sizeof s->z_pub);
	return MST_OK;
}

mst_rc kms_community_create(const kms_community_opts *o, char *err, size_t err_len)
{
	char cert_path[PATH_MAX], sec_path[PATH_MAX], *cert_xml = NULL, *sec_text = NULL;
	size_t cert_len = 0, sec_len = 0;
	kms_certificate cert;
	kms_secrets *s;
	mst_rc rc;

	if ((rc = kms_path(cert_path, sizeof cert_path, o->dir, KMS_COMMUNITY_FILE, err, err_len)) != MST_OK ||
	    (rc = kms_path(sec_path, sizeof sec_path, o->dir, KMS_SECRETS_FILE, err, err_len)) != MST_OK ||
	    (rc = ensure_folder(o->dir, err, err_len)) != MST_OK ||
	    (rc = refuse_existing(cert_path, o->force, err, err_len)) != MST_OK ||
	    (rc = refuse_existing(sec_path, o->force, err, err_len)) != MST_OK)
		return rc;
	if ((s = secmem_alloc(sizeof *s)) == NULL)
		return kx_fail(err, err_len, MST_ERR_NOMEM, "out of locked memory");
	rc = generate(o, s, &cert, err, err_len);
	if (rc == MST_OK && (rc = kmsxml_write_certificate(&cert, o->wrapped, &cert_xml, &cert_len)) != MST_OK)
		kx_fail(err, err_len, rc, "cannot write the KmsCertificate: %s", mst_strerror(rc));
	if (rc == MST_OK && (rc = kms_secrets_format(s, &sec_text, &sec_len)) != MST_OK)
		kx_fail(err, err_len, rc, "cannot format the secrets: %s", mst_strerror(rc));
	if (rc == MST_OK)
		/* secrets first: a new kms-secrets beside an old community.xml is
		 * refused by name ("does not belong to this community") */
		rc = kms_write_pair(sec_path, sec_text, sec_len, 0600, cert_path, cert_xml, cert_len,
				    0644, err, err_len);
	if (rc == MST_OK)
		printf("community %s (UserIdFormat %u, UserKeyPeriod %llu s, UserKeyOffset %llu s): "
		       "%s, %s\n", cert.kms_uri, (unsigned)cert.user_id_format,
		       (unsigned long long)cert.user_key_period,
		       (unsigned long long)cert.user_key_offset, cert_path, sec_path);
	free(cert_xml);
	secmem_free(sec_text);
	secmem_free(s);
	return rc;
}
