import pytest

from ..factories import UserFactory
from .helpers import answered_participant, program_led_by


@pytest.fixture
def teacher(db):
    return UserFactory(name="Lead teacher")


@pytest.fixture
def led_program(teacher):
    return program_led_by(teacher, title="Winter MSC")


@pytest.fixture
def answered(led_program):
    """A confirmed, paid participant who answered an ordinary and a sensitive question."""
    return answered_participant(led_program)
