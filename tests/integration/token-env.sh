# tests/integration/token-env.sh - shared set-up of the token test scripts:
# a private SoftHSM2, an mstoken.conf with the slots "alice" and "bob"
# (backing tokens alice-store and bob-store), and p11-kit set to load
# only our module.
#
# MSTOKEN_TEST_BACKEND=pkcs11 (default) or tpm chooses what backs the
# slots: SoftHSM2 tokens, or tpm stores ($SOFTHSM_DIR/tpm/<label>,
# exported as MSTOKEN_TEST_TPM_STORES) on a private swtpm with the
# dictionary-attack parameters of doc/tpm.md (4 tries).  The test bodies
# stay the same: "one test body, two backends".
#
#   . "$top_srcdir/tests/integration/token-env.sh"
#   token_setup || exit $?       # exports MSTOKEN_CONF, MODULE, ...
#   trap token_teardown EXIT

. "$top_builddir/tests/integration/env.sh"
. "$top_srcdir/tests/softhsm-env.sh"
MSTOKEN_TEST_BACKEND=${MSTOKEN_TEST_BACKEND:-pkcs11}
export MSTOKEN_TEST_BACKEND
if [ "$MSTOKEN_TEST_BACKEND" = tpm ]; then
	. "$top_srcdir/tests/integration/swtpm-env.sh"
fi

MODULE="$top_builddir/pkcs11/.libs/mstoken-pkcs11.so"

# mstoken.conf with one slot per label: pkcs11, backed by "<label>-store",
# or tpm, store $MSTOKEN_TEST_TPM_STORES/<label>.
token_conf() {
	if [ "$MSTOKEN_TEST_BACKEND" = tpm ]; then
		swtpm_slot_conf "$MSTOKEN_CONF" "$MSTOKEN_TEST_TPM_STORES" "$@"
		return $?
	fi
	softhsm_mstoken_conf "$MSTOKEN_CONF" "$@"
}

token_setup() {
	if [ ! -f "$SOFTHSM2_MODULE" ]; then
		echo "SKIP: SoftHSM2 module $SOFTHSM2_MODULE not found"
		return 77
	fi
	if [ ! -f "$MODULE" ]; then
		echo "ERROR: $MODULE not built"
		return 99
	fi
	case $MSTOKEN_TEST_BACKEND in
	pkcs11) ;;
	tpm)	swtpm_require
		if ! command -v tpm2_dictionarylockout >/dev/null; then
			echo "SKIP: tpm2-tools (tpm2_dictionarylockout) not found"
			return 77
		fi ;;
	*)	echo "ERROR: MSTOKEN_TEST_BACKEND=$MSTOKEN_TEST_BACKEND: not pkcs11 or tpm"
		return 99 ;;
	esac
	softhsm_setup || return 99
	MSTOKEN_CONF="$SOFTHSM_DIR/mstoken.conf"
	if [ "$MSTOKEN_TEST_BACKEND" = tpm ]; then
		MSTOKEN_TEST_TPM_STORES="$SOFTHSM_DIR/tpm"
		export MSTOKEN_TEST_TPM_STORES
		mkdir -m 700 "$MSTOKEN_TEST_TPM_STORES" || return 99
		swtpm_start || return 99
		swtpm_set_da 4 3600 >/dev/null || return 99
	fi
	token_conf alice bob || return 99
	export MSTOKEN_CONF SOFTHSM2_MODULE MODULE
}

# Run a command with p11-kit configured to load our module only.
# p11-kit ignores user configuration for root, so as root the system
# module folders are replaced by ours in a private mount namespace; as
# another user, $XDG_CONFIG_HOME/pkcs11/modules adds ours and switches
# every system module off.  Answers 77 when neither can be arranged.
p11kit_only_ours() {
	P11_DIR="$SOFTHSM_DIR/p11kit"
	mkdir -p "$P11_DIR/modules" "$P11_DIR/empty" || return 99
	printf 'module: %s\n' "$MODULE" > "$P11_DIR/modules/mstoken.module" || return 99
	if [ "$(id -u)" != 0 ]; then
		XDG_CONFIG_HOME="$SOFTHSM_DIR/config"
		export XDG_CONFIG_HOME
		mkdir -p "$XDG_CONFIG_HOME/pkcs11/modules" || return 99
		for f in /usr/share/p11-kit/modules/*.module /etc/pkcs11/modules/*.module; do
			[ -f "$f" ] || continue
			printf 'disable-in: p11-kit-proxy p11-kit\n' > \
				"$XDG_CONFIG_HOME/pkcs11/modules/$(basename "$f")"
		done
		cp "$P11_DIR/modules/mstoken.module" "$XDG_CONFIG_HOME/pkcs11/modules/"
		"$@"
		return $?
	fi
	if ! unshare --mount --propagation private true 2>/dev/null; then
		echo "SKIP: root without mount namespaces: p11-kit would load the system modules"
		return 77
	fi
	export P11_DIR
	unshare --mount --propagation private sh -c '
		for d in /usr/share/p11-kit/modules /etc/pkcs11/modules; do
			[ -d "$d" ] || continue
			if [ "$d" = /usr/share/p11-kit/modules ]; then src="$P11_DIR/modules"
			else src="$P11_DIR/empty"; fi
			mount --bind "$src" "$d" || exit 99
		done
		[ -d /usr/share/p11-kit/modules ] || exit 99
		exec "$@"' p11kit "$@"
}

# A fresh backing store: forget every token made by a previous run (and,
# on tpm, the dictionary-attack count of the run).
token_reset() {
	if [ "$MSTOKEN_TEST_BACKEND" = tpm ]; then
		rm -rf "$MSTOKEN_TEST_TPM_STORES" &&
		mkdir -m 700 "$MSTOKEN_TEST_TPM_STORES" &&
		swtpm_set_da 4 3600 >/dev/null
		return $?
	fi
	rm -rf "$SOFTHSM_DIR/tokens" && mkdir "$SOFTHSM_DIR/tokens"
}

# On tpm, a run that passed must have written tpm stores and nothing into
# SoftHSM2: else the slots were not what the test claims to test.
token_backend_used() {
	[ "$MSTOKEN_TEST_BACKEND" = tpm ] || return 0
	ls "$MSTOKEN_TEST_TPM_STORES"/*/meta >/dev/null 2>&1 &&
	[ -z "$(ls -A "$SOFTHSM_DIR/tokens")" ]
}

token_teardown() {
	rc=$?
	if [ "$rc" = 0 ] && ! token_backend_used; then
		echo "FAIL: no tpm store written, or SoftHSM2 used: slots not tpm-backed"
		rc=1
	fi
	if [ "$MSTOKEN_TEST_BACKEND" = tpm ]; then
		swtpm_stop_all
	fi
	softhsm_teardown
	exit "$rc"
}
