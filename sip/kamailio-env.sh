# sip/kamailio-env.sh - two kamailio signalling servers on loopback for the
# SIP tests and the demo (doc/sip.md): a.example serving alice and
# b.example serving bob and carol, each with sip/kamailio.cfg in its own
# folder (runtime dir, pid file, db_text user file, log), on free ports.
#
#   . "$top_srcdir/sip/kamailio-env.sh"
#   kam_start DIR [tls] || exit 99  # sets KAM_A_PORT KAM_B_PORT, writes DIR/servers.env;
#                              # with tls: a test CA, certificates, KAM_A_TLS_PORT KAM_B_TLS_PORT
#   trap 'kam_stop DIR' EXIT   # stops both surely (TERM, then KILL)
#   kam_proxy a|b [tls]        # sip:127.0.0.1:<port> of that server (;transport=tls)
#   kam_tls_dir USER           # USER's agent.pem (certificate + key) and cafile.pem
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

# A test CA made here (openssl), a certificate for each server (its
# domain) and each UE (its user name), all for 127.0.0.1: DIR/tls/ca.pem,
# DIR/tls/<name>/agent.pem (certificate + key) and cafile.pem (the CA).
kam_tls_certs() {
	t=$KAM_DIR/tls
	mkdir -p "$t" || return 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=mstoken test CA" -keyout "$t/ca.key" -out "$t/ca.pem" 2> "$t/openssl.log" ||
		return 1
	for name in a.example b.example $KAM_USERS_a $KAM_USERS_b; do
		mkdir -p "$t/$name" || return 1
		printf 'subjectAltName=DNS:%s,IP:127.0.0.1\n' "$name" > "$t/$name/ext.cnf"
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" \
			-keyout "$t/$name/key.pem" -out "$t/$name/req.pem" 2>> "$t/openssl.log" &&
		openssl x509 -req -in "$t/$name/req.pem" -CA "$t/ca.pem" -CAkey "$t/ca.key" \
			-CAcreateserial -days 2 -extfile "$t/$name/ext.cnf" -out "$t/$name/cert.pem" \
			2>> "$t/openssl.log" || return 1
		cat "$t/$name/cert.pem" "$t/$name/key.pem" > "$t/$name/agent.pem" &&
		cp "$t/ca.pem" "$t/$name/cafile.pem" || return 1
	done
}

# kam_one NAME PORT DOMAIN PEER_DOMAIN PEER_PORT [TLS_PORT]
kam_one() {
	name=$1 port=$2 dom=$3 peer_dom=$4 peer_port=$5 tls_port=${6:-}
	d=$KAM_DIR/$name
	mkdir -p "$d/run" || return 1
	eval "kam_db \"$d\" $dom \$KAM_USERS_$name" || return 1
	set --
	if [ -n "$tls_port" ]; then
		set -- -l "tls:127.0.0.1:$tls_port" -A WITH_TLS \
			-A "TLS_CERT=\"$KAM_DIR/tls/$dom/agent.pem\"" -A "TLS_CA=\"$KAM_DIR/tls/ca.pem\""
	fi
	"$KAM_BIN" -f "$top_srcdir/sip/kamailio.cfg" -DD -E -n 2 -m 32 -M 4 \
		-Y "$d/run" -P "$d/kamailio.pid" -l "udp:127.0.0.1:$port" -l "tcp:127.0.0.1:$port" "$@" \
		-A "MY_DOMAIN=\"$dom\"" -A "PEER_DOMAIN=\"$peer_dom\"" \
		-A "PEER_ADDR=\"sip:127.0.0.1:$peer_port\"" -A "PEER_PORT=$peer_port" \
		-A "DBURL=\"text://$d/db\"" > "$d/kamailio.log" 2>&1 &
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
	KAM_DIR=$1 KAM_A_TLS_PORT="" KAM_B_TLS_PORT=""
	KAM_BIN=$(kam_bin) || { echo "kamailio not found (apt-get install kamailio)" >&2; return 77; }
	mkdir -p "$KAM_DIR" || return 1
	if [ "${2:-}" = tls ]; then
		kam_tls_certs || { echo "cannot make the test certificates" >&2; return 1; }
	fi
	tries=0
	while :; do
		KAM_A_PORT=$(kam_free_port) KAM_B_PORT=$(kam_free_port)
		[ -n "$KAM_A_PORT" ] && [ -n "$KAM_B_PORT" ] && [ "$KAM_A_PORT" != "$KAM_B_PORT" ] || return 1
		if [ "${2:-}" = tls ]; then
			KAM_A_TLS_PORT=$(kam_free_port) KAM_B_TLS_PORT=$(kam_free_port)
		fi
		kam_one a "$KAM_A_PORT" a.example b.example "$KAM_B_PORT" $KAM_A_TLS_PORT &&
		kam_one b "$KAM_B_PORT" b.example a.example "$KAM_A_PORT" $KAM_B_TLS_PORT || return 1
		if kam_wait a "$KAM_A_PORT" && kam_wait b "$KAM_B_PORT"; then
			break
		fi
		kam_stop "$KAM_DIR"   # a port taken meanwhile: try others
		tries=$((tries + 1))
		[ $tries -lt 3 ] || return 1
	done
	printf 'KAM_A_PORT=%s\nKAM_B_PORT=%s\nKAM_A_TLS_PORT=%s\nKAM_B_TLS_PORT=%s\n' "$KAM_A_PORT" \
		"$KAM_B_PORT" "$KAM_A_TLS_PORT" "$KAM_B_TLS_PORT" > "$KAM_DIR/servers.env"
	export KAM_DIR KAM_A_PORT KAM_B_PORT KAM_A_TLS_PORT KAM_B_TLS_PORT
}

kam_proxy() {
	if [ "${2:-}" = tls ]; then
		if [ "$1" = a ]; then p=$KAM_A_TLS_PORT; else p=$KAM_B_TLS_PORT; fi
		echo "sip:127.0.0.1:$p;transport=tls"
	elif [ "$1" = a ]; then
		echo "sip:127.0.0.1:$KAM_A_PORT"
	else
		echo "sip:127.0.0.1:$KAM_B_PORT"
	fi
}

kam_tls_dir() {
	echo "$KAM_DIR/tls/$1"
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
