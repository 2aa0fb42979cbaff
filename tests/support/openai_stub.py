"""An OpenAI-compatible server on loopback, for tests: real HTTP, scripted chat answers, and embeddings.

The embeddings are a test stand-in, not a model: words are mapped to a few hand-written concepts (so that
"puppy" is near "dog" while sharing no word with it) and hashed into a fixed number of dimensions.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Scripted:
    status: int = 200
    text: str | None = None
    delay: float = 0.0
    body: Any = None  # raw JSON to send instead of a completion
    raw: bytes | None = None  # bytes to send as the 200 body (JSON or an event stream that is not)


@dataclass
class OpenAIStub:
    reply: Callable[[dict[str, Any]], str] = lambda request: "Here's to you. I'm listening."
    requests: list[dict[str, Any]] = field(default_factory=list)
    script: deque[Scripted] = field(default_factory=deque)
    # What structured-output requests (response_format json_schema) get back: ``analyse(request)`` when
    # set (a scripted reader of the request), else ``analysis``.
    analysis: dict[str, Any] = field(default_factory=lambda: {"facts": []})
    analyse: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # What /embeddings answers with: 200 (vectors), or an error status.
    embeddings_status: int = 200
    embedding_dimensions: int = 256
    # /moderations: None answers 404 as Ollama and vLLM do; else the categories it flags for a text.
    moderation: Callable[[str], set[str]] | None = None
    moderation_calls: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    @property
    def completions(self) -> int:
        """Chat replies asked for (structured readings of an exchange are counted apart)."""
        return len([r for r in self.requests if "messages" in r and "response_format" not in r])

    @property
    def last_chat(self) -> dict[str, Any]:
        return [r for r in self.requests if "messages" in r and "response_format" not in r][-1]

    @property
    def embedding_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if "input" in r]

    @property
    def structured_calls(self) -> int:
        return len([r for r in self.requests if "response_format" in r])

    def start(self) -> OpenAIStub:
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def then(self, *steps: Scripted) -> None:
        self.script.extend(steps)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; on a kept-alive connection Nagle would hold the body
            # until the client's delayed ACK (~40 ms on Linux loopback) without TCP_NODELAY.
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = json.loads(self.rfile.read(length) or b"{}")
                with stub._lock:
                    if self.path.rstrip("/").endswith("/moderations"):
                        self._moderations(request)
                        return
                    stub.requests.append(request)
                    if self.path.rstrip("/").endswith("/embeddings"):
                        self._embeddings(request)
                        return
                    if "response_format" in request:
                        answer = stub.analyse(request) if stub.analyse else stub.analysis
                        self._json(200, _completion(request, json.dumps(answer)))
                        return
                    step = stub.script.popleft() if stub.script else Scripted()
                if step.delay:
                    time.sleep(step.delay)
                if step.status != 200:
                    self._json(
                        step.status,
                        step.body or {"error": {"message": "scripted failure", "type": "server_error"}},
                    )
                    return
                if step.raw is not None:
                    kind = "text/event-stream" if request.get("stream") else "application/json"
                    self.send_response(200)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(step.raw)))
                    self.end_headers()
                    self.wfile.write(step.raw)
                    return
                if step.body is not None:
                    self._json(200, step.body)
                    return
                text = step.text if step.text is not None else stub.reply(request)
                if request.get("stream"):
                    self._stream(request, text)
                else:
                    self._json(200, _completion(request, text))

            def _moderations(self, request: dict[str, Any]) -> None:
                text = str(request.get("input") or "")
                stub.moderation_calls.append(text)
                if stub.moderation is None:
                    self._json(404, {"error": {"message": "404 page not found", "type": "not_found"}})
                    return
                flagged = stub.moderation(text)
                categories = {name: name in flagged for name in MODERATION_CATEGORIES}
                scores = {name: (0.95 if name in flagged else 0.01) for name in MODERATION_CATEGORIES}
                result = {
                    "flagged": bool(flagged),
                    "categories": categories,
                    "category_scores": scores,
                    "category_applied_input_types": {name: ["text"] for name in MODERATION_CATEGORIES},
                }
                self._json(200, {"id": "modr-stub", "model": request.get("model"), "results": [result]})

            def _embeddings(self, request: dict[str, Any]) -> None:
                if stub.embeddings_status != 200:
                    self._json(
                        stub.embeddings_status,
                        {"error": {"message": "scripted failure", "type": "server_error"}},
                    )
                    return
                texts = request["input"] if isinstance(request["input"], list) else [request["input"]]
                size = int(request.get("dimensions") or stub.embedding_dimensions)
                data = [
                    {"object": "embedding", "index": i, "embedding": concept_embedding(text, size)}
                    for i, text in enumerate(texts)
                ]
                usage = {"prompt_tokens": len(texts), "total_tokens": len(texts)}
                self._json(
                    200,
                    {"object": "list", "data": data, "model": request.get("model"), "usage": usage},
                )

            def _json(self, status: int, payload: Any) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, request: dict[str, Any], text: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                words = text.split(" ")
                for i, word in enumerate(words):
                    piece = word if i == 0 else " " + word
                    chunk = {
                        "id": "chatcmpl-stub",
                        "object": "chat.completion.chunk",
                        "created": 0,
                        "model": request.get("model", "stub"),
                        "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
                    }
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                usage = {
                    "id": "chatcmpl-stub",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": request.get("model", "stub"),
                    "choices": [],
                    "usage": {
                        "prompt_tokens": 50,
                        "completion_tokens": len(words),
                        "total_tokens": 50 + len(words),
                    },
                }
                self.wfile.write(f"data: {json.dumps(usage)}\n\ndata: [DONE]\n\n".encode())
                self.wfile.flush()
                self.close_connection = True

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler


MODERATION_CATEGORIES = (
    "harassment", "harassment/threatening", "hate", "hate/threatening", "illicit", "illicit/violent",
    "self-harm", "self-harm/intent", "self-harm/instructions", "sexual", "sexual/minors", "violence",
    "violence/graphic",
)  # fmt: skip


def _completion(request: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": 0,
        "model": request.get("model", "stub"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 50, "completion_tokens": 12, "total_tokens": 62},
    }


# Hand-written concepts: words in one group land on the same dimension.
_CONCEPTS = {
    "canine": ("dog", "dogs", "puppy", "puppies", "pup", "hound", "walkies"),
    "grandmother": ("grandmother", "grandma", "gran", "nan", "nana", "granny"),
    "music": ("music", "cello", "violin", "guitar", "piano", "song", "songs", "band", "concert"),
    "work": ("work", "job", "boss", "office", "career", "interview", "shift", "colleague", "colleagues"),
    "sea": ("sea", "ocean", "beach", "coast", "waves", "sailing", "surf"),
}
_WORD_TO_CONCEPT = {word: concept for concept, words in _CONCEPTS.items() for word in words}
_STOP = frozenset({"the", "and", "you", "they", "their", "them", "has", "have", "was", "with", "for", "who"})


def concept_embedding(text: str, dimensions: int) -> list[float]:
    vector = [0.0] * dimensions
    for word in re.findall(r"[a-z']+", text.lower()):
        if len(word) < 3 or word in _STOP:
            continue
        concept = _WORD_TO_CONCEPT.get(word)
        digest = hashlib.sha256((concept or word).encode()).digest()
        weight = 2.0 if concept else 1.0  # content words carry more meaning, as in real embeddings
        vector[int.from_bytes(digest[:4], "big") % dimensions] += weight if digest[4] % 2 else -weight
    norm = math.sqrt(sum(v * v for v in vector))
    if norm == 0:
        vector[0] = 1.0  # an all-zero vector has no direction; pgvector's cosine distance would be NaN
        return vector
    return [v / norm for v in vector]
