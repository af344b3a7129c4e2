"""Reference data: providers (domain.md 5.2), prisons, offences, sentence and register types."""

from __future__ import annotations

from providers.records import Establishment, Organisation

NPS_DIVISIONS = {
    "N01": "NPS North West",
    "N02": "NPS North East",
    "N03": "NPS Wales",
    "N04": "NPS Midlands",
    "N05": "NPS South West and South Central",
    "N06": "NPS South East and Eastern",
    "N07": "NPS London",
}

CRCS = {
    "C01": "CPA Northumbria",
    "C02": "CPA Cumbria and Lancashire",
    "C03": "CPA Durham Tees Valley",
    "C04": "CPA Humber Lincs & N Yorks",
    "C05": "CPA West Yorkshire",
    "C06": "CPA Merseyside",
    "C07": "CPA Cheshire and Gtr Manchester",
    "C08": "CPA Derby Leics Notts Rutland",
    "C09": "CPA South Yorkshire",
    "C10": "CPA Wales",
    "C11": "CPA Staffs and West Mids",
    "C12": "CPA Warwickshire and West Mercia",
    "C13": "CPA BeNCH",
    "C14": "CPA Norfolk and Suffolk",
    "C15": "CPA Brist Gloucs Somerset Wilts",
    "C16": "CPA Thames Valley",
    "C17": "CPA London",
    "C18": "CPA Essex",
    "C19": "CPA Dorset Devon and Cornwall",
    "C20": "CPA Hampshire and Isle of Wight",
    "C21": "CPA Kent Surrey and Sussex",
}

PRISONS = {
    "MDI": "Moorland (HMP & YOI)",
    "LEI": "Leeds (HMP)",
    "BXI": "Brixton (HMP)",
    "WWI": "Wandsworth (HMP & YOI)",
    "BWI": "Berwyn (HMP)",
    "HEI": "Hewell (HMP)",
    "RNI": "Ranby (HMP)",
    "PVI": "Pentonville (HMP)",
    "BMI": "Birmingham (HMP)",
    "MRI": "Manchester (HMP)",
    "LPI": "Liverpool (HMP)",
    "DMI": "Durham (HMP)",
    "NMI": "Nottingham (HMP)",
    "EXI": "Exeter (HMP)",
    "WCI": "Winchester (HMP)",
    "BLI": "Bristol (HMP)",
    "CFI": "Cardiff (HMP)",
    "SWI": "Swansea (HMP)",
    "LCI": "Leicester (HMP)",
    "HLI": "Hull (HMP)",
    "DNI": "Doncaster (HMP)",
    "WDI": "Wakefield (HMP)",
    "FSI": "Featherstone (HMP)",
    "SFI": "Stafford (HMP)",
    "HMI": "Humber (HMP)",
    "ONI": "Onley (HMP)",
    "GNI": "Grendon (HMP)",
    "LWI": "Lewes (HMP)",
    "EYI": "Elmley (HMP)",
    "NSI": "North Sea Camp (HMP)",
}

# Prisons that hold young adults (18-20): their names say YOI.
YOUNG_ADULT_PRISONS = frozenset(code for code, name in PRISONS.items() if "YOI" in name)

OTHER_AGENCIES = {
    "BROADM": ("Broadmoor Hospital", "HOSPITAL"),
    "LEEDMC": ("Leeds Magistrates Court", "CRT"),
    "OUT": ("Outside", "OUT"),
    "TRN": ("Transfer", "TRN"),
}

OFFENCES = (
    ("04600", "Theft from a shop"),
    ("02801", "Burglary in a dwelling"),
    ("10501", "Common assault"),
    ("08000", "Assault occasioning actual bodily harm"),
    ("09200", "Possession of a controlled drug with intent to supply"),
    ("05600", "Criminal damage"),
    ("80700", "Driving while disqualified"),
    ("12500", "Fraud by false representation"),
    ("03400", "Robbery"),
    ("19500", "Breach of a restraining order"),
)

COMMUNITY_SENTENCES = (("SP", "CJA - Community Order"), ("SU", "ORA Suspended Sentence Order"))
CUSTODIAL_SENTENCES = (
    ("SC", "ORA Adult Custody (inc PSS)"),
    ("NC", "CJA - Std Determinate Custody"),
)
# Imprisonment for public protection was abolished for sentences from 3 December 2012 (LASPO
# 2012); every indeterminate sentence the generator starts since then is life.
INDETERMINATE_SENTENCE = ("LIFE", "CJA - Life Imprisonment")

REQUIREMENTS = (
    ("Unpaid Work", "Regular", "Hours"),
    ("Rehabilitation Activity Requirement", "RAR", "Days"),
    ("Curfew", "Electronic monitoring", "Months"),
    ("Accredited Programme", "Thinking Skills Programme", "Sessions"),
    ("Drug Rehabilitation", "Non-residential", "Months"),
    ("Alcohol Treatment", "Non-residential", "Months"),
)

ROSH = {
    "RLRH": ("Low RoSH", "Green"),
    "RMRH": ("Medium RoSH", "Amber"),
    "RHRH": ("High RoSH", "Red"),
    "RVHR": ("Very High RoSH", "Red"),
}

CATEGORIES = ("B", "C", "C", "C", "D")


def organisations() -> dict[str, Organisation]:
    orgs = {code: Organisation(code, name, "NPS") for code, name in NPS_DIVISIONS.items()}
    orgs |= {code: Organisation(code, name, "CRC") for code, name in CRCS.items()}
    orgs |= {code: Organisation(code, name, "PRISON") for code, name in PRISONS.items()}
    return orgs


def establishments() -> dict[str, Establishment]:
    found = {code: Establishment(code, name, "INST") for code, name in PRISONS.items()}
    for code, (name, kind) in OTHER_AGENCIES.items():
        found[code] = Establishment(code, name, kind)
    return found
