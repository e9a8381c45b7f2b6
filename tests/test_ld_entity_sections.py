"""Entity pages answer the analyst's questions in place: memberships with role and period inline,
every claim about the entity (also the views of people affiliated with it) listed once per
sentence, and no quote printed over and over."""

from __future__ import annotations

import html
import re

import pytest

S08 = "The BRICS bloc, originally composed of Brazil, Russia, India, China, and South Africa"
S24 = "Iranian officials view this partnership as a way to counteract U.S. sanctions."


def page(live_server, path: str) -> str:
    response = live_server.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    return html.unescape(response.text)


def section(text: str, css_class: str) -> str:
    match = re.search(rf'<section class="{css_class}">(.*?)</section>', text, re.S)
    assert match, f"no {css_class} section"
    return match.group(1)


def rows(table_html: str) -> list[list[str]]:
    found = []
    for row in re.findall(r"<tr>(.*?)</tr>", table_html, re.S):
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        if cells:
            found.append(cells)
    return found


def test_a_bloc_page_lists_its_members_with_role_and_start_date(live_server):
    table = rows(section(page(live_server, "/page/id/brics"), "memberships"))
    by_member = {cells[0]: cells for cells in table}
    assert {"Brazil", "Russia", "India", "China", "South Africa", "Iran", "Egypt"} <= set(by_member)
    assert by_member["Brazil"][2] == "founding member"
    assert by_member["Iran"][2] == "expansion member"
    assert "2024" in by_member["Iran"][3]


def test_a_member_page_shows_when_it_joined_without_following_links(live_server):
    table = rows(section(page(live_server, "/page/id/egypt"), "memberships"))
    assert len(table) == 1
    member, bloc, role, begin = table[0][:4]
    assert (member, bloc, role) == ("Egypt", "BRICS", "expansion member") and "2024" in begin


def test_the_same_quote_is_printed_once_on_a_bloc_page(live_server):
    assert page(live_server, "/page/id/brics").count(S08) == 1


def test_a_state_page_shows_the_views_of_people_affiliated_with_it(live_server):
    claims = section(page(live_server, "/page/id/iran"), "claims-about")
    assert S24 in claims
    assert "held by people of" in claims and "viewpoint" in claims


@pytest.mark.parametrize("path", ["/page/id/russia", "/page/id/brics", "/page/id/iran"])
def test_every_claim_about_an_entity_appears_once(live_server, path):
    claims = section(page(live_server, path), "claims-about")
    links = re.findall(r'claim <a class="local" href="(/claim/[^"]+)"', claims)
    assert links and len(links) == len(set(links))
