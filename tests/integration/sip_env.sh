# tests/integration/sip_env.sh - the set-up of the SIP tests and the demo:
# tokens for alice (a.example), bob and carol (b.example) provisioned the
# README way, the two kamailio servers, and a helper to run a UE.
#
#   . "$top_srcdir/tests/integration/sip_env.sh"
#   sip_env_setup <tmp prefix> [labels] || exit $?  # sets T; tokens + servers
#                                              # (more slots: labels after alice bob carol)
#   trap sip_env_teardown EXIT
#   ue <user> <mikey-sakke ue options...>      # token, PIN, URI, proxy, password
#   ue_bg <name> <user> <options...>           # the same in the background
#   wait_line FILE REGEX [SECONDS]             # until a step line appears (60 s)
#   check NAME COMMAND..., tap_finish          # tests/integration/tap.sh
# SIP_TRANSPORT=tls: the UEs talk SIP over TLS to their servers (a test CA
# and certificates made by kam_start; the servers talk UDP to each other).
SIP_TRANSPORT=${SIP_TRANSPORT:-udp}
# An ASan build: sofia-sip's TLS transport leaves its OpenSSL objects at
# exit; full malloc stacks let the suppression match only those.  Only
# with TLS: a full unwind at every malloc makes a UE several times slower.
if [ "${MST_SANITIZERS:-}" = address ] && [ "$SIP_TRANSPORT" = tls ]; then
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
	LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$top_srcdir/tests/lsan-sofia-sip.supp"
	export ASAN_OPTIONS LSAN_OPTIONS
fi
. "$top_srcdir/tests/integration/client_env.sh"
. "$top_srcdir/sip/kamailio-env.sh"
. "$top_srcdir/tests/integration/kms_server_env.sh"

sip_domain() { [ "$1" = alice ] && echo a || echo b; }

# The KMS: a community in $T/kms.  sip_provision USER...: one token per
# user (its own slot), the key set issued by the KMS and imported with
# pkcs11-tool.  The demo and tests call these two; swap them to provision
# another way (e.g. through the KMS server).
sip_kms() {
	"$KMS" community create --dir "$T/kms" --kms-uri kms.example.org
}
sip_provision() {
	i=0
	for u in "$@"; do
		token $i $u "$T/kms" "sip:$u@$(sip_domain $u).example" || return 1
		i=$((i + 1))
	done
}

# Provisioning through the KMS server instead (the demo): sip_kms_serve
# starts "mstoken-kms serve" on the community of sip_kms (KMS_URL,
# KMS_CACERT; kms_server_env.sh); sip_provision_kms USER... enrols each
# user (enrolment file in $T/ue, the device's folder), initialises its
# token and runs "mikey-sakke provision init" (SO) and "keys" (user); the
# client's output goes to $T/ue/provision.out.  The client never holds a
# key set: msref's reference key sets (cap_msref) are issued on the KMS's
# side into $T/kms (MSREF_KEYSETS).
sip_kms_serve() {
	kms_server_start "$T/kms" "$T/kms-server"
}
sip_provision_kms() {
	i=0
	mkdir -p "$T/ue" && chmod 700 "$T/ue" || return 1
	for u in "$@"; do
		uri="sip:$u@$(sip_domain $u).example"
		k="--module $MODULE --token $u --kms $KMS_URL --cacert $KMS_CACERT --enrolment $T/ue/$u.enrol"
		{ kms_enrol "$T/kms" "$uri" "$T/ue/$u.enrol" &&
		  p11 --slot-index $i --init-token --label $u --so-pin 12345678 &&
		  p11 --token-label $u --login --login-type so --so-pin 12345678 --init-pin --pin 1234 &&
		  "$MS" provision init $k --so-pin 12345678 >> "$T/ue/provision.out" 2>&1 &&
		  "$MS" provision keys $k --pin 1234 >> "$T/ue/provision.out" 2>&1 &&
		  "$KMS" user issue --dir "$T/kms" --uri "$uri" --out "$T/kms/$u.xml" > /dev/null; } ||
			{ cat "$T/ue/provision.out" "$T/p11.log" 2>/dev/null; return 1; }
		i=$((i + 1))
	done
	MSREF_KEYSETS=$T/kms
}

sip_env_setup() { # prefix [more slot labels]
	prefix=$1; shift
	client_env_setup "$prefix" alice bob carol "$@" || return $?
	[ -n "$(kam_bin)" ] || { echo "SKIP: kamailio not installed"; rm -rf "$T"; return 77; }
	{ sip_kms > /dev/null && sip_provision alice bob carol; } || { rm -rf "$T"; return 99; }
	kam_start "$T/kam" $([ "$SIP_TRANSPORT" = tls ] && echo tls) ||
		{ kam_stop "$T/kam"; rm -rf "$T"; return 99; }
}

# sipp_setup PREFIX: sip_env_setup for the tests with a SIPp peer (skip
# without sipp); S is the folder of their scenarios.
sipp_setup() {
	command -v sipp > /dev/null 2>&1 || { echo "SKIP: sipp (sip-tester) not installed"; return 77; }
	S="$top_srcdir/tests/integration/sipp"
	sip_env_setup "$1"
}

# imsg_flip FILE: the base64 I_MESSAGE in FILE with one bit of its ECCSI
# signature s flipped (SIGN is the last payload).
imsg_flip() {
	"$PYTHON3" -c 'import base64, sys
m = bytearray(base64.b64decode(open(sys.argv[1]).read()))
m[-3] ^= 0x01
print(base64.b64encode(bytes(m)).decode())' "$1"
}

sip_env_teardown() {
	kms_server_stop
	for f in "$T"/*.pid; do
		[ -f "$f" ] && kill -TERM "$(cat "$f")" 2> /dev/null
	done
	cap_stop
	kam_stop "$T/kam"
	rm -rf "$T"
}

ue() { # user, ue options...
	user=$1; shift
	d=$(sip_domain $user)
	if [ "$SIP_TRANSPORT" = tls ]; then
		set -- --proxy "$(kam_proxy $d tls)" --tls "$(kam_tls_dir $user)" "$@"
	else
		set -- --proxy "$(kam_proxy $d)" "$@"
	fi
	${ue_exec:+exec} ${ue_timeout:+timeout $ue_timeout} "$MS" ue --module "$MODULE" --token $user --pin 1234 --uri "sip:$user@$d.example" \
		--password-file "$(kam_password $user)" "$@"
}

# ue_bg NAME USER OPTIONS...: a UE in the background, its own process
# (pid in $T/NAME.pid, so that it can be signalled and is stopped at
# teardown), stdout in $T/NAME.out, stderr in $T/NAME.err.  It is ended
# after UE_TIMEOUT seconds (300; exit status 124), so that a test whose
# calls never reach it fails instead of waiting for ever.
ue_bg() {
	name=$1; shift
	(ue_exec=1; ue_timeout=${UE_TIMEOUT:-300}; ue "$@") > "$T/$name.out" 2> "$T/$name.err" &
	echo $! > "$T/$name.pid"
}

. "$top_srcdir/tests/integration/tap.sh"

# (60 s by default: a UE built with ASan, whose every malloc unwinds the
# full stack, takes 10 s and more to register on a loaded machine)
wait_line() { # file, regex, seconds (60)
	n=0
	until grep -q -E "$2" "$1" 2>/dev/null; do
		n=$((n + 1)); [ $n -gt $(( ${3:-60} * 10 )) ] && return 1
		sleep 0.1
	done
}

# cap_start: capture the servers' SIP (and SIP over TLS) on loopback into $T/sip.pcap when
# tshark is there and allowed (cap is then its pid); cap_stop ends it.
# cap_start FILTER PCAP captures that instead (e.g. the KMS server's port).
cap_start() {
	cap=""
	command -v tshark > /dev/null 2>&1 || return 0
	if [ $# -ge 2 ]; then
		f=$1
	else
		f="udp port $KAM_A_PORT or udp port $KAM_B_PORT"
		[ -n "$KAM_A_TLS_PORT" ] && f="$f or tcp port $KAM_A_TLS_PORT or tcp port $KAM_B_TLS_PORT"
	fi
	tshark -q -i lo -f "$f" -w "${2:-$T/sip.pcap}" \
		> "$T/tshark.log" 2>&1 &
	cap=$!
	# Even after "Capture started." (dumpcap has opened the device and the
	# file) packets sent at once can be missed: in about one `make demo` of
	# two the capture began only at the BYE (tshark 4.0, libpcap 1.10, lo).
	# One second of settling: 0 of 8 runs missed it after.
	wait_line "$T/tshark.log" "Capture started" 10 || { kill $cap; wait $cap; cap=""; return 0; }
	sleep 1
}
cap_stop() {
	[ -n "${cap:-}" ] || return 0
	sleep 0.5   # the last responses
	kill -INT $cap 2>/dev/null
	wait $cap
	cap=""
}

# cap_fields PCAP FILTER FIELD...: the fields of the first matching packet
# of a loopback capture, one value a line (tshark's dissectors, no parsing
# of SIP here).
cap_fields() {
	pcap=$1 filter=$2; shift 2
	set -- $(for f in "$@"; do printf -- '-e %s ' "$f"; done)
	tshark -r "$pcap" -Y "$filter" -T fields -E separator=/t -E 'aggregator=|' "$@" 2>/dev/null |
		head -n 1 | tr '\t|' '\n\n'
}

# The I_MESSAGE of the first packet matching FILTER, checked by the
# independent Python implementation with USER's key set: prints its
# "initiator=... csb-id=..." and key lines.
cap_msref() { # pcap, filter, user
	cap_fields "$1" "$2" sdp.media_attr | sed -n 's/^key-mgmt:mikey /mikey /p' > "$T/cap-imsg.txt"
	[ -s "$T/cap-imsg.txt" ] || return 1
	"$PYTHON3" "$top_srcdir/tests/ref/msref.py" imessage-accept --cert "$T/kms/community.xml" \
		--keyset "${MSREF_KEYSETS:-$T}/$3.xml" --in "$T/cap-imsg.txt"
}
