/* tests/fuzz/fuzz_pkcs11.c - libFuzzer target for PKCS#11 templates: the
 * module, with one slot of the SoftHSM2 keystore backend, driven through
 * C_CreateObject / C_FindObjectsInit / C_GetAttributeValue /
 * C_SetAttributeValue / C_CopyObject / C_DestroyObject with fuzzed
 * templates (pValue NULL with a non-zero length included).
 *
 * The slot's backing token is the in-memory stand-in HSM
 * tests/fuzz/fake_p11.c, loaded as a module (tests/fuzz/.libs/fake_p11.so):
 * SoftHSM2's file store rereads its object files on every search, which
 * holds a campaign to some 30 sequences a second.  FUZZ_PKCS11_HSM=path
 * of SoftHSM2's module runs the same target over SoftHSM2 instead.
 *
 * The token is set up once per process in a fresh temporary folder
 * (C_InitToken, C_InitPIN, a user login, one generated sensitive secret
 * key and one data object); each input runs in a session of its own and
 * leaves nothing behind: its session objects go with the session, its
 * token objects are destroyed at the end.
 *
 * Input: a sequence of operations, each an opcode octet then its operands
 * (see next_template).  Promises checked besides "no crash": the value of
 * a sensitive or unextractable key is never returned, and the generated
 * key stays sensitive and unextractable whatever the templates asked.
 */
#include "config.h"
#include <ftw.h>
#include <stdint.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <p11-kit/pkcs11.h>
#include "mstoken/pkcs11-mstoken.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list);

#define MAX_ATTRS 8
#define MAX_OPS 24
#define MAX_HANDLES 32

static CK_FUNCTION_LIST_PTR f;
static CK_SLOT_ID slot;
static CK_OBJECT_HANDLE fixed_key, fixed_data;
static char dir[4096];
static CK_UTF8CHAR so_pin[] = "12345678", user_pin[] = "1234";
static char key_label[] = "fuzz-key", data_label[] = "fuzz-data", data_value[] = "abc";

/* the attribute types a template picks from (and any raw type) */
static const CK_ATTRIBUTE_TYPE types[] = {
	CKA_CLASS, CKA_TOKEN, CKA_PRIVATE, CKA_MODIFIABLE, CKA_COPYABLE, CKA_DESTROYABLE,
	CKA_LABEL, CKA_APPLICATION, CKA_OBJECT_ID, CKA_VALUE, CKA_KEY_TYPE, CKA_ID,
	CKA_START_DATE, CKA_END_DATE, CKA_DERIVE, CKA_LOCAL, CKA_KEY_GEN_MECHANISM,
	CKA_VALUE_LEN, CKA_SENSITIVE, CKA_EXTRACTABLE, CKA_ALWAYS_SENSITIVE,
	CKA_NEVER_EXTRACTABLE, CKA_WRAP_WITH_TRUSTED, CKA_DECRYPT, CKA_SIGN, CKA_UNWRAP,
	CKA_ENCRYPT, CKA_VERIFY, CKA_WRAP, CKA_TRUSTED, CKA_SUBJECT, CKA_SIGN_RECOVER,
	CKA_ALWAYS_AUTHENTICATE, CKA_VERIFY_RECOVER, CKA_MSTOKEN_KMS_URI,
	CKA_MSTOKEN_USER_ID_FORMAT, CKA_MSTOKEN_KEY_PERIOD, CKA_MSTOKEN_KEY_OFFSET,
	CKA_MSTOKEN_POINT, CKA_MSTOKEN_USER_URI, CKA_MSTOKEN_USER_ID,
	CKA_MSTOKEN_KEY_PERIOD_NO, CKA_MSTOKEN_VALID_FROM, CKA_MSTOKEN_VALID_TO,
	CKA_MSTOKEN_PVT, CKA_MSTOKEN_KPAK, CKA_MSTOKEN_Z,
};

struct in {
	const uint8_t *p;
	size_t n;
};

static uint8_t next(struct in *in)
{
	uint8_t v = 0;

	if (in->n) {
		v = *in->p++;
		in->n--;
	}
	return v;
}

static void die(const char *what, CK_RV rv)
{
	fprintf(stderr, "fuzz_pkcs11 set-up: %s: 0x%lx\n", what, (unsigned long)rv);
	exit(1);
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	return remove(path);
}

static void teardown(void)
{
	if (f != NULL)
		f->C_Finalize(NULL);
	if (dir[0] != '\0')
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void write_file(const char *name, const char *text)
{
	char path[sizeof dir + 64];
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fp = fopen(path, "w");
	if (fp == NULL || fputs(text, fp) < 0 || fclose(fp) != 0)
		die(path, 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	char text[8192], label[32];
	CK_SESSION_HANDLE s;
	CK_ULONG n = 1;
	CK_RV rv;
	CK_OBJECT_CLASS data_cls = CKO_DATA;
	CK_BBOOL yes = CK_TRUE;
	CK_ULONG key_len = 16;
	CK_MECHANISM gen = { CKM_GENERIC_SECRET_KEY_GEN, NULL, 0 };
	CK_ATTRIBUTE key_t[] = {
		{ CKA_TOKEN, &yes, sizeof yes }, { CKA_VALUE_LEN, &key_len, sizeof key_len },
		{ CKA_LABEL, key_label, 8 },
	};
	const char *hsm = getenv("FUZZ_PKCS11_HSM");
	CK_ATTRIBUTE data_t[] = {
		{ CKA_CLASS, &data_cls, sizeof data_cls }, { CKA_TOKEN, &yes, sizeof yes },
		{ CKA_LABEL, data_label, 9 }, { CKA_VALUE, data_value, 3 },
	};

	(void)argc; (void)argv;
	snprintf(dir, sizeof dir, "%s/mst-fuzz-p11-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		die("mkdtemp", 0);
	atexit(teardown);
	snprintf(text, sizeof text, "%s/tokens", dir);
	if (mkdir(text, 0700) != 0)
		die("mkdir", 0);
	snprintf(text, sizeof text,
		 "directories.tokendir = %s/tokens\nobjectstore.backend = file\n"
		 "log.level = ERROR\nslots.removable = false\n", dir);
	write_file("softhsm2.conf", text);
	snprintf(text, sizeof text, "[slot]\nlabel = fuzz\nbackend = pkcs11\n"
		 "pkcs11.module = %s\npkcs11.token = fuzz-store\n",
		 hsm != NULL && *hsm != '\0' ? hsm : FAKE_P11_MODULE);
	write_file("mstoken.conf", text);
	snprintf(text, sizeof text, "%s/softhsm2.conf", dir);
	setenv("SOFTHSM2_CONF", text, 1);
	snprintf(text, sizeof text, "%s/mstoken.conf", dir);
	setenv("MSTOKEN_CONF", text, 1);

	if ((rv = C_GetFunctionList(&f)) != CKR_OK)
		die("C_GetFunctionList", rv);
	if ((rv = f->C_Initialize(NULL)) != CKR_OK)
		die("C_Initialize", rv);
	if ((rv = f->C_GetSlotList(CK_FALSE, &slot, &n)) != CKR_OK || n != 1)
		die("C_GetSlotList", rv);
	memset(label, ' ', sizeof label);
	memcpy(label, "fuzz", 4);
	if ((rv = f->C_InitToken(slot, so_pin, 8, (CK_UTF8CHAR_PTR)label)) != CKR_OK)
		die("C_InitToken", rv);
	if ((rv = f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s)) != CKR_OK)
		die("C_OpenSession", rv);
	if ((rv = f->C_Login(s, CKU_SO, so_pin, 8)) != CKR_OK ||
	    (rv = f->C_InitPIN(s, user_pin, 4)) != CKR_OK ||
	    (rv = f->C_Logout(s)) != CKR_OK)
		die("SO login / C_InitPIN", rv);
	if ((rv = f->C_Login(s, CKU_USER, user_pin, 4)) != CKR_OK)
		die("user login", rv);
	if ((rv = f->C_GenerateKey(s, &gen, key_t, 3, &fixed_key)) != CKR_OK)
		die("C_GenerateKey", rv);
	if ((rv = f->C_CreateObject(s, data_t, 4, &fixed_data)) != CKR_OK)
		die("C_CreateObject", rv);
	/* this session stays open: the user stays logged in */
	return 0;
}

/* A template: count, then per attribute a type octet (an index into
 * types[], 0xff: four octets of raw type) and a mode octet whose low two
 * bits say how the value follows: 0 pValue NULL with the length of the
 * next octet; 1 a CK_ULONG of the next four octets; 2 a CK_BBOOL of the
 * next octet; 3 a length octet (mod 80) and that many octets.  A template
 * that receives values (C_GetAttributeValue) takes no value octets: mode
 * 0 is a size query (pValue NULL, length from the next octet), others a
 * buffer of mode / 4 octets.  Values live in buf. */
static CK_ULONG next_template(struct in *in, CK_ATTRIBUTE *t, uint8_t buf[MAX_ATTRS][96],
			      int receive)
{
	CK_ULONG n = next(in) % (MAX_ATTRS + 1), i;

	for (i = 0; i < n; i++) {
		uint8_t sel = next(in), mode = next(in), len = 0;
		CK_ULONG v;
		size_t k;

		if (sel == 0xff) {
			t[i].type = (CK_ULONG)next(in) << 24 | (CK_ULONG)next(in) << 16 |
				    (CK_ULONG)next(in) << 8 | next(in);
		} else {
			t[i].type = types[sel % (sizeof types / sizeof types[0])];
		}
		t[i].pValue = buf[i];
		if (receive) {
			/* a buffer of mode / 4 octets, or a size query */
			if ((mode & 3) == 0)
				t[i].pValue = NULL;
			t[i].ulValueLen = (mode & 3) == 0 ? next(in) : (CK_ULONG)(mode >> 2);
			continue;
		}
		switch (mode & 3) {
		case 0:
			t[i].pValue = NULL;
			t[i].ulValueLen = next(in);
			break;
		case 1:
			v = (CK_ULONG)next(in) << 24 | (CK_ULONG)next(in) << 16 |
			    (CK_ULONG)next(in) << 8 | next(in);
			memcpy(buf[i], &v, sizeof v);
			t[i].ulValueLen = sizeof v;
			break;
		case 2:
			buf[i][0] = next(in);
			t[i].ulValueLen = 1;
			break;
		default:
			len = next(in) % 80;
			for (k = 0; k < len; k++)
				buf[i][k] = next(in);
			t[i].ulValueLen = len;
			break;
		}
	}
	return n;
}

static CK_OBJECT_HANDLE pick(struct in *in, const CK_OBJECT_HANDLE *h, size_t n)
{
	uint8_t b = next(in);

	if (b == 0xfe)
		return fixed_key;
	if (b == 0xfd)
		return fixed_data;
	if (b == 0xfc)
		return (CK_OBJECT_HANDLE)next(in);
	return n ? h[b % n] : fixed_key;
}

static CK_BBOOL get_bool(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type)
{
	CK_BBOOL v = 0xee;
	CK_ATTRIBUTE a = { type, &v, sizeof v };

	return f->C_GetAttributeValue(s, h, &a, 1) == CKR_OK ? v : 0xee;
}

/* A key's value came back: it must be a key that may be read. */
static void check_readable(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h)
{
	CK_OBJECT_CLASS cls = CKO_DATA;
	CK_ATTRIBUTE a = { CKA_CLASS, &cls, sizeof cls };

	if (f->C_GetAttributeValue(s, h, &a, 1) != CKR_OK)
		abort();
	if (cls == CKO_PRIVATE_KEY ||
	    (cls == CKO_SECRET_KEY && (get_bool(s, h, CKA_SENSITIVE) != CK_FALSE ||
				       get_bool(s, h, CKA_EXTRACTABLE) != CK_TRUE)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE made[MAX_HANDLES], seen[MAX_HANDLES], h;
	size_t n_made = 0, n_seen = 0, i;
	int ops = 0, finding = 0;

	if (f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s) != CKR_OK)
		abort();
	while (in.n && ops++ < MAX_OPS) {
		CK_ATTRIBUTE t[MAX_ATTRS];
		static uint8_t buf[MAX_ATTRS][96];
		CK_ULONG n, got = 0, k;
		CK_RV rv;

		switch (next(&in) % 7) {
		case 0:
			n = next_template(&in, t, buf, 0);
			if (f->C_CreateObject(s, next(&in) & 1 ? NULL : t, n, &h) == CKR_OK &&
			    n_made < MAX_HANDLES)
				made[n_made++] = h;
			break;
		case 1:
			n = next_template(&in, t, buf, 0);
			if (f->C_FindObjectsInit(s, next(&in) & 1 ? NULL : t, n) == CKR_OK)
				finding = 1;
			/* some results */
			__attribute__((fallthrough));
		case 2: {
			CK_OBJECT_HANDLE found[8];

			rv = f->C_FindObjects(s, found, next(&in) % 9, &got);
			for (k = 0; rv == CKR_OK && k < got && n_seen < MAX_HANDLES; k++)
				seen[n_seen++] = found[k];
			if (next(&in) & 1 && f->C_FindObjectsFinal(s) == CKR_OK)
				finding = 0;
			break;
		}
		case 3:
			h = pick(&in, seen, n_seen);
			n = next_template(&in, t, buf, 1);
			rv = f->C_GetAttributeValue(s, h, t, n);
			for (k = 0; k < n; k++)
				if (t[k].type == CKA_VALUE && t[k].pValue != NULL &&
				    t[k].ulValueLen != CK_UNAVAILABLE_INFORMATION &&
				    (rv == CKR_OK || rv == CKR_ATTRIBUTE_SENSITIVE ||
				     rv == CKR_ATTRIBUTE_TYPE_INVALID || rv == CKR_BUFFER_TOO_SMALL))
					check_readable(s, h);
			break;
		case 4:
			h = pick(&in, made, n_made);
			n = next_template(&in, t, buf, 0);
			(void)f->C_SetAttributeValue(s, h, t, n);
			break;
		case 5:
			h = next(&in) & 1 ? pick(&in, seen, n_seen) : pick(&in, made, n_made);
			n = next_template(&in, t, buf, 0);
			if (f->C_CopyObject(s, h, t, n, &h) == CKR_OK && n_made < MAX_HANDLES)
				made[n_made++] = h;
			break;
		default:
			if (n_made) {
				i = next(&in) % n_made;
				(void)f->C_DestroyObject(s, made[i]);
				made[i] = made[--n_made];
			}
			break;
		}
	}
	if (finding)
		(void)f->C_FindObjectsFinal(s);
	if (get_bool(s, fixed_key, CKA_SENSITIVE) != CK_TRUE ||
	    get_bool(s, fixed_key, CKA_EXTRACTABLE) != CK_FALSE)
		abort();
	for (i = 0; i < n_made; i++)
		(void)f->C_DestroyObject(s, made[i]);
	if (f->C_CloseSession(s) != CKR_OK)
		abort();
	return 0;
}
