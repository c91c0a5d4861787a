/* token/eccsi.h - ECCSI signatures (RFC 6507) on NIST P-256 with SHA-256.
 *
 * Sizes are fixed by RFC 6509: N = 32 octets, points 04||x||y (65 octets),
 * signature r||s||PVT (129 octets).  The identifier ID is an octet string
 * (RFC 6509 scheme 1 text or a 32-byte TS 33.180 UID).
 * Every function refuses a point that is not on the curve or is the point at
 * infinity, and a scalar that is 0 or not below q.  Secret scalars and
 * intermediates are wiped before return.
 */
#ifndef MST_ECCSI_H
#define MST_ECCSI_H

#include <stddef.h>
#include <stdint.h>
#include "token/status.h"

#define ECCSI_N 32            /* octets of a scalar / coordinate */
#define ECCSI_POINT_LEN 65    /* 0x04 || x || y */
#define ECCSI_SIG_LEN 129     /* r || s || PVT */

/* KMS: new KMS Secret Authentication Key KSAK and its public KPAK = [KSAK]G. */
mst_rc eccsi_kms_keygen(uint8_t ksak[ECCSI_N], uint8_t kpak[ECCSI_POINT_LEN]);
/* KPAK = [KSAK]G for a given KSAK in [1, q-1] (a KMS reloading its secret,
 * the RFC vectors). */
mst_rc eccsi_kms_public(const uint8_t ksak[ECCSI_N], uint8_t kpak[ECCSI_POINT_LEN]);

/* KMS (RFC 6507 5.1.1): issue SSK and PVT for id.  v is drawn at random;
 * eccsi_issue_with_v takes it from the caller (for the RFC vectors; a v
 * that makes HS or SSK zero gives MST_ERR_BAD_SCALAR).  MST_ERR_BAD_KEY
 * when kpak is not [ksak]G. */
mst_rc eccsi_issue(const uint8_t ksak[ECCSI_N], const uint8_t kpak[ECCSI_POINT_LEN],
		   const uint8_t *id, size_t id_len,
		   uint8_t ssk[ECCSI_N], uint8_t pvt[ECCSI_POINT_LEN]);
mst_rc eccsi_issue_with_v(const uint8_t ksak[ECCSI_N], const uint8_t kpak[ECCSI_POINT_LEN],
			  const uint8_t *id, size_t id_len, const uint8_t v[ECCSI_N],
			  uint8_t ssk[ECCSI_N], uint8_t pvt[ECCSI_POINT_LEN]);

/* HS = hash(G || KPAK || ID || PVT) (RFC 6507 5.1.1 step 3). */
mst_rc eccsi_hs(const uint8_t kpak[ECCSI_POINT_LEN], const uint8_t *id, size_t id_len,
		const uint8_t pvt[ECCSI_POINT_LEN], uint8_t hs[ECCSI_N]);

/* User (RFC 6507 5.1.2): KPAK = [SSK]G - [HS]PVT, and PVT, SSK well formed.
 * MST_ERR_BAD_KEY when the pair does not belong to id under kpak. */
mst_rc eccsi_validate(const uint8_t kpak[ECCSI_POINT_LEN], const uint8_t *id, size_t id_len,
		      const uint8_t ssk[ECCSI_N], const uint8_t pvt[ECCSI_POINT_LEN]);

/* Signer state: HS is computed once per key (it depends on KPAK, ID, PVT
 * only), so signing many messages costs one scalar multiplication each. */
typedef struct eccsi_signer eccsi_signer;
/* Validates the key (as eccsi_validate) and keeps copies in locked memory. */
mst_rc eccsi_signer_new(const uint8_t kpak[ECCSI_POINT_LEN], const uint8_t *id, size_t id_len,
			const uint8_t ssk[ECCSI_N], const uint8_t pvt[ECCSI_POINT_LEN],
			eccsi_signer **out);
void eccsi_signer_free(eccsi_signer *s);
/* RFC 6507 5.2.1 with a fresh random j.  Thread-safe for one signer. */
mst_rc eccsi_sign(const eccsi_signer *s, const uint8_t *msg, size_t msg_len,
		  uint8_t sig[ECCSI_SIG_LEN]);
/* The same with j from the caller (for the RFC vectors only). */
mst_rc eccsi_sign_with_j(const eccsi_signer *s, const uint8_t *msg, size_t msg_len,
			 const uint8_t j[ECCSI_N], uint8_t sig[ECCSI_SIG_LEN]);

/* RFC 6507 5.2.2.  MST_OK only for a valid signature; MST_ERR_BAD_SIGNATURE
 * for a wrong one (r not in [1, p-1] or s not in [1, q-1] included),
 * MST_ERR_BAD_POINT for a PVT or KPAK not on the curve. */
mst_rc eccsi_verify(const uint8_t kpak[ECCSI_POINT_LEN], const uint8_t *id, size_t id_len,
		    const uint8_t *msg, size_t msg_len, const uint8_t sig[ECCSI_SIG_LEN]);

/* Public intermediates of RFC 6507 5.2, as Appendix A prints them; filled
 * by the _trace variants (used by the RFC vector tests).  None is secret:
 * J's x coordinate is r, and HS, HE, Y follow from public values. */
typedef struct {
	uint8_t hs[ECCSI_N];
	uint8_t he[ECCSI_N];
	uint8_t j[ECCSI_POINT_LEN]; /* signing: [j]G; verifying: [s]([HE]G + [r]Y) */
	uint8_t y[ECCSI_POINT_LEN]; /* verifying only: [HS]PVT + KPAK */
} eccsi_trace;
mst_rc eccsi_sign_with_j_trace(const eccsi_signer *s, const uint8_t *msg, size_t msg_len,
			       const uint8_t j[ECCSI_N], uint8_t sig[ECCSI_SIG_LEN],
			       eccsi_trace *trace);
mst_rc eccsi_verify_trace(const uint8_t kpak[ECCSI_POINT_LEN], const uint8_t *id, size_t id_len,
			  const uint8_t *msg, size_t msg_len, const uint8_t sig[ECCSI_SIG_LEN],
			  eccsi_trace *trace);

/* A P-256 point in 04||x||y form that is on the curve and not infinity. */
mst_rc eccsi_check_point(const uint8_t pt[ECCSI_POINT_LEN]);

#endif
