"""`{% menu_fragment "name" %}…{% endmenu_fragment %}`: a part of the page frame rendered once per process for
each language and set of menu rights, then reused (issue 14, part 7).

The main menu is the same for every user with the same capabilities in the same language, yet rendering it
reversed some 25 URLs and translated as many labels on every page. A fragment's HTML is kept per
(name, active language, the user's capabilities, staff or not): a role change or a language switch renders
another key on the next page. What may go inside: `{% url %}` without per-request arguments, `{% translate %}`,
`can.<capability>`, `user.is_staff` — never the user's name, a CSRF token, a nonce or any row of data (those
stay outside, between fragments). URLs and translations are fixed for a process's life; a test that changes
settings empties the store.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.core.signals import setting_changed
from django.template.base import Node, NodeList, Parser, Token
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()

_RENDERED: dict[tuple[str, str | None, frozenset[str], bool], SafeString] = {}
# Languages × role combinations in use are few; the bound only guards against an unforeseen key.
_LIMIT = 1000


def menu_key(context: Any) -> tuple[frozenset[str], bool]:
    can = context.get("can") or {}
    user = context.get("user")
    return frozenset(name for name, allowed in can.items() if allowed), bool(getattr(user, "is_staff", False))


class MenuFragmentNode(Node):
    def __init__(self, name: str, nodelist: NodeList) -> None:
        self.name = name
        self.nodelist = nodelist

    def render(self, context: Any) -> SafeString:
        capabilities, staff = menu_key(context)
        key = (self.name, get_language(), capabilities, staff)
        html = _RENDERED.get(key)
        if html is None:
            html = self.nodelist.render(context)  # SafeString: escaped by the template engine
            if len(_RENDERED) >= _LIMIT:
                _RENDERED.clear()
            _RENDERED[key] = html
        return html


@register.tag("menu_fragment")
def menu_fragment(parser: Parser, token: Token) -> MenuFragmentNode:
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('Usage: {% menu_fragment "name" %}…{% endmenu_fragment %}')
    nodelist = parser.parse(("endmenu_fragment",))
    parser.delete_first_token()
    return MenuFragmentNode(bits[1][1:-1], nodelist)


def forget_menu_fragments(**kwargs: Any) -> None:
    _RENDERED.clear()


setting_changed.connect(forget_menu_fragments)
