/* tests/unit/test_sakke_interop.c - third-party SAKKE data (vendor key
 * sets and I_MESSAGEs, tests/vectors/interop_vectors.h, generated from
 * interop_vectors.json by gen_interop.py): every published SAKKE payload
 * decapsulates with the published RSK, Z and responder identifier to the
 * published key, and every published RSK the JSON calls valid passes
 * RFC 6508 6.1.2 validation. */
#include "test_util.h"
#include "token/sakke.h"
#include "vectors/interop_vectors.h"

static void vendor_payloads_decapsulate(void **state)
{
	uint8_t ssv[SAKKE_SSV_LEN];
	size_t i, done = 0;

	(void)state;
	for (i = 0; i < INTEROP_COUNT(interop_messages); i++) {
		const struct interop_message *m = &interop_messages[i];

		/* messages whose receiver key was not published cannot be opened */
		if (m->responder_rsk == NULL || m->sakke_data == NULL || m->ssv == NULL)
			continue;
		assert_int_equal(m->sakke_params, 1);
		assert_int_equal(m->sakke_data_len, SAKKE_ENCAP_LEN);
		assert_int_equal(m->responder_rsk_len, SAKKE_POINT_LEN);
		assert_int_equal(m->z_len, SAKKE_POINT_LEN);
		assert_int_equal(m->ssv_len, SAKKE_SSV_LEN);
		memset(ssv, 0, sizeof ssv);
		if (sakke_decapsulate(m->z, m->responder_id, m->responder_id_len, m->responder_rsk,
				      m->sakke_data, ssv) != MST_OK)
			fail_msg("%s/%s: decapsulation refused", m->block, m->name);
		if (memcmp(ssv, m->ssv, SAKKE_SSV_LEN) != 0)
			fail_msg("%s/%s: wrong key", m->block, m->name);
		done++;
	}
	print_message("%zu vendor SAKKE payloads decapsulated\n", done);
	assert_true(done >= 10);
}

static void vendor_rsks_validate(void **state)
{
	size_t i, checked = 0;

	(void)state;
	for (i = 0; i < INTEROP_COUNT(interop_key_sets); i++) {
		const struct interop_key_set *k = &interop_key_sets[i];
		mst_rc rc;

		if (k->rsk == NULL || k->z == NULL)
			continue;
		rc = sakke_rsk_validate(k->z, k->uid, k->uid_len, k->rsk);
		/* expect_valid covers the whole key set (ECCSI and SAKKE): a set
		 * marked invalid may still hold a good RSK, so only the sets
		 * that must be accepted are asserted */
		if (k->expect_valid) {
			if (rc != MST_OK)
				fail_msg("%s/%s: RSK refused: %s", k->block, k->user, mst_strerror(rc));
			checked++;
		}
	}
	print_message("%zu vendor RSKs validated\n", checked);
	assert_true(checked >= 5);
}

/* The same vendor RSK used with another user's identifier is refused. */
static void vendor_rsk_bound_to_its_identifier(void **state)
{
	const struct interop_key_set *a = NULL, *b = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < INTEROP_COUNT(interop_key_sets); i++) {
		const struct interop_key_set *k = &interop_key_sets[i];

		if (!k->expect_valid || k->rsk == NULL || k->z == NULL)
			continue;
		if (a == NULL)
			a = k;
		else if (b == NULL && k->z == a->z && memcmp(k->uid, a->uid, a->uid_len) != 0)
			b = k;
	}
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(sakke_rsk_validate(a->z, b->uid, b->uid_len, a->rsk), MST_ERR_BAD_KEY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vendor_payloads_decapsulate),
		cmocka_unit_test(vendor_rsks_validate),
		cmocka_unit_test(vendor_rsk_bound_to_its_identifier),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
