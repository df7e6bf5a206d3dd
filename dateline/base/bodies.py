"""What a WSGI request says of its body before any of it is read."""


def content_length(environ: dict) -> int:
    """The announced length; 0 when none, or none that is a number."""
    try:
        return int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def chunked(environ: dict) -> bool:
    """Sent in chunks, of a length no header gives."""
    return "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()


def has_body(environ: dict) -> bool:
    return content_length(environ) > 0 or chunked(environ)
