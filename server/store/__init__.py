"""The query layer: every ORM query of the app lives here and returns Structs, not rows."""
