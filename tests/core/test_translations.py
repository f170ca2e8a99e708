"""The Russian catalog is complete, compiled, and covers every string the code translates."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

PACKAGE = Path(__file__).resolve().parents[2] / "rogatory"
CATALOG = PACKAGE / "locale" / "ru" / "LC_MESSAGES"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}


def _catalog():
    with (CATALOG / "django.po").open("rb") as stream:
        return read_po(stream, locale="ru")


def _key(message) -> tuple[str | None, str]:
    context = message.context
    if isinstance(context, bytes):  # read_mo leaves the context undecoded
        context = context.decode()
    return context, message.id if isinstance(message.id, str) else message.id[0]


def test_every_russian_message_is_translated_and_reviewed():
    missing = [
        _key(message)
        for message in _catalog()
        if message.id and (message.fuzzy or not all(_forms(message.string)))
    ]
    assert missing == []


def test_compiled_catalog_matches_its_source():
    with (CATALOG / "django.mo").open("rb") as stream:
        compiled = {
            _key(message): _forms(message.string) for message in read_mo(stream) if message.id
        }
    source = {_key(message): _forms(message.string) for message in _catalog() if message.id}
    assert compiled == source


def test_every_translated_string_in_the_code_is_in_the_catalog():
    known = {_key(message) for message in _catalog() if message.id}
    in_code = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        PACKAGE, method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        in_code.add((context, message if isinstance(message, str) else message[0]))
    assert len(in_code) > 100  # the extraction found the code's strings
    assert sorted(in_code - known, key=str) == []


def _forms(string) -> tuple[str, ...]:
    return (string,) if isinstance(string, str) else tuple(string)


def test_translation_functions_are_imported_only_under_names_the_extractor_knows():
    # A string marked with an alias such as `_lazy(...)` is never extracted, so it is never
    # translated, and the test above cannot see it either.
    aliases = re.compile(r"from django\.utils\.translation import[^\n]*\bas (\w+)")
    unknown = {
        (str(path.relative_to(PACKAGE)), alias)
        for path in PACKAGE.rglob("*.py")
        for alias in aliases.findall(path.read_text(encoding="utf-8"))
        if alias not in KEYWORDS
    }
    assert unknown == set()
