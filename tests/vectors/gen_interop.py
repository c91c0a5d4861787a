#!/usr/bin/env python3
"""Write tests/vectors/interop_vectors.h from tests/vectors/interop_vectors.json.

Run by hand from the top of the source tree when the JSON changes, and
commit the result:

    python3 tests/vectors/gen_interop.py

`--output FILE` writes elsewhere (make check regenerates into a temporary
file and compares, so a stale header is caught).

Python 3 standard library only.  The generator walks every I_MESSAGE's
MIKEY payload chain (RFC 3830, RFC 6043, RFC 6509) and refuses to write the
header if a message does not parse exactly, so the C tests can rely on the
offsets it emits.
"""

import ast
import base64
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
JSON_PATH = os.path.join(HERE, "interop_vectors.json")
MD_PATH = os.path.join(HERE, "streamwide-test-vectors.md")
OUT_PATH = os.path.join(HERE, "interop_vectors.h")

# Blocks holding derivation vectors of the form ssv/rand/csb_id/cs_id/derive.
KDF_BLOCKS = ("prf_hmac_sha256", "etherstack_kdf", "eazon_kdf")

# MIKEY payload types (RFC 3830 6.1, RFC 6043 6.6, RFC 6509 4.2).
PT_LAST, PT_KEMAC, PT_PKE, PT_DH, PT_SIGN, PT_T, PT_ID, PT_CERT = 0, 1, 2, 3, 4, 5, 6, 7
PT_CHASH, PT_V, PT_SP, PT_RAND, PT_ERR, PT_IDR, PT_GENEXT, PT_SAKKE = 8, 9, 10, 11, 12, 14, 21, 26

SIGN_TYPE_ECCSI = 2  # RFC 6509 4.3
ECCSI_SIG_LEN = 129
SAKKE_DATA_LEN = 273  # 04 || x || y (2 * 128 octets) || H (16 octets), RFC 6509 / RFC 6508


class ParseError(Exception):
    pass


def need(buf, pos, n, what):
    if pos + n > len(buf):
        raise ParseError("%s truncated at offset %d" % (what, pos))


def u16(buf, pos):
    return buf[pos] << 8 | buf[pos + 1]


def parse_hdr(buf):
    """RFC 3830 6.1 common header; returns (fields, next_payload, end)."""
    need(buf, 0, 10, "HDR")
    f = {
        "version": buf[0],
        "data_type": buf[1],
        "v": buf[3] >> 7,
        "prf_func": buf[3] & 0x7F,
        "csb_id": int.from_bytes(buf[4:8], "big"),
        "n_cs": buf[8],
        "map_type": buf[9],
    }
    nxt = buf[2]
    pos = 10
    if f["version"] != 1:
        raise ParseError("HDR version %d" % f["version"])
    if f["map_type"] == 0:  # SRTP-ID: policy(1) SSRC(4) ROC(4) per CS
        need(buf, pos, 9 * f["n_cs"], "SRTP-ID map")
        pos += 9 * f["n_cs"]
    elif f["map_type"] == 1:  # Empty map (RFC 4563): no map info in practice
        pass
    elif f["map_type"] == 2:  # GENERIC-ID (RFC 6043 6.1.1), one entry per CS
        for _ in range(f["n_cs"]):
            need(buf, pos, 3, "GENERIC-ID map")
            n_p = buf[pos + 2] & 0x7F
            pos += 3 + n_p
            need(buf, pos, 2, "GENERIC-ID session data length")
            pos += 2 + u16(buf, pos)
            need(buf, pos, 1, "GENERIC-ID SPI length")
            pos += 1 + buf[pos]
            need(buf, pos, 0, "GENERIC-ID map")
    else:
        raise ParseError("unknown CS ID map type %d" % f["map_type"])
    return f, nxt, pos


def parse_imessage(buf):
    """Walk the whole payload chain; every octet must be consumed."""
    hdr, nxt, pos = parse_hdr(buf)
    out = {"hdr": hdr, "rand": None, "ntp": None, "sakke": None, "sign": None}
    while nxt != PT_LAST:
        start = pos
        if nxt == PT_SIGN:  # S type (4 bits) | length (12 bits), signature; always last
            need(buf, pos, 2, "SIGN")
            s_type, s_len = buf[pos] >> 4, u16(buf, pos) & 0x0FFF
            need(buf, pos + 2, s_len, "signature")
            out["sign"] = {"offset": start, "type": s_type, "len": s_len,
                           "sig": buf[pos + 2:pos + 2 + s_len]}
            pos += 2 + s_len
            break
        need(buf, pos, 1, "payload %d" % nxt)
        this, cur = nxt, buf[pos]
        if this == PT_T:
            need(buf, pos, 2, "T")
            ts_type = buf[pos + 1]
            size = {0: 8, 1: 8, 2: 4}.get(ts_type)
            if size is None:
                raise ParseError("T type %d" % ts_type)
            need(buf, pos + 2, size, "T value")
            if ts_type in (0, 1):
                out["ntp"] = int.from_bytes(buf[pos + 2:pos + 10], "big")
            pos += 2 + size
        elif this == PT_RAND:
            need(buf, pos, 2, "RAND")
            n = buf[pos + 1]
            need(buf, pos + 2, n, "RAND data")
            out["rand"] = buf[pos + 2:pos + 2 + n]
            pos += 2 + n
        elif this == PT_IDR:  # next, role, type, len(2), data
            need(buf, pos, 5, "IDR")
            pos += 5 + u16(buf, pos + 3)
        elif this in (PT_ID, PT_CERT):  # next, type, len(2), data
            need(buf, pos, 4, "ID/CERT")
            pos += 4 + u16(buf, pos + 2)
        elif this == PT_SP:  # next, policy no, prot type, len(2), params
            need(buf, pos, 5, "SP")
            pos += 5 + u16(buf, pos + 3)
        elif this == PT_GENEXT:  # next, type, len(2), data
            need(buf, pos, 4, "General Extension")
            pos += 4 + u16(buf, pos + 2)
        elif this == PT_SAKKE:  # next, params, ID scheme, len(2), data
            need(buf, pos, 5, "SAKKE")
            n = u16(buf, pos + 3)
            need(buf, pos + 5, n, "SAKKE data")
            out["sakke"] = {"params": buf[pos + 1], "id_scheme": buf[pos + 2],
                            "data": buf[pos + 5:pos + 5 + n]}
            pos += 5 + n
        else:
            raise ParseError("unexpected payload type %d at offset %d" % (this, pos))
        need(buf, pos, 0, "payload %d" % this)
        nxt = cur
    if pos != len(buf):
        raise ParseError("%d trailing octets after the payload chain" % (len(buf) - pos))
    return out


def decode_imessage(m):
    text = m["imessage"].strip()
    if text.startswith("mikey "):
        text = text[len("mikey "):]
    raw = base64.b64decode(text, validate=True)
    if "imessage_hex" in m and bytes.fromhex(m["imessage_hex"]) != raw:
        raise ParseError("%s: imessage and imessage_hex differ" % m["name"])
    return raw


def msref_of(m):
    ref = m.get("msref")
    if isinstance(ref, str):  # some entries hold a Python dict repr
        ref = ast.literal_eval(ref)
    return ref or {}


def c_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Writer:
    def __init__(self):
        self.arrays = []  # (name, bytes) emitted before the tables
        self.names = set()
        self.by_content = {}  # the same octets (a block's KPAK, Z) are emitted once

    def array(self, stem, data):
        """Emit a static const uint8_t array and return its C name."""
        if bytes(data) in self.by_content:
            return self.by_content[bytes(data)]
        name = re.sub(r"[^a-z0-9_]", "_", stem.lower())
        base, i = name, 2
        while name in self.names:
            name = "%s_%d" % (base, i)
            i += 1
        self.names.add(name)
        self.arrays.append((name, bytes(data)))
        self.by_content[bytes(data)] = name
        return name

    def render_arrays(self):
        lines = []
        for name, data in self.arrays:
            lines.append("static const uint8_t %s[%d] = {" % (name, max(len(data), 1)))
            for i in range(0, len(data), 12):
                lines.append("\t" + " ".join("0x%02x," % b for b in data[i:i + 12]))
            lines.append("};")
        return "\n".join(lines)


def ref_bytes(w, stem, hexstr):
    """'name, length' for a C initialiser, or 'NULL, 0' when absent."""
    if hexstr is None:
        return "NULL, 0"
    data = bytes.fromhex(hexstr)
    return "%s, %d" % (w.array(stem, data), len(data))


def field(w, fname, stem, hexstr):
    """Designated initialisers of a (pointer, length) member pair."""
    ptr, n = ref_bytes(w, stem + "_" + fname, hexstr).split(", ")
    return "\t\t.%s = %s, .%s_len = %s" % (fname, ptr, fname, n)


def gen_messages(w, doc):
    rows = []
    for block, val in doc.items():
        if block == "unverified" or not isinstance(val, dict) or "messages" not in val:
            continue
        users, kms = val["users"], val["kms"]
        for idx, m in enumerate(val["messages"]):
            stem = "iv_%s_m%d" % (block, idx)
            raw = decode_imessage(m)
            p = parse_imessage(raw)
            sign, sakke = p["sign"], p["sakke"]
            if sign is None or sign["type"] != SIGN_TYPE_ECCSI or sign["len"] != ECCSI_SIG_LEN:
                raise ParseError("%s/%s: no 129-octet ECCSI SIGN payload" % (block, m["name"]))
            if sakke is None or len(sakke["data"]) != SAKKE_DATA_LEN:
                raise ParseError("%s/%s: SAKKE data is not %d octets" % (block, m["name"], SAKKE_DATA_LEN))
            coverage = msref_of(m).get("coverage", "rfc3830-5.2")
            with_header = coverage == "rfc3830-5.2"
            if not with_header and coverage != "before-sign-payload":
                raise ParseError("%s: unknown coverage %s" % (m["name"], coverage))
            if (block == "eazon") == with_header:
                raise ParseError("%s: eazon messages (and only they) sign without the header" % m["name"])
            signed_len = sign["offset"] + (2 if with_header else 0)
            if "expected_rand" in m and bytes.fromhex(m["expected_rand"]) != p["rand"]:
                raise ParseError("%s: RAND differs from expected_rand" % m["name"])
            if "csb_id" in m and int(m["csb_id"], 16) != p["hdr"]["csb_id"]:
                raise ParseError("%s: CSB ID differs" % m["name"])
            ini, res = users[m["initiator"]], users[m["responder"]]
            rows.append("\t{ /* %s */\n" % m["name"].replace("*/", "* /") + ",\n".join([
                "\t\t.block = %s, .name = %s" % (c_str(block), c_str(m["name"])),
                field(w, "initiator_id", stem, ini["uid"]),
                field(w, "responder_id", stem, res["uid"]),
                field(w, "kpak", stem, kms["kpak"]),
                field(w, "z", stem, kms["Z"]),
                field(w, "responder_rsk", stem, res.get("rsk")),
                field(w, "initiator_pvt", stem, ini.get("pvt")),
                field(w, "imessage", stem, raw.hex()),
                "\t\t.signed_offset = 0, .signed_len = %d" % signed_len,
                "\t\t.signed_with_sign_header = %d, .sign_payload_offset = %d"
                % (int(with_header), sign["offset"]),
                field(w, "signature", stem, sign["sig"].hex()),
                field(w, "sakke_data", stem, sakke["data"].hex()),
                "\t\t.sakke_params = %d, .sakke_id_scheme = %d" % (sakke["params"], sakke["id_scheme"]),
                field(w, "ssv", stem, m["expected_ssv"]),
                field(w, "rand", stem, p["rand"].hex() if p["rand"] else None),
                "\t\t.csb_id = 0x%08xU, .prf_func = %d" % (p["hdr"]["csb_id"], p["hdr"]["prf_func"]),
                "\t\t.ntp_time = 0x%016xULL" % (p["ntp"] or 0),
                "\t\t.initiator_pvt_signed = %d"
                % int(ini.get("pvt") == sign["sig"][2 * 32:].hex()),
            ]) + ",\n\t},")
    return rows


def gen_unverified(w, doc):
    rows = []
    for idx, m in enumerate(doc["unverified"]["messages"]):
        raw = decode_imessage(m)
        parse_imessage(raw)
        rows.append("\t{ %s, %s },"
                    % (c_str(m["name"]), ref_bytes(w, "iv_unverified_m%d" % idx, raw.hex())))
    return rows


def gen_key_sets(w, doc):
    rows = []
    for block, val in doc.items():
        if not isinstance(val, dict) or "users" not in val or block == "unverified":
            continue
        for uname, u in val["users"].items():
            if not all(k in u for k in ("rsk", "ssk", "pvt")):
                continue
            stem = "iv_%s_%s" % (block, uname)
            rows.append("\t{\n" + ",\n".join([
                "\t\t.block = %s, .user = %s" % (c_str(block), c_str(uname)),
                field(w, "uid", stem, u["uid"]),
                field(w, "rsk", stem, u["rsk"]),
                field(w, "ssk", stem, u["ssk"]),
                field(w, "pvt", stem, u["pvt"]),
                field(w, "kpak", stem, val["kms"]["kpak"]),
                field(w, "z", stem, val["kms"]["Z"]),
                "\t\t.expect_valid = %d" % int(u.get("expect_valid", True)),
            ]) + ",\n\t},")
    return rows


def uid_row(w, stem, uri, kms_uri, period, offset, number, uid_hex):
    return ("\t{ .uri = %s, .kms_uri = %s,\n\t  .key_period = %dULL, .key_offset = %dULL, "
            ".key_period_no = %dULL,\n\t  .uid = %s, .uid_len = %s },"
            % ((c_str(uri), c_str(kms_uri), period, offset, number)
               + tuple(ref_bytes(w, stem, uid_hex).split(", "))))


def gen_user_uids(w, doc):
    rows = []
    for block, val in doc.items():
        if not isinstance(val, dict) or "users" not in val or block == "unverified":
            continue
        for uname, u in val["users"].items():
            q = u.get("uid_params")
            if q is None:
                continue
            rows.append(uid_row(w, "iv_uid_%s_%s" % (block, uname), u["uri"], q["kms_uri"],
                                q["key_period"], q["key_offset"], q["key_period_no"], u["uid"]))
    return rows


def gen_md_uids(w):
    """The five TS 33.180 Annex F UID tests of the Streamwide document."""
    text = open(MD_PATH, encoding="utf-8").read()
    pat = re.compile(r"uri:\s+(\S+)\s+kms_uri:\s+(\S+)\s+key_period:\s+(\d+)\s+"
                     r"key_period_offset:\s+(\d+)\s+current_key_period_no\s*:\s+(\d+)\s+"
                     r"generated uid ([0-9a-f]{64})")
    rows = [uid_row(w, "iv_uid_test%d" % (i + 1), g[0], g[1], int(g[2]), int(g[3]), int(g[4]), g[5])
            for i, g in enumerate(pat.findall(text))]
    if len(rows) != 5:
        raise ParseError("expected 5 UID tests in %s, found %d" % (MD_PATH, len(rows)))
    return rows


def gen_kdf(w, doc):
    rows = []
    for block in KDF_BLOCKS:
        for idx, v in enumerate(doc[block]["vectors"]):
            stem = "iv_%s_%d" % (block, idx)
            if len(v["derive"]) != 2:
                raise ParseError("%s: derive list of %d entries" % (block, len(v["derive"])))
            (k0, b0), (k1, b1) = v["derive"]
            rows.append("\t{\n" + ",\n".join([
                "\t\t.set = %s" % c_str(block),
                field(w, "ssv", stem, v["ssv"]),
                field(w, "rand", stem, v["rand"]),
                "\t\t.csb_id = 0x%sU, .cs_id = %d" % (v["csb_id"], v["cs_id"]),
                "\t\t.derive = { { %s, %d }, { %s, %d } }" % (c_str(k0), b0, c_str(k1), b1),
                field(w, "expected", stem, v["expected"]),
            ]) + ",\n\t},")
    return rows


def gen_guk(w, doc):
    return ["\t{ %s, %s, 0x%sU, 0x%sU }," % (c_str(v["uri"]), ref_bytes(w, "iv_guk_%d_gmk" % i, v["gmk"]),
                                          v["gmk_id"], v["expected_guk_id"])
            for i, v in enumerate(doc["guk_id"]["vectors"])]


def gen_dpck(w, doc):
    return ["\t{ %s, 0x%sU, %s }," % (ref_bytes(w, "iv_dpck_%d_gmk" % i, v["gmk"]), v["dppk_id"],
                                     ref_bytes(w, "iv_dpck_%d_expected" % i, v["expected_dpck"]))
            for i, v in enumerate(doc["dpck_kdf"]["vectors"])]


HEAD = """\
/* tests/vectors/interop_vectors.h - GENERATED, do not edit.
 *
 * Regenerate by hand from the top of the source tree after changing
 * tests/vectors/interop_vectors.json, and commit the result:
 *     python3 tests/vectors/gen_interop.py
 *
 * Third-party interoperability data (see interop_vectors.json for the source
 * of every entry).  Byte strings are (pointer, length) pairs; a NULL pointer
 * with length 0 means "not published".
 *
 * interop_messages[]  every VERIFIED I_MESSAGE (block "unverified" excluded):
 *   initiator_id / responder_id  the identifiers the keys are bound to (the
 *                       users' uid: 32-octet TS 33.180 UIDs), signer/receiver;
 *   kpak (65), z (257)  the KMS public keys of the block;
 *   responder_rsk (257), initiator_pvt (65)  when published;
 *   initiator_pvt_signed  1 when the signature carries that published PVT;
 *                       0 for the two eazon gms messages, signed under
 *                       another (SSK, PVT) pair of the same UID (RFC 6507
 *                       5.1.1 allows several), or when no PVT is published;
 *   imessage            the whole decoded I_MESSAGE (base64 after "mikey ");
 *   signed_offset/len   the octets the signature covers, in the form they were
 *                       signed: signed_with_sign_header = 1 (RFC 3830 5.2)
 *                       includes the 2-octet SIGN payload header, 0 (the eazon
 *                       messages) stops at sign_payload_offset, the SIGN
 *                       payload's first octet;
 *   signature (129)     r || s || PVT;
 *   sakke_data (273)    SAKKE encapsulated data (RFC 6509 4.2) with its
 *                       payload's params and ID scheme octets;
 *   ssv, rand, csb_id   the key carried, the RAND payload, the HDR CSB ID;
 *   prf_func, ntp_time  the HDR PRF func and the T payload's NTP value.
 * interop_unverified_messages[]  MUST PARSE ONLY: nobody can verify them.
 * interop_key_sets[]  user key sets (uid, rsk, ssk, pvt, the block's kpak, z)
 *                     and whether RFC 6507 5.1.2 / RFC 6508 6.1.2 must accept them.
 * interop_uid_vectors[]    the five UID tests of streamwide-test-vectors.md.
 * interop_user_uids[]      the users whose uid_params the JSON gives.
 * interop_kdf_vectors[]    PRF-HMAC-SHA-256 derivations (RFC 3830 4.1.3):
 *                          expected = the two derived keys concatenated, in
 *                          derive[] order (kind "tek", "enc" or "salt", bits).
 * interop_guk_id_vectors[] TS 33.180 GUK-ID = GMK-ID ^ KDF(GMK, 0x50, URI).
 * interop_dpck_vectors[]   TS 33.180 DPCK = KDF(GMK, 0x53, DPPK-ID).
 */
#ifndef MST_INTEROP_VECTORS_H
#define MST_INTEROP_VECTORS_H

#include <stddef.h>
#include <stdint.h>

struct interop_message {
	const char *block, *name;
	const uint8_t *initiator_id; size_t initiator_id_len;
	const uint8_t *responder_id; size_t responder_id_len;
	const uint8_t *kpak; size_t kpak_len;
	const uint8_t *z; size_t z_len;
	const uint8_t *responder_rsk; size_t responder_rsk_len;
	const uint8_t *initiator_pvt; size_t initiator_pvt_len;
	const uint8_t *imessage; size_t imessage_len;
	size_t signed_offset, signed_len;
	int signed_with_sign_header;
	size_t sign_payload_offset;
	const uint8_t *signature; size_t signature_len;
	const uint8_t *sakke_data; size_t sakke_data_len;
	uint8_t sakke_params, sakke_id_scheme;
	const uint8_t *ssv; size_t ssv_len;
	const uint8_t *rand; size_t rand_len;
	uint32_t csb_id;
	uint8_t prf_func;
	uint64_t ntp_time;
	int initiator_pvt_signed;
};

struct interop_unverified_message {
	const char *name;
	const uint8_t *imessage; size_t imessage_len;
};

struct interop_key_set {
	const char *block, *user;
	const uint8_t *uid; size_t uid_len;
	const uint8_t *rsk; size_t rsk_len;
	const uint8_t *ssk; size_t ssk_len;
	const uint8_t *pvt; size_t pvt_len;
	const uint8_t *kpak; size_t kpak_len;
	const uint8_t *z; size_t z_len;
	int expect_valid;
};

struct interop_uid_vector {
	const char *uri, *kms_uri;
	uint64_t key_period, key_offset, key_period_no;
	const uint8_t *uid; size_t uid_len;
};

struct interop_kdf_vector {
	const char *set;
	const uint8_t *ssv; size_t ssv_len;
	const uint8_t *rand; size_t rand_len;
	uint32_t csb_id;
	uint8_t cs_id;
	struct { const char *kind; unsigned bits; } derive[2];
	const uint8_t *expected; size_t expected_len;
};

struct interop_guk_id_vector {
	const char *uri;
	const uint8_t *gmk; size_t gmk_len;
	uint32_t gmk_id, expected_guk_id;
};

struct interop_dpck_vector {
	const uint8_t *gmk; size_t gmk_len;
	uint32_t dppk_id;
	const uint8_t *expected; size_t expected_len;
};

#define INTEROP_COUNT(a) (sizeof(a) / sizeof((a)[0]))
"""


def table(ctype, name, rows):
    return "static const struct %s %s[] = {\n%s\n};\n" % (ctype, name, "\n".join(rows))


def main():
    out_path = OUT_PATH
    if len(sys.argv) == 3 and sys.argv[1] == "--output":
        out_path = sys.argv[2]
    elif len(sys.argv) != 1:
        sys.exit("usage: gen_interop.py [--output FILE]")
    doc = json.load(open(JSON_PATH, encoding="utf-8"))
    w = Writer()
    try:
        tables = [
            table("interop_message", "interop_messages", gen_messages(w, doc)),
            table("interop_unverified_message", "interop_unverified_messages",
                  gen_unverified(w, doc)),
            table("interop_key_set", "interop_key_sets", gen_key_sets(w, doc)),
            table("interop_uid_vector", "interop_uid_vectors", gen_md_uids(w)),
            table("interop_uid_vector", "interop_user_uids", gen_user_uids(w, doc)),
            table("interop_kdf_vector", "interop_kdf_vectors", gen_kdf(w, doc)),
            table("interop_guk_id_vector", "interop_guk_id_vectors", gen_guk(w, doc)),
            table("interop_dpck_vector", "interop_dpck_vectors", gen_dpck(w, doc)),
        ]
    except (ParseError, KeyError, ValueError) as e:
        sys.exit("gen_interop: %s" % e)
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(HEAD + "\n" + w.render_arrays() + "\n\n" + "\n".join(tables) + "\n#endif\n")


if __name__ == "__main__":
    main()
