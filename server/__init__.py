"""StewardSync server: the Litestar app, its tables, storage and command line."""
