#!/usr/bin/env python3
"""Airlift instances in the shape of Kabul 2021, as the CSV files `airbridge plan` reads.

    generate.py --cases 30000 --flights 780 --days 17 --seed 2021 --out DIR

writes DIR/cases.csv and DIR/flights.csv. Deterministic for a seed (Python's own PRNG).

The shape, from the public record of the airlift (15-31 August 2021, ~123,000 people on ~780
flights of a dozen nations):
- 8-12 nations (default 10); the United States flies about half the flights, the others a few
  dozen each. Each nation carries its own people and, by carriage agreements drawn once per pair
  of nations, some allies' people: a flight's `carries` lists them.
- Aircraft: C-17 (seated 102 or floor-loaded up to 450), A400M (116/250), C-130 (92/150),
  KC-135 / A330 MRTT (~180) and charter wide-bodies (~300). About a third fly floor-loaded.
- Slots come in bursts: a few busy hours a day at the airport's slot schedule, more flights in
  the middle of the airlift than at its start and end.
- Destinations per nation (Doha, Ramstein, Kuwait, Tashkent, Islamabad, Dubai, Madrid, ...);
  about 15 % of cases accept only some of them (visa or host-nation rules).
- Cases are families of 1-12 (mean ~4.1 people), ~8 % with a lap infant; priority by category
  and vulnerability from {1, 1.5, 2, 3, 5}; cases become ready (processed at the gate) over the
  whole airlift, in waves, and demand exceeds the seats by ~10-20 %.
"""

import argparse
import csv
import datetime as dt
import os
import random

NATIONS = ["US", "GB", "DE", "FR", "IT", "ES", "NL", "CA", "AU", "TR", "QA", "BE"]
DESTINATIONS = {
    "US": ["DOH", "RMS", "KWI", "BAH"],
    "GB": ["DXB", "LHR"],
    "DE": ["TAS", "FRA"],
    "FR": ["AUH", "CDG"],
    "IT": ["KWI", "FCO"],
    "ES": ["DXB", "MAD"],
    "NL": ["ISB", "AMS"],
    "CA": ["DOH", "YYZ"],
    "AU": ["DXB"],
    "TR": ["IST"],
    "QA": ["DOH"],
    "BE": ["ISB", "BRU"],
}
AIRCRAFT = [  # (name, seated, floor-loaded, weight)
    ("C-17", 102, 450, 40),
    ("A400M", 116, 250, 20),
    ("C-130", 92, 150, 20),
    ("A330 MRTT", 180, 180, 10),
    ("charter B777", 300, 300, 10),
]
START = dt.datetime(2021, 8, 15, 0, 0, tzinfo=dt.timezone.utc)


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--flights", type=int, default=120)
    parser.add_argument("--days", type=float, default=17)
    parser.add_argument("--nations", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--demand", type=float, default=1.15,
                        help="seats demanded / seats flown (about; the generator scales families)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    nations = NATIONS[: max(2, min(args.nations, len(NATIONS)))]
    horizon = args.days * 24 * 3600

    # Carriage agreements: each carrier takes some allies' people.
    carries = {n: [m for m in nations if m != n and rng.random() < 0.35] for n in nations}
    weights = [0.5 if n == "US" else 0.5 / (len(nations) - 1) for n in nations]

    # Slot schedule: bursts of a few hours, busier mid-airlift (a triangle over the horizon).
    bursts_per_day = [2, 6, 10, 14, 19, 22]
    flights = []
    for i in range(args.flights):
        nation = rng.choices(nations, weights)[0]
        name, seated, floor, _ = rng.choices(AIRCRAFT, [a[3] for a in AIRCRAFT])[0]
        capacity = floor if rng.random() < 0.35 else seated
        day = int(rng.triangular(0, args.days, args.days / 2))
        hour = rng.choice(bursts_per_day) + rng.random() * 2.5
        seconds = min(horizon - 60, day * 86400 + hour * 3600)
        departs = START + dt.timedelta(seconds=int(seconds) + 3600)
        flights.append({
            "flight_id": f"{nation}{i:04d}",
            "nation": nation,
            "capacity": capacity,
            "departs_at": iso(departs),
            "destination": rng.choice(DESTINATIONS[nation]),
            "carries": ";".join(carries[nation]),
            "_name": name,
        })
    flights.sort(key=lambda f: (f["departs_at"], f["flight_id"]))
    seats = sum(f["capacity"] for f in flights)

    # Families: sizes 1-12, mean about 4.1 people.
    def family():
        roll = rng.random()
        if roll < 0.22:
            size = 1
        elif roll < 0.62:
            size = rng.randint(2, 4)
        elif roll < 0.92:
            size = rng.randint(5, 7)
        else:
            size = rng.randint(8, 12)
        infants = 1 if size > 1 and rng.random() < 0.08 else 0
        return size - infants, infants

    families = [family() for _ in range(args.cases)]
    wanted_seats = sum(s for s, _ in families)
    # Seats flown follow the demand target: scale the flights' capacities only when asked by a
    # large mismatch (keeps the aircraft types honest for small instances).
    scale = wanted_seats / (args.demand * seats) if seats else 1.0
    if abs(scale - 1) > 0.05:
        for f in flights:
            f["capacity"] = max(12, int(round(f["capacity"] * scale)))

    all_destinations = sorted({d for n in nations for d in DESTINATIONS[n]})
    cases = []
    for i, (seats_needed, infants) in enumerate(families):
        nation = rng.choices(nations, [0.3 if n == "US" else 0.7 / (len(nations) - 1) for n in nations])[0]
        category = rng.choices(["national", "local_staff", "at_risk"], [0.2, 0.5, 0.3])[0]
        base = {"national": 2.0, "local_staff": 1.5, "at_risk": 1.0}[category]
        priority = base * rng.choices([1, 1.5, 2, 3], [0.7, 0.15, 0.1, 0.05])[0]
        # Processing at the gate in waves; nobody before the airport opens.
        wave = rng.triangular(0, horizon, horizon * 0.3)
        ready = START + dt.timedelta(seconds=int(wave))
        if i == 0:
            ready = START  # the gate opens before the first flight
        restricted = rng.random() < 0.15
        destinations = ""
        if restricted:
            pool = DESTINATIONS[nation] + rng.sample(all_destinations, 2)
            destinations = ";".join(sorted(set(rng.sample(pool, min(2, len(pool))))))
        cases.append({
            "case_id": f"C{i + 1:06d}",
            "nation": nation,
            "category": category,
            "priority": f"{priority:g}",
            "seats": seats_needed,
            "lap_infants": infants,
            "ready_at": iso(ready),
            "destinations": destinations,
        })

    # Every destination a case names must be served by some flight, and no case may be larger
    # than the largest aircraft: otherwise the instance is bad input, not a benchmark.
    served = {f["destination"] for f in flights}
    carried = {f["nation"] for f in flights} | {n for f in flights for n in f["carries"].split(";") if n}
    for nation in nations:
        if nation not in carried:
            for f in flights:
                if f["nation"] == "US":
                    f["carries"] = ";".join(filter(None, [f["carries"], nation]))
    for case in cases:
        if case["destinations"]:
            kept = [d for d in case["destinations"].split(";") if d in served]
            case["destinations"] = ";".join(kept)

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "flights.csv"), "w", newline="") as out:
        writer = csv.DictWriter(out, ["flight_id", "nation", "capacity", "departs_at", "destination", "carries"],
                                extrasaction="ignore")
        writer.writeheader()
        writer.writerows(flights)
    with open(os.path.join(args.out, "cases.csv"), "w", newline="") as out:
        writer = csv.DictWriter(out, ["case_id", "nation", "category", "priority", "seats", "lap_infants",
                                      "ready_at", "destinations"])
        writer.writeheader()
        writer.writerows(cases)
    people = sum(c["seats"] + c["lap_infants"] for c in cases)
    print(f"{args.out}: {len(cases)} cases ({people} people, {wanted_seats} seats wanted), "
          f"{len(flights)} flights ({sum(f['capacity'] for f in flights)} seats) over {args.days:g} days")


if __name__ == "__main__":
    main()
