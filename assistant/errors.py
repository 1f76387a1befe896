"""User-facing errors: each message says what went wrong and how to fix it."""


class PrepError(Exception):
    """Base for errors shown to the user as one line (CLI message or web notice)."""


class BadQuestion(PrepError):
    """The question cannot be answered as typed (empty, too long)."""


class IndexMissing(PrepError):
    """There is no usable index and none could be built."""


class IndexCorrupt(PrepError):
    """The index folder exists but cannot be read."""


class SeedsMissing(PrepError):
    """The documents folder does not exist or holds no readable document."""


class GoldenError(PrepError):
    """The golden eval file is missing or malformed."""


class PromptError(PrepError):
    """A prompt template is missing or needs a variable that was not given."""


class LLMUnavailable(PrepError):
    """The configured LLM backend cannot be used (extra not installed, bad settings)."""


class IndexBusy(PrepError):
    """Another process holds the index lock for too long."""


class BadDocument(PrepError):
    """A file given to `prep add` or the upload box cannot be added."""
