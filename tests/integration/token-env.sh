# tests/integration/token-env.sh - shared set-up of the token test scripts:
# a private SoftHSM2, an mstoken.conf with the slots "alice" and "bob"
# (backing tokens alice-store and bob-store), and a p11-kit user
# configuration that loads only our module.
#
#   . "$top_srcdir/tests/integration/token-env.sh"
#   token_setup || exit $?       # exports MSTOKEN_CONF, MODULE, ...
#   trap token_teardown EXIT

. "$top_builddir/tests/integration/env.sh"
. "$top_srcdir/tests/softhsm-env.sh"

MODULE="$top_builddir/pkcs11/.libs/mstoken-pkcs11.so"

token_setup() {
	if [ ! -f "$SOFTHSM2_MODULE" ]; then
		echo "SKIP: SoftHSM2 module $SOFTHSM2_MODULE not found"
		return 77
	fi
	if [ ! -f "$MODULE" ]; then
		echo "ERROR: $MODULE not built"
		return 99
	fi
	softhsm_setup || return 99
	MSTOKEN_CONF="$SOFTHSM_DIR/mstoken.conf"
	cat > "$MSTOKEN_CONF" <<CONF || return 99
[slot]
label = alice
backend = pkcs11
pkcs11.module = $SOFTHSM2_MODULE
pkcs11.token = alice-store

[slot]
label = bob
backend = pkcs11
pkcs11.module = $SOFTHSM2_MODULE
pkcs11.token = bob-store
CONF
	export MSTOKEN_CONF SOFTHSM2_MODULE MODULE
}

# p11-kit's user configuration: our module, and every system module
# switched off for the proxy, so p11-kit-proxy.so offers our slots only.
p11kit_only_ours() {
	XDG_CONFIG_HOME="$SOFTHSM_DIR/config"
	HOME="$SOFTHSM_DIR"
	export XDG_CONFIG_HOME HOME
	mkdir -p "$XDG_CONFIG_HOME/pkcs11/modules" || return 1
	for f in /usr/share/p11-kit/modules/*.module /etc/pkcs11/modules/*.module; do
		[ -f "$f" ] || continue
		printf 'disable-in: p11-kit-proxy p11-kit\n' > \
			"$XDG_CONFIG_HOME/pkcs11/modules/$(basename "$f")"
	done
	printf 'module: %s\n' "$MODULE" > "$XDG_CONFIG_HOME/pkcs11/modules/mstoken.module"
}

# A fresh backing store: forget every token made by a previous run.
token_reset() {
	rm -rf "$SOFTHSM_DIR/tokens" && mkdir "$SOFTHSM_DIR/tokens"
}

token_teardown() {
	softhsm_teardown
}
