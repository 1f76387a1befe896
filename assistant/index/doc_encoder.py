"""Embed (documents): each distinct text once, on the fastest path that matches fp32 MiniLM.

A fast path (bf16 autocast on CPUs that compute bf16 natively; int8 ONNX only when asked for,
as it moves `prep eval` figures) is checked at index time against sentence-transformers fp32 on a
sample of the texts being indexed: every sampled text's vector must have cosine >=
`embed_check_cosine` with the fp32 one, or the next path is tried, down to the fp32 ONNX query
encoder (itself checked to 1e-4) and sentence-transformers fp32.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.settings import Settings

Encode = Callable[[list[str]], np.ndarray]
AUTO = ("bf16",)  # the fast paths `auto` tries, each only where the CPU has the units


@dataclass
class Check:
    """One path's vectors against sentence-transformers fp32 on the sample."""

    path: str
    texts: int
    min_cosine: float
    mean_cosine: float
    passed: bool
    note: str = ""

    def describe(self) -> str:
        """One line: path, sample size, cosines, verdict."""
        if self.note:
            return f"{self.path}: {self.note}"
        verdict = "used" if self.passed else "failed, not used"
        return (
            f"{self.path}: cosine with fp32 on {self.texts} texts min {self.min_cosine:.4f}, "
            f"mean {self.mean_cosine:.4f} ({verdict})"
        )


def cpu_flags() -> set[str]:
    """The CPU's feature flags (Linux /proc/cpuinfo; empty elsewhere)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def supported(path: str, flags: set[str]) -> bool:
    """Whether the CPU computes a path's number format natively (else it is slower, not faster)."""
    if path == "bf16":
        return bool(flags & {"avx512_bf16", "amx_bf16"})
    if path == "int8":
        return bool(flags & {"avx512_vnni", "avx_vnni", "amx_int8", "avx2"})
    return True


def unique_texts(texts: list[str]) -> tuple[list[str], list[int]]:
    """The distinct texts in first-seen order, and each input's row among them."""
    rows: dict[str, int] = {}
    where = [rows.setdefault(t, len(rows)) for t in texts]
    return list(rows), where


def sample(texts: list[str], n: int) -> list[str]:
    """Up to n texts spread evenly from the shortest to the longest."""
    ranked = sorted(set(texts), key=lambda t: (len(t), t))
    if len(ranked) <= n:
        return ranked
    step = (len(ranked) - 1) / max(1, n - 1)
    return [ranked[round(i * step)] for i in range(n)]


def length_batches(lengths: list[int], batch_size: int) -> list[list[int]]:
    """Row indices grouped into batches of similar length (shortest first), so padding is small."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    return [order[i : i + batch_size] for i in range(0, len(order), max(1, batch_size))]


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, as float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def threads(settings: Settings) -> int:
    """Intra-op threads: the setting, else every core this process may use."""
    if settings.embed_threads:
        return settings.embed_threads
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class OnnxRunner:
    """Runs an ONNX export of MiniLM on token ids: length-bucketed batches, mean pooling."""

    def __init__(self, onnx_path: Path, model_path: str, window: int, n_threads: int):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.log_severity_level = 3
        options.intra_op_num_threads = n_threads
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(
            str(onnx_path), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.from_file(str(Path(model_path) / "tokenizer.json"))
        self.tokenizer.enable_truncation(window)
        self.tokenizer.no_padding()

    def __call__(self, texts: list[str], batch_size: int) -> np.ndarray:
        """Unit vectors for texts, in their order; each text is tokenised once."""
        ids = [e.ids for e in self.tokenizer.encode_batch(texts)]
        out = np.zeros((len(texts), 0), dtype=np.float32)
        for rows in length_batches([len(i) for i in ids], batch_size):
            width = max(len(ids[r]) for r in rows)
            batch = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros_like(batch)
            for n, r in enumerate(rows):
                batch[n, : len(ids[r])] = ids[r]
                mask[n, : len(ids[r])] = 1
            feed = {"input_ids": batch, "attention_mask": mask, "token_type_ids": batch * 0}
            hidden = self.session.run(None, feed)[0]
            pooled = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
            if out.shape[1] == 0:
                out = np.zeros((len(texts), pooled.shape[1]), dtype=np.float32)
            out[rows] = unit_rows(pooled)
        return out


def _bf16_encoder(model: Any, batch_size: int) -> Encode:
    """The fp32 model run under bf16 autocast: matrix products in bf16, norms and sums in fp32."""

    def encode(texts: list[str]) -> np.ndarray:
        import torch

        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
            vecs = model.encode(
                texts, batch_size=batch_size, convert_to_tensor=True, show_progress_bar=False
            )
        return unit_rows(vecs.float().numpy())

    return encode


class DocumentEmbedder:
    """Index-time embedder: picks and checks its path on the first texts, then dedupes and batches."""

    def __init__(self, settings: Settings, reference: Embeddings):
        self.settings, self.reference = settings, reference
        self.checks: list[Check] = []
        self.path = ""
        self._encode: Encode | None = None

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit vectors (float32 rows) for texts; identical texts are embedded once."""
        distinct, where = unique_texts(list(texts))
        if not distinct:
            return np.zeros((0, 0), dtype=np.float32)
        if self._encode is None:
            self._encode = self._choose(distinct)
        return self._encode(distinct)[where]

    def describe(self) -> str:
        """The path used and what its check measured."""
        passed = [c for c in self.checks if c.passed]
        if passed:
            return passed[-1].describe()
        return self.path or "not used yet"

    # --- choosing a path ------------------------------------------------------------------
    def _choose(self, texts: list[str]) -> Encode:
        from assistant.index.embeddings import MiniLMEmbeddings

        plain = self._plain()
        if not isinstance(self.reference, MiniLMEmbeddings):  # a stand-in (tests): use it as is
            self.path = "reference embedder"
            return plain
        wanted = self.settings.embed_path
        fast = list(AUTO) if wanted == "auto" else [wanted]
        order = [p for p in fast if p != "fp32"] + ["fp32"]
        probe = sample(texts, self.settings.embed_check_sample)
        truth = unit_rows(np.asarray(self.reference.embed_documents(probe)))
        flags = cpu_flags()
        for path in order:
            if wanted == "auto" and not supported(path, flags):
                self.checks.append(Check(path, 0, 0.0, 0.0, False, "the CPU lacks the units"))
                continue
            try:
                encode = self._build(path)
                got = encode(probe)
            except Exception as exc:  # noqa: BLE001  (no ONNX export, an old onnxruntime: next)
                self.checks.append(Check(path, 0, 0.0, 0.0, False, type(exc).__name__))
                continue
            cos = (got * truth).sum(axis=1)
            ok = bool(cos.min() >= self.settings.embed_check_cosine)
            self.checks.append(Check(path, len(probe), float(cos.min()), float(cos.mean()), ok))
            if ok:
                self.path = path
                return encode
        self.path = "sentence-transformers fp32"
        self.checks.append(Check(self.path, len(probe), 1.0, 1.0, True, "the reference itself"))
        return plain

    def _plain(self) -> Encode:
        return lambda texts: unit_rows(np.asarray(self.reference.embed_documents(texts)))

    def _build(self, path: str) -> Encode:
        s = self.settings
        batch = s.embed_batch_size
        if path == "bf16":
            return _bf16_encoder(getattr(self.reference, "model"), batch)
        onnx = self._onnx_file(path)
        runner = OnnxRunner(onnx, str(s.resolved_model_path()), s.embed_window, threads(s))
        return lambda texts: runner(texts, batch)

    def _onnx_file(self, path: str) -> Path:
        from assistant.index.onnx_encoder import (
            export_query_encoder,
            quantized_encoder,
            verified_encoder,
        )

        model = getattr(self.reference, "model", None)
        fp32 = verified_encoder(self.settings)
        if fp32 is None:
            export_query_encoder(self.settings, model)
            fp32 = verified_encoder(self.settings)
        if fp32 is None:
            raise FileNotFoundError("no checked ONNX export")
        return fp32 if path == "fp32" else quantized_encoder(self.settings, fp32)
