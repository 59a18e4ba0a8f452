"""The server's release version: the API docs and ``/health`` report it."""

VERSION = "0.1.0"
