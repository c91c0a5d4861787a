# tests/integration/kms_lib.sh - helpers of the mstoken-kms shell tests
# (sourced).  Each test gets a private temporary folder, removed on exit.

KMS="${top_builddir:-.}/kms/mstoken-kms"
if [ ! -x "$KMS" ]; then
	echo "mstoken-kms not built at $KMS" >&2
	exit 99
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kms-test.XXXXXX") || exit 99
trap 'rm -rf "$TMP"' EXIT
. "${top_srcdir:-.}/tests/integration/tap.sh"

# ok DESC CMD...: CMD must exit 0.
ok() {
	desc=$1; shift
	if "$@" >"$TMP/out" 2>"$TMP/err"; then
		pass "$desc"
	else
		failed "$desc (exit $?: $(cat "$TMP/err"))"
	fi
}

# refused DESC FRAGMENT CMD...: CMD must exit 2 with exactly one line on
# stderr, "mstoken-kms: ..." containing FRAGMENT.
refused() {
	desc=$1; frag=$2; shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	lines=$(wc -l <"$TMP/err")
	if [ "$rc" -ne 2 ]; then
		failed "$desc (exit $rc, expected 2)"
	elif [ "$lines" -ne 1 ]; then
		failed "$desc ($lines lines on stderr, expected 1)"
	elif ! grep -q '^mstoken-kms: ' "$TMP/err" || ! grep -qF -- "$frag" "$TMP/err"; then
		failed "$desc (stderr '$(cat "$TMP/err")' lacks '$frag')"
	else
		pass "$desc: $(cat "$TMP/err")"
	fi
}

# matches TEXT ERE: the whole of TEXT matches.
matches() { printf '%s\n' "$1" | grep -qE "$2"; }
# lacks FILE STRING: FILE does not contain STRING.
lacks() { ! grep -qF -- "$2" "$1"; }
# no_long_hex FILE: no run of 16 hex digits (no key value) in FILE.
no_long_hex() { ! grep -qE '[0-9A-Fa-f]{16}' "$1"; }
differ() { ! cmp -s "$1" "$2"; }

mode_of() { stat -c %a "$1"; }

# The text of element $2 in XML file $1 (one element per line, as we write).
element() { sed -n "s:.*<$2[^>]*>\\(.*\\)</$2>.*:\\1:p" "$1" | head -n1; }

# Hex of a string given to printf (so \0 can be written), lower case.
hex_of() { printf "$1" | od -An -v -tx1 | tr -d ' \n'; }

# Folder $1 holds exactly the names $2... (hidden temporary files count).
only_files() {
	dir=$1; shift
	[ "$(ls -A "$dir" | sort | tr '\n' ' ')" = "$(printf '%s\n' "$@" | sort | tr '\n' ' ')" ]
}
