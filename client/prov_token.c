/* client/prov_token.c - what mikey-sakke provision asks of the token, by
 * PKCS#11 only: TrK/InK objects from the enrolment, the import of a KMS
 * response (C_CreateObject of a "3GPP KmsKeySet" / "3GPP KmsCertificate"
 * data object), and listing / pruning what the token holds.  Every line
 * printed is public: URIs, periods, dates, key IDs - never a key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "mikeysakke/codec.h"
#include "client/prov.h"

static CK_RV find(struct ms_p11 *p, CK_ATTRIBUTE *t, CK_ULONG n, CK_OBJECT_HANDLE *out,
		  CK_ULONG cap, CK_ULONG *got)
{
	*got = 0;
	return ms_p11_find(p, t, n, out, cap, got) == MS_OK ? CKR_OK : p->last_rv;
}

static CK_OBJECT_HANDLE find_key(struct ms_p11 *p, CK_KEY_TYPE type, const char *id)
{
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof cls },
		{ CKA_KEY_TYPE, &type, sizeof type },
		{ CKA_ID, (void *)(uintptr_t)id, strlen(id) },
	};
	CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
	CK_ULONG n = 0;

	return find(p, t, 3, &h, 1, &n) == CKR_OK && n == 1 ? h : CK_INVALID_HANDLE;
}

static CK_RV put_key(struct ms_p11 *p, CK_KEY_TYPE type, const char *id, const uint8_t *key,
		     const char *user, const char *label, int token)
{
	CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
	CK_BBOOL tok = token ? CK_TRUE : CK_FALSE, yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof cls },
		{ CKA_KEY_TYPE, &type, sizeof type },
		{ CKA_TOKEN, &tok, sizeof tok },
		{ CKA_PRIVATE, token ? &yes : &no, sizeof yes },
		{ CKA_SENSITIVE, &yes, sizeof yes },
		{ CKA_EXTRACTABLE, &no, sizeof no },
		{ CKA_ID, (void *)(uintptr_t)id, strlen(id) },
		{ CKA_LABEL, (void *)(uintptr_t)label, strlen(label) },
		{ CKA_MSTOKEN_USER_URI, (void *)(uintptr_t)user, strlen(user) },
		{ CKA_VALUE, (void *)(uintptr_t)key, PROV_KEY_LEN },
	};
	CK_OBJECT_HANDLE h;

	if (find_key(p, type, id) != CK_INVALID_HANDLE)
		return CKR_OK;
	return p->f->C_CreateObject(p->s, t, sizeof t / sizeof t[0], &h);
}

CK_RV prov_token_put_keys(struct ms_p11 *p, const struct prov_enrol *e, int token)
{
	CK_RV rv = put_key(p, CKK_MSTOKEN_KMS_TRK, e->trk_id, e->trk, e->user_uri, e->kms_uri, token);

	if (rv == CKR_OK)
		rv = put_key(p, CKK_MSTOKEN_KMS_INK, e->ink_id, e->ink, e->user_uri, e->kms_uri, token);
	return rv;
}

CK_RV prov_token_import(struct ms_p11 *p, const char *app, const struct prov_body *b)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof cls },
		{ CKA_TOKEN, &yes, sizeof yes },
		{ CKA_PRIVATE, &no, sizeof no },
		{ CKA_APPLICATION, (void *)(uintptr_t)app, strlen(app) },
		{ CKA_LABEL, (void *)(uintptr_t)app, strlen(app) },
		{ CKA_VALUE, b->data, b->len },
	};
	CK_OBJECT_HANDLE h;

	return p->f->C_CreateObject(p->s, t, sizeof t / sizeof t[0], &h);
}

int prov_token_has_community(struct ms_p11 *p, const char *kms_uri)
{
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_KEY_TYPE type = CKK_MSTOKEN_ECCSI;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof cls },
		{ CKA_KEY_TYPE, &type, sizeof type },
		{ CKA_MSTOKEN_KMS_URI, (void *)(uintptr_t)kms_uri, strlen(kms_uri) },
	};
	CK_OBJECT_HANDLE h;
	CK_ULONG n = 0;

	return find(p, t, 3, &h, 1, &n) == CKR_OK && n == 1;
}

/* ---- listing -------------------------------------------------------------- */

static void text_attr(struct ms_p11 *p, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE a, char *out,
		      size_t cap)
{
	size_t len = 0;

	if (ms_p11_attr(p, o, a, out, cap - 1, &len) != MS_OK)
		len = 0;
	out[len] = '\0';
}

static CK_ULONG ulong_attr(struct ms_p11 *p, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE a)
{
	CK_ULONG v = 0;

	(void)ms_p11_attr_ulong(p, o, a, &v);
	return v;
}

static int seen(const struct prov_seen *s, CK_OBJECT_HANDLE h)
{
	size_t i;

	for (i = 0; s != NULL && i < s->n; i++)
		if (s->h[i] == h)
			return 1;
	return 0;
}

static CK_ULONG objects_of(struct ms_p11 *p, CK_OBJECT_CLASS cls, CK_KEY_TYPE type,
			   CK_OBJECT_HANDLE *out, CK_ULONG cap)
{
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof cls }, { CKA_KEY_TYPE, &type, sizeof type } };
	CK_ULONG n = 0;

	return find(p, t, 2, out, cap, &n) == CKR_OK ? n : 0;
}

void prov_token_snapshot(struct ms_p11 *p, struct prov_seen *s)
{
	CK_ULONG n = 0;

	s->n = 0;
	if (ms_p11_find(p, NULL, 0, s->h, sizeof s->h / sizeof s->h[0], &n) == MS_OK)
		s->n = n;
}

int prov_time(const char *t, int64_t *out)
{
	struct tm tm = { 0 }, back;
	time_t v;

	if (sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
		   &tm.tm_min, &tm.tm_sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	back = tm;
	v = timegm(&tm);
	if (tm.tm_mday != back.tm_mday || tm.tm_mon != back.tm_mon)
		return -1;
	*out = (int64_t)v;
	return 0;
}

/* "valid", "expired" or "not yet valid" at now. */
static const char *validity(const char *from, const char *to, int64_t now)
{
	int64_t f, t;

	if (to[0] != '\0' && prov_time(to, &t) == 0 && now >= t)
		return "expired";
	if (from[0] != '\0' && prov_time(from, &f) == 0 && now < f)
		return "not yet valid";
	return "valid";
}

int prov_token_print(struct ms_p11 *p, const struct prov_seen *since, const char *prefix)
{
	CK_OBJECT_HANDLE h[256];
	CK_ULONG n, i;
	char a[PROV_TEXT_MAX], b[64], c[64], id[PROV_ID_MAX * 2 + 1];
	uint8_t uid[1100];
	size_t uid_len = 0;
	int64_t now = (int64_t)time(NULL);
	int lines = 0;

	n = objects_of(p, CKO_PUBLIC_KEY, CKK_MSTOKEN_ECCSI, h, 256);
	for (i = 0; i < n; i++) {
		if (seen(since, h[i]))
			continue;
		text_attr(p, h[i], CKA_MSTOKEN_KMS_URI, a, sizeof a);
		printf("%scommunity %s: UserIdFormat %lu, key period %lu s, offset %lu s\n", prefix, a,
		       ulong_attr(p, h[i], CKA_MSTOKEN_USER_ID_FORMAT),
		       ulong_attr(p, h[i], CKA_MSTOKEN_KEY_PERIOD),
		       ulong_attr(p, h[i], CKA_MSTOKEN_KEY_OFFSET));
		lines++;
	}
	n = objects_of(p, CKO_PRIVATE_KEY, CKK_MSTOKEN_ECCSI, h, 256);
	for (i = 0; i < n; i++) {
		if (seen(since, h[i]))
			continue;
		text_attr(p, h[i], CKA_MSTOKEN_USER_URI, a, sizeof a);
		text_attr(p, h[i], CKA_MSTOKEN_VALID_FROM, b, sizeof b);
		text_attr(p, h[i], CKA_MSTOKEN_VALID_TO, c, sizeof c);
		if (ms_p11_attr(p, h[i], CKA_MSTOKEN_USER_ID, uid, sizeof uid, &uid_len) != MS_OK)
			uid_len = 0;
		ms_hex_encode(uid, uid_len > 16 ? 16 : uid_len, id);
		printf("%skey set %s: period %lu, %s to %s (%s), UserID %s%s\n", prefix, a,
		       ulong_attr(p, h[i], CKA_MSTOKEN_KEY_PERIOD_NO), b[0] ? b : "-", c[0] ? c : "-",
		       validity(b, c, now), id, uid_len > 16 ? "..." : "");
		lines++;
	}
	for (int k = 0; k < 2; k++) {
		n = objects_of(p, CKO_SECRET_KEY, k == 0 ? CKK_MSTOKEN_KMS_TRK : CKK_MSTOKEN_KMS_INK, h, 256);
		for (i = 0; i < n; i++) {
			if (seen(since, h[i]))
				continue;
			text_attr(p, h[i], CKA_ID, id, sizeof id);
			text_attr(p, h[i], CKA_MSTOKEN_USER_URI, a, sizeof a);
			printf("%s%s %s of %s\n", prefix, k == 0 ? "transport key (TrK)" : "integrity key (InK)",
			       id, a);
			lines++;
		}
	}
	return lines;
}

/* The data objects and keys of one key set: UserID || 01 and || 02. */
static void destroy_keys(struct ms_p11 *p, const uint8_t *uid, size_t uid_len)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	uint8_t id[1101];
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof cls }, { CKA_ID, id, uid_len + 1 } };
	CK_OBJECT_HANDLE h[4];
	CK_ULONG n = 0, i;
	int s;

	memcpy(id, uid, uid_len);
	for (s = 1; s <= 2; s++) {
		id[uid_len] = (uint8_t)s;
		if (find(p, t, 2, h, 4, &n) == CKR_OK)
			for (i = 0; i < n; i++)
				p->f->C_DestroyObject(p->s, h[i]);
	}
}

int prov_token_prune(struct ms_p11 *p, const char *user_uri, int64_t now, int64_t *latest_end)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_KEY_TYPE type = CKK_MSTOKEN_ECCSI;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof cls },
		{ CKA_KEY_TYPE, &type, sizeof type },
		{ CKA_MSTOKEN_USER_URI, (void *)(uintptr_t)user_uri, strlen(user_uri) },
	};
	CK_OBJECT_HANDLE h[256];
	CK_ULONG n = 0, i;
	char to[64];
	uint8_t uid[1100];
	size_t uid_len;
	int64_t end;
	int deleted = 0;

	*latest_end = 0;
	if (find(p, t, 3, h, 256, &n) != CKR_OK)
		return -1;
	for (i = 0; i < n; i++) {
		text_attr(p, h[i], CKA_MSTOKEN_VALID_TO, to, sizeof to);
		if (to[0] == '\0' || prov_time(to, &end) != 0)
			continue;
		if (end > now) {
			if (end > *latest_end)
				*latest_end = end;
			continue;
		}
		if (ms_p11_attr(p, h[i], CKA_MSTOKEN_USER_ID, uid, sizeof uid, &uid_len) != MS_OK)
			continue;
		printf("deleted key set %s: period %lu, ended %s\n", user_uri,
		       ulong_attr(p, h[i], CKA_MSTOKEN_KEY_PERIOD_NO), to);
		destroy_keys(p, uid, uid_len);
		deleted++;
	}
	return deleted;
}

const char *prov_reason(CK_RV rv)
{
	switch (rv) {
	case CKR_SIGNATURE_INVALID: return "bad signature";
	case CKR_MSTOKEN_KMS_UNKNOWN_KEY: return "unknown transport key (or integrity key)";
	case CKR_WRAPPED_KEY_INVALID: return "bad encrypted key (does not open under the transport key)";
	case CKR_MSTOKEN_KMS_REPLAY: return "replayed response";
	case CKR_MSTOKEN_KMS_WRONG_USER: return "wrong user";
	case CKR_MSTOKEN_KMS_PLAIN_REFUSED: return "unencrypted key set refused (require_encrypted_keys)";
	case CKR_DOMAIN_PARAMS_INVALID: return "community not in the token (run provision init)";
	case CKR_USER_NOT_LOGGED_IN: return "not allowed in this session (a community needs the SO)";
	case CKR_ATTRIBUTE_VALUE_INVALID: return "response refused by the token (malformed, or nothing new)";
	default: return "refused by the token";
	}
}
