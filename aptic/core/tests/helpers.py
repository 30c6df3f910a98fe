import html


def text(response) -> str:
    """The response body as a reader sees it: decoded, HTML entities unescaped."""
    return html.unescape(response.content.decode())
