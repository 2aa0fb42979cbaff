"""A model server already running on this machine, found without configuration (for `lc dev` / `lc chat`).

Many people who try a companion locally already run Ollama, LM Studio or llama.cpp's server. When no model
is configured, the local stack looks where those listen on 127.0.0.1 (all at once, 300 ms in all, once per
start), asks what models they serve (Ollama's ``/api/tags``, else the OpenAI-compatible ``/v1/models``),
and uses the first chat model of the first that answers, and an embedding model of the same server when
it serves one. ``LC_NO_LOCAL_MODEL=1`` keeps the offline responder; ``--model NAME`` picks another of the
server's models; ``OPENAI_BASE_URL`` another server altogether.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from loyal_companion.local.state import LocalStackError

BUDGET_S: Final = 0.3


@dataclass(frozen=True)
class Candidate:
    server: str
    port: int
    listing: str  # the path that lists its models


CANDIDATES: Final = (
    Candidate("Ollama", 11434, "/api/tags"),
    Candidate("LM Studio", 1234, "/v1/models"),
    Candidate("llama.cpp", 8080, "/v1/models"),
)
# Names that say a model makes vectors, not replies.
_EMBEDDING_WORDS: Final = ("embed", "minilm", "bge-", "e5-", "gte-", "nomic-bert")


@dataclass(frozen=True)
class LocalModel:
    server: str
    base_url: str  # OpenAI-compatible, ends in /v1
    model: str
    models: tuple[str, ...]  # every chat model it serves
    embeddings_model: str | None = None


def is_embedding(name: str, family: str = "") -> bool:
    lowered = f"{name} {family}".lower()
    return any(word in lowered for word in _EMBEDDING_WORDS) or family.lower() in ("bert", "nomic-bert")


def models_in(listing: Any) -> list[tuple[str, str]]:
    """(name, family) of each model in an Ollama ``/api/tags`` or OpenAI ``/v1/models`` answer."""
    if not isinstance(listing, dict):
        return []
    if isinstance(listing.get("models"), list):  # Ollama
        return [
            (str(m.get("name") or m.get("model")), str((m.get("details") or {}).get("family") or ""))
            for m in listing["models"]
            if isinstance(m, dict) and (m.get("name") or m.get("model"))
        ]
    if isinstance(listing.get("data"), list):  # OpenAI-compatible
        return [(str(m["id"]), "") for m in listing["data"] if isinstance(m, dict) and m.get("id")]
    return []


def discover(
    *,
    host: str = "127.0.0.1",
    candidates: Sequence[Candidate] | None = None,
    budget_s: float = BUDGET_S,
    prefer: str | None = None,
) -> LocalModel | None:
    """The first candidate (in their order) that answers within ``budget_s`` with a chat model; ``prefer``:
    a model name to use when that server serves it."""
    candidates = CANDIDATES if candidates is None else candidates
    answers: dict[int, list[tuple[str, str]]] = {}

    def probe(index: int, candidate: Candidate) -> None:
        url = f"http://{host}:{candidate.port}{candidate.listing}"
        try:
            with urllib.request.urlopen(url, timeout=budget_s) as response:  # noqa: S310 (loopback only)
                answers[index] = models_in(json.loads(response.read(1_000_000)))
        except (OSError, ValueError):
            return

    threads = [threading.Thread(target=probe, args=(i, c), daemon=True) for i, c in enumerate(candidates)]
    deadline = time.monotonic() + budget_s
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    for index, candidate in enumerate(candidates):
        served = answers.get(index) or []
        chat = [name for name, family in served if not is_embedding(name, family)]
        if not chat:
            continue
        embedding = next((name for name, family in served if is_embedding(name, family)), None)
        chosen = prefer if prefer in chat else chat[0]
        return LocalModel(
            candidate.server, f"http://{host}:{candidate.port}/v1", chosen, tuple(chat), embedding
        )
    return None


def check_model_server(base_url: str, api_key: str | None, timeout: float = 5.0) -> None:
    """Fail with a clear message when the model server does not answer or refuses the key."""
    request = urllib.request.Request(base_url.rstrip("/") + "/models")
    if api_key:
        request.add_header("Authorization", f"Bearer {api_key}")
    try:
        with urllib.request.urlopen(request, timeout=timeout):  # noqa: S310 - the operator's own URL
            return
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise LocalStackError(
                f"the model server at {base_url} refused the key (HTTP {exc.code}); check OPENAI_API_KEY"
            ) from None
        if exc.code == 404:
            return  # some compatible servers have no /models; the chat endpoint may still work
        raise LocalStackError(f"the model server at {base_url} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise LocalStackError(
            f"the model server at {base_url} does not answer ({reason}); start it, fix OPENAI_BASE_URL, "
            "or unset OPENAI_API_KEY and OPENAI_BASE_URL to use the offline responder"
        ) from None
