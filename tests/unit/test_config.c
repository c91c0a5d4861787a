/* tests/unit/test_config.c - mstoken.conf parsing, errors and search order. */
#include <config.h>
#include "test_util.h"
#include "token/config.h"

#include <errno.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/mst-config-XXXXXX";
static char file[MST_PATH_MAX];

static void write_text(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void write_conf(const char *text)
{
	write_text(file, text, strlen(text));
}

static int group_setup(void **state)
{
	(void)state;
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(file, sizeof file, "%s/mstoken.conf", tmpdir);
	return 0;
}

static int group_teardown(void **state)
{
	char cmd[MST_PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The form of issue 3 and the mstoken.conf(5) page, exactly as written. */
static void issue_example_parses(void **state)
{
	const char *module = "/usr/lib/softhsm/libsofthsm2.so";
	char text[2048], err[256];
	mst_config cfg;

	(void)state;
	if (access(module, F_OK) != 0)
		module = MST_DEFAULT_HSM_MODULE;   /* other distributions */
	snprintf(text, sizeof text, "[slot]\nlabel = alice\nbackend = pkcs11\n"
		 "pkcs11.module = %s\npkcs11.token = alice-store\n", module);
	write_conf(text);
	assert_int_equal(mst_config_load_file(file, &cfg, err, sizeof err), MST_OK);
	assert_string_equal(err, "");
	assert_string_equal(cfg.path, file);
	assert_int_equal(cfg.n_slots, 1);
	assert_string_equal(cfg.slots[0].label, "alice");
	assert_int_equal(cfg.slots[0].backend, MST_BACKEND_PKCS11);
	assert_string_equal(cfg.slots[0].pkcs11_module, module);
	assert_string_equal(cfg.slots[0].pkcs11_token, "alice-store");
	assert_int_equal(cfg.slots[0].line, 1);
}

/* The example at the top of token/config.h, comments included. */
static void header_example_parses(void **state)
{
	char text[2048], err[256];
	mst_config cfg;

	(void)state;
	snprintf(text, sizeof text,
		 "[slot]\n"
		 "label = alice\n"
		 "backend = pkcs11            ; or tpm\n"
		 "pkcs11.module = %s\n"
		 "pkcs11.token = alice-store\n"
		 "\n"
		 "[slot]\n"
		 "label = bob\n"
		 "backend = tpm\n"
		 "tpm.tcti = swtpm:host=127.0.0.1,port=2321\n"
		 "tpm.store = /var/lib/mstoken/bob\n"
		 "tpm.primary = 0x81000001    ; optional persistent SRK handle\n",
		 MST_DEFAULT_HSM_MODULE);
	write_conf(text);
	assert_int_equal(mst_config_load_file(file, &cfg, err, sizeof err), MST_OK);
	assert_int_equal(cfg.n_slots, 2);
	assert_int_equal(cfg.slots[0].backend, MST_BACKEND_PKCS11);
	assert_string_equal(cfg.slots[0].pkcs11_token, "alice-store");
	assert_string_equal(cfg.slots[1].label, "bob");
	assert_int_equal(cfg.slots[1].backend, MST_BACKEND_TPM);
	assert_string_equal(cfg.slots[1].tpm_tcti, "swtpm:host=127.0.0.1,port=2321");
	assert_string_equal(cfg.slots[1].tpm_store, "/var/lib/mstoken/bob");
	assert_int_equal(cfg.slots[1].tpm_primary, 0x81000001u);
	assert_int_equal(cfg.slots[1].line, 7);
}

static void defaults_fill_optional_keys(void **state)
{
	char err[256];
	mst_config cfg;

	(void)state;
	write_conf("[slot]\nlabel = carol\nbackend = pkcs11\n"
		   "[slot]\nlabel = dave\nbackend = tpm\ntpm.store = /srv/dave\n");
	assert_int_equal(mst_config_load_file(file, &cfg, err, sizeof err), MST_OK);
	assert_string_equal(cfg.slots[0].pkcs11_module, MST_DEFAULT_HSM_MODULE);
	assert_string_equal(cfg.slots[0].pkcs11_token, "carol");
	assert_string_equal(cfg.slots[1].tpm_tcti, "device:/dev/tpmrm0");
	assert_int_equal(cfg.slots[1].tpm_primary, 0);
	assert_int_equal(cfg.slots[0].require_encrypted_keys, 0);
	assert_int_equal(cfg.slots[1].require_encrypted_keys, 0);
}

/* require_encrypted_keys: per slot, either backend, yes/no spellings. */
static void require_encrypted_keys(void **state)
{
	char err[256];
	mst_config cfg;

	(void)state;
	write_conf("[slot]\nlabel = a\nbackend = pkcs11\nrequire_encrypted_keys = yes\n"
		   "[slot]\nlabel = b\nbackend = tpm\ntpm.store = /x\nrequire_encrypted_keys = false\n"
		   "[slot]\nlabel = c\nbackend = tpm\ntpm.store = /y\nrequire_encrypted_keys = 1\n");
	assert_int_equal(mst_config_load_file(file, &cfg, err, sizeof err), MST_OK);
	assert_int_equal(cfg.slots[0].require_encrypted_keys, 1);
	assert_int_equal(cfg.slots[1].require_encrypted_keys, 0);
	assert_int_equal(cfg.slots[2].require_encrypted_keys, 1);
}

static void crlf_comments_and_blanks(void **state)
{
	char err[256];
	mst_config cfg;

	(void)state;
	write_conf("# mstoken\r\n; another comment\r\n\r\n  [ slot ]  \r\n"
		   "\tlabel=x#y   # '#' inside a value is kept\r\n"
		   "backend   =   tpm ;comment\r\n"
		   "tpm.store = /srv/a;b\r\n"
		   "tpm.primary = 2164260866\r\n");
	assert_int_equal(mst_config_load_file(file, &cfg, err, sizeof err), MST_OK);
	assert_int_equal(cfg.n_slots, 1);
	assert_string_equal(cfg.slots[0].label, "x#y");
	assert_int_equal(cfg.slots[0].backend, MST_BACKEND_TPM);
	assert_string_equal(cfg.slots[0].tpm_store, "/srv/a;b");
	assert_int_equal(cfg.slots[0].tpm_primary, 0x81000002u);
}

/* Load text that must fail with exactly "FILE:<suffix>", leaving cfg as it
 * was (nothing half-written). */
static void expect_error(const char *text, size_t len, const char *suffix)
{
	char err[512], want[MST_PATH_MAX + 256];
	mst_config cfg, before;

	memset(&cfg, 0xa5, sizeof cfg);
	before = cfg;
	write_text(file, text, len);
	assert_int_equal(mst_config_load_file(file, &cfg, err, sizeof err), MST_ERR_CONFIG);
	snprintf(want, sizeof want, "%s:%s", file, suffix);
	assert_string_equal(err, want);
	assert_memory_equal(&cfg, &before, sizeof cfg);
}

#define EXPECT_ERROR(text, suffix) expect_error((text), strlen(text), (suffix))
#define SLOT_A "[slot]\nlabel = a\n"

static void each_error_names_file_and_line(void **state)
{
	(void)state;
	EXPECT_ERROR(SLOT_A "backend = pkcs11\nfoo = 1\n", "4: unknown key 'foo'");
	EXPECT_ERROR("[slots]\n", "1: unknown section [slots]");
	EXPECT_ERROR("[slot\n", "1: malformed section header (expected [slot])");
	EXPECT_ERROR("# c\nlabel = a\n[slot]\n", "2: key 'label' outside a [slot] section");
	EXPECT_ERROR(SLOT_A "label = b\n", "3: duplicate key 'label' (first at line 2)");
	EXPECT_ERROR("[slot]\nbackend = pkcs11\n", "1: slot has no label");
	EXPECT_ERROR(SLOT_A "\n", "1: slot 'a' has no backend");
	EXPECT_ERROR(SLOT_A "backend = hsm\n", "3: unknown backend 'hsm' (pkcs11 or tpm)");
	EXPECT_ERROR(SLOT_A "backend = pkcs11\npkcs11.module = /nonexistent/x.so\n",
		     "4: pkcs11.module '/nonexistent/x.so' is not an existing file");
	EXPECT_ERROR(SLOT_A "backend = pkcs11\npkcs11.module = libsofthsm2.so\n",
		     "4: pkcs11.module 'libsofthsm2.so' is not an absolute path");
	EXPECT_ERROR(SLOT_A "backend = pkcs11\npkcs11.module = /tmp\n",
		     "4: pkcs11.module '/tmp' is not an existing file");
	EXPECT_ERROR("[slot]\nlabel = 0123456789abcdef0123456789abcdefX\n",
		     "2: label longer than 32 bytes");
	EXPECT_ERROR(SLOT_A "backend = pkcs11\npkcs11.token = 0123456789abcdef0123456789abcdefX\n",
		     "4: pkcs11.token longer than 32 bytes");
	EXPECT_ERROR(SLOT_A "backend = tpm\ntpm.store = /x\n"
		     "[slot]\nlabel = a\nbackend = tpm\ntpm.store = /y\n",
		     "6: label 'a' already used by the slot at line 1");
	EXPECT_ERROR(SLOT_A "backend = pkcs11\n[slot]\nlabel = b\nbackend = pkcs11\n"
		     "pkcs11.token = a\n", "4: pkcs11.token 'a' already used by the slot at line 1");
	EXPECT_ERROR(SLOT_A "backend = tpm\ntpm.store = /x\n"
		     "[slot]\nlabel = b\nbackend = tpm\ntpm.store = /x\n",
		     "5: tpm.store '/x' already used by the slot at line 1");
	EXPECT_ERROR(SLOT_A "tpm.store = /x\nbackend = pkcs11\n",
		     "3: tpm.store is not a key of a pkcs11 slot");
	EXPECT_ERROR(SLOT_A "backend = tpm\ntpm.store = /x\npkcs11.token = t\n",
		     "5: pkcs11.token is not a key of a tpm slot");
	EXPECT_ERROR(SLOT_A "backend = tpm\n", "1: tpm slot 'a' has no tpm.store");
	EXPECT_ERROR(SLOT_A "backend = tpm\ntpm.store = /x\ntpm.primary = 0x80000001\n",
		     "5: tpm.primary '0x80000001' is not a persistent handle "
		     "(0x81000000 to 0x81ffffff)");
	EXPECT_ERROR(SLOT_A "backend = tpm\ntpm.store = /x\ntpm.primary = 0x81000001x\n",
		     "5: tpm.primary '0x81000001x' is not a persistent handle "
		     "(0x81000000 to 0x81ffffff)");
	EXPECT_ERROR(SLOT_A "backend =\n", "3: empty value for 'backend'");
	EXPECT_ERROR(SLOT_A "backend pkcs11\n", "3: expected 'key = value' or '[slot]'");
	EXPECT_ERROR("# nothing here\n\n", "2: no [slot] section");
	EXPECT_ERROR(SLOT_A "backend = pkcs11\nrequire_encrypted_keys = maybe\n",
		     "4: require_encrypted_keys 'maybe': expected yes or no");
	static const char with_nul[] = SLOT_A "backend = pk\0cs11\n";
	expect_error(with_nul, sizeof with_nul - 1, "3: NUL byte in line");
}

static void too_many_slots(void **state)
{
	char text[4096];
	size_t n = 0;
	int i;

	(void)state;
	for (i = 0; i <= MST_CONFIG_MAX_SLOTS; i++)
		n += (size_t)snprintf(text + n, sizeof text - n,
				      "[slot]\nlabel = s%d\nbackend = pkcs11\n", i);
	EXPECT_ERROR(text, "49: too many slots (at most 16)");
}

static void line_too_long(void **state)
{
	size_t len = MST_CONFIG_LINE_MAX + 64;
	char *text = malloc(len + 1);

	(void)state;
	assert_non_null(text);
	memcpy(text, "[slot]\nlabel = ", 15);
	memset(text + 15, 'x', len - 16);
	text[len - 1] = '\n';
	text[len] = '\0';
	EXPECT_ERROR(text, "2: line longer than 2048 characters");
	free(text);
}

static void write_slot_file(const char *dir, const char *label)
{
	char path[MST_PATH_MAX], text[128];

	snprintf(path, sizeof path, "%s/mstoken", dir);
	assert_true(mkdir(path, 0700) == 0 || errno == EEXIST);
	snprintf(path, sizeof path, "%s/mstoken/mstoken.conf", dir);
	snprintf(text, sizeof text, "[slot]\nlabel = %s\nbackend = pkcs11\n", label);
	write_text(path, text, strlen(text));
}

static void search_order(void **state)
{
	char xdg[MST_PATH_MAX], home[MST_PATH_MAX], err[512], want[MST_PATH_MAX + 64];
	mst_config cfg;
	struct stat st;

	(void)state;
	snprintf(xdg, sizeof xdg, "%s/xdg", tmpdir);
	snprintf(home, sizeof home, "%s/home", tmpdir);
	assert_int_equal(mkdir(xdg, 0700), 0);
	assert_int_equal(mkdir(home, 0700), 0);
	write_slot_file(xdg, "from-xdg");
	snprintf(want, sizeof want, "%s/.config", home);
	assert_int_equal(mkdir(want, 0700), 0);
	write_slot_file(want, "from-home");
	write_conf("[slot]\nlabel = from-env\nbackend = pkcs11\n");

	setenv("MSTOKEN_CONF", file, 1);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	setenv("HOME", home, 1);
	assert_int_equal(mst_config_load(&cfg, err, sizeof err), MST_OK);
	assert_string_equal(cfg.slots[0].label, "from-env");

	unsetenv("MSTOKEN_CONF");
	assert_int_equal(mst_config_load(&cfg, err, sizeof err), MST_OK);
	assert_string_equal(cfg.slots[0].label, "from-xdg");

	unsetenv("XDG_CONFIG_HOME");
	assert_int_equal(mst_config_load(&cfg, err, sizeof err), MST_OK);
	assert_string_equal(cfg.slots[0].label, "from-home");

	/* A relative XDG_CONFIG_HOME is invalid (XDG spec): HOME is used. */
	setenv("XDG_CONFIG_HOME", "relative/dir", 1);
	assert_int_equal(mst_config_load(&cfg, err, sizeof err), MST_OK);
	assert_string_equal(cfg.slots[0].label, "from-home");
	unsetenv("XDG_CONFIG_HOME");

	/* Nothing found: the built-in default (unless this machine has a
	 * system-wide file, which the test must not touch). */
	setenv("HOME", tmpdir, 1);
	if (stat(SYSCONFDIR "/mstoken/mstoken.conf", &st) != 0) {
		assert_int_equal(mst_config_load(&cfg, err, sizeof err), MST_OK);
		assert_string_equal(cfg.path, "");
		assert_int_equal(cfg.n_slots, 1);
		assert_string_equal(cfg.slots[0].label, "mstoken");
		assert_int_equal(cfg.slots[0].backend, MST_BACKEND_PKCS11);
		assert_string_equal(cfg.slots[0].pkcs11_module, MST_DEFAULT_HSM_MODULE);
		assert_string_equal(cfg.slots[0].pkcs11_token, "mstoken");
	}

	/* A folder is not a configuration file. */
	setenv("MSTOKEN_CONF", tmpdir, 1);
	assert_int_equal(mst_config_load(&cfg, err, sizeof err), MST_ERR_CONFIG);
	snprintf(want, sizeof want, "%s:0: not a regular file", tmpdir);
	assert_string_equal(err, want);

	/* MSTOKEN_CONF naming a missing file is an error, not the default. */
	snprintf(want, sizeof want, "%s/missing.conf", tmpdir);
	setenv("MSTOKEN_CONF", want, 1);
	assert_int_equal(mst_config_load(&cfg, err, sizeof err), MST_ERR_CONFIG);
	strcat(want, ":0: cannot read: No such file or directory");
	assert_string_equal(err, want);
	unsetenv("MSTOKEN_CONF");
}

/* test_config --probe: load the configuration as the module would and say
 * which one was taken; tests/unit/test_config_secure.sh runs a setgid copy
 * of this program (AT_SECURE) to show that the user's environment is then
 * ignored. */
static int probe(void)
{
	char err[MST_PATH_MAX + 128];
	mst_config cfg;
	mst_rc rc = mst_config_load(&cfg, err, sizeof err);

	printf("secure=%lu rc=%d label=%s path=%s\n", getauxval(AT_SECURE), (int)rc,
	       rc == MST_OK ? cfg.slots[0].label : "-", rc == MST_OK ? cfg.path : err);
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(issue_example_parses),
		cmocka_unit_test(header_example_parses),
		cmocka_unit_test(defaults_fill_optional_keys),
		cmocka_unit_test(require_encrypted_keys),
		cmocka_unit_test(crlf_comments_and_blanks),
		cmocka_unit_test(each_error_names_file_and_line),
		cmocka_unit_test(too_many_slots),
		cmocka_unit_test(line_too_long),
		cmocka_unit_test(search_order),
	};

	if (argc == 2 && strcmp(argv[1], "--probe") == 0)
		return probe();
	return cmocka_run_group_tests_name("config", tests, group_setup, group_teardown);
}
