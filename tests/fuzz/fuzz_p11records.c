/* tests/fuzz/fuzz_p11records.c - libFuzzer target for the records of the
 * SoftHSM2 keystore backend as token/backend_pkcs11_records.c,
 * _seal.c and _state.c read them back from the backing token, whose
 * objects whoever holds a session on it can write.
 *
 * The backing token is tests/fuzz/fake_p11.c (the same AES-256-GCM as
 * SoftHSM2, in memory, so millions of inputs run per minute); the input
 * is its object table, up to 16 CKO_DATA objects, each
 *   flags (bit 0 private, bit 1 application "mstoken-state" instead of
 *   "mstoken") | label length (1 octet) | label | value length (2 octets,
 *   big-endian) | value
 * Then the backend lists the records (p11_list), opens each object's
 * value as the record it claims to be (p11_value_open) and reads its PIN
 * state (p11_state_read).  Promises besides "no crash": listed names are
 * record names; an opened value is no longer than the stored one.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "token/backend_pkcs11_int.h"
#include "token/secmem.h"
#include "tests/fuzz/fake_p11.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void load(const uint8_t *p, size_t n)
{
	fake_p11_reset();
	while (n >= 2 && fake_n_objs < FAKE_P11_MAX_OBJECTS) {
		struct fake_obj *o = &fake_objs[fake_n_objs];
		size_t ll = p[1], vl;

		if (n < 2 + ll + 2 || ll > sizeof o->label)
			break;
		o->live = 1;
		o->is_private = p[0] & 1;
		strcpy(o->app, p[0] & 2 ? P11_STATE_APPLICATION : P11_APPLICATION);
		memcpy(o->label, p + 2, ll);
		o->label_len = ll;
		vl = (size_t)p[2 + ll] << 8 | p[3 + ll];
		p += 4 + ll;
		n -= 4 + ll;
		if (vl > n)
			vl = n;
		o->value = p;
		o->value_len = vl;
		p += vl;
		n -= vl;
		fake_n_objs++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct p11_store st;
	struct p11_state state;
	keystore_entry entries[FAKE_P11_MAX_OBJECTS];
	size_t n = FAKE_P11_MAX_OBJECTS, i, k;

	load(data, size);
	memset(&st, 0, sizeof st);
	st.f = fake_p11();
	st.pid = getpid();
	st.have_slot = 1;
	st.have_session = 1;
	st.session = 1;
	st.who = KEYSTORE_USER;
	st.seal_key = FAKE_P11_FIXED_KEY;
	if (p11_list(&st, entries, &n) == MST_OK) {
		for (i = 0; i < n; i++) {
			if (entries[i].name[0] == '\0')
				abort();
			for (k = 0; entries[i].name[k] != '\0'; k++)
				if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
					    entries[i].name[k]))
					abort();
		}
	}
	for (i = 0; i < fake_n_objs; i++) {
		const struct fake_obj *o = &fake_objs[i];
		char name[KEYSTORE_NAME_MAX + 1];
		uint32_t kind;
		uint8_t *out = NULL;
		size_t len = 0;

		if (strcmp(o->app, P11_APPLICATION) != 0 || o->label_len == 0 ||
		    o->label_len > KEYSTORE_NAME_MAX || memchr(o->label, 0, o->label_len))
			continue;
		memcpy(name, o->label, o->label_len);
		name[o->label_len] = '\0';
		if (p11_value_open(&st, name, o->is_private, o->value, o->value_len, &kind, &out,
				   &len) == MST_OK) {
			if (len == 0 || len > o->value_len)
				abort();
			if (o->is_private)
				secmem_free(out);
			else
				free(out);
		}
	}
	(void)p11_state_read(&st, &state);
	fake_p11_reset();
	return 0;
}
