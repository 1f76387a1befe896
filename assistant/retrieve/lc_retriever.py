"""The hybrid search as a LangChain retriever (for chains; a plain question does not need it)."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from assistant.retrieve.hybrid import HybridSearch


class HybridRetriever(BaseRetriever, HybridSearch):
    """Dense + BM25 hybrid retriever over the active index, with an optional company filter."""

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        k: int | None = None,
        company: str | None = None,
        **_: Any,
    ) -> list[Document]:
        return self.search(query, k, company)
