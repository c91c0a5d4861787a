# sip/kamailio-env.sh - two kamailio signalling servers on loopback for the
# SIP tests and the demo (doc/sip.md): a.example serving alice and
# b.example serving bob and carol, each with sip/kamailio.cfg in its own
# folder (runtime dir, pid file, db_text user file, log), on free ports.
#
#   . "$top_srcdir/sip/kamailio-env.sh"
#   kam_start DIR || exit 99   # sets KAM_A_PORT KAM_B_PORT, writes DIR/servers.env
#   trap 'kam_stop DIR' EXIT   # stops both surely (TERM, then KILL)
#   kam_proxy a|b              # sip:127.0.0.1:<port> of that server
#   kam_password USER          # the file with USER's digest password
#
# KAMAILIO may name the binary (default: found in PATH, /usr/sbin).
# top_srcdir must be set (the config is $top_srcdir/sip/kamailio.cfg).

KAM_USERS_a="alice"
KAM_USERS_b="bob carol"

# A port free for both UDP and TCP on 127.0.0.1 (the kernel picks it).
kam_free_port() {
	python3 - <<'PY'
import socket
for _ in range(50):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    port = u.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind(("127.0.0.1", port))
    except OSError:
        u.close(); t.close(); continue
    u.close(); t.close()
    print(port)
    break
PY
}

kam_bin() {
	if [ -n "${KAMAILIO:-}" ] && [ -x "$KAMAILIO" ]; then echo "$KAMAILIO"; return 0; fi
	PATH="$PATH:/usr/sbin:/sbin" command -v kamailio
}

# kam_db DIR DOMAIN USERS...: db_text tables of the registrar (password
# in clear, ha1 computed by auth_db) and one password file per user.
kam_db() {
	db=$1/db dom=$2; shift 2
	mkdir -p "$db" || return 1
	printf 'id(int,auto) table_name(string) table_version(int)\n0:subscriber:7\n' > "$db/version"
	printf 'id(int,auto) username(string) domain(string) password(string) ha1(string,null) ha1b(string,null)\n' \
		> "$db/subscriber"
	i=1
	for user in "$@"; do
		pw=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
		printf '%s:%s:%s:%s::\n' "$i" "$user" "$dom" "$pw" >> "$db/subscriber"
		(umask 077 && printf '%s\n' "$pw" > "$KAM_DIR/$user.password") || return 1
		i=$((i + 1))
	done
}

# kam_one NAME PORT DOMAIN PEER_DOMAIN PEER_PORT
kam_one() {
	d=$KAM_DIR/$1
	mkdir -p "$d/run" || return 1
	eval "kam_db \"$d\" $3 \$KAM_USERS_$1" || return 1
	"$KAM_BIN" -f "$top_srcdir/sip/kamailio.cfg" -DD -E -n 2 -m 32 -M 4 \
		-Y "$d/run" -P "$d/kamailio.pid" -l "udp:127.0.0.1:$2" -l "tcp:127.0.0.1:$2" \
		-A "MY_DOMAIN=\"$3\"" -A "PEER_DOMAIN=\"$4\"" -A "PEER_ADDR=\"sip:127.0.0.1:$5\"" \
		-A "PEER_PORT=$5" -A "DBURL=\"text://$d/db\"" > "$d/kamailio.log" 2>&1 &
	echo $! > "$d/main.pid"
}

# waits (5 s) until the server NAME listens on PORT, or says why not
kam_wait() {
	n=0
	until ss -Hlun "sport = :$2" 2>/dev/null | grep -q .; do
		if ! kill -0 "$(cat "$KAM_DIR/$1/main.pid")" 2>/dev/null || [ $n -gt 50 ]; then
			echo "kamailio $1 did not start on port $2:" >&2
			tail -n 20 "$KAM_DIR/$1/kamailio.log" >&2
			return 1
		fi
		n=$((n + 1))
		sleep 0.1
	done
}

kam_start() {
	KAM_DIR=$1
	KAM_BIN=$(kam_bin) || { echo "kamailio not found (apt-get install kamailio)" >&2; return 77; }
	mkdir -p "$KAM_DIR" || return 1
	tries=0
	while :; do
		KAM_A_PORT=$(kam_free_port) KAM_B_PORT=$(kam_free_port)
		[ -n "$KAM_A_PORT" ] && [ -n "$KAM_B_PORT" ] && [ "$KAM_A_PORT" != "$KAM_B_PORT" ] || return 1
		kam_one a "$KAM_A_PORT" a.example b.example "$KAM_B_PORT" &&
		kam_one b "$KAM_B_PORT" b.example a.example "$KAM_A_PORT" || return 1
		if kam_wait a "$KAM_A_PORT" && kam_wait b "$KAM_B_PORT"; then
			break
		fi
		kam_stop "$KAM_DIR"   # a port taken meanwhile: try others
		tries=$((tries + 1))
		[ $tries -lt 3 ] || return 1
	done
	printf 'KAM_A_PORT=%s\nKAM_B_PORT=%s\n' "$KAM_A_PORT" "$KAM_B_PORT" > "$KAM_DIR/servers.env"
	export KAM_DIR KAM_A_PORT KAM_B_PORT
}

kam_proxy() {
	if [ "$1" = a ]; then echo "sip:127.0.0.1:$KAM_A_PORT"; else echo "sip:127.0.0.1:$KAM_B_PORT"; fi
}

kam_password() {
	echo "$KAM_DIR/$1.password"
}

# Stops both servers (safe to call twice and from a trap): TERM to the
# main process, which stops its children; KILL to what is left after 5 s.
kam_stop() {
	for name in a b; do
		f=$1/$name/main.pid
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		kids=$(pgrep -P "$pid" 2>/dev/null)
		kill -TERM "$pid" 2>/dev/null
		n=0
		while kill -0 "$pid" 2>/dev/null && [ $n -lt 50 ]; do
			n=$((n + 1))
			sleep 0.1
		done
		for p in $pid $kids; do
			kill -KILL "$p" 2>/dev/null
		done
		rm -f "$f"
	done
	return 0
}
