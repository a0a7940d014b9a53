"""The rows measured in process for the daily work (issue 4) and for offers (issue 5), each
as (name, kind, target, urls, headers[, statements]): the URLs to GET, or for the editor a POST
that changes a line's quantity with the offer's current version; and the "Load more" and "Show
more" links of the pipeline board and the timelines, read from the pages themselves.
"""

import html
import re
import urllib.parse

from measuring import RequestFailedError
from settings import (
    CSRF_RE,
    DEEP_OFFSET,
    EDITOR_TARGET_MS,
    LONG_TIMELINE,
    NEEDS_CONTACT_TARGET_MS,
    OFFERS_TARGET_MS,
    PRODUCT_TERM,
    TIMELINE_TARGET_MS,
    WORK_TARGET_MS,
    log,
)

LOAD_MORE_RE = re.compile(r'class="board-more">\s*<a class="button small" href="([^"]+)"')
TIMELINE_MORE_RE = re.compile(r'id="timeline-more">\s*<a class="button small" href="([^"#]+)#')
VERSION_RE = re.compile(r'id="offer-version"[^>]*value="(\d+)"')


def offer_cases(client, get, inputs: dict, hx: dict) -> list[tuple]:  # noqa: ANN001
    """Rows for offers (issue 5), as (name, kind, target, urls, headers[, statements])."""
    q = urllib.parse.quote
    brand, matching = inputs["brand"]
    cases = [
        (
            f"Offers /offers ({inputs['counts']['offers']:,} offers)",
            "page",
            OFFERS_TARGET_MS,
            ["/offers"],
            {},
        ),
        (
            f"Offers status=sent ({inputs['offers_sent']:,} still valid)",
            "fragment",
            OFFERS_TARGET_MS,
            ["/offers?status=sent"],
            hx,
        ),
        (
            f"Offers q=“{brand}” (a client's name; {matching} offers)",
            "fragment",
            OFFERS_TARGET_MS,
            [f"/offers?q={q(brand)}"],
            hx,
        ),
        (
            f"Offers owner=me ({inputs['offers_mine']:,})",
            "fragment",
            OFFERS_TARGET_MS,
            ["/offers?owner=me"],
            hx,
        ),
    ]
    if inputs["deep_cursor"]:
        cases.append(
            (
                f"Offers later page (after {DEEP_OFFSET:,} offers)",
                "fragment",
                OFFERS_TARGET_MS,
                [f"/offers?after={inputs['deep_cursor']}"],
                hx,
            )
        )
    twelve = [f"/offers/{i}" for i in inputs["offers_12"]] or ["/offers/1"]
    cases.append(
        (f"Offer page /offers/<id> (12 lines, {len(twelve)} offers)", "page", None, twelve, {})
    )
    if inputs["draft"] is None:
        log("  No draft offer in the database: the editor is not measured.")
        return cases
    offer_id, lines, line_id, quantity = inputs["draft"]
    try:
        change = line_change(client, get, offer_id, line_id, quantity)
    except RequestFailedError as exc:
        log(f"  Preparing the editor's change failed: {exc}")
        return cases
    cases += [
        (
            f"Editor: change a quantity (POST, draft with {lines} lines)",
            "fragment",
            EDITOR_TARGET_MS,
            [change],
            hx,
        ),
        (
            f"Editor: product picker “{PRODUCT_TERM}”",
            "fragment",
            EDITOR_TARGET_MS,
            [f"/offers/{offer_id}/products?product_q={q(PRODUCT_TERM)}"],
            hx,
        ),
    ]
    return cases


def line_change(client, get, offer_id: int, line_id: int, quantity: float):  # noqa: ANN001, ANN201
    """A POST that sets a line's quantity to one of two values in turn, as a user would,
    with the offer's current version (read from the previous answer) and the CSRF token."""
    page = get(f"/offers/{offer_id}")
    token, version = CSRF_RE.search(page), VERSION_RE.search(page)
    if not token or not version:
        raise RequestFailedError(f"/offers/{offer_id}: no CSRF token or version on the page")
    values = [f"{quantity:g}", f"{quantity + 1:g}"]
    state = {"version": version.group(1), "turn": 0}
    url = f"/offers/{offer_id}/lines/{line_id}"

    def change(headers: dict) -> None:
        state["turn"] += 1
        data = {
            "quantity": values[state["turn"] % 2],
            "version": state["version"],
            "csrf_token": token.group(1),
        }
        response = client.post(url, data=data, headers=headers)
        body = response.get_data(as_text=True)
        found = VERSION_RE.search(body)
        if response.status_code != 200 or not found:
            raise RequestFailedError(f"POST {url}: HTTP {response.status_code}")
        state["version"] = found.group(1)

    return change


def work_cases(get, inputs: dict, hx: dict) -> list[tuple]:  # noqa: ANN001
    """Rows for the daily work (issue 4) and the team and ladder reports, as (name, kind,
    target, urls, headers)."""
    overdue, today, upcoming, open_tasks = inputs["my_day"]
    long_cards = [f"/clients/{i}" for i in inputs["long_timelines"]]
    more_urls = timeline_more_urls(get, long_cards[:60], depth=3)
    needs_contact = f"Needs contact /clients?needs_contact=1 ({inputs['needs_contact']:,})"
    try:
        if get("/clients?needs_contact=1", hx) == get("/clients", hx):
            needs_contact += " — NOT FILTERING: same list as /clients"
            log("  /clients?needs_contact=1 returns the unfiltered list: not filtering yet.")
    except RequestFailedError as exc:
        log(f"  Comparing the needs-contact list failed: {exc}")
    return [
        (
            f"My day / ({overdue:,} overdue, {today} today, {upcoming} in 7 days)",
            "page",
            WORK_TARGET_MS,
            ["/"],
            {},
        ),
        (f"Tasks /tasks, first page ({open_tasks:,} open)", "page", WORK_TARGET_MS, ["/tasks"], {}),
        (
            "Tasks status=open&due=overdue",
            "fragment",
            WORK_TARGET_MS,
            ["/tasks?status=open&due=overdue"],
            hx,
        ),
        (
            f"Card, long timeline (≥ {LONG_TIMELINE} interactions; "
            f"{inputs['long_timeline_total']:,} such)",
            "page",
            TIMELINE_TARGET_MS,
            long_cards or ["/clients/1"],
            {},
        ),
        (
            f"Timeline “Show more” ({len(more_urls)} pages 2–4)",
            "fragment",
            TIMELINE_TARGET_MS,
            more_urls or ["/clients/1/timeline"],
            hx,
        ),
        (needs_contact, "fragment", NEEDS_CONTACT_TARGET_MS, ["/clients?needs_contact=1"], hx),
        ("Team workload /team", "page", WORK_TARGET_MS, ["/team"], {}),
        ("Team contact cadence /team/cadence", "page", WORK_TARGET_MS, ["/team/cadence"], {}),
        ("Ladder report /reports/ladder (last 90 days)", "page", None, ["/reports/ladder"], {}),
    ]


def timeline_more_urls(get, cards: list[str], depth: int) -> list[str]:  # noqa: ANN001
    """The "Show more" links of these cards' timelines, and of the next pages up to `depth`."""
    urls = []
    try:
        for card in cards:
            page = get(card)
            for _ in range(depth):
                found = TIMELINE_MORE_RE.search(page)
                if not found:
                    break
                urls.append(html.unescape(found.group(1)))
                page = get(urls[-1], {"HX-Request": "true"})
    except RequestFailedError as exc:
        log(f"  Reading the timelines' show-more links failed: {exc}")
    return urls


def board_load_more_urls(get, depth: int) -> list[str]:  # noqa: ANN001
    """Every column's "Load more" on the board, and the fullest column's a few pages deeper."""
    hx = {"HX-Request": "true"}
    try:
        urls = [html.unescape(u) for u in LOAD_MORE_RE.findall(get("/pipeline"))]
        if urls:
            url = urls[0]
            for _ in range(depth):
                found = LOAD_MORE_RE.search(get(url, hx))
                if not found:
                    break
                url = html.unescape(found.group(1))
            urls.append(url)
    except RequestFailedError as exc:
        log(f"  Reading the board's load-more links failed: {exc}")
        return []
    return urls
