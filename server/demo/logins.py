"""The demo accounts (printed by ``stewardsync serve --demo`` and quoted in the README)."""

from __future__ import annotations

from server.demo.texts import SECOND_STAFF, STAFF

DEMO_PASSWORD = "demo1234"
"""One shared password for every demo account."""

DEMO_LOGINS: tuple[tuple[str, str], ...] = tuple((username, role) for username, _name, role in (*STAFF, *SECOND_STAFF))
"""(username, role) of every demo account: desk ``qiantai``/``qiantai2``, manager ``jingli``,
admin ``admin``, stewards ``guanjia1``…``guanjia6``; in the second estate (翠湖苑) desk
``qiantai_ch`` and steward ``guanjia_ch``; ``jingli`` and ``admin`` work in both."""
