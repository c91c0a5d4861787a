/* client/ue.c - "mikey-sakke ue": the SIP side of the user agent on
 * sofia-sip's NUA (doc/sip.md).  NUA does the SIP: transactions, dialogs,
 * digest authentication (nua_authenticate), registration refresh, PRACK
 * for reliable provisional responses.  The SDP travels as an opaque body
 * (NUTAG_MEDIA_ENABLE(0)) built and read by libmikeysakke's sdp.c, which
 * keeps a=key-mgmt:mikey; the keys are made and checked in ue_keys.c.
 *
 * One call at a time.  The caller ACKs only after the returned I_MESSAGE
 * of the answer passed ms_check_return (NUTAG_AUTOACK(0)); the callee
 * sends the 183 with the SDP answer, waits for its PRACK when it went
 * reliably, then sends 200 OK. */
#define SU_ROOT_MAGIC_T struct ue
#define SU_TIMER_ARG_T struct ue
#define NUA_MAGIC_T struct ue
#define NUA_HMAGIC_T void
#include "config.h"
#include <ctype.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tag_io.h>
#include <sofia-sip/tport_tag.h>
#include <sofia-sip/url.h>
#include "mikeysakke/pool.h"
#include "client/ue.h"
#include "client/ue_keys.h"

#define TICK_MS 50

struct ue {
	const struct cli_args *a;
	struct ue_keys k;
	su_home_t home[1];
	su_root_t *root;
	nua_t *nua;
	nua_handle_t *reg;
	su_timer_t *tick;
	char aor_host[128], auth_user[128], password[256];
	int registered, reg_auth, shutting_down, shut_down, result;
	int64_t t_start, t_shutdown;
	long calls_done;
	int64_t next_call;      /* caller with --calls N: when to place the next */
	/* the call */
	nua_handle_t *nh;
	int outgoing, auth, answered, acked, reliable, media_on, ending;
	int64_t t_invite;
	struct ue_media media;
};

static struct ue ue_state;
static volatile sig_atomic_t ue_stop_signal;

static void on_signal(int sig)
{
	ue_stop_signal = sig;
}

int64_t ue_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ue_step(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* Ends the run: results only get worse (0 < 1 < 2). */
static void finish(struct ue *u, int result)
{
	if (result > u->result)
		u->result = result;
	if (u->shutting_down)
		return;
	u->shutting_down = 1;
	u->t_shutdown = ue_now_ms();
	nua_shutdown(u->nua);
}

static void call_over(struct ue *u, int result)
{
	if (u->media_on) {
		struct ue_media *m = &u->media;

		ue_media_stop(m);
		ue_step("media sent=%ld received=%ld authenticated=%ld refused=%ld replayed=%ld", m->n_sent,
			m->n_received, m->n_auth, m->n_refused, m->n_replayed);
		u->media_on = 0;
	} else {
		ue_media_stop(&u->media);
	}
	ue_keys_clear(&u->k);
	if (u->nh)
		nua_handle_destroy(u->nh);
	u->nh = NULL;
	u->answered = u->acked = u->reliable = u->ending = u->auth = 0;
	if (result > u->result)
		u->result = result;
	u->calls_done++;
	if (u->outgoing && u->result == CLI_OK && u->calls_done < (u->a->calls ? u->a->calls : 1)) {
		u->next_call = ue_now_ms() + 100;   /* --calls N: the next one from the tick */
		return;
	}
	if (u->outgoing || (u->a->calls && u->calls_done >= u->a->calls))
		finish(u, result);
}

/* "udp", "tls", ... : the transport of a message's top Via, into out. */
static const char *via_transport(sip_t const *sip, char *out, size_t cap)
{
	const char *p = sip && sip->sip_via ? sip->sip_via->v_protocol : NULL;
	const char *slash = p ? strrchr(p, '/') : NULL;
	size_t i;

	snprintf(out, cap, "%s", slash ? slash + 1 : "?");
	for (i = 0; out[i]; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
	return out;
}

/* Digest credentials for the challenge in sip (nua_authenticate). */
static int authenticate(struct ue *u, nua_handle_t *nh, sip_t const *sip, int *tries)
{
	msg_auth_t const *au = sip->sip_www_authenticate ? sip->sip_www_authenticate
							  : sip->sip_proxy_authenticate;
	char const *realm = au ? msg_params_find(au->au_params, "realm=") : NULL;
	char cred[640];

	if (!realm || !u->password[0] || ++*tries > 1)
		return -1;   /* no challenge we can answer, or our answer was refused */
	snprintf(cred, sizeof(cred), "%s:%s:%s:%s", au->au_scheme, realm, u->auth_user, u->password);
	nua_authenticate(nh, NUTAG_AUTH(cred), TAG_END());
	OPENSSL_cleanse(cred, sizeof(cred));
	return 0;
}

static const char *body(sip_t const *sip, size_t *len)
{
	if (!sip || !sip->sip_payload || !sip->sip_payload->pl_data)
		return NULL;
	*len = sip->sip_payload->pl_len;
	return sip->sip_payload->pl_data;
}

/* The quoted text of a Warning header, for the caller's report. */
static void warning_text(sip_t const *sip, char *out, size_t cap)
{
	const char *t = sip && sip->sip_warning ? sip->sip_warning->w_text : NULL;
	size_t n;

	out[0] = '\0';
	if (!t)
		return;
	if (*t == '"')
		t++;
	n = strlen(t);
	if (n && t[n - 1] == '"')
		n--;
	snprintf(out, cap, "%.*s", (int)n, t);
}

static void start_media(struct ue *u)
{
	uint8_t send_cs = u->outgoing ? 0 : 1, recv_cs = u->outgoing ? 1 : 0;

	if (ue_media_start(&u->media, u->a, ue_keys_get(&u->k), send_cs, recv_cs, u->k.remote_addr,
			   u->k.remote_port) != 0) {
		ue_step("media-failed reason=\"cannot start SRTP to %s:%u\"", u->k.remote_addr,
			u->k.remote_port);
		u->ending = 1;
		nua_bye(u->nh, SIPTAG_REASON_STR("SIP;cause=500;text=\"media failed\""), TAG_END());
		if (u->result < CLI_REFUSED)
			u->result = CLI_REFUSED;
		return;
	}
	u->media_on = 1;
	ue_step("media-started local=%s:%d remote=%s:%u send-cs=%u recv-cs=%u suite=%s frames=%ld",
		u->a->address, ue_media_port(&u->media), u->k.remote_addr, u->k.remote_port, send_cs,
		recv_cs, ue_keys_get(&u->k)->suite == MS_SRTP_AEAD_AES_128_GCM ? "aes-gcm" : "aes-cm",
		u->media.frames);
}

/* ---- caller ---- */

static void place_call(struct ue *u)
{
	static char sdp[8192];
	const char *how;

	u->t_invite = ue_now_ms();   /* the call starts: latencies count the I_MESSAGE too */
	if (ue_media_bind(&u->media, u->a->address, u->a->port) != 0) {
		ue_step("call-failed status=0 reason=\"cannot bind RTP on %s:%u\"", u->a->address, u->a->port);
		finish(u, CLI_USAGE);
		return;
	}
	if (ue_keys_offer(&u->k, u->a, ue_media_port(&u->media), sdp, sizeof(sdp), &how) != 0) {
		finish(u, CLI_USAGE);
		return;
	}
	u->outgoing = 1;
	u->nh = nua_handle(u->nua, NULL, SIPTAG_TO_STR(u->a->call), TAG_END());
	if (!u->nh) {
		ue_step("call-failed status=0 reason=\"cannot make a SIP handle for %s\"", u->a->call);
		finish(u, CLI_USAGE);
		return;
	}
	nua_invite(u->nh, SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(sdp),
		   TAG_IF(u->a->no_100rel, SIPTAG_SUPPORTED_STR("")), TAG_END());
	ue_step("invite-sent to=%s imessage=%s csb-id=%08x 100rel=%s ms=%lld", u->a->call, how,
		(unsigned)u->k.cr.csb_id, u->a->no_100rel ? "no" : "supported",
		(long long)(ue_now_ms() - u->t_invite));
}

/* The SDP answer of a 18x or 200: the returned I_MESSAGE must pass
 * ms_check_return before we go on. */
static int caller_answer(struct ue *u, int status, sip_t const *sip)
{
	size_t len = 0;
	const char *sdp = body(sip, &len);
	char why[256];

	if (u->answered || !sdp)
		return 0;
	u->answered = 1;
	u->reliable = sip->sip_rseq != NULL;
	ue_step("%d-received answer=sdp returned-imessage=%s reliable=%s ms=%lld", status,
		ue_keys_answer_has_imessage(sdp, len) ? "yes" : "no", u->reliable ? "yes" : "no",
		(long long)(ue_now_ms() - u->t_invite));
	if (ue_keys_check_answer(&u->k, u->a, sdp, len, why, sizeof(why)) != 0) {
		ue_step("return-refused reason=\"%s\"", why);
		return -1;
	}
	ue_step("return-checked signer=%s csb-id=%08x", u->k.cr.to[0], (unsigned)u->k.cr.csb_id);
	ue_keys_print_agreed(&u->k, u->a);
	return 0;
}

static void r_invite(struct ue *u, int status, char const *phrase, sip_t const *sip)
{
	char warn[256];

	if (status == 401 || status == 407) {
		if (authenticate(u, u->nh, sip, &u->auth) == 0) {
			ue_step("invite-challenged status=%d", status);
			return;
		}
		phrase = u->password[0] ? "credentials refused" : "authentication needed (--password-file)";
	}
	if (status < 200) {
		if (status == 180)
			ue_step("180-received");
		if (status > 100 && caller_answer(u, status, sip) != 0) {
			u->ending = 1;
			nua_cancel(u->nh, SIPTAG_REASON_STR("SIP;cause=488;text=\"returned I_MESSAGE refused\""),
				   TAG_END());
			ue_step("cancel-sent");
			if (u->result < CLI_REFUSED)
				u->result = CLI_REFUSED;
		}
		return;
	}
	if (status >= 300) {
		warning_text(sip, warn, sizeof(warn));
		ue_step("call-failed status=%d phrase=\"%s\" reason=\"%s\"", status, phrase ? phrase : "",
			warn[0] ? warn : (u->ending ? "cancelled by us" : phrase ? phrase : ""));
		call_over(u, CLI_REFUSED);
		return;
	}
	ue_step("200-received ms=%lld", (long long)(ue_now_ms() - u->t_invite));
	nua_ack(u->nh, TAG_END());   /* a 2xx is always ACKed; a refused answer then gets a BYE */
	if (u->ending || caller_answer(u, status, sip) != 0 || !u->answered) {
		if (!u->answered)
			ue_step("return-refused reason=\"no SDP answer in the 183 or 200\"");
		ue_step("ack-sent");
		u->ending = 1;
		nua_bye(u->nh, SIPTAG_REASON_STR("SIP;cause=488;text=\"returned I_MESSAGE refused\""), TAG_END());
		ue_step("bye-sent reason=\"returned I_MESSAGE refused\"");
		if (u->result < CLI_REFUSED)
			u->result = CLI_REFUSED;
		return;
	}
	u->acked = 1;
	ue_step("ack-sent");
	start_media(u);
}

/* ---- callee ---- */

static void i_invite(struct ue *u, nua_handle_t *nh, sip_t const *sip)
{
	static char answer[8192];
	char why[256], warning[400];
	size_t len = 0, i;
	const char *sdp = body(sip, &len);
	sip_via_t const *v;
	sip_record_route_t const *rr;
	int vias = 0, rrs = 0, rel;
	char transport[16], *from;

	for (v = sip->sip_via; v; v = v->v_next)
		vias++;
	for (rr = sip->sip_record_route; rr; rr = rr->r_next)
		rrs++;
	rel = !u->a->no_100rel && (sip_has_feature(sip->sip_supported, "100rel") ||
				    sip_has_feature(sip->sip_require, "100rel"));
	from = sip->sip_from ? url_as_string(u->home, sip->sip_from->a_url) : NULL;
	ue_step("invite-received from=%s via=%d record-route=%d 100rel=%s transport=%s",
		from ? from : "?", vias, rrs, rel ? "yes" : "no",
		via_transport(sip, transport, sizeof(transport)));
	su_free(u->home, from);
	if (u->nh) {
		nua_respond(nh, SIP_486_BUSY_HERE, NUTAG_WITH_THIS(u->nua), TAG_END());
		nua_handle_destroy(nh);
		ue_step("refused status=486 reason=\"busy\"");
		return;
	}
	u->nh = nh;
	u->outgoing = 0;
	if (ue_media_bind(&u->media, u->a->address, u->a->port) != 0)
		snprintf(why, sizeof(why), "cannot bind RTP on %s", u->a->address);
	else if (ue_keys_accept(&u->k, u->a, sdp, len, ue_media_port(&u->media), answer, sizeof(answer),
				why, sizeof(why)) == 0) {
		ue_step("offer-accepted initiator=%s csb-id=%08x", u->k.acc.initiator, (unsigned)u->k.acc.csb_id);
		ue_keys_print_agreed(&u->k, u->a);
		if (!u->a->auto_answer) {
			/* not answering: ring until the caller gives up */
			nua_respond(nh, SIP_180_RINGING, TAG_END());
			ue_step("180-sent");
			return;
		}
		u->reliable = rel;
		nua_respond(nh, SIP_183_SESSION_PROGRESS, SIPTAG_CONTENT_TYPE_STR("application/sdp"),
			    SIPTAG_PAYLOAD_STR(answer), TAG_IF(rel, SIPTAG_REQUIRE_STR("100rel")), TAG_END());
		ue_step("183-sent answer=sdp returned-imessage=yes reliable=%s", rel ? "yes" : "no");
		if (!rel) {   /* no PRACK to wait for: the answer goes again in the 200 */
			nua_respond(nh, SIP_200_OK, SIPTAG_CONTENT_TYPE_STR("application/sdp"),
				    SIPTAG_PAYLOAD_STR(answer), TAG_END());
			ue_step("200-sent");
		}
		return;
	}
	/* the Warning text is a quoted-string: no quote or backslash in it */
	for (i = 0; why[i]; i++)
		if (why[i] == '"' || why[i] == '\\' || (unsigned char)why[i] < 0x20)
			why[i] = '\'';
	snprintf(warning, sizeof(warning), "399 %s \"%s\"", u->aor_host, why);
	nua_respond(nh, SIP_488_NOT_ACCEPTABLE, SIPTAG_WARNING_STR(warning), TAG_END());
	ue_step("refused status=488 reason=\"%s\"", why);
	call_over(u, u->k.token_error ? CLI_USAGE : CLI_REFUSED);
}

/* ---- the NUA event loop ---- */

static void r_register(struct ue *u, int status, char const *phrase, sip_t const *sip)
{
	char transport[16];

	if (status == 401 || status == 407) {
		if (authenticate(u, u->reg, sip, &u->reg_auth) == 0)
			return;
		phrase = u->password[0] ? "credentials refused" : "authentication needed (--password-file)";
	}
	if (status < 200)
		return;
	if (status >= 300) {
		ue_step("register-failed status=%d phrase=\"%s\"", status, phrase ? phrase : "");
		finish(u, CLI_USAGE);
		return;
	}
	u->reg_auth = 0;
	ue_step("registered aor=%s expires=%lu transport=%s%s", u->a->uri,
		sip && sip->sip_contact && sip->sip_contact->m_expires ?
		strtoul(sip->sip_contact->m_expires, NULL, 10) : (unsigned long)u->a->expires,
		via_transport(sip, transport, sizeof(transport)), u->registered ? " refresh=yes" : "");
	if (!u->registered++ && u->a->call)
		place_call(u);
}

static void ue_event(nua_event_t event, int status, char const *phrase, nua_t *nua, struct ue *u,
		     nua_handle_t *nh, void *hmagic, sip_t const *sip, tagi_t tags[])
{
	switch (event) {
	case nua_r_register:
		r_register(u, status, phrase, sip);
		break;
	case nua_r_invite:
		if (nh == u->nh)
			r_invite(u, status, phrase, sip);
		break;
	case nua_i_invite:
		i_invite(u, nh, sip);
		break;
	case nua_i_prack:
		if (nh == u->nh && !u->outgoing && u->reliable) {
			ue_step("prack-received");
			nua_respond(nh, SIP_200_OK, TAG_END());
			ue_step("200-sent");
		}
		break;
	case nua_r_prack:
		if (nh == u->nh)
			ue_step("prack-sent status=%d", status);
		break;
	case nua_i_ack:
		if (nh == u->nh && !u->outgoing) {
			ue_step("ack-received");
			u->acked = 1;
			start_media(u);
		}
		break;
	case nua_i_bye:
		if (nh == u->nh) {
			ue_step("bye-received");
			call_over(u, u->result);
		}
		break;
	case nua_r_bye:
		if (nh == u->nh) {
			ue_step("bye-answered status=%d", status);
			call_over(u, u->result);
		}
		break;
	case nua_i_cancel:
		if (nh == u->nh) {
			ue_step("cancel-received");
			call_over(u, CLI_REFUSED);
		}
		break;
	case nua_i_state: {
		int state = nua_callstate_init;

		tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
		if (nh == u->nh && state == nua_callstate_terminated && !u->outgoing && !u->acked) {
			ue_step("call-ended before answer");
			call_over(u, CLI_REFUSED);
		}
		break;
	}
	case nua_r_shutdown:
		if (status >= 200) {
			u->shut_down = 1;
			su_root_break(u->root);
		}
		break;
	default:
		break;
	}
}

static void tick(struct ue *u, su_timer_t *t, struct ue *arg)
{
	int64_t now = ue_now_ms();

	if (u->shutting_down) {
		if (now - u->t_shutdown > (u->registered ? 5000 : 1000))
			su_root_break(u->root);   /* the server did not answer the un-REGISTER */
		return;
	}
	if (ue_stop_signal) {   /* SIGINT/SIGTERM: hang up, un-REGISTER, exit */
		ue_step("stopping signal=%d", (int)ue_stop_signal);
		if (u->nh && u->acked)
			nua_bye(u->nh, TAG_END());
		finish(u, u->result);
		return;
	}
	if (!u->registered && now - u->t_start > u->a->timeout * 1000) {
		ue_step("register-failed status=0 phrase=\"no answer within %ld s\"", u->a->timeout);
		finish(u, CLI_USAGE);
	} else if (u->outgoing && u->nh && !u->acked && !u->ending &&
		   now - u->t_invite > u->a->timeout * 1000) {
		u->ending = 1;
		nua_cancel(u->nh, TAG_END());
		ue_step("cancel-sent reason=\"no answer within %ld s\"", u->a->timeout);
		if (u->result < CLI_REFUSED)
			u->result = CLI_REFUSED;
	} else if (u->next_call && now >= u->next_call) {
		u->next_call = 0;
		place_call(u);
	} else if (u->outgoing && u->media_on && !u->ending && u->media.done) {
		u->ending = 1;
		nua_bye(u->nh, TAG_END());
		ue_step("bye-sent");
	}
}

static int setup(struct ue *u, const struct cli_args *a)
{
	url_t *aor = url_make(u->home, a->uri);
	char bind[160], registrar[200];

	if (!aor || !aor->url_host || !aor->url_user) {
		fprintf(stderr, "mikey-sakke: --uri %s is not a SIP URI with a user\n", a->uri);
		return -1;
	}
	snprintf(u->aor_host, sizeof(u->aor_host), "%s", aor->url_host);
	snprintf(u->auth_user, sizeof(u->auth_user), "%s", a->auth_user ? a->auth_user : aor->url_user);
	snprintf(registrar, sizeof(registrar), "sip:%s", aor->url_host);
	if (a->sip_port)
		snprintf(bind, sizeof(bind), "sip:%s:%u;transport=%s", a->address, a->sip_port,
			 a->tls ? "tls" : "udp");
	else
		snprintf(bind, sizeof(bind), a->tls ? "sips:%s:*" : "sip:%s:*;transport=udp", a->address);
	u->root = su_root_create(u);
	if (!u->root)
		return -1;
	u->nua = nua_create(u->root, ue_event, u, NUTAG_URL(bind), SIPTAG_FROM_STR(a->uri),
			    NUTAG_PROXY(a->proxy), NUTAG_REGISTRAR(registrar),
			    NUTAG_OUTBOUND("no-outbound no-natify no-validate no-options-keepalive"),
			    NUTAG_MEDIA_ENABLE(0), NUTAG_AUTOACK(0), NUTAG_AUTOALERT(0),
			    NUTAG_AUTOANSWER(0), NUTAG_ENABLEMESSAGE(0),
			    SIPTAG_SUPPORTED_STR(a->no_100rel ? "" : "100rel"),
			    SIPTAG_USER_AGENT_STR("mikey-sakke-ue/" PACKAGE_VERSION),
			    /* TLS: our certificate (agent.pem, also for the server's
			     * connections to us) and the CA the server's must chain to */
			    TAG_IF(a->tls, TPTAG_CERTIFICATE(a->tls)),
			    TAG_IF(a->tls, TPTAG_TLS_VERIFY_POLICY(TPTLS_VERIFY_OUT)), TAG_END());
	if (!u->nua) {
		fprintf(stderr, "mikey-sakke: cannot start SIP on %s\n", bind);
		return -1;
	}
	u->tick = su_timer_create(su_root_task(u->root), TICK_MS);
	if (!u->tick || su_timer_set_for_ever(u->tick, tick, u) != 0)
		return -1;
	u->reg = nua_handle(u->nua, NULL, SIPTAG_TO_STR(a->uri), TAG_END());
	if (!u->reg)
		return -1;
	return 0;
}

int ue_run(const struct cli_args *a, struct ms_ctx *c)
{
	struct ue *u = &ue_state;
	int rc = CLI_USAGE;
	char expires[24];

	memset(u, 0, sizeof(*u));
	u->a = a;
	u->media.sock = -1;
	if (a->password_file && ue_read_password(a->password_file, u->password, sizeof(u->password)) != 0)
		return CLI_USAGE;
	if (ue_keys_init(&u->k, c, a) != 0 || su_init() != 0)
		goto out;
	su_home_init(u->home);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (setup(u, a) == 0) {
		u->t_start = ue_now_ms();
		snprintf(expires, sizeof(expires), "%ld", a->expires);
		nua_register(u->reg, SIPTAG_EXPIRES_STR(expires), TAG_END());
		su_root_run(u->root);
		rc = u->result;
		if (u->nh)
			call_over(u, rc);
	}
	if (u->tick)
		su_timer_destroy(u->tick);
	/* A stack whose shutdown did not complete (the server is gone) cannot
	 * be destroyed cleanly: the process is about to exit anyway. */
	if (!u->nua || u->shut_down) {
		if (u->nua)
			nua_destroy(u->nua);
		if (u->root)
			su_root_destroy(u->root);
		su_home_deinit(u->home);
		su_deinit();
	}
out:
	ue_keys_free(&u->k);
	OPENSSL_cleanse(u->password, sizeof(u->password));
	return rc;
}
