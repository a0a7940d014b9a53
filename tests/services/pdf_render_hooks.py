"""Worker jobs for the tests of crm.services.pdf_render (importable by the spawned worker)."""

import os
import time


def hang(html: str, images: dict) -> bytes:
    """Never finish, like a pathological document."""
    time.sleep(3600)
    return b""


def crash(html: str, images: dict) -> bytes:
    """Die without a word, like a renderer that segfaults."""
    os._exit(70)


def fail(html: str, images: dict) -> bytes:
    """Raise, like a renderer bug."""
    raise RuntimeError("renderer bug")
