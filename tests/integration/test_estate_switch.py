"""A desk user of two estates: the switch narrows every page to the estate chosen (or shows
both), and can never widen what the user may see."""

from __future__ import annotations

from tests.factories import make_estate, make_user
from tests.integration.test_auth_session import desk_login
from tests.integration.test_desk_helpers import csrf, seed_ticket


async def test_the_switch_narrows_pages_to_the_estate_chosen(client) -> None:
    first, second = await make_estate(buildings=1, office=False), await make_estate(buildings=1, office=False)
    third = await make_estate(buildings=1, office=False)  # not hers
    await make_user("manager", username="zhou", estate_ids=[first.estate_id, second.estate_id])
    await seed_ticket(first.building_ids[0], title="甲苑的报修")
    await seed_ticket(second.building_ids[0], title="乙苑的报修")
    await seed_ticket(third.building_ids[0], title="丙苑的报修")
    await desk_login(client, "zhou")
    both = (await client.get("/desk/tickets")).text
    assert "甲苑的报修" in both and "乙苑的报修" in both and "丙苑的报修" not in both
    assert 'name="estate"' in both and "全部项目" in both
    chosen = await client.post("/desk/estate/choose", headers=csrf(client),
                               data={"estate": second.estate_id, "next": "/desk/tickets"})
    assert chosen.status_code == 303 and chosen.headers["location"] == "/desk/tickets"
    one = (await client.get("/desk/tickets")).text
    assert "乙苑的报修" in one and "甲苑的报修" not in one
    assert "甲苑" not in (await client.get("/desk/export/tickets.csv")).text
    # a chosen estate that is not hers widens nothing
    await client.post("/desk/estate/choose", headers=csrf(client), data={"estate": third.estate_id})
    client.cookies.set("ss_estate", third.estate_id)
    wide = (await client.get("/desk/tickets")).text
    assert "丙苑的报修" not in wide and "甲苑的报修" in wide and "乙苑的报修" in wide


async def test_a_user_of_one_estate_has_no_switch(client) -> None:
    estate = await make_estate(buildings=1, office=False)
    await make_user("desk", username="li", estate_ids=[estate.estate_id])
    await desk_login(client, "li")
    assert 'name="estate"' not in (await client.get("/desk/tickets")).text
