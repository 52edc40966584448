"""Message catalogues without GNU gettext: extract with Babel and Django's template lexer,
compile with Babel. ``homeward messages extract`` and ``homeward messages compile`` call these.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract as babel_extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

PACKAGE_DIR = Path(__file__).resolve().parent.parent
LOCALE_DIR = PACKAGE_DIR / "locale"
LANGUAGES = ("az", "hy", "ru", "en")
DOMAIN = "django"
KEYWORDS = {
    # the engines mark their messages with N_ (they have no language; pages translate at the edge)
    "N_": None,
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}


def _sources(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if "migrations" in path.parts or "locale" in path.parts or not path.is_file():
            continue
        if path.suffix in {".py", ".html", ".txt"}:
            yield path


def _python_source(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        return text
    if "templates" not in path.parts:
        return ""
    from django.utils.translation.template import templatize

    # templatize keeps the template's indentation, which Python's tokenizer may reject (an attribute
    # continued on an indented line); each gettext call sits on one line, so the indent can go.
    return "\n".join(line.lstrip() for line in templatize(text, origin=str(path)).splitlines())


def extract(root: Path = PACKAGE_DIR) -> Catalog:
    """Every translatable string in the package's Python code and templates."""
    catalog = Catalog(project="Homeward", charset="utf-8", fuzzy=False)
    for path in _sources(root):
        source = _python_source(path)
        if not source:
            continue
        relative = path.relative_to(root.parent).as_posix()
        for lineno, message, comments, context in babel_extract(
            "python", io.BytesIO(source.encode("utf-8")), keywords=KEYWORDS, options={"encoding": "utf-8"}
        ):
            catalog.add(message, locations=[(relative, lineno)], auto_comments=comments, context=context)
    return catalog


def update_po_files(locale_dir: Path = LOCALE_DIR) -> dict[str, int]:
    """Merge the extracted template into each language's .po; return untranslated counts."""
    template = extract()
    untranslated = {}
    for language in LANGUAGES:
        po_path = locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        po_path.parent.mkdir(parents=True, exist_ok=True)
        if po_path.exists():
            with po_path.open("rb") as handle:
                catalog = read_po(handle, locale=language)
        else:
            catalog = Catalog(locale=language, project="Homeward", charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.fuzzy = False
        with po_path.open("wb") as handle:
            write_po(handle, catalog, width=100, omit_header=False, sort_output=False, ignore_obsolete=True)
        untranslated[language] = sum(1 for message in catalog if message.id and not _translated(message.string))
    return untranslated


def _translated(string: object) -> bool:
    if isinstance(string, tuple | list):
        return all(string)
    return bool(string)


def _stale_catalogues(locale_dir: Path) -> list[tuple[Path, bytes]]:
    """Each .mo that differs from what its .po compiles to, with the bytes it should hold."""
    stale = []
    for po_path in sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parent.parent.name)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.read_bytes() != buffer.getvalue():
            stale.append((mo_path, buffer.getvalue()))
    return stale


def compile_catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Compile every .po under ``locale_dir`` into its .mo; return the files written."""
    written = []
    for mo_path, compiled in _stale_catalogues(locale_dir):
        mo_path.write_bytes(compiled)
        written.append(mo_path)
    return written


def compiled_is_current(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """The .mo files that differ from what their .po would compile to."""
    return [mo_path for mo_path, _ in _stale_catalogues(locale_dir)]
