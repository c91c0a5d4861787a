#!/usr/bin/env python3
"""find_in_core.py CORE KEYS_HEX: exit 1 (naming which) if any 16-octet run of
any key of KEYS_HEX (one hex key a line; keys of 257 octets, the RSKs, only)
appears in the binary file CORE, or its hex (either case); else print the
number of keys looked for and exit 0."""
import sys

core = open(sys.argv[1], 'rb').read()
keys = {l.strip().lower() for l in open(sys.argv[2]) if len(l.strip()) == 514}
for k in keys:
    raw = bytes.fromhex(k)
    for i in range(0, len(raw) - 16 + 1, 8):
        piece = raw[i:i + 16]
        if piece in core:
            sys.exit('octets %d..%d of an RSK are in %s' % (i, i + 15, sys.argv[1]))
    if k.encode() in core or k.upper().encode() in core:
        sys.exit('the hex of an RSK is in %s' % sys.argv[1])
print('%d RSKs looked for, none found' % len(keys))
