"""Program content in English and French: French where it is written, English marked
as such where it is not, and the English columns never overwritten by French."""

import html
from datetime import timedelta
from io import StringIO

import pytest
from django.core import serializers
from django.core.cache import cache
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import translation

from programs.management.commands.load_demo import MSC_SLUG
from programs.models import Agreement, PriceOption, Program, Question, Session
from programs.services import program_duplicate
from programs.translated import FallbackText
from registrations.models import Answer, Registration

from ..factories import FacilitatorFactory, ProgramFactory, QuestionFactory
from ..helpers import form_data, url
from ..registrations.test_schedule_change import change_form_data

pytestmark = pytest.mark.django_db

NOTE_FR = "Certains renseignements de ce programme ne sont offerts qu'en anglais pour l'instant."
CARDS_NOTE_FR = "Certains renseignements sur nos programmes ne sont offerts qu'en anglais pour"


def french_page(client, path_name, *args) -> str:
    """The page as a French reader gets it, its entities (&#x27;) read as text.

    Kept pages are found by their address, and French and English share one until
    the French addresses (/fr/...) exist: none is kept across a change of language."""
    cache.clear()
    with translation.override("fr"):
        page = client.get(reverse(path_name, args=args)).content.decode()
    cache.clear()
    return html.unescape(page)


@pytest.fixture
def bilingual(db):
    program = ProgramFactory(
        title="Mindful Self-Compassion: Winter",
        title_fr="Compassion envers soi en pleine conscience : hiver",
        summary="Eight evenings.",
        summary_fr="Huit soirées.",
        description="About **MSC**.",
        description_fr="À propos du **MSC**.",
    )
    program.sessions.update(title_fr="Séance")
    program.price_options.update(label_fr="Régulier")
    return program


def test_french_reading_gives_the_french_text_and_english_otherwise(bilingual):
    program = Program.objects.get(pk=bilingual.pk)
    with translation.override("fr"):
        assert program.title == "Compassion envers soi en pleine conscience : hiver"
        assert program.sessions.first().title == "Séance"
        assert not getattr(program.title, "fallback", False)
    with translation.override("fr-ca"):
        assert program.summary == "Huit soirées."
    assert program.title == "Mindful Self-Compassion: Winter"
    assert type(program.title) is str


def test_french_missing_falls_back_to_the_english_marked_as_english(program):
    program.description = ""
    with translation.override("fr"):
        title = program.title
        assert isinstance(title, FallbackText)
        assert (title, title.fallback, title.language) == (program.__dict__["title"], True, "en")
        assert program.description == "" and not isinstance(program.description, FallbackText)
    assert not isinstance(program.title, FallbackText)


def test_french_saving_under_french_keeps_the_english_columns(bilingual):
    with translation.override("fr"):
        program = Program.objects.get(pk=bilingual.pk)
        program.capacity = 12
        program.full_clean()
        program.save()
        program.refresh_from_db()
        program.save()
        session = program.sessions.first()
        session.save()
        assert model_to_dict(program)["title"] == "Mindful Self-Compassion: Winter"
        assert '"title": "Mindful Self-Compassion: Winter"' in serializers.serialize(
            "json", [program]
        )
        program.summary = "Eight calm evenings."  # an assignment writes the English
        program.save(update_fields=["summary"])
    row = Program.objects.values("title", "title_fr", "summary", "summary_fr").get(pk=program.pk)
    assert row == {
        "title": "Mindful Self-Compassion: Winter",
        "title_fr": "Compassion envers soi en pleine conscience : hiver",
        "summary": "Eight calm evenings.",
        "summary_fr": "Huit soirées.",
    }
    assert Session.objects.filter(program=program, title="Week 1", title_fr="Séance").exists()


def test_french_duplicate_copies_both_languages_with_the_new_year(db):
    program = ProgramFactory()
    first = program.sessions.order_by("starts_at").first()
    old, new = first.starts_at.year, (first.starts_at + timedelta(weeks=52)).year
    Program.objects.filter(pk=program.pk).update(title=f"MSC {old}", title_fr=f"MSC hiver {old}")
    program.sessions.update(title_fr="Séance")
    with translation.override("fr"):
        copy = program_duplicate(program=Program.objects.get(pk=program.pk), weeks=52)
    row = Program.objects.values("title", "title_fr").get(pk=copy.pk)
    assert row == {"title": f"MSC {new}", "title_fr": f"MSC hiver {new}"}
    assert ("Week 1", "Séance") in set(copy.sessions.values_list("title", "title_fr"))
    assert copy.price_options.get().__dict__["label"] == "Standard"


def test_french_admin_shows_and_saves_both_languages(client, staff_user, bilingual):
    client.force_login(staff_user)
    change = reverse("admin:programs_program_change", args=[bilingual.pk])
    with translation.override("fr"):
        response = client.get(change)
        page = response.content.decode()
        assert "Français" in page and 'name="title_fr"' in page
        assert "shows the English text there" in page
        data = change_form_data(response)
        assert data["title"] == "Mindful Self-Compassion: Winter"
        data.update(
            {
                "summary_fr": "Huit soirées calmes.",
                "sessions-0-title_fr": "Semaine 1 : découvrir",
                "_continue": "1",
            }
        )
        assert client.post(change, data).status_code == 302
    row = Program.objects.values("title", "summary", "summary_fr").get(pk=bilingual.pk)
    assert row == {
        "title": "Mindful Self-Compassion: Winter",
        "summary": "Eight evenings.",
        "summary_fr": "Huit soirées calmes.",
    }
    first = Session.objects.filter(program=bilingual).order_by("starts_at").first()
    assert (first.__dict__["title"], first.title_fr) == ("Week 1", "Semaine 1 : découvrir")


def test_french_agreement_admin_publishes_both_languages(admin_client):
    first = Agreement.current()
    with translation.override("fr"):
        assert first.title == "Entente de participation"
        assert "n'est pas une thérapie" in first.paragraphs[0]
        admin_client.post(
            reverse("admin:programs_agreement_change", args=[first.pk]),
            {
                "title": "Participant agreement",
                "text": "MSC is not therapy.",
                "title_fr": "Entente de participation",
                "text_fr": "Le MSC n'est pas une thérapie.",
            },
        )
    latest = Agreement.current()
    assert (latest.version, latest.text, latest.text_fr) == (
        first.version + 1,
        "MSC is not therapy.",
        "Le MSC n'est pas une thérapie.",
    )


def test_french_agreement_without_french_keeps_each_paragraph_marked(db):
    agreement = Agreement.publish(title="Agreement", text="One.\n\nTwo.")
    with translation.override("fr"):
        assert [p.fallback for p in agreement.paragraphs] == [True, True]


def test_french_question_choices_show_french_and_store_the_english_value(
    client, program, stripe_standin
):
    question = QuestionFactory(
        program=program,
        text="Meditated before?",
        text_fr="Avez-vous déjà médité ?",
        kind=Question.Kind.CHOICE,
        choices="Never\nA little\nOften",
        choices_fr="Jamais\nUn peu",
    )
    with translation.override("fr"):
        page = client.get(url(program)).content.decode()
        assert "Avez-vous déjà médité ?" in page
        assert "Jamais" in page and "Un peu" in page and 'value="Never"' in page
        assert question.choice_pairs == [
            ("Never", "Jamais"),
            ("A little", "Un peu"),
            ("Often", "Often"),
        ]
        response = client.post(url(program), form_data(program, **{f"q_{question.pk}": "Never"}))
    assert response.status_code == 303
    answer = Answer.objects.get()
    assert (answer.question_text, answer.value) == ("Meditated before?", "Never")


def test_french_program_page_shows_the_french_content_without_a_note(client, bilingual):
    page = french_page(client, "programs:detail", bilingual.slug)
    assert "Compassion envers soi en pleine conscience : hiver" in page
    assert "Huit soirées." in page and "À propos du <strong>MSC</strong>." in page
    assert "Séance" in page and "Régulier" in page
    assert 'lang="en"' not in page.split("<body", 1)[1] and NOTE_FR not in page


def test_french_program_page_marks_the_english_fallback_and_says_so_once(client, bilingual):
    PriceOption.objects.filter(program=bilingual).update(label_fr="")
    bilingual.facilitators.add(FacilitatorFactory(bio="Teaches with care."))
    page = french_page(client, "programs:detail", bilingual.slug)
    assert page.count(NOTE_FR) == 1
    assert '<strong lang="en">Standard\u00a0: ' in page
    assert '<p lang="en">Teaches with care.</p>' in page
    english = ProgramFactory()
    page = french_page(client, "programs:detail", english.slug)
    assert f'<h1 lang="en">{english.title}</h1>' in page and page.count(NOTE_FR) == 1
    english_page = client.get(english.get_absolute_url()).content.decode()
    assert NOTE_FR not in english_page and 'lang="en">' + english.title not in english_page


def test_french_program_cards_mark_english_titles(client, bilingual):
    english = ProgramFactory(title="Mindfulness in Everyday Life")
    page = french_page(client, "programs:list")
    assert '<h3 class="card__title" lang="en"><a' in page and english.title in page
    assert '<h3 class="card__title"><a' in page
    assert page.count(CARDS_NOTE_FR) == 1
    english.title_fr, english.summary_fr = "La pleine conscience au quotidien", "Simple."
    english.save()
    page = french_page(client, "home")
    assert "La pleine conscience au quotidien" in page and CARDS_NOTE_FR not in page


def test_french_demo_msc_program_is_written_in_french(client):
    call_command("load_demo", stdout=StringIO())
    msc = Program.objects.get(slug=MSC_SLUG)
    assert all(msc.__dict__[f"{name}_fr"] for name in ("title", "summary", "description"))
    assert not msc.sessions.filter(title_fr="").exists()
    assert not msc.price_options.filter(label_fr="").exists()
    assert not msc.questions.filter(text_fr="").exists()
    assert not msc.facilitators.filter(bio_fr="").exists()
    page = french_page(client, "programs:detail", MSC_SLUG)
    assert "Compassion envers soi en pleine conscience" in page and NOTE_FR not in page
    assert "Semaine 1" in page and "Demi-journée de retraite en silence" in page
    assert "Eight Wednesday evenings" not in page and "Supported" not in page
    english_only = Program.objects.get(slug="mindfulness-in-everyday-life")
    assert english_only.title_fr == ""


def test_french_fee_label_is_stored_in_english_and_shown_in_french(client, program, stripe_standin):
    program.price_options.update(label_fr="Régulier")
    with translation.override("fr"):
        client.post(url(program), form_data(program))
    registration = Registration.objects.get()
    assert registration.price_label == "Standard"
    with translation.override("fr"):
        assert registration.fee_label == "Régulier"
    assert registration.fee_label == "Standard"
