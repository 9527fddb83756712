"""Writing one output file, with the error every writer raises when it cannot."""

from __future__ import annotations

from pathlib import Path

from cartera.errors import InputError


def write_output(path: Path, content: str | bytes, encoding: str = "utf-8") -> Path:
    """Write ``content`` to ``path``, creating its folder; return ``path``.

    Text is encoded with ``encoding``; bytes are written as they are.

    Raises
    ------
    InputError
        The folder cannot be created or the file cannot be written, for example
        because a spreadsheet program has it open.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding=encoding)
    except OSError as exc:
        raise InputError(
            f"cannot write {path}: {exc.strerror or exc}",
            hint="choose an output folder you can write to, and close the file "
            "if another program has it open",
        ) from exc
    return path
