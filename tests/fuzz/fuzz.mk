# tests/fuzz/fuzz.mk: fuzz targets of the client codec.
# fuzz_imessage.c is a libFuzzer target (LLVMFuzzerTestOneInput); make check
# runs it through the plain driver fuzz_replay (vendor messages, an optional
# corpus directory, 100000 seeded mutations).  A libFuzzer build:
#   clang -g -fsanitize=fuzzer,address,undefined -Iinclude -I. tests/fuzz/fuzz_imessage.c \
#       client/mikey_*.c client/keyparams.c client/status.c client/sdp.c \
#       client/announce.c -lcrypto -o fuzz_imessage
# (about 1.7 million runs in 40 s found nothing once the SDP rtpmap read
# was bounded; the target also drives the SDP and announcement parsers)
noinst_HEADERS += tests/fuzz/fuzz_imessage.h
check_PROGRAMS += tests/fuzz/fuzz_replay
TESTS += tests/fuzz/fuzz_replay
tests_fuzz_fuzz_replay_SOURCES = tests/fuzz/fuzz_replay.c tests/fuzz/fuzz_imessage.c
tests_fuzz_fuzz_replay_CFLAGS = $(TEST_CFLAGS)
tests_fuzz_fuzz_replay_LDADD = client/libmsclient.la $(CMOCKA_LIBS) $(CRYPTO_LIBS)
