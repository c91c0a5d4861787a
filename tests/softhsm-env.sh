# tests/softhsm-env.sh - a private SoftHSM2 for one test script.
#
#   . "$top_srcdir/tests/softhsm-env.sh"
#   softhsm_setup [PREFIX] || exit 99   # exports SOFTHSM2_CONF and SOFTHSM_DIR
#   trap softhsm_teardown EXIT
#   softhsm_mstoken_conf FILE LABEL...  # mstoken.conf: a pkcs11 slot per label
#
# The token files live in a fresh mktemp folder, so tests never see (or
# damage) the machine's own tokens and can run side by side.
# library.reset_on_fork = true makes SoftHSM2 start afresh in a forked
# child (its default is to keep the parent's sessions and locks, which a
# child must not use).

softhsm_setup() {
	SOFTHSM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/${1:-mst-softhsm}-XXXXXX") || return 1
	mkdir "$SOFTHSM_DIR/tokens" || return 1
	cat > "$SOFTHSM_DIR/softhsm2.conf" <<CONF || return 1
directories.tokendir = $SOFTHSM_DIR/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
library.reset_on_fork = true
CONF
	SOFTHSM2_CONF="$SOFTHSM_DIR/softhsm2.conf"
	export SOFTHSM_DIR SOFTHSM2_CONF
}

# Safe to call more than once and from an EXIT trap.
softhsm_teardown() {
	if [ -n "${SOFTHSM_DIR:-}" ] && [ -d "$SOFTHSM_DIR" ]; then
		rm -rf "$SOFTHSM_DIR"
	fi
	unset SOFTHSM_DIR SOFTHSM2_CONF
}

# An mstoken.conf (FILE) with one pkcs11 slot per LABEL, each sealing into
# the SoftHSM2 token "<LABEL>-store" ($SOFTHSM2_MODULE, from env.sh).
softhsm_mstoken_conf() {
	conf=$1; shift
	: > "$conf" || return 1
	for label in "$@"; do
		printf '[slot]\nlabel = %s\nbackend = pkcs11\npkcs11.module = %s\npkcs11.token = %s-store\n\n' \
			"$label" "$SOFTHSM2_MODULE" "$label" >> "$conf" || return 1
	done
}
