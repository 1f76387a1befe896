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


class UnsafeServe(PrepError):
    """`prep serve` would expose the page without a password, or the password is unusable."""


class StoreUnavailable(PrepError):
    """The vector store (a Chroma server, or the index folder) cannot be used right now."""


class AccessDenied(PrepError):
    """A folder or file the command needs cannot be read or written (permissions, disk full)."""


def os_problem(exc: OSError, path: object, setting: str) -> PrepError:
    """An OSError on one folder as a one-line message naming the fix (setting: where it is set)."""
    import errno

    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        fix = f"make it writable (chmod u+rwX) or point {setting} at another folder"
        return AccessDenied(f"permission denied on {path}; {fix}")
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return AccessDenied(f"the disk holding {path} is full; free some space and run it again")
    return AccessDenied(f"cannot use {path} ({exc.strerror or exc}); check it or set {setting}")


class StudyLogError(PrepError):
    """The study log database cannot be opened, read or written."""


class BuildFailed(PrepError):
    """One build stopped on an error that is not the documents' fault; the old index stays."""


class DataFileError(PrepError):
    """A domain data file (resources/domain/*.txt) says something the code cannot use."""


class UnknownRound(PrepError):
    """A mock interview round the indexed documents do not describe."""
