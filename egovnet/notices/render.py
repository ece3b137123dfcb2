"""A notice's text from its kind's template: Jinja2 in a sandbox, operator overrides first.

A template is plain text in sections, each opened by a line of its own:

    【标题】   the title, one line (关于 + subject + document type); ' / ' marks where a long title breaks
              (GB/T 9704: a trapezoid or diamond, never inside a word)
    【主送】   the main recipients, one a line
    【正文】   the body, one paragraph a line (blank lines are dropped)
    【附件】   optional: attachment names, one a line
    【抄送】   optional: bodies sent a copy, one a line

Templates are looked up by name in ``EGOVNET_HOME/notices/``, then ``<inventory>/notices/``, then the packaged
defaults (``egovnet/notices/templates/``), so an operator overrides one kind, or only the shared
``_reissue.j2`` paragraph, by placing a file of that name there. A value put into the text never starts a new
line or section: its newlines become spaces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from egovnet.errors import InvalidConfig
from egovnet.notices.context import article, cn_date, cn_number

PACKAGED = Path(__file__).parent / "templates"
SECTIONS = {"标题": "title", "主送": "main_to", "正文": "body", "附件": "attachments", "抄送": "copy_to"}
_MARKER = re.compile(r"^\s*【(.+?)】\s*$")


@dataclass(frozen=True)
class Text:
    title: str
    main_to: list[str]
    body: list[str]
    copy_to: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"title": self.title, "main_to": self.main_to, "body": self.body, "copy_to": self.copy_to,
                "attachments": self.attachments}


def search_path(home: Path | None, inventory: Path | None) -> list[Path]:
    folders = [Path(home) / "notices" if home else None, Path(inventory) / "notices" if inventory else None]
    return [f for f in folders if f is not None and f.is_dir()] + [PACKAGED]


def template_file(kind: str, home: Path | None, inventory: Path | None) -> Path:
    for folder in search_path(home, inventory):
        if (folder / f"{kind}.j2").is_file():
            return folder / f"{kind}.j2"
    raise InvalidConfig(f"notice template {kind}.j2 not found in {', '.join(map(str, search_path(home, inventory)))}")


def _one_line(value) -> str:
    if value is None:
        return ""
    return str(value).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def sentence(value) -> str:
    """Free text typed by a person (a reason) closed with 。 unless it already ends with punctuation."""
    text = _one_line(value).strip()
    return text if not text or text[-1] in "。！？；.!?;）)" else text + "。"


_environments: dict[tuple[str, ...], object] = {}


def _environment(home, inventory):
    """One sandboxed environment per search path and process (a wave of 206 approvals compiles each template
    once); Jinja's loader still notices an edited template by its modification time."""
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    key = tuple(str(p) for p in search_path(home, inventory))
    if key in _environments:
        return _environments[key]
    env = _environments[key] = SandboxedEnvironment(loader=FileSystemLoader([str(p) for p in search_path(home, inventory)]),
                               undefined=StrictUndefined, autoescape=False, trim_blocks=False, lstrip_blocks=True,
                               keep_trailing_newline=False, finalize=_one_line)
    env.filters.update(cn_date=cn_date, article=article, cn_number=cn_number, sentence=sentence)
    return env


def _where(exc: BaseException, fallback: Path) -> str:
    """file:line of the template frame that failed (Jinja keeps template lines in the traceback)."""
    lineno = getattr(exc, "lineno", None)
    filename = getattr(exc, "filename", None)
    if lineno and filename:
        return f"{filename}:{lineno}"
    tb, found = exc.__traceback__, None
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".j2"):
            found = f"{name}:{tb.tb_lineno}"
        tb = tb.tb_next
    return found or str(fallback)


def render(kind: str, context: dict, *, home: Path | None = None, inventory: Path | None = None) -> Text:
    """The kind's template rendered with ``context`` and split into sections; InvalidConfig naming the file and
    line when the template is broken (nothing is numbered or written then)."""
    from jinja2 import TemplateError

    path = template_file(kind, home, inventory)
    try:
        text = _environment(home, inventory).get_template(f"{kind}.j2").render(**context)
    except TemplateError as exc:
        packaged = "" if path.parent == PACKAGED else f" (the packaged one is {PACKAGED / (kind + '.j2')})"
        raise InvalidConfig(f"{_where(exc, path)}: notice template {kind}.j2: {exc.__class__.__name__}: "
                            f"{_one_line(exc.message if hasattr(exc, 'message') else exc)}; fix the template"
                            f"{packaged}") from None
    except Exception as exc:  # a sandbox refusal or a type error in the template
        raise InvalidConfig(f"{_where(exc, path)}: notice template {kind}.j2: {exc.__class__.__name__}: "
                            f"{_one_line(exc)}; fix the template") from None
    return split(text, path)


def split(text: str, path: Path) -> Text:
    parts: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        m = _MARKER.match(line)
        if m:
            if m.group(1) not in SECTIONS:
                raise InvalidConfig(f"{path}: unknown section 【{m.group(1)}】; sections are "
                                    + " ".join(f"【{s}】" for s in SECTIONS))
            current = SECTIONS[m.group(1)]
            parts.setdefault(current, [])
            continue
        if line.strip():
            if current is None:
                raise InvalidConfig(f"{path}: text before the first section; start with 【标题】")
            parts[current].append(line.strip())
    for key, label in (("title", "标题"), ("main_to", "主送"), ("body", "正文")):
        if not parts.get(key):
            raise InvalidConfig(f"{path}: the notice has no 【{label}】; every notice needs a title, its main "
                                "recipients and a body")
    if len(parts["title"]) > 1:
        raise InvalidConfig(f"{path}: 【标题】 takes one line")
    return Text(title=parts["title"][0], main_to=_names(parts["main_to"]), body=parts["body"],
                copy_to=_names(parts.get("copy_to", [])), attachments=parts.get("attachments", []))


def _names(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        for name in line.split("、"):
            name = name.strip().rstrip("：:。")
            if name and name not in out:
                out.append(name)
    return out
