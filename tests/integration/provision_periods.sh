#!/bin/sh
# tests/integration/provision_periods.sh - key periods in practice (issue 10,
# item 4) on tokens provisioned by "mstoken-kms serve" with the key sets of
# the current and the next period ("provision keys --next"):
#  - a call set up 1 s before the period boundary B (message time B-1,
#    signed with the current period's key) is accepted 1 s after it (the
#    receiver's clock at B+1 uses the initiator's period from the message
#    time);
#  - a message of time B+1 is signed with the next period's key set (the one
#    valid at the message time) and accepted;
#  - the key set of a period that has ended is refused for signing.
# The message clock is set with mikey-sakke's --at; the token's clock is the
# real one (B lies ahead of it: the current period has not ended).
set -u
. "$top_srcdir/tests/integration/token-env.sh"
[ -n "$PKCS11_TOOL" ] || { echo "SKIP: pkcs11-tool not found"; exit 77; }
token_setup || exit $?
KMS="$top_builddir/kms/mstoken-kms"
MS="$top_builddir/client/mikey-sakke"
T=$SOFTHSM_DIR/periods
mkdir "$T" || exit 99
. "$top_srcdir/tests/integration/kms_server_env.sh"
trap 'rc=$?; kms_server_stop; (exit $rc); token_teardown' EXIT
. "$top_srcdir/tests/integration/tap.sh"
p11() { "$PKCS11_TOOL" --module "$MODULE" "$@"; }

# one-hour key periods (offset 0: they end on the hour): the boundary is at
# most an hour ahead; too close to it, wait for the next period to start
LEFT=$((3600 - $(date +%s) % 3600))
[ $LEFT -lt 60 ] && sleep $((LEFT + 2))
"$KMS" community create --dir "$T/kms" --kms-uri kms.example.org --key-period 3600 > /dev/null || exit 99
kms_server_start "$T/kms" "$T" || exit 99
i=0
for u in alice bob; do
	kms_enrol "$T/kms" sip:$u@example.org "$T/$u.enrol" || exit 99
	p11 --slot-index $i --init-token --label $u --so-pin 12345678 > /dev/null 2>&1 &&
	p11 --token-label $u --login --login-type so --so-pin 12345678 --init-pin --pin 1234 > /dev/null 2>&1 ||
		exit 99
	i=$((i + 1))
	for step in "init --so-pin 12345678" "keys --pin 1234 --next"; do
		# shellcheck disable=SC2086
		"$MS" provision $step --module "$MODULE" --token $u --kms "$KMS_URL" --cacert "$KMS_CACERT" \
			--enrolment "$T/$u.enrol" > "$T/$u.out" 2>&1 || { cat "$T/$u.out"; exit 99; }
	done
done
"$MS" provision status --module "$MODULE" --token alice --pin 1234 > "$T/status" || exit 99
cat "$T/status"
check "alice holds the key sets of two periods, the current one valid" sh -c \
	'[ $(grep -c "^key set sip:alice@example.org" "$1") -eq 2 ] && grep -q "(valid)" "$1" && grep -q "(not yet valid)" "$1"' - "$T/status"
# B: the end of the current period (its ValidTo)
B_TEXT=$(sed -n 's/^key set sip:alice@example.org: period [0-9]*, .* to \([^ ]*\) (valid).*/\1/p' "$T/status")
B=$(date -u -d "$B_TEXT" +%s) || exit 99
NOW=$(date +%s)
check "the boundary lies ahead ($B_TEXT, in $((B - NOW)) s)" [ "$B" -gt "$NOW" ]

as() { u=$1; shift; "$MS" "$@" --module "$MODULE" --token "$u" --pin 1234; }
# created 1 s before the boundary, accepted 1 s after it
as alice create --from sip:alice@example.org --to sip:bob@example.org --at @$((B - 1)) \
	--format base64 --show-keys --out "$T/before.b64" > "$T/before.keys" 2> "$T/before.err"
check "alice creates at B-1 (the current period's key set signs)" [ -s "$T/before.b64" ]
as bob accept --in "$T/before.b64" --at @$((B + 1)) --show-keys > "$T/before.out" 2>&1
check "bob accepts it at B+1: initiator alice, the same SRTP keys" sh -c \
	'grep -q "^initiator=sip:alice@example.org " "$1" && grep -q "^cs=" "$2" && [ "$(grep "^cs=" "$1")" = "$(grep "^cs=" "$2")" ]' - \
	"$T/before.out" "$T/before.keys"
# after the boundary: the next period's key set
as alice create --from sip:alice@example.org --to sip:bob@example.org --at @$((B + 1)) \
	--format base64 --show-keys --out "$T/after.b64" > "$T/after.keys" 2> "$T/after.err"
as bob accept --in "$T/after.b64" --at @$((B + 2)) --show-keys > "$T/after.out" 2>&1
check "a message of time B+1 is signed with the next period's key set and accepted" sh -c \
	'grep -q "^initiator=sip:alice@example.org " "$1" && [ "$(grep "^cs=" "$1")" = "$(grep "^cs=" "$2")" ]' - \
	"$T/after.out" "$T/after.keys"
# a period that has ended: issued plainly for an hour ago, imported, refused for signing
PAST=$((B - 3600 - 1800))
"$KMS" user issue --dir "$T/kms" --uri sip:alice@example.org --at @$PAST --out "$T/old.xml" > /dev/null || exit 99
p11 --token-label alice --login --pin 1234 --write-object "$T/old.xml" --type data \
	--application-label "3GPP KmsKeySet" > /dev/null 2>&1
check "the ended period's key set is in the token (as expired)" sh -c \
	'"$1" provision status --module "$2" --token alice --pin 1234 | grep -q "(expired)"' - "$MS" "$MODULE"
as alice create --from sip:alice@example.org --to sip:bob@example.org --at @$PAST \
	--format base64 --out "$T/old.b64" > /dev/null 2> "$T/old.err"
RC=$?
check "signing with the ended period's key set is refused (exit 1: $(cat "$T/old.err"))" sh -c \
	'[ $1 -eq 1 ] && [ ! -s "$2" ]' - $RC "$T/old.b64"
# renew deletes it
"$MS" provision renew --module "$MODULE" --token alice --pin 1234 --kms "$KMS_URL" --cacert "$KMS_CACERT" \
	--enrolment "$T/alice.enrol" --before 0 > "$T/renew.out" 2>&1
check "renew deletes the ended key set and fetches nothing: $(tr '\n' ' ' < "$T/renew.out")" sh -c \
	'grep -q "^deleted key set sip:alice@example.org" "$1" && grep -q "nothing to fetch" "$1"' - "$T/renew.out"
check "... status shows no expired key set" sh -c \
	'! "$1" provision status --module "$2" --token alice --pin 1234 | grep -q "(expired)"' - "$MS" "$MODULE"

tap_finish
