"""Template tags for form widgets, registered for every template as `sinergi_widgets` (settings.TEMPLATES).

`select_options` renders a select widget's options in Python with exactly the markup of Django's
`select_option.html`: the template language spent about 50 µs per option, so one 250-country list cost a
page more CPU than everything else on it (docs/benchmarks.md, "Under load").
"""

from __future__ import annotations

from typing import Any

from django import template
from django.forms.utils import flatatt
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

DEFAULT_OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


@register.simple_tag
def select_options(widget: dict[str, Any]) -> SafeString:
    parts: list[str] = []
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in group_choices:
            parts.append("\n  ")
            if option["template_name"] == DEFAULT_OPTION_TEMPLATE:
                # The value as a plain string (stringformat:'s'), escaped; flatatt drops False and writes a bare
                # name for True, as attrs.html does.
                value, attributes = f"{option['value']}", flatatt(option["attrs"])
                parts.append(format_html('<option value="{}"{}>{}</option>\n', value, attributes, option["label"]))
            else:
                parts.append(render_to_string(option["template_name"], {"widget": option}))
        if group_name:
            parts.append("\n  </optgroup>")
    return mark_safe("".join(parts))  # noqa: S308 (every value above went through format_html or a template)
