"""The baseline of the pages benchmark: one bare Flask route, served under the same gunicorn."""
from flask import Flask

app = Flask(__name__)
PAGE = "<!doctype html><html lang=zh-CN><meta charset=utf-8><title>基线</title><p>你好</p></html>"


@app.get("/")
def hello() -> str:
    return PAGE
