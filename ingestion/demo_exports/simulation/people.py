"""Companies and people, and the marketing side of each person's journey.

A person arrives on a channel, browses, converts on a form (or is imported from a trade
show list, or is created by an SDR), and may become a lead and an MQL. Everything is a
column per person; "never happened" is NEVER.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..arrays import arrow, join, pick, ragged, rank
from . import catalog as cat
from .clock import DAY, HOUR, MINUTE, Clock, at, happened
from .dice import Dice

HS_DUPLICATE_SHARE = 0.03  # people who create a second marketing contact (later merged)
HS_MERGED_SHARE = 0.85  # of those duplicates, the share someone merges
MQL_VIOLATION_SHARE = 0.0  # MQLs given a personal e-mail domain: none by default (README)
SCORE_WITHOUT_FIT_SHARE = 0.18  # non-fit people whose score still passes 60


@dataclass
class Companies:
    name: pa.Array
    domain: pa.Array
    industry: np.ndarray
    employees: np.ndarray
    country: np.ndarray
    is_icp: np.ndarray  # target industry, country and size

    @property
    def n(self) -> int:
        return len(self.industry)


def simulate_companies(dice: Dice, rate: float) -> Companies:
    """A pool of companies sized by the arrival rate only (not by the horizon)."""
    n = max(60, round(rate * 120))
    idx = np.arange(n)
    industry = dice.choice("company/industry", cat.INDUSTRY_WEIGHTS, idx)
    country = dice.choice("company/country", cat.COUNTRY_WEIGHTS, idx)
    employees = np.clip(np.round(dice.lognormal("company/size", 120, 1.3, idx)), 2, 60_000)
    # A bijection of the index onto prefix x core x suffix keeps names unique.
    n_pre, n_core, n_suf = len(cat.COMPANY_PREFIX), len(cat.COMPANY_CORE), len(cat.COMPANY_SUFFIX)
    combos = n_pre * n_core * n_suf
    perm = (idx * 7919 + 1234) % combos
    prefix = pick(cat.COMPANY_PREFIX, perm % n_pre)
    core = pick(cat.COMPANY_CORE, (perm // n_pre) % n_core)
    suffix = pick(cat.COMPANY_SUFFIX, perm // (n_pre * n_core))
    name = join(join(prefix, core), suffix, separator=" ")
    overflow = idx >= combos
    if overflow.any():
        name = pc.if_else(
            arrow(overflow),
            join(name, pc.cast(arrow(idx // combos + 1), pa.string()), separator=" "),
            name,
        )
    domain = join(pc.utf8_lower(join(prefix, core, suffix)), pick(cat.COUNTRY_TLD, country))
    is_icp = (
        (industry < len(cat.TARGET_INDUSTRIES))
        & (country < len(cat.TARGET_COUNTRIES))
        & (employees >= cat.MIN_EMPLOYEES)
    )
    return Companies(name, domain, industry, employees.astype(np.int64), country, is_icp)


@dataclass
class People:
    """One row per person who ever becomes known (the --contacts population)."""

    arrived_at: np.ndarray
    channel: np.ndarray
    company: np.ndarray
    first_name: np.ndarray
    last_name: np.ndarray
    title: np.ndarray
    has_personal_email: np.ndarray
    email: pa.Array  # lower case, the address the person types
    alt_email: pa.Array  # their other address (a duplicate contact uses it)
    is_fit: np.ndarray  # fit half of the MQL rule, as the exported fields show it
    is_mql_violation: np.ndarray  # injected: MQL although the e-mail is personal
    engagement: np.ndarray  # 0..1, drives opens, clicks and visits
    same_session: np.ndarray  # first form submitted in the very first visit
    has_second_browser: np.ndarray
    tracks_user_id: np.ndarray  # the site sets GA user_id once it knows the person
    created_at: np.ndarray  # marketing contact created
    subscriber_at: np.ndarray
    lead_at: np.ndarray
    mql_at: np.ndarray
    score_created: np.ndarray
    score_lead: np.ndarray
    score_up_at: np.ndarray  # score passes 60 (MQL by score, or engaged without fit)
    score_up: np.ndarray
    first_form: np.ndarray  # FORM_TYPES index, -1 when none
    mql_by_form: np.ndarray  # MQL through a demo / contact-sales form (else by score)
    outbound_lead_at: np.ndarray  # SDR created the CRM lead (outbound only)
    duplicate_created_at: np.ndarray  # second marketing contact created
    merged_at: np.ndarray  # ... and merged into the first one

    @property
    def n(self) -> int:
        return len(self.channel)


def arrivals(dice: Dice, clock: Clock, rate: float, horizon: int) -> np.ndarray:
    """Arrival times: Poisson per day, busier on weekdays, mostly in working hours."""
    days = np.arange(horizon)
    weekday_factor = np.where(clock.day_weekday(days) < 5, 1.2, 0.5)  # averages 1.0
    per_day = dice.poisson("arrivals/count", rate * weekday_factor, days)
    day = np.repeat(days, per_day)
    person = np.arange(len(day))
    in_hours = dice.bernoulli("arrivals/in_hours", 0.75, person)
    hour = np.where(
        in_hours,
        8 + 10 * dice.uniform("arrivals/hour", person),
        24 * dice.uniform("arrivals/any_hour", person),
    )
    return day * DAY + (hour * HOUR).astype(np.int64)


def _trade_show_import(clock: Clock, t: np.ndarray) -> np.ndarray:
    """Trade-show lists are imported in one batch four days after each show."""
    period, first, *_ = cat.CAMPAIGN_KINDS["trade_show"]
    show = np.maximum(np.ceil((t / DAY - first - 4) / period), 0)
    return clock.business((first + show * period + 4) * DAY + 10 * HOUR)


def simulate_people(
    dice: Dice, clock: Clock, rate: float, horizon: int, companies: Companies
) -> People:
    arrived_at = arrivals(dice, clock, rate, horizon)
    n = len(arrived_at)
    pid = np.arange(n)
    u = lambda stream: dice.uniform(stream, pid)  # noqa: E731 - a per-person draw

    channel = dice.choice("person/channel", cat.channel_column("share"), pid)
    outbound = channel == cat.OUTBOUND
    web = cat.WEB_CHANNELS[channel]

    # A third of people come from a few "hot" accounts: buying groups. SDRs prospect
    # into ideal-customer-profile companies only.
    hot = u("person/hot_account") < 0.35
    spread = u("person/company")
    company = np.where(hot, spread * 0.05 * companies.n, spread * companies.n).astype(np.int64)
    icp_companies = np.flatnonzero(companies.is_icp)
    if len(icp_companies):
        company = np.where(
            outbound, icp_companies[(spread * len(icp_companies)).astype(int)], company
        )

    # Names are unique within a company, so two people never share an address.
    order = np.lexsort((pid, company))
    starts = np.r_[0, np.flatnonzero(np.diff(company[order])) + 1]
    group_sizes = np.diff(np.r_[starts, n])
    _, position = ragged(group_sizes)
    rank_in_company = np.empty(n, dtype=np.int64)
    rank_in_company[order] = position
    n_names = len(cat.FIRST_NAMES) * len(cat.LAST_NAMES)
    combo = (dice.integers("company/names", n_names, company) + rank_in_company * 7) % n_names
    first_name = combo % len(cat.FIRST_NAMES)
    last_name = combo // len(cat.FIRST_NAMES)
    title = dice.choice("person/title", cat.JOB_TITLE_WEIGHTS, pid)

    has_personal_email = ~outbound & (u("person/personal_email") < 0.12)
    engagement = u("person/engagement")

    # Marketing contact creation: the first form, a list import, or CRM sync.
    same_session = web & (u("person/same_session") < 0.5)
    to_form = np.where(
        same_session,
        dice.lognormal("person/form_lag_min", 6 * MINUTE, 0.5, pid),
        dice.lognormal("person/form_lag_days", 3 * DAY, 1.0, pid),
    )
    outbound_lead_at = at(outbound, clock.business(arrived_at))
    created_at = np.where(
        web,
        arrived_at + to_form.astype(np.int64),
        np.where(outbound, outbound_lead_at + 5 * MINUTE, _trade_show_import(clock, arrived_at)),
    )
    form_table = np.array([c.first_form for c in cat.CHANNELS])
    first_form = np.where(web, dice.choice("person/first_form", form_table[channel], pid), -1)
    high_intent_first = np.isin(first_form, cat.HIGH_INTENT_FORMS)

    is_fit = companies.is_icp[company] & ~has_personal_email
    # Fit people who ask for a demo are MQLs by the rule; others reach it by score.
    will_mql = (
        ~outbound
        & is_fit
        & (high_intent_first | (u("person/mql") < cat.channel_column("p_mql")[channel]))
    )
    is_mql_violation = will_mql & (u("person/mql_violation") < MQL_VIOLATION_SHARE)
    has_personal_email = has_personal_email | is_mql_violation
    is_fit = is_fit & ~is_mql_violation

    offline_subscriber = (channel == cat.OFFLINE) & (u("person/offline_subscriber") < 0.6)
    subscribes_first = (first_form == cat.NEWSLETTER) | offline_subscriber
    subscriber_at = at(subscribes_first, created_at)
    upgrades = subscribes_first & (will_mql | (u("person/upgrade") < 0.3))
    upgrade_at = created_at + dice.lognormal("person/upgrade_lag", 10 * DAY, 0.8, pid).astype(
        np.int64
    )
    lead_at = np.where(subscribes_first, at(upgrades, upgrade_at), created_at)
    mql_lag = dice.lognormal("person/mql_lag", 6 * DAY, 1.0, pid).astype(np.int64)
    mql_at = at(will_mql, np.where(high_intent_first, created_at, lead_at + mql_lag))
    # The rest reach MQL either by a later demo / contact-sales form or by score.
    mql_by_form = will_mql & (high_intent_first | (u("person/mql_by_form") < 0.35))

    # hubspotscore: below 60 until the MQL moment for fit people (so the rule holds);
    # some people without fit still pass 60 and are correctly not MQLs.
    score_created = np.where(
        high_intent_first,
        20 + dice.integers("score/created_hi", 36, pid),
        5 + dice.integers("score/created", 36, pid),
    )
    score_lead = np.minimum(score_created + 5 + dice.integers("score/lead", 16, pid), 55)
    score_mql = 60 + dice.integers("score/mql", 36, pid)
    engaged_without_fit = (
        ~outbound
        & ~will_mql
        & ~is_fit
        & happened(lead_at)
        & (u("score/engaged") < SCORE_WITHOUT_FIT_SHARE)
    )
    engaged_at = lead_at + dice.lognormal("score/engaged_lag", 15 * DAY, 0.8, pid).astype(np.int64)
    score_up_at = np.where(will_mql, mql_at, at(engaged_without_fit, engaged_at))
    # A high-intent form adds points but need not reach 60: the form alone qualifies.
    score_by_form = np.minimum(
        np.where(high_intent_first, score_created, score_lead)
        + 10
        + dice.integers("score/form", 21, pid),
        99,
    )
    score_up = np.where(happened(score_up_at), np.where(mql_by_form, score_by_form, score_mql), 0)

    duplicate = ~outbound & (u("person/hs_duplicate") < HS_DUPLICATE_SHARE)
    duplicate_created_at = at(
        duplicate,
        created_at + dice.lognormal("person/duplicate_lag", 20 * DAY, 0.8, pid).astype(np.int64),
    )
    merged = duplicate & (u("person/merged") < HS_MERGED_SHARE)
    merged_at = at(
        merged,
        duplicate_created_at
        + dice.lognormal("person/merge_lag", 8 * DAY, 1.0, pid).astype(np.int64),
    )

    first = pc.utf8_lower(pick(cat.FIRST_NAMES, first_name))
    last = pc.utf8_lower(pick(cat.LAST_NAMES, last_name))
    personal_domain = pick(
        cat.PERSONAL_DOMAINS,
        dice.choice(
            "person/personal_domain", (0.45, 0.15, 0.12, 0.08, 0.07, 0.04, 0.05, 0.04), pid
        ),
    )
    personal = join(
        join(first, last, separator="."), pc.cast(arrow(pid), pa.string()), "@", personal_domain
    )
    work = join(join(first, last, separator="."), "@", companies.domain.take(arrow(company)))
    personal_mask = arrow(has_personal_email)
    email = pc.if_else(personal_mask, personal, work)
    alt_email = pc.if_else(personal_mask, work, personal)

    return People(
        arrived_at=arrived_at,
        channel=channel,
        company=company,
        first_name=first_name,
        last_name=last_name,
        title=title,
        has_personal_email=has_personal_email,
        email=email,
        alt_email=alt_email,
        is_fit=is_fit,
        is_mql_violation=is_mql_violation,
        engagement=engagement,
        same_session=same_session,
        has_second_browser=u("person/second_browser") < 0.25,
        tracks_user_id=u("person/tracks_user_id") < 0.6,
        created_at=created_at,
        subscriber_at=subscriber_at,
        lead_at=lead_at,
        mql_at=mql_at,
        score_created=score_created,
        score_lead=score_lead,
        score_up_at=score_up_at,
        score_up=score_up,
        first_form=first_form,
        mql_by_form=mql_by_form,
        outbound_lead_at=outbound_lead_at,
        duplicate_created_at=duplicate_created_at,
        merged_at=merged_at,
    )


@dataclass
class Forms:
    """Form submissions (one row each), before campaigns and browsers are attached."""

    person: np.ndarray
    slot: np.ndarray  # 0 first, 1 lead upgrade, 2 high-intent MQL form, 3 duplicate, 10+ extra
    form_type: np.ndarray
    submitted_at: np.ndarray
    on_duplicate: np.ndarray  # submitted with the alternative address (duplicate contact)
    in_first_visit: np.ndarray

    @property
    def n(self) -> int:
        return len(self.person)


def simulate_forms(dice: Dice, people: People) -> Forms:
    pid = np.arange(people.n)
    parts = []

    def add(mask, slot, form_type, submitted_at, on_duplicate=False, in_first_visit=None):
        idx = np.flatnonzero(mask)
        parts.append(
            (
                idx,
                np.full(len(idx), slot),
                np.asarray(form_type)[idx] if np.ndim(form_type) else np.full(len(idx), form_type),
                submitted_at[idx],
                np.full(len(idx), on_duplicate),
                np.zeros(len(idx), bool) if in_first_visit is None else in_first_visit[idx],
            )
        )

    add(
        people.first_form >= 0,
        0,
        people.first_form,
        people.created_at,
        in_first_visit=people.same_session,
    )
    subscribed_first = happened(people.subscriber_at)
    upgrade = subscribed_first & happened(people.lead_at)
    upgrade_type = np.where(
        dice.bernoulli("form/upgrade_type", 0.65, pid), cat.CONTENT, cat.WEBINAR
    )
    add(upgrade, 1, upgrade_type, people.lead_at)
    mql_by_form = people.mql_by_form & ~np.isin(people.first_form, cat.HIGH_INTENT_FORMS)
    hi_type = np.where(dice.bernoulli("form/hi_type", 0.7, pid), cat.DEMO, cat.CONTACT_SALES)
    add(mql_by_form, 2, hi_type, people.mql_at)
    dup = happened(people.duplicate_created_at)
    dup_type = np.where(dice.bernoulli("form/dup_type", 0.6, pid), cat.WEBINAR, cat.CONTENT)
    add(dup, 3, dup_type, people.duplicate_created_at, on_duplicate=True)

    # More content downloads and webinar sign-ups while people are being nurtured.
    # Only leads: a content form would make a mere subscriber a lead.
    known = happened(people.lead_at) & (people.channel != cat.OUTBOUND)
    n_extra = np.where(
        known,
        np.minimum(dice.geometric("form/extra_count", 0.05 + 0.1 * people.engagement, pid), 4),
        0,
    )
    parent, position = ragged(n_extra)
    extra_at = people.lead_at[parent] + (
        (1 + 74 * dice.uniform("form/extra_at", parent, position)) * DAY
    ).astype(np.int64)
    extra_type = np.where(
        dice.bernoulli("form/extra_type", 0.7, parent, position), cat.CONTENT, cat.WEBINAR
    )
    parts.append(
        (
            parent,
            10 + position,
            extra_type,
            extra_at,
            np.zeros(len(parent), bool),
            np.zeros(len(parent), bool),
        )
    )

    person, slot, form_type, submitted_at, on_dup, first_visit = (
        np.concatenate(column) for column in zip(*parts, strict=True)
    )
    order = np.lexsort((slot, person))
    return Forms(
        person[order],
        slot[order].astype(np.int64),
        form_type[order].astype(np.int64),
        submitted_at[order].astype(np.int64),
        on_dup[order].astype(bool),
        first_visit[order].astype(bool),
    )


def sequence_numbers(created_at: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Record numbers in creation order (basis of every id)."""
    return rank(created_at, key)
