"""Names in prison-api's sentence detail JSON, shared by the adapter and the simulator."""

from __future__ import annotations

# Our SentenceDates fields, in record order, and prison-api's JSON name for each.
DATE_FIELDS = (
    "sentence_start_date", "home_detention_curfew_eligibility_date",
    "home_detention_curfew_actual_date", "conditional_release_date", "automatic_release_date",
    "parole_eligibility_date", "actual_parole_date", "non_parole_date",
    "post_recall_release_date", "licence_expiry_date", "sentence_expiry_date",
    "topup_supervision_expiry_date", "tariff_date", "confirmed_release_date", "mid_term_date",
    "non_dto_release_date",
)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


JSON_DATE_FIELDS = tuple(camel(name) for name in DATE_FIELDS)
