"""Operations: backups, restores, the integrity check and the photo stores
(``stewardsync backup|restore|check|photos``)."""


class OpsError(RuntimeError):
    """An operation cannot be done; the message is one line for people."""
