"""What synthetic data is made of: queue and agent names, people's names and places, channel weights,
the phrases of messages and notes, and the forms of contact values. Changing any of it changes what
`db seed` writes."""

from __future__ import annotations

import unicodedata

QUEUES = ("billing", "sales", "support", "technical", "returns", "loyalty", "onboarding", "complaints")
AGENTS = (
    "ana", "marko", "ivana", "luka", "petra", "josip", "maja", "tomislav", "lucija", "filip",
    "sara", "ivan", "nina", "karlo", "lea", "matej", "tena", "dario", "mia", "bruno",
    "ema", "hrvoje", "lana", "nikola", "dora", "stjepan", "klara", "zoran", "iva", "mario",
    "rita", "goran", "vesna", "boris", "jana", "tin", "sanja", "davor", "olga", "pavle",
)
FEMALE = ("Maja", "Ana", "Ivana", "Petra", "Lucija", "Sara", "Nina", "Lea", "Marta", "Elena",
          "Sofia", "Hana", "Zoe", "Laura", "Emma", "Julia", "Katarina", "Mila", "Nora", "Iris")
MALE = ("Ivan", "Luka", "Marko", "Josip", "Filip", "Tomislav", "David", "Karlo", "Matej", "Petar",
        "Jakov", "Noah", "Leon", "Adam", "Tin", "Ante", "Lovro", "Oliver", "Daniel", "Erik")
LAST = ("Horvat", "Kovačević", "Babić", "Marić", "Jurić", "Novak", "Knežević", "Vuković", "Petrović",
        "Smith", "Müller", "Rossi", "García", "Dubois", "Nowak", "Jensen", "Silva", "Popescu", "Novák", "Berg")
PLACES = (("Zagreb", "Croatia"), ("Split", "Croatia"), ("Rijeka", "Croatia"), ("Osijek", "Croatia"),
          ("Ljubljana", "Slovenia"), ("Vienna", "Austria"), ("Munich", "Germany"), ("Berlin", "Germany"),
          ("Milan", "Italy"), ("Madrid", "Spain"), ("Paris", "France"), ("Warsaw", "Poland"),
          ("Prague", "Czechia"), ("Copenhagen", "Denmark"), ("Lisbon", "Portugal"), ("London", "United Kingdom"))
PLANS = ("free", "bronze", "silver", "gold")
LANGUAGES = ("hr", "en", "de", "it", "sl")
TAGS = ("vip", "b2b", "newsletter", "churn-risk", "beta")
EXTRA_TYPES = ("livechat", "inapp", "messenger", "instagram", "telegram", "line", "apple_business", "google_play")
HEAVY_TYPES = ("phone", "email", "messenger", "instagram", "telegram")
CHANNEL_WEIGHTS = {
    "whatsapp": 20, "voice": 12, "email": 10, "livechat": 8, "sms": 6, "messenger": 6, "instagram": 5,
    "viber": 4, "telegram": 4, "inapp": 4, "video": 2, "mms": 1, "kakaotalk": 1, "line": 1,
    "apple_business": 1, "facebook_posts": 2, "instagram_posts": 2, "google_play_reviews": 1,
}
CUSTOMER_PHRASES = (
    "Hi, I have a question about my order", "My invoice looks wrong", "The app keeps logging me out",
    "Can I change my delivery address?", "I was charged twice this month", "When will my parcel arrive?",
    "How do I cancel my subscription?", "The product arrived damaged", "Thanks, that solved it",
    "I still cannot log in", "Can you call me back?", "Is there a discount for annual plans?",
    "I want to return this item", "My card was declined", "Where can I find my receipt?", "Any update?",
)
AGENT_PHRASES = (
    "Hello, happy to help", "Could you send me your order number?", "I have refunded the duplicate charge",
    "Your parcel is on its way", "I have updated your address", "Please try resetting your password",
    "I am escalating this to our technical team", "The return label is in your inbox",
    "Is there anything else I can help with?", "Thank you for your patience", "I will call you back today",
    "Your subscription is cancelled", "The annual plan is 20% cheaper", "I can see the payment now",
    "Your receipt is in the account settings", "Sorry for the trouble",
)
NOTES = (
    "Customer is VIP, be quick", "Duplicate charge confirmed in billing", "Escalated to second line",
    "Called back, no answer", "Asked for a callback tomorrow", "Refund approved", "Possible fraud, checked",
    "Shipping partner delay", "Known issue, ticket open", "Offered a discount", "Language: prefers English",
    "Angry customer, handle with care", "Waiting for warehouse", "Address verified", "Closed after no reply",
    "Follow up next week",
)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def owned_contact(dest_type: str, person_id: int, first: str | None, last: str | None) -> str:
    """A destination value owned by ``person_id``; unique by construction."""
    if dest_type == "phone":
        return f"+3859{person_id:08d}"
    if dest_type == "email":
        local = f"{_ascii(first)}.{_ascii(last or 'x')}" if first else "customer"
        return f"{local}.{person_id}@example.com"
    return {
        "livechat": f"lc-{person_id:07d}", "inapp": f"app-{person_id:07d}", "messenger": f"{10**15 + person_id}",
        "instagram": f"{_ascii(first or 'user')}_{person_id}", "telegram": f"{40_000_000 + person_id}",
        "line": f"U{person_id:010x}", "apple_business": f"urn:mbid:{person_id:012d}",
        "google_play": f"gp-{person_id:08d}",
    }[dest_type]


def unknown_contact(dest_type: str, j: int) -> str:
    """The j-th contact value of ``dest_type`` that no seeded person owns."""
    if dest_type == "phone":
        return f"+1555{j:07d}"
    if dest_type == "email":
        return f"guest{j}@mail.example"
    return {
        "livechat": f"lc-v{j:07d}", "inapp": f"app-v{j:07d}", "messenger": f"{2 * 10**15 + j}",
        "instagram": f"visitor_{j}", "telegram": f"{90_000_000 + j}", "line": f"Uv{j:09x}",
        "apple_business": f"urn:mbid:v{j:011d}", "google_play": f"gp-v{j:07d}",
    }[dest_type]
