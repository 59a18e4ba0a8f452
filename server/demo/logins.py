"""The demo accounts (printed by ``stewardsync serve --demo`` and quoted in the README)."""

from __future__ import annotations

from server.demo.texts import ENGINEERS, SECOND_STAFF, STAFF

DEMO_PASSWORD = "demo1234"
"""One shared password for every demo account."""

DEMO_LOGINS: tuple[tuple[str, str], ...] = (
    *((username, role) for username, _name, role in (*STAFF, *SECOND_STAFF)),
    *((username, "engineer") for username, _name, _team in ENGINEERS))
"""(username, role) of every demo account: desk ``qiantai``/``qiantai2``, manager ``jingli``,
admin ``admin``, stewards ``guanjia1``…``guanjia6``; in the second estate (翠湖苑) desk
``qiantai_ch`` and steward ``guanjia_ch``; ``jingli`` and ``admin`` work in both; engineers
(维修工) ``weixiu1`` (水电班, both estates), ``weixiu2`` (土建), ``weixiu3`` (电梯维保),
``weixiu4`` (弱电/消防), on the phone app."""
