"""The scored indicators of a barometer definition (TOML), as the peers need them.

Only what scoring uses: id, direction sign (+1 higher is worse), kind, and the rule
(reference must be "flanders"; strict or margin comparison). See src/definition.rs.
"""

import tomllib

# Statuses whose counts are used (src/store.rs, Status::parse); empty means observed when both
# counts are given, and the numerator and denominator tests below cover the other cases.
STATUSES_WITH_COUNTS = ("observed", "waargenomen", "imputed", "geïmputeerd", "geimputeerd", "")


def load(path):
    with open(path, "rb") as f:
        raw = tomllib.load(f)
    scoring = raw["scoring"]
    if scoring["reference"] != "flanders" or any("reference" in i for i in raw["indicator"]):
        raise SystemExit(f"{path}: the peers implement reference = \"flanders\" only")
    margin = scoring.get("margin", 0.0) if scoring["comparison"] == "margin" else 0.0
    ids = [i["id"] for i in raw["indicator"]]
    signs = [1.0 if i["direction"] == "higher_is_worse" else -1.0 for i in raw["indicator"]]
    shares = [i["kind"] == "share" for i in raw["indicator"]]
    return ids, signs, shares, margin
