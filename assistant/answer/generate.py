"""Answer (LLM): a generated answer over numbered passages, citations checked, else extractive."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from langchain_core.runnables import RunnableConfig, RunnableSerializable
from pydantic import ConfigDict

from assistant.answer.citations import Answer
from assistant.errors import PromptError
from assistant.settings import Settings

NOT_COVERED = "NOT_COVERED"


@dataclass(frozen=True)
class Event:
    """One step of an answer as it is produced: a text delta, or the final checked answer."""

    kind: str  # "question" (the standalone rewrite) | "delta" | "answer"
    text: str = ""
    answer: Answer | None = None


def content_text(content: Any) -> str:
    """The text of a message's content (a string, or a list of content blocks)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            c if isinstance(c, str) else str(c.get("text", "")) if isinstance(c, dict) else ""
            for c in content
        )
    raise TypeError(f"unexpected message content {type(content).__name__}")


class GenerativeAnswerer(RunnableSerializable[dict[str, Any], Answer]):
    """Asks the configured LLM, then checks every [n]; any failure gives the extractive answer.

    The extractive answer is computed first: it is the fallback, and when it refuses (the
    documents do not cover the question) the LLM is not asked at all.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    extractive: Any  # ExtractiveAnswerer
    settings: Settings
    model: Any  # the LangChain chat model (assistant.answer.llm.chat_model)

    @property
    def engine(self) -> str:
        from assistant.answer.llm import endpoint

        return f"{self.settings.llm}:{endpoint(self.settings)[1]}"

    def messages(self, question: str, blocks: list[Any]) -> list[Any]:
        """System and user messages: rules, then the numbered passages and the question."""
        from langchain_core.messages import HumanMessage, SystemMessage

        from assistant.answer.context import render_blocks
        from assistant.answer.templates import render_prompt

        prompts = self.settings.prompts_dir
        n = self.settings.max_sentences
        system = render_prompt(prompts, "answer.system", max_sentences=n, not_covered=NOT_COVERED)
        user = render_prompt(
            prompts,
            "answer.user",
            passages=render_blocks(blocks),
            question=question,
            max_sentences=n,
        )
        return [SystemMessage(system), HumanMessage(user)]

    def blocks(self, docs: list[Any]) -> list[Any]:
        """The retrieved chunks as numbered passages within the token budget."""
        from assistant.answer.context import build_blocks
        from assistant.index.chunking import tiktoken_counter

        count = tiktoken_counter(self.settings.tiktoken_encoding)
        return build_blocks(docs, self.settings.context_tokens, count)

    def invoke(
        self, input: dict[str, Any], config: RunnableConfig | None = None, **kwargs: Any
    ) -> Answer:
        """Answer {"question", "documents"} with one non-streaming request."""
        return self._call_with_config(self._invoke, input, config)

    def _invoke(self, input: dict[str, Any]) -> Answer:
        final = [e.answer for e in self.events(input, stream=False) if e.answer is not None]
        return final[-1]

    def events(self, input: dict[str, Any], stream: bool = True) -> Iterator[Event]:
        """Text deltas as the LLM writes them, then the checked answer (or the fallback)."""
        from assistant.answer.citecheck import check_citations
        from assistant.answer.llm import describe, failure

        question: str = input["question"]
        base: Answer = self.extractive.invoke(input)
        if base.refused:
            yield Event("answer", answer=base)
            return
        blocks = self.blocks(input["documents"])
        messages = self.messages(question, blocks)
        parts: list[str] = []
        try:
            if stream:
                for chunk in self.model.stream(messages):
                    piece = content_text(chunk.content)
                    if piece:
                        parts.append(piece)
                        yield Event("delta", piece)
            else:
                parts.append(content_text(self.model.invoke(messages).content))
        except PromptError:
            raise
        except Exception as exc:  # any LLM failure: say so in one line, answer extractively
            yield Event(
                "answer", answer=base.model_copy(update={"notice": failure(exc, self.settings)})
            )
            return
        raw = "".join(parts).strip()
        fallback = None
        if not raw:
            fallback = (
                f"the LLM ({describe(self.settings)}) sent an empty reply: check PREP_LLM_MODEL"
            )
        elif NOT_COVERED in raw and len(raw) <= len(NOT_COVERED) + 2:
            yield Event(
                "answer",
                answer=Answer.refusal(
                    question, "The LLM found no answer in the passages."
                ).model_copy(update={"engine": self.engine}),
            )
            return
        else:
            answer = check_citations(question, raw, blocks, self.engine)
            if answer.sentences and any(s.citation for s in answer.sentences):
                yield Event("answer", answer=answer)
                return
            fallback = (
                f"the LLM's answer ({describe(self.settings)}) cited no passage, so it is not "
                "shown; this is the extractive answer"
            )
        yield Event("answer", answer=base.model_copy(update={"notice": fallback}))
