#!/bin/sh
# tests/integration/attacks.sh - independent black-box attacks on the token
# (issue 11, "How it is checked"), written from the issue, DESIGN.md, the
# README, doc/ and the public header, not from the fixes' own tests.
#
# A slot "alice" on a private SoftHSM2 (token-env.sh), provisioned with
# pkcs11-tool from the independent reference KMS (tests/ref/msref.py); an
# attacker's community from the same reference.  Then tests/integration/
# attacks.py (ctypes, the module loaded as any application loads it):
#   api     items 2, 3, 5, 7, 8 through the PKCS#11 API;
#   forge   item 1: public records written straight into the backing
#           SoftHSM2 token (its own module, a public session, no PIN)
#           under the private records' names and the community's;
#   forged  the keys still sign and unwrap, no secret reads back, the
#           forged community is not trusted.
# Every attack prints "attack NAME: defeated (CKR_...)"; one that gets
# through, a crash or a wrong answer fails the test.  On tpm-backed slots
# (attacks-tpm.sh, MSTOKEN_TEST_BACKEND=tpm) the same, but item 1: the
# forged records are SoftHSM2 objects (forged TPM store files are
# test_token's test_forged_public_records).
set -u
. "$top_srcdir/tests/integration/token-env.sh"
if [ -z "$PKCS11_TOOL" ] || [ -z "$PYTHON3" ]; then
	echo "SKIP: pkcs11-tool or python3 not found"
	exit 77
fi
token_setup || exit $?
trap token_teardown EXIT
token_conf alice || exit 99

MSREF="$PYTHON3 $top_srcdir/tests/ref/msref.py"
ATTACKS="$P11_PYTHON3 $top_srcdir/tests/integration/attacks.py"
SO_PIN=12345678
PIN=1234
W="$SOFTHSM_DIR/work"
mkdir -p "$W" && cd "$W" || exit 99
fail() { echo "FAIL: $*"; exit 1; }
p11() { "$PKCS11_TOOL" --module "$MODULE" "$@"; }
# attacks.py: 0 all defeated, 1 an attack got through, 2 the test broke,
# killed by a signal (> 128): the module crashed
run() {
	$ATTACKS "$@"
	rc=$?
	case $rc in
	0) ;;
	1) fail "attacks.py $1: an attack succeeded (above)" ;;
	2) echo "ERROR: attacks.py $1 could not run"; exit 99 ;;
	*) fail "attacks.py $1 died (exit $rc): the module crashed" ;;
	esac
}

echo "== two communities from the reference KMS: the genuine one and an attacker's"
mkdir kms evil && $MSREF kms-community --dir kms --kms-uri kms.example.org >/dev/null &&
	$MSREF kms-community --dir evil --kms-uri evil.example.org >/dev/null || exit 99
cp kms/community.xml community.xml || exit 99
$MSREF kms-issue --dir kms --uri sip:alice@example.org --out alice.keyset.xml \
	>/dev/null || exit 99
$MSREF kms-issue --dir evil --uri sip:mallory@example.org \
	--out mallory.keyset.xml >/dev/null || exit 99

echo "== provisioning: the SO imports the community, the user her key set"
p11 --init-token --label alice --so-pin $SO_PIN >/dev/null || fail "init-token"
p11 --token-label alice --login --login-type so --so-pin $SO_PIN --init-pin --pin $PIN \
	>/dev/null || fail "init-pin"
p11 --login --login-type so --so-pin $SO_PIN --write-object community.xml --type data \
	--application-label "3GPP KmsCertificate" >/dev/null || fail "SO import of the community"
p11 --login --pin $PIN --write-object alice.keyset.xml --type data \
	--application-label "3GPP KmsKeySet" >/dev/null || fail "user import of the key set"

echo "== items 2, 3, 5, 7, 8 through the PKCS#11 API"
run api "$MODULE" alice $SO_PIN $PIN "$W"

echo "== item 3 with pkcs11-tool: a user writes the attacker's KmsCertificate"
p11 --login --pin $PIN --list-objects > before.txt 2>&1 || fail "list-objects"
if p11 --login --pin $PIN --write-object evil/community.xml --type data \
	--application-label "3GPP KmsCertificate" > import.txt 2>&1; then
	fail "a user imported a KmsCertificate"
fi
p11 --login --pin $PIN --list-objects > after.txt 2>&1 || fail "list-objects"
grep -q evil.example.org after.txt && fail "the refused KmsCertificate left objects"
cmp -s before.txt after.txt || fail "the refused KmsCertificate changed the token"
echo "attack pkcs11-tool-user-import: defeated ($(grep -o 'CKR_[A-Z_]*' import.txt | head -n1))"

if [ "$MSTOKEN_TEST_BACKEND" = tpm ]; then
	echo "PASS: every attack defeated (tpm: item 1 runs on SoftHSM2 only)"
	exit 0
fi
echo "== item 1: forged public records in the backing SoftHSM2 token"
# SoftHSM2's user PIN is a random secret the module keeps under ours
BPIN=$("$top_builddir/tests/integration/backing-pin" "$SOFTHSM2_MODULE" alice-store $PIN) ||
	{ echo "ERROR: no user PIN for the backing token"; exit 99; }
run records "$SOFTHSM2_MODULE" alice-store "$BPIN" "$W" private-before.json
run forge "$SOFTHSM2_MODULE" alice-store "$BPIN" "$W"
run forged "$MODULE" alice $PIN "$W"
run records "$SOFTHSM2_MODULE" alice-store "$BPIN" "$W" private-after.json
# no sealed record was deleted or replaced by a public copy
cmp -s private-before.json private-after.json ||
	fail "the sealed records changed: $(diff private-before.json private-after.json)"
echo "attack forged-record-evicts-sealed: defeated (every sealed record kept)"
echo "PASS: every attack defeated"
