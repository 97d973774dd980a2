"""Template tags for form widgets, registered for every template as `sinergi_widgets` (settings.TEMPLATES).

`select_options` renders a select widget's options in Python with exactly the markup of Django's
`select_option.html` and `attrs.html`: the template language spent about 50 µs per option, so one
250-country list cost a page more CPU than everything else on it (docs/benchmarks-history.md, "Under load").
"""

from __future__ import annotations

import html
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

DEFAULT_OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _escaped(value: Any) -> str:
    """What autoescaping prints for `value`: a safe string as it is, anything else as escaped text."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def _attributes(attrs: dict[str, Any]) -> str:
    """attrs.html: False left out, True as a bare name, any other value as name="value"."""
    return "".join(
        f" {_escaped(name)}" if value is True else f' {_escaped(name)}="{html.escape(f"{value}")}"'
        for name, value in attrs.items()
        if value is not False
    )


@register.simple_tag
def select_options(widget: dict[str, Any]) -> SafeString:
    parts: list[str] = []
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_escaped(group_name)}">')
        for option in group_choices:
            parts.append("\n  ")
            if option["template_name"] == DEFAULT_OPTION_TEMPLATE:
                # The value as a plain string (stringformat:'s'), so always escaped.
                value = html.escape(f"{option['value']}")
                parts.append(
                    f'<option value="{value}"{_attributes(option["attrs"])}>{_escaped(option["label"])}</option>\n'
                )
            else:
                parts.append(render_to_string(option["template_name"], {"widget": option}))
        if group_name:
            parts.append("\n  </optgroup>")
    return mark_safe("".join(parts))  # noqa: S308 (every value above was escaped, or rendered by a template)
