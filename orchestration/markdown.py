"""Descriptions as Dagster's UI shows them: as Markdown, where `<landing>` is an HTML tag.

Every asset and check description goes through :func:`markdown_text` once, where the
Definitions are put together (orchestration/definitions.py) or a check spec is made, so
the placeholders of a path (``<landing>/crm/<YYYY-MM-DD>/``) stay visible, as code.
"""

import re

# A run of non-blank text holding a placeholder: <word> or <a few words>, not "x < 5".
_PLACEHOLDER = r"<[^<>\s`][^<>`\n]*(?<!\s)>"
_PLACEHOLDER_TEXT = re.compile(rf"[^\s`<>]*(?:{_PLACEHOLDER}[^\s`<>]*)+")
_CODE_SPAN = re.compile(r"(`+).+?\1", re.DOTALL)
_TRAILING = ".,;:!?)"


def markdown_text(text: str | None) -> str | None:
    """`text` with each path or word holding a `<placeholder>` quoted as code (outside the
    code spans it has already), so Markdown shows the placeholder instead of eating it."""
    if not text:
        return text
    parts, end = [], 0
    for span in _CODE_SPAN.finditer(text):
        parts += [_quote(text[end : span.start()]), span.group()]
        end = span.end()
    return "".join([*parts, _quote(text[end:])])


def _quote(prose: str) -> str:
    def code(match: re.Match) -> str:
        word = match.group()
        stripped = word.rstrip(_TRAILING)
        return f"`{stripped}`{word[len(stripped) :]}"

    return _PLACEHOLDER_TEXT.sub(code, prose)
