"""Messages in the workspace language: the gettext catalogs of qmsdocs and the active language.

English is the language of the source: every message is written in English and marked with
:func:`_`; ``qmsdocs/locale/zh_CN/LC_MESSAGES/qmsdocs.mo`` (compiled from the ``.po`` beside it by
``python -m tools.catalog``) carries its Chinese. One language is active per process. The command line
sets it from the workspace's ``language`` setting once the workspace is open, and before that
(or without a workspace) from :func:`default_language`: ``QMS_LANG``, else the locale, else English.
Messages with values are format strings, filled after translation:
``_("Document {doc_no} is not in the register").format(doc_no=doc_no)``.
"""
from __future__ import annotations

import contextlib
import functools
import gettext
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

LANGUAGES = ("zh", "en")
DOMAIN = "qmsdocs"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: The gettext locale folder of each language that has a catalog (English is the source).
CATALOGS = {"zh": "zh_CN"}

_active = "en"


def _(message: str) -> str:
    """Return ``message`` in the active language (itself when English or not in the catalog)."""
    if _active == "en":
        return message
    return _catalog(_active).gettext(message)


def N_(message: str) -> str:
    """Return ``message`` unchanged: marks a text for the catalog that is translated where it is shown."""
    return message


@functools.lru_cache(maxsize=None)
def _catalog(language: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[CATALOGS[language]], fallback=True)


def language() -> str:
    """Return the active message language, ``zh`` or ``en``."""
    return _active


def set_language(language: str) -> str:
    """Make ``language`` (``zh`` or ``en``; anything else means English) active; return the one it replaces."""
    global _active
    previous = _active
    _active = language if language in LANGUAGES else "en"
    return previous


@contextlib.contextmanager
def using(language: str) -> Iterator[None]:
    """Make ``language`` active for the ``with`` block, then restore the one before."""
    previous = set_language(language)
    try:
        yield
    finally:
        set_language(previous)


def language_of(tag: str | None) -> str | None:
    """Return ``zh`` or ``en`` for a language tag or locale name (``zh_CN.UTF-8``, ``en-US``, ``Chinese_China``)."""
    text = (tag or "").strip().lower()
    if text.startswith(("zh", "chinese")):
        return "zh"
    if text.startswith(("en", "english", "c.", "posix")) or text in ("c", "posix"):
        return "en"
    return None


def default_language(environ: Mapping[str, str] | None = None) -> str:
    """Return the message language where no workspace says it: ``QMS_LANG``, else the locale, else ``en``.

    The locale is read as gettext reads it (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``),
    then, where none is set (Windows), from the system locale.
    """
    env = os.environ if environ is None else environ
    chosen = language_of(env.get("QMS_LANG"))
    if chosen:
        return chosen
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return language_of(value.split(":")[0]) or "en"
    if environ is None:
        import locale

        with contextlib.suppress(ValueError, TypeError):
            return language_of(locale.getlocale()[0]) or "en"
    return "en"
