/* token/backend_pkcs11_state.c - the public state object of a backing token.
 *
 * SoftHSM2 counts no wrong PINs, so we do: a public CKO_DATA object
 * (application "mstoken-state") holds the wrong-try counters, the label our
 * caller gave to init_token and a serial number.  It must be public because
 * wrong PINs are counted precisely when nobody is logged in.  This protects
 * our API only: whoever can edit SoftHSM2's files can reset it (see
 * doc/keystore.md).
 *
 * Value: version(1) sequence(4) user_fails(1) so_fails(1) label(32, NUL
 * padded) serial(16).  SoftHSM2 will not change CKA_VALUE of a data object,
 * so an update creates the next sequence and then destroys the older
 * objects; after a crash in between, the higher sequence is the state.
 */
#include "token/backend_pkcs11_int.h"

#include <stdlib.h>
#include <string.h>
#include "token/hex.h"

#define STATE_VERSION 1
#define STATE_LEN (7 + 32 + 16)

/* Every state object (normally one), malloc'd handles. */
static mst_rc find_states(struct p11_store *st, CK_OBJECT_HANDLE **objs, size_t *n)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	char app[] = P11_STATE_APPLICATION;
	CK_ATTRIBUTE t[] = {
		{ CKA_CLASS, &cls, sizeof cls },
		{ CKA_APPLICATION, app, sizeof app - 1 },
	};
	mst_rc rc = p11_need_session(st);

	return rc == MST_OK ? p11_find(st, t, 2, objs, n) : rc;
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A token initialised by another tool has no state object yet: counters
 * at zero, no label of ours, the backing token's own serial. */
static mst_rc state_default(struct p11_store *st, struct p11_state *s)
{
	CK_TOKEN_INFO ti;
	CK_RV rv = st->f->C_GetTokenInfo(st->slot, &ti);
	size_t n = 16;

	if (rv != CKR_OK)
		return p11_fail(st, "C_GetTokenInfo", rv);
	memcpy(s->serial, ti.serialNumber, 16);
	while (n > 0 && s->serial[n - 1] == ' ')
		n--;
	s->serial[n] = '\0';
	return MST_OK;
}

mst_rc p11_state_read(struct p11_store *st, struct p11_state *s)
{
	CK_OBJECT_HANDLE *objs = NULL;
	uint8_t *v = NULL;
	size_t n = 0, i, len;
	int found = 0;
	mst_rc rc;

	memset(s, 0, sizeof *s);
	rc = find_states(st, &objs, &n);
	for (i = 0; rc == MST_OK && i < n; i++) {
		rc = p11_get_attr(st, objs[i], CKA_VALUE, &v, &len);
		if (rc != MST_OK)
			break;
		if (len != STATE_LEN || v[0] != STATE_VERSION)
			rc = p11_fail_msg(st, MST_ERR_TAMPERED, "PIN state object malformed");
		else if (!found || get_u32(v + 1) > s->sequence) {
			found = 1;
			s->sequence = get_u32(v + 1);
			s->user_fails = v[5];
			s->so_fails = v[6];
			memcpy(s->label, v + 7, 32);
			memcpy(s->serial, v + 39, 16);
		}
		free(v);
	}
	free(objs);
	if (rc == MST_OK && !found)
		return state_default(st, s);
	return rc;
}

mst_rc p11_state_write(struct p11_store *st, const struct p11_state *s)
{
	uint8_t v[STATE_LEN];
	uint32_t seq = s->sequence + 1;
	CK_OBJECT_HANDLE *old, obj;
	size_t n, i;
	mst_rc rc;

	memset(v, 0, sizeof v);
	v[0] = STATE_VERSION;
	v[1] = (uint8_t)(seq >> 24);
	v[2] = (uint8_t)(seq >> 16);
	v[3] = (uint8_t)(seq >> 8);
	v[4] = (uint8_t)seq;
	v[5] = (uint8_t)(s->user_fails > 255 ? 255 : s->user_fails);
	v[6] = (uint8_t)(s->so_fails > 255 ? 255 : s->so_fails);
	memcpy(v + 7, s->label, strnlen(s->label, 32));
	memcpy(v + 39, s->serial, strnlen(s->serial, 16));
	rc = find_states(st, &old, &n);
	if (rc != MST_OK)
		return rc;
	rc = p11_create_data(st, P11_STATE_APPLICATION, "pin-state", 0, v, sizeof v, &obj);
	for (i = 0; rc == MST_OK && i < n; i++)
		rc = p11_destroy(st, old[i]);
	free(old);
	return rc;
}

mst_rc p11_state_fresh(struct p11_store *st, const char *label)
{
	struct p11_state s;
	uint8_t serial[8];
	mst_rc rc = p11_random(serial, sizeof serial);

	if (rc != MST_OK)
		return rc;
	memset(&s, 0, sizeof s);
	strncpy(s.label, label, MST_LABEL_MAX);
	hex_encode(serial, sizeof serial, s.serial);
	return p11_state_write(st, &s);
}

static unsigned *fails_of(struct p11_state *s, keystore_who who, unsigned *max)
{
	*max = who == KEYSTORE_SO ? P11_SO_MAX_TRIES : P11_USER_MAX_TRIES;
	return who == KEYSTORE_SO ? &s->so_fails : &s->user_fails;
}

mst_rc p11_state_check_locked(struct p11_store *st, keystore_who who)
{
	struct p11_state s;
	unsigned max;
	mst_rc rc = p11_state_read(st, &s);

	if (rc != MST_OK)
		return rc;
	return *fails_of(&s, who, &max) >= max ? MST_ERR_PIN_LOCKED : MST_OK;
}

/* Count one more wrong PIN (wrong != 0) or clear the count. */
static mst_rc update_fails(struct p11_store *st, keystore_who who, int wrong, int *locked)
{
	struct p11_state s;
	unsigned max, *fails;
	mst_rc rc = p11_state_read(st, &s);

	if (rc != MST_OK)
		return rc;
	fails = fails_of(&s, who, &max);
	*locked = 0;
	if (!wrong && *fails == 0)
		return MST_OK;    /* the common case writes nothing */
	*fails = wrong ? (*fails < max ? *fails + 1 : max) : 0;
	*locked = *fails >= max;
	return p11_state_write(st, &s);
}

mst_rc p11_state_wrong_pin(struct p11_store *st, keystore_who who)
{
	int locked;
	mst_rc rc = update_fails(st, who, 1, &locked);

	if (rc != MST_OK)
		return rc;
	return locked ? MST_ERR_PIN_LOCKED : MST_ERR_PIN_INCORRECT;
}

mst_rc p11_state_reset_pin(struct p11_store *st, keystore_who who)
{
	int locked;

	return update_fails(st, who, 0, &locked);
}
