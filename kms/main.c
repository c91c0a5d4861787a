/* kms/main.c - mstoken-kms: command dispatch, help, and the error contract
 * (one line "mstoken-kms: <what is wrong>" on stderr, exit status 2). */
#include "config.h"
#include "kms/kms.h"
#include "kms/xmlwipe.h"

#include <stdio.h>
#include <string.h>

#define EXIT_USAGE 2

static const char usage[] =
	"Usage: mstoken-kms community create --dir D --kms-uri URI [--user-id-format 1|2]\n"
	"                   [--key-period SECONDS] [--key-offset SECONDS] [--wrapped] [--force]\n"
	"       mstoken-kms user issue --dir D --uri URI [--period-no N | --at TIME]\n"
	"                   --out FILE [--wrapped]\n"
	"       mstoken-kms user enrol --dir D --uri URI --out ENROL [--force]\n"
	"       mstoken-kms user rotate --dir D --uri URI\n"
	"       mstoken-kms serve --dir D --listen ADDR:PORT --cert CERT.pem --key KEY.pem\n"
	"       mstoken-kms --help | --version\n"
	"\n"
	"A development KMS for MIKEY-SAKKE (RFC 6507/6508/6509, 3GPP TS 33.180).\n"
	"\n"
	"community create   new KMS keys; writes D/community.xml (KmsCertificate: KmsUri,\n"
	"                   UserIdFormat, UserKeyPeriod, UserKeyOffset, PubEncKey = Z_T,\n"
	"                   PubAuthKey = KPAK) and D/kms-secrets (mode 0600). D is made\n"
	"                   (mode 0700) when absent.\n"
	"  --dir D                  community folder\n"
	"  --kms-uri URI            the KMS URI (KmsUri)\n"
	"  --user-id-format 1|2     1: RFC 6509 \"YYYY-MM\\0URI\\0\"; 2: TS 33.180 UID (default 2)\n"
	"  --key-period SECONDS     UserKeyPeriod (default 2592000, 30 days)\n"
	"  --key-offset SECONDS     UserKeyOffset from 1900-01-01 UTC (default 0)\n"
	"  --wrapped                write the certificate inside a KmsResponse\n"
	"  --force                  replace an existing community (its users need new keys)\n"
	"\n"
	"user issue         a KmsKeySet for URI (UserDecryptKey = RSK, UserSigningKeySSK,\n"
	"                   UserPubTokenPVT), validated before it is written (mode 0600).\n"
	"  --dir D                  community folder (community.xml bare or wrapped)\n"
	"  --uri URI                the user's URI (UserUri)\n"
	"  --period-no N            key period number N (default: the period of now)\n"
	"  --at TIME                the period holding TIME: YYYY-MM-DDThh:mm:ssZ or @UNIXSECONDS\n"
	"  --out FILE               where to write the key set\n"
	"  --wrapped                write the key set inside a KmsResponse\n"
	"KeyPeriodNo counts UserKeyPeriods from 1900-01-01 UTC + UserKeyOffset. In format 1\n"
	"the identifier holds a UTC month (of --at, now, or the period's start), and\n"
	"ValidFrom/ValidTo is the part of the key period inside that month.\n"
	"\n"
	"user enrol         enrol one device of URI for the KMS server: draws its access token,\n"
	"                   transport key TrK and integrity key InK, records them in\n"
	"                   D/kms-users (0600; the token only as a SHA-256) and writes ENROL\n"
	"                   (0600; kms-uri, user-uri, access-token, trk-id, trk, ink-id, ink).\n"
	"  --dir D                  community folder\n"
	"  --uri URI                the user's URI (UserUri)\n"
	"  --out ENROL              the enrolment file, for \"mikey-sakke provision init\"\n"
	"  --force                  replace the access token and keys of an enrolled user\n"
	"\n"
	"user rotate        new TrK and InK for an enrolled user: the next init response\n"
	"                   carries them (NewTransportKey/NewIntegrityKey, wrapped under the\n"
	"                   current TrK, signed with the current InK); once it is answered\n"
	"                   they replace the current ones.\n"
	"\n"
	"serve              the KMS over HTTPS (3GPP TS 33.180 Annex D): POST\n"
	"                   /keymanagement/identity/v1/init, .../keyprov (?next=1: also the\n"
	"                   next key period), .../certcache with \"Authorization: Bearer\n"
	"                   <access token>\" and a KmsRequest; answers SignedKmsResponse\n"
	"                   documents (HMAC-SHA-256 under the user's InK; keys wrapped under\n"
	"                   the TrK). Logs each request on stderr; stops on SIGINT/SIGTERM.\n"
	"  --dir D                  community folder (community.xml, kms-secrets, kms-users)\n"
	"  --listen ADDR:PORT       e.g. 127.0.0.1:8443 or [::1]:8443; port 0 picks a free one\n"
	"  --cert CERT.pem          the server's certificate (chain), PEM\n"
	"  --key KEY.pem            its private key, PEM\n"
	"\n"
	"Exit status: 0 done, 2 refused (one line on stderr says why). Nothing is left\n"
	"half-written: files are written under a temporary name and renamed.\n";

static int fail(const char *msg)
{
	fprintf(stderr, "mstoken-kms: %s\n", msg);
	return EXIT_USAGE;
}

static int run_community(int argc, char **argv, char *err)
{
	kms_community_opts o;
	kms_action act;

	if (kms_parse_community_args(argc, argv, &o, &act, err, KMS_ERR_LEN) != MST_OK)
		return fail(err);
	if (act == KMS_HELP)
		return fputs(usage, stdout) < 0;
	return kms_community_create(&o, err, KMS_ERR_LEN) == MST_OK ? 0 : fail(err);
}

static int run_enrol(int argc, char **argv, char *err)
{
	kms_enrol_opts o;
	kms_action act;

	if (kms_parse_enrol_args(argc, argv, &o, &act, err, KMS_ERR_LEN) != MST_OK)
		return fail(err);
	if (act == KMS_HELP)
		return fputs(usage, stdout) < 0;
	return kms_user_enrol(&o, err, KMS_ERR_LEN) == MST_OK ? 0 : fail(err);
}

static int run_rotate(int argc, char **argv, char *err)
{
	kms_enrol_opts o;
	kms_action act;

	if (kms_parse_rotate_args(argc, argv, &o, &act, err, KMS_ERR_LEN) != MST_OK)
		return fail(err);
	if (act == KMS_HELP)
		return fputs(usage, stdout) < 0;
	return kms_user_rotate(&o, err, KMS_ERR_LEN) == MST_OK ? 0 : fail(err);
}

static int run_serve(int argc, char **argv, char *err)
{
	kms_serve_opts o;
	kms_action act;

	if (kms_parse_serve_args(argc, argv, &o, &act, err, KMS_ERR_LEN) != MST_OK)
		return fail(err);
	if (act == KMS_HELP)
		return fputs(usage, stdout) < 0;
	return kms_serve(&o, err, KMS_ERR_LEN) == MST_OK ? 0 : fail(err);
}

static int run_issue(int argc, char **argv, char *err)
{
	kms_issue_opts o;
	kms_action act;

	if (kms_parse_issue_args(argc, argv, &o, &act, err, KMS_ERR_LEN) != MST_OK)
		return fail(err);
	if (act == KMS_HELP)
		return fputs(usage, stdout) < 0;
	return kms_user_issue(&o, err, KMS_ERR_LEN) == MST_OK ? 0 : fail(err);
}

int main(int argc, char **argv)
{
	char err[KMS_ERR_LEN] = "";

	if (kms_xml_wipe_allocators() != 0)
		return fail("cannot install the wiping allocators of libxml2");
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		printf("mstoken-kms %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "serve") == 0)
		return run_serve(argc - 1, argv + 1, err);
	if (argc < 3)
		return fail("expected 'community create', 'user issue', 'user enrol' or 'serve' "
			    "(see mstoken-kms --help)");
	/* getopt sees argv[0] as the program name: pass the command word */
	if (strcmp(argv[1], "community") == 0 && strcmp(argv[2], "create") == 0)
		return run_community(argc - 2, argv + 2, err);
	if (strcmp(argv[1], "user") == 0 && strcmp(argv[2], "issue") == 0)
		return run_issue(argc - 2, argv + 2, err);
	if (strcmp(argv[1], "user") == 0 && strcmp(argv[2], "enrol") == 0)
		return run_enrol(argc - 2, argv + 2, err);
	if (strcmp(argv[1], "user") == 0 && strcmp(argv[2], "rotate") == 0)
		return run_rotate(argc - 2, argv + 2, err);
	snprintf(err, sizeof err, "unknown command '%.40s %.40s' (see mstoken-kms --help)",
		 argv[1], argv[2]);
	return fail(err);
}
