/* tests/integration/test_client.h - provisioning helpers of the client
 * integration tests: the module loaded raw (SO work, XML import) and the
 * Streamwide community and users of tests/vectors as token contents. */
#ifndef TEST_CLIENT_H
#define TEST_CLIENT_H

#include "tests/unit/test_mikey_vectors.h"
#include "client/ctx.h"

#define TC_SO_PIN "12345678"
#define TC_PIN "1234"
#define TC_KMS "kms.mydev.streamwide.com"
/* 2025-10-03, inside key period 236 of the Streamwide community
 * (NTP time of the Streamwide v5 messages + 100 s) */
#define TC_NOW (3968437672LL - 2208988800LL + 100)

/* Initialises the token of an mstoken.conf slot (label) with TC_SO_PIN and
 * TC_PIN, then imports the Streamwide KmsCertificate and the key sets of
 * the named users ("alice", "bob", "gms"; NULL-terminated). */
void tc_provision(const char *label, const char *const *users);
/* Finalises and unloads the module this file loaded (tc_token_end does it,
 * so every ms_ctx_open afterwards initialises the module itself and reads
 * the provisioned records back, as a separate process would). */
void tc_release(void);
/* Step by step: a freshly initialised token (session logged in as the
 * user), KMS XML imports into it, and the session closed (module
 * finalised). */
CK_SESSION_HANDLE tc_token_begin(const char *label);
void tc_put_xml(CK_SESSION_HANDLE s, const char *app, const char *xml);
void tc_put_certificate(CK_SESSION_HANDLE s, const char *kms, unsigned long long period,
			unsigned long long offset, const uint8_t *z, const uint8_t *kpak);
void tc_put_keyset(CK_SESSION_HANDLE s, const char *kms, const char *uri,
		   const struct interop_key_set *k, unsigned long long period_no);
void tc_token_end(CK_SESSION_HANDLE s);
/* The URI of a Streamwide user. */
const char *tc_uri(const char *user);

#endif
