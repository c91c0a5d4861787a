# client/client.mk: libmikeysakke (I_MESSAGE codec, SDP, SRTP, PKCS#11
# flows) and the mikey-sakke CLI.  The client never links token/: it
# reaches keys only through PKCS#11 (DESIGN.md, layers).
#
# client/libmsclient.la holds every object (tests link it to reach the
# internals); client/libmikeysakke.la is the installed shared library that
# exports only the MS_API symbols.
noinst_LTLIBRARIES += client/libmsclient.la
client_libmsclient_la_SOURCES = \
	client/status.c \
	client/codec.c \
	client/mikey_rd.c client/mikey_rd.h \
	client/mikey_wr.c client/mikey_int.h \
	client/mikey_hdr.c \
	client/mikey_payload.c \
	client/mikey_msg.c \
	client/keyparams.c \
	client/sdp.c \
	client/srtp.c \
	client/identity.c \
	client/p11.c client/p11.h \
	client/p11_ops.c \
	client/p11_dpck.c \
	client/ctx.c client/ctx.h \
	client/policy.c client/policy.h \
	client/imsg.c client/imsg.h \
	client/initiate.c \
	client/replay.c \
	client/accept.c \
	client/check_return.c \
	client/pool.c \
	client/announce.c \
	client/tone.c client/tone.h
client_libmsclient_la_CFLAGS = $(AM_CFLAGS) $(SRTP_CFLAGS) $(P11KIT_CFLAGS)
client_libmsclient_la_LIBADD = util/libmstutil.la $(CRYPTO_LIBS) $(SRTP_LIBS) $(P11KIT_LIBS) -ldl -lpthread -lm

lib_LTLIBRARIES += client/libmikeysakke.la
client_libmikeysakke_la_SOURCES =
client_libmikeysakke_la_LIBADD = client/libmsclient.la
client_libmikeysakke_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0 -no-undefined

mikeysakkeincludedir = $(includedir)/mikeysakke
mikeysakkeinclude_HEADERS = \
	include/mikeysakke/status.h \
	include/mikeysakke/mikey.h \
	include/mikeysakke/codec.h \
	include/mikeysakke/keyparams.h \
	include/mikeysakke/sdp.h \
	include/mikeysakke/srtp.h \
	include/mikeysakke/identity.h \
	include/mikeysakke/session.h \
	include/mikeysakke/replay.h \
	include/mikeysakke/pool.h \
	include/mikeysakke/announce.h

pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = client/mikey-sakke.pc
EXTRA_DIST += client/mikey-sakke.pc.in
DISTCLEANFILES += client/mikey-sakke.pc

bin_PROGRAMS += client/mikey-sakke
client_mikey_sakke_SOURCES = client/cli.c client/cli.h client/cli_create.c client/cli_accept.c \
	client/cli_provision.c client/prov.h client/prov_enrol.c client/prov_http.c client/prov_token.c \
	client/cli_ue.c client/ue.c client/ue.h client/ue_keys.c client/ue_keys.h client/ue_media.c
client_mikey_sakke_CPPFLAGS = $(AM_CPPFLAGS) -DMS_DEFAULT_MODULE='"$(p11moduledir)/mstoken-pkcs11.so"'
# the SIP user agent (ue) runs on sofia-sip's NUA (doc/sip.md)
client_mikey_sakke_CFLAGS = $(AM_CFLAGS) $(P11KIT_CFLAGS) $(CURL_CFLAGS) $(XML_CFLAGS) $(SOFIA_CFLAGS)
# the convenience library: a plain binary, no libtool wrapper script (the
# wrapper misbehaves when several copies start at once in the tests)
client_mikey_sakke_LDADD = client/libmsclient.la $(SOFIA_LIBS) $(CRYPTO_LIBS) $(CURL_LIBS) $(XML_LIBS) -lpthread
dist_man_MANS += client/mikey-sakke.1

bin_PROGRAMS += client/mikey-sakke-media
client_mikey_sakke_media_SOURCES = client/media.c
client_mikey_sakke_media_LDADD = client/libmsclient.la $(CRYPTO_LIBS)
