"""Settings shared by every environment. Values come from the environment (see .env.example)."""

from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .environment import BASE_DIR, database_from_env, env, redis_url_from_env

DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "data")))

SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # modeltranslation patches the admin, so it comes before django.contrib.admin.
    "modeltranslation",
    # django.contrib.admin, with admin.site being minex.admin_site.MinexAdminSite.
    "minex.apps.AdminConfig",
    # auth and allauth.account with the admin section's name (minex/apps.py).
    "minex.apps.AuthConfig",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "django_countries",
    "phonenumber_field",
    "allauth",
    "minex.apps.AllauthAccountConfig",
    "accounts",
    "mail",
    "events",
    "registrations",
    "legal",
    # Receivers of registrations' signals run in this order. Before billing (and any app
    # whose receiver of registration_created invoices): pricing's receiver sets the price
    # (and locks the code) and add-ons' then books what the form asked for (the add-on rows
    # lock after the code rows) and re-prices with them, so billing invoices the total.
    "pricing",
    "addons",
    "exports",
    "visas",
    "billing",
    "badges",
    "checkin",
    "delegations",
    "rest_framework",
    "drf_spectacular",
    "api",
    "mailings",
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside every middleware that answers by itself (the 400 for NUL characters), so each
    # page carries the policy.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "minex.middleware.RejectNullCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "minex.middleware.PrivateResponsesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "minex.urls"
WSGI_APPLICATION = "minex.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "minex.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": database_from_env(DATA_DIR / "minex.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: e-mail is the identifier; verification is mandatory.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
# allauth's messages go through the outbox (mail/), not straight to SMTP in the request.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# Confirming the address in the same browser logs the delegate in and resumes the pending
# login, whose redirect is the ?next= they signed up with: back to the page they came from.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# The link opens a page with a Confirm button (POST): a mail scanner that follows links
# cannot confirm an address on the owner's behalf.
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# One address per account; changing it keeps the old one until the new one is confirmed.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[MINEX Forum] "
# allauth's rate limits (failed logins, sign-ups, password resets, confirmation e-mails) stay
# at their defaults; they count in the shared cache (Redis), so they hold across processes.
# Never set ACCOUNT_RATE_LIMITS = False.

# How many proxies in front of the portal append to X-Forwarded-For (the TLS proxy: 1). The
# rate limits count per client address (minex/client_address.py); 0 means REMOTE_ADDR is the
# client, and a client's own X-Forwarded-For header is ignored.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# allauth reads the address through our adapter (AccountAdapter.get_client_ip); its own
# setting holds the same number so any allauth code reading the header directly agrees.
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# Internationalisation: English is the default; Russian complete; Kazakh for public pages.
LANGUAGE_CODE = "en"
# Formats for languages Django ships none for (Kazakh): minex/formats/<code>/formats.py.
FORMAT_MODULE_PATH = ["minex.formats"]
LANGUAGES = [
    ("en", _("English")),
    ("ru", _("Russian")),
    ("kk", _("Kazakh")),
]
# Our catalogue first; then the overlay for third-party strings (allauth ships no Kazakh).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "_vendor"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "ru", "kk")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# Tabbed translation fields in the admin load jQuery UI from here: vendored, never a CDN.
JQUERY_UI_URL = "vendor/jquery-ui/jquery-ui.min.js"

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Hashed, compressed static files; used by production and by the image build.
PRODUCTION_STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))
# Files that must never be served by URL (visa invitation letters): only views that check
# who asks read them. Outside MEDIA_ROOT so no web server configuration can expose them.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(DATA_DIR / "private")))

# Field-level encryption of personal data at rest (minex/encryption.py): comma-separated
# Fernet keys; the first encrypts, every one decrypts. Production requires it (no default);
# dev and test settings set a fixed key that is not a secret.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
# A key that is published in this repository, for development and tests only; production
# refuses it.
DEVELOPMENT_FIELD_ENCRYPTION_KEY = "ZGV2LW9ubHktbm90LXNlY3JldC1taW5leC1maWVsZHM="

# Redis is the Celery broker and the shared cache (rate limits must be shared by all
# web processes). Without REDIS_URL the portal runs on the embedded default: tasks run
# in-process and the cache is per process. The cache fails open (minex/cache.py): while
# Redis is down, rate limits (ours and allauth's) let requests through with a logged
# warning, so registrations and sign-ups go on; the outbox keeps their e-mails.
REDIS_URL = redis_url_from_env()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "minex.cache.FailOpenRedisCache",
            "LOCATION": env.str("CACHE_URL", default=REDIS_URL),
            "KEY_PREFIX": "minex",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery (see minex/celery.py): settings are read with the CELERY_ namespace.
# The embedded default names a host for the in-memory broker: with none, kombu warns "No
# hostname was supplied" on every task.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged after it ran, so a worker that dies mid-task does not lose it.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker waits for Redis as long as it takes (Celery's default gives up after 100 tries,
# about an hour, and exits); docker-compose's restart policy is the backstop.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A delivery running when the broker connection drops finishes and records its result: it
# is not cancelled (Celery 6's default) in the middle of an SMTP conversation, where a
# second attempt could send the e-mail twice. Its late ack is lost with the connection; the
# message comes back after the visibility timeout and finds the row sent.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# Publishing happens after commit in the delegate's request: with the broker down it gives up
# after one quick retry instead of holding the request (the dispatcher hands the rows out
# once Redis is back). A connect timeout keeps an unreachable host from costing minutes.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.1,
    "interval_max": 0.1,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 1}
CELERY_TIMEZONE = "UTC"
# Mailings have their own queue, so a 20,000-recipient mailing never waits in front of a
# registration's confirmation: run a worker for it (`bin/worker --queues mailings`, the
# docker-compose service "mailings-worker"); bin/worker alone consumes the default queue.
CELERY_TASK_ROUTES = {
    "mail.tasks.deliver_bulk_emails": {"queue": "mailings"},
    "mail.tasks.dispatch_due_bulk_emails": {"queue": "mailings"},
    "mailings.tasks.*": {"queue": "mailings"},
}
CELERY_BEAT_SCHEDULE = {
    # Mailings stuck "queueing" published again, finished ones marked sent, due reminders.
    "mailings-sweep": {
        "task": "mailings.tasks.sweep_mailings",
        "schedule": env.float("MAILINGS_SWEEP_INTERVAL", default=60.0),
    },
    # Mailings' pace: rows whose turn has come (MAILINGS_RATE_PER_MINUTE) go to the mailings
    # queue's delivery task.
    "mail-dispatch-due-bulk-emails": {
        "task": "mail.tasks.dispatch_due_bulk_emails",
        "schedule": env.float("MAILINGS_DISPATCH_INTERVAL", default=5.0),
    },
    # Hands due outbox rows (retries, rows whose hand-off missed the broker) to the workers
    # and frees rows left in "sending" by a worker that died.
    "mail-dispatch-due-emails": {
        "task": "mail.tasks.dispatch_due_emails",
        "schedule": env.float("MAIL_DISPATCH_INTERVAL", default=30.0),
    },
    # Background exports whose worker died are queued again (or failed after a few runs).
    "exports-release-stuck": {
        "task": "exports.tasks.release_stuck_exports",
        "schedule": env.float("EXPORTS_SWEEP_INTERVAL", default=300.0),
    },
    # Issued documents' PDFs: jobs whose worker died are queued again, due retries handed out.
    "billing-document-pdfs": {
        "task": "billing.tasks.sweep_document_renders",
        "schedule": env.float("BILLING_PDF_SWEEP_INTERVAL", default=60.0),
    },
    # Billing: payment reminders before the due date; unpaid invoices flagged after it (and
    # their registrations cancelled where the event chose so). Hourly: dates, not minutes.
    "billing-payment-reminders": {
        "task": "billing.tasks.send_payment_reminders",
        "schedule": 3600.0,
    },
    "billing-flag-overdue": {
        "task": "billing.tasks.flag_overdue_invoices",
        "schedule": 3600.0,
    },
    # Early bird by payment date: unpaid early birds re-priced after their deadline.
    "billing-lapse-unpaid-early-birds": {
        "task": "billing.tasks.lapse_unpaid_early_birds",
        "schedule": 3600.0,
    },
    # Attendee lists are personal data: background export files are deleted once expired.
    "exports-purge-expired-files": {
        "task": "exports.tasks.purge_expired_export_files",
        "schedule": 3600.0,
    },
    # Visa letters whose worker died, or whose task never reached one, are rendered again.
    "visas-release-stuck-letters": {
        "task": "visas.tasks.release_stuck_letters",
        "schedule": env.float("VISA_LETTER_SWEEP_INTERVAL", default=60.0),
    },
    # Passport data and letter PDFs are wiped VISA_PASSPORT_RETENTION_DAYS after each event.
    "visas-wipe-expired-passport-data": {
        "task": "visas.tasks.wipe_expired_passport_data",
        "schedule": crontab(minute=15, hour=env.int("VISA_RETENTION_HOUR", default=1)),
    },
    # The retention schedule (PRIVACY_* below): needs after events, old mail bodies, export
    # files, inactive accounts (warned first). Daily, an hour after the visa wipe.
    "privacy-apply-retention-schedule": {
        "task": "privacy.tasks.apply_retention_schedule",
        "schedule": crontab(minute=45, hour=env.int("PRIVACY_RETENTION_HOUR", default=1)),
    },
    # The secretariat's daily digest of visa requests whose filing deadline is near (UTC hour:
    # 03:00 is 08:00 in Astana).
    "visas-filing-deadline-digest": {
        "task": "visas.tasks.send_filing_deadline_digest",
        "schedule": crontab(minute=0, hour=env.int("VISA_FILING_DIGEST_HOUR", default=3)),
    },
    # Badge batches whose worker died, and old badge PDFs (names and QR codes) to delete.
    "badges-release-stuck": {
        "task": "badges.tasks.release_stuck_batches",
        "schedule": env.float("BADGES_SWEEP_INTERVAL", default=300.0),
    },
    # Webhook deliveries whose retry time has come, or whose worker died while sending.
    "api-dispatch-due-webhooks": {
        "task": "api.tasks.dispatch_due_webhooks",
        "schedule": env.float("WEBHOOK_DISPATCH_INTERVAL", default=30.0),
    },
    "badges-purge-expired-files": {
        "task": "badges.tasks.purge_expired_batch_files",
        "schedule": 3600.0,
    },
}

# Mailings: how many of a mailing's e-mails go out per minute (all mailings together share the
# "mailings" queue's worker; confirmations use the default queue and never wait for them).
# The pacer hands out at most MAIL_DISPATCH_BATCH_SIZE rows per MAILINGS_DISPATCH_INTERVAL
# (500 per 5 s: 6,000 a minute); a higher rate needs a larger batch or a shorter interval.
MAILINGS_RATE_PER_MINUTE = env.int("MAILINGS_RATE_PER_MINUTE", default=600)

# Mail. Without EMAIL_HOST mail goes to the console (or to files with EMAIL_BACKEND).
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
# Below the task's soft time limit, so a hung SMTP server fails the attempt, not the worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default=(
        "django.core.mail.backends.smtp.EmailBackend"
        if EMAIL_HOST
        else "django.core.mail.backends.console.EmailBackend"
    ),
)
EMAIL_FILE_PATH = Path(env.str("EMAIL_FILE_PATH", default=str(DATA_DIR / "mail")))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="MINEX Forum <noreply@minexforum.com>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
SECRETARIAT_EMAIL = env.str("SECRETARIAT_EMAIL", default="secretariat@minexforum.com")

# The outbox (mail/). Delays are seconds; all of them are settings so tests never sleep.
# A temporary failure (connection refused, timeout, SMTP 4xx) waits MAIL_RETRY_DELAYS[n] after
# the n-th attempt; after the last delay the e-mail is marked failed.
MAIL_RETRY_DELAYS = [
    int(delay) for delay in env.list("MAIL_RETRY_DELAYS", default=[10, 60, 300, 1800, 7200])
]
# A configuration fault (SMTP authentication, TLS, settings) keeps e-mails queued and retries
# them this often without using up their attempts: they go out once the fault is fixed.
MAIL_CONFIGURATION_FAULT_DELAY = env.int("MAIL_CONFIGURATION_FAULT_DELAY", default=300)
# A worker that claims rows marks them "sending" with a lease of CELERY_TASK_TIME_LIMIT plus
# this margin (seconds): Celery's hard time limit has stopped the task by then, so a row still
# "sending" after its lease belongs to a worker that died, and the dispatcher queues it again.
# The margin covers the pool's lag in killing the task and clock skew between the worker and
# beat hosts. So a killed worker's e-mails wait at most CELERY_TASK_TIME_LIMIT + this margin +
# MAIL_DISPATCH_INTERVAL (90 + 30 + 30 s by default). Only the rows the killed worker was
# sending can go out twice: at most MAIL_DELIVERY_BATCH_SIZE per worker process (each prefork
# child holds one task at a time), i.e. CELERY_CONCURRENCY x MAIL_DELIVERY_BATCH_SIZE for a
# whole worker (2 x 50 by default). The "sent" record is committed without waiting for the
# disk (mail.services.delivery._record_sent), so a crash of the PostgreSQL server can lose
# the last batch each worker process recorded, with the same effect and the same bound: those
# rows stay "sending" and go out once more, with the same Message-IDs, after their lease.
MAIL_SENDING_LEASE_MARGIN = env.int("MAIL_SENDING_LEASE_MARGIN", default=30)
# How many due rows one dispatcher run hands to the workers.
MAIL_DISPATCH_BATCH_SIZE = env.int("MAIL_DISPATCH_BATCH_SIZE", default=500)
# Seconds a dispatched row is not handed out again while it waits in the broker (a backlog).
MAIL_DISPATCH_LEASE = env.int("MAIL_DISPATCH_LEASE", default=60)
# How many e-mails one delivery task sends over its SMTP connection: a transaction (or a
# dispatcher run) that queues more publishes one task per this many. A worker process that dies
# mid-batch can cause at most this many duplicates (see MAIL_SENDING_LEASE_MARGIN for a whole
# worker); a batch must fit in the task's soft time limit (50 in 60 s leaves 1.2 s a message,
# several times what a relay's four or five round trips take; past the limit the messages not
# yet tried go back to "queued" without using an attempt, for the next dispatcher run).
# Each batch costs the same fixed work whatever its size: a Celery task, one NOOP, the claim's
# durable commit and the "sent" record (with 20, about a third of the worker's time on a loaded
# host). With 50, and the "sent" record not waiting for the disk, bench/email_outbox.py's ratio
# to raw smtplib went from a median of 0.36 to 0.51 (seven runs each, load 5-10 on two cores). The
# price is the duplicate bound above, 50 per worker process instead of 20.
MAIL_DELIVERY_BATCH_SIZE = env.int("MAIL_DELIVERY_BATCH_SIZE", default=50)

# Attendee exports (exports/). An XLSX export up to this many rows is built in the request;
# a larger one is built by a Celery task while the organiser watches its progress.
EXPORTS_XLSX_SYNC_MAX_ROWS = env.int("EXPORTS_XLSX_SYNC_MAX_ROWS", default=5000)
# Hours a background export's file stays downloadable before beat deletes it.
EXPORTS_FILE_RETENTION_HOURS = env.int("EXPORTS_FILE_RETENTION_HOURS", default=72)
# Seconds an XLSX task may run (it writes about 10,000 rows a second).
EXPORTS_TASK_SOFT_TIME_LIMIT = env.int("EXPORTS_TASK_SOFT_TIME_LIMIT", default=900)
# Celery kills a run this long (the soft limit's clean failure had a minute to happen).
EXPORTS_TASK_TIME_LIMIT = EXPORTS_TASK_SOFT_TIME_LIMIT + 60
# An export "running" for longer than this lost its worker (killed, out of memory, host
# restarted): the sweep queues it again, or fails it after EXPORTS_MAX_ATTEMPTS runs. Above
# the hard time limit, so a slow run has been stopped by Celery before it is taken from it.
EXPORTS_STUCK_AFTER = env.int("EXPORTS_STUCK_AFTER", default=EXPORTS_TASK_TIME_LIMIT + 60)
if EXPORTS_STUCK_AFTER <= EXPORTS_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"EXPORTS_STUCK_AFTER ({EXPORTS_STUCK_AFTER}s) must be above the export task's hard "
        f"time limit ({EXPORTS_TASK_TIME_LIMIT}s)."
    )
EXPORTS_MAX_ATTEMPTS = env.int("EXPORTS_MAX_ATTEMPTS", default=3)

# Visa invitation letters (visas/). An event without its own VisaPolicy uses these: the
# petition can be filed from VISA_EARLIEST_DAYS to VISA_LATEST_DAYS days before entry (the
# Kazakh migration service's rule), and the planned stay may start up to
# VISA_ENTRY_DAYS_BEFORE_START days before the event and end up to VISA_EXIT_DAYS_AFTER_END
# days after it.
VISA_EARLIEST_DAYS = env.int("VISA_EARLIEST_DAYS", default=90)
VISA_LATEST_DAYS = env.int("VISA_LATEST_DAYS", default=14)
VISA_PROCESSING_WORKING_DAYS = env.int("VISA_PROCESSING_WORKING_DAYS", default=5)
VISA_ENTRY_DAYS_BEFORE_START = env.int("VISA_ENTRY_DAYS_BEFORE_START", default=30)
VISA_EXIT_DAYS_AFTER_END = env.int("VISA_EXIT_DAYS_AFTER_END", default=30)
# Rendering a letter's PDF (visas/letters/rendering.py). A worker claims a letter with a lease
# of CELERY_TASK_TIME_LIMIT plus this margin (seconds): past it the task has surely been
# stopped, and the sweep (every VISA_LETTER_SWEEP_INTERVAL seconds) hands the letter out again.
VISA_LETTER_LEASE_MARGIN = env.int("VISA_LETTER_LEASE_MARGIN", default=30)
# A failed attempt is retried after these delays (seconds, the last one repeating), and the
# letter is marked failed after VISA_LETTER_MAX_ATTEMPTS attempts (a killed worker counts).
VISA_LETTER_RETRY_DELAYS = [
    int(delay) for delay in env.list("VISA_LETTER_RETRY_DELAYS", default=[30, 120, 600, 1800])
]
VISA_LETTER_MAX_ATTEMPTS = env.int("VISA_LETTER_MAX_ATTEMPTS", default=5)
# A letter due "to render" this many seconds without a worker taking it (the hand-off after
# commit missed the broker, the message was lost) is handed out again by the sweep.
VISA_LETTER_DISPATCH_GRACE = env.int("VISA_LETTER_DISPATCH_GRACE", default=120)
# Passport data and letter PDFs are wiped this many days after the event's last day (on the
# event's clock) by `visas.tasks.wipe_expired_passport_data`.
VISA_PASSPORT_RETENTION_DAYS = env.int("VISA_PASSPORT_RETENTION_DAYS", default=30)
# The secretariat's daily digest lists open requests whose filing deadline is this near.
VISA_FILING_DIGEST_DAYS = env.int("VISA_FILING_DIGEST_DAYS", default=7)
# The petition numbers' upload (CSV or XLSX): bigger files or more rows are refused.
VISA_PETITION_UPLOAD_MAX_BYTES = env.int("VISA_PETITION_UPLOAD_MAX_BYTES", default=2 * 1024 * 1024)
VISA_PETITION_UPLOAD_MAX_ROWS = env.int("VISA_PETITION_UPLOAD_MAX_ROWS", default=5000)
# Billing (billing/). An invoice falls due this many days after it is issued (each event may
# choose its own), and never later than the day before the event starts.
BILLING_PAYMENT_DUE_DAYS = env.int("BILLING_PAYMENT_DUE_DAYS", default=14)
# The letters that open every payment reference ("MX26 4821 173").
BILLING_REFERENCE_PREFIX = env.str("BILLING_REFERENCE_PREFIX", default="MX")
# Issued documents' PDFs (billing/documents/): a worker claims a job for CELERY_TASK_TIME_LIMIT
# plus this margin; past it, beat's sweep (every BILLING_PDF_SWEEP_INTERVAL s) queues the job
# again. A failed rendering is retried after each of these delays, then marked failed.
BILLING_PDF_LEASE_MARGIN = env.int("BILLING_PDF_LEASE_MARGIN", default=30)
BILLING_PDF_RETRY_DELAYS = [
    int(delay) for delay in env.list("BILLING_PDF_RETRY_DELAYS", default=[30, 300, 1800])
]
# A due job handed to the workers is not handed out again for this many seconds.
BILLING_PDF_DISPATCH_LEASE = env.int("BILLING_PDF_DISPATCH_LEASE", default=120)
# Bank statements (billing/statements/): the largest upload and the most lines read from one
# file; a bigger statement is split by the secretariat (a year of a busy account is ~5,000).
BILLING_STATEMENT_MAX_BYTES = env.int("BILLING_STATEMENT_MAX_BYTES", default=10 * 1024 * 1024)
BILLING_STATEMENT_MAX_LINES = env.int("BILLING_STATEMENT_MAX_LINES", default=20_000)
# Card payments through Stripe Checkout (billing/providers/): off unless both keys are set.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# Badges: up to BADGES_SYNC_MAX badges are drawn in the request; more by the
# `badges.tasks.build_badge_batch` task, with progress, the file under MEDIA_ROOT/badges/.
BADGES_SYNC_MAX = env.int("BADGES_SYNC_MAX", default=200)
BADGES_TASK_SOFT_TIME_LIMIT = env.int("BADGES_TASK_SOFT_TIME_LIMIT", default=1800)
BADGES_TASK_TIME_LIMIT = BADGES_TASK_SOFT_TIME_LIMIT + 60
# A batch "running" longer than this lost its worker: the sweep queues it again, or fails it
# after BADGES_MAX_ATTEMPTS runs (as for exports).
BADGES_STUCK_AFTER = env.int("BADGES_STUCK_AFTER", default=BADGES_TASK_TIME_LIMIT + 60)
BADGES_MAX_ATTEMPTS = env.int("BADGES_MAX_ATTEMPTS", default=3)
BADGES_FILE_RETENTION_HOURS = env.int("BADGES_FILE_RETENTION_HOURS", default=72)

# The retention schedule (privacy/retention.py, run daily by privacy.tasks; shown on the
# privacy page). Dietary and accessibility needs are wiped from registrations (and from the
# profile, if the delegate has no later event) this many days after the event's last day.
PRIVACY_NEEDS_RETENTION_DAYS = env.int("PRIVACY_NEEDS_RETENTION_DAYS", default=0)
# Bodies and attachments of sent or failed e-mails are emptied after this many days (the row
# stays: to whom, what kind, when, the outcome).
PRIVACY_MAIL_BODY_RETENTION_DAYS = env.int("PRIVACY_MAIL_BODY_RETENTION_DAYS", default=90)
# Export files: EXPORTS_FILE_RETENTION_HOURS and BADGES_FILE_RETENTION_HOURS above.
# Accounts with no sign-in and no registration for this many years are deleted, after a
# warning e-mail sent PRIVACY_INACTIVITY_WARNING_DAYS before.
PRIVACY_INACTIVE_ACCOUNT_YEARS = env.int("PRIVACY_INACTIVE_ACCOUNT_YEARS", default=3)
PRIVACY_INACTIVITY_WARNING_DAYS = env.int("PRIVACY_INACTIVITY_WARNING_DAYS", default=30)
# The delegate's ticket e-mail (the QR, a link to the printable ticket) when a registration
# is confirmed: a second e-mail beside registrations' own confirmation.
BADGES_TICKET_EMAIL = env.bool("BADGES_TICKET_EMAIL", default=True)

# Content-Security-Policy (django-csp): everything from our own origin, nothing inline. Our
# scripts are static files (static/js/, each app's static/), and so are the admin's; no
# template has a <script> body, an on*= handler or a style attribute. Never framed (as
# X_FRAME_OPTIONS), no plugins, forms post only to us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    },
}
if STRIPE_SECRET_KEY:
    # "Pay by card" posts to us and is redirected to Stripe's hosted page; browsers apply
    # form-action to that redirect too.
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append("https://checkout.stripe.com")

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "minex.errors.csrf_failure"
# Our own forms' rate limits (minex/ratelimit.py): (attempts, seconds) per account.
RATE_LIMITS = {
    "delegate_forms": (
        env.int("RATE_LIMIT_DELEGATE_FORMS", default=20),
        env.int("RATE_LIMIT_DELEGATE_FORMS_PERIOD", default=600),
    ),
    # The public verification page of visa letters, per client address: a consulate checks
    # a few letters, a script guessing tokens would need billions of billions of tries.
    "visa_letter_verify": (
        env.int("RATE_LIMIT_VISA_LETTER_VERIFY", default=60),
        env.int("RATE_LIMIT_VISA_LETTER_VERIFY_PERIOD", default=600),
    ),
}

# How long after a scan the door may undo an admission (checkin/services.py).
CHECKIN_UNDO_SECONDS = env.int("CHECKIN_UNDO_SECONDS", default=60)

# The REST API (api/, docs/api.md): tokens only (no session, so no CSRF question), errors as
# RFC 9457 problems, cursor pages, rate limits per token counted in the fail-open cache.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttles.TokenRateThrottle",
        "api.throttles.AnonymousRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env.str("API_RATE_LIMIT_TOKEN", default="1200/minute"),
        "anonymous": env.str("API_RATE_LIMIT_ANONYMOUS", default="120/minute"),
    },
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MINEX Forum Portal API",
    "DESCRIPTION": "Forums, events and categories (public); registrations, check-ins and "
    "decisions for staff tokens. Webhooks and how to verify them: docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
}
# Webhooks (api/webhooks.py): seconds between attempts (one more attempt than delays), the
# failures in a row that pause a subscription, the request's timeout.
WEBHOOK_RETRY_DELAYS = [
    int(delay)
    for delay in env.list("WEBHOOK_RETRY_DELAYS", default=["30", "120", "600", "3600", "21600"])
]
WEBHOOK_PAUSE_AFTER_FAILURES = env.int("WEBHOOK_PAUSE_AFTER_FAILURES", default=15)
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=10.0)
WEBHOOK_SENDING_LEASE_MARGIN = env.int("WEBHOOK_SENDING_LEASE_MARGIN", default=30)
WEBHOOK_DISPATCH_BATCH_SIZE = env.int("WEBHOOK_DISPATCH_BATCH_SIZE", default=100)
# SSRF (api/addresses.py): loopback receivers only where someone turns this on (dev, tests);
# private, link-local and multicast addresses are refused whatever it says.
WEBHOOK_ALLOW_LOOPBACK = env.bool("WEBHOOK_ALLOW_LOOPBACK", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint logs seven progress lines per PDF (letters, invoices) at INFO; its
        # warnings still show.
        "weasyprint.progress": {"level": "WARNING"},
        # WeasyPrint logs each step of every PDF at INFO (and its style sheets at import).
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
