"""Embed: all-MiniLM-L6-v2 loaded from a local folder, never from a hub."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings
from pydantic import BaseModel, ConfigDict, PrivateAttr

_LOCK = threading.Lock()


def offline_env() -> None:
    """Make sure no library tries to reach a model hub."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


@lru_cache(maxsize=4)
def _load_model(path: str) -> Any:
    offline_env()
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(path, device="cpu", local_files_only=True)


@lru_cache(maxsize=4)
def window_counter(model_path: str) -> Callable[[str], int]:
    """Token count as the embedder sees it, special tokens included, without truncation."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(Path(model_path) / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    return lambda text: len(tok.encode(text).ids)


def model_fingerprint(model_path: Path) -> str:
    """A short id of the model's weights and config, recorded in the index."""
    h = hashlib.sha256()
    for name in ("config.json", "modules.json", "sentence_bert_config.json", "tokenizer.json"):
        f = model_path / name
        if f.exists():
            h.update(f.read_bytes())
    weights = model_path / "model.safetensors"
    if weights.exists():
        h.update(str(weights.stat().st_size).encode())
    return h.hexdigest()[:16]


class MiniLMEmbeddings(BaseModel, Embeddings):
    """LangChain embeddings over a local sentence-transformers model; vectors are unit length."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    batch_size: int = 64
    _model: Any = PrivateAttr(default=None)

    @property
    def model(self) -> Any:
        """The loaded model (loaded once per process and path)."""
        if self._model is None:
            self._model = _load_model(self.model_path)
        return self._model

    def _encode(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        with _LOCK:  # torch inference from several threads at once is slower, not faster
            vecs = self.model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return [[float(x) for x in v] for v in vecs]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages."""
        return self._encode(list(texts))

    def embed_query(self, text: str) -> list[float]:
        """Embed one question."""
        return self._encode([text])[0]


def dot(a: list[float], b: list[float]) -> float:
    """Dot product of two vectors (cosine for the unit vectors this module makes)."""
    return sum(x * y for x, y in zip(a, b, strict=False))
