# tests/unit/client.mk: cmocka tests of libmikeysakke (codec, SDP, SRTP).
# They link the convenience library, never token/.
TEST_CLIENT_LIBS = client/libmsclient.la $(CMOCKA_LIBS) $(CRYPTO_LIBS) $(SRTP_LIBS)
noinst_HEADERS += tests/unit/test_mikey_vectors.h

check_PROGRAMS += tests/unit/test_mikey
TESTS += tests/unit/test_mikey
tests_unit_test_mikey_SOURCES = tests/unit/test_mikey.c
tests_unit_test_mikey_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_mikey_LDADD = $(TEST_CLIENT_LIBS)

check_PROGRAMS += tests/unit/test_mikey_keyparams
TESTS += tests/unit/test_mikey_keyparams
tests_unit_test_mikey_keyparams_SOURCES = tests/unit/test_mikey_keyparams.c
tests_unit_test_mikey_keyparams_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_mikey_keyparams_LDADD = $(TEST_CLIENT_LIBS)

check_PROGRAMS += tests/unit/test_sdp
TESTS += tests/unit/test_sdp
tests_unit_test_sdp_SOURCES = tests/unit/test_sdp.c
tests_unit_test_sdp_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_sdp_LDADD = $(TEST_CLIENT_LIBS)

check_PROGRAMS += tests/unit/test_srtp
TESTS += tests/unit/test_srtp
tests_unit_test_srtp_SOURCES = tests/unit/test_srtp.c
tests_unit_test_srtp_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_srtp_LDADD = $(TEST_CLIENT_LIBS)

check_PROGRAMS += tests/unit/test_mikey_identity
TESTS += tests/unit/test_mikey_identity
tests_unit_test_mikey_identity_SOURCES = tests/unit/test_mikey_identity.c
tests_unit_test_mikey_identity_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_mikey_identity_LDADD = $(TEST_CLIENT_LIBS)

check_PROGRAMS += tests/unit/test_mikey_replay
TESTS += tests/unit/test_mikey_replay
tests_unit_test_mikey_replay_SOURCES = tests/unit/test_mikey_replay.c
tests_unit_test_mikey_replay_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_mikey_replay_LDADD = $(TEST_CLIENT_LIBS)

check_PROGRAMS += tests/unit/test_mikey_codec
TESTS += tests/unit/test_mikey_codec
tests_unit_test_mikey_codec_SOURCES = tests/unit/test_mikey_codec.c
tests_unit_test_mikey_codec_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_mikey_codec_LDADD = $(TEST_CLIENT_LIBS)
