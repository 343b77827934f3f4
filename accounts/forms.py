from django.contrib.auth import forms as auth_forms
from django.contrib.sites.shortcuts import get_current_site
from django.db import transaction

from accounts.tasks import password_reset_send


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, with the lookup and the sending moved to a Celery task.

    The request only queues the address, so the answer takes as long for an unknown
    address as for a known one and does not wait on the mail server.
    """

    def save(
        self,
        *,
        request=None,
        use_https: bool = False,
        email_template_name: str = "registration/password_reset_email.html",
        subject_template_name: str = "registration/password_reset_subject.txt",
        **kwargs,
    ) -> None:
        arguments = {
            "email": self.cleaned_data["email"],
            "domain": get_current_site(request).domain,
            "use_https": use_https,
            "email_template_name": email_template_name,
            "subject_template_name": subject_template_name,
        }
        # robust: with the broker down the person sees the same page and may try again.
        transaction.on_commit(lambda: password_reset_send.delay(**arguments), robust=True)
