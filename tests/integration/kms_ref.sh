#!/bin/sh
# tests/integration/kms_ref.sh - key sets from mstoken-kms, in both
# identifier formats, checked by msref, the independent Python
# implementation of RFC 6507/6508/6509 and TS 33.180 (tests/ref/msref.py):
# identifier, KeyPeriodNo against ValidFrom/ValidTo, RFC 6507 5.1.2 and
# RFC 6508 6.1.2.  Skipped (77) without python3 or msref.py.
. "${top_srcdir:-.}/tests/integration/kms_lib.sh"

MSREF="${top_srcdir:-.}/tests/ref/msref.py"
command -v python3 >/dev/null 2>&1 || { echo "python3 not found: skipped"; exit 77; }
[ -f "$MSREF" ] || { echo "$MSREF not found: skipped"; exit 77; }

# msref_ok DESC CERT KEYSET: msref accepts the key set ("ok", exit 0).
msref_ok() {
	if out=$(python3 "$MSREF" keyset-check --cert "$2" --keyset "$3" 2>&1) && [ "$out" = ok ]; then
		pass "$1"
	else
		fail "$1 (msref: $out)"
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
		fail "$1 (msref exit $rc: $(cat "$TMP/ref.out"))"
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

finish
