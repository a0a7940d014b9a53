"""PDF rendering: Cyrillic fonts, nothing fetched but crm-asset: URLs, hung workers stopped."""

# The worker process starts once and serves every test but those that stop it on purpose.

import base64
import io
import subprocess
import sys
import textwrap
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from crm.services import pdf_render
from crm.services.pdf_render import (
    FONT_CSS,
    MAX_HTML_BYTES,
    PdfRenderError,
    render_pdf,
    render_pdf_in_process,
)
from tests.services import pdf_render_hooks

CYRILLIC = "Ґанок Єва Їжак Іван"
FONT_URLS = {"crm-asset:fonts/DejaVuSans.ttf", "crm-asset:fonts/DejaVuSans-Bold.ttf"}


def page(body: str) -> str:
    return (
        f"<html><head><style>{FONT_CSS} body {{ font-family: 'DejaVu Sans' }}</style></head>"
        f"<body>{body}</body></html>"
    )


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 0, 0)).save(out, "PNG")
    return out.getvalue()


def text_of(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def image_count(pdf: bytes) -> int:
    return sum(len(p.images) for p in PdfReader(io.BytesIO(pdf)).pages)


def font_names(pdf: bytes) -> set[str]:
    names = set()
    for p in PdfReader(io.BytesIO(pdf)).pages:
        for font in p["/Resources"].get("/Font", {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


@pytest.fixture
def fetches(monkeypatch):
    """Every URL WeasyPrint asked for, with what the fetcher did: ("served"|"refused", url)."""
    calls = []
    original = pdf_render._fetch_asset

    def recording(url, images):
        try:
            result = original(url, images)
        except Exception:
            calls.append(("refused", url))
            raise
        calls.append(("served", url))
        return result

    monkeypatch.setattr(pdf_render, "_fetch_asset", recording)
    return calls


@pytest.fixture(scope="module")
def http_server():
    """A local HTTP server that serves leaky CSS and images; yields (base URL, paths hit)."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            hits.append(self.path)
            css = self.path.endswith(".css")
            body = b'body::before { content: "LEAKED-HTTP" }' if css else png()
            self.send_response(200)
            self.send_header("Content-Type", "text/css" if css else "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


@pytest.fixture
def http_hits(http_server):
    """The local HTTP server's base URL and the paths requested during this test."""
    url, hits = http_server
    hits.clear()
    return url, hits


@pytest.fixture
def canaries(tmp_path, monkeypatch):
    """A PNG and a leaky stylesheet on disk, also reachable relative to the working directory."""
    (tmp_path / "canary.png").write_bytes(png())
    (tmp_path / "canary.css").write_text('body::after { content: "LEAKED-FILE" }')
    monkeypatch.chdir(tmp_path)
    return tmp_path.as_uri()


DATA_PNG = "data:image/png;base64," + base64.b64encode(png()).decode()
SERIF = "file:///usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"

# (markup, a URL the fetcher must have been asked for and refused; None: never resolved at all)
HOSTILE = [
    ('<img src="file:///etc/passwd">', "file:///etc/passwd"),
    ('<img src="{dir}/canary.png">', "{dir}/canary.png"),
    ('<img src="http://127.0.0.1:9/x.png">', "http://127.0.0.1:9/x.png"),
    ('<img src="{http}/img.png">', "{http}/img.png"),
    ('<img src="ftp://127.0.0.1:9/x.png">', "ftp://127.0.0.1:9/x.png"),
    (f'<img src="{DATA_PNG}">', "data:image/png"),
    ('<link rel="stylesheet" href="file:///etc/passwd">', "file:///etc/passwd"),
    ('<link rel="stylesheet" href="{dir}/canary.css">', "{dir}/canary.css"),
    ('<link rel="stylesheet" href="{http}/link.css">', "{http}/link.css"),
    ('<style>@import url("{http}/import.css");</style>', "{http}/import.css"),
    ('<style>@import url("{dir}/canary.css");</style>', "{dir}/canary.css"),
    ('<p style="background: url(file:///etc/passwd)">x</p>', "file:///etc/passwd"),
    ('<p style="height: 9px; background: url({dir}/canary.png)">x</p>', "{dir}/canary.png"),
    ('<p style="height: 9px; background: url({http}/bg.png)">x</p>', "{http}/bg.png"),
    ('<img src="crm-asset:fonts/../../../etc/passwd">', "crm-asset:fonts/../../../etc/passwd"),
    ('<img src="crm-asset:fonts/%2e%2e/%2e%2e/etc/passwd">', "crm-asset:fonts/%2e%2e/"),
    ('<img src="crm-asset:image/../fonts/DejaVuSans.ttf">', "crm-asset:image/../fonts/"),
    ('<img src="crm-asset:fonts/LICENSE-DejaVu.txt">', "crm-asset:fonts/LICENSE-DejaVu.txt"),
    (
        '<style>@font-face { font-family: X; src: url("{http}/f.ttf") } p { font-family: X }'
        "</style><p>x</p>",
        "{http}/f.ttf",
    ),
    (
        f'<style>@font-face {{ font-family: X; src: url("{SERIF}") }} p {{ font-family: X }}'
        "</style><p>x</p>",
        SERIF,
    ),
    (
        '<style>@font-face { font-family: X; src: local("DejaVu Serif") } p { font-family: X }'
        "</style><p>x</p>",
        SERIF,
    ),
    (
        "<style>@font-face { font-family: X; "
        'src: url("crm-asset:fonts/../../../../usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf") }'
        " p { font-family: X }</style><p>x</p>",
        "crm-asset:fonts/../",
    ),
    ('<object data="{http}/object.png" type="image/png"></object>', "{http}/object.png"),
    ('<embed src="{http}/embed.png" type="image/png">', "{http}/embed.png"),
    (
        '<svg width="9" height="9"><image href="{http}/svg.png" width="9" height="9"/></svg>',
        "{http}/svg.png",
    ),
    ('<link rel="attachment" href="{http}/attachment.txt">', "{http}/attachment.txt"),
    ('<base href="{dir}/"><img src="canary.png">', "{dir}/canary.png"),
    ('<base href="{dir}/"><link rel="stylesheet" href="canary.css">', "{dir}/canary.css"),
    ('<img src="canary.png">', None),
    ('<link rel="stylesheet" href="canary.css">', None),
    ('<p style="height: 9px; background: url(canary.png)">x</p>', None),
]


def assert_nothing_leaked(pdf: bytes, hits: list) -> None:
    assert hits == []
    assert image_count(pdf) == 0
    assert "LEAKED" not in text_of(pdf)
    assert "root:" not in text_of(pdf)
    assert not any("Serif" in name for name in font_names(pdf))


@pytest.mark.parametrize(("markup", "refused"), HOSTILE)
def test_only_crm_assets_are_fetched(markup, refused, fetches, http_hits, canaries):
    http, hits = http_hits
    html = page(markup.replace("{http}", http).replace("{dir}", canaries))

    pdf = render_pdf_in_process(html)

    assert {url for outcome, url in fetches if outcome == "served"} <= FONT_URLS
    refused_urls = [url for outcome, url in fetches if outcome == "refused"]
    if refused is None:
        assert refused_urls == []
    else:
        expected = refused.replace("{http}", http).replace("{dir}", canaries)
        assert any(url.startswith(expected) for url in refused_urls), refused_urls
    assert_nothing_leaked(pdf, hits)


def test_the_worker_fetches_nothing_outside_either(http_hits, canaries):
    http, hits = http_hits
    markup = "".join(m for m, _ in HOSTILE if "<base" not in m)
    html = page(markup.replace("{http}", http).replace("{dir}", canaries) + "<p>Кінець</p>")

    pdf = render_pdf(html)

    assert "Кінець" in text_of(pdf)
    assert_nothing_leaked(pdf, hits)


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("crm-asset:fonts/DejaVuSans.ttf", False),
        ("crm-asset:fonts/DejaVuSans-Bold.ttf", False),
        ("CRM-ASSET:fonts/DejaVuSans.ttf", False),
        ("crm-asset:image/logo", False),
        ("crm-asset:fonts/Missing.ttf", True),
        ("crm-asset:fonts/", True),
        ("crm-asset:fonts/../fonts/DejaVuSans.ttf", True),
        ("crm-asset:fonts//DejaVuSans.ttf", True),
        ("crm-asset:fonts/DejaVuSans.ttf?x", True),
        ("crm-asset://fonts/DejaVuSans.ttf", True),
        ("crm-asset:image/other", True),
        ("crm-asset:image/", True),
        ("crm-asset:other/logo", True),
        ("crm-asset", True),
        ("fonts/DejaVuSans.ttf", True),
        ("file:///work/crm/static/fonts/DejaVuSans.ttf", True),
    ],
)
def test_fetch_asset(url, refused):
    images = {"logo": (b"PNG", "image/png")}
    if refused:
        with pytest.raises(ValueError, match="refused URL"):
            pdf_render._fetch_asset(url, images)
    else:
        body, mime_type = pdf_render._fetch_asset(url, images)
        assert body
        assert mime_type in {"font/ttf", "image/png"}


def test_cyrillic_round_trips_in_the_shipped_fonts():
    pdf = render_pdf(page(f"<p>{CYRILLIC}</p><p><b>ґ є ї і</b></p>"))

    assert CYRILLIC in text_of(pdf)
    assert "ґ є ї і" in text_of(pdf)
    assert {"DejaVu-Sans", "DejaVu-Sans-Bold"} <= {n.split("+")[-1] for n in font_names(pdf)}


def test_the_fonts_come_from_the_project_not_the_system(fetches):
    pdf_render._font_config.cache_clear()  # a new configuration fetches the fonts again
    pdf = render_pdf_in_process(page(f"<p>{CYRILLIC} <b>Іван</b></p>"))

    assert CYRILLIC in text_of(pdf)
    assert set(fetches) == {("served", url) for url in FONT_URLS}


def test_an_image_from_the_images_dict_is_rendered():
    images = {"logo": (png(), "image/png")}
    html = page('<img src="crm-asset:image/logo" style="width: 2cm">')

    assert image_count(render_pdf(html, images)) == 1
    assert image_count(render_pdf(html)) == 0


def test_too_large_html_is_refused_before_rendering():
    html = "я" * (MAX_HTML_BYTES // 2 + 1)  # fewer characters than the limit, more bytes

    with pytest.raises(PdfRenderError):
        render_pdf(html)


def test_a_hung_render_is_stopped_and_the_next_one_gets_a_new_worker(monkeypatch):
    render_pdf(page("<p>warm</p>"))
    hung = pdf_render._worker
    monkeypatch.setattr(pdf_render, "_TARGET", pdf_render_hooks.hang)

    started = time.monotonic()
    with pytest.raises(PdfRenderError):
        render_pdf(page("<p>x</p>"), timeout=1)

    assert time.monotonic() - started < 3
    assert not hung.process.is_alive()
    assert not Path(hung.tmp_dir).exists()
    assert pdf_render._worker is None
    monkeypatch.undo()
    assert CYRILLIC in text_of(render_pdf(page(f"<p>{CYRILLIC}</p>")))


def test_a_dead_worker_is_reported_and_replaced(monkeypatch):
    render_pdf(page("<p>warm</p>"))
    monkeypatch.setattr(pdf_render, "_TARGET", pdf_render_hooks.crash)

    with pytest.raises(PdfRenderError):
        render_pdf(page("<p>x</p>"))

    monkeypatch.undo()
    assert "Знову" in text_of(render_pdf(page("<p>Знову</p>")))


def test_a_failed_render_is_reported_and_the_worker_kept(monkeypatch):
    render_pdf(page("<p>warm</p>"))
    worker = pdf_render._worker
    monkeypatch.setattr(pdf_render, "_TARGET", pdf_render_hooks.fail)

    with pytest.raises(PdfRenderError):
        render_pdf(page("<p>x</p>"))

    monkeypatch.undo()
    assert "Далі" in text_of(render_pdf(page("<p>Далі</p>")))
    assert pdf_render._worker is worker


def test_the_worker_does_not_outlive_the_interpreter():
    script = textwrap.dedent(
        """
        from crm.services import pdf_render

        if __name__ == "__main__":
            pdf_render.render_pdf("<p>x</p>")
            print(pdf_render._worker.process.pid, pdf_render._worker.tmp_dir)
        """
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    pid, tmp_dir = done.stdout.split()
    status = Path(f"/proc/{pid}/status")
    assert not status.exists() or "zombie" in status.read_text()
    assert not Path(tmp_dir).exists()


def test_a_caller_gives_up_waiting_for_a_busy_worker():
    with pdf_render._lock, pytest.raises(PdfRenderError):
        render_pdf(page("<p>x</p>"), timeout=0.1)
