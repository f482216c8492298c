"""Readers never see figures that differ from a committed state while writers commit.

PostgreSQL only (SQLite has one writer at a time, so there is nothing to race): two writer
threads, each with its own connection, save and publish cases through the write service while
two reader threads read the figures. The tallies are recounted inside each writer's transaction
(`cases.workflow.Workflow.unit`), so in every snapshot a reader takes

- the tallies' total equals the number of counted cases (no change without its figures, no
  figures without the change),
- no group a case already counts in reads zero (no reader between a recount's DELETE and its
  INSERT),
- the total never goes down while writers only add.

At the end the tallies equal a recount from scratch (two writers recounting one group at once
do not count it twice).
"""

import datetime
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections

from cases.figures import tallies
from cases.figures.models import CaseTally
from cases.models import Case, CaseFormat, CaseStatus, Publication, Region, State
from cases.register import cases

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent writers need PostgreSQL (SQLite serialises every writer)",
    ),
    pytest.mark.django_db(transaction=True),
]

WRITES_PER_WRITER = 12
# Both writers write into the same (fiscal year, region) group, and one into a second group.
GROUP = (2024, "miami")


def held_case(title: str, region: Region, state: State, **fields) -> Case:
    values = {
        "title_en": title,
        "start_date": datetime.date(2024, 10, 1),
        "region": region,
        "state": state,
        "format": CaseFormat.WORKSHOP,
        "status": CaseStatus.HELD,
    }
    values.update(fields)
    return Case(**values)


SNAPSHOT = """
    SELECT
        (SELECT coalesce(sum(cases), 0) FROM cases_casetally),
        (SELECT count(*) FROM cases_case
            WHERE status = 'held' AND publication IN ('approved', 'published')),
        (SELECT coalesce(sum(cases), 0) FROM cases_casetally
            WHERE fiscal_year = %s AND region_id = %s)
"""


def test_readers_see_only_committed_figures_while_two_writers_publish(hq_editor):
    miami = Region.objects.get(code="miami")
    houston = Region.objects.get(code="houston")
    florida, texas = State.objects.get(code="FL"), State.objects.get(code="TX")
    for number in range(3):
        cases.save(hq_editor, held_case(f"Base {number}", miami, florida, is_public=True))
    base_total = Case.objects.counted().count()
    assert base_total == 3

    problems: list[str] = []
    done = threading.Event()
    start = threading.Barrier(4)

    def writer(name: str, region: Region, state: State) -> None:
        try:
            user = get_user_model().objects.get(pk=hq_editor.pk)
            start.wait()
            for number in range(WRITES_PER_WRITER):
                if number % 2:
                    # Saved as a draft, then published: two commits, one figure.
                    draft = held_case(f"{name} {number}", region, state)
                    cases.save(user, draft)
                    cases.publish(user, draft, listed=number % 4 == 1)
                else:
                    cases.save(user, held_case(f"{name} {number}", region, state, is_public=True))
        except Exception as error:  # reported below, with the thread's name
            problems.append(f"{name}: {error!r}")
        finally:
            connections.close_all()

    def reader(name: str) -> None:
        last_total, reads = base_total, 0
        try:
            start.wait()
            with connection.cursor() as cursor:
                while not done.is_set() or reads < 5:
                    cursor.execute(SNAPSHOT, [GROUP[0], miami.pk])
                    total, counted, group = cursor.fetchone()
                    reads += 1
                    if total != counted:
                        problems.append(f"{name}: tallies say {total}, the cases {counted}")
                    if group < 3:
                        problems.append(f"{name}: Miami FY2024 read {group}, below its 3 cases")
                    if total < last_total:
                        problems.append(
                            f"{name}: the total went back from {last_total} to {total}"
                        )
                    last_total = total
        except Exception as error:
            problems.append(f"{name}: {error!r}")
        finally:
            connections.close_all()

    writers = [
        threading.Thread(target=writer, args=("Miami writer", miami, florida)),
        threading.Thread(target=writer, args=("Houston writer", houston, texas)),
    ]
    readers = [threading.Thread(target=reader, args=(f"reader {n}",)) for n in (1, 2)]
    for thread in readers + writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=120)
    done.set()
    for thread in readers:
        thread.join(timeout=60)

    assert problems == []
    expected = base_total + 2 * WRITES_PER_WRITER
    assert Case.objects.counted().count() == expected
    assert Case.objects.filter(publication=Publication.DRAFT).count() == 0
    written = sorted(
        CaseTally.objects.values_list("fiscal_year", "region_id", "state_id", "cases")
    )
    tallies.refresh()
    assert written == sorted(
        CaseTally.objects.values_list("fiscal_year", "region_id", "state_id", "cases")
    )
    assert sum(row[-1] for row in written) == expected
