"""Coverage: which documents are indexed, changed, new, removed or skipped, and the settings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.settings import Settings


@dataclass
class FileState:
    """One document's state against the index."""

    name: str
    state: str  # indexed | changed | new | removed | skipped
    chunks: int = 0
    note: str = ""


@dataclass
class Status:
    """The index against the documents folder."""

    index_dir: str
    seeds_dir: str
    built: bool
    docs_dir: str = ""
    built_at: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    files: list[FileState] = field(default_factory=list)
    query_encoder: str = ""
    needs_rebuild: list[str] = field(default_factory=list)  # settings that changed since
    store_error: str = ""  # why the live generation cannot serve ('' when it can)

    def count(self, state: str) -> int:
        return sum(1 for f in self.files if f.state == state)

    @property
    def up_to_date(self) -> bool:
        changed = any(f.state in ("changed", "new", "removed") for f in self.files)
        return self.built and not changed and not self.needs_rebuild and not self.store_error

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "up_to_date": self.up_to_date}


def index_status(settings: Settings) -> Status:
    """Compare the manifest with the documents folders (reads and hashes every file)."""
    from assistant.index.build import changed_settings, fingerprint, same
    from assistant.ingest.library import load_all
    from assistant.index.onnx_encoder import verified_encoder
    from assistant.index.store import Manifest, check_live

    manifest = Manifest.load(settings.index_dir)
    status = Status(
        index_dir=str(settings.index_dir),
        seeds_dir=str(settings.seeds_dir),
        docs_dir=str(settings.docs_dir),
        built=bool(manifest),
    )
    indexed = manifest.files if manifest else {}
    if manifest:
        status.built_at = manifest.built_at
        status.settings = dict(manifest.fingerprint)
        status.needs_rebuild = changed_settings(manifest.fingerprint, fingerprint(settings))
        status.query_encoder = "onnx" if verified_encoder(settings) else "sentence-transformers"
        status.store_error = check_live(settings, manifest)
    docs, skipped = load_all(settings)
    failed = manifest.failed() if manifest else {}
    seen = set()
    for doc in docs:
        seen.add(doc.name)
        info = indexed.get(doc.name)
        known = failed.get(doc.name)
        if known and known["sha256"] == doc.sha256 and not status.needs_rebuild:
            status.files.append(FileState(doc.name, "skipped", note=known["reason"]))
        elif info is None:
            status.files.append(FileState(doc.name, "new", note="not indexed yet: run prep index"))
        elif not same(doc, info):
            status.files.append(
                FileState(
                    doc.name,
                    "changed",
                    int(info.get("chunks", 0)),
                    "changed since the last index: run prep index",
                )
            )
        else:
            status.files.append(FileState(doc.name, "indexed", int(info.get("chunks", 0))))
    for skip in skipped:
        seen.add(skip.name)
        status.files.append(FileState(skip.name, "skipped", note=skip.reason))
    for name, info in indexed.items():
        if name not in seen:
            status.files.append(
                FileState(
                    name,
                    "removed",
                    int(info.get("chunks", 0)),
                    "no longer in the folder: run prep index to drop it",
                )
            )
    status.files.sort(key=lambda f: f.name)
    return status
