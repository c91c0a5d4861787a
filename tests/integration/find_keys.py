#!/usr/bin/env python3
"""find_keys: where, if anywhere, key values appear in files.

    find_keys.py KEYS PATH...

KEYS holds hex key values, one a line (kms_serve_check.py --keys-out).
Each PATH (a file, or a folder searched recursively) is read as bytes and
searched for every key as raw octets and as hex text in either case.
Prints one line per hit ("<key number> <form> <file>") and exits 1 when
there is any, else prints "none of N keys in M files" and exits 0.
"""

import os
import sys


def files(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, _, names in os.walk(p):
                for n in sorted(names):
                    yield os.path.join(root, n)
        elif os.path.isfile(p):
            yield p


def main():
    keys = []
    with open(sys.argv[1], encoding='ascii') as fh:
        for line in fh:
            k = line.strip().lower()
            if k and k not in keys:
                keys.append(k)
    hits, count = 0, 0
    for path in files(sys.argv[2:]):
        count += 1
        with open(path, 'rb') as fh:
            data = fh.read()
        for i, k in enumerate(keys):
            raw = bytes.fromhex(k)
            for form, needle in (('octets', raw), ('hex', k.encode()), ('HEX', k.upper().encode())):
                if needle in data:
                    print('key %d (%d octets) as %s in %s' % (i + 1, len(raw), form, path))
                    hits += 1
    if hits:
        return 1
    print('none of %d keys in %d file%s' % (len(keys), count, '' if count == 1 else 's'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
