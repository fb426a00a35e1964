"""Photos as files under one directory: one host, or a shared mount."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from server.storage.keys import check_key


class LocalStorage:
    """Files under one root directory, each written atomically (temp file + rename)."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root).resolve()

    def __repr__(self) -> str:
        return f"<LocalStorage {self.root}>"

    def path(self, key: str) -> Path:
        """The file for `key`. Raises ValueError unless the key is a plain relative path
        (no empty, "." or ".." parts, no backslash) that stays inside the root."""
        path = self.root.joinpath(*check_key(key).split("/"))
        if not path.resolve().is_relative_to(self.root):  # a symlink pointing out
            raise ValueError(f"unsafe storage key {key!r}")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            raise KeyError(key) from None

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key stored under `prefix`, in order (a file being written, `.*.part`,
        is not one yet)."""
        found = []
        for directory, folders, files in os.walk(self.root):
            folders[:] = [f for f in folders if not f.startswith(".")]
            relative = Path(directory).relative_to(self.root).parts
            for name in files:
                key = "/".join((*relative, name))
                if not name.startswith(".") and key.startswith(prefix):
                    found.append(key)
        return iter(sorted(found))
