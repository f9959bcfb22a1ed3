"""Settings for drf_api.

Everything that differs between a laptop and production is read from the environment here,
in one place, with a safe local default: SQLite, media on local disk, DEBUG off unless asked.
The variables are listed in README.md.
"""
import copy
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(*names):
    """Comma-separated values of the first of `names` that is set, as a list."""
    for name in names:
        value = os.environ.get(name)
        if value:
            return [item.strip() for item in value.split(",") if item.strip()]
    return []


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. "
            "Set DEBUG=1 for local development, or give SECRET_KEY a long random value."
        )
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or ["localhost", "127.0.0.1", "[::1]"]

# The single-page app's origins: allowed by CORS (with credentials) and trusted for CSRF.
CLIENT_ORIGINS = env_list("CLIENT_ORIGINS", "CLIENT_ORIGIN")
CORS_ALLOWED_ORIGINS = CLIENT_ORIGINS
CORS_ALLOW_CREDENTIALS = True
CSRF_TRUSTED_ORIGINS = sorted(set(CLIENT_ORIGINS + env_list("CSRF_TRUSTED_ORIGINS")))

USE_CLOUDINARY = bool(os.environ.get("CLOUDINARY_URL"))

INSTALLED_APPS = [
    # First: `manage.py runserver` is then Daphne's ASGI server, WebSocket included (make run).
    "daphne",
    "drf_api.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.postgres",
    # After staticfiles: its own collectstatic breaks on Django >= 5.1 (STACK.md, pitfall 7).
    "cloudinary_storage",
    "cloudinary",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "dj_rest_auth",
    "dj_rest_auth.registration",
    "drf_api",
    "media",
    "users",
    "safety",
    "profiles",
    "posts",
    "comments",
    "likes",
    "followers",
    "messaging",
    "notifications",
    "realtime",
    "moderation",
    "accounts",
    "demo",
]

# Outermost first. A trusted proxy's path prefix is applied before anything builds a URL; the
# header-setting middleware wraps everything else, so that every response (the JSON 404 and the
# 413 included) carries the same headers; static files leave at whitenoise.
MIDDLEWARE = [
    "drf_api.middleware.ForwardedPrefixMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "drf_api.middleware.RequestBodyLimitMiddleware",
    "drf_api.middleware.JSONNotFoundMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "drf_api.middleware.PrivateResponseMiddleware",
    "drf_api.middleware.DatabaseUnavailableMiddleware",
    "drf_api.replicas.ReplicaMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "drf_api.urls"
# Served under a path prefix that the proxy passes through (/api/posts/ arrives as /api/posts/):
# SCRIPT_NAME=/api. (A proxy that strips the prefix names it in X-Forwarded-Prefix instead.)
FORCE_SCRIPT_NAME = os.environ.get("SCRIPT_NAME") or None
WSGI_APPLICATION = "drf_api.wsgi.application"
ASGI_APPLICATION = "drf_api.asgi.application"
WEBSOCKET_URLCONF = "realtime.routing"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer must not hang a worker: give up connecting after this long.
    DATABASE_CONNECT_TIMEOUT = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
    PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", default=True)
    # psycopg 3's pool, shared by the process's threads. Under ASGI every request runs its sync
    # code on a thread of its own, so a per-thread persistent connection would be a new
    # connection per request (5 ms each here; make bench-live measures it). The pool bounds the
    # connections per process, however many requests and sockets it serves.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        connect_timeout=DATABASE_CONNECT_TIMEOUT,
        # No JIT compilation: it costs a page query hundreds of milliseconds of compiling (make
        # bench: 374 ms of a 479 ms deep page) to save microseconds; these queries are all short.
        # Every execution of a prepared statement is planned for its own values: a plan made once
        # for any values read a 20,000-message thread's first page in 188 ms instead of 1 ms.
        options="-c jit=off -c plan_cache_mode=force_custom_plan",
        # Parameters bound by the server, and a statement run 5 times on a connection prepared
        # there, so it is not parsed again (make bench: GET /posts/ 2.14 → 1.93 ms in-process).
        # Off behind a pooler that cannot keep prepared statements (PgBouncer in transaction
        # mode before 1.21).
        server_side_binding=PREPARED_STATEMENTS,
        prepare_threshold=5 if PREPARED_STATEMENTS else None,
        pool={
            "min_size": 2,
            "max_size": int(os.environ.get("DATABASE_POOL_SIZE", "10")),
            "timeout": DATABASE_CONNECT_TIMEOUT,
        },
    )
    # Read replicas (drf_api/replicas.py): each a streaming standby of the primary, with the same
    # connection settings; the test run points them at the primary's test database.
    for number, url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
        replica = dj_database_url.parse(url, conn_max_age=0)
        replica["OPTIONS"] = copy.deepcopy(DATABASES["default"]["OPTIONS"])
        replica["TEST"] = {"MIRROR": "default"}
        DATABASES[f"replica_{number}"] = replica
    if len(DATABASES) > 1:
        DATABASE_ROUTERS = ["drf_api.replicas.ReplicaRouter"]
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take the lock when their transaction starts, so two concurrent writes wait for
    # each other instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# While the database is unreachable, requests get 503 with this Retry-After.
DATABASE_RETRY_AFTER_SECONDS = 5
# After a write, its author reads from the primary for this long; replicas are checked this often.
READ_YOUR_WRITES_SECONDS = int(os.environ.get("READ_YOUR_WRITES_SECONDS", "5"))
REPLICA_CHECK_SECONDS = float(os.environ.get("REPLICA_CHECK_SECONDS", "2"))

# The socket's channel layer: in memory (one process), or Redis so that any number of processes
# and machines deliver to each other. The pub/sub layer keeps one subscribing connection per
# process however many sockets it holds; the list-based RedisChannelLayer borrowed a pooled
# connection per socket joining its group and ran out at 100 (make bench-live, 1,000 sockets).
if os.environ.get("REDIS_URL"):
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [os.environ["REDIS_URL"]]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# What one user may do on the socket (realtime/consumers.py): sockets open at once (the newest
# over it is closed with 4029), a frame's size in bytes (over it: closed with 1009), and client
# frames a minute over all of the user's sockets.
WEBSOCKET_MAX_PER_USER = int(os.environ.get("WEBSOCKET_MAX_PER_USER", "20"))
WEBSOCKET_MAX_FRAME_BYTES = int(os.environ.get("WEBSOCKET_MAX_FRAME_BYTES", "4096"))
WEBSOCKET_FRAMES_PER_MINUTE = int(os.environ.get("WEBSOCKET_FRAMES_PER_MINUTE", "120"))

# `default`: what each process may keep to itself (the general throttles, the socket's frame
# counts). `throttle`: the counts that stop password guessing, which every process must share
# (drf_api/throttling.py): in Redis, or else in a table of the database (drf_api/migrations/0003).
if os.environ.get("REDIS_URL"):
    CACHES = {
        alias: {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
        for alias in ("default", "throttle")
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "throttle": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "drf_api_throttle_cache"},
    }

AUTH_USER_MODEL = "users.User"
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

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
SITE_ID = 1

STATIC_URL = "/static/"
# Where collectstatic gathers the static files, which the server then serves (a production start
# without them is refused: drf_api/checks.py).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
# Uploaded images are stored scaled down to this longest side, in pixels (media/stored.py).
POST_IMAGE_MAX_SIDE = int(os.environ.get("POST_IMAGE_MAX_SIDE", "2048"))
MESSAGE_IMAGE_MAX_SIDE = int(os.environ.get("MESSAGE_IMAGE_MAX_SIDE", "2048"))
PROFILE_IMAGE_MAX_SIDE = int(os.environ.get("PROFILE_IMAGE_MAX_SIDE", "512"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "uploads"))
STORAGES = {
    "default": {
        # Cloudinary through django-cloudinary-storage, with versioned CDN URLs and deletions
        # through its destroy API (media/cdn.py); else local files served from /media/.
        "BACKEND": "media.cdn.CloudinaryMediaStorage"
        if USE_CLOUDINARY
        else "media.storage.PrefixedFileSystemStorage"
    },
    "staticfiles": {"BACKEND": "media.storage.PrefixedStaticFilesStorage"},
}

# Uploads: the contract's per-field image limits are enforced by the serializers; this is the
# overall cap on a request body, answered with 413 before anything is parsed.
MAX_REQUEST_BODY_BYTES = int(float(os.environ.get("MAX_REQUEST_BODY_MB", "6")) * 1024 * 1024)
# Django's own cap on a non-file body agrees, so a body under the cap is parsed and judged field
# by field, and one over it is a 413 (drf_api.views.bad_request) even without a Content-Length.
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES

# How many proxies stand in front of this server (drf_api/proxies.py): 0 means clients connect
# directly and X-Forwarded-For is ignored; Heroku's router is 1.
NUM_PROXIES = int(os.environ.get("NUM_PROXIES", "0"))

# Throttling: rates can be overridden from the environment; THROTTLING=off turns it off.
THROTTLING_ENABLED = env_bool("THROTTLING", default=True)
THROTTLE_RATES = {
    "anon": os.environ.get("THROTTLE_RATE_ANON", "120/min"),
    "user": os.environ.get("THROTTLE_RATE_USER", "600/min"),
    "dj_rest_auth": os.environ.get("THROTTLE_RATE_AUTH", "20/min"),
    # Per user, and as generous as the user rate: a browser app refreshes before every request.
    "token_refresh": os.environ.get("THROTTLE_RATE_REFRESH", "600/min"),
    # New abuse reports, per user (moderation/views.py).
    "reports": os.environ.get("THROTTLE_RATE_REPORTS", "20/hour"),
    # Password reset mails asked for one address, whoever asks (users/views.py); per client,
    # the reset shares the auth rate above.
    "password_reset_address": os.environ.get("THROTTLE_RATE_RESET_ADDRESS", "5/hour"),
    # Data exports, per user (accounts/views.py).
    "account_export": os.environ.get("THROTTLE_RATE_EXPORT", "5/hour"),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["users.authentication.JWTCookieOrHeaderAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["drf_api.filters.FilterBackend"],
    "DEFAULT_PARSER_CLASSES": [
        "drf_api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "drf_api.pagination.Pagination",
    "PAGE_SIZE": 10,
    # orjson renders JSON several times faster than the standard library (make bench).
    "DEFAULT_RENDERER_CLASSES": [
        "drf_orjson_renderer.renderers.ORJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "drf_api.throttling.AnonRateThrottle",
        "drf_api.throttling.UserRateThrottle",
        "drf_api.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": THROTTLE_RATES,
    "DEFAULT_SCHEMA_CLASS": "drf_api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "drf_api.exceptions.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "drf_api",
    "DESCRIPTION": "REST API of a social platform: profiles, posts, comments, likes, followers "
    "and direct messages.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "drf_api.schema.add_error_responses",
        "drf_api.schema.split_file_fields_from_bodies",
        "drf_api.schema.servers_under_the_script_prefix",
    ],
    # Swagger UI's assets come from the pinned drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Auth: JWT in the Authorization header (Postman) or in httpOnly cookies (the SPA).
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=int(os.environ.get("JWT_ACCESS_MINUTES", "15"))),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=int(os.environ.get("JWT_REFRESH_DAYS", "7"))),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
}
# A refresh cookie presented again this soon after its own rotation gets a fresh access token
# instead of a 401 (a browser app refreshes twice at once): users/sessions.py.
JWT_REFRESH_GRACE_SECONDS = int(os.environ.get("JWT_REFRESH_GRACE_SECONDS", "10"))
# A sign-in can be refreshed for at most this long; then its user signs in again.
JWT_SESSION_MAX_DAYS = int(os.environ.get("JWT_SESSION_MAX_DAYS", "30"))
SECURE_COOKIES = env_bool("SECURE_COOKIES", default=not DEBUG)
# "None" lets an SPA on another site send the cookies; it requires SECURE_COOKIES.
COOKIE_SAMESITE = os.environ.get("COOKIE_SAMESITE", "Lax")
REST_AUTH = {
    "USE_JWT": True,
    "TOKEN_MODEL": None,
    "SESSION_LOGIN": False,
    "JWT_AUTH_COOKIE": "drf-api-auth",
    "JWT_AUTH_REFRESH_COOKIE": "drf-api-refresh",
    "JWT_AUTH_HTTPONLY": True,
    "JWT_AUTH_SECURE": SECURE_COOKIES,
    "JWT_AUTH_SAMESITE": COOKIE_SAMESITE,
    "JWT_AUTH_COOKIE_USE_CSRF": True,
    "JWT_SERIALIZER": "users.serializers.TokenPairSerializer",
    "JWT_TOKEN_CLAIMS_SERIALIZER": "users.serializers.SessionTokenSerializer",
    "USER_DETAILS_SERIALIZER": "users.serializers.CurrentUserSerializer",
    "LOGIN_SERIALIZER": "users.serializers.LoginSerializer",
    "OLD_PASSWORD_FIELD_ENABLED": True,
}
ACCOUNT_LOGIN_METHODS = {"username"}
# E-mail verification: "none" (the default) or "mandatory" (sign-up needs an address, and login
# waits until the mailed link's key is posted to /dj-rest-auth/registration/verify-email/).
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "none").strip().lower() or "none"
if ACCOUNT_EMAIL_VERIFICATION not in {"none", "optional", "mandatory"}:
    raise ImproperlyConfigured('ACCOUNT_EMAIL_VERIFICATION must be "none", "optional" or "mandatory".')
ACCOUNT_SIGNUP_FIELDS = [
    "username*", "email*" if ACCOUNT_EMAIL_VERIFICATION == "mandatory" else "email", "password1*", "password2*"
]
ACCOUNT_UNIQUE_EMAIL = False
ACCOUNT_ADAPTER = "users.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[drf_api] "
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
# Password reset and verification links in mails point at the browser app.
FRONTEND_URL = os.environ.get("FRONTEND_URL", "http://localhost:3000").rstrip("/")
# Outgoing mail from EMAIL_URL (django-environ's parser): smtp://host:port,
# smtp+tls://user:password@host:587 (STARTTLS), smtp+ssl://user:password@host:465; unset, mails
# are printed to the console. Mails leave after the response, from a worker thread (drf_api/background.py).
_email = environ.Env.email_url_config(os.environ.get("EMAIL_URL") or "consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
# Worker threads per process for what must not hold up a response: mails, file deletions.
BACKGROUND_THREADS = int(os.environ.get("BACKGROUND_THREADS", "2"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "drf_api <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security: production defaults unless DEBUG; each can be overridden from the environment.
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_SAMESITE = COOKIE_SAMESITE
CSRF_COOKIE_SAMESITE = COOKIE_SAMESITE
# Only a declared proxy may say the client came over HTTPS (drf_api/proxies.py): with none, a
# client's own X-Forwarded-Proto would turn links https:// and skip the SSL redirect.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if NUM_PROXIES else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Image URLs shown for a profile or post with no uploaded image (static files by default).
DEFAULT_PROFILE_IMAGE = os.environ.get("DEFAULT_PROFILE_IMAGE", "images/default_profile.png")
DEFAULT_POST_IMAGE = os.environ.get("DEFAULT_POST_IMAGE", "images/default_post.png")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # No line carries a token (drf_api/logs.py).
    "filters": {"hide_tokens": {"()": "drf_api.logs.HideTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["hide_tokens"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
