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
/* The module stays initialised from the first tc_provision on (the
 * ms_ctx_open calls then share it: CKR_CRYPTOKI_ALREADY_INITIALIZED); this
 * finalises it, after every ms_ctx is closed. */
void tc_release(void);
/* The URI of a Streamwide user. */
const char *tc_uri(const char *user);

#endif
