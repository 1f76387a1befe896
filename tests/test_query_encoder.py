"""The ONNX query encoder: checked at index time, same vectors whether preloaded or not."""

from __future__ import annotations

import pytest

from assistant.app.service import Assistant
from assistant.index.embeddings import MiniLMEmbeddings, dot
from assistant.index.onnx_encoder import OnnxEmbeddings, verified_encoder
from assistant.settings import Settings

pytestmark = pytest.mark.model

TEXTS = ["spotify london pay for a senior engineer", "How many onsite rounds are there?"]


def test_index_exports_a_checked_encoder(seeded_index: Settings) -> None:
    assert verified_encoder(seeded_index) is not None


def test_preloaded_encoder_gives_the_vectors_of_a_plain_load(seeded_index: Settings) -> None:
    onnx = verified_encoder(seeded_index)
    assert onnx is not None
    model = str(seeded_index.resolved_model_path())
    plain = OnnxEmbeddings(onnx_path=str(onnx), model_path=model).embed_documents(TEXTS)
    early = OnnxEmbeddings(onnx_path=str(onnx), model_path=model)
    early.preload()
    early.preload()  # a second call neither starts a second load nor fails
    assert early.embed_documents(TEXTS) == plain
    torch_vectors = MiniLMEmbeddings(model_path=model).embed_documents(TEXTS)
    assert min(dot(a, b) for a, b in zip(plain, torch_vectors, strict=True)) > 0.9999


def test_warm_up_preloads_the_query_encoder(seeded_index: Settings) -> None:
    assistant = Assistant(seeded_index)
    assistant.warm_up()
    assert isinstance(assistant.embedder, OnnxEmbeddings)
    assert assistant.embedder._loader is not None
    # a process that exits at once (a bad --company) waits for the load instead of killing
    # onnxruntime mid-build, which aborted with "terminate called without an active exception"
    assert not assistant.embedder._loader.daemon
    assert assistant.ask(TEXTS[0]).sentences


def test_warm_up_without_an_index_does_nothing(tmp_path: object) -> None:
    settings = Settings(index_dir=tmp_path / "none")  # type: ignore[operator]
    assistant = Assistant(settings)
    assistant.warm_up()
    assert "embedder" not in vars(assistant)  # nothing loaded, nothing built
