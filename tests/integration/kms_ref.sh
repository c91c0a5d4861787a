#!/bin/sh
# tests/integration/kms_ref.sh - key sets from mstoken-kms, in both
# identifier formats, checked by msref, the independent Python
# implementation of RFC 6507/6508/6509 and TS 33.180 (tests/ref/msref.py):
# identifier, KeyPeriodNo against ValidFrom/ValidTo, RFC 6507 5.1.2 and
# RFC 6508 6.1.2.  And the other way round: key sets from msref read and
# checked by token/kmsxml (tests/unit/kmsxml-check).  Skipped (77)
# without python3 or msref.py.
. "${top_srcdir:-.}/tests/integration/kms_lib.sh"

MSREF="${top_srcdir:-.}/tests/ref/msref.py"
command -v python3 >/dev/null 2>&1 || { echo "python3 not found: skipped"; exit 77; }
[ -f "$MSREF" ] || { echo "$MSREF not found: skipped"; exit 77; }

CHECK="${top_builddir:-.}/tests/unit/kmsxml-check"

# msref_ok DESC CERT KEYSET: msref accepts the key set ("ok", exit 0).
msref_ok() {
	if out=$(python3 "$MSREF" keyset-check --cert "$2" --keyset "$3" 2>&1) && [ "$out" = ok ]; then
		pass "$1"
	else
		failed "$1 (msref: $out)"
	fi
}

# msref_refuses DESC CERT KEYSET: msref exits 1 with its one-line verdict
# ("msref: <reason>"; a Python traceback is no verdict).
msref_refuses() {
	python3 "$MSREF" keyset-check --cert "$2" --keyset "$3" >"$TMP/ref.out" 2>&1
	rc=$?
	if [ "$rc" -eq 1 ] && [ "$(wc -l <"$TMP/ref.out")" -eq 1 ] && grep -q '^msref: ' "$TMP/ref.out"; then
		pass "$1: $(cat "$TMP/ref.out")"
	else
		failed "$1 (msref exit $rc: $(cat "$TMP/ref.out"))"
	fi
}

# check_refuses DESC FRAGMENT CERT KEYSET: kmsxml-check exits 1 saying FRAGMENT.
check_refuses() {
	"$CHECK" "$3" "$4" >"$TMP/check.out" 2>&1
	rc=$?
	if [ "$rc" -eq 1 ] && grep -qF -- "$2" "$TMP/check.out"; then
		pass "$1: $(cat "$TMP/check.out")"
	else
		failed "$1 (exit $rc: $(cat "$TMP/check.out"))"
	fi
}

C1=$TMP/c1 C2=$TMP/c2
ok "format 2 community" "$KMS" community create --dir "$C2" --kms-uri kms.example.org \
	--key-period 604800 --key-offset 86400
ok "format 1 community, wrapped" "$KMS" community create --dir "$C1" --kms-uri https://kms1.example.org \
	--user-id-format 1 --key-period 86400 --key-offset 3600 --wrapped

ok "format 2, now" "$KMS" user issue --dir "$C2" --uri sip:alice@example.org --out "$TMP/a.xml"
msref_ok "msref accepts format 2, now" "$C2/community.xml" "$TMP/a.xml"
ok "format 2, period 7000, wrapped" "$KMS" user issue --dir "$C2" --uri tel:+15551234 \
	--period-no 7000 --wrapped --out "$TMP/b.xml"
msref_ok "msref accepts format 2, period 7000, wrapped" "$C2/community.xml" "$TMP/b.xml"
ok "format 1, mid-month" "$KMS" user issue --dir "$C1" --uri sip:carol@example.org \
	--at 2026-11-27T12:00:00Z --out "$TMP/c.xml"
msref_ok "msref accepts format 1, mid-month" "$C1/community.xml" "$TMP/c.xml"
ok "format 1, month start inside a period" "$KMS" user issue --dir "$C1" --uri sip:carol@example.org \
	--at 2026-12-01T00:30:00Z --wrapped --out "$TMP/d.xml"
msref_ok "msref accepts format 1, month start inside a period" "$C1/community.xml" "$TMP/d.xml"

# the check can fail: one SSK digit changed, or another community's keys
sed 's/\(<UserSigningKeySSK[^>]*>.\)0/\11/; t; s/\(<UserSigningKeySSK[^>]*>.\)./\10/' \
	"$TMP/a.xml" >"$TMP/bad.xml"
check "the altered key set differs" differ "$TMP/a.xml" "$TMP/bad.xml"
msref_refuses "msref refuses an altered SSK" "$C2/community.xml" "$TMP/bad.xml"
msref_refuses "msref refuses a key set of another community" "$C1/community.xml" "$TMP/a.xml"

# --- the other way round: msref is the KMS, token/kmsxml reads and checks
# (tests/unit/kmsxml-check: parse, identifier, RFC 6507 5.1.2, RFC 6508 6.1.2)
R1=$TMP/r1 R2=$TMP/r2
mkdir "$R1" "$R2"
ok "msref community, format 2" python3 "$MSREF" kms-community --dir "$R2" --kms-uri kms.ref.example \
	--key-period 86400 --key-offset 7200
ok "msref community, format 1" python3 "$MSREF" kms-community --dir "$R1" --kms-uri kms1.ref.example \
	--user-id-format 1
ok "msref key set, format 2, wrapped" python3 "$MSREF" kms-issue --dir "$R2" --uri sip:dave@ref.example \
	--period-no 45000 --wrapped --out "$TMP/r2.xml"
ok "msref key set, format 1" python3 "$MSREF" kms-issue --dir "$R1" --uri tel:+15550000 \
	--at 1795780800 --out "$TMP/r1.xml"
ok "kmsxml reads and accepts msref's format 2 key set" "$CHECK" "$R2/community.xml" "$TMP/r2.xml"
ok "kmsxml reads and accepts msref's format 1 key set" "$CHECK" "$R1/community.xml" "$TMP/r1.xml"
ok "kmsxml accepts mstoken-kms' own key set too" "$CHECK" "$C1/community.xml" "$TMP/d.xml"
check_refuses "kmsxml-check refuses the altered SSK" "SSK/PVT (RFC 6507 5.1.2)" \
	"$C2/community.xml" "$TMP/bad.xml"
check_refuses "kmsxml-check refuses msref's key set under another community" "KmsUri differs" \
	"$R1/community.xml" "$TMP/r2.xml"

tap_finish
