"""Operations: backups, restores and the integrity check (``stewardsync backup|restore|check``)."""
