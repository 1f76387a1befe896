"""LangChain's standard integration tests for the retriever and the embeddings."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_tests.integration_tests import EmbeddingsIntegrationTests, RetrieversIntegrationTests

from assistant.index.embeddings import MiniLMEmbeddings
from assistant.index.store import IndexReader
from assistant.retrieve.lc_retriever import HybridRetriever
from assistant.retrieve.scoring import Cues
from assistant.settings import Settings

pytestmark = [pytest.mark.model, pytest.mark.anyio]


class TestHybridRetriever(RetrieversIntegrationTests):
    """The hybrid retriever over the session's real index."""

    settings: Settings | None = None

    @pytest.fixture(autouse=True)
    def _use_seeded_index(self, seeded_index: Settings) -> None:
        # The base class reads its parameters from properties, not fixtures: hand them over.
        type(self).settings = seeded_index

    @property
    def retriever_constructor(self) -> type[HybridRetriever]:
        return HybridRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        assert self.settings is not None
        s = self.settings
        return {
            "reader": IndexReader(s),
            "embedder": MiniLMEmbeddings(model_path=str(s.resolved_model_path())),
            **{knob: getattr(s, knob) for knob in ("k", "fetch_k", "rrf_k", "rerank_n")},
            **{knob: getattr(s, knob) for knob in ("dense_weight", "unknown_penalty")},
            "cues": Cues.from_settings(s),
        }

    @property
    def retriever_query_example(self) -> str:
        return "How many onsite interview rounds does Netflix have?"


class TestMiniLMEmbeddings(EmbeddingsIntegrationTests):
    """The local MiniLM embeddings."""

    @property
    def embeddings_class(self) -> type[MiniLMEmbeddings]:
        return MiniLMEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model_path": str(Settings().resolved_model_path())}
