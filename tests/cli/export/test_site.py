"""`svctrack export site -o DIR`: a static, self-contained HTML dashboard of the workspace."""

from __future__ import annotations

import errno
import os
import shutil
import struct
import subprocess
import sys
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import TODAY, Workspace, cli, run_process

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None
)
# Elements that load or run something; none may appear on a page.
LOADING = {"script", "link", "img", "iframe", "object", "embed", "audio", "video", "source",
           "base", "form", "frame", "image", "use", "foreignobject"}  # fmt: skip


@dataclass
class Page(HTMLParser):
    """What a page holds, as html.parser reads it."""

    tags: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)
    _in_style: bool = False

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        (self.styles if self._in_style else self.text).append(data)

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text("utf-8"))
    page.close()
    return page


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("site") / "example"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SVCTRACK_TODAY", TODAY)
        patch.setenv("SVCTRACK_USER", "tester")
        result = cli("init", str(root), "--example")
    assert result.code == 0, result.err
    return Workspace(root)


def status(ws: Workspace) -> dict[str, list[dict[str, object]]]:
    doc = ws.ok("status", "--all", "--json").json()
    assert isinstance(doc, dict)
    return doc


def assert_self_contained(page: Page, where: str) -> None:
    found = {tag for tag, _ in page.tags} & LOADING
    assert not found, f"{where}: {found}"
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), f"{where}: <{tag} {name}>"  # no event handlers
            if name in ("src", "srcset", "data", "poster", "action", "formaction"):
                raise AssertionError(f"{where}: <{tag} {name}={value}> loads something")
            if name in ("href", "xlink:href") and value:
                assert "://" not in value and not value.startswith("//"), f"{where}: {value}"
                assert not value.lower().startswith(("javascript:", "data:")), f"{where}: {value}"
    css = " ".join(page.styles).lower()
    assert "@import" not in css and "url(" not in css.replace("url(#", ""), where
    assert "@font-face" not in css


def test_the_example_as_a_site(example: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = example.ok("export", "site", "-o", str(out))
    assert "wrote" in result.err and result.out == ""
    items = status(example)
    every = [s for kind in ("services", "engagements") for s in items[kind]]
    assert sorted(p.name for p in (out / "items").iterdir()) == sorted(
        f"{s['id']}.html" for s in every
    )
    pages = [out / "index.html", out / "archive.html", *sorted((out / "items").iterdir())]
    for path in pages:
        page = parse(path)
        where = str(path.relative_to(out))
        assert_self_contained(page, where)
        html = page.named("html")
        assert html and html[0].get("lang") == "en", where
        assert len(page.named("h1")) == 1, where
        assert page.named("title"), where
        assert page.named("meta")[0].get("charset") == "utf-8"
        for attrs in page.named("th"):
            assert attrs.get("scope") in (None, "col")
        for attrs in page.named("a"):  # every link leads to a page that exists
            href = str(attrs.get("href"))
            if not href.startswith("#"):
                assert (path.parent / href).is_file(), f"{where}: {href}"
    index = parse(out / "index.html")
    words = index.words
    links = {a.get("href") for a in index.named("a")}
    for s in every:
        if s["stage"] in ("closed", "cancelled"):  # on their own pages, not on the index
            assert f"items/{s['id']}.html" not in links
            assert s["id"] in parse(out / "archive.html").words
        else:
            assert f"items/{s['id']}.html" in links
            assert s["id"] in words
    overdue = {str(s["id"]) for s in every if s["overdue"]}
    assert overdue == {"lindqvist-crm", "helios-crm", "kaskad-audit", "cloud-migration"}
    cards = [a for a in index.named("li") if "card" in str(a.get("class"))]
    assert sum("overdue" in str(a.get("class")) for a in cards) == len(overdue)
    assert len(cards) == sum(s["stage"] not in ("closed", "cancelled") for s in every)
    for heading in ("Status", "Board", "Timeline", "Monitoring report"):
        assert heading in [t.strip() for t in index.text], heading
    assert len(index.named("svg")) >= 3  # the timeline and the report's charts
    assert index.named("th") and index.named("h2") and index.named("h3")


def test_item_pages_hold_what_show_holds_and_internal_figures_only_when_asked(
    example: Workspace, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    example.ok("export", "site", "-o", str(out))
    page = parse(out / "items" / "kaskad-audit.html").words
    for expected in ("АО «Каскад-Банк»", "Control", "Quality of the work checked",
                     "Proactivity", "History", "Notes", "17 замечаний", "Ольга Соколова",
                     "2026-12-04", "2d overdue"):  # fmt: skip
        assert expected in page, expected
    for internal in ("780,000", "Д-2026/047", "Price", "Contract", "Hours"):
        assert internal not in page, internal
    service = parse(out / "items" / "it-audit.html")
    assert {"kaskad-audit.html", "teremok-audit.html"} <= {
        a.get("href") for a in service.named("a")
    }
    example.ok("export", "site", "-o", str(out), "--internal")
    page = parse(out / "items" / "kaskad-audit.html").words
    for internal in ("780,000 RUB", "Д-2026/047", "Price", "Contract"):
        assert internal in page, internal
    assert "Revenue" in parse(out / "index.html").words


def test_user_text_is_escaped_everywhere(ws: Workspace, tmp_path: Path) -> None:
    evil = "<script>alert(1)</script>"
    ws.ok("service", "new", "audit", "--name", f'Audit {evil}"><img src=x onerror=alert(2)>')
    ws.ok("set", "audit", "role.sales", "<b>Mallory</b>")
    ws.ok(
        "engagement", "new", "acme", "--service", "audit", "--client", evil, "--due", "2026-11-20",
        "--start", "2026-11-01", "--owner", "<i>Eve</i> & 'Bob'",
    )  # fmt: skip
    ws.ok("note", "acme", f"see {evil} and https://example.com/x", "--channel", "email")
    ws.ok("advance", "acme", "--force", "--note", evil)
    config = ws.root / "svctrack.toml"
    config.write_text(config.read_text().replace("Test Firm", f"Firm {evil}"), "utf-8")
    out = tmp_path / "site"
    ws.ok("export", "site", "-o", str(out))
    for path in [out / "index.html", out / "archive.html", *(out / "items").iterdir()]:
        page = parse(path)
        assert_self_contained(page, path.name)
        assert not page.named("script") and not page.named("img")
    index = parse(out / "index.html")
    assert evil in index.words  # shown as text
    acme = parse(out / "items" / "acme.html").words
    assert evil in acme and "https://example.com/x" in acme and "<i>Eve</i> & 'Bob'" in acme
    assert "<b>Mallory</b>" in parse(out / "items" / "audit.html").words
    assert "&lt;script&gt;" in (out / "items" / "acme.html").read_text("utf-8")


def test_pages_of_items_gone_are_removed_and_nothing_else(firm: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "site"
    firm.ok("engagement", "new", "gone", "--service", "audit", "--client", "G", "--due", "+9d")
    firm.ok("export", "site", "-o", str(out))
    assert (out / "items" / "gone.html").is_file()
    mine = {
        out / "README.md": "mine",
        out / "items" / "Notes.html": "mine: not an id",
        out / "items" / "keep.txt": "mine",
        out / "other.html": "mine: not in items/",
    }
    for path, text in mine.items():
        path.write_text(text)
    (out / "items" / "folder.html").mkdir()
    firm.file("gone").unlink()
    result = firm.ok("export", "site", "-o", str(out))
    assert not (out / "items" / "gone.html").exists()
    assert "1 removed" in result.err
    for path, text in mine.items():
        assert path.read_text() == text
    assert (out / "items" / "folder.html").is_dir()
    assert sorted(p.name for p in (out / "items").glob("*.html")) == [
        "Notes.html",
        "acme.html",
        "audit.html",
        "folder.html",
    ]


def test_a_second_run_over_an_unchanged_workspace_writes_nothing(
    firm: Workspace, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    assert "4 files changed" in firm.ok("export", "site", "-o", str(out)).err
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.html")}
    again = firm.ok("export", "site", "-o", str(out))
    assert "0 files changed" in again.err
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.html")} == before
    firm.ok("note", "acme", "called")
    assert "1 file changed" in firm.ok("export", "site", "-o", str(out)).err  # acme.html
    assert not list(out.rglob("*.tmp")) and not list(out.rglob(".*"))


def test_a_failed_write_leaves_every_page_whole(
    firm: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from svctrack.storage import outdir

    out = tmp_path / "site"
    firm.ok("export", "site", "-o", str(out))
    old = {p: p.read_bytes() for p in out.rglob("*.html")}
    firm.ok("note", "acme", "a change on every page of it")
    firm.ok("set", "audit", "name", "Security audit, renamed")
    real = outdir.write_atomic
    calls = []

    def full_disk(path: Path, data: bytes, *args: object, **kwargs: object) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(outdir, "write_atomic", full_disk)
    result = firm.run("export", "site", "-o", str(out))
    assert result.code == 1
    assert result.err.startswith("error: ") and "the disk is full" in result.err
    assert "Traceback" not in result.err
    for path, data in old.items():  # each page is the old one or the new one, whole
        now = path.read_bytes()
        assert now == data or now.endswith(b"</html>\n"), path
    assert old[out / "index.html"] == (out / "index.html").read_bytes()  # not reached
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_o_must_be_a_folder(firm: Workspace, tmp_path: Path) -> None:
    afile = tmp_path / "index.html"
    afile.write_text("keep")
    refused = firm.run("export", "site", "-o", str(afile))
    assert refused.code == 1 and "not a folder" in refused.err
    assert afile.read_text() == "keep"
    assert firm.run("export", "site", "-o", "-").code == 1
    assert firm.run("export", "site").code == 2  # -o is required
    below = firm.run("export", "site", "-o", str(afile / "site"))
    assert below.code == 1 and below.err.startswith("error: ")
    deep = tmp_path / "a" / "b" / "site"
    firm.ok("export", "site", "-o", str(deep))
    assert (deep / "index.html").is_file()
    clash = tmp_path / "clash"
    clash.mkdir()
    (clash / "items").write_text("a file where the pages go")
    assert firm.run("export", "site", "-o", str(clash)).code == 1
    assert (clash / "items").read_text() == "a file where the pages go"


def test_in_russian_with_a_custom_pipeline(ws: Workspace, tmp_path: Path) -> None:
    config = ws.root / "svctrack.toml"
    config.write_text(
        config.read_text().replace('lang = "en"', 'lang = "ru"')
        + """
[pipelines.engagement]
label = "Job"
ru = "Заказ"
done = "closed"

[[pipelines.engagement.stages]]
id = "work"
label = "Work"
ru = "Работа"
gates = [{ id = "finished", label = "Work finished", ru = "Работа закончена" }]

[[pipelines.engagement.stages]]
id = "review"
label = "Review"
ru = "Проверка"
""",
        "utf-8",
    )
    ws.ok("service", "new", "audit", "--name", "Аудит")
    ws.ok("engagement", "new", "job", "--service", "audit", "--client", "Ромашка", "--due", "+3d")
    ws.ok("engagement", "new", "done", "--service", "audit", "--client", "Заря", "--due", "+3d")
    ws.ok("advance", "done", "--force")
    ws.ok("advance", "done", "--force")
    out = tmp_path / "site"
    ws.ok("export", "site", "-o", str(out))
    index = parse(out / "index.html")
    assert index.named("html")[0]["lang"] == "ru"
    words = index.words
    for expected in ("Доска", "Работа 1", "Проверка 0", "Ромашка", "График", "Сводка"):
        assert expected in words, expected
    assert "job" in words and "items/done.html" not in {a.get("href") for a in index.named("a")}
    job = parse(out / "items" / "job.html").words
    assert "Работа закончена" in job and "Заказ" in job


def test_a_broken_file_is_named_and_its_page_kept(firm: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "site"
    firm.ok("export", "site", "-o", str(out))
    firm.file("acme").write_text("stage = \n")
    result = firm.run("export", "site", "-o", str(out))
    assert result.code == 1 and "acme.toml" in result.err
    assert (out / "items" / "acme.html").is_file()
    assert (out / "index.html").is_file()


def test_progress_shows_on_a_terminal_only(firm: Workspace, tmp_path: Path) -> None:
    piped = run_process("-C", str(firm.root), "export", "site", "-o", str(tmp_path / "a"))
    assert piped.returncode == 0, piped.stderr
    assert "\x1b" not in piped.stderr and "\r" not in piped.stderr
    assert piped.stderr.count("\n") == 1  # the one `wrote` line
    if not hasattr(os, "openpty"):
        return
    controller, terminal = os.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "svctrack", "-C", str(firm.root), "export", "site", "-o",
             str(tmp_path / "b")],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=terminal, timeout=60,
            check=False, env={**os.environ, "TERM": "xterm"},
        )  # fmt: skip
    finally:
        os.close(terminal)
    shown = b""
    try:
        while chunk := os.read(controller, 65536):
            shown += chunk
    except OSError:
        pass
    os.close(controller)
    assert done.returncode == 0
    assert b"pages" in shown and b"wrote" in shown  # the bar (transient), then the line


# --- in a browser -----------------------------------------------------------------------------


def png_pixels_vary(data: bytes) -> bool:
    """Whether a PNG is more than one flat colour: its pixel rows, unfiltered, differ."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, chunks, header = 8, [], b""
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        body = data[at + 8 : at + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        at += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    step = max(1, depth // 8) * channels
    stride = width * step
    raw = zlib.decompress(b"".join(chunks))
    previous = bytearray(stride)
    colours = set()
    for row in range(height):
        line = raw[row * (stride + 1) : (row + 1) * (stride + 1)]
        kind, cur = line[0], bytearray(line[1:])
        for i in range(stride):
            left = cur[i - step] if i >= step else 0
            up = previous[i]
            corner = previous[i - step] if i >= step else 0
            if kind == 1:
                cur[i] = (cur[i] + left) & 255
            elif kind == 2:
                cur[i] = (cur[i] + up) & 255
            elif kind == 3:
                cur[i] = (cur[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                cur[i] = (cur[i] + pred) & 255
        if row % 16 == 0:
            colours.update(bytes(cur[i : i + step]) for i in range(0, stride, step * 7))
            if len(colours) > 8:
                return True
        previous = cur
    return len(colours) > 8


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[bytes]:
    assert CHROMIUM
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", *args],
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_chromium_draws_the_pages_and_reads_the_overdue(example: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "site"
    example.ok("export", "site", "-o", str(out))
    for page in (out / "index.html", out / "items" / "kaskad-audit.html"):
        shot = tmp_path / f"{page.stem}.png"
        done = chromium(
            f"--screenshot={shot}", "--window-size=1200,900", page.as_uri(), profile=tmp_path / "p"
        )
        assert shot.is_file(), done.stderr.decode(errors="replace")[-2000:]
        assert png_pixels_vary(shot.read_bytes()), page
    dom = chromium("--dump-dom", (out / "index.html").as_uri(), profile=tmp_path / "p")
    text = dom.stdout.decode("utf-8")
    assert "<script" not in text
    for overdue in ("lindqvist-crm", "helios-crm", "kaskad-audit", "cloud-migration"):
        assert overdue in text
    assert "overdue" in text


def test_a_blank_png_is_told_from_a_drawn_one() -> None:
    def png(rows: list[bytes], width: int) -> bytes:
        raw = b"".join(b"\x00" + r for r in rows)

        def chunk(kind: bytes, body: bytes) -> bytes:
            crc = zlib.crc32(kind + body)
            return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

        header = struct.pack(">IIBBBBB", width, len(rows), 8, 2, 0, 0, 0)
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))  # fmt: skip

    assert not png_pixels_vary(png([b"\xff" * 96] * 40, 32))
    drawn = [bytes((x * 7 + y * 13) % 256 for x in range(96)) for y in range(40)]
    assert png_pixels_vary(png(drawn, 32))
