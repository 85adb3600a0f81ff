"""The baseline: a bare Flask endpoint with no database, no session, no extensions, served by the same
gunicorn settings as cardops, so the cardops figures can be read as a share of what Flask itself costs here.

    gunicorn bench.baseline_app:app
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/hello")
def hello():
    return {"status": "ok", "hello": "你好"}
