/* tests/unit/test_kmsxml_sec.c - the KMS interface's security primitives
 * (token/kmsxml_sec.c): RFC 3394 / RFC 5649 known answers, a signed and
 * encrypted KmsKeyProv round trip, and every tampering refused with its own
 * code: edited content, signature, digest, wrong or unknown InK, algorithm
 * changes, HMAC truncation, signature-wrapping shapes, unknown TrK, edited
 * ciphertext. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "token/hex.h"
#include "token/kmsxml_doc.h"
#include "token/kmsxml_sec.h"
#include "token/kmsxml_resp.h"
#include "token/secmem.h"

static void unhex(const char *h, uint8_t *out, size_t len)
{
	assert_int_equal(hex_decode_exact(h, strlen(h), out, len), MST_OK);
}

/* ---- known answers ------------------------------------------------------ */

struct kat {
	const char *what, *kek, *key, *wrapped;
	int pad;
};

static const struct kat kats[] = {
	{ "RFC 3394 4.3 (256-bit KEK, 128-bit key)",
	  "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
	  "00112233445566778899AABBCCDDEEFF",
	  "64E8C3F9CE0F5BA263E9777905818A2A93C8191E7D6E8AE7", 0 },
	{ "RFC 3394 4.6 (256-bit KEK, 256-bit key)",
	  "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
	  "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F",
	  "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21", 0 },
	{ "RFC 5649 6 (192-bit KEK, 20 octets)",
	  "5840DF6E29B02AF1AB493B705BF16EA1AE8338F4DCC176A8",
	  "C37B7E6492584340BED12207808941155068F738",
	  "138BDEAA9B8FA7FC61F97742E72248EE5AE6AE5360D1AE6A5F54F373FA543B6A", 1 },
	{ "RFC 5649 6 (192-bit KEK, 7 octets)",
	  "5840DF6E29B02AF1AB493B705BF16EA1AE8338F4DCC176A8",
	  "466F7250617369",
	  "AFBEB0F07DFBF5419200F2CCB50BB24F", 1 },
};

static void test_key_wrap_kats(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof kats / sizeof kats[0]; i++) {
		const struct kat *k = &kats[i];
		size_t kl = strlen(k->kek) / 2, ml = strlen(k->key) / 2, wl = strlen(k->wrapped) / 2;
		uint8_t kek[32], key[32], want[48], got[64], back[64];
		size_t gl = 0, bl = 0;

		unhex(k->kek, kek, kl);
		unhex(k->key, key, ml);
		unhex(k->wrapped, want, wl);
		assert_int_equal(kmssec_aes_wrap(kek, kl, k->pad, key, ml, got, sizeof got, &gl), MST_OK);
		if (gl != wl || memcmp(got, want, wl) != 0)
			fail_msg("%s: wrap differs from the RFC", k->what);
		assert_int_equal(kmssec_aes_unwrap(kek, kl, k->pad, want, wl, back, sizeof back, &bl), MST_OK);
		if (bl != ml || memcmp(back, key, ml) != 0)
			fail_msg("%s: unwrap differs from the RFC", k->what);
		/* one bit changed: the integrity check fails, nothing comes out */
		want[wl / 2] ^= 0x01;
		assert_int_equal(kmssec_aes_unwrap(kek, kl, k->pad, want, wl, back, sizeof back, &bl),
				 MST_ERR_BAD_KEY);
		assert_int_equal(bl, 0);
	}
}

static void test_key_wrap_lengths(void **state)
{
	uint8_t kek[32] = { 1 }, key[300] = { 2 }, out[320];
	size_t ol;

	(void)state;
	/* RFC 3394 needs a multiple of 8, at least 16 */
	assert_int_equal(kmssec_aes_wrap(kek, 32, 0, key, 257, out, sizeof out, &ol), MST_ERR_RANGE);
	assert_int_equal(kmssec_aes_wrap(kek, 32, 0, key, 8, out, sizeof out, &ol), MST_ERR_RANGE);
	/* RFC 5649 takes the RSK's 257 octets: 264 + 8 out */
	assert_int_equal(kmssec_aes_wrap(kek, 32, 1, key, 257, out, sizeof out, &ol), MST_OK);
	assert_int_equal(ol, 272);
	assert_int_equal(kmssec_aes_wrap(kek, 20, 1, key, 16, out, sizeof out, &ol), MST_ERR_ARGS);
	/* a padded wrap does not unwrap as unpadded */
	assert_int_not_equal(kmssec_aes_unwrap(kek, 32, 0, out, 272, key, sizeof key, &ol), MST_OK);
}

/* ---- a signed, encrypted KmsKeyProv ------------------------------------- */

static uint8_t trk[KMSSEC_KEY_LEN], ink[KMSSEC_KEY_LEN], ssk[32], rsk[257], new_ink[32];
#define TRK_ID "trk-2026-1"
#define INK_ID "ink-2026-1"

static mst_rc lookup(void *ctx, kmssec_use use, const char *id, uint8_t key[KMSSEC_KEY_LEN])
{
	const uint8_t *ink_now = ctx != NULL ? ctx : ink;

	if (use == KMSSEC_TRK && strcmp(id, TRK_ID) == 0) {
		memcpy(key, trk, KMSSEC_KEY_LEN);
		return MST_OK;
	}
	if (use == KMSSEC_INK && strcmp(id, INK_ID) == 0) {
		memcpy(key, ink_now, KMSSEC_KEY_LEN);
		return MST_OK;
	}
	return MST_ERR_UNKNOWN_KEY;
}

#define PVT_TAIL "1111111111111111111111111111111111111111111111111111111111111111" \
	"1111111111111111111111111111111111111111111111111111111111111111"

static const char template[] =
	"<SignedKmsResponse xmlns=\"urn:3gpp:ns:mcsecKMSInterface:1.0\""
	" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\""
	" xmlns:xenc=\"http://www.w3.org/2001/04/xmlenc#\""
	" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n"
	"<KmsResponse Id=\"resp-1\" Version=\"1.0.0\">\n"
	"  <UserUri>sip:alice@example.org</UserUri>\n"
	"  <KmsUri>kms.example.org</KmsUri>\n"
	"  <Time>2026-12-02T13:40:00Z</Time>\n"
	"  <ClientReqUrl>https://kms.example.org/keymanagement/identity/v1/keyprov</ClientReqUrl>\n"
	"  <KmsMessage><KmsKeyProv Version=\"1.0.0\" xsi:type=\"KmsKeyProvTkIkType\">\n"
	"    <KmsKeySet Version=\"1.1.0\"><KmsUri>kms.example.org</KmsUri>"
	"<UserUri>sip:alice@example.org</UserUri><UserID>AB</UserID><KeyPeriodNo>1</KeyPeriodNo>"
	"<UserDecryptKey/><UserSigningKeySSK/><UserPubTokenPVT>04" PVT_TAIL "</UserPubTokenPVT></KmsKeySet>\n"
	"    <NewIntegrityKey/>\n"
	"  </KmsKeyProv></KmsMessage>\n"
	"</KmsResponse>\n"
	"</SignedKmsResponse>\n";

static xmlNodePtr find(xmlNodePtr n, const char *name)
{
	for (; n != NULL; n = n->next) {
		xmlNodePtr f;
		if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0)
			return n;
		if ((f = find(n->children, name)) != NULL)
			return f;
	}
	return NULL;
}

static char *signed_doc(void)
{
	xmlDocPtr doc;
	xmlChar *text = NULL;
	int len = 0;
	char err[256] = "", *out;
	xmlNodePtr root;

	assert_int_equal(kx_load((const uint8_t *)template, strlen(template), &doc, err, sizeof err), MST_OK);
	root = xmlDocGetRootElement(doc);
	assert_int_equal(kmssec_wrap_into(find(root, "UserDecryptKey"), trk, TRK_ID, rsk, sizeof rsk,
					  NULL, err, sizeof err), MST_OK);
	assert_int_equal(kmssec_wrap_into(find(root, "UserSigningKeySSK"), trk, TRK_ID, ssk, sizeof ssk,
					  NULL, err, sizeof err), MST_OK);
	assert_int_equal(kmssec_wrap_into(find(root, "NewIntegrityKey"), trk, TRK_ID, new_ink,
					  sizeof new_ink, "ink-2026-2", err, sizeof err), MST_OK);
	assert_int_equal(kmssec_sign(doc, ink, INK_ID, err, sizeof err), MST_OK);
	/* signing twice is refused */
	assert_int_equal(kmssec_sign(doc, ink, INK_ID, err, sizeof err), MST_ERR_EXISTS);
	xmlDocDumpMemory(doc, &text, &len);
	assert_non_null(text);
	out = strdup((const char *)text);
	xmlFree(text);
	kx_free_doc(doc);
	return out;
}

/* Verify text; on success also open the three keys and compare. */
static mst_rc verify_text(const char *xml, void *ctx, char *err, size_t err_len)
{
	xmlDocPtr doc;
	xmlNodePtr resp = NULL;
	char id[KMSSEC_ID_MAX], carried[KMSSEC_ID_MAX];
	uint8_t *out = secmem_alloc(300);
	size_t ol = 0;
	mst_rc rc = kx_load((const uint8_t *)xml, strlen(xml), &doc, err, err_len);

	if (rc != MST_OK) {
		secmem_free(out);
		return rc;
	}
	rc = kmssec_verify(doc, lookup, ctx, &resp, id, NULL, err, err_len);
	if (rc == MST_OK) {
		assert_non_null(resp);
		assert_string_equal((const char *)resp->name, "KmsResponse");
		assert_string_equal(id, INK_ID);
		rc = kmssec_unwrap_from(find(resp, "UserDecryptKey"), lookup, NULL, out, 300, &ol, carried,
					err, err_len);
		if (rc == MST_OK) {
			assert_int_equal(ol, sizeof rsk);
			assert_memory_equal(out, rsk, sizeof rsk);
			assert_string_equal(carried, "");
			rc = kmssec_unwrap_from(find(resp, "UserSigningKeySSK"), lookup, NULL, out, 300,
						&ol, carried, err, err_len);
		}
		if (rc == MST_OK) {
			assert_int_equal(ol, sizeof ssk);
			assert_memory_equal(out, ssk, sizeof ssk);
			rc = kmssec_unwrap_from(find(resp, "NewIntegrityKey"), lookup, NULL, out, 300,
						&ol, carried, err, err_len);
		}
		if (rc == MST_OK) {
			assert_memory_equal(out, new_ink, sizeof new_ink);
			assert_string_equal(carried, "ink-2026-2");
		}
	} else {
		assert_null(resp);
	}
	kx_free_doc(doc);
	secmem_free(out);
	return rc;
}

static int setup(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof trk; i++) {
		trk[i] = (uint8_t)(0x10 + i);
		ink[i] = (uint8_t)(0x80 + i);
		ssk[i] = (uint8_t)(0x40 + i);
		new_ink[i] = (uint8_t)(0xC0 + i);
	}
	rsk[0] = 0x04;
	for (i = 1; i < sizeof rsk; i++)
		rsk[i] = (uint8_t)(i * 7);
	return 0;
}

static void test_round_trip(void **state)
{
	char err[256] = "", *xml = signed_doc(), ssk_hex[65];

	(void)state;
	assert_int_equal(verify_text(xml, NULL, err, sizeof err), MST_OK);
	/* the fixed wire form */
	assert_non_null(strstr(xml, "<ds:Reference URI=\"#resp-1\">"));
	assert_non_null(strstr(xml, KMSSEC_ALG_HMAC));
	assert_non_null(strstr(xml, "<ds:KeyName>" INK_ID "</ds:KeyName>"));
	assert_non_null(strstr(xml, "<xenc:EncryptionMethod Algorithm=\"" KMSSEC_ALG_KW_PAD "\"/>"));
	assert_non_null(strstr(xml, "<xenc:EncryptionMethod Algorithm=\"" KMSSEC_ALG_KW "\"/>"));
	assert_non_null(strstr(xml, "xsi:type=\"EncKeyContentType\""));
	/* no key in the clear */
	hex_encode_upper(ssk, sizeof ssk, ssk_hex);
	assert_null(strstr(xml, ssk_hex));
	hex_encode(ssk, sizeof ssk, ssk_hex);
	assert_null(strstr(xml, ssk_hex));
	free(xml);
}

/* Replace the first `from` of xml by `to` (which must be found). */
static char *edit(const char *xml, const char *from, const char *to)
{
	const char *p = strstr(xml, from);
	char *out;

	if (p == NULL)
		fail_msg("test edit: '%s' not in the document", from);
	out = malloc(strlen(xml) - strlen(from) + strlen(to) + 1);
	memcpy(out, xml, (size_t)(p - xml));
	strcpy(out + (p - xml), to);
	strcat(out, p + strlen(from));
	return out;
}

/* Replace the text between the first `open` and the next '<'. */
static char *edit_text(const char *xml, const char *open, const char *text)
{
	const char *p = strstr(xml, open), *e;
	char *from, *out;

	assert_non_null(p);
	p += strlen(open);
	e = strchr(p, '<');
	from = strndup(p, (size_t)(e - p));
	out = edit(xml, from, text);
	free(from);
	return out;
}

struct tamper {
	const char *what, *from, *to;
	mst_rc rc;
	const char *reason;
};

static void test_tampering_refused(void **state)
{
	static const struct tamper t[] = {
		{ "content", "sip:alice@example.org</UserUri>\n", "sip:mallory@example.org</UserUri>\n",
		  MST_ERR_BAD_SIGNATURE, "bad signature" },
		{ "time", "13:40:00Z", "13:40:01Z", MST_ERR_BAD_SIGNATURE, "bad signature" },
		{ "white space inside the signed element", "  <KmsUri>", "   <KmsUri>",
		  MST_ERR_BAD_SIGNATURE, "bad signature" },
		{ "unknown InK", "<ds:KeyName>" INK_ID, "<ds:KeyName>ink-other", MST_ERR_UNKNOWN_KEY,
		  "unknown integrity key" },
		{ "other signature method", KMSSEC_ALG_HMAC,
		  "http://www.w3.org/2000/09/xmldsig#hmac-sha1", MST_ERR_UNSUPPORTED, "Algorithm" },
		{ "HMAC truncation",
		  "xmldsig-more#hmac-sha256\"/>",
		  "xmldsig-more#hmac-sha256\"><ds:HMACOutputLength>8</ds:HMACOutputLength></ds:SignatureMethod>",
		  MST_ERR_UNSUPPORTED, "parameters" },
		{ "other digest", KMSSEC_ALG_SHA256, "http://www.w3.org/2000/09/xmldsig#sha1",
		  MST_ERR_UNSUPPORTED, "Algorithm" },
		{ "reference elsewhere", "URI=\"#resp-1\"", "URI=\"#resp-2\"", MST_ERR_PARSE,
		  "does not name" },
		{ "whole-document reference", "URI=\"#resp-1\"", "URI=\"\"", MST_ERR_PARSE,
		  "does not name" },
		{ "duplicate Id", "<KmsKeySet Version", "<KmsKeySet Id=\"resp-1\" Version", MST_ERR_PARSE,
		  "not unique" },
		{ "second response beside the signed one", "</SignedKmsResponse>",
		  "<KmsResponse Id=\"evil\"/></SignedKmsResponse>", MST_ERR_PARSE, "unexpected element" },
		{ "foreign element at the top", "</SignedKmsResponse>",
		  "<x:Extra xmlns:x=\"urn:x\"/></SignedKmsResponse>", MST_ERR_PARSE, "unexpected element" },
		{ "second reference", "</ds:SignedInfo>",
		  "<ds:Reference URI=\"#resp-1\"/></ds:SignedInfo>", MST_ERR_PARSE, "unexpected element" },
		{ "inclusive namespaces", "xml-exc-c14n#\"/><ds:SignatureMethod",
		  "xml-exc-c14n#\"><InclusiveNamespaces xmlns=\"http://www.w3.org/2001/10/xml-exc-c14n#\""
		  " PrefixList=\"xsi\"/></ds:CanonicalizationMethod><ds:SignatureMethod",
		  MST_ERR_UNSUPPORTED, "parameters" },
		{ "no signature", "<ds:Signature", "<ds:NotSignature", MST_ERR_PARSE, "" },
		{ "DTD", "<SignedKmsResponse", "<!DOCTYPE x [<!ENTITY e \"x\">]><SignedKmsResponse",
		  MST_ERR_PARSE, "document type" },
	};
	char *xml = signed_doc(), *bad, err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		mst_rc rc;
		bad = edit(xml, t[i].from, t[i].to);
		err[0] = '\0';
		rc = verify_text(bad, NULL, err, sizeof err);
		if (rc != t[i].rc || strstr(err, t[i].reason) == NULL)
			fail_msg("%s: got %d \"%s\", expected %d \"...%s...\"", t[i].what, rc, err, t[i].rc,
				 t[i].reason);
		free(bad);
	}
	/* a comment inside the signed element is not signed content (c14n
	 * without comments), and does not break the signature */
	bad = edit(xml, "<KmsUri>", "<!-- note --><KmsUri>");
	assert_int_equal(verify_text(bad, NULL, err, sizeof err), MST_OK);
	free(bad);
	/* signature value and digest value edited */
	bad = edit_text(xml, "<ds:SignatureValue>", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
	assert_int_equal(verify_text(bad, NULL, err, sizeof err), MST_ERR_BAD_SIGNATURE);
	free(bad);
	bad = edit_text(xml, "<ds:DigestValue>", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
	assert_int_equal(verify_text(bad, NULL, err, sizeof err), MST_ERR_BAD_SIGNATURE);
	free(bad);
	bad = edit_text(xml, "<ds:SignatureValue>", "AAAA");
	assert_int_equal(verify_text(bad, NULL, err, sizeof err), MST_ERR_BAD_SIGNATURE);
	free(bad);
	/* the right name, another key */
	{
		uint8_t other[32];
		memcpy(other, ink, sizeof other);
		other[31] ^= 1;
		assert_int_equal(verify_text(xml, other, err, sizeof err), MST_ERR_BAD_SIGNATURE);
		assert_string_equal(err, "bad signature");
	}
	free(xml);
}

/* An element signed properly but the key inside edited or under another
 * TrK: the signature catches the edit; with the KMS signing a bad
 * ciphertext (or a TrK the token lacks) the unwrap refuses on its own. */
static void test_unwrap_refused(void **state)
{
	xmlDocPtr doc;
	xmlNodePtr el;
	char err[256];
	uint8_t out[300];
	size_t ol = 0;
	static const char ok[] = "<UserSigningKeySSK xmlns=\"urn:3gpp:ns:mcsecKMSInterface:1.0\"/>";
	xmlChar *text;
	int len;
	char *xml, *bad;

	(void)state;
	assert_int_equal(kx_load((const uint8_t *)ok, strlen(ok), &doc, err, sizeof err), MST_OK);
	el = xmlDocGetRootElement(doc);
	assert_int_equal(kmssec_wrap_into(el, trk, TRK_ID, ssk, sizeof ssk, NULL, err, sizeof err), MST_OK);
	xmlDocDumpMemory(doc, &text, &len);
	xml = strdup((const char *)text);
	xmlFree(text);
	kx_free_doc(doc);

	/* unknown TrK */
	bad = edit(xml, "<ds:KeyName>" TRK_ID, "<ds:KeyName>trk-other");
	assert_int_equal(kx_load((const uint8_t *)bad, strlen(bad), &doc, err, sizeof err), MST_OK);
	assert_int_equal(kmssec_unwrap_from(xmlDocGetRootElement(doc), lookup, NULL, out, sizeof out,
					    &ol, NULL, err, sizeof err), MST_ERR_UNKNOWN_KEY);
	assert_non_null(strstr(err, "unknown transport key"));
	kx_free_doc(doc);
	free(bad);
	/* ciphertext edited: the RFC 3394 integrity check fails */
	{
		const char *cv = strstr(xml, "<xenc:CipherValue>") + strlen("<xenc:CipherValue>");
		char *mut = strdup(xml);
		mut[cv - xml] = mut[cv - xml] == 'A' ? 'B' : 'A';
		assert_int_equal(kx_load((const uint8_t *)mut, strlen(mut), &doc, err, sizeof err), MST_OK);
		assert_int_equal(kmssec_unwrap_from(xmlDocGetRootElement(doc), lookup, NULL, out,
						    sizeof out, &ol, NULL, err, sizeof err), MST_ERR_BAD_KEY);
		assert_int_equal(ol, 0);
		kx_free_doc(doc);
		free(mut);
	}
	/* another algorithm */
	bad = edit(xml, KMSSEC_ALG_KW "\"", "http://www.w3.org/2001/04/xmlenc#kw-aes128\"");
	assert_int_equal(kx_load((const uint8_t *)bad, strlen(bad), &doc, err, sizeof err), MST_OK);
	assert_int_equal(kmssec_unwrap_from(xmlDocGetRootElement(doc), lookup, NULL, out, sizeof out,
					    &ol, NULL, err, sizeof err), MST_ERR_UNSUPPORTED);
	kx_free_doc(doc);
	free(bad);
	/* and it opens as it is */
	assert_int_equal(kx_load((const uint8_t *)xml, strlen(xml), &doc, err, sizeof err), MST_OK);
	assert_true(kmssec_is_encrypted(xmlDocGetRootElement(doc)));
	assert_int_equal(kmssec_unwrap_from(xmlDocGetRootElement(doc), lookup, NULL, out, sizeof out,
					    &ol, NULL, err, sizeof err), MST_OK);
	assert_int_equal(ol, 32);
	assert_memory_equal(out, ssk, 32);
	kx_free_doc(doc);
	free(xml);
}

static void test_sign_text(void **state)
{
	static const char unsigned_xml[] =
		"<SignedKmsResponse xmlns=\"urn:3gpp:ns:mcsecKMSInterface:1.0\">"
		"<KmsResponse Id=\"r\" Version=\"1.0.0\"><UserUri>u</UserUri></KmsResponse>"
		"</SignedKmsResponse>";
	char *out = NULL, err[256];
	size_t len = 0;

	(void)state;
	assert_int_equal(kmssec_sign_text((const uint8_t *)unsigned_xml, strlen(unsigned_xml), ink,
					  INK_ID, &out, &len, err, sizeof err), MST_OK);
	assert_int_equal(strlen(out), len);
	/* verify_text also opens keys: check the signature alone here */
	{
		xmlDocPtr doc;
		xmlNodePtr resp;
		char id[KMSSEC_ID_MAX];
		assert_int_equal(kx_load((const uint8_t *)out, len, &doc, err, sizeof err), MST_OK);
		assert_int_equal(kmssec_verify(doc, lookup, NULL, &resp, id, NULL, err, sizeof err), MST_OK);
		kx_free_doc(doc);
	}
	free(out);
	/* no Id: refused */
	{
		char *noid = edit(unsigned_xml, " Id=\"r\"", "");
		assert_int_equal(kmssec_sign_text((const uint8_t *)noid, strlen(noid), ink, INK_ID, &out,
						  &len, err, sizeof err), MST_ERR_PARSE);
		assert_null(out);
		free(noid);
	}
}

/* Every one-octet change of a signed, encrypted response, opened as the
 * token does (kmsxml_open_response): refused, or - where the change is
 * outside what is signed and read - accepted with exactly the original
 * keys, user and time.  No change ever yields other keys, and none
 * crashes. */
static void test_mutation_sweep(void **state)
{
	char *xml = signed_doc(), err[256];
	size_t len = strlen(xml), i, accepted = 0, refused = 0;
	kms_response *r = secmem_alloc(sizeof *r);
	static const char subst[] = { 'A', ' ' };
	size_t k;

	(void)state;
	assert_non_null(r);
	assert_int_equal(kmsxml_open_response((const uint8_t *)xml, len, lookup, NULL, r, err,
					      sizeof err), MST_OK);
	assert_int_equal(r->n_keysets, 1);
	assert_int_equal(r->n_new, 1);
	assert_memory_equal(r->keysets[0].ssk, ssk, 32);
	assert_memory_equal(r->keysets[0].rsk, rsk, 257);
	assert_true(r->keysets[0].encrypted);
	kms_response_clear(r);
	for (i = 0; i < len; i++) {
		for (k = 0; k < sizeof subst; k++) {
			char keep = xml[i];
			mst_rc rc;
			if (keep == subst[k])
				continue;
			xml[i] = subst[k];
			rc = kmsxml_open_response((const uint8_t *)xml, len, lookup, NULL, r, err, sizeof err);
			xml[i] = keep;
			if (rc != MST_OK) {
				refused++;
				assert_null(strchr(err, '\n'));
				continue;
			}
			accepted++;
			if (memcmp(r->keysets[0].ssk, ssk, 32) != 0 || memcmp(r->keysets[0].rsk, rsk, 257) != 0 ||
			    memcmp(r->new_keys[0].key, new_ink, 32) != 0 ||
			    strcmp(r->keysets[0].user_uri, "sip:alice@example.org") != 0 ||
			    strcmp(r->user_uri, "sip:alice@example.org") != 0 ||
			    strcmp(r->time, "2026-12-02T13:40:00Z") != 0)
				fail_msg("octet %zu -> '%c' accepted with other content", i, subst[k]);
			kms_response_clear(r);
		}
	}
	print_message("mutation sweep: %zu changes refused, %zu accepted unchanged\n", refused, accepted);
	assert_true(refused > 9 * accepted);
	secmem_free(r);
	free(xml);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_wrap_kats),
		cmocka_unit_test(test_key_wrap_lengths),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_tampering_refused),
		cmocka_unit_test(test_unwrap_refused),
		cmocka_unit_test(test_sign_text),
		cmocka_unit_test(test_mutation_sweep),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
