#!/usr/bin/env python3
"""Translations of the pages (README "Languages"), in pure Python (Babel): no gettext needed.

    scripts/i18n.py compile        locale/<lang>/LC_MESSAGES/django.po -> django.mo (build output,
                                   git-ignored; make install / demo / test run it)
    scripts/i18n.py check [LANG]   list untranslated and fuzzy msgids; exit 1 if there are any
    scripts/i18n.py extract [LANG] msgids in the code that LANG's .po lacks (what makemessages
                                   would add), and .po msgids no longer in the code; exit 1 if any

``make messages`` runs Django's ``makemessages`` (gettext's xgettext/msgmerge) for every
language and then ``check``: the one command after adding strings to templates or code.

``extract`` reads the same files with the same keywords as ``makemessages -e html,txt,py``:
templates through Django's own ``templatize`` (what makemessages hands to xgettext), Python
files through Babel's Python extractor.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
# What makemessages reads (the Makefile's `messages` target passes the same ignores).
SOURCE_DIRS = (
    "portal",
    "catalogue",
    "landing",
    "doi",
    "oaipmh",
    "panosc",
    "scicat",
    "stats",
    "templates",
)
IGNORED_PARTS = {"migrations", "__pycache__", "tests", "node_modules"}
# Django's makemessages keywords (django/core/management/commands/makemessages.py).
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}


def _languages() -> list[str]:
    return sorted(p.name for p in LOCALE.iterdir() if (p / "LC_MESSAGES" / "django.po").exists())


def _po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "django.po"


def read_catalog(lang: str):
    from babel.messages.pofile import read_po

    with _po_path(lang).open("rb") as f:
        return read_po(f, locale=lang, ignore_obsolete=True)


def _key(message_id, context=None):
    msgid = message_id[0] if isinstance(message_id, (tuple, list)) else message_id
    return (context or None, msgid)


def compile_all() -> int:
    from babel.messages.mofile import write_mo

    for lang in _languages():
        catalog = read_catalog(lang)
        mo = _po_path(lang).with_suffix(".mo")
        with mo.open("wb") as f:
            # Fuzzy entries are left out, as gettext's msgfmt does.
            write_mo(f, catalog, use_fuzzy=False)
        print(f"compiled {mo.relative_to(ROOT)}")
    return 0


def untranslated(lang: str) -> tuple[list, list]:
    """(untranslated, fuzzy) messages of ``lang``'s catalogue."""
    catalog = read_catalog(lang)
    missing, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (tuple, list)) else [message.string]
        if message.fuzzy:
            fuzzy.append(message)
        elif not all(s and s.strip() for s in strings):
            missing.append(message)
    return missing, fuzzy


def check(langs: list[str]) -> int:
    bad = 0
    for lang in langs:
        missing, fuzzy = untranslated(lang)
        for message in missing:
            print(f"{lang}: untranslated: {_key(message.id)[1]!r}")
        for message in fuzzy:
            print(f"{lang}: fuzzy: {_key(message.id)[1]!r}")
        total = sum(1 for m in read_catalog(lang) if m.id)
        print(f"{lang}: {total} msgids, {len(missing)} untranslated, {len(fuzzy)} fuzzy")
        bad += len(missing) + len(fuzzy)
    return 1 if bad else 0


def _source_files():
    for top in SOURCE_DIRS:
        for dirpath, dirnames, filenames in os.walk(ROOT / top):
            dirnames[:] = [d for d in dirnames if d not in IGNORED_PARTS and not d.startswith(".")]
            for name in sorted(filenames):
                if name.endswith((".py", ".html", ".txt")):
                    yield Path(dirpath) / name


def code_msgids() -> dict[tuple, str]:
    """{(context, msgid): first file} of every translatable string in the code."""
    import io

    import django
    from babel.messages.extract import extract_python

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.utils.translation.template import templatize

    found: dict[tuple, str] = {}
    for path in _source_files():
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            source = text
        else:
            if "{% load" not in text or "i18n" not in text:
                continue
            # templatize writes one-line Python literals among blanked-out text; xgettext
            # ignores indentation, Python's tokenizer does not.
            source = "\n".join(
                line.lstrip() for line in templatize(text, origin=str(path)).splitlines()
            )
        options = {"encoding": "utf-8"}
        for _lineno, _func, message, _comments in extract_python(
            io.BytesIO(source.encode("utf-8")), KEYWORDS.keys(), [], options
        ):
            if message is None:
                continue
            if isinstance(message, tuple):
                if _func.startswith(("pgettext", "npgettext")):
                    context, msgid = message[0], message[1]
                else:
                    context, msgid = None, message[0]
            else:
                context, msgid = None, message
            if msgid:
                found.setdefault((context, msgid), str(path.relative_to(ROOT)))
    return found


def extract(langs: list[str]) -> int:
    code = code_msgids()
    bad = 0
    for lang in langs:
        catalog = read_catalog(lang)
        in_po = {_key(m.id, m.context) for m in catalog if m.id}
        for key in sorted(set(code) - in_po, key=lambda k: (code[k], k[1])):
            print(f"{lang}: not in the .po (run `make messages`): {key[1]!r} ({code[key]})")
            bad += 1
        for key in sorted(in_po - set(code), key=lambda k: k[1]):
            print(f"{lang}: in the .po but not in the code: {key[1]!r}")
            bad += 1
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["compile", "check", "extract"])
    parser.add_argument("languages", nargs="*")
    args = parser.parse_args(argv)
    langs = args.languages or _languages()
    if args.command == "compile":
        return compile_all()
    if args.command == "check":
        return check(langs)
    return extract(langs)


if __name__ == "__main__":
    sys.exit(main())
