"""axe-core finds no accessibility violations on the portal's main pages.

axe is vendored (tests/browser/vendor) and added as an init script: Playwright injects those
through the DevTools protocol, which the page's Content-Security-Policy does not govern, so the
portal's strict policy stays on while axe runs.
"""

from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

AXE = Path(__file__).with_name("vendor") / "axe.min.js"

RUN_AXE = """async () => {
  const results = await axe.run(document, { resultTypes: ["violations"] });
  return results.violations.map(
    (v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`
  );
}"""


def violations(page, path: str) -> list[str]:
    page.goto(path)
    page.wait_for_load_state("load")
    return page.evaluate(RUN_AXE)


def test_employee_pages_have_no_violations(browser_as, employee, library):
    context = browser_as(employee)
    context.add_init_script(path=AXE)
    page = context.new_page()
    for path in ["/", library["photo"].get_absolute_url(), "/policies/taking-part-is-voluntary/"]:
        assert violations(page, path) == [], path


def test_marketing_pages_have_no_violations(browser_as, marketer, library):
    context = browser_as(marketer)
    context.add_init_script(path=AXE)
    page = context.new_page()
    asset = library["photo"]
    for path in ["/library/upload/", asset.get_absolute_url(), f"/library/{asset.slug}/edit/"]:
        assert violations(page, path) == [], path
