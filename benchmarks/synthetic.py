"""A synthetic register in format v1, with the mix of a busy central authority's register."""

import csv
import os
import random
from datetime import date, timedelta
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rogatory.settings")
django.setup()

from rogatory.intake.rows import COLUMNS  # noqa: E402  (needs Django set up)

COUNTRIES = {
    "CH": 8,
    "DE": 8,
    "KZ": 7,
    "BY": 7,
    "UZ": 6,
    "AM": 6,
    "TR": 6,
    "CN": 6,
    "ES": 5,
    "RS": 5,
    "KG": 5,
    "VN": 4,
    "LV": 4,
    "LT": 4,
    "IT": 4,
    "FR": 4,
    "US": 4,
    "IL": 3,
    "TH": 3,
    "GE": 3,
    "AZ": 3,
    "MD": 3,
    "CY": 3,
    "NL": 3,
    "PL": 3,
    "CZ": 2,
    "AT": 2,
    "TJ": 2,
    "IN": 2,
    "GB": 2,
    "BG": 1,
    "LI": 1,
    "EE": 1,
    "AE": 1,
    "FI": 1,
    "GR": 1,
    "SE": 1,
}
MLA_GROUNDS = [
    "political_offence",
    "sovereignty_security_ordre_public",
    "dual_criminality",
    "insufficient_information",
    "ne_bis_in_idem",
    "fiscal_offence",
    "no_reason_given",
    "statute_of_limitations",
    "immunity",
    "contrary_to_domestic_law",
]
EXTRADITION_GROUNDS = [
    "political_offence",
    "political_persecution",
    "asylum_or_refugee_status",
    "own_national",
    "dual_criminality",
    "ne_bis_in_idem",
    "person_not_found",
    "human_rights_risk",
    "statute_of_limitations",
    "no_reason_given",
    "insufficient_information",
]


def write_register(path: Path, rows: int, *, seed: int = 1, last_day: date | None = None) -> Path:
    """Write a register of `rows` requests opened over the ten years before `last_day`."""
    rng = random.Random(seed)
    last_day = last_day or date.today() - timedelta(days=1)
    first_day = last_day - timedelta(days=3650)
    codes, weights = zip(*COUNTRIES.items(), strict=True)
    with path.open("w", encoding="utf-8", newline="") as stream:
        # By column name, so that the file follows the register format as it grows.
        writer = csv.DictWriter(stream, fieldnames=COLUMNS, restval="")
        writer.writeheader()
        for number in range(1, rows + 1):
            direction = "outgoing" if rng.random() < 0.85 else "incoming"
            kind = "mla" if rng.random() < 0.7 else "extradition"
            opened = first_day + timedelta(days=rng.randrange(3650))
            age = (last_day - opened).days
            decided = None
            if age > 30 and rng.random() < 0.85:
                decided = opened + timedelta(days=min(age, int(rng.expovariate(1 / 200)) + 1))
            status, grounds, political = "pending", "", ""
            if decided:
                roll = rng.random()
                if kind == "mla":
                    status = (
                        "executed"
                        if roll < 0.7
                        else "partially_executed"
                        if roll < 0.78
                        else "refused"
                        if roll < 0.97
                        else "withdrawn"
                    )
                else:
                    status = "granted" if roll < 0.55 else "refused" if roll < 0.97 else "withdrawn"
                if status == "refused":
                    pool = MLA_GROUNDS if kind == "mla" else EXTRADITION_GROUNDS
                    grounds = ";".join(rng.sample(pool, 2 if rng.random() < 0.1 else 1))
                    if rng.random() < 0.02:
                        political = rng.choice(["yes", "no"])
            sent_on = opened.isoformat() if direction == "outgoing" else ""
            received_on = "" if direction == "outgoing" else opened.isoformat()
            if direction == "outgoing" and rng.random() < 0.3 and age > 20:
                received_on = (opened + timedelta(days=rng.randrange(1, 20))).isoformat()
                if decided and received_on > decided.isoformat():
                    received_on = ""
            writer.writerow(
                {
                    "reference": f"{'O' if direction == 'outgoing' else 'I'}"
                    f"{'M' if kind == 'mla' else 'E'}-{number:08d}",
                    "direction": direction,
                    "kind": kind,
                    "country": rng.choices(codes, weights)[0],
                    "purpose": ("prosecution" if rng.random() < 0.8 else "sentence")
                    if kind == "extradition"
                    else "",
                    "persons": (1 if rng.random() < 0.95 else 2) if kind == "extradition" else "",
                    "offence_category": f"{rng.randint(1, 11):02d}",
                    "money_laundering": "yes" if rng.random() < 0.03 else "",
                    "terrorist_financing": "yes" if rng.random() < 0.003 else "",
                    "sent_on": sent_on,
                    "received_on": received_on,
                    "status": status,
                    "decided_on": decided.isoformat() if decided else "",
                    "refusal_grounds": grounds,
                    "political": political,
                }
            )
    return path
