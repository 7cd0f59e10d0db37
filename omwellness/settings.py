"""Settings for omwellness, read from the environment.

A fresh clone runs with no configuration at all: SQLite, no Redis (Celery tasks
run eagerly after commit), email to the console and the local Stripe stand-in.
Production sets DJANGO_SECRET_KEY and the Stripe secrets; with DEBUG off the site
refuses to start on the embedded development values. Every variable is listed in
.env.example and in the README.
"""

import os
import tempfile
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105
DEVELOPMENT_STRIPE_SECRET_KEY = "sk_test_standin"  # noqa: S105
DEVELOPMENT_STRIPE_WEBHOOK_SECRET = "whsec_standin"  # noqa: S105

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
# Debug is on by default only for a checkout that has no secret of its own: a
# server given a real secret key runs with debug off unless told otherwise.
DEBUG = env.bool("DJANGO_DEBUG", default=SECRET_KEY == DEVELOPMENT_SECRET_KEY)

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "omwellness",
    "programs",
    "outbox",
    "mailing",
    "registrations",
    "receipts",
    "facilitate",
    "certificates",
    "switching",
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "omwellness.middleware.RejectNulCharactersMiddleware",
    # Answers anonymous visitors from the kept home and program pages before the rest.
    "programs.middleware.SharedPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "omwellness.middleware.SecurityHeadersMiddleware",
    # Last: it turns a view's lost database connection into the calm 503 page.
    "omwellness.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "omwellness.urls"
WSGI_APPLICATION = "omwellness.wsgi.application"

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
                "omwellness.context_processors.site",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serialises writers; wait for the lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
    # Tests on SQLite use a file of their own rather than shared memory: a live server's
    # threads then wait for each other's writes instead of failing on a table lock.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"omwellness-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "omwellness.User"
# Django's and allauth's backends, each loading the person with their facilitator profile
# in one query (programs/auth_backends.py).
AUTHENTICATION_BACKENDS = [
    "programs.auth_backends.ModelBackend",
    "programs.auth_backends.AuthenticationBackend",
]
# Sessions are read from the cache (Redis) and written through to the database: a
# signed-in page costs no session query, and a Redis restart signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/registrations/"

# django-allauth: email is the login, no usernames.
ACCOUNT_LOGIN_METHODS = {"email"}
# The password is optional: signing in by emailed code needs none, and a person who
# wants one can set it at sign-up (typed twice) or later.
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1", "password2"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
# The sign-in page offers the emailed code first and the password second
# (templates/account/login.html). Ten minutes leaves room for a slow inbox;
# three wrong codes still end the attempt.
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 10 * 60
# Someone who registered without an account signs in by code all the same.
ACCOUNT_FORMS = {
    "login": "omwellness.accounts.LoginForm",
    "request_login_code": "registrations.accounts.RequestLoginCodeForm",
    "signup": "omwellness.accounts.SignupForm",
}
ACCOUNT_ADAPTER = "facilitate.accounts.AccountAdapter"
# allauth's rate limits, stated so that nobody turns them off by accident. They are
# kept in the cache below: Redis when REDIS_URL is set, so every web node shares them.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/300s/key",
    "request_login_code": "20/m/ip,3/m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/180s/key",
    "manage_email": "10/m/user",
    "change_password": "5/m/user",
}
ACCOUNT_PREVENT_ENUMERATION = True
# How many proxies in front of the web processes append to X-Forwarded-For (the load
# balancer, a CDN): per-client limits, allauth's and ours, key on the address they saw.
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "omwellness: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="omw"),
            # A Redis outage must not take pages down: reads miss and writes are dropped
            # (and logged) until it is back, so pages render afresh. Sign-in, whose rate
            # limits cannot be counted then, answers 429 rather than run without them.
            # Short timeouts keep a hung Redis from holding up requests.
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
TIME_ZONE = "America/Toronto"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="omwellness <hello@omwellness.ca>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Stripe. Locally and in tests the API base points at the stand-in (devtools/).
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default=DEVELOPMENT_STRIPE_SECRET_KEY)
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default=DEVELOPMENT_STRIPE_WEBHOOK_SECRET)
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="http://127.0.0.1:12111" if DEBUG else "")
# Where a registration form's redirect may lead (CSP form-action): Stripe's hosted
# Checkout; the middleware adds the origin of STRIPE_API_BASE (the stand-in locally).
CSP_FORM_ACTION_EXTRA = ["https://checkout.stripe.com"]
CHECKOUT_HOLD_MINUTES = 30
# Adds /_bench/fixed/, the bare view the benchmarks compare the program page with.
BENCHMARK_ROUTES = env.bool("BENCHMARK_ROUTES", default=False)
WAITLIST_OFFER_HOURS = env.int("WAITLIST_OFFER_HOURS", default=48)
# The public forms that hold a seat or send an email, per client address and per email
# address ("count/period", period s, m, h or d; omwellness/rate_limit.py counts them in
# the cache). A person registers a few times at most; a family or an office behind one
# address stays well inside the client limit.
FORM_RATE_LIMITS = {
    "register": {
        "client": env.str("REGISTER_RATE_LIMIT_PER_CLIENT", default="20/h"),
        "email": env.str("REGISTER_RATE_LIMIT_PER_EMAIL", default="5/h"),
    },
    "waitlist": {
        "client": env.str("WAITLIST_RATE_LIMIT_PER_CLIENT", default="10/h"),
        "email": env.str("WAITLIST_RATE_LIMIT_PER_EMAIL", default="3/h"),
    },
    # The public certificate page: per client, and per code in the "email" slot.
    "certificate": {
        "client": env.str("CERTIFICATE_RATE_LIMIT_PER_CLIENT", default="60/h"),
        "email": env.str("CERTIFICATE_RATE_LIMIT_PER_CODE", default="120/h"),
    },
    # Asking for news of future programs (each sends an email to confirm).
    "subscribe": {
        "client": env.str("SUBSCRIBE_RATE_LIMIT_PER_CLIENT", default="10/h"),
        "email": env.str("SUBSCRIBE_RATE_LIMIT_PER_EMAIL", default="3/h"),
    },
}
# Unpaid seats one client address may hold in one program at once (each hold lasts
# about 30 minutes); paid and confirmed seats do not count.
LIVE_HOLDS_PER_CLIENT = env.int("LIVE_HOLDS_PER_CLIENT", default=3)

# Celery (app in omwellness/celery.py, beat schedule there too): with no broker, tasks
# run eagerly once the transaction commits (outbox/services.py enqueues on commit).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Longer than any retry delay (outbox/sending.py waits at most 30 minutes), so a
# retry waiting for its time is not handed to a second worker; connecting fails fast so
# a request that enqueues while Redis is down answers at once (the outbox sweep sends later).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "max_retries": 1,
    "socket_connect_timeout": 5,
}
# A task interrupted by a lost broker connection runs again; every task here is idempotent.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# An SMTP server that stops answering must fail the send well inside the task's time limit.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
CELERY_TIMEZONE = TIME_ZONE

# Security. Behind a TLS-terminating proxy, production sets these on.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

if not DEBUG:
    missing = [
        name
        for name, value, default in [
            ("DJANGO_SECRET_KEY", SECRET_KEY, DEVELOPMENT_SECRET_KEY),
            ("STRIPE_SECRET_KEY", STRIPE_SECRET_KEY, DEVELOPMENT_STRIPE_SECRET_KEY),
            ("STRIPE_WEBHOOK_SECRET", STRIPE_WEBHOOK_SECRET, DEVELOPMENT_STRIPE_WEBHOOK_SECRET),
        ]
        if value == default
    ]
    if missing:
        raise ImproperlyConfigured(
            "With DEBUG off these must be set in the environment: " + ", ".join(missing)
        )
