"""The participant agreement (the "policies"), in English and French."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .translated import TranslatedCharField, TranslatedModel, TranslatedTextField

DEFAULT_AGREEMENT = """\
Mindful self-compassion is not therapy. Our programs teach skills for everyday life; \
they are not a treatment for any condition and do not replace care from a doctor or \
therapist. If you are in crisis, call or text 9-8-8.

Cancellation: you may cancel from your account or your confirmation email. You get a \
full refund up to the date shown for your program (a set number of days before the first \
session), and no refund after that.

Privacy: we keep your contact details and your answers only to run your program and to \
reach you about it. Health-related answers are seen only by your facilitators and our \
staff, never emailed, and erased a set time after the program ends. You can download \
what we hold about you, or ask us to delete it, from "My registrations". Our privacy \
page says more."""

DEFAULT_AGREEMENT_FR = """\
La compassion envers soi en pleine conscience n'est pas une thérapie. Nos programmes \
enseignent des habiletés pour la vie de tous les jours\u00a0; ils ne traitent aucun trouble \
et ne remplacent pas les soins d'un médecin ou d'une ou d'un thérapeute. Si vous êtes en \
crise, appelez ou textez le 9-8-8.

Annulation\u00a0: vous pouvez annuler à partir de votre compte ou de votre courriel de \
confirmation. Vous êtes remboursé en entier jusqu'à la date indiquée pour votre programme \
(un certain nombre de jours avant la première séance), et il n'y a aucun remboursement \
après cette date.

Confidentialité\u00a0: nous conservons vos coordonnées et vos réponses seulement pour offrir \
votre programme et pour vous joindre à son sujet. Les réponses liées à la santé ne sont \
vues que par l'équipe d'animation et notre personnel\u00a0; elles ne sont jamais envoyées \
par courriel et sont effacées un certain temps après la fin du programme. Vous pouvez \
télécharger les renseignements que nous détenons à votre sujet, ou nous demander de les \
supprimer, à partir de «\u00a0Mes inscriptions\u00a0». Notre page sur la confidentialité \
vous en dit plus."""


class Agreement(TranslatedModel):
    """The participant agreement, one row per version: a version is never changed.

    Editing it in the admin saves a new version (programs/admin.py), and each
    registration points at the version its person accepted, so what someone agreed to
    can always be read back word for word. The current version is the latest.
    """

    version = models.PositiveIntegerField(_("version"), unique=True, editable=False)
    title = TranslatedCharField(_("title"), max_length=200, default="Participant agreement")
    text = TranslatedTextField(
        _("text"), help_text=_("Plain text; a blank line starts a new paragraph.")
    )
    title_fr = models.CharField(
        _("title in French"), max_length=200, blank=True, default="Entente de participation"
    )
    text_fr = models.TextField(_("text in French"), blank=True)
    created_at = models.DateTimeField(_("published"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("participant agreement")

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    @property
    def paragraphs(self) -> list[str]:
        """Each paragraph of the text; English shown in place of French stays marked."""
        text = self.text
        kind = type(text)
        return [kind(part.strip()) for part in text.split("\n\n") if part.strip()]

    @classmethod
    def current(cls) -> "Agreement":
        """The latest version; the first one, with the default wording, on a new site."""
        latest = cls.objects.order_by("-version").first()
        if latest is not None:
            return latest
        agreement, _created = cls.objects.get_or_create(
            version=1, defaults={"text": DEFAULT_AGREEMENT, "text_fr": DEFAULT_AGREEMENT_FR}
        )
        return agreement

    @classmethod
    def publish(
        cls, *, title: str, text: str, title_fr: str = "", text_fr: str = ""
    ) -> "Agreement":
        """A new version after the latest; the versions before it stay as they were."""
        latest = cls.objects.order_by("-version").values_list("version", flat=True).first()
        return cls.objects.create(
            version=(latest or 0) + 1, title=title, text=text, title_fr=title_fr, text_fr=text_fr
        )
