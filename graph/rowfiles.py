"""What each aggregates file last wrote into the aggregates graph, kept beside the store.

A refresh then writes only the difference: the rows a file no longer makes are deleted,
the new ones added, and the rest stay. Deleting is Oxigraph's slow path (a refresh that
dropped the whole graph spent 80 s of 130 s deleting it at 10k communiqués), and readers
keep seeing every unchanged row while a load's refresh runs.

One N-Triples file per aggregates file, in the folder `bilat-aggregates/` inside the
store's folder (a dict for an in-memory store). Each is replaced whole (written beside,
then renamed), so it is either the old rows or the new ones.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

FOLDER_NAME = "bilat-aggregates"


class RowFiles:
    """The rows each aggregates file (by its name, e.g. 20-actor-months.rq) last wrote."""

    def __init__(self, store_folder: Path | None):
        self.folder = store_folder / FOLDER_NAME if store_folder is not None else None
        self._in_memory: dict[str, bytes] = {}

    def exists(self) -> bool:
        """Whether rows have been recorded (after a first refresh)."""
        return self.folder.is_dir() if self.folder is not None else bool(self._in_memory)

    def names(self) -> set[str]:
        if self.folder is None:
            return set(self._in_memory)
        return {p.name.removesuffix(".nt") for p in self.folder.glob("*.nt")}

    def read(self, name: str) -> bytes:
        """The rows `name` wrote (b"" for none)."""
        if self.folder is None:
            return self._in_memory.get(name, b"")
        path = self._path(name)
        return path.read_bytes() if path.exists() else b""

    def lines(self, name: str) -> Iterator[bytes]:
        """The rows `name` wrote, one at a time (not gigabytes at once)."""
        if self.folder is None:
            yield from self._in_memory.get(name, b"").splitlines()
            return
        path = self._path(name)
        if path.exists():
            with path.open("rb") as rows:
                for row in rows:
                    yield row.rstrip(b"\n")

    def write(self, name: str, rows: bytes) -> None:
        if self.folder is None:
            self._in_memory[name] = rows
            return
        self.folder.mkdir(exist_ok=True)
        staged = self.folder / f"{name}.nt.new"
        staged.write_bytes(rows)
        os.replace(staged, self._path(name))

    def forget(self, name: str) -> None:
        if self.folder is None:
            self._in_memory.pop(name, None)
        else:
            self._path(name).unlink(missing_ok=True)

    def _path(self, name: str) -> Path:
        return self.folder / f"{name}.nt"

    def clear(self) -> None:
        self._in_memory.clear()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
