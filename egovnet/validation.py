"""Checks for every value a person types. Pure functions; each raises InvalidInput naming the value.

Chinese names live in the database and in notices only; the ASCII ``code`` is the one identifier that
may ever reach a device (see devices/safety.py for the check on rendered commands).
"""

from __future__ import annotations

import re
import unicodedata

from egovnet.errors import InvalidInput

CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,30}$")
# Cc control, Cf format (bidi overrides, zero-width), Cs surrogates, Co private use, Zl/Zp separators
_BANNED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_ADDRESS_DROP = re.compile(r"[\s,，.。、·\-－—_#＃()（）:：;；/]+")
_ADDRESS_PREFIXES = ("上海市", "上海", "青浦区")


def _bad_char(text: str, allow_newlines: bool = False) -> str | None:
    for ch in text:
        if allow_newlines and ch == "\n":
            continue
        if unicodedata.category(ch) in _BANNED_CATEGORIES:
            return f"U+{ord(ch):04X}"
    return None


def clean_name(value, what: str, max_len: int = 64) -> str:
    """A one-line name: NFC-normalised, trimmed, no control or format characters, <= max_len."""
    if value is None:
        raise InvalidInput(f"{what} is missing; give a name")
    text = unicodedata.normalize("NFC", str(value)).strip()
    if not text:
        raise InvalidInput(f"{what} is empty; give a name")
    bad = _bad_char(text)
    if bad:
        raise InvalidInput(f"{what} {_show(text)} contains the control or format character {bad}; "
                           "names are one line of printable text")
    if len(text) > max_len:
        raise InvalidInput(f"{what} {_show(text)} is {len(text)} characters long; at most {max_len} are allowed")
    return text


def clean_text(value, what: str, max_len: int = 2000, required: bool = False) -> str:
    """Free text (a basis, a purpose, a reason): newlines allowed, other control characters not."""
    text = unicodedata.normalize("NFC", "" if value is None else str(value)).strip()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if required and not text:
        raise InvalidInput(f"{what} is empty; it is required")
    bad = _bad_char(text, allow_newlines=True)
    if bad:
        raise InvalidInput(f"{what} contains the control or format character {bad}; remove it")
    if len(text) > max_len:
        raise InvalidInput(f"{what} is {len(text)} characters long; at most {max_len} are allowed")
    return text


def clean_code(value, what: str = "code") -> str:
    text = "" if value is None else str(value)
    if not CODE_RE.fullmatch(text):
        raise InvalidInput(
            f"{what} {_show(text)} is not a valid device-safe code: it must match "
            "^[A-Za-z][A-Za-z0-9_-]{0,30}$ (an ASCII letter, then up to 30 letters, digits, '_' or '-')"
        )
    return text


def address_key(address: str) -> str:
    """Normalised office address for Art. 14 (one link per address): width, spaces, punctuation, prefixes."""
    text = unicodedata.normalize("NFKC", address or "").lower()
    text = _ADDRESS_DROP.sub("", text)
    changed = True
    while changed:
        changed = False
        for prefix in _ADDRESS_PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix):
                text, changed = text[len(prefix):], True
    return text


def _show(text: str) -> str:
    """Quote a value for an error message without letting it break the line."""
    shown = text if len(text) <= 40 else text[:40] + "…"
    return repr(shown)
