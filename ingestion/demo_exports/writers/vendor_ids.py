"""The vendors' identifiers of every simulated record, computed once per world.

Salesforce's 18-character Ids, HubSpot's contact numbers, owner ids, campaign and form
GUIDs, and GA4's client ids: every writer reads them from one :class:`VendorIds`, so a
record has the same id in every file that names it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ..arrays import fixed_width_strings, int_strings, join, rank
from ..simulation.clock import happened
from ..simulation.marketing import FORM_NAMES
from ..simulation.world import World
from .formats import Formats

_BASE62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", np.uint8)
_SF_SUFFIX = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", np.uint8)
_HEX = np.frombuffer(b"0123456789abcdef", np.uint8)

# Salesforce key prefixes of the objects exported.
SF_PREFIX = {
    "Lead": "00Q",
    "Contact": "003",
    "Account": "001",
    "Opportunity": "006",
    "OpportunityHistory": "008",
    "Task": "00T",
    "Event": "00U",
    "Campaign": "701",
    "CampaignMember": "00v",
    "User": "005",
    "LeadHistory": "017",
}


def salesforce_ids(object_name: str, numbers: np.ndarray) -> pa.Array:
    """18-character Salesforce ids: key prefix, pod, a base-62 sequence, case checksum.

    numbers are per-object sequence numbers (the rank of the record's creation), so ids
    grow with creation time as real ones do.
    """
    numbers = np.asarray(numbers, dtype=np.int64)
    n = len(numbers)
    codes = np.empty((n, 18), dtype=np.uint8)
    codes[:, 0:3] = np.frombuffer(SF_PREFIX[object_name].encode(), np.uint8)
    codes[:, 3:5] = np.frombuffer(b"5g", np.uint8)
    codes[:, 5:9] = ord("0")
    # Start at 62**4 (".10000") plus an offset per object, spread out a little.
    value = numbers * 37 + 14_776_336 + 7919 * sum(SF_PREFIX[object_name].encode())
    for position in range(14, 8, -1):
        codes[:, position] = _BASE62[value % 62]
        value //= 62
    upper = (codes[:, :15] >= ord("A")) & (codes[:, :15] <= ord("Z"))
    weights = np.array([1, 2, 4, 8, 16])
    for chunk in range(3):
        bits = (upper[:, chunk * 5 : chunk * 5 + 5] * weights).sum(axis=1)
        codes[:, 15 + chunk] = _SF_SUFFIX[bits]
    return fixed_width_strings(codes)


def _hex_codes(h: np.ndarray, width: int = 16) -> np.ndarray:
    h = np.asarray(h, dtype=np.uint64)
    codes = np.empty((len(h), width), dtype=np.uint8)
    for position in range(width):
        shift = np.uint64(4 * (width - 1 - position))
        codes[:, position] = _HEX[((h >> shift) & np.uint64(15)).astype(np.int64)]
    return codes


def hex_strings(h: np.ndarray, width: int = 16) -> pa.Array:
    return fixed_width_strings(_hex_codes(h, width))


def uuids(h1: np.ndarray, h2: np.ndarray) -> pa.Array:
    """Version-4-looking UUID strings from two 64-bit hashes."""
    left, right = _hex_codes(h1), _hex_codes(h2)
    dash = np.full((len(left), 1), ord("-"), np.uint8)
    right[:, 0] = ord("4")
    codes = np.concatenate(
        [
            left[:, :8],
            dash,
            left[:, 8:12],
            dash,
            left[:, 12:16],
            dash,
            right[:, :4],
            dash,
            right[:, 4:16],
        ],
        axis=1,
    )
    return fixed_width_strings(codes)


def owner_numbers(n_users: int) -> np.ndarray:
    """HubSpot owner ids of the CRM users (HubSpot numbers its owners itself)."""
    return 41_230_000 + 1_037 * np.arange(n_users)


def _contact_numbers(world: World) -> tuple[np.ndarray, np.ndarray]:
    """hs_object_id of each person's contact and of their duplicate contact (or -1)."""
    people = world.people
    person = np.arange(people.n)
    has_duplicate = happened(people.duplicate_created_at)
    created = np.r_[people.created_at, people.duplicate_created_at[has_duplicate]]
    numbers = 100_001 + 50 * rank(created, np.r_[person * 2, person[has_duplicate] * 2 + 1])
    duplicate = np.full(people.n, -1)
    duplicate[has_duplicate] = numbers[people.n :]
    return numbers[: people.n], duplicate


@dataclass(frozen=True)
class Browsers:
    """GA4's client ids: per browser (sorted client keys), the user_pseudo_id and the
    first visit. The id is GA's: a random 31-bit number and the unix second of the first
    visit."""

    keys: np.ndarray
    pseudo_ids: pa.Array
    first_visit: np.ndarray

    def row(self, client: np.ndarray) -> np.ndarray:
        """The index of each client key in `keys`."""
        return np.searchsorted(self.keys, client)


def _browsers(world: World, formats: Formats) -> Browsers:
    sessions = world.sessions
    first = np.r_[True, sessions.client[1:] != sessions.client[:-1]]  # sorted by client
    keys = sessions.client[first]
    first_visit = sessions.start[first]
    random_part = 100_000_000 + (
        world.dice.hash("web/client_id", keys) % np.uint64(2_047_483_647)
    ).astype(np.int64)
    pseudo_ids = join(
        int_strings(random_part), int_strings(formats.unix_seconds(first_visit)), separator="."
    )
    return Browsers(keys, pseudo_ids, first_visit)


class VendorIds:
    """Every id a writer needs, computed once from the world."""

    def __init__(self, world: World, formats: Formats):
        leads, deals, campaigns = world.leads, world.deals, world.campaigns
        opportunity = deals.opportunity
        # Salesforce: numbered in creation order per object.
        self.lead = salesforce_ids(
            "Lead", rank(leads.created_at, leads.person * 2 + leads.is_duplicate)
        )
        contact_person = leads.person[deals.contact_lead]
        self.contact = salesforce_ids("Contact", rank(deals.contact_created_at, contact_person))
        self.account = salesforce_ids(
            "Account", rank(deals.account_created_at, deals.account_company)
        )
        self.opportunity = salesforce_ids(
            "Opportunity", rank(opportunity.created_at, opportunity.key)
        )
        self.user = salesforce_ids("User", np.arange(world.users.n))
        self.campaign = salesforce_ids("Campaign", rank(campaigns.created_at, campaigns.key))
        # HubSpot.
        self.hubspot_contact, self.hubspot_duplicate_contact = _contact_numbers(world)
        self.hubspot_owner = owner_numbers(world.users.n)
        self.hubspot_campaign = uuids(
            world.dice.hash("campaign/hs_id", campaigns.key),
            world.dice.hash("campaign/hs_id2", campaigns.key),
        )
        form = np.arange(len(FORM_NAMES))
        self.hubspot_form = uuids(
            world.dice.hash("form/guid", form), world.dice.hash("form/guid2", form)
        )
        # GA4.
        self.browsers = _browsers(world, formats)
