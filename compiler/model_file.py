"""Model files (`model NAME "file.json"` in the rules): written by `heed train`, read by the checker."""

from __future__ import annotations

import json
from pathlib import Path

FORMAT = "heed-model/1"


class ModelFileError(ValueError):
    pass


def write_model(model: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(model, ensure_ascii=False, indent=1, sort_keys=False)
    path.write_text(text + "\n", encoding="utf-8", newline="\n")


def read_model(path: Path) -> dict:
    """A model file, checked enough that the bundle can trust it. Raises ModelFileError."""
    try:
        model = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelFileError(f"no such model file: {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ModelFileError(f"{path}: not a model file ({err})") from None
    if not isinstance(model, dict) or model.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not a {FORMAT} file (make it with `heed train`)")
    for key, kind in (("bias", (int, float)), ("words", dict), ("letters", dict), ("category", str)):
        if not isinstance(model.get(key), kind):
            raise ModelFileError(f"{path}: '{key}' is missing or of the wrong type")
    return model
