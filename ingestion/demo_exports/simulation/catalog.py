"""The simulated company's world: channels and their conversion rates, firmographics,
names, pages, content and the campaign calendar. Plain data, no logic beyond lookups."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SITE = "https://www.lumenmetrics.example"  # the fictional vendor: Lumen Metrics
STREAM_ID = "4213377201"
TAIL_DAYS = 120  # simulated beyond the requested days, so --next-day has days to export


@dataclass(frozen=True)
class Channel:
    """How people arrive, and how likely they move through each funnel step."""

    name: str  # HubSpot hs_analytics_source ("OUTBOUND" is CRM-sourced, see below)
    share: float  # of all people
    lead_source: str  # Salesforce LeadSource
    first_form: tuple[float, float, float, float, float]  # see FORM_TYPES
    p_mql: float  # fit person without a high-intent first form becomes an MQL
    p_sal: float  # MQL reached by sales is accepted
    p_sql: float  # SAL qualified (outbound: a connected prospect qualified)
    p_opp: float  # SQL converted to an opportunity
    p_win: float  # new-business opportunity won


CHANNELS: tuple[Channel, ...] = (
    Channel(
        "ORGANIC_SEARCH",
        0.25,
        "Organic Search",
        (0.38, 0.34, 0.14, 0.09, 0.05),
        0.30,
        0.74,
        0.60,
        0.82,
        0.27,
    ),
    Channel(
        "PAID_SEARCH",
        0.17,
        "Paid Search",
        (0.15, 0.35, 0.12, 0.26, 0.12),
        0.40,
        0.80,
        0.66,
        0.86,
        0.32,
    ),
    Channel(
        "PAID_SOCIAL",
        0.14,
        "Paid Social",
        (0.20, 0.55, 0.20, 0.04, 0.01),
        0.18,
        0.52,
        0.42,
        0.72,
        0.15,
    ),
    Channel(
        "SOCIAL_MEDIA",
        0.07,
        "Social Media",
        (0.40, 0.30, 0.22, 0.06, 0.02),
        0.22,
        0.60,
        0.48,
        0.76,
        0.18,
    ),
    Channel(
        "EMAIL_MARKETING",
        0.05,
        "Email",
        (0.20, 0.40, 0.32, 0.06, 0.02),
        0.28,
        0.68,
        0.55,
        0.78,
        0.22,
    ),
    Channel(
        "REFERRALS", 0.08, "Referral", (0.20, 0.25, 0.15, 0.28, 0.12), 0.45, 0.85, 0.72, 0.90, 0.40
    ),
    Channel(
        "DIRECT_TRAFFIC", 0.10, "Web", (0.30, 0.25, 0.15, 0.20, 0.10), 0.35, 0.76, 0.62, 0.84, 0.30
    ),
    # Trade-show attendee lists, imported in a batch a few days after each show.
    Channel("OFFLINE", 0.06, "Trade Show", (1, 0, 0, 0, 0), 0.25, 0.64, 0.52, 0.78, 0.22),
    # Sales-sourced: SDRs create the lead in the CRM; it syncs to marketing automation
    # as an OFFLINE / INTEGRATION contact and never has an MQL date.
    Channel("OUTBOUND", 0.08, "Outbound", (1, 0, 0, 0, 0), 0, 0, 0.40, 0.80, 0.20),
)
CHANNEL_INDEX = {c.name: i for i, c in enumerate(CHANNELS)}
ORGANIC, PAID_SEARCH, PAID_SOCIAL, SOCIAL, EMAIL, REFERRAL, DIRECT, OFFLINE, OUTBOUND = range(9)
WEB_CHANNELS = np.array([True] * 7 + [False, False])


def channel_column(field: str) -> np.ndarray:
    return np.array([getattr(c, field) for c in CHANNELS])


FORM_TYPES = ("newsletter", "content_download", "webinar", "demo_request", "contact_sales")
NEWSLETTER, CONTENT, WEBINAR, DEMO, CONTACT_SALES = range(5)
HIGH_INTENT_FORMS = (DEMO, CONTACT_SALES)

# The ideal customer profile (half of the MQL rule; see README).
INDUSTRIES = (
    "Software",
    "Financial Services",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Education",
    "Government",
    "Hospitality",
    "Non-Profit",
    "Media & Entertainment",
)
INDUSTRY_WEIGHTS = (0.22, 0.15, 0.13, 0.12, 0.10, 0.08, 0.05, 0.05, 0.05, 0.05)
TARGET_INDUSTRIES = INDUSTRIES[:5]
COUNTRIES = (
    "United States",
    "Canada",
    "United Kingdom",
    "Germany",
    "Netherlands",
    "Australia",
    "India",
    "Brazil",
    "France",
    "Spain",
    "Mexico",
    "Singapore",
    "South Africa",
    "Poland",
)
COUNTRY_WEIGHTS = (
    0.34,
    0.07,
    0.12,
    0.09,
    0.05,
    0.06,
    0.06,
    0.04,
    0.05,
    0.03,
    0.02,
    0.03,
    0.02,
    0.02,
)
TARGET_COUNTRIES = COUNTRIES[:6]
COUNTRY_TLD = (
    ".com",
    ".ca",
    ".co.uk",
    ".de",
    ".nl",
    ".com.au",
    ".in",
    ".com.br",
    ".fr",
    ".es",
    ".mx",
    ".sg",
    ".co.za",
    ".pl",
)
REGIONS = (  # (region, city) pairs per country, for GA4 geo
    (("California", "San Francisco"), ("New York", "New York"), ("Texas", "Austin")),
    (("Ontario", "Toronto"), ("British Columbia", "Vancouver"), ("Quebec", "Montreal")),
    (("England", "London"), ("England", "Manchester"), ("Scotland", "Edinburgh")),
    (("Berlin", "Berlin"), ("Bavaria", "Munich"), ("Hamburg", "Hamburg")),
    (("North Holland", "Amsterdam"), ("South Holland", "Rotterdam"), ("Utrecht", "Utrecht")),
    (("New South Wales", "Sydney"), ("Victoria", "Melbourne"), ("Queensland", "Brisbane")),
    (("Karnataka", "Bengaluru"), ("Maharashtra", "Mumbai"), ("Delhi", "New Delhi")),
    (("Sao Paulo", "Sao Paulo"), ("Rio de Janeiro", "Rio de Janeiro"), ("Parana", "Curitiba")),
    (("Ile-de-France", "Paris"), ("Auvergne-Rhone-Alpes", "Lyon"), ("Occitanie", "Toulouse")),
    (("Community of Madrid", "Madrid"), ("Catalonia", "Barcelona"), ("Valencia", "Valencia")),
    (("Mexico City", "Mexico City"), ("Jalisco", "Guadalajara"), ("Nuevo Leon", "Monterrey")),
    (("Singapore", "Singapore"),) * 3,
    (("Gauteng", "Johannesburg"), ("Western Cape", "Cape Town"), ("Gauteng", "Pretoria")),
    (("Masovia", "Warsaw"), ("Lesser Poland", "Krakow"), ("Lower Silesia", "Wroclaw")),
)
PERSONAL_DOMAINS = (
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "hotmail.com",
    "icloud.com",
    "aol.com",
    "gmx.de",
    "proton.me",
)
MIN_EMPLOYEES = 50

COMPANY_PREFIX = (
    "North",
    "Blue",
    "Bright",
    "Silver",
    "Red",
    "Green",
    "Iron",
    "Clear",
    "Swift",
    "Stone",
    "Nova",
    "Summit",
    "Pine",
    "Harbor",
    "Quantum",
    "Vertex",
    "Atlas",
    "Cobalt",
    "Maple",
    "Orbit",
    "Polar",
    "Cedar",
    "Lumen",
    "Prime",
    "Solid",
    "True",
    "Open",
    "Golden",
    "Rapid",
    "Peak",
    "River",
    "Crystal",
    "Eagle",
    "Falcon",
    "Granite",
    "Horizon",
    "Keystone",
    "Liberty",
    "Meridian",
    "Oak",
)
COMPANY_CORE = (
    "wind",
    "field",
    "bridge",
    "path",
    "light",
    "wave",
    "point",
    "gate",
    "line",
    "works",
    "stack",
    "forge",
    "leaf",
    "rock",
    "view",
    "mark",
    "crest",
    "ridge",
    "shore",
    "spark",
    "grid",
    "loop",
    "core",
    "base",
    "flow",
    "sight",
    "scale",
    "bay",
    "hill",
    "port",
    "vale",
    "well",
    "star",
    "beam",
    "tide",
    "dale",
    "wood",
    "land",
    "side",
    "way",
)
COMPANY_SUFFIX = (
    "Systems",
    "Labs",
    "Health",
    "Capital",
    "Logistics",
    "Retail",
    "Software",
    "Partners",
    "Group",
    "Manufacturing",
    "Analytics",
    "Bank",
    "Insurance",
    "Foods",
    "Energy",
    "Media",
    "Technologies",
    "Solutions",
    "Holdings",
    "Industries",
    "Networks",
    "Clinics",
    "Foundry",
    "Markets",
    "Services",
)
FIRST_NAMES = (
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Daniel",
    "Karen",
    "Matthew",
    "Lisa",
    "Anthony",
    "Nancy",
    "Mark",
    "Sandra",
    "Steven",
    "Ashley",
    "Paul",
    "Emily",
    "Andrew",
    "Michelle",
    "Joshua",
    "Amanda",
    "Kevin",
    "Melissa",
    "Brian",
    "Stephanie",
    "George",
    "Laura",
    "Priya",
    "Arjun",
    "Sofia",
    "Lukas",
    "Emma",
    "Noah",
    "Mia",
    "Liam",
    "Chloe",
    "Ethan",
    "Hannah",
    "Lucas",
    "Olivia",
    "Mateo",
    "Anna",
    "Felix",
    "Julia",
    "Omar",
    "Fatima",
    "Chen",
)
LAST_NAMES = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Mueller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Jansen",
    "DeVries",
    "Bakker",
    "Visser",
    "Patel",
    "Sharma",
    "Singh",
    "Kumar",
    "Silva",
    "Santos",
    "Oliveira",
    "Dubois",
    "Moreau",
    "Laurent",
    "Kowalski",
    "Nowak",
    "Tan",
    "Lim",
    "Wong",
    "OBrien",
    "Murphy",
    "Kelly",
)
JOB_TITLES = (
    "Marketing Manager",
    "VP Marketing",
    "Head of Demand Generation",
    "Marketing Operations Manager",
    "Sales Director",
    "VP Sales",
    "Head of Revenue Operations",
    "RevOps Analyst",
    "CFO",
    "Chief Revenue Officer",
    "Data Analyst",
    "Business Intelligence Lead",
    "Product Manager",
    "Software Engineer",
    "Consultant",
    "Student",
    "Founder",
    "CEO",
)
JOB_TITLE_WEIGHTS = (
    0.10,
    0.05,
    0.06,
    0.08,
    0.06,
    0.04,
    0.06,
    0.07,
    0.03,
    0.02,
    0.09,
    0.05,
    0.06,
    0.07,
    0.06,
    0.04,
    0.03,
    0.03,
)

SDR_TITLE, AE_TITLE = "Sales Development Representative", "Account Executive"

# Content offered for closed-loop reporting by content.
WHITE_PAPERS = (
    "The State of Revenue Operations 2026",
    "Pipeline Forecasting Playbook",
    "Marketing Attribution Explained",
    "The SLA Template Sales and Marketing Both Sign",
    "Benchmark Report: B2B Funnel Conversion",
    "Lead Scoring That Sales Trusts",
    "ABM Buying Group Guide",
    "From MQL to Revenue: A Field Guide",
    "Customer Lifetime Value by Channel",
    "The CFO's Guide to Marketing ROI",
    "Data Quality Checklist for CRM Admins",
    "Closed-Loop Reporting in 30 Days",
)
WEBINAR_TITLES = (
    "Live: Building a Shared Funnel Dashboard",
    "Ask an Analyst: Attribution Models",
    "Fixing the Lead Handoff",
    "Forecasting with Confidence",
    "RevOps Office Hours",
    "From Spreadsheets to a Single Source of Truth",
    "Winning Buying Groups",
    "Pipeline Reviews That Work",
    "Product Tour: Lumen Metrics",
    "Benchmarks Live Q&A",
)
TRADE_SHOWS = ("SaaStr Annual", "Dreamforce", "INBOUND", "B2B Marketing Expo", "RevOps Summit")

# Campaign calendar: kind -> (period days, first start day, HubSpot type, channel,
# Salesforce type, budget per period per arriving person per day).
CAMPAIGN_KINDS = {
    "paid_search": (91, 0, "Paid search", "PAID_SEARCH", "Advertisement", 30.0),
    "paid_social": (61, 0, "Paid social", "PAID_SOCIAL", "Banner Ads", 22.0),
    "content": (28, 0, "Content", "ORGANIC_SEARCH", "Other", 4.0),
    "webinar": (21, 7, "Webinar", "EMAIL_MARKETING", "Webinar", 3.0),
    "newsletter": (30, 3, "Newsletter", "EMAIL_MARKETING", "Email", 1.0),
    "trade_show": (91, 5, "Event", "OFFLINE", "Trade Show", 40.0),
    "outbound": (91, 0, "Outbound", "OFFLINE", "Telemarketing", 6.0),
}
CAMPAIGN_KIND_NAMES = tuple(CAMPAIGN_KINDS)

# Web pages: (path, title). Content and webinar pages are appended per asset.
STATIC_PAGES = (
    ("/", "Lumen Metrics | Revenue analytics for B2B"),
    ("/product", "Product | Lumen Metrics"),
    ("/product/integrations", "Integrations | Lumen Metrics"),
    ("/pricing", "Pricing | Lumen Metrics"),
    ("/customers", "Customer stories | Lumen Metrics"),
    ("/blog/what-is-an-mql", "What is an MQL? | Lumen Metrics blog"),
    ("/blog/sales-marketing-sla", "Writing a sales and marketing SLA | Lumen Metrics blog"),
    ("/blog/attribution-models", "Attribution models compared | Lumen Metrics blog"),
    ("/blog/lead-scoring", "Lead scoring basics | Lumen Metrics blog"),
    ("/blog/revops-metrics", "10 RevOps metrics | Lumen Metrics blog"),
    ("/about", "About us | Lumen Metrics"),
    ("/careers", "Careers | Lumen Metrics"),
    ("/demo", "Request a demo | Lumen Metrics"),
    ("/contact-sales", "Contact sales | Lumen Metrics"),
    ("/newsletter", "Subscribe to the newsletter | Lumen Metrics"),
)
HOME, PRODUCT, INTEGRATIONS, PRICING, CUSTOMERS = range(5)
BLOG_PAGES = (5, 6, 7, 8, 9)
DEMO_PAGE, CONTACT_PAGE, NEWSLETTER_PAGE = 12, 13, 14
BROWSE_WEIGHTS = (
    0.10,
    0.22,
    0.08,
    0.16,
    0.10,
    0.05,
    0.05,
    0.05,
    0.05,
    0.05,
    0.04,
    0.03,
    0.01,
    0.01,
    0,
)

REJECTION_REASONS = ("No budget", "Bad timing", "Not decision maker", "Duplicate", "Wrong ICP")
REJECTION_WEIGHTS = (0.24, 0.28, 0.22, 0.08, 0.18)
UNRESPONSIVE = "Unresponsive"
DISQUALIFIED_REASONS = (
    "No budget",
    "No need",
    "Chose competitor",
    "No authority",
    "Timing - revisit later",
)
DISQUALIFIED_WEIGHTS = (0.25, 0.25, 0.2, 0.15, 0.15)
LOSS_REASONS = (
    "Price",
    "Chose competitor",
    "No decision / status quo",
    "Timing",
    "Missing feature",
    "Budget cut",
)
LOSS_WEIGHTS = (0.22, 0.26, 0.22, 0.12, 0.10, 0.08)

OPPORTUNITY_STAGES = (
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
)
STAGE_PROBABILITY = (10, 20, 40, 60, 80, 100, 0)
STAGE_MEDIAN_DAYS = (4.0, 6.0, 9.0, 8.0, 6.0)
OPPORTUNITY_TYPES = ("New Business", "Existing Business", "Renewal")
NEW_BUSINESS, UPSELL, RENEWAL = range(3)

LEAD_STATUSES = (
    "Open - Not Contacted",
    "Working - Contacted",
    "Accepted",
    "Rejected - Nurture",
    "Qualified",
    "Disqualified",
    "Closed - Converted",
)
HS_LEAD_STATUSES = (
    "NEW",
    "OPEN",
    "ATTEMPTED_TO_CONTACT",
    "CONNECTED",
    "IN_PROGRESS",
    "OPEN_DEAL",
    "UNQUALIFIED",
    "BAD_TIMING",
)
LIFECYCLE_STAGES = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "other",
)
