"""GA4 web sessions and events: known people's browsers and anonymous visitors.

A form submission happens inside a session, so the browser's client id
(``user_pseudo_id``) is the one the form captures as ``ga_client_id``: that is the only
link from anonymous browsing to a known person.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..arrays import ragged
from . import catalog as cat
from .clock import DAY, SECOND, Clock, happened
from .dice import Dice
from .marketing import FORM_PAGE, Campaigns
from .people import Forms, People

ANONYMOUS = np.int64(1) << 40  # client keys at and above this belong to anonymous visitors
ANONYMOUS_PER_CONTACT = 0.95  # anonymous visitors per arriving person
LATE_SHARE = 0.015  # events that arrive in the next day's export

# Traffic: (source, medium, label when no campaign, referrer, carries utm parameters)
TRAFFIC = (
    ("google", "organic", "(organic)", "https://www.google.com/", False),
    ("bing", "organic", "(organic)", "https://www.bing.com/", False),
    ("google", "cpc", "(cpc)", "https://www.google.com/", True),
    ("linkedin", "paid_social", "(paid)", "https://www.linkedin.com/", True),
    ("linkedin.com", "referral", "(referral)", "https://www.linkedin.com/", False),
    ("t.co", "referral", "(referral)", "https://t.co/", False),
    ("hubspot", "email", "(email)", None, True),
    ("partner-newsletter", "email", "(email)", None, True),
    ("g2.com", "referral", "(referral)", "https://www.g2.com/", False),
    ("capterra.com", "referral", "(referral)", "https://www.capterra.com/", False),
    ("(direct)", "(none)", "(direct)", None, False),
)
(
    GOOGLE,
    BING,
    PAID_GOOGLE,
    PAID_LINKEDIN,
    LINKEDIN,
    TWITTER,
    HUBSPOT_EMAIL,
    PARTNER_EMAIL,
    G2,
    CAPTERRA,
    DIRECT,
) = range(len(TRAFFIC))
# Channel -> (traffic, traffic, probability of the first)
CHANNEL_TRAFFIC = np.array(
    [
        (GOOGLE, BING, 0.85),
        (PAID_GOOGLE, PAID_GOOGLE, 1),
        (PAID_LINKEDIN, PAID_LINKEDIN, 1),
        (LINKEDIN, TWITTER, 0.7),
        (PARTNER_EMAIL, PARTNER_EMAIL, 1),
        (G2, CAPTERRA, 0.6),
        (DIRECT, DIRECT, 1),
        (DIRECT, DIRECT, 1),
        (DIRECT, DIRECT, 1),
    ]
)
# (category, operating system, browser, weight)
DEVICES = (
    ("desktop", "Windows", "Chrome", 0.30),
    ("desktop", "Windows", "Edge", 0.10),
    ("desktop", "Windows", "Firefox", 0.04),
    ("desktop", "Macintosh", "Chrome", 0.12),
    ("desktop", "Macintosh", "Safari", 0.09),
    ("desktop", "Linux", "Chrome", 0.03),
    ("mobile", "iOS", "Safari", 0.14),
    ("mobile", "iOS", "Chrome", 0.03),
    ("mobile", "Android", "Chrome", 0.10),
    ("mobile", "Android", "Samsung Internet", 0.02),
    ("tablet", "iOS", "Safari", 0.02),
    ("tablet", "Android", "Chrome", 0.01),
)

EVENT_NAMES = (
    "first_visit",
    "session_start",
    "page_view",
    "scroll",
    "user_engagement",
    "form_start",
    "form_submit",
    "generate_lead",
    "file_download",
)
(
    FIRST_VISIT,
    SESSION_START,
    PAGE_VIEW,
    SCROLL,
    USER_ENGAGEMENT,
    FORM_START,
    FORM_SUBMIT,
    GENERATE_LEAD,
    FILE_DOWNLOAD,
) = range(len(EVENT_NAMES))
# Events of one session in the same millisecond are in this order (by EVENT_NAMES index):
# session_start first, then first_visit, the page_view, and the form events in turn.
SAME_MOMENT_ORDER = np.array([1, 0, 2, 3, 4, 5, 6, 7, 8])
FORM_VIEW_LEAD = 20 * SECOND  # the form's page is viewed this long before the submission
FORM_START_LEAD = 10 * SECOND  # ... and the form started (a first field) this long before


@dataclass
class Sessions:
    client: np.ndarray  # known: person * 2 + browser; anonymous: ANONYMOUS + visitor
    person: np.ndarray  # -1 for anonymous visitors
    start: np.ndarray
    traffic: np.ndarray
    campaign: np.ndarray
    landing: np.ndarray  # page
    n_pages: np.ndarray
    form: np.ndarray  # form submission row, or -1
    key: np.ndarray  # stable per session, for draws
    number: np.ndarray  # ga_session_number (1 = the browser's first)

    @property
    def n(self) -> int:
        return len(self.client)


def _landing_for(dice: Dice, channel: np.ndarray, campaign_page: np.ndarray, key) -> np.ndarray:
    """Where a visit from this channel lands."""
    u = dice.uniform("web/landing", key)
    blog = np.array(cat.BLOG_PAGES)[dice.integers("web/blog", len(cat.BLOG_PAGES), key)]
    return np.select(
        [
            channel == cat.ORGANIC,
            channel == cat.PAID_SEARCH,
            channel == cat.PAID_SOCIAL,
            channel == cat.SOCIAL,
            channel == cat.EMAIL,
            channel == cat.REFERRAL,
        ],
        [
            np.where(u < 0.7, blog, cat.HOME),
            np.where(u < 0.5, cat.PRODUCT, np.where(u < 0.8, cat.PRICING, cat.DEMO_PAGE)),
            campaign_page,
            blog,
            campaign_page,
            np.where(u < 0.5, cat.CUSTOMERS, cat.PRODUCT),
        ],
        np.where(u < 0.7, cat.HOME, cat.PRICING),
    )


def _traffic_for(dice: Dice, channel: np.ndarray, key) -> np.ndarray:
    table = CHANNEL_TRAFFIC[channel]
    first = dice.uniform("web/traffic", key) < table[:, 2]
    return np.where(first, table[:, 0], table[:, 1]).astype(np.int64)


def _campaign_for(campaigns: Campaigns, traffic: np.ndarray, t: np.ndarray) -> np.ndarray:
    return np.select(
        [traffic == PAID_GOOGLE, traffic == PAID_LINKEDIN, traffic == PARTNER_EMAIL],
        [
            campaigns.active("paid_search", t),
            campaigns.active("paid_social", t),
            campaigns.active("content", t),
        ],
        -1,
    )


def arrival_traffic(dice: Dice, campaigns: Campaigns, people: People):
    """(traffic, campaign) of each person's first visit; DIRECT / -1 off the web."""
    pid = np.arange(people.n)
    web = cat.WEB_CHANNELS[people.channel]
    traffic = np.where(web, _traffic_for(dice, people.channel, pid), DIRECT)
    campaign = np.where(web, _campaign_for(campaigns, traffic, people.arrived_at), -1)
    return traffic, campaign


def simulate_sessions(
    dice: Dice,
    clock: Clock,
    rate: float,
    horizon: int,
    people: People,
    forms: Forms,
    form_browser: np.ndarray,
    form_campaign: np.ndarray,
    form_index: np.ndarray,
    clicks: tuple[np.ndarray, np.ndarray, np.ndarray],
    qualified: tuple[np.ndarray, np.ndarray],
    connected: tuple[np.ndarray, np.ndarray],
    campaigns: Campaigns,
) -> Sessions:
    parts: list[dict] = []

    def add(person, browser, start, traffic, campaign, landing, n_pages, form, kind, j):
        client = person * 2 + browser
        parts.append(
            dict(
                client=client,
                person=person,
                start=start,
                traffic=traffic,
                campaign=campaign,
                landing=landing,
                n_pages=n_pages,
                form=form,
                key=(client * 16 + kind) * 4096 + j,
            )
        )

    pid = np.arange(people.n)
    web = cat.WEB_CHANNELS[people.channel]

    def pages(stream, mean, key):
        return 1 + np.minimum(dice.geometric(stream, mean, key), 7)

    # 1. The first visit, from the person's channel (the form may be in it).
    p = pid[web]
    ch = people.channel[p]
    all_traffic, all_campaign = arrival_traffic(dice, campaigns, people)
    traffic, campaign = all_traffic[p], all_campaign[p]
    camp_page = np.where(campaign >= 0, campaigns.asset_page[np.maximum(campaign, 0)], cat.HOME)
    first_form_row = np.full(people.n, -1)
    slot0 = forms.slot == 0
    first_form_row[forms.person[slot0]] = np.flatnonzero(slot0)
    in_visit = people.same_session[p]
    form = np.where(in_visit, first_form_row[p], -1)
    n_pages = pages("web/first_pages", 0.15, p) + in_visit
    landing = _landing_for(dice, ch, camp_page, p)
    add(p, 0, people.arrived_at[p], traffic, campaign, landing, n_pages, form, 0, 0)

    # 2. Return visits before the first form.
    n_pre = np.where(
        web & ~people.same_session, np.minimum(dice.geometric("web/pre_count", 0.08, pid), 4), 0
    )
    p, j = ragged(n_pre)
    start = people.arrived_at[p] + (
        dice.uniform("web/pre_at", p, j) * (people.created_at[p] - people.arrived_at[p])
    ).astype(np.int64)
    direct = dice.bernoulli("web/pre_direct", 0.6, p, j)
    browse = np.array([cat.HOME, cat.PRODUCT, cat.PRICING, cat.BLOG_PAGES[0], cat.CUSTOMERS])
    add(
        p,
        0,
        start,
        np.where(direct, DIRECT, GOOGLE),
        np.full(len(p), -1),
        browse[dice.integers("web/pre_landing", len(browse), p, j)],
        pages("web/pre_pages", 0.5, p * 8 + j),
        np.full(len(p), -1),
        1,
        j,
    )

    # 3. A session for every other form submission, ending on the form's page.
    f = np.flatnonzero(~forms.in_first_visit)
    fp, ft = forms.person[f], forms.form_type[f]
    fkey = fp * 16 + forms.slot[f]
    u = dice.uniform("web/form_traffic", fkey)
    traffic = np.select(
        [ft == cat.NEWSLETTER, ft == cat.CONTENT, ft == cat.WEBINAR],
        [
            np.where(u < 0.6, GOOGLE, DIRECT),
            np.where(
                u < 0.35,
                GOOGLE,
                np.where(u < 0.6, HUBSPOT_EMAIL, np.where(u < 0.8, PAID_LINKEDIN, DIRECT)),
            ),
            np.where(u < 0.5, HUBSPOT_EMAIL, np.where(u < 0.8, DIRECT, LINKEDIN)),
        ],
        np.where(u < 0.45, DIRECT, np.where(u < 0.75, PAID_GOOGLE, GOOGLE)),
    )
    t = forms.submitted_at[f]
    campaign = np.where(
        traffic == HUBSPOT_EMAIL, form_campaign[f], _campaign_for(campaigns, traffic, t)
    )
    high_intent = np.isin(ft, cat.HIGH_INTENT_FORMS)
    n_pages = np.where(high_intent, 2, 1) + np.minimum(
        dice.geometric("web/form_pages", 0.2, fkey), 5
    )
    form_page = FORM_PAGE[form_index[f]]
    landing = np.where(
        n_pages == 1,
        form_page,
        np.where(high_intent, np.where(u < 0.5, cat.PRICING, cat.PRODUCT), form_page),
    )
    gap = dice.lognormal("web/gap", 45 * SECOND, 0.7, fkey).astype(np.int64)
    add(
        fp,
        form_browser[f],
        t - (n_pages - 1) * gap - 20 * SECOND,
        traffic,
        campaign,
        landing,
        n_pages,
        f,
        2,
        forms.slot[f],
    )

    # 4. Visits while being nurtured, on either of the person's browsers.
    known = happened(people.created_at)
    n_post = np.where(
        known,
        np.minimum(dice.geometric("web/post_count", 0.02 + 0.12 * people.engagement, pid), 6),
        0,
    )
    p, j = ragged(n_post)
    start = people.created_at[p] + ((0.5 + 60 * dice.uniform("web/post_at", p, j)) * DAY).astype(
        np.int64
    )
    browser = (people.has_second_browser[p] & dice.bernoulli("web/post_browser", 0.3, p, j)).astype(
        np.int64
    )
    browse = np.array(
        [cat.HOME, cat.PRODUCT, cat.PRICING, cat.INTEGRATIONS, cat.CUSTOMERS, *cat.BLOG_PAGES]
    )
    add(
        p,
        browser,
        start,
        np.where(dice.bernoulli("web/post_direct", 0.6, p, j), DIRECT, GOOGLE),
        np.full(len(p), -1),
        browse[dice.integers("web/post_landing", len(browse), p, j)],
        pages("web/post_pages", 0.4, p * 8 + j),
        np.full(len(p), -1),
        3,
        j,
    )

    # 5. Checking prices shortly before sales qualifies them.
    q_person, q_at = qualified
    look = dice.bernoulli("web/pricing_look", 0.4, q_person)
    p = q_person[look]
    start = q_at[look] - dice.lognormal("web/pricing_lag", DAY, 0.8, p).astype(np.int64)
    add(
        p,
        np.zeros(len(p), np.int64),
        start,
        np.full(len(p), DIRECT),
        np.full(len(p), -1),
        np.full(len(p), cat.PRICING),
        pages("web/pricing_pages", 0.8, p),
        np.full(len(p), -1),
        4,
        0,
    )

    # 6. Clicks in marketing e-mails.
    c_person, c_at, c_campaign = clicks
    c_index = np.arange(len(c_person))
    browser = (
        people.has_second_browser[c_person]
        & dice.bernoulli("web/click_browser", 0.3, c_person, c_at)
    ).astype(np.int64)
    add(
        c_person,
        browser,
        c_at + 3 * SECOND,
        np.full(len(c_person), HUBSPOT_EMAIL),
        c_campaign,
        campaigns.asset_page[c_campaign],
        pages("web/click_pages", 0.3, c_person * 8 + c_index % 8),
        np.full(len(c_person), -1),
        5,
        c_index % 4096,
    )

    # 7. Outbound prospects look the vendor up after the first call.
    o_person, o_at = connected
    look = dice.bernoulli("web/outbound_look", 0.5, o_person)
    p = o_person[look]
    start = o_at[look] + dice.lognormal("web/outbound_lag", DAY, 0.8, p).astype(np.int64)
    add(
        p,
        np.zeros(len(p), np.int64),
        start,
        np.full(len(p), DIRECT),
        np.full(len(p), -1),
        np.full(len(p), cat.HOME),
        pages("web/outbound_pages", 1.0, p),
        np.full(len(p), -1),
        6,
        0,
    )

    known_sessions = {k: np.concatenate([part[k] for part in parts]) for k in parts[0]}

    # 8. Anonymous visitors: most of the traffic, never identified.
    days = np.arange(horizon)
    weekday_factor = np.where(clock.day_weekday(days) < 5, 1.2, 0.5)
    per_day = dice.poisson("anon/count", rate * ANONYMOUS_PER_CONTACT * weekday_factor, days)
    visitor_day = np.repeat(days, per_day)
    visitor = np.arange(len(visitor_day))
    web_shares = cat.channel_column("share")[:7]
    ch = dice.choice("anon/channel", web_shares, visitor)
    n_sessions = 1 + np.minimum(dice.geometric("anon/sessions", 0.1, visitor), 5)
    v, j = ragged(n_sessions)
    first_at = visitor_day * DAY + (dice.uniform("anon/time", visitor) * DAY).astype(np.int64)
    start = first_at[v] + np.where(j == 0, 0, (dice.uniform("anon/later", v, j) * 30 * DAY)).astype(
        np.int64
    )
    key = ANONYMOUS + v
    traffic = np.where(j == 0, _traffic_for(dice, ch[v], key), DIRECT)
    campaign = _campaign_for(campaigns, traffic, start)
    camp_page = np.where(campaign >= 0, campaigns.asset_page[np.maximum(campaign, 0)], cat.HOME)
    landing = _landing_for(dice, ch[v], camp_page, key * 8 + j)
    anon = dict(
        client=key,
        person=np.full(len(v), -1),
        start=start,
        traffic=traffic,
        campaign=campaign,
        landing=landing,
        n_pages=pages("anon/pages", 0.12, key * 8 + j),
        form=np.full(len(v), -1),
        key=(key * 16 + 7) * 4096 + j,
    )
    columns = {k: np.concatenate([known_sessions[k], anon[k]]).astype(np.int64) for k in anon}
    order = np.lexsort((columns["key"], columns["start"], columns["client"]))
    columns = {k: v[order] for k, v in columns.items()}
    first_of_client = np.r_[True, columns["client"][1:] != columns["client"][:-1]]
    client_start = np.flatnonzero(first_of_client)
    sizes = np.diff(np.r_[client_start, len(first_of_client)])
    _, number = ragged(sizes)
    return Sessions(**columns, number=number + 1)


@dataclass
class Events:
    session: np.ndarray
    name: np.ndarray
    at: np.ndarray  # milliseconds
    page: np.ndarray
    previous_page: np.ndarray  # -1 for the landing page (external referrer)
    is_landing: np.ndarray
    engagement_msec: np.ndarray
    file_day: np.ndarray  # the export day the event arrives in


def session_events(dice: Dice, sessions: Sessions, forms: Forms, form_index: np.ndarray) -> Events:
    """Expand sessions into GA4 events."""
    n = sessions.n
    sid = np.arange(n)
    key = sessions.key
    gap = dice.lognormal("web/gap", 45 * SECOND, 0.7, key).astype(np.int64)
    has_form = sessions.form >= 0
    form_row = np.maximum(sessions.form, 0)
    form_type = np.where(has_form, forms.form_type[form_row], -1)
    form_page = np.where(has_form, FORM_PAGE[form_index[form_row]], -1)
    start = sessions.start

    # Pages: the landing page, browsing, and (in a form session) the form's page last.
    page_session, j = ragged(sessions.n_pages)
    weights = np.array(cat.BROWSE_WEIGHTS)
    page = np.where(
        j == 0,
        sessions.landing[page_session],
        dice.choice("web/page", weights, key[page_session], j),
    )
    last = j == sessions.n_pages[page_session] - 1
    page = np.where(last & has_form[page_session], form_page[page_session], page)
    previous = np.r_[-1, page[:-1]]
    previous = np.where(j == 0, -1, previous)
    # A form session keeps its submission time: the session starts, the pages lead up to
    # the form's page (closer together if the visit is short), the form is started there
    # and submitted. Nothing of a session comes before its start.
    submit_at = np.where(
        has_form,
        np.maximum(forms.submitted_at[form_row], start),
        start + (sessions.n_pages - 1) * gap + FORM_VIEW_LEAD,
    )
    form_view_at = np.where(
        sessions.n_pages == 1,
        start,
        submit_at - np.minimum(FORM_VIEW_LEAD, (submit_at - start) // 2),
    )
    form_start_at = submit_at - np.minimum(FORM_START_LEAD, (submit_at - form_view_at) // 2)
    step = np.where(
        has_form,
        np.minimum(gap, (form_view_at - start) // np.maximum(sessions.n_pages - 1, 1)),
        gap,
    )
    page_at = start[page_session] + j * step[page_session]
    page_at = np.where(last & has_form[page_session], form_view_at[page_session], page_at)

    scrolled = dice.bernoulli("web/scroll", 0.1, key[page_session], j)
    engaged = sessions.n_pages > 1  # a bounce has no user_engagement
    end = start + sessions.n_pages * gap
    end = np.where(has_form, np.maximum(end, submit_at + 5 * SECOND), end)
    engagement_msec = np.maximum(end - start, SECOND) * 0.8

    names, sess, at, pages, prev, landing_flag, eng = [], [], [], [], [], [], []

    def add(which, name, when, page_of, previous_of, is_landing, engagement):
        sess.append(which)
        names.append(np.full(len(which), name))
        at.append(when)
        pages.append(page_of)
        prev.append(previous_of)
        landing_flag.append(is_landing)
        eng.append(engagement)

    first = sid[sessions.number == 1]
    for which, name in ((first, FIRST_VISIT), (sid, SESSION_START)):
        add(
            which,
            name,
            start[which],
            sessions.landing[which],
            np.full(len(which), -1),
            np.ones(len(which), bool),
            np.zeros(len(which), np.int64),
        )
    add(
        page_session,
        PAGE_VIEW,
        page_at,
        page,
        previous,
        j == 0,
        np.zeros(len(page_session), np.int64),
    )
    sc = np.flatnonzero(scrolled)
    add(
        page_session[sc],
        SCROLL,
        page_at[sc] + 15 * SECOND,
        page[sc],
        previous[sc],
        j[sc] == 0,
        np.full(len(sc), 12_000),
    )
    engaged_session = sid[engaged]
    last_page_of = np.zeros(n, np.int64)
    last_page_of[page_session[last]] = page[last]
    add(
        engaged_session,
        USER_ENGAGEMENT,
        end[engaged_session],
        last_page_of[engaged_session],
        np.full(len(engaged_session), -1),
        sessions.n_pages[engaged_session] == 1,
        engagement_msec[engaged_session].astype(np.int64),
    )
    f = sid[has_form]
    is_lead_form = np.isin(form_type[f], cat.HIGH_INTENT_FORMS)  # the key event
    # Enhanced measurement misses form_start on half the (embedded) forms.
    started = dice.bernoulli("web/form_start", 0.5, key[f])
    for name, when, mask in (
        (FORM_START, form_start_at, started),
        (FORM_SUBMIT, submit_at, np.ones(len(f), bool)),
        (GENERATE_LEAD, submit_at + SECOND, is_lead_form),
        (FILE_DOWNLOAD, submit_at + 3 * SECOND, form_type[f] == cat.CONTENT),
    ):
        ff = f[mask]
        add(
            ff,
            name,
            when[ff],
            form_page[ff],
            np.full(len(ff), -1),
            sessions.n_pages[ff] == 1,
            np.zeros(len(ff), np.int64),
        )

    session = np.concatenate(sess)
    event_name = np.concatenate(names)
    when = np.concatenate(at).astype(np.int64)
    event_key = sessions.key[session] * 16 + event_name
    late = dice.bernoulli("web/late", LATE_SHARE, event_key, when)
    file_day = when // DAY + late
    order = np.lexsort((SAME_MOMENT_ORDER[event_name], sessions.client[session], when, file_day))
    return Events(
        session=session[order],
        name=event_name[order],
        at=when[order],
        page=np.concatenate(pages)[order],
        previous_page=np.concatenate(prev)[order],
        is_landing=np.concatenate(landing_flag)[order],
        engagement_msec=np.concatenate(eng)[order],
        file_day=file_day[order],
    )
