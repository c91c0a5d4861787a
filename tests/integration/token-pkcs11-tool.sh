#!/bin/sh
# tests/integration/token-pkcs11-tool.sh - provisioning and use with the
# real pkcs11-tool, exactly as DESIGN.md writes the commands.  The KMS is
# the independent reference (tests/ref/msref.py), which also checks the
# signature and makes the SAKKE encapsulation.
set -u
. "$top_srcdir/tests/integration/token-env.sh"
if [ -z "$PKCS11_TOOL" ] || [ -z "$PYTHON3" ]; then
	echo "SKIP: pkcs11-tool or python3 not found"
	exit 77
fi
token_setup || exit $?
trap token_teardown EXIT
# one slot, as a user's configuration would have it
token_conf alice || exit 99

MSREF="$PYTHON3 $top_srcdir/tests/ref/msref.py"
W="$SOFTHSM_DIR/work"
mkdir -p "$W" && cd "$W" || exit 99
fail() { echo "FAIL: $*"; exit 1; }
p11() { "$PKCS11_TOOL" --module "$MODULE" "$@"; }
# the hex text of element $1 in file $2 (attributes allowed), never empty
hexof() {
	v=$(sed -n "s:.*<$1[^>]*>\([0-9A-Fa-f]\{1,\}\)</$1>.*:\1:p" "$2" | head -n1)
	[ -n "$v" ] || fail "no $1 in $2"
	printf '%s\n' "$v"
}

# an independent KMS: one community, one user
mkdir kms && $MSREF kms-community --dir kms --kms-uri kms.example.org >/dev/null || exit 99
cp kms/community.xml community.xml
# the key set of now: the token signs with no key whose period has ended
$MSREF kms-issue --dir kms --uri sip:alice@example.org \
	--out alice.keyset.xml >/dev/null || exit 99
$MSREF kms-issue --dir kms --uri sip:alice@example.org --period-no 7 \
	--out alice.old.xml >/dev/null || exit 99
UID_HEX=$(hexof UserID alice.keyset.xml)
KPAK=$(hexof PubAuthKey community.xml)
Z=$(hexof PubEncKey community.xml)
[ -n "$UID_HEX" ] && [ -n "$KPAK" ] && [ -n "$Z" ] || fail "KMS output not understood"

echo "== provisioning (DESIGN.md)"
p11 --init-token --label alice --so-pin 12345678 || fail "init-token"
p11 --token-label alice --login --login-type so --so-pin 12345678 --init-pin --pin 1234 ||
	fail "init-pin"
# trust is the SO's: the user may not import a community, and nothing stays
if p11 --login --pin 1234 --write-object community.xml --type data \
	--application-label "3GPP KmsCertificate" > refused.log 2>&1; then
	fail "a user imported a KmsCertificate"
fi
grep -q CKR_USER_NOT_LOGGED_IN refused.log || { cat refused.log; fail "user import: wrong refusal"; }
p11 --login --pin 1234 --list-objects > objects.txt || fail "list-objects"
grep -q "kms.example.org" objects.txt && fail "a refused KmsCertificate left objects"
p11 --login --login-type so --so-pin 12345678 \
    --write-object community.xml --type data --application-label "3GPP KmsCertificate" ||
	fail "write KmsCertificate"
p11 --login --pin 1234 \
    --write-object alice.keyset.xml --type data --application-label "3GPP KmsKeySet" ||
	fail "write KmsKeySet"
p11 --login --pin 1234 --list-objects > objects.txt || fail "list-objects"
cat objects.txt
grep -q "sip:alice@example.org" objects.txt || fail "no key labelled with the UserUri"
grep -qi "ID: *${UID_HEX}01" objects.txt || fail "no key with CKA_ID UserID||01"
grep -qi "ID: *${UID_HEX}02" objects.txt || fail "no key with CKA_ID UserID||02"

echo "== mechanisms"
p11 -M > mechs.txt || fail "-M"
cat mechs.txt
for m in 0xcd530001 0xcd530002 0xcd530003; do
	grep -qi "$m" mechs.txt || fail "mechanism $m not listed"
done

echo "== sign, verified by the reference"
printf 'an I_MESSAGE to sign' > msg.bin
p11 --login --pin 1234 --sign -m 0xCD530001 \
    --id "${UID_HEX}01" -i msg.bin -o sig.bin || fail "sign"
[ "$(wc -c < sig.bin)" -eq 129 ] || fail "signature is not 129 octets"
$MSREF eccsi-verify --kpak "$KPAK" --id "$UID_HEX" --msg msg.bin --sig sig.bin ||
	fail "signature does not verify"
printf 'another message' > other.bin
$MSREF eccsi-verify --kpak "$KPAK" --id "$UID_HEX" --msg other.bin --sig sig.bin \
	>/dev/null 2>&1 && fail "signature verifies for another message"

echo "== a key set whose period has ended signs no more (issue 10, item 4)"
OLD_UID=$(hexof UserID alice.old.xml)
p11 --login --pin 1234 --write-object alice.old.xml --type data \
    --application-label "3GPP KmsKeySet" >/dev/null || fail "write the old KmsKeySet"
p11 --login --pin 1234 --sign -m 0xCD530001 --id "${OLD_UID}01" -i msg.bin \
    -o old-sig.bin > old-sign.txt 2>&1 && fail "signed with the key of an ended period"
grep -q CKR_KEY_FUNCTION_NOT_PERMITTED old-sign.txt || { cat old-sign.txt; fail "expired key: wrong refusal"; }
p11 --login --pin 1234 --sign -m 0xCD530001 --id "${UID_HEX}01" -i msg.bin \
    -o sig2.bin || fail "the key of now no longer signs"

echo "== unwrap (SAKKE decapsulation)"
$MSREF sakke-encap --z "$Z" --id "$UID_HEX" --out encapsulated.bin > ssv.txt || exit 99
# the SSV is sensitive and never extractable: pkcs11-tool must say --sensitive
p11 --login --pin 1234 --unwrap -m 0xCD530002 \
    --id "${UID_HEX}02" -i encapsulated.bin --key-type GENERIC:16 --sensitive \
    --application-label ssv || fail "unwrap"
# a readable SSV is refused: the template without --sensitive, or --extractable
for opt in "" "--sensitive --extractable"; do
	# shellcheck disable=SC2086
	p11 --login --pin 1234 --unwrap -m 0xCD530002 --id "${UID_HEX}02" -i encapsulated.bin \
	    --key-type GENERIC:16 $opt --application-label ssv-readable > readable.txt 2>&1 &&
		fail "readable unwrap accepted (options: ${opt:-none})"
	grep -q CKR_TEMPLATE_INCONSISTENT readable.txt || fail "readable unwrap: $(cat readable.txt)"
done
# the same SSV as the reference KMS side made: the same MIKEY PRF output
# (the one kind of key that may leave the token), computed by the token on
# the unwrapped SSV and by the reference on its own
RAND=00112233445566778899aabbccddeeff
GOT=$($P11_PYTHON3 "$top_srcdir/tests/integration/p11_prf.py" "$MODULE" alice 1234 ssv "$RAND" 4660) ||
	fail "PRF of the unwrapped SSV"
WANT=$(PYTHONPATH="$top_srcdir/tests/ref" $PYTHON3 -c "import sys
from msref_prf import derive_key
print(derive_key(1, bytes.fromhex(sys.argv[1]), 'tek', 0, (4660).to_bytes(4, 'big'),
                 bytes.fromhex(sys.argv[2]), 128).hex())" "$(tr -d ' \n' < ssv.txt)" "$RAND") ||
	exit 99
[ "$GOT" = "$WANT" ] || fail "PRF of the unwrapped SSV $GOT differs from the reference's $WANT"
# a damaged payload fails the SAKKE validity test
cp encapsulated.bin bad.bin
printf '\001' | dd of=bad.bin bs=1 seek=272 conv=notrunc 2>/dev/null
p11 --login --pin 1234 --unwrap -m 0xCD530002 --id "${UID_HEX}02" -i bad.bin \
    --key-type GENERIC:16 --sensitive --application-label bad > bad.txt 2>&1 && fail "damaged payload unwrapped"
grep -q CKR_WRAPPED_KEY_INVALID bad.txt || fail "damaged payload: $(cat bad.txt)"

echo "== no secret can be read back"
for obj in "--type privkey --id ${UID_HEX}01" "--type privkey --id ${UID_HEX}02" \
	   "--type secrkey --label ssv"; do
	# shellcheck disable=SC2086
	if p11 --login --pin 1234 --read-object $obj -o out.bin > read.txt 2>&1 &&
	   [ -s out.bin ]; then
		fail "read-object $obj gave $(wc -c < out.bin) octets"
	fi
	rm -f out.bin
done
SSK=$(hexof UserSigningKeySSK alice.keyset.xml) || exit 1
p11 --login --pin 1234 --read-object --type data --application-label "3GPP KmsKeySet" \
    -o kept.xml || fail "read the kept key set"
grep -q "sip:alice@example.org" kept.xml || fail "kept key set lost its UserUri"
grep -qi "$SSK" kept.xml && fail "the kept key set holds the SSK"
RSK=$(hexof UserDecryptKey alice.keyset.xml | cut -c3-) || exit 1
grep -qi "$RSK" kept.xml && fail "the kept key set holds the RSK"

echo "== only C_* symbols exported"
if command -v nm >/dev/null; then
	nm -D --defined-only "$MODULE" | awk '{print $NF}' | grep -v '^C_' && fail "symbols above exported"
fi

echo "== configuration errors make C_Initialize fail, and say where"
good_conf=$(cat "$MSTOKEN_CONF")
printf '[slot]\nlabel = x\nbackend = pkcs11\ncolour = blue\n' > "$MSTOKEN_CONF"
MSTOKEN_DEBUG=1 p11 -L > conf.txt 2>&1 && fail "unknown key accepted"
grep -q "^mstoken: $MSTOKEN_CONF:4: " conf.txt || fail "no FILE:LINE message: $(cat conf.txt)"
printf '[slot]\nlabel = x\nbackend = pkcs11\npkcs11.module = %s/none.so\npkcs11.token = x\n' \
	"$W" > "$MSTOKEN_CONF"
MSTOKEN_DEBUG=1 p11 -L > conf.txt 2>&1 && fail "missing module accepted"
grep -q "^mstoken: " conf.txt || fail "missing module not explained: $(cat conf.txt)"
printf '%s\n' "$good_conf" > "$MSTOKEN_CONF"

echo "== wrong PIN"
p11 --login --pin 9999 --list-objects > wrong.txt 2>&1 && fail "wrong PIN accepted"
grep -q CKR_PIN_INCORRECT wrong.txt || fail "wrong PIN: $(cat wrong.txt)"
p11 -T > token.txt || fail "-T"
grep -qi "PIN count low" token.txt || fail "no PIN counter flag: $(cat token.txt)"
p11 --login --pin 1234 --list-objects >/dev/null || fail "right PIN refused after a wrong one"
echo "all pkcs11-tool checks passed"
