from celery import shared_task
from django.contrib.auth.forms import PasswordResetForm


@shared_task
def password_reset_send(
    *,
    email: str,
    domain: str,
    use_https: bool,
    email_template_name: str,
    subject_template_name: str,
) -> None:
    """Email a reset link to each active account with this address; none, nothing."""
    form = PasswordResetForm({"email": email})
    if form.is_valid():
        form.save(
            domain_override=domain,
            use_https=use_https,
            email_template_name=email_template_name,
            subject_template_name=subject_template_name,
        )
