"""The naive baseline the evals compare against: 800-character chunks, dense only, top sentence."""

from __future__ import annotations

import contextlib
from typing import Any

from langchain_core.documents import Document

from assistant.answer.citations import Answer, Citation, Sentence, Source
from assistant.index.embeddings import MiniLMEmbeddings
from assistant.ingest.documents import load_folder
from assistant.ingest.units import sentences
from assistant.settings import Settings

CHUNK_CHARS = 800


class Baseline:
    """Fixed-size chunks in an in-memory Chroma collection; answers with the best sentence."""

    def __init__(self, settings: Settings, embedder: MiniLMEmbeddings, k: int):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        self.embedder, self.k = embedder, k
        client: Any = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        name = "baseline-chunks"
        with contextlib.suppress(Exception):  # not there yet
            client.delete_collection(name)
        self.collection: Any = client.create_collection(
            name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )
        docs, _ = load_folder(settings.seeds_dir, settings.extensions)
        ids, texts, metas = [], [], []
        for doc in docs:
            for start in range(0, len(doc.text), CHUNK_CHARS):
                ids.append(f"{doc.name}::{start}")
                texts.append(doc.text[start : start + CHUNK_CHARS])
                metas.append({"source": doc.name, "start": start, "title": doc.title})
        self.collection.add(
            ids=ids, embeddings=embedder.embed_documents(texts), documents=texts, metadatas=metas
        )

    def __call__(self, question: str) -> tuple[list[Document], Answer]:
        """Retrieve k chunks by cosine; answer with the sentence of the top chunks closest to it."""
        got: Any = self.collection.query(
            query_embeddings=[self.embedder.embed_query(question)],
            n_results=self.k,
            include=["documents", "metadatas"],
        )
        docs = [
            Document(page_content=t, metadata=dict(m))
            for t, m in zip(got["documents"][0], got["metadatas"][0], strict=True)
        ]
        top = docs[0]
        units = sentences(top.page_content, int(top.metadata["start"])) or []
        if not units:
            return docs, Answer.refusal(question)
        qv = self.embedder.embed_query(question)
        vecs = self.embedder.embed_documents([u.text for u in units])
        best = max(
            range(len(units)), key=lambda i: sum(a * b for a, b in zip(qv, vecs[i], strict=True))
        )
        unit = units[best]
        file = str(top.metadata["source"])
        citation = Citation(
            marker=1,
            file=file,
            section="",
            start=unit.start,
            end=unit.end,
            score=0.0,
            chunk_id=f"{file}::{top.metadata['start']}",
            chunk_start=int(top.metadata["start"]),
            chunk_end=int(top.metadata["start"]) + len(top.page_content),
            passage=top.page_content,
        )
        answer = Answer(
            question=question,
            sentences=[Sentence(text=unit.text, citation=citation)],
            sources=[Source(marker=1, file=file, title=str(top.metadata["title"]))],
            engine="baseline",
        )
        return docs, answer
