/* tests/unit/test_sdp.c - SDP offers and answers carrying I_MESSAGEs. */
#include "test_util.h"
#include "mikeysakke/sdp.h"
#include "mikeysakke/announce.h"

static void offer(struct ms_sdp *d, enum ms_sdp_level level)
{
	memset(d, 0, sizeof(*d));
	strcpy(d->origin_user, "alice");
	d->session_id = 2890844526ULL;
	d->session_version = 1;
	strcpy(d->address, "127.0.0.1");
	d->port = 49170;
	strcpy(d->proto, "RTP/SAVP");
	d->n_fmts = 2;
	d->fmts[0] = 0;
	d->fmts[1] = 8;
	strcpy(d->rtpmap, "PCMU/8000");
	d->n_keys = 1;
	d->keys[0].level = level;
	d->keys[0].b64 = "ARoFAQ==";
	d->keys[0].len = 8;
}

static void test_offer_media_level(void **state)
{
	struct ms_sdp d, p;
	char text[1024];
	const struct ms_sdp_key *k[4];

	offer(&d, MS_SDP_MEDIA);
	assert_int_equal(ms_sdp_write(&d, text, sizeof(text)), MS_OK);
	assert_string_equal(text,
		"v=0\r\no=alice 2890844526 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
		"t=0 0\r\nm=audio 49170 RTP/SAVP 0 8\r\na=rtpmap:0 PCMU/8000\r\n"
		"a=key-mgmt:mikey ARoFAQ==\r\n");
	assert_int_equal(ms_sdp_parse(text, strlen(text), &p, NULL), MS_OK);
	assert_string_equal(p.address, "127.0.0.1");
	assert_int_equal(p.port, 49170);
	assert_string_equal(p.proto, "RTP/SAVP");
	assert_int_equal(p.n_fmts, 2);
	assert_string_equal(p.rtpmap, "PCMU/8000");
	assert_int_equal(ms_sdp_media_keys(&p, k, 4), 1);
	assert_int_equal(k[0]->level, MS_SDP_MEDIA);
	assert_int_equal(k[0]->len, 8);
	assert_memory_equal(k[0]->b64, "ARoFAQ==", 8);
}

static void test_offer_session_level_and_override(void **state)
{
	struct ms_sdp d, p;
	char text[1024];
	const struct ms_sdp_key *k[4];

	offer(&d, MS_SDP_SESSION);
	assert_int_equal(ms_sdp_write(&d, text, sizeof(text)), MS_OK);
	assert_non_null(strstr(text, "t=0 0\r\na=key-mgmt:mikey ARoFAQ==\r\nm=audio"));
	assert_int_equal(ms_sdp_parse(text, strlen(text), &p, NULL), MS_OK);
	assert_int_equal(ms_sdp_media_keys(&p, k, 4), 1);
	assert_int_equal(k[0]->level, MS_SDP_SESSION);

	/* a media-level key wins over the session-level one (RFC 4567 3.1) */
	d.n_keys = 2;
	d.keys[1] = (struct ms_sdp_key){ MS_SDP_MEDIA, "AQID", 4 };
	assert_int_equal(ms_sdp_write(&d, text, sizeof(text)), MS_OK);
	assert_int_equal(ms_sdp_parse(text, strlen(text), &p, NULL), MS_OK);
	assert_int_equal(p.n_keys, 2);
	assert_int_equal(ms_sdp_media_keys(&p, k, 4), 1);
	assert_memory_equal(k[0]->b64, "AQID", 4);
}

/* A group offer: one I_MESSAGE per member, LF-only line ends, multicast
 * address with TTL, another key management protocol and unknown lines. */
static void test_group_offer_foreign_text(void **state)
{
	static const char text[] =
		"v=0\no=gms 1 1 IN IP4 239.1.2.3\ns=group\ni=info\nc=IN IP4 239.1.2.3/16\nt=0 0\n"
		"m=audio 5004 RTP/SAVP 96\na=rtpmap:96 opus/48000/2\na=key-mgmt:kerberos abc\n"
		"a=key-mgmt:mikey AAAA\na=key-mgmt:mikey BBBB\na=key-mgmt:mikey CCCC\na=sendonly\n";
	struct ms_sdp p;
	const struct ms_sdp_key *k[8];

	assert_int_equal(ms_sdp_parse(text, strlen(text), &p, NULL), MS_OK);
	assert_string_equal(p.address, "239.1.2.3");
	assert_string_equal(p.rtpmap, "opus/48000/2");
	assert_int_equal(ms_sdp_media_keys(&p, k, 8), 3);
	assert_memory_equal(k[2]->b64, "CCCC", 4);
	assert_int_equal(ms_sdp_media_keys(&p, k, 2), 2);
}

static void test_answer(void **state)
{
	struct ms_sdp d, a, p;
	char text[1024];
	const struct ms_sdp_key *k[2];

	offer(&d, MS_SDP_MEDIA);
	assert_int_equal(ms_sdp_answer(&d, "127.0.0.2", 50000, NULL, &a), MS_OK);
	assert_int_equal(ms_sdp_write(&a, text, sizeof(text)), MS_OK);
	assert_non_null(strstr(text, "m=audio 50000 RTP/SAVP 0\r\n"));
	assert_null(strstr(text, "key-mgmt"));
	assert_int_equal(ms_sdp_answer(&d, "127.0.0.2", 50000, "Ym9i", &a), MS_OK);
	assert_int_equal(ms_sdp_write(&a, text, sizeof(text)), MS_OK);
	assert_int_equal(ms_sdp_parse(text, strlen(text), &p, NULL), MS_OK);
	assert_int_equal(ms_sdp_media_keys(&p, k, 2), 1);
	assert_memory_equal(k[0]->b64, "Ym9i", 4);
	assert_int_equal(ms_sdp_write(&a, text, 40), MS_ERR_BUFFER);
}

static void expect_refusal(const char *text, const char *why)
{
	struct ms_sdp p;
	struct ms_sdp_error err;

	assert_int_equal(ms_sdp_parse(text, strlen(text), &p, &err), MS_ERR_MALFORMED);
	assert_string_equal(err.text, why);
}

static void test_refusals(void **state)
{
	expect_refusal("", "SDP line 0: empty description");
	expect_refusal("v=1\r\n", "SDP line 1: must be \"v=0\"");
	expect_refusal("v=0\r\nhello\r\n", "SDP line 2: not a \"<type>=<value>\" line");
	expect_refusal("v=0\r\nc=IN IP6 ::1\r\n", "SDP line 2: c= needs \"IN IP4 <address>\"");
	/* an address that is no dotted IPv4 once its TTL is cut was kept,
	 * and an SDP written from it did not parse (found by fuzz_sdp) */
	expect_refusal("v=0\r\nc=IN IP4 1/2.0.2.10\r\n", "SDP line 2: c= needs \"IN IP4 <address>\"");
	expect_refusal("v=0\r\nc=IN IP4 /123456\r\n", "SDP line 2: c= needs \"IN IP4 <address>\"");
	expect_refusal("v=0\r\nc=IN IP4 1.2.3.4\r\nm=video 1 RTP/SAVP 0\r\n",
		       "SDP line 3: m= needs \"audio <port> <proto> <payload types>\"");
	expect_refusal("v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 70000 RTP/SAVP 0\r\n",
		       "SDP line 3: m= needs \"audio <port> <proto> <payload types>\"");
	expect_refusal("v=0\r\nc=IN IP4 1.2.3.4\r\na=key-mgmt:mikey\r\nm=audio 1 RTP/SAVP 0\r\n",
		       "SDP line 3: key-mgmt needs \"<protocol> <data>\"");
	expect_refusal("v=0\r\nc=IN IP4 1.2.3.4\r\n", "SDP line 0: no m=audio line");
	expect_refusal("v=0\r\nm=audio 1 RTP/SAVP 0\r\n", "SDP line 0: no c= line");
	expect_refusal("v=0\r\no=x\r\n",
		       "SDP line 2: o= needs \"<user> <id> <version> IN IP4 <address>\"");
}

/* RFC 4566 text excludes NUL.  A key-mgmt value with a NUL inside was
 * taken whole but written back cut at the NUL (found by fuzz_sdp): the
 * parser must refuse the line. */
static void test_nul_octet(void **state)
{
	static const char text[] = "v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 1 RTP/SAVP 0\r\n"
				   "a=key-mgmt:mikey AAAA\0BBBB\r\n";
	struct ms_sdp p;
	struct ms_sdp_error err;

	(void)state;
	assert_int_equal(ms_sdp_parse(text, sizeof text - 1, &p, &err), MS_ERR_MALFORMED);
	assert_int_equal(err.line, 4);
	assert_string_equal(err.text, "SDP line 4: NUL octet in the line");
}

/* The text is not NUL-terminated: a line cut at the buffer end is read
 * only up to there. */
static void test_unterminated_text(void **state)
{
	static const char text[] = "v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 1 RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000";
	struct ms_sdp p;

	/* cut right after "a=rtpmap:0": no encoding name, so no rtpmap */
	assert_int_equal(ms_sdp_parse(text, strlen(text) - 10, &p, NULL), MS_OK);
	assert_string_equal(p.rtpmap, "");
	assert_int_equal(ms_sdp_parse(text, strlen(text), &p, NULL), MS_OK);
	assert_string_equal(p.rtpmap, "PCMU/8000");
}

/* The network-independent session-initialisation datagram. */
static void test_announce(void **state)
{
	static const char *targets[] = { "sip:bob@example.org", "sip:carol@example.org" };
	char buf[512];
	size_t len;
	struct ms_announce a;

	assert_int_equal(ms_announce_write(targets, 2, "v=0\r\n", buf, sizeof(buf), &len), MS_OK);
	assert_int_equal(len, strlen(buf));
	assert_string_equal(buf, "MIKEY-SAKKE-INIT 1\r\ntarget: sip:bob@example.org\r\n"
			    "target: sip:carol@example.org\r\n\r\nv=0\r\n");
	assert_int_equal(ms_announce_parse(buf, len, &a), MS_OK);
	assert_int_equal(a.n_targets, 2);
	assert_true(ms_announce_names(&a, "sip:carol@example.org"));
	assert_false(ms_announce_names(&a, "sip:carol@example.or"));
	assert_int_equal(a.sdp_len, 5);
	assert_memory_equal(a.sdp, "v=0\r\n", 5);
	assert_int_equal(ms_announce_write(targets, 2, "v=0\r\n", buf, 40, &len), MS_ERR_BUFFER);
	/* no targets, wrong magic, no blank line, a CRLF inside a target */
	assert_int_equal(ms_announce_parse("MIKEY-SAKKE-INIT 1\r\n\r\nv=0", 25, &a), MS_ERR_MALFORMED);
	assert_int_equal(ms_announce_parse("MIKEY-SAKKE-INIT 2\r\n", 20, &a), MS_ERR_MALFORMED);
	assert_int_equal(ms_announce_parse("MIKEY-SAKKE-INIT 1\r\ntarget: x\r\n", 31, &a), MS_ERR_MALFORMED);
	targets[1] = "sip:x\r\ntarget: sip:y";
	assert_int_equal(ms_announce_write(targets, 2, "v=0\r\n", buf, sizeof(buf), &len), MS_ERR_ARGS);
	targets[1] = "sip:carol@example.org";
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offer_media_level),
		cmocka_unit_test(test_offer_session_level_and_override),
		cmocka_unit_test(test_group_offer_foreign_text),
		cmocka_unit_test(test_answer),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_unterminated_text),
		cmocka_unit_test(test_nul_octet),
		cmocka_unit_test(test_announce),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
