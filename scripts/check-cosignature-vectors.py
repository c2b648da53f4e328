#!/usr/bin/env python3
"""Checks Tests/SealedJournalTests/Vectors/cosignature-v1.json independently of the Swift code.

Written from C2SP tlog-cosignature (Ed25519 cosignature/v1) with Python `cryptography`:
key id = SHA-256(name || 0x0A || 0x04 || public key)[:4]; signed message =
"cosignature/v1\\ntime <t>\\n" || checkpoint body; line = "— <name> base64(key id || u64be(t) || sig)".
Also checks the example line of the spec (key id 8d66cf3f, time 1679315147).
Usage: python3 scripts/check-cosignature-vectors.py
"""
import base64
import hashlib
import json
import pathlib
import struct
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

VECTORS = pathlib.Path(__file__).resolve().parent.parent / "Tests/SealedJournalTests/Vectors/cosignature-v1.json"


def key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + b"\x04" + public_key).digest()[:4]


def main() -> int:
    data = json.loads(VECTORS.read_text(encoding="utf-8"))
    name = data["witnessName"]
    seed = hashlib.sha256(b"SealedJournal cosignature vectors v1").digest()
    assert seed.hex() == data["seed"], "seed"
    private = Ed25519PrivateKey.from_private_bytes(seed)
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert public.hex() == data["publicKey"], "public key"
    kid = key_id(name, public)
    assert kid.hex() == data["keyID"], "key id"
    material = base64.b64encode(b"\x04" + public).decode()
    vkey = f"{name}+{kid.hex()}+{material}"
    assert vkey == data["verifierKey"], "verifier key"
    verifier = Ed25519PublicKey.from_public_bytes(public)
    for case in data["cases"]:
        timestamp = case["timestamp"]
        assert 0 <= timestamp <= 2**63 - 1
        message = b"cosignature/v1\ntime " + str(timestamp).encode() + b"\n" + case["checkpointBody"].encode()
        assert message == case["signedMessage"].encode(), "signed message"
        signature = private.sign(message)  # Ed25519 is deterministic: the same bytes as the Swift side
        line = "\u2014 " + name + " " + base64.b64encode(kid + struct.pack(">Q", timestamp) + signature).decode()
        assert line == case["line"], f"line for time {timestamp}"
        blob = base64.b64decode(case["line"].split(" ")[2])
        verifier.verify(blob[12:], message)
    spec = base64.b64decode("jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==")
    assert spec[:4].hex() == "8d66cf3f" and struct.unpack(">Q", spec[4:12])[0] == 1679315147, "spec example"
    print(f"cosignature-v1.json: {len(data['cases'])} cosignatures match an independent implementation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
