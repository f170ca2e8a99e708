"""Documents are checked by their bytes, limited in size while they stream, and kept under
generated names; the name the user's file had is data only."""

import io
import zipfile

import pytest
from openpyxl import Workbook
from PIL import Image

from rogatory.audit.models import AuditRecord
from rogatory.register import services, storage
from rogatory.register.documents import (
    DocumentRefused,
    DocumentTooLargeError,
    document_name_clean,
)
from rogatory.register.models import Document

from .factories import make_request

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


def _attach(content: bytes | io.RawIOBase, name: str, *, claimed: str = "", request=None):
    return services.document_attach(
        actor=None,
        request=request or make_request(),
        kind=Document.Kind.REQUEST,
        title="",
        original_name=name,
        content_type=claimed,
        content=io.BytesIO(content) if isinstance(content, bytes) else content,
    )


def _zip(parts: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", compression=compression) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    return stream.getvalue()


def _image(image_format: str) -> bytes:
    stream = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(stream, format=image_format)
    return stream.getvalue()


def _xlsx() -> bytes:
    workbook = Workbook()
    workbook.active.append(["reference", "country"])
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def _ole(stream_name: str) -> bytes:
    # An OLE compound file as far as the check reads it: the signature, then a directory entry.
    return (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 504
        + f"{stream_name}\x00".encode("utf-16-le")
        + b"\x00" * 1024
    )


DOCX = _zip(
    {
        "[Content_Types].xml": b"<Types/>",
        "word/document.xml": b"<w:document/>",
    }
)
ODT = _zip(
    {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"},
    compression=zipfile.ZIP_STORED,
)
ODS = _zip(
    {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<o/>"},
    compression=zipfile.ZIP_STORED,
)

ACCEPTED = [
    ("letter.pdf", PDF, "application/pdf"),
    ("scan", PDF, "application/pdf"),
    ("reply.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("list.xlsx", _xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("reply.odt", ODT, "application/vnd.oasis.opendocument.text"),
    ("figures.ods", ODS, "application/vnd.oasis.opendocument.spreadsheet"),
    ("old.doc", _ole("WordDocument"), "application/msword"),
    ("old.xls", _ole("Workbook"), "application/vnd.ms-excel"),
    ("bundle.zip", _zip({"a.pdf": PDF, "b.txt": b"note"}), "application/zip"),
    ("photo.jpg", _image("JPEG"), "image/jpeg"),
    ("photo.PNG", _image("PNG"), "image/png"),
    ("scan.tiff", _image("TIFF"), "image/tiff"),
    ("cases.csv", "номер,страна\nA-1,CH\n".encode(), "text/csv"),
    ("note.txt", "Запрос о правовой помощи".encode("cp1251"), "text/plain"),
    ("note.txt", "Запрос о правовой помощи".encode("utf-16"), "text/plain"),
    ("note.txt", b"\xef\xbb\xbfa < b, and b > c\r\n", "text/plain"),
]


@pytest.mark.parametrize(("name", "content", "expected"), ACCEPTED)
def test_document_attach_stores_the_type_read_from_the_content(media_root, name, content, expected):
    document = _attach(content, name, claimed="text/html")

    assert document.content_type == expected
    assert (media_root / document.storage_name).read_bytes() == content


REFUSED = [
    ("report.pdf", b"<!DOCTYPE html><html><body>x</body></html>", "HTML page"),
    ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 200, "keeps"),
    ("report.pdf", b"\x7fELF\x02\x01\x01\x00" + b"\0" * 200, "ELF"),
    ("report.pdf", b"hello, plain text", "not what its name says: its content is plain text"),
    ("report.docx", PDF, "its content is a PDF document"),
    ("report.txt", b"  <script>alert(1)</script>", "HTML page or a script"),
    ("notes.csv", b"a,b\n1,<svg onload=alert(1)>\n", "HTML page or a script"),
    ("image.png", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "HTML page or a script"),
    ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', ".svg"),
    ("page.html", b"plain words", ".html"),
    ("setup.exe", PDF, ".exe"),
    ("data.bin", b"abc\x00\x01\x02def", "binary data"),
    ("letter.rtf", b"{\\rtf1\\ansi hello}", "an RTF document"),
    ("anim.gif", b"GIF89a" + b"\0" * 50, "GIF"),
    (
        "report.docx",
        _zip({"[Content_Types].xml": b"<T/>", "ppt/presentation.xml": b"<p/>"}),
        "neither Word nor Excel",
    ),
    ("report.docx", _zip({"a.txt": b"x"}), "its content is a ZIP archive"),
    (
        "report.docx",
        _zip(
            {
                "[Content_Types].xml": b"<T/>",
                "word/document.xml": b"<w/>",
                "word/vbaProject.bin": b"\0",
            }
        ),
        "macros",
    ),
    (
        "slides.odp",
        _zip(
            {"mimetype": b"application/vnd.oasis.opendocument.presentation"},
            compression=zipfile.ZIP_STORED,
        ),
        "opendocument.presentation",
    ),
    ("report.docx", b"PK\x03\x04 broken beyond repair", "damaged ZIP"),
    ("old.doc", _ole("Root Entry"), "neither Word nor Excel"),
    ("empty.pdf", b"", "is empty"),
]


@pytest.mark.parametrize(("name", "content", "found"), REFUSED)
def test_document_attach_refuses_what_is_not_what_it_says(media_root, name, content, found):
    request = make_request()
    audit_before = AuditRecord.objects.count()

    with pytest.raises(DocumentRefused) as refused:
        _attach(content, name, claimed="application/pdf", request=request)

    assert name in refused.value.message
    assert found in refused.value.message
    assert refused.value.extra["field"] == "file"
    assert not Document.objects.exists()
    assert _files(media_root) == []
    assert AuditRecord.objects.count() == audit_before


def test_document_attach_refuses_a_zip_bomb_disguised_as_docx(media_root):
    bomb = _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"\0" * (20 * 1024 * 1024),
        }
    )
    assert len(bomb) < 100_000

    with pytest.raises(DocumentRefused) as refused:
        _attach(bomb, "contract.docx")

    assert "would unpack to 20 MB" in refused.value.message
    assert _files(media_root) == []


class _Endless(io.RawIOBase):
    """A body that never ends, counting what was read of it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = 1 << 16 if size is None or size < 0 else size
        self.read_bytes += size
        return b"%PDF" + b"\0" * (size - 4)


def test_document_attach_stops_reading_at_the_limit_and_stores_nothing(media_root, settings):
    settings.ROGATORY_MAX_UPLOAD_BYTES = 1024 * 1024
    endless = _Endless()

    with pytest.raises(DocumentTooLargeError) as refused:
        _attach(endless, "endless.pdf")

    assert refused.value.message == (
        "The file endless.pdf is larger than 1 MB, the most a document may have."
    )
    assert endless.read_bytes <= 1024 * 1024 + (1 << 16)
    assert not Document.objects.exists()
    assert _files(media_root) == []


def test_document_attach_takes_a_file_of_exactly_the_limit(media_root, settings):
    settings.ROGATORY_MAX_UPLOAD_BYTES = len(PDF)

    document = _attach(PDF, "letter.pdf")

    assert document.size == len(PDF)


HOSTILE_NAMES = [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\windows\\win.ini", "win.ini"),
    ("%2e%2e/%2e%2e/secret.pdf", "secret.pdf"),
    ("%2e%2e%2fsecret.pdf", "%2e%2e%2fsecret.pdf"),
    ("/absolute/path/letter.pdf", "letter.pdf"),
    ("C:\\Users\\clerk\\letter.pdf", "letter.pdf"),
    ("letter\x00.exe.pdf", "letter.exe.pdf"),
    ("letter\r\nX-Injected: 1.pdf", "letterX-Injected: 1.pdf"),
    ("evil\u202efdp.exe", "evilfdp.exe"),
    ("..", "document"),
    ("...", "document"),
    ("", "document"),
    ('quote"d;name=x.pdf', 'quote"d;name=x.pdf'),
]


@pytest.mark.parametrize(("given", "kept"), HOSTILE_NAMES)
def test_document_name_clean_keeps_only_a_plain_last_part(given, kept):
    assert document_name_clean(given) == kept


def test_document_name_clean_cuts_a_long_name_and_keeps_its_extension():
    cleaned = document_name_clean("a" * 1000 + ".pdf")

    assert len(cleaned) == 255
    assert cleaned.endswith("aaa.pdf")


@pytest.mark.parametrize(
    "given",
    [name for name, _kept in HOSTILE_NAMES if not name.endswith(".exe")]
    + ["a" * 1000 + ".pdf", "x/" * 500 + "y.pdf"],
)
def test_a_hostile_name_never_reaches_the_storage(media_root, monkeypatch, given):
    saved: list[str] = []
    save = storage.default_storage.save

    def _spy(name, content, **kwargs):
        saved.append(name)
        return save(name, content, **kwargs)

    monkeypatch.setattr(storage.default_storage, "save", _spy)

    document = _attach(PDF, given)

    assert document.original_name == document_name_clean(given)
    assert len(document.original_name) <= 255
    assert saved == [document.storage_name]
    assert saved[0].startswith("documents/")
    assert saved[0].rsplit("/", 1)[-1].isalnum()
    (stored,) = _files(media_root)
    assert stored.resolve().is_relative_to(media_root.resolve())
    assert stored.name == saved[0].rsplit("/", 1)[-1]


def test_document_attach_refuses_a_control_character_disguised_executable(media_root):
    with pytest.raises(DocumentRefused) as refused:
        _attach(PDF, "evil\u202efdp.exe")

    assert "ends in .exe" in refused.value.message
    assert _files(media_root) == []


def test_document_fetch_sends_the_cleaned_name_of_a_document_stored_before_the_checks(
    media_root,
):
    document = _attach(PDF, "letter.pdf")
    Document.objects.filter(pk=document.pk).update(original_name="../x\r\ny.pdf")

    fetched = services.document_fetch(actor=None, request=document.request, document_id=document.pk)
    fetched.file.close()

    assert fetched.filename == "xy.pdf"
