"""The language of the interface: English (the msgids) or Chinese (zh_CN), through stdlib gettext.

Which language: ``EGOVNET_LANG``, else the locale as GNU gettext reads it (``LANGUAGE``, ``LC_ALL``,
``LC_MESSAGES``, ``LANG``, in that order; ``LANGUAGE`` is ignored when the locale is C/POSIX, as GNU gettext
does). ``zh``, ``zh_CN``, ``zh_SG``, ``zh_Hans`` (any encoding) mean Chinese; ``C``, ``POSIX`` and ``en*``
mean English; any other language is skipped for the next one in the list, and English is the end of the list.

The catalog: ``egovnet/locale/zh_CN/LC_MESSAGES/egovnet.po`` is the source under version control (built with
Babel: ``pybabel extract`` / ``update``, see the README). The ``.mo`` file that stdlib gettext reads is compiled
from it at first use into ``$XDG_CACHE_HOME/egovnet/locale/<hash of the .po>/`` (``~/.cache`` without it), so an
installed wheel, an editable install and a source tree all work and nothing needs Babel at run time; when the
cache cannot be written the compiled catalog is read from memory. A message not in the catalog (or fuzzy, or
empty) stays English.

Three ways text reaches the catalog:
- ``_("...")`` translates now; ``N_("...")`` only marks a constant to be translated where it is shown.
- help texts (docstrings of commands, ``help=`` of options) are translated paragraph by paragraph when the
  command line is built (egovnet.cli), so the root's list (egovnet.commands.COMMANDS) and a command's own help
  give the same words;
- error and progress lines stay English f-strings where they are raised or written: the extractor
  (egovnet/_babel.py) stores each as a template with named fields (``application {app_id} not found``), and
  ``localize()`` matches an English line against those templates and fills the Chinese one with the same values.

Nothing here imports more than the standard library: ``egovnet --help`` stays fast.
"""

from __future__ import annotations

import os
import re
import string
import unicodedata
from functools import lru_cache
from pathlib import Path

DOMAIN = "egovnet"
LOCALEDIR = Path(__file__).resolve().parent / "locale"
CHINESE = "zh_CN"


# --- which language -------------------------------------------------------------------------------------------

def _one(name: str) -> str | None:
    """'zh_CN' for a Chinese (simplified) locale name, '' for English, None for another language."""
    base = re.split(r"[.@]", name.strip(), maxsplit=1)[0].replace("-", "_")
    low = base.lower()
    if low in ("c", "posix", "") or low == "en" or low.startswith("en_"):
        return ""
    if low in ("zh", "zh_cn", "zh_sg", "zh_hans", "zh_hans_cn"):
        return CHINESE
    return None


def language() -> str | None:
    """The catalog to use: 'zh_CN', or None for English (the messages as written in the code)."""
    explicit = os.environ.get("EGOVNET_LANG", "").strip()
    if explicit:
        candidates = explicit.split(":")
    else:
        locale = next((os.environ[v] for v in ("LC_ALL", "LC_MESSAGES", "LANG") if os.environ.get(v)), "")
        if re.split(r"[.@]", locale.strip(), maxsplit=1)[0] in ("", "C", "POSIX"):
            return None  # the C locale: GNU gettext ignores LANGUAGE
        candidates = [*os.environ.get("LANGUAGE", "").split(":"), locale]
    for name in candidates:
        if not name.strip():
            continue
        found = _one(name)
        if found is not None:
            return found or None
    return None


def is_chinese() -> bool:
    return language() == CHINESE


# --- the catalog ----------------------------------------------------------------------------------------------

def _unquote(text: str) -> str:
    body = text.strip()
    if len(body) < 2 or body[0] != '"' or body[-1] != '"':
        raise ValueError(f"not a quoted PO string: {text!r}")
    out, i, body = [], 0, body[1:-1]
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(escapes.get(body[i + 1], body[i + 1]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def parse_po(text: str) -> dict[str, str]:
    """A PO file's translated messages: {msgid (with msgctxt + EOT before it): msgstr}; plural forms joined with
    NUL as in a .mo file. Fuzzy and untranslated entries are left out (they stay English)."""
    catalog: dict[str, str] = {}
    entry: dict[str, list[str]] = {}
    fuzzy = False
    field = None

    def flush():
        nonlocal entry, fuzzy
        msgid = "".join(entry.get("msgid", ["-"]))
        if "msgid" in entry and (not fuzzy or msgid == ""):  # the header (its charset) even when marked fuzzy
            if "msgid_plural" in entry:
                msgid += "\0" + "".join(entry["msgid_plural"])
                forms = ["".join(v) for k, v in sorted((int(k[7:-1]), v) for k, v in entry.items()
                                                        if k.startswith("msgstr["))]
                msgstr = "\0".join(forms)
                translated = all(forms)
            else:
                msgstr = "".join(entry.get("msgstr", []))
                translated = bool(msgstr)
            if "msgctxt" in entry:
                msgid = "".join(entry["msgctxt"]) + "\x04" + msgid
            if translated or msgid == "":
                catalog[msgid] = msgstr
        entry, fuzzy = {}, False

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        keyword, _sep, rest = line.partition(" ")
        starts = line.startswith("#") or keyword in ("msgctxt", "msgid")
        if starts and any(k.startswith("msgstr") for k in entry):
            flush()  # the entry before this one is complete
        if line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            continue
        if line.startswith('"'):
            if field is None:
                raise ValueError(f"a string outside any entry: {raw!r}")
            entry[field].append(_unquote(line))
            continue
        if keyword.startswith(("msgid", "msgstr", "msgctxt")):
            field = keyword
            entry[field] = [_unquote(rest)]
    flush()
    return catalog


def compile_mo(catalog: dict[str, str]) -> bytes:
    """The GNU .mo file for a catalog (the layout of CPython's Tools/i18n/msgfmt.py; no hash table)."""
    import struct

    keys = sorted(catalog)
    ids = b""
    strs = b""
    offsets = []
    for key in keys:
        k, v = key.encode("utf-8"), catalog[key].encode("utf-8")
        offsets.append((len(ids), len(k), len(strs), len(v)))
        ids += k + b"\0"
        strs += v + b"\0"
    keystart = 7 * 4 + 16 * len(keys)
    valuestart = keystart + len(ids)
    koffsets, voffsets = [], []
    for o1, l1, o2, l2 in offsets:
        koffsets += [l1, o1 + keystart]
        voffsets += [l2, o2 + valuestart]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    return header + struct.pack(f"{len(koffsets)}i", *koffsets) + struct.pack(f"{len(voffsets)}i", *voffsets) \
        + ids + strs


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "egovnet" / "locale"


@lru_cache(maxsize=None)
def translations(lang: str):
    """The stdlib gettext translations of one language, its .mo compiled from the packaged .po at first use."""
    import gettext
    import hashlib
    import io

    po = LOCALEDIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    try:
        data = po.read_bytes()
    except OSError:
        return gettext.NullTranslations()
    folder = _cache_root() / hashlib.sha256(data).hexdigest()[:16]
    mo = folder / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not mo.is_file():
        compiled = compile_mo(parse_po(data.decode("utf-8")))
        try:
            mo.parent.mkdir(parents=True, exist_ok=True)
            tmp = mo.with_name(f".{mo.name}.{os.getpid()}")
            tmp.write_bytes(compiled)
            os.replace(tmp, mo)  # two processes at once: each writes its own file, the last rename wins
        except OSError:  # a read-only home: the same catalog from memory
            return gettext.GNUTranslations(io.BytesIO(compiled))
    return gettext.translation(DOMAIN, str(folder), languages=[lang])


# --- translating ----------------------------------------------------------------------------------------------

def N_(message: str) -> str:
    """Marks a constant for extraction; it is translated where it is shown."""
    return message


def _(message: str) -> str:
    """The message in the interface language (itself in English or when the catalog does not have it)."""
    lang = language()
    if lang is None or not message:
        return message
    return translations(lang).gettext(message)


def pgettext_noop(context: str, message: str) -> str:
    """Marks a message with a context (the same English word meaning another thing) for extraction."""
    return message


def pgettext(context: str, message: str) -> str:
    lang = language()
    if lang is None or not message:
        return message
    return translations(lang).pgettext(context, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    lang = language()
    if lang is None:
        return singular if n == 1 else plural
    return translations(lang).ngettext(singular, plural, n)


def help_text(text: str | None) -> str | None:
    """A help text translated paragraph by paragraph (the first paragraph is the root's one-line listing)."""
    if not text or language() is None:
        return text
    return articles("\n\n".join(_(p) for p in text.split("\n\n")))


PART = "part"  # the context of texts that are quoted inside other messages (what a user may not do)


@lru_cache(maxsize=8)
def _templates(lang: str, context: str = "") -> dict[str, list[tuple[re.Pattern, list[str], str, int]]]:
    """The catalog's messages with fields (of one context), as patterns, grouped by the literal text before their
    first field."""
    catalog = translations(lang)._catalog if hasattr(translations(lang), "_catalog") else {}
    found: dict[str, list] = {}
    for key, msgstr in catalog.items():
        if not isinstance(key, str) or "{" not in key or not msgstr or key == msgstr:
            continue
        ctx, sep, msgid = key.rpartition("\x04")
        if ctx != context:
            continue
        try:
            parts = list(string.Formatter().parse(msgid))
        except ValueError:
            continue
        names, pattern, literal = [], "", 0
        for text, name, _spec, _conv in parts:
            pattern += re.escape(text)
            literal += len(text)
            if name is not None:
                pattern += f"(?P<g{len(names)}>.+?)"
                names.append(name)
        if not names or literal < 4:
            continue
        prefix = parts[0][0]
        found.setdefault(prefix, []).append((re.compile(pattern, re.DOTALL), names, msgstr, literal))
    for entries in found.values():
        entries.sort(key=lambda e: -e[3])
    return found


def localize(text: str) -> str:
    """An English message line in the interface language: the catalog's entry for it, else the catalog's template
    it fills (``unit {unit} not found`` for ``unit zjj-x not found``; a filled-in value that is itself in the
    catalog, like the ``reject application 3`` of a permission error, is translated too), else English with 第N条
    for Art. N."""
    lang = language()
    if lang is None or not text:
        return text
    return articles(_localized(lang, text, 3, "") or text)


def _localized(lang: str, text: str, depth: int, context: str) -> str | None:
    """The translation of ``text`` from the catalog (directly or through a template), None when it has none."""
    t = translations(lang)
    direct = t.pgettext(context, text) if context else t.gettext(text)
    if direct != text:
        return direct
    best = None
    for prefix, entries in _templates(lang, context).items():
        if not text.startswith(prefix):
            continue
        for pattern, names, msgstr, literal in entries:
            if best is not None and literal <= best[0]:
                break
            m = pattern.fullmatch(text)
            if m:
                values = {}
                for i, name in enumerate(names):
                    values.setdefault(name, m.group(f"g{i}"))
                best = (literal, msgstr, values)
                break
    if best is None:
        return None
    _lit, msgstr, values = best
    if depth > 1:
        # a value that is itself a message of the catalog (a part such as "reject application 3", or a whole
        # sentence click put inside its own); a single word is left alone: "unit" may be a name's first word
        values = {k: _localized(lang, v, depth - 1, PART) or (" " in v and _localized(lang, v, depth - 1, ""))
                  or v for k, v in values.items()}
    return _fill(msgstr, values)


def _fill(template: str, values: dict[str, str]) -> str:
    """``template`` with its fields replaced by the values as they are (already text); ``{{`` reads ``{``."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:  # a translation with a stray brace: shown as written rather than not at all
        return template
    return "".join(text + ("" if name is None else values.get(name, "{" + name + "}"))
                   for text, name, _spec, _conv in parts)


# --- article references: Art. 12 -> 第十二条 ------------------------------------------------------------------

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 40 -> 四十, 105 -> 一百零五 (as articles are numbered)."""
    if n < 0 or n >= 10000:
        raise ValueError(n)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = "" if rest == 0 else ("零" + _DIGITS[rest] if rest < 10 else
                                     ("一" + chinese_number(rest) if rest < 20 else chinese_number(rest)))
        return _DIGITS[n // 100] + "百" + tail
    rest = n % 1000
    tail = "" if rest == 0 else ("零" + chinese_number(rest) if rest < 100 else chinese_number(rest))
    return _DIGITS[n // 1000] + "千" + tail


_REF = r"\d+(?:\s*[-–]\s*\d+)?"
_ARTS = re.compile(rf"Art(?:s)?\.\s*({_REF}(?:\s*(?:,|and)\s*{_REF}(?=\s*(?:[,;)\]）]|and\b|$)))*)")


def article_zh(ref: str) -> str:
    """``Art. 12`` -> 第十二条, ``Art. 12-14`` -> 第十二条至第十四条, ``Art. 12, 18`` -> 第十二条、第十八条."""
    m = _ARTS.fullmatch(ref.strip())
    if not m:
        raise ValueError(f"not an article reference: {ref!r}")
    return _article_list(m.group(1))


def _article_list(body: str) -> str:
    out = []
    for part in re.split(r"\s*(?:,|and)\s*", body.strip()):
        ends = [int(x) for x in re.split(r"\s*[-–]\s*", part)]
        out.append("至".join(f"第{chinese_number(x)}条" for x in ends))
    return "、".join(out)


def articles(text: str) -> str:
    """Every ``Art. N`` in a text as 第N条 (for Chinese output)."""
    if "Art" not in text:
        return text
    return _ARTS.sub(lambda m: _article_list(m.group(1)), text)


# --- width of text as a terminal shows it ---------------------------------------------------------------------

def width(text: str) -> int:
    """Columns a terminal gives the text: 2 for East Asian wide and full-width characters."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in text)


_NO_LINE_START = set("，。、；：？！）》」』】〕,.;:?!)]%")


_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"


def join_lines(text: str) -> str:
    """A paragraph's lines as one: a space between English words, nothing between Chinese characters."""
    return re.sub(r"[ \t]*\n\s*", lambda m: "" if _cjk_around(text, m) else " ", text)


def _cjk_around(text: str, m) -> bool:
    before = text[m.start() - 1] if m.start() else ""
    after = text[m.end()] if m.end() < len(text) else ""
    return bool(re.match(f"[{_CJK}]", before) or re.match(f"[{_CJK}]", after))


def wrap(text: str, limit: int) -> list[str]:
    """Lines of at most ``limit`` columns: English breaks at spaces, Chinese between characters (never before
    closing punctuation); a single word longer than the line is broken."""
    text = join_lines(text)
    # a value quoted for the user to type ("终端感染勒索病毒", up to 40 characters) is one word, like 《...》 and 第N条
    tokens = re.findall(r"\s+|\"[^\"\s]{1,40}\"[，。、；：？！）]*|《[^《》\s]{1,30}》[，。、；：？！）]*|第[零一二三四五六七八九十百]+条[，。、；：？！）]*|[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f][，。、；：？！）》」』】〕]*"
                        r"|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+", text)
    opening = set("（《“「『【〔(")
    merged: list[str] = []
    for tok in tokens:  # an opening bracket never ends a line: it goes with what follows it; closing
        # punctuation never starts one: it stays with what it follows, an English word too ("（角色 office）")
        if merged and merged[-1] and not tok.isspace() and (merged[-1][-1] in opening or (
                tok[0] in _NO_LINE_START and not merged[-1].isspace())):
            merged[-1] += tok
        else:
            merged.append(tok)
    lines, line = [], ""
    for tok in merged:
        if tok.isspace():
            if line:
                line += " "
            continue
        if width(line) + width(tok) <= limit or not line.strip():
            if width(tok) > limit and not line.strip():
                while width(tok) > limit:  # a word wider than the line
                    cut = 1
                    while width(tok[:cut + 1]) <= limit:
                        cut += 1
                    lines.append(tok[:cut])
                    tok = tok[cut:]
            line += tok
        else:
            lines.append(line.rstrip())
            line = tok
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]
