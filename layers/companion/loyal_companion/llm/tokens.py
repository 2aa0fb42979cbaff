"""Token counting for the prompt budget.

tiktoken fetches its encodings from the network on first use, which a Lambda cold start (or a machine
with no internet) should not depend on, so we estimate: about one token per four characters of English,
counted on UTF-8 bytes so that emoji and non-Latin scripts (several bytes, often several tokens) are not
under-counted, plus a few tokens of framing per message. The estimate errs high; a budget kept by it is
kept by the real tokenizer too.
"""

from __future__ import annotations

import math
from typing import Final

PER_MESSAGE_OVERHEAD: Final = 4
BYTES_PER_TOKEN: Final = 3.0


def count_tokens(text: str) -> int:
    if not text:
        return 0
    return math.ceil(len(text.encode("utf-8")) / BYTES_PER_TOKEN)


def message_tokens(text: str) -> int:
    return count_tokens(text) + PER_MESSAGE_OVERHEAD
