"""Writing output files safely: complete or not at all, and never over something that is not a file.

Every command that writes a file (exports, snapshots) goes through
:func:`atomic_output`:

* the folder must exist (a typo in ``--out`` must not create a tree of folders);
* a symlink is written *through* (its target is replaced; the link stays);
* an existing target that is not a regular file (a device such as
  ``/dev/full``, a FIFO, a folder) is refused: replacing it by renaming a file
  over it would destroy it, and writing into it is not what "write a file" means;
* the content is written to a temporary file beside the target and renamed
  over it, so a reader never sees half a file and a failure leaves the old one.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


class OutputError(Exception):
    """The output path cannot be written; the message is one line for the user."""


def output_path(path: str | Path) -> Path:
    """The regular file that writing ``path`` would replace (symlinks followed), checked.

    Raises :class:`OutputError` when its folder is missing or it exists as something other than a file.
    """
    path = Path(path)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        st = target.stat()
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror}") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise OutputError(f"cannot write {path}: it is {kind}")
    if not target.parent.is_dir():
        raise OutputError(f"cannot write {path}: the folder {target.parent} does not exist")
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_output(path: str | Path, binary: bool = False, newline: str | None = None) -> Iterator[IO]:
    """A file handle whose content appears at ``path`` complete when the block ends, or not at all."""
    target = output_path(path)
    try:
        mode = stat.S_IMODE(target.stat().st_mode)  # keep an existing file's permissions
    except FileNotFoundError:
        mode = 0o666 & ~_umask()  # as open() would have made it, not mkstemp's 0600
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline=newline) as fh:
            yield fh
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
