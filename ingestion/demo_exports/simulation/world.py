"""The simulated world: everything that happens, before anything is exported."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import numpy as np

from . import catalog as cat
from .clock import Clock, happened
from .dice import Dice
from .marketing import (
    CLICK,
    Campaigns,
    EmailEvents,
    EmailSends,
    build_campaigns,
    build_sends,
    form_of,
    simulate_email_events,
)
from .people import Companies, Forms, People, simulate_companies, simulate_forms, simulate_people
from .sales import (
    Deals,
    Leads,
    Touches,
    Users,
    build_users,
    deal_touches,
    simulate_deals,
    simulate_leads,
)
from .web import Events, Sessions, arrival_traffic, session_events, simulate_sessions

log = logging.getLogger(__name__)


@dataclass
class World:
    seed: int
    rate: float
    horizon: int
    clock: Clock
    dice: Dice
    companies: Companies
    people: People
    campaigns: Campaigns
    forms: Forms
    form_index: np.ndarray  # which form (FORM_NAMES) each submission used
    form_campaign: np.ndarray
    form_browser: np.ndarray
    sends: EmailSends
    emails: EmailEvents
    users: Users
    leads: Leads
    lead_tasks: Touches
    deals: Deals
    deal_tasks: Touches
    sales_events: Touches
    sessions: Sessions
    web_events: Events


def simulate(seed: int, rate: float, start: dt.date, horizon: int) -> World:
    """Simulate people arriving at `rate` a day for `horizon` days, and all that follows."""
    dice, clock = Dice(seed), Clock(start)
    companies = simulate_companies(dice, rate)
    people = simulate_people(dice, clock, rate, horizon, companies)
    log.info("simulated %d people at %.1f a day over %d days", people.n, rate, horizon)
    campaigns = build_campaigns(dice, clock, rate, horizon)
    forms = simulate_forms(dice, people)
    form_index, form_campaign = form_of(campaigns, forms.form_type, forms.submitted_at)
    second = people.has_second_browser[forms.person] & dice.bernoulli(
        "form/browser", 0.25, forms.person, forms.slot
    )
    form_browser = np.where((forms.slot == 0) | forms.on_duplicate, 0, second).astype(np.int64)
    sends = build_sends(clock, campaigns)
    emails = simulate_email_events(dice, people, sends)
    log.info("simulated %d form submissions and %d e-mail events", forms.n, emails.n)

    users = build_users(rate)
    leads, lead_tasks = simulate_leads(dice, clock, people, users)
    deals = simulate_deals(dice, clock, people, companies, users, leads)
    deal_tasks, sales_events = deal_touches(dice, clock, leads, deals)
    log.info("simulated %d CRM leads and %d opportunities", leads.n, deals.opportunity.n)

    primary = ~leads.is_duplicate
    qualified = primary & happened(leads.qualified_at) & ~leads.is_outbound
    connected = primary & happened(leads.connected_at) & leads.is_outbound
    click = emails.type == CLICK
    sessions = simulate_sessions(
        dice,
        clock,
        rate,
        horizon,
        people,
        forms,
        form_browser,
        form_campaign,
        form_index,
        clicks=(emails.person[click], emails.created[click], sends.campaign[emails.send[click]]),
        qualified=(leads.person[qualified], leads.qualified_at[qualified]),
        connected=(leads.person[connected], leads.connected_at[connected]),
        campaigns=campaigns,
    )
    web_events = session_events(dice, sessions, forms, form_index)
    log.info("simulated %d web sessions and %d web events", sessions.n, len(web_events.at))
    return World(
        seed=seed,
        rate=rate,
        horizon=horizon,
        clock=clock,
        dice=dice,
        companies=companies,
        people=people,
        campaigns=campaigns,
        forms=forms,
        form_index=form_index,
        form_campaign=form_campaign,
        form_browser=form_browser,
        sends=sends,
        emails=emails,
        users=users,
        leads=leads,
        lead_tasks=lead_tasks,
        deals=deals,
        deal_tasks=deal_tasks,
        sales_events=sales_events,
        sessions=sessions,
        web_events=web_events,
    )


def campaign_responses(world: World) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(person, campaign, responded at): first visits from a campaign, campaign forms,
    e-mail clicks and trade-show attendance."""
    people, forms, emails = world.people, world.forms, world.emails
    _, arrival_campaign = arrival_traffic(world.dice, world.campaigns, people)
    arrived = np.flatnonzero(arrival_campaign >= 0)
    show = world.campaigns.active("trade_show", people.created_at)
    attended = np.flatnonzero((people.channel == cat.OFFLINE) & (show >= 0))
    f = np.flatnonzero(world.form_campaign >= 0)
    click = np.flatnonzero(emails.type == CLICK)
    person = np.r_[arrived, attended, forms.person[f], emails.person[click]]
    campaign = np.r_[
        arrival_campaign[arrived],
        show[attended],
        world.form_campaign[f],
        world.sends.campaign[emails.send[click]],
    ]
    at = np.r_[
        people.arrived_at[arrived],
        people.created_at[attended],
        forms.submitted_at[f],
        emails.created[click],
    ]
    return person, campaign, at
