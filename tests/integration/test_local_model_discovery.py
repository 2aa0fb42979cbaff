"""A model server already running on this machine (Ollama, LM Studio, llama.cpp) is found by `lc dev` / `lc
chat` when no model is configured — against loopback stand-ins of both APIs."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from loyal_companion.local import discovery, stack
from loyal_companion.local.discovery import Candidate, discover

OLLAMA_TAGS = {
    "models": [
        {"name": "llama3.2:latest", "details": {"family": "llama"}},
        {"name": "nomic-embed-text:latest", "details": {"family": "nomic-bert"}},
        {"name": "qwen2.5:7b", "details": {"family": "qwen2"}},
    ]
}
OPENAI_MODELS = {"object": "list", "data": [{"id": "text-embedding-nomic"}, {"id": "mistral-7b-instruct"}]}


class StandIn:
    """A loopback server answering GET ``path`` with ``body`` (and 404 elsewhere)."""

    def __init__(self, path: str, body: dict[str, Any]) -> None:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                found = self.path == path
                payload = json.dumps(body if found else {"error": "not found"}).encode()
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                stand_in.asked.append(self.path)

            def log_message(self, *args: Any) -> None:
                pass

        self.asked: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def ollama() -> Iterator[StandIn]:
    server = StandIn("/api/tags", OLLAMA_TAGS)
    yield server
    server.stop()


@pytest.fixture
def lm_studio() -> Iterator[StandIn]:
    server = StandIn("/v1/models", OPENAI_MODELS)
    yield server
    server.stop()


def _nothing_listens() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again: nothing listens there


def test_an_ollama_server_is_found_with_its_chat_and_embedding_models(ollama: StandIn) -> None:
    found = discover(candidates=[Candidate("Ollama", ollama.port, "/api/tags")])
    assert found is not None
    assert (found.server, found.base_url) == ("Ollama", f"http://127.0.0.1:{ollama.port}/v1")
    assert found.model == "llama3.2:latest" and found.models == ("llama3.2:latest", "qwen2.5:7b")
    assert found.embeddings_model == "nomic-embed-text:latest"
    assert discover(
        candidates=[Candidate("Ollama", ollama.port, "/api/tags")], prefer="qwen2.5:7b"
    ).model == ("qwen2.5:7b")


def test_an_openai_compatible_server_is_found_when_the_first_is_not_there(lm_studio: StandIn) -> None:
    found = discover(
        candidates=[
            Candidate("Ollama", _nothing_listens(), "/api/tags"),
            Candidate("LM Studio", lm_studio.port, "/v1/models"),
        ]
    )
    assert found is not None and found.server == "LM Studio"
    assert (found.model, found.embeddings_model) == ("mistral-7b-instruct", "text-embedding-nomic")


def test_nothing_listening_means_the_offline_responder() -> None:
    assert discover(candidates=[Candidate("Ollama", _nothing_listens(), "/api/tags")]) is None


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "OPENAI_MODEL",
        "EMBEDDINGS_MODEL",
        "LC_NO_LOCAL_MODEL",
    ):
        monkeypatch.setenv(name, "x")  # so that monkeypatch puts back what was there
        monkeypatch.delenv(name)
    return monkeypatch


def test_the_local_stack_uses_it_and_says_how_to_choose_another(
    ollama: StandIn, clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import os

    from loyal_companion.config import clear_settings_cache

    clean_env.setattr(discovery, "CANDIDATES", (Candidate("Ollama", ollama.port, "/api/tags"),))
    local = stack.LocalStack(stack.DevOptions(check_model=False), state=tmp_path)
    local.found = local._local_model_server()
    clear_settings_cache()
    assert os.environ["OPENAI_BASE_URL"] == f"http://127.0.0.1:{ollama.port}/v1"
    assert os.environ["OPENAI_MODEL"] == "llama3.2:latest"
    assert os.environ["EMBEDDINGS_MODEL"] == "nomic-embed-text:latest"
    line = local._model_line()
    assert "llama3.2:latest on Ollama" in line and "found on this machine" in line
    assert "--model NAME" in line and "qwen2.5:7b" in line and "LC_NO_LOCAL_MODEL=1" in line
    clear_settings_cache()


def test_lc_no_local_model_keeps_the_offline_responder(
    ollama: StandIn, clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_env.setattr(discovery, "CANDIDATES", (Candidate("Ollama", ollama.port, "/api/tags"),))
    clean_env.setenv("LC_NO_LOCAL_MODEL", "1")
    assert stack.LocalStack(stack.DevOptions(), state=tmp_path)._local_model_server() is None
    assert ollama.asked == []  # not even asked


def test_a_model_the_server_does_not_serve_is_a_clear_error(
    ollama: StandIn, clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_env.setattr(discovery, "CANDIDATES", (Candidate("Ollama", ollama.port, "/api/tags"),))
    with pytest.raises(stack.LocalStackError, match="does not serve 'gpt-9'.*llama3.2:latest"):
        stack.LocalStack(stack.DevOptions(model="gpt-9"), state=tmp_path)._local_model_server()
