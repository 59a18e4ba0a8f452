"""Piccolo's configuration module hands Piccolo the engine ``server.db`` bound last (its
migrations run on it), without ``server.db`` importing that module."""

from __future__ import annotations

from pathlib import Path

from piccolo.engine.finder import engine_finder

from server import db, piccolo_conf


def test_piccolo_finds_the_engine_bound_last(tmp_path: Path) -> None:
    before = db.bound_engine()
    first = db.make_engine(f"sqlite:///{tmp_path / 'one.db'}")
    second = db.make_engine(f"sqlite:///{tmp_path / 'two.db'}")
    try:
        db.use_engine(first)
        assert engine_finder("server.piccolo_conf") is first
        db.use_engine(second)
        assert piccolo_conf.DB is second and engine_finder("server.piccolo_conf") is second
    finally:
        db.use_engine(before)
