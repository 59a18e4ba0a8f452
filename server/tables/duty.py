"""The engineers' on-duty roster (值班表): who of each team is on duty which day, per estate.

Dispatch reads it (``sync.dispatch``): a repair goes to the on-duty engineer of the team
for its system. One person per estate, day and team; no row means nobody is rostered.
"""

from piccolo.columns import Serial, Varchar
from piccolo.table import Table


class DutyRoster(Table, tablename="duty_roster"):
    id = Serial(primary_key=True)
    estate_id = Varchar(length=36, index=True)
    day = Varchar(length=10)  # YYYY-MM-DD
    team = Varchar(length=20)  # schemas.vocab.EngineerTeam
    user_id = Varchar(length=36)  # the engineer on duty (staff_user.id)


TABLES = (DutyRoster,)
