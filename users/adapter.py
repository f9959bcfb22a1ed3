"""allauth's account adapter, as this API needs it: mails leave after the response, in this
API's words, with links to the browser app (`FRONTEND_URL`), never to server-rendered pages."""
from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpResponse
from django.template.exceptions import TemplateDoesNotExist
from django.template.loader import get_template

from drf_api import background


def frontend_url(path):
    """`path` (starting with /) on the browser app: FRONTEND_URL, http://localhost:3000 by default."""
    return f"{settings.FRONTEND_URL}{path}"


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """Render the mail now (this API's template when it has one: users/templates/users/email/),
        and send it from a worker thread (drf_api.background): no SMTP server holds up a response."""
        own = template_prefix.replace("account/email/", "users/email/", 1)
        try:
            get_template(f"{own}_message.txt")
            template_prefix = own
        except TemplateDoesNotExist:
            pass
        message = self.render_mail(template_prefix, email, {"email": email, **context})
        background.submit(message.send)

    def respond_email_verification_sent(self, request, user):
        """allauth would redirect to a server-rendered page; the registration view answers instead."""
        return HttpResponse(status=204)

    def get_email_confirmation_url(self, request, emailconfirmation):
        """The browser app's page for the key; it posts the key to /dj-rest-auth/registration/verify-email/."""
        return frontend_url(f"/verify-email/{emailconfirmation.key}/")
