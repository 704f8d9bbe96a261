"""The portal's user (identified by e-mail address, no username) and the delegate profile."""

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Can log in to the administration site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # Addresses differing only in case are the same person's mailbox.
            models.UniqueConstraint(Lower("email"), name="user_email_unique_case_insensitive"),
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()


# Passport names in the machine-readable zone use the 26 Latin letters only; we also allow the
# separators that appear in the visual zone (spaces, hyphens, apostrophes).
latin_name_validator = RegexValidator(
    regex=r"\A[A-Za-z]+(?:[ '’\-]+[A-Za-z]+)*\Z",
    message=_(
        "Write the name in Latin letters as in your passport: letters A–Z, spaces, hyphens "
        "and apostrophes only."
    ),
    code="latin_name",
)


class DelegateProfile(models.Model):
    """A delegate's details, stored once and pre-filled for every forum they register for.

    Registrations copy these values when they are made (the snapshot the secretariat works
    with), so later profile edits never rewrite past registrations.
    """

    class Title(models.TextChoices):
        MR = "mr", _("Mr")
        MS = "ms", _("Ms")
        MRS = "mrs", _("Mrs")
        DR = "dr", _("Dr")
        PROF = "prof", _("Prof.")
        HE = "he", _("H.E.")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="delegate_profile",
        verbose_name=_("user"),
    )
    title = models.CharField(
        pgettext_lazy("person", "title"), max_length=8, choices=Title.choices, blank=True
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    latin_name = models.CharField(
        _("name in Latin letters"),
        max_length=200,
        blank=True,
        validators=[latin_name_validator],
        help_text=_("As in your passport, for badges and visa invitation letters."),
    )
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    country = CountryField(_("country"), blank=True)
    phone = PhoneNumberField(
        _("phone"), blank=True, help_text=_("In international format, e.g. +7 701 234 5678.")
    )
    # Remembered from the delegate's last registration (or this profile's page) and pre-filled
    # on the next forum's form; a registration keeps its own copy.
    nationality = CountryField(_("nationality"), blank=True)
    # A TextField's max_length binds only forms; the validator makes the service enforce it.
    dietary_needs = models.TextField(
        _("dietary needs"), max_length=500, blank=True, validators=[MaxLengthValidator(500)]
    )
    accessibility_needs = models.TextField(
        _("accessibility needs"),
        max_length=500,
        blank=True,
        validators=[MaxLengthValidator(500)],
    )
    consent_attendee_list = models.BooleanField(_("appears in the attendee list"), default=False)
    consent_marketing = models.BooleanField(_("accepts news about future forums"), default=False)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the e-mails the delegate receives."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # The details a registration copies from the profile (its snapshot) and forms pre-fill.
    DETAIL_FIELDS = (
        "title", "first_name", "last_name", "latin_name", "job_title", "organisation",
        "country", "phone",
    )  # fmt: skip
    # Remembered for the next registration (pre-filled), but each registration asks again.
    NEEDS_FIELDS = ("nationality", "dietary_needs", "accessibility_needs")
    CONSENT_FIELDS = ("consent_attendee_list", "consent_marketing")

    class Meta:
        verbose_name = _("delegate profile")
        verbose_name_plural = _("delegate profiles")
        permissions = [
            # Passport name, nationality, phone, dietary and accessibility (health) needs, on
            # profiles and registrations alike: the secretariat has it, organisers do not
            # (registrations/roles.py). Checked by accounts.selectors.
            (
                "view_special_personal_data",
                _(
                    "Can see special personal data (passport name, nationality, phone, "
                    "dietary and accessibility needs)"
                ),
            ),
        ]

    def __str__(self):
        return self.full_name or str(self.user_id)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


class ProfileHistory(models.Model):
    """One change of a delegate's profile: who made it, when, through which page, and each
    changed field's old and new value. Written by `accounts.services.update_profile` in the
    transaction that saves the profile."""

    class Channel(models.TextChoices):
        PROFILE_PAGE = "profile_page", _("on the profile page")
        REGISTRATION = "registration", _("when registering for a forum")
        REGISTRATION_CHANGE = "registration_change", _("when changing a registration")
        ON_BEHALF = "on_behalf", _("in a registration made by the secretariat")
        DELEGATION = "delegation", _("in a registration made by a delegation's focal point")
        SUBSTITUTION = "substitution", _("when a registration was handed over to them")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile_history",
        verbose_name=_("delegate"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    channel = models.CharField(_("channel"), max_length=24, choices=Channel.choices)
    # {field name: {"old": value, "new": value}}, values as JSON (country and phone as text).
    changes = models.JSONField(_("changes"), default=dict)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("profile change")
        verbose_name_plural = _("profile changes")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "-at"], name="profile_history_user_at")]

    def __str__(self):
        return f"{self.user_id} {self.get_channel_display()} {self.at:%Y-%m-%d %H:%M}"


class NewsConsentChange(models.Model):
    """One giving or withdrawing of consent to news about future forums: when, through what.

    The consent itself is `DelegateProfile.consent_marketing`; these rows are its history,
    written by `accounts.services.set_news_consent` (and by `update_profile` when a form
    changes it) in the transaction that changes it. A withdrawal through an unsubscribe link
    is recorded even for a person without a profile.
    """

    class Source(models.TextChoices):
        PROFILE_PAGE = "profile_page", _("on the profile page")
        REGISTRATION = "registration", _("when registering for a forum")
        REGISTRATION_CHANGE = "registration_change", _("when changing a registration")
        ON_BEHALF = "on_behalf", _("in a registration made by the secretariat")
        UNSUBSCRIBE_LINK = "unsubscribe_link", _("through the unsubscribe link in an e-mail")
        ONE_CLICK = "one_click", _("through the mail program's unsubscribe button")
        SECRETARIAT = "secretariat", _("by the secretariat")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="news_consent_changes",
        verbose_name=_("delegate"),
    )
    consented = models.BooleanField(_("consents to news"))
    source = models.CharField(_("source"), max_length=24, choices=Source.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("consent to news")
        verbose_name_plural = _("consents to news")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "-at"], name="news_consent_user_at")]

    def __str__(self):
        return f"{self.user_id} {self.consented} {self.at:%Y-%m-%d %H:%M}"
