"""The retrieval chain: question -> hybrid retriever -> answerer -> cited Answer.

The CLI and the web page call only this module.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from assistant.answer.citations import Answer
from assistant.app.study_facade import StudyFacade
from assistant.errors import BadQuestion, PrepError
from assistant.index.store import IndexReader, Manifest, StoredChunk
from assistant.ingest.documents import Document
from assistant.retrieve.question import abbreviations, clean_question, spelt_out
from assistant.settings import Settings
from assistant.textnorm import normalize

if TYPE_CHECKING:
    from pathlib import Path

    from assistant.answer.generate import Event
    from assistant.index.build import IndexReport
    from assistant.ingest.library import Added
    from assistant.retrieve.spelling import Correction
    from assistant.study.compare import Table
    from assistant.study.passages import Passage
    from assistant.study.rounds import Round

Notify = Callable[[str], None]


class Assistant(StudyFacade):
    """Answers questions from the index; builds the index on first use."""

    def __init__(self, settings: Settings, notify: Notify | None = None):
        self.settings = settings
        self.notify = notify or (lambda msg: None)
        self._reader: IndexReader | None = None
        self._stamp = 0
        self._reader_lock = threading.Lock()
        self._passages: tuple[IndexReader, list[Passage]] | None = None
        self._organisations: tuple[IndexReader, tuple[str, ...]] | None = None
        self._tables: dict[str, tuple[IndexReader, Table, list[StoredChunk]]] = {}
        self._rounds: tuple[IndexReader, list[Round]] | None = None
        self._companies: tuple[IndexReader, list[str]] | None = None

    def ensure_index(self) -> None:
        """Build the index if there is none yet."""
        if Manifest.load(self.settings.index_dir) is None:
            from assistant.index.build import build_index

            self.notify(f"No index in {self.settings.index_dir} yet: building it (first use)...")
            report = build_index(self.settings, notify=self.notify)
            self.notify(f"Indexed {report.files} files, {report.chunks} chunks.")

    @property
    def reader(self) -> IndexReader:
        """The active index; reopened when `prep index` switched to a new generation."""
        from assistant.index.store import MANIFEST

        if self._reader is None:
            self.ensure_index()
        try:
            stamp = (self.settings.index_dir / MANIFEST).stat().st_mtime_ns
        except OSError:
            stamp = 0
        if self._reader is None or stamp != self._stamp:
            with self._reader_lock:
                if self._reader is None or stamp != self._stamp:
                    self._reader, self._stamp = IndexReader(self.settings), stamp
        return self._reader

    @cached_property
    def embedder(self) -> Any:
        """The query embedder: the checked ONNX export (no torch import), else MiniLM on torch."""
        from assistant.index.onnx_encoder import OnnxEmbeddings, verified_encoder

        onnx = verified_encoder(self.settings) if self.settings.query_encoder == "onnx" else None
        if onnx is not None:
            return OnnxEmbeddings(
                onnx_path=str(onnx), model_path=str(self.settings.resolved_model_path())
            )
        from assistant.index.embeddings import MiniLMEmbeddings

        return MiniLMEmbeddings(
            model_path=str(self.settings.resolved_model_path()),
            batch_size=self.settings.embed_batch_size,
        )

    def warm_up(self) -> None:
        """Load the query encoder in the background while the index opens (no-op if no index)."""
        from assistant.index.store import MANIFEST

        if not (self.settings.index_dir / MANIFEST).is_file():
            return  # the first use builds the index; the encoder is exported then
        preload = getattr(self.embedder, "preload", None)
        if preload is not None:
            preload()

    def companies(self) -> list[str]:
        """Companies with documents in the index (their `company` metadata): the only ones known."""
        reader = self.reader
        if self._companies is None or self._companies[0] is not reader:
            files = reader.manifest.files.values()
            known = sorted({str(f.get("company")) for f in files if f.get("company")})
            self._companies = (reader, known)
        return list(self._companies[1])

    def organisations(self) -> tuple[str, ...]:
        """The index's companies and the employers its documents name ('Acme ML Engineer')."""
        from assistant.domain.companies import organisations

        reader = self.reader
        if self._organisations is None or self._organisations[0] is not reader:
            texts = [str(c.metadata.get("text", "")) for c in reader.all_chunks()]
            self._organisations = (reader, organisations(texts, self.companies()))
        return self._organisations[1]

    def examples(self, n: int | None = None) -> list[str]:
        """Example questions from the index (n: page_examples): companies' most covered sections."""
        from assistant.study.examples import example_questions

        s, chunks = self.settings, self.reader.all_chunks()
        n = s.page_examples if n is None else n
        metas = (c.metadata for c in chunks)
        return example_questions(metas, self.companies(), n, s.page_example_max_words)

    def retriever(
        self, k: int | None = None, company: str | None = None, langchain: bool = False
    ) -> Any:
        """The hybrid search over the active index (as a LangChain retriever if asked)."""
        from assistant.retrieve.hybrid import HybridSearch

        kind = HybridSearch
        if langchain:
            from assistant.retrieve.lc_retriever import HybridRetriever

            kind = HybridRetriever
        return kind.from_settings(
            self.settings,
            self.reader,
            self.embedder,
            k=k or self.settings.k,
            company=company,
            companies=self.organisations(),
        )

    def extractive(self, retriever: Any) -> Any:
        """The extractive answerer (the default engine, and the LLM's fallback)."""
        from assistant.answer.extractive import ExtractiveAnswerer

        return ExtractiveAnswerer(
            retriever=retriever,
            max_sentences=self.settings.max_sentences,
            min_score=self.settings.min_answer_score,
            relative=self.settings.answer_relative,
            min_new_terms=self.settings.answer_min_new_terms,
            same_vector=self.settings.answer_same_vector,
            same_words=self.settings.answer_same_words,
            companies=self.organisations(),
        )

    def answerer(self, retriever: Any) -> Any:
        """The configured answer engine: extractive, or an LLM checked against the passages."""
        extractive = self.extractive(retriever)
        if self.settings.llm == "extractive":
            return extractive
        from assistant.answer.generate import GenerativeAnswerer

        return GenerativeAnswerer(extractive=extractive, settings=self.settings, model=self._model)

    @cached_property
    def _model(self) -> Any:
        """The chat model shared by answers and follow-up rewrites (None without an LLM)."""
        if self.settings.llm == "extractive":
            return None
        from assistant.answer.llm import chat_model

        return chat_model(self.settings)

    def engine(self) -> str:
        """What answers: 'extractive' or 'openai gpt-4o-mini at http://…'."""
        if self.settings.llm == "extractive":
            return "extractive"
        from assistant.answer.llm import describe

        return describe(self.settings)

    def chain(self, k: int | None = None, company: str | None = None) -> Any:
        """question -> {question, documents, answer}, as one LangChain Runnable."""
        from langchain_core.runnables import RunnableLambda, RunnableParallel, RunnablePassthrough

        retriever = self.retriever(k, company, langchain=True)
        to_query: RunnableLambda[str, str] = RunnableLambda(normalize)
        answerer = self.answerer(retriever)
        if self.settings.llm == "extractive":  # a plain object: made a step of the chain here
            answerer = RunnableLambda(answerer.invoke, name="ExtractiveAnswerer")
        return RunnableParallel(
            question=RunnablePassthrough(), documents=to_query | retriever
        ) | RunnablePassthrough.assign(answer=answerer)

    def check_company(self, company: str | None) -> str | None:
        """The company filter, lower-cased; raises BadQuestion if no document has it."""
        if not company:
            return None
        company = company.strip().lower()
        known = self.companies()
        if company not in known:
            raise BadQuestion(
                f"no documents for company '{company}'; use one of: {', '.join(known) or '(none)'}"
            )
        return company

    def spelled(self, text: str) -> Correction:
        """The question with abbreviations the index lacks spelt out, misspelt words corrected."""
        from assistant.retrieve.spelling import speller_for

        s = self.settings
        speller = speller_for(self.reader, s)
        return speller.correct(spelt_out(text, speller.vocab), keep=abbreviations())

    def run(
        self, question: str, k: int | None = None, company: str | None = None
    ) -> tuple[list[Any], Answer]:
        """The retrieved chunks and the answer (raises BadQuestion for unusable input)."""
        text = clean_question(question, self.settings.max_question_chars)
        fixed = self.spelled(text)
        company = self.check_company(company)
        # The chain's steps called in turn: chain() would run them on a new thread pool each time.
        retriever = self.retriever(k, company)
        docs = retriever.search(normalize(fixed.text))
        state = {"question": fixed.text, "documents": docs}
        answer: Answer = self.answerer(retriever).invoke(state)
        if self.settings.llm == "extractive" and self.settings.comp_lead:
            answer = self.comp_lead(fixed.text, answer, company)
        if fixed.text != text:
            answer = answer.model_copy(update={"question": text, "searched_for": fixed.text})
        return docs, answer

    def ask(self, question: str, k: int | None = None, company: str | None = None) -> Answer:
        """Answer one question."""
        return self.run(question, k, company)[1]

    def events(
        self, question: str, k: int | None = None, company: str | None = None
    ) -> Iterator[Event]:
        """The answer as it is produced: LLM text deltas, then the checked Answer."""
        from assistant.answer.generate import Event

        if self.settings.llm == "extractive":  # nothing streams: the chain's answer, whole
            yield Event("answer", answer=self.ask(question, k, company))
            return
        text = clean_question(question, self.settings.max_question_chars)
        fixed = self.spelled(text)
        retriever = self.retriever(k, self.check_company(company))
        docs = retriever.search(normalize(fixed.text))
        for event in self.answerer(retriever).events({"question": fixed.text, "documents": docs}):
            if event.answer is not None and fixed.text != text:
                update = {"question": text, "searched_for": fixed.text}
                event = replace(event, answer=event.answer.model_copy(update=update))
            yield event

    def standalone(self, question: str, previous: list[str]) -> str:
        """The chat turn as a standalone question: the LLM rewrites it if one is configured."""
        from assistant.answer.followup import is_follow_up, rewrite, rewrite_with_llm

        text = clean_question(question, self.settings.max_question_chars)
        if self.settings.llm != "extractive" and previous and is_follow_up(text):
            try:
                return rewrite_with_llm(self._model, self.settings.prompts_dir, text, previous)
            except PrepError:
                raise
            except Exception:  # the rule-based rewrite is the fallback
                pass
        return rewrite(text, previous, self.organisations())

    def converse(
        self, question: str, previous: list[str], company: str | None = None
    ) -> tuple[str, Answer]:
        """Answer a chat turn: a follow-up is first rewritten into a standalone question."""
        standalone = self.standalone(question, previous)
        return standalone, self.ask(standalone, company=company)

    def converse_events(
        self, question: str, previous: list[str], company: str | None = None
    ) -> Iterator[Event]:
        """A chat turn as events: the standalone question first, then the answer's events."""
        from assistant.answer.generate import Event

        standalone = self.standalone(question, previous)
        yield Event("question", standalone)
        yield from self.events(standalone, company=company)

    def document_id(self, file: str) -> str | None:
        """The index id of a document (its content hash prefix), None if not indexed."""
        info = self.reader.manifest.files.get(file)
        return str(info["sha256"])[:16] if info else None

    def document(self, doc_id: str) -> Document | None:
        """An indexed document by its index id; never by a path from the caller."""
        from assistant.ingest.library import load_named

        for name, info in self.reader.manifest.files.items():
            if str(info["sha256"])[:16] == doc_id:
                return load_named(self.settings, name)
        return None

    def add_documents(
        self,
        paths: list[Path],
        names: list[str] | None = None,
        replace: bool = False,
        company: str | None = None,
    ) -> tuple[list[Added], IndexReport]:
        """Copy files into your documents folder (with their company, if given) and index them."""
        from assistant.index.build import build_index
        from assistant.ingest.library import add_files

        added = add_files(self.settings, paths, names, replace, company)
        return added, build_index(self.settings, notify=self.notify)

    def remove_document(self, name: str) -> tuple[str, IndexReport]:
        """Delete one of your documents and drop it from the index."""
        from assistant.index.build import build_index
        from assistant.ingest.library import remove_file

        removed = remove_file(self.settings, name)
        return removed, build_index(self.settings, notify=self.notify)

    def watch_in_background(
        self, on_report: Callable[[IndexReport, list[str]], None], on_error: Notify
    ) -> threading.Event:
        """Re-index changed documents on a background thread; answers pick up each build."""
        from assistant.index.watch import watch_in_background

        return watch_in_background(self.settings, on_report, on_error)

    def stats(self) -> tuple[int, int]:
        """(documents, chunks) in the index."""
        manifest = self.reader.manifest
        return len(manifest.files), manifest.chunk_count
