/* client/replay.c - persistent, bounded, atomically rewritten replay cache. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "mikeysakke/replay.h"
#include "mikeysakke/codec.h"
#include "util/atomicfile.h"

#define HEADER "mikey-sakke-replay 1\n"

struct entry {
	uint8_t h[32];
	int64_t expiry;
};

/* Each variable field is preceded by its length, so no two keys collide. */
static int entry_key(const struct ms_replay_key *k, uint8_t out[32])
{
	uint8_t head[5] = { (uint8_t)(k->csb_id >> 24), (uint8_t)(k->csb_id >> 16),
			    (uint8_t)(k->csb_id >> 8), (uint8_t)k->csb_id, (uint8_t)k->rand_len };
	uint8_t sl[2] = { (uint8_t)(k->signer_len >> 8), (uint8_t)k->signer_len };
	unsigned int n = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
		 EVP_DigestUpdate(c, head, sizeof(head)) == 1 &&
		 EVP_DigestUpdate(c, k->rand, k->rand_len) == 1 &&
		 EVP_DigestUpdate(c, sl, sizeof(sl)) == 1 &&
		 EVP_DigestUpdate(c, k->signer, k->signer_len) == 1 &&
		 EVP_DigestUpdate(c, k->recipient, k->recipient_len) == 1 &&
		 EVP_DigestFinal_ex(c, out, &n) == 1 && n == 32;

	EVP_MD_CTX_free(c);
	return ok;
}

/* Reads the live entries (expiry >= now); -1 on a corrupt file. */
static int load(FILE *f, struct entry *e, size_t *n, int64_t now)
{
	char line[128];

	*n = 0;
	if (!fgets(line, sizeof(line), f))
		return 0;  /* new, empty file */
	if (strcmp(line, HEADER) != 0)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char hex[65];
		long long exp;
		size_t got;

		if (sscanf(line, "%64s %lld", hex, &exp) != 2 ||
		    ms_hex_decode(hex, strlen(hex), e[*n].h, 32, &got) != MS_OK || got != 32)
			return -1;
		if (exp < now)
			continue;
		e[*n].expiry = exp;
		if (++*n == MS_REPLAY_MAX + 1)
			return -1;
	}
	return 0;
}

/* The whole cache rewritten through the shared atomic-file writer
 * (util/atomicfile.c): temporary file O_EXCL|O_NOFOLLOW 0600, fsync,
 * rename, folder fsync. */
static int save(const char *path, const struct entry *e, size_t n)
{
	size_t line = 64 + 1 + 20 + 1, cap = sizeof(HEADER) + n * line + 1, len;
	char *buf = malloc(cap), *p;
	size_t i;
	int ok;

	if (!buf)
		return 0;
	p = buf + (len = strlen(HEADER));
	memcpy(buf, HEADER, len);
	for (i = 0; i < n; i++) {
		ms_hex_encode(e[i].h, 32, p);
		len += 64;
		len += (size_t)snprintf(buf + len, cap - len, " %lld\n", (long long)e[i].expiry);
		p = buf + len;
	}
	ok = af_write(path, buf, len, 0600) == 0;
	free(buf);
	return ok;
}

ms_rc ms_replay_check_and_add(const char *path, const struct ms_replay_key *k,
			      int64_t msg_time, int64_t window, int64_t now)
{
	char lock[4096 + 8];
	struct entry *e;
	uint8_t key[32];
	size_t n = 0, i;
	FILE *f;
	int lfd;
	ms_rc rc = MS_ERR_IO;

	if (!path || !k || !k->rand || !k->signer || !k->recipient || k->rand_len > 255 ||
	    k->signer_len > 0xffff || window < 0)
		return MS_ERR_ARGS;
	if (!entry_key(k, key))
		return MS_ERR_CRYPTO;
	if (snprintf(lock, sizeof(lock), "%s.lock", path) >= (int)sizeof(lock))
		return MS_ERR_ARGS;
	e = calloc(MS_REPLAY_MAX + 1, sizeof(*e));
	if (!e)
		return MS_ERR_NOMEM;
	lfd = af_open_lock(lock);  /* no symlink, 0600, the user's own */
	if (lfd < 0 || flock(lfd, LOCK_EX) != 0)
		goto out;
	f = fopen(path, "r");
	if (f) {
		int bad = load(f, e, &n, now);
		fclose(f);
		if (bad)
			goto out;
	} else if (errno != ENOENT) {
		goto out;
	}
	for (i = 0; i < n; i++)
		if (memcmp(e[i].h, key, 32) == 0) {
			rc = MS_ERR_REPLAY;
			goto out;
		}
	if (n == MS_REPLAY_MAX)
		goto out;  /* full of live entries: refuse rather than forget one */
	memcpy(e[n].h, key, 32);
	e[n].expiry = msg_time + window;
	if (save(path, e, n + 1))
		rc = MS_OK;
out:
	if (lfd >= 0)
		close(lfd);  /* releases the lock */
	free(e);
	return rc;
}

static int mkdirs(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

ms_rc ms_replay_default_path(char *out, size_t cap)
{
	/* secure_getenv: a setuid/setgid caller must not let its user pick
	 * the file it rewrites. */
	const char *env = secure_getenv("MIKEY_SAKKE_REPLAY_CACHE");
	const char *xdg = secure_getenv("XDG_STATE_HOME"), *home = secure_getenv("HOME");
	int n;

	if (env && *env)
		n = snprintf(out, cap, "%s", env);
	else if (xdg && *xdg)
		n = snprintf(out, cap, "%s/mstoken/replay.cache", xdg);
	else if (home && *home)
		n = snprintf(out, cap, "%s/.local/state/mstoken/replay.cache", home);
	else
		return MS_ERR_CONFIG;
	if (n < 0 || (size_t)n >= cap || mkdirs(out) != 0)
		return MS_ERR_CONFIG;
	return MS_OK;
}
