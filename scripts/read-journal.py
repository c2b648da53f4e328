#!/usr/bin/env python3
"""An independent reader for SealedJournal format version 1, written from FORMAT.md alone.

It shares no code with the Swift library: Ed25519 and X25519 from `cryptography`,
XChaCha20-Poly1305 from `pycryptodome`, Argon2id from `argon2-cffi`, BLAKE2b and SHA-256
from Python's hashlib.

    pip install cryptography pycryptodome argon2-cffi
    python3 scripts/read-journal.py JOURNAL --passphrase P      # print records, verify everything
    python3 scripts/read-journal.py --check-vectors             # check Tests/.../Vectors/format-v1.*
    python3 scripts/read-journal.py --markdown                  # hex dumps for FORMAT.md's worked example
"""
import argparse, base64, hashlib, json, os, struct, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.exceptions import InvalidSignature
from Crypto.Cipher import ChaCha20_Poly1305
import argon2.low_level as a2

MAGIC = b"SJOURNAL"
COPY = 4096
FRAMES = 8192
SIGNED = COPY - 64
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class FormatError(Exception):
    pass


def ed25519_ok(public_key, signature, message):
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
        return True
    except InvalidSignature:
        return False


def xchacha_open(key, sealed, aad):
    nonce, body, tag = sealed[:24], sealed[24:-16], sealed[-16:]
    cipher = ChaCha20_Poly1305.new(key=key, nonce=nonce)
    cipher.update(aad)
    return cipher.decrypt_and_verify(body, tag)


def kdf(master, subkey_id, context, length=32):
    # crypto_kdf_derive_from_key: keyed BLAKE2b, salt = LE64(id) || 0^8, personal = context || 0^8
    return hashlib.blake2b(b"", key=master, salt=struct.pack("<Q", subkey_id) + bytes(8),
                           person=context + bytes(8), digest_size=length).digest()


def parse_header_copy(copy):
    if copy[:8] != MAGIC:
        raise FormatError("bad magic")
    version, flags, used, sequence = struct.unpack_from("<HHIQ", copy, 8)
    if version != 1:
        raise FormatError(f"unsupported version {version}")
    journal_id, public_key = copy[24:40], copy[40:72]
    if not ed25519_ok(public_key, copy[SIGNED:], copy[:SIGNED]):
        raise FormatError("header signature")
    if any(copy[used:SIGNED]) or flags != 0:
        raise FormatError("header padding or flags")
    count, pos, slots = copy[72], 73, []
    for _ in range(count):
        slot_type, length = copy[pos], struct.unpack_from("<H", copy, pos + 1)[0]
        body = copy[pos + 3:pos + 3 + length]
        pos += 3 + length
        if slot_type == 1:
            ops, mem = struct.unpack_from("<QQ", body, 0)
            slots.append({"type": 1, "ops": ops, "mem": mem, "salt": body[16:32], "params": body[:32], "wrapped": body[32:]})
        elif slot_type == 2:
            slots.append({"type": 2, "params": b"", "wrapped": body})
    if pos != used:
        raise FormatError("header length")
    return {"sequence": sequence, "journal_id": journal_id, "public_key": public_key, "slots": slots}


def read_header(data):
    copies = []
    for i in range(2):
        try:
            copies.append(parse_header_copy(data[i * COPY:(i + 1) * COPY]))
        except (FormatError, ValueError, struct.error):
            copies.append(None)
    valid = [c for c in copies if c]
    if not valid:
        raise FormatError("no intact header copy")
    return max(valid, key=lambda c: c["sequence"]), copies


def slot_aad(header, slot):
    return b"SJ-keyslot-v1" + header["journal_id"] + bytes([slot["type"]]) + slot["params"]


def unlock_passphrase(header, passphrase):
    for slot in header["slots"]:
        if slot["type"] != 1:
            continue
        key = a2.hash_secret_raw(passphrase, slot["salt"], time_cost=slot["ops"], memory_cost=slot["mem"] // 1024,
                                 parallelism=1, hash_len=32, type=a2.Type.ID)
        return xchacha_open(key, slot["wrapped"], slot_aad(header, slot))
    raise FormatError("no passphrase slot")


def decode_recovery_key(text):
    values = []
    for c in text.upper():
        if c in "- \t\n":
            continue
        c = {"I": "1", "L": "1", "O": "0"}.get(c, c)
        values.append(ALPHABET.index(c))
    bits = "".join(format(v, "05b") for v in values)
    raw = bytes(int(bits[i:i + 8], 2) for i in range(0, 34 * 8, 8))
    key, check = raw[:32], raw[32:]
    if hashlib.blake2b(b"SJrecovery-check", key=key, digest_size=16).digest()[:2] != check:
        raise FormatError("recovery key checksum")
    return key


def unlock_recovery(header, recovery_key):
    wrapping = kdf(recovery_key, 1, b"SJrecovr")
    for slot in header["slots"]:
        if slot["type"] == 2:
            return xchacha_open(wrapping, slot["wrapped"], slot_aad(header, slot))
    raise FormatError("no recovery slot")


def leaf_hash(frame):
    return hashlib.sha256(b"\x00" + frame).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(leaves):
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(merkle_root(leaves[:k]), merkle_root(leaves[k:]))


def frames(data):
    pos = FRAMES
    while pos < len(data):
        if pos + 5 > len(data):
            raise FormatError(f"torn frame at {pos}")
        length, kind = struct.unpack_from("<IB", data, pos)
        end = pos + 5 + length + 4
        if end > len(data) or struct.unpack_from("<I", data, end - 4)[0] != length:
            raise FormatError(f"bad frame at {pos}")
        yield pos, kind, data[pos:end], data[pos + 5:end - 4]
        pos = end


def parse_checkpoint_frame(body):
    size, offset, previous, count = struct.unpack_from("<QQQB", body, 0)
    pos = 25
    compact = [body[pos + 32 * i:pos + 32 * (i + 1)] for i in range(count)]
    pos += 32 * count
    note_length = struct.unpack_from("<H", body, pos)[0]
    note = body[pos + 2:pos + 2 + note_length].decode()
    return size, offset, previous, compact, note


def verify_note(note, public_key, journal_id):
    text, _, signatures = note.rpartition("\n\n")
    body = text + "\n"
    origin, size, root = text.split("\n")
    assert origin == "sealed-journal/" + journal_id.hex()
    key_id = hashlib.sha256(origin.encode() + b"\n\x01" + public_key).digest()[:4]
    dash, name, blob = signatures.rstrip("\n").split(" ")
    blob = base64.b64decode(blob)
    if dash != "\u2014" or name != origin or blob[:4] != key_id or not ed25519_ok(public_key, blob[4:], body.encode()):
        raise FormatError("checkpoint signature")
    return int(size), base64.b64decode(root)


def decode_record(plaintext):
    # unpad: strip trailing zeros, then the 0x80 marker
    stripped = plaintext.rstrip(b"\x00")
    if not stripped.endswith(b"\x80"):
        raise FormatError("padding")
    body = stripped[:-1]
    version, kind_length = body[0], body[1]
    kind = body[2:2 + kind_length].decode()
    recorded_at, payload_length = struct.unpack_from("<qI", body, 2 + kind_length)
    payload = body[14 + kind_length:14 + kind_length + payload_length]
    assert version == 1 and len(body) == 14 + kind_length + payload_length
    return kind, recorded_at, payload.decode()


def read(data, master=None):
    header, copies = read_header(data)
    leaves, records, checkpoints, previous_offset = [], [], [], 0
    for offset, kind, frame, body in frames(data):
        if kind == 1:
            sequence = len(leaves)
            leaves.append(leaf_hash(frame))
            if master is not None:
                aad = header["journal_id"] + struct.pack("<QBH", sequence, 1, 1)
                plaintext = xchacha_open(kdf(master, sequence, b"SJrecord"), body, aad)
                records.append((sequence, offset) + decode_record(plaintext))
        elif kind == 2:
            size, own, previous, compact, note = parse_checkpoint_frame(body)
            signed_size, root = verify_note(note, header["public_key"], header["journal_id"])
            assert own == offset and previous == previous_offset and size == signed_size == len(leaves)
            assert root == merkle_root(leaves), "checkpoint root"
            fold = compact[-1] if compact else hashlib.sha256(b"").digest()
            for h in reversed(compact[:-1]):
                fold = node_hash(h, fold)
            assert fold == root, "compact range"
            checkpoints.append((offset, size, note))
            previous_offset = offset
        else:
            raise FormatError(f"unknown frame kind {kind}")
    assert checkpoints and checkpoints[-1][1] == len(leaves), "records after the last checkpoint"
    return header, copies, records, checkpoints


def verify_inclusion(index, size, leaf, proof, root):
    # RFC 9162 section 2.1.3.2
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(m, n, old_root, new_root, proof):
    # RFC 9162 section 2.1.4.2 (0 < m < n)
    if m & (m - 1) == 0:
        proof = [old_root] + proof
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


def check_bundle(path, expected_records):
    bundle = json.load(open(path))
    assert bundle["format"] == "sealed-journal-audit-bundle" and bundle["version"] == 1
    public_key, journal_id = base64.b64decode(bundle["publicKey"]), bytes.fromhex(bundle["journalID"])
    size, root = verify_note(bundle["checkpoint"], public_key, journal_id)
    old_size, old_root = verify_note(bundle["consistency"]["fromCheckpoint"], public_key, journal_id)
    proof = [base64.b64decode(h) for h in bundle["consistency"]["proof"]]
    assert verify_consistency(old_size, size, old_root, root, proof), "consistency proof"
    opened = []
    for r in bundle["records"]:
        frame = base64.b64decode(r["frame"])
        proof = [base64.b64decode(h) for h in r["inclusionProof"]]
        assert verify_inclusion(r["sequence"], size, leaf_hash(frame), proof, root), "inclusion proof"
        aad = journal_id + struct.pack("<QBH", r["sequence"], 1, 1)
        kind, recorded_at, payload = decode_record(xchacha_open(base64.b64decode(r["recordKey"]), frame[5:-4], aad))
        want = expected_records[r["sequence"]]
        assert (kind, recorded_at, payload) == (want["kind"], want["recordedAtMilliseconds"], want["payload"])
        opened.append(r["sequence"])
    return size, old_size, opened


def hex_dump(data):
    return "\n".join(f"{i:04x}  " + " ".join(f"{b:02x}" for b in data[i:i + 16]) for i in range(0, len(data), 16))


def main():
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "SealedJournalTests", "Vectors")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("journal", nargs="?")
    parser.add_argument("--passphrase")
    parser.add_argument("--check-vectors", action="store_true")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    if args.check_vectors or args.markdown:
        data = open(os.path.join(here, "format-v1.sjournal"), "rb").read()
        expected = json.load(open(os.path.join(here, "format-v1.json")))
        header, _, _, _ = read(data)
        master = unlock_passphrase(header, expected["passphrase"].encode())
        assert master.hex() == expected["masterKey"], "master key from the passphrase slot"
        assert unlock_recovery(header, decode_recovery_key(expected["recoveryKey"])) == master, "recovery slot"
        header, copies, records, checkpoints = read(data, master)
        assert header["journal_id"].hex() == expected["journalID"] and header["public_key"].hex() == expected["publicKey"]
        for (seq, offset, kind, recorded_at, payload), want in zip(records, expected["records"]):
            assert (seq, offset, kind, recorded_at, payload) == (want["sequence"], want["offset"], want["kind"],
                                                                want["recordedAtMilliseconds"], want["payload"]), want
            assert kdf(master, seq, b"SJrecord").hex() == want["recordKey"]
        assert len(records) == len(expected["records"]) and [c[2] for c in checkpoints] == [c["text"] for c in expected["checkpoints"]]
        fingerprint = hashlib.sha256(header["public_key"]).hexdigest()[:32]
        assert ":".join(fingerprint[i:i + 4] for i in range(0, 32, 4)) == expected["fingerprint"]
        if args.markdown:
            first_record = bytes.fromhex(expected["records"][0]["frame"])
            print("Header copy 1, first 128 bytes:\n\n```\n" + hex_dump(data[:128]) + "\n```\n")
            print("Record 0 frame:\n\n```\n" + hex_dump(first_record) + "\n```\n")
            print("Checkpoint after record 0 (note text):\n\n```\n" + expected["checkpoints"][1]["text"] + "```")
        else:
            size, old_size, opened = check_bundle(os.path.join(here, "audit-bundle-v1.json"), expected["records"])
            print(f"independent reader: audit-bundle-v1 OK (checkpoint of {size}, consistency from {old_size}, records {opened} opened and proven)")
            print(f"independent reader: format-v1 vectors OK ({len(records)} records, {len(checkpoints)} checkpoints, "
                  f"passphrase and recovery slots, Merkle roots, signatures)")
        return
    data = open(args.journal, "rb").read()
    header, copies = read_header(data)
    master = unlock_passphrase(header, args.passphrase.encode()) if args.passphrase else None
    _, copies, records, checkpoints = read(data, master)
    print(f"journal {header['journal_id'].hex()}: {len(checkpoints)} checkpoints verified, header copies intact: "
          f"{sum(1 for c in copies if c)}/2")
    for seq, offset, kind, recorded_at, payload in records:
        print(f"#{seq} {kind} @{recorded_at} {payload}")


if __name__ == "__main__":
    main()
