"""The local server's password: generated once per installation, kept in a file only its owner can read.

There is no shared default password. The first ``kg neo4j start`` draws a random password
(:func:`new_password`) and writes it to ``<data dir>/password`` (or ``NEO4J_PASSWORD_FILE``) with mode
0600; :func:`graph.neo4j.settings.get_settings` reads it back, so every ``kg`` command finds it without
anyone exporting anything. An explicit ``NEO4J_PASSWORD`` (environment or ``.env``) always wins and the
file is then neither read nor written.

A password file that others may read is refused (:class:`PasswordFileError`), as ssh refuses a private
key others may read: the password would no longer be the owner's alone.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

PASSWORD_FILE = "password"  # in the data directory, next to neo4j.json
_ENTROPY_BYTES = 24  # 192 bits, 32 URL-safe characters (Neo4j wants at least 8)


class PasswordFileError(ValueError):
    """The password file cannot be used (others may read it, it is empty, unreadable); the message says why."""


def new_password() -> str:
    """A fresh random password: 32 URL-safe characters from :mod:`secrets`.

    >>> len(new_password()), new_password() == new_password()
    (32, False)
    """
    return secrets.token_urlsafe(_ENTROPY_BYTES)


def read_password(path: Path) -> str | None:
    """The password stored in ``path``; None if there is no such file.

    Raises :class:`PasswordFileError` when group or others may read or write the file, when it belongs
    to another user, or when it is empty.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise PasswordFileError(f"Neo4j password file {path}: cannot read it ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise PasswordFileError(f"Neo4j password file {path}: not a regular file")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise PasswordFileError(
            f"Neo4j password file {path} belongs to another user (uid {info.st_uid}): "
            "use your own data folder (NEO4J_DATA_DIR) or set NEO4J_PASSWORD"
        )
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise PasswordFileError(
            f"Neo4j password file {path} may be read by others (mode {mode:04o}): "
            f"make it yours alone with `chmod 600 {path}`, then run `kg neo4j password --rotate`"
        )
    try:
        password = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise PasswordFileError(f"Neo4j password file {path}: cannot read it ({exc})") from None
    if not password:
        raise PasswordFileError(f"Neo4j password file {path} is empty: delete it and start the server again")
    return password


def write_password(path: Path, password: str) -> None:
    """Store ``password`` in ``path`` with mode 0600, atomically: a reader sees the old file or the new one.

    The file is created 0600 from the start (never readable by others, not even for a moment).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(password + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)  # in case the file existed with wider rights
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def ensure_password(path: Path) -> tuple[str, bool]:
    """The password in ``path``, creating the file with a new one if missing: ``(password, created)``."""
    found = read_password(path)
    if found is not None:
        return found, False
    password = new_password()
    write_password(path, password)
    return password, True


__all__ = ["PASSWORD_FILE", "PasswordFileError", "ensure_password", "new_password", "read_password", "write_password"]
