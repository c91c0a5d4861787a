/* tests/unit/test_identity.c - RFC 6509 identifiers, TS 33.180 UIDs and
 * key period arithmetic. */
#include "test_util.h"

#include "token/identity.h"
#include "vectors/interop_vectors.h"

/* Every entry of a UID table reproduced by identity_uid. */
static void check_uid_table(const struct interop_uid_vector *t, size_t n)
{
	uint8_t uid[IDENTITY_UID_LEN];
	size_t i;

	for (i = 0; i < n; i++) {
		assert_int_equal(identity_uid(t[i].uri, t[i].kms_uri, t[i].key_period, t[i].key_offset,
					      t[i].key_period_no, uid), MST_OK);
		if (memcmp(uid, t[i].uid, IDENTITY_UID_LEN) != 0)
			fail_msg("UID of %s (%s, period %llu) differs", t[i].uri, t[i].kms_uri,
				 (unsigned long long)t[i].key_period_no);
	}
}

/* The five UID tests of streamwide-test-vectors.md (TS 33.180 Annex F). */
static void test_uid_vectors(void **state)
{
	uint8_t uid[IDENTITY_UID_LEN];

	(void)state;
	assert_int_equal(INTEROP_COUNT(interop_uid_vectors), 5);
	check_uid_table(interop_uid_vectors, INTEROP_COUNT(interop_uid_vectors));
	/* the first one written out, so the table cannot hide a mistake */
	assert_int_equal(identity_uid("sip:user@example.org", "kms.example.org", 2592000, 0, 1, uid),
			 MST_OK);
	assert_hex_equal(uid, sizeof(uid),
			 "74e2af803ab5d72841bbced0ce319ffe64f6fe23c88a2d258aabcf6ac5658ef4");
}

/* Every interop user whose UID parameters the JSON gives: these are the
 * identifiers the vendors' keys and signatures are bound to. */
static void test_interop_user_uids(void **state)
{
	(void)state;
	assert_int_equal(INTEROP_COUNT(interop_user_uids), 24);
	check_uid_table(interop_user_uids, INTEROP_COUNT(interop_user_uids));
}

/* A change in any one field changes the UID (each is hashed with its length). */
static void test_uid_fields_all_count(void **state)
{
	uint8_t base[IDENTITY_UID_LEN], other[IDENTITY_UID_LEN];

	(void)state;
	assert_int_equal(identity_uid("sip:a@b", "kms", 10, 0, 1, base), MST_OK);
	assert_int_equal(identity_uid("sip:a@c", "kms", 10, 0, 1, other), MST_OK);
	assert_memory_not_equal(base, other, sizeof(base));
	assert_int_equal(identity_uid("sip:a@b", "kmt", 10, 0, 1, other), MST_OK);
	assert_memory_not_equal(base, other, sizeof(base));
	assert_int_equal(identity_uid("sip:a@b", "kms", 11, 0, 1, other), MST_OK);
	assert_memory_not_equal(base, other, sizeof(base));
	assert_int_equal(identity_uid("sip:a@b", "kms", 10, 1, 1, other), MST_OK);
	assert_memory_not_equal(base, other, sizeof(base));
	assert_int_equal(identity_uid("sip:a@b", "kms", 10, 0, 2, other), MST_OK);
	assert_memory_not_equal(base, other, sizeof(base));
	/* moving a character across the URI / KMS URI border changes it too */
	assert_int_equal(identity_uid("sip:a@bk", "ms", 10, 0, 1, other), MST_OK);
	assert_memory_not_equal(base, other, sizeof(base));
}

static void test_uid_bad_input(void **state)
{
	uint8_t uid[IDENTITY_UID_LEN];
	char *big = malloc(0x10001);

	(void)state;
	assert_non_null(big);
	memset(big, 'a', 0x10000);
	big[0x10000] = '\0';
	assert_int_equal(identity_uid(NULL, "kms", 1, 0, 0, uid), MST_ERR_ARGS);
	assert_int_equal(identity_uid("sip:a@b", NULL, 1, 0, 0, uid), MST_ERR_ARGS);
	assert_int_equal(identity_uid("", "kms", 1, 0, 0, uid), MST_ERR_ARGS);
	assert_int_equal(identity_uid("sip:a@b", "", 1, 0, 0, uid), MST_ERR_ARGS);
	assert_int_equal(identity_uid("sip:a@b", "kms", 1, 0, 0, NULL), MST_ERR_ARGS);
	assert_int_equal(identity_uid(big, "kms", 1, 0, 0, uid), MST_ERR_RANGE);
	assert_int_equal(identity_uid("sip:a@b", big, 1, 0, 0, uid), MST_ERR_RANGE);
	big[0xFFFF] = '\0'; /* 65535 octets still fit the 2-octet length */
	assert_int_equal(identity_uid(big, "kms", 1, 0, 0, uid), MST_OK);
	free(big);
}

/* RFC 6508 Appendix A / RFC 6507 Appendix A: "2011-02\0tel:+447700900123\0". */
static void test_rfc6509_format(void **state)
{
	static const uint8_t want[] = "2011-02\0tel:+447700900123"; /* + final NUL */
	uint8_t out[64];
	size_t len = sizeof(out);

	(void)state;
	/* 2011-02-14 12:00:00 UTC */
	assert_int_equal(identity_rfc6509(1297684800, "tel:+447700900123", out, &len), MST_OK);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	assert_hex_equal(out, len, "3230 31312D30 32007465 6C3A2B34 34373730 30393030 31323300");
	/* month edges: first and last second of February 2011 */
	len = sizeof(out);
	assert_int_equal(identity_rfc6509(1296518400, "tel:+447700900123", out, &len), MST_OK);
	assert_memory_equal(out, "2011-02", 7);
	len = sizeof(out);
	assert_int_equal(identity_rfc6509(1298937599, "tel:+447700900123", out, &len), MST_OK);
	assert_memory_equal(out, "2011-02", 7);
	len = sizeof(out);
	assert_int_equal(identity_rfc6509(1298937600, "tel:+447700900123", out, &len), MST_OK);
	assert_memory_equal(out, "2011-03", 7);
	len = sizeof(out);
	assert_int_equal(identity_rfc6509(1296518399, "tel:+447700900123", out, &len), MST_OK);
	assert_memory_equal(out, "2011-01", 7);
}

static void test_rfc6509_calendar(void **state)
{
	static const struct { int64_t t; const char *ym; } cases[] = {
		{ 0, "1970-01" },
		{ -1, "1969-12" },                 /* before the epoch: floor, not truncation */
		{ 951782400, "2000-02" },          /* 2000-02-29, a 400-year leap day */
		{ 951868800, "2000-03" },          /* 2000-03-01 */
		{ 4107542400, "2100-03" },         /* 2100-03-01: 2100 is not leap */
		{ 4107456000, "2100-02" },         /* 2100-02-28 */
		{ 1798761599, "2026-12" },         /* 2026-12-31 23:59:59 */
		{ 1798761600, "2027-01" },
		{ -2208988800, "1900-01" },        /* the NTP epoch */
		{ 253402300799, "9999-12" },       /* the last second with 4 digits */
	};
	uint8_t out[64];
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = sizeof(out);
		assert_int_equal(identity_rfc6509(cases[i].t, "sip:x", out, &len), MST_OK);
		if (memcmp(out, cases[i].ym, 7) != 0)
			fail_msg("time %lld gave %.7s, not %s", (long long)cases[i].t, (char *)out,
				 cases[i].ym);
		assert_int_equal(len, 7 + 1 + 5 + 1);
	}
}

static void test_rfc6509_bad_input(void **state)
{
	uint8_t out[IDENTITY_MAX_LEN + 8];
	char uri[IDENTITY_MAX_LEN + 1];
	size_t len = sizeof(out);

	(void)state;
	assert_int_equal(identity_rfc6509(0, NULL, out, &len), MST_ERR_ARGS);
	assert_int_equal(identity_rfc6509(0, "", out, &len), MST_ERR_ARGS);
	assert_int_equal(identity_rfc6509(0, "sip:x", NULL, &len), MST_ERR_ARGS);
	assert_int_equal(identity_rfc6509(0, "sip:x", out, NULL), MST_ERR_ARGS);
	assert_int_equal(identity_rfc6509(253402300800, "sip:x", out, &len), MST_ERR_RANGE);
	assert_int_equal(identity_rfc6509(-62167219201, "sip:x", out, &len), MST_ERR_RANGE);
	assert_int_equal(identity_rfc6509(INT64_MAX, "sip:x", out, &len), MST_ERR_RANGE);
	assert_int_equal(identity_rfc6509(INT64_MIN, "sip:x", out, &len), MST_ERR_RANGE);
	/* capacity one octet short: refused, length untouched */
	len = 7 + 1 + 5 + 1 - 1;
	assert_int_equal(identity_rfc6509(0, "sip:x", out, &len), MST_ERR_RANGE);
	assert_int_equal(len, 13);
	/* the longest URI that fits IDENTITY_MAX_LEN, and one more */
	memset(uri, 'u', sizeof(uri));
	uri[IDENTITY_MAX_LEN - 9] = '\0';
	len = sizeof(out);
	assert_int_equal(identity_rfc6509(0, uri, out, &len), MST_OK);
	assert_int_equal(len, IDENTITY_MAX_LEN);
	uri[IDENTITY_MAX_LEN - 9] = 'u';
	uri[IDENTITY_MAX_LEN - 8] = '\0';
	len = sizeof(out);
	assert_int_equal(identity_rfc6509(0, uri, out, &len), MST_ERR_RANGE);
}

static void test_period_numbers(void **state)
{
	uint64_t n = 99;

	(void)state;
	/* the Thales I_MESSAGE: NTP 0xe43d14c0 lies in period 1477 of 30 days */
	assert_int_equal(identity_period_no(0xe43d14c0ULL, 2592000, 0, &n), MST_OK);
	assert_int_equal(n, 1477);
	/* with an offset: periods start at offset, offset + period, ... */
	assert_int_equal(identity_period_no(100, 25920000, 100, &n), MST_OK);
	assert_int_equal(n, 0);
	assert_int_equal(identity_period_no(100 + 25920000 - 1, 25920000, 100, &n), MST_OK);
	assert_int_equal(n, 0);
	assert_int_equal(identity_period_no(100 + 25920000, 25920000, 100, &n), MST_OK);
	assert_int_equal(n, 1);
	/* before the offset, or a zero period: refused, output untouched */
	n = 42;
	assert_int_equal(identity_period_no(99, 25920000, 100, &n), MST_ERR_RANGE);
	assert_int_equal(identity_period_no(1000, 0, 0, &n), MST_ERR_RANGE);
	assert_int_equal(n, 42);
	assert_int_equal(identity_period_no(1000, 10, 0, NULL), MST_ERR_ARGS);
	/* the largest time */
	assert_int_equal(identity_period_no(UINT64_MAX, 1, 0, &n), MST_OK);
	assert_true(n == UINT64_MAX);
	/* start of a period, and the round trip time -> number -> start */
	assert_true(identity_period_start(1477, 2592000, 0) == 1477ULL * 2592000);
	assert_true(identity_period_start(0, 25920000, 100) == 100);
	assert_true(identity_period_start(2, 25920000, 100) == 100 + 2 * 25920000ULL);
	assert_int_equal(identity_period_no(identity_period_start(236, 16777215, 0), 16777215, 0, &n),
			 MST_OK);
	assert_int_equal(n, 236);
	/* overflow is reported as UINT64_MAX, never wrapped */
	assert_true(identity_period_start(UINT64_MAX / 2, 3, 0) == UINT64_MAX);
	assert_true(identity_period_start(1, UINT64_MAX, 1) == UINT64_MAX);
	assert_true(identity_period_start(2, UINT64_MAX / 2, 2) == UINT64_MAX);
	assert_true(identity_period_start(1, UINT64_MAX - 1, 1) == UINT64_MAX); /* fits exactly */
	/* NTP <-> Unix offset: 1970-01-01 in NTP seconds */
	assert_true(NTP_UNIX_OFFSET == 2208988800ULL);
}

/* NTP seconds of a T payload to the month of its RFC 6509 identifier. */
static void test_ntp_to_unix(void **state)
{
	uint8_t out[32];
	size_t len = sizeof(out);

	(void)state;
	assert_true(identity_ntp_to_unix(0x83AA7E80u) == 0);            /* 1970-01-01 */
	assert_true(identity_ntp_to_unix(0xFFFFFFFFu) == 2085978495LL); /* last second of era 0 */
	assert_true(identity_ntp_to_unix(0x00000000u) == 2085978496LL); /* 2036-02-07 06:28:16 */
	assert_true(identity_ntp_to_unix(0x7FFFFFFFu) == 2085978496LL + 0x7FFFFFFF);
	assert_true(identity_ntp_to_unix(0x80000000u) == -(int64_t)NTP_UNIX_OFFSET + 0x80000000LL);
	/* the Thales I_MESSAGE's T payload: 0xe43d14c0, a day of May 2021 */
	assert_int_equal(identity_rfc6509(identity_ntp_to_unix(0xe43d14c0u), "sip:x", out, &len),
			 MST_OK);
	assert_memory_equal(out, "2021-05", 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uid_vectors),
		cmocka_unit_test(test_interop_user_uids),
		cmocka_unit_test(test_uid_fields_all_count),
		cmocka_unit_test(test_uid_bad_input),
		cmocka_unit_test(test_rfc6509_format),
		cmocka_unit_test(test_rfc6509_calendar),
		cmocka_unit_test(test_rfc6509_bad_input),
		cmocka_unit_test(test_period_numbers),
		cmocka_unit_test(test_ntp_to_unix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
