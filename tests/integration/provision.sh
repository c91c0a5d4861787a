#!/bin/sh
# tests/integration/provision.sh - issue 10 end to end: "mstoken-kms serve"
# on loopback (HTTPS, a test CA) provisions fresh tokens through
# "mikey-sakke provision init|keys|renew|status"; the keys then sign and
# decapsulate for the independent implementation (tests/ref/msref.py);
# wrong or missing access tokens, another user's keys, an unknown TrK, a
# tampered and a replayed response are refused with nothing stored; no SSK
# or RSK appears in the client's output, files or the backing store.
# MSTOKEN_TEST_BACKEND=tpm runs it on a TPM (provision-tpm.sh).
set -u
. "$top_srcdir/tests/integration/token-env.sh"
for tool in "$PKCS11_TOOL" "$PYTHON3" "$OPENSSL"; do
	[ -n "$tool" ] && command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool not found"; exit 77; }
done
token_setup || exit $?
KMS="$top_builddir/kms/mstoken-kms"
MS="$top_builddir/client/mikey-sakke"
REF="$top_srcdir/tests/ref/msref.py"
CHECK="$top_srcdir/tests/integration/kms_serve_check.py"
T=$SOFTHSM_DIR/prov
mkdir "$T" || exit 99
. "$top_srcdir/tests/integration/kms_server_env.sh"
trap 'rc=$?; kms_server_stop; (exit $rc); token_teardown' EXIT
. "$top_srcdir/tests/integration/tap.sh"
p11() { "$PKCS11_TOOL" --module "$MODULE" "$@"; }
# objects the user of slot $1 sees
count() { p11 --token-label "$1" --login --pin 1234 --list-objects 2>/dev/null | grep -ciE '^(private key|public key|secret key|data) object'; }
# prov CMD SLOT [OPTS...]: mikey-sakke provision, output in $T/out, $T/err
prov() {
	c=$1 s=$2; shift 2
	"$MS" provision "$c" --module "$MODULE" --token "$s" "$@" > "$T/out" 2> "$T/err"
}
# refused1 DESC FRAGMENT: the last prov exited 1 with one line naming FRAGMENT
refused1() {
	if [ "$RC" -eq 1 ] && [ "$(wc -l < "$T/err")" -eq 1 ] && grep -qF -- "$2" "$T/err"; then
		pass "$1: $(cat "$T/err")"
	else
		failed "$1 (exit $RC: $(cat "$T/err"))"
	fi
}

# --- the KMS, two enrolled users, a third with a plain key set for msref ---
"$KMS" community create --dir "$T/kms" --kms-uri kms.example.org > /dev/null || exit 99
kms_enrol "$T/kms" sip:alice@example.org "$T/alice.enrol" || exit 99
kms_enrol "$T/kms" sip:bob@example.org "$T/bob.enrol" || exit 99
"$KMS" user issue --dir "$T/kms" --uri sip:carol@example.org --out "$T/carol.xml" > /dev/null || exit 99
kms_server_start "$T/kms" "$T" || exit 99
i=0
for s in alice bob; do
	# the slots of mstoken.conf, in order
	p11 --slot-index $i --init-token --label $s --so-pin 12345678 > /dev/null 2>&1 &&
	p11 --token-label $s --login --login-type so --so-pin 12345678 --init-pin --pin 1234 > /dev/null 2>&1 ||
		exit 99
	i=$((i + 1))
done
K="--kms $KMS_URL --cacert $KMS_CACERT"

# --- provisioning alice (PINs from descriptors, as the other commands) ------
echo 12345678 > "$T/so.pin"
echo 1234 > "$T/user.pin"
prov init alice $K --enrolment "$T/alice.enrol" --so-pin-fd 3 3< "$T/so.pin"; RC=$?
check "init (SO PIN from --so-pin-fd): exit 0, the community imported" sh -c \
	'[ $1 -eq 0 ] && grep -q "^imported community kms.example.org: UserIdFormat 2" "$2"' - $RC "$T/out"
cp "$T/out" "$T/init.out"
prov keys alice $K --enrolment "$T/alice.enrol" --pin-fd 3 3< "$T/user.pin"; RC=$?
check "keys (user PIN from --pin-fd): exit 0, alice's key set of now imported" sh -c \
	'[ $1 -eq 0 ] && grep -q "^imported key set sip:alice@example.org: period [0-9]*, .* (valid)" "$2"' - $RC "$T/out"
check "... and the TrK and InK stored" sh -c 'grep -q "^imported transport key (TrK) TrK-" "$1" &&
	grep -q "^imported integrity key (InK) InK-" "$1"' - "$T/out"
cp "$T/out" "$T/keys.out"
prov keys alice $K --enrolment "$T/alice.enrol" --pin 1234 --next; RC=$?
check "keys --next: the next period's key set as well" sh -c \
	'[ $1 -eq 0 ] && grep -q "^imported key set .* (not yet valid)" "$2" && [ $(grep -c "^imported key set" "$2") -eq 1 ]' - $RC "$T/out"
cp "$T/out" "$T/next.out"
(MSTOKEN_PIN=1234; export MSTOKEN_PIN; prov status alice); RC=$?
check "status (user PIN from MSTOKEN_PIN): community, both key sets, TrK and InK IDs" sh -c '[ $1 -eq 0 ] &&
	[ $(grep -c "^key set sip:alice@example.org" "$2") -eq 2 ] && grep -q "^community kms.example.org" "$2" &&
	grep -q "^transport key (TrK) $3 of sip:alice@example.org" "$2" && grep -q "^integrity key (InK) $4 of" "$2"' - \
	$RC "$T/out" "$(sed -n 's/^trk-id=//p' "$T/alice.enrol")" "$(sed -n 's/^ink-id=//p' "$T/alice.enrol")"
cp "$T/out" "$T/status.out"
prov renew alice $K --enrolment "$T/alice.enrol" --pin 1234 --before 0; RC=$?
check "renew --before 0: nothing to fetch" sh -c '[ $1 -eq 0 ] && grep -q "nothing to fetch" "$2"' - $RC "$T/out"
prov keys alice $K --enrolment "$T/alice.enrol" --pin 1234 --next; RC=$?
check "keys --next again: exit 0, nothing new" sh -c '[ $1 -eq 0 ] && grep -q "nothing new" "$2"' - $RC "$T/out"

# --- the keys work for an independent implementation -----------------------
"$MS" create --module "$MODULE" --token alice --pin 1234 --from sip:alice@example.org \
	--to sip:carol@example.org --show-keys --out "$T/a.sdp" > "$T/a.keys" 2>&1
"$PYTHON3" "$REF" imessage-accept --cert "$T/kms/community.xml" --keyset "$T/carol.xml" \
	--in "$T/a.sdp" > "$T/a.ref" 2>&1
check "alice signs (SSK from the KMS): msref accepts with the same keys" sh -c \
	'grep -q "^initiator=sip:alice@example.org " "$1" && [ "$(grep "^cs=" "$2")" = "$(grep "^cs=" "$1")" ] && grep -q "^cs=" "$2"' - \
	"$T/a.ref" "$T/a.keys"
"$PYTHON3" "$REF" imessage-create --cert "$T/kms/community.xml" --keyset "$T/carol.xml" \
	--to-cert "$T/kms/community.xml" --to sip:alice@example.org --show-keys > "$T/c.ref" 2>&1
grep -v '^cs=' "$T/c.ref" > "$T/c.b64"
"$MS" accept --module "$MODULE" --token alice --pin 1234 --in "$T/c.b64" --show-keys > "$T/c.out" 2>&1
check "alice decapsulates (RSK from the KMS) msref's I_MESSAGE with the same keys" sh -c \
	'grep -q "^initiator=sip:carol@example.org " "$1" && [ "$(grep "^cs=" "$2")" = "$(grep "^cs=" "$1")" ] && grep -q "^cs=" "$1"' - \
	"$T/c.out" "$T/c.ref"

# --- refusals: each stores nothing -----------------------------------------
N=$(count alice)
# usage and configuration (exit 2, one line, no key in it)
usage2() {
	if [ "$RC" -eq 2 ] && grep -qF -- "$2" "$T/err" && ! grep -qiE '[0-9a-f]{32}' "$T/err"; then
		pass "$1: $(head -n1 "$T/err")"
	else
		failed "$1 (exit $RC: $(cat "$T/err"))"
	fi
}
cp "$T/alice.enrol" "$T/open.enrol"; chmod 644 "$T/open.enrol"
prov keys alice $K --enrolment "$T/open.enrol" --pin 1234; RC=$?
usage2 "an enrolment file readable by others" "must be 0600"
grep -v '^ink=' "$T/alice.enrol" > "$T/noink.enrol"; chmod 600 "$T/noink.enrol"
prov keys alice $K --enrolment "$T/noink.enrol" --pin 1234; RC=$?
usage2 "an enrolment without ink" "ink missing"
sed 's/^access-token=.*/access-token=/' "$T/alice.enrol" > "$T/notok.enrol"; chmod 600 "$T/notok.enrol"
prov keys alice $K --enrolment "$T/notok.enrol" --pin 1234; RC=$?
usage2 "a missing access token (empty in the enrolment)" "access-token: empty"
sed 's/^trk=./trk=x/' "$T/alice.enrol" > "$T/badhex.enrol"; chmod 600 "$T/badhex.enrol"
prov keys alice $K --enrolment "$T/badhex.enrol" --pin 1234; RC=$?
usage2 "a TrK that is not hex" "trk: expected 64 hex digits"
prov keys alice $K --enrolment "$T/alice.enrol" --pin 9999; RC=$?
usage2 "a wrong PIN" "cannot log in"
prov keys alice $K --enrolment "$T/alice.enrol" --pin 1234 --pin-fd 3 3< "$T/user.pin"; RC=$?
usage2 "--pin and --pin-fd together" "give the PIN once: --pin or --pin-fd"
prov init alice $K --enrolment "$T/alice.enrol" --so-pin-fd 7; RC=$?
usage2 "--so-pin-fd on a closed descriptor" "--so-pin-fd: no PIN line could be read"
sh "$top_srcdir/tests/integration/kms_tls.sh" "$T/otherca" > /dev/null 2>&1 || exit 99
prov keys alice --kms "$KMS_URL" --cacert "$T/otherca/ca.pem" --enrolment "$T/alice.enrol" --pin 1234; RC=$?
refused1 "a KMS whose certificate another CA signed" "cannot reach the KMS"
prov keys alice --kms "http://127.0.0.1:$KMS_PORT" --cacert "$KMS_CACERT" --enrolment "$T/alice.enrol" --pin 1234; RC=$?
refused1 "plain HTTP" "cannot reach the KMS"
check "... nothing stored by any of them" [ "$(count alice)" = "$N" ]
sed 's/^access-token=.*/access-token=0000000000000000000000000000000000000000000000000000000000000000/' \
	"$T/alice.enrol" > "$T/wrongtok.enrol"; chmod 600 "$T/wrongtok.enrol"
prov keys alice $K --enrolment "$T/wrongtok.enrol" --pin 1234 --next; RC=$?
refused1 "a wrong access token" "unauthorised"
sed "s/^access-token=.*/$(grep '^access-token=' "$T/bob.enrol")/" "$T/alice.enrol" > "$T/bobtok.enrol"
chmod 600 "$T/bobtok.enrol"
prov keys alice $K --enrolment "$T/bobtok.enrol" --pin 1234 --next; RC=$?
refused1 "another user's keys (bob's access token, alice's UserUri)" "forbidden"
check "... nothing stored" [ "$(count alice)" = "$N" ]
# an unknown TrK: bob's token is given another TrK ID than the KMS uses
prov init bob $K --enrolment "$T/bob.enrol" --so-pin 12345678 || exit 99
sed 's/^trk-id=.*/trk-id=TrK-not-the-kms-one/' "$T/bob.enrol" > "$T/badtrk.enrol"; chmod 600 "$T/badtrk.enrol"
NB=$(count bob)
prov keys bob $K --enrolment "$T/badtrk.enrol" --pin 1234; RC=$?
refused1 "a key set under a TrK the token lacks" "unknown transport key"
check "... no key set stored (only the TrK/InK given)" sh -c \
	'! "$1" --module "$2" --token-label bob --login --pin 1234 --list-objects --type privkey 2>/dev/null | grep -q "Private Key"' - \
	"$PKCS11_TOOL" "$MODULE"
# a response fetched by hand (curl), then tampered with or replayed
post() {
	"$CURL_TOOL" -s --cacert "$KMS_CACERT" -H "Authorization: Bearer $(sed -n 's/^access-token=//p' "$1")" \
		-H 'Content-Type: application/xml' --data-binary @- "$KMS_URL/keymanagement/identity/v1/$2" -o "$3" <<REQ
<KmsRequest xmlns="urn:3gpp:ns:mcsecKMSInterface:1.0"><UserUri>$4</UserUri><KmsUri>kms.example.org</KmsUri><Time>$(date -u +%Y-%m-%dT%H:%M:%SZ)</Time><ClientReqUrl>$KMS_URL/keymanagement/identity/v1/$2</ClientReqUrl></KmsRequest>
REQ
}
write() { p11 --token-label "$1" --login --pin 1234 --write-object "$2" --type data --application-label "3GPP KmsKeySet" > "$T/w.out" 2>&1; }
prov keys bob $K --enrolment "$T/bob.enrol" --pin 1234 || { cat "$T/err"; exit 99; }
sleep 1
post "$T/bob.enrol" keyprov "$T/bob1.xml" sip:bob@example.org
sleep 1
post "$T/bob.enrol" 'keyprov?next=1' "$T/bob2.xml" sip:bob@example.org
sed 's/<Time>\(....\)/<Time>1999/' "$T/bob2.xml" > "$T/bob-tampered.xml"
NB=$(count bob)
write bob "$T/bob-tampered.xml"
check "a tampered response (Time edited): CKR_SIGNATURE_INVALID, nothing stored" sh -c \
	'grep -q CKR_SIGNATURE_INVALID "$1" && [ "$2" = "$3" ]' - "$T/w.out" "$(count bob)" "$NB"
check "the untampered response imports its new (next) key set (pkcs11-tool --write-object, the same path)" write bob "$T/bob2.xml"
NB=$(count bob)
write bob "$T/bob1.xml"
check "an older response (replay): 0xcd530302, nothing stored" sh -c \
	'grep -qi "0xcd530302\|CKR_VENDOR_DEFINED" "$1" && [ "$2" = "$3" ]' - "$T/w.out" "$(count bob)" "$NB"
write bob "$T/bob2.xml"
check "the same response again (replay): refused" grep -qi "0xcd530302\|CKR_VENDOR_DEFINED" "$T/w.out"

# --- key rotation: the KMS draws a new TrK/InK for bob, the next init
# carries them (wrapped under the old TrK); init --pin gives them to the user
"$KMS" user rotate --dir "$T/kms" --uri sip:bob@example.org > /dev/null || exit 99
(MSTOKEN_SO_PIN=12345678; export MSTOKEN_SO_PIN
 prov init bob $K --enrolment "$T/bob.enrol" --pin-fd 3 3< "$T/user.pin"); RC=$?
check "init (SO PIN from MSTOKEN_SO_PIN) --pin-fd after a rotation: the new TrK and InK stored ($(tr '\n' ' ' < "$T/out"))" sh -c \
	'[ $1 -eq 0 ] && grep -q "^stored transport key (TrK) TrK-" "$2" && grep -q "^stored integrity key (InK) InK-" "$2"' - \
	$RC "$T/out"
sleep 1
post "$T/bob.enrol" 'keyprov?next=1' "$T/bob3.xml" sip:bob@example.org
write bob "$T/bob3.xml"
check "a response under the rotated keys verifies and opens (nothing new: 0xcd530305)" \
	grep -qi "0xcd530305" "$T/w.out"
check "... it is signed with the new InK" sh -c '! grep -q "$1" "$2"' - \
	"$(sed -n 's/^ink-id=//p' "$T/bob.enrol")" "$T/bob3.xml"

# --- no SSK or RSK in the clear --------------------------------------------
# bob's token imported bob2.xml: open it independently (ElementTree, openssl
# key unwrap under bob's TrK, msref) to learn the keys the token holds
if "$PYTHON3" "$CHECK" "$T/bob2.xml" "$T/bob.enrol" "$T/kms/community.xml" keyprov \
	--keysets 2 --keys-out "$T/keys.hex" > "$T/check.out" 2>&1; then
	pass "independent check of an imported response: $(cat "$T/check.out")"
else
	failed "independent check: $(cat "$T/check.out")"
fi
check "... it gave the hex of SSKs and RSKs to look for" [ "$(grep -c . "$T/keys.hex")" -ge 4 ]
check "no SSK/RSK in the client's output, the responses or the enrolment" sh -c '
	for k in $(cat "$1"); do grep -qiF -- "$k" "$2"/*.out "$2"/*.xml "$2"/*.enrol && exit 1; done; exit 0' - \
	"$T/keys.hex" "$T"
check "no SSK/RSK in the clear in the backing store ($MSTOKEN_TEST_BACKEND)" sh -c '
	for k in $(cat "$1"); do grep -rqiF -- "$k" "$2" && exit 1; done; exit 0' - "$T/keys.hex" "$SOFTHSM_DIR/tokens"
if [ "$MSTOKEN_TEST_BACKEND" = tpm ]; then
	check "... nor in the TPM store files" sh -c '
		for k in $(cat "$1"); do grep -rqiF -- "$k" "$2" && exit 1; done; exit 0' - "$T/keys.hex" "$MSTOKEN_TEST_TPM_STORES"
fi

# --- the client's memory: a core of "provision keys" taken right after the
# token opened a response (gdb's gcore honours the token's MADV_DONTDUMP).
# bob holds both key sets, so the token opens the response (RSKs included:
# they are the same for every issue of a period) and answers "nothing new".
if [ -n "${MST_SANITIZERS:-}" ]; then
	# a sanitizer build reserves terabytes of shadow memory: no core of it
	# can be written; the plain build's run of this test takes the core
	pass "core dump of the client: not taken in a $MST_SANITIZERS build"
elif command -v gdb > /dev/null 2>&1; then
	gdb -batch -q -ex 'break prov_token_import' -ex run -ex finish -ex "gcore $T/client.core" \
		-ex continue --args "$MS" provision keys --module "$MODULE" --token bob $K \
		--enrolment "$T/bob.enrol" --pin 1234 --next > "$T/gdb.out" 2>&1
	if [ -s "$T/client.core" ] && grep -q "nothing new" "$T/gdb.out"; then
		if "$PYTHON3" "$top_srcdir/tests/integration/find_in_core.py" "$T/client.core" "$T/keys.hex" \
			> "$T/core.out" 2>&1; then
			pass "no RSK in a core dump of the client after the token opened a response: $(cat "$T/core.out")"
		else
			failed "client core dump: $(cat "$T/core.out")"
		fi
		# positive control: the same search finds the RSKs where they are
		check "... (the search finds an RSK in a file that holds one)" sh -c '
			head -c 1000 /dev/urandom > "$3"; grep -m1 -E "^.{514}\$" "$2" | xxd -r -p >> "$3"
			! "$1" "$4" "$3" "$2" > /dev/null 2>&1' - "$PYTHON3" "$T/keys.hex" "$T/control.bin" \
			"$top_srcdir/tests/integration/find_in_core.py"
		rm -f "$T/client.core"
	else
		failed "gcore of the client: $(tail -n3 "$T/gdb.out")"
	fi
else
	echo "gdb not found: the core dump check skipped"
fi

tap_finish
