# tests/integration/client.mk: libmikeysakke and mikey-sakke against the
# real module (mstoken-pkcs11.so) on a private SoftHSM2.
check_PROGRAMS += tests/integration/test_client_flows
tests_integration_test_client_flows_SOURCES = \
	tests/integration/test_client_flows.c \
	tests/integration/test_client_util.c tests/integration/test_client.h tests/integration/p11_slot.h
tests_integration_test_client_flows_CFLAGS = $(TEST_CFLAGS) $(P11KIT_CFLAGS)
tests_integration_test_client_flows_LDADD = client/libmsclient.la $(CMOCKA_LIBS) $(CRYPTO_LIBS) -ldl

TESTS += tests/integration/client.sh
dist_check_SCRIPTS += tests/integration/client.sh

check_PROGRAMS += tests/integration/test_client_interop
tests_integration_test_client_interop_SOURCES = \
	tests/integration/test_client_interop.c \
	tests/integration/test_client_util.c tests/integration/test_client.h tests/integration/p11_slot.h
tests_integration_test_client_interop_CFLAGS = $(TEST_CFLAGS) $(P11KIT_CFLAGS)
tests_integration_test_client_interop_LDADD = client/libmsclient.la $(CMOCKA_LIBS) $(CRYPTO_LIBS) -ldl

TESTS += tests/integration/client_media.sh
dist_check_SCRIPTS += tests/integration/client_media.sh

TESTS += tests/integration/client_cli.sh
dist_check_SCRIPTS += tests/integration/client_cli.sh
dist_noinst_DATA += tests/integration/client_env.sh
dist_noinst_SCRIPTS += tests/integration/client_demo.sh tests/integration/read_secret.py

# make demo: the two flows end to end, each step shown (README main job).
demo: all
	top_builddir='$(abs_top_builddir)' top_srcdir='$(abs_top_srcdir)' \
		$(SHELL) '$(abs_top_srcdir)/tests/integration/client_demo.sh'
.PHONY: demo

# mikey-sakke provision against the real mstoken-kms serve (issue 10), on
# SoftHSM2 and on a TPM
TESTS += tests/integration/provision.sh tests/integration/provision-tpm.sh
dist_check_SCRIPTS += tests/integration/provision.sh tests/integration/provision-tpm.sh
dist_noinst_SCRIPTS += tests/integration/find_in_core.py
# key-period roll-over with the message clock set by --at (issue 10, item 4)
TESTS += tests/integration/provision_periods.sh
dist_check_SCRIPTS += tests/integration/provision_periods.sh
# SIP calls through two kamailio servers (doc/sip.md)
TESTS += tests/integration/sip_call.sh
dist_check_SCRIPTS += tests/integration/sip_call.sh
dist_noinst_DATA += tests/integration/sip_env.sh sip/kamailio-env.sh
dist_noinst_SCRIPTS += sip/sip-servers
dist_pkgdata_DATA = sip/kamailio.cfg
TESTS += tests/integration/sip_refused.sh
dist_check_SCRIPTS += tests/integration/sip_refused.sh
TESTS += tests/integration/sip_tls.sh
dist_check_SCRIPTS += tests/integration/sip_tls.sh
TESTS += tests/integration/sip_forged_return.sh
dist_check_SCRIPTS += tests/integration/sip_forged_return.sh
dist_noinst_DATA += tests/integration/sipp/register.xml tests/integration/sipp/forged-183.xml
TESTS += tests/integration/sip_offer_refused.sh
dist_check_SCRIPTS += tests/integration/sip_offer_refused.sh
dist_noinst_DATA += tests/integration/sipp/invite-accepted.xml tests/integration/sipp/invite-refused.xml
