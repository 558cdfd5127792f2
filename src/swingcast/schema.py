"""Column names and identifier conventions: the contract between the stages.

Every stage reads and writes these names; write them once here and import the constants.

Identifiers
-----------
``commune_code``
    5-character INSEE code (``"75056"``, ``"2A004"``, ``"97101"``). Overseas results coded
    ``ZA``..``ZZ`` by the Ministry are mapped to INSEE (``ZA``/``101`` -> ``97101``).
``bureau_code``
    The bureau number as published, stripped of leading zeros (``"0101"`` -> ``"101"``,
    ``"0001A"`` -> ``"1A"``, ``"JUS1"`` unchanged, ``"0000"`` -> ``"0"``).
``bureau_id``
    ``commune_code + "_" + bureau_code`` (``"75056_101"``). For Paris, Lyon and Marseille the
    commune is the city (75056, 69123, 13055), as in the results files; the arrondissement
    commune code (``"75101"``) is kept in ``arrondissement_code``.
``iris_code``
    9-character INSEE IRIS code (``"751010101"``); communes without IRIS: ``commune + "0000"``.
``election``
    ``"<year>-<kind>"`` with kind one of :data:`ELECTION_KINDS` (``"2017-presidentielle"``);
    ``round`` is an int (1 or 2; European elections have round 1).
"""

from __future__ import annotations

# --- elections ---------------------------------------------------------------------------
ELECTION_KINDS = (
    "presidentielle",
    "legislatives",
    "europeennes",
    "municipales",
    "departementales",
    "regionales",
    "referendum",
)

ELECTION = "election"
ROUND = "round"
BUREAU_ID = "bureau_id"
BUREAU_CODE = "bureau_code"
COMMUNE_CODE = "commune_code"
ARRONDISSEMENT_CODE = "arrondissement_code"
DEPARTEMENT = "departement"
CIRCONSCRIPTION = "circonscription"
COMMUNE_NAME = "commune_name"

INSCRITS = "inscrits"
ABSTENTIONS = "abstentions"
VOTANTS = "votants"
BLANCS = "blancs"
NULS = "nuls"
EXPRIMES = "exprimes"

#: Count columns of the ``stations`` table, in order.
STATION_COUNTS = (INSCRITS, ABSTENTIONS, VOTANTS, BLANCS, NULS, EXPRIMES)
#: Columns of the ``stations`` table (one row per bureau and round), in order.
STATION_COLUMNS = (
    ELECTION,
    ROUND,
    BUREAU_ID,
    COMMUNE_CODE,
    DEPARTEMENT,
    ARRONDISSEMENT_CODE,
    BUREAU_CODE,
    *STATION_COUNTS,
)

CANDIDATE = "candidate"
NUANCE = "nuance"
LIST = "list"
PANEL = "panel"
VOIX = "voix"
#: Columns of the ``votes`` table (one row per bureau, round and candidate/list), in order.
VOTE_COLUMNS = (ELECTION, ROUND, BUREAU_ID, CANDIDATE, NUANCE, LIST, PANEL, VOIX)

# --- census and geography ----------------------------------------------------------------
IRIS_CODE = "iris_code"
IRIS_TYPE = "iris_type"
IRIS_NAME = "iris_name"
GEOMETRY = "geometry"
N_ADDRESSES = "n_addresses"
#: Registered voters of a bureau as given by a contour source (Paris ``nbr_elect_f``).
REGISTERED = "registered"
#: Geocoding score of an address point (0..1, BAN).
GEO_SCORE = "geo_score"

#: The projected CRS every area is computed in (Lambert-93).
LAMBERT93 = "EPSG:2154"

# --- crosswalk (swingcast.join.crosswalk) ----------------------------------------------------------
#: Columns of a crosswalk table: share ``weight`` of source zone ``source_id`` in ``target_id``.
SOURCE_ID = "source_id"
TARGET_ID = "target_id"
WEIGHT = "weight"

# --- predictions and targeting -----------------------------------------------------------
TURNOUT_PRED = "turnout_pred"
TURNOUT_LO = "turnout_lo"
TURNOUT_HI = "turnout_hi"
SHARE_PRED = "share_pred"
SHARE_LO = "share_lo"
SHARE_HI = "share_hi"
#: P(the target candidate / list comes first in the bureau); in a two-candidate round, P(it wins
#: the bureau) (:mod:`swingcast.model.events`)
SWING_PROB = "swing_prob"
#: P(the bureau's first place changes bloc from the latest comparable round: the latest
#: round of the same kind, else the latest round)
FLIP_PROB = "flip_prob"
#: P(the target's share ends above the area-wide anchor): the event ``swing_prob`` meant
#: before issue 13
ABOVE_AREA_PROB = "above_area_prob"
MARGIN_PRED = "margin_pred"
MARGIN_LO = "margin_lo"
MARGIN_HI = "margin_hi"
VALUE_PER_HOUR = "value_per_hour"
RANK = "rank"
HOURS = "hours"
EXPECTED_VOTES = "expected_votes"
