"""The one exception to the Content Security Policy's frame-ancestors 'none'."""

import ast
import base64
import hashlib
import re
from functools import wraps

from django.conf import settings
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override

# A JavaScript single-quoted string assigned to an element's textContent.
_TEXT_CONTENT = re.compile(r"\.textContent='((?:[^'\\]|\\.)*)'")


def embeddable(view):
    """Let other sites show this view in an iframe.

    The response keeps the whole site policy (settings.SECURE_CSP) but with frame-ancestors
    set to settings.PORTAL_EMBED_FRAME_ANCESTORS, and without X-Frame-Options, which cannot
    express "these sites" and would otherwise forbid every frame. The policy is read per request
    so a deployment (or a test) can change the list through settings.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        policy = {
            **settings.SECURE_CSP,
            "frame-ancestors": list(settings.PORTAL_EMBED_FRAME_ANCESTORS),
        }
        return csp_override(policy)(view)(request, *args, **kwargs)

    return xframe_options_exempt(wrapped)


def plotly_style_hashes(script: str) -> list[str]:
    """CSP hash sources for the fixed stylesheets plotly.min.js writes into <style> elements
    (`.textContent='...'`), plus the empty one it fills through the CSSOM.

    Used by the tests to check settings.SECURE_CSP against the installed plotly.js.
    """
    texts = [""]
    for match in _TEXT_CONTENT.finditer(script):
        texts.append(ast.literal_eval(f"'{match.group(1)}'"))
    return [csp_hash(text) for text in texts]


def csp_hash(text: str) -> str:
    """The CSP source admitting an inline element with exactly this text."""
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"
