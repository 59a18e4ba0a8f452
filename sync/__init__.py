"""The merge core: pure functions over plain data, and the engine that applies a push
batch through the small ``Storage`` interface. No Litestar, no SQL, no clock reads."""
