"""The annotate request protocol, shared by the Pyodide runner and the CPython engine.

runner.mjs runs this file inside Pyodide; compiler/engines.py loads it in CPython. Keeping one copy means
both runtimes accept the same requests and word their errors the same way, so their results can be
compared field for field. Stdlib only, and it must run on every Python that runs the bundle.

A request is a JSON object {"id", "text", "lang"?, "context"?, "categories"?, "country"?}; the response
is {"id", "hints": [...]} or {"id", "error": "ExceptionType: message"}.
"""

from __future__ import annotations

import json
import traceback
from types import ModuleType
from typing import Any

FIELDS = frozenset({"id", "text", "lang", "context", "categories", "country"})


def check_request(req: Any) -> None:
    """Raise TypeError unless `req` is a well-formed request object."""
    if not isinstance(req, dict):
        raise TypeError("a request must be a JSON object")
    unknown = sorted(set(req) - FIELDS)
    if unknown:
        raise TypeError("unknown request field(s): " + ", ".join(unknown))
    if not isinstance(req.get("text"), str):
        raise TypeError("request needs 'text' as a string")
    for key in ("lang", "context", "country"):
        if req.get(key) is not None and not isinstance(req[key], str):
            raise TypeError(f"request field '{key}' must be a string or null")
    cats = req.get("categories")
    if cats is not None and not (isinstance(cats, list) and all(isinstance(c, str) for c in cats)):
        raise TypeError("request field 'categories' must be a list of strings or null")


def format_error(exc: BaseException) -> str:
    """`Type: message`, the last line of a traceback."""
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


def annotate_request(bundle: ModuleType, req: dict[str, Any]) -> str:
    """Check the request and return the bundle's hints as its JSON string."""
    check_request(req)
    return bundle.annotate_json(
        req["text"],
        lang=req.get("lang"),
        context=req.get("context"),
        categories=req.get("categories"),
        country=req.get("country"),
    )


def serve_line(bundle: ModuleType, line: str) -> str:
    """One request line in, one response line out (no newline). The hints JSON is passed through as
    annotate_json made it, so no Python object has to cross into JavaScript."""
    req_id = None
    try:
        req = json.loads(line)
        if isinstance(req, dict):
            req_id = req.get("id")
        hints = annotate_request(bundle, req)
        return '{"id": ' + json.dumps(req_id) + ', "hints": ' + hints + "}"
    except Exception as exc:  # noqa: BLE001 - any bundle failure becomes an error response
        return json.dumps({"id": req_id, "error": format_error(exc)})
