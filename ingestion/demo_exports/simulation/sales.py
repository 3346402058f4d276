"""The sales side: CRM leads, SDR touches, acceptance, qualification, conversion,
accounts, contacts and opportunities (new business, upsells, renewals)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..arrays import ragged
from . import catalog as cat
from .clock import DAY, HOUR, MINUTE, NEVER, Clock, at, happened, never
from .dice import Dice
from .people import Companies, People

SF_DUPLICATE_SHARE = 0.03  # leads created twice in the CRM (the second merged away)
NEW_OPPORTUNITY_GAP_DAYS = 120  # a conversion within this of the last one joins its deal


@dataclass
class Users:
    name: list[str]
    title: list[str]
    department: list[str]
    n_sdr: int
    n_ae: int

    @property
    def n(self) -> int:
        return len(self.name)

    @property
    def first_ae(self) -> int:
        return self.n_sdr


def build_users(rate: float) -> Users:
    """SDRs and AEs sized to the volume, plus marketing operations and the integration."""
    n_sdr, n_ae = max(3, math.ceil(rate / 25)), max(3, math.ceil(rate / 35))
    names, titles, departments = [], [], []
    for i in range(n_sdr + n_ae):
        first = cat.FIRST_NAMES[(i * 7 + 3) % len(cat.FIRST_NAMES)]
        last = cat.LAST_NAMES[(i * 11 + 5) % len(cat.LAST_NAMES)]
        names.append(f"{first} {last}")
        titles.append(cat.SDR_TITLE if i < n_sdr else cat.AE_TITLE)
        departments.append("Sales")
    names += ["Morgan Reyes", "HubSpot Integration"]
    titles += ["Marketing Operations Manager", "Integration User"]
    departments += ["Marketing", "Operations"]
    return Users(names, titles, departments, n_sdr, n_ae)


@dataclass
class Leads:
    """CRM leads: one per MQL or outbound prospect, then the duplicates."""

    person: np.ndarray
    is_duplicate: np.ndarray
    master: np.ndarray  # for a duplicate: the lead it is merged into (-1 otherwise)
    is_outbound: np.ndarray
    created_at: np.ndarray
    owner: np.ndarray  # user index (an SDR)
    first_touch_at: np.ndarray
    connected_at: np.ndarray
    accepted_at: np.ndarray
    rejected_at: np.ndarray
    rejection_reason: np.ndarray  # index into REJECTION_REASONS, len() = Unresponsive
    qualified_at: np.ndarray
    disqualified_at: np.ndarray
    disqualified_reason: np.ndarray
    converted_at: np.ndarray
    merged_at: np.ndarray  # duplicate merged into its master (also a change of the master)
    email_variant: np.ndarray  # 0 as typed, 1 Title Case, 2 upper domain, 3 spaces around

    @property
    def n(self) -> int:
        return len(self.person)


@dataclass
class Touches:
    """Tasks (calls, e-mails) and events (meetings, demos) logged by sales."""

    lead: np.ndarray  # -1 when about a contact / opportunity
    opportunity: np.ndarray  # -1 when about a lead
    owner: np.ndarray
    at: np.ndarray
    kind: np.ndarray  # tasks: 0 call, 1 e-mail; events: 0 meeting, 1 demo
    subject: np.ndarray  # index into the subject list of its table
    key: np.ndarray


# Task subjects by kind (0 call, 1 e-mail): first attempt, follow-up, then deal touches.
TASK_SUBJECTS = (
    ("Call", "Call: Follow-up", "Call: Discovery follow-up", "Call: Check-in"),
    ("Email: Intro", "Email: Following up", "Email: Proposal", "Email: Check-in"),
)
EVENT_SUBJECTS = ("Discovery call", "Product demo", "Negotiation meeting")


def simulate_leads(dice: Dice, clock: Clock, people: People, users: Users) -> tuple[Leads, Touches]:
    """CRM leads and the SDR attempts (tasks) on them."""
    person = np.flatnonzero(happened(people.mql_at) | happened(people.outbound_lead_at))
    n = len(person)
    u = lambda stream: dice.uniform(stream, person)  # noqa: E731
    channel = people.channel[person]
    outbound = channel == cat.OUTBOUND
    sync_lag = dice.lognormal("lead/sync", 6 * MINUTE, 0.6, person).astype(np.int64)
    created_at = np.where(
        outbound, people.outbound_lead_at[person], people.mql_at[person] + sync_lag
    )
    owner = dice.integers("lead/owner", users.n_sdr, person)

    # First touch after the MQL: most within the hour, some late, a few never.
    speed = dice.choice("lead/speed", (0.72, 0.15, 0.08, 0.05), person)
    lag = np.select(
        [speed == 0, speed == 1, speed == 2],
        [
            dice.lognormal("lead/fast", 40 * MINUTE, 0.8, person),
            4 * HOUR + u("lead/slow") * 44 * HOUR,
            2 * DAY + u("lead/late") * 8 * DAY,
        ],
        0,
    ).astype(np.int64)
    lag = np.where(
        outbound, dice.lognormal("lead/outbound_touch", 20 * MINUTE, 0.5, person), lag
    ).astype(np.int64)
    touched = outbound | (speed < 3)
    first_touch_at = at(touched, clock.business(created_at + lag))

    # Attempts until connected (or giving up), a day or two apart.
    follow_ups = np.minimum(dice.geometric("lead/follow_ups", 2.0, person), 8)
    connected = touched & (u("lead/connect") < np.where(outbound, 0.4, 0.82))
    connect_after = np.minimum(dice.geometric("lead/connect_after", 1.0, person), follow_ups)
    attempts = np.where(touched, np.where(connected, connect_after, follow_ups) + 1, 0)
    lead_of_attempt, attempt = ragged(attempts)
    gap = np.where(
        attempt == 0,
        0,
        dice.lognormal("lead/attempt_gap", 1.3 * DAY, 0.6, person[lead_of_attempt], attempt),
    ).astype(np.int64)
    offset = np.cumsum(gap)
    starts = np.cumsum(attempts) - attempts
    offset = offset - offset[starts[lead_of_attempt]]
    attempt_at = clock.business(first_touch_at[lead_of_attempt] + offset)
    last_attempt_at = np.full(n, -1, np.int64)
    np.maximum.at(last_attempt_at, lead_of_attempt, attempt_at)
    last_attempt_at = np.where(last_attempt_at < 0, NEVER, last_attempt_at)
    connected_at = at(connected, last_attempt_at)

    # Accept (SAL) or reject back to nurture, with a reason; unreachable leads are
    # mostly rejected as unresponsive after the last attempt.
    decided_at = clock.business(
        connected_at + dice.lognormal("lead/decide", 3 * HOUR, 1.0, person).astype(np.int64)
    )
    accepted = ~outbound & connected & (u("lead/accept") < cat.channel_column("p_sal")[channel])
    accepted_at = at(accepted, decided_at)
    unresponsive = ~outbound & touched & ~connected & (u("lead/unresponsive") < 0.6)
    rejected_at = np.where(
        ~outbound & connected & ~accepted,
        decided_at,
        at(unresponsive, clock.business(last_attempt_at + 2 * DAY)),
    )
    rejection_reason = np.where(
        connected,
        dice.choice("lead/rejection", cat.REJECTION_WEIGHTS, person),
        len(cat.REJECTION_REASONS),
    )

    # Qualification (SQL): inbound after acceptance, outbound after the first real call.
    base = np.where(outbound, connected_at, accepted_at)
    qualifies = happened(base) & (u("lead/qualify") < cat.channel_column("p_sql")[channel])
    qualified_at = at(
        qualifies,
        clock.business(
            base + dice.lognormal("lead/qualify_lag", 3 * DAY, 0.7, person).astype(np.int64)
        ),
    )
    disqualifies = happened(base) & ~qualifies & (u("lead/disqualify") < 0.8)
    disqualified_at = at(
        disqualifies,
        clock.business(
            base + dice.lognormal("lead/disqualify_lag", 6 * DAY, 0.7, person).astype(np.int64)
        ),
    )
    disqualified_reason = dice.choice("lead/disqualified_reason", cat.DISQUALIFIED_WEIGHTS, person)
    converts = qualifies & (u("lead/convert") < cat.channel_column("p_opp")[channel])
    converted_at = at(
        converts,
        clock.business(
            qualified_at + dice.lognormal("lead/convert_lag", 2 * DAY, 0.6, person).astype(np.int64)
        ),
    )
    email_variant = dice.choice("lead/email_variant", (0.55, 0.30, 0.10, 0.05), person)

    # Duplicates: the same person entered again a few days later, merged unless the
    # master was converted first (then the duplicate just stays).
    dup = np.flatnonzero(u("lead/duplicate") < SF_DUPLICATE_SHARE)
    dp = person[dup]
    dup_created = clock.business(
        created_at[dup] + dice.lognormal("lead/dup_lag", 2 * DAY, 0.8, dp).astype(np.int64)
    )
    dup_merged = dup_created + dice.lognormal("lead/dup_merge", 3 * DAY, 0.8, dp).astype(np.int64)
    dup_merged = np.where(dup_merged < converted_at[dup], dup_merged, NEVER)
    master_merged = never(n)
    master_merged[dup] = dup_merged
    m = len(dup)
    nothing = never(m)
    return Leads(
        person=np.r_[person, dp],
        is_duplicate=np.r_[np.zeros(n, bool), np.ones(m, bool)],
        master=np.r_[np.full(n, -1), dup],
        is_outbound=np.r_[outbound, outbound[dup]],
        created_at=np.r_[created_at, dup_created],
        owner=np.r_[owner, owner[dup]],
        first_touch_at=np.r_[first_touch_at, nothing],
        connected_at=np.r_[connected_at, nothing],
        accepted_at=np.r_[accepted_at, nothing],
        rejected_at=np.r_[rejected_at, nothing],
        rejection_reason=np.r_[rejection_reason, np.zeros(m, np.int64)],
        qualified_at=np.r_[qualified_at, nothing],
        disqualified_at=np.r_[disqualified_at, nothing],
        disqualified_reason=np.r_[disqualified_reason, np.zeros(m, np.int64)],
        converted_at=np.r_[converted_at, nothing],
        merged_at=np.r_[master_merged, dup_merged],
        email_variant=np.r_[
            email_variant, (email_variant[dup] + 1 + dice.integers("lead/dup_variant", 3, dp)) % 4
        ],
    ), Touches(
        lead=lead_of_attempt,
        opportunity=np.full(len(attempt), -1),
        owner=owner[lead_of_attempt],
        at=attempt_at,
        kind=np.where(
            dice.bernoulli("lead/attempt_kind", 0.6, person[lead_of_attempt], attempt), 0, 1
        ),
        subject=np.where(attempt == 0, 0, 1),
        key=person[lead_of_attempt] * 64 + attempt,
    )


@dataclass
class Deals:
    """Accounts, CRM contacts and opportunities created by converting leads."""

    account_company: np.ndarray  # account -> company
    account_created_at: np.ndarray
    account_owner: np.ndarray
    account_customer_at: np.ndarray  # first won deal
    contact_lead: np.ndarray  # contact -> the lead it was converted from
    contact_account: np.ndarray
    contact_created_at: np.ndarray
    lead_contact: np.ndarray  # lead -> contact (-1)
    lead_account: np.ndarray
    lead_opportunity: np.ndarray
    opportunity: Opportunities
    won_at_by_person: np.ndarray


@dataclass
class Opportunities:
    account: np.ndarray
    contact: np.ndarray
    owner: np.ndarray
    type: np.ndarray
    created_at: np.ndarray
    lead_source_person: np.ndarray  # the person whose conversion started the deal
    expected_close_at: np.ndarray
    closed_at: np.ndarray
    is_won: np.ndarray
    amount: np.ndarray  # final amount
    loss_reason: np.ndarray
    key: np.ndarray
    # History: one row per stage (or amount) change.
    history_opportunity: np.ndarray
    history_stage: np.ndarray
    history_at: np.ndarray
    history_amount: np.ndarray
    history_close_at: np.ndarray

    @property
    def n(self) -> int:
        return len(self.account)


def _stage_walk(dice: Dice, clock: Clock, stream: str, key, created_at, amount, p_win, scale):
    """Walk each opportunity through the stages; return its history and outcome."""
    n = len(key)
    won = dice.uniform(stream + "/won", key) < p_win
    lost_at = dice.choice(stream + "/lost_at", (0.28, 0.24, 0.2, 0.16, 0.12), key)
    last_open = np.where(won, 4, lost_at)
    rows = last_open + 2  # each open stage entered, then the close
    opp, position = ragged(rows)
    stage_before = np.clip(position - 1, 0, 4)
    duration = np.where(
        position == 0,
        0,
        dice.lognormal(
            stream + "/days",
            np.array(cat.STAGE_MEDIAN_DAYS)[stage_before] * DAY * scale[opp],
            0.6,
            key[opp],
            position,
        ),
    ).astype(np.int64)
    offset = np.cumsum(duration)
    starts = np.cumsum(rows) - rows
    offset = offset - offset[starts[opp]]
    # Creating the deal is its first (Prospecting) row; reps update it at work.
    history_at = np.where(position == 0, created_at[opp], clock.business(created_at[opp] + offset))
    is_close = position == rows[opp] - 1
    stage = np.where(is_close, np.where(won[opp], 5, 6), position)
    proposal_amount = np.round(amount * (0.85 + 0.3 * dice.uniform(stream + "/proposal", key)), -2)
    history_amount = np.where(position >= 3, proposal_amount[opp], amount[opp])
    expected_close = created_at + dice.lognormal(
        stream + "/expected", 70 * DAY * scale, 0.3, key
    ).astype(np.int64)
    closed_at = history_at[starts + rows - 1]
    history_close = np.where(is_close, history_at, expected_close[opp])
    final_amount = np.where(last_open >= 3, proposal_amount, amount)
    loss_reason = np.where(won, -1, dice.choice(stream + "/loss", cat.LOSS_WEIGHTS, key))
    return dict(
        won=won,
        closed_at=closed_at,
        amount=final_amount,
        loss_reason=loss_reason,
        expected_close=expected_close,
        h_opp=opp,
        h_stage=stage,
        h_at=history_at,
        h_amount=history_amount,
        h_close=history_close,
        n=n,
    )


def acv(employees: np.ndarray) -> np.ndarray:
    """Annual contract value grows with company size (square-root-ish), in dollars."""
    return np.clip(6000 * np.sqrt(np.maximum(employees, 1) / 50), 3000, 250_000)


def simulate_deals(
    dice: Dice, clock: Clock, people: People, companies: Companies, users: Users, leads: Leads
) -> Deals:
    converted = np.flatnonzero(happened(leads.converted_at))
    company = people.company[leads.person[converted]]
    conv_at = leads.converted_at[converted]

    # Accounts: one per company, created with its first conversion.
    order = np.lexsort((conv_at, company))
    comp_sorted = company[order]
    first_in_company = np.r_[True, comp_sorted[1:] != comp_sorted[:-1]]
    account_company = comp_sorted[first_in_company]
    account_created_at = conv_at[order][first_in_company]
    account_of_company = np.full(companies.n, -1)
    account_of_company[account_company] = np.arange(len(account_company))
    ae = users.first_ae + dice.integers("account/owner", users.n_ae, account_company)

    n_leads = leads.n
    lead_account = np.full(n_leads, -1)
    lead_account[converted] = account_of_company[company]
    lead_contact = np.full(n_leads, -1)
    lead_contact[converted] = np.arange(len(converted))

    # A conversion soon after another one of the same company joins that deal (the
    # buying group); otherwise it starts a new-business opportunity.
    gap = np.r_[np.inf, np.diff(conv_at[order]).astype(float)]
    starts_deal_sorted = first_in_company | (gap > NEW_OPPORTUNITY_GAP_DAYS * DAY)
    starts_deal = np.empty(len(converted), bool)
    starts_deal[order] = starts_deal_sorted
    nb_lead = converted[starts_deal]
    nb_person = leads.person[nb_lead]
    nb_company = people.company[nb_person]
    nb_created = leads.converted_at[nb_lead] + 2 * MINUTE
    noise = dice.lognormal("deal/amount", 1.0, 0.35, nb_person)
    nb_amount = np.round(acv(companies.employees[nb_company]) * noise, -2)
    nb_walk = _stage_walk(
        dice,
        clock,
        "deal/nb",
        nb_person,
        nb_created,
        nb_amount,
        cat.channel_column("p_win")[people.channel[nb_person]],
        np.ones(len(nb_person)),
    )

    # Customers buy more (upsell) and renew a year later.
    won = np.flatnonzero(nb_walk["won"])
    won_person = nb_person[won]
    upsell = won[dice.bernoulli("deal/upsell", 0.3, won_person)]
    up_person = nb_person[upsell]
    up_created = clock.business(
        nb_walk["closed_at"][upsell]
        + dice.lognormal("deal/upsell_lag", 110 * DAY, 0.4, up_person).astype(np.int64)
    )
    up_amount = np.round(nb_walk["amount"][upsell] * 0.35, -2)
    up_walk = _stage_walk(
        dice,
        clock,
        "deal/upsell",
        up_person,
        up_created,
        up_amount,
        np.full(len(upsell), 0.55),
        np.full(len(upsell), 0.6),
    )
    renew_created = clock.business(
        nb_walk["closed_at"][won]
        + (300 + dice.integers("deal/renew_lag", 15, won_person) - 7) * DAY
    )
    renew_amount = np.round(
        nb_walk["amount"][won] * (1 + 0.12 * dice.uniform("deal/renew_uplift", won_person)), -2
    )
    renew_walk = _stage_walk(
        dice,
        clock,
        "deal/renewal",
        won_person,
        renew_created,
        renew_amount,
        np.full(len(won), 0.85),
        np.full(len(won), 0.5),
    )

    walks = [
        (nb_walk, nb_lead, cat.NEW_BUSINESS, nb_created, nb_amount),
        (up_walk, nb_lead[upsell], cat.UPSELL, up_created, up_amount),
        (renew_walk, nb_lead[won], cat.RENEWAL, renew_created, renew_amount),
    ]
    cols: dict[str, list] = {
        k: []
        for k in (
            "lead",
            "type",
            "created",
            "won",
            "closed",
            "amount",
            "loss",
            "expected",
            "h_opp",
            "h_stage",
            "h_at",
            "h_amount",
            "h_close",
        )
    }
    base = 0
    for walk, lead, kind, created, _ in walks:
        cols["lead"].append(lead)
        cols["type"].append(np.full(len(lead), kind))
        cols["created"].append(created)
        cols["won"].append(walk["won"])
        cols["closed"].append(walk["closed_at"])
        cols["amount"].append(walk["amount"])
        cols["loss"].append(walk["loss_reason"])
        cols["expected"].append(walk["expected_close"])
        cols["h_opp"].append(walk["h_opp"] + base)
        for k in ("h_stage", "h_at", "h_amount", "h_close"):
            cols[k].append(walk[k])
        base += len(lead)
    c = {k: np.concatenate(v) for k, v in cols.items()}
    opp_lead = c["lead"]
    opp_account = lead_account[opp_lead]
    opp_person = leads.person[opp_lead]

    lead_opportunity = np.full(n_leads, -1)
    lead_opportunity[nb_lead] = np.arange(len(nb_lead))

    won_at_by_person = never(people.n)
    won_at_by_person[nb_person[won]] = nb_walk["closed_at"][won] + 2 * MINUTE
    account_customer_at = never(len(account_company))
    np.minimum.at(account_customer_at, lead_account[nb_lead[won]], nb_walk["closed_at"][won])

    opportunities = Opportunities(
        account=opp_account,
        contact=lead_contact[opp_lead],
        owner=ae[opp_account],
        type=c["type"],
        created_at=c["created"],
        lead_source_person=opp_person,
        expected_close_at=c["expected"],
        closed_at=c["closed"],
        is_won=c["won"],
        amount=c["amount"].astype(np.int64),
        loss_reason=c["loss"],
        key=opp_person * 4 + c["type"],
        history_opportunity=c["h_opp"],
        history_stage=c["h_stage"],
        history_at=c["h_at"],
        history_amount=c["h_amount"].astype(np.int64),
        history_close_at=c["h_close"],
    )
    return Deals(
        account_company=account_company,
        account_created_at=account_created_at,
        account_owner=ae,
        account_customer_at=account_customer_at,
        contact_lead=converted,
        contact_account=lead_account[converted],
        contact_created_at=leads.converted_at[converted] + MINUTE,
        lead_contact=lead_contact,
        lead_account=lead_account,
        lead_opportunity=lead_opportunity,
        opportunity=opportunities,
        won_at_by_person=won_at_by_person,
    )


def deal_touches(dice: Dice, clock: Clock, leads: Leads, deals: Deals) -> tuple[Touches, Touches]:
    """AE tasks during each opportunity, and the meetings: discovery, demo, negotiation."""
    opp = deals.opportunity
    end = np.minimum(opp.closed_at, opp.created_at + 90 * DAY)
    n_tasks = 1 + np.minimum(dice.geometric("deal/tasks", 1.5, opp.key), 6)
    o, i = ragged(n_tasks)
    task_at = clock.business(
        opp.created_at[o]
        + (dice.uniform("deal/task_at", opp.key[o], i) * (end[o] - opp.created_at[o])).astype(
            np.int64
        )
    )
    tasks = Touches(
        lead=np.full(len(o), -1),
        opportunity=o,
        owner=opp.owner[o],
        at=task_at,
        kind=dice.integers("deal/task_kind", 2, opp.key[o], i),
        subject=2 + dice.integers("deal/task_subject", 2, opp.key[o], i),
        key=opp.key[o] * 64 + 16 + i,
    )

    # Discovery call with the lead before it converts; demo and negotiation meetings at
    # those stages of the opportunity.
    converted = np.flatnonzero(happened(leads.converted_at) & (deals.lead_opportunity >= 0))
    discovery_at = clock.business(
        leads.qualified_at[converted]
        + (leads.converted_at[converted] - leads.qualified_at[converted]) // 2
    )
    h = opp.history_opportunity
    demo = np.flatnonzero(opp.history_stage == 2)
    negotiation = np.flatnonzero(opp.history_stage == 4)
    events = Touches(
        lead=np.r_[converted, np.full(len(demo) + len(negotiation), -1)],
        opportunity=np.r_[np.full(len(converted), -1), h[demo], h[negotiation]],
        owner=np.r_[leads.owner[converted], opp.owner[h[demo]], opp.owner[h[negotiation]]],
        at=np.r_[
            discovery_at,
            clock.business(opp.history_at[demo] + DAY),
            clock.business(opp.history_at[negotiation] + DAY),
        ],
        kind=np.r_[
            np.zeros(len(converted), np.int64),
            np.ones(len(demo), np.int64),
            np.zeros(len(negotiation), np.int64),
        ],
        subject=np.r_[
            np.zeros(len(converted), np.int64),
            np.ones(len(demo), np.int64),
            np.full(len(negotiation), 2),
        ],
        key=np.r_[
            leads.person[converted] * 64 + 60,
            opp.key[h[demo]] * 64 + 61,
            opp.key[h[negotiation]] * 64 + 62,
        ],
    )
    return tasks, events
