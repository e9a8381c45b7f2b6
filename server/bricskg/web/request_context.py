"""The per-application objects the linked-data views need, looked up on the current Flask app."""

from __future__ import annotations

from flask import current_app

from bricskg.config import Config
from bricskg.store.base import Backend
from bricskg.web.iri_space import IriSpace


def backend() -> Backend:
    return current_app.extensions["bricskg.backend"]


def config() -> Config:
    return current_app.extensions["bricskg.config"]


def iri_space() -> IriSpace:
    base = config().base_iri
    return IriSpace(base if base.endswith("/") else base + "/")
