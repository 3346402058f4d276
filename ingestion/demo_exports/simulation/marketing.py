"""Campaigns, pages, forms and marketing e-mails."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..arrays import ragged
from . import catalog as cat
from .clock import DAY, HOUR, MINUTE, NEVER, SECOND, Clock, happened
from .dice import Dice
from .people import People

# The site's pages: the static ones, then one per white paper and one per webinar.
PAGES: tuple[tuple[str, str], ...] = (
    *cat.STATIC_PAGES,
    *(
        (f"/resources/{re.sub(r'[^a-z0-9]+', '-', t.lower()).strip('-')}", f"{t} | Lumen Metrics")
        for t in cat.WHITE_PAPERS
    ),
    *(
        (f"/webinars/{re.sub(r'[^a-z0-9]+', '-', t.lower()).strip('-')}", f"{t} | Webinar")
        for t in cat.WEBINAR_TITLES
    ),
)
FIRST_PAPER_PAGE = len(cat.STATIC_PAGES)
FIRST_WEBINAR_PAGE = FIRST_PAPER_PAGE + len(cat.WHITE_PAPERS)

# Forms: newsletter, demo, contact sales, then one per white paper and one per webinar.
FORM_NAMES: tuple[str, ...] = (
    "Newsletter signup",
    "Demo request",
    "Contact sales",
    *(f"Download: {t}" for t in cat.WHITE_PAPERS),
    *(f"Webinar registration: {t}" for t in cat.WEBINAR_TITLES),
)
FORM_TYPE_OF_FORM = np.array(
    [cat.NEWSLETTER, cat.DEMO, cat.CONTACT_SALES]
    + [cat.CONTENT] * len(cat.WHITE_PAPERS)
    + [cat.WEBINAR] * len(cat.WEBINAR_TITLES)
)
FORM_PAGE = np.array(
    [cat.NEWSLETTER_PAGE, cat.DEMO_PAGE, cat.CONTACT_PAGE]
    + list(range(FIRST_PAPER_PAGE, FIRST_PAPER_PAGE + len(cat.WHITE_PAPERS)))
    + list(range(FIRST_WEBINAR_PAGE, FIRST_WEBINAR_PAGE + len(cat.WEBINAR_TITLES)))
)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass
class Campaigns:
    """The campaign calendar: a few dozen rows, one per campaign."""

    kind: np.ndarray  # index into CAMPAIGN_KIND_NAMES
    start_day: np.ndarray
    end_day: np.ndarray
    name: list[str]
    content_name: list[str | None]
    utm_campaign: list[str]
    asset_page: np.ndarray  # landing page of the campaign
    budget: np.ndarray
    actual_cost: np.ndarray
    created_at: np.ndarray
    started_at: np.ndarray
    completed_at: np.ndarray
    first_row: dict[str, int]
    count: dict[str, int]

    @property
    def n(self) -> int:
        return len(self.kind)

    @property
    def key(self) -> np.ndarray:
        """Stable per campaign: kind and its number within the kind."""
        first = np.array([self.first_row[k] for k in cat.CAMPAIGN_KIND_NAMES])
        return self.kind * 10_000 + np.arange(self.n) - first[self.kind]

    @property
    def in_marketing(self) -> np.ndarray:
        """Outbound sequences live in the CRM only."""
        return self.kind != cat.CAMPAIGN_KIND_NAMES.index("outbound")

    def active(self, kind: str, t: np.ndarray) -> np.ndarray:
        """The row of the campaign of this kind running at time t (-1 if none yet)."""
        period, first, *_ = cat.CAMPAIGN_KINDS[kind]
        k = np.floor((np.asarray(t) / DAY - first) / period).astype(np.int64)
        if kind == "webinar":  # before the first webinar, people register for it
            k = np.maximum(k, 0)
        ok = (k >= 0) & (k < self.count[kind]) & (np.asarray(t) < NEVER)
        return np.where(ok, self.first_row[kind] + np.clip(k, 0, None), -1)


def build_campaigns(dice: Dice, clock: Clock, rate: float, horizon: int) -> Campaigns:
    rows: list[dict] = []
    first_row, count = {}, {}
    for kind_index, (kind, spec) in enumerate(cat.CAMPAIGN_KINDS.items()):
        period, first, _, _, _, budget_factor = spec
        first_row[kind] = len(rows)
        k = 0
        while first + k * period < horizon:
            start = first + k * period
            date = clock.date(start)
            paper = cat.WHITE_PAPERS[k % len(cat.WHITE_PAPERS)]
            webinar = cat.WEBINAR_TITLES[k % len(cat.WEBINAR_TITLES)]
            end = start + period - 1
            page = cat.PRODUCT
            if kind == "paid_search":
                name, content = f"Paid Search - Always On - {date:%b %Y}", None
            elif kind == "paid_social":
                name, content = f"LinkedIn Ads - {paper}", paper
                page = FIRST_PAPER_PAGE + k % len(cat.WHITE_PAPERS)
            elif kind == "content":
                name, content = f"Content - {paper}", paper
                page = FIRST_PAPER_PAGE + k % len(cat.WHITE_PAPERS)
            elif kind == "webinar":
                end = start + 14
                name = f"Webinar - {webinar} ({clock.date(end):%d %b %Y})"
                content = webinar
                page = FIRST_WEBINAR_PAGE + k % len(cat.WEBINAR_TITLES)
            elif kind == "newsletter":
                name, content = f"Newsletter - {date:%B %Y}", "Monthly newsletter"
                page = cat.BLOG_PAGES[k % len(cat.BLOG_PAGES)]
            elif kind == "trade_show":
                show = cat.TRADE_SHOWS[k % len(cat.TRADE_SHOWS)]
                name, content, end = f"{show} {date:%Y}", None, start + 2
            else:
                name, content = f"Outbound - ICP sequence {date:%b %Y}", None
            budget = max(100, round(budget_factor * rate * period / 10, -2))
            rows.append(
                dict(
                    kind=kind_index,
                    k=k,
                    start=start,
                    end=end,
                    name=name,
                    content=content,
                    page=page,
                    budget=budget,
                )
            )
            k += 1
        count[kind] = k
    kinds = np.array([r["kind"] for r in rows], dtype=np.int64)
    key = kinds * 10_000 + np.array([r["k"] for r in rows])
    start_day = np.array([r["start"] for r in rows], dtype=np.int64)
    end_day = np.array([r["end"] for r in rows], dtype=np.int64)
    budgets = np.array([r["budget"] for r in rows], dtype=np.int64)
    actual = np.round(budgets * (0.8 + 0.3 * dice.uniform("campaign/actual", key)), -1)
    return Campaigns(
        kind=kinds,
        start_day=start_day,
        end_day=end_day,
        name=[r["name"] for r in rows],
        content_name=[r["content"] for r in rows],
        utm_campaign=[slug(r["name"]) for r in rows],
        asset_page=np.array([r["page"] for r in rows], dtype=np.int64),
        budget=budgets,
        actual_cost=actual.astype(np.int64),
        created_at=clock.business((start_day - 14) * DAY + 11 * HOUR),
        started_at=start_day * DAY + 9 * HOUR,
        completed_at=(end_day + 1) * DAY + 9 * HOUR,
        first_row=first_row,
        count=count,
    )


def form_of(campaigns: Campaigns, form_type: np.ndarray, t: np.ndarray):
    """(form index, campaign row) of a submission of this type at time t."""
    form = np.select(
        [form_type == cat.NEWSLETTER, form_type == cat.DEMO, form_type == cat.CONTACT_SALES],
        [0, 1, 2],
        -1,
    )
    content = campaigns.active("content", t)
    webinar = campaigns.active("webinar", t)
    content_k = np.maximum(content - campaigns.first_row["content"], 0)
    webinar_k = np.maximum(webinar - campaigns.first_row["webinar"], 0)
    form = np.where(form_type == cat.CONTENT, 3 + content_k % len(cat.WHITE_PAPERS), form)
    form = np.where(
        form_type == cat.WEBINAR,
        3 + len(cat.WHITE_PAPERS) + webinar_k % len(cat.WEBINAR_TITLES),
        form,
    )
    campaign = np.select(
        [form_type == cat.CONTENT, form_type == cat.WEBINAR], [content, webinar], -1
    )
    return form, campaign


@dataclass
class EmailSends:
    """Marketing e-mails sent to a segment (a handful per month)."""

    send_at: np.ndarray
    campaign: np.ndarray
    name: list[str]
    email_campaign_id: np.ndarray

    @property
    def n(self) -> int:
        return len(self.send_at)


def build_sends(clock: Clock, campaigns: Campaigns) -> EmailSends:
    sends = []
    for row in range(campaigns.n):
        kind = cat.CAMPAIGN_KIND_NAMES[campaigns.kind[row]]
        start = int(campaigns.start_day[row])
        content = campaigns.content_name[row]
        if kind == "newsletter":
            sends.append(((start + 1) * DAY + 14 * HOUR, row, campaigns.name[row]))
        elif kind == "content":
            sends.append(((start + 2) * DAY + 10 * HOUR, row, f"Content promo - {content}"))
        elif kind == "webinar":
            sends.append(((start + 1) * DAY + 15 * HOUR, row, f"Webinar invite - {content}"))
            sends.append(((start + 12) * DAY + 9 * HOUR, row, f"Webinar reminder - {content}"))
    send_at = clock.business(np.array([s[0] for s in sends], dtype=np.int64))
    order = np.lexsort((np.array([s[1] for s in sends]), send_at))
    return EmailSends(
        send_at=send_at[order],
        campaign=np.array([sends[i][1] for i in order], dtype=np.int64),
        name=[sends[i][2] for i in order],
        email_campaign_id=150_000_000 + 13 * np.arange(len(sends), dtype=np.int64),
    )


EMAIL_TYPES = ("SENT", "DELIVERED", "OPEN", "CLICK", "BOUNCE", "UNSUBSCRIBED")
SENT, DELIVERED, OPEN, CLICK, BOUNCE, UNSUBSCRIBED = range(6)
AUDIENCE_DAYS = 60  # contacts are in the nurture audience for two months after creation
SEGMENT_SHARE = 0.3  # each send goes to a share of that audience


@dataclass
class EmailEvents:
    person: np.ndarray
    send: np.ndarray
    type: np.ndarray
    created: np.ndarray
    key: np.ndarray  # stable per event, for ids

    @property
    def n(self) -> int:
        return len(self.person)


def simulate_email_events(dice: Dice, people: People, sends: EmailSends) -> EmailEvents:
    """Each contact gets some of the sends of its first two months; bounces and
    unsubscribes stop later sends."""
    audience = happened(people.created_at) & (people.channel != cat.OUTBOUND)
    created = np.where(audience, people.created_at, NEVER - AUDIENCE_DAYS * DAY)
    first = np.searchsorted(sends.send_at, created, side="right")
    last = np.searchsorted(sends.send_at, created + AUDIENCE_DAYS * DAY, side="right")
    person, offset = ragged(last - first)
    send = first[person] + offset
    targeted = dice.bernoulli("email/segment", SEGMENT_SHARE, person, send)
    person, send = person[targeted], send[targeted]

    u = lambda stream: dice.uniform(stream, person, send)  # noqa: E731
    bounced = u("email/bounce") < 0.015
    opened = ~bounced & (u("email/open") < 0.10 + 0.35 * people.engagement[person])
    clicked = opened & (u("email/click") < 0.20)
    unsubscribed = opened & ~clicked & (u("email/unsubscribe") < 0.03)
    # Nothing is sent after a bounce or an unsubscribe.
    stop = (bounced | unsubscribed).astype(np.int64)
    group_start = np.r_[True, person[1:] != person[:-1]]
    cumulative = np.cumsum(stop)
    before_group = np.maximum.accumulate(np.where(group_start, cumulative - stop, 0))
    earlier_stops = cumulative - stop - before_group
    keep = earlier_stops == 0
    person, send = person[keep], send[keep]
    bounced, opened, clicked, unsubscribed = (
        a[keep] for a in (bounced, opened, clicked, unsubscribed)
    )
    sent_at = sends.send_at[send] + (
        dice.uniform("email/jitter", person, send) * 20 * MINUTE
    ).astype(np.int64)
    open_at = sent_at + dice.lognormal("email/open_lag", 2 * HOUR, 1.2, person, send).astype(
        np.int64
    )
    click_at = open_at + dice.lognormal("email/click_lag", 40 * SECOND, 0.6, person, send).astype(
        np.int64
    )
    events = [
        (np.ones(len(person), bool), SENT, sent_at),
        (~bounced, DELIVERED, sent_at + 8 * SECOND),
        (bounced, BOUNCE, sent_at + 30 * SECOND),
        (opened, OPEN, open_at),
        (clicked, CLICK, click_at),
        (unsubscribed, UNSUBSCRIBED, open_at + MINUTE),
    ]
    p = np.concatenate([person[m] for m, _, _ in events])
    send_of_event = np.concatenate([send[m] for m, _, _ in events])
    kind = np.concatenate([np.full(m.sum(), k) for m, k, _ in events])
    t = np.concatenate([t[m] for m, _, t in events]).astype(np.int64)
    order = np.lexsort((kind, send_of_event, p, t))
    p, send_of_event, kind, t = p[order], send_of_event[order], kind[order], t[order]
    return EmailEvents(p, send_of_event, kind, t, (p * 4096 + send_of_event) * 8 + kind)
