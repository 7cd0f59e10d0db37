"""The receipt counter: gap-free and never twice, under concurrency (PostgreSQL)."""

import threading

import pytest
from django.db import connection, transaction

from receipts.models import Receipt, ReceiptCounter
from receipts.services import next_number

from ..factories import RegistrationFactory
from ..helpers import receipt_for


class RolledBack(Exception):
    pass


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_receipt_numbers_have_no_gap_and_no_duplicate_under_concurrent_threads():
    """Twenty-four payments recorded at once, every third one rolled back after taking its
    number (a crash after the receipt): the committed receipts are numbered 1..16."""
    registrations = [RegistrationFactory() for _ in range(24)]
    start = threading.Barrier(len(registrations))
    errors, rolled_back = [], []

    def record(index, registration):
        try:
            start.wait()
            with transaction.atomic():
                receipt_for(registration)
                if index % 3 == 0:
                    raise RolledBack
        except RolledBack:
            rolled_back.append(index)  # its number went back with the transaction
        except Exception as error:  # a test thread's failure is reported, not lost
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=record, args=(index, registration))
        for index, registration in enumerate(registrations)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(rolled_back) == 8
    numbers = sorted(Receipt.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 17))
    assert ReceiptCounter.objects.get().last_number == 16


@pytest.mark.django_db(transaction=True)
def test_receipt_number_is_only_taken_inside_a_transaction():
    with pytest.raises(RuntimeError):
        next_number()
