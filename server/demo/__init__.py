"""The demo estate (锦绣华庭): a deterministic estate shaped like the handbook's — 25
buildings, 292 households, staff, tickets, field work and fee bills — loaded idempotently.

``build_demo`` makes the rows (pure, seeded); ``load_demo`` writes them in one transaction.
"""

from server.demo.build import DEFAULT_SEED, build_demo
from server.demo.context import DEMO_ESTATE_ID
from server.demo.load import DemoLoad, load_demo
from server.demo.logins import DEMO_LOGINS, DEMO_PASSWORD

__all__ = ["DEFAULT_SEED", "DEMO_ESTATE_ID", "DEMO_LOGINS", "DEMO_PASSWORD", "DemoLoad",
           "build_demo", "load_demo"]
