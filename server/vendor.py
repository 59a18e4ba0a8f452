"""The pinned front-end libraries (``web/package.json``, installed by ``npm ci --prefix web``),
served under ``/vendor/``: only the files the pages and the phone app load, never the rest
of ``node_modules`` (lock files, manifests, other builds, dev dependencies such as axe-core).

A page that starts loading another file of a pinned library adds it to ``SERVED`` (a test
checks every ``/vendor/`` address in ``web/`` is there).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request
from litestar.exceptions import NotFoundException

NODE_MODULES = Path(__file__).resolve().parent.parent / "web" / "node_modules"

SERVED = frozenset({
    "htmx.org/dist/htmx.min.js",  # every desk page (desk_base.html)
    "chart.js/dist/chart.umd.min.js",  # the KPI page
    "idb/build/index.js",  # the phone app's store (web/static/app/store.js)
})


def vendor_dir() -> Path:
    """The folder /vendor/ serves from; fails at start-up when a served file is missing."""
    missing = sorted(name for name in SERVED if not (NODE_MODULES / name).is_file())
    if missing:
        raise RuntimeError(f"front-end libraries missing in {NODE_MODULES} ({', '.join(missing)}): "
                           "run `npm ci --prefix web`")
    return NODE_MODULES


async def served_only(request: Request[Any, Any, Any]) -> None:
    """The /vendor/ router's ``before_request``: anything but a served file is not found."""
    if str(request.path_params.get("file_path", "")).lstrip("/") not in SERVED:
        raise NotFoundException()
