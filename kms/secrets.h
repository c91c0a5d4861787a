/* kms/secrets.h - the KMS secrets file D/kms-secrets (mode 0600).
 *
 * Text, one "name value" pair a line, '#' lines are comments:
 *
 *   mstoken-kms-secrets 1                   (format version, first line)
 *   kms-uri <KmsUri of the community>
 *   ksak <64 hex digits>                    KMS Secret Authentication Key (RFC 6507)
 *   z <256 hex digits>                      KMS master secret z_T (RFC 6508)
 *   kpak <130 hex digits>                   public: KPAK = [KSAK]G, 04||x||y
 *   z-pub <514 hex digits>                  public: Z_T = [z]P, 04||x||y
 *
 * The public values tie the file to its community.xml: a secrets file of
 * another community is refused by name rather than issuing bad keys.
 */
#ifndef MST_KMS_SECRETS_H
#define MST_KMS_SECRETS_H

#include <stddef.h>
#include "token/kmsxml.h"

#define KMS_SECRETS_VERSION "mstoken-kms-secrets 1"
#define KMS_SECRETS_MAX 4096

/* Lives in secmem_alloc memory. */
typedef struct {
	char kms_uri[KMSXML_URI_MAX];
	uint8_t ksak[ECCSI_N];
	uint8_t z[SAKKE_SCALAR_LEN];
	uint8_t kpak[ECCSI_POINT_LEN];
	uint8_t z_pub[SAKKE_POINT_LEN];
} kms_secrets;

/* The file's text in *out (secmem, NUL-terminated; secmem_free it). */
mst_rc kms_secrets_format(const kms_secrets *s, char **out, size_t *out_len);
/* Parse the text of a secrets file; name is used in reasons. */
mst_rc kms_secrets_parse(const char *text, size_t len, const char *name, kms_secrets *s,
			 char *err, size_t err_len);
/* The secrets are whole (KPAK = [KSAK]G, Z_T = [z]P) and belong to the
 * community of cert. */
mst_rc kms_secrets_match(const kms_secrets *s, const kms_certificate *cert, const char *name,
			 char *err, size_t err_len);

/* Index of the field called name (len octets) in names[0..n), or -1: the
 * "name value" text files of the KMS (kms-secrets, kms-users). */
int kms_field_index(const char *const *names, int n, const char *name, size_t len);

#endif
