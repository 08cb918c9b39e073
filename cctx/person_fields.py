"""The fields of a person that are columns (and command-line options), as opposed to custom attributes."""

PERSON_FIELDS = ("first_name", "last_name", "gender", "city", "country")
