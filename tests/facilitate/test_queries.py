"""The facilitator pages read in a number of queries that does not grow with the rows shown.

Run with `-s` to see the counts: pytest tests/facilitate/test_queries.py -q -s
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ..factories import FacilitatorFactory, ProgramFactory, UserFactory
from .helpers import fill_roster, portal_url

pytestmark = pytest.mark.django_db


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("url_name", ["roster", "export", "attendance", "sign_in_sheet"])
def test_roster_queries_do_not_grow_with_participants(client, url_name):
    teacher = UserFactory()
    profile = FacilitatorFactory(user=teacher)
    client.force_login(teacher)
    counts = {}
    for size in (20, 200):
        program = ProgramFactory(capacity=250)
        program.facilitators.add(profile)
        fill_roster(program, size)
        counts[size] = queries_for(client, portal_url(url_name, program))
    print(f"\n{url_name}: {counts[20]} queries for 20 participants, {counts[200]} for 200")
    assert counts[20] == counts[200]
