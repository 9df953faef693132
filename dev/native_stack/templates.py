"""Rendering nginx templates the way the nginx image does: ${NAME} from given values."""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")


class TemplateError(Exception):
    """A template names a variable that has no value."""


def render_template_text(text: str, values: dict[str, str]) -> str:
    """Replace every ${NAME}; a NAME without a value is an error rather than a silent blank."""
    missing = sorted({name for name in PLACEHOLDER.findall(text) if name not in values})
    if missing:
        raise TemplateError("no value for: " + ", ".join(missing))
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def render_template_dir(
    template_dir: Path,
    output_dir: Path,
    values: dict[str, str],
    *,
    leave_out: Collection[str] = (),
) -> list[Path]:
    """Render every *.template below template_dir into output_dir, keeping sub-folders.

    Sub-folders named in leave_out (optional parts that are switched off) are not rendered.
    """
    written = []
    for template in sorted(template_dir.rglob("*.template")):
        relative = template.relative_to(template_dir)
        if relative.parts[0] in leave_out:
            continue
        target = output_dir / relative.with_suffix("")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_template_text(template.read_text(), values))
        written.append(target)
    return written
