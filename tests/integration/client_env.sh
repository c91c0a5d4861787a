# tests/integration/client_env.sh - shared set-up of client_cli.sh and
# client_demo.sh: a private SoftHSM2, one mstoken slot per user, tokens
# provisioned the README way (mstoken-kms issues, pkcs11-tool imports).
#
#   . "$top_srcdir/tests/integration/client_env.sh"
#   client_env_setup <tmp prefix> <slot labels...> || exit $?   # sets T
#   trap 'rm -rf "$T"' EXIT
#   token <slot index> <label> <community dir> <uri>
#   as <token> <mikey-sakke arguments...>
#   wait_listening <stderr files...>

MODULE="${MSTOKEN_MODULE:-$top_builddir/pkcs11/.libs/mstoken-pkcs11.so}"
KMS="${MSTOKEN_KMS:-$top_builddir/kms/mstoken-kms}"
MS="$top_builddir/client/mikey-sakke"
MEDIA="$top_builddir/client/mikey-sakke-media"
. "$top_builddir/tests/integration/env.sh"
. "$top_srcdir/tests/softhsm-env.sh"

client_env_setup() {
	prefix=$1; shift
	for f in "$MODULE" "$KMS" "$SOFTHSM2_MODULE" "$PKCS11_TOOL"; do
		[ -n "$f" ] && [ -f "$f" ] || { echo "SKIP: $f not built or not installed"; return 77; }
	done
	softhsm_setup "$prefix" || return 99
	T=$SOFTHSM_DIR
	softhsm_mstoken_conf "$T/mstoken.conf" "$@" || return 99
	MSTOKEN_CONF="$T/mstoken.conf" MIKEY_SAKKE_REPLAY_CACHE="$T/replay"
	export MSTOKEN_CONF MIKEY_SAKKE_REPLAY_CACHE
}

# waits (up to 10 s) until each named stderr file says "listening"
wait_listening() {
	for f in "$@"; do
		n=0
		until grep -q listening "$f" 2>/dev/null; do
			n=$((n + 1)); [ $n -gt 100 ] && return 1
			sleep 0.1
		done
	done
}

p11() {
	"$PKCS11_TOOL" --module "$MODULE" "$@" > "$T/p11.log" 2>&1 || { cat "$T/p11.log"; return 1; }
}

# token <slot index> <label> <community dir> <uri>
token() {
	"$KMS" user issue --dir "$3" --uri "$4" --out "$T/$2.xml" > /dev/null || return 1
	p11 --slot-index "$1" --init-token --label "$2" --so-pin 12345678 &&
	p11 --token-label "$2" --login --login-type so --so-pin 12345678 --init-pin --pin 1234 &&
	p11 --token-label "$2" --login --login-type so --so-pin 12345678 \
		--write-object "$3/community.xml" --type data \
		--application-label "3GPP KmsCertificate" &&
	p11 --token-label "$2" --login --pin 1234 --write-object "$T/$2.xml" --type data \
		--application-label "3GPP KmsKeySet"
}

as() { # token, mikey-sakke arguments...
	tok=$1; shift
	"$MS" "$@" --module "$MODULE" --token "$tok" --pin 1234
}
