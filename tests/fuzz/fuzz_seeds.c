/* tests/fuzz/fuzz_seeds.c - writes the seed corpora of the fuzz targets
 * into DIR/<target>/ (made at build time by .ci/fuzz, never committed):
 * the vendor I_MESSAGEs, SDP offers and session-initialisation messages
 * carrying them, the vendor key sets written as KmsKeySet / KmsCertificate
 * documents (bare and in a KmsResponse), TPM store files and ".a" object
 * records made by the real encoders, and PKCS#11 operation sequences.
 * The KMS XML samples of tests/vectors and key sets issued by mstoken-kms
 * are copied in by .ci/fuzz.
 *
 *   fuzz_seeds DIR
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "mikeysakke/codec.h"
#include "mikeysakke/sdp.h"
#include "mikeysakke/announce.h"
#include "token/kmsxml.h"
#include "tpm/tpm_files.h"
#include "tpm/tpm_seal.h"
#include "pkcs11/objcodec.h"
#include "pkcs11/object.h"
#include "tests/fuzz/fuzz_seeds.h"
#include "tests/fuzz/fake_p11.h"
#include "token/backend_pkcs11_int.h"
#include <unistd.h>
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-const-variable"
#include "tests/vectors/interop_vectors.h"
#pragma GCC diagnostic pop

static const char *root;
static unsigned written;

static void put(const char *target, const char *name, const void *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", root, target);
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof path, "%s/%s/%s", root, target, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	written++;
}

static void messages(void)
{
	static char b64[8192], sdp[16384], ann[32768];
	const char *targets[2] = { "sip:bob@example.org", "sip:carol@example.org" };
	size_t i, len;
	char name[64];

	for (i = 0; i < INTEROP_COUNT(interop_messages) + INTEROP_COUNT(interop_unverified_messages); i++) {
		const uint8_t *m;
		size_t n;
		struct ms_sdp d;

		if (i < INTEROP_COUNT(interop_messages)) {
			m = interop_messages[i].imessage;
			n = interop_messages[i].imessage_len;
		} else {
			m = interop_unverified_messages[i - INTEROP_COUNT(interop_messages)].imessage;
			n = interop_unverified_messages[i - INTEROP_COUNT(interop_messages)].imessage_len;
		}
		snprintf(name, sizeof name, "vendor-%02zu", i);
		put("imessage", name, m, n);
		if (ms_base64_encode(m, n, b64, sizeof b64) != MS_OK)
			continue;
		memset(&d, 0, sizeof d);
		strcpy(d.origin_user, "alice");
		d.session_id = 1000 + i;
		d.session_version = 1;
		strcpy(d.address, i % 2 ? "239.1.2.3" : "192.0.2.10");
		strcpy(d.session_name, "-");
		d.port = 49170;
		strcpy(d.proto, "RTP/SAVP");
		d.n_fmts = 2;
		d.fmts[0] = 0;
		d.fmts[1] = 8;
		strcpy(d.rtpmap, "PCMU/8000");
		d.n_keys = 1;
		d.keys[0].level = i % 3 ? MS_SDP_MEDIA : MS_SDP_SESSION;
		d.keys[0].b64 = b64;
		d.keys[0].len = strlen(b64);
		if (ms_sdp_write(&d, sdp, sizeof sdp) != MS_OK)
			continue;
		snprintf(name, sizeof name, "offer-%02zu", i);
		put("sdp", name, sdp, strlen(sdp));
		if (ms_announce_write(targets, 1 + (unsigned)(i % 2), sdp, ann, sizeof ann, &len) == MS_OK) {
			snprintf(name, sizeof name, "announce-%02zu", i);
			put("sdp", name, ann, len);
		}
	}
}

static void copy_bytes(uint8_t *dst, size_t cap, const uint8_t *src, size_t n)
{
	memcpy(dst, src, n < cap ? n : cap);
}

static void kms_documents(void)
{
	size_t i;
	char name[64], *out;
	size_t len;
	int wrapped;

	for (i = 0; i < INTEROP_COUNT(interop_key_sets); i++) {
		const struct interop_key_set *v = &interop_key_sets[i];
		kms_keyset *k = calloc(1, sizeof *k);
		kms_certificate c;

		if (k == NULL)
			exit(1);
		snprintf(k->kms_uri, sizeof k->kms_uri, "kms.example.org");
		snprintf(k->user_uri, sizeof k->user_uri, "%s", v->user ? v->user : "sip:u@example.org");
		k->user_id_len = v->uid_len < sizeof k->user_id ? v->uid_len : sizeof k->user_id;
		copy_bytes(k->user_id, sizeof k->user_id, v->uid, v->uid_len);
		k->key_period_no = 1514 + i;
		snprintf(k->valid_from, sizeof k->valid_from, "2026-01-01T00:00:00");
		snprintf(k->valid_to, sizeof k->valid_to, "2026-02-01T00:00:00");
		copy_bytes(k->rsk, sizeof k->rsk, v->rsk, v->rsk_len);
		copy_bytes(k->ssk, sizeof k->ssk, v->ssk, v->ssk_len);
		copy_bytes(k->pvt, sizeof k->pvt, v->pvt, v->pvt_len);
		memset(&c, 0, sizeof c);
		snprintf(c.kms_uri, sizeof c.kms_uri, "kms.example.org");
		c.user_id_format = 1 + (uint32_t)(i % 2);
		c.user_key_period = 2592000;
		c.user_key_offset = 0;
		copy_bytes(c.pub_enc_key, sizeof c.pub_enc_key, v->z, v->z_len);
		copy_bytes(c.pub_auth_key, sizeof c.pub_auth_key, v->kpak, v->kpak_len);
		for (wrapped = 0; wrapped < 2; wrapped++) {
			if (kmsxml_write_keyset(k, wrapped, &out, &len) == MST_OK) {
				snprintf(name, sizeof name, "keyset-%02zu-%d.xml", i, wrapped);
				put("kmsxml", name, out, len);
				free(out);
			}
			if (kmsxml_write_certificate(&c, wrapped, &out, &len) == MST_OK) {
				snprintf(name, sizeof name, "cert-%02zu-%d.xml", i, wrapped);
				put("kmsxml", name, out, len);
				free(out);
			}
		}
		free(k);
	}
}

/* a selector octet (tests/fuzz/fuzz_tpmfile.c), then the file without
 * its SHA-256 (bit 3 asks the target to append it) */
static void put_tpm(const char *name, uint8_t sel, const tpm_wbuf *w, int checksummed)
{
	uint8_t *b = malloc(w->len + 1);
	size_t n = w->len;

	if (b == NULL || w->err)
		exit(1);
	if (checksummed) {
		sel |= 8;
		n -= 32;
	}
	b[0] = sel;
	memcpy(b + 1, w->buf, n);
	put("tpmfile", name, b, n + 1);
	free(b);
}

static void tpm_sealed_sample(tpm_sealed *s)
{
	memset(s, 0, sizeof *s);
	s->pub.publicArea.type = TPM2_ALG_KEYEDHASH;
	s->pub.publicArea.nameAlg = TPM2_ALG_SHA256;
	s->pub.publicArea.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
					     TPMA_OBJECT_USERWITHAUTH;
	s->pub.publicArea.parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL;
	s->pub.publicArea.unique.keyedHash.size = 32;
	memset(s->pub.publicArea.unique.keyedHash.buffer, 0x5a, 32);
	s->priv.size = 96;
	memset(s->priv.buffer, 0xa5, 96);
}

static void tpm_files(void)
{
	tpm_meta m = { 1, "0123456789abcdef", "alice" };
	tpm_auth_file a;
	tpm_wbuf w = { 0 };
	uint8_t iv[TPM_GCM_IV_LEN] = { 1, 2, 3 }, id[TPM_STORE_ID_LEN] = { 9, 8, 7 };
	uint8_t key[TPM_SECRET_LEN] = { 0 }, payload[TPM_SEAL_MAX + 1];
	static const uint8_t tag_and_ct[48] = { 0x11 };
	size_t n;

	tpm_meta_encode(&m, &w);
	put_tpm("meta", 0, &w, 1);
	wbuf_free(&w);
	memset(&a, 0, sizeof a);
	a.who = KEYSTORE_USER;
	a.iterations = 10000;
	memset(a.salt, 0x33, sizeof a.salt);
	tpm_sealed_sample(&a.sealed);
	tpm_auth_encode(&a, &w);
	put_tpm("user.pin", 1, &w, 1);
	wbuf_free(&w);
	tpm_tries_encode(3, &w);
	put_tpm("so.tries", 2, &w, 1);
	wbuf_free(&w);
	tpm_record_encode_public(FUZZ_RECORD_NAME, FUZZ_RECORD_KIND, (const uint8_t *)"MSTO", 4, &w);
	put_tpm("rec-public", 3, &w, 1);
	wbuf_free(&w);
	tpm_record_head_private(FUZZ_RECORD_NAME, FUZZ_RECORD_KIND, id, &a.sealed, iv, &w);
	wbuf_u32(&w, sizeof tag_and_ct);
	wbuf_bytes(&w, tag_and_ct, sizeof tag_and_ct);
	put_tpm("rec-private", 4, &w, 0);
	wbuf_free(&w);
	payload[0] = 5;
	n = tpm_payload_secret(KEYSTORE_SO, key, payload + 1);
	put("tpmfile", "payload-secret", payload, n + 1);
	n = tpm_payload_record(FUZZ_RECORD_NAME, FUZZ_RECORD_KIND, key, payload + 1);
	put("tpmfile", "payload-record", payload, n + 1);
	payload[0] = 6;
	if (tpm_sealed_marshal(&a.sealed, payload + 1, sizeof payload - 1, &n) == MST_OK)
		put("tpmfile", "sealed", payload, n + 1);
}

static void objects(void)
{
	static const struct {
		const char *name;
		CK_OBJECT_CLASS cls;
	} kinds[] = {
		{ "data", CKO_DATA }, { "secret", CKO_SECRET_KEY },
		{ "public", CKO_PUBLIC_KEY }, { "private", CKO_PRIVATE_KEY },
	};
	size_t i, len;
	uint8_t *out;

	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		p11_object *o = object_new(NULL, kinds[i].cls);

		if (o == NULL)
			exit(1);
		obj_set_bool(o, CKA_TOKEN, 1);
		obj_set_bool(o, CKA_PRIVATE, i != 0 && i != 2);
		obj_set(o, CKA_LABEL, "sip:alice@example.org", 21);
		if (kinds[i].cls == CKO_DATA) {
			obj_set(o, CKA_APPLICATION, "3GPP KmsKeySet", 14);
			obj_set(o, CKA_VALUE, "<KmsKeySet/>", 12);
		} else {
			obj_set_ulong(o, CKA_KEY_TYPE, kinds[i].cls == CKO_SECRET_KEY ?
				      CKK_GENERIC_SECRET : CKK_MSTOKEN_ECCSI);
			obj_set(o, CKA_ID, "\x01\x02\x03\x01", 4);
			obj_set_bool(o, CKA_SENSITIVE, 1);
			obj_set_bool(o, CKA_EXTRACTABLE, 0);
			obj_set_bool(o, CKA_SIGN, kinds[i].cls == CKO_PRIVATE_KEY);
			obj_set_ulong(o, CKA_VALUE_LEN, 16);
		}
		if (objcodec_encode(o, &out, &len) != CKR_OK)
			exit(1);
		put("objcodec", kinds[i].name, out, len);
		free(out);
		object_free(o);
	}
}

/* operation sequences for fuzz_pkcs11.c (opcode, template, ...) */
static void pkcs11_ops(void)
{
	static const uint8_t create_data[] = {
		0, 4, 0, 1, 0, 0, 0, 0 /* CKA_CLASS = CKO_DATA */, 6, 3, 5, 'h', 'e', 'l', 'l', 'o',
		7, 3, 4, 'a', 'p', 'p', '1', 9, 3, 3, 'x', 'y', 'z', 0,
		1, 1, 6, 3, 5, 'h', 'e', 'l', 'l', 'o', 0, 8, 1,
		3, 0, 3, 9, 0x13, 6, 0x40, 0, 10,
		4, 0, 1, 6, 3, 2, 'h', 'i',
	};
	static const uint8_t find_all[] = { 1, 0, 0, 8, 1, 3, 0, 2, 9, 0x13, 18, 0x0d, 19, 0x0d };
	static const uint8_t null_value[] = { 1, 1, 6, 0, 16, 0, 8, 1, 0, 1, 9, 0, 5, 0 };
	static const uint8_t secret[] = {
		0, 5, 0, 1, 0, 0, 0, 4 /* CKO_SECRET_KEY */, 10, 1, 0, 0, 0, 0x10,
		9, 3, 16, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
		18, 2, 0, 19, 2, 1, 0,
		3, 0, 2, 9, 0x43, 18, 0x06,
		5, 0, 0, 1, 18, 2, 1,
	};
	static const uint8_t fixed_key[] = { 3, 0xfe, 3, 9, 0x43, 18, 0x06, 19, 0x06, 4, 0xfe, 1, 19, 2, 1 };

	put("pkcs11", "create-data", create_data, sizeof create_data);
	put("pkcs11", "find-all", find_all, sizeof find_all);
	put("pkcs11", "null-value", null_value, sizeof null_value);
	put("pkcs11", "secret", secret, sizeof secret);
	put("pkcs11", "fixed-key", fixed_key, sizeof fixed_key);
}

/* the stand-in HSM's object table as fuzz_p11records reads its input */
static void put_p11_table(const char *name)
{
	static uint8_t buf[1 << 16];
	size_t n = 0, i;

	for (i = 0; i < fake_n_objs; i++) {
		const struct fake_obj *o = &fake_objs[i];

		if (!o->live || n + 4 + o->label_len + o->value_len > sizeof buf)
			continue;
		buf[n++] = (uint8_t)((o->is_private ? 1 : 0) |
				     (strcmp(o->app, P11_STATE_APPLICATION) == 0 ? 2 : 0));
		buf[n++] = (uint8_t)o->label_len;
		memcpy(buf + n, o->label, o->label_len);
		n += o->label_len;
		buf[n++] = (uint8_t)(o->value_len >> 8);
		buf[n++] = (uint8_t)o->value_len;
		memcpy(buf + n, o->value, o->value_len);
		n += o->value_len;
	}
	put("p11records", name, buf, n);
}

/* records written by the backend itself (put: sealed and public, a
 * second generation; the PIN state object) */
static void p11_records(void)
{
	struct p11_store st;
	struct p11_state state;
	static const uint8_t attrs[] = "MSTO\x01 attribute record", key[32] = "a key value";
	static uint8_t old[256];
	size_t old_len;

	memset(&st, 0, sizeof st);
	st.f = fake_p11();
	st.pid = getpid();
	st.have_slot = st.have_session = 1;
	st.session = 1;
	st.who = KEYSTORE_USER;
	st.seal_key = FAKE_P11_FIXED_KEY;
	fake_p11_reset();
	if (p11_put(&st, "obj-1.a", 1, 0, attrs, sizeof attrs) != MST_OK ||
	    p11_put(&st, "obj-1.v", 2, 1, key, sizeof key) != MST_OK)
		exit(1);
	put_p11_table("public-and-private");
	old_len = fake_objs[1].value_len;
	if (old_len > sizeof old)
		exit(1);
	memcpy(old, fake_objs[1].value, old_len);
	if (p11_put(&st, "obj-1.v", 2, 1, key, 16) != MST_OK)
		exit(1);
	/* the older generation left behind (its value borrowed again) */
	fake_objs[1].live = 1;
	fake_objs[1].value = old;
	fake_objs[1].value_len = old_len;
	put_p11_table("two-generations");
	memset(&state, 0, sizeof state);
	state.sequence = 3;
	state.user_fails = 1;
	strcpy(state.label, "alice");
	strcpy(state.serial, "0123456789abcdef");
	if (p11_state_write(&st, &state) != MST_OK)
		exit(1);
	put_p11_table("with-state");
	fake_p11_reset();
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: fuzz_seeds DIR\n");
		return 2;
	}
	root = argv[1];
	if (mkdir(root, 0755) != 0 && errno != EEXIST) {
		perror(root);
		return 1;
	}
	messages();
	kms_documents();
	tpm_files();
	objects();
	pkcs11_ops();
	p11_records();
	printf("fuzz_seeds: %u seed files in %s\n", written, root);
	return 0;
}
