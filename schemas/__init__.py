"""The wire contract of StewardSync: msgspec Structs only, no I/O, no server imports."""
