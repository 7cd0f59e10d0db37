"""The French of the demo's Winter MSC program (load_demo), as the centre writes it.

The in-person "Mindfulness in Everyday Life" has no French on purpose: the French site
shows its English, marked as such, with a note.
"""

from programs.models import Facilitator, Program
from programs.translated import english

NBSP = "\u00a0"

MSC_TITLE_FR = f"Compassion envers soi en pleine conscience{NBSP}: hiver 2026"
MSC_SUMMARY_FR = (
    "Huit mercredis soir et une demi-journée de retraite pour bâtir une relation plus douce "
    "et plus stable avec vous-même. En ligne, en petit groupe."
)
MSC_DESCRIPTION_FR = f"""\
La compassion envers soi en pleine conscience (MSC, pour Mindful Self-Compassion) est un
programme de huit semaines, appuyé par la recherche, qui vous apprend à vous traiter avec
la chaleur que vous offririez à une bonne amie ou à un bon ami, surtout quand la vie est
difficile.

Chaque soirée réunit de courts exposés, des méditations guidées, des exercices tout en
douceur et des moments d'échange en petits groupes. Entre les séances, vous pratiquez à la
maison avec les enregistrements que nous vous envoyons, environ 30 minutes par jour.

**Ce que vous apprendrez**

- à calmer votre voix critique intérieure et à vous motiver par l'encouragement
- des pratiques pour les moments de stress, de deuil ou de trop-plein
- des façons de garder votre équilibre dans les relations difficiles
- à savourer ce qui est bon dans la vie de tous les jours

Aucune expérience de la méditation n'est nécessaire. Le programme MSC n'est pas une
thérapie{NBSP}; si vous traversez une crise, parlez-nous avant de vous inscrire.
"""

MSC_WEEKS_FR = [
    f"Semaine 1{NBSP}: découvrir la compassion envers soi",
    f"Semaine 2{NBSP}: pratiquer la pleine conscience",
    f"Semaine 3{NBSP}: l'amour bienveillant",
    f"Semaine 4{NBSP}: trouver votre voix compatissante",
    f"Semaine 5{NBSP}: vivre selon vos valeurs",
    f"Semaine 6{NBSP}: accueillir les émotions difficiles",
    f"Semaine 7{NBSP}: les relations difficiles",
    f"Semaine 8{NBSP}: embrasser votre vie",
]
RETREAT = "Half-day silent retreat"
RETREAT_FR = "Demi-journée de retraite en silence"

# By the English label: (label, description).
PRICES_FR = {
    "Supported": (
        "Réduit",
        "Pour les étudiantes et étudiants, les personnes à faible revenu ou entre deux emplois.",
    ),
    "Standard": ("Régulier", "Couvre le coût complet du programme."),
    "Sustaining": ("Solidaire", "Aide à financer des places à tarif réduit pour d'autres."),
}

# By position: (question, choices, one per line as the English ones).
QUESTIONS_FR = [
    (f"Qu'est-ce qui vous amène à ce programme{NBSP}?", ""),
    (f"Avez-vous déjà pratiqué la méditation{NBSP}?", "Jamais\nUn peu\nRégulièrement"),
    (f"Êtes-vous présentement en suivi avec une ou un thérapeute{NBSP}?", ""),
    (
        "Y a-t-il quelque chose au sujet de votre santé physique ou mentale que l'équipe "
        f"d'animation devrait savoir{NBSP}?",
        "",
    ),
    (f"Comment avez-vous entendu parler de nous{NBSP}?", ""),
]

LEAD_FR = {
    "credentials_fr": "Enseignante MSC certifiée; psychothérapeute autorisée",
    "bio_fr": "Enseigne la pleine conscience et la compassion envers soi depuis plus de dix "
    "ans, avec un style doux et concret, et beaucoup de place pour les questions.",
}
CO_FR = {
    "credentials_fr": "Enseignante MSC formée; professeure de yoga et de méditation",
    "bio_fr": "Anime depuis des années des retraites et des cours dans la communauté, et "
    "aborde les sujets les plus difficiles avec un humour chaleureux.",
}

SCREENED_TITLE_FR = f"MSC en petit groupe{NBSP}: compassion envers soi, sur demande d'admission"
SCREENED_SUMMARY_FR = (
    "Le programme MSC de huit semaines, en petit groupe. Une animatrice ou un animateur lit "
    "chaque demande d'admission, et peut vous appeler, avant tout paiement."
)
PAST_TITLE_FR = "Les bases de la compassion envers soi"


def translate_msc(program: Program) -> None:
    """Writes the French of the Winter MSC program beside its English."""
    program.title_fr = MSC_TITLE_FR
    program.summary_fr = MSC_SUMMARY_FR
    program.description_fr = MSC_DESCRIPTION_FR
    program.save(update_fields=["title_fr", "summary_fr", "description_fr"])
    weeks = iter(MSC_WEEKS_FR)
    for session in program.sessions.order_by("starts_at"):
        retreat = english(session, "title") == RETREAT
        session.title_fr = RETREAT_FR if retreat else next(weeks)
        session.save(update_fields=["title_fr"])
    for option in program.price_options.all():
        label, description = PRICES_FR[english(option, "label")]
        option.label_fr, option.description_fr = label, description
        option.save(update_fields=["label_fr", "description_fr"])
    for question, (text, choices) in zip(program.questions.all(), QUESTIONS_FR, strict=True):
        question.text_fr, question.choices_fr = text, choices
        question.save(update_fields=["text_fr", "choices_fr"])


def translate_facilitators(lead: Facilitator, co: Facilitator) -> None:
    for facilitator, french in [(lead, LEAD_FR), (co, CO_FR)]:
        if not facilitator.bio_fr:
            Facilitator.objects.filter(pk=facilitator.pk).update(**french)
