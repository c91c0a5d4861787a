/* tests/unit/test_mikey_identity.c - the client's own identifier code
 * against the TS 33.180 UID vectors, the users' published UIDs and the
 * RFC 6509 / RFC 6508 Appendix A form. */
#include "test_mikey_vectors.h"
#include "mikeysakke/identity.h"

static void test_uid_vectors(void **state)
{
	size_t i;
	uint8_t uid[MS_ID_UID_LEN];

	assert_int_equal(INTEROP_COUNT(interop_uid_vectors), 5);
	for (i = 0; i < INTEROP_COUNT(interop_uid_vectors); i++) {
		const struct interop_uid_vector *v = &interop_uid_vectors[i];

		assert_int_equal(ms_id_uid(v->uri, v->kms_uri, v->key_period, v->key_offset,
					   v->key_period_no, uid), MS_OK);
		assert_memory_equal(uid, v->uid, 32);
	}
	for (i = 0; i < INTEROP_COUNT(interop_user_uids); i++) {
		const struct interop_uid_vector *v = &interop_user_uids[i];

		assert_int_equal(ms_id_uid(v->uri, v->kms_uri, v->key_period, v->key_offset,
					   v->key_period_no, uid), MS_OK);
		assert_memory_equal(uid, v->uid, 32);
	}
	assert_true(INTEROP_COUNT(interop_user_uids) >= 5);
}

/* The period number comes from the message time: the Streamwide v5
 * messages (NTP 0xec898da8) are in key period 236 of 16777215 s. */
static void test_period_from_message_time(void **state)
{
	uint8_t id[64];
	size_t len;
	uint64_t no;
	const struct interop_message *m = &interop_messages[0];
	struct ms_id_params p = { 2, "kms.mydev.streamwide.com", 16777215, 0 };
	int64_t unix_time = (int64_t)(m->ntp_time >> 32) - 2208988800LL;

	assert_string_equal(m->block, "streamwide");
	assert_int_equal(ms_id_period_no(unix_time, 16777215, 0, &no), MS_OK);
	assert_int_equal(no, 236);
	assert_int_equal(ms_id_at(&p, "gms@streamwide.com", unix_time, id, sizeof(id), &len), MS_OK);
	assert_int_equal(len, 32);
	assert_memory_equal(id, m->initiator_id, 32);
	assert_int_equal(ms_id_at(&p, "sip:alice@streamwide.com", unix_time, id, sizeof(id), &len), MS_OK);
	assert_memory_equal(id, m->responder_id, 32);
	assert_int_equal(ms_id_period_no(unix_time, 0, 0, &no), MS_ERR_ARGS);
}

static void test_rfc6509_form(void **state)
{
	uint8_t id[64];
	size_t len;
	struct ms_id_params p = { 1, NULL, 0, 0 };

	/* RFC 6508 Appendix A identifier: "2011-02\0tel:+447700900123\0" */
	assert_int_equal(ms_id_at(&p, "tel:+447700900123", 1297000000, id, sizeof(id), &len), MS_OK);
	assert_int_equal(len, 26);
	assert_memory_equal(id, "2011-02\0tel:+447700900123\0", 26);
	assert_int_equal(ms_id_rfc6509(1297000000, "tel:+447700900123", id, 25, &len), MS_ERR_BUFFER);
	p.format = 3;
	assert_int_equal(ms_id_at(&p, "tel:+1", 0, id, sizeof(id), &len), MS_ERR_UNSUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uid_vectors),
		cmocka_unit_test(test_period_from_message_time),
		cmocka_unit_test(test_rfc6509_form),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
