/* client/accept.c - the receiver of an I_MESSAGE (RFC 6509 2.2, 4): every
 * check before any key is touched, in the order that names the reason the
 * CLI reports, then decapsulation and derivation in the token. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include "client/imsg.h"
#include "mikeysakke/codec.h"
#include "mikeysakke/replay.h"

struct peer {
	char uri[256];            /* "" if the message names only a UID */
	uint8_t id[MS_ID_MAX_LEN];
	size_t id_len;
};

static ms_rc refuse(struct ms_accepted *a, ms_rc rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static ms_rc refuse(struct ms_accepted *a, ms_rc rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->reason, sizeof(a->reason), fmt, ap);
	va_end(ap);
	return rc;
}

static void copy_text(char *dst, size_t cap, const struct mikey_bytes *b)
{
	size_t n = b->len < cap - 1 ? b->len : cap - 1;

	memcpy(dst, b->ptr, n);
	dst[n] = '\0';
	if (memchr(dst, '\0', n))   /* embedded NUL: not a URI we can use */
		dst[0] = '\0';
}

/* The identifier of one party (roles: URI role, UID role): computed from
 * the URI at the message time; a UID the message carries must agree. */
static ms_rc party_id(const struct mikey_msg *m, const struct ms_community *com, int64_t t,
		      uint8_t uri_role, uint8_t uid_role, struct peer *p)
{
	const struct mikey_payload *u = mikey_find(m, MIKEY_PT_IDR, uri_role);
	const struct mikey_payload *d = mikey_find(m, MIKEY_PT_IDR, uid_role);

	memset(p, 0, sizeof(*p));
	if (u)
		copy_text(p->uri, sizeof(p->uri), &u->u.idr.data);
	if (p->uri[0]) {
		if (ms_id_at(&com->id, p->uri, t, p->id, sizeof(p->id), &p->id_len) != MS_OK)
			return MS_ERR_UNKNOWN_SIGNER;
		if (d && (d->u.idr.data.len != p->id_len ||
			  memcmp(d->u.idr.data.ptr, p->id, p->id_len) != 0))
			return MS_ERR_UNKNOWN_SIGNER;
		return MS_OK;
	}
	if (!d || d->u.idr.data.len == 0 || d->u.idr.data.len > sizeof(p->id))
		return MS_ERR_UNKNOWN_SIGNER;
	memcpy(p->id, d->u.idr.data.ptr, d->u.idr.data.len);
	p->id_len = d->u.idr.data.len;
	return MS_OK;
}

static void uid_label(const struct peer *p, char *out, size_t cap)
{
	char hex[2 * 32 + 1];

	if (p->uri[0]) {
		snprintf(out, cap, "%s", p->uri);
		return;
	}
	ms_hex_encode(p->id, p->id_len > 32 ? 32 : p->id_len, hex);
	snprintf(out, cap, "uid:%s", hex);
}

/* Verifies the RFC span first, then the span without the SIGN header. */
static ms_rc verify(struct ms_ctx *c, const struct ms_community *com, const struct peer *signer,
		    const uint8_t *msg, const struct mikey_payload *sign, int *legacy)
{
	ms_rc rc = ms_p11_verify(&c->p, com->kpak, signer->id, signer->id_len, msg,
				 mikey_signed_len(sign->offset, MIKEY_SIG_RFC),
				 sign->u.sign.sig.ptr, sign->u.sign.sig.len);

	*legacy = 0;
	if (rc != MS_ERR_BAD_SIGNATURE)
		return rc;
	rc = ms_p11_verify(&c->p, com->kpak, signer->id, signer->id_len, msg,
			   mikey_signed_len(sign->offset, MIKEY_SIG_BEFORE_SIGN),
			   sign->u.sign.sig.ptr, sign->u.sign.sig.len);
	*legacy = rc == MS_OK;
	return rc;
}

/* Checks up to and including the signature; fills com, initiator, t. */
static ms_rc authenticate(struct ms_ctx *c, const uint8_t *msg, const struct mikey_msg *m,
			  int64_t now, int64_t window, struct ms_community *com, struct peer *ini,
			  int64_t *t, struct ms_accepted *a)
{
	const struct mikey_payload *tp = mikey_find(m, MIKEY_PT_T, -1);
	const struct mikey_payload *sign = mikey_find(m, MIKEY_PT_SIGN, -1);
	const struct mikey_payload *kmsi = mikey_find(m, MIKEY_PT_IDR, MIKEY_IDR_KMSI);
	char kms[256] = "";
	ms_rc rc;

	if (!tp || !mikey_find(m, MIKEY_PT_RAND, -1) || !mikey_find(m, MIKEY_PT_SAKKE, -1) || !sign)
		return refuse(a, MS_ERR_MALFORMED, "malformed at offset %zu: an I_MESSAGE needs T, "
			      "RAND, SAKKE and SIGN payloads", m->pl[m->n_pl ? m->n_pl - 1 : 0].offset);
	if (sign->u.sign.s_type != MIKEY_SIGN_ECCSI || sign->u.sign.sig.len != MIKEY_ECCSI_SIG_LEN)
		return refuse(a, MS_ERR_MALFORMED, "malformed at offset %zu: SIGN is not a 129-octet "
			      "ECCSI signature", sign->offset);
	*t = mikey_unix_from_t(&tp->u.t);
	if (*t == INT64_MIN || *t < now - window || *t > now + window)
		return refuse(a, MS_ERR_WINDOW, "outside the window: message time %" PRId64
			      ", now %" PRId64 ", window %" PRId64 " s", *t, now, window);
	if (kmsi)
		copy_text(kms, sizeof(kms), &kmsi->u.idr.data);
	rc = ctx_community(c, kms[0] ? kms : NULL, com);
	if (rc == MS_ERR_UNKNOWN_SIGNER)
		return refuse(a, rc, "unknown signer: no community %s in the token", kms[0] ? kms : "");
	if (rc != MS_OK)
		return rc;
	if (party_id(m, com, *t, MIKEY_IDR_I, MIKEY_IDR_UIDI, ini) != MS_OK)
		return refuse(a, MS_ERR_UNKNOWN_SIGNER, "unknown signer: no usable IDRi/IDRuidi");
	uid_label(ini, a->initiator, sizeof(a->initiator));
	rc = verify(c, com, ini, msg, sign, &a->legacy_signature);
	if (rc == MS_ERR_BAD_SIGNATURE)
		return refuse(a, rc, "bad signature (signer %s)", a->initiator);
	if (rc != MS_OK)
		ctx_note_p11(c);
	return rc;
}

/* The recipient's community: the one IDRkmsr names (RFC 6509 4.4), else
 * the initiator's. */
static ms_rc receiver_community(struct ms_ctx *c, const struct mikey_msg *m,
			       const struct ms_community *ini_com, struct ms_community *out)
{
	const struct mikey_payload *kmsr = mikey_find(m, MIKEY_PT_IDR, MIKEY_IDR_KMSR);
	char kms[256] = "";

	if (kmsr)
		copy_text(kms, sizeof(kms), &kmsr->u.idr.data);
	if (!kms[0] || strcmp(kms, ini_com->kms_uri) == 0) {
		*out = *ini_com;
		out->id.kms_uri = out->kms_uri;
		return MS_OK;
	}
	return ctx_community(c, kms, out);
}

/* General Extension type 7: the key parameters, opened with the DPCK
 * derived from the SSV inside the token.  The short pre-envelope forms
 * carry nothing to decrypt and are passed over. */
static ms_rc key_params(struct ms_ctx *c, const struct mikey_msg *m, CK_OBJECT_HANDLE ssv,
			struct ms_accepted *a)
{
	const struct mikey_payload *g;
	struct mikey_keyparams_env env;
	struct mikey_error err;
	size_t i;
	ms_rc rc;

	for (i = 0, g = NULL; i < m->n_pl; i++)
		if (m->pl[i].type == MIKEY_PT_GEXT && m->pl[i].u.gext.type == MIKEY_GEXT_KEY_PARAMS)
			g = &m->pl[i];
	if (!g)
		return MS_OK;
	rc = mikey_keyparams_env_decode(&g->u.gext.data, &env, &err);
	if (rc == MS_ERR_UNSUPPORTED)
		return MS_OK;
	if (rc != MS_OK)
		return refuse(a, MS_ERR_MALFORMED, "cannot decrypt key parameters: malformed at "
			      "offset %zu of General Extension type 7: %s", err.offset, err.text);
	rc = ms_p11_open_keyparams(&c->p, ssv, &env, a->key_params_plain,
				   sizeof(a->key_params_plain), &a->key_params_len);
	if (rc == MS_ERR_BAD_SIGNATURE)
		return refuse(a, MS_ERR_CRYPTO, "cannot decrypt key parameters (DPPK-ID %08" PRIx32
			      "): authentication tag does not verify", env.dppk_id);
	if (rc != MS_OK) {
		ctx_note_p11(c);
		return refuse(a, rc, "cannot decrypt key parameters (%s)", c->err);
	}
	if (mikey_keyparams_decode(a->key_params_plain, a->key_params_len, &a->key_params,
				   &err) != MS_OK)
		return refuse(a, MS_ERR_MALFORMED, "cannot decrypt key parameters: decrypted "
			      "parameters malformed at offset %zu: %s", err.offset, err.text);
	a->key_params_payload_id = env.payload_id;
	a->key_params_dppk_id = env.dppk_id;
	a->has_key_params = 1;
	return MS_OK;
}

static ms_rc build_return(struct ms_ctx *c, const struct ms_community *com, const struct peer *me,
			  const struct peer *ini, const struct mikey_msg *m, CK_OBJECT_HANDLE ssv,
			  enum ms_srtp_suite suite, int64_t now, struct ms_accepted *a)
{
	uint8_t my_id[MS_ID_MAX_LEN], ini_id[MS_ID_MAX_LEN], rand[16];
	size_t my_len, ini_len;
	CK_OBJECT_HANDLE ssk;
	struct imsg_spec s;
	ms_rc rc;

	if (!me->uri[0] || !ini->uri[0])
		return refuse(a, MS_ERR_UNSUPPORTED, "a returned I_MESSAGE needs both URIs");
	rc = ms_id_at(&com->id, me->uri, now, my_id, sizeof(my_id), &my_len);
	if (rc == MS_OK)
		rc = ms_id_at(&com->id, ini->uri, now, ini_id, sizeof(ini_id), &ini_len);
	if (rc == MS_OK)
		rc = ctx_private_key(c, my_id, my_len, MS_KEY_SUFFIX_ECCSI, &ssk);
	if (rc != MS_OK)
		return refuse(a, rc, "no ECCSI key of %s to sign the returned I_MESSAGE", me->uri);
	if (RAND_bytes(rand, sizeof(rand)) != 1)
		return MS_ERR_CRYPTO;
	s = (struct imsg_spec){ com, me->uri, ini->uri, my_id, ini_id, my_len, ini_len,
				m->hdr.csb_id, rand, m->hdr.prf, suite, m->hdr.n_cs == 1, now, ssv, ssk };
	return imsg_build(c, &s, a->ret, sizeof(a->ret), &a->ret_len);
}

ms_rc ms_accept(struct ms_ctx *c, const uint8_t *msg, size_t len, const struct ms_accept_opts *o,
		struct ms_accepted *a)
{
	struct mikey_msg m;
	struct mikey_error err;
	struct ms_community com, rcom;
	struct peer ini, me;
	const struct mikey_payload *rand, *sakke;
	int64_t now, window, t = 0;
	CK_OBJECT_HANDLE rsk, ssv = CK_INVALID_HANDLE;
	enum ms_srtp_suite suite;
	uint8_t ids[MIKEY_MAX_CS];
	unsigned n_cs;
	ms_rc rc;

	if (!c || !msg || !o || !a)
		return MS_ERR_ARGS;
	memset(a, 0, sizeof(*a));
	c->err[0] = '\0';
	now = o->now ? o->now : (int64_t)time(NULL);
	window = o->window > 0 ? o->window : MS_DEFAULT_WINDOW;
	if (mikey_decode(msg, len, &m, &err) != MS_OK)
		return refuse(a, MS_ERR_MALFORMED, "malformed at offset %zu: %s", err.offset, err.text);
	rc = authenticate(c, msg, &m, now, window, &com, &ini, &t, a);
	if (rc != MS_OK)
		return rc;
	a->csb_id = m.hdr.csb_id;
	rand = mikey_find(&m, MIKEY_PT_RAND, -1);
	sakke = mikey_find(&m, MIKEY_PT_SAKKE, -1);
	if (policy_suite(&m, &suite) != MS_OK)
		return refuse(a, MS_ERR_UNSUPPORTED, "SP names a cipher other than AES-CM or AES-GCM");
	rc = receiver_community(c, &m, &com, &rcom);
	if (rc != MS_OK)
		return refuse(a, MS_ERR_DECAPSULATE, "cannot decapsulate: no community of the "
			      "recipient's KMS in the token");
	if (party_id(&m, &rcom, t, MIKEY_IDR_R, MIKEY_IDR_UIDR, &me) != MS_OK ||
	    ctx_private_key(c, me.id, me.id_len, MS_KEY_SUFFIX_SAKKE, &rsk) != MS_OK)
		return refuse(a, MS_ERR_DECAPSULATE, "cannot decapsulate: no SAKKE key in the token "
			      "for the recipient of this message at its time");
	/* the replay cache is written only for messages addressed to us, so
	 * that trying each I_MESSAGE of a group offer records just ours */
	if (o->replay_path) {
		struct ms_replay_key rk = { m.hdr.csb_id, rand->u.rand.value.ptr, rand->u.rand.value.len,
					    ini.id, ini.id_len, me.id, me.id_len };

		rc = ms_replay_check_and_add(o->replay_path, &rk, t, window, now);
		if (rc == MS_ERR_REPLAY)
			return refuse(a, rc, "replayed (CSB ID %08" PRIx32 " from %s seen before)",
				      m.hdr.csb_id, a->initiator);
		if (rc != MS_OK)
			return refuse(a, rc, "replay cache %s unusable", o->replay_path);
	}
	uid_label(&me, a->responder, sizeof(a->responder));
	rc = ms_p11_unwrap(&c->p, rsk, sakke->u.sakke.data.ptr, sakke->u.sakke.data.len, &ssv);
	if (rc != MS_OK) {
		ctx_note_p11(c);
		return refuse(a, MS_ERR_DECAPSULATE, "cannot decapsulate (%s)", c->err);
	}
	/* a PRF func other than 0 and 1 (RFC 3830, RFC 6043) leaves the SSV
	 * accepted but no SRTP keys: nothing defines how to derive them */
	n_cs = policy_cs_ids(&m.hdr, ids);
	rc = key_params(c, &m, ssv, a);
	if (rc == MS_OK && m.hdr.prf <= 1)
		rc = policy_derive(c, ssv, m.hdr.prf, m.hdr.csb_id, rand->u.rand.value.ptr,
				   rand->u.rand.value.len, suite, ids, n_cs, &a->keys);
	else if (rc == MS_OK)
		snprintf(a->reason, sizeof(a->reason), "PRF func %u unknown: no SRTP keys derived",
			 m.hdr.prf);
	if (rc == MS_OK && o->want_return)
		rc = build_return(c, &com, &me, &ini, &m, ssv, suite, now, a);
	if (rc == MS_OK && o->keep_ssv)
		a->ssv = ssv;
	else
		ms_p11_destroy(&c->p, ssv);
	if (rc != MS_OK) {
		OPENSSL_cleanse(&a->keys, sizeof(a->keys));
		OPENSSL_cleanse(a->key_params_plain, sizeof(a->key_params_plain));
		a->has_key_params = 0;
	}
	return rc;
}

void ms_accepted_clear(struct ms_accepted *a)
{
	if (a) {
		OPENSSL_cleanse(&a->keys, sizeof(a->keys));
		OPENSSL_cleanse(a->key_params_plain, sizeof(a->key_params_plain));
	}
}

void ms_accepted_release(struct ms_ctx *c, struct ms_accepted *a)
{
	if (!a)
		return;
	if (c && a->ssv)
		ms_p11_destroy(&c->p, a->ssv);
	a->ssv = 0;
	ms_accepted_clear(a);
}
