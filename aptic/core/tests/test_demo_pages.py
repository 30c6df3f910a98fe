"""Pages of the demo as each kind of visitor sees them (issue #12): the staff home's to-do counts, and
Content-Security-Policy and Permissions-Policy on every page (item 8, ADR 0020).

Every page each kind of visitor reaches in the demo is rendered: the URL patterns that need no
argument or only the visitor's organisation, then every link those pages show, one page per URL
pattern. Each must carry the policy, and its HTML no inline script without a nonce, no <style>, no
style= and no on…= attribute, which the policy would block in the browser."""

import re
from collections import defaultdict, deque
from html import unescape as html_unescape
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from axes.utils import reset
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from aptic.accounts.models import User
from aptic.core.tests.helpers import empty_territories
from aptic.demo.builders.organisations import SHOWN
from aptic.demo.services import demo_build
from aptic.demo.tests.test_demo import SCALE, _delete_demo
from aptic.territories.services import territories_load
from aptic.vocabulary.services import vocabulary_load

DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "importmap"}
# GETs that are not pages to render: leaving the site's session, and the Django admin's forms beyond
# its lists (the admin's own templates, the same for every model).
SKIPPED_ROUTE_SUFFIXES = ("/add/", "/change/", "/delete/", "/history/", "password/")


class _InlineCode(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems = []
        self._script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
        if "style" in attrs:
            self.problems.append(f'<{tag} style="{attrs["style"]}">')
        if tag == "style" and not attrs.get("nonce"):
            self.problems.append("<style> without nonce")
        if tag == "script":
            kind = (attrs.get("type") or "").lower()
            if not attrs.get("src") and not attrs.get("nonce") and kind not in DATA_SCRIPT_TYPES:
                self._script = True
        if tag == "a" and (attrs.get("href") or "").lower().startswith("javascript:"):
            self.problems.append("<a href=javascript:…>")

    def handle_data(self, data):
        if self._script and data.strip():
            self.problems.append(f"inline <script>: {data.strip()[:60]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href and href.startswith("/") and not href.startswith("//"):
            self.links.append(urldefrag(href)[0])


def _routes(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _start_urls(organisation_slug):
    """The URLs of the patterns that need no argument, or only the visitor's organisation."""
    urls = []
    for route, pattern in _routes():
        if "^" in route or "(?P" in route or route.startswith("back-office/") and route != "back-office/":
            continue
        converters = pattern.pattern.converters
        if not converters:
            urls.append("/" + route)
        elif set(converters) == {"org_slug"} and organisation_slug:
            urls.append("/" + route.replace("<slug:org_slug>", organisation_slug))
    return urls


def _route_of(url):
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return match.route


def crawl(client, start, limit=400):
    """Pages reachable from `start` through links, one per URL pattern: {route: (url, response)}."""
    seen, queue, pages = set(), deque(start), {}
    while queue and len(pages) < limit:
        url = queue.popleft()
        route = _route_of(url)
        if route is None or route in seen or route.endswith(SKIPPED_ROUTE_SUFFIXES) or "deconnexion" in route:
            continue
        seen.add(route)
        response = client.get(url)
        pages[route] = (url, response)
        if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
            parser = _Links()
            parser.feed(response.content.decode())
            queue.extend(parser.links)
    return pages


def problems_of(response):
    problems = []
    policy = response.get("Content-Security-Policy", "")
    if not policy:
        problems.append("no Content-Security-Policy")
    if "unsafe-inline" in policy or "unsafe-eval" in policy:
        problems.append(f"unsafe policy: {policy}")
    if "script-src" not in policy and "default-src" not in policy:
        problems.append("no script-src")
    if not response.get("Permissions-Policy"):
        problems.append("no Permissions-Policy")
    if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
        parser = _InlineCode()
        parser.feed(response.content.decode())
        problems += parser.problems
    return problems


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        loaded = territories_load().loaded
        vocabulary_load()
        demo_build(scale=SCALE)
        yield
        _delete_demo()
        if loaded:
            empty_territories()


@pytest.mark.django_db
def test_every_page_of_every_kind_of_visitor_carries_the_policy_and_no_inline_code(demo):
    visitors = [None, *SHOWN]
    failures, covered = defaultdict(list), set()
    for email in visitors:
        client = Client()
        slug = None
        if email is not None:
            reset()
            user = User.objects.get(email=email)
            client.force_login(user)
            membership = user.memberships.select_related("organisation").first()
            slug = membership.organisation.slug if membership else None
        pages = crawl(client, ["/", *_start_urls(slug)])
        for route, (url, response) in pages.items():
            covered.add(route)
            for problem in problems_of(response):
                failures[f"{email or 'anonyme'} {url} ({response.status_code})"].append(problem)
            # Our pages name their selects' blank choice (found in review); the back office is Django's.
            if not route.startswith("back-office") and not response.streaming and b">---------<" in response.content:
                failures[f"{email or 'anonyme'} {url}"].append('a select offers Django\'s blank "---------"')
    assert not failures, "\n".join(f"{page}: {problems}" for page, problems in failures.items())
    # The crawl reached the pages of every space, not just the home page.
    for route in ["lieux/", "back-office/", "api/v1/docs", "espace/<slug:org_slug>/"]:
        assert any(covered_route.startswith(route) for covered_route in covered), route
    assert len(covered) >= 100, sorted(covered)


def test_the_inline_code_detector_finds_what_the_policy_blocks():
    """The detector itself: each of these would be blocked by the browser under the policy."""
    page = (
        '<p style="color:red">x</p><button onclick="go()">x</button><script>alert(1)</script>'
        '<style>p{}</style><a href="javascript:go()">x</a>'
        '<script src="/static/x.js"></script><script type="application/json" id="d">{}</script>'
        '<script nonce="abc">ok()</script>'
    )
    parser = _InlineCode()
    parser.feed(page)
    assert len(parser.problems) == 5, parser.problems


def test_api_docs_page_and_the_500_page_have_no_inline_code(client, db):
    from django.template import loader

    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and problems_of(docs) == []
    parser = _InlineCode()
    parser.feed(loader.get_template("500.html").render())
    assert parser.problems == []


@pytest.mark.django_db
def test_staff_home_counts_the_work_waiting_and_links_each_list(demo, client):
    from aptic.billing.models import Quote, QuoteRequest
    from aptic.payouts.models import BankDetails, PayoutRun
    from aptic.providers.models import Submission

    expected = {
        "Demandes de devis à traiter": QuoteRequest.objects.filter(status="new").count(),
        "Devis acceptés à valider": Quote.objects.filter(status="accepted").count(),
        "Qualifications à examiner": Submission.objects.filter(outcome="to_review").count(),
        "Coordonnées bancaires à vérifier": BankDetails.objects.filter(status="pending", is_current=True).count(),
        "Remboursements à approuver (seconde signature)": PayoutRun.objects.filter(status="draft").count(),
    }
    assert any(expected.values())  # the demo leaves work waiting
    client.force_login(User.objects.get(email="equipe@demo.aptic.fr"))
    page = client.get("/espace/")
    assert page.status_code == 200
    html = page.content.decode()
    items = re.findall(r'<li><a href="([^"]+)">([^<]+?) : <strong>(\d+)</strong></a></li>', html)
    shown = {label: int(count) for _, label, count in items}
    assert shown == expected
    for url, _, _ in items:
        assert client.get(html_unescape(url)).status_code == 200, url
    # The staff menu reaches the territorial fund.
    assert 'href="/equipe/fonds-territorial/"' in html


@pytest.mark.django_db
def test_home_page_links_the_provider_sign_up(client):
    from django.urls import reverse

    html = client.get("/").content.decode()
    assert f'href="{reverse("providers:apply")}"' in html
