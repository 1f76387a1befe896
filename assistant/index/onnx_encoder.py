"""Embed (queries): MiniLM exported to ONNX once at index time, run with onnxruntime.

Importing torch and sentence-transformers costs seconds; a question needs one forward pass.
The export is checked against sentence-transformers before it is used (cosine within 1e-4).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings
from pydantic import BaseModel, ConfigDict, PrivateAttr

from assistant.settings import Settings

TOLERANCE = 1e-4
PROBES = [
    "What does a principal data analyst earn in total?",
    "How many onsite interview rounds are there?",
    "London — Base Salary: £150K–£200K; Stock (RSU/4yr): £180K–£320K",
    "culture " * 200,  # long enough to hit the 256-token window
]


def encoder_paths(settings: Settings) -> tuple[Path, Path]:
    """The ONNX file for the configured model and its parity record, inside the index folder."""
    from assistant.index.embeddings import model_fingerprint

    fp = model_fingerprint(settings.resolved_model_path())
    folder = settings.index_dir / "encoder"
    return folder / f"minilm-{fp}.onnx", folder / f"minilm-{fp}.json"


def verified_encoder(settings: Settings) -> Path | None:
    """The ONNX query encoder if it exists and passed its parity check."""
    model, record = encoder_paths(settings)
    try:
        ok = json.loads(record.read_text(encoding="utf-8")).get("max_cosine_gap", 1.0)
    except (OSError, ValueError):
        return None
    return model if model.is_file() and ok <= TOLERANCE else None


def export_query_encoder(settings: Settings, st_model: Any) -> str:
    """Export, check and record the ONNX encoder; says what the queries will use."""
    from assistant.index.embeddings import dot

    model_file, record = encoder_paths(settings)
    model_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = model_file.with_suffix(f".tmp{os.getpid()}")
    try:
        _export(st_model, tmp)
        encoder = OnnxEmbeddings(onnx_path=str(tmp), model_path=str(settings.resolved_model_path()))
        ours = encoder.embed_documents(PROBES)
        theirs = st_model.encode(PROBES, normalize_embeddings=True, convert_to_numpy=True)
        gap = max(1.0 - dot(u, v.tolist()) for u, v in zip(ours, theirs, strict=True))
        if gap > TOLERANCE:
            tmp.unlink(missing_ok=True)
            return f"sentence-transformers (ONNX export differs by {gap:.2e})"
        os.replace(tmp, model_file)
        record.write_text(json.dumps({"max_cosine_gap": gap, "probes": len(PROBES)}), "utf-8")
        return "onnx"
    except Exception as exc:  # no onnx package, an exporter change: queries use torch instead
        tmp.unlink(missing_ok=True)
        return f"sentence-transformers (ONNX export failed: {type(exc).__name__})"


QUANTIZED = ("/intermediate/", "/self/query/", "/self/key/", "/self/value/")  # int8 MatMuls


def quantized_encoder(settings: Settings, fp32: Path) -> Path:
    """The int8 copy of a checked export (made once): weights per channel, activations per batch.

    Only the feed-forward's first layer and the query/key/value projections are quantised: the
    second layer reads GELU outputs whose outliers int8 cannot hold (quantising every MatMul put
    the worst of 1,810 synthetic texts at cosine 0.98 with fp32). Even so it moves `prep eval`
    figures, so `auto` never picks it; PREP_EMBED_PATH=int8 asks for it, still checked.
    """
    dest = fp32.with_suffix(".int8.onnx")
    if dest.is_file():
        return dest
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    names = [n.name for n in onnx.load(str(fp32), load_external_data=False).graph.node]
    chosen = [n for n in names if n.endswith("MatMul") and any(k in n for k in QUANTIZED)]
    tmp = dest.with_suffix(f".tmp{os.getpid()}")
    quiet = logging.getLogger()  # the quantiser's advice to pre-process goes to the root logger
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        quantize_dynamic(
            str(fp32),
            str(tmp),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
            nodes_to_quantize=chosen,
            extra_options={"MatMulConstBOnly": True},
        )
        os.replace(tmp, dest)
    finally:
        quiet.setLevel(level)
        tmp.unlink(missing_ok=True)
    return dest


def _export(st_model: Any, dest: Path) -> None:
    import warnings

    import torch

    bert = st_model[0].auto_model.eval()

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    ids = torch.ones((2, 8), dtype=torch.long)
    axes = {n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on shapes; parity is checked after
        torch.onnx.export(
            Encoder(),
            (ids, ids, torch.zeros_like(ids)),
            str(dest),
            dynamo=False,
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
        )


_LOCK = threading.Lock()


class OnnxEmbeddings(BaseModel, Embeddings):
    """LangChain embeddings: MiniLM's ONNX graph, mean pooling, unit vectors; no torch."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    onnx_path: str
    model_path: str  # for the tokenizer
    max_tokens: int = 256
    _session: Any = PrivateAttr(default=None)
    _tokenizer: Any = PrivateAttr(default=None)
    _loader: threading.Thread | None = PrivateAttr(default=None)

    def preload(self) -> None:
        """Start loading the session in a background thread; the first embedding waits for it.

        onnxruntime builds the session outside the GIL, so a cold `prep ask` opens the index
        meanwhile. numpy is imported here first: two threads importing it at once can fail.
        """
        import numpy  # noqa: F401

        with _LOCK:
            if self._session is not None or self._loader is not None:
                return
            # Not a daemon: a process that ends early (a bad --company) waits the few hundred
            # ms for the load to finish; killing onnxruntime mid-build aborted it ("terminate
            # called without an active exception").
            self._loader = threading.Thread(target=self._load_quietly, daemon=False)
            self._loader.start()

    def _load_quietly(self) -> None:
        """The background load; on failure the first embedding loads again and raises there."""
        try:
            self._load()
        except Exception:  # noqa: BLE001  (reported by the foreground load that follows)
            self._session = None

    def _load(self) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(Path(self.model_path) / "tokenizer.json"))
        tok.enable_truncation(self.max_tokens)
        tok.enable_padding()
        options = ort.SessionOptions()
        options.log_severity_level = 3
        self._session = ort.InferenceSession(
            self.onnx_path, options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = tok

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed texts in batches of 32."""
        import numpy as np

        if not texts:
            return []
        loader = self._loader
        if loader is not None:
            loader.join()
        with _LOCK:
            if self._session is None:
                self._load()
            out: list[list[float]] = []
            for i in range(0, len(texts), 32):
                enc = self._tokenizer.encode_batch(list(texts[i : i + 32]))
                ids = np.array([e.ids for e in enc], dtype=np.int64)
                mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
                feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": ids * 0}
                hidden = self._session.run(None, feed)[0]
                summed = (hidden * mask[..., None]).sum(axis=1)
                vecs = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
                vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
                out.extend(v.astype(float).tolist() for v in vecs)
            return out

    def embed_query(self, text: str) -> list[float]:
        """Embed one question."""
        return self.embed_documents([text])[0]
