"""Ed25519 verification of Discord interaction requests, over the timestamp and the RAW body bytes.

The key is parsed once per container (``SignatureVerifier`` is built once and reused). We call PyNaCl
directly rather than ``discord_interactions.verify_key``, which rebuilds the key on every call and
prints the exception on failure.
"""

from __future__ import annotations

import binascii

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

SIGNATURE_HEADER = "x-signature-ed25519"
TIMESTAMP_HEADER = "x-signature-timestamp"
_SIGNATURE_BYTES = 64
_MAX_TIMESTAMP_CHARS = 32


class SignatureVerifier:
    def __init__(self, public_key_hex: str) -> None:
        self._key = VerifyKey(bytes.fromhex(public_key_hex))

    def verify(self, *, signature_hex: str | None, timestamp: str | None, body: bytes) -> bool:
        """True only for a well-formed signature by the application's key over timestamp + body."""
        if not signature_hex or not timestamp or len(timestamp) > _MAX_TIMESTAMP_CHARS:
            return False
        try:
            signature = binascii.unhexlify(signature_hex)
            message = timestamp.encode("ascii") + body
        except (binascii.Error, ValueError, UnicodeEncodeError):
            return False
        if len(signature) != _SIGNATURE_BYTES:
            return False
        try:
            self._key.verify(message, signature)
        except BadSignatureError:
            return False
        return True
