"""System checks that make a misconfigured production start fail at once, not every request.

`manage.py check --deploy` reports them (a deployment check: `migrate` and `collectstatic` do
not run it, so either may come first); the WSGI and ASGI entry points run them at import
(`refuse_to_start_if_misconfigured`), so gunicorn's workers refuse to boot with the message
instead of answering 500 to every request that shows a default image.
"""
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

STATIC_FILES_NOT_COLLECTED = "drf_api.E001"


def is_full_url(name):
    """A default image given as a full URL (from the environment) rather than a static file path."""
    return name.startswith(("http://", "https://"))


@checks.register(checks.Tags.staticfiles, deploy=True)
def static_files_are_collected(app_configs=None, **kwargs):
    """With DEBUG off, static files come from collectstatic's manifest: the default images must be in it."""
    if settings.DEBUG or not hasattr(staticfiles_storage, "stored_name"):
        return []
    names = [name for name in (settings.DEFAULT_PROFILE_IMAGE, settings.DEFAULT_POST_IMAGE) if not is_full_url(name)]
    missing = []
    for name in names:
        try:
            staticfiles_storage.stored_name(name)
        except ValueError:
            missing.append(name)
    if not missing:
        return []
    return [
        checks.Error(
            f"Static files are not collected in {settings.STATIC_ROOT}: {', '.join(missing)} missing from the "
            "manifest, so every response showing a default image would be a 500.",
            hint="Run `python manage.py collectstatic --noinput` before starting the server (README, Deploying).",
            id=STATIC_FILES_NOT_COLLECTED,
        )
    ]


def refuse_to_start_if_misconfigured():
    """Raise ImproperlyConfigured with the messages of any failing check above."""
    errors = static_files_are_collected()
    if errors:
        raise ImproperlyConfigured("\n".join(f"{error.msg} {error.hint}" for error in errors))
