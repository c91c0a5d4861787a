#!/usr/bin/env python3
"""msref: an independent reference implementation of MIKEY-SAKKE.

Written from the RFC texts only (RFC 6507 ECCSI, RFC 6508 SAKKE, RFC 6509
MIKEY-SAKKE, RFC 3830 / 6043 / 4563 MIKEY) and 3GPP TS 33.180 (Annex F UID,
Annex D KMS XML), with the Python standard library alone, so that the C code
of mstoken can be checked against something that shares none of its code.

Clarity over speed: Python integers, Jacobian coordinates only where the
1024-bit SAKKE curve would otherwise be too slow, no constant-time claims.
This is a test oracle; it must never hold production keys (Python cannot
wipe or lock memory and its big-integer arithmetic branches on values).

Every failure raises MsrefError with one line naming what is wrong; the CLI
prints it as "msref: <reason>" and exits 1.

The parts live in msref_*.py next to this file (one concern each); this
module re-exports all of them, so "import msref" is the whole API, and adds
the command line that other parts' shell tests call.
"""

import argparse
import base64
import os
import sys

# Other parts run msref.py from the source tree (read-only under distcheck):
# leave no __pycache__ behind.
sys.dont_write_bytecode = True

from msref_common import *   # noqa: F401,F403  (re-exported API)
from msref_eccsi import *    # noqa: F401,F403
from msref_sakke import *    # noqa: F401,F403
from msref_ident import *    # noqa: F401,F403
from msref_prf import *      # noqa: F401,F403
from msref_mikey import *    # noqa: F401,F403
from msref_kms import *      # noqa: F401,F403
from msref_session import *  # noqa: F401,F403
from msref_interop import *  # noqa: F401,F403
from msref_common import MsrefError, os2ip, unhex
from msref_eccsi import P256, eccsi_sign, eccsi_validate, eccsi_verify_detail
from msref_kms import (atomic_write, keyset_check, keyset_xml, kms_community, kms_issue,
                       load_certificate, load_keyset, read_file)
from msref_sakke import sakke_decapsulate, sakke_encapsulate, sakke_point
from msref_session import accept_imessage, create_imessages, pick_addressed, sdp_offer
from msref_mikey import decode_text_imessages
from msref_interop import interop_export


def cmd_keyset_check(a):
    keyset_check(load_certificate(a.cert), load_keyset(a.keyset))
    print('ok')


def cmd_eccsi_verify(a):
    kpak = P256.decode(unhex(a.kpak, '--kpak'), '--kpak')
    ok, reason, _ = eccsi_verify_detail(kpak, unhex(a.id, '--id'),
                                        read_file(a.msg, 'message'),
                                        read_file(a.sig, 'signature'))
    if not ok:
        raise MsrefError('bad signature: ' + reason)
    print('ok')


def cmd_eccsi_sign(a):
    kpak = P256.decode(unhex(a.kpak, '--kpak'), '--kpak')
    pvt = P256.decode(unhex(a.pvt, '--pvt'), '--pvt')
    ssk = os2ip(unhex(a.ssk, '--ssk'))
    ident = unhex(a.id, '--id')
    eccsi_validate(kpak, ident, ssk, pvt)
    atomic_write(a.out, eccsi_sign(kpak, ident, ssk, pvt, read_file(a.msg, 'message')))


def cmd_sakke_encap(a):
    z = sakke_point(unhex(a.z, '--z'), '--z')
    ssv = None if a.ssv is None else unhex(a.ssv, '--ssv')
    data, ssv = sakke_encapsulate(z, unhex(a.id, '--id'), ssv)
    atomic_write(a.out, data)
    print(ssv.hex())


def cmd_sakke_decap(a):
    z = sakke_point(unhex(a.z, '--z'), '--z')
    rsk = sakke_point(unhex(a.rsk, '--rsk'), '--rsk')
    print(sakke_decapsulate(z, unhex(a.id, '--id'), rsk, read_file(a.infile, 'input')).hex())


def cmd_kms_community(a):
    kms_community(a.dir, a.kms_uri, a.user_id_format, a.key_period, a.key_offset, a.wrapped)


def cmd_kms_issue(a):
    ks = kms_issue(a.dir, a.uri, a.period_no, a.at)
    atomic_write(a.out, keyset_xml(ks, a.wrapped))


def cmd_imessage_accept(a):
    cert, ks = load_certificate(a.cert), load_keyset(a.keyset)
    text = read_file(a.infile, 'input').decode('ascii', 'replace')
    raw = pick_addressed(cert, ks, decode_text_imessages(text))
    from_cert = load_certificate(a.from_cert) if a.from_cert else None
    res = accept_imessage(cert, ks, raw, a.now, a.window, from_cert=from_cert)
    print('initiator=%s csb-id=%s' % (res['initiator'], res['csb_id'].hex()))
    for cs_id, key, salt in res['keys']:
        print('cs=%d srtp-master-key=%s srtp-master-salt=%s' % (cs_id, key.hex(), salt.hex()))


def cmd_imessage_create(a):
    cert, ks = load_certificate(a.cert), load_keyset(a.keyset)
    msgs, keys = create_imessages(cert, ks, load_certificate(a.to_cert), a.to, a.prf,
                                  a.srtp, a.now)
    if a.format == 'sdp':
        sys.stdout.write(sdp_offer(msgs))
    else:
        for m in msgs:
            print(base64.b64encode(m).decode())
    if a.show_keys:
        for cs_id, key, salt in keys:
            print('cs=%d srtp-master-key=%s srtp-master-salt=%s' % (cs_id, key.hex(), salt.hex()))


def cmd_interop_export(a):
    for path in interop_export(a.json, a.dir):
        print(os.path.relpath(path, a.dir))


def build_parser():
    ap = argparse.ArgumentParser(prog='msref.py', description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='command', required=True)

    def add(name, func, *args):
        p = sub.add_parser(name)
        for spec in args:
            flag, kw = spec[0], dict(spec[1]) if len(spec) > 1 else {}
            kw.setdefault('required', not kw.get('action') and 'default' not in kw
                          and kw.get('nargs') is None)
            p.add_argument(flag, **kw)
        p.set_defaults(func=func)

    add('keyset-check', cmd_keyset_check, ('--cert',), ('--keyset',))
    add('eccsi-verify', cmd_eccsi_verify, ('--kpak',), ('--id',), ('--msg',), ('--sig',))
    add('eccsi-sign', cmd_eccsi_sign, ('--kpak',), ('--id',), ('--ssk',), ('--pvt',),
        ('--msg',), ('--out',))
    add('sakke-encap', cmd_sakke_encap, ('--z',), ('--id',), ('--ssv', {'default': None}),
        ('--out',))
    add('sakke-decap', cmd_sakke_decap, ('--z',), ('--id',), ('--rsk',),
        ('--in', {'dest': 'infile'}))
    add('kms-community', cmd_kms_community, ('--dir',), ('--kms-uri',),
        ('--user-id-format', {'type': int, 'default': 2, 'choices': (1, 2)}),
        ('--key-period', {'type': int, 'default': 2592000}),
        ('--key-offset', {'type': int, 'default': 0}), ('--wrapped', {'action': 'store_true'}))
    add('kms-issue', cmd_kms_issue, ('--dir',), ('--uri',),
        ('--period-no', {'type': int, 'default': None}),
        ('--at', {'type': int, 'default': None}), ('--out',),
        ('--wrapped', {'action': 'store_true'}))
    add('interop-export', cmd_interop_export, ('--json',), ('--dir',))
    add('imessage-accept', cmd_imessage_accept, ('--cert',), ('--keyset',),
        ('--in', {'dest': 'infile'}), ('--now', {'type': float, 'default': None}),
        ('--window', {'type': int, 'default': 300}),
        ('--from-cert', {'default': None}))
    add('imessage-create', cmd_imessage_create, ('--cert',), ('--keyset',), ('--to-cert',),
        ('--to', {'action': 'append', 'required': True}),
        ('--prf', {'type': int, 'default': None, 'choices': (0, 1)}),
        ('--srtp', {'default': None, 'choices': ('aes-cm', 'aes-gcm')}),
        ('--format', {'default': 'base64', 'choices': ('base64', 'sdp')}),
        ('--show-keys', {'action': 'store_true'}),
        ('--now', {'type': float, 'default': None}))
    return ap


def main(argv=None):
    args = build_parser().parse_args(argv)
    if getattr(args, 'period_no', None) is not None and getattr(args, 'at', None) is not None:
        print('msref: give --period-no or --at, not both', file=sys.stderr)
        return 2
    try:
        args.func(args)
    except MsrefError as exc:
        print('msref: %s' % exc, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
