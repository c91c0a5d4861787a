# tests/integration/sip_env.sh - the set-up of the SIP tests and the demo:
# tokens for alice (a.example), bob and carol (b.example) provisioned the
# README way, the two kamailio servers, and a helper to run a UE.
#
#   . "$top_srcdir/tests/integration/sip_env.sh"
#   sip_env_setup <tmp prefix> || exit $?      # sets T; tokens + servers
#   trap sip_env_teardown EXIT
#   ue <user> <mikey-sakke ue options...>      # token, PIN, URI, proxy, password
#   wait_line FILE REGEX [SECONDS]             # until a step line appears
. "$top_srcdir/tests/integration/client_env.sh"
. "$top_srcdir/sip/kamailio-env.sh"

sip_domain() { [ "$1" = alice ] && echo a || echo b; }

# provision USER...: a community and one token per user (its own slot).
# The demo and tests call this; swap it to provision another way.
sip_provision() {
	"$KMS" community create --dir "$T/kms" --kms-uri kms.example.org > /dev/null || return 1
	i=0
	for u in "$@"; do
		token $i $u "$T/kms" "sip:$u@$(sip_domain $u).example" || return 1
		i=$((i + 1))
	done
}

sip_env_setup() {
	client_env_setup "$1" alice bob carol || return $?
	[ -n "$(kam_bin)" ] || { echo "SKIP: kamailio not installed"; rm -rf "$T"; return 77; }
	sip_provision alice bob carol || { rm -rf "$T"; return 99; }
	kam_start "$T/kam" || { kam_stop "$T/kam"; rm -rf "$T"; return 99; }
}

sip_env_teardown() {
	kam_stop "$T/kam"
	rm -rf "$T"
}

ue() { # user, ue options...
	user=$1; shift
	d=$(sip_domain $user)
	"$MS" ue --module "$MODULE" --token $user --pin 1234 --uri "sip:$user@$d.example" \
		--proxy "$(kam_proxy $d)" --password-file "$(kam_password $user)" "$@"
}

wait_line() { # file, regex, seconds (10)
	n=0
	until grep -q -E "$2" "$1" 2>/dev/null; do
		n=$((n + 1)); [ $n -gt $(( ${3:-10} * 10 )) ] && return 1
		sleep 0.1
	done
}
