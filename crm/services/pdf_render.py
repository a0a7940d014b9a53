"""HTML to PDF with WeasyPrint, in a separate worker process that may fetch only our own assets.

A template may load exactly two kinds of resources, through the ``crm-asset:`` scheme:

* the fonts shipped in crm/static/fonts (``FONT_CSS`` holds the rules for regular and bold)::

    @font-face { font-family: "DejaVu Sans"; src: url("crm-asset:fonts/DejaVuSans.ttf"); }

* the images passed to ``render_pdf`` (``images={"logo": (png_bytes, "image/png")}``)::

    <img src="crm-asset:image/logo">

Every other URL (file:, http(s):, data:, ftp:, relative paths, whatever <base href> says)
is refused: WeasyPrint logs it and leaves the resource out. The document has no base URL, so
relative references never turn into file paths.

WeasyPrint is imported only where rendering happens (the worker, or a direct call of
render_pdf_in_process), not in the web processes. The worker is started with "spawn", which
re-imports the __main__ module: a script calling render_pdf needs `if __name__ == "__main__":`.
"""

import atexit
import functools
import logging
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from crm.services.errors import DomainError

if TYPE_CHECKING:
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

Images = dict[str, tuple[bytes, str]]

ASSET_SCHEME = "crm-asset"
FONTS_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
MAX_HTML_BYTES = 2 * 1024 * 1024
FONT_CSS = """
@font-face {
  font-family: "DejaVu Sans"; font-weight: normal;
  src: url("crm-asset:fonts/DejaVuSans.ttf");
}
@font-face {
  font-family: "DejaVu Sans"; font-weight: bold;
  src: url("crm-asset:fonts/DejaVuSans-Bold.ttf");
}
"""

_FONT_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2"}
_START_TIMEOUT = 60.0  # seconds for a new worker to import WeasyPrint and render a warm-up page
_STOP_GRACE = 1.0  # seconds between terminate (SIGTERM) and kill (SIGKILL)
_WARM_UP_HTML = f"<style>{FONT_CSS}</style><p style='font-family: DejaVu Sans'>Ґґ Єє <b>Її</b></p>"

log = logging.getLogger(__name__)


class PdfRenderError(DomainError):
    """The PDF could not be made: too large, too slow, or the renderer failed."""


def _fetch_asset(url: str, images: Images) -> tuple[bytes, str]:
    """Body and MIME type of a crm-asset: URL; ValueError for any other URL."""
    scheme, colon, rest = url.partition(":")
    kind, _, name = rest.partition("/")
    if colon and scheme.lower() == ASSET_SCHEME:
        if kind == "fonts" and name in _font_files():
            return (FONTS_DIR / name).read_bytes(), _FONT_TYPES[Path(name).suffix.lower()]
        if kind == "image" and name in images:
            return images[name]
    raise ValueError(f"refused URL: {url[:200]}")


def _font_files() -> set[str]:
    """Names of the font files shipped in FONTS_DIR."""
    return {p.name for p in FONTS_DIR.iterdir() if p.suffix.lower() in _FONT_TYPES}


def _url_fetcher(images: Images) -> "URLFetcher":
    """A WeasyPrint URL fetcher that serves crm-asset: URLs only."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetFetcher(URLFetcher):
        """Fetches through _fetch_asset, never through urllib."""

        def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
            """The asset at url, or an exception that makes WeasyPrint skip it."""
            body, mime_type = _fetch_asset(url, images)
            return URLFetcherResponse(url, body, {"Content-Type": mime_type})

    return AssetFetcher(allow_redirects=False)


@functools.cache
def _font_config() -> "FontConfiguration":
    """The process's font configuration: WeasyPrint 70 leaks ~225 KB for each new one."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def render_pdf_in_process(html: str, images: Images | None = None) -> bytes:
    """Render html to PDF bytes here, one render at a time per process (no timeout)."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=None, url_fetcher=_url_fetcher(images or {}))
    return document.write_pdf(font_config=_font_config())


# What the worker runs for each job; tests point it at a function that hangs or crashes.
_TARGET: Callable[[str, Images], bytes] = render_pdf_in_process


@dataclass
class _Worker:
    """A render process, our end of its pipe, and its temporary directory (font copies)."""

    process: BaseProcess
    conn: Connection
    tmp_dir: str

    @classmethod
    def start(cls) -> "_Worker":
        """Spawn a worker and wait until it has rendered its warm-up page."""
        context = multiprocessing.get_context("spawn")
        conn, child_conn = context.Pipe()
        tmp_dir = tempfile.mkdtemp(prefix="crm-pdf-")
        process = context.Process(
            target=_serve, args=(child_conn, tmp_dir), name="pdf-render", daemon=True
        )
        process.start()
        child_conn.close()
        worker = cls(process, conn, tmp_dir)
        try:
            if not conn.poll(_START_TIMEOUT) or conn.recv() != "ready":
                raise EOFError("no ready message")
        except (EOFError, OSError) as exc:
            worker.stop()
            log.error("PDF render worker did not start: %s", exc)
            raise PdfRenderError(_l("The PDF could not be made.")) from exc
        return worker

    def stop(self) -> None:
        """Terminate the process, kill it if it does not go, reap it, remove its files."""
        self.conn.close()
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(_STOP_GRACE)
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        shutil.rmtree(self.tmp_dir, ignore_errors=True)


def _serve(conn: Connection, tmp_dir: str) -> None:
    """Worker main loop: render each job from the pipe and send back the outcome."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the parent, which stops us
    tempfile.tempdir = tmp_dir  # the parent removes it, even after killing us
    render_pdf_in_process(_WARM_UP_HTML)
    conn.send("ready")
    while True:
        try:
            target, html, images = conn.recv()
        except EOFError:
            return
        try:
            outcome = ("ok", target(html, images))
        except Exception as exc:
            outcome = ("error", f"{type(exc).__name__}: {exc}")
        conn.send(outcome)


_lock = threading.Lock()
_worker: _Worker | None = None


def _stop_worker() -> None:
    """Stop the worker, if any; the next render starts a new one."""
    global _worker
    worker, _worker = _worker, None
    if worker is not None:
        worker.stop()


def _forget_worker_after_fork() -> None:
    """A forked child must not talk to its parent's worker: it gets its own."""
    global _worker, _lock
    _worker, _lock = None, threading.Lock()


atexit.register(_stop_worker)
atexit.register(_font_config.cache_clear)  # its __del__ removes its temporary font copies
os.register_at_fork(after_in_child=_forget_worker_after_fork)


def render_pdf(html: str, images: Images | None = None, *, timeout: float = 20.0) -> bytes:
    """Render html to PDF bytes in the worker process, giving up after timeout seconds."""
    if len(html.encode("utf-8")) > MAX_HTML_BYTES:
        raise PdfRenderError(_l("The document is too large to make a PDF."))
    if not _lock.acquire(timeout=timeout):
        raise PdfRenderError(_l("The PDF service is busy. Please try again."))
    try:
        return _run_job(html, images or {}, timeout)
    finally:
        _lock.release()


def _run_job(html: str, images: Images, timeout: float) -> bytes:
    """Send one job to the (possibly new) worker and wait for its outcome; caller holds the lock."""
    global _worker
    if _worker is not None and not _worker.process.is_alive():
        _stop_worker()
    if _worker is None:
        _worker = _Worker.start()
    try:
        _worker.conn.send((_TARGET, html, images))
        if not _worker.conn.poll(timeout):
            _stop_worker()
            log.error("PDF rendering took more than %s s; worker stopped", timeout)
            raise PdfRenderError(_l("Making the PDF took too long."))
        status, payload = _worker.conn.recv()
    except (EOFError, OSError) as exc:
        _stop_worker()
        log.error("PDF render worker died: %s", exc)
        raise PdfRenderError(_l("The PDF could not be made.")) from exc
    if status != "ok":
        log.error("PDF rendering failed: %s", payload)
        raise PdfRenderError(_l("The PDF could not be made."))
    return payload
