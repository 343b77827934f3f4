from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.roles import role_required
from assets.models import Collection
from guidelines.forms import GuidelineForm
from guidelines.models import Guideline
from guidelines.services import dont_example_image, guideline_save


def _guideline(slug: str) -> Guideline:
    return get_object_or_404(Guideline.objects.select_related("collection"), collection__slug=slug)


@require_safe
@role_required("guidelines.view_guideline")
def page(request: HttpRequest, slug: str) -> HttpResponse:
    guideline = _guideline(slug)
    context = {
        "guideline": guideline,
        "swatches": guideline.swatch_list(),
        "donts": guideline.dont_examples.all(),
    }
    return render(request, "guidelines/page.html", context)


@require_safe
@role_required("guidelines.view_guideline")
def history(request: HttpRequest, slug: str) -> HttpResponse:
    guideline = _guideline(slug)
    # The policy pages' change log, unchanged: same reading, same diff marks.
    return render(
        request, "policies/history.html", {"page": guideline, "changes": guideline.changes()}
    )


@require_safe
@role_required("guidelines.view_guideline")
def dont_image(request: HttpRequest, slug: str, asset: str) -> HttpResponse:
    """A "don't" example is shown whatever its status: it illustrates, it is not offered."""
    example = get_object_or_404(_guideline(slug).dont_examples, slug=asset)
    shown = dont_example_image(asset=example)
    if shown is None:
        raise Http404("The picture is not ready yet.")
    response = HttpResponse(shown, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@role_required("guidelines.change_guideline")
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    collection = get_object_or_404(Collection, slug=slug)
    guideline = Guideline.objects.filter(collection=collection).first()
    form = GuidelineForm(
        request.POST or None, collection=collection, initial=GuidelineForm.initial_for(guideline)
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "preview" not in request.POST:
            saved = guideline_save(
                collection=collection,
                bodies=form.bodies(),
                swatches=data["swatches"],
                dont_examples=list(data["dont_examples"]),
                edited_by=request.user,
            )
            messages.success(
                request, _("Saved. What the guidelines said before is in the change log.")
            )
            return redirect(saved)
        # Unsaved: shown as it would read, with nothing kept.
        draft = Guideline(
            collection=collection, **{f"body_{code}": text for code, text in form.bodies().items()}
        )
        draft.set_swatches(data["swatches"])
        preview = {"guideline": draft, "donts": data["dont_examples"]}
    context = {"collection": collection, "guideline": guideline, "form": form, "preview": preview}
    return render(request, "guidelines/edit.html", context)
