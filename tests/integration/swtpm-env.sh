# tests/integration/swtpm-env.sh - start and stop private swtpm instances.
#
# Source it from a test script (POSIX sh or bash; needs ss from iproute2), then:
#   swtpm_require            exit 77 (automake "skipped") when swtpm is missing
#   swtpm_start              start one swtpm (TPM 2.0, already started up) on a
#                            free TCP port, state in a fresh temporary folder;
#                            sets SWTPM_TCTI ("swtpm:host=127.0.0.1,port=N"),
#                            SWTPM_PORT and SWTPM_STATE; call again for more
#   swtpm_stop_all           stop every instance started here, remove folders
#   swtpm_set_da MAX SECS    dictionary-attack parameters of the last started
#                            swtpm (or of TCTI $3): lockout after MAX wrong
#                            auths, one forgiven per SECS; counter cleared
#                            (needs tpm2-tools; lockout auth is empty)
#   swtpm_slot_conf CONF DIR LABEL...
#                            write mstoken.conf CONF with one tpm slot per
#                            LABEL on the last started swtpm, store DIR/LABEL
#                            (so a test body written for pkcs11 slots runs
#                            on tpm ones: the issue's "one test body, two
#                            backends")
# swtpm_start installs swtpm_stop_all as the EXIT trap, so a failing test
# leaves no swtpm running.  SWTPM may name the binary (env.sh sets it).

_swtpm_pids=""
_swtpm_dirs=""

# What configure found (SWTPM among others), when run from the build tree.
if [ -n "${top_builddir:-}" ] && [ -f "$top_builddir/tests/integration/env.sh" ]; then
	. "$top_builddir/tests/integration/env.sh"
fi

swtpm_require() {
	SWTPM=${SWTPM:-$(command -v swtpm || true)}
	if [ -z "$SWTPM" ] || [ ! -x "$SWTPM" ]; then
		echo "swtpm not found: skipping" >&2
		exit 77
	fi
}

# Is something listening on TCP port $1?  (POSIX sh: the callers may be
# #!/bin/sh scripts; ss is from iproute2.)
_swtpm_port_busy() {
	ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

_swtpm_random_port() {
	# data port and the control port after it; 20000-59999, even
	echo $(( 20000 + ($(od -An -N2 -tu2 /dev/urandom) % 20000) * 2 ))
}

swtpm_stop_all() {
	local p d
	for p in $_swtpm_pids; do
		kill "$p" 2>/dev/null || true
	done
	for p in $_swtpm_pids; do
		wait "$p" 2>/dev/null || true
	done
	for d in $_swtpm_dirs; do
		rm -rf "$d"
	done
	_swtpm_pids=""
	_swtpm_dirs=""
}

swtpm_start() {
	local tries dir port pid i
	swtpm_require
	dir=$(mktemp -d "${TMPDIR:-/tmp}/mst-swtpm.XXXXXX") || return 1
	_swtpm_dirs="$_swtpm_dirs $dir"
	trap swtpm_stop_all EXIT
	for tries in 1 2 3 4 5 6 7 8 9 10; do
		port=$(_swtpm_random_port)
		if _swtpm_port_busy "$port" || _swtpm_port_busy $((port + 1)); then
			continue
		fi
		"$SWTPM" socket --tpm2 \
			--server type=tcp,port="$port",bindaddr=127.0.0.1 \
			--ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 \
			--tpmstate dir="$dir" \
			--flags not-need-init,startup-clear \
			>"$dir/swtpm.log" 2>&1 &
		pid=$!
		# ready when it listens on both ports (checked with ss: connecting
		# to the data port would take swtpm's single client slot for a
		# moment); the two sockets open one after the other, and a loaded
		# machine may take seconds
		for i in $(seq 1 200); do
			kill -0 "$pid" 2>/dev/null || break
			if _swtpm_port_busy $((port + 1)) && _swtpm_port_busy "$port"; then
				_swtpm_pids="$_swtpm_pids $pid"
				SWTPM_PORT=$port
				SWTPM_STATE=$dir
				SWTPM_TCTI="swtpm:host=127.0.0.1,port=$port"
				export SWTPM_PORT SWTPM_STATE SWTPM_TCTI
				return 0
			fi
			sleep 0.1
		done
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	echo "swtpm_start: could not start swtpm (log: $dir/swtpm.log)" >&2
	cat "$dir/swtpm.log" >&2 2>/dev/null || true
	return 1
}

swtpm_set_da() {
	local tcti=${3:-$SWTPM_TCTI}
	if ! command -v tpm2_dictionarylockout >/dev/null; then
		echo "swtpm_set_da: tpm2_dictionarylockout (tpm2-tools) not found" >&2
		return 1
	fi
	tpm2_dictionarylockout -T "$tcti" -c &&
	tpm2_dictionarylockout -T "$tcti" -s -n "$1" -t "$2" -l 0
}

swtpm_slot_conf() {
	local conf=$1 dir=$2 label
	shift 2
	: > "$conf" || return 1
	for label in "$@"; do
		printf '[slot]\nlabel = %s\nbackend = tpm\ntpm.tcti = %s\ntpm.store = %s/%s\n\n' \
			"$label" "$SWTPM_TCTI" "$dir" "$label" >> "$conf" || return 1
	done
}
