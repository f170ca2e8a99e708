"""What an uploaded document really is, read from its bytes, and the name it is kept under.

The name a browser sends and the type it claims are the user's word; neither decides anything.
The content is read: its signature, the parts inside a ZIP container, the streams inside an OLE
compound file, or for a file without a signature whether it is text and not markup. Only the
types in `DOCUMENT_TYPES` are kept, and the type stored is the one found. A name whose extension
says another type than the content is refused, so that a page or a program never travels under
a harmless name. The original name is kept as data only, cleaned of paths and control
characters; the stored file has a generated name.
"""

import codecs
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

import puremagic
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from rogatory.core.exceptions import ValidationError
from rogatory.core.formats import format_megabytes

_FALLBACK_NAME = "document"
_NAME_LENGTH = 255
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,8}")
_CHUNK = 1 << 20

# A ZIP whose parts would unpack to more than this, or this many times its own size, is refused:
# whoever opened it would fill their disk (a "zip bomb").
ZIP_UNPACKED_LIMIT = 2 * 1024 * 1024 * 1024
ZIP_RATIO_LIMIT = 200
ZIP_PARTS_LIMIT = 10_000

_PDF = b"%PDF-"
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_TIFF = (b"II*\x00", b"MM\x00*")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_RTF = b"{\\rtf"
# The names of the main stream of a Word and of an Excel file, as an OLE directory spells them.
_OLE_WORD = "WordDocument\x00".encode("utf-16-le")
_OLE_EXCEL = ("Workbook\x00".encode("utf-16-le"), "Book\x00".encode("utf-16-le"))

# What a browser would sniff as a page (WHATWG MIME sniffing) at the start of a file, and the
# elements that run script wherever they appear.
_MARKUP_START = re.compile(
    r"\s*<(?:!doctype\s+html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br"
    r"|p|!--|\?xml|svg)[\s>/]",
    re.IGNORECASE,
)
_MARKUP_ANYWHERE = re.compile(r"<(?:script|html|svg|iframe|object|embed|body)[\s>/]", re.I)
_MARKUP_OVERLAP = 16
# Characters a text file has no business holding (NUL and the other C0 controls but tab, line
# feed, form feed and carriage return).
_BINARY_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")

# Extensions that name a program, a page or a script: never kept, whatever the content.
_DANGEROUS_EXTENSIONS = frozenset(
    [
        ".apk",
        ".app",
        ".bat",
        ".cmd",
        ".com",
        ".cpl",
        ".dll",
        ".docm",
        ".dotm",
        ".exe",
        ".hta",
        ".htm",
        ".html",
        ".jar",
        ".js",
        ".jse",
        ".lnk",
        ".mht",
        ".mhtml",
        ".mjs",
        ".msi",
        ".php",
        ".pl",
        ".ps1",
        ".py",
        ".reg",
        ".scr",
        ".sh",
        ".shtml",
        ".svg",
        ".svgz",
        ".swf",
        ".vbe",
        ".vbs",
        ".wsf",
        ".xhtml",
        ".xlsm",
        ".xltm",
        ".xml",
        ".xsl",
    ]
)


@dataclass(frozen=True)
class DocumentType:
    """A type of file Rogatory keeps: its MIME type, its extensions, and how to name it."""

    content_type: str
    extensions: frozenset[str]
    label: str


def _type(content_type: str, extensions: str, label: str) -> DocumentType:
    return DocumentType(content_type, frozenset(extensions.split()), label)


PDF = _type("application/pdf", ".pdf", gettext_lazy("a PDF document"))
DOC = _type("application/msword", ".doc .dot", gettext_lazy("a Word 97–2003 document"))
XLS = _type("application/vnd.ms-excel", ".xls .xlt", gettext_lazy("an Excel 97–2003 workbook"))
DOCX = _type(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".docx",
    gettext_lazy("a Word document"),
)
XLSX = _type(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsx",
    gettext_lazy("an Excel workbook"),
)
ODT = _type("application/vnd.oasis.opendocument.text", ".odt", gettext_lazy("an OpenDocument text"))
ODS = _type(
    "application/vnd.oasis.opendocument.spreadsheet",
    ".ods",
    gettext_lazy("an OpenDocument spreadsheet"),
)
ZIP = _type("application/zip", ".zip", gettext_lazy("a ZIP archive"))
JPEG = _type("image/jpeg", ".jpg .jpeg .jpe .jfif", gettext_lazy("a JPEG image"))
PNG = _type("image/png", ".png", gettext_lazy("a PNG image"))
TIFF = _type("image/tiff", ".tif .tiff", gettext_lazy("a TIFF image"))
CSV = _type("text/csv", ".csv", gettext_lazy("CSV text"))
TEXT = _type("text/plain", ".txt .text .tsv .log", pgettext_lazy("file type", "plain text"))

_SIGNATURES = ((_PDF, PDF), (_PNG, PNG), (_JPEG, JPEG), *((tiff, TIFF) for tiff in _TIFF))

DOCUMENT_TYPES = (PDF, DOC, XLS, DOCX, XLSX, ODT, ODS, ZIP, JPEG, PNG, TIFF, CSV, TEXT)
_KNOWN_EXTENSIONS = frozenset().union(*(kind.extensions for kind in DOCUMENT_TYPES))
# For a file chooser's `accept`, in a stable order.
DOCUMENT_EXTENSIONS = tuple(sorted(_KNOWN_EXTENSIONS))
_ODF_TYPES = {ODT.content_type: ODT, ODS.content_type: ODS}


class DocumentRefused(ValidationError):
    """A file that is not one of the types Rogatory keeps, or not what its name says."""

    def __init__(self, message: str, *, extra: dict | None = None) -> None:
        super().__init__(message, extra={"field": "file", **(extra or {})})


class DocumentTooLargeError(DocumentRefused):
    """A file larger than ROGATORY_MAX_UPLOAD_BYTES."""


def document_name_clean(original_name: str) -> str:
    """Return the last part of a file name, without control characters, fit to keep as data.

    Both `/` and `\\` end a directory, so "../../etc/passwd" becomes "passwd"; NUL, line
    breaks and invisible direction marks are removed; the name is cut to 255 characters with
    its extension kept; an empty or dots-only name becomes "document".
    """
    name = unicodedata.normalize("NFC", original_name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    name = " ".join(name.split()).strip(". ")
    if not name:
        return _FALLBACK_NAME
    if len(name) > _NAME_LENGTH:
        suffix = PurePosixPath(name).suffix
        suffix = suffix if _EXTENSION.fullmatch(suffix) else ""
        name = name[: _NAME_LENGTH - len(suffix)].rstrip(". ") + suffix
    return name


def document_size_check(*, name: str, size: int, limit: int) -> None:
    """Raise DocumentTooLargeError once `size` bytes of the file `name` pass `limit`."""
    if size > limit:
        raise DocumentTooLargeError(
            _("The file %(name)s is larger than %(limit)s, the most a document may have.")
            % {"name": name, "limit": format_megabytes(limit)}
        )


def document_type_check(*, file: IO[bytes], name: str) -> DocumentType:
    """Return the type of the file's content, or raise DocumentRefused naming what was found.

    `file` must be seekable; it is read from the start and left at an unknown position.
    `name` is the cleaned original name: its extension must agree with the content.
    """
    file.seek(0)
    head = file.read(4096)
    if not head:
        raise DocumentRefused(_("The file %(name)s is empty.") % {"name": name})
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in _DANGEROUS_EXTENSIONS:
        raise DocumentRefused(
            _(
                "The file %(name)s ends in %(suffix)s, a kind of file Rogatory does not keep; "
                "attach PDF, Office, OpenDocument, image, CSV or text files."
            )
            % {"name": name, "suffix": suffix}
        )
    found = _detect(file, head=head, name=name, suffix=suffix)
    if suffix in _KNOWN_EXTENSIONS and suffix not in found.extensions:
        raise DocumentRefused(
            _("The file %(name)s is not what its name says: its content is %(found)s.")
            % {"name": name, "found": found.label}
        )
    return found


def _detect(file: IO[bytes], *, head: bytes, name: str, suffix: str) -> DocumentType:
    for signature, found in _SIGNATURES:
        if head.startswith(signature):
            return found
    if head.startswith(_ZIP):
        return _zip_type(file, name=name)
    if head.startswith(_OLE):
        return _ole_type(file, name=name)
    if head.startswith(_RTF):
        raise _not_kept(name, _("an RTF document"))
    return _text_type(file, name=name, suffix=suffix, head=head)


def binary_content_found(head: bytes) -> str:
    """Name what a file's first bytes show it to be when it is not text, or return ""."""
    for signature, found in _SIGNATURES:
        if head.startswith(signature):
            return str(found.label)
    if head.startswith(_ZIP):
        return str(ZIP.label)
    if head.startswith(_OLE):
        return _("an OLE compound file (Word or Excel 97–2003)")
    # Text with a stray control character is the reader's to report, by row and column.
    if not _BINARY_CHARACTERS.search(head.decode("latin-1")):
        return ""
    return _signature(head)


def _not_kept(name: str, found: str) -> DocumentRefused:
    return DocumentRefused(
        _(
            "The file %(name)s is not a kind of file Rogatory keeps: its content is %(found)s. "
            "Attach PDF, Office, OpenDocument, image, CSV or text files."
        )
        % {"name": name, "found": found}
    )


def _signature(head: bytes) -> str:
    """Name the type a file's first bytes show, as puremagic knows it, or return ""."""
    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        return ""
    # A short match (two letters, a single byte) at low confidence happens by chance.
    for match in matches:
        if match.confidence >= 0.4 or len(match.byte_match) >= 4:
            label = match.name or match.mime_type or match.extension
            return f"“{label}”" + (f" ({match.extension})" if match.extension else "")
    return ""


def _zip_type(file: IO[bytes], *, name: str) -> DocumentType:
    file.seek(0, 2)
    size = max(file.tell(), 1)
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _not_kept(name, _("a damaged ZIP archive")) from None
    with archive:
        parts = archive.infolist()
        unpacked = sum(part.file_size for part in parts)
        if (
            len(parts) > ZIP_PARTS_LIMIT
            or unpacked > ZIP_UNPACKED_LIMIT
            or unpacked / size > ZIP_RATIO_LIMIT
        ):
            raise DocumentRefused(
                _(
                    "The file %(name)s would unpack to %(unpacked)s in %(parts)d parts; "
                    "Rogatory does not keep archives that expand so much."
                )
                % {"name": name, "unpacked": format_megabytes(unpacked), "parts": len(parts)}
            )
        names = {part.filename for part in parts}
        try:
            return _container_type(archive, names, name=name)
        except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError):
            raise _not_kept(name, _("a damaged ZIP archive")) from None


def _container_type(archive: zipfile.ZipFile, names: set[str], *, name: str) -> DocumentType:
    macros = any(
        part.lower().endswith("vbaproject.bin") or part.startswith(("Basic/", "Scripts/"))
        for part in names
    )
    if macros:
        raise DocumentRefused(
            _(
                "The file %(name)s contains macros, which Rogatory does not keep; save it "
                "without macros and attach it again."
            )
            % {"name": name}
        )
    if "mimetype" in names:
        declared = archive.open("mimetype").read(100).decode("ascii", "replace").strip()
        if declared in _ODF_TYPES:
            return _ODF_TYPES[declared]
        raise _not_kept(name, _("an OpenDocument file of type “%(type)s”") % {"type": declared})
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
        raise _not_kept(name, _("an Office file that is neither Word nor Excel"))
    return ZIP


def _ole_type(file: IO[bytes], *, name: str) -> DocumentType:
    """Tell a Word file from an Excel one by the name of its main stream."""
    word = excel = False
    carried = b""
    file.seek(0)
    for chunk in iter(lambda: file.read(_CHUNK), b""):
        window = carried + chunk
        word = word or _OLE_WORD in window
        excel = excel or any(stream in window for stream in _OLE_EXCEL)
        carried = window[-32:]
    if word and not excel:
        return DOC
    if excel and not word:
        return XLS
    raise _not_kept(name, _("an OLE compound file that is neither Word nor Excel"))


def _text_type(file: IO[bytes], *, name: str, suffix: str, head: bytes) -> DocumentType:
    """Return CSV or plain text for a file that decodes as text and holds no markup."""
    for encoding in _encodings(file):
        outcome = _text_check(file, encoding=encoding)
        if outcome == "markup":
            raise _not_kept(name, _("an HTML page or a script"))
        if outcome == "text":
            return CSV if suffix in CSV.extensions else TEXT
    # Not text: name the format if puremagic knows its signature.
    found = _signature(head) or _("binary data that is not text in UTF-8, UTF-16 or Windows-1251")
    raise _not_kept(name, found)


def _encodings(file: IO[bytes]) -> tuple[str, ...]:
    file.seek(0)
    start = file.read(4)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return ("utf-16",)
    return ("utf-8-sig", "cp1251")


def _text_check(file: IO[bytes], *, encoding: str) -> str:
    """Return "text", "markup", or "" when the file does not decode with `encoding`."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    file.seek(0)
    carried = ""
    first = True
    try:
        for chunk in iter(lambda: file.read(_CHUNK), b""):
            text = decoder.decode(chunk)
            if _BINARY_CHARACTERS.search(text):
                return ""
            if first and _MARKUP_START.match(text):
                return "markup"
            if _MARKUP_ANYWHERE.search(carried + text):
                return "markup"
            first = first and not text
            carried = text[-_MARKUP_OVERLAP:]
        tail = decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return ""
    if _BINARY_CHARACTERS.search(tail):
        return ""
    return "markup" if _MARKUP_ANYWHERE.search(carried + tail) else "text"
