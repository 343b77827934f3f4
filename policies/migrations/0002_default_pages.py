"""The default policy pages. The text is frozen here; later edits happen in the portal."""

from django.db import migrations

PAGES = [
    (
        "taking-part-is-voluntary",
        "Taking part is voluntary",
        """\
The artwork in this portal is an offer. Use it if you like it, ignore it if you don't. Both are fine.

## Nothing follows from saying no

- Nobody checks whether you use the artwork. Saying no changes nothing: not your reviews, your pay, your projects or how colleagues treat you.
- The portal does not record who downloaded what. It keeps weekly totals, and small totals are hidden. See [What this portal keeps](/policies/what-this-portal-keeps/).
- Your manager is not told whether you took part. The portal could not tell them even if asked.

## Stop whenever you like

- Take the artwork off your profiles at any time. You don't have to tell anyone.
- When you leave the company, please take it down, together with anything that says you work here.

## You are asked once, at most

When new artwork arrives, Marketing may announce it once: a banner on the home page for a short while and, at most, one email to all staff. There are no reminders and no follow-ups. If someone presses you to take part, they are going against this page, and you can point them to it.
""",
    ),
    (
        "how-to-disclose",
        "How to disclose that you work here",
        """\
When you post about the company's products or services, readers should know you work here. Your opinion is worth more when people know where it comes from. In the US, the FTC's Endorsement Guides expect it.

## Say it in the post itself

A line in your bio is easy to miss, and many readers never open your profile. Put it in the post, near the start:

- "I work at [Company]."
- "#[Company]Employee"
- "Ad" or "#ad", if you were given something for the post.

Keep it plain and easy to see. Don't hide it among a row of hashtags, and don't count on a platform's own label to do the job for you.

## The artwork is not a disclosure

A frame or banner that says you work here helps, but it sits on your profile, and the post travels without it. Say it in the post as well.

## Only say what you believe

Nobody may ask you to praise something you don't rate, or to hide that you work here. Share your own view, or nothing at all.

## If you forgot

Edit the post and add the line. That's all.

This page is linked from every piece of artwork in the portal, so it is there whenever you download something.
""",
    ),
    (
        "your-accounts-stay-yours",
        "Your accounts stay yours",
        """\
Your social media accounts are personal. The company has no claim on them.

Nobody at the company will ask you to:

- share a password or sign-in code, or connect your account to a company app;
- sign in while someone watches, or hand over screenshots, photos or posts from your account;
- accept a friend or follow request from a manager or colleague;
- change your privacy settings.

If anyone does, you can say no, and saying no will not be held against you. California, New York and about two dozen other US states make this the law; here it is the rule for everyone.

This portal never asks you to connect an account and has no way to see your profiles.
""",
    ),
    (
        "your-right-to-speak",
        "Your right to speak",
        """\
Nothing in this portal, in these pages or in the artwork limits what you may say.

- You may talk about your pay, hours and working conditions with colleagues or anyone else, online or off.
- You may criticise the company, with or without this artwork on your profile.
- Using the artwork does not commit you to saying only good things.

If a request made through this portal seems to say otherwise, treat it as a mistake and point to this page.
""",
    ),
    (
        "using-the-artwork-responsibly",
        "Using the artwork responsibly",
        """\
The artwork shows that a real person works here. It should not make your account look like the company's own.

## Stay yourself

- Keep your own name and your own photo.
- Use a frame around your photo, or a banner or header image, rather than the logo as your profile picture. LinkedIn expects a real person in the photo.
- Don't add "official", a badge or a checkmark to your profile. X and TikTok treat a company logo together with a company-like name as impersonation and may suspend the account.

## Know where it shows

- On Facebook, your profile picture and cover image are always public.
- A YouTube profile picture can also appear in Gmail and Google Meet.
""",
    ),
    (
        "what-this-portal-keeps",
        "What this portal keeps",
        """\
This portal is built to know as little about you as it can. It counts downloads in totals, so Marketing can see which designs are worth making, and it keeps no record of who did what.
""",
    ),
    (
        "contractors-and-partners",
        "Contractors and partners",
        """\
If you work with the company as a contractor, freelancer or partner, the same offer applies, with two differences.

- **Check your contract first.** Use the artwork only where your contract allows you to use the company's brand. If it says nothing, ask your contact at the company before you do.
- **Describe the relationship as it is.** Say "I work with [Company]" or "I'm a contractor for [Company]", not "I work at [Company]". A business relationship still has to be disclosed in your posts: see [How to disclose that you work here](/policies/how-to-disclose/).

Using the artwork is never a condition of your contract or of getting more work.
""",
    ),
]


def create_pages(apps, schema_editor):
    PolicyPage = apps.get_model("policies", "PolicyPage")
    for order, (slug, title, body) in enumerate(PAGES, start=1):
        PolicyPage.objects.get_or_create(
            slug=slug, defaults={"title": title, "body": body, "order": order}
        )


def remove_pages(apps, schema_editor):
    apps.get_model("policies", "PolicyPage").objects.filter(
        slug__in=[slug for slug, _, _ in PAGES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_initial")]

    operations = [migrations.RunPython(create_pages, remove_pages)]
