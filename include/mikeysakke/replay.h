/* mikeysakke/replay.h - the replay cache of received I_MESSAGEs.
 *
 * An entry is SHA-256 of (CSB ID, RAND, signer identifier, recipient
 * identifier) with the time
 * after which the message would fail the timestamp window anyway (message
 * time + window); expired entries are dropped.  The cache is a text file
 * ("mikey-sakke-replay 1", then "<hex> <expiry>" lines) rewritten
 * atomically (temporary file, fsync, rename) under an exclusive lock on
 * "<path>.lock", so it survives restarts and concurrent receivers.  It is
 * bounded: when MS_REPLAY_MAX live entries exist, new messages are refused
 * (fail closed) rather than an entry forgotten early.  The recipient is
 * part of the entry because the I_MESSAGEs of one group offer share CSB
 * ID, RAND and signer: two members on one host must both accept theirs.
 */
#ifndef MIKEYSAKKE_REPLAY_H
#define MIKEYSAKKE_REPLAY_H

#include <stddef.h>
#include <stdint.h>
#include "mikeysakke/status.h"

#define MS_REPLAY_MAX 8192

/* MS_OK: not seen before, now recorded.  MS_ERR_REPLAY: seen.
 * MS_ERR_IO: the file cannot be read, locked or written, is corrupt, or is
 * full. */
struct ms_replay_key {
	uint32_t csb_id;
	const uint8_t *rand;
	size_t rand_len;
	const uint8_t *signer;
	size_t signer_len;
	const uint8_t *recipient;
	size_t recipient_len;
};

MS_API ms_rc ms_replay_check_and_add(const char *path, const struct ms_replay_key *k,
				     int64_t msg_time, int64_t window, int64_t now);

/* The default path: $MIKEY_SAKKE_REPLAY_CACHE, else
 * $XDG_STATE_HOME/mstoken/replay.cache, else ~/.local/state/mstoken/replay.cache
 * (directories created).  MS_ERR_CONFIG when none can be formed. */
MS_API ms_rc ms_replay_default_path(char *out, size_t cap);

#endif
