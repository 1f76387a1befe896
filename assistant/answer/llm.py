"""LLM backends: an OpenAI-compatible server or Ollama, behind LangChain chat models."""

from __future__ import annotations

import os
from typing import Any

from assistant.errors import LLMUnavailable
from assistant.settings import Settings

DEFAULTS = {
    "openai": ("https://api.openai.com/v1", "gpt-4o-mini"),
    "ollama": ("http://127.0.0.1:11434", "llama3.2"),
}


def describe(settings: Settings) -> str:
    """'openai gpt-4o-mini at http://…' for notices and the page."""
    url, model = endpoint(settings)
    return f"{settings.llm} {model} at {url}"


def endpoint(settings: Settings) -> tuple[str, str]:
    """The base URL and model name in use (settings, else the backend's defaults)."""
    url, model = DEFAULTS[settings.llm]
    return settings.llm_base_url or url, settings.llm_model or model


def chat_model(settings: Settings) -> Any:
    """The LangChain chat model of the configured backend; raises LLMUnavailable."""
    url, model = endpoint(settings)
    if settings.llm == "openai":
        try:
            from langchain_openai import ChatOpenAI
            from pydantic import SecretStr
        except ImportError as exc:
            raise LLMUnavailable(
                "the openai backend needs langchain-openai: pip install -e '.[llm]'"
            ) from exc
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        key = key or os.environ.get("OPENAI_API_KEY") or "not-needed"  # local servers take any
        # OpenAI itself wants max_completion_tokens; compatible servers (llama.cpp, vLLM, LM
        # Studio) still read max_tokens and would otherwise generate to the end of the context.
        limit: dict[str, Any] = (
            {"max_completion_tokens": settings.llm_max_tokens}
            if url == DEFAULTS["openai"][0]
            else {"extra_body": {"max_tokens": settings.llm_max_tokens}}
        )
        return ChatOpenAI(
            model=model,
            base_url=url,
            api_key=SecretStr(key),
            timeout=settings.llm_timeout,
            max_retries=0,  # a failure falls back to the extractive answer at once
            temperature=settings.llm_temperature,
            **limit,
        )
    if settings.llm == "ollama":
        try:
            from langchain_ollama import ChatOllama
        except ImportError as exc:
            raise LLMUnavailable(
                "the ollama backend needs langchain-ollama: pip install -e '.[llm]'"
            ) from exc
        return ChatOllama(
            model=model,
            base_url=url,
            temperature=settings.llm_temperature,
            num_predict=settings.llm_max_tokens,
            client_kwargs={"timeout": settings.llm_timeout},
        )
    raise LLMUnavailable(f"no LLM backend '{settings.llm}': use PREP_LLM=openai or ollama")


def failure(exc: BaseException, settings: Settings) -> str:
    """One line saying what went wrong with the LLM and which setting to check."""
    name = type(exc).__name__
    status = getattr(exc, "status_code", None)
    text = f"{name} {exc}".lower()
    where = describe(settings)
    if "timeout" in text or "timed out" in text:
        return (
            f"the LLM ({where}) did not answer within {settings.llm_timeout:g} s: "
            "check the server or raise PREP_LLM_TIMEOUT"
        )
    if isinstance(status, int):
        hint = {
            401: "check PREP_LLM_API_KEY",
            403: "check PREP_LLM_API_KEY",
            404: "check PREP_LLM_MODEL and PREP_LLM_BASE_URL",
        }.get(status, "check the server's log, PREP_LLM_MODEL and PREP_LLM_BASE_URL")
        return f"the LLM ({where}) answered HTTP {status}: {hint}"
    if "connect" in text or isinstance(exc, ConnectionError | OSError):
        return f"cannot reach the LLM ({where}): start the server or check PREP_LLM_BASE_URL"
    return (
        f"the LLM ({where}) sent a reply that is not a valid chat answer ({name}): check that "
        "PREP_LLM_BASE_URL points at an OpenAI-compatible /v1 (or Ollama) server"
    )
